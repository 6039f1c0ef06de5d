//! A seeded stream of ledger events at any scale, for the ledger benchmark:
//! members earning on orders (half of them with lines), paying with points,
//! refunding orders in full, by amount and by line, goodwill and correction
//! adjustments and a few transfers, over about two years in time order.
//!
//! The stream is made the way a host makes it: every event is posted to a
//! ledger as it is drawn, and redemptions, negative adjustments and transfers
//! ask that ledger what the member has (redemptions through
//! [`Ledger::pay_with_points`]), so they always fit. The ledger built on the
//! way comes back with the events; replaying the events gives the same ledger.
//! Same seed, same sizes: the same events on every platform.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat};
use loyalty_core::ledger::{
    AdjustEvent, EarnEvent, EarnLine, Ledger, LedgerEvent, PaymentRequest, PostStatus, RefundEvent,
    RefundLine, TransferEvent,
};
use loyalty_core::{Program, ProgramErrors};
use rand::{Rng, RngExt};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::chance;

/// The stream's program: 1 point per euro is what the host's quotes give
/// (the stream carries the points), 14 days pending, points expire when the
/// calendar year they were earned in ends, and 100 points pay 1 EUR, up to
/// half of an order, from 100 points on.
pub const STREAM_PROGRAM_TOML: &str = r#"
schema_version = 1
id = "ledger-stream"
name = "Ledger benchmark program"
currency = "EUR"
time_zone = "Europe/Berlin"

[ledger]
pending_days = 14
expiry = { end_of = "year" }
redemption = { points = "100", value = "1", min_points = "100", max_percent = "50" }
"#;

/// The stream's program, loaded and validated.
pub fn stream_program() -> Result<Program, ProgramErrors> {
    Program::from_toml(STREAM_PROGRAM_TOML)
}

/// First instant of the stream: 2024-01-01T00:00:00Z, in seconds.
pub const STREAM_START: i64 = 1_704_067_200;
/// Days the stream spans (to 2025-11-30).
pub const STREAM_DAYS: i64 = 700;
/// An instant after the last event to ask balances at: two weeks before the
/// year ends, so `expiring` within 30 days finds every point earned in 2025.
pub const STREAM_QUERY_AT: &str = "2025-12-15T12:00:00+01:00";
/// An instant in the middle of the history, for questions about the past.
pub const STREAM_PAST_AT: &str = "2025-06-30T12:00:00+02:00";

/// Days after an order during which it may be refunded.
const REFUND_DAYS: i64 = 30;
const DAY: i64 = 86_400;

/// How many events of each kind a stream holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamMix {
    /// Earnings on orders.
    pub earn: u64,
    /// Points paid for orders (through `pay_with_points`).
    pub redeem: u64,
    /// Refunds of a whole order (what was left of it).
    pub refund_full: u64,
    /// Partial refunds by amount.
    pub refund_amount: u64,
    /// Partial refunds by line and quantity.
    pub refund_lines: u64,
    /// Goodwill adjustments (points added).
    pub adjust_up: u64,
    /// Corrections (points taken).
    pub adjust_down: u64,
    /// Points given to another member.
    pub transfer: u64,
}

impl StreamMix {
    /// Every kind with its count, for reports.
    pub fn kinds(&self) -> [(&'static str, u64); 8] {
        [
            ("earn", self.earn),
            ("redeem", self.redeem),
            ("refund (full)", self.refund_full),
            ("refund (amount)", self.refund_amount),
            ("refund (lines)", self.refund_lines),
            ("adjust +", self.adjust_up),
            ("adjust -", self.adjust_down),
            ("transfer", self.transfer),
        ]
    }
}

/// A generated stream and the ledger it built.
#[derive(Debug, Clone)]
pub struct LedgerStream {
    /// The events, in time order; each one applies.
    pub events: Vec<LedgerEvent>,
    /// The ledger after posting every event.
    pub ledger: Ledger,
    /// Events of each kind.
    pub mix: StreamMix,
    /// Drawn events the ledger refused (left out of `events`), and the first reason.
    pub refused: u64,
    /// The first refusal, for the curious.
    pub first_refusal: Option<String>,
    /// Time spent in `Ledger::post` while generating.
    pub posting: Duration,
}

/// An order a refund may still come for.
struct Refundable {
    order: String,
    at: i64,
    /// Refunded already (each order is refunded once at most).
    done: bool,
    cents: i64,
    /// Quantity of each line (empty when the earn had no lines).
    lines: Vec<u32>,
}

fn rfc3339(secs: i64) -> String {
    DateTime::from_timestamp(secs, 0).map_or_else(
        || secs.to_string(),
        |t| t.to_rfc3339_opts(SecondsFormat::Secs, true),
    )
}

fn euros(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

/// A number in `lo..=hi` (`lo` when the range is empty).
fn between<R: Rng + ?Sized>(rng: &mut R, lo: i64, hi: i64) -> i64 {
    if hi <= lo {
        lo
    } else {
        rng.random_range(lo..=hi)
    }
}

struct Drawer<'a, R: Rng + ?Sized> {
    rng: &'a mut R,
    program: &'a Program,
    ledger: &'a Ledger,
    accounts: usize,
    recent: &'a mut VecDeque<Refundable>,
    orders: &'a mut u64,
}

impl<R: Rng + ?Sized> Drawer<'_, R> {
    fn account(&mut self) -> String {
        // A fifth of the members make three fifths of the visits.
        let heavy = self.accounts / 5;
        let i = if heavy > 0 && chance(self.rng, 60) {
            self.rng.random_range(0..heavy)
        } else if heavy < self.accounts {
            self.rng.random_range(heavy..self.accounts)
        } else {
            0
        };
        format!("m{i:06}")
    }

    fn order_id(&mut self, prefix: char) -> String {
        *self.orders = self.orders.saturating_add(1);
        format!("{prefix}{}", self.orders)
    }

    /// What the member can spend at `at`, in whole points.
    fn available(&self, account: &str, at: &str) -> i64 {
        self.ledger
            .balance(self.program, account, at)
            .ok()
            .and_then(|b| b.available.floor().to_i64())
            .unwrap_or(0)
    }

    fn earn(&mut self, id: String, at: &str, secs: i64) -> (LedgerEvent, Kind) {
        let account = self.account();
        let cents: i64 = match self.rng.random_range(0..100_u32) {
            0..50 => self.rng.random_range(300..1_500),
            50..85 => self.rng.random_range(1_500..6_000),
            _ => self.rng.random_range(6_000..30_000),
        };
        let points = (cents / 100).max(1);
        let order = self.order_id('o');
        let mut quantities = Vec::new();
        let mut lines = Vec::new();
        if chance(self.rng, 50) {
            let n = self.rng.random_range(1..=4_usize);
            let weights: Vec<i64> = (0..n).map(|_| self.rng.random_range(1..=10)).collect();
            let sum: i64 = weights.iter().sum();
            let (mut cents_left, mut points_left) = (cents, points);
            for (i, w) in weights.iter().enumerate() {
                let last = i.saturating_add(1) == n;
                let (c, p) = if last {
                    (cents_left, points_left)
                } else {
                    (
                        cents.saturating_mul(*w).checked_div(sum).unwrap_or(0),
                        points.saturating_mul(*w).checked_div(sum).unwrap_or(0),
                    )
                };
                cents_left = cents_left.saturating_sub(c);
                points_left = points_left.saturating_sub(p);
                let q = self.rng.random_range(1..=3_u32);
                quantities.push(q);
                lines.push(EarnLine {
                    quantity: Decimal::from(q),
                    amount: euros(c),
                    points: Decimal::from(p),
                });
            }
        }
        self.recent.push_back(Refundable {
            order: order.clone(),
            at: secs,
            done: false,
            cents,
            lines: quantities,
        });
        let event = LedgerEvent::Earn(EarnEvent {
            id,
            account,
            at: at.to_owned(),
            points: Decimal::from(points),
            order: Some(order),
            amount: Some(euros(cents)),
            lines,
        });
        (event, Kind::Earn)
    }

    fn redeem(&mut self, id: &str, at: &str, secs: i64) -> Option<(LedgerEvent, Kind)> {
        let account = self.account();
        let cents: i64 = self.rng.random_range(500..8_000);
        let order = self.order_id('p');
        let request = PaymentRequest {
            id: id.to_owned(),
            account: account.clone(),
            at: at.to_owned(),
            order: Some(order.clone()),
            order_total: euros(cents),
            points: chance(self.rng, 50).then(|| Decimal::from(self.rng.random_range(100..=500))),
        };
        let event = self
            .ledger
            .pay_with_points(self.program, &request)
            .ok()?
            .event?;
        self.recent.push_back(Refundable {
            order,
            at: secs,
            done: false,
            cents,
            lines: Vec::new(),
        });
        Some((event, Kind::Redeem))
    }

    fn refund(&mut self, id: &str, at: &str, secs: i64) -> Option<(LedgerEvent, Kind)> {
        // The orders still in the refund window, oldest first.
        let window = secs.saturating_sub(REFUND_DAYS.saturating_mul(DAY));
        while self.recent.front().is_some_and(|r| r.at < window) {
            self.recent.pop_front();
        }
        let len = self.recent.len();
        if len == 0 {
            return None;
        }
        let r = self.recent.get_mut(self.rng.random_range(0..len))?;
        if r.done {
            return None;
        }
        r.done = true;
        let (cents, lines) = (r.cents, r.lines.clone());
        let mut event = RefundEvent {
            id: id.to_owned(),
            at: at.to_owned(),
            order: r.order.clone(),
            lines: Vec::new(),
            amount: None,
        };
        let kind = match self.rng.random_range(0..100_u32) {
            0..40 => Kind::RefundFull,
            40..70 if !lines.is_empty() => {
                let line = self.rng.random_range(0..lines.len());
                let qty = lines.get(line).copied().unwrap_or(1).max(1);
                event.lines.push(RefundLine {
                    line,
                    quantity: Decimal::from(self.rng.random_range(1..=qty)),
                });
                Kind::RefundLines
            }
            _ => {
                let lo = (cents / 10).max(1);
                let hi = cents.saturating_mul(9) / 10;
                event.amount = Some(euros(between(self.rng, lo, hi)));
                Kind::RefundAmount
            }
        };
        Some((LedgerEvent::Refund(event), kind))
    }

    fn adjust(&mut self, id: String, at: &str) -> (LedgerEvent, Kind) {
        let account = self.account();
        let down = chance(self.rng, 25).then(|| self.available(&account, at));
        let (points, reason, kind) = match down {
            Some(have) if have >= 20 => (
                0_i64.saturating_sub(between(self.rng, 1, have / 4)),
                "correction: points credited twice",
                Kind::AdjustDown,
            ),
            _ => (
                between(self.rng, 5, 200),
                "goodwill: order arrived late",
                Kind::AdjustUp,
            ),
        };
        let event = LedgerEvent::Adjust(AdjustEvent {
            id,
            account,
            at: at.to_owned(),
            points: Decimal::from(points),
            reason: reason.to_owned(),
        });
        (event, kind)
    }

    fn transfer(&mut self, id: &str, at: &str) -> Option<(LedgerEvent, Kind)> {
        let account = self.account();
        let have = self.available(&account, at);
        if have < 100 {
            return None;
        }
        let to = (0..4).map(|_| self.account()).find(|a| *a != account)?;
        let event = LedgerEvent::Transfer(TransferEvent {
            id: id.to_owned(),
            account,
            to,
            at: at.to_owned(),
            points: Decimal::from(between(self.rng, 10, have / 2)),
        });
        Some((event, Kind::Transfer))
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Earn,
    Redeem,
    RefundFull,
    RefundAmount,
    RefundLines,
    AdjustUp,
    AdjustDown,
    Transfer,
}

impl StreamMix {
    fn count(&mut self, kind: Kind) {
        let n = match kind {
            Kind::Earn => &mut self.earn,
            Kind::Redeem => &mut self.redeem,
            Kind::RefundFull => &mut self.refund_full,
            Kind::RefundAmount => &mut self.refund_amount,
            Kind::RefundLines => &mut self.refund_lines,
            Kind::AdjustUp => &mut self.adjust_up,
            Kind::AdjustDown => &mut self.adjust_down,
            Kind::Transfer => &mut self.transfer,
        };
        *n = n.saturating_add(1);
    }
}

/// `events` events over `accounts` members, drawn from `seed` and posted to
/// a ledger of `program` (use [`stream_program`]) as they are drawn.
///
/// Each event is drawn as an earning (82%), a payment with points (7%), a
/// refund (5.5%: two fifths in full, the rest by amount or by line, all
/// within 30 days of the order), an adjustment (4.5%) or a transfer (1%); a
/// draw that cannot be made (too few points, nothing left to refund) becomes
/// an earning. At 10 million events over 100,000 members the stream holds
/// 84% earnings, 5.3% redemptions, 5.3% refunds, 4.5% adjustments and 0.8%
/// transfers. A fifth of the members make three fifths of the visits. Event
/// `i` happens `i * 700 days / events` after [`STREAM_START`].
pub fn ledger_stream(program: &Program, seed: u64, events: usize, accounts: usize) -> LedgerStream {
    let mut rng = super::rng(seed);
    let mut ledger = Ledger::new();
    let mut out = Vec::with_capacity(events);
    let mut mix = StreamMix::default();
    let mut recent = VecDeque::new();
    let mut orders = 0_u64;
    let (mut refused, mut first_refusal) = (0_u64, None);
    let mut posting = Duration::ZERO;
    let span = STREAM_DAYS.saturating_mul(DAY);
    let n = i64::try_from(events.max(1)).unwrap_or(i64::MAX);
    let accounts = accounts.max(1);
    for i in 0..events {
        let step = i64::try_from(i).unwrap_or(i64::MAX);
        let secs = STREAM_START.saturating_add(
            i128::from(step)
                .saturating_mul(i128::from(span))
                .checked_div(i128::from(n))
                .and_then(|x| i64::try_from(x).ok())
                .unwrap_or(0),
        );
        let at = rfc3339(secs);
        let id = format!("e{i}");
        let mut d = Drawer {
            rng: &mut rng,
            program,
            ledger: &ledger,
            accounts,
            recent: &mut recent,
            orders: &mut orders,
        };
        let drawn = match d.rng.random_range(0..1000_u32) {
            0..70 => d.redeem(&id, &at, secs),
            70..125 => d.refund(&id, &at, secs),
            125..170 => Some(d.adjust(id.clone(), &at)),
            170..180 => d.transfer(&id, &at),
            _ => None,
        };
        let (event, kind) = match drawn {
            Some(x) => x,
            None => d.earn(id, &at, secs),
        };
        let t = Instant::now();
        let posted = ledger.post(program, &event);
        posting = posting.saturating_add(t.elapsed());
        match posted {
            Ok(PostStatus::Applied) => {
                mix.count(kind);
                out.push(event);
            }
            Ok(PostStatus::Duplicate) => {}
            Err(e) => {
                refused = refused.saturating_add(1);
                if first_refusal.is_none() {
                    first_refusal = Some(format!("{}: {e}", event.id()));
                }
            }
        }
    }
    LedgerStream {
        events: out,
        ledger,
        mix,
        refused,
        first_refusal,
        posting,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_stream_replays_to_the_same_ledger() {
        let program = stream_program().unwrap();
        let s = ledger_stream(&program, 7, 5_000, 100);
        assert_eq!(s.events.len() as u64 + s.refused, 5_000);
        assert_eq!(s.refused, 0, "{:?}", s.first_refusal);
        let m = s.mix;
        assert!(m.redeem > 0 && m.refund_full > 0 && m.refund_amount > 0 && m.refund_lines > 0);
        assert!(m.adjust_up > 0 && m.adjust_down > 0 && m.transfer > 0);
        assert!(s.events.windows(2).all(|w| w[0].at() <= w[1].at()));
        let mut replayed = Ledger::new();
        for e in &s.events {
            assert_eq!(replayed.post(&program, e).unwrap(), PostStatus::Applied);
        }
        assert_eq!(replayed, s.ledger);
        assert_eq!(replayed.len(), 100);
        // Every member's points of 2025 expire within 30 days of the query instant.
        let account = replayed.account_ids().next().unwrap().to_owned();
        let b = replayed
            .balance(&program, &account, STREAM_QUERY_AT)
            .unwrap();
        let x = replayed
            .expiring(&program, &account, STREAM_QUERY_AT, 30)
            .unwrap();
        assert_eq!(x.points, b.available + b.pending);
    }

    #[test]
    fn same_seed_same_stream() {
        let program = stream_program().unwrap();
        let a = ledger_stream(&program, 3, 2_000, 50).events;
        assert_eq!(a, ledger_stream(&program, 3, 2_000, 50).events);
        assert_ne!(a, ledger_stream(&program, 4, 2_000, 50).events);
    }
}
