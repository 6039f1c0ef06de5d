//! The ledger: every account of a program, the ids already posted, and what
//! each order earned, spent and had refunded.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::DateTime;
use rust_decimal::Decimal;

use super::account::{Account, CorrectKind, Correction, Entry, LotKey, Op, Piece, Refusal};
use super::amount::Amount;
use super::error::LedgerError;
use super::event::{
    AdjustEvent, EarnEvent, LedgerEvent, MergeEvent, RedeemEvent, RefundEvent, ReverseEvent,
    TransferEvent, WalletChargeEvent, WalletDepositEvent, WalletLimitEvent, WalletRefundEvent,
};
use super::policy::{ExpiryMemo, LedgerPolicy};
use super::wallet::{Wallet, WalletEntry, WalletOp};
use super::{Map, Set};
use crate::error::join;
use crate::program::Program;
use crate::program::format::{RestoreExpiry, Shortfall};

/// A points account or a stored-value account.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Slot {
    Points(Box<Account>),
    Wallet(Wallet),
}

/// Corrections for one account: claws by origin lot, restores by redeem, and
/// points given back as a new lot.
type Fixes = (Vec<(LotKey, Amount)>, Vec<(u64, Amount)>, Amount);

/// What an id was posted as.
#[derive(Debug, Clone, PartialEq)]
struct Posted {
    fingerprint: u64,
    account: Arc<str>,
    seq: u64,
    what: Target,
    /// The order of an earn or redeem.
    order: Option<Arc<str>>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    /// A lot-creating earn or positive adjust, with its points.
    Lot(Amount),
    /// A redeem or negative adjust, with its points.
    Outflow(Amount),
    Other,
}

/// What one order did in the ledger.
#[derive(Debug, Clone, PartialEq, Default)]
struct OrderRecord {
    earn: Option<EarnRecord>,
    /// Redeems that paid for the order: account, sequence, points.
    redeems: Vec<(Arc<str>, u64, Amount)>,
    /// Refund basis given by the redeem events, when the earn gave none.
    redeem_amount: Option<Amount>,
    refunded_qty: Vec<Decimal>,
    refunded_amount: Amount,
    /// Cumulative claw on the earning and restores per redeem.
    clawed: Amount,
    restored: Vec<Amount>,
    /// Everything was refunded.
    full: bool,
    wallet: Option<(Arc<str>, Amount, Amount)>,
}

#[derive(Debug, Clone, PartialEq)]
struct EarnRecord {
    account: Arc<str>,
    source: Arc<str>,
    seq: u64,
    points: Amount,
    amount: Option<Amount>,
    lines: Vec<(Decimal, Amount, Amount)>,
}

/// Whether a posted event changed the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PostStatus {
    /// The event was new and is now part of the ledger.
    Applied,
    /// The same event had been posted before; nothing changed.
    Duplicate,
}

/// The ledger of one program: plain data built only from the events posted
/// to it, so the host can persist the events and rebuild it at any time.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ledger {
    pub(crate) accounts: Map<Arc<str>, Slot>,
    posted: Map<Arc<str>, Posted>,
    orders: Map<Arc<str>, OrderRecord>,
    /// Sequences of events a reversal undid in full.
    reversed: Set<u64>,
    /// Events refused for want of points or money, by id.
    refused: Map<Arc<str>, (u64, LedgerError)>,
    /// The expiry period of the last earning.
    memo: ExpiryMemo,
    seq: u64,
}

/// First and last instants the ledger takes (years 1000 to 9000), so every
/// answer, expiry dates included, is written as plain RFC 3339.
const EARLIEST_MS: i64 = -30_610_224_000_000;
const LATEST_MS: i64 = 221_845_392_000_000;

pub(crate) fn parse_at(text: &str, path: &str) -> Result<i64, LedgerError> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.timestamp_millis())
        .filter(|ms| (EARLIEST_MS..=LATEST_MS).contains(ms))
        .ok_or_else(|| LedgerError::InvalidTimestamp {
            path: path.to_owned(),
            value: text.to_owned(),
        })
}

pub(crate) fn amount(d: Decimal, path: &str) -> Result<Amount, LedgerError> {
    Amount::from_decimal(d).ok_or_else(|| LedgerError::InvalidAmount {
        path: path.to_owned(),
        value: d.to_string(),
    })
}

pub(crate) fn positive(d: Decimal, path: &str) -> Result<Amount, LedgerError> {
    let a = amount(d, path)?;
    if a.is_positive() {
        Ok(a)
    } else {
        Err(LedgerError::NotPositive {
            path: path.to_owned(),
            value: d.to_string(),
        })
    }
}

fn non_empty(text: &str, path: &str) -> Result<Arc<str>, LedgerError> {
    if text.is_empty() {
        Err(LedgerError::EmptyId {
            path: path.to_owned(),
        })
    } else {
        Ok(Arc::from(text))
    }
}

fn overflow(path: &str) -> LedgerError {
    LedgerError::ArithmeticOverflow {
        path: path.to_owned(),
    }
}

/// The account an event is posted to, if it names one.
fn event_account(event: &LedgerEvent) -> Option<&str> {
    match event {
        LedgerEvent::Earn(e) => Some(&e.account),
        LedgerEvent::Redeem(e) => Some(&e.account),
        LedgerEvent::Adjust(e) => Some(&e.account),
        LedgerEvent::Transfer(e) => Some(&e.account),
        LedgerEvent::Merge(e) => Some(&e.account),
        LedgerEvent::WalletDeposit(e) => Some(&e.account),
        LedgerEvent::WalletCharge(e) => Some(&e.account),
        LedgerEvent::WalletLimit(e) => Some(&e.account),
        LedgerEvent::Refund(_) | LedgerEvent::Reverse(_) | LedgerEvent::WalletRefund(_) => None,
    }
}

/// The second account of a transfer or merge.
fn event_other(event: &LedgerEvent) -> Option<&str> {
    match event {
        LedgerEvent::Transfer(e) => Some(&e.to),
        LedgerEvent::Merge(e) => Some(&e.from),
        _ => None,
    }
}

/// A hash of the event's content, to tell a retry from another event that
/// reuses its id.
fn fingerprint(event: &LedgerEvent) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x6c6f_7961_6c74_7921).hash_one(event)
}

impl Ledger {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuilds a ledger from events in the order they were posted. Refused
    /// events are skipped, as they were when first posted; the result lists
    /// each event's outcome.
    pub fn replay<'a>(
        program: &Program,
        events: impl IntoIterator<Item = &'a LedgerEvent>,
    ) -> (Self, Vec<Result<PostStatus, LedgerError>>) {
        let mut ledger = Self::new();
        let outcomes = events
            .into_iter()
            .map(|e| ledger.post(program, e))
            .collect();
        (ledger, outcomes)
    }

    /// Number of accounts (points and stored value).
    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    /// True when nothing was posted.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    /// Ids of every account, in sorted order.
    pub fn account_ids(&self) -> impl Iterator<Item = &str> {
        let mut ids: Vec<&str> = self.accounts.keys().map(|k| &**k).collect();
        ids.sort_unstable();
        ids.into_iter()
    }

    /// An account id as the ledger keeps it: the same shared string as the
    /// account's key when the account exists, so posting allocates nothing.
    fn account_id(&self, id: &str, path: &str) -> Result<Arc<str>, LedgerError> {
        match self.accounts.get_key_value(id) {
            Some((key, _)) => Ok(Arc::clone(key)),
            None => non_empty(id, path),
        }
    }

    /// Posts one event. The same event (same id and content) posted again is
    /// a [`PostStatus::Duplicate`] and changes nothing; the same id with other
    /// content is refused. A refused event changes no balance. A refusal for
    /// want of points or money is remembered: the same event posted again is
    /// refused again, and other content under its id is a conflicting
    /// duplicate. Other refusals (a refund of an order not known yet) are not
    /// remembered, so the event can succeed later.
    pub fn post(
        &mut self,
        program: &Program,
        event: &LedgerEvent,
    ) -> Result<PostStatus, LedgerError> {
        let id = non_empty(event.id(), "id")?;
        let fp = fingerprint(event);
        let conflict = || LedgerError::ConflictingDuplicate {
            path: "id".to_owned(),
            id: id.to_string(),
        };
        if let Some(p) = self.posted.get(&id) {
            return if p.fingerprint == fp {
                Ok(PostStatus::Duplicate)
            } else {
                Err(conflict())
            };
        }
        if let Some((f, refusal)) = self.refused.get(&id) {
            return Err(if *f == fp {
                refusal.clone()
            } else {
                conflict()
            });
        }
        let policy = &program.ledger;
        let at = parse_at(event.at(), "at")?;
        let seq = self.seq.checked_add(1).ok_or_else(|| overflow("id"))?;
        let entry = |op| Entry {
            seq,
            at,
            source: Arc::clone(&id),
            op,
        };
        let result = match event {
            LedgerEvent::Earn(e) => self.earn(policy, e, at, entry),
            LedgerEvent::Redeem(e) => self.redeem(policy, e, at, entry),
            LedgerEvent::Adjust(e) => self.adjust(policy, e, at, entry),
            LedgerEvent::Refund(e) => self.refund(policy, e, at, entry),
            LedgerEvent::Reverse(e) => self.reverse(policy, e, at, entry),
            LedgerEvent::Transfer(e) => self.transfer(policy, e, at, entry),
            LedgerEvent::Merge(e) => self.merge(policy, e, at, entry),
            LedgerEvent::WalletDeposit(e) => self.wallet_deposit(e, at, seq, &id),
            LedgerEvent::WalletCharge(e) => self.wallet_charge(e, at, seq, &id),
            LedgerEvent::WalletRefund(e) => self.wallet_refund(e, at, seq, &id),
            LedgerEvent::WalletLimit(e) => self.wallet_limit(e, at, seq, &id),
        };
        let (account, what) = match result {
            Ok(done) => done,
            Err(e) => {
                // An account the refused event would have opened is not kept.
                for a in [event_account(event), event_other(event)]
                    .into_iter()
                    .flatten()
                {
                    self.forget_if_empty(&Arc::from(a));
                }
                // A refusal for want of points or money is a decision about
                // this event: posting it again gives the same answer, so a
                // retry cannot succeed later just because the balance grew.
                // (A refund of an order not known yet is not a decision: it
                // succeeds once the order's earning arrives.)
                if matches!(
                    e,
                    LedgerError::InsufficientPoints { .. } | LedgerError::InsufficientFunds { .. }
                ) {
                    self.refused.insert(id, (fp, e.clone()));
                }
                return Err(e);
            }
        };
        self.seq = seq;
        self.posted.insert(
            id,
            Posted {
                fingerprint: fp,
                account,
                seq,
                what,
                // The order's id as the orders map already holds it.
                order: match event {
                    LedgerEvent::Earn(e) => e.order.as_deref(),
                    LedgerEvent::Redeem(e) => e.order.as_deref(),
                    _ => None,
                }
                .and_then(|o| self.orders.get_key_value(o))
                .map(|(k, _)| Arc::clone(k)),
            },
        );
        Ok(PostStatus::Applied)
    }

    /// The points account `id`, refusing merged accounts and wallets.
    fn points_mut(&mut self, id: &Arc<str>, path: &str) -> Result<&mut Account, LedgerError> {
        let slot = self
            .accounts
            .entry(Arc::clone(id))
            .or_insert_with(|| Slot::Points(Box::default()));
        match slot {
            Slot::Points(a) => match &a.state.merged_into {
                Some(into) => Err(LedgerError::AccountMerged {
                    path: path.to_owned(),
                    account: id.to_string(),
                    into: into.to_string(),
                }),
                None => Ok(a),
            },
            Slot::Wallet(_) => Err(LedgerError::WrongAccountKind {
                path: path.to_owned(),
                account: id.to_string(),
                kind: "wallet",
            }),
        }
    }

    /// Drops an account that a refused first event created.
    fn forget_if_empty(&mut self, id: &Arc<str>) {
        let empty = match self.accounts.get(id) {
            Some(Slot::Points(a)) => a.log.is_empty(),
            Some(Slot::Wallet(w)) => w.log.is_empty(),
            None => false,
        };
        if empty {
            self.accounts.remove(id);
        }
    }

    fn post_points(
        &mut self,
        policy: &LedgerPolicy,
        account: &Arc<str>,
        path: &str,
        entry: Entry,
        allow_short: bool,
    ) -> Result<(), LedgerError> {
        let target = self.points_mut(account, path)?;
        let rewrites = (matches!(entry.op, Op::Correct(_))
            || target.last_at().is_some_and(|last| entry.at < last))
        .then(|| (entry.seq, entry.at, Arc::clone(&entry.source)));
        let result = target.post(policy, entry, allow_short);
        if let (Ok(()), Some(trigger)) = (&result, rewrites) {
            self.propagate_transfers(policy, account, &trigger)?;
        }
        result.map_err(|r| {
            self.forget_if_empty(account);
            match r {
                Refusal::Overflow => overflow("points"),
                Refusal::Insufficient(available) => LedgerError::InsufficientPoints {
                    path: "points".to_owned(),
                    available: available.to_string(),
                    requested: String::new(),
                },
            }
        })
    }

    /// After `from` was refolded, its transfers out may have taken other
    /// lots than when they were posted. Each receiving account gets a
    /// correction, at the time of the event that caused the refold, that
    /// gives its transfer the pieces (points and expiry) it would have got;
    /// and so on down the line. Transfers the sender can no longer cover keep
    /// what they gave.
    fn propagate_transfers(
        &mut self,
        policy: &LedgerPolicy,
        from: &Arc<str>,
        trigger: &(u64, i64, Arc<str>),
    ) -> Result<(), LedgerError> {
        let (seq, at, source) = trigger;
        let mut work = vec![Arc::clone(from)];
        let mut rounds = 0usize;
        while let Some(sender) = work.pop() {
            rounds = rounds.saturating_add(1);
            if rounds > 1000 {
                break;
            }
            let Some(Slot::Points(a)) = self.accounts.get(&sender) else {
                continue;
            };
            // Per receiving account: each transfer and what it takes now
            // (`None` when the sender can no longer cover it).
            type Sent = Vec<(u64, Option<Vec<Piece>>)>;
            let mut moves: BTreeMap<Arc<str>, Sent> = BTreeMap::new();
            for e in &a.log {
                if let Op::TransferOut { to, .. } = &e.op {
                    moves
                        .entry(Arc::clone(to))
                        .or_default()
                        .push((e.seq, a.state.sent.get(&e.seq).cloned()));
                }
            }
            for (to, sent) in moves {
                let Some(Slot::Points(b)) = self.accounts.get(&to) else {
                    continue;
                };
                // What the transfer should give: what the sender's corrected
                // history takes, or what it gave when posted if that history
                // cannot cover it any more.
                let repiece: Vec<(u64, Vec<Piece>)> = sent
                    .into_iter()
                    .filter_map(|(seq, pieces)| {
                        let posted = b.log.iter().find_map(|e| match &e.op {
                            Op::TransferIn { pieces, .. } if e.seq == seq => Some(pieces),
                            _ => None,
                        })?;
                        let held = b.fix.repiece.get(&seq).unwrap_or(posted);
                        let wanted = pieces.unwrap_or_else(|| posted.clone());
                        (*held != wanted).then_some((seq, wanted))
                    })
                    .collect();
                if repiece.is_empty() {
                    continue;
                }
                let entry = Entry {
                    seq: *seq,
                    at: *at,
                    source: Arc::clone(source),
                    op: Op::Correct(Box::new(Correction {
                        kind: CorrectKind::Refund,
                        order: None,
                        note: Some(Arc::from(format!("transfer from {sender} corrected"))),
                        claws: Vec::new(),
                        restores: Vec::new(),
                        restore_new: None,
                        repiece,
                    })),
                };
                if let Some(Slot::Points(b)) = self.accounts.get_mut(&to) {
                    b.post(policy, entry, true)
                        .map_err(|_| overflow("points"))?;
                }
                work.push(to);
            }
        }
        Ok(())
    }

    fn earn(
        &mut self,
        policy: &LedgerPolicy,
        e: &EarnEvent,
        at: i64,
        entry: impl FnOnce(Op) -> Entry,
    ) -> Result<(Arc<str>, Target), LedgerError> {
        let account = self.account_id(&e.account, "account")?;
        let points = positive(e.points, "points")?;
        let amount_ = e.amount.map(|a| amount(a, "amount")).transpose()?;
        if let (Some(a), Some(d)) = (amount_, e.amount)
            && a.is_negative()
        {
            return Err(LedgerError::NegativeAmount {
                path: "amount".to_owned(),
                value: d.to_string(),
            });
        }
        let mut lines = Vec::with_capacity(e.lines.len());
        let mut line_points = Amount::ZERO;
        for (i, l) in e.lines.iter().enumerate() {
            // Paths are only written when something is wrong.
            let at = |name: &str| format!("lines[{i}].{name}");
            if l.quantity <= Decimal::ZERO {
                return Err(LedgerError::NotPositive {
                    path: at("quantity"),
                    value: l.quantity.to_string(),
                });
            }
            let [a, p] = [(l.amount, "amount"), (l.points, "points")].map(|(d, name)| {
                match Amount::from_decimal(d) {
                    Some(a) if !a.is_negative() => Ok(a),
                    Some(_) => Err(LedgerError::NegativeAmount {
                        path: at(name),
                        value: d.to_string(),
                    }),
                    None => Err(LedgerError::InvalidAmount {
                        path: at(name),
                        value: d.to_string(),
                    }),
                }
            });
            let (a, p) = (a?, p?);
            line_points = line_points.add(p).map_err(|_| overflow("lines"))?;
            lines.push((l.quantity, a, p));
        }
        if !lines.is_empty() && line_points != points {
            return Err(LedgerError::LinesMismatch {
                path: "lines".to_owned(),
                points: points.to_string(),
                lines: line_points.to_string(),
            });
        }
        let order = e
            .order
            .as_deref()
            .map(|o| non_empty(o, "order"))
            .transpose()?;
        if let Some(o) = &order
            && let Some(earned) = self.orders.get(o).and_then(|r| r.earn.as_ref())
        {
            return Err(LedgerError::OrderAlreadyEarned {
                path: "order".to_owned(),
                order: o.to_string(),
                earned_by: earned.source.to_string(),
            });
        }
        let entry = entry(Op::Earn {
            points,
            available_at: at.saturating_add(policy.pending_ms),
            expires_at: policy.expires_at_memo(at, &mut self.memo),
            order: order.clone(),
        });
        let (seq, source) = (entry.seq, Arc::clone(&entry.source));
        self.post_points(policy, &account, "account", entry, false)?;
        if let Some(o) = order {
            let r = self.orders.entry(o).or_default();
            r.earn = Some(EarnRecord {
                account: Arc::clone(&account),
                source,
                seq,
                points,
                amount: amount_,
                lines,
            });
        }
        Ok((account, Target::Lot(points)))
    }

    fn redeem(
        &mut self,
        policy: &LedgerPolicy,
        e: &RedeemEvent,
        at: i64,
        entry: impl FnOnce(Op) -> Entry,
    ) -> Result<(Arc<str>, Target), LedgerError> {
        let account = self.account_id(&e.account, "account")?;
        let points = positive(e.points, "points")?;
        let amount_ = e.amount.map(|a| positive(a, "amount")).transpose()?;
        let order = e
            .order
            .as_deref()
            .map(|o| non_empty(o, "order"))
            .transpose()?;
        // The allocation it gets now, kept for policies that do not reallocate.
        let alloc = match self.accounts.get(&account) {
            Some(Slot::Points(a)) => {
                let state = a.state_at(policy, at).map_err(|_| overflow("points"))?;
                let (plan, _) = state.plan(at, points).map_err(|_| overflow("points"))?;
                plan.into_iter().map(|(lot, x)| (lot.key, x)).collect()
            }
            _ => Vec::new(),
        };
        let entry = entry(Op::Redeem {
            points,
            order: order.clone(),
            alloc,
        });
        let seq = entry.seq;
        self.post_points(policy, &account, "account", entry, false)
            .map_err(|e| with_requested(e, points))?;
        if let Some(o) = order {
            let r = self.orders.entry(o).or_default();
            r.redeems.push((Arc::clone(&account), seq, points));
            r.restored.push(Amount::ZERO);
            if r.redeem_amount.is_none() {
                r.redeem_amount = amount_;
            }
        }
        Ok((account, Target::Outflow(points)))
    }

    fn adjust(
        &mut self,
        policy: &LedgerPolicy,
        e: &AdjustEvent,
        at: i64,
        entry: impl FnOnce(Op) -> Entry,
    ) -> Result<(Arc<str>, Target), LedgerError> {
        let account = self.account_id(&e.account, "account")?;
        let points = amount(e.points, "points")?;
        if points.is_zero() {
            return Err(LedgerError::ZeroAdjustment {
                path: "points".to_owned(),
            });
        }
        if e.reason.trim().is_empty() {
            return Err(LedgerError::MissingReason {
                path: "reason".to_owned(),
            });
        }
        let entry = entry(Op::Adjust {
            points,
            expires_at: policy.expires_at_memo(at, &mut self.memo),
            reason: Arc::from(e.reason.as_str()),
        });
        let allow_short = policy.shortfall == Shortfall::Negative;
        let requested = points.neg().unwrap_or_default();
        self.post_points(policy, &account, "account", entry, allow_short)
            .map_err(|e| with_requested(e, requested))?;
        let what = if points.is_positive() {
            Target::Lot(points)
        } else {
            Target::Outflow(requested)
        };
        Ok((account, what))
    }

    /// Where an account's events go now: itself, or what it was merged into.
    fn survivor(&self, account: &Arc<str>) -> Arc<str> {
        let mut current = Arc::clone(account);
        for _ in 0..64 {
            match self.accounts.get(&current) {
                Some(Slot::Points(a)) => match &a.state.merged_into {
                    Some(into) => current = Arc::clone(into),
                    None => break,
                },
                _ => break,
            }
        }
        current
    }

    fn refund(
        &mut self,
        policy: &LedgerPolicy,
        e: &RefundEvent,
        at: i64,
        entry: impl Fn(Op) -> Entry,
    ) -> Result<(Arc<str>, Target), LedgerError> {
        let order = non_empty(&e.order, "order")?;
        let Some(record) = self.orders.get(&order) else {
            return Err(LedgerError::UnknownOrder {
                path: "order".to_owned(),
                order: order.to_string(),
            });
        };
        if record.earn.is_none() && record.redeems.is_empty() {
            return Err(LedgerError::UnknownOrder {
                path: "order".to_owned(),
                order: order.to_string(),
            });
        }
        if record.full {
            return Err(LedgerError::NothingToRefund {
                path: "order".to_owned(),
            });
        }
        let mut r = record.clone();
        let shares = refund_shares(&mut r, e, policy)?;
        r.full = shares.full;
        let mut per_account: BTreeMap<Arc<str>, Fixes> = BTreeMap::new();
        // The refund is on the statement of the order's account even when
        // its share rounds to no points yet.
        let main = r
            .earn
            .as_ref()
            .map(|x| Arc::clone(&x.account))
            .or_else(|| r.redeems.first().map(|x| Arc::clone(&x.0)))
            .unwrap_or_default();
        per_account.insert(self.survivor(&main), Fixes::default());
        if let Some(earn) = &r.earn {
            let cum = shares.claw;
            if cum != r.clawed {
                r.clawed = cum;
                let target = self.survivor(&earn.account);
                per_account.entry(target).or_default().0.push((
                    LotKey {
                        seq: earn.seq,
                        piece: 0,
                    },
                    cum,
                ));
            }
        }
        for (i, (account, seq, points)) in r.redeems.iter().enumerate() {
            // The refunded share of the money, multiplied before dividing.
            let restored = match shares.basis.filter(|b| *b > Decimal::ZERO) {
                Some(b) => points
                    .to_decimal()
                    .checked_mul(shares.money)
                    .and_then(|x| x.checked_div(b))
                    .ok_or_else(|| overflow("order"))?,
                None => Decimal::ZERO,
            };
            let cum = policy.round_points(restored).min(*points);
            let cum = if shares.full { *points } else { cum };
            let before = r.restored.get(i).copied().unwrap_or_default();
            if cum != before {
                if let Some(slot) = r.restored.get_mut(i) {
                    *slot = cum;
                }
                let target = self.survivor(account);
                let slot = per_account.entry(Arc::clone(&target)).or_default();
                if policy.restore == RestoreExpiry::New || target != *account {
                    let delta = cum.sub(before).map_err(|_| overflow("order"))?;
                    slot.2 = slot.2.add(delta).map_err(|_| overflow("order"))?;
                } else {
                    slot.1.push((*seq, cum));
                }
            }
        }
        self.correct(
            policy,
            per_account,
            at,
            CorrectKind::Refund,
            Some(&order),
            None,
            &entry,
        )?;
        self.orders.insert(order, r);
        Ok((main, Target::Other))
    }

    /// Posts correction entries to each account they touch.
    #[expect(
        clippy::too_many_arguments,
        reason = "what the correction is, where it goes, and how to make its entries"
    )]
    fn correct(
        &mut self,
        policy: &LedgerPolicy,
        per_account: BTreeMap<Arc<str>, Fixes>,
        at: i64,
        kind: CorrectKind,
        order: Option<&Arc<str>>,
        note: Option<&str>,
        entry: &impl Fn(Op) -> Entry,
    ) -> Result<(), LedgerError> {
        for (account, (claws, restores, new_points)) in per_account {
            let restore_new = new_points
                .is_positive()
                .then(|| (new_points, policy.expires_at(at)));
            let e = entry(Op::Correct(Box::new(Correction {
                kind,
                order: order.cloned(),
                note: note.map(Arc::from),
                claws,
                restores,
                restore_new,
                repiece: Vec::new(),
            })));
            // Corrections never fail for want of points: what cannot be
            // covered is owed, as the policy says.
            self.post_points(policy, &account, "order", e, true)?;
        }
        Ok(())
    }

    fn reverse(
        &mut self,
        policy: &LedgerPolicy,
        e: &ReverseEvent,
        at: i64,
        entry: impl Fn(Op) -> Entry,
    ) -> Result<(Arc<str>, Target), LedgerError> {
        let target = non_empty(&e.target, "target")?;
        let Some(p) = self.posted.get(&target).cloned() else {
            return Err(LedgerError::UnknownTarget {
                path: "target".to_owned(),
                target: target.to_string(),
            });
        };
        let survivor = self.survivor(&p.account);
        let mut per_account = BTreeMap::new();
        // Earnings tied to an order are reversed through the order's record,
        // so a later refund of the same order finds nothing left.
        let order_of = match p.what {
            Target::Lot(_) => p.order.clone(),
            _ => None,
        };
        match p.what {
            Target::Lot(points) => {
                if let Some(o) = &order_of {
                    if let Some(r) = self.orders.get(o)
                        && r.clawed >= points
                    {
                        return Err(LedgerError::NothingToRefund {
                            path: "target".to_owned(),
                        });
                    }
                } else if self.already_reversed(&p) {
                    return Err(LedgerError::NothingToRefund {
                        path: "target".to_owned(),
                    });
                }
                let entry_: Fixes = (
                    vec![(
                        LotKey {
                            seq: p.seq,
                            piece: 0,
                        },
                        points,
                    )],
                    Vec::new(),
                    Amount::ZERO,
                );
                per_account.insert(Arc::clone(&survivor), entry_);
                if let Some(r) = order_of.as_ref().and_then(|o| self.orders.get_mut(o)) {
                    r.clawed = points;
                }
            }
            Target::Outflow(points) => {
                if self.already_reversed(&p) {
                    return Err(LedgerError::NothingToRefund {
                        path: "target".to_owned(),
                    });
                }
                let slot = if policy.restore == RestoreExpiry::New || survivor != p.account {
                    (Vec::new(), Vec::new(), points)
                } else {
                    (Vec::new(), vec![(p.seq, points)], Amount::ZERO)
                };
                per_account.insert(Arc::clone(&survivor), slot);
                if let Some(r) = p.order.as_ref().and_then(|o| self.orders.get_mut(o)) {
                    for (i, (_, seq, pts)) in r.redeems.iter().enumerate() {
                        if *seq == p.seq
                            && let Some(x) = r.restored.get_mut(i)
                        {
                            *x = *pts;
                        }
                    }
                }
            }
            Target::Other => {
                return Err(LedgerError::NotReversible {
                    path: "target".to_owned(),
                    target: target.to_string(),
                });
            }
        }
        self.correct(
            policy,
            per_account,
            at,
            CorrectKind::Reverse,
            None,
            e.reason.as_deref(),
            &entry,
        )?;
        self.reversed.insert(p.seq);
        Ok((survivor, Target::Other))
    }

    /// Whether a reversal or refund already undid the lot or outflow of `p` in full.
    fn already_reversed(&self, p: &Posted) -> bool {
        if self.reversed.contains(&p.seq) {
            return true;
        }
        let Some(Slot::Points(a)) = self.accounts.get(&self.survivor(&p.account)) else {
            return false;
        };
        match p.what {
            Target::Lot(points) => a
                .fix
                .claws
                .get(&LotKey {
                    seq: p.seq,
                    piece: 0,
                })
                .is_some_and(|c| *c >= points),
            Target::Outflow(points) => {
                a.fix.restores.get(&p.seq).is_some_and(|c| *c >= points)
                    || p.order
                        .as_ref()
                        .and_then(|o| self.orders.get(o))
                        .is_some_and(|r| {
                            r.redeems
                                .iter()
                                .zip(&r.restored)
                                .any(|((_, seq, pts), done)| *seq == p.seq && done >= pts)
                        })
            }
            Target::Other => true,
        }
    }

    fn transfer(
        &mut self,
        policy: &LedgerPolicy,
        e: &TransferEvent,
        at: i64,
        entry: impl Fn(Op) -> Entry,
    ) -> Result<(Arc<str>, Target), LedgerError> {
        let from = self.account_id(&e.account, "account")?;
        let to = self.account_id(&e.to, "to")?;
        if from == to {
            return Err(LedgerError::SameAccount {
                path: "to".to_owned(),
            });
        }
        let points = positive(e.points, "points")?;
        // Both accounts must be points accounts that were not merged away.
        self.points_mut(&to, "to")?;
        let pieces = {
            let account = self.points_mut(&from, "account")?;
            let state = account
                .state_at(policy, at)
                .map_err(|_| overflow("points"))?;
            let (plan, short) = state.plan(at, points).map_err(|_| overflow("points"))?;
            if short.is_positive() {
                let available = state.available_at(policy, at);
                self.forget_if_empty(&from);
                self.forget_if_empty(&to);
                return Err(LedgerError::InsufficientPoints {
                    path: "points".to_owned(),
                    available: available.to_string(),
                    requested: points.to_string(),
                });
            }
            plan.into_iter()
                .map(|(lot, x)| {
                    (
                        lot.key,
                        Piece {
                            origin: lot.origin,
                            points: x,
                            available_at: lot.available_at,
                            expires_at: lot.expires_at,
                        },
                    )
                })
                .collect::<Vec<_>>()
        };
        let alloc = pieces.iter().map(|(k, p)| (*k, p.points)).collect();
        let out = entry(Op::TransferOut {
            points,
            to: Arc::clone(&to),
            alloc,
        });
        self.post_points(policy, &from, "account", out, false)
            .map_err(|e| with_requested(e, points))?;
        let incoming = entry(Op::TransferIn {
            from: Arc::clone(&from),
            pieces: pieces.into_iter().map(|(_, p)| p).collect(),
        });
        self.post_points(policy, &to, "to", incoming, true)?;
        Ok((from, Target::Other))
    }

    fn merge(
        &mut self,
        policy: &LedgerPolicy,
        e: &MergeEvent,
        at: i64,
        entry: impl Fn(Op) -> Entry,
    ) -> Result<(Arc<str>, Target), LedgerError> {
        let survivor = self.account_id(&e.account, "account")?;
        let from = self.account_id(&e.from, "from")?;
        if survivor == from {
            return Err(LedgerError::SameAccount {
                path: "from".to_owned(),
            });
        }
        if !matches!(self.accounts.get(&from), Some(Slot::Points(_))) {
            return match self.accounts.get(&from) {
                Some(Slot::Wallet(_)) => Err(LedgerError::WrongAccountKind {
                    path: "from".to_owned(),
                    account: from.to_string(),
                    kind: "wallet",
                }),
                _ => Err(LedgerError::UnknownAccount {
                    path: "from".to_owned(),
                    account: from.to_string(),
                }),
            };
        }
        self.points_mut(&survivor, "account")?;
        let (pieces, owed) = {
            let account = self.points_mut(&from, "from")?;
            if account.last_at().is_some_and(|last| last > at) {
                return Err(LedgerError::OutOfOrder {
                    path: "at".to_owned(),
                });
            }
            let mut state = account.state.clone();
            state.settle(policy, at, None, i64::MIN);
            let pieces: Vec<Piece> = state
                .open_lots()
                .map(|lot| Piece {
                    origin: lot.origin,
                    points: lot.remaining,
                    available_at: lot.available_at,
                    expires_at: lot.expires_at,
                })
                .collect();
            (pieces, state.owed)
        };
        let out = entry(Op::MergeOut {
            into: Arc::clone(&survivor),
        });
        self.post_points(policy, &from, "from", out, true)?;
        let incoming = entry(Op::MergeIn {
            from: Arc::clone(&from),
            pieces,
            owed,
        });
        self.post_points(policy, &survivor, "account", incoming, true)?;
        Ok((survivor, Target::Other))
    }

    fn wallet_mut(&mut self, id: &Arc<str>, path: &str) -> Result<&mut Wallet, LedgerError> {
        let slot = self
            .accounts
            .entry(Arc::clone(id))
            .or_insert_with(|| Slot::Wallet(Wallet::default()));
        match slot {
            Slot::Wallet(w) => Ok(w),
            Slot::Points(_) => Err(LedgerError::WrongAccountKind {
                path: path.to_owned(),
                account: id.to_string(),
                kind: "points",
            }),
        }
    }

    fn wallet_post(
        &mut self,
        account: &Arc<str>,
        entry: WalletEntry,
    ) -> Result<(Arc<str>, Target), LedgerError> {
        let result = self.wallet_mut(account, "account")?.post(entry);
        if result.is_err() {
            self.forget_if_empty(account);
        }
        result?;
        Ok((Arc::clone(account), Target::Other))
    }

    fn wallet_deposit(
        &mut self,
        e: &WalletDepositEvent,
        at: i64,
        seq: u64,
        id: &Arc<str>,
    ) -> Result<(Arc<str>, Target), LedgerError> {
        let account = self.account_id(&e.account, "account")?;
        let amount = positive(e.amount, "amount")?;
        let entry = WalletEntry {
            seq,
            at,
            source: Arc::clone(id),
            op: WalletOp::Deposit {
                amount,
                reason: e.reason.as_deref().map(Arc::from),
            },
        };
        self.wallet_post(&account, entry)
    }

    fn wallet_charge(
        &mut self,
        e: &WalletChargeEvent,
        at: i64,
        seq: u64,
        id: &Arc<str>,
    ) -> Result<(Arc<str>, Target), LedgerError> {
        let account = self.account_id(&e.account, "account")?;
        let amount = positive(e.amount, "amount")?;
        let order = e
            .order
            .as_deref()
            .map(|o| non_empty(o, "order"))
            .transpose()?;
        if let Some(o) = &order
            && let Some((other, _, _)) = self.orders.get(o).and_then(|r| r.wallet.as_ref())
            && *other != account
        {
            return Err(LedgerError::SameAccount {
                path: "order".to_owned(),
            });
        }
        let entry = WalletEntry {
            seq,
            at,
            source: Arc::clone(id),
            op: WalletOp::Charge {
                amount,
                order: order.clone(),
            },
        };
        let out = self.wallet_post(&account, entry)?;
        if let Some(o) = order {
            let r = self.orders.entry(o).or_default();
            let (_, charged, _) = r
                .wallet
                .get_or_insert_with(|| (Arc::clone(&account), Amount::ZERO, Amount::ZERO));
            *charged = charged.sat_add(amount);
        }
        Ok(out)
    }

    fn wallet_refund(
        &mut self,
        e: &WalletRefundEvent,
        at: i64,
        seq: u64,
        id: &Arc<str>,
    ) -> Result<(Arc<str>, Target), LedgerError> {
        let order = non_empty(&e.order, "order")?;
        let Some((account, charged, refunded)) =
            self.orders.get(&order).and_then(|r| r.wallet.clone())
        else {
            return Err(LedgerError::UnknownOrder {
                path: "order".to_owned(),
                order: order.to_string(),
            });
        };
        let left = charged.sub(refunded).map_err(|_| overflow("amount"))?;
        if !left.is_positive() {
            return Err(LedgerError::NothingToRefund {
                path: "order".to_owned(),
            });
        }
        let amount = match e.amount {
            Some(d) => positive(d, "amount")?,
            None => left,
        };
        if amount > left {
            return Err(LedgerError::OverRefund {
                path: "amount".to_owned(),
                left: left.to_string(),
                requested: amount.to_string(),
            });
        }
        let entry = WalletEntry {
            seq,
            at,
            source: Arc::clone(id),
            op: WalletOp::Refund {
                amount,
                order: Arc::clone(&order),
            },
        };
        let out = self.wallet_post(&account, entry)?;
        if let Some((_, _, refunded)) = self.orders.get_mut(&order).and_then(|r| r.wallet.as_mut())
        {
            *refunded = refunded.sat_add(amount);
        }
        Ok(out)
    }

    fn wallet_limit(
        &mut self,
        e: &WalletLimitEvent,
        at: i64,
        seq: u64,
        id: &Arc<str>,
    ) -> Result<(Arc<str>, Target), LedgerError> {
        let account = self.account_id(&e.account, "account")?;
        let limit = amount(e.credit_limit, "credit_limit")?;
        if limit.is_negative() {
            return Err(LedgerError::NegativeAmount {
                path: "credit_limit".to_owned(),
                value: e.credit_limit.to_string(),
            });
        }
        let entry = WalletEntry {
            seq,
            at,
            source: Arc::clone(id),
            op: WalletOp::Limit { limit },
        };
        self.wallet_post(&account, entry)
    }

    pub(crate) fn slot(&self, account: &str) -> Option<&Slot> {
        self.accounts.get(account)
    }

    /// Wallets with a credit limit at `at` (ms), their limits together, and
    /// the credit in use (negative balances, as a positive amount).
    pub(crate) fn credit_as_of(
        &self,
        at: i64,
    ) -> (u64, rust_decimal::Decimal, rust_decimal::Decimal) {
        let (mut wallets, mut limits, mut owed) = (0u64, Amount::ZERO, Amount::ZERO);
        for slot in self.accounts.values() {
            let Slot::Wallet(w) = slot else { continue };
            let (mut balance, mut limit) = (Amount::ZERO, Amount::ZERO);
            for e in w.log.iter().take_while(|e| e.at <= at) {
                balance = balance.sat_add(e.op.change());
                if let super::wallet::WalletOp::Limit { limit: l } = e.op {
                    limit = l;
                }
            }
            if limit > Amount::ZERO {
                wallets = wallets.saturating_add(1);
                limits = limits.sat_add(limit);
            }
            if balance < Amount::ZERO {
                owed = owed.sat_add(balance.neg().unwrap_or_default());
            }
        }
        (wallets, limits.to_decimal(), owed.to_decimal())
    }
}

fn with_requested(e: LedgerError, requested: Amount) -> LedgerError {
    match e {
        LedgerError::InsufficientPoints {
            path, available, ..
        } => LedgerError::InsufficientPoints {
            path,
            available,
            requested: requested.to_string(),
        },
        other => other,
    }
}

/// The cumulative claw on the earning and the refunded money, after this refund.
struct Shares {
    claw: Amount,
    /// Money refunded so far, and the order's money it is a share of.
    money: Decimal,
    basis: Option<Decimal>,
    full: bool,
}

/// What the refunds of an order have taken back so far.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Refunded {
    /// Points to take back, before rounding.
    pub(crate) points: Decimal,
    /// Money refunded so far.
    pub(crate) money: Decimal,
    /// Everything is refunded.
    pub(crate) full: bool,
}

/// The shares refunds have taken of an order that earned `points` on
/// `basis` money: each line's share is its refunded quantity plus the amount
/// refunded as a share of the whole order (spread over every line), at most
/// all of it. Lines are (quantity, amount, points, refunded quantity).
/// Products are taken before quotients, so a third of 30 points is 10, not
/// 9.999... (which would round down to 9).
pub(crate) fn refunded_parts(
    points: Decimal,
    lines: &[(Decimal, Decimal, Decimal, Decimal)],
    refunded_amount: Decimal,
    basis: Option<Decimal>,
    whole: bool,
) -> Option<Refunded> {
    let basis = basis.filter(|b| *b > Decimal::ZERO);
    let of_amount = |x: Decimal| -> Option<Decimal> {
        match basis {
            Some(b) => x.checked_mul(refunded_amount)?.checked_div(b),
            None => Some(Decimal::ZERO),
        }
    };
    let line_money = || {
        lines
            .iter()
            .try_fold(Decimal::ZERO, |s, l| s.checked_add(l.1))
    };
    if whole {
        return Some(Refunded {
            points,
            money: match basis {
                Some(b) => b,
                None => line_money()?,
            },
            full: true,
        });
    }
    if lines.is_empty() {
        let full = basis.is_some_and(|b| refunded_amount >= b);
        return Some(Refunded {
            points: if full {
                points
            } else {
                of_amount(points)?.min(points)
            },
            money: refunded_amount,
            full,
        });
    }
    let mut exact = Decimal::ZERO;
    let mut money = Decimal::ZERO;
    let mut full = true;
    for (qty, amt, pts, q) in lines {
        let part = |x: Decimal| -> Option<Decimal> {
            x.checked_mul(*q)?
                .checked_div(*qty)?
                .checked_add(of_amount(x)?)
                .map(|v| v.min(x))
        };
        // q / qty + refunded / basis >= 1, without dividing.
        full &= match basis {
            Some(b) => {
                q.checked_mul(b)?
                    .checked_add(refunded_amount.checked_mul(*qty)?)?
                    >= qty.checked_mul(b)?
            }
            None => q >= qty,
        };
        exact = exact.checked_add(part(*pts)?)?;
        money = money.checked_add(part(*amt)?)?;
    }
    Some(Refunded {
        points: if full { points } else { exact },
        money,
        full,
    })
}

/// Adds the refund to the order's record and works out the new shares.
fn refund_shares(
    r: &mut OrderRecord,
    e: &RefundEvent,
    policy: &LedgerPolicy,
) -> Result<Shares, LedgerError> {
    let lines: Vec<(Decimal, Amount, Amount)> =
        r.earn.as_ref().map(|x| x.lines.clone()).unwrap_or_default();
    let basis = r
        .earn
        .as_ref()
        .and_then(|x| {
            x.amount.or_else(|| {
                (!x.lines.is_empty())
                    .then(|| x.lines.iter().fold(Amount::ZERO, |s, l| s.sat_add(l.1)))
            })
        })
        .or(r.redeem_amount);
    // Refunded quantities are only kept once an order is refunded.
    r.refunded_qty.resize(lines.len(), Decimal::ZERO);
    let whole = e.lines.is_empty() && e.amount.is_none();
    if whole {
        for (i, q) in r.refunded_qty.iter_mut().enumerate() {
            *q = lines.get(i).map_or(*q, |l| l.0);
        }
        if let Some(b) = basis {
            r.refunded_amount = b;
        }
    }
    for (i, l) in e.lines.iter().enumerate() {
        let path = format!("lines[{i}]");
        if lines.is_empty() {
            return Err(LedgerError::RefundBasisMissing {
                path: "lines".to_owned(),
                by: "lines",
            });
        }
        let Some((qty, _, _)) = lines.get(l.line) else {
            return Err(LedgerError::UnknownLine {
                path: join(&path, "line"),
                line: l.line,
            });
        };
        if l.quantity <= Decimal::ZERO {
            return Err(LedgerError::NotPositive {
                path: join(&path, "quantity"),
                value: l.quantity.to_string(),
            });
        }
        let Some(done) = r.refunded_qty.get_mut(l.line) else {
            continue;
        };
        let new = done
            .checked_add(l.quantity)
            .ok_or_else(|| overflow(&join(&path, "quantity")))?;
        if new > *qty {
            return Err(LedgerError::OverRefund {
                path: join(&path, "quantity"),
                left: qty.checked_sub(*done).unwrap_or_default().to_string(),
                requested: l.quantity.to_string(),
            });
        }
        *done = new;
    }
    if let Some(a) = e.amount {
        let a = positive(a, "amount")?;
        let Some(b) = basis else {
            return Err(LedgerError::RefundBasisMissing {
                path: "amount".to_owned(),
                by: "amount",
            });
        };
        let new = r.refunded_amount.add(a).map_err(|_| overflow("amount"))?;
        if new > b {
            return Err(LedgerError::OverRefund {
                path: "amount".to_owned(),
                left: b.sat_sub(r.refunded_amount).to_string(),
                requested: a.to_string(),
            });
        }
        r.refunded_amount = new;
    }
    let points = r.earn.as_ref().map_or(Amount::ZERO, |x| x.points);
    let parts: Vec<(Decimal, Decimal, Decimal, Decimal)> = lines
        .iter()
        .zip(&r.refunded_qty)
        .map(|((qty, amt, pts), q)| (*qty, amt.to_decimal(), pts.to_decimal(), *q))
        .collect();
    let basis = basis.map(Amount::to_decimal);
    let Refunded {
        points: exact,
        money,
        full,
    } = refunded_parts(
        points.to_decimal(),
        &parts,
        r.refunded_amount.to_decimal(),
        basis,
        whole,
    )
    .ok_or_else(|| overflow("order"))?;
    let claw = if full {
        points
    } else {
        policy.round_points(exact).min(points).max(r.clawed)
    };
    Ok(Shares {
        claw,
        money,
        basis,
        full,
    })
}
