//! Coupon campaigns as written in the program file (`[[coupons]]` and
//! `[coupon_policy]`). Shapes only; the coupon policy checks meaning.

use serde::{Deserialize, Serialize};

use crate::money::{DecimalText, RoundingMode};
use crate::program::format::{DateWindowFile, WhenFile};

/// How coupons on one order work together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CouponPolicyFile {
    /// What a percentage applies to when coupons applied before it already
    /// took something off a line (`discounted` by default).
    #[serde(default)]
    pub percent_of: PercentBase,
    /// How discounts are rounded to the currency's minor unit (`half-up` by default).
    #[serde(default = "half_up")]
    pub rounding: RoundingMode,
    /// Most coupons one order may carry (the first ones in application order
    /// stay, after an exclusive coupon was compared with them); no limit when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_per_order: Option<u32>,
}

fn half_up() -> RoundingMode {
    RoundingMode::HalfUp
}

impl Default for CouponPolicyFile {
    fn default() -> Self {
        Self {
            percent_of: PercentBase::Discounted,
            rounding: half_up(),
            max_per_order: None,
        }
    }
}

impl CouponPolicyFile {
    /// True when nothing differs from the defaults.
    pub fn is_default(&self) -> bool {
        self == &Self::default()
    }
}

/// What a percentage discount is a percentage of.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PercentBase {
    /// The eligible lines as left by the coupons applied before (the default):
    /// 10% after 10% takes 19% in all.
    #[default]
    Discounted,
    /// The eligible lines as the order came in: 10% after 10% takes 20% in all
    /// (never more than what is left).
    Original,
}

/// One coupon campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CouponFile {
    /// Campaign id, unique in the program: lower-case letters, digits, `-` and `_`.
    pub id: String,
    /// Human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The public code everybody may type, e.g. `RAMADAN25` (give this or `codes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Codes generated for the campaign (give this or `code`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codes: Option<CodesFile>,
    /// Dates the campaign is active, both inclusive, in the program's local time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid: Option<DateWindowFile>,
    /// Conditions on the order and customer. `categories`/`skus` and their
    /// exclusions choose the eligible lines; `min_spend` and `min_quantity`
    /// are counted over them. A campaign named in tiers' `benefits.coupons`
    /// is for members of those tiers only (added to any `tiers` given here).
    #[serde(default, skip_serializing_if = "WhenFile::is_empty")]
    pub when: WhenFile,
    /// What the coupon gives.
    pub discount: DiscountFile,
    /// Usage limits and budget.
    #[serde(default, skip_serializing_if = "LimitsFile::is_empty")]
    pub limits: LimitsFile,
    /// The coupon cannot be combined with any other on the same order.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exclusive: bool,
    /// Of the coupons of one group on an order, only the one worth most
    /// applies (a gift is worth its value); ties go to the first applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Higher priorities are applied first (default 0); equal ones in file order.
    #[serde(default)]
    pub priority: i32,
}

/// Generated codes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CodesFile {
    /// `unique` codes anybody holding one may use, or `personal` codes bound to one customer.
    pub kind: CodeKind,
    /// `#` is a random symbol, anything else is written as is (`RMD-####-####`).
    /// With `check`, the last `#` is the check character. `####-####-####` by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Symbols codes are made of; digits 2-9 and A-Z without I, L and O by
    /// default (31 symbols, no look-alikes). With `check` their number must be prime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alphabet: Option<String>,
    /// Whether the last symbol is a check character that catches every
    /// single mistyped symbol and every swap of two neighbours (default true).
    #[serde(default = "yes")]
    pub check: bool,
}

fn yes() -> bool {
    true
}

/// Who may use a generated code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CodeKind {
    /// Whoever holds the code.
    Unique,
    /// Only the customer it was issued to.
    Personal,
}

/// What a coupon gives. `type` says which.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum DiscountFile {
    /// A percentage off the eligible lines, at most `max`.
    Percent {
        /// Percent, more than 0 and at most 100.
        percent: DecimalText,
        /// Most money the coupon takes off.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<DecimalText>,
    },
    /// A fixed amount off the eligible lines together (never more than they cost).
    AmountOff {
        /// The amount.
        amount: DecimalText,
    },
    /// A fixed amount off each unit of the eligible lines (never more than the unit costs).
    AmountOffEach {
        /// The amount per unit.
        amount: DecimalText,
    },
    /// Each unit of the eligible lines costs `price` (lines already cheaper are left alone).
    FixedPrice {
        /// The price per unit.
        price: DecimalText,
    },
    /// For every `buy` units of the eligible lines, `get` more units are
    /// `percent` off (free by default), the cheapest or the most expensive ones.
    BuyXGetY {
        /// Units bought (at least 1).
        buy: u32,
        /// Units discounted per `buy` (at least 1).
        get: u32,
        /// Percent off the `get` units (100 by default: free).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        percent: Option<DecimalText>,
        /// Which units are discounted (`cheapest` by default).
        #[serde(default)]
        pick: Pick,
        /// Most times the offer applies on one order; no limit when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_sets: Option<u32>,
    },
    /// The shipping lines free, at most `max`.
    FreeShipping {
        /// Most money the coupon takes off shipping.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<DecimalText>,
    },
    /// A gift added to the order as a reward line, fully discounted; reward
    /// lines never earn points.
    FreeGift {
        /// The gift's SKU.
        sku: String,
        /// Its categories.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        categories: Vec<String>,
        /// Its price, shown on the line and taken off again.
        value: DecimalText,
    },
    /// Multiplies the points the eligible lines earn (applied by accrual).
    PointsMultiplier {
        /// The multiplier, at least 1.
        multiplier: DecimalText,
    },
    /// Bonus points for the order (applied by accrual).
    PointsBonus {
        /// The points.
        points: DecimalText,
    },
}

/// Which units a buy-X-get-Y offer discounts.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Pick {
    /// The cheapest eligible units (the default); ties go to the earlier line.
    #[default]
    Cheapest,
    /// The most expensive eligible units; ties go to the earlier line.
    MostExpensive,
}

/// How often a campaign may be used, and how much it may give.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitsFile {
    /// Uses per customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_customer: Option<u32>,
    /// Uses in all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u32>,
    /// Uses of each generated code (1 by default for generated codes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_code: Option<u32>,
    /// Money the campaign may give away in all; the last order gets what is left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<DecimalText>,
}

impl LimitsFile {
    /// True when no limit is set.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}
