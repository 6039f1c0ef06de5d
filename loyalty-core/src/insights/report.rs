//! Program reports over a period: baskets, busy hours, payment and channel
//! splits, age and gender mix, top customers, credit, coupons, and, from
//! the books when given, points issued/redeemed/expired, tiers and
//! referral outcomes.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, TimeZone, Timelike};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::InsightOrder;
use super::stats::{earliest_max, ratio};
use super::triggers::day;
use crate::accrual::engine::parse_instant;
use crate::accrual::{RequestError, RequestErrors};
use crate::calendar::{CalendarKind, from_iso};
use crate::ledger::Ledger;
use crate::money::dec;
use crate::program::Program;
use crate::referrals::{ReferralBook, ReferralStatus};
use crate::tiers::TierBook;

/// What a report covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    /// First day, `YYYY-MM-DD`, local to the program's time zone.
    pub from: String,
    /// Last day (included).
    pub to: String,
    /// Orders; those outside the period are left out.
    pub orders: Vec<InsightOrder>,
    /// Profiles, for the age and gender mix (customers without one count
    /// as `unknown`), each once (a repeated id is `duplicate_profile`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub customers: Vec<ReportCustomer>,
    /// How many top visitors, spenders and credit customers to list (10 by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top: Option<u32>,
}

/// What the report knows of a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportCustomer {
    /// The customer.
    pub id: String,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    /// As the shop records it (`female`, `male`, ...); compared without case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
}

/// The books a report can also read: each is optional.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReportBooks<'a> {
    /// Points issued, redeemed and expired; credit limits of wallets.
    pub ledger: Option<&'a Ledger>,
    /// Tier distribution at the period's end.
    pub tiers: Option<&'a TierBook>,
    /// Referral outcomes of signups in the period.
    pub referrals: Option<&'a ReferralBook>,
}

/// A name and how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Count {
    /// What is counted.
    pub name: String,
    /// How many.
    pub count: u64,
}

/// One value of a split of the orders (a payment method, a channel).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Split {
    /// The value (`unknown` when orders do not say).
    pub name: String,
    /// Orders.
    pub orders: u64,
    /// Money paid.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub amount: Decimal,
    /// Share of the orders, 4 decimals.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub share: Decimal,
}

/// A customer in a top list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct TopCustomer {
    /// The customer.
    pub customer: String,
    /// Orders in the period.
    pub visits: u64,
    /// Money paid in the period.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub spend: Decimal,
}

/// Orders paid on credit (payment method `credit`), and the wallets'
/// credit when the ledger is given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CreditReport {
    /// Customers with a credit order in the period.
    pub customers: u64,
    /// Credit orders.
    pub orders: u64,
    /// Money put on credit.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub amount: Decimal,
    /// The largest credit users, by amount (`visits` and `spend` count
    /// their credit orders only).
    pub top: Vec<TopCustomer>,
    /// Wallets with a credit limit at the period's end (ledger given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wallets: Option<u64>,
    /// Their limits together.
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "crate::money::dec_opt"
    )]
    #[schemars(with = "Option<String>")]
    pub limit: Option<Decimal>,
    /// Credit in use (negative balances) at the period's end.
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "crate::money::dec_opt"
    )]
    #[schemars(with = "Option<String>")]
    pub owed: Option<Decimal>,
}

/// Coupon use in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CouponReport {
    /// Orders with a coupon discount or a campaign named.
    pub orders: u64,
    /// Money taken off by coupons.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub discount: Decimal,
    /// Orders per campaign (`InsightOrder.coupons`), most first.
    pub campaigns: Vec<Count>,
}

/// Points moved in the period, from the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PointsReport {
    /// Earned (released included).
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub issued: Decimal,
    /// Spent.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub redeemed: Decimal,
    /// Expired.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub expired: Decimal,
    /// By month of the program's calendar (`1405-01`), in order.
    pub months: Vec<PointsMonth>,
}

/// Points moved in one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PointsMonth {
    /// `YYYY-MM` in the program's calendar.
    pub month: String,
    /// Earned.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub issued: Decimal,
    /// Spent.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub redeemed: Decimal,
    /// Expired.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub expired: Decimal,
}

/// Referrals whose referee signed up in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ReferralReport {
    /// Signups with a referral.
    pub linked: u64,
    /// By status now (`linked`, `pending`, `credited`, `cancelled`).
    pub statuses: Vec<Count>,
    /// Reasons given (cancellations, rewards not paid), most first.
    pub reasons: Vec<Count>,
}

/// The answer of [`Program::report`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Report {
    /// First day.
    pub from: String,
    /// Last day.
    pub to: String,
    /// Orders in the period.
    pub orders: u64,
    /// Customers with an order in the period.
    pub customers: u64,
    /// Money paid.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub revenue: Decimal,
    /// Per order, half-even to the currency's minor unit.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub average_basket: Decimal,
    /// Orders per customer, 2 decimals.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub orders_per_customer: Decimal,
    /// Orders by local weekday (Monday first) and hour: 7 rows of 24.
    pub weekday_hour: Vec<Vec<u64>>,
    /// The weekday with most orders, 1 (Monday) to 7; ties to the earliest.
    pub busiest_weekday: Option<u8>,
    /// The hour with most orders, 0 to 23; ties to the earliest.
    pub busiest_hour: Option<u8>,
    /// By payment method, most orders first (ties by name).
    pub payments: Vec<Split>,
    /// By channel.
    pub channels: Vec<Split>,
    /// Customers by age at the period's end: `under_18`, `18_24`, `25_34`,
    /// `35_44`, `45_54`, `55_64`, `65_plus`, `unknown`.
    pub ages: Vec<Count>,
    /// Customers by gender (lower case), `unknown` last.
    pub genders: Vec<Count>,
    /// Most orders first (ties by spend, then id), `top` of them.
    pub top_visitors: Vec<TopCustomer>,
    /// Most spend first (ties by orders, then id), `top` of them.
    pub top_spenders: Vec<TopCustomer>,
    /// Credit.
    pub credit: CreditReport,
    /// Coupons.
    pub coupons: CouponReport,
    /// Points (ledger given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points: Option<PointsReport>,
    /// Customers per tier at the period's end, lowest tier first, then
    /// `none` (tier book given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tiers: Option<Vec<Count>>,
    /// Referral outcomes (referral book given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referrals: Option<ReferralReport>,
}

const AGE_BANDS: [(&str, u32); 7] = [
    ("under_18", 18),
    ("18_24", 25),
    ("25_34", 35),
    ("35_44", 45),
    ("45_54", 55),
    ("55_64", 65),
    ("65_plus", u32::MAX),
];

#[derive(Default)]
struct Visitor {
    visits: u64,
    spend: Decimal,
    credit_orders: u64,
    credit: Decimal,
}

/// Splits by name, most orders first, ties by name; `unknown` for none.
fn splits(
    map: BTreeMap<&str, (u64, Decimal)>,
    total: u64,
    currency: crate::money::Currency,
) -> Vec<Split> {
    let mut v: Vec<Split> = map
        .into_iter()
        .map(|(name, (orders, amount))| Split {
            name: name.to_owned(),
            orders,
            amount: currency.present(amount),
            share: ratio(orders, total, 4),
        })
        .collect();
    v.sort_by(|a, b| b.orders.cmp(&a.orders).then_with(|| a.name.cmp(&b.name)));
    v
}

fn counts_by_most(map: BTreeMap<String, u64>) -> Vec<Count> {
    let mut v: Vec<Count> = map
        .into_iter()
        .map(|(name, count)| Count { name, count })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    v
}

/// The earliest slot with most orders, as a number from 0.
fn busiest(counts: impl Iterator<Item = u64>) -> Option<u8> {
    let counts: Vec<u64> = counts.collect();
    earliest_max(&counts).and_then(|p| u8::try_from(p).ok())
}

/// Whole years from `birth` to `on`. A birthday falls on the same day of
/// the same month each year, or the month's last day when that is shorter
/// (29 February on 28 February), as the birthday trigger has it.
fn age(birth: NaiveDate, on: NaiveDate) -> Option<u32> {
    let month = u8::try_from(birth.month()).ok()?;
    let day = u8::try_from(birth.day()).ok()?;
    let this_year = crate::calendar::anniversary(CalendarKind::Gregorian, on.year(), month, day)?;
    let years = on.year().checked_sub(birth.year())?;
    let years = if this_year > on {
        years.checked_sub(1)?
    } else {
        years
    };
    u32::try_from(years).ok()
}

impl Program {
    /// A report of the period `request.from..=request.to` (local days):
    /// from the orders, and from each book in `books` that is given.
    pub fn report(
        &self,
        request: &ReportRequest,
        books: &ReportBooks<'_>,
    ) -> Result<Report, RequestErrors> {
        let mut errors = Vec::new();
        let from = day(&request.from, "from", &mut errors);
        let to = day(&request.to, "to", &mut errors);
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            errors.push(RequestError::InvalidPeriod {
                path: "to".to_owned(),
                from: request.from.clone(),
                to: request.to.clone(),
            });
        }
        let mut births = BTreeMap::new();
        let mut genders_of = BTreeMap::new();
        let mut seen = std::collections::BTreeSet::new();
        for (i, c) in request.customers.iter().enumerate() {
            if c.id.trim().is_empty() {
                errors.push(RequestError::EmptyValue {
                    path: format!("customers[{i}].id"),
                });
            } else if !seen.insert(c.id.as_str()) {
                errors.push(RequestError::DuplicateProfile {
                    path: format!("customers[{i}].id"),
                    id: c.id.clone(),
                });
            }
            if let Some(b) = &c.birth_date
                && let Some(b) = day(b, &format!("customers[{i}].birth_date"), &mut errors)
            {
                births.insert(c.id.as_str(), b);
            }
            if let Some(g) = c.gender.as_deref().map(str::trim).filter(|g| !g.is_empty()) {
                genders_of.insert(c.id.as_str(), g.to_lowercase());
            }
        }
        let instants = match super::stats::check_orders(&request.orders) {
            Ok(instants) => instants,
            Err(e) => {
                errors.extend(e.0);
                Vec::new()
            }
        };
        let (Some(from), Some(to)) = (from, to) else {
            return Err(RequestErrors(errors));
        };
        if !errors.is_empty() {
            return Err(RequestErrors(errors));
        }
        let tz = self.time_zone();
        let mut grid = vec![vec![0u64; 24]; 7];
        let mut visitors: BTreeMap<&str, Visitor> = BTreeMap::new();
        let mut payments: BTreeMap<&str, (u64, Decimal)> = BTreeMap::new();
        let mut channels: BTreeMap<&str, (u64, Decimal)> = BTreeMap::new();
        let mut campaigns: BTreeMap<String, u64> = BTreeMap::new();
        let (mut orders, mut revenue) = (0u64, Decimal::ZERO);
        let (mut coupon_orders, mut coupon_discount) = (0u64, Decimal::ZERO);
        let (mut credit_orders, mut credit_amount) = (0u64, Decimal::ZERO);
        for (i, (o, checked)) in request.orders.iter().zip(instants).enumerate() {
            let Some(at) = checked.at else { continue };
            let local = at.with_timezone(&tz);
            let date = local.date_naive();
            if date < from || date > to {
                continue;
            }
            let overflow = || RequestError::Overflow {
                path: format!("orders[{i}]"),
            };
            let add = |a: Decimal, b: Decimal| a.checked_add(b).ok_or_else(overflow);
            orders = orders.saturating_add(1);
            revenue = add(revenue, o.amount)?;
            let wd = usize::try_from(local.weekday().num_days_from_monday()).unwrap_or(0);
            let hour = usize::try_from(local.hour()).unwrap_or(0);
            if let Some(slot) = grid.get_mut(wd).and_then(|r| r.get_mut(hour)) {
                *slot = slot.saturating_add(1);
            }
            let v = visitors.entry(o.customer.as_str()).or_default();
            v.visits = v.visits.saturating_add(1);
            v.spend = add(v.spend, o.amount)?;
            for (map, value) in [(&mut payments, &o.payment), (&mut channels, &o.channel)] {
                let name = value
                    .as_deref()
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .unwrap_or("unknown");
                let e = map.entry(name).or_default();
                e.0 = e.0.saturating_add(1);
                e.1 = add(e.1, o.amount)?;
            }
            if o.payment
                .as_deref()
                .is_some_and(|p| p.trim().eq_ignore_ascii_case("credit"))
            {
                credit_orders = credit_orders.saturating_add(1);
                credit_amount = add(credit_amount, o.amount)?;
                v.credit_orders = v.credit_orders.saturating_add(1);
                v.credit = add(v.credit, o.amount)?;
            }
            // Campaigns named (trimmed, blank ones dropped), each once.
            let mut named: Vec<&str> = o
                .coupons
                .iter()
                .map(|c| c.trim())
                .filter(|c| !c.is_empty())
                .collect();
            named.sort_unstable();
            named.dedup();
            let discount = o.coupon_discount.unwrap_or_default();
            if discount > Decimal::ZERO || !named.is_empty() {
                coupon_orders = coupon_orders.saturating_add(1);
                coupon_discount = add(coupon_discount, discount)?;
            }
            for c in named {
                let e = campaigns.entry(c.to_owned()).or_default();
                *e = e.saturating_add(1);
            }
        }
        let customers = u64::try_from(visitors.len()).unwrap_or(u64::MAX);
        let top = usize::try_from(request.top.unwrap_or(10)).unwrap_or(usize::MAX);
        // Sorted by `key`, largest first, then by id.
        let top_of = |key: &dyn Fn(&Visitor) -> (Decimal, Decimal),
                      pick: &dyn Fn(&Visitor) -> bool| {
            let mut v: Vec<(&str, &Visitor)> = visitors
                .iter()
                .filter(|(_, v)| pick(v))
                .map(|(k, v)| (*k, v))
                .collect();
            v.sort_by(|a, b| key(b.1).cmp(&key(a.1)).then_with(|| a.0.cmp(b.0)));
            v.into_iter()
                .take(top)
                .map(|(customer, v)| TopCustomer {
                    customer: customer.to_owned(),
                    visits: v.visits,
                    spend: self.currency().present(v.spend),
                })
                .collect::<Vec<_>>()
        };
        let top_visitors = top_of(&|v| (Decimal::from(v.visits), v.spend), &|_| true);
        let top_spenders = top_of(&|v| (v.spend, Decimal::from(v.visits)), &|_| true);
        let credit_top = top_of(&|v| (v.credit, Decimal::from(v.credit_orders)), &|v| {
            v.credit_orders > 0
        })
        .into_iter()
        .map(|mut t| {
            if let Some(v) = visitors.get(t.customer.as_str()) {
                t.visits = v.credit_orders;
                t.spend = self.currency().present(v.credit);
            }
            t
        })
        .collect();
        let mut ages: Vec<Count> = AGE_BANDS
            .iter()
            .map(|(name, _)| Count {
                name: (*name).to_owned(),
                count: 0,
            })
            .chain(std::iter::once(Count {
                name: "unknown".to_owned(),
                count: 0,
            }))
            .collect();
        let mut genders: BTreeMap<String, u64> = BTreeMap::new();
        for customer in visitors.keys() {
            let band = births
                .get(customer)
                .and_then(|b| age(*b, to))
                .and_then(|a| AGE_BANDS.iter().position(|(_, below)| a < *below))
                .unwrap_or(AGE_BANDS.len());
            if let Some(c) = ages.get_mut(band) {
                c.count = c.count.saturating_add(1);
            }
            let g = genders_of
                .get(customer)
                .cloned()
                .unwrap_or_else(|| "unknown".to_owned());
            let e = genders.entry(g).or_default();
            *e = e.saturating_add(1);
        }
        let unknown = genders.remove("unknown");
        let mut genders = counts_by_most(genders);
        if let Some(count) = unknown {
            genders.push(Count {
                name: "unknown".to_owned(),
                count,
            });
        }
        let end_ms = self.end_of_day_ms(to);
        let mut credit = CreditReport {
            customers: u64::try_from(visitors.values().filter(|v| v.credit_orders > 0).count())
                .unwrap_or(u64::MAX),
            orders: credit_orders,
            amount: self.currency().present(credit_amount),
            top: credit_top,
            wallets: None,
            limit: None,
            owed: None,
        };
        let points = books.ledger.map(|ledger| {
            let (wallets, limit, owed) = ledger.credit_as_of(end_ms);
            credit.wallets = Some(wallets);
            credit.limit = Some(self.currency().present(limit));
            credit.owed = Some(self.currency().present(owed));
            self.points_report(ledger, from, to, end_ms)
        });
        Ok(Report {
            from: from.format("%Y-%m-%d").to_string(),
            to: to.format("%Y-%m-%d").to_string(),
            orders,
            customers,
            revenue: self.currency().present(revenue),
            average_basket: self.currency().present(
                revenue
                    .checked_div(Decimal::from(orders.max(1)))
                    .unwrap_or_default()
                    .round_dp(self.currency().minor_units()),
            ),
            orders_per_customer: ratio(orders, customers, 2),
            busiest_weekday: busiest(grid.iter().map(|r| r.iter().sum()))
                .map(|d| d.saturating_add(1)),
            busiest_hour: busiest((0..24).map(|h| grid.iter().filter_map(|r| r.get(h)).sum())),
            weekday_hour: grid,
            payments: splits(payments, orders, self.currency()),
            channels: splits(channels, orders, self.currency()),
            ages,
            genders,
            top_visitors,
            top_spenders,
            credit,
            coupons: CouponReport {
                orders: coupon_orders,
                discount: self.currency().present(coupon_discount),
                campaigns: counts_by_most(campaigns),
            },
            points,
            tiers: books.tiers.map(|t| self.tier_counts(t, end_ms)),
            referrals: books.referrals.map(|r| self.referral_report(r, from, to)),
        })
    }

    /// The last millisecond of local day `to`.
    fn end_of_day_ms(&self, to: NaiveDate) -> i64 {
        let next = to.succ_opt().unwrap_or(to);
        let midnight = next.and_hms_opt(0, 0, 0).unwrap_or_default();
        self.time_zone()
            .from_local_datetime(&midnight)
            .earliest()
            .map_or(i64::MAX, |t| t.timestamp_millis().saturating_sub(1))
    }

    fn local_date(&self, text: &str) -> Option<NaiveDate> {
        parse_instant(text, "at")
            .ok()
            .map(|t| t.with_timezone(&self.time_zone()).date_naive())
    }

    fn points_report(
        &self,
        ledger: &Ledger,
        from: NaiveDate,
        to: NaiveDate,
        end_ms: i64,
    ) -> PointsReport {
        let calendar = self.calendar();
        let at = self.ledger.format(end_ms);
        let mut months: BTreeMap<(i32, u8), [Decimal; 3]> = BTreeMap::new();
        for account in ledger.account_ids() {
            let Ok(statement) = ledger.statement(self, account, &at) else {
                continue;
            };
            if statement.kind != "points" {
                continue;
            }
            for m in &statement.movements {
                let slot = match m.kind {
                    "earn" | "release" => 0,
                    "redeem" => 1,
                    "expire" => 2,
                    _ => continue,
                };
                let Some(date) = self.local_date(&m.at).filter(|d| *d >= from && *d <= to) else {
                    continue;
                };
                // Earn lines count when the points become available
                // (`release`), so a pending earn is not counted twice.
                if m.kind == "earn" && m.change.is_zero() {
                    continue;
                }
                let key = from_iso(calendar, date).map_or((0, 0), |d| (d.year, d.month));
                let e = months.entry(key).or_default();
                if let Some(v) = e.get_mut(slot) {
                    *v = v.saturating_add(m.change.abs());
                }
            }
        }
        let sum = |k: usize| {
            months
                .values()
                .filter_map(|v| v.get(k))
                .fold(Decimal::ZERO, |a, b| a.saturating_add(*b))
        };
        PointsReport {
            issued: crate::money::normalize(sum(0)),
            redeemed: crate::money::normalize(sum(1)),
            expired: crate::money::normalize(sum(2)),
            months: months
                .into_iter()
                .map(|((y, m), [issued, redeemed, expired])| PointsMonth {
                    month: format!("{y:04}-{m:02}"),
                    issued: crate::money::normalize(issued),
                    redeemed: crate::money::normalize(redeemed),
                    expired: crate::money::normalize(expired),
                })
                .collect(),
        }
    }

    fn tier_counts(&self, book: &TierBook, end_ms: i64) -> Vec<Count> {
        let at = self.ledger.format(end_ms);
        let mut by_tier: BTreeMap<String, u64> = BTreeMap::new();
        // Members by the period's end: an account whose first event is later
        // was not a member then.
        for account in book
            .account_ids()
            .filter(|a| book.events(a).iter().any(|e| e.at <= end_ms))
        {
            let tier = book
                .status(self, account, &at)
                .ok()
                .and_then(|s| s.tier)
                .unwrap_or_else(|| "none".to_owned());
            let e = by_tier.entry(tier).or_default();
            *e = e.saturating_add(1);
        }
        let mut out: Vec<Count> = self
            .tier_ids()
            .into_iter()
            .chain(std::iter::once("none".to_owned()))
            .map(|name| Count {
                count: by_tier.remove(&name).unwrap_or(0),
                name,
            })
            .collect();
        out.extend(counts_by_most(by_tier));
        out
    }

    fn referral_report(
        &self,
        book: &ReferralBook,
        from: NaiveDate,
        to: NaiveDate,
    ) -> ReferralReport {
        let mut statuses: BTreeMap<ReferralStatus, u64> = BTreeMap::new();
        let mut reasons: BTreeMap<String, u64> = BTreeMap::new();
        let mut linked = 0u64;
        for r in book.referrals() {
            if !self
                .local_date(&r.linked_at)
                .is_some_and(|d| d >= from && d <= to)
            {
                continue;
            }
            linked = linked.saturating_add(1);
            let e = statuses.entry(r.status).or_default();
            *e = e.saturating_add(1);
            for reason in &r.reasons {
                let e = reasons.entry(reason.code.code().to_owned()).or_default();
                *e = e.saturating_add(1);
            }
        }
        ReferralReport {
            linked,
            statuses: [
                ReferralStatus::Linked,
                ReferralStatus::Pending,
                ReferralStatus::Credited,
                ReferralStatus::Cancelled,
            ]
            .into_iter()
            .map(|s| Count {
                name: s.name().to_owned(),
                count: statuses.get(&s).copied().unwrap_or(0),
            })
            .collect(),
            reasons: counts_by_most(reasons),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::LedgerEvent;
    use serde_json::json;

    fn program() -> Program {
        Program::from_toml(
            "schema_version = 1\nid = \"p\"\ncurrency = \"SAR\"\ntime_zone = \"Asia/Riyadh\"\n",
        )
        .unwrap()
    }

    fn request(top: Option<u32>) -> ReportRequest {
        serde_json::from_value(json!({
            "from": "2026-03-01",
            "to": "2026-03-31",
            "top": top,
            "orders": [
                {"id": "o1", "customer": "c-1", "at": "2026-03-02T09:15:00+03:00", "amount": "100.00",
                 "payment": "card", "channel": "pos", "coupons": ["spring", "spring"], "coupon_discount": "10"},
                {"id": "o2", "customer": "c-1", "at": "2026-03-09T09:40:00+03:00", "amount": "50.00",
                 "payment": "cash", "channel": "pos"},
                {"id": "o3", "customer": "c-2", "at": "2026-03-04T20:00:00+03:00", "amount": "30.00",
                 "payment": "credit", "channel": "web"},
                // 23:30 on 28 February in Riyadh: before the period.
                {"id": "o4", "customer": "c-3", "at": "2026-02-28T20:30:00Z", "amount": "999"},
                // 23:59 on 31 March in Riyadh: the period's last minute.
                {"id": "o5", "customer": "c-3", "at": "2026-03-31T20:59:00Z", "amount": "20.01",
                 "payment": " credit "},
                {"id": "o6", "customer": "c-2", "at": "2026-04-01T00:00:00+03:00", "amount": "999"}
            ],
            "customers": [
                {"id": "c-1", "birth_date": "1990-05-01", "gender": "Female"},
                {"id": "c-2", "birth_date": "2010-04-01", "gender": "male"},
                {"id": "c-9", "gender": "male"}
            ]
        }))
        .unwrap()
    }

    fn names(counts: &[Count]) -> Vec<(&str, u64)> {
        counts.iter().map(|c| (c.name.as_str(), c.count)).collect()
    }

    fn tops(t: &[TopCustomer]) -> Vec<(&str, u64, String)> {
        t.iter()
            .map(|t| (t.customer.as_str(), t.visits, t.spend.to_string()))
            .collect()
    }

    #[test]
    fn orders_in_the_local_period_make_the_report() {
        let r = program()
            .report(&request(None), &ReportBooks::default())
            .unwrap();
        assert_eq!((r.orders, r.customers), (4, 3));
        assert_eq!(r.revenue.to_string(), "200.01");
        // 200.01 / 4 = 50.0025, half-even to the halala.
        assert_eq!(r.average_basket.to_string(), "50.00");
        assert_eq!(r.orders_per_customer.to_string(), "1.33");
        let mut grid = vec![vec![0u64; 24]; 7];
        grid[0][9] = 2; // two Mondays at 9
        grid[2][20] = 1; // Wednesday 20:00
        grid[1][23] = 1; // Tuesday 23:59
        assert_eq!(r.weekday_hour, grid);
        assert_eq!((r.busiest_weekday, r.busiest_hour), (Some(1), Some(9)));
        let split = |s: &[Split]| {
            s.iter()
                .map(|s| {
                    (
                        s.name.clone(),
                        s.orders,
                        s.amount.to_string(),
                        s.share.to_string(),
                    )
                })
                .collect::<Vec<_>>()
        };
        let row = |n: &str, o, a: &str, s: &str| (n.to_owned(), o, a.to_owned(), s.to_owned());
        assert_eq!(
            split(&r.payments),
            [
                row("credit", 2, "50.01", "0.5"),
                row("card", 1, "100.00", "0.25"),
                row("cash", 1, "50.00", "0.25")
            ]
        );
        assert_eq!(
            split(&r.channels),
            [
                row("pos", 2, "150.00", "0.5"),
                row("unknown", 1, "20.01", "0.25"),
                row("web", 1, "30.00", "0.25")
            ]
        );
        // c-1 is 35 on 31 March; c-2 turns 16 the day after; c-3 has no profile.
        assert_eq!(
            names(&r.ages),
            [
                ("under_18", 1),
                ("18_24", 0),
                ("25_34", 0),
                ("35_44", 1),
                ("45_54", 0),
                ("55_64", 0),
                ("65_plus", 0),
                ("unknown", 1)
            ]
        );
        assert_eq!(
            names(&r.genders),
            [("female", 1), ("male", 1), ("unknown", 1)]
        );
        assert_eq!(
            tops(&r.top_visitors),
            [
                ("c-1", 2, "150.00".to_owned()),
                ("c-2", 1, "30.00".to_owned()),
                ("c-3", 1, "20.01".to_owned())
            ]
        );
        assert_eq!(tops(&r.top_spenders), tops(&r.top_visitors));
        assert_eq!(
            (
                r.credit.customers,
                r.credit.orders,
                r.credit.amount.to_string()
            ),
            (2, 2, "50.01".to_owned())
        );
        assert_eq!(
            tops(&r.credit.top),
            [
                ("c-2", 1, "30.00".to_owned()),
                ("c-3", 1, "20.01".to_owned())
            ]
        );
        assert_eq!(
            (r.credit.wallets, r.credit.limit, r.credit.owed),
            (None, None, None)
        );
        assert_eq!(
            (r.coupons.orders, r.coupons.discount.to_string()),
            (1, "10.00".to_owned())
        );
        assert_eq!(names(&r.coupons.campaigns), [("spring", 1)]);
        assert!(r.points.is_none() && r.tiers.is_none() && r.referrals.is_none());
    }

    #[test]
    fn top_lists_are_cut_to_top() {
        let r = program()
            .report(&request(Some(1)), &ReportBooks::default())
            .unwrap();
        assert_eq!(tops(&r.top_visitors), [("c-1", 2, "150.00".to_owned())]);
        assert_eq!(tops(&r.credit.top), [("c-2", 1, "30.00".to_owned())]);
    }

    #[test]
    fn the_ledger_gives_points_by_month_and_credit_in_use() {
        let program = program();
        let mut ledger = Ledger::new();
        let events = json!([
            {"account": "m-1", "at": "2026-02-20T10:00:00+03:00", "id": "e-0", "points": "100", "type": "earn"},
            {"account": "m-1", "at": "2026-03-05T10:00:00+03:00", "id": "e-1", "points": "40", "type": "earn"},
            {"account": "m-1", "at": "2026-03-10T10:00:00+03:00", "id": "r-1", "points": "30", "type": "redeem"},
            {"account": "m-2", "at": "2026-03-31T23:00:00+03:00", "id": "e-2", "points": "7.5", "type": "earn"},
            {"account": "m-1", "at": "2026-04-02T10:00:00+03:00", "id": "e-3", "points": "5", "type": "earn"},
            {"account": "w-1", "amount": "50.00", "at": "2026-03-01T10:00:00+03:00", "id": "wd-1", "type": "wallet_deposit"},
            {"account": "w-1", "at": "2026-03-03T10:00:00+03:00", "credit_limit": "50.00", "id": "wl-1", "type": "wallet_limit"},
            {"account": "w-1", "amount": "80.00", "at": "2026-03-04T10:00:00+03:00", "id": "wc-1", "type": "wallet_charge"},
            {"account": "w-2", "at": "2026-04-02T10:00:00+03:00", "credit_limit": "500", "id": "wl-2", "type": "wallet_limit"}
        ]);
        for e in events.as_array().unwrap() {
            let event = LedgerEvent::from_value(e.clone()).unwrap();
            ledger.post(&program, &event).unwrap();
        }
        let books = ReportBooks {
            ledger: Some(&ledger),
            ..ReportBooks::default()
        };
        let r = program.report(&request(None), &books).unwrap();
        let p = r.points.unwrap();
        assert_eq!(
            (
                p.issued.to_string(),
                p.redeemed.to_string(),
                p.expired.to_string()
            ),
            ("47.5".to_owned(), "30".to_owned(), "0".to_owned())
        );
        assert_eq!(
            p.months
                .iter()
                .map(|m| (
                    m.month.as_str(),
                    m.issued.to_string(),
                    m.redeemed.to_string()
                ))
                .collect::<Vec<_>>(),
            [("2026-03", "47.5".to_owned(), "30".to_owned())]
        );
        assert_eq!(
            (
                r.credit.wallets,
                r.credit.limit.map(|d| d.to_string()),
                r.credit.owed.map(|d| d.to_string())
            ),
            (Some(1), Some("50.00".to_owned()), Some("30.00".to_owned()))
        );
    }

    #[test]
    fn every_bad_value_is_reported() {
        let mut req = request(None);
        req.from = "2026-02-30".into();
        req.customers[1].birth_date = Some("1990/01/01".into());
        req.customers[2].id = " ".into();
        req.orders[2].amount = Decimal::NEGATIVE_ONE;
        let errors = program().report(&req, &ReportBooks::default()).unwrap_err();
        let got: Vec<(&str, &str)> = errors
            .0
            .iter()
            .map(|e| (crate::Coded::code(e), crate::Coded::path(e)))
            .collect();
        assert_eq!(
            got,
            [
                ("invalid_timestamp", "from"),
                ("invalid_timestamp", "customers[1].birth_date"),
                ("empty_value", "customers[2].id"),
                ("negative_amount", "orders[2].amount")
            ]
        );
    }
}
