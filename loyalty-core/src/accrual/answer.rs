//! The answer to a quote: the total and the explanation of every point.
//!
//! Serialized, this is the canonical answer the conformance vectors compare:
//! decimals as strings, lists in application order (rules) or input order (lines).

use rust_decimal::Decimal;
use serde::Serialize;

use crate::model::Counters;

/// What was quoted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Source {
    /// `order` or `event`.
    pub kind: &'static str,
    /// The host's id of the order or event.
    pub id: String,
}

/// The points an order or event earns, and why.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Quote {
    /// Program id.
    pub program: String,
    /// The order or event quoted.
    pub source: Source,
    /// The program's currency.
    pub currency: &'static str,
    /// The moment in the program's time zone (RFC 3339).
    pub local_time: String,
    /// Sum of the eligible spend of all lines (zero for events).
    #[schemars(with = "String")]
    pub eligible_spend: Decimal,
    /// Points earned: the sum of `awards[].points`.
    #[schemars(with = "String")]
    pub total: Decimal,
    /// Every rule that fired, in application order (priority, then file order).
    pub awards: Vec<Award>,
    /// Every order line with its eligible spend (empty for events).
    pub lines: Vec<LineInfo>,
    /// Rules that did not fire and why; filled only when the request asks to `explain`.
    pub misses: Vec<Miss>,
    /// The request's counters with this quote's points added, for the host to keep.
    pub counters: Counters,
}

/// One rule's contribution.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Award {
    /// Rule id.
    pub rule: String,
    /// `rate`, `multiplier`, `bonus` or `event`.
    pub kind: &'static str,
    /// The exclusive group the rule won, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// What the rule worked on: eligible spend (rate), base points (multiplier),
    /// or the count of orders, lines or units (bonus, event).
    #[schemars(with = "String")]
    pub base: Decimal,
    /// The rule's multiplier, for multiplier rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub multiplier: Option<Decimal>,
    /// The lines the rule matched, with the points on each.
    pub lines: Vec<LineAward>,
    /// Points before rounding.
    #[schemars(with = "String")]
    pub unrounded: Decimal,
    /// Rounded points minus unrounded points.
    #[schemars(with = "String")]
    pub rounding: Decimal,
    /// Caps that cut the points, in the order they were applied.
    pub caps: Vec<CapHit>,
    /// Points the rule gives: unrounded + rounding − the caps' cuts.
    #[schemars(with = "String")]
    pub points: Decimal,
}

/// A rule's points on one line.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct LineAward {
    /// Index of the line in the order (from 0).
    pub line: usize,
    /// Eligible spend (rate), base points (multiplier) or count (bonus) on the line.
    #[schemars(with = "String")]
    pub base: Decimal,
    /// Points from this line: rounded when rounding is per line, else unrounded.
    #[schemars(with = "String")]
    pub points: Decimal,
}

/// Which cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CapKind {
    /// Most points per order or event.
    PerOrder,
    /// Most points per customer per day.
    PerDay,
    /// Most points per customer per period.
    PerPeriod,
    /// Campaign budget.
    Budget,
}

/// A cap that took points away.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CapHit {
    /// Which cap.
    pub cap: CapKind,
    /// The configured limit.
    #[schemars(with = "String")]
    pub limit: Decimal,
    /// Points already counted against it before this quote.
    #[schemars(with = "String")]
    pub used: Decimal,
    /// Points this cap removed.
    #[schemars(with = "String")]
    pub cut: Decimal,
}

/// An order line as the engine saw it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct LineInfo {
    /// Index of the line (from 0).
    pub line: usize,
    /// Its SKU.
    pub sku: String,
    /// Spend on the line that can earn points.
    #[schemars(with = "String")]
    pub eligible: Decimal,
    /// Why the line cannot earn at all, if so: `shipping`, `gift_card`,
    /// `reward`, `excluded_category` or `excluded_sku`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excluded: Option<&'static str>,
}

/// A rule that did not fire.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Miss {
    /// Rule id.
    pub rule: String,
    /// Every condition that failed.
    pub reasons: Vec<Reason>,
}

/// Why a rule did not fire; `code` is stable.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    /// An event rule, and an order was quoted.
    EventRule,
    /// An order rule, and an event was quoted.
    OrderRule,
    /// The event is of another type.
    EventTypeNotMatched {
        /// The event's type.
        found: String,
    },
    /// Channel not in the rule's list.
    ChannelNotMatched {
        /// The order's channel.
        found: Option<String>,
    },
    /// Store not in the rule's list, or excluded.
    StoreNotMatched {
        /// The order's store.
        found: Option<String>,
    },
    /// Payment method not in the rule's list.
    PaymentMethodNotMatched {
        /// The order's payment method.
        found: Option<String>,
    },
    /// No eligible line passes the rule's category and SKU filters.
    NoMatchingLines,
    /// Eligible spend over the matching lines is below the minimum.
    MinSpendNotMet {
        /// The minimum.
        required: Decimal,
        /// The spend.
        actual: Decimal,
    },
    /// Quantity over the matching lines is below the minimum.
    MinQuantityNotMet {
        /// The minimum.
        required: Decimal,
        /// The quantity.
        actual: Decimal,
    },
    /// Customer's tier not in the rule's list.
    TierNotMatched {
        /// The customer's tier.
        found: Option<String>,
    },
    /// A customer attribute without an accepted value.
    AttributeNotMatched {
        /// The attribute.
        attribute: String,
        /// The customer's value.
        found: Option<String>,
    },
    /// The rule needs a card and the customer has none.
    CardRequired,
    /// The rule is for first purchases only.
    FirstPurchaseOnly,
    /// The rule excludes first purchases.
    NotFirstPurchase,
    /// Local weekday not in the rule's list.
    WeekdayNotMatched {
        /// The local weekday (`mon` ... `sun`).
        weekday: &'static str,
    },
    /// Local time outside the rule's window.
    OutsideLocalTime {
        /// Local time `HH:MM`.
        local_time: String,
    },
    /// Local date outside the rule's window.
    OutsideDates {
        /// Local date (ISO).
        date: String,
    },
    /// Month not in the rule's list.
    MonthNotMatched {
        /// The month number in `calendar`.
        month: u8,
        /// The calendar.
        calendar: &'static str,
    },
    /// The customer's birth date is not known.
    BirthDateUnknown,
    /// Not within the rule's birthday window.
    NotBirthday,
    /// A points coupon's effect, and the request did not redeem that coupon.
    CouponNotRedeemed,
    /// Another rule (or coupon) of the same exclusive group was worth more.
    Outranked {
        /// The group.
        group: String,
        /// The rule (or coupon code) that won it.
        winner: String,
    },
}

impl Reason {
    /// The stable code, as serialized.
    pub fn code(&self) -> &'static str {
        match self {
            Self::EventRule => "event_rule",
            Self::OrderRule => "order_rule",
            Self::EventTypeNotMatched { .. } => "event_type_not_matched",
            Self::ChannelNotMatched { .. } => "channel_not_matched",
            Self::StoreNotMatched { .. } => "store_not_matched",
            Self::PaymentMethodNotMatched { .. } => "payment_method_not_matched",
            Self::NoMatchingLines => "no_matching_lines",
            Self::MinSpendNotMet { .. } => "min_spend_not_met",
            Self::MinQuantityNotMet { .. } => "min_quantity_not_met",
            Self::TierNotMatched { .. } => "tier_not_matched",
            Self::AttributeNotMatched { .. } => "attribute_not_matched",
            Self::CardRequired => "card_required",
            Self::FirstPurchaseOnly => "first_purchase_only",
            Self::NotFirstPurchase => "not_first_purchase",
            Self::WeekdayNotMatched { .. } => "weekday_not_matched",
            Self::OutsideLocalTime { .. } => "outside_local_time",
            Self::OutsideDates { .. } => "outside_dates",
            Self::MonthNotMatched { .. } => "month_not_matched",
            Self::BirthDateUnknown => "birth_date_unknown",
            Self::NotBirthday => "not_birthday",
            Self::CouponNotRedeemed => "coupon_not_redeemed",
            Self::Outranked { .. } => "outranked",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_codes_are_what_serde_writes() {
        let all = [
            Reason::EventRule,
            Reason::OrderRule,
            Reason::EventTypeNotMatched {
                found: String::new(),
            },
            Reason::ChannelNotMatched { found: None },
            Reason::StoreNotMatched { found: None },
            Reason::PaymentMethodNotMatched { found: None },
            Reason::NoMatchingLines,
            Reason::MinSpendNotMet {
                required: Decimal::ONE,
                actual: Decimal::ZERO,
            },
            Reason::MinQuantityNotMet {
                required: Decimal::ONE,
                actual: Decimal::ZERO,
            },
            Reason::TierNotMatched { found: None },
            Reason::AttributeNotMatched {
                attribute: String::new(),
                found: None,
            },
            Reason::CardRequired,
            Reason::FirstPurchaseOnly,
            Reason::NotFirstPurchase,
            Reason::WeekdayNotMatched { weekday: "mon" },
            Reason::OutsideLocalTime {
                local_time: String::new(),
            },
            Reason::OutsideDates {
                date: String::new(),
            },
            Reason::MonthNotMatched {
                month: 1,
                calendar: "gregorian",
            },
            Reason::BirthDateUnknown,
            Reason::NotBirthday,
            Reason::CouponNotRedeemed,
            Reason::Outranked {
                group: String::new(),
                winner: String::new(),
            },
        ];
        for r in all {
            let v = serde_json::to_value(&r).unwrap();
            assert_eq!(v["code"], r.code());
        }
    }
}
