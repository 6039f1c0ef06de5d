//! The referral book as the bindings use it, from one JSON document
//! `{"program": ..., "events": [...], "settle": [...], "codes": [...]}`:
//! every event posted (twice: the second is a duplicate that changes
//! nothing), settlements at the given instants, and typed codes checked and
//! resolved. Invariants: an event id answers `duplicate` the second time with
//! no ledger events; no earn event id is paid twice; a well-formed code
//! checks again to itself.
#![no_main]

use std::collections::BTreeSet;

use libfuzzer_sys::fuzz_target;
use loyalty_core::ffi::{self, ProgramSource};
use serde_json::Value;

fn earned(answer: &Value, into: &mut BTreeSet<String>) {
    for e in answer["ledger"].as_array().into_iter().flatten() {
        if e["type"] == "earn" {
            let id = e["id"].as_str().unwrap_or_default().to_owned();
            assert!(into.insert(id.clone()), "{id} paid twice");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else { return };
    let program = value.get("program").cloned().unwrap_or_default();
    let Ok(program) = ffi::load_program(ProgramSource::Value(program)) else { return };
    let Ok(mut book) = ffi::referrals_new(&program) else { return };
    let list = |key: &str| value.get(key).and_then(Value::as_array).cloned().unwrap_or_default();
    let mut paid = BTreeSet::new();
    let settle = list("settle");
    let mut settle = settle.iter().filter_map(Value::as_str);
    for event in list("events").into_iter().take(200) {
        if let Ok(answer) = ffi::referrals_post(&program, &mut book, event.clone()) {
            earned(&answer, &mut paid);
            let again = ffi::referrals_post(&program, &mut book, event).expect("the same event again");
            assert_eq!(again["status"], "duplicate");
            assert!(again.get("ledger").is_none(), "a duplicate pays or reverses nothing");
        }
        if let Some(at) = settle.next()
            && let Ok(answer) = ffi::referrals_settle(&program, &mut book, at)
        {
            earned(&answer, &mut paid);
        }
    }
    for code in list("codes") {
        let code = code.as_str().unwrap_or_default();
        let _ = ffi::referrals_resolve(&program, &book, code);
        if let Ok(check) = ffi::referrals_check_code(&program, code)
            && let Some(canonical) = check["code"].as_str()
        {
            let again = ffi::referrals_check_code(&program, canonical).expect("configured");
            assert_eq!(again["code"].as_str(), Some(canonical), "a canonical code checks to itself");
        }
    }
    let _ = ffi::referrals_list(&book);
});
