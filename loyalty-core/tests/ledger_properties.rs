//! Property tests of the ledger's invariants over random event streams:
//! balances equal the open lots, lots never go negative, redemptions never
//! exceed what is available, refunds are exact (a full refund is as if the
//! order never earned; partial refunds in any order add up to a full one),
//! and retries or replays of any prefix change nothing.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: generators do plain arithmetic on small values, and a failure should fail loudly"
)]

use chrono::{Duration, TimeZone, Utc};
use loyalty_core::Program;
use loyalty_core::ledger::{Ledger, LedgerEvent, PostStatus};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};

const ACCOUNTS: [&str; 3] = ["m-1", "m-2", "m-3"];

/// A program with a random ledger policy.
fn program() -> impl Strategy<Value = (Program, &'static str)> {
    (
        prop_oneof![Just(0u32), Just(14)],
        prop_oneof![
            Just(json!({})),
            Just(json!({"after_days": 90})),
            Just(json!({"end_of": "month", "periods_after": 1})),
            Just(json!({"end_of": "quarter"})),
            Just(json!({"inactivity_days": 60})),
            Just(json!({"after_days": 200, "inactivity_days": 120})),
        ],
        prop_oneof![Just("other_lots"), Just("negative"), Just("debt")],
        prop_oneof![Just("original"), Just("new")],
        prop_oneof![Just("persian"), Just("gregorian")],
    )
        .prop_map(|(pending, expiry, shortfall, restore, calendar)| {
            let p = json!({
                "schema_version": 1, "id": "prop", "currency": "SAR",
                "time_zone": "Asia/Tehran", "calendar": calendar,
                "ledger": {"pending_days": pending, "expiry": expiry,
                           "shortfall": shortfall, "restore_expiry": restore}
            });
            (Program::from_value(p).unwrap(), shortfall)
        })
}

/// One step of a stream, before ids and times are filled in.
#[derive(Debug, Clone)]
enum Step {
    Earn {
        account: usize,
        lines: Vec<(u32, u32, u32)>,
    },
    Redeem {
        account: usize,
        points: u32,
    },
    Adjust {
        account: usize,
        points: i32,
    },
    Transfer {
        from: usize,
        to: usize,
        points: u32,
    },
    RefundAmount {
        order: usize,
        percent: u32,
    },
}

fn step() -> impl Strategy<Value = Step> {
    let account = 0..ACCOUNTS.len();
    prop_oneof![
        5 => (account.clone(), prop::collection::vec((1u32..4, 1u32..200, 0u32..300), 1..4))
            .prop_map(|(account, lines)| Step::Earn { account, lines }),
        3 => (account.clone(), 1u32..400).prop_map(|(account, points)| Step::Redeem { account, points }),
        1 => (account.clone(), -150i32..150)
            .prop_filter("not zero", |(_, p)| *p != 0)
            .prop_map(|(account, points)| Step::Adjust { account, points }),
        1 => (account.clone(), account, 1u32..200)
            .prop_filter("two accounts", |(a, b, _)| a != b)
            .prop_map(|(from, to, points)| Step::Transfer { from, to, points }),
        1 => (0usize..20, 1u32..60).prop_map(|(order, percent)| Step::RefundAmount { order, percent }),
    ]
}

/// Steps with gaps of 0 to 40 days between them.
fn stream() -> impl Strategy<Value = Vec<(Step, u32)>> {
    prop::collection::vec((step(), 0u32..40 * 24), 1..30)
}

fn at(hours: i64) -> String {
    let t0 = Utc.with_ymd_and_hms(2026, 1, 5, 8, 0, 0).unwrap();
    (t0 + Duration::hours(hours)).to_rfc3339()
}

/// The events of a stream, in time order, and the orders they earned
/// (event index, lines).
/// An order's id and lines (quantity, amount, points).
type OrderLines = (String, Vec<(u32, u32, u32)>);

fn events(steps: &[(Step, u32)]) -> (Vec<LedgerEvent>, Vec<OrderLines>) {
    let mut out = Vec::new();
    let mut orders: Vec<OrderLines> = Vec::new();
    let mut hours = 0i64;
    for (i, (s, gap)) in steps.iter().enumerate() {
        hours += i64::from(*gap);
        let id = format!("ev-{i}");
        let t = at(hours);
        let v = match s {
            Step::Earn { account, lines } => {
                let order = format!("o-{i}");
                let points: u32 = lines.iter().map(|l| l.2).sum();
                if points == 0 {
                    continue;
                }
                let amount: u32 = lines.iter().map(|l| l.1).sum();
                orders.push((order.clone(), lines.clone()));
                json!({"type": "earn", "id": id, "account": ACCOUNTS[*account], "at": t,
                       "points": points.to_string(), "order": order, "amount": amount.to_string(),
                       "lines": lines.iter().map(|(q, a, p)| json!({
                           "quantity": q.to_string(), "amount": a.to_string(), "points": p.to_string()
                       })).collect::<Vec<_>>()})
            }
            Step::Redeem { account, points } => {
                json!({"type": "redeem", "id": id, "account": ACCOUNTS[*account], "at": t,
                       "points": points.to_string()})
            }
            Step::Adjust { account, points } => {
                json!({"type": "adjust", "id": id, "account": ACCOUNTS[*account], "at": t,
                       "points": points.to_string(), "reason": "goodwill"})
            }
            Step::Transfer { from, to, points } => {
                json!({"type": "transfer", "id": id, "account": ACCOUNTS[*from],
                       "to": ACCOUNTS[*to], "at": t, "points": points.to_string()})
            }
            Step::RefundAmount { order, percent } => {
                let Some((o, lines)) = orders.get(order % orders.len().max(1)) else {
                    continue;
                };
                let amount: u32 = lines.iter().map(|l| l.1).sum();
                let refund = Decimal::from(amount) * Decimal::from(*percent) / Decimal::from(100);
                json!({"type": "refund", "id": id, "at": t, "order": o,
                       "amount": refund.round_dp(2).to_string()})
            }
        };
        out.push(LedgerEvent::from_value(v).unwrap());
    }
    (out, orders)
}

/// Everything observable about every account at `t`, as canonical JSON;
/// without totals, lots are summed by status, availability and expiry.
fn snapshot(ledger: &Ledger, program: &Program, t: &str, with_totals: bool) -> String {
    let mut all = serde_json::Map::new();
    for id in ACCOUNTS {
        let mut b = serde_json::to_value(ledger.balance(program, id, t).unwrap()).unwrap();
        if !with_totals {
            let expired = b["totals"]["expired"].clone();
            b.as_object_mut().unwrap().remove("totals");
            b["expired"] = expired;
        }
        let mut lots = serde_json::to_value(ledger.lots(program, id, t).unwrap()).unwrap();
        if !with_totals {
            // Points and expiry, not lot identity: a transfer posted before a
            // refund keeps the pieces it was given.
            let mut by: std::collections::BTreeMap<String, Decimal> = Default::default();
            for l in lots.as_array().unwrap() {
                let key = format!(
                    "{} {} {}",
                    l["status"].as_str().unwrap(),
                    l["available_at"].as_str().unwrap(),
                    l["expires_at"].as_str().unwrap_or("never")
                );
                *by.entry(key).or_default() += dec(&l["remaining"]);
            }
            lots = json!(
                by.into_iter()
                    .map(|(k, v)| (k, v.to_string()))
                    .collect::<std::collections::BTreeMap<_, _>>()
            );
        }
        all.insert(id.to_owned(), json!({"balance": b, "lots": lots}));
    }
    loyalty_core::canonical::to_string(&Value::Object(all))
}

fn post_all(program: &Program, events: &[LedgerEvent]) -> (Ledger, Vec<bool>) {
    let mut ledger = Ledger::new();
    let accepted = events
        .iter()
        .map(|e| ledger.post(program, e).is_ok())
        .collect();
    (ledger, accepted)
}

fn dec(v: &Value) -> Decimal {
    v.as_str().unwrap().parse().unwrap()
}

const LATER: &str = "2028-06-01T00:00:00+00:00";

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The available balance is the sum of the available lots (less what is
    /// owed when the policy lets the balance go negative), pending is the sum
    /// of pending lots, and no lot holds less than zero or more than it got.
    #[test]
    fn balances_are_the_sum_of_open_lots((program, shortfall) in program(), steps in stream(), probe in 0i64..(2 * 365 * 24)) {
        let (events, _) = events(&steps);
        let (ledger, _) = post_all(&program, &events);
        for t in [at(probe), LATER.to_owned()] {
            for id in ACCOUNTS {
                let b = serde_json::to_value(ledger.balance(&program, id, &t).unwrap()).unwrap();
                let lots = serde_json::to_value(ledger.lots(&program, id, &t).unwrap()).unwrap();
                let mut available = Decimal::ZERO;
                let mut pending = Decimal::ZERO;
                for l in lots.as_array().unwrap() {
                    let remaining = dec(&l["remaining"]);
                    prop_assert!(remaining > Decimal::ZERO, "{l}");
                    prop_assert!(remaining <= dec(&l["points"]), "{l}");
                    match l["status"].as_str().unwrap() {
                        "available" => available += remaining,
                        _ => pending += remaining,
                    }
                }
                let owed = dec(&b["owed"]);
                prop_assert!(owed >= Decimal::ZERO);
                if shortfall == "negative" {
                    available -= owed;
                }
                prop_assert_eq!(dec(&b["available"]), available, "{} at {}", id, t);
                prop_assert_eq!(dec(&b["pending"]), pending);
            }
        }
    }

    /// A redemption is taken only when the points available at its time
    /// cover it, and then the balance drops by exactly its points.
    #[test]
    fn redemptions_never_exceed_the_available_balance((program, _) in program(), steps in stream()) {
        let (events, _) = events(&steps);
        let mut ledger = Ledger::new();
        for e in &events {
            let LedgerEvent::Redeem(r) = e else {
                ledger.post(&program, e).ok();
                continue;
            };
            let before = ledger.balance(&program, &r.account, &r.at).unwrap().available;
            let posted = ledger.post(&program, e);
            let after = ledger.balance(&program, &r.account, &r.at).unwrap().available;
            if r.points <= before {
                prop_assert!(posted.is_ok(), "{posted:?}");
                prop_assert_eq!(after, before - r.points);
            } else {
                let err = posted.unwrap_err();
                prop_assert_eq!(loyalty_core::Coded::code(&err), "insufficient_points");
                prop_assert_eq!(after, before);
            }
        }
    }

    /// Posting every event one to three times, the retries arriving at
    /// random later points, gives the same ledger as posting each once; so
    /// does replaying any prefix again before going on.
    #[test]
    fn retries_and_replays_change_nothing(
        (program, _) in program(),
        steps in stream(),
        copies in prop::collection::vec((0usize..3, any::<prop::sample::Index>(), any::<prop::sample::Index>()), 30),
        prefix in any::<prop::sample::Index>(),
    ) {
        let (events, _) = events(&steps);
        let (once, _) = post_all(&program, &events);
        // Retries: each copy is inserted at a random position after the original.
        let mut sequence: Vec<usize> = (0..events.len()).collect();
        for (i, (extra, p1, p2)) in copies.iter().enumerate().take(events.len()) {
            for p in [p1, p2].into_iter().take(*extra) {
                let first = sequence.iter().position(|&x| x == i).unwrap();
                let pos = first + 1 + p.index(sequence.len() - first);
                sequence.insert(pos, i);
            }
        }
        let mut retried = Ledger::new();
        for &i in &sequence {
            let status = retried.post(&program, &events[i]);
            if let Ok(PostStatus::Duplicate) = status {
                continue;
            }
        }
        let t = LATER;
        prop_assert_eq!(snapshot(&once, &program, t, true), snapshot(&retried, &program, t, true));
        for id in ACCOUNTS {
            prop_assert_eq!(
                serde_json::to_value(once.statement(&program, id, t).unwrap()).unwrap(),
                serde_json::to_value(retried.statement(&program, id, t).unwrap()).unwrap()
            );
        }
        // A prefix posted twice before the rest.
        let cut = prefix.index(events.len() + 1);
        let mut replayed = Ledger::new();
        for e in events[..cut].iter().chain(&events[..cut]).chain(&events[cut..]) {
            replayed.post(&program, e).ok();
        }
        prop_assert_eq!(snapshot(&once, &program, t, true), snapshot(&replayed, &program, t, true));
    }

    /// A full refund of an order leaves every account as it would be if the
    /// order had never earned (points and expiry), when the other lots could
    /// cover what was spent; otherwise what could not be covered is owed.
    #[test]
    fn a_full_refund_is_as_if_the_order_never_earned(
        program in program().prop_filter("other_lots", |(_, s)| *s == "other_lots").prop_map(|(p, _)| p),
        steps in stream(),
        pick in any::<prop::sample::Index>(),
        late in 0i64..(24 * 60),
    ) {
        let (mut events, orders) = events(&steps);
        events.retain(|e| !matches!(e, LedgerEvent::Refund(_)));
        prop_assume!(!orders.is_empty());
        let (order, _) = &orders[pick.index(orders.len())];
        let last = events.iter().map(|e| e.at().to_owned()).max().unwrap();
        let last = chrono::DateTime::parse_from_rfc3339(&last).unwrap() + Duration::hours(late);
        let refund = LedgerEvent::from_value(json!({"type": "refund", "id": "full", "at": last.to_rfc3339(), "order": order})).unwrap();
        let (mut with, accepted) = post_all(&program, &events);
        let refunded = with.post(&program, &refund);
        let earned = events.iter().zip(&accepted).any(|(e, ok)| *ok && matches!(e, LedgerEvent::Earn(x) if x.order.as_deref() == Some(order)));
        prop_assume!(earned);
        prop_assert!(refunded.is_ok(), "{refunded:?}");
        // The same accepted events without the order's earning.
        let without_events: Vec<LedgerEvent> = events.iter().zip(&accepted)
            .filter(|(e, ok)| **ok && !matches!(e, LedgerEvent::Earn(x) if x.order.as_deref() == Some(order)))
            .map(|(e, _)| e.clone())
            .collect();
        let (without, accepted_without) = post_all(&program, &without_events);
        let t = (last + Duration::hours(1)).to_rfc3339();
        if accepted_without.iter().all(|ok| *ok) {
            prop_assert_eq!(snapshot(&with, &program, &t, false), snapshot(&without, &program, &t, false));
            prop_assert_eq!(snapshot(&with, &program, LATER, false), snapshot(&without, &program, LATER, false));
        }
        // Either way the refund took back exactly what the order earned
        // (some of it as a debt when what it paid for cannot be covered).
        let earned: Decimal = events.iter().find_map(|e| match e {
            LedgerEvent::Earn(x) if x.order.as_deref() == Some(order) => Some(x.points),
            _ => None,
        }).unwrap();
        let reversed: Decimal = ACCOUNTS.iter().map(|id| with.balance(&program, id, &t).unwrap().totals.unwrap().reversed).sum();
        prop_assert_eq!(reversed, earned);
    }

    /// Refunding an order in parts, by line and quantity, in any order,
    /// ends exactly where one full refund does.
    #[test]
    fn partial_refunds_in_any_order_equal_a_full_refund(
        (program, _) in program(),
        steps in stream(),
        pick in any::<prop::sample::Index>(),
        shuffle in any::<u64>(),
    ) {
        let (mut events, orders) = events(&steps);
        events.retain(|e| !matches!(e, LedgerEvent::Refund(_)));
        prop_assume!(!orders.is_empty());
        let (order, lines) = orders[pick.index(orders.len())].clone();
        let (base, accepted) = post_all(&program, &events);
        let earned = events.iter().zip(&accepted).any(|(e, ok)| *ok && matches!(e, LedgerEvent::Earn(x) if x.order.as_deref() == Some(order.as_str())));
        prop_assume!(earned);
        let last = events.iter().map(|e| e.at().to_owned()).max().unwrap();
        let t0 = chrono::DateTime::parse_from_rfc3339(&last).unwrap() + Duration::hours(1);
        // One unit per refund part, shuffled deterministically.
        let mut parts: Vec<(usize, u32)> = lines.iter().enumerate()
            .flat_map(|(i, (q, _, _))| (0..*q).map(move |k| (i, k)))
            .collect();
        let mut x = shuffle | 1;
        for i in (1..parts.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            parts.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let mut by_parts = base.clone();
        for (k, (line, _)) in parts.iter().enumerate() {
            let e = LedgerEvent::from_value(json!({"type": "refund", "id": format!("part-{k}"),
                "at": t0.to_rfc3339(), "order": order, "lines": [{"line": line, "quantity": "1"}]})).unwrap();
            prop_assert!(by_parts.post(&program, &e).is_ok());
        }
        let mut full = base;
        let e = LedgerEvent::from_value(json!({"type": "refund", "id": "full", "at": t0.to_rfc3339(), "order": order})).unwrap();
        prop_assert!(full.post(&program, &e).is_ok());
        let t = (t0 + Duration::hours(1)).to_rfc3339();
        prop_assert_eq!(snapshot(&by_parts, &program, &t, true), snapshot(&full, &program, &t, true));
        prop_assert_eq!(snapshot(&by_parts, &program, LATER, true), snapshot(&full, &program, LATER, true));
    }

    /// The state is a function of the events in time order: the ledger after
    /// all events equals, as of any instant, the ledger of the events up to it.
    #[test]
    fn a_past_balance_is_the_balance_of_the_events_up_to_then((program, _) in program(), steps in stream(), probe in any::<prop::sample::Index>()) {
        let (events, _) = events(&steps);
        prop_assume!(!events.is_empty());
        let (all, accepted) = post_all(&program, &events);
        let i = probe.index(events.len());
        let t = events[i].at().to_owned();
        let upto: Vec<LedgerEvent> = events.iter().zip(&accepted).filter(|(e, ok)| **ok && e.at() <= t.as_str()).map(|(e, _)| e.clone()).collect();
        let (prefix, _) = post_all(&program, &upto);
        prop_assert_eq!(snapshot(&all, &program, &t, true), snapshot(&prefix, &program, &t, true));
    }
}
