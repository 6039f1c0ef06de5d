//! Membership tiers: qualification over a window, upgrades the moment a
//! threshold is crossed, downgrades only when a period is evaluated, manual
//! overrides, and progress ("spend X more by DATE to reach / keep TIER").
//!
//! * **Qualification** counts spend, points, orders and visits (local days
//!   with an order or a visit) over the program's window: the last N months
//!   (evaluated at the start of every month, quarter or year), the calendar
//!   year (a Persian-calendar program's year starts at Nowruz), the
//!   membership year (from the member's first event), or lifetime. A tier's
//!   thresholds combine with `all` or `any`.
//! * **Upgrades** happen at the event that crosses a threshold. The order
//!   that crosses it earns at the new tier or the old one, as
//!   `crossing_order` says ([`TierBook::order_tier`] answers which).
//! * **Downgrades** happen only at evaluation instants: a member below their
//!   tier's retention threshold drops to the highest tier whose retention
//!   the evaluated window meets (at most one level with `one_level_down`),
//!   after `grace_days` unless they reach the retention threshold in the
//!   meantime (activity in the grace period that meets a lower tier's
//!   retention lands them on that tier instead: more activity never ends
//!   in a lower tier). Refunds lower the metrics; with `refunds = "immediate"` a
//!   refund also undoes, at once, upgrades since the last evaluation that the
//!   remaining activity no longer reaches.
//! * **Overrides** set a tier by hand until an instant. A `floor` override
//!   means "at least this tier": the member still goes higher by
//!   qualifying, evaluations cannot take them below it while it lasts, and
//!   when it ends they hold what they qualify for by then. An `exact`
//!   override holds the tier whatever the member qualifies for.
//! * **Replay.** The history is a pure function of each account's events in
//!   time order (ties broken by event id), so posting them in any order, or
//!   all at once, gives the same transitions. Ledger events can be posted as
//!   they are ([`TierEvent::from_ledger`]).
//!
//! ```
//! use loyalty_core::Program;
//! use loyalty_core::tiers::{TierBook, TierEvent};
//!
//! let program = Program::from_toml(r#"
//! schema_version = 1
//! id = "tehran-cafe"
//! currency = "IRR"
//! time_zone = "Asia/Tehran"
//! calendar = "persian"
//!
//! [tiers]
//! window = "calendar_year"
//! [[tiers.levels]]
//! id = "member"
//! [[tiers.levels]]
//! id = "gold"
//! qualify = { spend = "50000000" }
//! retain = { spend = "30000000" }
//! benefits = { multiplier = "1.5" }
//! "#).unwrap();
//!
//! let order: TierEvent = serde_json::from_str(r#"{"type": "order", "id": "o-1",
//!     "account": "m-1", "at": "2025-12-01T18:00:00+03:30", "spend": "60000000"}"#).unwrap();
//! let mut tiers = TierBook::new();
//! tiers.post(&program, &order).unwrap();
//!
//! let s = tiers.status(&program, "m-1", "2026-01-10T00:00:00+03:30").unwrap();
//! assert_eq!(s.tier.as_deref(), Some("gold"));
//! // The Persian year 1404 ends at Nowruz: that is when gold is next evaluated.
//! assert_eq!(s.keep.unwrap().by.as_deref(), Some("2026-03-21T00:00:00+03:30"));
//!
//! // Nowruz 1405 evaluates 1404 (kept), Nowruz 1406 evaluates an empty 1405.
//! let h = tiers.history(&program, "m-1", "2027-04-01T00:00:00+03:30").unwrap();
//! let changes: Vec<_> = h.transitions.iter()
//!     .map(|t| (t.at.as_str(), t.to.as_deref())).collect();
//! assert_eq!(changes, [
//!     ("2025-12-01T18:00:00+03:30", Some("member")),
//!     ("2025-12-01T18:00:00+03:30", Some("gold")),
//!     ("2027-03-21T00:00:00+03:30", Some("member")),
//! ]);
//! ```

mod book;
mod clock;
mod error;
mod event;
mod fold;
pub(crate) mod policy;
mod view;

pub use book::{TierBook, TierPostStatus};
pub use error::{TIER_ONLY_ERROR_CODES, TierError, tier_error_codes};
pub use event::{
    OverrideMode, TIER_EVENT_TYPES, TierEvent, TierJoin, TierOrder, TierOverride, TierPoints,
    TierVisit,
};
pub use view::{
    Benefits, Cause, Metrics, Needs, OrderTier, OverrideView, PendingDowngrade, Progress,
    TierHistory, TierStatus, Transition, WindowView,
};
