//! What the host posts to the tier book. Orders, refunds, reversals, merges
//! and redemptions have the ledger's shapes, so the ledger's own events can
//! be posted as they are (see [`TierEvent::from_ledger`]).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::TierError;
use crate::error::ShapeError;
use crate::ledger::{EarnLine, LedgerEvent, MergeEvent, RedeemEvent, RefundEvent, ReverseEvent};
use crate::money::dec;

/// The `type` of every tier event.
pub const TIER_EVENT_TYPES: &[&str] = &[
    "order", "visit", "points", "redeem", "refund", "reverse", "join", "override", "merge",
];

/// One tier event. `type` says which.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TierEvent {
    /// An order: spend, points, one order and a visit on its local day.
    Order(TierOrder),
    /// A visit without an order (a check-in).
    Visit(TierVisit),
    /// Points earned outside an order (a survey, a review).
    Points(TierPoints),
    /// Points spent; lowers the points metric when `tiers.points` is `net_of_redemptions`.
    Redeem(RedeemEvent),
    /// A full or partial refund of an order (the ledger's refund event).
    Refund(RefundEvent),
    /// Undoes an order, points or redemption event in full.
    Reverse(ReverseEvent),
    /// The member joined: the start of membership years.
    Join(TierJoin),
    /// A manual tier, until an instant or until cleared.
    Override(TierOverride),
    /// Another account's activity joins this one (after profile merging).
    Merge(MergeEvent),
}

/// An order as tier qualification counts it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TierOrder {
    /// The host's id of this event (idempotency key).
    pub id: String,
    /// Member account.
    pub account: String,
    /// When the order was placed: RFC 3339 with an offset.
    pub at: String,
    /// The host's order id, which refunds name; the event id when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    /// Qualifying spend, in currency units.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub spend: Decimal,
    /// Points the order earned (0 when absent).
    #[serde(default, with = "dec", skip_serializing_if = "Decimal::is_zero")]
    #[schemars(with = "String")]
    pub points: Decimal,
    /// The order's lines, for refunds by line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<EarnLine>,
}

impl TierOrder {
    /// The order id refunds name.
    pub fn order_id(&self) -> &str {
        self.order.as_deref().unwrap_or(&self.id)
    }
}

/// A visit without an order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TierVisit {
    /// The host's id of this event.
    pub id: String,
    /// Member account.
    pub account: String,
    /// When: RFC 3339 with an offset.
    pub at: String,
}

/// Points earned outside an order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TierPoints {
    /// The host's id of this event.
    pub id: String,
    /// Member account.
    pub account: String,
    /// When: RFC 3339 with an offset.
    pub at: String,
    /// Points earned (more than zero).
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub points: Decimal,
}

/// The member joined the club.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TierJoin {
    /// The host's id of this event.
    pub id: String,
    /// Member account.
    pub account: String,
    /// When: RFC 3339 with an offset.
    pub at: String,
}

/// How an override's tier combines with the tier the member qualifies for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum OverrideMode {
    /// A floor: the member holds at least this tier, and higher if they
    /// qualify; evaluations cannot take them below it while it lasts.
    #[default]
    Floor,
    /// Exactly this tier while it lasts, whatever the member qualifies for.
    Exact,
}

/// A manual tier.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TierOverride {
    /// The host's id of this event.
    pub id: String,
    /// Member account.
    pub account: String,
    /// When it starts: RFC 3339 with an offset.
    pub at: String,
    /// The tier; `null` clears the member's override.
    pub tier: Option<String>,
    /// When it ends; never when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// `floor` (the default) or `exact`.
    #[serde(default)]
    pub mode: OverrideMode,
    /// Why, for the audit trail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl TierEvent {
    /// The host's id of the event.
    pub fn id(&self) -> &str {
        match self {
            Self::Order(e) => &e.id,
            Self::Visit(e) => &e.id,
            Self::Points(e) => &e.id,
            Self::Redeem(e) => &e.id,
            Self::Refund(e) => &e.id,
            Self::Reverse(e) => &e.id,
            Self::Join(e) => &e.id,
            Self::Override(e) => &e.id,
            Self::Merge(e) => &e.id,
        }
    }

    /// When it happened (RFC 3339 with an offset).
    pub fn at(&self) -> &str {
        match self {
            Self::Order(e) => &e.at,
            Self::Visit(e) => &e.at,
            Self::Points(e) => &e.at,
            Self::Redeem(e) => &e.at,
            Self::Refund(e) => &e.at,
            Self::Reverse(e) => &e.at,
            Self::Join(e) => &e.at,
            Self::Override(e) => &e.at,
            Self::Merge(e) => &e.at,
        }
    }

    /// What a ledger event means for tiers: an earn for an order is an
    /// order (its spend is the earn's `amount`, else its lines' amounts), an
    /// earn without one is points; redemptions, refunds, reversals and merges
    /// carry over as they are. Adjustments, transfers and wallet events do
    /// not count towards tiers: `None`.
    pub fn from_ledger(event: &LedgerEvent) -> Option<Self> {
        Some(match event {
            LedgerEvent::Earn(e) => match &e.order {
                Some(order) => Self::Order(TierOrder {
                    id: e.id.clone(),
                    account: e.account.clone(),
                    at: e.at.clone(),
                    order: Some(order.clone()),
                    spend: e.amount.unwrap_or_else(|| {
                        e.lines
                            .iter()
                            .fold(Decimal::ZERO, |s, l| s.saturating_add(l.amount))
                    }),
                    points: e.points,
                    lines: e.lines.clone(),
                }),
                None => Self::Points(TierPoints {
                    id: e.id.clone(),
                    account: e.account.clone(),
                    at: e.at.clone(),
                    points: e.points,
                }),
            },
            LedgerEvent::Redeem(e) => Self::Redeem(e.clone()),
            LedgerEvent::Refund(e) => Self::Refund(e.clone()),
            LedgerEvent::Reverse(e) => Self::Reverse(e.clone()),
            LedgerEvent::Merge(e) => Self::Merge(e.clone()),
            LedgerEvent::Adjust(_)
            | LedgerEvent::Transfer(_)
            | LedgerEvent::WalletDeposit(_)
            | LedgerEvent::WalletCharge(_)
            | LedgerEvent::WalletRefund(_)
            | LedgerEvent::WalletLimit(_) => return None,
        })
    }

    /// Reads a tier event, or a ledger event, from a JSON value, with the
    /// path of any bad value. `Ok(None)` for a ledger event that does not
    /// count towards tiers (see [`Self::from_ledger`]).
    pub fn from_any_value(value: serde_json::Value) -> Result<Option<Self>, TierError> {
        use crate::error::from_value as read;
        use serde_json::Value;
        let tag = match &value {
            Value::Object(map) => map.get("type").and_then(Value::as_str).map(str::to_owned),
            _ => None,
        };
        let Some(tag) = tag.filter(|t| TIER_EVENT_TYPES.contains(&t.as_str())) else {
            let is_ledger = match &value {
                Value::Object(map) => map
                    .get("type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| crate::ledger::EVENT_TYPES.contains(&t)),
                _ => false,
            };
            if is_ledger {
                let event = LedgerEvent::from_value(value)?;
                let tier = Self::from_ledger(&event);
                if tier.is_none() {
                    // Not counted, but still an event: an id and an instant.
                    if event.id().is_empty() {
                        return Err(crate::ledger::LedgerError::EmptyId {
                            path: "id".to_owned(),
                        }
                        .into());
                    }
                    crate::ledger::parse_at(event.at(), "at")?;
                }
                return Ok(tier);
            }
            let found = match &value {
                Value::Object(map) => map.get("type").cloned(),
                _ => None,
            };
            return Err(match found {
                Some(Value::String(other)) => {
                    let mut names: Vec<&str> = TIER_EVENT_TYPES.to_vec();
                    names.extend(
                        crate::ledger::EVENT_TYPES
                            .iter()
                            .filter(|t| !TIER_EVENT_TYPES.contains(t)),
                    );
                    ShapeError::UnknownVariant {
                        path: "type".to_owned(),
                        message: format!(
                            "unknown variant `{other}`, expected one of {}",
                            names.join(", ")
                        ),
                    }
                    .into()
                }
                // Not an object, no type, a type that is not text: the
                // ledger's reader words those.
                _ => match LedgerEvent::from_value(value) {
                    Err(e) => e.into(),
                    Ok(_) => ShapeError::InvalidType {
                        path: String::new(),
                        message: "expected a tier or ledger event".to_owned(),
                    }
                    .into(),
                },
            });
        };
        let serde_json::Value::Object(mut map) = value else {
            return Err(ShapeError::InvalidType {
                path: String::new(),
                message: "expected an event object".to_owned(),
            }
            .into());
        };
        map.remove("type");
        let v = Value::Object(map);
        let event = match tag.as_str() {
            "order" => read(v).map(Self::Order),
            "visit" => read(v).map(Self::Visit),
            "points" => read(v).map(Self::Points),
            "redeem" => read(v).map(Self::Redeem),
            "refund" => read(v).map(Self::Refund),
            "reverse" => read(v).map(Self::Reverse),
            "join" => read(v).map(Self::Join),
            "override" => read(v).map(Self::Override),
            _ => read(v).map(Self::Merge),
        };
        Ok(Some(event?))
    }
}
