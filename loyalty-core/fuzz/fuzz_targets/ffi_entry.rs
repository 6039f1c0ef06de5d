//! The bindings' entry points: program and request given as one JSON document
//! `{"program": ..., "request": ...}`, exactly as Python and JS hand them over.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loyalty_core::ffi::{self, ProgramSource};

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let program = value.get("program").cloned().unwrap_or_default();
    let request = value.get("request").cloned().unwrap_or_default();
    if let Ok(program) = ffi::load_program(ProgramSource::Value(program)) {
        match ffi::quote(&program, request) {
            Ok(q) => drop(ffi::quote_to_canonical(&q)),
            Err(f) => assert!(!f.errors.is_empty(), "a failure always carries at least one error"),
        }
    }
});
