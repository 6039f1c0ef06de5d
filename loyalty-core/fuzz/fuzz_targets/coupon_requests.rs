//! The coupon entry points as the bindings use them, from one JSON document
//! `{"program": ..., "requests": [...], "codes": [...], "generate": [...]}`:
//! every request applied (and its answer checked: line discounts add up, no
//! total below zero, the discounted order quotes), every code checked, every
//! seeded generation run and its codes checked back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loyalty_core::ffi::{self, ProgramSource};
use serde_json::Value;

fn dec(v: &Value) -> rust_decimal::Decimal {
    v.as_str().and_then(|s| s.parse().ok()).unwrap_or_default()
}

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else { return };
    let program = value.get("program").cloned().unwrap_or_default();
    let Ok(program) = ffi::load_program(ProgramSource::Value(program)) else { return };
    let list = |key: &str| value.get(key).and_then(Value::as_array).cloned().unwrap_or_default();
    for request in list("requests") {
        match ffi::coupons_apply(&program, request) {
            Ok(answer) => {
                let mut total = rust_decimal::Decimal::ZERO;
                for a in answer["accepted"].as_array().into_iter().flatten() {
                    let lines: rust_decimal::Decimal =
                        a["lines"].as_array().into_iter().flatten().map(|l| dec(&l["discount"])).sum();
                    assert_eq!(lines, dec(&a["discount"]), "line discounts add up to the coupon's");
                    total += dec(&a["discount"]);
                }
                assert_eq!(total, dec(&answer["discount"]));
                assert!(dec(&answer["total"]) >= rust_decimal::Decimal::ZERO);
                for l in answer["lines"].as_array().into_iter().flatten() {
                    assert!(dec(&l["total"]) >= rust_decimal::Decimal::ZERO, "no line below zero");
                }
                let quote = serde_json::json!({
                    "order": answer["order_after"], "coupons": answer["points_coupons"],
                });
                if let Err(f) = ffi::quote(&program, quote) {
                    // Only amounts too large to compute can refuse the discounted order.
                    assert!(f.errors.iter().all(|e| e.code == "arithmetic_overflow"), "{f:?}");
                }
            }
            Err(f) => assert!(!f.errors.is_empty(), "a failure always carries at least one error"),
        }
    }
    for code in list("codes") {
        let _ = ffi::coupons_check_code(&program, code.as_str().unwrap_or_default());
    }
    for mut request in list("generate") {
        // Keep the fuzzer fast: small batches, always seeded.
        if let Some(obj) = request.as_object_mut() {
            let count = obj.get("count").and_then(Value::as_u64).unwrap_or(1).min(50);
            obj.insert("count".into(), count.into());
            obj.entry("seed").or_insert_with(|| "1".into());
            if let Some(Value::Array(c)) = obj.get_mut("customers") {
                c.truncate(50);
            }
        }
        if let Ok(codes) = ffi::coupons_generate(&program, request) {
            for c in codes["codes"].as_array().into_iter().flatten() {
                let check = ffi::coupons_check_code(&program, c["code"].as_str().unwrap_or_default());
                assert_eq!(check["ok"], true, "a generated code checks: {c}");
            }
        }
    }
});
