//! A seeded stream of tier events at any scale, for the tier benchmark:
//! members' orders (spend and the points they earned), check-ins, payments
//! with points and refunds of recent orders, in time order, in Tehran time
//! for the sample program's `[tiers]` (six months of spend, reviewed on the
//! first of every Persian month).
//!
//! A fifth of the members place three fifths of the orders, so the stream
//! holds members at every tier, going up and coming down. With one account
//! it is one member's long history. Same seed, same sizes: the same events
//! on every platform.

use std::collections::VecDeque;

use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use loyalty_core::ledger::{RedeemEvent, RefundEvent};
use loyalty_core::tiers::{TierEvent, TierOrder, TierVisit};
use rand::{Rng, RngExt};
use rust_decimal::Decimal;

use super::{chance, rng, tehran_rfc3339, ymd};

/// First day of the stream: 1 Farvardin 1402.
pub const TIER_STREAM_START: NaiveDate = ymd(2023, 3, 21);

/// Refunds come within this many days of the order.
const REFUND_DAYS: i64 = 30;

/// How many events of each kind a stream holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TierMix {
    /// Orders.
    pub orders: u64,
    /// Check-ins without an order.
    pub visits: u64,
    /// Payments with points.
    pub redeems: u64,
    /// Refunds of a whole order.
    pub refunds_full: u64,
    /// Refunds of part of an order's amount.
    pub refunds_amount: u64,
}

impl TierMix {
    /// Every kind with its count, for reports.
    pub fn kinds(&self) -> [(&'static str, u64); 5] {
        [
            ("order", self.orders),
            ("visit", self.visits),
            ("redeem", self.redeems),
            ("refund (full)", self.refunds_full),
            ("refund (amount)", self.refunds_amount),
        ]
    }
}

/// A generated stream.
#[derive(Debug, Clone, Default)]
pub struct TierStream {
    /// The events, in time order.
    pub events: Vec<TierEvent>,
    /// Every account that has an event, in order.
    pub accounts: Vec<String>,
    /// Events of each kind.
    pub mix: TierMix,
    /// The first local midnight after the last day of the stream.
    pub end: String,
}

/// An order a refund may still come for.
struct Recent {
    order: String,
    at: NaiveDateTime,
    spend: Decimal,
}

fn account_id(i: usize) -> String {
    format!("m{i:06}")
}

/// A member: a fifth of them place three fifths of the orders.
fn draw_account<R: Rng + ?Sized>(rng: &mut R, accounts: usize) -> usize {
    let heavy = accounts / 5;
    if heavy > 0 && chance(rng, 60) {
        rng.random_range(0..heavy)
    } else if heavy < accounts {
        rng.random_range(heavy..accounts)
    } else {
        0
    }
}

/// What an order is paid, in rials (about 1,000,000 on average).
fn draw_spend<R: Rng + ?Sized>(rng: &mut R) -> Decimal {
    let thousands: u64 = match rng.random_range(0..100_u32) {
        0..50 => rng.random_range(150..600),
        50..85 => rng.random_range(600..1_500),
        _ => rng.random_range(1_500..4_000),
    };
    Decimal::from(thousands.saturating_mul(1000))
}

/// `events` events over `accounts` members, from `start` on for `days`
/// days, drawn from `seed`.
pub fn tier_stream(
    seed: u64,
    events: usize,
    accounts: usize,
    start: NaiveDate,
    days: u32,
) -> TierStream {
    let mut rng = rng(seed);
    let accounts = accounts.max(1);
    let span = i64::from(days).saturating_mul(86_400).max(1);
    let mut offsets: Vec<i64> = (0..events).map(|_| rng.random_range(0..span)).collect();
    offsets.sort_unstable();
    let midnight = start.and_time(NaiveTime::MIN);
    let mut out = TierStream {
        events: Vec::with_capacity(events),
        ..TierStream::default()
    };
    let mut seen = vec![false; accounts];
    let mut recent: VecDeque<Recent> = VecDeque::new();
    for (n, offset) in offsets.into_iter().enumerate() {
        let at = midnight
            .checked_add_signed(TimeDelta::seconds(offset))
            .unwrap_or(midnight);
        let text = tehran_rfc3339(at);
        while recent
            .front()
            .is_some_and(|r| at.signed_duration_since(r.at).num_days() > REFUND_DAYS)
        {
            recent.pop_front();
        }
        let kind = rng.random_range(0..100_u32);
        let event = match kind {
            // A refund of a recent order, when there is one.
            0..4 if !recent.is_empty() => {
                let pick = rng.random_range(0..recent.len());
                let Some(r) = recent.remove(pick) else {
                    continue;
                };
                let amount = if chance(&mut rng, 50) {
                    out.mix.refunds_full = out.mix.refunds_full.saturating_add(1);
                    None
                } else {
                    out.mix.refunds_amount = out.mix.refunds_amount.saturating_add(1);
                    let share = Decimal::new(i64::from(rng.random_range(10..=60_u32)), 2);
                    let thousand = Decimal::from(1000);
                    r.spend
                        .checked_mul(share)
                        .and_then(|a| a.checked_div(thousand))
                        .map(|a| a.floor())
                        .and_then(|a| a.checked_mul(thousand))
                        .filter(|a| *a > Decimal::ZERO)
                };
                TierEvent::Refund(RefundEvent {
                    id: format!("r{n}"),
                    at: text,
                    order: r.order,
                    lines: Vec::new(),
                    amount,
                })
            }
            4..9 => {
                out.mix.visits = out.mix.visits.saturating_add(1);
                let account = draw_account(&mut rng, accounts);
                if let Some(s) = seen.get_mut(account) {
                    *s = true;
                }
                TierEvent::Visit(TierVisit {
                    id: format!("v{n}"),
                    account: account_id(account),
                    at: text,
                })
            }
            9..14 => {
                out.mix.redeems = out.mix.redeems.saturating_add(1);
                let account = draw_account(&mut rng, accounts);
                if let Some(s) = seen.get_mut(account) {
                    *s = true;
                }
                TierEvent::Redeem(RedeemEvent {
                    id: format!("p{n}"),
                    account: account_id(account),
                    at: text,
                    points: Decimal::from(rng.random_range(100..=600_u32)),
                    order: None,
                    amount: None,
                })
            }
            _ => {
                out.mix.orders = out.mix.orders.saturating_add(1);
                let account = draw_account(&mut rng, accounts);
                if let Some(s) = seen.get_mut(account) {
                    *s = true;
                }
                let spend = draw_spend(&mut rng);
                let id = format!("o{n}");
                recent.push_back(Recent {
                    order: id.clone(),
                    at,
                    spend,
                });
                TierEvent::Order(TierOrder {
                    id,
                    account: account_id(account),
                    at: text,
                    order: None,
                    spend,
                    points: spend
                        .checked_div(Decimal::from(10_000))
                        .map(|p| p.floor())
                        .unwrap_or_default(),
                    lines: Vec::new(),
                })
            }
        };
        out.events.push(event);
    }
    out.accounts = seen
        .iter()
        .enumerate()
        .filter(|(_, s)| **s)
        .map(|(i, _)| account_id(i))
        .collect();
    let end = start
        .checked_add_days(Days::new(u64::from(days)))
        .unwrap_or(start);
    out.end = tehran_rfc3339(end.and_time(NaiveTime::MIN));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use loyalty_core::tiers::TierBook;

    #[test]
    fn every_event_applies_and_tiers_move() {
        let program = super::super::program().unwrap();
        let s = tier_stream(3, 20_000, 200, TIER_STREAM_START, 730);
        assert_eq!(s.events.len(), 20_000);
        assert!(s.events.windows(2).all(|w| w[0].at() <= w[1].at()));
        let (book, outcomes) = TierBook::replay(&program, &s.events);
        assert!(outcomes.iter().all(Result::is_ok));
        let (mut up, mut down) = (0, 0);
        for a in &s.accounts {
            let h = book.history(&program, a, &s.end).unwrap();
            for t in &h.transitions {
                match t.cause {
                    loyalty_core::tiers::Cause::Qualified => up += 1,
                    loyalty_core::tiers::Cause::GraceExpired => down += 1,
                    _ => {}
                }
            }
        }
        assert!(up > 100 && down > 20, "{up} upgrades, {down} downgrades");
    }

    #[test]
    fn same_seed_same_stream() {
        let a = tier_stream(5, 500, 1, TIER_STREAM_START, 1826);
        let b = tier_stream(5, 500, 1, TIER_STREAM_START, 1826);
        assert_eq!(a.events, b.events);
        assert_eq!(a.accounts, ["m000000"]);
        assert_eq!(a.end, "2028-03-20T00:00:00+03:30");
    }
}
