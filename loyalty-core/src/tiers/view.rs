//! What the tier book answers: status with progress, history, and the tier
//! an order earns at. Every instant is RFC 3339 in the program's time zone.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::program::format::{Combine, FlagValue};

/// Qualification metrics over a window. Spend is money with the currency's
/// minor-unit digits; points are written without trailing zeros.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
pub struct Metrics {
    /// Spend, less refunds.
    #[schemars(with = "String")]
    pub spend: Decimal,
    /// Points (earned, less refunds; less redemptions when so configured).
    #[schemars(with = "String")]
    pub points: Decimal,
    /// Orders not wholly refunded or reversed.
    pub orders: u64,
    /// Local days with an order or a visit.
    pub visits: u64,
}

/// What is still missing to meet a set of thresholds; only the thresholds
/// the tier sets appear, zero where met.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
pub struct Needs {
    /// Spend still needed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub spend: Option<Decimal>,
    /// Points still needed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub points: Option<Decimal>,
    /// Orders still needed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orders: Option<u64>,
    /// Visits still needed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visits: Option<u64>,
}

/// Progress towards a tier's thresholds: "spend X more by DATE to reach / keep TIER".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Progress {
    /// The tier.
    pub tier: String,
    /// The deadline: for reaching, when the current window closes (absent
    /// for rolling and lifetime windows, which never close); for keeping,
    /// the next evaluation or the end of the grace period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// Whether `all` thresholds or `any` one is needed.
    #[serde(rename = "match")]
    pub combine: Combine,
    /// The metrics that count towards it so far.
    pub metrics: Metrics,
    /// What is still missing, per threshold.
    pub needs: Needs,
    /// True when the thresholds are already met.
    pub met: bool,
}

/// A manual override in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct OverrideView {
    /// The tier it sets.
    pub tier: String,
    /// `floor` or `exact`.
    pub mode: super::OverrideMode,
    /// When it started.
    pub since: String,
    /// When it ends (absent: when cleared).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// Why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The event that set it.
    pub event: String,
}

/// A downgrade an evaluation decided, waiting for its grace period to end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PendingDowngrade {
    /// The tier the member will hold (absent: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// When it takes effect unless the member reaches the retention threshold first.
    pub at: String,
    /// The evaluation that decided it.
    pub evaluated_at: String,
}

/// The stretch of activity qualification counts at an instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct WindowView {
    /// First instant (absent for a lifetime window).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The instant asked about.
    pub to: String,
}

/// What a tier gives, as the program file says.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
pub struct Benefits {
    /// Multiplier on the points rate rules earn.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub multiplier: Option<Decimal>,
    /// Coupon campaigns the tier makes the member eligible for.
    pub coupons: Vec<String>,
    /// Free-form flags.
    pub flags: BTreeMap<String, FlagValue>,
}

/// A member's tier at one instant, with what it takes to go up or stay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct TierStatus {
    /// Account id.
    pub account: String,
    /// The instant asked about.
    pub as_of: String,
    /// The tier the member holds (absent: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// Since when they hold it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// Until when it is guaranteed: the earliest instant it can be lost
    /// given the activity so far (absent: no such instant, or no tier).
    /// Refunds under `refunds = "immediate"` can end it sooner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guaranteed_until: Option<String>,
    /// The tier qualification alone gives, without the override.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub earned_tier: Option<String>,
    /// The manual override in force, if any.
    #[serde(rename = "override", skip_serializing_if = "Option::is_none")]
    pub override_: Option<OverrideView>,
    /// A downgrade in its grace period, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_downgrade: Option<PendingDowngrade>,
    /// The current window.
    pub window: WindowView,
    /// Metrics in the current window.
    pub metrics: Metrics,
    /// Progress towards the next tier up (absent at the top, or under an exact override).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<Progress>,
    /// What keeping the earned tier at the next evaluation takes (absent
    /// when nothing can take it away).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keep: Option<Progress>,
    /// What the tier held gives.
    pub benefits: Benefits,
    /// The account this one was merged into, if it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<String>,
}

/// Why a member's tier changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// The member's first event gave them the base tier.
    Joined,
    /// Activity met a higher tier's thresholds.
    Qualified,
    /// An evaluation found the member below the tier's retention threshold.
    Evaluation,
    /// A grace period ended without the retention threshold met.
    GraceExpired,
    /// A refund or reversal undid an upgrade (`refunds = "immediate"`).
    Refund,
    /// A manual override was set or cleared.
    Override,
    /// A manual override ended.
    OverrideExpired,
    /// Another account's activity was merged in.
    Merge,
}

/// One change of the tier held, or of the tier earned under an override.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Transition {
    /// When.
    pub at: String,
    /// The tier held before (absent: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The tier held after (absent: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// The tier qualification gives after it (differs from `to` under an override).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub earned: Option<String>,
    /// Why.
    pub cause: Cause,
    /// The event that caused it (absent for evaluations and expiries).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// The metrics that decided it: the current window's for activity,
    /// the evaluated window's for evaluations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Metrics>,
}

/// A member's tier history up to an instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct TierHistory {
    /// Account id.
    pub account: String,
    /// The instant asked about.
    pub as_of: String,
    /// The tier held then (absent: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// Every change, oldest first.
    pub transitions: Vec<Transition>,
}

/// The tier an order earns at, before it is posted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct OrderTier {
    /// The tier to quote the order at (the `customer.tier` of the quote
    /// request), per `tiers.crossing_order`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// The tier held just before the order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// The tier held just after it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// The points multiplier of `tier`, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub multiplier: Option<Decimal>,
}
