//! Invariants of per-customer statistics over random order lists.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "test code"
)]

use std::collections::BTreeMap;

use chrono::{DateTime, Duration};
use loyalty_core::insights::{InsightLine, InsightOrder, StatsRequest};
use loyalty_core::{Coded, Program};
use proptest::prelude::*;
use rust_decimal::Decimal;

const AS_OF: &str = "2026-06-30T23:59:59+03:30";

const PROGRAM_TOML: &str =
    "schema_version = 1\nid = \"p\"\ncurrency = \"IRR\"\ntime_zone = \"Asia/Tehran\"\n";

fn program() -> Program {
    Program::from_toml(PROGRAM_TOML).unwrap()
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
            coupons: Vec::new(),
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
                ("new", first_days <= 30),
                ("lapsed", c.days_since_last > 180),
                ("one_time", c.visits == 1),
                ("vip", r >= 4 && f >= 4 && m >= 4),
                ("loyal", f >= 4),
                ("at_risk", r <= 2 && f >= 3),
                ("hibernating", r <= 2),
                ("regular", true),
            ];
            let expected = rules.iter().find(|(_, fits)| *fits).unwrap().0;
            prop_assert_eq!(c.rfm.segment.as_str(), expected, "{}", c.customer);
        }
        // Segment sizes: every default segment once, in order, counting its customers.
        let names: Vec<&str> = stats.segments.iter().map(|s| s.segment.as_str()).collect();
        prop_assert_eq!(names, loyalty_core::insights::SEGMENT_NAMES);
        for size in &stats.segments {
            let n = stats.customers.iter().filter(|c| c.rfm.segment == size.segment).count();
            prop_assert_eq!(size.customers, n as u64, "{}", size.segment);
        }
    }

    /// With cut points, each score counts the cuts the customer's value
    /// reaches, whoever else is in the data; custom segment rules apply
    /// in order.
    #[test]
    fn cut_points_score_each_customer_alone(raw in raw()) {
        let program = Program::from_toml(&format!("{PROGRAM_TOML}{CUTS_TOML}")).unwrap();
        let stats = program.customer_stats(&StatsRequest { orders: orders(&raw), as_of: AS_OF.into() }).unwrap();
        for c in &stats.customers {
            let days = [7i64, 30, 90, 180];
            let recency = 1 + days.iter().filter(|d| c.days_since_last <= **d).count() as u8;
            let frequency = 1 + [2u64, 3, 5, 8].iter().filter(|v| c.visits >= **v).count() as u8;
            let spend: Decimal = c.total_spend;
            let monetary = 1 + ["50", "100", "200", "400"].iter().filter(|v| spend >= v.parse::<Decimal>().unwrap()).count() as u8;
            prop_assert_eq!((c.rfm.recency, c.rfm.frequency, c.rfm.monetary), (recency, frequency, monetary), "{}", c.customer);
            let expected = if c.rfm.recency == 5 && c.rfm.frequency >= 4 {
                "champions"
            } else if c.days_since_last > 60 {
                "gone_quiet"
            } else {
                "everyone_else"
            };
            prop_assert_eq!(c.rfm.segment.as_str(), expected, "{}", c.customer);
        }
        let total: u64 = stats.segments.iter().map(|s| s.customers).sum();
        prop_assert_eq!(total, stats.customers.len() as u64);
    }
}

const CUTS_TOML: &str = r#"
[insights.rfm]
recency_days = [7, 30, 90, 180]
frequency = [2, 3, 5, 8]
monetary = ["50", "100", "200", "400"]

[[insights.segments]]
name = "champions"
recency = [5, 5]
frequency = [4, 5]

[[insights.segments]]
name = "gone_quiet"
no_purchase_for_days = 60

[[insights.segments]]
name = "everyone_else"
"#;

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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4))]

    /// A request large enough to be spread over several workers (4,096
    /// orders or more) gives every customer the statistics a request of
    /// their orders alone gives (scores aside: they rank customers against
    /// each other), and lists its errors in order.
    #[test]
    fn large_requests_agree_with_one_customer_at_a_time(
        raw in proptest::collection::vec((0u8..40, -200i64..6000, 0u32..500_000, 0u8..3, 0u8..8), 4096..4600),
        bad in proptest::collection::btree_set(0usize..4095, 1..6),
        // (Below 4095: the broken order is i + 1, and there are at least 4096.)
    ) {
        let program = program();
        let all = orders(&raw);
        let stats = program.customer_stats(&StatsRequest { orders: all.clone(), as_of: AS_OF.into() }).unwrap();
        // Each customer once, by id, and every order by as_of counted.
        prop_assert!(stats.customers.windows(2).all(|w| w[0].customer < w[1].customer));
        let visits: u64 = stats.customers.iter().map(|c| c.visits).sum();
        prop_assert_eq!(visits as usize + stats.later_orders, all.len());
        for c in stats.customers.iter().take(8) {
            let own: Vec<InsightOrder> = all.iter().filter(|o| o.customer == c.customer).cloned().collect();
            let alone = program.customer_stats(&StatsRequest { orders: own, as_of: AS_OF.into() }).unwrap();
            let mut expected = alone.customers[0].clone();
            expected.rfm = c.rfm.clone();
            prop_assert_eq!(c, &expected);
        }
        // Errors at the chosen orders: a repeated id of the first order,
        // then a bad instant, in the order of the orders.
        let mut broken = all.clone();
        for &i in &bad {
            broken[i + 1].id = broken[0].id.clone();
            broken[i + 1].at = "soon".into();
        }
        let errors = program.customer_stats(&StatsRequest { orders: broken, as_of: AS_OF.into() }).unwrap_err();
        let got: Vec<(String, String)> = errors.errors().iter().map(|e| (e.code().to_owned(), e.path().to_owned())).collect();
        let want: Vec<(String, String)> = bad
            .iter()
            .flat_map(|&i| {
                [
                    ("duplicate_order".to_owned(), format!("orders[{}].id", i + 1)),
                    ("invalid_timestamp".to_owned(), format!("orders[{}].at", i + 1)),
                ]
            })
            .collect();
        prop_assert_eq!(got, want);
    }
}
