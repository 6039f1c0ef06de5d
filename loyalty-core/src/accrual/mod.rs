//! Point accrual: what an order (or a custom event) earns under a program,
//! with an explanation of every point.
//!
//! ```
//! use loyalty_core::{Program, QuoteRequest};
//!
//! let program = Program::from_toml(r#"
//! schema_version = 1
//! id = "jeddah-bakery"
//! currency = "SAR"
//! time_zone = "Asia/Riyadh"
//!
//! [[earn_rules]]
//! id = "base"
//! rate = { points = "1", per = "10" }
//!
//! [[earn_rules]]
//! id = "bakery-x2"
//! multiplier = "2"
//! when = { categories = ["bakery"] }
//! "#).unwrap();
//!
//! let request: QuoteRequest = serde_json::from_str(r#"{
//!   "order": {"id": "o-1", "placed_at": "2026-03-01T18:30:00+03:00", "lines": [
//!     {"sku": "bread", "categories": ["bakery"], "quantity": "2", "unit_price": "12.50"},
//!     {"sku": "milk", "quantity": "1", "unit_price": "7.00"}
//!   ]}
//! }"#).unwrap();
//! let quote = program.quote(&request).unwrap();
//! // base: (25.00 + 7.00) / 10 = 3.2 -> 3; bakery x2 adds 25.00 / 10 = 2.5 -> 2
//! assert_eq!(quote.total.to_string(), "5");
//! assert_eq!(quote.awards.len(), 2);
//! ```

mod answer;
pub(crate) mod engine;
mod error;

pub use answer::{Award, CapHit, CapKind, LineAward, LineInfo, Miss, Quote, Reason, Source};
pub use error::{REQUEST_ERROR_CODES, RequestError, RequestErrors};

use serde::{Deserialize, Serialize};

use crate::model::{Counters, CustomEvent, Customer, Order};

/// One thing to quote: an order or a custom event, for a customer, with the
/// cap counters the host has kept.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteRequest {
    /// The order to quote (give this or `event`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<Order>,
    /// The custom event to quote (give this or `order`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<CustomEvent>,
    /// The customer, as known at the time.
    #[serde(default)]
    pub customer: Customer,
    /// Cap counters by rule id, as returned by the previous quote.
    #[serde(default)]
    pub counters: Counters,
    /// Also explain every rule that did not fire.
    #[serde(default)]
    pub explain: bool,
    /// Ids of the points coupons redeemed on this order (a coupon answer's
    /// `points_coupons`): their multipliers and bonuses apply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coupons: Vec<String>,
}

impl QuoteRequest {
    /// A request for an order with an anonymous customer and no counters.
    pub fn for_order(order: Order) -> Self {
        Self {
            order: Some(order),
            ..Self::default()
        }
    }

    /// Reads a request from JSON text, with the path of any bad value.
    pub fn from_json(text: &str) -> Result<Self, RequestErrors> {
        Self::from_value(crate::error::parse_json(text).map_err(RequestError::Shape)?)
    }

    /// Reads a request from a parsed JSON value, with the path of any bad value.
    pub fn from_value(value: serde_json::Value) -> Result<Self, RequestErrors> {
        Ok(crate::error::from_value::<Self>(value).map_err(RequestError::Shape)?)
    }
}
