//! A synthetic program of any size and orders of any length, for benchmarks.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use loyalty_core::model::{Customer, Order};
use loyalty_core::{Program, ProgramErrors};
use rand::Rng;
use serde_json::{Value, json};

use super::catalog::{CATEGORIES, PRODUCTS, STORES};
use super::{YEAR_END, YEAR_START, days_between, draw_moment, draw_order, pick};

const CHANNELS: [&str; 3] = ["pos", "app", "web"];
const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const EVENTS: [&str; 4] = [
    "survey_answered",
    "app_installed",
    "profile_completed",
    "review_written",
];

/// The `i`th item of a non-empty table, wrapping around.
fn nth<T: Copy>(items: &[T], i: usize, fallback: T) -> T {
    items
        .get(i.checked_rem(items.len()).unwrap_or(0))
        .copied()
        .unwrap_or(fallback)
}

/// A month number, 1 to 12.
fn month_of(i: usize) -> usize {
    (i % 12).saturating_add(1)
}

/// One synthetic rule; `i` (from 1) picks the kind and its details, cycling
/// through ten kinds so any prefix of rules mixes them all.
fn rule(i: usize) -> Value {
    let round = i.saturating_sub(1) / 10;
    let category = nth(CATEGORIES, i, "coffee");
    let sku = PRODUCTS
        .get(i.saturating_mul(7).checked_rem(PRODUCTS.len()).unwrap_or(0))
        .map_or("latte", |p| p.sku);
    match i.saturating_sub(1) % 10 {
        0 => json!({
            "id": format!("r{i:02}-category-x2"),
            "multiplier": "2",
            "when": {"categories": [category]},
        }),
        1 => json!({
            "id": format!("r{i:02}-channel"),
            "multiplier": "1.25",
            "when": {"channels": [nth(&CHANNELS, i, "app")]},
            "cap": {"per_day": "100"},
        }),
        2 => json!({
            "id": format!("r{i:02}-sku-unit"),
            "bonus": {"points": "5", "per": "unit"},
            "when": {"skus": [sku]},
            "cap": {"per_order": "50"},
        }),
        3 => {
            let from = 7_usize.saturating_add(i % 14);
            json!({
                "id": format!("r{i:02}-happy-hour"),
                "multiplier": "1.5",
                "when": {
                    "categories": [category],
                    "local_time": {"from": format!("{from:02}:00"), "to": format!("{:02}:00", from.saturating_add(3))},
                },
            })
        }
        4 => json!({
            "id": format!("r{i:02}-tier"),
            "group": "status",
            "multiplier": if round.is_multiple_of(2) { "1.25" } else { "1.5" },
            "when": {"tiers": [if round.is_multiple_of(2) { "silver" } else { "gold" }]},
        }),
        5 => json!({
            "id": format!("r{i:02}-big-basket"),
            "bonus": {"points": format!("{}", round.saturating_add(1).saturating_mul(10))},
            "when": {"min_spend": format!("{}", round.saturating_add(1).saturating_mul(300_000))},
        }),
        6 => json!({
            "id": format!("r{i:02}-weekday"),
            "bonus": {"points": "10"},
            "when": {"weekdays": [nth(&WEEKDAYS, i, "fri")], "card_required": true},
            "cap": {"per_day": "10"},
        }),
        7 => json!({
            "id": format!("r{i:02}-season"),
            "group": "season",
            "multiplier": "1.5",
            "when": {"months": {"months": [month_of(i)]}},
        }),
        8 => {
            let month = month_of(i);
            json!({
                "id": format!("r{i:02}-campaign"),
                "bonus": {"points": "20", "per": "line"},
                "when": {
                    "categories": [category],
                    "dates": {"from": format!("1404-{month:02}-01"), "to": format!("1404-{month:02}-25")},
                },
                "cap": {"budget": "100000"},
            })
        }
        _ if !round.is_multiple_of(2) => json!({
            "id": format!("r{i:02}-store-rate"),
            "group": "earn",
            "rate": {"points": "3", "per": "20000"},
            "when": {"stores": [nth(STORES, i, ("tajrish", 1)).0], "exclude_categories": ["cake"]},
        }),
        _ => json!({
            "id": format!("r{i:02}-event"),
            "event": {"type": nth(&EVENTS, round, "survey_answered"), "points": "20"},
            "cap": {"per_period": {"points": "40", "period": "month"}},
        }),
    }
}

/// A valid program of `rules` earning rules (at least one: the base rate) in
/// the sample chain's setting, mixing every kind of condition, effect and cap.
pub fn program_with_rules(rules: usize) -> Result<Program, ProgramErrors> {
    let mut list = vec![json!({
        "id": "base",
        "group": "earn",
        "rate": {"points": "1", "per": "10000"},
    })];
    list.extend((1..rules).map(rule));
    Program::from_value(json!({
        "schema_version": 1,
        "id": format!("synthetic-{rules}"),
        "currency": "IRR",
        "time_zone": "Asia/Tehran",
        "calendar": "persian",
        "multipliers": "multiply",
        "rounding": {"mode": "floor", "level": "line"},
        "eligibility": {"exclude_categories": ["tobacco", "gift_card"]},
        "earn_rules": list,
    }))
}

/// A random order of `lines` item lines from the sample menu, at a random
/// time of the sample year, in a random channel and store.
pub fn order_with_lines<R: Rng + ?Sized>(rng: &mut R, lines: usize) -> Order {
    let at = draw_moment(rng, YEAR_START, days_between(YEAR_START, YEAR_END));
    let channel = pick(rng, super::catalog::CHANNELS, "pos");
    let store = pick(rng, STORES, "tajrish");
    let n = u32::try_from(lines).unwrap_or(u32::MAX);
    // Only pick-ups: a delivery line would make it `lines + 1` lines.
    let mut order = draw_order(rng, at, channel, store, n);
    order.store = Some(store.to_owned());
    order
        .lines
        .retain(|l| l.kind != loyalty_core::model::LineKind::Shipping);
    order.id = format!("bench-{lines}");
    order
}

/// A silver card holder with a birthday and attributes, so that customer
/// conditions are evaluated rather than skipped.
pub fn bench_customer() -> Customer {
    Customer {
        id: Some("c-bench".to_owned()),
        card: Some("TC0000000001".to_owned()),
        tier: Some("silver".to_owned()),
        attributes: BTreeMap::from([
            ("city".to_owned(), "tehran".to_owned()),
            ("segment".to_owned(), "student".to_owned()),
        ]),
        birth_date: NaiveDate::from_ymd_opt(1990, 7, 15),
        joined_on: NaiveDate::from_ymd_opt(2021, 1, 10),
        first_purchase: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use loyalty_core::QuoteRequest;

    #[test]
    fn synthetic_programs_load() {
        for n in [1, 10, 50, 120] {
            let p = program_with_rules(n).unwrap();
            assert_eq!(p.rule_ids().count(), n);
        }
    }

    #[test]
    fn orders_have_the_lines_asked_for() {
        let mut rng = crate::sample::rng(1);
        let program = program_with_rules(50).unwrap();
        for n in [1, 10, 200] {
            let order = order_with_lines(&mut rng, n);
            assert_eq!(order.lines.len(), n);
            let request = QuoteRequest {
                order: Some(order),
                customer: bench_customer(),
                ..QuoteRequest::default()
            };
            let quote = program.quote(&request).unwrap();
            assert!(!quote.awards.is_empty());
        }
    }
}
