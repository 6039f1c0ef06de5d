//! The tier book's entry points as the bindings use them: a program, then
//! tier or ledger events posted one by one, then status and history of every
//! account at every instant and the tier of probe orders, from one JSON
//! document `{"program": ..., "events": [...], "at": [...], "orders": [...]}`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loyalty_core::ffi::{self, ProgramSource};
use loyalty_core::tiers::TierBook;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else { return };
    let program = value.get("program").cloned().unwrap_or_default();
    let Ok(program) = ffi::load_program(ProgramSource::Value(program)) else { return };
    let _ = ffi::program_check(&program);
    let mut book = TierBook::new();
    let list = |key: &str| value.get(key).and_then(Value::as_array).cloned().unwrap_or_default();
    for event in list("events") {
        if let Err(f) = ffi::tiers_post(&program, &mut book, event) {
            assert!(!f.errors.is_empty(), "a failure always carries at least one error");
        }
    }
    let accounts: Vec<String> = book.account_ids().map(str::to_owned).collect();
    for at in list("at") {
        let at = at.as_str().unwrap_or_default();
        for account in &accounts {
            let _ = ffi::tiers_status(&program, &book, account, at);
            let _ = ffi::tiers_history(&program, &book, account, at);
        }
    }
    for order in list("orders") {
        let _ = ffi::tiers_order_tier(&program, &book, order);
    }
});
