//! Stored-value accounts: money put in (top-ups, prepaid charges) and paid
//! out, down to a credit limit for credit customers.
//!
//! Simpler than points: no lots and no expiry, just a running balance. Charges
//! are checked against the balance and limit when posted; queries as of an
//! instant sum the movements up to it.

use std::sync::Arc;

use super::amount::Amount;
use super::error::LedgerError;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum WalletOp {
    Deposit {
        amount: Amount,
        reason: Option<Arc<str>>,
    },
    Charge {
        amount: Amount,
        order: Option<Arc<str>>,
    },
    Refund {
        amount: Amount,
        order: Arc<str>,
    },
    Limit {
        limit: Amount,
    },
}

impl WalletOp {
    /// The change to the balance.
    pub(crate) fn change(&self) -> Amount {
        match self {
            Self::Deposit { amount, .. } | Self::Refund { amount, .. } => *amount,
            Self::Charge { amount, .. } => amount.neg().unwrap_or_default(),
            Self::Limit { .. } => Amount::ZERO,
        }
    }

    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Self::Deposit { .. } => "deposit",
            Self::Charge { .. } => "charge",
            Self::Refund { .. } => "refund",
            Self::Limit { .. } => "limit",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WalletEntry {
    pub(crate) seq: u64,
    pub(crate) at: i64,
    pub(crate) source: Arc<str>,
    pub(crate) op: WalletOp,
}

/// One stored-value account.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Wallet {
    /// Accepted movements in `(at, seq)` order.
    pub(crate) log: Vec<WalletEntry>,
    pub(crate) balance: Amount,
    pub(crate) limit: Amount,
}

/// A wallet's figures at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct WalletState {
    pub(crate) balance: Amount,
    pub(crate) limit: Amount,
    pub(crate) deposited: Amount,
    pub(crate) charged: Amount,
    pub(crate) refunded: Amount,
}

impl Wallet {
    /// Takes a movement; a charge must fit in the balance plus the credit
    /// limit, both now and at its own time.
    pub(crate) fn post(&mut self, entry: WalletEntry) -> Result<(), LedgerError> {
        let change = entry.op.change();
        let overflow = || LedgerError::ArithmeticOverflow {
            path: "amount".to_owned(),
        };
        let balance = self.balance.add(change).map_err(|_| overflow())?;
        if let WalletOp::Charge { amount, .. } = &entry.op {
            let then = self.state_at(entry.at);
            let room = |b: Amount, l: Amount| b.add(l).unwrap_or_default();
            let available = room(self.balance, self.limit).min(room(then.balance, then.limit));
            if *amount > available {
                return Err(LedgerError::InsufficientFunds {
                    path: "amount".to_owned(),
                    available: available.to_string(),
                    requested: amount.to_string(),
                });
            }
        }
        if let WalletOp::Limit { limit } = &entry.op
            && self.log.last().is_none_or(|l| l.at <= entry.at)
        {
            self.limit = *limit;
        }
        let pos = self
            .log
            .partition_point(|e| (e.at, e.seq) <= (entry.at, entry.seq));
        self.log.insert(pos, entry);
        self.balance = balance;
        if pos.saturating_add(1) < self.log.len() {
            // A limit posted late does not replace a later one.
            self.limit = self.state_at(i64::MAX).limit;
        }
        Ok(())
    }

    /// The figures as of `t`.
    pub(crate) fn state_at(&self, t: i64) -> WalletState {
        let mut s = WalletState::default();
        for e in self.log.iter().take_while(|e| e.at <= t) {
            match &e.op {
                WalletOp::Deposit { amount, .. } => s.deposited = s.deposited.sat_add(*amount),
                WalletOp::Charge { amount, .. } => s.charged = s.charged.sat_add(*amount),
                WalletOp::Refund { amount, .. } => s.refunded = s.refunded.sat_add(*amount),
                WalletOp::Limit { limit } => s.limit = *limit,
            }
            s.balance = s.balance.sat_add(e.op.change());
        }
        s
    }
}
