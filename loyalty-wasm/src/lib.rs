//! WebAssembly bindings of the loyalty engine: a thin shell over
//! [`loyalty_core::ffi`] that only converts values between JavaScript and
//! JSON. Every rule, check and error code lives in the core.
//!
//! JavaScript sees the classes `Program`, `Ledger`, `Tiers`, `MatchIndex`
//! and `ReferralBook` and the functions `errorCodes()`, `warningCodes()`,
//! `rejectionCodes()`, `referralReasonCodes()`, `segmentNames()` and
//! `programSchema()`. Every
//! failure is thrown as an `Error` whose `name` is `"LoyaltyError"`, carrying
//! `kind`, `code`, `path` and `errors` (see [`loyalty_error`]). The
//! TypeScript names used below (`ProgramFile`, `QuoteRequest`, `Quote`,
//! `LedgerEvent`, `Balance`, `TierEvent`, `TierStatus`, `CouponRequest`,
//! `CouponResult`, `CodeCheck`, `Profile`, `Dedupe`, `MatchDecision`,
//! `ReferralEvent`, `ReferralPosting`, `Referral`, `Settlement`,
//! `ReferralCodeCheck`, `StatsRequest`, `Stats`, `TriggerRequest`, `Triggers`,
//! `ReportRequest`, `Report`, `ErrorInfo`, ...) are generated from the core's JSON
//! Schemas by the build (`loyalty-wasm/js/scripts/gen-types.mjs`) into
//! `types.d.ts`, which the generated `.d.ts` imports.

use loyalty_core::ShapeError;
use loyalty_core::ffi::{self, ErrorKind, Failure, ProgramSource};
use loyalty_core::insights::ReportBooks;
use loyalty_core::tiers::TierBook;
use serde::Serialize;
use serde_json::Value;
use std::cell::Cell;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
import type {
  ProgramFile, QuoteRequest, Quote, Failure, ErrorInfo,
  LedgerEvent, Posting, Balance, LotView, Expiring, Statement, PaymentRequest, Payment,
  TierEvent, TierPosting, TierStatus, TierHistory, OrderTier, ProgramWarning,
  CouponRequest, CouponResult, CodeCheck, GenerateRequest, GeneratedCodes,
  Profile, DedupeRequest, Dedupe, NormalizedProfile, ProfileComparison, MatchDecision,
  ReferralEvent, ReferralPosting, Referral, ReferralCodeCheck, ReferralReason, Settlement,
  StatsRequest, Stats, TriggerRequest, Triggers, ReportRequest, Report,
} from "./types.js";
export type * from "./types.js";

/**
 * What every function of this module throws (and what `quoteMany` and
 * `postMany` return in place of an answer that failed): an `Error` named
 * `"LoyaltyError"`. `message`, `code` and `path` are those of the first
 * error; `errors` lists them all.
 */
export interface LoyaltyError extends Error {
  name: "LoyaltyError";
  /**
   * Whether the program, the request, the ledger, the tier book or the
   * referral book refused.
   */
  kind: Failure["kind"];
  /** Stable snake_case code of the first error. */
  code: string;
  /** Path of the first offending value (empty for the whole input). */
  path: string;
  /** Every error found, in input order (never empty). */
  errors: ErrorInfo[];
}

/** Every stable error code, by kind. */
export interface ErrorCodes {
  program: string[];
  request: string[];
  ledger: string[];
  tiers: string[];
  referrals: string[];
}

/**
 * What `Tiers.orderTier` asks about: a tier `order` event, or a ledger
 * `earn` event for an order, not yet posted.
 */
export type OrderEvent =
  | Extract<TierEvent, { type: "order" }>
  | Extract<LedgerEvent, { type: "earn" }>;

/** A code a referral can be refused, stopped or not paid with (`referralReasonCodes()`). */
export type ReferralReasonCode = ReferralReason["code"];

/** What `Program.normalize` answers: the normal form, or why it was set aside. */
export type NormalizedValue = { value: string } | { rejected: string };

/**
 * A customer segment of `Program.customerStats`: any name of the program's
 * `[[insights.segments]]`; `segmentNames()` lists the default ones and
 * `Stats.segments` the program's.
 */
export type SegmentName = Stats["customers"][number]["rfm"]["segment"];

/**
 * The books `Program.report` also reads, each optional: with `ledger` the
 * report has `points` and the wallets' credit (`credit.wallets`, `limit`,
 * `owed`), with `tiers` the tier distribution (`tiers`), with `referrals`
 * the referral outcomes (`referrals`). A plain object; any other key, or a
 * value that is not that kind of book of this module, is refused.
 */
export interface ReportBooks {
  ledger?: Ledger | null;
  tiers?: Tiers | null;
  referrals?: ReferralBook | null;
}
"#;

/// A validated loyalty program, ready to quote.
#[wasm_bindgen]
pub struct Program {
    // Shared with the ledgers made from it (a deep copy per ledger cost 6 KB
    // of code in the bundle).
    inner: Rc<loyalty_core::Program>,
}

#[wasm_bindgen]
impl Program {
    /// Loads and validates a program: JSON text, or the program file as an
    /// object. Throws a `LoyaltyError` of kind `"program"`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string | ProgramFile")] source: JsValue,
    ) -> Result<Program, JsValue> {
        let loaded = match source.as_string() {
            Some(text) => ffi::load_program(ProgramSource::Json(&text)),
            None => ffi::load_program(ProgramSource::Value(from_js(&source, ErrorKind::Program)?)),
        };
        Self::wrap(loaded)
    }

    /// Loads and validates a program written in TOML. Throws a
    /// `LoyaltyError` of kind `"program"`.
    #[wasm_bindgen(js_name = fromToml)]
    pub fn from_toml(text: &str) -> Result<Program, JsValue> {
        Self::wrap(ffi::load_program(ProgramSource::Toml(text)))
    }

    /// The program id.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.inner.id().to_owned()
    }

    /// The program's ISO 4217 currency code.
    #[wasm_bindgen(getter)]
    pub fn currency(&self) -> String {
        self.inner.currency().code().to_owned()
    }

    /// The program's IANA time zone.
    #[wasm_bindgen(getter, js_name = timeZone)]
    pub fn time_zone(&self) -> String {
        self.inner.time_zone().name().to_owned()
    }

    /// The calendar periods and birthdays are counted in.
    #[wasm_bindgen(
        getter,
        unchecked_return_type = "NonNullable<ProgramFile[\"calendar\"]>"
    )]
    pub fn calendar(&self) -> String {
        self.inner.calendar().name().to_owned()
    }

    /// The program file as a plain object (what `JSON.stringify` writes).
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "ProgramFile")]
    pub fn to_json(&self) -> Result<JsValue, JsValue> {
        to_js(self.inner.file())
    }

    /// Quotes one request. Returns the core's answer as a plain object
    /// (decimals as strings); throws a `LoyaltyError` of kind `"request"`.
    #[wasm_bindgen(unchecked_return_type = "Quote")]
    pub fn quote(
        &self,
        #[wasm_bindgen(unchecked_param_type = "QuoteRequest")] request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let request = from_js(&request, ErrorKind::Request)?;
        match ffi::quote(&self.inner, request) {
            Ok(q) => to_js(&q),
            Err(f) => Err(loyalty_error(&f)),
        }
    }

    /// Quotes many requests. Each item is either the quote or, when that
    /// request failed, the `LoyaltyError` that `quote` would have thrown
    /// (returned, not thrown: test with `instanceof Error`). Throws only
    /// when `requests` is not an array.
    #[wasm_bindgen(
        js_name = quoteMany,
        unchecked_return_type = "Array<Quote | LoyaltyError>"
    )]
    pub fn quote_many(
        &self,
        #[wasm_bindgen(unchecked_param_type = "QuoteRequest[]")] requests: JsValue,
    ) -> Result<js_sys::Array, JsValue> {
        let requests = items(
            &requests,
            ErrorKind::Request,
            "quoteMany expects an array of requests",
        )?;
        let out = js_sys::Array::new();
        for request in requests.iter() {
            let answer = self.quote(request);
            out.push(&answer.unwrap_or_else(|e| e));
        }
        Ok(out)
    }

    /// The ledger event that posts what `request` earns under this program,
    /// for `account`, with the host's event id `id`; `null` when the quote
    /// earns nothing. Throws a `LoyaltyError` of kind `"request"`.
    #[wasm_bindgen(js_name = earnEvent, unchecked_return_type = "LedgerEvent | null")]
    pub fn earn_event(
        &self,
        #[wasm_bindgen(unchecked_param_type = "QuoteRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] account: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
    ) -> Result<JsValue, JsValue> {
        let request = from_js(&request, ErrorKind::Request)?;
        let account = text_arg(&account, "account", ErrorKind::Request)?;
        let id = text_arg(&id, "id", ErrorKind::Request)?;
        answer(ffi::earn_event(&self.inner, request, &account, &id))
    }

    /// Validates the coupons typed for an order and applies those that hold:
    /// every line's discount (decimals as strings), each refused coupon with
    /// every reason, the order to quote and post, and the counters to keep.
    /// A coupon that does not apply is part of the answer, not an error;
    /// throws a `LoyaltyError` of kind `"request"` for a request that cannot
    /// be answered.
    #[wasm_bindgen(js_name = applyCoupons, unchecked_return_type = "CouponResult")]
    pub fn apply_coupons(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CouponRequest")] request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let request = from_js(&request, ErrorKind::Request)?;
        answer(ffi::coupons_apply(&self.inner, request))
    }

    /// What a typed code is, from the program alone (no lookup): a public
    /// code, a well-formed generated code with a correct check character, or
    /// why not (`{ok: false, reasons: [...]}`). Throws only when `code` is
    /// not a string (`invalid_type` at `code`, kind `"request"`).
    #[wasm_bindgen(js_name = checkCode, unchecked_return_type = "CodeCheck")]
    pub fn check_code(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] code: JsValue,
    ) -> Result<JsValue, JsValue> {
        let code = text_arg(&code, "code", ErrorKind::Request)?;
        to_js(&ffi::coupons_check_code(&self.inner, &code))
    }

    /// Generates codes for a campaign with generated codes, each with the
    /// issue record to store; the same `seed` gives the same codes, without
    /// one they come from `crypto.getRandomValues`. Throws a `LoyaltyError`
    /// of kind `"request"`.
    #[wasm_bindgen(js_name = generateCodes, unchecked_return_type = "GeneratedCodes")]
    pub fn generate_codes(
        &self,
        #[wasm_bindgen(unchecked_param_type = "GenerateRequest")] request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let request = from_js(&request, ErrorKind::Request)?;
        answer(ffi::coupons_generate(&self.inner, request))
    }

    /// One value normalized as matching sees it under the program's
    /// `[merge]` policy: `kind` is `"phone"`, `"email"`, `"name"` or
    /// `"date"`. Answers `{value}`, or `{rejected: code}` for a placeholder
    /// or an invalid value (never linked). Throws a `LoyaltyError` of kind
    /// `"request"` for another kind or an argument that is not a string.
    #[wasm_bindgen(unchecked_return_type = "NormalizedValue")]
    pub fn normalize(
        &self,
        #[wasm_bindgen(unchecked_param_type = "\"phone\" | \"email\" | \"name\" | \"date\"")]
        kind: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> Result<JsValue, JsValue> {
        let kind = text_arg(&kind, "kind", ErrorKind::Request)?;
        let text = text_arg(&text, "text", ErrorKind::Request)?;
        answer(ffi::merge_normalize(&self.inner, &kind, &text))
    }

    /// `profile` normalized as matching sees it, with the values set aside
    /// and why. Throws a `LoyaltyError` of kind `"request"`.
    #[wasm_bindgen(js_name = normalizeProfile, unchecked_return_type = "NormalizedProfile")]
    pub fn normalize_profile(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Profile")] profile: JsValue,
    ) -> Result<JsValue, JsValue> {
        let profile = from_js(&profile, ErrorKind::Request)?;
        answer(ffi::merge_normalize_profile(&self.inner, profile))
    }

    /// Compares two profiles: the score, whether it reaches the threshold,
    /// and every piece of evidence. Throws a `LoyaltyError` of kind
    /// `"request"` (paths start with `a` or `b`).
    #[wasm_bindgen(js_name = compareProfiles, unchecked_return_type = "ProfileComparison")]
    pub fn compare_profiles(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Profile")] a: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Profile")] b: JsValue,
    ) -> Result<JsValue, JsValue> {
        // One `{a, b}` object crosses, as the core takes it: a missing side is
        // the core's `missing_field` at `a` or `b`.
        let pair = js_sys::Object::new();
        for (key, value) in [("a", &a), ("b", &b)] {
            // Setting a property on a fresh, plain object cannot fail.
            let _ = js_sys::Reflect::set(&pair, &JsValue::from_str(key), value);
        }
        let pair = from_js(&pair, ErrorKind::Request)?;
        answer(ffi::merge_compare(&self.inner, pair))
    }

    /// Finds which profiles are the same customer (`{profiles, explain?,
    /// all_clusters?}`): each profile's customer, the customers with their
    /// combined profiles, the links and counts. The answer does not depend
    /// on the profiles' order. Throws a `LoyaltyError` of kind `"request"`
    /// (`duplicate_profile` for an id given twice).
    #[wasm_bindgen(unchecked_return_type = "Dedupe")]
    pub fn dedupe(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DedupeRequest")] request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let request = from_js(&request, ErrorKind::Request)?;
        answer(ffi::merge_dedupe(&self.inner, request))
    }

    /// Per-customer statistics from orders (`{orders, as_of}`): for every
    /// customer with an order by `as_of`, visits, first and last purchase
    /// and days since, spend (total, average, visits per week), favourite
    /// categories and products, preferred channel, store, payment, weekday
    /// and hour (in the program's time zone), the shares of visits paid with
    /// points and with coupons, and RFM scores (1 to 5, by quintile among
    /// these customers, or by the program's `[insights.rfm]` cut points)
    /// with the segment (the first of the program's `[[insights.segments]]`,
    /// or of the default ones, that fits); customers by id, every segment in
    /// order with its number of customers (`segments`, 0 included), and how
    /// many orders came after `as_of` (left out). Decimals are strings. Throws a
    /// `LoyaltyError` of kind `"request"`: every bad value of the orders at
    /// once (`empty_value`, `invalid_timestamp`, `negative_amount`,
    /// `invalid_quantity`, `duplicate_order`, each with its path), a bad
    /// `as_of`, a malformed request, or `arithmetic_overflow`.
    #[wasm_bindgen(js_name = customerStats, unchecked_return_type = "Stats")]
    pub fn customer_stats(
        &self,
        #[wasm_bindgen(unchecked_param_type = "StatsRequest")] request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let request = from_js(&request, ErrorKind::Request)?;
        answer(ffi::insights_customer_stats(&self.inner, request))
    }

    /// The lifecycle messages due (`[triggers]`: birthday, anniversary,
    /// membership, welcome, win-back, points expiring, tier at risk) for the
    /// customers of `{date | at, customers, seed?}`: give `date`
    /// (`YYYY-MM-DD`, the same local day for everyone) or `at` (an RFC 3339
    /// instant: each customer's day is the local date then in their
    /// `time_zone`, the program's by default). Each trigger names the
    /// customer, its kind, the customer's `date` it is due on, the day `on`
    /// of the event, its details, and a personal `coupon` code where the
    /// program issues one (the same `seed` gives the same codes; without one
    /// they come from `crypto.getRandomValues`). Customers in request order,
    /// then by kind. Throws a `LoyaltyError` of kind `"request"`: every bad
    /// value at once (`invalid_timestamp`, `invalid_time_zone` at
    /// `customers[i].time_zone`, `empty_value`, ...), `date_and_at_not_one`
    /// for both or neither, `invalid_seed`, or a malformed request.
    ///
    /// ```js
    /// // In the browser, for the signed-in customer, under a program with
    /// //   [triggers.birthday] lead_days = 0, coupon = "birthday-gift"
    /// // (a `personal` campaign with pattern "BDY-####-####"):
    /// const { triggers } = program.triggers({
    ///   at: new Date().toISOString(),    // today in her time zone
    ///   customers: [{ id: "sara", time_zone: "Asia/Tehran", birth_date: "1990-03-03" }],
    /// });
    /// // On 3 March in Tehran:
    /// // [{customer: "sara", kind: "birthday", date: "2026-03-03", on: "2026-03-03",
    /// //   details: [{kind: "years", value: "36"}],
    /// //   coupon: {campaign: "birthday-gift", code: "BDY-…"}}]
    /// // Any other day: [].
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Triggers")]
    pub fn triggers(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TriggerRequest")] request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let request = from_js(&request, ErrorKind::Request)?;
        answer(ffi::insights_triggers(&self.inner, request))
    }

    /// A report of the period `{from, to}` (local days in the program's time
    /// zone, both included) from the host's `orders` (those outside the
    /// period are left out) and, for the age and gender mix, its
    /// `customers`: orders, customers, revenue, average basket, orders per
    /// customer, the weekday x hour matrix (Monday first) with the busiest
    /// weekday and hour, payment and channel splits, ages and genders, the
    /// `top` (10 by default) visitors and spenders, credit orders and
    /// coupon use. `books` (`{ledger?, tiers?, referrals?}`, each optional)
    /// adds a section per book given: `points` (issued, redeemed, expired, by
    /// month of the program's calendar) and the wallets' credit in `credit`
    /// from the `Ledger`, `tiers` (members per tier at the period's end) from
    /// the `Tiers`, `referrals` (the outcomes of the period's signups) from
    /// the `ReferralBook`; a book not given leaves its section out. The
    /// books are read, not changed. Decimals are strings. Throws a
    /// `LoyaltyError` of kind `"request"`: every bad value at once
    /// (`invalid_timestamp` at `from`, `to` or `customers[i].birth_date`,
    /// `empty_value`, `negative_amount`, `duplicate_order`, ... at their
    /// paths), a malformed request, `invalid_type` at `books` for `books`
    /// that is not a plain object, `unknown_field` at `books.<key>` for
    /// another key, and `invalid_type` at `books.ledger`, `books.tiers` or
    /// `books.referrals` for a value that is not that kind of book (another
    /// kind, a freed one, anything else).
    ///
    /// The books come as one object rather than three optional arguments:
    /// wasm-bindgen cannot take an optional reference to a class instance
    /// (`Option<&Ledger>`), and a required one is checked by its generated
    /// JavaScript, which throws a plain `Error` before any Rust runs. Each
    /// book given lends its contents to the report through a method of its
    /// own class, so only a real book of this module is read, and anything
    /// else is a `LoyaltyError`.
    ///
    /// ```js
    /// const report = program.report(
    ///   { from: "2026-03-01", to: "2026-03-31", orders, customers },
    ///   { ledger, tiers },                 // no referral book: no `referrals`
    /// );
    /// report.average_basket;               // "50.00"
    /// report.weekday_hour[0][9];           // orders on Mondays from 09:00 to 09:59
    /// report.points?.issued;               // "47.5"
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Report")]
    pub fn report(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ReportRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ReportBooks | null")] books: Option<
            JsValue,
        >,
    ) -> Result<JsValue, JsValue> {
        let request = from_js(&request, ErrorKind::Request)?;
        let books = LentBooks::of(books.as_ref())?;
        let ledger = books.ledger.as_deref();
        let tiers = books.tiers.as_deref();
        let referrals = books.referrals.as_deref();
        answer(ffi::insights_report(
            &self.inner,
            request,
            &ReportBooks {
                ledger,
                tiers,
                referrals,
            },
        ))
    }

    /// An empty incremental index under this program's merge policy (it
    /// keeps its own copy: freeing `program` later does not affect it).
    #[wasm_bindgen(js_name = matchIndex)]
    pub fn match_index(&self) -> MatchIndex {
        MatchIndex {
            inner: self.inner.match_index(),
        }
    }

    /// An empty referral book of this program (`new ReferralBook(program)`).
    /// Throws a `LoyaltyError` of kind `"referrals"` (`referrals_not_configured`)
    /// for a program without `[referrals]`.
    #[wasm_bindgen(js_name = referralBook)]
    pub fn referral_book(&self) -> Result<ReferralBook, JsValue> {
        ReferralBook::new(self)
    }

    /// What typed text is as a referral code, from the program alone (no
    /// lookup): `{ok: true, code}` with the code in canonical form, or
    /// `{ok: false, reason}` (`malformed_code`, `bad_check_character`) with
    /// the detail. Throws a `LoyaltyError` of kind `"referrals"`:
    /// `referrals_not_configured` for a program without `[referrals]`,
    /// `invalid_type` at `code` when `code` is not a string.
    #[wasm_bindgen(js_name = checkReferralCode, unchecked_return_type = "ReferralCodeCheck")]
    pub fn check_referral_code(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] code: JsValue,
    ) -> Result<JsValue, JsValue> {
        let code = text_arg(&code, "code", ErrorKind::Referrals)?;
        answer(ffi::referrals_check_code(&self.inner, &code))
    }

    /// Warnings about settings that are valid but probably not meant (an
    /// unreachable tier, retention above entry, a rule naming no tier):
    /// `[{code, path, message}]`, empty when there are none. Never throws
    /// for a loaded program.
    #[wasm_bindgen(unchecked_return_type = "ProgramWarning[]")]
    pub fn check(&self) -> Result<JsValue, JsValue> {
        to_js(&ffi::program_check(&self.inner))
    }
}

impl Program {
    fn wrap(loaded: Result<loyalty_core::Program, Failure>) -> Result<Program, JsValue> {
        loaded
            .map(|inner| Program {
                inner: Rc::new(inner),
            })
            .map_err(|f| loyalty_error(&f))
    }
}

/// The points and stored-value ledger of one program: plain data built only
/// from the events posted to it (keep the events; `Ledger.replay` rebuilds
/// it). Queries take an account and an RFC 3339 instant and work out
/// pending, expired and available points as of that instant. Refusals are
/// `LoyaltyError`s of kind `"ledger"`; a refused event moves no points.
#[wasm_bindgen]
pub struct Ledger {
    program: Rc<loyalty_core::Program>,
    // Shared with a `Program.report` while it reads the ledger (see `Lent`);
    // changed through `Rc::make_mut`, which copies only while one does.
    inner: Rc<loyalty_core::ledger::Ledger>,
}

#[wasm_bindgen]
impl Ledger {
    /// An empty ledger of `program` (freeing `program` later does not
    /// affect the ledger).
    #[wasm_bindgen(constructor)]
    pub fn new(program: &Program) -> Ledger {
        Ledger {
            program: Rc::clone(&program.inner),
            inner: Rc::new(loyalty_core::ledger::Ledger::new()),
        }
    }

    /// Rebuilds a ledger from events in the order they were first posted.
    /// Events that are refused (as they were then) are skipped. Throws only
    /// when `events` is not an array.
    pub fn replay(
        program: &Program,
        #[wasm_bindgen(unchecked_param_type = "LedgerEvent[]")] events: JsValue,
    ) -> Result<Ledger, JsValue> {
        let mut ledger = Ledger::new(program);
        let values = replay_values(&events, ErrorKind::Ledger)?;
        // Refused events are skipped: their outcomes are not needed.
        let _ = ffi::ledger_post_many(&ledger.program, Rc::make_mut(&mut ledger.inner), values);
        Ok(ledger)
    }

    /// Posts one event: `{event: id, status: "applied"}`, or `"duplicate"`
    /// when the same event was posted before (nothing changes). Throws a
    /// `LoyaltyError` of kind `"ledger"` when the event is refused.
    #[wasm_bindgen(unchecked_return_type = "Posting")]
    pub fn post(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "LedgerEvent")] event: JsValue,
    ) -> Result<JsValue, JsValue> {
        let event = from_js(&event, ErrorKind::Ledger)?;
        answer(ffi::ledger_post(
            &self.program,
            Rc::make_mut(&mut self.inner),
            event,
        ))
    }

    /// Posts events in order. Each item is the posting or, when that event
    /// was refused, the `LoyaltyError` that `post` would have thrown
    /// (returned, not thrown: test with `instanceof Error`); a refused event
    /// does not stop the ones after it. Throws only when `events` is not an
    /// array.
    #[wasm_bindgen(
        js_name = postMany,
        unchecked_return_type = "Array<Posting | LoyaltyError>"
    )]
    pub fn post_many(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "LedgerEvent[]")] events: JsValue,
    ) -> Result<js_sys::Array, JsValue> {
        post_each(&events, ErrorKind::Ledger, |values| {
            ffi::ledger_post_many(&self.program, Rc::make_mut(&mut self.inner), values)
        })
    }

    /// The balance of `account` as of the instant `at` (RFC 3339).
    #[wasm_bindgen(unchecked_return_type = "Balance")]
    pub fn balance(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] account: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] at: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (account, at) = account_at(&account, &at, ErrorKind::Ledger)?;
        answer(ffi::ledger_balance(
            &self.program,
            &self.inner,
            &account,
            &at,
        ))
    }

    /// The lots of `account` with points left as of `at`.
    #[wasm_bindgen(unchecked_return_type = "LotView[]")]
    pub fn lots(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] account: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] at: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (account, at) = account_at(&account, &at, ErrorKind::Ledger)?;
        answer(ffi::ledger_lots(&self.program, &self.inner, &account, &at))
    }

    /// The points of `account` that expire within `days` days of `at`
    /// (`days`: a whole number from 0 to 4294967295).
    #[wasm_bindgen(unchecked_return_type = "Expiring")]
    pub fn expiring(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] account: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] at: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] days: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (account, at) = account_at(&account, &at, ErrorKind::Ledger)?;
        let days = days_arg(&days)?;
        answer(ffi::ledger_expiring(
            &self.program,
            &self.inner,
            &account,
            &at,
            days,
        ))
    }

    /// Every movement of `account` up to `at`, with running balances.
    #[wasm_bindgen(unchecked_return_type = "Statement")]
    pub fn statement(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] account: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] at: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (account, at) = account_at(&account, &at, ErrorKind::Ledger)?;
        answer(ffi::ledger_statement(
            &self.program,
            &self.inner,
            &account,
            &at,
        ))
    }

    /// How much of an order points can pay under the program's
    /// `ledger.redemption` rules, with the redeem event to post when the
    /// sale completes. Posts nothing.
    #[wasm_bindgen(js_name = payWithPoints, unchecked_return_type = "Payment")]
    pub fn pay_with_points(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PaymentRequest")] request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let request = from_js(&request, ErrorKind::Ledger)?;
        answer(ffi::ledger_pay(&self.program, &self.inner, request))
    }

    /// Ids of every account (points and stored value), sorted.
    pub fn accounts(&self) -> Vec<String> {
        self.inner.account_ids().map(str::to_owned).collect()
    }

    /// Lends the ledger to the `Program.report` that asked (internal: not
    /// part of the API, left out of the TypeScript declarations).
    #[wasm_bindgen(js_name = __loyaltyLend, skip_typescript)]
    pub fn lend(&self) {
        LENT.set(Some(Lent::Ledger(Rc::downgrade(&self.inner))));
    }
}

/// The membership tiers of one program's members: plain data built only from
/// the events posted to it (keep the events; `Tiers.replay` rebuilds it).
/// Takes tier events (`order`, `visit`, `points`, `join`, `override`, ...)
/// and the ledger's own events as they are (those that do not count towards
/// tiers are `"ignored"`). Queries take an account and an RFC 3339 instant.
/// Refusals are `LoyaltyError`s of kind `"tiers"`; a program without
/// `[tiers]` is refused when the book is made (`tiers_not_configured`).
#[wasm_bindgen]
pub struct Tiers {
    program: Rc<loyalty_core::Program>,
    // Shared with a `Program.report` as the ledger's is.
    inner: Rc<TierBook>,
}

#[wasm_bindgen]
impl Tiers {
    /// An empty tier book of `program` (freeing `program` later does not
    /// affect it). Throws `tiers_not_configured` for a program without tiers.
    #[wasm_bindgen(constructor)]
    pub fn new(program: &Program) -> Result<Tiers, JsValue> {
        Ok(Tiers {
            inner: Rc::new(ffi::tiers_new(&program.inner).map_err(|f| loyalty_error(&f))?),
            program: Rc::clone(&program.inner),
        })
    }

    /// Rebuilds a tier book from events in the order they were first
    /// posted. Events that are refused (as they were then) are skipped.
    /// Throws only when `events` is not an array.
    pub fn replay(
        program: &Program,
        #[wasm_bindgen(unchecked_param_type = "Array<TierEvent | LedgerEvent>")] events: JsValue,
    ) -> Result<Tiers, JsValue> {
        let mut tiers = Tiers::new(program)?;
        let values = replay_values(&events, ErrorKind::Tiers)?;
        // Refused events are skipped: their outcomes are not needed.
        let _ = ffi::tiers_post_many(&tiers.program, Rc::make_mut(&mut tiers.inner), values);
        Ok(tiers)
    }

    /// Posts one event: `{event: id, status: "applied"}`, `"duplicate"`
    /// when the same event was posted before, or `"ignored"` for a ledger
    /// event that does not count towards tiers (nothing changes for
    /// either). Throws a `LoyaltyError` of kind `"tiers"` when the event is
    /// refused.
    #[wasm_bindgen(unchecked_return_type = "TierPosting")]
    pub fn post(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "TierEvent | LedgerEvent")] event: JsValue,
    ) -> Result<JsValue, JsValue> {
        let event = from_js(&event, ErrorKind::Tiers)?;
        answer(ffi::tiers_post(
            &self.program,
            Rc::make_mut(&mut self.inner),
            event,
        ))
    }

    /// Posts events in order. Each item is the posting or, when that event
    /// was refused, the `LoyaltyError` that `post` would have thrown
    /// (returned, not thrown: test with `instanceof Error`); a refused event
    /// does not stop the ones after it. Throws only when `events` is not an
    /// array.
    #[wasm_bindgen(
        js_name = postMany,
        unchecked_return_type = "Array<TierPosting | LoyaltyError>"
    )]
    pub fn post_many(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Array<TierEvent | LedgerEvent>")] events: JsValue,
    ) -> Result<js_sys::Array, JsValue> {
        post_each(&events, ErrorKind::Tiers, |values| {
            ffi::tiers_post_many(&self.program, Rc::make_mut(&mut self.inner), values)
        })
    }

    /// The tier `account` holds as of the instant `at` (RFC 3339), with its
    /// window, metrics, and what reaching the next tier or keeping this one
    /// takes.
    #[wasm_bindgen(unchecked_return_type = "TierStatus")]
    pub fn status(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] account: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] at: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (account, at) = account_at(&account, &at, ErrorKind::Tiers)?;
        answer(ffi::tiers_status(&self.program, &self.inner, &account, &at))
    }

    /// Every tier change of `account` up to `at`, oldest first.
    #[wasm_bindgen(unchecked_return_type = "TierHistory")]
    pub fn history(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] account: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] at: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (account, at) = account_at(&account, &at, ErrorKind::Tiers)?;
        answer(ffi::tiers_history(
            &self.program,
            &self.inner,
            &account,
            &at,
        ))
    }

    /// The tier an order earns at (the `customer.tier` to quote it with),
    /// per `tiers.crossing_order`, for an `order` event or a ledger `earn`
    /// event for an order that is not posted yet. Posts nothing.
    #[wasm_bindgen(js_name = orderTier, unchecked_return_type = "OrderTier")]
    pub fn order_tier(
        &self,
        #[wasm_bindgen(unchecked_param_type = "OrderEvent")] event: JsValue,
    ) -> Result<JsValue, JsValue> {
        let event = from_js(&event, ErrorKind::Tiers)?;
        answer(ffi::tiers_order_tier(&self.program, &self.inner, event))
    }

    /// Ids of every account, sorted.
    pub fn accounts(&self) -> Vec<String> {
        self.inner.account_ids().map(str::to_owned).collect()
    }

    /// Lends the tier book to the `Program.report` that asked (internal).
    #[wasm_bindgen(js_name = __loyaltyLend, skip_typescript)]
    pub fn lend(&self) {
        LENT.set(Some(Lent::Tiers(Rc::downgrade(&self.inner))));
    }
}

/// The referral book of one program: members' codes and each referral from
/// signup to credit, built only from the events posted to it (`member`,
/// `signup`, `order`, `refund`, `custom`, `merge`) in time order, and from
/// `settle`, which pays the referrals whose return window closed (and
/// cancels those whose qualification window passed). Nothing is
/// posted anywhere else: the answers carry the ledger events and coupons
/// for the host to post and issue. Refusals are `LoyaltyError`s of kind
/// `"referrals"`; a refused event changes nothing. A signup refused as a
/// self-referral, an order below the minimum, ... is an answer
/// (`rejected`, with every reason and its evidence), not an error.
#[wasm_bindgen]
pub struct ReferralBook {
    program: Rc<loyalty_core::Program>,
    // Shared with a `Program.report` as the ledger's is.
    inner: Rc<loyalty_core::referrals::ReferralBook>,
}

#[wasm_bindgen]
impl ReferralBook {
    /// An empty referral book of `program` (freeing `program` later does
    /// not affect it). Throws `referrals_not_configured` for a program
    /// without `[referrals]`.
    #[wasm_bindgen(constructor)]
    pub fn new(program: &Program) -> Result<ReferralBook, JsValue> {
        Ok(ReferralBook {
            inner: Rc::new(ffi::referrals_new(&program.inner).map_err(|f| loyalty_error(&f))?),
            program: Rc::clone(&program.inner),
        })
    }

    /// Posts one event: what it did (`status` `"applied"`, or `"duplicate"`
    /// when the same event was posted before: nothing changes, nothing is
    /// repeated), a member's `code`, the referrals it touched, why it was
    /// `rejected`, and the ledger events and coupons it gives or takes back.
    /// Empty lists are left out. Throws a `LoyaltyError` of kind
    /// `"referrals"` when the event is refused.
    #[wasm_bindgen(unchecked_return_type = "ReferralPosting")]
    pub fn post(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "ReferralEvent")] event: JsValue,
    ) -> Result<JsValue, JsValue> {
        let event = from_js(&event, ErrorKind::Referrals)?;
        answer(ffi::referrals_post(
            &self.program,
            Rc::make_mut(&mut self.inner),
            event,
        ))
    }

    /// Posts events in order. Each item is the posting or, when that event
    /// was refused, the `LoyaltyError` that `post` would have thrown
    /// (returned, not thrown: test with `instanceof Error`); a refused event
    /// does not stop the ones after it. Throws only when `events` is not an
    /// array.
    #[wasm_bindgen(
        js_name = postMany,
        unchecked_return_type = "Array<ReferralPosting | LoyaltyError>"
    )]
    pub fn post_many(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "ReferralEvent[]")] events: JsValue,
    ) -> Result<js_sys::Array, JsValue> {
        post_each(&events, ErrorKind::Referrals, |values| {
            ffi::referrals_post_many(&self.program, Rc::make_mut(&mut self.inner), values)
        })
    }

    /// Pays every pending referral whose return window closed by the instant
    /// `at` (RFC 3339), and cancels the linked ones whose qualification
    /// window passed: the referrals it changed, the ledger `earn` events to
    /// post and the coupons to issue. Settling again pays nothing twice.
    #[wasm_bindgen(unchecked_return_type = "Settlement")]
    pub fn settle(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] at: JsValue,
    ) -> Result<JsValue, JsValue> {
        let at = text_arg(&at, "at", ErrorKind::Referrals)?;
        answer(ffi::referrals_settle(
            &self.program,
            Rc::make_mut(&mut self.inner),
            &at,
        ))
    }

    /// The referral of `referee`, or `null` when they have none.
    #[wasm_bindgen(unchecked_return_type = "Referral | null")]
    pub fn referral(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] referee: JsValue,
    ) -> Result<JsValue, JsValue> {
        let referee = text_arg(&referee, "referee", ErrorKind::Referrals)?;
        to_js(&ffi::referrals_referral(&self.inner, &referee))
    }

    /// Every referral, by referee.
    #[wasm_bindgen(unchecked_return_type = "Referral[]")]
    pub fn referrals(&self) -> Result<JsValue, JsValue> {
        to_js(&ffi::referrals_list(&self.inner))
    }

    /// The member a typed code belongs to (read as `checkReferralCode` reads
    /// it: any case, spaces, dashes, Persian or Arabic-Indic digits), or
    /// `null` when no member has it or it is not a well-formed code.
    #[wasm_bindgen(unchecked_return_type = "string | null")]
    pub fn resolve(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] code: JsValue,
    ) -> Result<JsValue, JsValue> {
        let code = text_arg(&code, "code", ErrorKind::Referrals)?;
        to_js(&ffi::referrals_resolve(&self.program, &self.inner, &code))
    }

    /// Lends the referral book to the `Program.report` that asked (internal).
    #[wasm_bindgen(js_name = __loyaltyLend, skip_typescript)]
    pub fn lend(&self) {
        LENT.set(Some(Lent::Referrals(Rc::downgrade(&self.inner))));
    }
}

/// Known profiles and their customers, for matching one profile at a time
/// (at the POS, on sign-up) without a batch run: made by
/// `Program.matchIndex()`. Adding profiles one by one can group them
/// differently from one `dedupe` only where links compete for a protected
/// customer; the batch is the reference.
#[wasm_bindgen]
pub struct MatchIndex {
    inner: loyalty_core::identity::MatchIndex,
}

#[wasm_bindgen]
impl MatchIndex {
    /// Adds a new profile, or a changed one (same id: its values are
    /// replaced), and says which customer it is now, with its links and how
    /// matching saw it. Throws a `LoyaltyError` of kind `"request"`; a
    /// refused profile changes nothing.
    #[wasm_bindgen(unchecked_return_type = "MatchDecision")]
    pub fn add(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Profile")] profile: JsValue,
    ) -> Result<JsValue, JsValue> {
        let profile = from_js(&profile, ErrorKind::Request)?;
        answer(ffi::merge_index_add(&mut self.inner, profile))
    }

    /// Number of profiles in the index.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.inner.len()
    }
}

/// A book lent to `Program.report`. wasm-bindgen gives Rust a class
/// instance only as an argument its generated JavaScript checked (a wrong
/// one is a plain `Error` thrown before Rust runs), so the report has each
/// book call its own `__loyaltyLend` method, whose receiver that JavaScript
/// checks, and the method leaves its contents here for the report to take.
/// Weak, so a lend nobody takes (a direct call) keeps nothing alive.
enum Lent {
    Ledger(Weak<loyalty_core::ledger::Ledger>),
    Tiers(Weak<TierBook>),
    Referrals(Weak<loyalty_core::referrals::ReferralBook>),
}

thread_local! {
    static LENT: Cell<Option<Lent>> = const { Cell::new(None) };
}

/// The books of one `Program.report`, shared for the call (no copy). A book
/// changed before the report is done with it (by user code that runs while
/// the next book is lent: a proxy's trap, a look-alike's method) is copied
/// by `Rc::make_mut` first, so the report reads each book as it was lent.
#[derive(Default)]
struct LentBooks {
    ledger: Option<Rc<loyalty_core::ledger::Ledger>>,
    tiers: Option<Rc<TierBook>>,
    referrals: Option<Rc<loyalty_core::referrals::ReferralBook>>,
}

impl LentBooks {
    /// The books of `books` (`{ledger?, tiers?, referrals?}`; `null`,
    /// `undefined` and absent books are none). Anything but a plain object
    /// is `invalid_type` at `books`, another key `unknown_field`, a value
    /// that is not that kind of book `invalid_type` at `books.<key>`; all of
    /// kind `"request"`.
    fn of(books: Option<&JsValue>) -> Result<LentBooks, JsValue> {
        let mut out = LentBooks::default();
        let Some(books) = books.filter(|b| !b.is_undefined() && !b.is_null()) else {
            return Ok(out);
        };
        let fields = book_fields(books).map_err(|e| {
            request_shape(ShapeError::InvalidType {
                path: "books".to_owned(),
                message: error_message(&e),
            })
        })?;
        if let Some(field) = fields.get(3).as_string() {
            return Err(request_shape(ShapeError::UnknownField {
                path: format!("books.{field}"),
                field,
            }));
        }
        for (i, key) in (0u32..).zip(["ledger", "tiers", "referrals"]) {
            let value = fields.get(i);
            if value.is_undefined() || value.is_null() {
                continue;
            }
            let path = format!("books.{key}");
            let refuse = |message: String| {
                request_shape(ShapeError::InvalidType {
                    path: path.clone(),
                    message,
                })
            };
            let want = match key {
                "ledger" => "a Ledger",
                "tiers" => "a Tiers",
                _ => "a ReferralBook",
            };
            // A real book's lend is the last thing the snippet does, so what
            // it left is still alive when taken (a look-alike that lends a
            // real book and then frees it gets `freed`).
            LENT.take();
            let lent = lend_book(&value);
            let taken = LENT.take();
            let freed = || refuse(format!("expected {want}, got one that was freed"));
            match (lent, taken) {
                (Err(e), _) => {
                    return Err(refuse(format!(
                        "expected {want} that can be read: {}",
                        error_message(&e)
                    )));
                }
                (Ok(_), Some(Lent::Ledger(w))) if key == "ledger" => {
                    out.ledger = Some(w.upgrade().ok_or_else(freed)?);
                }
                (Ok(_), Some(Lent::Tiers(w))) if key == "tiers" => {
                    out.tiers = Some(w.upgrade().ok_or_else(freed)?);
                }
                (Ok(_), Some(Lent::Referrals(w))) if key == "referrals" => {
                    out.referrals = Some(w.upgrade().ok_or_else(freed)?);
                }
                (Ok(_), Some(other)) => {
                    let got = match other {
                        Lent::Ledger(_) => "a Ledger",
                        Lent::Tiers(_) => "a Tiers",
                        Lent::Referrals(_) => "a ReferralBook",
                    };
                    return Err(refuse(format!("expected {want}, got {got}")));
                }
                (Ok(what), None) => {
                    let what = what.unwrap_or_else(|| "an object that lent nothing".to_owned());
                    return Err(refuse(format!(
                        "expected {want} of this module, got {what}"
                    )));
                }
            }
        }
        Ok(out)
    }
}

/// A shape error of the request as a thrown `LoyaltyError`.
fn request_shape(error: ShapeError) -> JsValue {
    loyalty_error(&Failure::from_shape(ErrorKind::Request, error))
}

/// The events of a `replay` that have a JSON form (the others are skipped,
/// as refused events are). Anything but an array is `invalid_type`.
fn replay_values(events: &JsValue, kind: ErrorKind) -> Result<Vec<Value>, JsValue> {
    let events = items(events, kind, "replay expects an array of events")?;
    Ok(events
        .iter()
        .filter_map(|e| from_js(&e, kind).ok())
        .collect())
}

/// `postMany`: posts the events that have a JSON form, in order, with
/// `post_many`; an event without one is refused in place. Each item is the
/// posting or the `LoyaltyError` `post` would have thrown. Anything but an
/// array is `invalid_type`.
fn post_each(
    events: &JsValue,
    kind: ErrorKind,
    post_many: impl FnOnce(Vec<Value>) -> Vec<Result<Value, Failure>>,
) -> Result<js_sys::Array, JsValue> {
    let events = items(events, kind, "postMany expects an array of events")?;
    let mut refused = Vec::with_capacity(events.length() as usize);
    let mut values = Vec::with_capacity(refused.capacity());
    for event in events.iter() {
        match from_js(&event, kind) {
            Ok(v) => {
                values.push(v);
                refused.push(None);
            }
            Err(e) => refused.push(Some(e)),
        }
    }
    let mut posted = post_many(values).into_iter();
    let out = js_sys::Array::new();
    for r in refused {
        let item = match r {
            Some(e) => e,
            None => posted
                .next()
                .map_or(JsValue::UNDEFINED, |a| answer(a).unwrap_or_else(|e| e)),
        };
        out.push(&item);
    }
    Ok(out)
}

/// The items of a JS array, copied by JavaScript (so that a throwing getter
/// or proxy trap becomes a `LoyaltyError` rather than an exception unwinding
/// through Rust frames, which would leave the object borrowed for good).
/// Anything but an array is `invalid_type` with `message`.
fn items(value: &JsValue, kind: ErrorKind, message: &str) -> Result<js_sys::Array, JsValue> {
    match array_items(value) {
        Ok(Some(items)) => Ok(items),
        Ok(None) => Err(loyalty_error(&not_json(kind, message.to_owned()))),
        Err(e) => Err(loyalty_error(&not_json(
            kind,
            format!("{message}; reading it threw: {}", error_message(&e)),
        ))),
    }
}

/// The `account` and `at` arguments of a ledger or tier query.
fn account_at(
    account: &JsValue,
    at: &JsValue,
    kind: ErrorKind,
) -> Result<(String, String), JsValue> {
    Ok((
        text_arg(account, "account", kind)?,
        text_arg(at, "at", kind)?,
    ))
}

/// A string argument; anything else is `invalid_type` at its name.
fn text_arg(value: &JsValue, name: &str, kind: ErrorKind) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| {
        loyalty_error(&Failure::from_shape(
            kind,
            ShapeError::InvalidType {
                path: name.to_owned(),
                message: format!("expected a string, got {}", type_name(value)),
            },
        ))
    })
}

/// The `days` argument: a whole number from 0 to `u32::MAX`; another number
/// is `invalid_value`, anything else `invalid_type` (kind `"ledger"`).
fn days_arg(days: &JsValue) -> Result<u32, JsValue> {
    let refuse = |error| loyalty_error(&Failure::from_shape(ErrorKind::Ledger, error));
    let Some(n) = days.as_f64() else {
        return Err(refuse(ShapeError::InvalidType {
            path: "days".to_owned(),
            message: format!("expected a whole number of days, got {}", type_name(days)),
        }));
    };
    // `as` saturates (NaN gives 0), so the round trip holds only for whole
    // numbers in range.
    let whole = n as u32;
    if f64::from(whole) == n {
        Ok(whole)
    } else {
        Err(refuse(ShapeError::InvalidValue {
            path: "days".to_owned(),
            message: format!(
                "expected a whole number of days from 0 to {}, got {n}",
                u32::MAX
            ),
        }))
    }
}

/// A core answer (already JSON) as a plain JS value, or its failure as a
/// thrown `LoyaltyError`.
fn answer(result: Result<Value, Failure>) -> Result<JsValue, JsValue> {
    match result {
        Ok(v) => to_js(&v),
        Err(f) => Err(loyalty_error(&f)),
    }
}

/// Every stable error code, by kind (`{program: [...], request: [...],
/// ledger: [...], tiers: [...], referrals: [...]}`).
#[wasm_bindgen(js_name = errorCodes, unchecked_return_type = "ErrorCodes")]
pub fn error_codes() -> Result<JsValue, JsValue> {
    to_js(&ffi::error_codes())
}

/// Every stable warning code `Program.check()` can give.
#[wasm_bindgen(js_name = warningCodes, unchecked_return_type = "string[]")]
pub fn warning_codes() -> Result<JsValue, JsValue> {
    to_js(&ffi::warning_codes())
}

/// Every stable code a coupon can be refused with (`reasons[].code` of
/// `applyCoupons` and `checkCode`).
#[wasm_bindgen(js_name = rejectionCodes, unchecked_return_type = "string[]")]
pub fn rejection_codes() -> Result<JsValue, JsValue> {
    to_js(&ffi::rejection_codes())
}

/// Every stable code a referral can be refused, stopped or not paid with
/// (`rejected[].code` of a posting, `reasons[].code` of a referral, `reason.code`
/// of `checkReferralCode`).
#[wasm_bindgen(
    js_name = referralReasonCodes,
    unchecked_return_type = "ReferralReasonCode[]"
)]
pub fn referral_reason_codes() -> Result<JsValue, JsValue> {
    to_js(&ffi::referral_reason_codes())
}

/// The default customer segments of `Program.customerStats`
/// (`rfm.segment` of a program without `[[insights.segments]]`), in the
/// order they are tried: the first that fits names the customer. A
/// program's own segments replace them; `Stats.segments` lists the
/// program's, in order, with their sizes.
#[wasm_bindgen(js_name = segmentNames, unchecked_return_type = "SegmentName[]")]
pub fn segment_names() -> Result<JsValue, JsValue> {
    to_js(&ffi::segment_names())
}

/// The JSON Schema of the program format.
#[wasm_bindgen(js_name = programSchema, unchecked_return_type = "Record<string, unknown>")]
pub fn program_schema() -> Result<JsValue, JsValue> {
    to_js(&ffi::program_schema())
}

/// The JS `Error` thrown for a failure: `name` `"LoyaltyError"`, the core's
/// message, and `kind`, `code`, `path` (of the first error) and `errors`
/// (`[{code, path, message}]`).
pub fn loyalty_error(failure: &Failure) -> JsValue {
    let error = js_sys::Error::new(&failure.to_string());
    error.set_name("LoyaltyError");
    let first = failure.first();
    let errors = to_js(&failure.errors).unwrap_or_else(|e| e);
    for (key, value) in [
        ("kind", JsValue::from_str(failure.kind.name())),
        ("code", JsValue::from_str(first.map_or("", |e| e.code))),
        (
            "path",
            JsValue::from_str(first.map_or("", |e| e.path.as_str())),
        ),
        ("errors", errors),
    ] {
        // Setting a property on a fresh, unfrozen Error cannot fail.
        let _ = js_sys::Reflect::set(&error, &JsValue::from_str(key), &value);
    }
    error.into()
}

// Everything that runs user JavaScript (getters, `toJSON`, proxy traps) runs
// here, in a module snippet (not `new Function`, so pages with a strict
// Content-Security-Policy can load it), and no exception gets out except a
// plain string message: an exception unwinding through Rust frames would skip
// their destructors and leave the object it was called on borrowed for good.
//
// `to_json_text` is `JSON.stringify` with a replacer that refuses what JSON
// cannot carry instead of silently dropping it. `array_items` copies an
// array's items (`undefined` for anything else). `book_fields` reads the books
// of a `Program.report` and `lend_book` has one lend itself (see `Lent`).
#[wasm_bindgen(inline_js = r#"
function message(e) {
  try {
    return e instanceof Error ? String(e.message) : String(e);
  } catch {
    return "the value has no JSON form";
  }
}
export function to_json_text(value) {
  try {
    return JSON.stringify(value, (key, v) => {
      const t = typeof v;
      if (t === "function" || t === "symbol" || t === "bigint") {
        throw new TypeError(`${key ? "`" + key + "` is a " : "a "}${t}, which JSON cannot carry`);
      }
      if (t === "number" && !Number.isFinite(v)) {
        throw new TypeError(`${key ? "`" + key + "` is " : ""}${v}, which JSON cannot carry`);
      }
      return v;
    });
  } catch (e) {
    throw message(e);
  }
}
export function array_items(value) {
  try {
    return Array.isArray(value) ? Array.from(value) : undefined;
  } catch (e) {
    throw message(e);
  }
}
export function book_fields(books) {
  try {
    if (typeof books !== "object" || books === null || Array.isArray(books)) {
      throw `expected an object {ledger?, tiers?, referrals?}, got ${type_name(books)}`;
    }
    const proto = Object.getPrototypeOf(books);
    if (proto !== Object.prototype && proto !== null) {
      throw `expected a plain object {ledger?, tiers?, referrals?}, got ${describe(books)}`;
    }
    const unknown = Object.keys(books).find(
      (k) => k !== "ledger" && k !== "tiers" && k !== "referrals" && books[k] !== undefined,
    );
    return [books.ledger, books.tiers, books.referrals, unknown];
  } catch (e) {
    throw message(e);
  }
}
function describe(value) {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return type_name(value);
  const name = Object.getPrototypeOf(value)?.constructor?.name;
  return typeof name === "string" && name !== "" && name !== "Object" ? `a ${name}` : "an object";
}
export function lend_book(book) {
  try {
    const lend = book.__loyaltyLend;
    if (typeof lend !== "function") return describe(book);
    lend.call(book);
    return undefined;
  } catch (e) {
    throw message(e);
  }
}
export function type_name(value) {
  if (value === null) return "null";
  try {
    return Array.isArray(value) ? "array" : typeof value;
  } catch {
    return "a revoked proxy";
  }
}
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    fn to_json_text(value: &JsValue) -> Result<Option<String>, JsValue>;
    #[wasm_bindgen(catch)]
    fn array_items(value: &JsValue) -> Result<Option<js_sys::Array>, JsValue>;
    /// `[ledger, tiers, referrals, unknown key]` of a plain `books` object;
    /// throws a message for anything else.
    #[wasm_bindgen(catch)]
    fn book_fields(books: &JsValue) -> Result<js_sys::Array, JsValue>;
    /// Calls `book.__loyaltyLend()`; when `book` has no such method, says
    /// what it is instead (`"a Program"`, `"number"`, ...).
    #[wasm_bindgen(catch)]
    fn lend_book(book: &JsValue) -> Result<Option<String>, JsValue>;
    /// `typeof value`, with `null` and arrays told apart, for messages.
    fn type_name(value: &JsValue) -> String;
}

/// The message a snippet threw.
fn error_message(e: &JsValue) -> String {
    e.as_string()
        .unwrap_or_else(|| "the value has no JSON form".to_owned())
}

/// A JS value as JSON, crossing the boundary once as text (walking objects
/// field by field across it cost more than quoting). Whole numbers arrive as
/// JSON integers and fractional ones as floats, which the core refuses with
/// `float_not_allowed`; `Date`s arrive as ISO strings; `undefined` fields are
/// absent. Functions, symbols, BigInts and non-finite numbers are `invalid_type`.
fn from_js(value: &JsValue, kind: ErrorKind) -> Result<Value, JsValue> {
    let text = match to_json_text(value) {
        Ok(Some(text)) => text,
        Ok(None) => {
            return Err(loyalty_error(&not_json(
                kind,
                "`undefined` has no JSON form".to_owned(),
            )));
        }
        Err(e) => return Err(loyalty_error(&not_json(kind, error_message(&e)))),
    };
    serde_json::from_str(&text).map_err(|e| loyalty_error(&not_json(kind, e.to_string())))
}

/// A value with no JSON form (a function, a symbol, a huge BigInt): the
/// core's `invalid_type` for the whole input.
fn not_json(kind: ErrorKind, message: String) -> Failure {
    Failure::from_shape(
        kind,
        ShapeError::InvalidType {
            path: String::new(),
            message,
        },
    )
}

/// A Rust value as a plain JS value (maps as objects, `None` as `null`),
/// through one `JSON.parse`: exact, since the core wrote the JSON, and far
/// cheaper than building the object field by field across the boundary.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(|e| JsValue::from_str(&e.to_string()))?;
    js_sys::JSON::parse(&text)
}
