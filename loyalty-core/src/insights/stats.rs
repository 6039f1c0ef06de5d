//! Per-customer statistics and RFM scores from a list of orders.

use std::collections::BTreeMap;

use chrono::{Datelike, Timelike};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use chrono::{DateTime, FixedOffset};

use super::config::Facts;
use crate::accrual::engine::parse_instant;
use crate::accrual::{RequestError, RequestErrors};
use crate::money::{dec, dec_opt};
use crate::program::Program;

/// One order as insights read it: what was paid, where, how, and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InsightOrder {
    /// The order id.
    pub id: String,
    /// The customer (after profile merging).
    pub customer: String,
    /// When: RFC 3339 with an offset.
    pub at: String,
    /// What the customer paid (after discounts).
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub amount: Decimal,
    /// Channel (`pos`, `web`, `app`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<String>,
    /// Payment method (`cash`, `card`, `wallet`, `credit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<String>,
    /// Money's worth paid with points.
    #[serde(default, with = "dec_opt", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub points_paid: Option<Decimal>,
    /// Money taken off by coupons.
    #[serde(default, with = "dec_opt", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub coupon_discount: Option<Decimal>,
    /// What was bought.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<InsightLine>,
    /// Coupon campaigns used (ids), for the report's coupon redemptions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coupons: Vec<String>,
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InsightLine {
    /// Product.
    pub sku: String,
    /// Category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Units.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub quantity: Decimal,
    /// What was paid for the line.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub amount: Decimal,
}

/// Orders and the instant the statistics are as of (orders after it are left out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatsRequest {
    /// The orders, in any order.
    pub orders: Vec<InsightOrder>,
    /// RFC 3339 with an offset.
    pub as_of: String,
}

/// Recency, frequency and monetary scores, 1 (lowest) to 5 (highest), by
/// quintile among the customers or by the program's cut points
/// (`[insights.rfm]`), and the named segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Rfm {
    /// 5 for the most recent customers.
    pub recency: u8,
    /// 5 for the most frequent.
    pub frequency: u8,
    /// 5 for those who spent most.
    pub monetary: u8,
    /// The first of the program's segment rules the customer fits
    /// (`[[insights.segments]]`, by default [`SEGMENT_NAMES`]).
    pub segment: String,
}

/// How many customers a segment has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct SegmentSize {
    /// The segment.
    pub segment: String,
    /// Its customers.
    pub customers: u64,
}

/// The default segments' names, in the order they are tried (see
/// [`super::default_segments`]).
pub const SEGMENT_NAMES: &[&str] = &[
    "new",
    "lapsed",
    "one_time",
    "vip",
    "loyal",
    "at_risk",
    "hibernating",
    "regular",
];

/// One customer's statistics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CustomerStats {
    /// The customer.
    pub customer: String,
    /// Orders (visits).
    pub visits: u64,
    /// First order's instant, in the program's time zone.
    pub first_purchase: String,
    /// Last order's instant.
    pub last_purchase: String,
    /// Whole days from the last order to `as_of`.
    pub days_since_last: i64,
    /// Money paid in all.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub total_spend: Decimal,
    /// Per visit, rounded half-even to the currency's minor unit.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub average_spend: Decimal,
    /// Visits per week since the first (at least one week), 2 decimals.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub visits_per_week: Decimal,
    /// Up to 3 categories by money spent (ties by name).
    pub favourite_categories: Vec<String>,
    /// Up to 3 products by units bought (ties by name).
    pub favourite_products: Vec<String>,
    /// Most used channel (ties by name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_channel: Option<String>,
    /// Most visited store.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_store: Option<String>,
    /// Most used payment method.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_payment: Option<String>,
    /// Most frequent local weekday, 1 (Monday) to 7 (Sunday); ties to the earliest.
    pub preferred_weekday: Option<u8>,
    /// Most frequent local hour, 0 to 23; ties to the earliest.
    pub preferred_hour: Option<u8>,
    /// Share of visits paid partly with points, 4 decimals.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub points_share: Decimal,
    /// Share of visits with a coupon, 4 decimals.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub coupon_share: Decimal,
    /// Scores and segment.
    pub rfm: Rfm,
}

/// The answer of [`Program::customer_stats`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Stats {
    /// The instant, in the program's time zone.
    pub as_of: String,
    /// One entry per customer with an order by `as_of`, by customer id.
    pub customers: Vec<CustomerStats>,
    /// Every segment of the program, in the order they are tried, with its
    /// number of customers (0 included).
    pub segments: Vec<SegmentSize>,
    /// Orders after `as_of`, left out.
    pub later_orders: usize,
}

const DAY_MS: i64 = 86_400_000;

/// Running totals of one customer.
#[derive(Default)]
struct Acc<'a> {
    visits: u64,
    first: i64,
    last: i64,
    spend: Decimal,
    categories: BTreeMap<&'a str, Decimal>,
    products: BTreeMap<&'a str, Decimal>,
    channels: BTreeMap<&'a str, u64>,
    stores: BTreeMap<&'a str, u64>,
    payments: BTreeMap<&'a str, u64>,
    weekdays: [u64; 7],
    hours: [u64; 24],
    with_points: u64,
    with_coupon: u64,
}

fn mode(counts: &BTreeMap<&str, u64>) -> Option<String> {
    // Most first, then the smallest name (the map is in name order and
    // `max_by_key` keeps the last maximum, hence the reversed iteration).
    counts
        .iter()
        .rev()
        .max_by_key(|(_, n)| **n)
        .map(|(k, _)| (*k).to_owned())
}

fn top3(amounts: &BTreeMap<&str, Decimal>) -> Vec<String> {
    let mut v: Vec<(&&str, &Decimal)> = amounts
        .iter()
        .filter(|(_, a)| **a > Decimal::ZERO)
        .collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    v.into_iter()
        .take(3)
        .map(|(k, _)| (*k).to_owned())
        .collect()
}

fn earliest_max(counts: &[u64]) -> Option<usize> {
    let max = counts.iter().copied().max().filter(|m| *m > 0)?;
    counts.iter().position(|c| *c == max)
}

fn share(part: u64, whole: u64) -> Decimal {
    if whole == 0 {
        return Decimal::ZERO;
    }
    crate::money::normalize(
        Decimal::from(part)
            .checked_div(Decimal::from(whole))
            .unwrap_or_default()
            .round_dp(4),
    )
}

/// Quintile scores 1..=5 of `values` (higher value, higher score): the
/// value at rank `k` (from 0, ascending) of `n` scores `ceil(5 (k + 1) / n)`,
/// so the top fifth scores 5; equal values share the score of the first of
/// them.
fn quintiles<T: Ord + Copy>(values: &[T]) -> Vec<u8> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by_key(|&i| values.get(i).copied());
    let n = values.len().max(1);
    let mut scores = vec![1u8; values.len()];
    let mut rank_of_value = 0usize;
    for (rank, &i) in order.iter().enumerate() {
        let prev = rank
            .checked_sub(1)
            .and_then(|r| order.get(r))
            .and_then(|&j| values.get(j));
        if prev != values.get(i) {
            rank_of_value = rank;
        }
        let score = rank_of_value
            .saturating_add(1)
            .saturating_mul(5)
            .div_ceil(n);
        if let Some(slot) = scores.get_mut(i) {
            *slot = u8::try_from(score).unwrap_or(5).clamp(1, 5);
        }
    }
    scores
}

/// Score 5 for values at least the fourth cut, down to 1 below the first.
fn score_at_least<T: PartialOrd>(value: &T, cuts: &[T; 4]) -> u8 {
    let passed = cuts.iter().filter(|c| value >= *c).count();
    u8::try_from(passed).unwrap_or(4).saturating_add(1)
}

/// Score 5 for values at most the first cut, down to 1 above the fourth.
fn score_at_most<T: PartialOrd>(value: &T, cuts: &[T; 4]) -> u8 {
    let passed = cuts.iter().filter(|c| value <= *c).count();
    u8::try_from(passed).unwrap_or(4).saturating_add(1)
}

/// Every order's instant, or every error in the orders (empty ids and
/// customers, bad instants, negative amounts, repeated order ids, empty
/// products, quantities of zero or less), in order.
pub(crate) fn check_orders(
    orders: &[InsightOrder],
) -> Result<Vec<DateTime<FixedOffset>>, RequestErrors> {
    let mut errors = Vec::new();
    let mut instants = Vec::with_capacity(orders.len());
    let mut ids = std::collections::BTreeSet::new();
    for (i, o) in orders.iter().enumerate() {
        let path = |field: &str| format!("orders[{i}].{field}");
        for (field, value) in [("id", &o.id), ("customer", &o.customer)] {
            if value.trim().is_empty() {
                errors.push(RequestError::EmptyValue { path: path(field) });
            }
        }
        if !o.id.trim().is_empty() && !ids.insert(o.id.as_str()) {
            errors.push(RequestError::DuplicateOrder {
                path: path("id"),
                id: o.id.clone(),
            });
        }
        match parse_instant(&o.at, &path("at")) {
            Ok(at) => instants.push(at),
            Err(e) => errors.push(e),
        }
        let amounts = [
            ("amount", Some(o.amount)),
            ("points_paid", o.points_paid),
            ("coupon_discount", o.coupon_discount),
        ];
        for (field, value) in amounts {
            if let Some(v) = value.filter(|v| *v < Decimal::ZERO) {
                errors.push(RequestError::NegativeAmount {
                    path: path(field),
                    value: v,
                });
            }
        }
        for (k, line) in o.lines.iter().enumerate() {
            let path = |field: &str| format!("orders[{i}].lines[{k}].{field}");
            if line.sku.trim().is_empty() {
                errors.push(RequestError::EmptyValue { path: path("sku") });
            }
            if line.quantity <= Decimal::ZERO {
                errors.push(RequestError::InvalidQuantity {
                    path: path("quantity"),
                    value: line.quantity,
                });
            }
            if line.amount < Decimal::ZERO {
                errors.push(RequestError::NegativeAmount {
                    path: path("amount"),
                    value: line.amount,
                });
            }
        }
    }
    if errors.is_empty() {
        Ok(instants)
    } else {
        Err(RequestErrors(errors))
    }
}

impl Program {
    /// Statistics, RFM scores and segments of every customer with an order
    /// by `as_of`. Weekdays and hours are local to the program's time zone.
    pub fn customer_stats(&self, request: &StatsRequest) -> Result<Stats, RequestErrors> {
        let as_of = parse_instant(&request.as_of, "as_of")?;
        let instants = check_orders(&request.orders)?;
        let tz = self.time_zone();
        let mut by_customer: BTreeMap<&str, Acc<'_>> = BTreeMap::new();
        let mut later = 0usize;
        for (i, (o, at)) in request.orders.iter().zip(instants).enumerate() {
            if at > as_of {
                later = later.saturating_add(1);
                continue;
            }
            let overflow = || RequestError::Overflow {
                path: format!("orders[{i}]"),
            };
            let ms = at.timestamp_millis();
            let acc = by_customer.entry(o.customer.as_str()).or_default();
            if acc.visits == 0 || ms < acc.first {
                acc.first = ms;
            }
            if acc.visits == 0 || ms > acc.last {
                acc.last = ms;
            }
            acc.visits = acc.visits.saturating_add(1);
            acc.spend = acc.spend.checked_add(o.amount).ok_or_else(overflow)?;
            for line in &o.lines {
                if let Some(c) = line.category.as_deref().filter(|c| !c.trim().is_empty()) {
                    let e = acc.categories.entry(c).or_default();
                    *e = e.checked_add(line.amount).ok_or_else(overflow)?;
                }
                let e = acc.products.entry(line.sku.as_str()).or_default();
                *e = e.checked_add(line.quantity).ok_or_else(overflow)?;
            }
            for (map, value) in [
                (&mut acc.channels, &o.channel),
                (&mut acc.stores, &o.store),
                (&mut acc.payments, &o.payment),
            ] {
                // A blank value is no value.
                if let Some(v) = value.as_deref().filter(|v| !v.trim().is_empty()) {
                    let e = map.entry(v).or_default();
                    *e = e.saturating_add(1);
                }
            }
            let local = at.with_timezone(&tz);
            let wd = usize::try_from(local.weekday().num_days_from_monday()).unwrap_or(0);
            let hour = usize::try_from(local.hour()).unwrap_or(0);
            if let Some(w) = acc.weekdays.get_mut(wd) {
                *w = w.saturating_add(1);
            }
            if let Some(h) = acc.hours.get_mut(hour) {
                *h = h.saturating_add(1);
            }
            if o.points_paid.is_some_and(|p| p > Decimal::ZERO) {
                acc.with_points = acc.with_points.saturating_add(1);
            }
            if o.coupon_discount.is_some_and(|p| p > Decimal::ZERO) {
                acc.with_coupon = acc.with_coupon.saturating_add(1);
            }
        }
        let accs: Vec<(&str, Acc<'_>)> = by_customer.into_iter().collect();
        let as_of_ms = as_of.timestamp_millis();
        let policy = &self.insights;
        let recency = match &policy.recency_days {
            Some(days) => accs
                .iter()
                .map(|(_, a)| {
                    let days_since = as_of_ms.saturating_sub(a.last) / DAY_MS;
                    score_at_most(&days_since, days)
                })
                .collect(),
            // Ranks the most recent last (so it scores highest).
            None => quintiles(&accs.iter().map(|(_, a)| a.last).collect::<Vec<_>>()),
        };
        let frequency = match &policy.frequency {
            Some(cuts) => accs
                .iter()
                .map(|(_, a)| score_at_least(&a.visits, cuts))
                .collect(),
            None => quintiles(&accs.iter().map(|(_, a)| a.visits).collect::<Vec<_>>()),
        };
        let monetary = match &policy.monetary {
            Some(cuts) => accs
                .iter()
                .map(|(_, a)| score_at_least(&a.spend, cuts))
                .collect(),
            None => quintiles(&accs.iter().map(|(_, a)| a.spend).collect::<Vec<_>>()),
        };
        let mut sizes: Vec<SegmentSize> = policy
            .segment_names()
            .map(|name| SegmentSize {
                segment: name.to_owned(),
                customers: 0,
            })
            .collect();
        let minor = self.currency().minor_units();
        let format = |ms: i64| self.ledger.format(ms);
        let customers = accs
            .into_iter()
            .enumerate()
            .map(|(k, (customer, a))| {
                let (r, f, m) = (
                    recency.get(k).copied().unwrap_or(1),
                    frequency.get(k).copied().unwrap_or(1),
                    monetary.get(k).copied().unwrap_or(1),
                );
                let days_since_last = as_of_ms.saturating_sub(a.last) / DAY_MS;
                let days_since_first = as_of_ms.saturating_sub(a.first) / DAY_MS;
                let week = Decimal::from(7 * DAY_MS);
                let weeks = Decimal::from(as_of_ms.saturating_sub(a.first).max(7 * DAY_MS))
                    .checked_div(week)
                    .unwrap_or(Decimal::ONE);
                let visits = Decimal::from(a.visits);
                let segment = policy.segment(&Facts {
                    visits: a.visits,
                    days_since_first,
                    days_since_last,
                    scores: [r, f, m],
                });
                if let Some(size) = sizes.iter_mut().find(|s| s.segment == segment) {
                    size.customers = size.customers.saturating_add(1);
                }
                CustomerStats {
                    customer: customer.to_owned(),
                    visits: a.visits,
                    first_purchase: format(a.first),
                    last_purchase: format(a.last),
                    days_since_last,
                    total_spend: self.currency().present(a.spend),
                    average_spend: self.currency().present(
                        a.spend
                            .checked_div(visits.max(Decimal::ONE))
                            .unwrap_or_default()
                            .round_dp(minor),
                    ),
                    visits_per_week: crate::money::normalize(
                        visits.checked_div(weeks).unwrap_or_default().round_dp(2),
                    ),
                    favourite_categories: top3(&a.categories),
                    favourite_products: top3(&a.products),
                    preferred_channel: mode(&a.channels),
                    preferred_store: mode(&a.stores),
                    preferred_payment: mode(&a.payments),
                    preferred_weekday: earliest_max(&a.weekdays)
                        .and_then(|d| u8::try_from(d.saturating_add(1)).ok()),
                    preferred_hour: earliest_max(&a.hours).and_then(|h| u8::try_from(h).ok()),
                    points_share: share(a.with_points, a.visits),
                    coupon_share: share(a.with_coupon, a.visits),
                    rfm: Rfm {
                        recency: r,
                        frequency: f,
                        monetary: m,
                        segment: segment.to_owned(),
                    },
                }
            })
            .collect();
        Ok(Stats {
            as_of: format(as_of_ms),
            customers,
            segments: sizes,
            later_orders: later,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quintiles_split_five_values_one_each_and_ties_share_a_score() {
        assert_eq!(quintiles(&[10, 50, 20, 40, 30]), [1, 5, 2, 4, 3]);
        assert_eq!(quintiles(&[7, 7, 7, 7]), [2, 2, 2, 2]);
        assert_eq!(quintiles(&[1, 2, 2, 3]), [2, 3, 3, 5]);
        assert_eq!(quintiles(&[1, 2]), [3, 5]);
        assert_eq!(quintiles::<u64>(&[]), Vec::<u8>::new());
    }

    #[test]
    fn ties_go_to_the_smallest_name_or_the_earliest_slot() {
        let counts: BTreeMap<&str, u64> = [("web", 2), ("app", 2), ("pos", 1)].into();
        assert_eq!(mode(&counts).as_deref(), Some("app"));
        assert_eq!(earliest_max(&[0, 3, 1, 3]), Some(1));
        assert_eq!(earliest_max(&[0, 0]), None);
    }

    #[test]
    fn default_segments_are_tried_in_order() {
        let policy = crate::insights::config::InsightsPolicy::default();
        let seg = |visits, days_since_first, days_since_last, scores| {
            policy
                .segment(&Facts {
                    visits,
                    days_since_first,
                    days_since_last,
                    scores,
                })
                .to_owned()
        };
        assert_eq!(seg(1, 10, 10, [5, 1, 1]), "new");
        assert_eq!(seg(9, 400, 200, [1, 5, 5]), "lapsed");
        assert_eq!(seg(1, 90, 90, [3, 1, 1]), "one_time");
        assert_eq!(seg(9, 300, 3, [5, 5, 4]), "vip");
        assert_eq!(seg(9, 300, 3, [3, 4, 2]), "loyal");
        assert_eq!(seg(5, 300, 100, [2, 3, 2]), "at_risk");
        assert_eq!(seg(2, 300, 100, [1, 2, 2]), "hibernating");
        assert_eq!(seg(3, 300, 20, [3, 3, 3]), "regular");
        let names: Vec<&str> = policy.segment_names().collect();
        assert_eq!(names, SEGMENT_NAMES);
    }

    #[test]
    fn cut_points_score_each_side_of_every_cut() {
        let days = [7i64, 30, 90, 180];
        let scores: Vec<u8> = [0, 7, 8, 30, 31, 90, 91, 180, 181]
            .iter()
            .map(|d| score_at_most(d, &days))
            .collect();
        assert_eq!(scores, [5, 5, 4, 4, 3, 3, 2, 2, 1]);
        let visits = [2u64, 4, 8, 16];
        let scores: Vec<u8> = [0, 1, 2, 3, 4, 7, 8, 15, 16, 99]
            .iter()
            .map(|v| score_at_least(v, &visits))
            .collect();
        assert_eq!(scores, [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    }
}
