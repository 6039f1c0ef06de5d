//! Why the tier book refused an event or a query.

use crate::error::{Coded, ShapeError};
use crate::ledger::{LEDGER_ERROR_CODES, LedgerError};

/// A refused tier event or query; nothing was changed. Checks shared with
/// the ledger (ids, timestamps, amounts, refunds, merges) keep the ledger's
/// codes, so an event posted to both is refused the same way.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TierError {
    /// A check the ledger makes on the same event shape.
    #[error(transparent)]
    Event(#[from] LedgerError),
    /// The program has no `[tiers]` section.
    #[error("the program has no tiers")]
    TiersNotConfigured,
    /// A tier id the program does not define.
    #[error("unknown tier `{tier}` at `{path}`")]
    UnknownTier {
        /// Path of the tier id.
        path: String,
        /// The id.
        tier: String,
    },
    /// An override that ends before it starts.
    #[error("override at `{path}` ends before it starts")]
    OverrideEndsEarly {
        /// Always `until`.
        path: String,
    },
    /// A second event for an order already posted under another id.
    #[error("order `{order}` was already posted as event `{posted_as}`")]
    DuplicateOrder {
        /// Always `order`.
        path: String,
        /// The order.
        order: String,
        /// The event that posted it.
        posted_as: String,
    },
    /// A reversal of an event that was already reversed or wholly refunded.
    #[error("event `{target}` at `{path}` has nothing left to reverse")]
    AlreadyReversed {
        /// Always `target`.
        path: String,
        /// The target's id.
        target: String,
    },
}

impl From<ShapeError> for TierError {
    fn from(e: ShapeError) -> Self {
        Self::Event(LedgerError::Shape(e))
    }
}

impl Coded for TierError {
    fn code(&self) -> &'static str {
        match self {
            Self::Event(e) => e.code(),
            Self::TiersNotConfigured => "tiers_not_configured",
            Self::UnknownTier { .. } => "unknown_tier",
            Self::OverrideEndsEarly { .. } => "override_ends_early",
            Self::DuplicateOrder { .. } => "duplicate_order",
            Self::AlreadyReversed { .. } => "already_reversed",
        }
    }

    fn path(&self) -> &str {
        match self {
            Self::Event(e) => e.path(),
            Self::TiersNotConfigured => "",
            Self::UnknownTier { path, .. }
            | Self::OverrideEndsEarly { path }
            | Self::DuplicateOrder { path, .. }
            | Self::AlreadyReversed { path, .. } => path,
        }
    }
}

/// The codes only the tier book gives; it also gives the ledger's codes for
/// the checks they share (see [`tier_error_codes`]).
pub const TIER_ONLY_ERROR_CODES: &[&str] = &[
    "tiers_not_configured",
    "unknown_tier",
    "override_ends_early",
    "duplicate_order",
    "already_reversed",
];

/// Every code a tier event or query can be refused with.
pub fn tier_error_codes() -> Vec<&'static str> {
    const SHARED: &[&str] = &[
        "empty_id",
        "invalid_timestamp",
        "invalid_amount",
        "not_positive",
        "negative_amount",
        "conflicting_duplicate",
        "account_merged",
        "unknown_account",
        "same_account",
        "unknown_order",
        "unknown_line",
        "refund_basis_missing",
        "over_refund",
        "nothing_to_refund",
        "unknown_target",
        "not_reversible",
        "lines_mismatch",
        "out_of_order",
        "arithmetic_overflow",
    ];
    LEDGER_ERROR_CODES
        .iter()
        .take_while(|c| **c != "empty_id")
        .chain(SHARED)
        .chain(TIER_ONLY_ERROR_CODES)
        .copied()
        .collect()
}
