//! Questions to the ledger, as of any instant: balance, lots, what expires
//! soon, the statement. Answers are plain serializable data with amounts as
//! exact decimal strings and instants in the program's time zone.

use rust_decimal::Decimal;
use serde::Serialize;

use super::account::{self, Row, State};
use super::amount::Amount;
use super::book::{Ledger, Slot, parse_at};
use super::error::LedgerError;
use super::policy::LedgerPolicy;
use crate::program::Program;

/// Running totals of a points account.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PointsTotals {
    /// Points earned, as posted.
    #[schemars(with = "String")]
    pub earned: Decimal,
    /// Points redeemed, as posted.
    #[schemars(with = "String")]
    pub redeemed: Decimal,
    /// Points that expired.
    #[schemars(with = "String")]
    pub expired: Decimal,
    /// Net manual adjustments.
    #[schemars(with = "String")]
    pub adjusted: Decimal,
    /// Earned points taken back by refunds and reversals.
    #[schemars(with = "String")]
    pub reversed: Decimal,
    /// Redeemed points given back by refunds and reversals.
    #[schemars(with = "String")]
    pub restored: Decimal,
    /// Points received from other members.
    #[schemars(with = "String")]
    pub transferred_in: Decimal,
    /// Points given to other members.
    #[schemars(with = "String")]
    pub transferred_out: Decimal,
    /// Points brought in by merges.
    #[schemars(with = "String")]
    pub merged_in: Decimal,
}

/// An account's balance at one instant.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Balance {
    /// Account id.
    pub account: String,
    /// `points` or `wallet`.
    pub kind: &'static str,
    /// The instant asked about, in the program's time zone.
    pub as_of: String,
    /// Points: spendable now (less what is owed under the `negative` policy).
    /// Wallet: money spendable now, credit included. Points are written
    /// without trailing zeros; money with the currency's minor-unit digits.
    #[schemars(with = "String")]
    pub available: Decimal,
    /// Points still in their return window (zero for wallets).
    #[schemars(with = "String")]
    pub pending: Decimal,
    /// Points owed after refunds of spent points (zero for wallets).
    #[schemars(with = "String")]
    pub owed: Decimal,
    /// Wallet balance (may be below zero down to the credit limit); absent for points.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub balance: Option<Decimal>,
    /// Wallet credit limit; absent for points.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub credit_limit: Option<Decimal>,
    /// Running totals of a points account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub totals: Option<PointsTotals>,
    /// The account this one was merged into, if it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<String>,
}

/// A lot with points left.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct LotView {
    /// Lot id: the id of the event that created it (`#n` for pieces of a transfer or merge).
    pub lot: String,
    /// `earn`, `adjust`, `transfer`, `merge` or `restore`.
    pub kind: &'static str,
    /// `available` or `pending`.
    pub status: &'static str,
    /// When the lot was created.
    pub created_at: String,
    /// When its points can be spent.
    pub available_at: String,
    /// When what is left expires (absent: never, or only by inactivity).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Points in the lot (after refunds).
    #[schemars(with = "String")]
    pub points: Decimal,
    /// Points left.
    #[schemars(with = "String")]
    pub remaining: Decimal,
}

/// Points that expire within a number of days.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Expiring {
    /// Account id.
    pub account: String,
    /// The instant asked about.
    pub as_of: String,
    /// The window asked about, in days.
    pub within_days: u32,
    /// Points that expire in the window.
    #[schemars(with = "String")]
    pub points: Decimal,
    /// Which lots, soonest first.
    pub lots: Vec<ExpiringLot>,
}

/// Points of one lot that expire in the window.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ExpiringLot {
    /// Lot id.
    pub lot: String,
    /// Points that expire.
    #[schemars(with = "String")]
    pub points: Decimal,
    /// When.
    pub expires_at: String,
    /// `date` (the lot's own expiry) or `inactivity`.
    pub reason: &'static str,
}

/// Points of one lot moved by a movement.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct LotChange {
    /// Lot id.
    pub lot: String,
    /// Signed change.
    #[schemars(with = "String")]
    pub points: Decimal,
}

/// One statement line.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Movement {
    /// When.
    pub at: String,
    /// Points: `earn`, `release`, `redeem`, `expire`, `adjust`, `refund`,
    /// `reverse`, `repay`, `transfer_out`, `transfer_in`, `merge_in`,
    /// `merge_out`. Wallets: `deposit`, `charge`, `refund`, `limit`.
    pub kind: &'static str,
    /// Id of the event behind it (for expiries and releases: the lot's event).
    pub event: String,
    /// Signed change of the balance (points, or money for wallets).
    #[schemars(with = "String")]
    pub change: Decimal,
    /// Lots moved (points accounts).
    pub lots: Vec<LotChange>,
    /// The order involved, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    /// Reason or detail, e.g. an adjustment's reason, `inactivity`, `to c-2`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Available after the movement (wallets: the balance).
    #[schemars(with = "String")]
    pub available: Decimal,
    /// Pending after the movement.
    #[schemars(with = "String")]
    pub pending: Decimal,
    /// Owed after the movement.
    #[schemars(with = "String")]
    pub owed: Decimal,
}

/// Every movement of an account up to an instant, with running balances.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Statement {
    /// Account id.
    pub account: String,
    /// `points` or `wallet`.
    pub kind: &'static str,
    /// The statement's end.
    pub as_of: String,
    /// Movements in time order.
    pub movements: Vec<Movement>,
}

fn d(a: Amount) -> Decimal {
    a.to_decimal()
}

fn overflow() -> LedgerError {
    LedgerError::ArithmeticOverflow {
        path: "account".to_owned(),
    }
}

fn totals(s: &State) -> PointsTotals {
    let t = &s.totals;
    PointsTotals {
        earned: d(t.earned),
        redeemed: d(t.redeemed),
        expired: d(t.expired),
        adjusted: d(t.adjusted),
        reversed: d(t.reversed),
        restored: d(t.restored),
        transferred_in: d(t.transferred_in),
        transferred_out: d(t.transferred_out),
        merged_in: d(t.merged_in),
    }
}

impl Ledger {
    /// The balance of `account` as of `at` (RFC 3339). An account the ledger
    /// has never seen has a zero points balance.
    pub fn balance(
        &self,
        program: &Program,
        account: &str,
        at: &str,
    ) -> Result<Balance, LedgerError> {
        let policy = &program.ledger;
        let t = parse_at(at, "at")?;
        let as_of = policy.format(t);
        match self.slot(account) {
            Some(Slot::Wallet(w)) => {
                let s = w.state_at(t);
                let money = |a: Amount| program.currency().present(d(a));
                Ok(Balance {
                    account: account.to_owned(),
                    kind: "wallet",
                    as_of,
                    available: money(s.balance.sat_add(s.limit)),
                    pending: Decimal::ZERO,
                    owed: Decimal::ZERO,
                    balance: Some(money(s.balance)),
                    credit_limit: Some(money(s.limit)),
                    totals: None,
                    merged_into: None,
                })
            }
            slot => {
                let empty = State::default();
                let state = match slot {
                    Some(Slot::Points(a)) => a.state_at(policy, t).map_err(|_| overflow())?,
                    _ => std::borrow::Cow::Borrowed(&empty),
                };
                let (available, pending, gone) = state.split_at(policy, t);
                let mut tot = totals(&state);
                tot.expired = d(state.totals.expired.sat_add(gone));
                Ok(Balance {
                    account: account.to_owned(),
                    kind: "points",
                    as_of,
                    available: d(available),
                    pending: d(pending),
                    owed: d(state.owed),
                    balance: None,
                    credit_limit: None,
                    totals: Some(tot),
                    merged_into: state.merged_into.as_deref().map(str::to_owned),
                })
            }
        }
    }

    /// The lots of `account` with points left as of `at`, soonest-expiring first.
    pub fn lots(
        &self,
        program: &Program,
        account: &str,
        at: &str,
    ) -> Result<Vec<LotView>, LedgerError> {
        let policy = &program.ledger;
        let t = parse_at(at, "at")?;
        let Some(Slot::Points(a)) = self.slot(account) else {
            return Ok(Vec::new());
        };
        let state = a.state_at(policy, t).map_err(|_| overflow())?;
        if state.inactive_by(policy, t).is_some() {
            return Ok(Vec::new());
        }
        Ok(state
            .open_lots()
            .filter(|l| l.expires_at.is_none_or(|e| e > t))
            .map(|l| LotView {
                lot: l.name(),
                kind: l.kind.name(),
                status: if l.available_at > t {
                    "pending"
                } else {
                    "available"
                },
                created_at: policy.format(l.created_at),
                available_at: policy.format(l.available_at),
                expires_at: l.expires_at.map(|e| policy.format(e)),
                points: d(l.points),
                remaining: d(l.remaining),
            })
            .collect())
    }

    /// Points of `account` that expire after `at` and within `days` days of it.
    pub fn expiring(
        &self,
        program: &Program,
        account: &str,
        at: &str,
        days: u32,
    ) -> Result<Expiring, LedgerError> {
        let policy = &program.ledger;
        let t = parse_at(at, "at")?;
        let end = t.saturating_add(LedgerPolicy::day_ms(days));
        let mut lots = Vec::new();
        let mut total = Amount::ZERO;
        let mut last: Option<(i64, String)> = None;
        if let Some(Slot::Points(a)) = self.slot(account) {
            let state = a.state_at(policy, t).map_err(|_| overflow())?;
            if state.inactive_by(policy, t).is_none() {
                let deadline = state
                    .last_activity
                    .zip(policy.inactivity_ms)
                    .and_then(|(la, ms)| la.checked_add(ms));
                for l in state.open_lots() {
                    let own = l.expires_at.filter(|e| *e > t);
                    let (when, reason) = match (own, deadline) {
                        (Some(e), Some(dl)) if dl < e => (Some(dl), "inactivity"),
                        (None, Some(dl)) => (Some(dl), "inactivity"),
                        (Some(e), _) => (Some(e), "date"),
                        (None, None) => (None, "date"),
                    };
                    if let Some(w) = when.filter(|w| *w > t && *w <= end) {
                        total = total.add(l.remaining).map_err(|_| overflow())?;
                        // Lots mostly share their expiry: write each instant once.
                        let expires_at = match &last {
                            Some((at, text)) if *at == w => text.clone(),
                            _ => {
                                let text = policy.format(w);
                                last = Some((w, text.clone()));
                                text
                            }
                        };
                        lots.push((
                            w,
                            ExpiringLot {
                                lot: l.name(),
                                points: d(l.remaining),
                                expires_at,
                                reason,
                            },
                        ));
                    }
                }
            }
        }
        lots.sort_by_key(|a| a.0);
        Ok(Expiring {
            account: account.to_owned(),
            as_of: policy.format(t),
            within_days: days,
            points: d(total),
            lots: lots.into_iter().map(|(_, l)| l).collect(),
        })
    }

    /// Every movement of `account` up to `at`, in time order, with the
    /// balances after each. Expiries and releases appear at their own instants.
    pub fn statement(
        &self,
        program: &Program,
        account: &str,
        at: &str,
    ) -> Result<Statement, LedgerError> {
        let policy = &program.ledger;
        let t = parse_at(at, "at")?;
        let as_of = policy.format(t);
        match self.slot(account) {
            Some(Slot::Wallet(w)) => {
                let mut balance = Amount::ZERO;
                let movements = w
                    .log
                    .iter()
                    .take_while(|e| e.at <= t)
                    .map(|e| {
                        balance = balance.sat_add(e.op.change());
                        let (order, note) = match &e.op {
                            super::wallet::WalletOp::Deposit { reason, .. } => {
                                (None, reason.as_deref().map(str::to_owned))
                            }
                            super::wallet::WalletOp::Charge { order, .. } => {
                                (order.as_deref().map(str::to_owned), None)
                            }
                            super::wallet::WalletOp::Refund { order, .. } => {
                                (Some(order.to_string()), None)
                            }
                            super::wallet::WalletOp::Limit { limit } => (
                                None,
                                Some(format!(
                                    "credit limit {}",
                                    program.currency().present(d(*limit))
                                )),
                            ),
                        };
                        let money = |a: Amount| program.currency().present(d(a));
                        Movement {
                            at: policy.format(e.at),
                            kind: e.op.kind(),
                            event: e.source.to_string(),
                            change: money(e.op.change()),
                            lots: Vec::new(),
                            order,
                            note,
                            available: money(balance),
                            pending: Decimal::ZERO,
                            owed: Decimal::ZERO,
                        }
                    })
                    .collect();
                Ok(Statement {
                    account: account.to_owned(),
                    kind: "wallet",
                    as_of,
                    movements,
                })
            }
            Some(Slot::Points(a)) => {
                let (_, rows) = account::statement(policy, &a.log, t).map_err(|_| overflow())?;
                Ok(Statement {
                    account: account.to_owned(),
                    kind: "points",
                    as_of,
                    movements: rows.into_iter().map(|r| movement(policy, r)).collect(),
                })
            }
            None => Ok(Statement {
                account: account.to_owned(),
                kind: "points",
                as_of,
                movements: Vec::new(),
            }),
        }
    }
}

fn movement(policy: &LedgerPolicy, r: Row) -> Movement {
    Movement {
        at: policy.format(r.at),
        kind: r.kind.name(),
        event: r.source.to_string(),
        change: d(r.points),
        lots: r
            .lots
            .into_iter()
            .map(|(lot, p)| LotChange { lot, points: d(p) })
            .collect(),
        order: r.order.as_deref().map(str::to_owned),
        note: r.note.as_deref().map(str::to_owned),
        available: d(r.available),
        pending: d(r.pending),
        owed: d(r.owed),
    }
}
