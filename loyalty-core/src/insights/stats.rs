//! Per-customer statistics and RFM scores from a list of orders.

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

/// Running totals of one customer. Names (categories, products,
/// channels, ...) are numbers of the worker's [`Names`] or of a dictionary
/// column; what is counted by name is one small vector searched in a line
/// (a customer has a handful of each kind), so one allocation and few
/// cache lines per customer.
#[derive(Default)]
pub(super) struct Acc {
    pub(super) visits: u64,
    pub(super) first: i64,
    pub(super) last: i64,
    pub(super) spend: Decimal,
    with_points: u64,
    with_coupon: u64,
    pub(super) tallies: Vec<Tally>,
    weekdays: [u32; 7],
    hours: [u32; 24],
}

/// What a tally counts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Orders by channel.
    Channel,
    /// Orders by store.
    Store,
    /// Orders by payment method.
    Payment,
    /// Money by category.
    Category,
    /// Units by product.
    Product,
}

/// One name's count (orders) or amount (money, units) of one kind.
pub(super) struct Tally {
    kind: Kind,
    name: u32,
    count: u64,
    amount: Decimal,
}

impl Acc {
    /// Counts one order at `ms` (its local `weekday` from 0 and `hour`)
    /// with its channel, store and payment numbers; `None` when the spend
    /// overflows.
    pub(super) fn add_order(
        &mut self,
        ms: i64,
        amount: Decimal,
        (weekday, hour): (usize, usize),
        (with_points, with_coupon): (bool, bool),
        [channel, store, payment]: [Option<u32>; 3],
    ) -> Option<()> {
        if self.visits == 0 || ms < self.first {
            self.first = ms;
        }
        if self.visits == 0 || ms > self.last {
            self.last = ms;
        }
        self.visits = self.visits.saturating_add(1);
        self.spend = self.spend.checked_add(amount)?;
        for (kind, value) in [
            (Kind::Channel, channel),
            (Kind::Store, store),
            (Kind::Payment, payment),
        ] {
            if let Some(name) = value {
                let tally = self.tally(kind, name)?;
                tally.count = tally.count.saturating_add(1);
            }
        }
        if let Some(w) = self.weekdays.get_mut(weekday) {
            *w = w.saturating_add(1);
        }
        if let Some(h) = self.hours.get_mut(hour) {
            *h = h.saturating_add(1);
        }
        if with_points {
            self.with_points = self.with_points.saturating_add(1);
        }
        if with_coupon {
            self.with_coupon = self.with_coupon.saturating_add(1);
        }
        Some(())
    }

    /// Counts one line: money by category, units by product; `None` on overflow.
    pub(super) fn add_line(
        &mut self,
        category: Option<u32>,
        sku: u32,
        quantity: Decimal,
        amount: Decimal,
    ) -> Option<()> {
        if let Some(cat) = category {
            let tally = self.tally(Kind::Category, cat)?;
            tally.amount = tally.amount.checked_add(amount)?;
        }
        let tally = self.tally(Kind::Product, sku)?;
        tally.amount = tally.amount.checked_add(quantity)?;
        Some(())
    }

    /// The tally of `name` of `kind`, a new one at zero the first time
    /// (`None` never happens: it is there or pushed).
    fn tally(&mut self, kind: Kind, name: u32) -> Option<&mut Tally> {
        match self
            .tallies
            .iter()
            .position(|t| t.name == name && t.kind == kind)
        {
            Some(at) => self.tallies.get_mut(at),
            None => {
                if self.tallies.capacity() == 0 {
                    self.tallies.reserve_exact(8);
                }
                self.tallies.push(Tally {
                    kind,
                    name,
                    count: 0,
                    amount: Decimal::ZERO,
                });
                self.tallies.last_mut()
            }
        }
    }
}

/// The local weekday (0 for Monday) and hour of an instant in `tz`.
pub(super) fn weekday_hour<Z: chrono::TimeZone>(
    at: &DateTime<Z>,
    tz: chrono_tz::Tz,
) -> (usize, usize) {
    let local = at.with_timezone(&tz);
    (
        usize::try_from(local.weekday().num_days_from_monday()).unwrap_or(0),
        usize::try_from(local.hour()).unwrap_or(0),
    )
}

/// Names by number: a worker's [`Names`], or a dictionary column.
pub(super) trait NameOf: Sync {
    /// The name numbered `number` (empty when there is none).
    fn name_of(&self, number: u32) -> &str;
}

impl NameOf for Vec<String> {
    fn name_of(&self, number: u32) -> &str {
        usize::try_from(number)
            .ok()
            .and_then(|i| self.get(i))
            .map_or("", String::as_str)
    }
}

/// The names one worker has seen, numbered in the order first seen.
#[derive(Default)]
pub(super) struct Names<'a> {
    numbers: crate::ledger::Map<&'a str, u32>,
    names: Vec<&'a str>,
}

impl<'a> Names<'a> {
    pub(super) fn number(&mut self, name: &'a str) -> u32 {
        let next = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        *self.numbers.entry(name).or_insert_with(|| {
            self.names.push(name);
            next
        })
    }
}

impl Names<'_> {
    /// The names, by number.
    pub(super) fn into_owned(self) -> Vec<String> {
        self.names.into_iter().map(str::to_owned).collect()
    }
}

impl NameOf for Names<'_> {
    fn name_of(&self, number: u32) -> &str {
        usize::try_from(number)
            .ok()
            .and_then(|i| self.names.get(i))
            .copied()
            .unwrap_or_default()
    }
}

/// The most counted name of `kind`; ties to the smallest name.
fn mode(tallies: &[Tally], kind: Kind, names: &dyn NameOf) -> Option<String> {
    tallies
        .iter()
        .filter(|t| t.kind == kind)
        .map(|t| (names.name_of(t.name), t.count))
        .min_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)))
        .map(|(k, _)| k.to_owned())
}

/// Up to three names of `kind` with the largest positive amounts; ties by name.
fn top3(tallies: &[Tally], kind: Kind, names: &dyn NameOf) -> Vec<String> {
    // Largest first, then by name; the best three kept in order in one pass.
    let order = |a: &(Decimal, &str), b: &(Decimal, &str)| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1));
    let mut best: Vec<(Decimal, &str)> = Vec::with_capacity(4);
    let amounts = tallies
        .iter()
        .filter(|t| t.kind == kind && above_zero(t.amount));
    for t in amounts {
        // Most amounts are below the third best: one comparison, no name.
        if best.get(2).is_some_and(|third| t.amount < third.0) {
            continue;
        }
        let item = (t.amount, names.name_of(t.name));
        let at = best.partition_point(|held| order(held, &item).is_lt());
        if at < 3 {
            best.insert(at, item);
            best.truncate(3);
        }
    }
    best.into_iter().map(|(_, k)| k.to_owned()).collect()
}

/// Whether an amount is above zero, without comparing decimals.
fn above_zero(amount: Decimal) -> bool {
    !amount.is_zero() && amount.is_sign_positive()
}

/// Whether an optional amount is given and above zero.
pub(super) fn positive(amount: Option<Decimal>) -> bool {
    amount.is_some_and(above_zero)
}

/// Whether text is empty or only white space (what `trim` would empty),
/// looking no further than the first other character.
pub(super) fn blank(text: &str) -> bool {
    text.chars().all(char::is_whitespace)
}

/// The position of the largest count (the earliest of equal ones), `None`
/// when every count is zero.
pub(super) fn earliest_max<T: Ord + Copy + Default>(counts: &[T]) -> Option<usize> {
    let max = counts.iter().copied().max().filter(|m| *m > T::default())?;
    counts.iter().position(|c| *c == max)
}

/// `part / whole` to `dp` decimals (half-even), without trailing zeros; 0
/// when `whole` is 0.
pub(super) fn ratio(part: u64, whole: u64, dp: u32) -> Decimal {
    if whole == 0 {
        return Decimal::ZERO;
    }
    crate::money::normalize(
        Decimal::from(part)
            .checked_div(Decimal::from(whole))
            .unwrap_or_default()
            .round_dp(dp),
    )
}

/// Quintile scores 1..=5 of `values` (higher value, higher score): the
/// value at rank `k` (from 0, ascending) of `n` scores `ceil(5 (k + 1) / n)`,
/// so the top fifth scores 5; equal values share the score of the first of
/// them.
fn quintiles<T: Ord + Copy>(values: &[T]) -> Vec<u8> {
    let mut order: Vec<(T, usize)> = values.iter().copied().zip(0..).collect();
    order.sort_unstable();
    let n = values.len().max(1);
    let mut scores = vec![1u8; values.len()];
    let mut rank_of_value = 0usize;
    let mut previous: Option<T> = None;
    for (rank, &(value, i)) in order.iter().enumerate() {
        if previous != Some(value) {
            rank_of_value = rank;
            previous = Some(value);
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

/// One order, checked: its instant (when it parses) and the hash that
/// spreads orders over workers by customer.
pub(crate) struct Checked {
    pub(crate) at: Option<DateTime<FixedOffset>>,
    customer_hash: u64,
}

pub(super) fn hash_of(text: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x696e_7369_6768_7473).hash_one(text)
}

/// Whether a hash falls to worker `part` of `parts`.
pub(super) fn falls_to(hash: u64, part: usize, parts: usize) -> bool {
    let parts = u64::try_from(parts).unwrap_or(1);
    hash.checked_rem(parts)
        .and_then(|r| usize::try_from(r).ok())
        == Some(part)
}

/// An error of order `index`; `rank` orders one order's errors by field.
type OrderError = (usize, u16, RequestError);

/// The errors of one order, each ranked by field (id, customer, the
/// repeated id, instant, amounts, then lines), and its [`Checked`].
fn check_order(i: usize, o: &InsightOrder, errors: &mut Vec<OrderError>) -> Checked {
    let path = |field: &str| format!("orders[{i}].{field}");
    for (rank, field, value) in [(0, "id", &o.id), (1, "customer", &o.customer)] {
        if blank(value) {
            errors.push((i, rank, RequestError::EmptyValue { path: path(field) }));
        }
    }
    let at = DateTime::parse_from_rfc3339(&o.at).ok();
    if at.is_none() {
        errors.push((
            i,
            3,
            RequestError::InvalidTimestamp {
                path: path("at"),
                value: o.at.clone(),
            },
        ));
    }
    let amounts = [
        ("amount", Some(o.amount)),
        ("points_paid", o.points_paid),
        ("coupon_discount", o.coupon_discount),
    ];
    for (field, value) in amounts {
        if let Some(v) = value.filter(|v| *v < Decimal::ZERO) {
            errors.push((
                i,
                4,
                RequestError::NegativeAmount {
                    path: path(field),
                    value: v,
                },
            ));
        }
    }
    for (k, line) in o.lines.iter().enumerate() {
        let path = |field: &str| format!("orders[{i}].lines[{k}].{field}");
        if blank(&line.sku) {
            errors.push((i, 5, RequestError::EmptyValue { path: path("sku") }));
        }
        if line.quantity <= Decimal::ZERO {
            errors.push((
                i,
                5,
                RequestError::InvalidQuantity {
                    path: path("quantity"),
                    value: line.quantity,
                },
            ));
        }
        if line.amount < Decimal::ZERO {
            errors.push((
                i,
                5,
                RequestError::NegativeAmount {
                    path: path("amount"),
                    value: line.amount,
                },
            ));
        }
    }
    Checked {
        at,
        customer_hash: hash_of(&o.customer),
    }
}

/// Every order checked, or every error in the orders (empty ids and
/// customers, bad instants, negative amounts, repeated order ids, empty
/// products, quantities of zero or less), in order. Spread over the cores.
pub(crate) fn check_orders(orders: &[InsightOrder]) -> Result<Vec<Checked>, RequestErrors> {
    let parts = crate::parallel::par_ranges(orders.len(), 4096, |range| {
        let mut errors = Vec::new();
        let checked: Vec<Checked> = range
            .filter_map(|i| Some(check_order(i, orders.get(i)?, &mut errors)))
            .collect();
        (checked, errors)
    });
    let mut checked = Vec::with_capacity(orders.len());
    let mut errors = Vec::new();
    for (c, e) in parts {
        checked.extend(c);
        errors.extend(e);
    }
    let ids = |i: usize| orders.get(i).map(|o| o.id.as_str()).filter(|id| !blank(id));
    for i in repeated(orders.len(), ids) {
        if let Some(o) = orders.get(i) {
            errors.push((
                i,
                2,
                RequestError::DuplicateOrder {
                    path: format!("orders[{i}].id"),
                    id: o.id.clone(),
                },
            ));
        }
    }
    if errors.is_empty() {
        return Ok(checked);
    }
    errors.sort_by_key(|(i, rank, _)| (*i, *rank));
    Err(RequestErrors(errors.into_iter().map(|e| e.2).collect()))
}

/// The positions of texts equal to an earlier one (`None` is no text), in
/// order. The texts' hashes are sorted rather than kept in a set: spread
/// over the cores by hash and read in one pass, millions of ids take a
/// fraction of the time a set of strings does.
pub(super) fn repeated<'a>(
    len: usize,
    text: impl Fn(usize) -> Option<&'a str> + Sync,
) -> Vec<usize> {
    let hashes: Vec<Option<u64>> = crate::parallel::par_ranges(len, 4096, |range| {
        range.map(|i| text(i).map(hash_of)).collect::<Vec<_>>()
    })
    .concat();
    let workers = if len < 4096 {
        1
    } else {
        crate::parallel::workers()
    };
    let found = crate::parallel::par_parts(workers, |part| {
        let mut mine: Vec<(u64, usize)> = hashes
            .iter()
            .enumerate()
            .filter_map(|(i, h)| h.filter(|h| falls_to(*h, part, workers)).map(|h| (h, i)))
            .collect();
        mine.sort_unstable();
        let mut out = Vec::new();
        for run in mine.chunk_by(|a, b| a.0 == b.0).filter(|run| run.len() > 1) {
            // Equal hashes: by text, then position, so each repeat follows
            // its first occurrence.
            let mut texts: Vec<(&str, usize)> = run
                .iter()
                .filter_map(|(_, i)| Some((text(*i)?, *i)))
                .collect();
            texts.sort_unstable();
            out.extend(texts.windows(2).filter_map(|w| match w {
                [a, b] if a.0 == b.0 => Some(b.1),
                _ => None,
            }));
        }
        out
    });
    let mut all = found.concat();
    all.sort_unstable();
    all
}

/// One worker's customers, by id, the names they use, and its orders
/// after `as_of`.
struct Part<'a> {
    customers: Vec<(&'a str, Acc)>,
    names: Names<'a>,
    later: usize,
}

/// Adds every order whose customer falls to worker `part` of `parts`.
fn accumulate<'a>(
    orders: &'a [InsightOrder],
    checked: &[Checked],
    as_of: &DateTime<FixedOffset>,
    tz: chrono_tz::Tz,
    (part, parts): (usize, usize),
) -> Result<Part<'a>, RequestError> {
    // About a customer per ten orders, to start with.
    let guess = orders
        .len()
        .checked_div(parts.saturating_mul(10))
        .unwrap_or(0);
    let mut index: crate::ledger::Map<&str, usize> =
        crate::ledger::Map::with_capacity_and_hasher(guess, Default::default());
    let mut customers: Vec<(&str, Acc)> = Vec::with_capacity(guess);
    let mut names = Names::default();
    let mut later = 0usize;
    for (i, (o, c)) in orders.iter().zip(checked).enumerate() {
        if !falls_to(c.customer_hash, part, parts) {
            continue;
        }
        let Some(at) = c.at else { continue };
        if at > *as_of {
            later = later.saturating_add(1);
            continue;
        }
        let overflow = || RequestError::Overflow {
            path: format!("orders[{i}]"),
        };
        let k = *index.entry(o.customer.as_str()).or_insert_with(|| {
            customers.push((o.customer.as_str(), Acc::default()));
            customers.len().saturating_sub(1)
        });
        let Some((_, acc)) = customers.get_mut(k) else {
            continue;
        };
        for line in &o.lines {
            let category = line.category.as_deref().filter(|c| !blank(c));
            let category = category.map(|c| names.number(c));
            let sku = names.number(&line.sku);
            acc.add_line(category, sku, line.quantity, line.amount)
                .ok_or_else(overflow)?;
        }
        // A blank value is no value.
        let [channel, store, payment] = [&o.channel, &o.store, &o.payment]
            .map(|v| v.as_deref().filter(|v| !blank(v)).map(|v| names.number(v)));
        acc.add_order(
            at.timestamp_millis(),
            o.amount,
            weekday_hour(&at, tz),
            (positive(o.points_paid), positive(o.coupon_discount)),
            [channel, store, payment],
        )
        .ok_or_else(overflow)?;
    }
    customers.sort_unstable_by(|a, b| a.0.cmp(b.0));
    Ok(Part {
        customers,
        names,
        later,
    })
}

/// Merges lists sorted by id into one; each customer keeps the number of
/// the list (the worker, whose names it uses) it came from.
pub(super) fn merge_sorted(parts: Vec<Vec<(&str, Acc)>>) -> Vec<(&str, Acc, usize)> {
    let total = parts.iter().map(Vec::len).sum();
    let mut heads: Vec<_> = parts
        .into_iter()
        .enumerate()
        .map(|(k, p)| p.into_iter().map(move |(id, acc)| (id, acc, k)).peekable())
        .collect();
    let mut out = Vec::with_capacity(total);
    loop {
        let next = heads
            .iter_mut()
            .enumerate()
            .filter_map(|(k, h)| h.peek().map(|(id, _, _)| (*id, k)))
            .min()
            .map(|(_, k)| k);
        match next.and_then(|k| heads.get_mut(k)).and_then(Iterator::next) {
            Some(item) => out.push(item),
            None => return out,
        }
    }
}

impl Program {
    /// Statistics, RFM scores and segments of every customer with an order
    /// by `as_of`. Weekdays and hours are local to the program's time zone.
    /// Large requests are spread over the machine's cores.
    pub fn customer_stats(&self, request: &StatsRequest) -> Result<Stats, RequestErrors> {
        let as_of = parse_instant(&request.as_of, "as_of")?;
        let orders = &request.orders;
        let checked = check_orders(orders)?;
        let tz = self.time_zone();
        let workers = if orders.len() < 4096 {
            1
        } else {
            crate::parallel::workers()
        };
        let parts = crate::parallel::par_parts(workers, |part| {
            accumulate(orders, &checked, &as_of, tz, (part, workers))
        });
        let mut later = 0usize;
        let mut sorted = Vec::with_capacity(parts.len());
        let mut names = Vec::with_capacity(parts.len());
        let mut first_overflow: Option<(usize, RequestError)> = None;
        for part in parts {
            match part {
                Ok(p) => {
                    later = later.saturating_add(p.later);
                    sorted.push(p.customers);
                    names.push(p.names);
                }
                Err(e) => {
                    // The first overflow in order (each worker stops at its first).
                    let at = overflow_index(&e);
                    if first_overflow.as_ref().is_none_or(|(i, _)| at < *i) {
                        first_overflow = Some((at, e));
                    }
                }
            }
        }
        if let Some((_, e)) = first_overflow {
            return Err(RequestErrors(vec![e]));
        }
        let accs = merge_sorted(sorted);
        drop(checked);
        let names: Vec<&dyn NameOf> = names.iter().map(|n| n as &dyn NameOf).collect();
        Ok(self.finish(&accs, &names, as_of.timestamp_millis(), later))
    }

    /// Scores, segments and statistics of customers sorted by id, each with
    /// the position in `names` of the names its numbers stand for.
    pub(super) fn finish(
        &self,
        accs: &[(&str, Acc, usize)],
        names: &[&dyn NameOf],
        as_of_ms: i64,
        later: usize,
    ) -> Stats {
        let policy = &self.insights;
        let recency = match &policy.recency_days {
            Some(days) => accs
                .iter()
                .map(|(_, a, _)| score_at_most(&(as_of_ms.saturating_sub(a.last) / DAY_MS), days))
                .collect(),
            // Ranks the most recent last (so it scores highest).
            None => quintiles(&accs.iter().map(|(_, a, _)| a.last).collect::<Vec<_>>()),
        };
        let frequency = match &policy.frequency {
            Some(cuts) => accs
                .iter()
                .map(|(_, a, _)| score_at_least(&a.visits, cuts))
                .collect(),
            None => quintiles(&accs.iter().map(|(_, a, _)| a.visits).collect::<Vec<_>>()),
        };
        let monetary = match &policy.monetary {
            Some(cuts) => accs
                .iter()
                .map(|(_, a, _)| score_at_least(&a.spend, cuts))
                .collect(),
            None => quintiles(&accs.iter().map(|(_, a, _)| a.spend).collect::<Vec<_>>()),
        };
        let segments: Vec<&str> = policy.segment_names().collect();
        let no_names: &dyn NameOf = &Names::default();
        let built = crate::parallel::par_ranges(accs.len(), 4096, |range| {
            let mut sizes = vec![0u64; segments.len()];
            let customers: Vec<CustomerStats> = range
                .filter_map(|k| {
                    let (customer, a, part) = accs.get(k)?;
                    let names = names.get(*part).copied().unwrap_or(no_names);
                    let scores = [
                        recency.get(k).copied().unwrap_or(1),
                        frequency.get(k).copied().unwrap_or(1),
                        monetary.get(k).copied().unwrap_or(1),
                    ];
                    let c = self.one_customer(customer, a, names, as_of_ms, scores);
                    if let Some(n) = segments
                        .iter()
                        .position(|n| *n == c.rfm.segment)
                        .and_then(|i| sizes.get_mut(i))
                    {
                        *n = n.saturating_add(1);
                    }
                    Some(c)
                })
                .collect();
            (customers, sizes)
        });
        let mut customers = Vec::with_capacity(accs.len());
        let mut sizes = vec![0u64; segments.len()];
        for (c, s) in built {
            customers.extend(c);
            for (total, n) in sizes.iter_mut().zip(s) {
                *total = total.saturating_add(n);
            }
        }
        Stats {
            as_of: self.ledger.format(as_of_ms),
            customers,
            segments: segments
                .iter()
                .zip(sizes)
                .map(|(name, customers)| SegmentSize {
                    segment: (*name).to_owned(),
                    customers,
                })
                .collect(),
            later_orders: later,
        }
    }

    /// One customer's statistics from their totals and scores.
    fn one_customer(
        &self,
        customer: &str,
        a: &Acc,
        names: &dyn NameOf,
        as_of_ms: i64,
        scores: [u8; 3],
    ) -> CustomerStats {
        let [r, f, m] = scores;
        let days_since_last = as_of_ms.saturating_sub(a.last) / DAY_MS;
        let days_since_first = as_of_ms.saturating_sub(a.first) / DAY_MS;
        let week = Decimal::from(7 * DAY_MS);
        let weeks = Decimal::from(as_of_ms.saturating_sub(a.first).max(7 * DAY_MS))
            .checked_div(week)
            .unwrap_or(Decimal::ONE);
        let visits = Decimal::from(a.visits);
        let segment = self.insights.segment(&Facts {
            visits: a.visits,
            days_since_first,
            days_since_last,
            scores,
        });
        let minor = self.currency().minor_units();
        CustomerStats {
            customer: customer.to_owned(),
            visits: a.visits,
            first_purchase: self.ledger.format(a.first),
            last_purchase: self.ledger.format(a.last),
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
            favourite_categories: top3(&a.tallies, Kind::Category, names),
            favourite_products: top3(&a.tallies, Kind::Product, names),
            preferred_channel: mode(&a.tallies, Kind::Channel, names),
            preferred_store: mode(&a.tallies, Kind::Store, names),
            preferred_payment: mode(&a.tallies, Kind::Payment, names),
            preferred_weekday: earliest_max(&a.weekdays)
                .and_then(|d| u8::try_from(d.saturating_add(1)).ok()),
            preferred_hour: earliest_max(&a.hours).and_then(|h| u8::try_from(h).ok()),
            points_share: ratio(a.with_points, a.visits, 4),
            coupon_share: ratio(a.with_coupon, a.visits, 4),
            rfm: Rfm {
                recency: r,
                frequency: f,
                monetary: m,
                segment: segment.to_owned(),
            },
        }
    }
}

/// The order index an overflow error names (`orders[12]`).
pub(super) fn overflow_index(e: &RequestError) -> usize {
    use crate::error::Coded;
    e.path()
        .strip_prefix("orders[")
        .and_then(|p| p.split(']').next())
        .and_then(|i| i.parse().ok())
        .unwrap_or(usize::MAX)
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
        let mut names = Names::default();
        let tally = |kind, name, count, amount| Tally {
            kind,
            name,
            count,
            amount,
        };
        let [web, app, pos] = ["web", "app", "pos"].map(|n| names.number(n));
        let counts = [
            tally(Kind::Channel, web, 2, Decimal::ZERO),
            tally(Kind::Channel, app, 2, Decimal::ZERO),
            tally(Kind::Channel, pos, 1, Decimal::ZERO),
            tally(Kind::Store, pos, 9, Decimal::ZERO),
        ];
        assert_eq!(mode(&counts, Kind::Channel, &names).as_deref(), Some("app"));
        assert_eq!(mode(&counts, Kind::Payment, &names), None);
        let [b, a, c, d, z] = ["b", "a", "c", "d", "z"].map(|n| names.number(n));
        let amounts = [
            tally(Kind::Product, b, 0, Decimal::TEN),
            tally(Kind::Product, a, 0, Decimal::TEN),
            tally(Kind::Product, c, 0, Decimal::ONE),
            tally(Kind::Product, d, 0, Decimal::TWO),
            tally(Kind::Product, z, 0, Decimal::ZERO),
            tally(Kind::Category, z, 0, Decimal::ONE_HUNDRED),
        ];
        assert_eq!(top3(&amounts, Kind::Product, &names), ["a", "b", "d"]);
        assert_eq!(top3(&amounts[2..], Kind::Product, &names), ["d", "c"]);
        assert_eq!(top3(&amounts, Kind::Category, &names), ["z"]);
        assert!(blank(" \u{a0}\t") && blank("") && !blank(" x "));
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
