//! What the host asks of coupons, and what it gets back.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::accrual::{Reason, RequestError, RequestErrors};
use crate::model::{Customer, Order};
use crate::money::dec;

/// Coupons typed at checkout, to validate and apply to an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CouponRequest {
    /// The order, before any coupon of this request (its own line discounts included).
    pub order: Order,
    /// The customer, as known at the time: `tier` is the tier they hold as
    /// the order starts (coupons decide what the order costs, so they come
    /// before any tier the order itself would reach).
    #[serde(default)]
    pub customer: Customer,
    /// The coupons, as typed, in the order they were typed.
    pub coupons: Vec<CouponInput>,
    /// Usage so far, by campaign id, as returned by the previous answer.
    #[serde(default)]
    pub counters: BTreeMap<String, CouponCounter>,
}

impl CouponRequest {
    /// Reads a request from a parsed JSON value, with the path of any bad value.
    pub fn from_value(value: serde_json::Value) -> Result<Self, RequestErrors> {
        Ok(crate::error::from_value::<Self>(value).map_err(RequestError::Shape)?)
    }
}

/// One coupon code as typed, with the host's record of it when it is a generated code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CouponInput {
    /// The code as typed (case, spaces and dashes do not matter).
    pub code: String,
    /// For a generated code: the host's record of issuing it. Without one, a
    /// well-formed generated code is `unknown_code`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued: Option<IssuedCode>,
}

/// The host's record of a generated code (as [`GeneratedCode`] gave it, with its uses).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IssuedCode {
    /// Campaign id.
    pub campaign: String,
    /// For a personal code, the customer it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// Times the code was used before.
    #[serde(default)]
    pub uses: u32,
}

/// A campaign's usage so far.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CouponCounter {
    /// Uses by everybody.
    #[serde(default)]
    pub uses: u64,
    /// Uses by this request's customer.
    #[serde(default)]
    pub customer_uses: u64,
    /// Money given away by everybody's uses (counted against `budget`).
    #[serde(default, with = "dec")]
    #[schemars(with = "String")]
    pub discount: Decimal,
}

/// The coupons' outcome on one order.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CouponResult {
    /// Program id.
    pub program: String,
    /// The order's id.
    pub order: String,
    /// The program's currency.
    pub currency: &'static str,
    /// The order's moment in the program's time zone (RFC 3339).
    pub local_time: String,
    /// What the lines cost before coupons (after the order's own line discounts).
    #[schemars(with = "String")]
    pub subtotal: Decimal,
    /// Money the accepted coupons take off (gifts not counted).
    #[schemars(with = "String")]
    pub discount: Decimal,
    /// `subtotal` − `discount`.
    #[schemars(with = "String")]
    pub total: Decimal,
    /// Coupons applied, in the order they were applied.
    pub accepted: Vec<AcceptedCoupon>,
    /// Coupons refused, in the order they were typed, with every reason.
    pub rejected: Vec<RejectedCoupon>,
    /// Every line (gifts last) with its coupon discount.
    pub lines: Vec<CouponLine>,
    /// The order with the coupon discounts added to its lines' discounts
    /// (and their included tax cut in proportion, rounded like discounts) and
    /// gifts as `reward` lines: quote points on it and post it, so refunds
    /// take back exactly what each line was discounted.
    pub order_after: Order,
    /// Points coupons accepted: put them in the quote request's `coupons`.
    pub points_coupons: Vec<String>,
    /// The request's counters with this order's uses added, for the host to keep.
    pub counters: BTreeMap<String, CouponCounter>,
}

/// A coupon applied to the order.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct AcceptedCoupon {
    /// The code, in its canonical form.
    pub code: String,
    /// Campaign id.
    pub campaign: String,
    /// The discount `type`.
    pub kind: &'static str,
    /// Money taken off: the sum of `lines[].discount`.
    #[schemars(with = "String")]
    pub discount: Decimal,
    /// The lines discounted and by how much, in line order.
    pub lines: Vec<LineDiscount>,
    /// What cut the discount below what the coupon would otherwise give.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capped: Option<DiscountCap>,
    /// The gift line a `free_gift` coupon added.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gift: Option<Gift>,
    /// What a points coupon gives (accrual applies it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points: Option<PointsEffect>,
    /// For a generated code: its uses including this one, to store.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_uses: Option<u32>,
}

/// A discount on one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LineDiscount {
    /// Index of the line (from 0).
    pub line: usize,
    /// Money off the line.
    #[schemars(with = "String")]
    pub discount: Decimal,
}

/// A limit that cut a discount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DiscountCap {
    /// `max` (the coupon's maximum), `budget` (what is left of the
    /// campaign's budget) or `lines` (what the lines still cost).
    pub by: &'static str,
    /// The discount before the cut.
    #[schemars(with = "String")]
    pub uncapped: Decimal,
}

/// A gift line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Gift {
    /// Index of the added line.
    pub line: usize,
    /// Its SKU.
    pub sku: String,
    /// Its price, taken off again.
    #[schemars(with = "String")]
    pub value: Decimal,
}

/// What a points coupon gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PointsEffect {
    /// Accrual rule that applies it (`coupon:<campaign>`).
    pub rule: String,
    /// The multiplier, for `points_multiplier`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub multiplier: Option<Decimal>,
    /// The bonus points, for `points_bonus`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub bonus: Option<Decimal>,
}

/// A coupon refused, with every reason.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RejectedCoupon {
    /// The code as typed.
    pub code: String,
    /// The campaign, when the code was recognised.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// Every failed condition (never empty).
    pub reasons: Vec<Rejection>,
}

/// Why a coupon was refused; `code` is stable.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Rejection {
    /// A condition shared with earning rules (channel, store, tier, time,
    /// minimum spend, ...), with the same code.
    Condition(Reason),
    /// A coupon's own reason.
    Coupon(CouponReason),
}

/// Reasons only coupons have; `code` is stable.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum CouponReason {
    /// Not a code of any campaign's shape: wrong length, prefix or symbols.
    MalformedCode {
        /// What is wrong.
        detail: String,
    },
    /// Every symbol is valid but the check character does not match: a typo.
    BadCheckCharacter,
    /// No public code, and no issued code the host knows of.
    UnknownCode,
    /// The same code twice on one order.
    DuplicateCode,
    /// A second code of a campaign already on the order.
    DuplicateCampaign {
        /// The code of the campaign that is applied.
        with: String,
    },
    /// Before the campaign's first day.
    NotYetActive {
        /// First day, as written in the program.
        from: String,
        /// The order's local date (ISO).
        date: String,
    },
    /// After the campaign's last day.
    Expired {
        /// Last day, as written in the program.
        to: String,
        /// The order's local date (ISO).
        date: String,
    },
    /// The coupon needs to know the customer (a personal code, a per-customer limit).
    CustomerRequired,
    /// A personal code issued to someone else.
    BoundToOtherCustomer,
    /// The code was used as often as it may be.
    CodeUsedUp {
        /// Uses allowed.
        limit: u32,
        /// Uses so far.
        used: u32,
    },
    /// This customer used the campaign as often as they may.
    PerCustomerLimitReached {
        /// Uses allowed.
        limit: u32,
        /// Uses so far.
        used: u64,
    },
    /// The campaign was used as often as it may be.
    TotalLimitReached {
        /// Uses allowed.
        limit: u32,
        /// Uses so far.
        used: u64,
    },
    /// The campaign's budget is spent.
    BudgetExhausted {
        /// The budget.
        #[schemars(with = "String")]
        budget: Decimal,
        /// Given away so far.
        #[schemars(with = "String")]
        used: Decimal,
    },
    /// Fewer eligible units than a buy-X-get-Y offer needs.
    NotEnoughItems {
        /// Units needed (`buy` + `get`).
        required: u32,
        /// Whole eligible units on the order.
        actual: Decimal,
    },
    /// Nothing left for the coupon to take off (no shipping line, lines already free).
    NothingToDiscount,
    /// An exclusive coupon and another one: the combination worth less lost.
    NotCombinable {
        /// The code that was applied instead.
        with: String,
    },
    /// More coupons than the program allows on one order.
    TooManyCoupons {
        /// Most coupons per order.
        max: u32,
    },
}

impl Rejection {
    /// The stable code, as serialized.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Condition(r) => r.code(),
            Self::Coupon(r) => r.code(),
        }
    }
}

impl CouponReason {
    /// The stable code, as serialized.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MalformedCode { .. } => "malformed_code",
            Self::BadCheckCharacter => "bad_check_character",
            Self::UnknownCode => "unknown_code",
            Self::DuplicateCode => "duplicate_code",
            Self::DuplicateCampaign { .. } => "duplicate_campaign",
            Self::NotYetActive { .. } => "not_yet_active",
            Self::Expired { .. } => "expired",
            Self::CustomerRequired => "customer_required",
            Self::BoundToOtherCustomer => "bound_to_other_customer",
            Self::CodeUsedUp { .. } => "code_used_up",
            Self::PerCustomerLimitReached { .. } => "per_customer_limit_reached",
            Self::TotalLimitReached { .. } => "total_limit_reached",
            Self::BudgetExhausted { .. } => "budget_exhausted",
            Self::NotEnoughItems { .. } => "not_enough_items",
            Self::NothingToDiscount => "nothing_to_discount",
            Self::NotCombinable { .. } => "not_combinable",
            Self::TooManyCoupons { .. } => "too_many_coupons",
        }
    }
}

/// Every code a coupon can be refused with: the conditions it shares with
/// earning rules, then its own ([`CouponReason`]).
pub const REJECTION_CODES: &[&str] = &[
    "channel_not_matched",
    "store_not_matched",
    "payment_method_not_matched",
    "tier_not_matched",
    "attribute_not_matched",
    "card_required",
    "first_purchase_only",
    "not_first_purchase",
    "weekday_not_matched",
    "outside_local_time",
    "outside_dates",
    "month_not_matched",
    "birth_date_unknown",
    "not_birthday",
    "no_matching_lines",
    "min_spend_not_met",
    "min_quantity_not_met",
    "outranked",
    "malformed_code",
    "bad_check_character",
    "unknown_code",
    "duplicate_code",
    "duplicate_campaign",
    "not_yet_active",
    "expired",
    "customer_required",
    "bound_to_other_customer",
    "code_used_up",
    "per_customer_limit_reached",
    "total_limit_reached",
    "budget_exhausted",
    "not_enough_items",
    "nothing_to_discount",
    "not_combinable",
    "too_many_coupons",
];

/// A line with its coupon discount.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CouponLine {
    /// Index of the line (from 0; gifts after the order's lines).
    pub line: usize,
    /// Its SKU.
    pub sku: String,
    /// What it cost before coupons.
    #[schemars(with = "String")]
    pub amount: Decimal,
    /// What coupons took off it.
    #[schemars(with = "String")]
    pub discount: Decimal,
    /// `amount` − `discount`, never below zero.
    #[schemars(with = "String")]
    pub total: Decimal,
}

/// Codes generated for a campaign, ready to store and hand out.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct GeneratedCodes {
    /// Campaign id.
    pub campaign: String,
    /// The codes, each with its issue record (store it; send it back as `issued`).
    pub codes: Vec<GeneratedCode>,
    /// How likely a guess is to hit a valid code once these and `existing` are out.
    pub odds: super::code::GuessOdds,
}

/// One generated code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct GeneratedCode {
    /// The code.
    pub code: String,
    /// Its record: campaign and, for personal codes, customer.
    pub issued: IssuedCode,
}

/// Asks for codes of a campaign with generated codes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateRequest {
    /// Campaign id.
    pub campaign: String,
    /// How many unique codes (for `unique` campaigns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// One code per customer id, in this order (for `personal` campaigns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customers: Option<Vec<String>>,
    /// A whole number as text: the same seed gives the same codes everywhere.
    /// Without one, codes come from the operating system's secure generator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<String>,
    /// Codes of the campaign already issued; new codes differ from them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub existing: Vec<String>,
}

/// What a typed code looks like before the host looks it up: the browser's
/// first check.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CodeCheck {
    /// The code as typed.
    pub input: String,
    /// True when the code is a public code, or a well-formed generated code
    /// with a correct check character.
    pub ok: bool,
    /// The canonical code, when it is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// `public`, or for generated codes `unique` or `personal` (look it up to know more).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    /// Campaigns the code can belong to (one for a public code; every
    /// campaign whose pattern it fits for a generated one).
    pub campaigns: Vec<String>,
    /// Why not, when `ok` is false.
    pub reasons: Vec<Rejection>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coupon_reason_codes_are_what_serde_writes_and_all_listed() {
        let all = [
            CouponReason::MalformedCode {
                detail: String::new(),
            },
            CouponReason::BadCheckCharacter,
            CouponReason::UnknownCode,
            CouponReason::DuplicateCode,
            CouponReason::DuplicateCampaign {
                with: String::new(),
            },
            CouponReason::NotYetActive {
                from: String::new(),
                date: String::new(),
            },
            CouponReason::Expired {
                to: String::new(),
                date: String::new(),
            },
            CouponReason::CustomerRequired,
            CouponReason::BoundToOtherCustomer,
            CouponReason::CodeUsedUp { limit: 1, used: 1 },
            CouponReason::PerCustomerLimitReached { limit: 1, used: 1 },
            CouponReason::TotalLimitReached { limit: 1, used: 1 },
            CouponReason::BudgetExhausted {
                budget: Decimal::ONE,
                used: Decimal::ONE,
            },
            CouponReason::NotEnoughItems {
                required: 3,
                actual: Decimal::ONE,
            },
            CouponReason::NothingToDiscount,
            CouponReason::NotCombinable {
                with: String::new(),
            },
            CouponReason::TooManyCoupons { max: 1 },
        ];
        for r in all {
            let code = Rejection::Coupon(r.clone()).code();
            assert_eq!(serde_json::to_value(&r).unwrap()["code"], code);
            assert!(REJECTION_CODES.contains(&code), "{code} not listed");
        }
    }
}
