//! Tier behaviour seen from the other capabilities and the program file:
//! accrual applies a tier's multiplier, the program check warns about tiers
//! that cannot work, and bad tier sections are refused with paths.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test code: a failure should fail loudly"
)]

use loyalty_core::tiers::{TierBook, TierEvent};
use loyalty_core::{Coded, Program, QuoteRequest};
use serde_json::json;

fn program(tiers: serde_json::Value) -> Result<Program, loyalty_core::ProgramErrors> {
    Program::from_value(json!({
        "schema_version": 1, "id": "t", "currency": "SAR", "time_zone": "Asia/Riyadh",
        "earn_rules": [{"id": "base", "rate": {"points": "1", "per": "10"}}],
        "tiers": tiers,
        // Named by gold's benefits below.
        "coupons": [{"id": "gold-gift", "codes": {"kind": "personal"},
                     "discount": {"type": "free_gift", "sku": "gift-box", "value": "25"}}],
    }))
}

fn club() -> Program {
    program(json!({"window": "calendar_year", "levels": [
        {"id": "member"},
        {"id": "gold", "qualify": {"spend": "1000"}, "retain": {"spend": "600"},
         "benefits": {"multiplier": "1.5", "coupons": ["gold-gift"], "flags": {"lounge": true}}},
    ]}))
    .unwrap()
}

fn quote(p: &Program, tier: Option<&str>) -> loyalty_core::Quote {
    let request: QuoteRequest = serde_json::from_value(json!({
        "order": {"id": "o", "placed_at": "2026-03-01T10:00:00+03:00",
                  "lines": [{"sku": "a", "quantity": "1", "unit_price": "200.00"}]},
        "customer": {"tier": tier},
        "explain": true,
    }))
    .unwrap();
    p.quote(&request).unwrap()
}

#[test]
fn a_tier_multiplier_applies_to_members_of_that_tier_only() {
    let p = club();
    let gold = quote(&p, Some("gold"));
    assert_eq!(gold.total.to_string(), "30");
    let award = gold.awards.iter().find(|a| a.rule == "tier:gold").unwrap();
    assert_eq!(
        (award.kind, award.points.to_string()),
        ("multiplier", "10".to_owned())
    );
    let member = quote(&p, Some("member"));
    assert_eq!(member.total.to_string(), "20");
    // Only one tier can ever match: the others' multipliers are not listed as misses.
    assert!(member.misses.iter().all(|m| !m.rule.starts_with("tier:")));
}

#[test]
fn order_tier_gives_the_multiplier_of_the_tier_to_quote_at() {
    let p = club();
    let mut book = TierBook::new();
    let first: TierEvent = serde_json::from_value(json!({"type": "order", "id": "o1",
        "account": "m", "at": "2026-01-05T10:00:00+03:00", "spend": "900"}))
    .unwrap();
    book.post(&p, &first).unwrap();
    let TierEvent::Order(next) = serde_json::from_value(json!({"type": "order", "id": "o2",
        "account": "m", "at": "2026-01-06T10:00:00+03:00", "spend": "200"}))
    .unwrap() else {
        unreachable!()
    };
    let t = book.order_tier(&p, &next).unwrap();
    assert_eq!(
        (t.before.as_deref(), t.after.as_deref(), t.tier.as_deref()),
        (Some("member"), Some("gold"), Some("gold"))
    );
    assert_eq!(t.multiplier.unwrap().to_string(), "1.5");
    // Asking did not post it.
    let s = book.status(&p, "m", "2026-01-07T00:00:00+03:00").unwrap();
    assert_eq!(s.tier.as_deref(), Some("member"));
    assert_eq!(s.next.unwrap().needs.spend.unwrap().to_string(), "100.00");
}

#[test]
fn the_check_warns_about_tiers_that_cannot_work() {
    let p = program(json!({"window": "rolling", "months": 1, "levels": [
        {"id": "member"},
        {"id": "silver", "qualify": {"spend": "500", "visits": 40}, "retain": {"spend": "700"}},
        {"id": "gold", "qualify": {"spend": "300"}},
    ]}))
    .unwrap();
    let warnings: Vec<(&str, String)> = p.check().into_iter().map(|w| (w.code, w.path)).collect();
    assert_eq!(
        warnings,
        [
            (
                "unreachable_tier",
                "tiers.levels[1].qualify.visits".to_owned()
            ),
            (
                "retain_above_entry",
                "tiers.levels[1].retain.spend".to_owned()
            ),
            (
                "tier_out_of_order",
                "tiers.levels[2].qualify.spend".to_owned()
            ),
        ]
    );
    assert!(club().check().is_empty());
    let doubled = Program::from_value(json!({
        "schema_version": 1, "id": "t", "currency": "SAR", "time_zone": "Asia/Riyadh",
        "earn_rules": [{"id": "base", "rate": {"points": "1", "per": "10"}},
                       {"id": "gold-x2", "multiplier": "2", "when": {"tiers": ["gold", "ghost"]}}],
        "tiers": {"window": "lifetime", "levels": [
            {"id": "member"}, {"id": "gold", "qualify": {"orders": 3}, "benefits": {"multiplier": "1.5"}}]},
    }))
    .unwrap();
    let warnings: Vec<(&str, String)> = doubled
        .check()
        .into_iter()
        .map(|w| (w.code, w.path))
        .collect();
    assert_eq!(
        warnings,
        [
            (
                "tier_multiplier_twice",
                "earn_rules[1].when.tiers[0]".to_owned()
            ),
            ("unknown_tier", "earn_rules[1].when.tiers[1]".to_owned()),
        ]
    );
}

#[test]
fn bad_tier_sections_are_refused_with_every_path() {
    let err = program(
        json!({"window": "calendar_year", "months": 3, "grace_days": 400, "levels": [
            {"id": "member"},
            {"id": "gold"},
            {"id": "gold", "qualify": {"spend": "-1"}, "benefits": {"multiplier": "0.5"}},
        ]}),
    )
    .unwrap_err();
    let got: Vec<(&str, &str)> = err.errors().iter().map(|e| (e.code(), e.path())).collect();
    assert_eq!(
        got,
        [
            ("invalid_window", "tiers.months"),
            ("invalid_window", "tiers.grace_days"),
            ("missing_threshold", "tiers.levels[1].qualify"),
            ("duplicate_tier_id", "tiers.levels[2].id"),
            ("negative_value", "tiers.levels[2].qualify.spend"),
            ("invalid_multiplier", "tiers.levels[2].benefits.multiplier"),
        ]
    );
    let err = program(json!({"window": "rolling", "levels": [{"id": "member"}]})).unwrap_err();
    assert_eq!(err.errors()[0].code(), "invalid_window");
    let err = program(json!({"window": "lifetime", "levels": []})).unwrap_err();
    assert_eq!(err.errors()[0].code(), "empty_list");
}

#[test]
fn a_program_without_tiers_is_refused_by_the_book() {
    let plain = Program::from_value(json!({
        "schema_version": 1, "id": "t", "currency": "SAR", "time_zone": "Asia/Riyadh"}))
    .unwrap();
    let failure = loyalty_core::ffi::tiers_new(&plain).unwrap_err();
    assert_eq!(failure.errors[0].code, "tiers_not_configured");
    // A book made without the ffi check refuses every call instead.
    let mut book = TierBook::new();
    let order: TierEvent = serde_json::from_value(json!({"type": "order", "id": "o1",
        "account": "m", "at": "2026-01-05T10:00:00+03:00", "spend": "900"}))
    .unwrap();
    assert_eq!(
        book.post(&plain, &order).unwrap_err().code(),
        "tiers_not_configured"
    );
    let status = book.status(&plain, "m", "2026-01-05T10:00:00+03:00");
    assert_eq!(status.unwrap_err().code(), "tiers_not_configured");
    assert!(book.is_empty());
}
