//! Invariants of per-customer statistics over random order lists.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "test code"
)]

use std::collections::BTreeMap;

use chrono::{DateTime, Duration};
use loyalty_core::Program;
use loyalty_core::insights::{InsightLine, InsightOrder, Segment, StatsRequest};
use proptest::prelude::*;
use rust_decimal::Decimal;

const AS_OF: &str = "2026-06-30T23:59:59+03:30";

fn program() -> Program {
    Program::from_toml(
        "schema_version = 1\nid = \"p\"\ncurrency = \"IRR\"\ntime_zone = \"Asia/Tehran\"\n",
    )
    .unwrap()
}

/// (customer, hours before as_of (some after it), amount, channel, category)
type Raw = (u8, i64, u32, u8, u8);

fn orders(raw: &[Raw]) -> Vec<InsightOrder> {
    let as_of = DateTime::parse_from_rfc3339(AS_OF).unwrap();
    raw.iter()
        .enumerate()
        .map(|(i, &(c, hours, amount, channel, category))| InsightOrder {
            id: format!("o-{i}"),
            customer: format!("c-{c}"),
            at: (as_of - Duration::hours(hours)).to_rfc3339(),
            amount: Decimal::from(amount),
            channel: Some(["pos", "web", "app"][usize::from(channel % 3)].to_owned()),
            store: None,
            payment: None,
            points_paid: None,
            coupon_discount: None,
            lines: vec![InsightLine {
                sku: format!("sku-{category}"),
                category: Some(format!("cat-{}", category % 4)),
                quantity: Decimal::ONE,
                amount: Decimal::from(amount),
            }],
        })
        .collect()
}

fn raw() -> impl Strategy<Value = Vec<Raw>> {
    proptest::collection::vec(
        (0u8..12, -200i64..6000, 0u32..500_000, 0u8..3, 0u8..8),
        0..80,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// The answer does not depend on the order the orders come in.
    #[test]
    fn order_of_orders_does_not_matter(raw in raw(), seed in any::<u64>()) {
        let program = program();
        let list = orders(&raw);
        let mut shuffled = list.clone();
        // A deterministic shuffle from the seed.
        let n = shuffled.len();
        for i in (1..n).rev() {
            let j = (seed.rotate_left(i as u32) as usize) % (i + 1);
            shuffled.swap(i, j);
        }
        let a = program.customer_stats(&StatsRequest { orders: list, as_of: AS_OF.into() }).unwrap();
        let b = program.customer_stats(&StatsRequest { orders: shuffled, as_of: AS_OF.into() }).unwrap();
        prop_assert_eq!(a, b);
    }

    /// Every order by as_of is counted once, in visits and in spend, and
    /// every later one is counted as later.
    #[test]
    fn every_order_counts_once(raw in raw()) {
        let program = program();
        let stats = program.customer_stats(&StatsRequest { orders: orders(&raw), as_of: AS_OF.into() }).unwrap();
        let kept: Vec<&Raw> = raw.iter().filter(|r| r.1 >= 0).collect();
        prop_assert_eq!(stats.later_orders, raw.len() - kept.len());
        prop_assert_eq!(stats.customers.iter().map(|c| c.visits).sum::<u64>(), kept.len() as u64);
        let spend: Decimal = stats.customers.iter().map(|c| c.total_spend).sum();
        prop_assert_eq!(spend, kept.iter().map(|r| Decimal::from(r.2)).sum::<Decimal>());
    }

    /// Scores are 1 to 5 and never rank a customer below one with less:
    /// more recent, more visits or more spend never scores lower.
    #[test]
    fn scores_are_monotone(raw in raw()) {
        let program = program();
        let stats = program.customer_stats(&StatsRequest { orders: orders(&raw), as_of: AS_OF.into() }).unwrap();
        for a in &stats.customers {
            for s in [a.rfm.recency, a.rfm.frequency, a.rfm.monetary] {
                prop_assert!((1..=5).contains(&s));
            }
            for b in &stats.customers {
                if a.visits > b.visits { prop_assert!(a.rfm.frequency >= b.rfm.frequency); }
                if a.total_spend > b.total_spend { prop_assert!(a.rfm.monetary >= b.rfm.monetary); }
                if a.last_purchase_ms() > b.last_purchase_ms() { prop_assert!(a.rfm.recency >= b.rfm.recency); }
            }
        }
        // The top spender, when alone at the top, scores 5.
        let mut by_spend: BTreeMap<Decimal, usize> = BTreeMap::new();
        for c in &stats.customers { *by_spend.entry(c.total_spend).or_default() += 1; }
        if let Some((top, 1)) = by_spend.iter().next_back().map(|(k, v)| (*k, *v)) {
            let c = stats.customers.iter().find(|c| c.total_spend == top).unwrap();
            prop_assert_eq!(c.rfm.monetary, 5);
        }
    }

    /// A customer's segment is the first rule that fits.
    #[test]
    fn the_segment_is_the_first_rule_that_fits(raw in raw()) {
        let program = program();
        let stats = program.customer_stats(&StatsRequest { orders: orders(&raw), as_of: AS_OF.into() }).unwrap();
        let as_of = DateTime::parse_from_rfc3339(AS_OF).unwrap();
        for c in &stats.customers {
            let first = DateTime::parse_from_rfc3339(&c.first_purchase).unwrap();
            let first_days = (as_of - first).num_days();
            let (r, f, m) = (c.rfm.recency, c.rfm.frequency, c.rfm.monetary);
            let rules = [
                (Segment::New, first_days <= 30),
                (Segment::Lapsed, c.days_since_last > 180),
                (Segment::OneTime, c.visits == 1),
                (Segment::Vip, r >= 4 && f >= 4 && m >= 4),
                (Segment::Loyal, f >= 4),
                (Segment::AtRisk, r <= 2 && f >= 3),
                (Segment::Hibernating, r <= 2),
                (Segment::Regular, true),
            ];
            let expected = rules.iter().find(|(_, fits)| *fits).unwrap().0;
            prop_assert_eq!(c.rfm.segment, expected, "{}", c.customer);
        }
    }
}

trait LastMs {
    fn last_purchase_ms(&self) -> i64;
}

impl LastMs for loyalty_core::insights::CustomerStats {
    fn last_purchase_ms(&self) -> i64 {
        DateTime::parse_from_rfc3339(&self.last_purchase)
            .unwrap()
            .timestamp_millis()
    }
}
