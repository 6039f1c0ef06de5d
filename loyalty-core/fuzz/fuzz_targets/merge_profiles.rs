//! The profile-merging entry points as the bindings use them, from one JSON
//! document `{"program": ..., "profiles": [...], "texts": [...]}`: the batch
//! dedupe (every profile gets a customer that is one of the profiles, and
//! the same customers in reverse order), the incremental index, and every
//! text normalized as each kind (normalizing a normalized value keeps it).
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use loyalty_core::ffi::{self, ProgramSource};
use serde_json::{Value, json};

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else { return };
    let program = value.get("program").cloned().unwrap_or_default();
    let Ok(program) = ffi::load_program(ProgramSource::Value(program)) else { return };
    let list = |key: &str| value.get(key).and_then(Value::as_array).cloned().unwrap_or_default();
    let mut profiles = list("profiles");
    profiles.truncate(64);
    if let Ok(answer) = ffi::merge_dedupe(&program, json!({"profiles": profiles, "explain": true})) {
        let ids: Vec<&str> = profiles.iter().filter_map(|p| p["id"].as_str()).collect();
        let of: Vec<&str> = answer["cluster_of"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        assert_eq!(of.len(), ids.len(), "one customer per profile");
        assert!(of.iter().all(|c| ids.contains(c)), "a customer is named by one of its profiles");
        let mut reversed = profiles.clone();
        reversed.reverse();
        let back = ffi::merge_dedupe(&program, json!({"profiles": reversed})).expect("the same profiles in another order");
        let forward: BTreeMap<&str, &str> = ids.iter().copied().zip(of.iter().copied()).collect();
        let rev_of: Vec<&str> = back["cluster_of"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        let backward: BTreeMap<&str, &str> = ids.iter().rev().copied().zip(rev_of.iter().copied()).collect();
        assert_eq!(forward, backward, "customers do not depend on input order");
    }
    let mut index = program.match_index();
    for p in &profiles {
        let _ = ffi::merge_index_add(&mut index, p.clone());
        let _ = ffi::merge_normalize_profile(&program, p.clone());
    }
    for text in list("texts") {
        let text = text.as_str().unwrap_or_default();
        for kind in ["phone", "email", "name", "date"] {
            if let Ok(Value::Object(o)) = ffi::merge_normalize(&program, kind, text) {
                if let Some(Value::String(v)) = o.get("value") {
                    let again = ffi::merge_normalize(&program, kind, v).expect("a known kind");
                    assert_eq!(again["value"].as_str(), Some(v.as_str()), "{kind} normalization is idempotent");
                }
            }
        }
    }
});
