//! Paying with points at checkout: how many points an order may use and the
//! money discount they give. The answer carries the redeem event to post
//! once the sale goes through.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::book::{Ledger, parse_at};
use super::error::LedgerError;
use super::event::{LedgerEvent, RedeemEvent};
use crate::money::{dec, dec_opt};
use crate::program::Program;

/// A request to pay part of an order with points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentRequest {
    /// Id for the redeem event this payment will post.
    pub id: String,
    /// Member account.
    pub account: String,
    /// When: RFC 3339 with an offset.
    pub at: String,
    /// The order being paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    /// The order's total, in the program's currency.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub order_total: Decimal,
    /// Most points the member wants to use; as many as allowed when absent.
    #[serde(default, with = "dec_opt", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub points: Option<Decimal>,
}

/// How much of an order points pay.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Payment {
    /// Points used: the fewest that give `discount`.
    #[schemars(with = "String")]
    pub points: Decimal,
    /// Money off the order, rounded down to the currency's minor unit and
    /// written with its digits (`10.00` SAR).
    #[schemars(with = "String")]
    pub discount: Decimal,
    /// Points the member had available.
    #[schemars(with = "String")]
    pub available: Decimal,
    /// What bounded the points: `requested`, `balance`, `max_points`,
    /// `max_percent` or `order_total`.
    pub limited_by: &'static str,
    /// The redeem event to post when the sale completes (absent when no points are used).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<LedgerEvent>,
}

impl Ledger {
    /// Works out how many points can pay for an order and what discount they
    /// give, under the program's `ledger.redemption` rules. Nothing is posted.
    pub fn pay_with_points(
        &self,
        program: &Program,
        request: &PaymentRequest,
    ) -> Result<Payment, LedgerError> {
        let policy = &program.ledger;
        let Some(r) = &policy.redemption else {
            return Err(LedgerError::RedemptionNotConfigured);
        };
        parse_at(&request.at, "at")?;
        if request.order_total < Decimal::ZERO {
            return Err(LedgerError::NegativeAmount {
                path: "order_total".to_owned(),
                value: request.order_total.to_string(),
            });
        }
        let requested = request
            .points
            .map(|p| super::book::amount(p, "points"))
            .transpose()?;
        if let (Some(p), Some(d)) = (requested, request.points)
            && p.is_negative()
        {
            return Err(LedgerError::NegativeAmount {
                path: "points".to_owned(),
                value: d.to_string(),
            });
        }
        let available = self
            .balance(program, &request.account, &request.at)?
            .available
            .max(Decimal::ZERO);
        let overflow = || LedgerError::ArithmeticOverflow {
            path: "order_total".to_owned(),
        };
        // Money per point, kept as the exact ratio value / points.
        let to_points = |money: Decimal| -> Option<Decimal> {
            money.checked_mul(r.points)?.checked_div(r.value)
        };
        let hundred = Decimal::ONE_HUNDRED;
        let mut limits: Vec<(&'static str, Decimal)> = Vec::new();
        if let Some(p) = requested {
            limits.push(("requested", p.to_decimal()));
        }
        limits.push(("balance", available));
        if let Some(m) = r.max_points {
            limits.push(("max_points", m.to_decimal()));
        }
        if let Some(pct) = r.max_percent {
            let money = request
                .order_total
                .checked_mul(pct)
                .and_then(|m| m.checked_div(hundred))
                .ok_or_else(overflow)?;
            limits.push(("max_percent", to_points(money).ok_or_else(overflow)?));
        }
        limits.push((
            "order_total",
            to_points(request.order_total).ok_or_else(overflow)?,
        ));
        let (limited_by, cap) = limits
            .into_iter()
            .fold(
                None,
                |best: Option<(&'static str, Decimal)>, (name, v)| match best {
                    Some((_, b)) if b <= v => best,
                    _ => Some((name, v)),
                },
            )
            .unwrap_or(("balance", Decimal::ZERO));
        let scale = policy.scale.min(super::amount::SCALE);
        let cap = cap.round_dp_with_strategy(scale, RoundingStrategy::ToZero);
        let minor = program.currency().minor_units();
        let discount = cap
            .checked_mul(r.value)
            .and_then(|m| m.checked_div(r.points))
            .ok_or_else(overflow)?
            .round_dp_with_strategy(minor, RoundingStrategy::ToZero);
        let points = to_points(discount)
            .ok_or_else(overflow)?
            .round_dp_with_strategy(scale, RoundingStrategy::AwayFromZero)
            .min(cap);
        if let Some(min) = r.min_points
            && points < min.to_decimal()
        {
            return Err(LedgerError::BelowMinimum {
                path: if limited_by == "requested" {
                    "points"
                } else {
                    "account"
                }
                .to_owned(),
                points: crate::money::normalize(points).to_string(),
                minimum: min.to_string(),
            });
        }
        let points = crate::money::normalize(points);
        let event = (points > Decimal::ZERO).then(|| {
            LedgerEvent::Redeem(RedeemEvent {
                id: request.id.clone(),
                account: request.account.clone(),
                at: request.at.clone(),
                points,
                order: request.order.clone(),
                amount: (request.order_total > Decimal::ZERO).then_some(request.order_total),
            })
        });
        Ok(Payment {
            points,
            discount: program.currency().present(discount),
            available,
            limited_by,
            event,
        })
    }
}
