//! Errors in a quote request.

use rust_decimal::Decimal;

use crate::error::{Coded, ShapeError};

/// Something wrong in a quote request. Every variant names the path of the bad value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The request does not have the expected shape.
    #[error(transparent)]
    Shape(#[from] ShapeError),
    /// Neither `order` nor `event` was given.
    #[error("nothing to quote: give `order` or `event`")]
    MissingSource,
    /// Both `order` and `event` were given.
    #[error("give `order` or `event`, not both")]
    AmbiguousSource,
    /// The order is in another currency than the program.
    #[error("currency `{found}` at `{path}` differs from the program's `{expected}`")]
    CurrencyMismatch {
        /// Path of the currency.
        path: String,
        /// The program's currency.
        expected: String,
        /// The order's currency.
        found: String,
    },
    /// A timestamp that is not RFC 3339 with an offset, or a day that is not `YYYY-MM-DD`.
    #[error(
        "invalid timestamp `{value}` at `{path}`: expected RFC 3339 with an offset for an instant \
         (`2026-03-01T18:30:00+03:00`), YYYY-MM-DD for a day"
    )]
    InvalidTimestamp {
        /// Path of the timestamp.
        path: String,
        /// The text.
        value: String,
    },
    /// An order without lines.
    #[error("order at `{path}` has no lines")]
    EmptyOrder {
        /// Path of the order.
        path: String,
    },
    /// A negative price, discount or tax.
    #[error("amount `{value}` at `{path}` must not be negative")]
    NegativeAmount {
        /// Path of the amount.
        path: String,
        /// The amount.
        value: Decimal,
    },
    /// A quantity of zero or less.
    #[error("quantity `{value}` at `{path}` must be greater than zero")]
    InvalidQuantity {
        /// Path of the quantity.
        path: String,
        /// The quantity.
        value: Decimal,
    },
    /// A discount larger than the line it is on.
    #[error("discount `{discount}` at `{path}` is larger than the line total `{total}`")]
    DiscountExceedsLine {
        /// Path of the discount.
        path: String,
        /// The discount.
        discount: Decimal,
        /// Quantity times unit price.
        total: Decimal,
    },
    /// Tax larger than the line after discount.
    #[error("tax `{tax}` at `{path}` is larger than the line total after discount `{total}`")]
    TaxExceedsLine {
        /// Path of the tax.
        path: String,
        /// The tax.
        tax: Decimal,
        /// The line total after discount.
        total: Decimal,
    },
    /// An empty identifier (event type, SKU).
    #[error("empty value at `{path}`")]
    EmptyValue {
        /// Path of the value.
        path: String,
    },
    /// A counter that went negative or whose window cannot be the rule's.
    #[error("invalid counter at `{path}`: {reason}")]
    InvalidCounter {
        /// Path of the counter.
        path: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A date the calendars cannot place (far outside any real order).
    #[error("date at `{path}` is outside the range the calendars support")]
    DateOutOfRange {
        /// Path of the date.
        path: String,
    },
    /// Amounts so large that the arithmetic overflowed.
    #[error("amounts at `{path}` are too large to compute exactly")]
    Overflow {
        /// Path of the input that overflowed.
        path: String,
    },
    /// A coupon campaign the program does not have.
    #[error("unknown coupon campaign `{id}` at `{path}`")]
    UnknownCampaign {
        /// Path of the campaign id.
        path: String,
        /// The id.
        id: String,
    },
    /// Two profiles in one call with the same id.
    #[error("profile id `{id}` at `{path}` is given twice")]
    DuplicateProfile {
        /// Path of the second id.
        path: String,
        /// The id.
        id: String,
    },
    /// Two orders in one call with the same id.
    #[error("order id `{id}` at `{path}` is given twice")]
    DuplicateOrder {
        /// Path of the second id.
        path: String,
        /// The id.
        id: String,
    },
    /// A name that is not an IANA time zone this build carries.
    #[error("unknown time zone `{value}` at `{path}`: expected an IANA name such as `Asia/Tehran`")]
    InvalidTimeZone {
        /// Path of the name.
        path: String,
        /// The name.
        value: String,
    },
    /// A trigger request with both or neither of `date` and `at`.
    #[error("give exactly one of `date` (everyone's local day) and `at` (an instant)")]
    DateAndAtNotOne,
    /// Generated codes asked of a campaign with a public code.
    #[error("coupon campaign `{campaign}` at `{path}` has a public code, not generated codes")]
    NotGenerated {
        /// Path of the campaign id.
        path: String,
        /// The campaign.
        campaign: String,
    },
    /// Personal codes need the customers they are for; unique codes take a count.
    #[error("{message} at `{path}`")]
    InvalidIssue {
        /// Path of the offending field.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A seed that is not a whole number from 0 to 18446744073709551615.
    #[error(
        "invalid seed `{value}` at `{path}`: expected a whole number from 0 to 18446744073709551615, as text"
    )]
    InvalidSeed {
        /// Path of the seed.
        path: String,
        /// The text.
        value: String,
    },
    /// Not enough unused codes of the campaign's pattern are left to generate that many.
    #[error("cannot generate {count} more codes at `{path}`: {message}")]
    CodeSpaceExhausted {
        /// Path of the count.
        path: String,
        /// Codes asked for.
        count: usize,
        /// Why.
        message: String,
    },
    /// A report period whose first day is after its last.
    #[error("period from `{from}` to `{to}` at `{path}` ends before it starts")]
    InvalidPeriod {
        /// Path of the last day.
        path: String,
        /// The first day.
        from: String,
        /// The last day.
        to: String,
    },
    /// Columns of orders that do not fit together: a column of another
    /// length, lines offsets out of order, a number past its dictionary's
    /// end, a dictionary entry given twice.
    #[error("invalid columns at `{path}`: {message}")]
    InvalidColumns {
        /// The column, or the value in it (`customer[12]`).
        path: String,
        /// What does not fit.
        message: String,
    },
}

impl Coded for RequestError {
    fn code(&self) -> &'static str {
        match self {
            Self::Shape(e) => e.code(),
            Self::MissingSource => "missing_source",
            Self::AmbiguousSource => "ambiguous_source",
            Self::CurrencyMismatch { .. } => "currency_mismatch",
            Self::InvalidTimestamp { .. } => "invalid_timestamp",
            Self::EmptyOrder { .. } => "empty_order",
            Self::NegativeAmount { .. } => "negative_amount",
            Self::InvalidQuantity { .. } => "invalid_quantity",
            Self::DiscountExceedsLine { .. } => "discount_exceeds_line",
            Self::TaxExceedsLine { .. } => "tax_exceeds_line",
            Self::EmptyValue { .. } => "empty_value",
            Self::InvalidCounter { .. } => "invalid_counter",
            Self::DateOutOfRange { .. } => "date_out_of_range",
            Self::Overflow { .. } => "arithmetic_overflow",
            Self::UnknownCampaign { .. } => "unknown_campaign",
            Self::DuplicateProfile { .. } => "duplicate_profile",
            Self::DuplicateOrder { .. } => "duplicate_order",
            Self::InvalidTimeZone { .. } => "invalid_time_zone",
            Self::DateAndAtNotOne => "date_and_at_not_one",
            Self::NotGenerated { .. } => "not_generated",
            Self::InvalidIssue { .. } => "invalid_issue",
            Self::InvalidSeed { .. } => "invalid_seed",
            Self::CodeSpaceExhausted { .. } => "code_space_exhausted",
            Self::InvalidPeriod { .. } => "invalid_period",
            Self::InvalidColumns { .. } => "invalid_columns",
        }
    }

    fn path(&self) -> &str {
        match self {
            Self::Shape(e) => e.path(),
            Self::MissingSource | Self::AmbiguousSource | Self::DateAndAtNotOne => "",
            Self::CurrencyMismatch { path, .. }
            | Self::InvalidTimestamp { path, .. }
            | Self::EmptyOrder { path }
            | Self::NegativeAmount { path, .. }
            | Self::InvalidQuantity { path, .. }
            | Self::DiscountExceedsLine { path, .. }
            | Self::TaxExceedsLine { path, .. }
            | Self::EmptyValue { path }
            | Self::InvalidCounter { path, .. }
            | Self::DateOutOfRange { path }
            | Self::Overflow { path }
            | Self::UnknownCampaign { path, .. }
            | Self::DuplicateProfile { path, .. }
            | Self::DuplicateOrder { path, .. }
            | Self::InvalidTimeZone { path, .. }
            | Self::NotGenerated { path, .. }
            | Self::InvalidIssue { path, .. }
            | Self::InvalidSeed { path, .. }
            | Self::CodeSpaceExhausted { path, .. }
            | Self::InvalidPeriod { path, .. }
            | Self::InvalidColumns { path, .. } => path,
        }
    }
}

/// Every code a [`RequestError`] can carry, for drift tests in the bindings.
pub const REQUEST_ERROR_CODES: &[&str] = &[
    "syntax_error",
    "unknown_field",
    "missing_field",
    "invalid_type",
    "unknown_variant",
    "invalid_decimal",
    "float_not_allowed",
    "invalid_value",
    "missing_source",
    "ambiguous_source",
    "currency_mismatch",
    "invalid_timestamp",
    "empty_order",
    "negative_amount",
    "invalid_quantity",
    "discount_exceeds_line",
    "tax_exceeds_line",
    "empty_value",
    "invalid_counter",
    "date_out_of_range",
    "arithmetic_overflow",
    "unknown_campaign",
    "not_generated",
    "invalid_issue",
    "invalid_seed",
    "code_space_exhausted",
    "duplicate_profile",
    "duplicate_order",
    "invalid_time_zone",
    "date_and_at_not_one",
    "invalid_period",
    "invalid_columns",
];

/// All the errors found in one request (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestErrors(pub(crate) Vec<RequestError>);

impl RequestErrors {
    /// The errors, in the order they were found.
    pub fn errors(&self) -> &[RequestError] {
        &self.0
    }
}

impl std::fmt::Display for RequestErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.as_slice() {
            [] => f.write_str("invalid request"),
            [one] => write!(f, "{one}"),
            [first, rest @ ..] => write!(f, "{first} (and {} more)", rest.len()),
        }
    }
}

impl std::error::Error for RequestErrors {}

impl From<RequestError> for RequestErrors {
    fn from(e: RequestError) -> Self {
        Self(vec![e])
    }
}
