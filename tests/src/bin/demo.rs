//! The demo: a year of a Tehran café chain's loyalty club, end to end.
//!
//! Generates the seeded sample data (customers, a year of orders and custom
//! events), merges the customers' cross-channel duplicate profiles
//! (`Program::dedupe`; a merged customer's orders and events go to their
//! first profile's account), replays every order and event in time order through
//! `Program::quote` of the sample program, keeping each customer's cap
//! counters, the program-wide campaign budgets and first-purchase flags the
//! way a host would, and prints a summary.
//!
//! Every quote's points go to the points ledger (`EarnEvent::from_quote`).
//! Some members pay part of an order with points (`pay_with_points`, then the
//! redeem event it returns), and a seeded share of orders comes back within
//! three weeks, in full, by line or by amount. After the year the demo asks
//! the ledger for every member's balance a day after the year ends (when
//! points of members inactive for 180 days have expired) and prints the
//! totals and a statement.
//!
//! Every ledger event the ledger accepts also goes to the tier book
//! (`TierBook::post_ledger`), and orders that earned no points go to it as
//! plain tier orders, so status follows spend. Each order is quoted at the
//! tier `TierBook::order_tier` says it earns at (the order that crosses a
//! threshold already earns at the new tier), each custom event at the tier
//! held then. Returning members start the year with the status of the old
//! card programme (the sample profiles' `tier`) as a floor override until
//! 1 Mehr 1404. After the year the demo prints the tier distribution and the
//! upgrades and downgrades of the year.
//!
//! The demo is also the coupons' host (`loyalty_testkit::sample::coupons`):
//! on the first day of every Persian month it issues personal codes
//! (`Program::generate_codes`, seeded) to the members whose tier the tier
//! book says gets them, it thanks every answered survey with a unique code,
//! and at checkout some customers type a code they hold or a public one.
//! The codes go to `Program::apply_coupons` with the campaigns' counters
//! (the tier for coupons is the one the member holds as they walk in), and
//! the order it gives back, with the discounts in its lines and gift lines,
//! is what is paid, quoted (with the points coupons accepted) and posted.
//! The summary shows, by campaign, codes issued, redeemed and refused, and
//! the money and gifts given.
//!
//! The demo also runs the program's referrals (`loyalty_testkit::sample::referrals`):
//! some members get a referral code at their first order of the year, a share
//! of the year's new customers sign up with one on the day they join (typed
//! in lower case, with spaces or Persian digits, some mistyped), and the
//! fraud a referral programme meets tries its luck (second profiles, own
//! accounts, a cycle, a farm, returning customers). Everything goes to a
//! `ReferralBook` in time order with the referees' orders as paid and their
//! refunds (some qualifying orders come back below the minimum), every
//! customer profile merging put together is a `merge` event, and the book is
//! settled when a return window closes: its credits and their reversals go
//! to the points ledger like any other earning. The summary shows codes,
//! sign-ups, credits and cancellations, and refusals by reason.
//!
//! Last, the insights: every paid order (after coupons, less what points
//! paid) goes to `Program::customer_stats` for each customer's statistics and
//! RFM segment, and to `Program::report` with the ledger, the tier book and
//! the referral book for the year's report; `Program::triggers` gives the
//! lifecycle messages due the day after the year (birthdays a week ahead,
//! with personal birthday-cake codes, in the members' Persian calendar;
//! win-back; welcome; points about to expire). The summary prints them, and
//! `loyalty_testkit::report` draws them into a self-contained HTML page with
//! charts (`--report PATH`, `target/demo/report.html` by default). Apart from
//! the timing lines, the output is the same on every run and platform for
//! the same flags.
//!
//! ```text
//! cargo run --release -p loyalty-testkit --bin demo -- [--customers N] [--seed S] [--report PATH]
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use chrono::{NaiveDateTime, TimeDelta};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use loyalty_core::accrual::CapKind;
use loyalty_core::identity::DedupeOptions;
use loyalty_core::insights::{
    InsightLine, InsightOrder, ReportBooks, ReportCustomer, ReportRequest, StatsRequest,
    TriggerCustomer, TriggerRequest,
};
use loyalty_core::ledger::{
    EarnEvent, Ledger, LedgerEvent, PaymentRequest, PointsTotals, RefundEvent, RefundLine,
};
use loyalty_core::model::{Counters, Customer, LineKind, Order};
use loyalty_core::referrals::ReasonCode;
use loyalty_core::tiers::{
    Cause, OverrideMode, TierBook, TierEvent, TierOrder, TierOverride, TierPostStatus,
};
use loyalty_core::{Program, Quote, QuoteRequest};
use loyalty_testkit::sample::coupons::{Checkout, CouponDesk, CouponTally};
use loyalty_testkit::sample::referrals::{Attempt, ForcedRefund, ReferralDesk, ReferralTally};
use loyalty_testkit::sample::{self, Activity, Dataset, SampleCustomer, SampleOrder, SampleRng};
use rand::RngExt;
use rust_decimal::Decimal;

const USAGE: &str = "usage: demo [--customers N] [--seed S] [--report PATH]";

/// Where the HTML report goes without `--report`.
const REPORT_PATH: &str = "target/demo/report.html";

struct Args {
    customers: usize,
    seed: u64,
    report: std::path::PathBuf,
}

fn parse_args() -> Result<Option<Args>, String> {
    let mut args = Args {
        customers: sample::DEFAULT_CUSTOMERS,
        seed: sample::DEFAULT_SEED,
        report: REPORT_PATH.into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (flag.clone(), None),
        };
        if name == "--help" || name == "-h" {
            return Ok(None);
        }
        let value = inline
            .or_else(|| it.next())
            .ok_or_else(|| format!("`{name}` needs a value\n{USAGE}"))?;
        match name.as_str() {
            "--customers" => {
                args.customers =
                    value.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                        format!("`{value}` is not a positive number of customers")
                    })?;
            }
            "--seed" => {
                args.seed = value
                    .parse()
                    .map_err(|_| format!("`{value}` is not a seed (0 to 2^64-1)"))?;
            }
            "--report" => args.report = value.into(),
            _ => return Err(format!("unknown option `{name}`\n{USAGE}")),
        }
    }
    Ok(Some(args))
}

/// What the host keeps per customer between quotes.
#[derive(Default)]
struct CustomerState {
    /// Day and period counters (budgets live in [`Replay::budgets`]).
    counters: Counters,
    ordered: bool,
    orders: u64,
    points: Decimal,
    /// The tier the member's last order earned at (or the carried-over
    /// status before one): nobody holds more at the start of a month.
    tier: Option<String>,
}

#[derive(Default)]
struct Tally {
    count: u64,
    points: Decimal,
}

#[derive(Default)]
struct ChannelTally {
    orders: u64,
    eligible: Decimal,
    points: Decimal,
}

#[derive(Default)]
struct CapTally {
    hits: u64,
    cut: Decimal,
}

#[derive(Default)]
struct Replay {
    customers: Vec<CustomerState>,
    /// Campaign budgets are program-wide: one running total per rule.
    budgets: BTreeMap<String, Decimal>,
    quotes: u64,
    order_points: Decimal,
    event_points: Decimal,
    by_rule: BTreeMap<String, Tally>,
    by_channel: BTreeMap<String, ChannelTally>,
    by_event: BTreeMap<String, Tally>,
    caps: BTreeMap<(String, &'static str), CapTally>,
    first_purchase_on_second_profiles: u64,
    points_on_second_profiles: Decimal,
    errors: u64,
    first_error: Option<String>,
    /// The points ledger and what the host posted to it.
    books: Books,
    /// The coupon desk: codes issued, their uses and the campaigns' counters.
    coupons: Option<CouponDesk>,
    /// The referral desk: codes, sign-ups and the referral book.
    referrals: Option<ReferralDesk>,
    /// Every order as paid, for insights.
    insight_orders: Vec<InsightOrder>,
}

/// Share of orders (in 100) at which a member with enough points pays with them.
const PAY_PERCENT: u32 = 10;
/// Share of orders (in 1,000) that come back.
const REFUND_PER_MILLE: u32 = 40;
/// Refunds come back within this many minutes of the order (three weeks).
const REFUND_MINUTES: i64 = 21 * 24 * 60;
/// Balances are asked a day after the sample year ends (2 Farvardin 1405).
const AS_OF: &str = "2026-03-22T00:00:00+03:30";
/// Returning members' status from the old card programme holds from the
/// first instant of the year (1 Farvardin 1404) ...
const CARRIED_FROM: &str = "2025-03-21T00:00:00+03:30";
/// ... until the first review of a window of six months of 1404 (1 Mehr 1404).
const CARRIED_UNTIL: &str = "2025-09-23T00:00:00+03:30";

/// How many refunds of each kind were posted.
#[derive(Default)]
struct Refunds {
    full: u64,
    lines: u64,
    amount: u64,
}

/// The host's side of the points ledger: earnings from quotes, payments with
/// points at checkout, refunds waiting for their day, and what came of them.
struct Books {
    ledger: Ledger,
    /// Decides who pays with points and which orders come back (seeded).
    rng: SampleRng,
    /// Refunds by due time (and the order they were decided in).
    due: BTreeMap<(NaiveDateTime, u64), (LedgerEvent, RefundKind)>,
    decided: u64,
    earnings: u64,
    payments: u64,
    paid_points: Decimal,
    discounts: Decimal,
    refunds: Refunds,
    refused: u64,
    first_refusal: Option<String>,
    /// The tier book, which gets every event the ledger accepts.
    tiers: Tiers,
}

#[derive(Clone, Copy)]
enum RefundKind {
    Full,
    Lines,
    Amount,
}

impl Default for Books {
    fn default() -> Self {
        Self::new(sample::DEFAULT_SEED)
    }
}

/// An order as insights read it: as paid (after coupons, less what points
/// paid), with the coupon discount and the first category of each line.
fn insight_order(
    account: &str,
    original: &SampleOrder,
    order: &Order,
    points_paid: Option<Decimal>,
) -> InsightOrder {
    let total = order_total(order);
    let coupon = order_total(&original.order)
        .checked_sub(total)
        .unwrap_or_default();
    let points = points_paid.filter(|p| *p > Decimal::ZERO);
    InsightOrder {
        id: order.id.clone(),
        customer: account.to_owned(),
        at: order.placed_at.clone(),
        amount: total
            .checked_sub(points.unwrap_or_default())
            .unwrap_or_default()
            .max(Decimal::ZERO),
        channel: order.channel.clone(),
        store: order.store.clone(),
        payment: order.payment_method.clone(),
        points_paid: points,
        coupon_discount: Some(coupon).filter(|c| *c > Decimal::ZERO),
        lines: order
            .lines
            .iter()
            .filter(|l| l.kind != LineKind::Reward)
            .map(|l| InsightLine {
                sku: l.sku.clone(),
                category: l.categories.first().cloned(),
                quantity: l.quantity,
                amount: line_paid(l),
            })
            .collect(),
        coupons: Vec::new(),
    }
}

/// What a line costs: quantity times unit price, less its discount.
fn line_paid(l: &loyalty_core::model::Line) -> Decimal {
    l.quantity
        .checked_mul(l.unit_price)
        .and_then(|g| g.checked_sub(l.discount))
        .unwrap_or_default()
        .max(Decimal::ZERO)
}

/// What the customer pays for an order before points: every line's total
/// less its discount (the amount an earning is refunded against).
fn order_total(order: &Order) -> Decimal {
    let mut total = Decimal::ZERO;
    for l in &order.lines {
        add(&mut total, line_paid(l));
    }
    total
}

impl Books {
    fn new(seed: u64) -> Self {
        Self {
            ledger: Ledger::new(),
            // Its own stream, so the ledger's draws never shift the sample data.
            rng: sample::rng(seed ^ 0x1ed9_e500_0000_0000),
            due: BTreeMap::new(),
            decided: 0,
            earnings: 0,
            payments: 0,
            paid_points: Decimal::ZERO,
            discounts: Decimal::ZERO,
            refunds: Refunds::default(),
            refused: 0,
            first_refusal: None,
            tiers: Tiers::default(),
        }
    }

    /// Posts to the ledger and, when it accepts the event, to the tier book.
    fn post(&mut self, program: &Program, event: &LedgerEvent) -> bool {
        match self.ledger.post(program, event) {
            Ok(_) => {
                self.tiers.post_ledger(program, event);
                true
            }
            Err(e) => {
                inc(&mut self.refused);
                if self.first_refusal.is_none() {
                    self.first_refusal = Some(format!("{}: {e}", event.id()));
                }
                false
            }
        }
    }

    /// When the next refund is due.
    fn next_due(&self) -> Option<NaiveDateTime> {
        self.due.first_key_value().map(|(k, _)| k.0)
    }

    /// Posts the next refund due; the refund, when the ledger accepted it.
    fn post_next_due(&mut self, program: &Program) -> Option<RefundEvent> {
        let (event, kind) = self.due.pop_first()?.1;
        if !self.post(program, &event) {
            return None;
        }
        let n = match kind {
            RefundKind::Full => &mut self.refunds.full,
            RefundKind::Lines => &mut self.refunds.lines,
            RefundKind::Amount => &mut self.refunds.amount,
        };
        inc(n);
        match event {
            LedgerEvent::Refund(r) => Some(r),
            _ => None,
        }
    }

    /// At checkout, some members pay part of the order with their points
    /// (as many as the program allows); true when they did.
    fn pay(&mut self, program: &Program, account: &str, order: &Order) -> bool {
        if !self.rng.random_ratio(PAY_PERCENT, 100) {
            return false;
        }
        let request = PaymentRequest {
            id: format!("pay-{}", order.id),
            account: account.to_owned(),
            at: order.placed_at.clone(),
            order: Some(order.id.clone()),
            order_total: order_total(order),
            points: None,
        };
        // Below the program's minimum the member simply pays in money.
        let Ok(payment) = self.ledger.pay_with_points(program, &request) else {
            return false;
        };
        let Some(event) = payment.event else {
            return false;
        };
        if !self.post(program, &event) {
            return false;
        }
        inc(&mut self.payments);
        add(&mut self.paid_points, payment.points);
        add(&mut self.discounts, payment.discount);
        true
    }

    /// Posts what a quote earned; returns the earn event.
    fn earn(
        &mut self,
        program: &Program,
        request: &QuoteRequest,
        quote: &Quote,
        account: &str,
        source: &str,
    ) -> Option<EarnEvent> {
        let id = format!("earn-{source}");
        let earn = match EarnEvent::from_quote(request, quote, account, &id) {
            Ok(earn) => earn?,
            Err(e) => {
                inc(&mut self.refused);
                if self.first_refusal.is_none() {
                    self.first_refusal = Some(format!("{id}: {e}"));
                }
                return None;
            }
        };
        let event = LedgerEvent::Earn(earn);
        let posted = self.post(program, &event);
        match event {
            LedgerEvent::Earn(e) if posted => {
                inc(&mut self.earnings);
                Some(e)
            }
            _ => None,
        }
    }

    /// A referee's qualifying order coming back below the referral minimum,
    /// as the referral plan asks (unless the order already comes back, or
    /// left nothing in the ledger to refund).
    fn force_refund(
        &mut self,
        o: &SampleOrder,
        order: &Order,
        earn: Option<&EarnEvent>,
        paid: bool,
        forced: ForcedRefund,
    ) {
        if earn.is_none() && !paid {
            return;
        }
        let due =
            o.at.checked_add_signed(TimeDelta::minutes(forced.after_minutes))
                .unwrap_or(o.at);
        let total = order_total(order);
        let (amount, kind) = match forced.keep.and_then(|k| total.checked_sub(k)) {
            Some(a) if a > Decimal::ZERO && a < total => (Some(a), RefundKind::Amount),
            _ => (None, RefundKind::Full),
        };
        let event = RefundEvent {
            id: format!("refund-{}", order.id),
            at: sample::tehran_rfc3339(due),
            order: order.id.clone(),
            lines: Vec::new(),
            amount,
        };
        self.decided = self.decided.saturating_add(1);
        self.due
            .insert((due, self.decided), (LedgerEvent::Refund(event), kind));
    }

    /// Decides whether the order comes back, when, and how much of it; true
    /// when it does.
    fn maybe_refund(
        &mut self,
        o: &SampleOrder,
        order: &Order,
        earn: Option<&EarnEvent>,
        paid: bool,
    ) -> bool {
        if (earn.is_none() && !paid) || !self.rng.random_ratio(REFUND_PER_MILLE, 1000) {
            return false;
        }
        let minutes = self.rng.random_range(30..=REFUND_MINUTES);
        let due =
            o.at.checked_add_signed(TimeDelta::minutes(minutes))
                .unwrap_or(o.at);
        let mut event = RefundEvent {
            id: format!("refund-{}", o.order.id),
            at: sample::tehran_rfc3339(due),
            order: o.order.id.clone(),
            lines: Vec::new(),
            amount: None,
        };
        // Lines that earned points, for a refund by line.
        let earning: Vec<usize> = earn
            .map(|e| {
                e.lines
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| l.points > Decimal::ZERO)
                    .map(|(i, _)| i)
                    .collect()
            })
            .unwrap_or_default();
        let kind = match self.rng.random_range(0..10_u32) {
            0..4 => RefundKind::Full,
            4..7 if !earning.is_empty() => {
                let pick = self.rng.random_range(0..earning.len());
                let line = earning.get(pick).copied().unwrap_or(0);
                let sold = earn
                    .and_then(|e| e.lines.get(line))
                    .map_or(Decimal::ONE, |l| l.quantity);
                // Whole units: some of them; by weight: all of it.
                let quantity = match u32::try_from(sold.trunc().mantissa()) {
                    Ok(n) if sold.fract().is_zero() && n > 1 => {
                        Decimal::from(self.rng.random_range(1..=n))
                    }
                    _ => sold,
                };
                event.lines.push(RefundLine { line, quantity });
                RefundKind::Lines
            }
            _ => {
                // 10% to 60% of the order, rounded down to 1,000 IRR.
                let basis = earn
                    .and_then(|e| e.amount)
                    .unwrap_or_else(|| order_total(order));
                let share = Decimal::new(i64::from(self.rng.random_range(10..=60_u32)), 2);
                let thousand = Decimal::from(1000);
                let amount = basis
                    .checked_mul(share)
                    .and_then(|a| a.checked_div(thousand))
                    .map(|a| a.floor())
                    .and_then(|a| a.checked_mul(thousand))
                    .unwrap_or_default();
                if amount <= Decimal::ZERO {
                    RefundKind::Full
                } else {
                    event.amount = Some(amount);
                    RefundKind::Amount
                }
            }
        };
        self.decided = self.decided.saturating_add(1);
        self.due
            .insert((due, self.decided), (LedgerEvent::Refund(event), kind));
        true
    }
}

/// Tier events posted, by what they were.
#[derive(Default)]
struct TierPosted {
    orders: u64,
    /// Orders that earned no points: no earn event, posted as plain tier orders.
    plain_orders: u64,
    points: u64,
    redeems: u64,
    refunds: u64,
    carried: u64,
    /// Ledger events that do not count towards tiers.
    ignored: u64,
}

/// The host's side of the tier book: what it posted, what the book refused,
/// and the time spent in it.
#[derive(Default)]
struct Tiers {
    book: TierBook,
    posted: TierPosted,
    refused: u64,
    first_refusal: Option<String>,
    /// `order_tier` and `status` calls that failed.
    lookups_failed: u64,
    first_lookup_failure: Option<String>,
    /// Time spent posting to the tier book and asking it, during the replay.
    time: Duration,
}

impl Tiers {
    fn refusal(&mut self, id: &str, e: impl std::fmt::Display) {
        inc(&mut self.refused);
        if self.first_refusal.is_none() {
            self.first_refusal = Some(format!("{id}: {e}"));
        }
    }

    fn lookup_failure(&mut self, what: &str, e: impl std::fmt::Display) {
        inc(&mut self.lookups_failed);
        if self.first_lookup_failure.is_none() {
            self.first_lookup_failure = Some(format!("{what}: {e}"));
        }
    }

    /// Posts what a ledger event the ledger accepted means for tiers.
    fn post_ledger(&mut self, program: &Program, event: &LedgerEvent) {
        let t = Instant::now();
        let status = self.book.post_ledger(program, event);
        self.time = self.time.saturating_add(t.elapsed());
        let n = match (status, event) {
            (Err(e), _) => return self.refusal(event.id(), e),
            (Ok(TierPostStatus::Ignored), _) => &mut self.posted.ignored,
            (Ok(_), LedgerEvent::Earn(e)) if e.order.is_some() => &mut self.posted.orders,
            (Ok(_), LedgerEvent::Earn(_)) => &mut self.posted.points,
            (Ok(_), LedgerEvent::Redeem(_)) => &mut self.posted.redeems,
            (Ok(_), LedgerEvent::Refund(_)) => &mut self.posted.refunds,
            (Ok(_), _) => &mut self.posted.ignored,
        };
        inc(n);
    }

    /// Posts a tier event that is not a ledger event; true when it applied.
    fn post(&mut self, program: &Program, event: &TierEvent) -> bool {
        let t = Instant::now();
        let status = self.book.post(program, event);
        self.time = self.time.saturating_add(t.elapsed());
        match status {
            Ok(_) => true,
            Err(e) => {
                self.refusal(event.id(), e);
                false
            }
        }
    }

    /// The order as tier qualification counts it: what the customer paid
    /// (the `amount` the earn event for it has), before its points are known.
    fn tier_order(account: &str, order: &Order, id: String) -> TierOrder {
        TierOrder {
            id,
            account: account.to_owned(),
            at: order.placed_at.clone(),
            order: Some(order.id.clone()),
            spend: order_total(order),
            points: Decimal::ZERO,
            lines: Vec::new(),
        }
    }

    /// The tier an order earns at (the `customer.tier` to quote it at).
    fn order_tier(&mut self, program: &Program, account: &str, order: &Order) -> Option<String> {
        let probe = Self::tier_order(account, order, format!("earn-{}", order.id));
        let t = Instant::now();
        let answer = self.book.order_tier(program, &probe);
        self.time = self.time.saturating_add(t.elapsed());
        match answer {
            Ok(a) => a.tier,
            Err(e) => {
                self.lookup_failure(&order.id, e);
                None
            }
        }
    }

    /// The tier a member holds at an instant.
    fn tier_at(&mut self, program: &Program, account: &str, at: &str) -> Option<String> {
        let t = Instant::now();
        let answer = self.book.status(program, account, at);
        self.time = self.time.saturating_add(t.elapsed());
        match answer {
            Ok(s) => s.tier,
            Err(e) => {
                self.lookup_failure(account, e);
                None
            }
        }
    }

    /// An order that earned no points still counts towards tiers.
    fn post_plain_order(&mut self, program: &Program, account: &str, order: &Order) {
        let event = TierEvent::Order(Self::tier_order(
            account,
            order,
            format!("order-{}", order.id),
        ));
        if self.post(program, &event) {
            inc(&mut self.posted.plain_orders);
        }
    }

    /// Returning members keep the silver or gold status of the old card
    /// programme (the profile's `tier`) as a floor until 1 Mehr 1404; by
    /// then six months of 1404 decide.
    fn carry_over(&mut self, program: &Program, data: &Dataset) {
        for c in data.customers.iter().filter(|c| c.has_history) {
            let Some(tier) = c
                .profile
                .tier
                .as_deref()
                .filter(|t| tier_rank(program, t).is_some_and(|r| r > 0))
            else {
                continue;
            };
            let event = TierEvent::Override(TierOverride {
                id: format!("carry-{}", c.id()),
                account: c.id().to_owned(),
                at: CARRIED_FROM.to_owned(),
                tier: Some(tier.to_owned()),
                until: Some(CARRIED_UNTIL.to_owned()),
                mode: OverrideMode::Floor,
                reason: Some("status of the 1403 card programme".to_owned()),
            });
            if self.post(program, &event) {
                inc(&mut self.posted.carried);
            }
        }
    }
}

/// The program's tier ids, lowest first.
fn tier_ids(program: &Program) -> Vec<&str> {
    program
        .file()
        .tiers
        .iter()
        .flat_map(|t| &t.levels)
        .map(|l| l.id.as_str())
        .collect()
}

/// A tier's place in the program's order (0 = lowest).
fn tier_rank(program: &Program, tier: &str) -> Option<usize> {
    tier_ids(program).iter().position(|t| *t == tier)
}

/// The place of the lowest tier whose benefits include coupons.
fn coupon_floor(program: &Program) -> Option<usize> {
    program
        .file()
        .tiers
        .iter()
        .flat_map(|t| &t.levels)
        .position(|l| !l.benefits.coupons.is_empty())
}

fn cap_name(kind: CapKind) -> &'static str {
    match kind {
        CapKind::PerOrder => "per_order",
        CapKind::PerDay => "per_day",
        CapKind::PerPeriod => "per_period",
        CapKind::Budget => "budget",
    }
}

fn add(total: &mut Decimal, x: Decimal) {
    *total = total.checked_add(x).unwrap_or(*total);
}

fn inc(n: &mut u64) {
    *n = n.saturating_add(1);
}

impl Replay {
    /// The customer's counters with the current program-wide budgets merged in.
    fn counters_for(&mut self, customer: usize) -> Counters {
        let mut counters = self
            .customers
            .get_mut(customer)
            .map(|s| std::mem::take(&mut s.counters))
            .unwrap_or_default();
        for (rule, used) in &self.budgets {
            counters.entry(rule.clone()).or_default().budget = Some(*used);
        }
        counters
    }

    /// Keeps the counters a quote returned: budgets program-wide, the rest per customer.
    fn keep(&mut self, customer: usize, mut counters: Counters) {
        for (rule, c) in &mut counters {
            if let Some(used) = c.budget.take() {
                self.budgets.insert(rule.clone(), used);
            }
        }
        counters.retain(|_, c| c.day.is_some() || c.period.is_some());
        if let Some(s) = self.customers.get_mut(customer) {
            s.counters = counters;
        }
    }

    /// Issues the coupon codes of the months begun by `at`, to the members
    /// the tier book gives the tiers that get them.
    fn issue_coupons(
        &mut self,
        program: &Program,
        data: &Dataset,
        at: NaiveDateTime,
    ) -> Result<(), String> {
        let Some(desk) = self.coupons.as_mut() else {
            return Ok(());
        };
        let tiers = &mut self.books.tiers;
        let states = &self.customers;
        let floor = coupon_floor(program);
        let mut tier_at = |i: usize, instant: &str| {
            // Nobody starts a month above the tier of their last order, so
            // only members seen at a tier with coupons are asked about.
            let seen = states.get(i)?.tier.as_deref()?;
            if tier_rank(program, seen)? < floor? {
                return None;
            }
            tiers.tier_at(program, data.customers.get(i)?.id(), instant)
        };
        desk.issue_due(program, at, &mut tier_at)
    }

    /// At checkout: the codes the customer types, applied to the order.
    fn checkout(
        &mut self,
        program: &Program,
        o: &SampleOrder,
        customer: &SampleCustomer,
        profile: &Customer,
    ) -> Option<Checkout> {
        let desk = self.coupons.as_mut()?;
        let tiers = &mut self.books.tiers;
        // Coupons look at the tier the member holds as they walk in.
        let tier = || tiers.tier_at(program, customer.id(), &o.order.placed_at);
        desk.checkout(program, o.customer, profile, &o.order, o.at, tier)
    }

    fn run(&mut self, program: &Program, data: &Dataset, bar: &ProgressBar) -> Result<(), String> {
        self.customers = data
            .customers
            .iter()
            .map(|c| CustomerState {
                tier: c
                    .profile
                    .tier
                    .clone()
                    .filter(|t| c.has_history && tier_rank(program, t).is_some()),
                ..CustomerState::default()
            })
            .collect();
        self.books.tiers.carry_over(program, data);
        for (i, activity) in data.timeline().enumerate() {
            if i % 512 == 0 {
                bar.set_position(u64::try_from(i).unwrap_or(u64::MAX));
            }
            let (index, at) = match activity {
                Activity::Order(o) => (o.customer, o.at),
                Activity::Event(e) => (e.customer, e.at),
            };
            let Some(customer) = data.customers.get(index) else {
                continue;
            };
            self.catch_up(program, at, true);
            self.issue_coupons(program, data, at)?;
            let is_order = matches!(activity, Activity::Order(_));
            let ordered = self.customers.get(index).is_some_and(|s| s.ordered);
            let mut profile = customer.profile.clone();
            profile.first_purchase = is_order && !customer.has_history && !ordered;
            let mut campaigns = Vec::new();
            let mut request = match activity {
                Activity::Order(o) => match self.checkout(program, o, customer, &profile) {
                    // The order as coupons left it is what is paid, quoted and posted.
                    Some(c) => {
                        campaigns = c
                            .result
                            .accepted
                            .iter()
                            .map(|a| a.campaign.clone())
                            .collect();
                        QuoteRequest {
                            coupons: c.points_coupons,
                            ..QuoteRequest::for_order(c.order)
                        }
                    }
                    None => QuoteRequest::for_order(o.order.clone()),
                },
                Activity::Event(e) => QuoteRequest {
                    event: Some(e.event.clone()),
                    ..QuoteRequest::default()
                },
            };
            let discounts_before = self.books.discounts;
            let paid = match &request.order {
                Some(order) => self.books.pay(program, customer.id(), order),
                None => false,
            };
            if let (Activity::Order(o), Some(order)) = (activity, &request.order) {
                let points_paid = self.books.discounts.checked_sub(discounts_before);
                let mut insight = insight_order(customer.id(), o, order, points_paid);
                insight.coupons = campaigns;
                self.insight_orders.push(insight);
            }
            let tiers = &mut self.books.tiers;
            profile.tier = match (activity, &request.order) {
                (Activity::Order(_), Some(order)) => {
                    tiers.order_tier(program, customer.id(), order)
                }
                (Activity::Event(e), _) => {
                    tiers.tier_at(program, customer.id(), &e.event.occurred_at)
                }
                _ => None,
            };
            request.customer = profile;
            request.counters = self.counters_for(index);
            inc(&mut self.quotes);
            match program.quote(&request) {
                Ok(quote) => {
                    let source = match activity {
                        Activity::Order(o) => o.order.id.as_str(),
                        Activity::Event(e) => e.event.id.as_str(),
                    };
                    let earn = self
                        .books
                        .earn(program, &request, &quote, customer.id(), source);
                    match (activity, &request.order) {
                        (Activity::Order(o), Some(order)) => {
                            if earn.is_none() {
                                self.books
                                    .tiers
                                    .post_plain_order(program, customer.id(), order);
                            }
                            let refunded = self.books.maybe_refund(o, order, earn.as_ref(), paid);
                            let books = &mut self.books;
                            let forced = self.referrals.as_mut().and_then(|d| {
                                d.on_order(program, customer.id(), order, o.at, &mut |e| {
                                    books.post(program, e)
                                })
                            });
                            if let Some(forced) = forced.filter(|_| !refunded) {
                                self.books
                                    .force_refund(o, order, earn.as_ref(), paid, forced);
                            }
                        }
                        (Activity::Event(e), _) => {
                            if let Some(desk) = self.coupons.as_mut() {
                                desk.on_event(index, &e.event.event_type);
                            }
                        }
                        _ => {}
                    }
                    let second = customer.duplicate_of.is_some();
                    self.record(&quote, &request, second);
                    if let Some(s) = self.customers.get_mut(index) {
                        add(&mut s.points, quote.total);
                        if is_order {
                            s.ordered = true;
                            inc(&mut s.orders);
                            s.tier.clone_from(&request.customer.tier);
                        }
                    }
                    self.keep(index, quote.counters);
                }
                Err(e) => {
                    inc(&mut self.errors);
                    if self.first_error.is_none() {
                        let source = request
                            .order
                            .as_ref()
                            .map(|o| o.id.clone())
                            .or_else(|| request.event.as_ref().map(|e| e.id.clone()))
                            .unwrap_or_default();
                        self.first_error = Some(format!("{source}: {e}"));
                    }
                    self.keep(index, request.counters);
                }
            }
        }
        // What is due by the day balances are asked for: the referral book
        // is closed then; the refunds that come later still reach the ledger.
        let as_of = chrono::DateTime::parse_from_rfc3339(AS_OF)
            .map(|t| t.naive_local())
            .map_err(|e| format!("{AS_OF}: {e}"))?;
        self.catch_up(program, as_of, true);
        if let Some(desk) = self.referrals.as_mut() {
            let books = &mut self.books;
            desk.close(program, as_of, &mut |e| books.post(program, e));
        }
        self.catch_up(program, NaiveDateTime::MAX, false);
        bar.set_position(bar.length().unwrap_or(0));
        Ok(())
    }

    /// Posts the refunds due by `until` and, when `referrals`, the referral
    /// events and settlements due by then, all in time order (a refund
    /// first on the same instant), with the refunds of orders the referral
    /// book has seen (after it closed, the ledger alone gets them).
    fn catch_up(&mut self, program: &Program, until: NaiveDateTime, referrals: bool) {
        loop {
            let refund = self.books.next_due().filter(|t| *t <= until);
            let referral = self
                .referrals
                .as_ref()
                .filter(|_| referrals)
                .and_then(ReferralDesk::next_at)
                .filter(|t| *t <= until);
            let books = &mut self.books;
            let mut post = |e: &LedgerEvent| books.post(program, e);
            match (refund, referral) {
                (Some(r), Some(f)) if f < r => {
                    if let Some(desk) = self.referrals.as_mut() {
                        desk.step(program, &mut post);
                    }
                }
                (Some(_), _) => {
                    let Some(refund) = books.post_next_due(program) else {
                        continue;
                    };
                    if let Some(desk) = self.referrals.as_mut().filter(|_| referrals) {
                        let books = &mut self.books;
                        desk.on_refund(program, &refund, &mut |e| books.post(program, e));
                    }
                }
                (None, Some(_)) => {
                    if let Some(desk) = self.referrals.as_mut() {
                        desk.step(program, &mut post);
                    }
                }
                (None, None) => break,
            }
        }
    }

    fn record(&mut self, quote: &Quote, request: &QuoteRequest, second_profile: bool) {
        for award in &quote.awards {
            let t = self.by_rule.entry(award.rule.clone()).or_default();
            inc(&mut t.count);
            add(&mut t.points, award.points);
            for hit in &award.caps {
                let c = self
                    .caps
                    .entry((award.rule.clone(), cap_name(hit.cap)))
                    .or_default();
                inc(&mut c.hits);
                add(&mut c.cut, hit.cut);
            }
            if second_profile && award.rule == "first-purchase" {
                inc(&mut self.first_purchase_on_second_profiles);
            }
        }
        if second_profile {
            add(&mut self.points_on_second_profiles, quote.total);
        }
        if let Some(order) = &request.order {
            add(&mut self.order_points, quote.total);
            let channel = order.channel.clone().unwrap_or_else(|| "-".to_owned());
            let c = self.by_channel.entry(channel).or_default();
            inc(&mut c.orders);
            add(&mut c.eligible, quote.eligible_spend);
            add(&mut c.points, quote.total);
        } else if let Some(event) = &request.event {
            add(&mut self.event_points, quote.total);
            let t = self.by_event.entry(event.event_type.clone()).or_default();
            inc(&mut t.count);
            add(&mut t.points, quote.total);
        }
    }
}

/// A whole number with thousands separators: `1234567.89` -> `1,234,568`.
fn num(d: impl Into<Decimal>) -> String {
    let d: Decimal = d.into();
    let text = d
        .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .to_string();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let mut out = String::from(sign);
    let len = digits.len();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && len.saturating_sub(i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `part` as a percentage of `whole`, one decimal.
fn pct(part: Decimal, whole: Decimal) -> String {
    part.checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|p| p.checked_div(whole))
        .map_or_else(|| "-".to_owned(), |p| format!("{:.1}%", p.round_dp(1)))
}

fn ratio(part: Decimal, whole: u64) -> String {
    part.checked_div(Decimal::from(whole))
        .map_or_else(|| "-".to_owned(), |p| format!("{:.1}", p.round_dp(1)))
}

fn seconds(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn data_summary(out: &mut String, data: &Dataset) -> std::fmt::Result {
    let profiles = data.customers.len();
    let second = data.duplicates().count();
    let cards = data
        .customers
        .iter()
        .filter(|c| c.profile.card.is_some())
        .count();
    // What the tier book starts from (see `Tiers::carry_over`).
    let tiers: Vec<String> = ["silver", "gold"]
        .iter()
        .map(|tier| {
            let n = data
                .customers
                .iter()
                .filter(|c| c.has_history && c.profile.tier.as_deref() == Some(tier))
                .count();
            format!("{tier} {}", num(n as u64))
        })
        .collect();
    let new_members = data.customers.iter().filter(|c| !c.has_history).count();
    let lines: usize = data
        .orders
        .iter()
        .map(|o| o.order.lines.len())
        .fold(0, usize::saturating_add);
    let mut sales = Decimal::ZERO;
    for o in &data.orders {
        for l in &o.order.lines {
            if l.kind != LineKind::Shipping {
                let total = l
                    .quantity
                    .checked_mul(l.unit_price)
                    .and_then(|g| g.checked_sub(l.discount))
                    .unwrap_or_default();
                add(&mut sales, total);
            }
        }
    }
    writeln!(
        out,
        "Data (seed {}, fingerprint {:016x})",
        data.seed,
        data.fingerprint()
    )?;
    writeln!(
        out,
        "  customer profiles   {:>12}   {} people; {} second profiles flagged for merging",
        num(profiles as u64),
        num(data.persons() as u64),
        num(second as u64)
    )?;
    writeln!(
        out,
        "  card holders        {:>12}   new members this year: {}",
        num(cards as u64),
        num(new_members as u64)
    )?;
    writeln!(
        out,
        "  carried-over status {:>12}   {} (old card programme, held until 1 Mehr)",
        "",
        tiers.join(" · ")
    )?;
    writeln!(
        out,
        "  orders              {:>12}   {} lines; sales {} IRR",
        num(data.orders.len() as u64),
        num(lines as u64),
        num(sales)
    )?;
    writeln!(
        out,
        "  custom events       {:>12}",
        num(data.events.len() as u64)
    )?;
    Ok(())
}

/// Deduplicates the sample's profiles with `Program::dedupe` (the sample
/// program's `[merge]` section) and sends every order and custom event of a
/// customer's profiles to one account: the customer's profile opened first,
/// whose join date and history the later profiles' orders fit. Prints what
/// was merged, against the generator's truth.
fn merge_profiles(
    out: &mut String,
    program: &Program,
    data: &mut Dataset,
) -> Result<Vec<usize>, String> {
    let profiles = sample::profiles::of_dataset(data);
    let answer = program
        .dedupe(&profiles, DedupeOptions::default())
        .map_err(|e| format!("dedupe: {e}"))?;
    // Profiles are in the order they were opened: a customer's first one is
    // the first of its cluster.
    let mut first: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, c) in answer.cluster_of.iter().enumerate() {
        first.entry(c.as_str()).or_insert(i);
    }
    let account: Vec<usize> = answer
        .cluster_of
        .iter()
        .enumerate()
        .map(|(i, c)| first.get(c.as_str()).copied().unwrap_or(i))
        .collect();
    let person = |i: usize| data.customers.get(i).map(|c| c.person);
    let (mut joined, mut missed, mut wrong) = (0u64, 0u64, 0u64);
    for (i, c) in data.customers.iter().enumerate() {
        let a = account.get(i).copied().unwrap_or(i);
        if person(a) != Some(c.person) {
            inc(&mut wrong);
        } else if c.duplicate_of.is_some() {
            inc(if a == i { &mut missed } else { &mut joined });
        }
    }
    for o in &mut data.orders {
        o.customer = account.get(o.customer).copied().unwrap_or(o.customer);
    }
    for e in &mut data.events {
        e.customer = account.get(e.customer).copied().unwrap_or(e.customer);
    }
    let s = answer.stats;
    writeln!(out, "\nProfiles merged (Program::dedupe, merge region IR)")
        .map_err(|e| e.to_string())?;
    writeln!(
        out,
        "  profiles            {:>12}   {} placeholder or invalid values set aside",
        num(s.profiles as u64),
        num(s.rejected_values as u64)
    )
    .map_err(|e| e.to_string())?;
    writeln!(
        out,
        "  customers           {:>12}   {} people; second profiles joined {}, missed {}; \
         profiles put with another person {}",
        num(s.customers as u64),
        num(data.persons() as u64),
        num(joined),
        num(missed),
        num(wrong)
    )
    .map_err(|e| e.to_string())?;
    writeln!(
        out,
        "  links refused       {:>12}   {} pairs compared, {} links",
        num(s.refused as u64),
        num(s.compared as u64),
        num(s.links as u64)
    )
    .map_err(|e| e.to_string())?;
    writeln!(
        out,
        "  orders and events of merged profiles go to the customer's first profile"
    )
    .map_err(|e| e.to_string())?;
    Ok(account)
}

fn replay_summary(
    out: &mut String,
    program: &Program,
    data: &Dataset,
    r: &Replay,
    tiers: &TierTotals,
) -> std::fmt::Result {
    let total = r
        .order_points
        .checked_add(r.event_points)
        .unwrap_or_default();
    writeln!(out, "\nPoints issued         {:>12}", num(total))?;
    writeln!(
        out,
        "  on orders           {:>12}   {} per order",
        num(r.order_points),
        ratio(r.order_points, data.orders.len() as u64)
    )?;
    writeln!(out, "  on custom events    {:>12}", num(r.event_points))?;
    writeln!(out, "  quotes failed       {:>12}", num(r.errors))?;
    if let Some(e) = &r.first_error {
        writeln!(out, "    first failure: {e}")?;
    }

    writeln!(out, "\nPoints by rule (application order)")?;
    writeln!(
        out,
        "  {:<20} {:<10} {:>9} {:>11} {:>7}",
        "rule", "kind", "fired", "points", "share"
    )?;
    let kinds: BTreeMap<&str, &str> = program
        .file()
        .earn_rules
        .iter()
        .map(|r| {
            let kind = if r.rate.is_some() {
                "rate"
            } else if r.multiplier.is_some() {
                "multiplier"
            } else if r.bonus.is_some() {
                "bonus"
            } else {
                "event"
            };
            (r.id.as_str(), kind)
        })
        .collect();
    for rule in program.rule_ids() {
        let t = r.by_rule.get(rule);
        let points = t.map_or(Decimal::ZERO, |t| t.points);
        // A tier's multiplier is a rule of its own (`tier:gold`).
        let kind = match kinds.get(rule) {
            Some(kind) => kind,
            None if rule.starts_with("tier:") => "tier",
            None if rule.starts_with("coupon:") => "coupon",
            None => "-",
        };
        writeln!(
            out,
            "  {:<20} {:<10} {:>9} {:>11} {:>7}",
            rule,
            kind,
            num(t.map_or(0, |t| t.count)),
            num(points),
            pct(points, total)
        )?;
    }

    writeln!(out, "\nOrders and points per channel")?;
    writeln!(
        out,
        "  {:<8} {:>9} {:>22} {:>11} {:>13}",
        "channel", "orders", "eligible spend (IRR)", "points", "points/order"
    )?;
    for (channel, c) in &r.by_channel {
        writeln!(
            out,
            "  {:<8} {:>9} {:>22} {:>11} {:>13}",
            channel,
            num(c.orders),
            num(c.eligible),
            num(c.points),
            ratio(c.points, c.orders)
        )?;
    }

    writeln!(out, "\nCustom events")?;
    writeln!(out, "  {:<20} {:>9} {:>11}", "type", "events", "points")?;
    for (kind, t) in &r.by_event {
        writeln!(
            out,
            "  {:<20} {:>9} {:>11}",
            kind,
            num(t.count),
            num(t.points)
        )?;
    }

    let hits = r.caps.values().map(|c| c.hits).fold(0, u64::saturating_add);
    writeln!(out, "\nCaps hit: {} times", num(hits))?;
    writeln!(
        out,
        "  {:<20} {:<11} {:>9} {:>11}",
        "rule", "cap", "hits", "points cut"
    )?;
    for ((rule, cap), c) in &r.caps {
        writeln!(
            out,
            "  {:<20} {:<11} {:>9} {:>11}",
            rule,
            cap,
            num(c.hits),
            num(c.cut)
        )?;
    }
    for (rule, used) in &r.budgets {
        writeln!(out, "  budget used by {rule}: {}", num(*used))?;
    }

    writeln!(out, "\nTop 10 earners (tier at the end of the year)")?;
    writeln!(
        out,
        "  {:>2}  {:<8} {:<8} {:<5} {:>7} {:>9}  name",
        "#", "customer", "tier", "chan", "orders", "points"
    )?;
    let mut ranking: Vec<(usize, &CustomerState)> = r.customers.iter().enumerate().collect();
    ranking.sort_by(|a, b| b.1.points.cmp(&a.1.points).then(a.0.cmp(&b.0)));
    for (rank, (i, s)) in ranking.iter().take(10).enumerate() {
        let Some(c) = data.customers.get(*i) else {
            continue;
        };
        writeln!(
            out,
            "  {:>2}  {:<8} {:<8} {:<5} {:>7} {:>9}  {}",
            rank.saturating_add(1),
            c.id(),
            tiers
                .held
                .get(*i)
                .cloned()
                .flatten()
                .as_deref()
                .unwrap_or("-"),
            c.channel,
            num(s.orders),
            num(s.points),
            c.name
        )?;
    }

    writeln!(
        out,
        "\nSecond profiles merging did not catch: {} points earned on them, \
         {} first-purchase bonuses that a merge would have refused",
        num(r.points_on_second_profiles),
        num(r.first_purchase_on_second_profiles)
    )?;
    Ok(())
}

/// Every member's balance a day after the year, added up.
#[derive(Default)]
struct LedgerTotals {
    members: u64,
    with_points: u64,
    available: Decimal,
    pending: Decimal,
    owed: Decimal,
    earned: Decimal,
    redeemed: Decimal,
    expired: Decimal,
    reversed: Decimal,
    restored: Decimal,
    expiring: Decimal,
    expiring_members: u64,
    /// A member whose statement shows a payment, a refund and an expiry (or the
    /// most of them), for the example statement.
    example: Option<(u8, String)>,
}

impl LedgerTotals {
    /// Whether every point is accounted for: what was earned and given back,
    /// less what was spent, taken back and expired, is what members hold.
    fn balanced(&self) -> bool {
        let held = [self.earned, self.restored]
            .iter()
            .try_fold(Decimal::ZERO, |s, x| s.checked_add(*x))
            .and_then(|s| {
                [self.redeemed, self.reversed, self.expired]
                    .iter()
                    .try_fold(s, |s, x| s.checked_sub(*x))
            });
        let balance = self
            .available
            .checked_add(self.pending)
            .and_then(|s| s.checked_sub(self.owed));
        held.is_some() && held == balance
    }

    fn add_totals(&mut self, t: &PointsTotals) {
        add(&mut self.earned, t.earned);
        add(&mut self.redeemed, t.redeemed);
        add(&mut self.expired, t.expired);
        add(&mut self.reversed, t.reversed);
        add(&mut self.restored, t.restored);
    }
}

fn ledger_totals(program: &Program, data: &Dataset, books: &Books) -> Result<LedgerTotals, String> {
    let mut sum = LedgerTotals::default();
    let ledger = &books.ledger;
    for c in &data.customers {
        let b = ledger
            .balance(program, c.id(), AS_OF)
            .map_err(|e| format!("balance of {}: {e}", c.id()))?;
        inc(&mut sum.members);
        if b.available > Decimal::ZERO || b.pending > Decimal::ZERO {
            inc(&mut sum.with_points);
        }
        add(&mut sum.available, b.available);
        add(&mut sum.pending, b.pending);
        add(&mut sum.owed, b.owed);
        if let Some(t) = &b.totals {
            sum.add_totals(t);
            let score = u8::from(t.redeemed > Decimal::ZERO)
                .saturating_add(u8::from(t.reversed > Decimal::ZERO))
                .saturating_add(u8::from(t.expired > Decimal::ZERO));
            if sum.example.as_ref().is_none_or(|(best, _)| score > *best) {
                sum.example = Some((score, c.id().to_owned()));
            }
        }
        let x = ledger
            .expiring(program, c.id(), AS_OF, 30)
            .map_err(|e| format!("expiring of {}: {e}", c.id()))?;
        if x.points > Decimal::ZERO {
            inc(&mut sum.expiring_members);
            add(&mut sum.expiring, x.points);
        }
    }
    Ok(sum)
}

fn ledger_summary(
    out: &mut String,
    program: &Program,
    books: &Books,
    t: &LedgerTotals,
    referrals: &ReferralTally,
) -> std::fmt::Result {
    let r = &books.refunds;
    let refunds = r.full.saturating_add(r.lines).saturating_add(r.amount);
    let credits = referrals
        .ledger_posted
        .saturating_sub(referrals.ledger_refused);
    let posted = books
        .earnings
        .saturating_add(books.payments)
        .saturating_add(refunds)
        .saturating_add(credits);
    writeln!(
        out,
        "\nPoints ledger as of {AS_OF} (a day after the year ends)"
    )?;
    writeln!(
        out,
        "  events posted       {:>12}   {} earnings · {} payments with points · {} refunds · \
         {} referral credits and reversals",
        num(posted),
        num(books.earnings),
        num(books.payments),
        num(refunds),
        num(credits)
    )?;
    writeln!(out, "  events refused      {:>12}", num(books.refused))?;
    if let Some(e) = &books.first_refusal {
        writeln!(out, "    first refusal: {e}")?;
    }
    writeln!(
        out,
        "  members with points {:>12}   of {} profiles",
        num(t.with_points),
        num(t.members)
    )?;
    writeln!(out, "  earned              {:>12}", num(t.earned))?;
    writeln!(
        out,
        "  available           {:>12}   worth {} IRR",
        num(t.available),
        num(points_value(program, t.available))
    )?;
    writeln!(out, "  pending             {:>12}", num(t.pending))?;
    writeln!(
        out,
        "  expired             {:>12}   after 180 days without an earning or a payment",
        num(t.expired)
    )?;
    writeln!(
        out,
        "  redeemed            {:>12}   {} IRR off {} orders",
        num(t.redeemed),
        num(books.discounts),
        num(books.payments)
    )?;
    writeln!(
        out,
        "  reversed by refunds {:>12}   {} full · {} by line · {} by amount",
        num(t.reversed),
        num(r.full),
        num(r.lines),
        num(r.amount)
    )?;
    writeln!(
        out,
        "  given back          {:>12}   points of refunded payments",
        num(t.restored)
    )?;
    writeln!(out, "  owed                {:>12}", num(t.owed))?;
    writeln!(
        out,
        "  books balance       {:>12}   earned - redeemed + given back - reversed - expired \
         = available + pending - owed",
        if t.balanced() { "yes" } else { "NO" }
    )?;
    writeln!(
        out,
        "  expiring in 30 days {:>12}   of {} members",
        num(t.expiring),
        num(t.expiring_members)
    )?;
    Ok(())
}

/// What the coupon desk issued, what was redeemed and refused, and what it gave.
fn coupon_summary(out: &mut String, program: &Program, t: &CouponTally) -> std::fmt::Result {
    let most = program.file().coupon_policy.max_per_order.map_or_else(
        || "no limit per order".to_owned(),
        |n| format!("at most {n} per order"),
    );
    writeln!(
        out,
        "\nCoupons ({} campaigns, {most}; share = redeemed / issued)",
        t.campaigns.len()
    )?;
    writeln!(
        out,
        "  {:<16} {:<8} {:>7} {:>8} {:>6} {:>8}  {:<30} {:>14} {:>5}",
        "campaign",
        "codes",
        "issued",
        "redeemed",
        "share",
        "refused",
        "top reason refused",
        "discount (IRR)",
        "gifts"
    )?;
    let (mut gifts, mut gift_value, mut refused) = (0_u64, Decimal::ZERO, 0_u64);
    for c in &t.campaigns {
        let public = c.source == Some(sample::coupons::Source::Public);
        let (issued, share) = if public {
            ("-".to_owned(), "-".to_owned())
        } else {
            (
                num(c.issued),
                pct(Decimal::from(c.redeemed), Decimal::from(c.issued)),
            )
        };
        let top = c
            .top_reason()
            .map_or_else(|| "-".to_owned(), |(code, n)| format!("{code} {}", num(n)));
        writeln!(
            out,
            "  {:<16} {:<8} {:>7} {:>8} {:>6} {:>8}  {:<30} {:>14} {:>5}",
            c.id,
            c.source.map_or("-", |s| s.name()),
            issued,
            num(c.redeemed),
            share,
            num(c.rejected),
            top,
            num(c.discount),
            num(c.gifts)
        )?;
        gifts = gifts.saturating_add(c.gifts);
        add(&mut gift_value, c.gift_value);
        refused = refused.saturating_add(c.rejected);
    }
    writeln!(
        out,
        "  orders with codes   {:>12}   {} with a coupon applied; {} codes refused",
        num(t.requests),
        num(t.orders),
        num(refused)
    )?;
    writeln!(
        out,
        "  total discount      {:>12}   IRR off the orders' lines; {} gifts worth {} IRR",
        num(t.discount),
        num(gifts),
        num(gift_value)
    )?;
    writeln!(
        out,
        "  points coupons      {:>12}   passed to quotes (their points are in the rule table)",
        num(t.points_coupons)
    )?;
    writeln!(out, "  coupon errors       {:>12}", num(t.errors))?;
    if let Some(e) = &t.first_error {
        writeln!(out, "    first error: {e}")?;
    }
    Ok(())
}

/// Every member's tier a day after the year, and the year's tier changes.
#[derive(Default)]
struct TierTotals {
    /// Members per tier, in the program's order.
    members: Vec<(String, u64)>,
    /// Members without a tier (none when the lowest tier is a base tier).
    without: u64,
    /// Each customer's tier, by index in the data set.
    held: Vec<Option<String>>,
    /// Changes to a higher tier, by cause.
    upgrades: BTreeMap<u8, (&'static str, u64)>,
    /// Changes to a lower tier, by cause.
    downgrades: BTreeMap<u8, (&'static str, u64)>,
    /// Members with a downgrade in its grace period.
    in_grace: u64,
    /// Members whose tier changed by qualifying or losing it (not by the
    /// carried-over status being set).
    moved: u64,
}

/// A cause's name, with its place in the printed order.
fn cause_name(cause: Cause) -> (u8, &'static str) {
    match cause {
        Cause::Joined => (0, "joined"),
        Cause::Qualified => (1, "qualified"),
        Cause::Override => (2, "carried over"),
        Cause::Merge => (3, "merged"),
        Cause::Evaluation => (4, "review"),
        Cause::GraceExpired => (5, "grace ended"),
        Cause::OverrideExpired => (6, "carried status ended"),
        Cause::Refund => (7, "refund"),
    }
}

fn tier_totals(program: &Program, data: &Dataset, tiers: &Tiers) -> Result<TierTotals, String> {
    let ids = tier_ids(program);
    let rank = |t: Option<&str>| t.and_then(|t| ids.iter().position(|i| *i == t));
    let mut sum = TierTotals {
        members: ids.iter().map(|t| ((*t).to_owned(), 0)).collect(),
        ..TierTotals::default()
    };
    for c in &data.customers {
        let s = tiers
            .book
            .status(program, c.id(), AS_OF)
            .map_err(|e| format!("tier status of {}: {e}", c.id()))?;
        match rank(s.tier.as_deref()).and_then(|r| sum.members.get_mut(r)) {
            Some((_, n)) => inc(n),
            None => inc(&mut sum.without),
        }
        if s.pending_downgrade.is_some() {
            inc(&mut sum.in_grace);
        }
        let h = tiers
            .book
            .history(program, c.id(), AS_OF)
            .map_err(|e| format!("tier history of {}: {e}", c.id()))?;
        let mut moved = false;
        for t in h.transitions.iter().filter(|t| t.cause != Cause::Joined) {
            let (from, to) = (rank(t.from.as_deref()), rank(t.to.as_deref()));
            let (order, name) = cause_name(t.cause);
            let tally = match to.cmp(&from) {
                std::cmp::Ordering::Greater => &mut sum.upgrades,
                std::cmp::Ordering::Less => &mut sum.downgrades,
                // The earned tier changed under a carried-over status.
                std::cmp::Ordering::Equal => continue,
            };
            moved |= t.cause != Cause::Override;
            inc(&mut tally.entry(order).or_insert((name, 0)).1);
        }
        if moved {
            inc(&mut sum.moved);
        }
        sum.held.push(s.tier);
    }
    Ok(sum)
}

/// "12 qualified · 3 carried over"
fn by_cause(causes: &BTreeMap<u8, (&'static str, u64)>) -> (u64, String) {
    let total = causes
        .values()
        .map(|(_, n)| *n)
        .fold(0, u64::saturating_add);
    let parts: Vec<String> = causes
        .values()
        .map(|(name, n)| format!("{} {name}", num(*n)))
        .collect();
    (total, parts.join(" · "))
}

/// A tier's thresholds in a few words: "15M IRR, 12 orders".
fn thresholds(t: &loyalty_core::program::format::Thresholds) -> String {
    let million = Decimal::from(1_000_000);
    let mut parts = Vec::new();
    if let Some(spend) = t.spend.as_ref().and_then(|d| d.0.parse::<Decimal>().ok()) {
        parts.push(match spend.checked_div(million) {
            Some(m) if m.fract().is_zero() => format!("{m}M IRR"),
            _ => format!("{} IRR", num(spend)),
        });
    }
    if let Some(p) = &t.points {
        parts.push(format!("{} points", p.0));
    }
    if let Some(n) = t.orders {
        parts.push(format!("{n} orders"));
    }
    if let Some(n) = t.visits {
        parts.push(format!("{n} visits"));
    }
    if parts.is_empty() {
        return "-".to_owned();
    }
    let joiner = match t.combine {
        loyalty_core::program::format::Combine::All => ", ",
        loyalty_core::program::format::Combine::Any => " or ",
    };
    parts.join(joiner)
}

/// How the program's tiers qualify, in a few words.
fn tier_window(program: &Program) -> String {
    use loyalty_core::program::format::{EvaluateEvery, TierWindow};
    let Some(t) = &program.file().tiers else {
        return "no tiers".to_owned();
    };
    let every = match t.evaluate.unwrap_or_default() {
        EvaluateEvery::Month => "monthly",
        EvaluateEvery::Quarter => "quarterly",
        EvaluateEvery::Year => "yearly",
    };
    let window = match t.window {
        TierWindow::Rolling => format!(
            "the last {} months, reviewed {every}",
            t.months.unwrap_or_default()
        ),
        TierWindow::CalendarYear => "the calendar year".to_owned(),
        TierWindow::MembershipYear => "the membership year".to_owned(),
        TierWindow::Lifetime => "lifetime".to_owned(),
    };
    format!("{window}, {} days' grace", t.grace_days)
}

fn tier_summary(
    out: &mut String,
    program: &Program,
    tiers: &Tiers,
    t: &TierTotals,
) -> std::fmt::Result {
    writeln!(
        out,
        "\nMembership tiers as of {AS_OF} ({})",
        tier_window(program)
    )?;
    writeln!(
        out,
        "  {:<20} {:>9} {:>7}  {:<6} {:<24} to keep",
        "tier", "members", "share", "points", "to reach"
    )?;
    let profiles = Decimal::from(t.held.len() as u64);
    let levels = program.file().tiers.iter().flat_map(|f| &f.levels);
    for ((id, n), level) in t.members.iter().zip(levels) {
        let multiplier = level
            .benefits
            .multiplier
            .as_ref()
            .map_or_else(|| "x1".to_owned(), |m| format!("x{}", m.0));
        writeln!(
            out,
            "  {:<20} {:>9} {:>7}  {:<6} {:<24} {}",
            id,
            num(*n),
            pct(Decimal::from(*n), profiles),
            multiplier,
            thresholds(&level.qualify),
            thresholds(level.retain.as_ref().unwrap_or(&level.qualify))
        )?;
    }
    if t.without > 0 {
        writeln!(out, "  {:<20} {:>9}", "(no tier)", num(t.without))?;
    }
    let (up, up_causes) = by_cause(&t.upgrades);
    let (down, down_causes) = by_cause(&t.downgrades);
    writeln!(out, "  upgrades            {:>12}   {up_causes}", num(up))?;
    writeln!(
        out,
        "  downgrades          {:>12}   {down_causes}",
        num(down)
    )?;
    writeln!(
        out,
        "  members who moved   {:>12}   qualified for a tier or lost one",
        num(t.moved)
    )?;
    writeln!(
        out,
        "  in grace period     {:>12}   below their tier's retention at the last review",
        num(t.in_grace)
    )?;
    let p = &tiers.posted;
    let posted = [
        p.orders,
        p.plain_orders,
        p.points,
        p.redeems,
        p.refunds,
        p.carried,
    ]
    .iter()
    .fold(0, |s, n| u64::saturating_add(s, *n));
    writeln!(
        out,
        "  tier events posted  {:>12}   {} orders ({} without points) · {} event points · \
         {} payments · {} refunds · {} carried over",
        num(posted),
        num(p.orders.saturating_add(p.plain_orders)),
        num(p.plain_orders),
        num(p.points),
        num(p.redeems),
        num(p.refunds),
        num(p.carried)
    )?;
    writeln!(out, "  tier events refused {:>12}", num(tiers.refused))?;
    if let Some(e) = &tiers.first_refusal {
        writeln!(out, "    first refusal: {e}")?;
    }
    if tiers.lookups_failed > 0 {
        writeln!(
            out,
            "  tier lookups failed {:>12}",
            num(tiers.lookups_failed)
        )?;
    }
    if let Some(e) = &tiers.first_lookup_failure {
        writeln!(out, "    first failure: {e}")?;
    }
    Ok(())
}

/// What `points` pay at checkout under the program's redemption rule.
fn points_value(program: &Program, points: Decimal) -> Decimal {
    program
        .file()
        .ledger
        .redemption
        .as_ref()
        .and_then(|r| {
            points
                .checked_mul(r.value.parse()?)?
                .checked_div(r.points.parse()?)
        })
        .unwrap_or_default()
}

/// The last movements of one member's statement.
fn statement_excerpt(
    out: &mut String,
    program: &Program,
    books: &Books,
    account: &str,
    rows: usize,
) -> Result<(), String> {
    let st = books
        .ledger
        .statement(program, account, AS_OF)
        .map_err(|e| format!("statement of {account}: {e}"))?;
    // Releases (pending points becoming spendable) are left out.
    let shown: Vec<_> = st
        .movements
        .iter()
        .filter(|m| m.kind != "release")
        .collect();
    let skip = shown.len().saturating_sub(rows);
    let mut text = String::new();
    let _ = writeln!(
        text,
        "\nStatement of {account}: last {} of {} movements (releases left out)",
        shown.len().min(rows),
        st.movements.len()
    );
    let _ = writeln!(
        text,
        "  {:<16} {:<8} {:>7} {:>9} {:>8}  order / note",
        "at (Tehran)", "kind", "points", "available", "pending"
    );
    for m in shown.iter().skip(skip) {
        let at = m.at.get(..16).unwrap_or(&m.at).replace('T', " ");
        let detail = m.order.as_deref().or(m.note.as_deref()).unwrap_or("");
        let change = if m.change > Decimal::ZERO {
            format!("+{}", num(m.change))
        } else {
            num(m.change)
        };
        let line = format!(
            "  {:<16} {:<8} {:>7} {:>9} {:>8}  {}",
            at,
            m.kind,
            change,
            num(m.available),
            num(m.pending),
            detail
        );
        let _ = writeln!(text, "{}", line.trim_end());
    }
    out.push_str(&text);
    Ok(())
}

fn progress_bar(len: u64) -> ProgressBar {
    // Drawn on stderr so stdout stays a clean report; hidden when stderr is
    // not a terminal (CI logs, pipes).
    let target = if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(len), target);
    if let Ok(style) = ProgressStyle::with_template(
        "replaying {bar:30} {human_pos}/{human_len} quotes, {eta} left",
    ) {
        bar.set_style(style);
    }
    bar
}

fn run(args: &Args) -> Result<(), String> {
    let started = Instant::now();
    let program = sample::program().map_err(|e| format!("sample program: {e}"))?;
    let loaded = started.elapsed();

    let t = Instant::now();
    let mut data = sample::generate(args.seed, args.customers);
    let generated = t.elapsed();

    let mut out = String::new();
    let _ = writeln!(
        out,
        "Tehran Café Club: a year of loyalty (1404 = 2025-03-21 .. 2026-03-20)\n\
         program `{}`: {} rules, {} tiers, {} coupon campaigns, {}, {}, {} calendar\n",
        program.id(),
        program.file().earn_rules.len(),
        tier_ids(&program).len(),
        program.file().coupons.len(),
        program.currency().code(),
        program.time_zone(),
        program.calendar().name()
    );
    let _ = data_summary(&mut out, &data);
    let t = Instant::now();
    let accounts = merge_profiles(&mut out, &program, &mut data)?;
    let merged = t.elapsed();
    print!("{out}");

    let steps = data.orders.len().saturating_add(data.events.len());
    let bar = progress_bar(u64::try_from(steps).unwrap_or(u64::MAX));
    let t = Instant::now();
    let mut replay = Replay {
        books: Books::new(args.seed),
        coupons: Some(CouponDesk::new(&program, &data, args.seed)?),
        referrals: Some(ReferralDesk::new(&program, &data, &accounts, args.seed)?),
        ..Replay::default()
    };
    replay.run(&program, &data, &bar)?;
    let replayed = t.elapsed();
    bar.finish_and_clear();

    let t = Instant::now();
    let totals = ledger_totals(&program, &data, &replay.books)?;
    let tier_totals = tier_totals(&program, &data, &replay.books.tiers)?;
    let mut out = String::new();
    let _ = replay_summary(&mut out, &program, &data, &replay, &tier_totals);
    let no_referrals = ReferralTally::default();
    let referrals = replay
        .referrals
        .as_ref()
        .map_or(&no_referrals, |d| &d.tally);
    let _ = ledger_summary(&mut out, &program, &replay.books, &totals, referrals);
    let no_coupons = CouponTally::default();
    let coupons = replay.coupons.as_ref().map_or(&no_coupons, |d| &d.tally);
    let _ = coupon_summary(&mut out, &program, coupons);
    let _ = referral_summary(&mut out, &program, referrals);
    let _ = tier_summary(&mut out, &program, &replay.books.tiers, &tier_totals);
    if let Some((_, account)) = &totals.example {
        statement_excerpt(&mut out, &program, &replay.books, account, 12)?;
    }
    let queried = t.elapsed();
    let t = Instant::now();
    insights_summary(&mut out, &program, &data, &replay, args)?;
    let insights = t.elapsed();
    let per_second = replay.quotes as f64 / replayed.as_secs_f64().max(1e-9);
    let _ = writeln!(
        out,
        "\nTiming (varies by machine and run)\n  \
         load program {}  generate data {}  merge profiles {}  replay {} (tier book {}, coupons {}, \
         referrals {})  \
         ledger and tier queries {}  insights and report {}\n  \
         {} quotes, {} quotes/s on one thread (ledger and tier posting included); total {}",
        seconds(loaded),
        seconds(generated),
        seconds(merged),
        seconds(replayed),
        seconds(replay.books.tiers.time),
        seconds(coupons.time),
        seconds(referrals.time),
        seconds(queried),
        seconds(insights),
        num(replay.quotes),
        num(per_second.round() as u64),
        seconds(started.elapsed()),
    );
    print!("{out}");
    if replay.errors > 0 {
        return Err(format!("{} quotes failed", replay.errors));
    }
    if !totals.balanced() {
        return Err("the ledger's totals do not add up to the balances".to_owned());
    }
    if replay.books.refused > 0 {
        return Err(format!(
            "the ledger refused {} events",
            replay.books.refused
        ));
    }
    if referrals.errors > 0 || referrals.ledger_refused > 0 {
        return Err(format!(
            "the referral book refused {} events as errors and the ledger {} of its credits",
            referrals.errors, referrals.ledger_refused
        ));
    }
    if coupons.errors > 0 {
        return Err(format!(
            "apply_coupons refused {} requests as errors",
            coupons.errors
        ));
    }
    let tiers = &replay.books.tiers;
    if tiers.refused > 0 || tiers.lookups_failed > 0 {
        return Err(format!(
            "the tier book refused {} events and failed {} lookups",
            tiers.refused, tiers.lookups_failed
        ));
    }
    Ok(())
}

/// The sample year's first and last local day (1 Farvardin to 29 Esfand 1404).
const YEAR_FROM: &str = "2025-03-21";
const YEAR_TO: &str = "2026-03-20";
/// The day lifecycle triggers are asked for: the local day of [`AS_OF`].
const TRIGGER_DAY: &str = "2026-03-22";
/// Points expiring within this many days are told to their members.
const EXPIRY_NOTICE_DAYS: u32 = 14;

/// The insights block: customer statistics and segments, the year's
/// report (with the ledger, the tier book and the referral book), the
/// lifecycle triggers of the day after the year, and the HTML report.
fn insights_summary(
    out: &mut String,
    program: &Program,
    data: &Dataset,
    replay: &Replay,
    args: &Args,
) -> Result<(), String> {
    let orders = &replay.insight_orders;
    let stats = program
        .customer_stats(&StatsRequest {
            orders: orders.clone(),
            as_of: AS_OF.to_owned(),
        })
        .map_err(|e| format!("customer_stats: {e}"))?;
    let mut seen = std::collections::BTreeSet::new();
    let profiles: Vec<&SampleCustomer> = data
        .customers
        .iter()
        .filter(|c| seen.insert(c.id()))
        .collect();
    let report = program
        .report(
            &ReportRequest {
                from: YEAR_FROM.to_owned(),
                to: YEAR_TO.to_owned(),
                orders: orders.clone(),
                customers: profiles
                    .iter()
                    .map(|c| ReportCustomer {
                        id: c.id().to_owned(),
                        birth_date: c.profile.birth_date.map(|d| d.to_string()),
                        gender: None,
                    })
                    .collect(),
                top: Some(10),
            },
            &ReportBooks {
                ledger: Some(&replay.books.ledger),
                tiers: Some(&replay.books.tiers.book),
                referrals: replay.referrals.as_ref().map(ReferralDesk::book),
            },
        )
        .map_err(|e| format!("report: {e}"))?;
    // Each customer's last purchase, a local day (the answers' instants are local).
    let last: BTreeMap<&str, String> = stats
        .customers
        .iter()
        .map(|c| {
            (
                c.customer.as_str(),
                c.last_purchase.chars().take(10).collect(),
            )
        })
        .collect();
    let mut customers = Vec::with_capacity(profiles.len());
    for c in &profiles {
        let expiring = replay
            .books
            .ledger
            .expiring(program, c.id(), AS_OF, EXPIRY_NOTICE_DAYS)
            .map(|e| {
                e.lots
                    .iter()
                    .map(|l| loyalty_core::insights::ExpiringPoints {
                        points: l.points,
                        on: l.expires_at.chars().take(10).collect(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        customers.push(TriggerCustomer {
            id: c.id().to_owned(),
            time_zone: None,
            calendar: None,
            birth_date: c.profile.birth_date.map(|d| d.to_string()),
            anniversaries: Vec::new(),
            member_since: c.profile.joined_on.map(|d| d.to_string()),
            last_purchase: last.get(c.id()).cloned(),
            expiring,
            tier_at_risk: None,
        });
    }
    let triggers = program
        .triggers(&TriggerRequest {
            date: Some(TRIGGER_DAY.to_owned()),
            at: None,
            customers,
            seed: Some(args.seed.to_string()),
        })
        .map_err(|e| format!("triggers: {e}"))?;

    let currency = program.currency().code();
    let _ = writeln!(
        out,
        "\nInsights as of {} (customer statistics, RFM segments and the year's report)",
        stats.as_of
    );
    let _ = writeln!(
        out,
        "  customers with orders {}   orders {}   average basket {} {currency}   orders per customer {}",
        num(Decimal::from(report.customers)),
        num(Decimal::from(report.orders)),
        num(report.average_basket),
        report.orders_per_customer
    );
    let weekdays = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    let busiest = report
        .busiest_weekday
        .and_then(|d| weekdays.get(usize::from(d).saturating_sub(1)))
        .copied()
        .unwrap_or("-");
    let split = |s: &[loyalty_core::insights::Split]| {
        s.iter()
            .map(|x| {
                format!(
                    "{} {}%",
                    x.name,
                    x.share.saturating_mul(Decimal::ONE_HUNDRED).round_dp(1)
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(
        out,
        "  busiest day {busiest}, busiest hour {}:00   payments {}   channels {}",
        report.busiest_hour.unwrap_or(0),
        split(&report.payments),
        split(&report.channels)
    );
    let segments: Vec<String> = stats
        .segments
        .iter()
        .map(|s| format!("{} {}", s.segment, num(Decimal::from(s.customers))))
        .collect();
    let _ = writeln!(out, "  segments  {}", segments.join("  "));
    if let Some(p) = &report.points {
        let _ = writeln!(
            out,
            "  points issued {}  redeemed {}  expired {} (over {} months)",
            num(p.issued),
            num(p.redeemed),
            num(p.expired),
            p.months.len()
        );
    }
    if let Some(tiers) = &report.tiers {
        let t: Vec<String> = tiers
            .iter()
            .map(|c| format!("{} {}", c.name, num(Decimal::from(c.count))))
            .collect();
        let _ = writeln!(out, "  tiers at the year's end  {}", t.join("  "));
    }
    if let Some(r) = &report.referrals {
        let s: Vec<String> = r
            .statuses
            .iter()
            .map(|c| format!("{} {}", c.name, c.count))
            .collect();
        let _ = writeln!(out, "  referral sign-ups {}  ({})", r.linked, s.join(", "));
    }
    let _ = writeln!(
        out,
        "  coupon orders {}  coupon discounts {} {currency}   credit orders {} ({} {currency})",
        num(Decimal::from(report.coupons.orders)),
        num(report.coupons.discount),
        num(Decimal::from(report.credit.orders)),
        num(report.credit.amount)
    );
    let mut kinds: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for t in &triggers.triggers {
        let kind = serde_json::to_value(t.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let e = kinds.entry(kind).or_default();
        inc(&mut e.0);
        if t.coupon.is_some() {
            inc(&mut e.1);
        }
    }
    let listed: Vec<String> = kinds
        .iter()
        .map(|(k, (n, coded))| {
            if *coded > 0 {
                format!("{k} {n} ({coded} with a code)")
            } else {
                format!("{k} {n}")
            }
        })
        .collect();
    let _ = writeln!(
        out,
        "Lifecycle triggers due on {TRIGGER_DAY}\n  {}",
        if listed.is_empty() {
            "none".to_owned()
        } else {
            listed.join("  ")
        }
    );
    let page = loyalty_testkit::report::html(&loyalty_testkit::report::ReportPage {
        title: "Tehran Café Club: the year 1404",
        subtitle: &format!(
            "{} to {} ({} calendar, {}); {} customers in the sample",
            YEAR_FROM,
            YEAR_TO,
            program.calendar().name(),
            program.time_zone(),
            num(Decimal::from(
                u64::try_from(profiles.len()).unwrap_or(u64::MAX)
            ))
        ),
        report: &report,
        stats: &stats,
        triggers: Some((TRIGGER_DAY, &triggers)),
        currency,
    })?;
    if let Some(dir) = args.report.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(&args.report, page).map_err(|e| format!("{}: {e}", args.report.display()))?;
    let _ = writeln!(
        out,
        "HTML report written to {} (open it in a browser; it needs no network)",
        args.report.display()
    );
    Ok(())
}

/// One reason code and its count, under a line of the referrals block.
fn reason_line(out: &mut String, code: ReasonCode, n: u64, note: &str) -> std::fmt::Result {
    let line = format!("    {:<28}{:>6}   {note}", code.code(), num(n));
    writeln!(out, "{}", line.trim_end())
}

/// Codes, sign-ups, credits and refusals of the referral book.
fn referral_summary(out: &mut String, program: &Program, t: &ReferralTally) -> std::fmt::Result {
    let file = program.file().referrals.as_ref();
    let min = file
        .and_then(|f| f.qualify.min_order.as_ref())
        .and_then(|m| m.parse())
        .map_or_else(|| "-".to_owned(), num);
    let within = file.and_then(|f| f.qualify.within_days).unwrap_or(30);
    let return_days = file.and_then(|f| f.return_days).unwrap_or(14);
    writeln!(
        out,
        "\nReferrals (referral book, codes {}; a first order of {min} IRR within {within} days \
         qualifies, paid {return_days} days after it)",
        t.pattern
    )?;
    writeln!(
        out,
        "  members with codes        {:>10}   {} of them referees themselves (chains)",
        num(t.members),
        num(t.referred_members)
    )?;
    let attempt = |a: Attempt| t.attempts.get(&a).copied().unwrap_or(0);
    let own = attempt(Attempt::OwnPhone).saturating_add(attempt(Attempt::OwnDevice));
    writeln!(
        out,
        "  signups                   {:>10}   {} new customers · {} retries · {} second codes · \
         {} second profiles · {} own accounts · {} cycles · {} farm · {} returning customers",
        num(t.signups),
        num(attempt(Attempt::Referee)),
        num(attempt(Attempt::Retry)),
        num(attempt(Attempt::SecondCode)),
        num(attempt(Attempt::SecondProfile)),
        num(own),
        num(attempt(Attempt::Cycle)),
        num(attempt(Attempt::Farm)),
        num(attempt(Attempt::Returning))
    )?;
    writeln!(
        out,
        "  linked                    {:>10}   {} signups refused",
        num(t.linked),
        num(t.refused)
    )?;
    writeln!(
        out,
        "  qualified                 {:>10}   {} referees' orders posted; {} below the minimum \
         (of {} referees)",
        num(t.qualified),
        num(t.orders),
        num(t.below_minimum),
        num(t.below_minimum_referees.len() as u64)
    )?;
    writeln!(
        out,
        "  credited (paid)           {:>10}   {} still credited at the end",
        num(t.credited),
        num(t.end.credited)
    )?;
    writeln!(
        out,
        "  pending at the end        {:>10}   qualified; the return window still open on {AS_OF}",
        num(t.end.pending)
    )?;
    writeln!(
        out,
        "  linked at the end         {:>10}   within their {within} days, no qualifying order yet",
        num(t.end.linked)
    )?;
    let cancelled = t
        .cancelled
        .values()
        .map(|c| c.0)
        .fold(0, u64::saturating_add);
    writeln!(
        out,
        "  cancelled                 {:>10}   by reason",
        num(cancelled)
    )?;
    for (code, (n, paid)) in &t.cancelled {
        let note = match code {
            ReasonCode::OrderRefunded => format!(
                "{} before the credit was paid · {} after (taken back)",
                num(n.saturating_sub(*paid)),
                num(*paid)
            ),
            ReasonCode::SelfReferral => format!(
                "profiles merged after the signup; {} of them paid (taken back)",
                num(*paid)
            ),
            ReasonCode::QualificationWindowPassed => {
                format!("no qualifying order within {within} days")
            }
            _ => format!("{} of them paid (taken back)", num(*paid)),
        };
        reason_line(out, *code, *n, &note)?;
    }
    writeln!(
        out,
        "  rejected signups          {:>10}   by reason (a signup refused for several counts \
         under each)",
        num(t.refused)
    )?;
    let signup_reasons = [
        ReasonCode::MalformedCode,
        ReasonCode::BadCheckCharacter,
        ReasonCode::UnknownCode,
        ReasonCode::AlreadyReferred,
        ReasonCode::SelfReferral,
        ReasonCode::ReferralCycle,
        ReasonCode::VelocityExceeded,
        ReasonCode::ExistingCustomer,
    ];
    for code in signup_reasons {
        let n = t.rejected.get(&code).copied().unwrap_or(0);
        let kinds: Vec<String> = t
            .self_evidence
            .iter()
            .map(|(k, n)| format!("{k} {}", num(*n)))
            .collect();
        let note = if code == ReasonCode::SelfReferral && !kinds.is_empty() {
            format!("shared: {}", kinds.join(" · "))
        } else {
            String::new()
        };
        reason_line(out, code, n, &note)?;
    }
    let reward = |role: &str| t.rewards.get(role).copied().unwrap_or_default();
    let (referrer_n, referrer_points) = reward("referrer");
    let (referee_n, referee_points) = reward("referee");
    let (bonus_n, bonus_points) = reward("bonus");
    writeln!(
        out,
        "  points to referrers       {:>10}   {} rewards",
        num(referrer_points),
        num(referrer_n)
    )?;
    writeln!(
        out,
        "  points to referees        {:>10}   {} rewards",
        num(referee_points),
        num(referee_n)
    )?;
    let bonus_at = file
        .map(|f| {
            f.bonuses
                .iter()
                .map(|b| format!("#{}", b.at))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    writeln!(
        out,
        "  bonuses                   {:>10}   {} points, at a referrer's successful referral \
         {bonus_at}",
        num(bonus_n),
        num(bonus_points)
    )?;
    let cap = file.and_then(|f| f.cap.as_ref()).map_or_else(
        || "no cap".to_owned(),
        |c| {
            let period = match c.period {
                loyalty_core::referrals::CapPeriod::Month => "a month",
                loyalty_core::referrals::CapPeriod::Year => "a year",
                loyalty_core::referrals::CapPeriod::Ever => "in all",
            };
            format!("{} {period}", c.max)
        },
    );
    writeln!(
        out,
        "  capped                    {:>10}   paid without the referrer's reward \
         (cap_reached: {cap})",
        num(t.capped)
    )?;
    writeln!(
        out,
        "  points taken back         {:>10}   {} credits reversed",
        num(t.reversed),
        num(t.reversals)
    )?;
    writeln!(
        out,
        "  coupons granted           {:>10}   {} withdrawn",
        num(t.coupons),
        num(t.coupons_withdrawn)
    )?;
    if let Some((member, n)) = &t.end.top {
        writeln!(
            out,
            "  top referrer              {:>10}   successful referrals of {member}; longest \
             credited chain {}",
            num(u64::from(*n)),
            t.end.chain.join(" → ")
        )?;
    }
    writeln!(
        out,
        "  book events               {:>10}   {} settlements · {} merges · {} refunds of \
         referees' orders",
        num(t
            .members
            .saturating_add(t.signups)
            .saturating_add(t.orders)
            .saturating_add(t.merges)
            .saturating_add(t.refunds)),
        num(t.settlements),
        num(t.merges),
        num(t.refunds)
    )?;
    writeln!(out, "  referral errors           {:>10}", num(t.errors))?;
    if let Some(e) = &t.first_error {
        writeln!(out, "    first error: {e}")?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("demo: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo: {e}");
            ExitCode::FAILURE
        }
    }
}
