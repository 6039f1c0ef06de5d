//! The binding's Rust side under wasm-bindgen-test (Node by default, headless
//! Chromium with `WASM_BINDGEN_USE_BROWSER=1`): values built by JavaScript go
//! in, plain JS objects and `LoyaltyError`s come out.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use js_sys::{Array, JSON, Reflect};
use loyalty_wasm::{
    Ledger, Program, ReferralBook, Tiers, error_codes, referral_reason_codes, rejection_codes,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const PROGRAM: &str = r#"{"schema_version": 1, "id": "riyadh-coffee", "currency": "SAR",
  "time_zone": "Asia/Riyadh", "earn_rules": [{"id": "base", "rate": {"per": "10", "points": "1"}}]}"#;

fn js(text: &str) -> JsValue {
    JSON::parse(text).unwrap()
}

fn request(unit_price: &str) -> JsValue {
    js(&format!(
        r#"{{"order": {{"id": "o-1", "placed_at": "2026-03-01T09:15:00+03:00",
        "lines": [{{"sku": "latte", "quantity": "2", "unit_price": {unit_price}}}]}}}}"#
    ))
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

fn text(value: &JsValue, key: &str) -> String {
    get(value, key).as_string().unwrap_or_default()
}

#[wasm_bindgen_test]
fn object_and_text_load_the_same_program() {
    let from_object = Program::new(js(PROGRAM)).unwrap();
    let from_text = Program::new(JsValue::from_str(PROGRAM)).unwrap();
    assert_eq!(from_object.id(), "riyadh-coffee");
    assert_eq!(from_text.time_zone(), "Asia/Riyadh");
    assert_eq!(from_object.currency(), from_text.currency());
    assert_eq!(from_object.calendar(), "gregorian");
}

#[wasm_bindgen_test]
fn quote_is_a_plain_object_with_decimal_strings() {
    let program = Program::new(js(PROGRAM)).unwrap();
    let quote = program.quote(request("\"14.50\"")).unwrap();
    assert_eq!(text(&quote, "total"), "2");
    assert_eq!(text(&quote, "eligible_spend"), "29.00");
    assert!(get(&quote, "counters").is_object());
    // Whole numbers are JSON integers: accepted, same answer as the string.
    let whole = program.quote(request("15")).unwrap();
    let string = program.quote(request("\"15\"")).unwrap();
    assert_eq!(
        JSON::stringify(&whole).unwrap(),
        JSON::stringify(&string).unwrap()
    );
}

#[wasm_bindgen_test]
fn fractional_numbers_are_refused_as_floats() {
    let program = Program::new(js(PROGRAM)).unwrap();
    let error = program.quote(request("14.5")).err().unwrap();
    assert!(error.is_instance_of::<js_sys::Error>());
    assert_eq!(text(&error, "name"), "LoyaltyError");
    assert_eq!(text(&error, "kind"), "request");
    assert_eq!(text(&error, "code"), "float_not_allowed");
    assert_eq!(text(&error, "path"), "order.lines[0].unit_price");
    let errors: Array = get(&error, "errors").dyn_into().unwrap();
    assert_eq!(errors.length(), 1);
    assert_eq!(text(&errors.get(0), "code"), "float_not_allowed");
    assert_eq!(text(&error, "message"), text(&errors.get(0), "message"));
}

#[wasm_bindgen_test]
fn program_errors_carry_every_error() {
    let bad = PROGRAM
        .replace("\"SAR\"", "\"XYZ\"")
        .replace("Asia/Riyadh", "Mars/Olympus");
    let error = Program::new(js(&bad)).err().unwrap();
    assert_eq!(text(&error, "kind"), "program");
    let errors: Array = get(&error, "errors").dyn_into().unwrap();
    let codes: Vec<String> = errors.iter().map(|e| text(&e, "code")).collect();
    assert_eq!(codes, ["invalid_currency", "invalid_time_zone"]);
    let toml = Program::from_toml("id = ").err().unwrap();
    assert_eq!(text(&toml, "code"), "syntax_error");
}

#[wasm_bindgen_test]
fn quote_many_returns_errors_in_place() {
    let program = Program::new(js(PROGRAM)).unwrap();
    let requests = Array::of2(&request("\"9\""), &request("1.5"));
    let answers = program.quote_many(requests.into()).unwrap();
    assert_eq!(answers.length(), 2);
    assert_eq!(text(&answers.get(0), "total"), "1");
    assert_eq!(text(&answers.get(1), "code"), "float_not_allowed");
    assert!(program.quote_many(JsValue::from_str("no")).is_err());
}

#[wasm_bindgen_test]
fn error_codes_by_kind() {
    let codes = error_codes().unwrap();
    let program: Array = get(&codes, "program").dyn_into().unwrap();
    assert!(program.includes(&JsValue::from_str("invalid_currency"), 0));
}

const LEDGER_PROGRAM: &str = r#"
schema_version = 1
id = "riyadh-coffee"
currency = "SAR"
time_zone = "Asia/Riyadh"
[[earn_rules]]
id = "base"
rate = { points = "1", per = "1" }
[ledger]
pending_days = 14
expiry = { end_of = "year", periods_after = 1 }
shortfall = "other_lots"
redemption = { points = "100", value = "1", min_points = "100", max_percent = "50" }
"#;

const EARN: &str = r#"{"type": "earn", "id": "e-1", "account": "m-1",
  "at": "2026-03-01T10:00:00+03:00", "points": "120", "order": "o-1", "amount": "240.00"}"#;

const APRIL: &str = "2026-04-01T00:00:00+03:00";

fn s(text: &str) -> JsValue {
    JsValue::from_str(text)
}

#[wasm_bindgen_test]
fn ledger_posts_queries_and_refuses() {
    let program = Program::from_toml(LEDGER_PROGRAM).unwrap();
    let mut ledger = Ledger::new(&program);
    let posting = ledger.post(js(EARN)).unwrap();
    assert_eq!(text(&posting, "event"), "e-1");
    assert_eq!(text(&posting, "status"), "applied");
    assert_eq!(text(&ledger.post(js(EARN)).unwrap(), "status"), "duplicate");

    // Pending for 14 days, then available.
    let early = ledger
        .balance(s("m-1"), s("2026-03-02T00:00:00+03:00"))
        .unwrap();
    assert_eq!(text(&early, "pending"), "120");
    let balance = ledger.balance(s("m-1"), s(APRIL)).unwrap();
    assert_eq!(text(&balance, "available"), "120");

    let lots: Array = ledger.lots(s("m-1"), s(APRIL)).unwrap().dyn_into().unwrap();
    assert_eq!(lots.length(), 1);
    let expiring = ledger
        .expiring(s("m-1"), s(APRIL), JsValue::from(31))
        .unwrap();
    assert_eq!(text(&expiring, "points"), "0");
    let statement = ledger.statement(s("m-1"), s(APRIL)).unwrap();
    assert!(get(&statement, "movements").is_instance_of::<Array>());
    let payment = ledger
        .pay_with_points(js(
            r#"{"id": "p-1", "account": "m-1", "at": "2026-04-01T00:00:00+03:00", "order_total": "50.00"}"#,
        ))
        .unwrap();
    assert_eq!(text(&payment, "points"), "120");
    assert_eq!(text(&payment, "limited_by"), "balance");
    assert_eq!(ledger.accounts(), ["m-1"]);

    // A refusal is a LoyaltyError of kind ledger, and changes nothing.
    let refused = ledger
        .post(js(r#"{"type": "redeem", "id": "r-1", "account": "m-1",
          "at": "2026-04-01T00:00:00+03:00", "points": "500"}"#))
        .err()
        .unwrap();
    assert_eq!(text(&refused, "name"), "LoyaltyError");
    assert_eq!(text(&refused, "kind"), "ledger");
    assert_eq!(text(&refused, "code"), "insufficient_points");
    assert_eq!(text(&refused, "path"), "points");
    let after = ledger.balance(s("m-1"), s(APRIL)).unwrap();
    assert_eq!(
        JSON::stringify(&after).unwrap(),
        JSON::stringify(&balance).unwrap()
    );

    // Arguments are checked at the boundary: errors, not panics.
    for bad in [
        JsValue::from(-1),
        JsValue::from(1.5),
        JsValue::from_f64(f64::NAN),
    ] {
        let e = ledger.expiring(s("m-1"), s(APRIL), bad).err().unwrap();
        assert_eq!(text(&e, "code"), "invalid_value");
        assert_eq!(text(&e, "path"), "days");
    }
    let e = ledger.balance(JsValue::NULL, s(APRIL)).err().unwrap();
    assert_eq!(text(&e, "code"), "invalid_type");
    assert_eq!(text(&e, "path"), "account");
}

#[wasm_bindgen_test]
fn post_many_replay_and_earn_event() {
    let program = Program::from_toml(LEDGER_PROGRAM).unwrap();
    let events = Array::of3(&js(EARN), &js(r#"{"type": "earn"}"#), &js(EARN));
    let mut ledger = Ledger::new(&program);
    let answers = ledger.post_many(events.clone().into()).unwrap();
    assert_eq!(text(&answers.get(0), "status"), "applied");
    assert_eq!(text(&answers.get(1), "code"), "missing_field");
    assert_eq!(text(&answers.get(2), "status"), "duplicate");
    let replayed = Ledger::replay(&program, events.into()).unwrap();
    assert_eq!(
        JSON::stringify(&replayed.statement(s("m-1"), s(APRIL)).unwrap()).unwrap(),
        JSON::stringify(&ledger.statement(s("m-1"), s(APRIL)).unwrap()).unwrap()
    );
    assert!(Ledger::replay(&program, s("no")).is_err());

    let event = program
        .earn_event(request("\"14.50\""), s("m-1"), s("e-2"))
        .unwrap();
    assert_eq!(text(&event, "type"), "earn");
    assert_eq!(text(&event, "points"), "29");
    let nothing = program
        .earn_event(request("\"0\""), s("m-1"), s("e-3"))
        .unwrap();
    assert!(nothing.is_null());

    let codes = error_codes().unwrap();
    let ledger_codes: Array = get(&codes, "ledger").dyn_into().unwrap();
    assert!(ledger_codes.includes(&s("insufficient_points"), 0));
}

const TIER_PROGRAM: &str = r#"
schema_version = 1
id = "riyadh-coffee"
currency = "SAR"
time_zone = "Asia/Riyadh"
[[earn_rules]]
id = "base"
rate = { points = "1", per = "1" }
[tiers]
window = "calendar_year"
[[tiers.levels]]
id = "member"
[[tiers.levels]]
id = "gold"
qualify = { spend = "500" }
benefits = { multiplier = "1.5" }
"#;

const ORDER: &str = r#"{"type": "order", "id": "o-1", "account": "m-1",
  "at": "2026-03-01T10:00:00+03:00", "spend": "600.00"}"#;

#[wasm_bindgen_test]
fn tiers_post_query_and_refuse() {
    let program = Program::from_toml(TIER_PROGRAM).unwrap();
    let mut tiers = Tiers::new(&program).unwrap();
    let posting = tiers.post(js(ORDER)).unwrap();
    assert_eq!(text(&posting, "event"), "o-1");
    assert_eq!(text(&posting, "status"), "applied");
    assert_eq!(text(&tiers.post(js(ORDER)).unwrap(), "status"), "duplicate");
    let adjust = tiers
        .post(js(r#"{"type": "adjust", "id": "a-1", "account": "m-1",
          "at": "2026-03-01T10:00:00+03:00", "points": "5", "reason": "goodwill"}"#))
        .unwrap();
    assert_eq!(text(&adjust, "status"), "ignored");

    let status = tiers.status(s("m-1"), s(APRIL)).unwrap();
    assert_eq!(text(&status, "tier"), "gold");
    assert_eq!(text(&get(&status, "metrics"), "spend"), "600.00");
    assert_eq!(text(&get(&status, "benefits"), "multiplier"), "1.5");
    let history = tiers.history(s("m-1"), s(APRIL)).unwrap();
    let transitions: Array = get(&history, "transitions").dyn_into().unwrap();
    let causes: Vec<String> = transitions.iter().map(|t| text(&t, "cause")).collect();
    assert_eq!(causes, ["joined", "qualified"]);
    let order_tier = tiers
        .order_tier(js(r#"{"type": "order", "id": "o-2", "account": "m-1",
          "at": "2026-03-02T10:00:00+03:00", "spend": "1.00"}"#))
        .unwrap();
    assert_eq!(text(&order_tier, "tier"), "gold");
    assert_eq!(tiers.accounts(), ["m-1"]);
    assert_eq!(Array::from(&program.check().unwrap()).length(), 0);

    // Refusals are LoyaltyErrors of kind tiers, arguments checked at the boundary.
    let conflict = tiers
        .post(js(&ORDER.replace("600.00", "601.00")))
        .err()
        .unwrap();
    assert_eq!(text(&conflict, "name"), "LoyaltyError");
    assert_eq!(text(&conflict, "kind"), "tiers");
    assert_eq!(text(&conflict, "code"), "conflicting_duplicate");
    assert_eq!(text(&conflict, "path"), "id");
    let float = tiers
        .post(js(&ORDER.replace("\"600.00\"", "1.5")))
        .err()
        .unwrap();
    assert_eq!(text(&float, "code"), "float_not_allowed");
    assert_eq!(text(&float, "path"), "spend");
    let e = tiers.history(s("m-1"), JsValue::NULL).err().unwrap();
    assert_eq!(text(&e, "kind"), "tiers");
    assert_eq!(text(&e, "path"), "at");

    // postMany and replay, as the ledger's.
    let events = Array::of3(&js(ORDER), &js(r#"{"type": "order"}"#), &js(ORDER));
    let mut many = Tiers::new(&program).unwrap();
    let answers = many.post_many(events.clone().into()).unwrap();
    assert_eq!(text(&answers.get(0), "status"), "applied");
    assert_eq!(text(&answers.get(1), "code"), "missing_field");
    assert_eq!(text(&answers.get(2), "status"), "duplicate");
    let replayed = Tiers::replay(&program, events.into()).unwrap();
    assert_eq!(
        JSON::stringify(&replayed.history(s("m-1"), s(APRIL)).unwrap()).unwrap(),
        JSON::stringify(&history).unwrap()
    );
    assert!(Tiers::replay(&program, s("no")).is_err());

    // A program without tiers is refused when the book is made.
    let plain = Program::from_toml(LEDGER_PROGRAM).unwrap();
    let e = Tiers::new(&plain).err().unwrap();
    assert_eq!(text(&e, "code"), "tiers_not_configured");
    assert_eq!(text(&e, "path"), "");

    let codes = error_codes().unwrap();
    let tier_codes: Array = get(&codes, "tiers").dyn_into().unwrap();
    assert!(tier_codes.includes(&s("tiers_not_configured"), 0));
}

const COUPON_PROGRAM: &str = r#"{"schema_version": 1, "id": "riyadh-coffee", "currency": "SAR",
  "time_zone": "Asia/Riyadh", "earn_rules": [{"id": "base", "rate": {"per": "10", "points": "1"}}],
  "coupons": [
    {"id": "ramadan", "code": "RAMADAN25", "discount": {"type": "percent", "percent": "25"}},
    {"id": "welcome", "codes": {"kind": "unique"}, "discount": {"type": "amount_off", "amount": "10"}}
  ]}"#;

#[wasm_bindgen_test]
fn coupons_apply_check_and_generate() {
    let program = Program::new(js(COUPON_PROGRAM)).unwrap();
    // 25% of 29.00 is 7.25, on the one line.
    let applied = program
        .apply_coupons(js(
            r#"{"order": {"id": "o-1", "placed_at": "2026-03-01T09:15:00+03:00",
            "lines": [{"sku": "latte", "quantity": "2", "unit_price": "14.50"}]},
            "coupons": [{"code": "ramadan25"}, {"code": "NOPE"}]}"#,
        ))
        .unwrap();
    assert_eq!(text(&applied, "discount"), "7.25");
    assert_eq!(text(&applied, "total"), "21.75");
    let rejected: Array = get(&applied, "rejected").dyn_into().unwrap();
    let reasons: Array = get(&rejected.get(0), "reasons").dyn_into().unwrap();
    assert_eq!(text(&reasons.get(0), "code"), "unknown_code");
    assert!(
        rejection_codes()
            .unwrap()
            .dyn_into::<Array>()
            .unwrap()
            .includes(&s("unknown_code"), 0)
    );

    // Without a seed, codes come from crypto.getRandomValues (Node and the browser).
    let one = program
        .generate_codes(js(r#"{"campaign": "welcome", "count": 3}"#))
        .unwrap();
    let two = program
        .generate_codes(js(r#"{"campaign": "welcome", "count": 3}"#))
        .unwrap();
    let one: Array = get(&one, "codes").dyn_into().unwrap();
    let two: Array = get(&two, "codes").dyn_into().unwrap();
    assert_eq!(one.length(), 3);
    assert_ne!(text(&one.get(0), "code"), text(&two.get(0), "code"));
    let check = program.check_code(get(&one.get(0), "code")).unwrap();
    assert_eq!(get(&check, "ok"), JsValue::TRUE);
    assert_eq!(text(&check, "kind"), "unique");

    // Seeded: the same codes every time.
    let seeded = r#"{"campaign": "welcome", "count": 2, "seed": "42"}"#;
    assert_eq!(
        JSON::stringify(&program.generate_codes(js(seeded)).unwrap()).unwrap(),
        JSON::stringify(&program.generate_codes(js(seeded)).unwrap()).unwrap()
    );

    // Errors are LoyaltyErrors of kind request; checkCode takes strings only.
    let e = program
        .generate_codes(js(r#"{"campaign": "ramadan", "count": 1}"#))
        .err()
        .unwrap();
    assert_eq!(text(&e, "kind"), "request");
    assert_eq!(text(&e, "code"), "not_generated");
    assert_eq!(text(&e, "path"), "campaign");
    let e = program.check_code(JsValue::from(7)).err().unwrap();
    assert_eq!(text(&e, "code"), "invalid_type");
    assert_eq!(text(&e, "path"), "code");
}

const REFERRAL_PROGRAM: &str = r#"
schema_version = 1
id = "tehran-cafe"
currency = "IRR"
time_zone = "Asia/Tehran"
[merge]
region = "IR"
[referrals]
qualify = { min_order = "500000", within_days = 30 }
return_days = 14
referrer = { points = "100" }
referee = { points = "50" }
"#;

#[wasm_bindgen_test]
fn referrals_post_settle_and_refuse() {
    let program = Program::from_toml(REFERRAL_PROGRAM).unwrap();
    let mut book = program.referral_book().unwrap();
    let member = book
        .post(js(r#"{"type": "member", "id": "e1", "member": "sara",
          "at": "2026-03-01T10:00:00+03:30",
          "identity": {"profile": {"id": "sara", "phones": "+98 912 345 6789"}}}"#))
        .unwrap();
    assert_eq!(text(&member, "code"), "REF-XAW9-XWTN");
    let check = program.check_referral_code(s("ref xaw9 xwtn")).unwrap();
    assert_eq!(get(&check, "ok"), JsValue::TRUE);
    assert_eq!(text(&check, "code"), "REF-XAW9-XWTN");

    // The same phone in Persian digits: refused, with the E.164 number.
    let refused = book
        .post(js(r#"{"type": "signup", "id": "e2", "referee": "sara-2",
          "code": "ref xaw9 xwtn", "at": "2026-03-02T10:00:00+03:30",
          "identity": {"profile": {"id": "sara-2", "phones": "۰۹۱۲ ۳۴۵ ۶۷۸۹"}}}"#))
        .unwrap();
    let rejected: Array = get(&refused, "rejected").dyn_into().unwrap();
    assert_eq!(text(&rejected.get(0), "code"), "self_referral");
    let evidence: Array = get(&rejected.get(0), "evidence").dyn_into().unwrap();
    assert_eq!(text(&evidence.get(0), "value"), "+989123456789");
    assert!(book.referral(s("sara-2")).unwrap().is_null());

    // A friend is linked, qualifies, and is paid once when the window closes.
    let events = Array::of3(
        &js(
            r#"{"type": "signup", "id": "e3", "referee": "reza", "code": "REF-XAW9-XWTN",
          "at": "2026-03-02T11:00:00+03:30"}"#,
        ),
        &js(r#"{"type": "order"}"#),
        &js(
            r#"{"type": "order", "id": "e4", "account": "reza", "order": "o-1",
          "amount": "750000", "at": "2026-03-05T12:00:00+03:30"}"#,
        ),
    );
    let answers = book.post_many(events.into()).unwrap();
    assert_eq!(text(&answers.get(0), "status"), "applied");
    assert_eq!(text(&answers.get(1), "kind"), "referrals");
    assert_eq!(text(&answers.get(1), "code"), "missing_field");
    assert_eq!(text(&answers.get(1), "path"), "id");
    assert_eq!(
        text(&book.referral(s("reza")).unwrap(), "status"),
        "pending"
    );
    let paid = book.settle(s("2026-03-19T12:00:00+03:30")).unwrap();
    let ledger: Array = get(&paid, "ledger").dyn_into().unwrap();
    assert_eq!(ledger.length(), 2);
    assert_eq!(text(&ledger.get(0), "points"), "100");
    let again = book.settle(s("2026-03-19T12:00:00+03:30")).unwrap();
    assert!(get(&again, "ledger").is_undefined());
    assert_eq!(Array::from(&book.referrals().unwrap()).length(), 1);
    assert_eq!(
        book.resolve(s("ref-xaw9-xwtn"))
            .unwrap()
            .as_string()
            .unwrap(),
        "sara"
    );
    assert!(book.resolve(s("REF-2222-2222")).unwrap().is_null());

    // Refusals and bad arguments are LoyaltyErrors of kind referrals.
    let e = book
        .post(js(
            r#"{"type": "order", "id": "e5", "account": "reza", "order": "o-2",
          "amount": 1.5, "at": "2026-03-06T12:00:00+03:30"}"#,
        ))
        .err()
        .unwrap();
    assert_eq!(text(&e, "name"), "LoyaltyError");
    assert_eq!(text(&e, "kind"), "referrals");
    assert_eq!(text(&e, "code"), "float_not_allowed");
    assert_eq!(text(&e, "path"), "amount");
    let e = book.settle(JsValue::NULL).err().unwrap();
    assert_eq!(text(&e, "code"), "invalid_type");
    assert_eq!(text(&e, "path"), "at");
    let e = book.referral(JsValue::from(7)).err().unwrap();
    assert_eq!(text(&e, "path"), "referee");

    // A program without referrals is refused when the book is made.
    let plain = Program::from_toml(LEDGER_PROGRAM).unwrap();
    for e in [
        plain.referral_book().err().unwrap(),
        ReferralBook::new(&plain).err().unwrap(),
        plain.check_referral_code(s("REF-XAW9-XWTN")).err().unwrap(),
    ] {
        assert_eq!(text(&e, "kind"), "referrals");
        assert_eq!(text(&e, "code"), "referrals_not_configured");
        assert_eq!(text(&e, "path"), "");
    }

    let codes: Array = get(&error_codes().unwrap(), "referrals")
        .dyn_into()
        .unwrap();
    assert!(codes.includes(&s("referrals_not_configured"), 0));
    let reasons: Array = referral_reason_codes().unwrap().dyn_into().unwrap();
    assert!(reasons.includes(&s("self_referral"), 0));
}

const TRIGGER_PROGRAM: &str = r#"
schema_version = 1
id = "riyadh-coffee"
currency = "SAR"
time_zone = "Asia/Riyadh"
[[coupons]]
id = "birthday-gift"
codes = { kind = "personal", pattern = "BDY-####-####" }
discount = { type = "percent", percent = "20" }
[triggers.birthday]
lead_days = 0
coupon = "birthday-gift"
"#;

#[wasm_bindgen_test]
fn triggers_by_local_day_with_a_personal_coupon() {
    let program = Program::from_toml(TRIGGER_PROGRAM).unwrap();
    // 21:00 UTC on 2 March is 00:30 on 3 March in Tehran, 00:00 in Riyadh.
    let request = |at: &str, seed: &str| {
        js(&format!(
            r#"{{"at": "{at}", {seed} "customers": [
            {{"id": "sara", "time_zone": "Asia/Tehran", "birth_date": "1990-03-03"}}]}}"#
        ))
    };
    let due = program
        .triggers(request("2026-03-02T21:00:00Z", r#""seed": "7","#))
        .unwrap();
    let triggers: Array = get(&due, "triggers").dyn_into().unwrap();
    assert_eq!(triggers.length(), 1);
    let birthday = triggers.get(0);
    assert_eq!(text(&birthday, "kind"), "birthday");
    assert_eq!(text(&birthday, "date"), "2026-03-03");
    let code = text(&get(&birthday, "coupon"), "code");
    assert!(code.starts_with("BDY-"), "{code}");
    // Seeded: the same code again; unseeded: crypto.getRandomValues, another one.
    let again = program
        .triggers(request("2026-03-02T21:00:00Z", r#""seed": "7","#))
        .unwrap();
    assert_eq!(
        JSON::stringify(&due).unwrap(),
        JSON::stringify(&again).unwrap()
    );
    let unseeded = program
        .triggers(request("2026-03-02T21:00:00Z", ""))
        .unwrap();
    let unseeded: Array = get(&unseeded, "triggers").dyn_into().unwrap();
    let other = text(&get(&unseeded.get(0), "coupon"), "code");
    assert_ne!(other, code);
    let check = program.check_code(JsValue::from_str(&other)).unwrap();
    assert_eq!(get(&check, "ok"), JsValue::TRUE);
    // 20:29 UTC is still 2 March in Tehran.
    let none = program
        .triggers(request("2026-03-02T20:29:00Z", ""))
        .unwrap();
    assert_eq!(Array::from(&get(&none, "triggers")).length(), 0);

    // Refusals: kind request, code and path.
    let e = program
        .triggers(js(
            r#"{"date": "2026-03-03", "at": "2026-03-02T21:00:00Z", "customers": []}"#,
        ))
        .err()
        .unwrap();
    assert_eq!(text(&e, "name"), "LoyaltyError");
    assert_eq!(text(&e, "kind"), "request");
    assert_eq!(text(&e, "code"), "date_and_at_not_one");
    assert_eq!(text(&e, "path"), "");
    let e = program
        .triggers(js(r#"{"at": "2026-03-02T21:00:00Z",
            "customers": [{"id": "a"}, {"id": "b", "time_zone": "Mars/Olympus"}]}"#))
        .err()
        .unwrap();
    assert_eq!(text(&e, "code"), "invalid_time_zone");
    assert_eq!(text(&e, "path"), "customers[1].time_zone");
    let e = program.triggers(JsValue::UNDEFINED).err().unwrap();
    assert_eq!(text(&e, "code"), "invalid_type");
    let codes = error_codes().unwrap();
    let request_codes: Array = get(&codes, "request").dyn_into().unwrap();
    assert!(request_codes.includes(&s("date_and_at_not_one"), 0));
}

const REPORT_PROGRAM: &str = r#"
schema_version = 1
id = "riyadh-coffee"
currency = "SAR"
time_zone = "Asia/Riyadh"
[tiers]
window = "calendar_year"
[[tiers.levels]]
id = "silver"
qualify = { spend = "100" }
"#;

/// `{key: value, ...}` as a plain JS object.
fn object(entries: &[(&str, &JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (key, value) in entries {
        Reflect::set(&o, &s(key), value).unwrap();
    }
    o.into()
}

#[wasm_bindgen_test]
fn report_with_and_without_books() {
    let program = Program::from_toml(REPORT_PROGRAM).unwrap();
    // 21:00 UTC on 28 February is midnight on Sunday 1 March in Riyadh (in);
    // a second earlier is still February (out). 2 March is a Monday.
    let request = || {
        js(r#"{"from": "2026-03-01", "to": "2026-03-31", "orders": [
          {"id": "o-1", "customer": "c-1", "at": "2026-03-02T09:15:00+03:00", "amount": "100.00", "payment": "card"},
          {"id": "o-2", "customer": "c-2", "at": "2026-02-28T21:00:00Z", "amount": "20.05"},
          {"id": "o-3", "customer": "c-2", "at": "2026-02-28T20:59:59Z", "amount": "999.00"}]}"#)
    };
    let bare = program.report(request(), None).unwrap();
    assert_eq!(get(&bare, "orders").as_f64(), Some(2.0));
    assert_eq!(text(&bare, "revenue"), "120.05");
    // 120.05 / 2 = 60.025: half-even to the halala.
    assert_eq!(text(&bare, "average_basket"), "60.02");
    let cell = |report: &JsValue, weekday: u32, hour: u32| {
        Array::from(&Array::from(&get(report, "weekday_hour")).get(weekday))
            .get(hour)
            .as_f64()
    };
    assert_eq!(
        (cell(&bare, 0, 9), cell(&bare, 6, 0)),
        (Some(1.0), Some(1.0))
    );
    let payments = Array::from(&get(&bare, "payments"));
    assert_eq!(
        (
            text(&payments.get(0), "name"),
            text(&payments.get(1), "name")
        ),
        ("card".to_owned(), "unknown".to_owned())
    );
    for key in ["points", "tiers", "referrals"] {
        assert!(get(&bare, key).is_undefined(), "{key}");
    }
    assert!(get(&get(&bare, "credit"), "owed").is_undefined());
    // `null`, `undefined` and `{}` are no books.
    for none in [JsValue::NULL, JsValue::UNDEFINED, object(&[])] {
        let again = program.report(request(), Some(none)).unwrap();
        assert_eq!(
            JSON::stringify(&again).unwrap(),
            JSON::stringify(&bare).unwrap()
        );
    }

    // The binding's own books, as JS objects: each adds its section.
    let mut ledger = Ledger::new(&program);
    ledger
        .post(js(r#"{"type": "earn", "id": "e-1", "account": "m-1",
          "at": "2026-03-05T10:00:00+03:00", "points": "40"}"#))
        .unwrap();
    let mut tiers = Tiers::new(&program).unwrap();
    tiers
        .post(js(r#"{"type": "order", "id": "t-1", "account": "m-1",
          "at": "2026-03-05T10:00:00+03:00", "spend": "150.00"}"#))
        .unwrap();
    let ledger = JsValue::from(ledger);
    let tiers = JsValue::from(tiers);
    let full = program
        .report(
            request(),
            Some(object(&[("ledger", &ledger), ("tiers", &tiers)])),
        )
        .unwrap();
    assert_eq!(text(&get(&full, "points"), "issued"), "40");
    assert_eq!(text(&get(&full, "credit"), "owed"), "0.00");
    let tier_counts = Array::from(&get(&full, "tiers"));
    assert_eq!(text(&tier_counts.get(0), "name"), "silver");
    assert_eq!(get(&tier_counts.get(0), "count").as_f64(), Some(1.0));
    assert_eq!(text(&tier_counts.get(1), "name"), "none");
    assert!(get(&full, "referrals").is_undefined());

    // Anything else is a LoyaltyError of kind request, with code and path.
    let refused = |books: JsValue| {
        let e = program.report(request(), Some(books)).err().unwrap();
        assert_eq!(text(&e, "name"), "LoyaltyError");
        assert_eq!(text(&e, "kind"), "request");
        (text(&e, "code"), text(&e, "path"), text(&e, "message"))
    };
    let (code, path, message) = refused(object(&[("ledger", &tiers)]));
    assert_eq!(
        (code.as_str(), path.as_str()),
        ("invalid_type", "books.ledger")
    );
    assert!(
        message.contains("expected a Ledger, got a Tiers"),
        "{message}"
    );
    let (code, path, _) = refused(object(&[("referrals", &ledger)]));
    assert_eq!(
        (code.as_str(), path.as_str()),
        ("invalid_type", "books.referrals")
    );
    let (code, path, _) = refused(object(&[("tiers", &js(r#"{"accounts": []}"#))]));
    assert_eq!(
        (code.as_str(), path.as_str()),
        ("invalid_type", "books.tiers")
    );
    let (code, path, _) = refused(object(&[("tier", &tiers)]));
    assert_eq!(
        (code.as_str(), path.as_str()),
        ("unknown_field", "books.tier")
    );
    let (code, path, _) = refused(ledger.clone());
    assert_eq!((code.as_str(), path.as_str()), ("invalid_type", "books"));
    let (code, path, _) = refused(JsValue::from(5));
    assert_eq!((code.as_str(), path.as_str()), ("invalid_type", "books"));

    // A bad request: every bad value, with its path.
    let e = program
        .report(
            js(r#"{"from": "2026-02-30", "to": "2026-03-31",
              "orders": [{"id": "o-1", "customer": " ", "at": "2026-03-02T09:15:00+03:00", "amount": "1"}]}"#),
            Some(object(&[("ledger", &ledger)])),
        )
        .err()
        .unwrap();
    let errors = Array::from(&get(&e, "errors"));
    assert_eq!(errors.length(), 2);
    assert_eq!(text(&errors.get(0), "path"), "from");
    assert_eq!(text(&errors.get(1), "code"), "empty_value");
    assert_eq!(text(&errors.get(1), "path"), "orders[0].customer");
}
