//! Why the ledger refused an event or a query.

use crate::error::{Coded, ShapeError};

/// A refused event or query. Nothing was changed. Every variant names the path
/// of the value it is about (in the event or request as posted).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// The event or request does not have the expected shape.
    #[error(transparent)]
    Shape(#[from] ShapeError),
    /// An id or account that is empty.
    #[error("`{path}` must not be empty")]
    EmptyId {
        /// Path of the id.
        path: String,
    },
    /// A timestamp that is not RFC 3339 with an offset.
    #[error(
        "invalid timestamp `{value}` at `{path}`: expected RFC 3339 with an offset, e.g. `2026-03-01T18:30:00+03:00`, in the years 1000 to 9000"
    )]
    InvalidTimestamp {
        /// Path of the timestamp.
        path: String,
        /// The text.
        value: String,
    },
    /// An amount with more than four decimals, or beyond ±10^12.
    #[error("amount `{value}` at `{path}` has more than four decimals or is too large")]
    InvalidAmount {
        /// Path of the amount.
        path: String,
        /// The amount.
        value: String,
    },
    /// An amount that must be more than zero.
    #[error("amount `{value}` at `{path}` must be more than zero")]
    NotPositive {
        /// Path of the amount.
        path: String,
        /// The amount.
        value: String,
    },
    /// An amount that must not be negative.
    #[error("amount `{value}` at `{path}` must not be negative")]
    NegativeAmount {
        /// Path of the amount.
        path: String,
        /// The amount.
        value: String,
    },
    /// An adjustment of zero points.
    #[error("adjustment at `{path}` must not be zero")]
    ZeroAdjustment {
        /// Path of the points.
        path: String,
    },
    /// An adjustment without a reason.
    #[error("`{path}` must say why")]
    MissingReason {
        /// Path of the reason.
        path: String,
    },
    /// The id was already posted with different content.
    #[error("event id `{id}` was already posted with different content")]
    ConflictingDuplicate {
        /// Always `id`.
        path: String,
        /// The id.
        id: String,
    },
    /// A second earn event for an order that already earned.
    #[error("order `{order}` already earned points (event `{earned_by}`)")]
    OrderAlreadyEarned {
        /// Path of the order.
        path: String,
        /// The order.
        order: String,
        /// The event that earned them.
        earned_by: String,
    },
    /// The account was merged into another and takes no events.
    #[error("account `{account}` was merged into `{into}`; post to `{into}`")]
    AccountMerged {
        /// Path of the account.
        path: String,
        /// The merged account.
        account: String,
        /// The surviving account.
        into: String,
    },
    /// The account is of the other kind (points or stored value).
    #[error("account `{account}` at `{path}` is a {kind} account")]
    WrongAccountKind {
        /// Path of the account.
        path: String,
        /// The account.
        account: String,
        /// `points` or `wallet`.
        kind: &'static str,
    },
    /// An account with no events where one is needed.
    #[error("unknown account `{account}` at `{path}`")]
    UnknownAccount {
        /// Path of the account.
        path: String,
        /// The account.
        account: String,
    },
    /// A transfer or merge from an account into itself.
    #[error("`{path}` names the same account on both sides")]
    SameAccount {
        /// Path of the second account.
        path: String,
    },
    /// Not enough points available at the event's time.
    #[error("{requested} points asked at `{path}`, {available} available")]
    InsufficientPoints {
        /// Path of the points.
        path: String,
        /// Points available.
        available: String,
        /// Points asked for.
        requested: String,
    },
    /// Not enough money within the credit limit.
    #[error("{requested} asked at `{path}`, {available} available including credit")]
    InsufficientFunds {
        /// Path of the amount.
        path: String,
        /// Money available, credit included.
        available: String,
        /// Money asked for.
        requested: String,
    },
    /// A refund of an order the ledger has no record of.
    #[error("unknown order `{order}` at `{path}`")]
    UnknownOrder {
        /// Path of the order.
        path: String,
        /// The order.
        order: String,
    },
    /// A refund line that the earn event does not have.
    #[error("order has no line {line} (`{path}`)")]
    UnknownLine {
        /// Path of the line index.
        path: String,
        /// The index.
        line: usize,
    },
    /// A refund by line of an order whose earn event listed no lines, or by
    /// amount of one whose events gave no amount.
    #[error("cannot refund by {by} at `{path}`: the order's events did not give its {by}")]
    RefundBasisMissing {
        /// Path of the lines or amount.
        path: String,
        /// `lines` or `amount`.
        by: &'static str,
    },
    /// More refunded than was sold (or charged), counting earlier refunds.
    #[error("refund at `{path}` exceeds what is left: {left} left, {requested} asked")]
    OverRefund {
        /// Path of the quantity or amount.
        path: String,
        /// What is left to refund.
        left: String,
        /// What was asked.
        requested: String,
    },
    /// Everything was already refunded or reversed.
    #[error("nothing left to refund or reverse at `{path}`")]
    NothingToRefund {
        /// Path of the order or target.
        path: String,
    },
    /// A reversal of an unknown event.
    #[error("unknown event `{target}` at `{path}`")]
    UnknownTarget {
        /// Path of the target.
        path: String,
        /// The id.
        target: String,
    },
    /// A reversal of an event that cannot be undone that way.
    #[error(
        "event `{target}` at `{path}` cannot be reversed; only earn, redeem and adjust events can"
    )]
    NotReversible {
        /// Path of the target.
        path: String,
        /// The id.
        target: String,
    },
    /// Paying with points is not configured in the program.
    #[error("the program does not allow paying with points (no `ledger.redemption`)")]
    RedemptionNotConfigured,
    /// The payment would use fewer points than the program's minimum.
    #[error("{points} points at `{path}` is below the minimum of {minimum}")]
    BelowMinimum {
        /// Path of the request value.
        path: String,
        /// Points that could be used.
        points: String,
        /// The minimum.
        minimum: String,
    },
    /// An earn event whose lines' points do not add up to its points.
    #[error("the lines at `{path}` earn {lines} points, the event {points}")]
    LinesMismatch {
        /// Always `lines`.
        path: String,
        /// The event's points.
        points: String,
        /// The lines' points added up.
        lines: String,
    },
    /// A merge dated before the merged account's last event.
    #[error("`{path}` is before the merged account's last event")]
    OutOfOrder {
        /// Path of the time.
        path: String,
    },
    /// A sum beyond what the ledger can hold.
    #[error("arithmetic overflow at `{path}`")]
    ArithmeticOverflow {
        /// Path of the value.
        path: String,
    },
}

impl Coded for LedgerError {
    fn code(&self) -> &'static str {
        match self {
            Self::Shape(e) => e.code(),
            Self::EmptyId { .. } => "empty_id",
            Self::InvalidTimestamp { .. } => "invalid_timestamp",
            Self::InvalidAmount { .. } => "invalid_amount",
            Self::NotPositive { .. } => "not_positive",
            Self::NegativeAmount { .. } => "negative_amount",
            Self::ZeroAdjustment { .. } => "zero_adjustment",
            Self::MissingReason { .. } => "missing_reason",
            Self::ConflictingDuplicate { .. } => "conflicting_duplicate",
            Self::OrderAlreadyEarned { .. } => "order_already_earned",
            Self::AccountMerged { .. } => "account_merged",
            Self::WrongAccountKind { .. } => "wrong_account_kind",
            Self::UnknownAccount { .. } => "unknown_account",
            Self::SameAccount { .. } => "same_account",
            Self::InsufficientPoints { .. } => "insufficient_points",
            Self::InsufficientFunds { .. } => "insufficient_funds",
            Self::UnknownOrder { .. } => "unknown_order",
            Self::UnknownLine { .. } => "unknown_line",
            Self::RefundBasisMissing { .. } => "refund_basis_missing",
            Self::OverRefund { .. } => "over_refund",
            Self::NothingToRefund { .. } => "nothing_to_refund",
            Self::UnknownTarget { .. } => "unknown_target",
            Self::NotReversible { .. } => "not_reversible",
            Self::RedemptionNotConfigured => "redemption_not_configured",
            Self::BelowMinimum { .. } => "below_minimum",
            Self::LinesMismatch { .. } => "lines_mismatch",
            Self::OutOfOrder { .. } => "out_of_order",
            Self::ArithmeticOverflow { .. } => "arithmetic_overflow",
        }
    }

    fn path(&self) -> &str {
        match self {
            Self::Shape(e) => e.path(),
            Self::RedemptionNotConfigured => "",
            Self::EmptyId { path }
            | Self::InvalidTimestamp { path, .. }
            | Self::InvalidAmount { path, .. }
            | Self::NotPositive { path, .. }
            | Self::NegativeAmount { path, .. }
            | Self::ZeroAdjustment { path }
            | Self::MissingReason { path }
            | Self::ConflictingDuplicate { path, .. }
            | Self::OrderAlreadyEarned { path, .. }
            | Self::AccountMerged { path, .. }
            | Self::WrongAccountKind { path, .. }
            | Self::UnknownAccount { path, .. }
            | Self::SameAccount { path }
            | Self::InsufficientPoints { path, .. }
            | Self::InsufficientFunds { path, .. }
            | Self::UnknownOrder { path, .. }
            | Self::UnknownLine { path, .. }
            | Self::RefundBasisMissing { path, .. }
            | Self::OverRefund { path, .. }
            | Self::NothingToRefund { path }
            | Self::UnknownTarget { path, .. }
            | Self::NotReversible { path, .. }
            | Self::BelowMinimum { path, .. }
            | Self::OutOfOrder { path }
            | Self::LinesMismatch { path, .. }
            | Self::ArithmeticOverflow { path } => path,
        }
    }
}

/// Every code a [`LedgerError`] can carry, for drift tests in the bindings.
pub const LEDGER_ERROR_CODES: &[&str] = &[
    "syntax_error",
    "unknown_field",
    "missing_field",
    "invalid_type",
    "unknown_variant",
    "invalid_decimal",
    "float_not_allowed",
    "invalid_value",
    "empty_id",
    "invalid_timestamp",
    "invalid_amount",
    "not_positive",
    "negative_amount",
    "zero_adjustment",
    "missing_reason",
    "conflicting_duplicate",
    "order_already_earned",
    "account_merged",
    "wrong_account_kind",
    "unknown_account",
    "same_account",
    "insufficient_points",
    "insufficient_funds",
    "unknown_order",
    "unknown_line",
    "refund_basis_missing",
    "over_refund",
    "nothing_to_refund",
    "unknown_target",
    "not_reversible",
    "redemption_not_configured",
    "below_minimum",
    "lines_mismatch",
    "out_of_order",
    "arithmetic_overflow",
];
