//! What the host hands the engine: orders, customers, custom events, counters.
//!
//! These are plain serde types; unknown fields are errors so a typo in a POS
//! integration shows up at once instead of silently earning the wrong points.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::{dec, dec_opt};

/// What a line is, so eligibility can leave shipping and gift cards out.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// Goods or services (the default).
    #[default]
    Item,
    /// A shipping or delivery charge.
    Shipping,
    /// The sale of a gift card (stored value, not a purchase of goods).
    GiftCard,
    /// A reward given by a coupon (a free gift); it never earns points.
    Reward,
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Line {
    /// Stock keeping unit.
    pub sku: String,
    /// Categories the product belongs to (any of them can match a rule).
    #[serde(default)]
    pub categories: Vec<String>,
    /// Quantity; may be fractional for goods sold by weight.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub quantity: Decimal,
    /// Price of one unit, tax included when the shop prices that way.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub unit_price: Decimal,
    /// Discount on the whole line (not per unit).
    #[serde(default, with = "dec")]
    #[schemars(with = "Option<String>")]
    pub discount: Decimal,
    /// Tax included in the line total after discount.
    #[serde(default, with = "dec")]
    #[schemars(with = "Option<String>")]
    pub tax: Decimal,
    /// Item, shipping or gift card.
    #[serde(default)]
    pub kind: LineKind,
}

/// An order to quote points for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Order {
    /// The host's order id; echoed in the answer.
    pub id: String,
    /// ISO 4217 code; when present it must equal the program's currency.
    #[serde(default)]
    pub currency: Option<String>,
    /// When the order was placed: RFC 3339 with an offset, e.g. `2026-03-01T18:30:00+03:00`.
    pub placed_at: String,
    /// Sales channel such as `pos`, `web` or `app`.
    #[serde(default)]
    pub channel: Option<String>,
    /// Store id.
    #[serde(default)]
    pub store: Option<String>,
    /// Payment method such as `cash`, `card`, `wallet`.
    #[serde(default)]
    pub payment_method: Option<String>,
    /// The order's lines.
    pub lines: Vec<Line>,
}

/// What the engine knows of the customer at quote time.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Customer {
    /// The host's customer id.
    #[serde(default)]
    pub id: Option<String>,
    /// Loyalty card number, when one was presented or is on file.
    #[serde(default)]
    pub card: Option<String>,
    /// Current tier id.
    #[serde(default)]
    pub tier: Option<String>,
    /// Free-form attributes (segment, city, ...), matched by rules as text.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// Birth date (ISO `YYYY-MM-DD`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub birth_date: Option<NaiveDate>,
    /// Date the customer joined the club (ISO `YYYY-MM-DD`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub joined_on: Option<NaiveDate>,
    /// True when this order is the customer's first purchase.
    #[serde(default)]
    pub first_purchase: bool,
}

/// Something the customer did that can earn points without an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomEvent {
    /// The host's event id; echoed in the answer.
    pub id: String,
    /// Event type, e.g. `survey_answered`, `app_installed`, `profile_completed`, `review_written`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// When it happened: RFC 3339 with an offset.
    pub occurred_at: String,
    /// Channel the event came from, if any.
    #[serde(default)]
    pub channel: Option<String>,
    /// Free-form details of the event.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

/// Points a rule has already awarded inside one window (a day or a period).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowCounter {
    /// The window the count belongs to, as the engine wrote it (e.g. `2026-03-01`, `persian:1404-12`).
    pub window: String,
    /// Points awarded in that window.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub points: Decimal,
}

/// Running totals for one rule's caps, kept by the host between quotes.
///
/// `day` and `period` belong to one customer; `budget` is shared by the whole
/// program. The engine returns them updated; a counter for an older window is
/// treated as zero, so the host can simply store what it was given back.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleCounters {
    /// Points awarded by the rule to this customer on the current day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<WindowCounter>,
    /// Points awarded by the rule to this customer in the current period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<WindowCounter>,
    /// Points awarded by the rule to everybody so far (campaign budget).
    #[serde(default, with = "dec_opt", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub budget: Option<Decimal>,
}

/// Counters by rule id.
pub type Counters = BTreeMap<String, RuleCounters>;
