//! Coupons as a host uses them end to end: program errors and warnings,
//! tier-only campaigns, and a coupon's line discounts flowing into points,
//! the ledger's earn event and a refund.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test code: a failure should fail loudly"
)]

use loyalty_core::coupons::{CouponRequest, CouponResult};
use loyalty_core::ledger::{EarnEvent, Ledger, LedgerEvent};
use loyalty_core::{Coded, Program, QuoteRequest};
use serde_json::{Value, json};

fn program(extra: Value) -> Result<Program, Vec<(String, String)>> {
    let mut doc = json!({
        "schema_version": 1, "id": "riyadh-roastery", "currency": "SAR", "time_zone": "Asia/Riyadh",
        "earn_rules": [{"id": "base", "rate": {"points": "1", "per": "1"}}],
    });
    for (k, v) in extra.as_object().unwrap() {
        doc[k] = v.clone();
    }
    Program::from_value(doc).map_err(|e| {
        e.errors()
            .iter()
            .map(|e| (e.code().to_owned(), e.path().to_owned()))
            .collect()
    })
}

fn apply(program: &Program, request: Value) -> CouponResult {
    program
        .apply_coupons(&CouponRequest::from_value(request).unwrap())
        .unwrap()
}

fn codes(r: &CouponResult) -> Vec<(String, Vec<&'static str>)> {
    r.rejected
        .iter()
        .map(|x| (x.code.clone(), x.reasons.iter().map(|r| r.code()).collect()))
        .collect()
}

#[test]
fn every_campaign_mistake_is_reported_with_its_path() {
    let errors = program(json!({
        "tiers": {"window": "lifetime", "levels": [{"id": "member"}, {"id": "gold", "qualify": {"spend": "100"}, "benefits": {"coupons": ["no-such"]}}]},
        "coupons": [
            {"id": "a", "discount": {"type": "percent", "percent": "10"}},
            {"id": "b", "code": "SAVE", "codes": {"kind": "unique"}, "discount": {"type": "percent", "percent": "10"}},
            {"id": "c", "code": "SAVE", "discount": {"type": "percent", "percent": "120"}},
            {"id": "d", "code": "SAVE", "discount": {"type": "amount_off", "amount": "5"}},
            {"id": "e", "code": "bad code", "discount": {"type": "buy_x_get_y", "buy": 0, "get": 1}},
            {"id": "f", "codes": {"kind": "unique", "alphabet": "ABCDEF"}, "discount": {"type": "free_shipping"}},
            {"id": "f", "codes": {"kind": "personal", "pattern": "----"}, "discount": {"type": "points_multiplier", "multiplier": "0.5"}}
        ]
    }))
    .unwrap_err();
    let want = [
        ("unknown_coupon", "tiers.levels[1].benefits.coupons[0]"),
        ("code_source_not_one", "coupons[0]"),
        ("code_source_not_one", "coupons[1]"),
        ("percent_out_of_range", "coupons[2].discount.percent"),
        ("duplicate_code", "coupons[3].code"),
        ("invalid_code", "coupons[4].code"),
        ("not_positive", "coupons[4].discount.buy"),
        ("invalid_code_format", "coupons[5].codes.alphabet"),
        ("duplicate_coupon_id", "coupons[6].id"),
        ("invalid_code_format", "coupons[6].codes.pattern"),
        ("invalid_multiplier", "coupons[6].discount.multiplier"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(c, p)| ((*c).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(errors, want);
}

#[test]
fn check_warns_of_guessable_codes_and_unknown_tiers() {
    let p = program(json!({"coupons": [
        {"id": "short", "codes": {"kind": "unique", "pattern": "SH-#####"}, "discount": {"type": "percent", "percent": "10"}, "when": {"tiers": ["gold"]}},
        {"id": "long", "codes": {"kind": "unique"}, "discount": {"type": "percent", "percent": "10"}}
    ]}))
    .unwrap();
    let got: Vec<(&str, String)> = p.check().into_iter().map(|w| (w.code, w.path)).collect();
    assert_eq!(
        got,
        [
            ("weak_codes", "coupons[0].codes.pattern".to_owned()),
            ("unknown_tier", "coupons[0].when.tiers[0]".to_owned())
        ]
    );
}

#[test]
fn a_tiers_benefits_make_a_campaign_tier_only() {
    let p = program(json!({
        "tiers": {"window": "lifetime", "levels": [
            {"id": "member"}, {"id": "gold", "qualify": {"spend": "100"}, "benefits": {"coupons": ["gold-treat"]}}]},
        "coupons": [{"id": "gold-treat", "code": "TREAT", "discount": {"type": "amount_off", "amount": "5"}}]
    }))
    .unwrap();
    let request = |tier: &str| {
        json!({
            "order": {"id": "o", "placed_at": "2026-05-04T10:00:00+03:00", "lines": [{"sku": "latte", "quantity": "1", "unit_price": "18"}]},
            "customer": {"id": "c", "tier": tier},
            "coupons": [{"code": "treat"}]
        })
    };
    let gold = apply(&p, request("gold"));
    assert_eq!(gold.discount.to_string(), "5.00");
    let member = apply(&p, request("member"));
    assert_eq!(
        codes(&member),
        [("treat".to_owned(), vec!["tier_not_matched"])]
    );
}

/// The coupon's per-line discounts are what points are earned on, what the
/// earn event records, and so what a refund of one line takes back.
#[test]
fn a_discounted_line_earns_and_refunds_on_its_discounted_amount() {
    let p = program(json!({"coupons": [
        {"id": "beans", "code": "BEANS", "discount": {"type": "amount_off", "amount": "30"}, "when": {"categories": ["beans"]}},
        {"id": "cookie", "code": "COOKIE", "discount": {"type": "free_gift", "sku": "cookie", "value": "6"}}
    ]}))
    .unwrap();
    let answer = apply(
        &p,
        json!({
            "order": {"id": "o-1", "placed_at": "2026-05-04T10:00:00+03:00", "lines": [
                {"sku": "ethiopia", "categories": ["beans"], "quantity": "1", "unit_price": "60"},
                {"sku": "kenya", "categories": ["beans"], "quantity": "1", "unit_price": "30"},
                {"sku": "mug", "quantity": "1", "unit_price": "25"}]},
            "coupons": [{"code": "BEANS"}, {"code": "COOKIE"}]
        }),
    );
    // 30 over 60:30 -> 20 and 10; the gift is a reward line at the end.
    let per_line: Vec<String> = answer
        .lines
        .iter()
        .map(|l| format!("{}:{}", l.sku, l.discount))
        .collect();
    assert_eq!(
        per_line,
        ["ethiopia:20.00", "kenya:10.00", "mug:0.00", "cookie:6.00"]
    );
    let request = QuoteRequest {
        order: Some(answer.order_after.clone()),
        coupons: answer.points_coupons.clone(),
        ..QuoteRequest::default()
    };
    let quote = p.quote(&request).unwrap();
    // 40 + 20 + 25 = 85 points at 1 per SAR; the cookie earns nothing.
    assert_eq!(quote.total.to_string(), "85");
    assert_eq!(quote.lines[3].excluded, Some("reward"));

    let earn = EarnEvent::from_quote(&request, &quote, "m-1", "e-1")
        .unwrap()
        .unwrap();
    let mut ledger = Ledger::new();
    ledger.post(&p, &LedgerEvent::Earn(earn)).unwrap();
    let refund: LedgerEvent = serde_json::from_value(json!({
        "type": "refund", "id": "r-1", "order": "o-1", "at": "2026-05-05T10:00:00+03:00",
        "lines": [{"line": 0, "quantity": "1"}]
    }))
    .unwrap();
    ledger.post(&p, &refund).unwrap();
    let balance = ledger
        .balance(&p, "m-1", "2026-05-06T00:00:00+03:00")
        .unwrap();
    // The Ethiopian beans earned 40 points (60 less their 20 of the coupon).
    assert_eq!(balance.available.to_string(), "45");
}

#[test]
fn a_line_made_free_loses_its_tax_and_still_quotes() {
    let p = program(json!({"coupons": [
        {"id": "bogo", "code": "BOGO", "discount": {"type": "buy_x_get_y", "buy": 1, "get": 1}}
    ]}))
    .unwrap();
    let answer = apply(
        &p,
        json!({
            "order": {"id": "o", "placed_at": "2026-05-04T10:00:00+03:00", "lines": [
                {"sku": "latte", "quantity": "1", "unit_price": "23.00", "tax": "3.00"},
                {"sku": "flat-white", "quantity": "2", "unit_price": "20.00", "tax": "5.22"}]},
            "coupons": [{"code": "BOGO"}]
        }),
    );
    let after = &answer.order_after.lines;
    // The cheaper unit (a flat white, 20.00) is free: that line is paid 20.00 of 40.00.
    assert_eq!(
        (after[1].discount.to_string(), after[1].tax.to_string()),
        ("20.00".to_owned(), "2.61".to_owned())
    );
    assert_eq!(after[0].tax.to_string(), "3.00");
    let quote = p
        .quote(&QuoteRequest::for_order(answer.order_after.clone()))
        .unwrap();
    // Net of tax: 20.00 + 17.39 = 37.39 -> 37 points.
    assert_eq!(quote.total.to_string(), "37");
}

#[test]
fn a_points_coupon_needs_a_line_that_can_earn() {
    let mut p = program(json!({
        "eligibility": {"exclude_categories": ["tobacco"]},
        "coupons": [{"id": "x2", "code": "X2", "discount": {"type": "points_multiplier", "multiplier": "2"}},
                    {"id": "off", "code": "OFF", "discount": {"type": "amount_off", "amount": "5"}}]
    }))
    .unwrap();
    let request = |sku: &str, category: &str| {
        json!({
            "order": {"id": "o", "placed_at": "2026-05-04T10:00:00+03:00", "lines": [
                {"sku": sku, "categories": [category], "quantity": "1", "unit_price": "40"}]},
            "coupons": [{"code": "X2"}, {"code": "OFF"}]
        })
    };
    let tobacco = apply(&p, request("cigars", "tobacco"));
    assert_eq!(
        codes(&tobacco),
        [("X2".to_owned(), vec!["no_matching_lines"])]
    );
    // Money coupons are not about earning: OFF still applies.
    assert_eq!(tobacco.discount.to_string(), "5.00");
    p = program(json!({
        "eligibility": {"exclude_categories": ["tobacco"]},
        "coupons": [{"id": "x2", "code": "X2", "discount": {"type": "points_multiplier", "multiplier": "2"}}]
    }))
    .unwrap();
    let beans = apply(
        &p,
        json!({
            "order": {"id": "o", "placed_at": "2026-05-04T10:00:00+03:00", "lines": [
                {"sku": "yemen", "categories": ["beans"], "quantity": "1", "unit_price": "40"}]},
            "coupons": [{"code": "X2"}]
        }),
    );
    assert_eq!(beans.points_coupons, ["x2"]);
}
