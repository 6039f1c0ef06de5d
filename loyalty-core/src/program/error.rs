//! Errors found while loading a program file.

use crate::error::{Coded, ShapeError};

/// Something wrong in a program file. Every variant names the path of the bad value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProgramError {
    /// The file could not be read as the format's shape (syntax, unknown key, wrong type).
    #[error(transparent)]
    Shape(#[from] ShapeError),
    /// `schema_version` is not one this build reads.
    #[error("unsupported schema version {found} at `{path}`, this build reads version {supported}")]
    UnsupportedSchemaVersion {
        /// Always `schema_version`.
        path: String,
        /// The version in the file.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
    /// An id that is not lower-case letters, digits, `-` and `_` (1 to 64 characters).
    #[error(
        "invalid identifier `{value}` at `{path}`: use 1 to 64 lower-case letters, digits, `-` or `_`"
    )]
    InvalidIdentifier {
        /// Path of the id.
        path: String,
        /// The id.
        value: String,
    },
    /// Not an ISO 4217 currency code with minor units.
    #[error("unknown currency `{value}` at `{path}`: expected an ISO 4217 code such as `SAR`")]
    InvalidCurrency {
        /// Path of the code.
        path: String,
        /// The code.
        value: String,
    },
    /// Not an IANA time zone name.
    #[error(
        "unknown time zone `{value}` at `{path}`: expected an IANA name this build carries, such as `Asia/Tehran`"
    )]
    InvalidTimeZone {
        /// Path of the name.
        path: String,
        /// The name.
        value: String,
    },
    /// Points scale outside 0 to 4.
    #[error("points scale {value} at `{path}` is out of range, use 0 to 4")]
    InvalidScale {
        /// Path of the scale.
        path: String,
        /// The scale.
        value: u32,
    },
    /// Decimal text that is not a number.
    #[error("invalid decimal `{value}` at `{path}`")]
    InvalidDecimal {
        /// Path of the value.
        path: String,
        /// The text.
        value: String,
    },
    /// Two rules share an id.
    #[error("duplicate rule id `{id}` at `{path}`")]
    DuplicateRuleId {
        /// Path of the second rule's id.
        path: String,
        /// The id.
        id: String,
    },
    /// A rule with none of `rate`, `multiplier`, `bonus`, `event`.
    #[error("rule at `{path}` has no effect: give one of `rate`, `multiplier`, `bonus` or `event`")]
    MissingEffect {
        /// Path of the rule.
        path: String,
    },
    /// A rule with more than one effect.
    #[error("rule at `{path}` has several effects ({}): give exactly one", effects.join(", "))]
    ConflictingEffects {
        /// Path of the rule.
        path: String,
        /// The effects it gave.
        effects: Vec<&'static str>,
    },
    /// A value that must be greater than zero.
    #[error("`{value}` at `{path}` must be greater than zero")]
    NotPositive {
        /// Path of the value.
        path: String,
        /// The value.
        value: String,
    },
    /// A value that must not be negative.
    #[error("`{value}` at `{path}` must not be negative")]
    NegativeValue {
        /// Path of the value.
        path: String,
        /// The value.
        value: String,
    },
    /// A multiplier below 1 (it would take points away).
    #[error("multiplier `{value}` at `{path}` must be at least 1")]
    InvalidMultiplier {
        /// Path of the multiplier.
        path: String,
        /// The multiplier.
        value: String,
    },
    /// A time of day that is not `HH:MM`.
    #[error("invalid time `{value}` at `{path}`: expected `HH:MM` from 00:00 to 24:00")]
    InvalidTime {
        /// Path of the time.
        path: String,
        /// The text.
        value: String,
    },
    /// A time window whose start equals its end.
    #[error("time window at `{path}` is empty: `from` equals `to`")]
    EmptyTimeWindow {
        /// Path of the window.
        path: String,
    },
    /// A date that does not exist in its calendar.
    #[error("invalid date `{value}` at `{path}` in the {calendar} calendar")]
    InvalidDate {
        /// Path of the date.
        path: String,
        /// The text.
        value: String,
        /// The calendar it was read in.
        calendar: &'static str,
    },
    /// A date window whose end is before its start.
    #[error("date window at `{path}` ends (`{to}`) before it starts (`{from}`)")]
    InvertedWindow {
        /// Path of the window.
        path: String,
        /// Start as written.
        from: String,
        /// End as written.
        to: String,
    },
    /// A month number outside 1 to 12.
    #[error("invalid month {value} at `{path}`: use 1 to 12")]
    InvalidMonth {
        /// Path of the month.
        path: String,
        /// The number.
        value: u8,
    },
    /// A condition list with nothing in it, which could never match.
    #[error("empty list at `{path}` can never match: remove the condition or add values")]
    EmptyList {
        /// Path of the list.
        path: String,
    },
    /// The same value both included and excluded.
    #[error("`{value}` at `{path}` is both included and excluded")]
    ConflictingFilter {
        /// Path of the exclusion.
        path: String,
        /// The value.
        value: String,
    },
    /// A `rate` rule in the same exclusive group as a rule of another kind.
    #[error("group `{group}` at `{path}` mixes rate rules with other kinds of rule")]
    MixedGroup {
        /// Path of the rule that mixes.
        path: String,
        /// The group.
        group: String,
    },
    /// A condition that cannot apply to this kind of rule (line filters on an event rule).
    #[error("condition `{condition}` at `{path}` does not apply to event rules")]
    ConditionNotApplicable {
        /// Path of the condition.
        path: String,
        /// The condition's name.
        condition: &'static str,
    },
    /// A percentage outside 0 to 100.
    #[error("percentage `{value}` at `{path}` must be between 0 and 100")]
    PercentOutOfRange {
        /// Path of the value.
        path: String,
        /// The value.
        value: String,
    },
    /// A minimum above its maximum.
    #[error("minimum at `{path}` is above the maximum")]
    InvertedLimits {
        /// Path of the minimum.
        path: String,
    },
    /// Two tiers with the same id.
    #[error("duplicate tier id `{id}` at `{path}`")]
    DuplicateTierId {
        /// Path of the second id.
        path: String,
        /// The id.
        id: String,
    },
    /// A tier above the first without any qualification threshold.
    #[error(
        "tier at `{path}` needs at least one threshold (spend, points, orders or visits); only the first tier may have none"
    )]
    MissingThreshold {
        /// Path of the thresholds.
        path: String,
    },
    /// A tier window setting that does not fit the window kind.
    #[error("{message} at `{path}`")]
    InvalidWindow {
        /// Path of the setting.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// Two coupon campaigns with the same id.
    #[error("duplicate coupon campaign id `{id}` at `{path}`")]
    DuplicateCouponId {
        /// Path of the second id.
        path: String,
        /// The id.
        id: String,
    },
    /// A campaign with neither `code` nor `codes`, or with both.
    #[error(
        "coupon campaign at `{path}` needs exactly one of `code` (a public code) and `codes` (generated codes)"
    )]
    CodeSourceNotOne {
        /// Path of the campaign.
        path: String,
    },
    /// A public code that is not 1 to 64 upper-case letters, digits, `-` or `_`.
    #[error(
        "invalid coupon code `{value}` at `{path}`: use 1 to 64 upper-case letters, digits, `-` or `_`"
    )]
    InvalidCode {
        /// Path of the code.
        path: String,
        /// The code.
        value: String,
    },
    /// Two campaigns with the same public code.
    #[error(
        "public code `{code}` at `{path}` reads as the code of `{campaign}` (case, spaces, dashes and underscores do not count)"
    )]
    DuplicateCode {
        /// Path of the second code.
        path: String,
        /// The code.
        code: String,
        /// The campaign that has it first.
        campaign: String,
    },
    /// A code pattern or alphabet that cannot make good codes.
    #[error("{message} at `{path}` ({reason})")]
    InvalidCodeFormat {
        /// Path of the pattern or alphabet.
        path: String,
        /// Stable code of what is wrong (`alphabet_not_prime`, `duplicate_symbol`, ...).
        reason: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A tier's benefits name a coupon campaign the program does not have.
    #[error("unknown coupon campaign `{id}` at `{path}`")]
    UnknownCoupon {
        /// Path of the name.
        path: String,
        /// The name.
        id: String,
    },
    /// A phone region that is not an ISO 3166 alpha-2 code the phone metadata knows.
    #[error(
        "unknown phone region `{value}` at `{path}`: expected an ISO 3166 code such as `IR` or `SA`"
    )]
    InvalidRegion {
        /// Path of the region.
        path: String,
        /// The text.
        value: String,
    },
    /// A merge weight or threshold that is not a finite number.
    #[error("`{path}` must be a finite number")]
    InvalidWeight {
        /// Path of the weight.
        path: String,
    },
    /// A referral qualification with both or neither of `min_order` and `event`.
    #[error("`{path}` needs exactly one of `min_order` and `event`")]
    InvalidReferralQualify {
        /// Always `referrals.qualify`.
        path: String,
    },
    /// RFM cut points that are not four values in increasing order.
    #[error("`{path}` needs four cut points, each larger than the one before")]
    CutPointsNotIncreasing {
        /// Path of the list.
        path: String,
    },
    /// A score range outside 1 to 5, or a range whose least is above its most.
    #[error("`{path}` must be `[least, most]` with least <= most (scores from 1 to 5)")]
    InvalidScoreRange {
        /// Path of the range.
        path: String,
    },
    /// Two segment rules with one name.
    #[error("segment `{name}` at `{path}` is defined twice")]
    DuplicateSegment {
        /// Path of the second name.
        path: String,
        /// The name.
        name: String,
    },
    /// Segment rules whose last one has conditions, so some customers fit none.
    #[error("the last rule of `{path}` must have no conditions, so every customer has a segment")]
    SegmentsNotExhaustive {
        /// Always `insights.segments`.
        path: String,
    },
}

impl ProgramError {
    pub(crate) fn percent(path: String, value: &str) -> Self {
        Self::PercentOutOfRange {
            path,
            value: value.to_owned(),
        }
    }
}

impl Coded for ProgramError {
    fn code(&self) -> &'static str {
        match self {
            Self::Shape(e) => e.code(),
            Self::UnsupportedSchemaVersion { .. } => "unsupported_schema_version",
            Self::InvalidIdentifier { .. } => "invalid_identifier",
            Self::InvalidCurrency { .. } => "invalid_currency",
            Self::InvalidTimeZone { .. } => "invalid_time_zone",
            Self::InvalidScale { .. } => "invalid_scale",
            Self::InvalidDecimal { .. } => "invalid_decimal",
            Self::DuplicateRuleId { .. } => "duplicate_rule_id",
            Self::MissingEffect { .. } => "missing_effect",
            Self::ConflictingEffects { .. } => "conflicting_effects",
            Self::NotPositive { .. } => "not_positive",
            Self::NegativeValue { .. } => "negative_value",
            Self::InvalidMultiplier { .. } => "invalid_multiplier",
            Self::InvalidTime { .. } => "invalid_time",
            Self::EmptyTimeWindow { .. } => "empty_time_window",
            Self::InvalidDate { .. } => "invalid_date",
            Self::InvertedWindow { .. } => "inverted_window",
            Self::InvalidMonth { .. } => "invalid_month",
            Self::EmptyList { .. } => "empty_list",
            Self::ConflictingFilter { .. } => "conflicting_filter",
            Self::MixedGroup { .. } => "mixed_group",
            Self::ConditionNotApplicable { .. } => "condition_not_applicable",
            Self::PercentOutOfRange { .. } => "percent_out_of_range",
            Self::InvertedLimits { .. } => "inverted_limits",
            Self::DuplicateTierId { .. } => "duplicate_tier_id",
            Self::MissingThreshold { .. } => "missing_threshold",
            Self::InvalidWindow { .. } => "invalid_window",
            Self::DuplicateCouponId { .. } => "duplicate_coupon_id",
            Self::CodeSourceNotOne { .. } => "code_source_not_one",
            Self::InvalidCode { .. } => "invalid_code",
            Self::DuplicateCode { .. } => "duplicate_code",
            Self::InvalidCodeFormat { .. } => "invalid_code_format",
            Self::UnknownCoupon { .. } => "unknown_coupon",
            Self::InvalidRegion { .. } => "invalid_region",
            Self::InvalidWeight { .. } => "invalid_weight",
            Self::InvalidReferralQualify { .. } => "invalid_referral_qualify",
            Self::CutPointsNotIncreasing { .. } => "cut_points_not_increasing",
            Self::InvalidScoreRange { .. } => "invalid_score_range",
            Self::DuplicateSegment { .. } => "duplicate_segment",
            Self::SegmentsNotExhaustive { .. } => "segments_not_exhaustive",
        }
    }

    fn path(&self) -> &str {
        match self {
            Self::Shape(e) => e.path(),
            Self::UnsupportedSchemaVersion { path, .. }
            | Self::InvalidIdentifier { path, .. }
            | Self::InvalidCurrency { path, .. }
            | Self::InvalidTimeZone { path, .. }
            | Self::InvalidScale { path, .. }
            | Self::InvalidDecimal { path, .. }
            | Self::DuplicateRuleId { path, .. }
            | Self::MissingEffect { path }
            | Self::ConflictingEffects { path, .. }
            | Self::NotPositive { path, .. }
            | Self::NegativeValue { path, .. }
            | Self::InvalidMultiplier { path, .. }
            | Self::InvalidTime { path, .. }
            | Self::EmptyTimeWindow { path }
            | Self::InvalidDate { path, .. }
            | Self::InvertedWindow { path, .. }
            | Self::InvalidMonth { path, .. }
            | Self::EmptyList { path }
            | Self::ConflictingFilter { path, .. }
            | Self::MixedGroup { path, .. }
            | Self::ConditionNotApplicable { path, .. }
            | Self::PercentOutOfRange { path, .. }
            | Self::InvertedLimits { path }
            | Self::DuplicateTierId { path, .. }
            | Self::MissingThreshold { path }
            | Self::InvalidWindow { path, .. }
            | Self::DuplicateCouponId { path, .. }
            | Self::CodeSourceNotOne { path }
            | Self::InvalidCode { path, .. }
            | Self::DuplicateCode { path, .. }
            | Self::InvalidCodeFormat { path, .. }
            | Self::UnknownCoupon { path, .. }
            | Self::InvalidRegion { path, .. }
            | Self::InvalidWeight { path }
            | Self::InvalidReferralQualify { path }
            | Self::CutPointsNotIncreasing { path }
            | Self::InvalidScoreRange { path }
            | Self::DuplicateSegment { path, .. }
            | Self::SegmentsNotExhaustive { path } => path,
        }
    }
}

/// Every code a [`ProgramError`] can carry, for drift tests in the bindings.
pub const PROGRAM_ERROR_CODES: &[&str] = &[
    "syntax_error",
    "unknown_field",
    "missing_field",
    "invalid_type",
    "unknown_variant",
    "invalid_decimal",
    "float_not_allowed",
    "invalid_value",
    "unsupported_schema_version",
    "invalid_identifier",
    "invalid_currency",
    "invalid_time_zone",
    "invalid_scale",
    "duplicate_rule_id",
    "missing_effect",
    "conflicting_effects",
    "not_positive",
    "negative_value",
    "invalid_multiplier",
    "invalid_time",
    "empty_time_window",
    "invalid_date",
    "inverted_window",
    "invalid_month",
    "empty_list",
    "conflicting_filter",
    "mixed_group",
    "condition_not_applicable",
    "percent_out_of_range",
    "inverted_limits",
    "duplicate_tier_id",
    "missing_threshold",
    "invalid_window",
    "duplicate_coupon_id",
    "code_source_not_one",
    "invalid_code",
    "duplicate_code",
    "invalid_code_format",
    "unknown_coupon",
    "invalid_region",
    "invalid_weight",
    "invalid_referral_qualify",
    "cut_points_not_increasing",
    "invalid_score_range",
    "duplicate_segment",
    "segments_not_exhaustive",
];

/// All the errors found in one program file (never empty), in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramErrors(pub(crate) Vec<ProgramError>);

impl ProgramErrors {
    /// The errors, in the order they were found.
    pub fn errors(&self) -> &[ProgramError] {
        &self.0
    }

    /// The first error.
    pub fn first(&self) -> Option<&ProgramError> {
        self.0.first()
    }
}

impl std::fmt::Display for ProgramErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.as_slice() {
            [] => f.write_str("invalid program"),
            [one] => write!(f, "{one}"),
            [first, rest @ ..] => write!(f, "{first} (and {} more)", rest.len()),
        }
    }
}

impl std::error::Error for ProgramErrors {}

impl From<ProgramError> for ProgramErrors {
    fn from(e: ProgramError) -> Self {
        Self(vec![e])
    }
}

impl From<ShapeError> for ProgramErrors {
    fn from(e: ShapeError) -> Self {
        Self(vec![ProgramError::Shape(e)])
    }
}
