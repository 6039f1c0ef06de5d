//! Customer statistics as the bindings call them, from one JSON document
//! `{"program": ..., "request": {"orders": [...], "as_of": ...}}`.
//! Invariants: every order counts once (visits, or later orders), scores
//! are 1 to 5, and the answer does not depend on the order of the orders.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loyalty_core::ffi::{self, ProgramSource};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else { return };
    let program = value.get("program").cloned().unwrap_or_default();
    let Ok(program) = ffi::load_program(ProgramSource::Value(program)) else { return };
    let mut request = value.get("request").cloned().unwrap_or_default();
    let Ok(answer) = ffi::insights_customer_stats(&program, request.clone()) else { return };
    let orders = request["orders"].as_array().map_or(0, Vec::len);
    let customers = answer["customers"].as_array().cloned().unwrap_or_default();
    let visits: u64 = customers.iter().filter_map(|c| c["visits"].as_u64()).sum();
    let later = answer["later_orders"].as_u64().unwrap_or(0);
    assert_eq!(visits + later, orders as u64, "every order counts once");
    for c in &customers {
        for k in ["recency", "frequency", "monetary"] {
            let s = c["rfm"][k].as_u64().unwrap_or(0);
            assert!((1..=5).contains(&s), "{k} score {s}");
        }
    }
    if let Some(list) = request["orders"].as_array_mut() {
        list.reverse();
    }
    let again = ffi::insights_customer_stats(&program, request).expect("the same orders reversed");
    assert_eq!(again, answer, "the order of orders does not matter");
});
