//! The tier book: every account's tier events, kept in time order, and the
//! answers folded from them.

use std::collections::BTreeMap;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::TierError;
use super::event::{OverrideMode, TierEvent, TierOrder};
use super::fold::Run;
use super::policy::TierPolicy;
use super::view::{
    Benefits, Metrics, Needs, OrderTier, OverrideView, PendingDowngrade, Progress, TierHistory,
    TierStatus, Transition, WindowView,
};
use crate::error::join;
use crate::ledger::{LedgerError, LedgerEvent, Map, Set};
use crate::ledger::{parse_at, validate_amount};
use crate::program::Program;
use crate::program::format::Combine;

/// What posting an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TierPostStatus {
    /// The event was new and is now part of the book.
    Applied,
    /// The same event had been posted before; nothing changed.
    Duplicate,
    /// A ledger event that does not count towards tiers; nothing changed.
    Ignored,
}

/// A validated event, as the fold reads it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Act {
    Order {
        order: Arc<str>,
        spend: Decimal,
        points: Decimal,
        /// Quantity, amount and points of each line.
        lines: Arc<[(Decimal, Decimal, Decimal)]>,
    },
    Visit,
    Points(Decimal),
    Redeem(Decimal),
    Refund {
        order: Arc<str>,
        lines: Vec<(usize, Decimal)>,
        amount: Option<Decimal>,
    },
    Reverse {
        target: Arc<str>,
    },
    Join,
    Override {
        tier: Option<usize>,
        until: Option<i64>,
        mode: OverrideMode,
        reason: Option<String>,
    },
    Merge {
        from: Arc<str>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stored {
    pub(crate) at: i64,
    /// The first instant of the local day of `at` (visits count days),
    /// worked out once at posting rather than in every fold.
    pub(crate) day: i64,
    pub(crate) id: Arc<str>,
    pub(crate) act: Act,
}

#[derive(Debug, Clone, PartialEq, Default)]
struct Account {
    /// Sorted by instant, then id.
    events: Vec<Stored>,
    merged_into: Option<(Arc<str>, i64)>,
}

/// What refunds of an order have taken so far, whatever their dates.
#[derive(Debug, Clone, PartialEq)]
struct OrderTally {
    account: Arc<str>,
    event: Arc<str>,
    at: i64,
    spend: Decimal,
    qty: Vec<Decimal>,
    refunded_qty: Vec<Decimal>,
    refunded_amount: Decimal,
    whole: bool,
}

/// An event a reversal can undo.
#[derive(Debug, Clone, PartialEq)]
struct Target {
    account: Arc<str>,
    at: i64,
    order: Option<Arc<str>>,
    reversed: bool,
}

/// The tier events of one program's members: plain data built only from
/// the events posted, so the host can persist the events and rebuild it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TierBook {
    accounts: BTreeMap<Arc<str>, Account>,
    posted: Map<Arc<str>, u64>,
    orders: Map<Arc<str>, OrderTally>,
    targets: Map<Arc<str>, Target>,
    /// Ids of events that cannot be reversed (refunds, joins, overrides, merges).
    others: Set<Arc<str>>,
}

fn fingerprint(event: &TierEvent) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x7469_6572_7321).hash_one(event)
}

fn non_empty(text: &str, path: &str) -> Result<Arc<str>, TierError> {
    if text.is_empty() {
        Err(LedgerError::EmptyId {
            path: path.to_owned(),
        }
        .into())
    } else {
        Ok(Arc::from(text))
    }
}

fn non_negative(d: Decimal, path: &str) -> Result<Decimal, TierError> {
    validate_amount(d, path)?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err(LedgerError::NegativeAmount {
            path: path.to_owned(),
            value: d.to_string(),
        }
        .into());
    }
    Ok(d)
}

fn positive(d: Decimal, path: &str) -> Result<Decimal, TierError> {
    validate_amount(d, path)?;
    if d <= Decimal::ZERO {
        return Err(LedgerError::NotPositive {
            path: path.to_owned(),
            value: d.to_string(),
        }
        .into());
    }
    Ok(d)
}

/// Spend still needed, written as money like every other spend.
fn money_needs(program: &Program, needs: Needs) -> Needs {
    Needs {
        spend: needs.spend.map(|d| program.currency().present(d)),
        ..needs
    }
}

impl TierBook {
    /// An empty book.
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuilds a book from events in the order they were posted; refused
    /// events are skipped, and the result lists each event's outcome.
    pub fn replay<'a>(
        program: &Program,
        events: impl IntoIterator<Item = &'a TierEvent>,
    ) -> (Self, Vec<Result<TierPostStatus, TierError>>) {
        let mut book = Self::new();
        let outcomes = events.into_iter().map(|e| book.post(program, e)).collect();
        (book, outcomes)
    }

    /// Number of accounts.
    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    /// True when nothing was posted.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    /// Account ids, in order.
    pub fn account_ids(&self) -> impl Iterator<Item = &str> {
        self.accounts.keys().map(|k| &**k)
    }

    /// The program's tier policy, or why there is none.
    pub(crate) fn check_program<'p>(
        &self,
        program: &'p Program,
    ) -> Result<&'p TierPolicy, TierError> {
        program.tiers.as_ref().ok_or(TierError::TiersNotConfigured)
    }

    pub(crate) fn events(&self, account: &str) -> &[Stored] {
        self.accounts
            .get(account)
            .map_or(&[][..], |a| a.events.as_slice())
    }

    /// Posts a ledger event: what it means for tiers, or
    /// [`TierPostStatus::Ignored`] when it does not count.
    pub fn post_ledger(
        &mut self,
        program: &Program,
        event: &LedgerEvent,
    ) -> Result<TierPostStatus, TierError> {
        match TierEvent::from_ledger(event) {
            Some(e) => self.post(program, &e),
            None => {
                self.check_program(program)?;
                non_empty(event.id(), "id")?;
                parse_at(event.at(), "at")?;
                Ok(TierPostStatus::Ignored)
            }
        }
    }

    /// Posts one event. The same event again is a duplicate and changes
    /// nothing; the same id with other content is refused.
    pub fn post(
        &mut self,
        program: &Program,
        event: &TierEvent,
    ) -> Result<TierPostStatus, TierError> {
        let policy = self.check_program(program)?;
        let id = non_empty(event.id(), "id")?;
        let fp = fingerprint(event);
        if let Some(prev) = self.posted.get(&id) {
            return if *prev == fp {
                Ok(TierPostStatus::Duplicate)
            } else {
                Err(LedgerError::ConflictingDuplicate {
                    path: "id".to_owned(),
                    id: id.to_string(),
                }
                .into())
            };
        }
        let (account, stored) = self.prepare(program, policy, event, &id, false)?;
        self.commit(account, stored);
        self.posted.insert(id, fp);
        Ok(TierPostStatus::Applied)
    }

    /// The account an event that names one goes to, checked to be open.
    fn open_account(&self, account: &str, path: &str) -> Result<Arc<str>, TierError> {
        let a = non_empty(account, path)?;
        if let Some((into, _)) = self.accounts.get(&a).and_then(|x| x.merged_into.as_ref()) {
            return Err(LedgerError::AccountMerged {
                path: path.to_owned(),
                account: a.to_string(),
                into: into.to_string(),
            }
            .into());
        }
        Ok(a)
    }

    /// The account whose history holds `at` for events of `account`: the
    /// account it was merged into when the merge came first.
    fn home(&self, account: &Arc<str>, at: i64) -> Arc<str> {
        let mut a = account.clone();
        while let Some((into, when)) = self.accounts.get(&a).and_then(|x| x.merged_into.as_ref()) {
            if *when > at {
                break;
            }
            a = into.clone();
        }
        a
    }

    /// Checks an event and turns it into what the fold reads, without
    /// changing the book. A probe (an order asked about, not posted) skips
    /// the checks on its ids.
    fn prepare(
        &self,
        program: &Program,
        policy: &TierPolicy,
        event: &TierEvent,
        id: &Arc<str>,
        probe: bool,
    ) -> Result<(Arc<str>, Stored), TierError> {
        let at = parse_at(event.at(), "at")?;
        let (account, act) = match event {
            TierEvent::Order(o) => (
                self.open_account(&o.account, "account")?,
                self.order(o, probe)?,
            ),
            TierEvent::Visit(v) => (self.open_account(&v.account, "account")?, Act::Visit),
            TierEvent::Join(j) => (self.open_account(&j.account, "account")?, Act::Join),
            TierEvent::Points(p) => (
                self.open_account(&p.account, "account")?,
                Act::Points(positive(p.points, "points")?),
            ),
            TierEvent::Redeem(r) => (
                self.open_account(&r.account, "account")?,
                Act::Redeem(positive(r.points, "points")?),
            ),
            TierEvent::Refund(r) => {
                let order = non_empty(&r.order, "order")?;
                let Some(tally) = self.orders.get(&order) else {
                    return Err(LedgerError::UnknownOrder {
                        path: "order".to_owned(),
                        order: order.to_string(),
                    }
                    .into());
                };
                if at < tally.at {
                    return Err(LedgerError::OutOfOrder {
                        path: "at".to_owned(),
                    }
                    .into());
                }
                let lines: Vec<(usize, Decimal)> =
                    r.lines.iter().map(|l| (l.line, l.quantity)).collect();
                Self::refund_tally(tally, &lines, r.amount)?;
                (
                    self.home(&tally.account, at),
                    Act::Refund {
                        order,
                        lines,
                        amount: r.amount,
                    },
                )
            }
            TierEvent::Reverse(r) => {
                let target = non_empty(&r.target, "target")?;
                let Some(t) = self.targets.get(&target) else {
                    return Err(if self.others.contains(&target) {
                        LedgerError::NotReversible {
                            path: "target".to_owned(),
                            target: target.to_string(),
                        }
                    } else {
                        LedgerError::UnknownTarget {
                            path: "target".to_owned(),
                            target: target.to_string(),
                        }
                    }
                    .into());
                };
                if t.reversed {
                    return Err(TierError::AlreadyReversed {
                        path: "target".to_owned(),
                        target: target.to_string(),
                    });
                }
                if at < t.at {
                    return Err(LedgerError::OutOfOrder {
                        path: "at".to_owned(),
                    }
                    .into());
                }
                (self.home(&t.account, at), Act::Reverse { target })
            }
            TierEvent::Override(o) => {
                let account = self.open_account(&o.account, "account")?;
                let tier = match &o.tier {
                    Some(t) => Some(policy.index_of(t).ok_or_else(|| TierError::UnknownTier {
                        path: "tier".to_owned(),
                        tier: t.clone(),
                    })?),
                    None => None,
                };
                let until = o
                    .until
                    .as_deref()
                    .map(|u| parse_at(u, "until"))
                    .transpose()?;
                if until.is_some_and(|u| u <= at) {
                    return Err(TierError::OverrideEndsEarly {
                        path: "until".to_owned(),
                    });
                }
                (
                    account,
                    Act::Override {
                        tier,
                        until,
                        mode: o.mode,
                        reason: o.reason.clone(),
                    },
                )
            }
            TierEvent::Merge(m) => {
                let account = self.open_account(&m.account, "account")?;
                let from = self.open_account(&m.from, "from")?;
                if from == account {
                    return Err(LedgerError::SameAccount {
                        path: "from".to_owned(),
                    }
                    .into());
                }
                let Some(source) = self.accounts.get(&from) else {
                    return Err(LedgerError::UnknownAccount {
                        path: "from".to_owned(),
                        account: from.to_string(),
                    }
                    .into());
                };
                if source.events.last().is_some_and(|e| e.at > at) {
                    return Err(LedgerError::OutOfOrder {
                        path: "at".to_owned(),
                    }
                    .into());
                }
                (account, Act::Merge { from })
            }
        };
        Ok((
            account,
            Stored {
                at,
                day: crate::calendar::local_date(program.tz, at)
                    .and_then(|d| crate::calendar::local_midnight(program.tz, d))
                    .unwrap_or(at),
                id: id.clone(),
                act,
            },
        ))
    }

    fn order(&self, o: &TierOrder, probe: bool) -> Result<Act, TierError> {
        let order = non_empty(o.order_id(), "order")?;
        if !probe && let Some(t) = self.orders.get(&order) {
            return Err(TierError::DuplicateOrder {
                path: "order".to_owned(),
                order: order.to_string(),
                posted_as: t.event.to_string(),
            });
        }
        let spend = non_negative(o.spend, "spend")?;
        let points = non_negative(o.points, "points")?;
        let mut lines = Vec::with_capacity(o.lines.len());
        let mut sum = Decimal::ZERO;
        for (i, l) in o.lines.iter().enumerate() {
            let path = format!("lines[{i}]");
            let qty = positive(l.quantity, &join(&path, "quantity"))?;
            let amount = non_negative(l.amount, &join(&path, "amount"))?;
            let pts = non_negative(l.points, &join(&path, "points"))?;
            sum = sum.saturating_add(pts);
            lines.push((qty, amount, pts));
        }
        if !lines.is_empty() && sum != points {
            return Err(LedgerError::LinesMismatch {
                path: "lines".to_owned(),
                points: points.to_string(),
                lines: sum.to_string(),
            }
            .into());
        }
        Ok(Act::Order {
            order,
            spend,
            points,
            lines: lines.into(),
        })
    }

    /// Checks a refund against what earlier refunds of the order took, and
    /// returns the tally after it.
    fn refund_tally(
        tally: &OrderTally,
        lines: &[(usize, Decimal)],
        amount: Option<Decimal>,
    ) -> Result<OrderTally, TierError> {
        let mut t = tally.clone();
        if t.whole {
            return Err(LedgerError::NothingToRefund {
                path: "order".to_owned(),
            }
            .into());
        }
        if lines.is_empty() && amount.is_none() {
            t.whole = true;
            return Ok(t);
        }
        for (i, (line, q)) in lines.iter().enumerate() {
            let path = format!("lines[{i}]");
            if t.qty.is_empty() {
                return Err(LedgerError::RefundBasisMissing {
                    path: "lines".to_owned(),
                    by: "lines",
                }
                .into());
            }
            let q = positive(*q, &join(&path, "quantity"))?;
            let (Some(qty), Some(done)) = (t.qty.get(*line), t.refunded_qty.get_mut(*line)) else {
                return Err(LedgerError::UnknownLine {
                    path: join(&path, "line"),
                    line: *line,
                }
                .into());
            };
            let new = done.saturating_add(q);
            if new > *qty {
                return Err(LedgerError::OverRefund {
                    path: join(&path, "quantity"),
                    left: qty.saturating_sub(*done).to_string(),
                    requested: q.to_string(),
                }
                .into());
            }
            *done = new;
        }
        if let Some(a) = amount {
            let a = positive(a, "amount")?;
            if t.spend <= Decimal::ZERO {
                return Err(LedgerError::RefundBasisMissing {
                    path: "amount".to_owned(),
                    by: "amount",
                }
                .into());
            }
            let new = t.refunded_amount.saturating_add(a);
            if new > t.spend {
                return Err(LedgerError::OverRefund {
                    path: "amount".to_owned(),
                    left: t.spend.saturating_sub(t.refunded_amount).to_string(),
                    requested: a.to_string(),
                }
                .into());
            }
            t.refunded_amount = new;
        }
        t.whole = t.refunded_amount >= t.spend && t.spend > Decimal::ZERO
            || (!t.qty.is_empty() && t.qty.iter().zip(&t.refunded_qty).all(|(q, r)| r >= q));
        Ok(t)
    }

    /// Adds a checked event to the book.
    fn commit(&mut self, account: Arc<str>, stored: Stored) {
        let id = stored.id.clone();
        let at = stored.at;
        // What a reversal can undo: activity (with its order, for an order).
        let reversible = match &stored.act {
            Act::Order {
                order,
                spend,
                lines,
                ..
            } => {
                self.orders.insert(
                    order.clone(),
                    OrderTally {
                        account: account.clone(),
                        event: id.clone(),
                        at,
                        spend: *spend,
                        qty: lines.iter().map(|l| l.0).collect(),
                        refunded_qty: vec![Decimal::ZERO; lines.len()],
                        refunded_amount: Decimal::ZERO,
                        whole: false,
                    },
                );
                Some(Some(order.clone()))
            }
            Act::Visit | Act::Points(_) | Act::Redeem(_) => Some(None),
            Act::Refund {
                order,
                lines,
                amount,
            } => {
                if let Some(tally) = self.orders.get(order)
                    && let Ok(new) = Self::refund_tally(tally, lines, *amount)
                {
                    self.orders.insert(order.clone(), new);
                }
                None
            }
            Act::Reverse { target } => {
                if let Some(t) = self.targets.get_mut(target) {
                    t.reversed = true;
                    if let Some(tally) = t.order.as_ref().and_then(|o| self.orders.get_mut(o)) {
                        tally.whole = true;
                    }
                }
                None
            }
            Act::Merge { from } => {
                if let Some(source) = self.accounts.get_mut(from) {
                    source.merged_into = Some((account.clone(), at));
                }
                None
            }
            Act::Join | Act::Override { .. } => None,
        };
        match reversible {
            Some(order) => {
                self.targets.insert(
                    id,
                    Target {
                        account: account.clone(),
                        at,
                        order,
                        reversed: false,
                    },
                );
            }
            None => {
                self.others.insert(id);
            }
        }
        let events = &mut self.accounts.entry(account).or_default().events;
        let key = (stored.at, &stored.id);
        let pos = events.partition_point(|e| (e.at, &e.id) < key);
        events.insert(pos, stored);
    }

    fn fold<'p>(
        &self,
        program: &'p Program,
        policy: &'p TierPolicy,
        account: &str,
        until: i64,
    ) -> Run<'p> {
        let mut run = Run::new(self, program, policy, account, None);
        run.play(self, account, until, None);
        run
    }

    /// A member's tier as of an instant, with the metrics of the current
    /// window and what reaching the next tier and keeping this one take.
    /// An account without events holds the base tier, if there is one.
    pub fn status(
        &self,
        program: &Program,
        account: &str,
        at: &str,
    ) -> Result<TierStatus, TierError> {
        let policy = self.check_program(program)?;
        let t = parse_at(at, "at")?;
        let run = self.fold(program, policy, account, t);
        let fmt = |ms: i64| program.ledger.format(ms);
        let name = |ix: Option<usize>| policy.level(ix).map(|l| l.id.clone());
        let tier = if run.started {
            run.effective
        } else {
            policy.has_base().then_some(0)
        };
        // The fold writes spend as money; a member without events has none.
        let metrics = run.current(t);
        let exact = run
            .over
            .as_ref()
            .is_some_and(|o| o.mode == OverrideMode::Exact);
        let next = tier
            .map_or(Some(0), |i| i.checked_add(1))
            .and_then(|i| policy.levels.get(i))
            .filter(|_| !exact)
            .map(|l| Progress {
                tier: l.id.clone(),
                by: run.clock.current_until(t, run.anchor(t)).map(fmt),
                combine: l.qualify.combine,
                needs: money_needs(program, l.qualify.needs(&metrics)),
                met: l.qualify.met(&metrics),
                metrics: metrics.clone(),
            });
        let keep = self.keep(&run, t).map(|(level, by, m)| {
            let l = policy.levels.get(level);
            Progress {
                tier: l.map(|l| l.id.clone()).unwrap_or_default(),
                by: Some(fmt(by)),
                combine: l.map_or(Combine::All, |l| l.retain.combine),
                needs: money_needs(program, l.map(|l| l.retain.needs(&m)).unwrap_or_default()),
                met: l.is_some_and(|l| l.retain.met(&m)),
                metrics: m,
            }
        });
        let level = policy.level(tier);
        Ok(TierStatus {
            account: account.to_owned(),
            as_of: fmt(t),
            tier: name(tier),
            since: run.since.map(fmt),
            guaranteed_until: self.guaranteed_until(&run, t, tier).map(fmt),
            earned_tier: name(if run.started { run.earned } else { tier }),
            override_: run.over.as_ref().and_then(|o| {
                Some(OverrideView {
                    tier: policy.levels.get(o.tier)?.id.clone(),
                    mode: o.mode,
                    since: fmt(o.since),
                    until: o.until.map(fmt),
                    reason: o.reason.clone(),
                    event: o.event.to_string(),
                })
            }),
            pending_downgrade: run.pending.as_ref().map(|p| PendingDowngrade {
                to: name(p.to),
                at: fmt(p.at),
                evaluated_at: fmt(p.evaluated_at),
            }),
            window: WindowView {
                from: run.current_from(t).map(fmt),
                to: fmt(t),
            },
            metrics,
            next,
            keep,
            benefits: level.map_or_else(Benefits::default, |l| Benefits {
                multiplier: l.multiplier,
                coupons: l.benefits.coupons.clone(),
                flags: l.benefits.flags.clone(),
            }),
            merged_into: self
                .accounts
                .get(account)
                .and_then(|a| a.merged_into.as_ref())
                .map(|(into, _)| into.to_string()),
        })
    }

    /// The earned tier's retention check ahead: which tier, by when, and the
    /// metrics counted so far (those of the current window in a grace period).
    fn keep(&self, run: &Run<'_>, t: i64) -> Option<(usize, i64, Metrics)> {
        let earned = run.earned?;
        let level = run.policy.levels.get(earned)?;
        if !run.started || level.retain.is_empty() {
            return None;
        }
        if let Some(p) = &run.pending {
            return Some((earned, p.at, run.current(t)));
        }
        let e = run.next_eval?;
        Some((earned, e, run.evaluated(e, t)))
    }

    /// The earliest instant the tier held can be lost, given the activity so far.
    fn guaranteed_until(&self, run: &Run<'_>, t: i64, tier: Option<usize>) -> Option<i64> {
        let tier = tier?;
        let earned = self.earned_until(run, t);
        match &run.over {
            Some(o) if o.mode == OverrideMode::Exact => o.until,
            Some(o) if o.tier == tier && run.earned < Some(tier) => o.until,
            Some(o) if o.tier == tier => match (o.until, earned) {
                (Some(a), Some(b)) => Some(a.max(b)),
                _ => None,
            },
            _ => earned,
        }
    }

    /// Until when the earned tier is safe: the first evaluation whose window,
    /// counting only activity so far, misses the retention threshold (plus
    /// the grace period), or the end of a grace period under way.
    fn earned_until(&self, run: &Run<'_>, t: i64) -> Option<i64> {
        if let Some(p) = &run.pending {
            return Some(p.at);
        }
        let level = run.policy.level(run.earned)?;
        if level.retain.is_empty() {
            return None;
        }
        let mut e = run.next_eval?;
        // Once a window starts after `t` it holds no known activity.
        for _ in 0..400 {
            let m = run.evaluated(e, t);
            if !level.retain.met(&m) {
                return run.clock.days_after(e, run.policy.grace_days);
            }
            if run
                .clock
                .evaluated_from(e, run.join)
                .is_some_and(|from| from > t)
            {
                return None;
            }
            e = run.clock.next_evaluation(e, run.join).filter(|n| *n > e)?;
        }
        None
    }

    /// Every transition of a member's tier up to an instant.
    pub fn history(
        &self,
        program: &Program,
        account: &str,
        at: &str,
    ) -> Result<TierHistory, TierError> {
        let policy = self.check_program(program)?;
        let t = parse_at(at, "at")?;
        let run = self.fold(program, policy, account, t);
        let fmt = |ms: i64| program.ledger.format(ms);
        let name = |ix: Option<usize>| policy.level(ix).map(|l| l.id.clone());
        Ok(TierHistory {
            account: account.to_owned(),
            as_of: fmt(t),
            tier: name(if run.started {
                run.effective
            } else {
                policy.has_base().then_some(0)
            }),
            transitions: run
                .transitions
                .into_iter()
                .map(|r| Transition {
                    at: fmt(r.at),
                    from: name(r.from),
                    to: name(r.to),
                    earned: name(r.earned),
                    cause: r.cause,
                    event: r.event.map(|e| e.to_string()),
                    metrics: r.metrics,
                })
                .collect(),
        })
    }

    /// The tier an order earns at, before it is posted: the tier held just
    /// before it, or (with `crossing_order = "new_tier"`) the tier it
    /// qualifies the member for. An order already posted under the same id
    /// is answered as it was.
    pub fn order_tier(&self, program: &Program, order: &TierOrder) -> Result<OrderTier, TierError> {
        let policy = self.check_program(program)?;
        let id = non_empty(&order.id, "id")?;
        let event = TierEvent::Order(order.clone());
        let (account, mut stored) = self.prepare(program, policy, &event, &id, true)?;
        // Already posted: probe the stored event itself, where it was posted.
        if self.posted.contains_key(&id)
            && let Some(e) = self
                .accounts
                .values()
                .flat_map(|a| &a.events)
                .find(|e| e.id == id)
        {
            stored = e.clone();
        }
        let mut run = Run::new(self, program, policy, &account, Some(&stored));
        let probed = run.play(self, &account, stored.at, Some(&stored));
        let (before, after) = probed.map_or((None, None), |p| (p.before, p.after));
        let tier = match policy.crossing {
            crate::program::format::CrossingOrder::NewTier => after,
            crate::program::format::CrossingOrder::CurrentTier => before,
        };
        let name = |ix: Option<usize>| policy.level(ix).map(|l| l.id.clone());
        Ok(OrderTier {
            tier: name(tier),
            before: name(before),
            after: name(after),
            multiplier: policy.level(tier).and_then(|l| l.multiplier),
        })
    }
}
