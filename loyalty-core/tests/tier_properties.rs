//! Property tests of tier invariants over random programs and histories:
//! more qualifying activity never gives a lower tier; the history is the
//! same however the events are posted, and later events never rewrite
//! earlier transitions; downgrades happen only at evaluation instants (plus
//! the grace period), or at a refund under `refunds = "immediate"`.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: generators do plain arithmetic on small values, and a failure should fail loudly"
)]

use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc};
use loyalty_core::Program;
use loyalty_core::tiers::{Cause, TierBook, TierEvent};
use proptest::prelude::*;
use serde_json::{Value, json};

const LEVELS: [&str; 4] = ["member", "silver", "gold", "platinum"];

/// The evaluation schedule a generated program uses, checked against
/// instants independently of the engine's clock.
#[derive(Debug, Clone, Copy)]
enum Schedule {
    Monthly,
    Quarterly,
    Yearly,
    Anniversary,
    Never,
}

#[derive(Debug, Clone)]
struct Policy {
    program: Program,
    schedule: Schedule,
    grace_days: i64,
    immediate: bool,
}

fn policy() -> impl Strategy<Value = Policy> {
    (
        prop_oneof![
            Just((json!({"window": "rolling", "months": 3}), Schedule::Monthly)),
            Just((
                json!({"window": "rolling", "months": 12, "evaluate": "quarter"}),
                Schedule::Quarterly
            )),
            Just((json!({"window": "calendar_year"}), Schedule::Yearly)),
            Just((json!({"window": "membership_year"}), Schedule::Anniversary)),
            Just((json!({"window": "lifetime"}), Schedule::Never)),
        ],
        prop_oneof![Just(0i64), Just(10)],
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        prop_oneof![Just("all"), Just("any")],
        prop_oneof![Just(1u32), Just(3), Just(8)],
    )
        .prop_map(
            |(
                (window, schedule),
                grace,
                one_down,
                immediate,
                base,
                current_tier,
                combine,
                scale,
            )| {
                let mut tiers = window;
                tiers["grace_days"] = json!(grace);
                tiers["one_level_down"] = json!(one_down);
                tiers["refunds"] = json!(if immediate {
                    "immediate"
                } else {
                    "at_evaluation"
                });
                tiers["crossing_order"] = json!(if current_tier {
                    "current_tier"
                } else {
                    "new_tier"
                });
                let mut levels = vec![];
                for (i, id) in LEVELS.iter().enumerate() {
                    if i == 0 && base {
                        levels.push(json!({"id": id}));
                        continue;
                    }
                    let k = i as u32 + 1;
                    let (spend, retain) = (400 * k * k * scale, 250 * k * k * scale);
                    levels.push(json!({
                        "id": id,
                        "qualify": {"spend": spend.to_string(), "orders": 2 * k, "match": combine},
                        "retain": {"spend": retain.to_string(), "orders": k, "match": combine},
                    }));
                }
                tiers["levels"] = Value::Array(levels);
                let program = Program::from_value(json!({
                    "schema_version": 1, "id": "prop", "currency": "SAR",
                    "time_zone": "UTC", "tiers": tiers,
                }))
                .unwrap();
                Policy {
                    program,
                    schedule,
                    grace_days: grace,
                    immediate,
                }
            },
        )
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()
}

fn at(minutes: i64) -> String {
    (start() + Duration::minutes(minutes)).to_rfc3339()
}

/// One piece of activity, before ids are given.
#[derive(Debug, Clone)]
enum Step {
    /// Minutes after the start, spend.
    Order(i64, u32),
    /// Minutes after the start.
    Visit(i64),
    /// Which order (modulo their number), minutes after it, amount share in percent.
    Refund(usize, i64, u32),
}

const SPAN: i64 = 3 * 365 * 24 * 60;

fn steps() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(
        prop_oneof![
            6 => (0..SPAN, 0u32..1500).prop_map(|(t, s)| Step::Order(t, s)),
            1 => (0..SPAN).prop_map(Step::Visit),
            2 => (0usize..64, 0i64..200_000, 1u32..=100).prop_map(|(o, d, p)| Step::Refund(o, d, p)),
        ],
        0..80,
    )
}

/// The events of the steps for account `m`: a join first, then activity;
/// refunds name earlier orders and never refund more than is left.
fn events(steps: &[Step]) -> Vec<TierEvent> {
    let mut out = vec![json!({"type": "join", "id": "join", "account": "m", "at": at(0)})];
    let mut orders: Vec<(i64, u32, u32)> = vec![]; // at, spend, refunded
    for (i, s) in steps.iter().enumerate() {
        match s {
            Step::Order(t, spend) => {
                out.push(
                    json!({"type": "order", "id": format!("o{i}"), "account": "m",
                    "at": at(*t), "spend": spend.to_string(), "points": (spend / 10).to_string()}),
                );
                orders.push((*t, *spend, 0));
            }
            Step::Visit(t) => {
                out.push(
                    json!({"type": "visit", "id": format!("v{i}"), "account": "m", "at": at(*t)}),
                );
            }
            Step::Refund(o, d, pct) => {
                if orders.is_empty() {
                    continue;
                }
                let k = o % orders.len();
                let (t, spend, done) = orders[k];
                let amount = (spend * pct / 100).min(spend - done);
                if amount == 0 {
                    continue;
                }
                orders[k].2 += amount;
                let order_id =
                    out.iter().filter(|e| e["type"] == "order").nth(k).unwrap()["id"].clone();
                out.push(
                    json!({"type": "refund", "id": format!("r{i}"), "at": at(t + d),
                    "order": order_id, "amount": amount.to_string()}),
                );
            }
        }
    }
    out.into_iter()
        .map(|v| serde_json::from_value(v).unwrap())
        .collect()
}

fn rank(tier: Option<&str>) -> i32 {
    tier.map_or(-1, |t| LEVELS.iter().position(|l| *l == t).unwrap() as i32)
}

fn book(program: &Program, events: &[TierEvent]) -> TierBook {
    let (book, outcomes) = TierBook::replay(program, events);
    for o in outcomes {
        o.unwrap();
    }
    book
}

proptest! {
    /// An extra order anywhere never leaves the member in a lower tier at
    /// any instant.
    #[test]
    fn more_activity_never_gives_a_lower_tier(
        p in policy(),
        steps in steps(),
        extra_at in 0..SPAN,
        extra_spend in 1u32..3000,
        probes in prop::collection::vec(0..SPAN + 400 * 24 * 60, 1..6),
    ) {
        let base = events(&steps);
        let mut more = base.clone();
        more.push(serde_json::from_value(json!({"type": "order", "id": "extra", "account": "m",
            "at": at(extra_at), "spend": extra_spend.to_string(),
            "points": (extra_spend / 10).to_string()})).unwrap());
        let (a, b) = (book(&p.program, &base), book(&p.program, &more));
        for t in probes {
            let without = a.status(&p.program, "m", &at(t)).unwrap();
            let with = b.status(&p.program, "m", &at(t)).unwrap();
            prop_assert!(
                rank(with.tier.as_deref()) >= rank(without.tier.as_deref()),
                "at {}: {:?} with the extra order, {:?} without", at(t), with.tier, without.tier
            );
        }
    }

    /// Posting the events one by one in any order gives the same history as
    /// replaying them in time order, and a history up to an earlier instant
    /// is a prefix of a later one.
    #[test]
    fn history_does_not_depend_on_posting_order(
        p in policy(),
        steps in steps(),
        seed in any::<u64>(),
        cut in 0..SPAN,
    ) {
        let evs = events(&steps);
        let mut sorted = evs.clone();
        sorted.sort_by_key(|e| (DateTime::parse_from_rfc3339(e.at()).unwrap(), e.id().to_owned()));
        let one_pass = book(&p.program, &sorted);
        // Shuffle, keeping each refund after its order (the book needs the order first).
        let mut shuffled: Vec<TierEvent> = vec![];
        let mut rng = seed;
        for e in evs {
            rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let floor = match &e {
                TierEvent::Refund(r) => shuffled.iter().position(|x| x.id() == r.order).map_or(0, |i| i + 1),
                _ => 0,
            };
            let room = shuffled.len() + 1 - floor;
            let pos = floor + (rng >> 33) as usize % room;
            shuffled.insert(pos, e);
        }
        let by_one = book(&p.program, &shuffled);
        let end = at(SPAN + 400 * 24 * 60);
        let h1 = one_pass.history(&p.program, "m", &end).unwrap();
        let h2 = by_one.history(&p.program, "m", &end).unwrap();
        prop_assert_eq!(&h1, &h2);
        let early = one_pass.history(&p.program, "m", &at(cut)).unwrap();
        let cut_at = DateTime::parse_from_rfc3339(&at(cut)).unwrap();
        let prefix: Vec<_> = h1.transitions.iter()
            .filter(|t| DateTime::parse_from_rfc3339(&t.at).unwrap() <= cut_at)
            .cloned()
            .collect();
        prop_assert_eq!(early.transitions, prefix);
    }

    /// Every downgrade is an evaluation at an evaluation instant, the end of
    /// a grace period that started at one, or (only under the immediate
    /// policy) a refund.
    #[test]
    fn downgrades_only_at_evaluations(p in policy(), steps in steps()) {
        let evs = events(&steps);
        let b = book(&p.program, &evs);
        let h = b.history(&p.program, "m", &at(SPAN + 800 * 24 * 60)).unwrap();
        for t in &h.transitions {
            if rank(t.to.as_deref()) >= rank(t.from.as_deref()) {
                continue;
            }
            let when = DateTime::parse_from_rfc3339(&t.at).unwrap().with_timezone(&Utc);
            match t.cause {
                Cause::Evaluation | Cause::GraceExpired => {
                    let grace = if t.cause == Cause::GraceExpired { p.grace_days } else { 0 };
                    prop_assert!(grace > 0 || t.cause == Cause::Evaluation);
                    let e = when - Duration::days(grace);
                    prop_assert_eq!((e.hour(), e.minute(), e.second(), e.nanosecond()), (0, 0, 0, 0));
                    let ok = match p.schedule {
                        Schedule::Monthly => e.day() == 1,
                        Schedule::Quarterly => e.day() == 1 && [1, 4, 7, 10].contains(&e.month()),
                        Schedule::Yearly => e.day() == 1 && e.month() == 1,
                        // The member joined on 1 January.
                        Schedule::Anniversary => e.day() == 1 && e.month() == 1,
                        Schedule::Never => false,
                    };
                    prop_assert!(ok, "downgrade {:?} at {} is not an evaluation instant", t, t.at);
                }
                Cause::Refund => prop_assert!(p.immediate, "refund downgrade under at_evaluation: {:?}", t),
                other => prop_assert!(false, "downgrade caused by {:?}: {:?}", other, t),
            }
        }
    }
}

proptest! {
    /// A floor override holds at least its tier while it lasts, never
    /// changes what the member qualifies for, and once it ends the member
    /// holds exactly what they would have without it.
    #[test]
    fn a_floor_override_is_a_floor_and_leaves_no_trace(
        p in policy(),
        steps in steps(),
        level in 0usize..4,
        from in 0..SPAN,
        days in 1i64..400,
        probes in prop::collection::vec(0..SPAN + 400 * 24 * 60, 1..6),
    ) {
        let base = events(&steps);
        let until = from + days * 24 * 60;
        let mut more = base.clone();
        more.push(serde_json::from_value(json!({"type": "override", "id": "ov", "account": "m",
            "at": at(from), "until": at(until), "tier": LEVELS[level], "reason": "goodwill"})).unwrap());
        let (a, b) = (book(&p.program, &base), book(&p.program, &more));
        for t in probes {
            let without = a.status(&p.program, "m", &at(t)).unwrap();
            let with = b.status(&p.program, "m", &at(t)).unwrap();
            prop_assert_eq!(&with.earned_tier, &without.tier);
            if (from..until).contains(&t) {
                prop_assert_eq!(rank(with.tier.as_deref()), rank(without.tier.as_deref()).max(level as i32));
            } else {
                prop_assert_eq!(&with.tier, &without.tier);
            }
        }
    }
}
