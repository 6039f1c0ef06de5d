//! The coupon vectors together produce every rejection code the core lists,
//! and no other: a new code without a vector fails here, and so does a code
//! still listed that no vector shows being produced.
//!
//! The codes are read from the vectors' expected answers (`apply` results'
//! `rejected[].reasons[].code` and `check_code` results' `reasons[].code`),
//! so this also holds for the Python and JS runners, which compare against
//! the same expected answers.

use std::collections::{BTreeMap, BTreeSet};

use loyalty_core::coupons::REJECTION_CODES;
use loyalty_testkit::vectors::{self, COUPONS};
use serde_json::Value;

/// The reason codes of a list of reasons (`[{"code": ...}, ...]`).
fn reason_codes(reasons: Option<&Value>) -> Vec<String> {
    reasons
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| r.get("code").and_then(Value::as_str))
        .map(str::to_owned)
        .collect()
}

/// Every rejection code in one step's expected answer, if it is an `apply`
/// or `check_code` step with a result.
fn step_codes(step: &Value) -> Vec<String> {
    let Some(result) = step.get("expect").and_then(|e| e.get("result")) else {
        return Vec::new();
    };
    match step.get("op").and_then(Value::as_str) {
        Some("apply") => result
            .get("rejected")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .flat_map(|r| reason_codes(r.get("reasons")))
            .collect(),
        Some("check_code") => reason_codes(result.get("reasons")),
        _ => Vec::new(),
    }
}

/// Rejection code -> the vectors whose expected answers produce it, or why
/// the vectors cannot be read.
fn produced() -> Result<BTreeMap<String, BTreeSet<String>>, String> {
    let all = vectors::load_all()?;
    let coupons: Vec<_> = all.iter().filter(|v| v.capability == COUPONS).collect();
    if coupons.is_empty() {
        return Err(format!("no coupon vectors under vectors/{COUPONS}/"));
    }
    let mut found: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for v in coupons {
        let doc = v.doc.as_ref().map_err(|e| format!("{}: {e}", v.name))?;
        let steps = doc
            .get("steps")
            .and_then(Value::as_array)
            .ok_or_else(|| format!("{}: a coupon vector needs `steps`", v.name))?;
        for step in steps {
            for code in step_codes(step) {
                found.entry(code).or_default().insert(v.name.clone());
            }
        }
    }
    Ok(found)
}

#[test]
fn rejection_codes_are_listed_once() {
    let listed: BTreeSet<&str> = REJECTION_CODES.iter().copied().collect();
    assert_eq!(
        listed.len(),
        REJECTION_CODES.len(),
        "REJECTION_CODES lists a code twice"
    );
}

#[test]
fn coupon_vectors_cover_exactly_the_rejection_codes() {
    let found = produced().unwrap_or_else(|e| panic!("{e}"));
    let listed: BTreeSet<&str> = REJECTION_CODES.iter().copied().collect();
    let missing: Vec<&str> = listed
        .iter()
        .copied()
        .filter(|c| !found.contains_key(*c))
        .collect();
    let unlisted: Vec<String> = found
        .iter()
        .filter(|(c, _)| !listed.contains(c.as_str()))
        .map(|(c, names)| {
            format!(
                "{c} (in {})",
                names.iter().cloned().collect::<Vec<_>>().join(", ")
            )
        })
        .collect();
    assert!(
        missing.is_empty() && unlisted.is_empty(),
        "coupon vectors and loyalty_core::coupons::REJECTION_CODES differ\n  \
         listed but produced by no vector (add a vector, or drop the code): {missing:?}\n  \
         produced by vectors but not listed (list it, or fix the vector): {unlisted:?}"
    );
}
