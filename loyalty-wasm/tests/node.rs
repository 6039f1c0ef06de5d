//! The binding's Rust side under wasm-bindgen-test (Node by default, headless
//! Chromium with `WASM_BINDGEN_USE_BROWSER=1`): values built by JavaScript go
//! in, plain JS objects and `LoyaltyError`s come out.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use js_sys::{Array, JSON, Reflect};
use loyalty_wasm::{Program, error_codes};
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
