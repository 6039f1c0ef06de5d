//! Property tests of coupon invariants over random orders and coupon sets:
//! apportioned line discounts add up exactly to each coupon's discount; no
//! line and no order total goes below zero; a coupon never takes more than
//! its lines cost; the answer does not depend on the order the codes were
//! typed in, and the same request always gives the same answer.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: generators do plain arithmetic on small values, and a failure should fail loudly"
)]

use std::collections::BTreeMap;

use loyalty_core::Program;
use loyalty_core::coupons::{CouponRequest, CouponResult, apportion};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};

const CATEGORIES: [&str; 3] = ["bakery", "coffee", "grocery"];

/// Every discount type, each as a public code; groups, an exclusive coupon
/// and priorities so that stacking has something to decide.
fn campaigns() -> Vec<Value> {
    vec![
        json!({"id": "pct", "code": "PCT", "discount": {"type": "percent", "percent": "15", "max": "40"}}),
        json!({"id": "pct-big", "code": "PCTBIG", "group": "season", "discount": {"type": "percent", "percent": "33.3"}}),
        json!({"id": "off", "code": "OFF", "group": "season", "discount": {"type": "amount_off", "amount": "12.5"}}),
        json!({"id": "each", "code": "EACH", "priority": 5, "discount": {"type": "amount_off_each", "amount": "1.75"}, "when": {"categories": ["bakery"]}}),
        json!({"id": "fixed", "code": "FIXED", "discount": {"type": "fixed_price", "price": "2"}, "when": {"categories": ["coffee"]}}),
        json!({"id": "b2g1", "code": "B2G1", "priority": 10, "discount": {"type": "buy_x_get_y", "buy": 2, "get": 1}}),
        json!({"id": "b1g1-half", "code": "B1G1", "discount": {"type": "buy_x_get_y", "buy": 1, "get": 1, "percent": "50", "pick": "most_expensive"}}),
        json!({"id": "ship", "code": "SHIP", "discount": {"type": "free_shipping", "max": "7"}}),
        json!({"id": "gift", "code": "GIFT", "discount": {"type": "free_gift", "sku": "cookie", "value": "3"}}),
        json!({"id": "double", "code": "DOUBLE", "discount": {"type": "points_multiplier", "multiplier": "2"}}),
        json!({"id": "vip", "code": "VIP", "exclusive": true, "discount": {"type": "percent", "percent": "25"}}),
        json!({"id": "budget", "code": "BUDGET", "limits": {"budget": "100"}, "discount": {"type": "amount_off", "amount": "30"}}),
    ]
}

const CODES: [&str; 12] = [
    "PCT", "PCTBIG", "OFF", "EACH", "FIXED", "B2G1", "B1G1", "SHIP", "GIFT", "DOUBLE", "VIP",
    "BUDGET",
];

fn program(currency: &str, percent_of: &str, rounding: &str) -> Program {
    Program::from_value(json!({
        "schema_version": 1, "id": "props", "currency": currency, "time_zone": "Asia/Riyadh",
        "earn_rules": [{"id": "base", "rate": {"points": "1", "per": "10"}}],
        "coupon_policy": {"percent_of": percent_of, "rounding": rounding},
        "coupons": campaigns(),
    }))
    .unwrap()
}

#[derive(Debug, Clone)]
struct Case {
    currency: &'static str,
    percent_of: &'static str,
    rounding: &'static str,
    lines: Vec<Value>,
    codes: Vec<&'static str>,
    budget_used: i64,
}

fn line(scale: u32) -> impl Strategy<Value = Value> {
    (
        0usize..3,
        prop_oneof![4 => (1i64..6).prop_map(|q| q * 100), 1 => 1i64..1000],
        1i64..20_000,
        0i64..50,
        prop_oneof![9 => Just("item"), 1 => Just("shipping")],
    )
        .prop_map(move |(cat, qty, price, discount_pct, kind)| {
            let quantity = Decimal::new(qty, 2);
            let unit_price = Decimal::new(price, scale);
            let gross = quantity * unit_price;
            let discount = (gross * Decimal::new(discount_pct, 2)).round_dp(scale);
            json!({
                "sku": format!("{}-{price}", CATEGORIES[cat]),
                "categories": [CATEGORIES[cat]],
                "quantity": quantity.to_string(),
                "unit_price": unit_price.to_string(),
                "discount": discount.to_string(),
                "kind": kind,
            })
        })
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop_oneof![Just(("SAR", 2u32)), Just(("JPY", 0)), Just(("KWD", 3))],
        prop_oneof![Just("discounted"), Just("original")],
        prop_oneof![Just("half-up"), Just("floor"), Just("half-even")],
        0i64..120,
    )
        .prop_flat_map(|((currency, scale), percent_of, rounding, budget_used)| {
            (
                proptest::collection::vec(line(scale), 1..9),
                proptest::sample::subsequence(CODES.to_vec(), 0..=CODES.len()).prop_shuffle(),
            )
                .prop_map(move |(lines, codes)| Case {
                    currency,
                    percent_of,
                    rounding,
                    lines,
                    codes,
                    budget_used,
                })
        })
}

fn request(case: &Case, codes: &[&str]) -> CouponRequest {
    CouponRequest::from_value(json!({
        "order": {"id": "o-1", "placed_at": "2026-05-04T12:00:00+03:00", "lines": case.lines},
        "customer": {"id": "c-1"},
        "coupons": codes.iter().map(|c| json!({"code": c})).collect::<Vec<_>>(),
        "counters": {"budget": {"uses": 3, "discount": case.budget_used.to_string()}},
    }))
    .unwrap()
}

fn apply(case: &Case, codes: &[&str]) -> CouponResult {
    program(case.currency, case.percent_of, case.rounding)
        .apply_coupons(&request(case, codes))
        .unwrap()
}

/// What each order line cost before coupons.
fn amounts(case: &Case) -> Vec<Decimal> {
    case.lines
        .iter()
        .map(|l| {
            let d = |k: &str| l[k].as_str().unwrap().parse::<Decimal>().unwrap();
            d("quantity") * d("unit_price") - d("discount")
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Every accepted coupon's line discounts add up exactly to its discount,
    /// the coupons' discounts to the order's, and each line's coupon discount
    /// to what the answer's lines say.
    #[test]
    fn line_discounts_add_up_exactly(case in case()) {
        let r = apply(&case, &case.codes);
        let mut per_line: BTreeMap<usize, Decimal> = BTreeMap::new();
        for a in &r.accepted {
            let sum: Decimal = a.lines.iter().map(|l| l.discount).sum();
            prop_assert_eq!(sum, a.discount, "coupon {}", a.code);
            for l in &a.lines {
                *per_line.entry(l.line).or_default() += l.discount;
            }
        }
        let total: Decimal = r.accepted.iter().map(|a| a.discount).sum();
        prop_assert_eq!(total, r.discount);
        for l in r.lines.iter().filter(|l| l.line < case.lines.len()) {
            prop_assert_eq!(per_line.get(&l.line).copied().unwrap_or_default(), l.discount);
            prop_assert_eq!(l.amount - l.discount, l.total);
        }
        prop_assert_eq!(r.subtotal - r.discount, r.total);
    }

    /// No line and no order total is negative, and every discount is in the
    /// currency's minor unit.
    #[test]
    fn nothing_goes_below_zero(case in case()) {
        let r = apply(&case, &case.codes);
        let scale = match case.currency { "JPY" => 0, "KWD" => 3, _ => 2 };
        for l in &r.lines {
            prop_assert!(l.total >= Decimal::ZERO, "line {} total {}", l.line, l.total);
        }
        prop_assert!(r.total >= Decimal::ZERO);
        for a in &r.accepted {
            for l in &a.lines {
                prop_assert!(l.discount > Decimal::ZERO);
                prop_assert_eq!(l.discount.round_dp(scale), l.discount);
            }
        }
        // The discounted order is a valid order: quoting it succeeds.
        let program = program(case.currency, case.percent_of, case.rounding);
        let quote = program.quote(&loyalty_core::QuoteRequest {
            order: Some(r.order_after.clone()),
            coupons: r.points_coupons.clone(),
            ..Default::default()
        });
        prop_assert!(quote.is_ok(), "{quote:?}");
    }

    /// A coupon never takes more than its lines cost: on each line, all the
    /// coupons together take at most the line's amount, and a coupon applied
    /// alone at most the sum of the lines it discounts.
    #[test]
    fn a_discount_never_exceeds_the_eligible_amount(case in case()) {
        let amounts = amounts(&case);
        let r = apply(&case, &case.codes);
        for l in r.lines.iter().filter(|l| l.line < amounts.len()) {
            prop_assert!(l.discount <= amounts[l.line]);
        }
        for code in &case.codes {
            let alone = apply(&case, &[code]);
            for a in &alone.accepted {
                let eligible: Decimal = a.lines.iter().map(|l| amounts[l.line]).sum();
                prop_assert!(a.discount <= eligible, "{} took {} of {}", a.code, a.discount, eligible);
            }
        }
    }

    /// The answer does not depend on the order codes were typed in (each
    /// code here is of its own campaign), and the same request gives the same
    /// answer twice.
    #[test]
    fn application_is_deterministic(case in case(), seed in any::<u64>()) {
        let first = apply(&case, &case.codes);
        let again = apply(&case, &case.codes);
        prop_assert_eq!(&first, &again);
        let mut shuffled = case.codes.clone();
        // A cheap deterministic shuffle from the seed.
        let n = shuffled.len();
        for i in (1..n).rev() {
            let j = (seed.rotate_left(i as u32) % (i as u64 + 1)) as usize;
            shuffled.swap(i, j);
        }
        let other = apply(&case, &shuffled);
        prop_assert_eq!(&first.accepted, &other.accepted);
        prop_assert_eq!(&first.lines, &other.lines);
        prop_assert_eq!(first.discount, other.discount);
        let reasons = |r: &CouponResult| {
            let mut v: Vec<String> = r.rejected.iter().map(|x| serde_json::to_string(x).unwrap()).collect();
            v.sort();
            v
        };
        prop_assert_eq!(reasons(&first), reasons(&other));
    }

    /// Apportionment adds up exactly, stays within every line's room and is
    /// proportional to within one minor unit where no room binds.
    #[test]
    fn apportion_adds_up_within_rooms(
        weights in proptest::collection::vec(0i64..100_000, 1..12),
        room_cut in proptest::collection::vec(0i64..100_000, 1..12),
        share in 0i64..=100,
        scale in 0u32..4,
    ) {
        let n = weights.len().min(room_cut.len());
        let weights: Vec<Decimal> = weights[..n].iter().map(|w| Decimal::new(*w, scale)).collect();
        let rooms: Vec<Decimal> = room_cut[..n].iter().map(|r| Decimal::new(*r, scale)).collect();
        let room_sum: Decimal = rooms.iter().sum();
        let total = (room_sum * Decimal::new(share, 2)).round_dp_with_strategy(scale, rust_decimal::RoundingStrategy::ToZero);
        let shares = apportion(total, &weights, &rooms, scale).unwrap();
        prop_assert_eq!(shares.iter().sum::<Decimal>(), total);
        for (s, r) in shares.iter().zip(&rooms) {
            prop_assert!(*s >= Decimal::ZERO && s <= r);
            prop_assert_eq!(s.round_dp(scale), *s);
        }
        prop_assert_eq!(apportion(total, &weights, &rooms, scale).unwrap(), shares.clone());
        // Where every line has room for its exact share plus a unit, each
        // share is its exact proportional share rounded down or up.
        let w_sum: Decimal = weights.iter().sum();
        let unit = Decimal::new(1, scale);
        if !w_sum.is_zero() && weights.iter().zip(&rooms).all(|(w, r)| total * w / w_sum + unit <= *r) {
            for (s, w) in shares.iter().zip(&weights) {
                let exact = total * w / w_sum;
                prop_assert!(*s >= exact - unit && *s <= exact + unit, "{s} vs {exact}");
            }
        }
    }
}
