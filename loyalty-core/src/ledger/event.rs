//! What the host posts to the ledger: events, each with the host's own id.
//!
//! The id makes posting idempotent: the same event posted again (an offline
//! POS retrying, a queue redelivering) changes nothing and is reported as a
//! duplicate. Events are plain serde data, so the host can persist them as
//! they are and rebuild the ledger from them at any time.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::{dec, dec_opt};

/// The `type` of every event.
pub const EVENT_TYPES: &[&str] = &[
    "earn",
    "redeem",
    "adjust",
    "refund",
    "reverse",
    "transfer",
    "merge",
    "wallet_deposit",
    "wallet_charge",
    "wallet_refund",
    "wallet_limit",
];

/// One ledger event. `type` says which.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LedgerEvent {
    /// Points earned, usually by an order (see [`EarnEvent::from_quote`]).
    Earn(EarnEvent),
    /// Points spent.
    Redeem(RedeemEvent),
    /// A manual correction, up or down, with a reason.
    Adjust(AdjustEvent),
    /// A full or partial refund of an order: takes back the points it earned
    /// and gives back the points that paid for it.
    Refund(RefundEvent),
    /// Undoes one earlier earn, redemption or adjustment in full.
    Reverse(ReverseEvent),
    /// Moves points from one member to another, keeping their expiry.
    Transfer(TransferEvent),
    /// Moves everything of one account into another (after profile merging).
    Merge(MergeEvent),
    /// Money put into a stored-value account (a top-up or a prepaid charge).
    WalletDeposit(WalletDepositEvent),
    /// Money paid from a stored-value account, down to its credit limit.
    WalletCharge(WalletChargeEvent),
    /// Money given back to a stored-value account for a refunded order.
    WalletRefund(WalletRefundEvent),
    /// Sets a stored-value account's credit limit.
    WalletLimit(WalletLimitEvent),
}

impl LedgerEvent {
    /// The host's id of the event.
    pub fn id(&self) -> &str {
        match self {
            Self::Earn(e) => &e.id,
            Self::Redeem(e) => &e.id,
            Self::Adjust(e) => &e.id,
            Self::Refund(e) => &e.id,
            Self::Reverse(e) => &e.id,
            Self::Transfer(e) => &e.id,
            Self::Merge(e) => &e.id,
            Self::WalletDeposit(e) => &e.id,
            Self::WalletCharge(e) => &e.id,
            Self::WalletRefund(e) => &e.id,
            Self::WalletLimit(e) => &e.id,
        }
    }

    /// When it happened (RFC 3339 with an offset).
    pub fn at(&self) -> &str {
        match self {
            Self::Earn(e) => &e.at,
            Self::Redeem(e) => &e.at,
            Self::Adjust(e) => &e.at,
            Self::Refund(e) => &e.at,
            Self::Reverse(e) => &e.at,
            Self::Transfer(e) => &e.at,
            Self::Merge(e) => &e.at,
            Self::WalletDeposit(e) => &e.at,
            Self::WalletCharge(e) => &e.at,
            Self::WalletRefund(e) => &e.at,
            Self::WalletLimit(e) => &e.at,
        }
    }

    /// Reads an event from a JSON value, with the path of any bad value.
    ///
    /// The `type` is read first and the rest as that type's struct, so a bad
    /// value deep inside reports its full path (serde's internally tagged
    /// enums buffer their content and lose it).
    pub fn from_value(value: serde_json::Value) -> Result<Self, super::LedgerError> {
        use crate::error::{ShapeError, from_value as read};
        let (tag, v) = crate::error::split_tag(value)?;
        let event = match tag.as_str() {
            "earn" => read(v).map(Self::Earn),
            "redeem" => read(v).map(Self::Redeem),
            "adjust" => read(v).map(Self::Adjust),
            "refund" => read(v).map(Self::Refund),
            "reverse" => read(v).map(Self::Reverse),
            "transfer" => read(v).map(Self::Transfer),
            "merge" => read(v).map(Self::Merge),
            "wallet_deposit" => read(v).map(Self::WalletDeposit),
            "wallet_charge" => read(v).map(Self::WalletCharge),
            "wallet_refund" => read(v).map(Self::WalletRefund),
            "wallet_limit" => read(v).map(Self::WalletLimit),
            other => Err(ShapeError::UnknownVariant {
                path: "type".to_owned(),
                message: format!(
                    "unknown variant `{other}`, expected one of {}",
                    EVENT_TYPES.join(", ")
                ),
            }),
        };
        event.map_err(super::LedgerError::Shape)
    }
}

/// Points earned.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EarnEvent {
    /// The host's id of this event (idempotency key).
    pub id: String,
    /// Member account.
    pub account: String,
    /// When the points were earned: RFC 3339 with an offset.
    pub at: String,
    /// Points earned (more than zero).
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub points: Decimal,
    /// The order that earned them; needed to refund it later. One order earns once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    /// The order's refundable amount, for refunds by amount.
    #[serde(default, with = "dec_opt", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub amount: Option<Decimal>,
    /// The order's lines with the points each earned, for refunds by line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<EarnLine>,
}

/// One order line as a refund sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EarnLine {
    /// Quantity sold.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub quantity: Decimal,
    /// Amount paid for the line.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub amount: Decimal,
    /// Points the line earned (the lines' points add up to the event's points).
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub points: Decimal,
}

/// Points spent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RedeemEvent {
    /// The host's id of this event.
    pub id: String,
    /// Member account.
    pub account: String,
    /// When: RFC 3339 with an offset.
    pub at: String,
    /// Points spent (more than zero).
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub points: Decimal,
    /// The order the points paid for; a refund of it gives them back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    /// The order's total, so a refund by amount gives back its share of points.
    #[serde(default, with = "dec_opt", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub amount: Option<Decimal>,
}

/// A manual correction.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustEvent {
    /// The host's id of this event.
    pub id: String,
    /// Member account.
    pub account: String,
    /// When: RFC 3339 with an offset.
    pub at: String,
    /// Points added (positive) or taken (negative); not zero.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub points: Decimal,
    /// Why (required, shown on statements).
    pub reason: String,
}

/// A refund of an order. Give `lines` or `amount`; neither refunds whatever is left.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundEvent {
    /// The host's id of this event.
    pub id: String,
    /// When: RFC 3339 with an offset.
    pub at: String,
    /// The refunded order.
    pub order: String,
    /// Lines and quantities refunded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<RefundLine>,
    /// Amount refunded.
    #[serde(default, with = "dec_opt", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub amount: Option<Decimal>,
}

/// A refunded quantity of one line.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundLine {
    /// Index of the line in the earn event's `lines` (from 0).
    pub line: usize,
    /// Quantity refunded.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub quantity: Decimal,
}

/// Undoes one earlier event.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReverseEvent {
    /// The host's id of this event.
    pub id: String,
    /// When: RFC 3339 with an offset.
    pub at: String,
    /// Id of the earn, redeem or adjust event to undo.
    pub target: String,
    /// Why (shown on statements).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Points moved between members.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferEvent {
    /// The host's id of this event.
    pub id: String,
    /// Account the points leave.
    pub account: String,
    /// Account they go to.
    pub to: String,
    /// When: RFC 3339 with an offset.
    pub at: String,
    /// Points moved (more than zero).
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub points: Decimal,
}

/// One account folded into another.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeEvent {
    /// The host's id of this event.
    pub id: String,
    /// The surviving account.
    pub account: String,
    /// The account merged into it; it takes no events afterwards.
    pub from: String,
    /// When: RFC 3339 with an offset.
    pub at: String,
}

/// Money into a stored-value account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WalletDepositEvent {
    /// The host's id of this event.
    pub id: String,
    /// Stored-value account.
    pub account: String,
    /// When: RFC 3339 with an offset.
    pub at: String,
    /// Money added (more than zero), in the program's currency.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub amount: Decimal,
    /// Why, e.g. `top_up` or `gift_card`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Money paid from a stored-value account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WalletChargeEvent {
    /// The host's id of this event.
    pub id: String,
    /// Stored-value account.
    pub account: String,
    /// When: RFC 3339 with an offset.
    pub at: String,
    /// Money paid (more than zero).
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub amount: Decimal,
    /// The order paid for; refunds of it are limited to what it was charged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
}

/// Money given back for an order charged to a stored-value account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WalletRefundEvent {
    /// The host's id of this event.
    pub id: String,
    /// When: RFC 3339 with an offset.
    pub at: String,
    /// The order; its charges say which account gets the money.
    pub order: String,
    /// Money given back; everything not yet refunded when absent.
    #[serde(default, with = "dec_opt", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub amount: Option<Decimal>,
}

/// A credit limit for a stored-value account (credit customers).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WalletLimitEvent {
    /// The host's id of this event.
    pub id: String,
    /// Stored-value account.
    pub account: String,
    /// When: RFC 3339 with an offset.
    pub at: String,
    /// How far below zero the balance may go (zero or more).
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub credit_limit: Decimal,
}

impl EarnEvent {
    /// The earn event for a quote, so accrual posts straight to the ledger:
    /// the quote's points, the order and its lines (quantity, amount paid and
    /// the points each line earned), so a later refund by line or by amount
    /// takes back exactly its share. `Ok(None)` when the quote earned nothing;
    /// an error when the order's amounts do not add up within a decimal.
    ///
    /// A rule's points are spread over the lines it matched in proportion to
    /// what it gave each line; rules without lines (order bonuses) are spread
    /// by eligible spend. Each line's share is cut to four decimals and the
    /// remainder goes to the last line, so the lines add up exactly.
    pub fn from_quote(
        request: &crate::QuoteRequest,
        quote: &crate::Quote,
        account: &str,
        id: &str,
    ) -> Result<Option<Self>, super::LedgerError> {
        if quote.total <= Decimal::ZERO {
            return Ok(None);
        }
        let overflow = || super::LedgerError::ArithmeticOverflow {
            path: "order.lines".to_owned(),
        };
        let order = request.order.as_ref();
        let (lines, amount) = match order {
            Some(o) => {
                let paid: Option<Vec<Decimal>> = o.lines.iter().map(line_paid).collect();
                let paid = paid.ok_or_else(overflow)?;
                let amount = paid
                    .iter()
                    .try_fold(Decimal::ZERO, |s, x| s.checked_add(*x))
                    .ok_or_else(overflow)?;
                (spread(o, &paid, quote).ok_or_else(overflow)?, Some(amount))
            }
            None => (Vec::new(), None),
        };
        let at = match (order, &request.event) {
            (Some(o), _) => o.placed_at.clone(),
            (None, Some(e)) => e.occurred_at.clone(),
            (None, None) => String::new(),
        };
        Ok(Some(Self {
            id: id.to_owned(),
            account: account.to_owned(),
            at,
            points: quote.total,
            order: order.map(|o| o.id.clone()),
            amount,
            lines,
        }))
    }
}

/// What a line was paid: quantity × unit price − discount, at least zero.
fn line_paid(l: &crate::model::Line) -> Option<Decimal> {
    Some(
        l.quantity
            .checked_mul(l.unit_price)?
            .checked_sub(l.discount)?
            .max(Decimal::ZERO),
    )
}

/// Each order line with the points it earned (adding up to the quote's total).
fn spread(
    order: &crate::model::Order,
    paid: &[Decimal],
    quote: &crate::Quote,
) -> Option<Vec<EarnLine>> {
    let n = order.lines.len();
    let mut exact = vec![Decimal::ZERO; n];
    let eligible: Vec<Decimal> = (0..n)
        .map(|i| quote.lines.get(i).map_or(Decimal::ZERO, |l| l.eligible))
        .collect();
    for award in &quote.awards {
        let weights: Vec<(usize, Decimal)> = if award.lines.is_empty() {
            eligible.iter().copied().enumerate().collect()
        } else if award.lines.iter().any(|l| !l.points.is_zero()) {
            award
                .lines
                .iter()
                .map(|l| (l.line, l.points.abs()))
                .collect()
        } else {
            award.lines.iter().map(|l| (l.line, l.base.abs())).collect()
        };
        let sum = weights
            .iter()
            .try_fold(Decimal::ZERO, |s, (_, w)| s.checked_add(*w))?;
        if sum <= Decimal::ZERO {
            if let Some(first) = exact.first_mut() {
                *first = first.checked_add(award.points)?;
            }
            continue;
        }
        for (i, w) in weights {
            if let Some(slot) = exact.get_mut(i) {
                let share = award.points.checked_mul(w)?.checked_div(sum)?;
                *slot = slot.checked_add(share)?;
            }
        }
    }
    let mut out: Vec<EarnLine> = order
        .lines
        .iter()
        .zip(exact.iter().zip(paid))
        .map(|(l, (p, amount))| EarnLine {
            quantity: l.quantity,
            amount: *amount,
            points: crate::money::normalize(
                p.round_dp_with_strategy(4, rust_decimal::RoundingStrategy::ToZero),
            ),
        })
        .collect();
    let given = out
        .iter()
        .try_fold(Decimal::ZERO, |s, l| s.checked_add(l.points))?;
    let rest = quote.total.checked_sub(given)?;
    let target = match out.iter().rposition(|l| l.points > Decimal::ZERO) {
        Some(i) => out.get_mut(i),
        None => out.first_mut(),
    };
    if let Some(line) = target {
        line.points = crate::money::normalize(line.points.checked_add(rest)?);
    }
    Some(out)
}
