//! Lifecycle triggers as the bindings call them, from one JSON document
//! `{"program": ..., "request": {"date" or "at": ..., "customers": [...], "seed": ...}}`.
//! Invariants: the same request gives the same answer; every trigger is for
//! a customer of the request, on a real day, listed customer by customer in
//! request order and by kind within one; lead triggers are about a day on
//! or after the day they are due, welcome and win-back about one on or
//! before it, yearly ones at least one year; with `date`, every trigger is
//! due on it; each customer's triggers do not depend on the order of the
//! others (coupon codes aside).
#![no_main]

use libfuzzer_sys::fuzz_target;
use loyalty_core::ffi::{self, ProgramSource};
use serde_json::Value;

/// `[+-]YYYY-M-D` as numbers (the request's date as the core reads it, or
/// a trigger's day).
fn day(v: &Value) -> Option<(i64, u32, u32)> {
    let s = v.as_str()?.trim();
    let (sign, rest) = match s.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, s.strip_prefix('+').unwrap_or(s)),
    };
    let mut p = rest.split('-');
    let (y, m, d) = (p.next()?, p.next()?, p.next()?);
    if p.next().is_some() {
        return None;
    }
    Some((
        sign * y.parse::<i64>().ok()?,
        m.parse().ok()?,
        d.parse().ok()?,
    ))
}

/// A trigger without its coupon, for comparing answers to reordered requests.
fn bare(t: &Value) -> String {
    let mut t = t.clone();
    if let Some(o) = t.as_object_mut() {
        o.remove("coupon");
    }
    t.to_string()
}

const KINDS: [&str; 7] = [
    "birthday",
    "anniversary",
    "membership",
    "welcome",
    "win_back",
    "points_expiring",
    "tier_at_risk",
];

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let program = value.get("program").cloned().unwrap_or_default();
    let Ok(program) = ffi::load_program(ProgramSource::Value(program)) else {
        return;
    };
    let mut request = value.get("request").cloned().unwrap_or_default();
    // Keep the fuzzer fast and the codes reproducible: a few customers, always seeded.
    if let Some(obj) = request.as_object_mut() {
        if let Some(Value::Array(c)) = obj.get_mut("customers") {
            c.truncate(40);
        }
        obj.entry("seed").or_insert_with(|| "1".into());
    }
    let answer = match ffi::insights_triggers(&program, request.clone()) {
        Ok(answer) => answer,
        Err(f) => {
            assert!(
                !f.errors.is_empty(),
                "a failure always carries at least one error"
            );
            let again = ffi::insights_triggers(&program, request)
                .expect_err("the same request fails again");
            assert_eq!(again.errors.len(), f.errors.len(), "the same errors");
            return;
        }
    };
    let again = ffi::insights_triggers(&program, request.clone()).expect("the same request");
    assert_eq!(
        again, answer,
        "the same seeded request gives the same answer"
    );
    let customers = request["customers"].as_array().cloned().unwrap_or_default();
    let ids: Vec<&str> = customers.iter().filter_map(|c| c["id"].as_str()).collect();
    let triggers = answer["triggers"].as_array().cloned().unwrap_or_default();
    let mut last: Option<(usize, usize)> = None;
    for t in &triggers {
        let who = t["customer"].as_str().expect("a customer");
        let rank = ids
            .iter()
            .position(|i| *i == who)
            .expect("a customer of the request");
        let kind = t["kind"].as_str().expect("a kind");
        let k = KINDS.iter().position(|x| *x == kind).expect("a known kind");
        if let Some(prev) = last {
            assert!(
                prev <= (rank, k),
                "customers in request order, then kind: {triggers:?}"
            );
        }
        last = Some((rank, k));
        let due = day(&t["date"]).expect("date is a day");
        let on = day(&t["on"]).expect("on is a day");
        match kind {
            "welcome" | "win_back" => assert!(on <= due, "{t}"),
            _ => assert!(on >= due, "{t}"),
        }
        if matches!(kind, "birthday" | "anniversary" | "membership") {
            let years = t["details"]
                .as_array()
                .and_then(|d| d.iter().find(|d| d["kind"] == "years"))
                .and_then(|d| d["value"].as_str())
                .and_then(|v| v.parse::<i64>().ok())
                .expect("years");
            assert!(years > 0, "{t}");
        }
        if let Some(date) = request["date"].as_str() {
            assert_eq!(
                Some(due),
                day(&Value::from(date)),
                "with date, due on it: {t}"
            );
        }
        if t.get("coupon").is_some() {
            assert!(t["coupon"]["code"].as_str().is_some_and(|c| !c.is_empty()));
        }
    }
    // The customers reversed: the same triggers for each (coupon codes aside).
    let mut reversed = request.clone();
    if let Some(list) = reversed["customers"].as_array_mut() {
        list.reverse();
    }
    let other = ffi::insights_triggers(&program, reversed).expect("the same customers reversed");
    let mut a: Vec<String> = triggers.iter().map(bare).collect();
    let mut b: Vec<String> = other["triggers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(bare)
        .collect();
    a.sort();
    b.sort();
    assert_eq!(a, b, "each customer's triggers do not depend on the others");
});
