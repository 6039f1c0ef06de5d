//! Property tests of the accrual invariants.
//!
//! Programs and orders are generated from a small vocabulary so that rules
//! actually fire; every property is checked over all generated pairs.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    clippy::unwrap_used,
    reason = "test code: generators do plain arithmetic on small values, and a failure should fail loudly"
)]

use loyalty_core::calendar::CalendarKind;
use loyalty_core::model::{Customer, Line, LineKind, Order};
use loyalty_core::money::{DecimalText, RoundingMode};
use loyalty_core::program::format::*;
use loyalty_core::{Program, QuoteRequest};
use proptest::prelude::*;
use rust_decimal::Decimal;

const CATEGORIES: [&str; 4] = ["bakery", "coffee", "tobacco", "gift"];
const CHANNELS: [&str; 3] = ["pos", "web", "app"];

fn dec(units: i64, scale: u32) -> Decimal {
    Decimal::new(units, scale)
}

fn decimal_text(lo: i64, hi: i64, scale: u32) -> impl Strategy<Value = DecimalText> {
    (lo..=hi).prop_map(move |u| DecimalText::from(dec(u, scale)))
}

fn subset(items: &'static [&'static str]) -> impl Strategy<Value = Option<Vec<String>>> {
    proptest::option::weighted(0.3, proptest::sample::subsequence(items, 1..=items.len()))
        .prop_map(|o| o.map(|v| v.into_iter().map(str::to_owned).collect()))
}

fn when() -> impl Strategy<Value = WhenFile> {
    (
        subset(&CHANNELS),
        subset(&CATEGORIES),
        proptest::option::weighted(0.2, decimal_text(0, 5000, 2)),
        any::<bool>(),
    )
        .prop_map(
            |(channels, categories, min_spend, card_required)| WhenFile {
                channels,
                categories,
                min_spend,
                card_required,
                ..WhenFile::default()
            },
        )
}

fn cap() -> impl Strategy<Value = Option<CapFile>> {
    proptest::option::weighted(
        0.3,
        (
            proptest::option::of(decimal_text(1, 50, 0)),
            proptest::option::of(decimal_text(1, 80, 0)),
        )
            .prop_map(|(per_order, per_day)| CapFile {
                per_order,
                per_day,
                ..CapFile::default()
            }),
    )
}

#[derive(Debug, Clone)]
enum Kind {
    Rate(DecimalText, DecimalText),
    Multiplier(DecimalText),
    Bonus(DecimalText, BonusPer),
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        (decimal_text(1, 300, 2), decimal_text(1, 5000, 2)).prop_map(|(p, per)| Kind::Rate(p, per)),
        decimal_text(100, 400, 2).prop_map(Kind::Multiplier),
        (
            decimal_text(1, 2000, 2),
            prop_oneof![
                Just(BonusPer::Order),
                Just(BonusPer::Line),
                Just(BonusPer::Unit)
            ]
        )
            .prop_map(|(p, per)| Kind::Bonus(p, per)),
    ]
}

fn rule(i: usize) -> impl Strategy<Value = EarnRuleFile> {
    (
        kind(),
        -2i32..3,
        proptest::option::weighted(0.3, 0u8..2),
        when(),
        cap(),
    )
        .prop_map(move |(kind, priority, group, when, cap)| {
            let mut r = EarnRuleFile {
                id: format!("r{i}"),
                name: None,
                priority,
                group: None,
                rate: None,
                multiplier: None,
                bonus: None,
                event: None,
                when,
                cap,
            };
            match kind {
                Kind::Rate(points, per) => {
                    r.rate = Some(RateFile { points, per });
                    r.group = group.map(|g| format!("rates-{g}"));
                }
                Kind::Multiplier(m) => {
                    r.multiplier = Some(m);
                    r.group = group.map(|g| format!("extras-{g}"));
                }
                Kind::Bonus(points, per) => {
                    r.bonus = Some(BonusFile { points, per });
                    r.group = group.map(|g| format!("extras-{g}"));
                }
            }
            r
        })
}

fn program_file() -> impl Strategy<Value = ProgramFile> {
    let rules = (1usize..8).prop_flat_map(|n| (0..n).map(rule).collect::<Vec<_>>());
    let rounding = (
        prop_oneof![
            Just(RoundingMode::Floor),
            Just(RoundingMode::Ceil),
            Just(RoundingMode::HalfEven),
            Just(RoundingMode::HalfUp)
        ],
        prop_oneof![Just(RoundingLevel::Order), Just(RoundingLevel::Line)],
        0u32..3,
    )
        .prop_map(|(mode, level, scale)| RoundingFile { mode, level, scale });
    let stacking = prop_oneof![
        Just(MultiplierStacking::Multiply),
        Just(MultiplierStacking::Add),
        Just(MultiplierStacking::Max)
    ];
    (rules, rounding, stacking, any::<bool>()).prop_map(
        |(earn_rules, rounding, multipliers, exclude_tobacco)| ProgramFile {
            schema_version: 1,
            id: "prop".into(),
            name: None,
            currency: "SAR".into(),
            time_zone: "Asia/Riyadh".into(),
            calendar: CalendarKind::Gregorian,
            ledger: Default::default(),
            tiers: None,
            coupons: Vec::new(),
            coupon_policy: Default::default(),
            merge: Default::default(),
            referrals: None,
            triggers: None,
            insights: None,
            rounding,
            eligibility: EligibilityFile {
                exclude_categories: if exclude_tobacco {
                    vec!["tobacco".into()]
                } else {
                    vec![]
                },
                ..EligibilityFile::default()
            },
            multipliers,
            earn_rules,
        },
    )
}

fn line() -> impl Strategy<Value = Line> {
    (0usize..4, 1i64..500, 0i64..100_000, 0i64..100, prop_oneof![8 => Just(LineKind::Item), 1 => Just(LineKind::Shipping), 1 => Just(LineKind::GiftCard)]).prop_map(
        |(cat, qty, price, discount_pct, kind)| {
            let quantity = dec(qty, 2);
            let unit_price = dec(price, 2);
            let gross = quantity * unit_price;
            let discount = (gross * dec(discount_pct, 2)).round_dp(2).min(gross);
            Line {
                sku: format!("sku-{cat}-{qty}"),
                categories: vec![CATEGORIES[cat].to_owned()],
                quantity,
                unit_price,
                discount,
                tax: Decimal::ZERO,
                kind,
            }
        },
    )
}

fn request() -> impl Strategy<Value = QuoteRequest> {
    (
        proptest::collection::vec(line(), 1..12),
        0usize..3,
        any::<bool>(),
    )
        .prop_map(|(lines, ch, card)| QuoteRequest {
            order: Some(Order {
                id: "o".into(),
                currency: None,
                placed_at: "2026-05-04T12:00:00+03:00".into(),
                channel: Some(CHANNELS[ch].to_owned()),
                store: None,
                payment_method: None,
                lines,
            }),
            customer: Customer {
                card: card.then(|| "c-1".to_owned()),
                ..Customer::default()
            },
            ..QuoteRequest::default()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// The total is the sum of the explanation, and each award's points are
    /// its unrounded points plus rounding minus what the caps cut.
    #[test]
    fn total_is_the_sum_of_the_explanation(file in program_file(), req in request()) {
        let program = Program::from_value(serde_json::to_value(&file).unwrap()).unwrap();
        let quote = program.quote(&req).unwrap();
        let sum: Decimal = quote.awards.iter().map(|a| a.points).sum();
        prop_assert_eq!(quote.total, sum);
        for a in &quote.awards {
            let cuts: Decimal = a.caps.iter().map(|c| c.cut).sum();
            prop_assert_eq!(a.points, a.unrounded + a.rounding - cuts, "award {}", a.rule);
        }
    }

    /// Nothing is ever negative: not the total, not an award, not a line.
    #[test]
    fn points_are_never_negative(file in program_file(), req in request()) {
        let program = Program::from_value(serde_json::to_value(&file).unwrap()).unwrap();
        let quote = program.quote(&req).unwrap();
        prop_assert!(quote.total >= Decimal::ZERO);
        for a in &quote.awards {
            prop_assert!(a.points >= Decimal::ZERO && a.unrounded >= Decimal::ZERO);
            for l in &a.lines {
                prop_assert!(l.points >= Decimal::ZERO);
            }
        }
    }

    /// With rounding per order, reordering the lines changes no rule's points.
    #[test]
    fn line_order_does_not_matter_when_rounding_per_order(mut file in program_file(), req in request(), seed in any::<u64>()) {
        file.rounding.level = RoundingLevel::Order;
        let program = Program::from_value(serde_json::to_value(&file).unwrap()).unwrap();
        let mut shuffled = req.clone();
        let lines = &mut shuffled.order.as_mut().unwrap().lines;
        // A deterministic permutation from the seed.
        let n = lines.len();
        for i in (1..n).rev() {
            let j = (seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64) % (i as u64 + 1)) as usize;
            lines.swap(i, j);
        }
        let a = program.quote(&req).unwrap();
        let b = program.quote(&shuffled).unwrap();
        prop_assert_eq!(a.total, b.total);
        let pa: Vec<_> = a.awards.iter().map(|x| (&x.rule, x.points)).collect();
        let pb: Vec<_> = b.awards.iter().map(|x| (&x.rule, x.points)).collect();
        prop_assert_eq!(pa, pb);
    }

    /// Caps hold: no award exceeds its per-order cap, and the day counter
    /// returned never exceeds the per-day cap.
    #[test]
    fn caps_are_never_exceeded(file in program_file(), req in request()) {
        let program = Program::from_value(serde_json::to_value(&file).unwrap()).unwrap();
        let quote = program.quote(&req).unwrap();
        for a in &quote.awards {
            let rule = file.earn_rules.iter().find(|r| r.id == a.rule).unwrap();
            let Some(cap) = &rule.cap else { continue };
            if let Some(limit) = cap.per_order.as_ref().and_then(DecimalText::parse) {
                prop_assert!(a.points <= limit);
            }
            if let Some(limit) = cap.per_day.as_ref().and_then(DecimalText::parse) {
                let used = quote.counters[&a.rule].day.as_ref().unwrap().points;
                prop_assert!(used <= limit);
            }
        }
    }

    /// A program written out as JSON loads back into an equal program.
    #[test]
    fn program_json_round_trips(file in program_file()) {
        let program = Program::from_value(serde_json::to_value(&file).unwrap()).unwrap();
        let again = Program::from_json(&program.to_json()).unwrap();
        prop_assert_eq!(&program, &again);
        prop_assert_eq!(program.file(), &file);
    }

    /// Any JSON at all: the loader and the quoter answer, never panic.
    #[test]
    fn arbitrary_json_never_panics(value in arbitrary_json()) {
        let _ = Program::from_value(value.clone());
        if let Ok(req) = QuoteRequest::from_value(value) {
            let program = Program::from_json(r#"{"schema_version":1,"id":"p","currency":"SAR","time_zone":"Asia/Riyadh","earn_rules":[{"id":"b","rate":{"points":"1","per":"1"}}]}"#).unwrap();
            let _ = program.quote(&req);
        }
    }

    /// Programs that are almost right (one field mutated) never panic and, when
    /// refused, always say which code and path.
    #[test]
    fn mutated_programs_fail_with_codes(file in program_file(), key in "[a-z_]{1,12}", value in arbitrary_json()) {
        let mut v = serde_json::to_value(&file).unwrap();
        v["earn_rules"][0][key] = value;
        if let Err(errors) = Program::from_value(v) {
            use loyalty_core::Coded;
            for e in errors.errors() {
                prop_assert!(!e.code().is_empty());
            }
        }
    }
}

fn arbitrary_json() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[a-z0-9_:+.-]{0,12}".prop_map(Value::String),
        Just(Value::String("2026-03-01T10:00:00+03:00".into())),
        Just(Value::String("12.50".into())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("schema_version".to_owned()),
                    Just("id".to_owned()),
                    Just("currency".to_owned()),
                    Just("time_zone".to_owned()),
                    Just("earn_rules".to_owned()),
                    Just("order".to_owned()),
                    Just("lines".to_owned()),
                    Just("rate".to_owned()),
                    Just("when".to_owned()),
                    Just("placed_at".to_owned()),
                    Just("quantity".to_owned()),
                    Just("unit_price".to_owned()),
                    "[a-z_]{1,8}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// The generators must produce quotes where rules fire, caps cut and
/// rounding matters, or the properties above would hold vacuously.
#[test]
fn generators_exercise_the_engine() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut with_awards, mut with_caps, mut with_rounding, mut with_multiplier) = (0, 0, 0, 0);
    for _ in 0..300 {
        let file = program_file().new_tree(&mut runner).unwrap().current();
        let req = request().new_tree(&mut runner).unwrap().current();
        let program = Program::from_value(serde_json::to_value(&file).unwrap()).unwrap();
        let q = program.quote(&req).unwrap();
        with_awards += usize::from(q.awards.iter().any(|a| !a.points.is_zero()));
        with_caps += usize::from(q.awards.iter().any(|a| !a.caps.is_empty()));
        with_rounding += usize::from(q.awards.iter().any(|a| !a.rounding.is_zero()));
        with_multiplier += usize::from(
            q.awards
                .iter()
                .any(|a| a.kind == "multiplier" && !a.points.is_zero()),
        );
    }
    assert!(with_awards > 150, "{with_awards}");
    assert!(with_caps > 20, "{with_caps}");
    assert!(with_rounding > 100, "{with_rounding}");
    assert!(with_multiplier > 30, "{with_multiplier}");
}
