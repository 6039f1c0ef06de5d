//! The tier history of one account: a fold over its events in time order,
//! with evaluations, grace periods and override ends in between.
//!
//! Metrics are window sums over the account's activity (orders, visits,
//! points, redemptions), kept in Fenwick trees indexed by time so each
//! window costs O(log n) however long the history.

use std::sync::Arc;

use rust_decimal::Decimal;

use super::book::{Act, Stored, TierBook};
use super::clock::Clock;
use super::event::OverrideMode;
use super::policy::{TierPolicy, Window};
use super::view::{Cause, Metrics};
use crate::ledger::{Map, refunded_parts};
use crate::program::Program;
use crate::program::format::{PointsBasis, RefundDowngrade};

/// Sums of a prefix, updated in O(log n).
#[derive(Debug, Clone)]
struct Fenwick<T> {
    tree: Vec<T>,
}

trait Num: Copy + Default {
    fn plus(self, other: Self) -> Self;
    fn minus(self, other: Self) -> Self;
}

impl Num for Decimal {
    fn plus(self, other: Self) -> Self {
        self.saturating_add(other)
    }
    fn minus(self, other: Self) -> Self {
        self.saturating_sub(other)
    }
}

impl Num for i64 {
    fn plus(self, other: Self) -> Self {
        self.saturating_add(other)
    }
    fn minus(self, other: Self) -> Self {
        self.saturating_sub(other)
    }
}

impl<T: Num> Fenwick<T> {
    fn new(n: usize) -> Self {
        Self {
            tree: vec![T::default(); n],
        }
    }

    fn add(&mut self, i: usize, d: T) {
        let mut i = i.saturating_add(1);
        while let Some(slot) = i.checked_sub(1).and_then(|k| self.tree.get_mut(k)) {
            *slot = slot.plus(d);
            i = i.saturating_add(i & i.wrapping_neg());
        }
    }

    /// The sum of the first `i` entries.
    fn prefix(&self, i: usize) -> T {
        let mut i = i.min(self.tree.len());
        let mut sum = T::default();
        while let Some(v) = i.checked_sub(1).and_then(|k| self.tree.get(k)) {
            sum = sum.plus(*v);
            i &= i.wrapping_sub(1);
        }
        sum
    }

    fn range(&self, lo: usize, hi: usize) -> T {
        self.prefix(hi).minus(self.prefix(lo))
    }
}

/// What one activity event counts for now.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Val {
    spend: Decimal,
    points: Decimal,
    order: i64,
    visit: bool,
}

/// Where each activity event of the account (and of the accounts merged
/// into it) sits in time.
#[derive(Debug, Default)]
struct Layout {
    times: Vec<i64>,
    ids: Map<Arc<str>, usize>,
    /// Index into `day_starts` of each activity event's local day.
    day_of: Vec<usize>,
    day_starts: Vec<i64>,
}

fn is_activity(act: &Act) -> bool {
    matches!(
        act,
        Act::Order { .. } | Act::Visit | Act::Points(_) | Act::Redeem(_)
    )
}

fn collect<'b>(book: &'b TierBook, account: &str, out: &mut Vec<&'b Stored>) {
    for e in book.events(account) {
        match &e.act {
            Act::Merge { from } => collect(book, from, out),
            act if is_activity(act) => out.push(e),
            _ => {}
        }
    }
}

impl Layout {
    fn build(book: &TierBook, account: &str, probe: Option<&Stored>) -> Self {
        let mut items = Vec::new();
        collect(book, account, &mut items);
        items.extend(probe);
        items.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
        items.dedup_by(|a, b| a.id == b.id);
        // Items are in time order, so their days are too.
        let mut day_starts: Vec<i64> = items.iter().map(|e| e.day).collect();
        day_starts.dedup();
        let day_of = items
            .iter()
            .map(|e| day_starts.partition_point(|d| *d < e.day))
            .collect();
        Self {
            times: items.iter().map(|e| e.at).collect(),
            ids: items
                .iter()
                .enumerate()
                .map(|(i, e)| (e.id.clone(), i))
                .collect(),
            day_of,
            day_starts,
        }
    }
}

/// An order's refunds so far.
#[derive(Debug, Clone)]
struct OrderState {
    /// The order event's id.
    event: Arc<str>,
    spend: Decimal,
    points: Decimal,
    lines: Arc<[(Decimal, Decimal, Decimal)]>,
    refunded_qty: Vec<Decimal>,
    refunded_amount: Decimal,
    clawed: Decimal,
}

#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub(crate) to: Option<usize>,
    pub(crate) at: i64,
    pub(crate) evaluated_at: i64,
    metrics: Metrics,
}

#[derive(Debug, Clone)]
pub(crate) struct Over {
    pub(crate) tier: usize,
    pub(crate) mode: OverrideMode,
    pub(crate) since: i64,
    pub(crate) until: Option<i64>,
    pub(crate) reason: Option<String>,
    pub(crate) event: Arc<str>,
}

#[derive(Debug, Clone)]
pub(crate) struct RawTransition {
    pub(crate) at: i64,
    pub(crate) from: Option<usize>,
    pub(crate) to: Option<usize>,
    pub(crate) earned: Option<usize>,
    pub(crate) cause: Cause,
    pub(crate) event: Option<Arc<str>>,
    pub(crate) metrics: Option<Metrics>,
}

/// The state of one account's fold.
pub(crate) struct Run<'a> {
    pub(crate) policy: &'a TierPolicy,
    pub(crate) clock: Clock,
    program: &'a Program,
    layout: Layout,
    spend: Fenwick<Decimal>,
    points: Fenwick<Decimal>,
    orders: Fenwick<i64>,
    days: Fenwick<i64>,
    day_count: Vec<u32>,
    vals: Vec<Val>,
    order_states: Map<Arc<str>, OrderState>,
    pub(crate) started: bool,
    pub(crate) join: i64,
    pub(crate) earned: Option<usize>,
    base: Option<usize>,
    pub(crate) effective: Option<usize>,
    pub(crate) since: Option<i64>,
    recorded_earned: Option<usize>,
    pub(crate) pending: Option<Pending>,
    pub(crate) over: Option<Over>,
    pub(crate) next_eval: Option<i64>,
    pub(crate) transitions: Vec<RawTransition>,
    /// The local day of the last event and where its window starts.
    window_memo: Option<(i64, i64)>,
}

/// The effective tier before and after a probed order.
pub(crate) struct Probed {
    pub(crate) before: Option<usize>,
    pub(crate) after: Option<usize>,
}

impl<'a> Run<'a> {
    pub(crate) fn new(
        book: &TierBook,
        program: &'a Program,
        policy: &'a TierPolicy,
        account: &str,
        probe: Option<&Stored>,
    ) -> Self {
        let clock = Clock {
            tz: program.tz,
            calendar: program.calendar,
            window: policy.window,
        };
        let layout = Layout::build(book, account, probe);
        let n = layout.times.len();
        let days = layout.day_starts.len();
        Self {
            policy,
            clock,
            program,
            spend: Fenwick::new(n),
            points: Fenwick::new(n),
            orders: Fenwick::new(n),
            days: Fenwick::new(days),
            day_count: vec![0; days],
            vals: vec![Val::default(); n],
            layout,
            order_states: Map::default(),
            started: false,
            join: 0,
            earned: None,
            base: None,
            effective: None,
            since: None,
            recorded_earned: None,
            pending: None,
            over: None,
            next_eval: None,
            transitions: Vec::new(),
            window_memo: None,
        }
    }

    /// Plays the account's events up to `until` (inclusive). With a probe,
    /// stops right after it and says the tier before and after.
    pub(crate) fn play(
        &mut self,
        book: &TierBook,
        account: &str,
        until: i64,
        probe: Option<&Stored>,
    ) -> Option<Probed> {
        let events = book.events(account);
        let mut rest = events.iter().filter(|e| e.at <= until).peekable();
        loop {
            let probe_next =
                probe.filter(|p| rest.peek().is_none_or(|e| (p.at, &p.id) <= (e.at, &e.id)));
            let event = match probe_next {
                Some(p) => p,
                None => match rest.next() {
                    Some(e) => e,
                    None => break,
                },
            };
            self.advance(event.at);
            if probe_next.is_some() {
                let before = if self.started {
                    self.effective
                } else {
                    self.base_of_new()
                };
                self.apply(book, event);
                return Some(Probed {
                    before,
                    after: self.effective,
                });
            }
            self.apply(book, event);
        }
        self.advance(until);
        None
    }

    /// The tier a member without events holds.
    fn base_of_new(&self) -> Option<usize> {
        self.policy.has_base().then_some(0)
    }

    fn metrics(&self, from: i64, to: i64) -> Metrics {
        let t = &self.layout.times;
        let (lo, hi) = (
            t.partition_point(|x| *x < from),
            t.partition_point(|x| *x < to),
        );
        let d = &self.layout.day_starts;
        let (dlo, dhi) = (
            d.partition_point(|x| *x < from),
            d.partition_point(|x| *x < to),
        );
        Metrics {
            spend: self.program.currency().present(self.spend.range(lo, hi)),
            points: self.points.range(lo, hi).normalize(),
            orders: u64::try_from(self.orders.range(lo, hi)).unwrap_or_default(),
            visits: u64::try_from(self.days.range(dlo, dhi)).unwrap_or_default(),
        }
    }

    /// Metrics of the window holding `at`, counting what happened up to `at`.
    pub(crate) fn current(&self, at: i64) -> Metrics {
        let from = self.clock.current_from(at, self.join).unwrap_or(at);
        self.metrics(from, at.saturating_add(1))
    }

    /// [`Self::current`] for an event on the local day starting at `day`:
    /// every window starts at a local midnight that depends only on the day,
    /// so the start is worked out once per day (the calendar and time zone
    /// are the costly part of a fold).
    fn current_on(&mut self, at: i64, day: i64) -> Metrics {
        let from = match self.window_memo {
            Some((d, from)) if d == day => from,
            _ => {
                let from = self.clock.current_from(at, self.join).unwrap_or(at);
                self.window_memo = Some((day, from));
                from
            }
        };
        self.metrics(from, at.saturating_add(1))
    }

    /// The member's first instant: their first event, or `at` for a
    /// member without events yet.
    pub(crate) fn anchor(&self, at: i64) -> i64 {
        if self.started { self.join } else { at }
    }

    pub(crate) fn current_from(&self, at: i64) -> Option<i64> {
        match self.policy.window {
            Window::Lifetime => None,
            _ => self.clock.current_from(at, self.anchor(at)),
        }
    }

    /// Metrics, known by `known`, of the window an evaluation at `at` looks at.
    pub(crate) fn evaluated(&self, at: i64, known: i64) -> Metrics {
        let from = self.clock.evaluated_from(at, self.join).unwrap_or(at);
        self.metrics(from, at.min(known.saturating_add(1)))
    }

    fn set(&mut self, pos: usize, new: Val) {
        let Some(old) = self.vals.get(pos).copied() else {
            return;
        };
        self.spend.add(pos, new.spend.saturating_sub(old.spend));
        self.points.add(pos, new.points.saturating_sub(old.points));
        self.orders.add(pos, new.order.saturating_sub(old.order));
        if old.visit != new.visit
            && let Some(&d) = self.layout.day_of.get(pos)
            && let Some(count) = self.day_count.get_mut(d)
        {
            let was = *count;
            *count = if new.visit {
                was.saturating_add(1)
            } else {
                was.saturating_sub(1)
            };
            match (was, *count) {
                (0, 1..) => self.days.add(d, 1),
                (1.., 0) => self.days.add(d, -1),
                _ => {}
            }
        }
        if let Some(v) = self.vals.get_mut(pos) {
            *v = new;
        }
    }

    fn pos(&self, id: &str) -> Option<usize> {
        self.layout.ids.get(id).copied()
    }

    fn effective_of(&self) -> Option<usize> {
        match &self.over {
            None => self.earned,
            Some(o) if o.mode == OverrideMode::Floor => self.earned.max(Some(o.tier)),
            Some(o) => Some(o.tier),
        }
    }

    /// Records a transition when the held or the earned tier changed.
    fn update(
        &mut self,
        at: i64,
        cause: Cause,
        event: Option<&Arc<str>>,
        metrics: Option<Metrics>,
    ) {
        let to = self.effective_of();
        if to == self.effective && self.earned == self.recorded_earned {
            return;
        }
        self.transitions.push(RawTransition {
            at,
            from: self.effective,
            to,
            earned: self.earned,
            cause,
            event: event.cloned(),
            metrics,
        });
        if to != self.effective {
            // No tier held has no "since".
            self.since = to.map(|_| at);
        }
        self.effective = to;
        self.recorded_earned = self.earned;
    }

    fn start(&mut self, at: i64, id: &Arc<str>) {
        self.started = true;
        self.join = at;
        self.next_eval = self.clock.next_evaluation(at, at);
        if self.policy.has_base() {
            self.earned = Some(0);
            self.base = Some(0);
            self.update(at, Cause::Joined, Some(id), None);
        }
    }

    /// Runs the evaluations, grace ends and override ends due by `t`.
    fn advance(&mut self, t: i64) {
        if !self.started {
            return;
        }
        loop {
            let grace = self.pending.as_ref().map(|p| (p.at, 0));
            let over = self.over.as_ref().and_then(|o| o.until).map(|u| (u, 1));
            let eval = self.next_eval.map(|e| (e, 2));
            let Some((at, which)) = [grace, over, eval].into_iter().flatten().min() else {
                return;
            };
            if at > t {
                return;
            }
            match which {
                0 => {
                    if let Some(p) = self.pending.take() {
                        self.earned = p.to;
                        self.base = p.to;
                        self.update(at, Cause::GraceExpired, None, Some(p.metrics));
                    }
                }
                1 => {
                    self.over = None;
                    self.update(at, Cause::OverrideExpired, None, None);
                }
                _ => self.evaluate(at),
            }
        }
    }

    fn evaluate(&mut self, at: i64) {
        self.next_eval = self
            .clock
            .next_evaluation(at, self.join)
            .filter(|next| *next > at);
        let Some(cur) = self.earned else {
            return;
        };
        let m = self.evaluated(at, at);
        let Some(level) = self.policy.levels.get(cur) else {
            return;
        };
        if level.retain.met(&m) {
            self.base = self.earned;
            return;
        }
        let mut target = self.policy.retained_below(cur, &m);
        if self.policy.one_level_down {
            target = target.max(cur.checked_sub(1));
        }
        if self.policy.grace_days == 0 {
            self.earned = target;
            self.base = target;
            self.update(at, Cause::Evaluation, None, Some(m));
        } else if let Some(end) = self.clock.days_after(at, self.policy.grace_days) {
            self.pending = Some(Pending {
                to: target,
                at: end,
                evaluated_at: at,
                metrics: m,
            });
        }
    }

    /// After activity: upgrade when a higher tier's thresholds are met;
    /// cancel a pending downgrade when the retention threshold is.
    fn after_activity(&mut self, e: &Stored) {
        let (at, id) = (e.at, &e.id);
        let m = self.current_on(at, e.day);
        let reached = self.policy.reached(&m);
        if reached > self.earned {
            self.earned = reached;
            self.pending = None;
            self.update(at, Cause::Qualified, Some(id), Some(m));
        } else if let Some(pending) = self.pending.as_mut()
            && let Some(cur) = self.earned
            && let Some(level) = self.policy.level(Some(cur))
        {
            if level.retain.met(&m) {
                self.pending = None;
            } else {
                // Still below the tier's retention, but activity in the
                // grace period that meets a lower tier's retention lands the
                // member there, not lower: more activity never ends in a
                // lower tier.
                pending.to = pending.to.max(self.policy.retained_below(cur, &m));
            }
        }
    }

    /// After a refund or reversal: under `refunds = "immediate"`, undo
    /// upgrades since the last evaluation that the activity left no longer reaches.
    fn after_refund(&mut self, e: &Stored) {
        let (at, id) = (e.at, &e.id);
        if self.policy.refunds != RefundDowngrade::Immediate {
            // Reversing a redemption raises the points: that can qualify.
            self.after_activity(e);
            return;
        }
        let m = self.current_on(at, e.day);
        let reached = self.policy.reached(&m);
        let keep = self.base.max(reached);
        if keep < self.earned {
            self.earned = keep;
            self.update(at, Cause::Refund, Some(id), Some(m));
        } else if reached > self.earned {
            self.after_activity(e);
        }
    }

    fn apply(&mut self, book: &TierBook, e: &Stored) {
        if !self.started {
            self.start(e.at, &e.id);
        }
        match &e.act {
            Act::Order {
                order,
                spend,
                points,
                lines,
            } => {
                if let Some(pos) = self.pos(&e.id) {
                    self.set(
                        pos,
                        Val {
                            spend: *spend,
                            points: *points,
                            order: 1,
                            visit: true,
                        },
                    );
                    self.order_states.insert(
                        order.clone(),
                        OrderState {
                            event: e.id.clone(),
                            spend: *spend,
                            points: *points,
                            lines: lines.clone(),
                            refunded_qty: vec![Decimal::ZERO; lines.len()],
                            refunded_amount: Decimal::ZERO,
                            clawed: Decimal::ZERO,
                        },
                    );
                }
                self.after_activity(e);
            }
            Act::Visit => {
                if let Some(pos) = self.pos(&e.id) {
                    let v = Val {
                        visit: true,
                        ..Val::default()
                    };
                    self.set(pos, v);
                }
                self.after_activity(e);
            }
            Act::Points(p) => {
                if let Some(pos) = self.pos(&e.id) {
                    let v = Val {
                        points: *p,
                        ..Val::default()
                    };
                    self.set(pos, v);
                }
                self.after_activity(e);
            }
            Act::Redeem(p) => {
                if self.policy.points == PointsBasis::NetOfRedemptions
                    && let Some(pos) = self.pos(&e.id)
                {
                    let v = Val {
                        points: Decimal::ZERO.saturating_sub(*p),
                        ..Val::default()
                    };
                    self.set(pos, v);
                }
            }
            Act::Refund {
                order,
                lines,
                amount,
            } => {
                if let Some((pos, val)) = self.refund(order, lines, *amount) {
                    self.set(pos, val);
                }
                self.after_refund(e);
            }
            Act::Reverse { target } => {
                if let Some(pos) = self.pos(target) {
                    self.set(pos, Val::default());
                }
                self.after_refund(e);
            }
            Act::Join => {}
            Act::Override {
                tier,
                until,
                mode,
                reason,
            } => {
                self.over = tier.map(|tier| Over {
                    tier,
                    mode: *mode,
                    since: e.at,
                    until: *until,
                    reason: reason.clone(),
                    event: e.id.clone(),
                });
                self.update(e.at, Cause::Override, Some(&e.id), None);
            }
            Act::Merge { from } => self.merge(book, e, from),
        }
    }

    /// The order's value after a refund, by the same shares as the ledger's
    /// claw-back: per line, refunded quantity plus the amount refunded as a
    /// share of the order, at most one; points rounded on the cumulative share.
    fn refund(
        &mut self,
        order: &str,
        lines: &[(usize, Decimal)],
        amount: Option<Decimal>,
    ) -> Option<(usize, Val)> {
        let rounding = self.program.ledger.rounding;
        let scale = self.program.ledger.scale;
        let minor = self.program.currency().minor_units();
        let st = self.order_states.get_mut(order)?;
        let pos = self.layout.ids.get(&st.event).copied()?;
        let whole = lines.is_empty() && amount.is_none();
        if whole {
            for (q, l) in st.refunded_qty.iter_mut().zip(st.lines.iter()) {
                *q = l.0;
            }
            st.refunded_amount = st.spend;
        }
        for (line, q) in lines {
            if let Some(done) = st.refunded_qty.get_mut(*line) {
                *done = done.saturating_add(*q);
            }
        }
        if let Some(a) = amount {
            st.refunded_amount = st.refunded_amount.saturating_add(a).min(st.spend);
        }
        let parts: Vec<(Decimal, Decimal, Decimal, Decimal)> = st
            .lines
            .iter()
            .zip(&st.refunded_qty)
            .map(|((qty, amt, pts), q)| (*qty, *amt, *pts, *q))
            .collect();
        let r = refunded_parts(st.points, &parts, st.refunded_amount, Some(st.spend), whole)?;
        let claw = if r.full {
            st.points
        } else {
            rounding
                .round(r.points, scale)
                .min(st.points)
                .max(st.clawed)
        };
        st.clawed = claw;
        // Refunded spend by line can be a fraction of a minor unit: round it,
        // half to even, at the currency's digits.
        let refunded = r
            .money
            .round_dp_with_strategy(minor, rust_decimal::RoundingStrategy::MidpointNearestEven);
        let spend = if r.full {
            Decimal::ZERO
        } else {
            st.spend.checked_sub(refunded)?.max(Decimal::ZERO)
        };
        let full = r.full;
        Some((
            pos,
            Val {
                spend,
                points: st.points.checked_sub(claw)?,
                order: i64::from(!full),
                visit: true,
            },
        ))
    }

    /// Folds the merged account up to the merge and takes in its activity,
    /// refunds so far, tier and override.
    fn merge(&mut self, book: &TierBook, e: &Stored, from: &Arc<str>) {
        let mut other = Run::new(book, self.program, self.policy, from, None);
        other.play(book, from, e.at, None);
        for (id, &pos) in &other.layout.ids {
            if let (Some(&mine), Some(&v)) = (self.layout.ids.get(id), other.vals.get(pos)) {
                self.set(mine, v);
            }
        }
        self.order_states.extend(other.order_states);
        if other.started {
            if other.earned > self.earned {
                self.pending = other.pending;
            }
            self.earned = self.earned.max(other.earned);
            self.base = self.base.max(other.base);
            if self.over.is_none() {
                self.over = other.over;
            }
            if other.join < self.join {
                self.join = other.join;
                self.window_memo = None;
                self.next_eval = self.clock.next_evaluation(e.at, self.join);
            }
        }
        let m = self.current(e.at);
        let reached = self.policy.reached(&m);
        if reached > self.earned {
            self.earned = reached;
            self.pending = None;
        }
        self.update(e.at, Cause::Merge, Some(&e.id), Some(m));
    }
}
