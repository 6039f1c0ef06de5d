//! Lifecycle triggers due on a date: birthdays and anniversaries in each
//! customer's calendar, welcome, win-back, points about to expire and a
//! tier at risk. The host turns them into SMS or e-mail.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::accrual::engine::parse_instant;
use crate::accrual::{RequestError, RequestErrors};
use crate::calendar::{CalendarKind, anniversary, from_iso};
use crate::coupons::GenerateRequest;
use crate::money::dec;
use crate::program::compile::Checker;
use crate::program::{Program, ProgramError};

/// The program's `[triggers]`: which lifecycle messages are due when. A
/// trigger left out is off.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TriggersFile {
    /// Birthdays, `lead_days` before (0: on the day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthday: Option<LeadFile>,
    /// The customer's own anniversaries (wedding, ...), `lead_days` before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anniversary: Option<LeadFile>,
    /// The anniversary of joining the club.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub membership: Option<LeadFile>,
    /// `after_days` after joining (0: the day they join).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub welcome: Option<AfterFile>,
    /// `after_days` after the last purchase, once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub win_back: Option<AfterFile>,
    /// Points expiring within `lead_days`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points_expiring: Option<LeadFile>,
    /// A tier that will be lost at its evaluation within `lead_days`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier_at_risk: Option<LeadFile>,
}

/// A trigger due some days before an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadFile {
    /// Days before the event.
    #[serde(default)]
    pub lead_days: u32,
    /// A `personal` coupon campaign to issue a code of with the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon: Option<String>,
}

/// A trigger due some days after an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AfterFile {
    /// Days after the event.
    #[serde(default)]
    pub after_days: u32,
    /// A `personal` coupon campaign to issue a code of with the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon: Option<String>,
}

/// Checks `[triggers]`: coupon campaigns must exist and be personal.
pub(crate) fn check_triggers(c: &mut Checker, file: &TriggersFile, personal: &[&str]) {
    let coupons = [
        (
            "birthday",
            file.birthday.as_ref().and_then(|t| t.coupon.as_ref()),
        ),
        (
            "anniversary",
            file.anniversary.as_ref().and_then(|t| t.coupon.as_ref()),
        ),
        (
            "membership",
            file.membership.as_ref().and_then(|t| t.coupon.as_ref()),
        ),
        (
            "welcome",
            file.welcome.as_ref().and_then(|t| t.coupon.as_ref()),
        ),
        (
            "win_back",
            file.win_back.as_ref().and_then(|t| t.coupon.as_ref()),
        ),
        (
            "points_expiring",
            file.points_expiring
                .as_ref()
                .and_then(|t| t.coupon.as_ref()),
        ),
        (
            "tier_at_risk",
            file.tier_at_risk.as_ref().and_then(|t| t.coupon.as_ref()),
        ),
    ];
    for (name, coupon) in coupons {
        if let Some(id) = coupon
            && !personal.contains(&id.as_str())
        {
            c.push(ProgramError::UnknownCoupon {
                path: format!("triggers.{name}.coupon"),
                id: id.clone(),
            });
        }
    }
}

/// Who to look at, and when: give `date` or `at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TriggerRequest {
    /// The day to find triggers due on, `YYYY-MM-DD`, the same local day
    /// for every customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// An instant (RFC 3339 with an offset): each customer's day is the
    /// local date then in their `time_zone` (the program's by default), so
    /// a run at 22:00 UTC finds Tehran's tomorrow and London's today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// The customers, each once (a repeated id is `duplicate_profile`).
    pub customers: Vec<TriggerCustomer>,
    /// Seed for the coupon codes (a whole number as text): the same seed
    /// gives the same codes everywhere. Without one they come from the
    /// operating system's secure generator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<String>,
}

/// What the host knows of one customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TriggerCustomer {
    /// The customer.
    pub id: String,
    /// The customer's IANA time zone (`Europe/London`), for `at`; the
    /// program's by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// The calendar the customer keeps dates in (their birthday falls on
    /// the same day of the same month of it every year); the program's by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<CalendarKind>,
    /// Birth date, `YYYY-MM-DD` (Gregorian).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    /// Other dates to remember (`wedding`), `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub anniversaries: Vec<AnniversaryDate>,
    /// The day they joined, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_since: Option<String>,
    /// The day of their last purchase, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_purchase: Option<String>,
    /// Points about to expire (from the ledger's `expiring`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expiring: Vec<ExpiringPoints>,
    /// Their tier and the day it is evaluated, when they would lose it then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier_at_risk: Option<TierAtRisk>,
}

/// A date to remember.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnniversaryDate {
    /// What it is (`wedding`).
    pub kind: String,
    /// `YYYY-MM-DD`.
    pub date: String,
}

/// Points that expire on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpiringPoints {
    /// Points.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub points: Decimal,
    /// `YYYY-MM-DD`.
    pub on: String,
}

/// A tier the customer would lose at its evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TierAtRisk {
    /// The tier.
    pub tier: String,
    /// The evaluation day, `YYYY-MM-DD`.
    pub evaluation: String,
}

/// Kinds of trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TriggerKind {
    /// A birthday.
    Birthday,
    /// One of the customer's anniversaries.
    Anniversary,
    /// The anniversary of joining.
    Membership,
    /// Welcome after joining.
    Welcome,
    /// Win-back after days without a purchase.
    WinBack,
    /// Points about to expire.
    PointsExpiring,
    /// A tier at risk.
    TierAtRisk,
}

/// A coupon code issued with a trigger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct TriggerCoupon {
    /// The campaign.
    pub campaign: String,
    /// The code, bound to the customer.
    pub code: String,
    /// Its record, as `generate_codes` gives it: what the host stores and
    /// passes back with the code to `apply_coupons`.
    pub issued: crate::coupons::IssuedCode,
}

/// One message due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Trigger {
    /// The customer.
    pub customer: String,
    /// Which.
    pub kind: TriggerKind,
    /// The customer's local day it is due on (`YYYY-MM-DD`).
    pub date: String,
    /// The day of the event it is about (`YYYY-MM-DD`, Gregorian).
    pub on: String,
    /// Details: the anniversary's kind and years, points, tier, days
    /// (empty for a welcome).
    pub details: Vec<TriggerDetail>,
    /// A coupon code, when the program issues one with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon: Option<TriggerCoupon>,
}

/// One detail of a trigger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct TriggerDetail {
    /// What it is (`years`, `points`, `tier`, `days`, `anniversary`).
    pub kind: String,
    /// Its value.
    pub value: String,
}

/// The answer of [`Program::triggers`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Triggers {
    /// Every trigger due, by customer (in request order), then kind.
    pub triggers: Vec<Trigger>,
}

/// A `YYYY-MM-DD` day: four-digit year from 0001, two-digit month and day.
pub(crate) fn day(text: &str, path: &str, errors: &mut Vec<RequestError>) -> Option<NaiveDate> {
    let t = text.trim();
    let shaped = t.len() == 10
        && t.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
        && !t.starts_with("0000");
    let d = shaped
        .then(|| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok())
        .flatten();
    if d.is_none() {
        errors.push(RequestError::InvalidTimestamp {
            path: path.to_owned(),
            value: text.to_owned(),
        });
    }
    d
}

fn detail(kind: &str, value: impl ToString) -> TriggerDetail {
    TriggerDetail {
        kind: kind.to_owned(),
        value: value.to_string(),
    }
}

/// The next anniversary of `date` in `kind` on or after `from`, and how
/// many years it makes (month and day kept in that calendar; a 29 February
/// or 30 Esfand falls on the month's last day in shorter years).
fn next_anniversary(
    kind: CalendarKind,
    date: NaiveDate,
    from: NaiveDate,
) -> Option<(NaiveDate, i32)> {
    let original = from_iso(kind, date)?;
    let now = from_iso(kind, from)?;
    [now.year, now.year.checked_add(1)?]
        .into_iter()
        .filter_map(|y| Some((anniversary(kind, y, original.month, original.day)?, y)))
        .find(|(d, _)| *d >= from)
        .map(|(d, y)| (d, y.saturating_sub(original.year)))
}

impl Program {
    /// Every lifecycle trigger the program's `[triggers]` make due on
    /// `request.date`, with personal coupon codes where it says so.
    pub fn triggers(&self, request: &TriggerRequest) -> Result<Triggers, RequestErrors> {
        let mut errors = Vec::new();
        let date = request.date.as_deref().map(|d| day(d, "date", &mut errors));
        let at = request.at.as_deref().map(|a| match parse_instant(a, "at") {
            Ok(at) => Some(at),
            Err(e) => {
                errors.push(e);
                None
            }
        });
        if date.is_some() == at.is_some() {
            errors.push(RequestError::DateAndAtNotOne);
        }
        // The seed is checked whether or not a code is due.
        let seed = request.seed.as_deref().map(|text| {
            let seed = text.trim().parse::<u64>().ok();
            if seed.is_none() {
                errors.push(RequestError::InvalidSeed {
                    path: "seed".to_owned(),
                    value: text.to_owned(),
                });
            }
            seed
        });
        let t = self.file.triggers.clone().unwrap_or_default();
        let mut due: Vec<(Trigger, Option<String>)> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for (i, c) in request.customers.iter().enumerate() {
            let path = |field: &str| format!("customers[{i}].{field}");
            if c.id.trim().is_empty() {
                errors.push(RequestError::EmptyValue { path: path("id") });
            } else if !seen.insert(c.id.as_str()) {
                errors.push(RequestError::DuplicateProfile {
                    path: path("id"),
                    id: c.id.clone(),
                });
            }
            let calendar = c.calendar.unwrap_or(self.calendar());
            let zone = match c.time_zone.as_deref() {
                None => Some(self.time_zone()),
                Some(name) => {
                    let tz = name.trim().parse::<chrono_tz::Tz>().ok();
                    if tz.is_none() {
                        errors.push(RequestError::InvalidTimeZone {
                            path: path("time_zone"),
                            value: name.to_owned(),
                        });
                    }
                    tz
                }
            };
            let today = match (date, at, zone) {
                (Some(d), _, _) => d,
                (None, Some(Some(at)), Some(tz)) => Some(at.with_timezone(&tz).date_naive()),
                _ => None,
            };
            let birth = c
                .birth_date
                .as_deref()
                .and_then(|d| day(d, &path("birth_date"), &mut errors));
            let joined = c
                .member_since
                .as_deref()
                .and_then(|d| day(d, &path("member_since"), &mut errors));
            let last = c
                .last_purchase
                .as_deref()
                .and_then(|d| day(d, &path("last_purchase"), &mut errors));
            let dates: Vec<(String, Option<NaiveDate>)> = c
                .anniversaries
                .iter()
                .enumerate()
                .map(|(k, a)| {
                    (
                        a.kind.clone(),
                        day(
                            &a.date,
                            &format!("customers[{i}].anniversaries[{k}].date"),
                            &mut errors,
                        ),
                    )
                })
                .collect();
            for (k, e) in c.expiring.iter().enumerate() {
                if e.points < Decimal::ZERO {
                    errors.push(RequestError::NegativeAmount {
                        path: format!("customers[{i}].expiring[{k}].points"),
                        value: e.points,
                    });
                }
            }
            let expiring: Vec<(Decimal, Option<NaiveDate>)> = c
                .expiring
                .iter()
                .enumerate()
                .map(|(k, e)| {
                    (
                        e.points,
                        day(
                            &e.on,
                            &format!("customers[{i}].expiring[{k}].on"),
                            &mut errors,
                        ),
                    )
                })
                .collect();
            let risk = c.tier_at_risk.as_ref().map(|r| {
                (
                    r.tier.clone(),
                    day(&r.evaluation, &path("tier_at_risk.evaluation"), &mut errors),
                )
            });
            let Some(today) = today else { continue };
            let mut push = |kind, on: NaiveDate, details, coupon: Option<&String>| {
                due.push((
                    Trigger {
                        customer: c.id.clone(),
                        kind,
                        date: today.format("%Y-%m-%d").to_string(),
                        on: on.format("%Y-%m-%d").to_string(),
                        details,
                        coupon: None,
                    },
                    coupon.cloned(),
                ));
            };
            let ahead = |lead: u32| today.checked_add_days(chrono::Days::new(u64::from(lead)));
            let yearly = [
                (
                    TriggerKind::Birthday,
                    &t.birthday,
                    birth.map(|b| (String::new(), b)),
                ),
                (
                    TriggerKind::Membership,
                    &t.membership,
                    joined.map(|b| (String::new(), b)),
                ),
            ];
            // Due when the anniversary falls on the day `lead_days` ahead,
            // however far that is.
            let due_on = |date: NaiveDate, lead: u32| {
                let target = ahead(lead)?;
                next_anniversary(calendar, date, target)
                    .filter(|(on, years)| *on == target && *years > 0)
            };
            for (kind, cfg, date) in yearly {
                if let (Some(cfg), Some((_, date))) = (cfg, date)
                    && let Some((on, years)) = due_on(date, cfg.lead_days)
                {
                    push(kind, on, vec![detail("years", years)], cfg.coupon.as_ref());
                }
            }
            if let Some(cfg) = &t.anniversary {
                for (name, date) in &dates {
                    if let Some(date) = date
                        && let Some((on, years)) = due_on(*date, cfg.lead_days)
                    {
                        push(
                            TriggerKind::Anniversary,
                            on,
                            vec![detail("anniversary", name), detail("years", years)],
                            cfg.coupon.as_ref(),
                        );
                    }
                }
            }
            let after = |since: NaiveDate, days: u32| {
                since.checked_add_days(chrono::Days::new(u64::from(days)))
            };
            if let (Some(cfg), Some(joined)) = (&t.welcome, joined)
                && after(joined, cfg.after_days) == Some(today)
            {
                push(
                    TriggerKind::Welcome,
                    joined,
                    Vec::new(),
                    cfg.coupon.as_ref(),
                );
            }
            if let (Some(cfg), Some(last)) = (&t.win_back, last)
                && after(last, cfg.after_days) == Some(today)
            {
                push(
                    TriggerKind::WinBack,
                    last,
                    vec![detail("days", cfg.after_days)],
                    cfg.coupon.as_ref(),
                );
            }
            if let Some(cfg) = &t.points_expiring {
                // Once, `lead_days` before the first day with points expiring; all of that day's points.
                let mut by_day: std::collections::BTreeMap<NaiveDate, Decimal> = Default::default();
                for (points, on) in &expiring {
                    if let Some(on) = on {
                        let e = by_day.entry(*on).or_default();
                        *e = e.saturating_add(*points);
                    }
                }
                if let Some(target) = ahead(cfg.lead_days)
                    && let Some(points) = by_day.get(&target).filter(|p| **p > Decimal::ZERO)
                {
                    push(
                        TriggerKind::PointsExpiring,
                        target,
                        vec![detail("points", crate::money::normalize(*points))],
                        cfg.coupon.as_ref(),
                    );
                }
            }
            if let (Some(cfg), Some((tier, Some(evaluation)))) = (&t.tier_at_risk, &risk)
                && ahead(cfg.lead_days) == Some(*evaluation)
            {
                push(
                    TriggerKind::TierAtRisk,
                    *evaluation,
                    vec![detail("tier", tier)],
                    cfg.coupon.as_ref(),
                );
            }
        }
        if !errors.is_empty() {
            return Err(RequestErrors(errors));
        }
        let seed = seed.flatten();
        // Coupons: one generation per campaign, codes in trigger order.
        let mut campaigns: Vec<String> = due.iter().filter_map(|d| d.1.clone()).collect();
        campaigns.sort();
        campaigns.dedup();
        for campaign in campaigns {
            let who: Vec<usize> = (0..due.len())
                .filter(|&k| due.get(k).and_then(|d| d.1.as_ref()) == Some(&campaign))
                .collect();
            let customers = who
                .iter()
                .filter_map(|&k| due.get(k).map(|d| d.0.customer.clone()))
                .collect();
            // Each campaign draws from its own seed, so one customer's codes
            // of two campaigns share nothing.
            let seed =
                seed.map(|s| crate::referrals::book_seed(&s.to_string(), &campaign).to_string());
            let issued = self.generate_codes(&GenerateRequest {
                campaign: campaign.clone(),
                count: None,
                customers: Some(customers),
                seed,
                existing: Vec::new(),
            })?;
            for (&k, code) in who.iter().zip(issued.codes) {
                if let Some(d) = due.get_mut(k) {
                    d.0.coupon = Some(TriggerCoupon {
                        campaign: campaign.clone(),
                        code: code.code,
                        issued: code.issued,
                    });
                }
            }
        }
        let mut triggers: Vec<Trigger> = due.into_iter().map(|d| d.0).collect();
        // Customers in request order; within one, by kind (stable).
        triggers.sort_by_key(|t| t.kind);
        let order: std::collections::BTreeMap<&str, usize> = request
            .customers
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .rev()
            .collect();
        triggers.sort_by_key(|t| order.get(t.customer.as_str()).copied());
        Ok(Triggers { triggers })
    }
}
