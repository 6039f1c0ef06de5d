//! The points ledger: what members hold, as of any instant, built from the
//! events the host posts.
//!
//! * **Lots.** Each earning is a lot with the instant it was earned, the
//!   instant it becomes spendable (after the program's `pending_days` return
//!   window) and the instant it expires. Redemptions take from the
//!   soonest-expiring spendable lots first.
//! * **Expiry is a query.** Fixed durations, period ends in the program's
//!   calendar and inactivity are all worked out from the events; asking for a
//!   balance as of a later instant shows what expired by then. No job runs.
//! * **Refunds are exact.** A refund claws back the order's points in
//!   proportion (by line and quantity, or by amount), rounded with the
//!   program's rounding mode on the *cumulative* refunded share, so parts add
//!   up to exactly the points earned. If those points were spent, the
//!   program's `shortfall` policy decides: take them from the member's other
//!   lots as if the order had never earned them, let the balance go negative,
//!   or record a debt paid from future earnings. A refund of an order paid
//!   with points gives those points back, with their original expiry or a new
//!   one.
//! * **Idempotent.** Every event has the host's id; posting it again changes
//!   nothing and returns [`PostStatus::Duplicate`]. The ledger is a pure
//!   function of the events in time order, so replaying any prefix, any
//!   number of times, gives the same state.
//! * **Stored value.** Wallet accounts hold money (top-ups, prepaid charges)
//!   with an optional credit limit, with the same ids and statements.
//!
//! ```
//! use loyalty_core::Program;
//! use loyalty_core::ledger::{Ledger, LedgerEvent, PostStatus};
//!
//! let program = Program::from_toml(r#"
//! schema_version = 1
//! id = "riyadh-coffee"
//! currency = "SAR"
//! time_zone = "Asia/Riyadh"
//!
//! [ledger]
//! pending_days = 14
//! expiry = { end_of = "year", periods_after = 1 }
//! "#).unwrap();
//!
//! let earn: LedgerEvent = serde_json::from_str(r#"{"type": "earn", "id": "e-1",
//!     "account": "m-1", "at": "2026-03-01T10:00:00+03:00", "points": "120",
//!     "order": "o-1", "amount": "240.00"}"#).unwrap();
//! let mut ledger = Ledger::new();
//! assert_eq!(ledger.post(&program, &earn).unwrap(), PostStatus::Applied);
//! // An offline till retrying the same event changes nothing.
//! assert_eq!(ledger.post(&program, &earn).unwrap(), PostStatus::Duplicate);
//!
//! let b = ledger.balance(&program, "m-1", "2026-03-02T00:00:00+03:00").unwrap();
//! assert_eq!((b.available.to_string(), b.pending.to_string()), ("0".into(), "120".into()));
//!
//! // Half the order comes back: half the points go.
//! let refund: LedgerEvent = serde_json::from_str(r#"{"type": "refund", "id": "r-1",
//!     "at": "2026-03-05T10:00:00+03:00", "order": "o-1", "amount": "120.00"}"#).unwrap();
//! ledger.post(&program, &refund).unwrap();
//! let b = ledger.balance(&program, "m-1", "2026-04-01T00:00:00+03:00").unwrap();
//! assert_eq!(b.available.to_string(), "60");
//!
//! // Points earned in 2026 expire when 2027 ends.
//! let b = ledger.balance(&program, "m-1", "2028-01-01T00:00:00+03:00").unwrap();
//! assert_eq!(b.available.to_string(), "0");
//! assert_eq!(b.totals.unwrap().expired.to_string(), "60");
//! ```

/// Hash maps inside the ledger: foldhash with a fixed seed. The keys are ids
/// the host gives (events, orders, accounts), not input an attacker picks per
/// request, and SipHash was a sixth of the replay's instructions.
pub(crate) type Map<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;
/// A set with the same hasher as [`Map`].
pub(crate) type Set<K> = std::collections::HashSet<K, foldhash::fast::FixedState>;

mod account;
pub(crate) mod amount;
mod book;
mod error;
mod event;
mod pay;
pub(crate) mod policy;
mod view;
mod wallet;

pub use book::{Ledger, PostStatus};
pub(crate) use book::{amount as validate_amount, parse_at, refunded_parts};
pub use error::{LEDGER_ERROR_CODES, LedgerError};
pub use event::{
    AdjustEvent, EVENT_TYPES, EarnEvent, EarnLine, LedgerEvent, MergeEvent, RedeemEvent,
    RefundEvent, RefundLine, ReverseEvent, TransferEvent, WalletChargeEvent, WalletDepositEvent,
    WalletLimitEvent, WalletRefundEvent,
};
pub use pay::{Payment, PaymentRequest};
pub use view::{
    Balance, Expiring, ExpiringLot, LotChange, LotView, Movement, PointsTotals, Statement,
};
