//! Invariants of lifecycle triggers (`Program::triggers`) over random
//! customers, days and calendars.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "test code"
)]

use chrono::{Days, NaiveDate, TimeZone};
use loyalty_core::Program;
use loyalty_core::calendar::{CalendarDate, CalendarKind, days_in_month, from_iso, to_iso};
use loyalty_core::insights::{
    AnniversaryDate, ExpiringPoints, TierAtRisk, Trigger, TriggerCustomer, TriggerKind,
    TriggerRequest,
};
use proptest::prelude::*;
use rust_decimal::Decimal;

const CALENDARS: [CalendarKind; 3] = [
    CalendarKind::Gregorian,
    CalendarKind::Persian,
    CalendarKind::IslamicUmmAlQura,
];

/// Zones the build carries (see `.cargo/config.toml`), `None` for the program's.
const ZONES: [Option<&str>; 6] = [
    None,
    Some("Asia/Tehran"),
    Some("Europe/London"),
    Some("America/Los_Angeles"),
    Some("Asia/Kolkata"),
    Some("Australia/Sydney"),
];

const PROGRAM_TOML: &str =
    "schema_version = 1\nid = \"p\"\ncurrency = \"SAR\"\ntime_zone = \"Asia/Riyadh\"\n";

/// A program with every trigger on: the yearly and lead ones `lead` days
/// before, welcome and win-back `after` days after. No coupons.
fn program(lead: u32, after: u32) -> Program {
    let mut toml = PROGRAM_TOML.to_owned();
    for name in [
        "birthday",
        "anniversary",
        "membership",
        "points_expiring",
        "tier_at_risk",
    ] {
        toml.push_str(&format!("\n[triggers.{name}]\nlead_days = {lead}\n"));
    }
    for name in ["welcome", "win_back"] {
        toml.push_str(&format!("\n[triggers.{name}]\nafter_days = {after}\n"));
    }
    Program::from_toml(&toml).unwrap()
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn plus(d: NaiveDate, days: i64) -> NaiveDate {
    if days >= 0 {
        d + Days::new(days as u64)
    } else {
        d - Days::new(days.unsigned_abs())
    }
}

fn customer(id: &str) -> TriggerCustomer {
    TriggerCustomer {
        id: id.to_owned(),
        time_zone: None,
        calendar: None,
        birth_date: None,
        anniversaries: Vec::new(),
        member_since: None,
        last_purchase: None,
        expiring: Vec::new(),
        tier_at_risk: None,
    }
}

fn on_date(date: NaiveDate, customers: Vec<TriggerCustomer>) -> TriggerRequest {
    TriggerRequest {
        date: Some(iso(date)),
        at: None,
        customers,
        seed: None,
    }
}

fn run(program: &Program, request: &TriggerRequest) -> Vec<Trigger> {
    program.triggers(request).unwrap().triggers
}

/// What a trigger is about, without the day it is due on.
fn about(t: &Trigger) -> (String, TriggerKind, String, Vec<(String, String)>) {
    (
        t.customer.clone(),
        t.kind,
        t.on.clone(),
        t.details
            .iter()
            .map(|d| (d.kind.clone(), d.value.clone()))
            .collect(),
    )
}

/// The day `date` would have `years` calendar years earlier in `kind`,
/// when that day exists there.
fn years_before(kind: CalendarKind, date: NaiveDate, years: i32) -> Option<NaiveDate> {
    let c = from_iso(kind, date)?;
    to_iso(
        kind,
        CalendarDate {
            year: c.year - years,
            ..c
        },
    )
}

/// The first day of `year` of `kind`.
fn new_year(kind: CalendarKind, year: i32) -> NaiveDate {
    to_iso(
        kind,
        CalendarDate {
            year,
            month: 1,
            day: 1,
        },
    )
    .unwrap()
}

/// The first of the two whole years of `kind` the sweep covers.
fn first_year(kind: CalendarKind) -> i32 {
    from_iso(kind, ymd(2026, 1, 1)).unwrap().year + 1
}

/// Checks that a lead-0 birthday in `kind` fires exactly once in each of
/// two whole consecutive years of `kind` (those starting after 1 January
/// 2026), on the birth date's month and day (the month's last day when that
/// year's month is shorter), with the years of that calendar. A customer
/// born `young` days into the first of those years has no birthday in it
/// (0 years) and her first in the second.
fn birthday_once_a_year(births: &[NaiveDate], young: Option<u64>) -> Result<(), TestCaseError> {
    let program = program(0, 0);
    let first = ymd(2026, 1, 1);
    let last = ymd(2029, 1, 1);
    let young_birth =
        |kind: CalendarKind| young.map(|o| new_year(kind, first_year(kind)) + Days::new(o));
    let everyone = |kind: CalendarKind| -> Vec<(String, NaiveDate)> {
        births
            .iter()
            .enumerate()
            .map(|(i, b)| (format!("{}-{i}", kind.name()), *b))
            .chain(young_birth(kind).map(|b| (format!("{}-young", kind.name()), b)))
            .collect()
    };
    let customers: Vec<TriggerCustomer> = CALENDARS
        .iter()
        .flat_map(|kind| {
            everyone(*kind)
                .into_iter()
                .map(move |(id, b)| TriggerCustomer {
                    calendar: Some(*kind),
                    birth_date: Some(iso(b)),
                    ..customer(&id)
                })
        })
        .collect();
    // Every day's birthdays, by customer id.
    let mut fired: std::collections::BTreeMap<String, Vec<(NaiveDate, Trigger)>> =
        Default::default();
    let mut day = first;
    while day < last {
        for t in run(&program, &on_date(day, customers.clone())) {
            prop_assert_eq!(t.kind, TriggerKind::Birthday);
            prop_assert_eq!(&t.date, &iso(day));
            prop_assert_eq!(&t.on, &iso(day), "lead 0: due on the day itself");
            fired.entry(t.customer.clone()).or_default().push((day, t));
        }
        day = day.succ_opt().unwrap();
    }
    for kind in CALENDARS {
        let y0 = first_year(kind);
        for (id, b) in everyone(kind) {
            let birth = from_iso(kind, b).unwrap();
            for y in [y0, y0 + 1] {
                let start = new_year(kind, y);
                let end = new_year(kind, y + 1);
                prop_assert!(end <= last);
                let in_year: Vec<&(NaiveDate, Trigger)> = fired
                    .get(&id)
                    .map(|v| v.iter().filter(|(d, _)| *d >= start && *d < end).collect())
                    .unwrap_or_default();
                if birth.year >= y {
                    prop_assert_eq!(in_year.len(), 0, "{} born {}: none at 0 years", id, b);
                    continue;
                }
                prop_assert_eq!(
                    in_year.len(),
                    1,
                    "{} born {} ({}) in year {}",
                    id,
                    b,
                    birth,
                    y
                );
                let (d, t) = in_year[0];
                let day_of = birth.day.min(days_in_month(kind, y, birth.month).unwrap());
                prop_assert_eq!(
                    from_iso(kind, *d).unwrap(),
                    CalendarDate {
                        year: y,
                        month: birth.month,
                        day: day_of
                    },
                    "{} born {}",
                    id,
                    b
                );
                prop_assert_eq!(
                    t.details
                        .iter()
                        .map(|d| (d.kind.as_str(), d.value.clone()))
                        .collect::<Vec<_>>(),
                    vec![("years", (y - birth.year).to_string())]
                );
            }
        }
    }
    Ok(())
}

/// Random customers around `day`: events at `day` plus a small offset,
/// mostly exactly on it, so that triggers are often due.
#[derive(Debug, Clone)]
struct Raw {
    calendar: u8,
    zone: u8,
    /// (offset from the target day, years back) of the birth date.
    birth: Option<(i64, i32)>,
    wedding: Option<(i64, i32)>,
    joined: Option<(i64, i32)>,
    last: Option<i64>,
    /// (offset, points)
    expiring: Vec<(i64, u32)>,
    evaluation: Option<i64>,
}

fn near() -> impl Strategy<Value = i64> {
    prop_oneof![3 => Just(0i64), 2 => -3i64..=3]
}

fn raw() -> impl Strategy<Value = Raw> {
    (
        0u8..3,
        0u8..6,
        proptest::option::of((near(), 0i32..60)),
        proptest::option::of((near(), 0i32..30)),
        proptest::option::of((near(), 0i32..5)),
        proptest::option::of(near()),
        proptest::collection::vec((near(), 0u32..1000), 0..4),
        proptest::option::of(near()),
    )
        .prop_map(
            |(calendar, zone, birth, wedding, joined, last, expiring, evaluation)| Raw {
                calendar,
                zone,
                birth,
                wedding,
                joined,
                last,
                expiring,
                evaluation,
            },
        )
}

/// The customer: yearly dates fall `years` back from `yearly` (+ offset),
/// welcome and win-back events at `since` (+ offset), expiring points and
/// the evaluation at `yearly` (+ offset).
fn build(i: usize, r: &Raw, yearly: NaiveDate, since: NaiveDate) -> TriggerCustomer {
    let kind = CALENDARS[usize::from(r.calendar % 3)];
    let back = |(off, years): (i64, i32)| {
        let d = plus(yearly, off);
        years_before(kind, d, years).unwrap_or(d)
    };
    TriggerCustomer {
        calendar: Some(kind),
        time_zone: ZONES[usize::from(r.zone % 6)].map(str::to_owned),
        birth_date: r.birth.map(|b| iso(back(b))),
        anniversaries: r
            .wedding
            .map(|w| AnniversaryDate {
                kind: "wedding".to_owned(),
                date: iso(back(w)),
            })
            .into_iter()
            .collect(),
        member_since: r.joined.map(|(off, years)| {
            if years == 0 {
                iso(plus(since, off))
            } else {
                iso(back((off, years)))
            }
        }),
        last_purchase: r.last.map(|off| iso(plus(since, off))),
        expiring: r
            .expiring
            .iter()
            .map(|(off, points)| ExpiringPoints {
                points: Decimal::from(*points),
                on: iso(plus(yearly, *off)),
            })
            .collect(),
        tier_at_risk: r.evaluation.map(|off| TierAtRisk {
            tier: "gold".to_owned(),
            evaluation: iso(plus(yearly, off)),
        }),
        ..customer(&format!("c-{i}"))
    }
}

fn is_lead(kind: TriggerKind) -> bool {
    !matches!(kind, TriggerKind::Welcome | TriggerKind::WinBack)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// (a) Over every day of two whole consecutive years of each calendar,
    /// a lead-0 birthday fires exactly once a year, on the birth month and
    /// day of that calendar (the month's last day when it is shorter), with
    /// that calendar's years, for any birth date; one born in the first of
    /// those years has none in it (0 years) and her first in the second.
    #[test]
    fn a_birthday_fires_once_a_year_in_every_calendar(
        offsets in proptest::collection::vec(0u64..(110 * 365), 3),
        young in 0u64..354,
    ) {
        let births: Vec<NaiveDate> = offsets.iter().map(|o| ymd(1910, 1, 1) + Days::new(*o)).collect();
        birthday_once_a_year(&births, Some(young))?;
    }
}

/// (a) for the dates whose day some years do not have: 29 February, 30
/// Esfand (1399 was leap, 1405 and 1406 are not; 1408 is), an Islamic
/// month's 30th day, a month's 31st.
#[test]
fn a_birthday_on_a_day_some_years_lack_fires_once_a_year() {
    let islamic_30th = (1..=12u8)
        .find_map(|month| {
            to_iso(
                CalendarKind::IslamicUmmAlQura,
                CalendarDate {
                    year: 1430,
                    month,
                    day: 30,
                },
            )
        })
        .unwrap();
    let births = [
        ymd(2000, 2, 29),
        ymd(2021, 3, 20),
        ymd(1996, 3, 19),
        islamic_30th,
        ymd(1999, 1, 31),
    ];
    assert_eq!(
        from_iso(CalendarKind::Persian, ymd(2021, 3, 20)).map(|c| (c.month, c.day)),
        Some((12, 30))
    );
    birthday_once_a_year(&births, None).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(160))]

    /// (b) A trigger with lead N due on day D is the lead-0 trigger on D+N
    /// (same customer, kind, `on` and details), and one with after_days N on
    /// D+N is the after-0 one on D (win-back's days aside); a yearly date
    /// built to recur on D+N is found. N stays below the shortest gap
    /// between two anniversaries (353 days: an Islamic year of 354 with a
    /// 30th clamped to the 29th).
    #[test]
    fn a_lead_shifts_the_due_day_and_nothing_else(
        n in prop_oneof![Just(0u32), Just(1), Just(7), 0u32..=352],
        day in 0u64..1500,
        raws in proptest::collection::vec(raw(), 1..6),
    ) {
        let d = ymd(2026, 1, 1) + Days::new(day);
        let target = d + Days::new(u64::from(n));
        let customers: Vec<TriggerCustomer> =
            raws.iter().enumerate().map(|(i, r)| build(i, r, target, d)).collect();
        let leads = program(n, n);
        let zero = program(0, 0);
        // Lead kinds: lead N on D == lead 0 on D+N.
        let a: Vec<_> = run(&leads, &on_date(d, customers.clone()));
        let b: Vec<_> = run(&zero, &on_date(target, customers.clone()));
        for t in &a {
            prop_assert_eq!(&t.date, &iso(d));
        }
        prop_assert_eq!(
            a.iter().filter(|t| is_lead(t.kind)).map(about).collect::<Vec<_>>(),
            b.iter().filter(|t| is_lead(t.kind)).map(about).collect::<Vec<_>>()
        );
        // After kinds: after N on D+N == after 0 on D.
        let a: Vec<_> = run(&leads, &on_date(target, customers.clone()));
        let b: Vec<_> = run(&zero, &on_date(d, customers.clone()));
        let short = |v: &[Trigger]| -> Vec<(String, TriggerKind, String)> {
            v.iter().filter(|t| !is_lead(t.kind)).map(|t| (t.customer.clone(), t.kind, t.on.clone())).collect()
        };
        prop_assert_eq!(short(&a), short(&b));
        for t in a.iter().filter(|t| t.kind == TriggerKind::WinBack) {
            prop_assert_eq!(&t.details[0].value, &n.to_string());
        }
        // What was built to be due is due: a birthday `years` (> 0) back
        // from D+N exactly, points expiring on D+N, a joining day D.
        let due = run(&zero, &on_date(target, customers.clone()));
        for (i, r) in raws.iter().enumerate() {
            let id = format!("c-{i}");
            let kind = CALENDARS[usize::from(r.calendar % 3)];
            let has = |k: TriggerKind| due.iter().any(|t| t.customer == id && t.kind == k && t.on == iso(target));
            if let Some((0, years)) = r.birth
                && years > 0
                && years_before(kind, target, years).is_some()
            {
                prop_assert!(has(TriggerKind::Birthday), "{} {:?}", id, r);
            }
            if r.expiring.iter().any(|(off, p)| *off == 0 && *p > 0) {
                prop_assert!(has(TriggerKind::PointsExpiring), "{} {:?}", id, r);
            }
            if r.evaluation == Some(0) {
                prop_assert!(has(TriggerKind::TierAtRisk), "{} {:?}", id, r);
            }
        }
    }

    /// (c) Each customer's triggers do not depend on who else is in the
    /// request: the answer is, customer by customer in request order, what
    /// a request with that customer alone gives, for the request as given
    /// and reversed and rotated.
    #[test]
    fn customers_are_answered_independently_in_request_order(
        lead in 0u32..30,
        day in 0u64..1500,
        raws in proptest::collection::vec(raw(), 1..8),
        rotate in 0usize..8,
    ) {
        let d = ymd(2026, 1, 1) + Days::new(day);
        let target = d + Days::new(u64::from(lead));
        let program = program(lead, lead);
        let customers: Vec<TriggerCustomer> =
            raws.iter().enumerate().map(|(i, r)| build(i, r, target, d)).collect();
        let mut reversed = customers.clone();
        reversed.reverse();
        let mut rotated = customers.clone();
        rotated.rotate_left(rotate % customers.len());
        for list in [customers, reversed, rotated] {
            let together = run(&program, &on_date(d, list.clone()));
            let alone: Vec<Trigger> = list
                .iter()
                .flat_map(|c| run(&program, &on_date(d, vec![c.clone()])))
                .collect();
            prop_assert_eq!(&together, &alone);
            // Within a customer, by kind.
            for w in together.windows(2) {
                if w[0].customer == w[1].customer {
                    prop_assert!(w[0].kind <= w[1].kind);
                }
            }
        }
    }

    /// (d) With `at`, each customer's triggers are those of `date` set to
    /// the local date of `at` in the customer's zone (the program's,
    /// Asia/Riyadh, when none is given).
    #[test]
    fn at_is_date_in_each_customers_zone(
        minutes in 0i64..(4 * 365 * 24 * 60),
        offset_hours in -12i32..=14,
        lead in 0u32..10,
        raws in proptest::collection::vec(raw(), 1..6),
    ) {
        let program = program(lead, lead);
        let start = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let instant = start + chrono::Duration::minutes(minutes);
        let written = instant
            .with_timezone(&chrono::FixedOffset::east_opt(offset_hours * 3600).unwrap())
            .to_rfc3339();
        // Dates built around the UTC day, so that zones one day apart differ.
        let d = instant.date_naive();
        let customers: Vec<TriggerCustomer> = raws
            .iter()
            .enumerate()
            .map(|(i, r)| build(i, r, d + Days::new(u64::from(lead)), d))
            .collect();
        let by_at = run(&program, &TriggerRequest {
            date: None,
            at: Some(written),
            customers: customers.clone(),
            seed: None,
        });
        let by_date: Vec<Trigger> = customers
            .iter()
            .flat_map(|c| {
                let zone: chrono_tz::Tz = c.time_zone.as_deref().unwrap_or("Asia/Riyadh").parse().unwrap();
                let local = instant.with_timezone(&zone).date_naive();
                run(&program, &on_date(local, vec![c.clone()]))
            })
            .collect();
        prop_assert_eq!(by_at, by_date);
    }
}
