//! The ledger's entry points as the bindings use them: a program, then events
//! posted one by one and every query on every account, from one JSON document
//! `{"program": ..., "events": [...], "at": [...], "pay": [...]}`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loyalty_core::ffi::{self, ProgramSource};
use loyalty_core::ledger::Ledger;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else { return };
    let program = value.get("program").cloned().unwrap_or_default();
    let Ok(program) = ffi::load_program(ProgramSource::Value(program)) else { return };
    let mut ledger = Ledger::new();
    let list = |key: &str| value.get(key).and_then(Value::as_array).cloned().unwrap_or_default();
    for event in list("events") {
        if let Err(f) = ffi::ledger_post(&program, &mut ledger, event) {
            assert!(!f.errors.is_empty(), "a failure always carries at least one error");
        }
    }
    let accounts: Vec<String> = ledger.account_ids().map(str::to_owned).collect();
    for at in list("at") {
        let at = at.as_str().unwrap_or_default();
        for account in &accounts {
            let _ = ffi::ledger_balance(&program, &ledger, account, at);
            let _ = ffi::ledger_lots(&program, &ledger, account, at);
            let _ = ffi::ledger_expiring(&program, &ledger, account, at, 30);
            let _ = ffi::ledger_statement(&program, &ledger, account, at);
        }
    }
    for request in list("pay") {
        let _ = ffi::ledger_pay(&program, &ledger, request);
    }
});
