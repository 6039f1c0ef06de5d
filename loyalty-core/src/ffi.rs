//! The one door the Python and WASM bindings use: load a program, quote a
//! request, report errors as data. Bindings convert types and nothing more.
//!
//! Everything here is JSON-shaped (`serde_json::Value` in, serializable
//! answers out) so both bindings share one contract, which the conformance
//! vectors under `tests/vectors` pin down byte for byte.

use serde::Serialize;
use serde_json::Value;

use crate::accrual::{Quote, QuoteRequest, RequestErrors};
use crate::coupons::{CouponRequest, GenerateRequest};
use crate::error::{Coded, ShapeError};
use crate::ledger::{EarnEvent, Ledger, LedgerError, LedgerEvent, PaymentRequest, PostStatus};
use crate::program::{Program, ProgramErrors, ProgramFormat};
use crate::referrals::{ReferralBook, ReferralError, ReferralEvent};
use crate::tiers::{TierBook, TierError, TierEvent, TierPostStatus};

/// Which area an error comes from; the bindings map it to an exception class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The program file is invalid.
    Program,
    /// The quote request is invalid.
    Request,
    /// The ledger refused an event or a query.
    Ledger,
    /// The tier book refused an event or a query.
    Tiers,
    /// The referral book refused an event or a query.
    Referrals,
}

impl ErrorKind {
    /// `program`, `request`, `ledger`, `tiers` or `referrals`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Referrals => "referrals",
            Self::Program => "program",
            Self::Request => "request",
            Self::Ledger => "ledger",
            Self::Tiers => "tiers",
        }
    }
}

/// One error as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ErrorInfo {
    /// Stable snake_case code.
    pub code: &'static str,
    /// Path of the offending value (empty for the whole input).
    pub path: String,
    /// Human-readable message; may change between versions, the code does not.
    pub message: String,
}

impl ErrorInfo {
    fn of(e: &impl Coded) -> Self {
        Self {
            code: e.code(),
            path: e.path().to_owned(),
            message: e.to_string(),
        }
    }
}

/// The errors of one failed call, all of one kind (never empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Failure {
    /// Program, request, ledger, tiers or referrals.
    pub kind: ErrorKind,
    /// Every error found, in input order.
    pub errors: Vec<ErrorInfo>,
}

impl Failure {
    /// The first error (what an exception's `code`, `path` and message show).
    pub fn first(&self) -> Option<&ErrorInfo> {
        self.errors.first()
    }

    /// The failure as a value: `{"kind": ..., "errors": [{code, path, message}]}`.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.errors.as_slice() {
            [] => write!(f, "invalid {}", self.kind.name()),
            [one] => f.write_str(&one.message),
            [first, rest @ ..] => write!(f, "{} (and {} more)", first.message, rest.len()),
        }
    }
}

impl std::error::Error for Failure {}

impl Failure {
    /// A failure found by a binding while converting a host value to JSON
    /// (a type JSON cannot carry, a NaN, a value nested too deep), worded and
    /// coded like the core's own shape errors.
    pub fn from_shape(kind: ErrorKind, error: ShapeError) -> Self {
        Self {
            kind,
            errors: vec![ErrorInfo::of(&error)],
        }
    }
}

impl From<ProgramErrors> for Failure {
    fn from(e: ProgramErrors) -> Self {
        Self {
            kind: ErrorKind::Program,
            errors: e.errors().iter().map(ErrorInfo::of).collect(),
        }
    }
}

impl From<RequestErrors> for Failure {
    fn from(e: RequestErrors) -> Self {
        Self {
            kind: ErrorKind::Request,
            errors: e.errors().iter().map(ErrorInfo::of).collect(),
        }
    }
}

impl From<LedgerError> for Failure {
    fn from(e: LedgerError) -> Self {
        Self {
            kind: ErrorKind::Ledger,
            errors: vec![ErrorInfo::of(&e)],
        }
    }
}

impl From<ReferralError> for Failure {
    fn from(e: ReferralError) -> Self {
        Self {
            kind: ErrorKind::Referrals,
            errors: vec![ErrorInfo::of(&e)],
        }
    }
}

impl From<TierError> for Failure {
    fn from(e: TierError) -> Self {
        Self {
            kind: ErrorKind::Tiers,
            errors: vec![ErrorInfo::of(&e)],
        }
    }
}

/// Where a program comes from.
#[derive(Debug, Clone)]
pub enum ProgramSource<'a> {
    /// JSON text.
    Json(&'a str),
    /// TOML text.
    Toml(&'a str),
    /// Text in a format told by the caller (e.g. from a file's extension).
    Text(&'a str, ProgramFormat),
    /// An already parsed value (a Python dict, a JS object).
    Value(Value),
}

/// Loads and validates a program.
pub fn load_program(source: ProgramSource<'_>) -> Result<Program, Failure> {
    Ok(match source {
        ProgramSource::Json(t) => Program::from_text(t, ProgramFormat::Json)?,
        ProgramSource::Toml(t) => Program::from_text(t, ProgramFormat::Toml)?,
        ProgramSource::Text(t, format) => Program::from_text(t, format)?,
        ProgramSource::Value(v) => Program::from_value(v)?,
    })
}

/// Quotes a request given as a JSON value.
pub fn quote(program: &Program, request: Value) -> Result<Quote, Failure> {
    let request = QuoteRequest::from_value(request)?;
    Ok(program.quote(&request)?)
}

/// Quotes many requests; each gets its own answer or failure.
pub fn quote_many(program: &Program, requests: Vec<Value>) -> Vec<Result<Quote, Failure>> {
    requests.into_iter().map(|r| quote(program, r)).collect()
}

/// A quote as a JSON value (decimals as strings).
pub fn quote_to_value(quote: &Quote) -> Value {
    serde_json::to_value(quote).unwrap_or(Value::Null)
}

/// A quote as canonical JSON text.
pub fn quote_to_canonical(quote: &Quote) -> String {
    crate::canonical::to_string(&quote_to_value(quote))
}

/// Every stable error code, by kind, for the bindings' drift tests.
pub fn error_codes() -> Value {
    serde_json::json!({
        "program": crate::program::PROGRAM_ERROR_CODES,
        "request": crate::accrual::REQUEST_ERROR_CODES,
        "ledger": crate::ledger::LEDGER_ERROR_CODES,
        "tiers": crate::tiers::tier_error_codes(),
        "referrals": crate::referrals::referral_error_codes(),
    })
}

fn to_value(v: &impl Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// The outcome of posting one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Posting {
    /// The event's id.
    pub event: String,
    /// `applied` or `duplicate`.
    pub status: PostStatus,
}

/// Posts one event given as a JSON value: `{"event": id, "status": ...}`.
pub fn ledger_post(program: &Program, ledger: &mut Ledger, event: Value) -> Result<Value, Failure> {
    let event = LedgerEvent::from_value(event)?;
    let status = ledger.post(program, &event)?;
    Ok(to_value(&Posting {
        event: event.id().to_owned(),
        status,
    }))
}

/// Posts events in order; each gets its own outcome or failure, and a
/// refused event does not stop the ones after it.
pub fn ledger_post_many(
    program: &Program,
    ledger: &mut Ledger,
    events: Vec<Value>,
) -> Vec<Result<Value, Failure>> {
    events
        .into_iter()
        .map(|e| ledger_post(program, ledger, e))
        .collect()
}

/// Balance of an account as of an instant.
pub fn ledger_balance(
    program: &Program,
    ledger: &Ledger,
    account: &str,
    at: &str,
) -> Result<Value, Failure> {
    Ok(to_value(&ledger.balance(program, account, at)?))
}

/// Lots with points left as of an instant.
pub fn ledger_lots(
    program: &Program,
    ledger: &Ledger,
    account: &str,
    at: &str,
) -> Result<Value, Failure> {
    Ok(to_value(&ledger.lots(program, account, at)?))
}

/// Points expiring within `days` days of an instant.
pub fn ledger_expiring(
    program: &Program,
    ledger: &Ledger,
    account: &str,
    at: &str,
    days: u32,
) -> Result<Value, Failure> {
    Ok(to_value(&ledger.expiring(program, account, at, days)?))
}

/// Statement of an account up to an instant.
pub fn ledger_statement(
    program: &Program,
    ledger: &Ledger,
    account: &str,
    at: &str,
) -> Result<Value, Failure> {
    Ok(to_value(&ledger.statement(program, account, at)?))
}

/// Paying with points: a [`PaymentRequest`] as a JSON value.
pub fn ledger_pay(program: &Program, ledger: &Ledger, request: Value) -> Result<Value, Failure> {
    let request: PaymentRequest = crate::error::from_value(request).map_err(LedgerError::Shape)?;
    Ok(to_value(&ledger.pay_with_points(program, &request)?))
}

/// The earn event for a quote request (quoted with `program`), for `account`
/// with event id `id`; JSON `null` when the quote earns nothing.
pub fn earn_event(
    program: &Program,
    request: Value,
    account: &str,
    id: &str,
) -> Result<Value, Failure> {
    let request = QuoteRequest::from_value(request)?;
    let quote = program.quote(&request)?;
    Ok(EarnEvent::from_quote(&request, &quote, account, id)?
        .map_or(Value::Null, |e| to_value(&LedgerEvent::Earn(e))))
}

/// The outcome of posting one event to the tier book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct TierPosting {
    /// The event's id.
    pub event: String,
    /// `applied`, `duplicate`, or `ignored` (a ledger event that does not count towards tiers).
    pub status: TierPostStatus,
}

/// A new, empty tier book for `program`; refused when the program has no tiers.
pub fn tiers_new(program: &Program) -> Result<TierBook, Failure> {
    let book = TierBook::new();
    book.check_program(program)?;
    Ok(book)
}

/// Posts one tier event, or ledger event, given as a JSON value:
/// `{"event": id, "status": ...}`.
pub fn tiers_post(program: &Program, book: &mut TierBook, event: Value) -> Result<Value, Failure> {
    let id = event
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let status = match TierEvent::from_any_value(event)? {
        Some(e) => book.post(program, &e)?,
        None => {
            book.check_program(program)?;
            TierPostStatus::Ignored
        }
    };
    Ok(to_value(&TierPosting { event: id, status }))
}

/// Posts tier (or ledger) events in order; each gets its own outcome or
/// failure, and a refused event does not stop the ones after it.
pub fn tiers_post_many(
    program: &Program,
    book: &mut TierBook,
    events: Vec<Value>,
) -> Vec<Result<Value, Failure>> {
    events
        .into_iter()
        .map(|e| tiers_post(program, book, e))
        .collect()
}

/// A member's tier status, with progress, as of an instant.
pub fn tiers_status(
    program: &Program,
    book: &TierBook,
    account: &str,
    at: &str,
) -> Result<Value, Failure> {
    Ok(to_value(&book.status(program, account, at)?))
}

/// A member's tier transitions up to an instant.
pub fn tiers_history(
    program: &Program,
    book: &TierBook,
    account: &str,
    at: &str,
) -> Result<Value, Failure> {
    Ok(to_value(&book.history(program, account, at)?))
}

/// The tier an order (a tier `order` event, or a ledger `earn` event for an
/// order, not yet posted) earns at.
pub fn tiers_order_tier(
    program: &Program,
    book: &TierBook,
    event: Value,
) -> Result<Value, Failure> {
    let order = match TierEvent::from_any_value(event)? {
        Some(TierEvent::Order(o)) => o,
        _ => {
            return Err(TierError::from(ShapeError::InvalidType {
                path: "type".to_owned(),
                message: "expected an `order` event, or an `earn` event with an `order`".to_owned(),
            })
            .into());
        }
    };
    Ok(to_value(&book.order_tier(program, &order)?))
}

/// Validates and applies the coupons of a [`CouponRequest`] given as a JSON
/// value: a [`crate::coupons::CouponResult`] (rejected coupons are part of
/// the answer, not errors).
pub fn coupons_apply(program: &Program, request: Value) -> Result<Value, Failure> {
    let request = CouponRequest::from_value(request)?;
    Ok(to_value(&program.apply_coupons(&request)?))
}

/// What a typed code is before the host looks it up (public, well-formed
/// generated, or why not): a [`crate::coupons::CodeCheck`].
pub fn coupons_check_code(program: &Program, code: &str) -> Value {
    to_value(&program.check_code(code))
}

/// Generates codes for a campaign: a [`GenerateRequest`] as a JSON value,
/// answered with [`crate::coupons::GeneratedCodes`].
pub fn coupons_generate(program: &Program, request: Value) -> Result<Value, Failure> {
    let request: GenerateRequest = crate::error::from_value(request)
        .map_err(|e| RequestErrors::from(crate::accrual::RequestError::Shape(e)))?;
    Ok(to_value(&program.generate_codes(&request)?))
}

/// Every code a coupon can be rejected with, for the bindings' drift tests.
pub fn rejection_codes() -> Value {
    serde_json::json!(crate::coupons::REJECTION_CODES)
}

/// Every warning code `program_check` can give, for the bindings' drift tests.
pub fn warning_codes() -> Value {
    serde_json::json!(crate::program::PROGRAM_WARNING_CODES)
}

/// The program's warnings: settings that are valid but probably not meant
/// (an unreachable tier, retention above entry, a rule naming no tier).
pub fn program_check(program: &Program) -> Value {
    to_value(&program.check())
}

/// JSON Schemas of everything that crosses the boundary, by type name:
/// `ProgramFile`, `QuoteRequest`, `Quote`, `Failure`, the ledger's and
/// the tier book's events, requests and answers, program warnings, and the
/// coupons' requests and answers. The WASM build turns
/// them into TypeScript types, so those cannot drift from the Rust types.
pub fn json_schemas() -> Value {
    serde_json::json!({
        "ProgramFile": crate::program::json_schema(),
        "QuoteRequest": schemars::schema_for!(QuoteRequest),
        "Quote": schemars::schema_for!(Quote),
        "Failure": schemars::schema_for!(Failure),
        "LedgerEvent": schemars::schema_for!(LedgerEvent),
        "Posting": schemars::schema_for!(Posting),
        "Balance": schemars::schema_for!(crate::ledger::Balance),
        "LotView": schemars::schema_for!(crate::ledger::LotView),
        "Expiring": schemars::schema_for!(crate::ledger::Expiring),
        "Statement": schemars::schema_for!(crate::ledger::Statement),
        "PaymentRequest": schemars::schema_for!(PaymentRequest),
        "Payment": schemars::schema_for!(crate::ledger::Payment),
        "TierEvent": schemars::schema_for!(TierEvent),
        "TierPosting": schemars::schema_for!(TierPosting),
        "TierStatus": schemars::schema_for!(crate::tiers::TierStatus),
        "TierHistory": schemars::schema_for!(crate::tiers::TierHistory),
        "OrderTier": schemars::schema_for!(crate::tiers::OrderTier),
        "ProgramWarning": schemars::schema_for!(crate::program::ProgramWarning),
        "CouponRequest": schemars::schema_for!(CouponRequest),
        "CouponResult": schemars::schema_for!(crate::coupons::CouponResult),
        "CodeCheck": schemars::schema_for!(crate::coupons::CodeCheck),
        "GenerateRequest": schemars::schema_for!(GenerateRequest),
        "GeneratedCodes": schemars::schema_for!(crate::coupons::GeneratedCodes),
        "Profile": schemars::schema_for!(crate::identity::Profile),
        "DedupeRequest": schemars::schema_for!(crate::identity::DedupeRequest),
        "Dedupe": schemars::schema_for!(crate::identity::Dedupe),
        "NormalizedProfile": schemars::schema_for!(crate::identity::NormalizedProfile),
        "MatchDecision": schemars::schema_for!(crate::identity::MatchDecision),
        "ProfileComparison": schemars::schema_for!(crate::identity::ProfileComparison),
        "MergeRecord": schemars::schema_for!(crate::identity::MergeRecord),
        "ReferralEvent": schemars::schema_for!(ReferralEvent),
        "ReferralPosting": schemars::schema_for!(crate::referrals::ReferralPosting),
        "Referral": schemars::schema_for!(crate::referrals::Referral),
        "ReferralCodeCheck": schemars::schema_for!(crate::referrals::ReferralCodeCheck),
        "Settlement": schemars::schema_for!(crate::referrals::Settlement),
        "StatsRequest": schemars::schema_for!(crate::insights::StatsRequest),
        "Stats": schemars::schema_for!(crate::insights::Stats),
        "TriggerRequest": schemars::schema_for!(crate::insights::TriggerRequest),
        "ReportRequest": schemars::schema_for!(crate::insights::ReportRequest),
        "Report": schemars::schema_for!(crate::insights::Report),
        "Triggers": schemars::schema_for!(crate::insights::Triggers),
    })
}

/// The JSON Schema of the program format.
///
/// This is the committed `program.schema.json` (a test keeps it equal to the
/// schema generated from the types), so the schema generator is not linked
/// into the bindings: it would add ~40 KB to the browser bundle.
pub fn program_schema() -> Value {
    serde_json::from_str(include_str!("../program.schema.json")).unwrap_or(Value::Null)
}

fn read_request<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, Failure> {
    crate::error::from_value(value)
        .map_err(|e| Failure::from(RequestErrors::from(crate::accrual::RequestError::Shape(e))))
}

fn request_failure(e: crate::accrual::RequestError) -> Failure {
    Failure::from(RequestErrors::from(e))
}

/// Finds which profiles are the same customer: a
/// [`crate::identity::DedupeRequest`] as a JSON value, answered with a
/// [`crate::identity::Dedupe`].
pub fn merge_dedupe(program: &Program, request: Value) -> Result<Value, Failure> {
    let r: crate::identity::DedupeRequest = read_request(request)?;
    let options = crate::identity::DedupeOptions {
        explain: r.explain,
        all_clusters: r.all_clusters,
    };
    Ok(to_value(
        &program
            .dedupe(&r.profiles, options)
            .map_err(request_failure)?,
    ))
}

/// A profile as matching sees it: a [`crate::identity::NormalizedProfile`].
pub fn merge_normalize_profile(program: &Program, profile: Value) -> Result<Value, Failure> {
    let p: crate::identity::Profile = read_request(profile)?;
    Ok(to_value(&program.normalize_profile(&p)))
}

/// One value normalized under the program's merge policy: `kind` is
/// `phone`, `email`, `name` or `date`. Answers `{"value": ...}` or
/// `{"rejected": code}`.
pub fn merge_normalize(program: &Program, kind: &str, text: &str) -> Result<Value, Failure> {
    let Some(kind) = crate::identity::ValueKind::parse(kind) else {
        return Err(request_failure(crate::accrual::RequestError::Shape(
            ShapeError::UnknownVariant {
                path: "kind".to_owned(),
                message: format!(
                    "unknown variant `{kind}`, expected one of `phone`, `email`, `name`, `date`"
                ),
            },
        )));
    };
    Ok(match program.normalize_value(kind, text) {
        Ok(v) => serde_json::json!({ "value": v }),
        Err(why) => serde_json::json!({ "rejected": why.code() }),
    })
}

/// Two profiles compared: `{"a": profile, "b": profile}` in, `{"score",
/// "linked", "evidence"}` out.
pub fn merge_compare(program: &Program, request: Value) -> Result<Value, Failure> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Pair {
        a: crate::identity::Profile,
        b: crate::identity::Profile,
    }
    let pair: Pair = read_request(request)?;
    Ok(to_value(&program.compare_profiles(&pair.a, &pair.b)))
}

/// Adds one profile to an incremental index: a [`crate::identity::MatchDecision`].
pub fn merge_index_add(
    index: &mut crate::identity::MatchIndex,
    profile: Value,
) -> Result<Value, Failure> {
    let p: crate::identity::Profile = read_request(profile)?;
    Ok(to_value(&index.add(p).map_err(request_failure)?))
}

/// A new, empty referral book for `program`; refused when the program has no `[referrals]`.
pub fn referrals_new(program: &Program) -> Result<ReferralBook, Failure> {
    Ok(ReferralBook::new(program)?)
}

/// Posts one referral event given as a JSON value: a
/// [`crate::referrals::ReferralPosting`].
pub fn referrals_post(
    program: &Program,
    book: &mut ReferralBook,
    event: Value,
) -> Result<Value, Failure> {
    let event = ReferralEvent::from_value(event)?;
    Ok(to_value(&book.post(program, &event)?))
}

/// Posts referral events in order; each gets its own outcome or failure.
pub fn referrals_post_many(
    program: &Program,
    book: &mut ReferralBook,
    events: Vec<Value>,
) -> Vec<Result<Value, Failure>> {
    events
        .into_iter()
        .map(|e| referrals_post(program, book, e))
        .collect()
}

/// Pays the referrals whose return window closed by `at`.
pub fn referrals_settle(
    program: &Program,
    book: &mut ReferralBook,
    at: &str,
) -> Result<Value, Failure> {
    Ok(to_value(&book.settle(program, at)?))
}

/// A referee's referral, or null.
pub fn referrals_referral(book: &ReferralBook, referee: &str) -> Value {
    book.referral(referee).map_or(Value::Null, to_value)
}

/// Every referral, by referee.
pub fn referrals_list(book: &ReferralBook) -> Value {
    to_value(&book.referrals().collect::<Vec<_>>())
}

/// The member a typed code belongs to, or null.
pub fn referrals_resolve(program: &Program, book: &ReferralBook, code: &str) -> Value {
    book.resolve(program, code)
        .map_or(Value::Null, |m| Value::String(m.to_owned()))
}

/// Whether typed text is a well-formed referral code (before any lookup):
/// a [`crate::referrals::ReferralCodeCheck`].
pub fn referrals_check_code(program: &Program, code: &str) -> Result<Value, Failure> {
    Ok(to_value(&crate::referrals::check_code(program, code)?))
}

/// Every reason code a referral can be refused, stopped or capped with.
pub fn referral_reason_codes() -> Value {
    serde_json::json!(crate::referrals::REFERRAL_REASON_CODES)
}

/// Per-customer statistics, RFM scores and segments: a
/// [`crate::insights::StatsRequest`] as a JSON value, answered with
/// [`crate::insights::Stats`].
pub fn insights_customer_stats(program: &Program, request: Value) -> Result<Value, Failure> {
    let request: crate::insights::StatsRequest = crate::error::from_value(request)
        .map_err(|e| RequestErrors::from(crate::accrual::RequestError::Shape(e)))?;
    Ok(to_value(&program.customer_stats(&request)?))
}

/// Lifecycle triggers due on a day: a [`crate::insights::TriggerRequest`]
/// as a JSON value, answered with [`crate::insights::Triggers`].
pub fn insights_triggers(program: &Program, request: Value) -> Result<Value, Failure> {
    let request: crate::insights::TriggerRequest = crate::error::from_value(request)
        .map_err(|e| RequestErrors::from(crate::accrual::RequestError::Shape(e)))?;
    Ok(to_value(&program.triggers(&request)?))
}

/// A program report: a [`crate::insights::ReportRequest`] as a JSON value,
/// with whichever books the caller has, answered with
/// [`crate::insights::Report`].
pub fn insights_report(
    program: &Program,
    request: Value,
    books: &crate::insights::ReportBooks<'_>,
) -> Result<Value, Failure> {
    let request: crate::insights::ReportRequest = crate::error::from_value(request)
        .map_err(|e| RequestErrors::from(crate::accrual::RequestError::Shape(e)))?;
    Ok(to_value(&program.report(&request, books)?))
}

/// The default segment names, in the order they are tried (a program's
/// own `[[insights.segments]]` replace them; `Stats.segments` lists the
/// program's).
pub fn segment_names() -> Value {
    serde_json::json!(crate::insights::SEGMENT_NAMES)
}
