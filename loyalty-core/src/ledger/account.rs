//! One member's points: the accepted events in time order, and the state they
//! fold into (lots, what is owed, totals).
//!
//! The state is a pure function of the log: [`fold`] replays entries in
//! `(at, seq)` order. Appending an event at or after the last one folds just
//! that entry; anything else (an event posted late, a refund whose points were
//! already spent) refolds the account, so the state is always what the
//! time-ordered history says it is, however the events arrived.
//!
//! A refund is folded as a correction at the origin: the earning it claws back
//! is smaller *from the start*, and the movements after it are replayed on the
//! corrected history. That is what makes a full refund leave the account
//! exactly as if the order had never earned, and several partial refunds equal
//! one full one, whatever their order.

use super::Map;
use std::sync::Arc;

use super::amount::{Amount, Overflow};
use super::policy::LedgerPolicy;
use crate::program::format::Shortfall;

/// Identifies a lot: the posting sequence of the entry that created it and
/// the piece within that entry (transfers and merges create several).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct LotKey {
    pub(crate) seq: u64,
    pub(crate) piece: u32,
}

/// A slice of a lot carried into another account by a transfer or a merge.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Piece {
    /// The lot that originally earned the points (what refunds claw by).
    pub(crate) origin: LotKey,
    pub(crate) points: Amount,
    pub(crate) available_at: i64,
    pub(crate) expires_at: Option<i64>,
}

/// An accepted event as the account keeps it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub(crate) seq: u64,
    pub(crate) at: i64,
    pub(crate) source: Arc<str>,
    pub(crate) op: Op,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    Earn {
        points: Amount,
        available_at: i64,
        expires_at: Option<i64>,
        order: Option<Arc<str>>,
    },
    /// A positive adjustment creates a lot; a negative one is an outflow.
    Adjust {
        points: Amount,
        expires_at: Option<i64>,
        reason: Arc<str>,
    },
    Redeem {
        points: Amount,
        order: Option<Arc<str>>,
        /// The lots it used when posted (kept for `negative` and `debt` policies).
        alloc: Vec<(LotKey, Amount)>,
    },
    TransferOut {
        points: Amount,
        to: Arc<str>,
        alloc: Vec<(LotKey, Amount)>,
    },
    TransferIn {
        from: Arc<str>,
        pieces: Vec<Piece>,
    },
    MergeIn {
        from: Arc<str>,
        pieces: Vec<Piece>,
        owed: Amount,
    },
    MergeOut {
        into: Arc<str>,
    },
    /// A refund, a reversal or a transfer re-pieced (boxed: rare, and the
    /// largest variant would make every entry as big).
    Correct(Box<Correction>),
}

/// Cumulative claws (by origin lot) and restores (by redeem sequence) after a
/// refund or reversal, points given back as a new lot, and new pieces for
/// transfers into the account.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Correction {
    pub(crate) kind: CorrectKind,
    pub(crate) order: Option<Arc<str>>,
    pub(crate) note: Option<Arc<str>>,
    pub(crate) claws: Vec<(LotKey, Amount)>,
    pub(crate) restores: Vec<(u64, Amount)>,
    pub(crate) restore_new: Option<(Amount, Option<i64>)>,
    /// New pieces for transfers into this account, by transfer sequence,
    /// after the sender's history was corrected.
    pub(crate) repiece: Vec<(u64, Vec<Piece>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CorrectKind {
    Refund,
    Reverse,
}

impl Op {
    /// Points leaving the account (redeem, negative adjust, transfer out).
    fn outflow(&self) -> Option<Amount> {
        match self {
            Op::Redeem { points, .. } | Op::TransferOut { points, .. } => Some(*points),
            Op::Adjust { points, .. } if points.is_negative() => points.neg().ok(),
            _ => None,
        }
    }
}

/// A lot: points from one earning (or one piece of a transfer or merge).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Lot {
    pub(crate) key: LotKey,
    pub(crate) origin: LotKey,
    pub(crate) source: Arc<str>,
    pub(crate) kind: LotKind,
    pub(crate) created_at: i64,
    pub(crate) available_at: i64,
    pub(crate) expires_at: Option<i64>,
    /// Points after claws.
    pub(crate) points: Amount,
    /// Not yet spent, expired or clawed.
    pub(crate) remaining: Amount,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LotKind {
    Earn,
    Adjust,
    Transfer,
    Merge,
    Restore,
}

impl LotKind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Earn => "earn",
            Self::Adjust => "adjust",
            Self::Transfer => "transfer",
            Self::Merge => "merge",
            Self::Restore => "restore",
        }
    }
}

impl Lot {
    /// A lot the entry `e` creates from its own points (an earning, a positive
    /// adjustment, points given back): its own origin, piece 0.
    fn own(
        e: &Entry,
        kind: LotKind,
        available_at: i64,
        expires_at: Option<i64>,
        points: Amount,
    ) -> Self {
        let key = LotKey {
            seq: e.seq,
            piece: 0,
        };
        Self {
            key,
            origin: key,
            source: Arc::clone(&e.source),
            kind,
            created_at: e.at,
            available_at,
            expires_at,
            points,
            remaining: points,
        }
    }

    /// The lot's public name: the creating event's id, with `#n` for pieces.
    pub(crate) fn name(&self) -> String {
        match self.kind {
            LotKind::Transfer | LotKind::Merge => format!("{}#{}", self.source, self.key.piece),
            _ => self.source.to_string(),
        }
    }

    fn expired_by(&self, t: i64) -> bool {
        self.expires_at.is_some_and(|e| e <= t)
    }
}

/// Running totals of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Totals {
    pub(crate) earned: Amount,
    pub(crate) redeemed: Amount,
    pub(crate) expired: Amount,
    pub(crate) adjusted: Amount,
    pub(crate) reversed: Amount,
    pub(crate) restored: Amount,
    pub(crate) transferred_in: Amount,
    pub(crate) transferred_out: Amount,
    pub(crate) merged_in: Amount,
}

/// What a movement was, in statements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MoveKind {
    Earn,
    Release,
    Redeem,
    Expire,
    Adjust,
    Reverse,
    Refund,
    Repay,
    TransferOut,
    TransferIn,
    MergeIn,
    MergeOut,
}

impl MoveKind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Earn => "earn",
            Self::Release => "release",
            Self::Redeem => "redeem",
            Self::Expire => "expire",
            Self::Adjust => "adjust",
            Self::Reverse => "reverse",
            Self::Refund => "refund",
            Self::Repay => "repay",
            Self::TransferOut => "transfer_out",
            Self::TransferIn => "transfer_in",
            Self::MergeIn => "merge_in",
            Self::MergeOut => "merge_out",
        }
    }
}

/// One statement row, before formatting.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    pub(crate) at: i64,
    pub(crate) kind: MoveKind,
    pub(crate) source: Arc<str>,
    /// Change of the member's points (lots, less what is owed).
    pub(crate) points: Amount,
    pub(crate) lots: Vec<(String, Amount)>,
    pub(crate) order: Option<Arc<str>>,
    pub(crate) note: Option<Arc<str>>,
    pub(crate) available: Amount,
    pub(crate) pending: Amount,
    pub(crate) owed: Amount,
}

/// The folded state of one account.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct State {
    pub(crate) lots: Vec<Lot>,
    /// Indices of lots with points left, soonest-expiring first (never-expiring last).
    pub(crate) open: Vec<usize>,
    pub(crate) owed: Amount,
    pub(crate) last_activity: Option<i64>,
    pub(crate) totals: Totals,
    /// Points owed that outflows created because refunds took their lots.
    pub(crate) shortfall: Amount,
    pub(crate) merged_into: Option<Arc<str>>,
    /// Lot index by key, for claws and stored allocations.
    by_key: Map<LotKey, usize>,
    /// What each fully covered transfer out took, by the transfer's sequence.
    pub(crate) sent: Map<u64, Vec<Piece>>,
    /// Claw applied so far per origin, and claw turned into owed per origin.
    applied: Map<LotKey, Amount>,
    owed_for: Map<LotKey, Amount>,
}

/// Claws and restores in force while folding.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Corrections {
    pub(crate) claws: Map<LotKey, Amount>,
    pub(crate) restores: Map<u64, Amount>,
    pub(crate) repiece: Map<u64, Vec<Piece>>,
}

impl Corrections {
    /// Corrections of the `Correct` entries among `entries`.
    pub(crate) fn of(entries: &[Entry]) -> Self {
        let mut c = Self::default();
        for e in entries {
            c.absorb(&e.op);
        }
        c
    }

    pub(crate) fn absorb(&mut self, op: &Op) {
        if let Op::Correct(c) = op {
            let Correction {
                claws,
                restores,
                repiece,
                ..
            } = &**c;
            for (k, v) in claws {
                self.claws.insert(*k, *v);
            }
            for (k, v) in restores {
                self.restores.insert(*k, *v);
            }
            for (k, v) in repiece {
                self.repiece.insert(*k, v.clone());
            }
        }
    }
}

type Rec<'a> = Option<&'a mut Vec<Row>>;

/// Lots an outflow would take from, and what it could not cover.
pub(crate) type Plan<'a> = (Vec<(&'a Lot, Amount)>, Amount);

/// The fold's context: the policy, the corrections, and an optional recorder.
pub(crate) struct Folder<'a> {
    pub(crate) policy: &'a LedgerPolicy,
    pub(crate) fix: &'a Corrections,
}

impl State {
    /// Points usable at `t`: available and not expired, less what is owed
    /// when the policy lets the balance go negative.
    pub(crate) fn available_at(&self, policy: &LedgerPolicy, t: i64) -> Amount {
        let (a, _, _) = self.split_at(policy, t);
        a
    }

    /// (available, pending, expiring-by-t) over the open lots, seen at `t`.
    pub(crate) fn split_at(&self, policy: &LedgerPolicy, t: i64) -> (Amount, Amount, Amount) {
        let inactive = self.inactive_by(policy, t).is_some();
        let (mut avail, mut pending, mut gone) = (Amount::ZERO, Amount::ZERO, Amount::ZERO);
        for lot in self.open_lots() {
            if inactive || lot.expired_by(t) {
                gone = gone.sat_add(lot.remaining);
            } else if lot.available_at > t {
                pending = pending.sat_add(lot.remaining);
            } else {
                avail = avail.sat_add(lot.remaining);
            }
        }
        if policy.shortfall == Shortfall::Negative {
            avail = avail.sat_sub(self.owed);
        }
        (avail, pending, gone)
    }

    /// (available, pending) of a state already settled up to `t`: every open
    /// lot counts, including those expiring at `t` that are next in line.
    pub(crate) fn held_at(&self, policy: &LedgerPolicy, t: i64) -> (Amount, Amount) {
        let (mut avail, mut pending) = (Amount::ZERO, Amount::ZERO);
        for lot in self.open_lots() {
            if lot.available_at > t {
                pending = pending.sat_add(lot.remaining);
            } else {
                avail = avail.sat_add(lot.remaining);
            }
        }
        if policy.shortfall == Shortfall::Negative {
            avail = avail.sat_sub(self.owed);
        }
        (avail, pending)
    }

    pub(crate) fn open_lots(&self) -> impl Iterator<Item = &Lot> {
        self.open.iter().filter_map(|&i| self.lots.get(i))
    }

    /// When inactivity expired everything, if it did by `t`.
    pub(crate) fn inactive_by(&self, policy: &LedgerPolicy, t: i64) -> Option<i64> {
        let deadline = self.last_activity?.checked_add(policy.inactivity_ms?)?;
        (deadline <= t).then_some(deadline)
    }

    fn row(
        &self,
        policy: &LedgerPolicy,
        at: i64,
        kind: MoveKind,
        source: &Arc<str>,
        points: Amount,
        lots: Vec<(String, Amount)>,
    ) -> Row {
        let (available, pending) = self.held_at(policy, at);
        Row {
            at,
            kind,
            source: Arc::clone(source),
            points,
            lots,
            order: None,
            note: None,
            available,
            pending,
            owed: self.owed,
        }
    }

    /// Expires every lot whose time has come by `t`, and everything at the
    /// inactivity deadline if it has passed; records releases (lots leaving
    /// their return window) and expiries in time order when asked.
    pub(crate) fn settle(&mut self, policy: &LedgerPolicy, t: i64, mut rec: Rec<'_>, since: i64) {
        let deadline = self.inactive_by(policy, t);
        let cutoff = deadline.map_or(t, |d| d.min(t));
        let mut releases: Vec<(i64, LotKey, usize)> = match rec {
            Some(_) => self
                .open
                .iter()
                .filter_map(|&ix| {
                    let l = self.lots.get(ix)?;
                    let due = l.available_at > since
                        && l.available_at <= cutoff
                        && !l.expired_by(l.available_at);
                    due.then_some((l.available_at, l.key, ix))
                })
                .collect(),
            None => Vec::new(),
        };
        releases.sort_unstable();
        let mut releases = releases.into_iter().peekable();
        loop {
            let expiry = self
                .open
                .first()
                .and_then(|&ix| Some((self.lots.get(ix)?.expires_at?, ix)))
                .filter(|(e, _)| *e <= cutoff);
            let release = releases.peek().copied();
            let release_first = match (release, expiry) {
                (Some((r, _, _)), Some((e, _))) => r <= e,
                (Some(_), None) => true,
                (None, _) => false,
            };
            if let (true, Some((r, _, ix))) = (release_first, release) {
                releases.next();
                if let (Some(rows), Some(lot)) = (rec.as_deref_mut(), self.lots.get(ix))
                    && lot.remaining.is_positive()
                {
                    let row = self.row(
                        policy,
                        r,
                        MoveKind::Release,
                        &lot.source,
                        Amount::ZERO,
                        vec![(lot.name(), lot.remaining)],
                    );
                    rows.push(row);
                }
            } else if let Some((e, ix)) = expiry {
                self.expire_lot(policy, ix, e, None, rec.as_deref_mut());
            } else {
                break;
            }
        }
        if let Some(d) = deadline {
            while let Some(&ix) = self.open.first() {
                self.expire_lot(policy, ix, d, Some("inactivity"), rec.as_deref_mut());
            }
            self.last_activity = None;
        }
    }

    fn expire_lot(
        &mut self,
        policy: &LedgerPolicy,
        ix: usize,
        at: i64,
        note: Option<&'static str>,
        rec: Rec<'_>,
    ) {
        self.open.retain(|&i| i != ix);
        let Some(lot) = self.lots.get_mut(ix) else {
            return;
        };
        let gone = lot.remaining;
        lot.remaining = Amount::ZERO;
        let (name, source) = (lot.name(), Arc::clone(&lot.source));
        self.totals.expired = self.totals.expired.sat_add(gone);
        if let Some(rows) = rec {
            let mut row = self.row(
                policy,
                at,
                MoveKind::Expire,
                &source,
                gone.neg().unwrap_or(Amount::ZERO),
                vec![(name, gone.neg().unwrap_or(Amount::ZERO))],
            );
            row.note = note.map(Arc::from);
            rows.push(row);
        }
    }

    /// Adds a lot (after the claws of its origin) and repays what is owed
    /// from it; returns the points kept and what was repaid.
    fn add_lot(&mut self, f: &Folder<'_>, mut lot: Lot) -> Result<(Amount, Amount), Overflow> {
        let claw = f.fix.claws.get(&lot.origin).copied().unwrap_or_default();
        let done = self.applied.get(&lot.origin).copied().unwrap_or_default();
        let take = claw.sub(done)?.min(lot.points).max(Amount::ZERO);
        if take.is_positive() {
            self.applied.insert(lot.origin, done.add(take)?);
            self.totals.reversed = self.totals.reversed.add(take)?;
            lot.points = lot.points.sub(take)?;
            lot.remaining = lot.points;
        }
        let ix = self.lots.len();
        self.by_key.insert(lot.key, ix);
        let kept = lot.points;
        let repay = self.owed.min(lot.remaining).max(Amount::ZERO);
        let open = lot.remaining.is_positive();
        let sort_key = (lot.expires_at.unwrap_or(i64::MAX), lot.key);
        self.lots.push(lot);
        if open {
            let pos = self.open.partition_point(|&i| {
                self.lots
                    .get(i)
                    .is_some_and(|l| (l.expires_at.unwrap_or(i64::MAX), l.key) < sort_key)
            });
            self.open.insert(pos, ix);
        }
        if repay.is_positive() {
            self.take_from(ix, repay)?;
            self.owed = self.owed.sub(repay)?;
        }
        Ok((kept, repay))
    }

    fn record_repay(&self, f: &Folder<'_>, e: &Entry, rec: Rec<'_>, lot: String, repay: Amount) {
        if repay.is_positive()
            && let Some(rows) = rec
        {
            rows.push(self.row(
                f.policy,
                e.at,
                MoveKind::Repay,
                &e.source,
                Amount::ZERO,
                vec![(lot, repay.neg().unwrap_or_default())],
            ));
        }
    }

    /// Takes `amount` from lot `ix` (which must hold it), closing it when empty.
    fn take_from(&mut self, ix: usize, amount: Amount) -> Result<(), Overflow> {
        if let Some(lot) = self.lots.get_mut(ix) {
            lot.remaining = lot.remaining.sub(amount)?;
            if !lot.remaining.is_positive() {
                self.open.retain(|&i| i != ix);
            }
        }
        Ok(())
    }

    /// Consumes `amount` from usable lots, soonest-expiring first; returns what
    /// was taken from which lot and what could not be covered.
    fn consume(
        &mut self,
        t: i64,
        amount: Amount,
    ) -> Result<(Vec<(LotKey, Amount)>, Amount), Overflow> {
        let mut need = amount;
        let mut taken = Vec::new();
        let mut i = 0;
        while need.is_positive() {
            let Some(&ix) = self.open.get(i) else { break };
            let Some(lot) = self.lots.get_mut(ix) else {
                break;
            };
            if lot.available_at > t || lot.expired_by(t) {
                i = i.saturating_add(1);
                continue;
            }
            let x = need.min(lot.remaining);
            lot.remaining = lot.remaining.sub(x)?;
            need = need.sub(x)?;
            taken.push((lot.key, x));
            if lot.remaining.is_positive() {
                i = i.saturating_add(1);
            } else {
                self.open.remove(i);
            }
        }
        Ok((taken, need))
    }

    /// What [`Self::consume`] would take at `t`, without taking it.
    pub(crate) fn plan(&self, t: i64, amount: Amount) -> Result<Plan<'_>, Overflow> {
        let mut need = amount;
        let mut taken = Vec::new();
        for lot in self.open_lots() {
            if !need.is_positive() {
                break;
            }
            if lot.available_at > t || lot.expired_by(t) {
                continue;
            }
            let x = need.min(lot.remaining);
            need = need.sub(x)?;
            taken.push((lot, x));
        }
        Ok((taken, need))
    }

    /// Consumes along a stored allocation (lots gone or smaller give a shortfall).
    fn consume_along(
        &mut self,
        alloc: &[(LotKey, Amount)],
        amount: Amount,
    ) -> Result<(Vec<(LotKey, Amount)>, Amount), Overflow> {
        let mut need = amount;
        let mut taken = Vec::new();
        for (key, planned) in alloc {
            if !need.is_positive() {
                break;
            }
            let want = need.min(*planned);
            let Some(&ix) = self.by_key.get(key) else {
                continue;
            };
            let have = self.lots.get(ix).map_or(Amount::ZERO, |l| l.remaining);
            let x = want.min(have).max(Amount::ZERO);
            if x.is_positive() {
                self.take_from(ix, x)?;
                taken.push((*key, x));
            }
            need = need.sub(want)?;
        }
        // Whatever the allocation did not cover (it was planned smaller) is short too.
        let covered = taken.iter().try_fold(Amount::ZERO, |s, (_, x)| s.add(*x))?;
        let short = amount.sub(covered)?;
        Ok((taken, short))
    }

    fn names(&self, taken: &[(LotKey, Amount)], sign: i64) -> Vec<(String, Amount)> {
        taken
            .iter()
            .filter_map(|(k, x)| {
                let lot = self.lots.get(*self.by_key.get(k)?)?;
                let v = if sign < 0 { x.neg().ok()? } else { *x };
                Some((lot.name(), v))
            })
            .collect()
    }

    /// Applies one entry at its time (after settling expiries up to it).
    pub(crate) fn apply(
        &mut self,
        f: &Folder<'_>,
        e: &Entry,
        mut rec: Rec<'_>,
        since: i64,
    ) -> Result<(), Overflow> {
        self.settle(f.policy, e.at, rec.as_deref_mut(), since);
        match &e.op {
            Op::Earn {
                points,
                available_at,
                expires_at,
                order,
            } => {
                let lot = Lot::own(e, LotKind::Earn, *available_at, *expires_at, *points);
                let (kept, repay) = self.add_lot(f, lot)?;
                // An earning refunded in full is as if it never happened,
                // so it does not count as activity either.
                if kept.is_positive() {
                    self.last_activity = Some(e.at);
                }
                self.totals.earned = self.totals.earned.add(*points)?;
                // Statement rows are built only when a statement is asked for.
                if rec.is_some() {
                    let name = e.source.to_string();
                    self.note(
                        f,
                        e,
                        rec.as_deref_mut(),
                        MoveKind::Earn,
                        kept,
                        vec![(name.clone(), kept)],
                        order.clone(),
                        None,
                    );
                    self.record_repay(f, e, rec.as_deref_mut(), name, repay);
                }
            }
            Op::Adjust {
                points,
                expires_at,
                reason,
            } => {
                if points.is_positive() {
                    let lot = Lot::own(e, LotKind::Adjust, e.at, *expires_at, *points);
                    let (kept, repay) = self.add_lot(f, lot)?;
                    self.totals.adjusted = self.totals.adjusted.add(*points)?;
                    if rec.is_some() {
                        let name = e.source.to_string();
                        self.note(
                            f,
                            e,
                            rec.as_deref_mut(),
                            MoveKind::Adjust,
                            kept,
                            vec![(name.clone(), kept)],
                            None,
                            Some(reason),
                        );
                        self.record_repay(f, e, rec.as_deref_mut(), name, repay);
                    }
                } else {
                    let restored = f.fix.restores.get(&e.seq).copied().unwrap_or_default();
                    let amount = points.neg()?.sub(restored)?.max(Amount::ZERO);
                    let taken = self.outflow(f, e, amount, &[])?;
                    self.totals.restored = self.totals.restored.add(restored)?;
                    self.totals.adjusted = self.totals.adjusted.add(*points)?;
                    let lots = if rec.is_some() {
                        self.names(&taken, -1)
                    } else {
                        Vec::new()
                    };
                    self.note(
                        f,
                        e,
                        rec.as_deref_mut(),
                        MoveKind::Adjust,
                        *points,
                        lots,
                        None,
                        Some(reason),
                    );
                }
            }
            Op::Redeem {
                points,
                order,
                alloc,
            } => {
                self.last_activity = Some(e.at);
                let restored = f.fix.restores.get(&e.seq).copied().unwrap_or_default();
                let amount = points.sub(restored)?.max(Amount::ZERO);
                let taken = self.outflow(f, e, amount, alloc)?;
                self.totals.redeemed = self.totals.redeemed.add(*points)?;
                self.totals.restored = self.totals.restored.add(points.sub(amount)?)?;
                let lots = if rec.is_some() {
                    self.names(&taken, -1)
                } else {
                    Vec::new()
                };
                self.note(
                    f,
                    e,
                    rec.as_deref_mut(),
                    MoveKind::Redeem,
                    amount.neg()?,
                    lots,
                    order.clone(),
                    None,
                );
            }
            Op::TransferOut { points, to, alloc } => {
                let taken = self.outflow(f, e, *points, alloc)?;
                let pieces: Vec<Piece> = taken
                    .iter()
                    .filter_map(|(k, x)| {
                        let lot = self.lots.get(*self.by_key.get(k)?)?;
                        Some(Piece {
                            origin: lot.origin,
                            points: *x,
                            available_at: lot.available_at,
                            expires_at: lot.expires_at,
                        })
                    })
                    .collect();
                let covered = pieces
                    .iter()
                    .try_fold(Amount::ZERO, |s, p| s.add(p.points))?;
                if covered == *points {
                    self.sent.insert(e.seq, pieces);
                }
                self.totals.transferred_out = self.totals.transferred_out.add(*points)?;
                if rec.is_some() {
                    let lots = self.names(&taken, -1);
                    let note: Arc<str> = Arc::from(format!("to {to}"));
                    self.note(
                        f,
                        e,
                        rec.as_deref_mut(),
                        MoveKind::TransferOut,
                        points.neg()?,
                        lots,
                        None,
                        Some(&note),
                    );
                }
            }
            Op::TransferIn { from, pieces } | Op::MergeIn { from, pieces, .. } => {
                let pieces = f.fix.repiece.get(&e.seq).unwrap_or(pieces);
                let (kind, lot_kind) = match &e.op {
                    Op::TransferIn { .. } => (MoveKind::TransferIn, LotKind::Transfer),
                    _ => (MoveKind::MergeIn, LotKind::Merge),
                };
                let mut total = Amount::ZERO;
                let mut gross = Amount::ZERO;
                let mut lots = Vec::new();
                let mut repays = Vec::new();
                if let Op::MergeIn { owed, .. } = &e.op {
                    self.owed = self.owed.add(*owed)?;
                }
                for (i, p) in pieces.iter().enumerate() {
                    let key = LotKey {
                        seq: e.seq,
                        piece: u32::try_from(i).unwrap_or(u32::MAX),
                    };
                    let lot = Lot {
                        key,
                        origin: p.origin,
                        source: Arc::clone(&e.source),
                        kind: lot_kind,
                        created_at: e.at,
                        available_at: p.available_at,
                        expires_at: p.expires_at,
                        points: p.points,
                        remaining: p.points,
                    };
                    let name = if rec.is_some() {
                        lot.name()
                    } else {
                        String::new()
                    };
                    let (kept, repay) = self.add_lot(f, lot)?;
                    total = total.add(kept)?;
                    gross = gross.add(p.points)?;
                    if rec.is_some() {
                        lots.push((name.clone(), kept));
                        if repay.is_positive() {
                            repays.push((name, repay));
                        }
                    }
                }
                // Gross, like `earned`: what a refund clawed is in `reversed`.
                if kind == MoveKind::TransferIn {
                    self.totals.transferred_in = self.totals.transferred_in.add(gross)?;
                } else {
                    self.totals.merged_in = self.totals.merged_in.add(gross)?;
                }
                if rec.is_some() {
                    let note: Arc<str> = Arc::from(format!("from {from}"));
                    self.note(
                        f,
                        e,
                        rec.as_deref_mut(),
                        kind,
                        total,
                        lots,
                        None,
                        Some(&note),
                    );
                    for (name, repay) in repays {
                        self.record_repay(f, e, rec.as_deref_mut(), name, repay);
                    }
                }
            }
            Op::MergeOut { into } => {
                let open = std::mem::take(&mut self.open);
                let mut total = Amount::ZERO;
                let mut lots = Vec::new();
                for ix in open {
                    if let Some(lot) = self.lots.get_mut(ix) {
                        total = total.add(lot.remaining)?;
                        lots.push((lot.name(), lot.remaining.neg()?));
                        lot.remaining = Amount::ZERO;
                    }
                }
                self.owed = Amount::ZERO;
                self.merged_into = Some(Arc::clone(into));
                let note: Arc<str> = Arc::from(format!("into {into}"));
                self.note(
                    f,
                    e,
                    rec,
                    MoveKind::MergeOut,
                    total.neg()?,
                    lots,
                    None,
                    Some(&note),
                );
            }
            Op::Correct(c) => {
                let Correction {
                    claws, restore_new, ..
                } = &**c;
                // The claws and restores are already in `f.fix` (the fold of the
                // corrected history); what is left here is claw the account's
                // lots could not hold (spent in another account before a merge)
                // and points given back as a new lot.
                for (origin, cum) in claws {
                    let applied = self.applied.get(origin).copied().unwrap_or_default();
                    let owed_already = self.owed_for.get(origin).copied().unwrap_or_default();
                    let extra = cum.sub(applied)?.sub(owed_already)?;
                    if extra.is_positive() {
                        self.owed = self.owed.add(extra)?;
                        self.shortfall = self.shortfall.add(extra)?;
                        self.totals.reversed = self.totals.reversed.add(extra)?;
                        self.owed_for.insert(*origin, owed_already.add(extra)?);
                    }
                }
                if let Some((points, expires_at)) = restore_new {
                    let lot = Lot::own(e, LotKind::Restore, e.at, *expires_at, *points);
                    self.add_lot(f, lot)?;
                    self.totals.restored = self.totals.restored.add(*points)?;
                }
            }
        }
        Ok(())
    }

    #[expect(clippy::too_many_arguments, reason = "one row's fields")]
    fn note(
        &self,
        f: &Folder<'_>,
        e: &Entry,
        rec: Rec<'_>,
        kind: MoveKind,
        points: Amount,
        lots: Vec<(String, Amount)>,
        order: Option<Arc<str>>,
        note: Option<&Arc<str>>,
    ) {
        if let Some(rows) = rec {
            let mut row = self.row(f.policy, e.at, kind, &e.source, points, lots);
            row.order = order;
            row.note = note.cloned();
            rows.push(row);
        }
    }

    /// An accepted outflow: fresh allocation (`other_lots`) or along the one
    /// it was posted with (`negative`, `debt`); what cannot be covered is owed.
    fn outflow(
        &mut self,
        f: &Folder<'_>,
        e: &Entry,
        amount: Amount,
        alloc: &[(LotKey, Amount)],
    ) -> Result<Vec<(LotKey, Amount)>, Overflow> {
        let along = f.policy.shortfall != Shortfall::OtherLots && !alloc.is_empty();
        let (taken, short) = if along {
            self.consume_along(alloc, amount)?
        } else {
            self.consume(e.at, amount)?
        };
        if short.is_positive() {
            self.owed = self.owed.add(short)?;
            self.shortfall = self.shortfall.add(short)?;
        }
        Ok(taken)
    }

    /// Applies a correction's new claws directly when the clawed lots still
    /// hold the points (the refold would give exactly this); `false` when a
    /// refold is needed.
    pub(crate) fn try_claw_in_place(
        &mut self,
        policy: &LedgerPolicy,
        prev: &Corrections,
        op: &Op,
    ) -> Result<bool, Overflow> {
        let Op::Correct(c) = op else {
            return Ok(false);
        };
        let Correction {
            claws,
            restores,
            restore_new,
            repiece,
            ..
        } = &**c;
        if !restores.is_empty() || restore_new.is_some() || !repiece.is_empty() {
            return Ok(false);
        }
        let mut plan = Vec::new();
        for (origin, cum) in claws {
            let before = prev.claws.get(origin).copied().unwrap_or_default();
            let delta = cum.sub(before)?;
            match self.by_key.get(origin) {
                // A lot clawed to nothing no longer counts as activity, which
                // moves the inactivity deadline: only a refold gets that right.
                Some(&ix)
                    if self.lots.get(ix).is_some_and(|l| {
                        l.remaining >= delta && (policy.inactivity_ms.is_none() || l.points > delta)
                    }) =>
                {
                    plan.push((ix, *origin, delta));
                }
                _ => return Ok(false),
            }
        }
        for (ix, origin, delta) in plan {
            if let Some(lot) = self.lots.get_mut(ix) {
                lot.points = lot.points.sub(delta)?;
            }
            self.take_from(ix, delta)?;
            let done = self.applied.get(&origin).copied().unwrap_or_default();
            self.applied.insert(origin, done.add(delta)?);
            self.totals.reversed = self.totals.reversed.add(delta)?;
        }
        Ok(true)
    }
}

/// Folds `entries` (in time order) under `fix`, recording rows when asked.
pub(crate) fn fold(
    policy: &LedgerPolicy,
    fix: &Corrections,
    entries: &[Entry],
    mut rec: Rec<'_>,
) -> Result<State, Overflow> {
    let f = Folder { policy, fix };
    let mut s = State::default();
    let mut since = i64::MIN;
    for e in entries {
        s.apply(&f, e, rec.as_deref_mut(), since)?;
        since = e.at;
    }
    Ok(s)
}

/// Folds `entries` the way they happened: each correction applies from its own
/// time, and its effect on every lot is recorded as one row.
pub(crate) fn statement(
    policy: &LedgerPolicy,
    entries: &[Entry],
    until: i64,
) -> Result<(State, Vec<Row>), Overflow> {
    let mut fix = Corrections::default();
    let mut s = State::default();
    let mut rows = Vec::new();
    let mut since = i64::MIN;
    for (i, e) in entries.iter().enumerate() {
        if e.at > until {
            break;
        }
        if let Op::Correct(c) = &e.op {
            let Correction {
                kind, order, note, ..
            } = &**c;
            s.settle(policy, e.at, Some(&mut rows), since);
            fix.absorb(&e.op);
            let fresh = fold(policy, &fix, entries.get(..=i).unwrap_or_default(), None)?;
            let mut lots = Vec::new();
            let mut delta = Amount::ZERO;
            for lot in &fresh.lots {
                let before = s
                    .by_key
                    .get(&lot.key)
                    .and_then(|&ix| s.lots.get(ix))
                    .map_or(Amount::ZERO, |l| l.remaining);
                let change = lot.remaining.sub(before)?;
                if !change.is_zero() {
                    delta = delta.add(change)?;
                    lots.push((lot.name(), change));
                }
            }
            let owed_change = fresh.owed.sub(s.owed)?;
            delta = delta.sub(owed_change)?;
            let (available, pending) = fresh.held_at(policy, e.at);
            rows.push(Row {
                at: e.at,
                kind: match kind {
                    CorrectKind::Refund => MoveKind::Refund,
                    CorrectKind::Reverse => MoveKind::Reverse,
                },
                source: Arc::clone(&e.source),
                points: delta,
                lots,
                order: order.clone(),
                note: note.clone(),
                available,
                pending,
                owed: fresh.owed,
            });
            s = fresh;
        } else {
            let f = Folder { policy, fix: &fix };
            s.apply(&f, e, Some(&mut rows), since)?;
        }
        since = e.at;
    }
    s.settle(policy, until, Some(&mut rows), since);
    Ok((s, rows))
}

/// One member's points account.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Account {
    /// Accepted events in `(at, seq)` order.
    pub(crate) log: Vec<Entry>,
    /// The corrections of every refund and reversal in the log.
    pub(crate) fix: Corrections,
    /// The fold of the whole log.
    pub(crate) state: State,
}

/// Why an entry was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// An outflow the points at its time do not cover.
    Insufficient(Amount),
    Overflow,
}

impl From<Overflow> for Refusal {
    fn from(_: Overflow) -> Self {
        Self::Overflow
    }
}

impl Account {
    pub(crate) fn last_at(&self) -> Option<i64> {
        self.log.last().map(|e| e.at)
    }

    /// The state as of `t`: the fold of the entries up to `t`, with every
    /// expiry due by `t` applied.
    pub(crate) fn state_at(
        &self,
        policy: &LedgerPolicy,
        t: i64,
    ) -> Result<std::borrow::Cow<'_, State>, Overflow> {
        if self.last_at().is_none_or(|last| last <= t) {
            return Ok(std::borrow::Cow::Borrowed(&self.state));
        }
        let n = self.log.partition_point(|e| e.at <= t);
        let entries = self.log.get(..n).unwrap_or_default();
        let fix = Corrections::of(entries);
        Ok(std::borrow::Cow::Owned(fold(policy, &fix, entries, None)?))
    }

    /// Takes an entry: appended and folded in place when it is the latest,
    /// otherwise inserted in time order and the account refolded. Outflows
    /// must be covered at their time, and a late one must not leave a later
    /// outflow short.
    pub(crate) fn post(
        &mut self,
        policy: &LedgerPolicy,
        entry: Entry,
        allow_short: bool,
    ) -> Result<(), Refusal> {
        let latest = self.last_at().is_none_or(|last| last <= entry.at);
        if latest {
            if let Some(amount) = entry.op.outflow().filter(|_| !allow_short) {
                let available = self.state.available_at(policy, entry.at);
                if amount > available {
                    return Err(Refusal::Insufficient(available));
                }
            }
            if matches!(entry.op, Op::Correct(_)) {
                let prev = self.fix.clone();
                self.fix.absorb(&entry.op);
                self.state.settle(policy, entry.at, None, i64::MIN);
                if !self.state.try_claw_in_place(policy, &prev, &entry.op)? {
                    self.log.push(entry);
                    self.state = fold(policy, &self.fix, &self.log, None)?;
                    return Ok(());
                }
            }
            let f = Folder {
                policy,
                fix: &self.fix,
            };
            self.state.apply(&f, &entry, None, i64::MIN)?;
            self.log.push(entry);
            return Ok(());
        }
        let pos = self
            .log
            .partition_point(|e| (e.at, e.seq) <= (entry.at, entry.seq));
        let outflow = entry.op.outflow();
        let mut fix = self.fix.clone();
        fix.absorb(&entry.op);
        self.log.insert(pos, entry);
        let folded = fold(policy, &fix, &self.log, None);
        match folded {
            Ok(state)
                if outflow.is_none() || allow_short || state.shortfall <= self.state.shortfall =>
            {
                self.state = state;
                self.fix = fix;
                Ok(())
            }
            other => {
                self.log.remove(pos);
                match other {
                    Err(_) => Err(Refusal::Overflow),
                    Ok(_) => {
                        let at = self.log.get(pos).map_or(i64::MAX, |e| e.at);
                        let available = self.state_at(policy, at)?.available_at(policy, at);
                        Err(Refusal::Insufficient(available))
                    }
                }
            }
        }
    }
}
