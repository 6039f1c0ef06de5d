//! Validating and applying coupons to one order.
//!
//! The order of work, which the answer mirrors:
//! 1. each typed code is matched to its campaign (a public code, or the
//!    host's record of a generated one) and checked: every failed condition
//!    is collected, none stops the others;
//! 2. each valid coupon is valued alone on the order as given (its discount,
//!    or a gift's value);
//! 3. of a group, the coupon worth most stays; an exclusive coupon and the
//!    others are compared as alternatives and the larger discount stays; at
//!    most `max_per_order` coupons stay;
//! 4. the coupons left are applied by priority (high first), then file order,
//!    each on what the ones before it left; every money discount is split
//!    over its lines to the minor unit ([`super::apportion`]);
//! 5. budgets cut the last discount to what is left of them (a gift is given
//!    whole or refused as `budget_exhausted`).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use chrono::SecondsFormat;
use rust_decimal::Decimal;

use super::answer::*;
use super::apportion::apportion;
use super::code::{self, CodeReject, Entropy};
use super::format::{CodeKind, PercentBase, Pick};
use super::policy::{Campaign, CodeSource, Discount};
use crate::accrual::engine::{
    Calc, EligibleLines, Facts, Moment, Overflow, add, div, mul, parse_instant, sub, sum,
};
use crate::accrual::{Reason, RequestError, RequestErrors};
use crate::model::{Line, LineKind, Order};
use crate::money::{RoundingMode, normalize};
use crate::program::Program;

fn overflow(_: Overflow) -> RequestErrors {
    RequestError::Overflow {
        path: "order".to_owned(),
    }
    .into()
}

/// A typed code matched to its campaign and found valid so far.
struct Candidate<'p> {
    /// Index in the request.
    input: usize,
    campaign: &'p Campaign,
    code: String,
    issued: Option<&'p IssuedCode>,
    /// Item lines the coupon's filters choose.
    lines: Vec<usize>,
    /// Its discount applied alone to the order as given.
    alone: Decimal,
}

impl Candidate<'_> {
    /// Application order: priority (high first), file order, typing order.
    fn order_key(&self) -> (Reverse<i32>, usize, usize) {
        (
            Reverse(self.campaign.priority),
            self.campaign.index,
            self.input,
        )
    }
}

/// The order's lines as coupons see them.
struct Lines<'o> {
    order: &'o Order,
    /// Quantity × unit price − the order's own line discount.
    original: Vec<Decimal>,
    /// What is left after the coupons applied so far.
    current: Vec<Decimal>,
}

/// What one coupon does to the lines as they are.
struct Plan {
    shares: Vec<(usize, Decimal)>,
    capped: Option<DiscountCap>,
    problem: Option<CouponReason>,
}

impl Plan {
    fn total(&self) -> Calc<Decimal> {
        sum(self.shares.iter().map(|(_, d)| *d))
    }
}

impl Program {
    /// Validates the coupons typed for an order and applies those that hold:
    /// the discount on every line, every reason a coupon was refused, and the
    /// counters to keep. Pure: the same request always gives the same answer.
    ///
    /// Errors are for requests that cannot be answered (a malformed order, a
    /// campaign id the program does not have); a coupon that does not apply is
    /// not an error but a rejection with reasons.
    pub fn apply_coupons(&self, request: &CouponRequest) -> Result<CouponResult, RequestErrors> {
        let order = &request.order;
        self.check_coupon_request(request)?;
        if let Some(currency) = &order.currency
            && currency != self.currency.code()
        {
            return Err(RequestError::CurrencyMismatch {
                path: "order.currency".to_owned(),
                expected: self.currency.code().to_owned(),
                found: currency.clone(),
            }
            .into());
        }
        let at = parse_instant(&order.placed_at, "order.placed_at")?;
        // The same checks of lines as a quote: bad quantities, discounts above the line, ...
        self.line_calcs(order)?;
        let moment = Moment::new(self, at, "order.placed_at")?;
        let original = order
            .lines
            .iter()
            .map(|l| sub(mul(l.quantity, l.unit_price)?, l.discount))
            .collect::<Calc<Vec<_>>>()
            .map_err(overflow)?;
        let mut lines = Lines {
            order,
            current: original.clone(),
            original,
        };
        let policy = &self.coupons;

        let mut rejected: Vec<(usize, RejectedCoupon)> = Vec::new();
        let mut candidates: Vec<Candidate<'_>> = Vec::new();
        let mut seen_codes: BTreeSet<String> = BTreeSet::new();
        for (i, input) in request.coupons.iter().enumerate() {
            let (campaign, code) = match self.resolve(input) {
                Ok(found) => found,
                Err((campaign, reason)) => {
                    rejected.push((
                        i,
                        RejectedCoupon {
                            code: input.code.clone(),
                            campaign: campaign.map(|k| k.id.clone()),
                            reasons: vec![Rejection::Coupon(reason)],
                        },
                    ));
                    continue;
                }
            };
            let mut reasons = Vec::new();
            if !seen_codes.insert(code.clone()) {
                reasons.push(Rejection::Coupon(CouponReason::DuplicateCode));
            }
            let facts = Facts {
                customer: &request.customer,
                moment: &moment,
                channel: order.channel.as_deref(),
                order: Some((order, &[])),
                coupons: &[],
                eligible: &EligibleLines::default(),
            };
            let chosen = self
                .check_campaign(campaign, input, request, &facts, &mut reasons)
                .map_err(overflow)?;
            if reasons.is_empty() {
                let plan = self.plan(campaign, &chosen, &lines).map_err(overflow)?;
                let plan = self.budget_cut(campaign, plan, request).map_err(overflow)?;
                if let Some(problem) = plan.problem.clone() {
                    reasons.push(Rejection::Coupon(problem));
                } else {
                    candidates.push(Candidate {
                        input: i,
                        campaign,
                        code: code.clone(),
                        issued: input.issued.as_ref(),
                        lines: chosen,
                        alone: worth(campaign, &plan).map_err(overflow)?,
                    });
                    continue;
                }
            }
            rejected.push((
                i,
                RejectedCoupon {
                    code: input.code.clone(),
                    campaign: Some(campaign.id.clone()),
                    reasons,
                },
            ));
        }

        let mut refuse = |c: &Candidate<'_>, reason: Rejection| {
            rejected.push((
                c.input,
                RejectedCoupon {
                    code: request
                        .coupons
                        .get(c.input)
                        .map(|x| x.code.clone())
                        .unwrap_or_default(),
                    campaign: Some(c.campaign.id.clone()),
                    reasons: vec![reason],
                },
            ));
        };
        candidates.sort_by_key(Candidate::order_key);
        // One code per campaign: the first in application order stays.
        let mut kept: Vec<Candidate<'_>> = Vec::with_capacity(candidates.len());
        for c in candidates {
            match kept.iter().find(|k| k.campaign.id == c.campaign.id) {
                Some(first) => {
                    let with = first.code.clone();
                    refuse(
                        &c,
                        Rejection::Coupon(CouponReason::DuplicateCampaign { with }),
                    );
                }
                None => kept.push(c),
            }
        }
        // Of a group, the coupon worth most alone stays (ties: application order).
        let mut winners: BTreeMap<&str, (Decimal, usize)> = BTreeMap::new();
        for (i, c) in kept.iter().enumerate() {
            if let Some(g) = &c.campaign.group {
                let w = winners.entry(g.as_str()).or_insert((c.alone, i));
                if c.alone > w.0 {
                    *w = (c.alone, i);
                }
            }
        }
        let winner_codes: BTreeMap<&str, String> = winners
            .iter()
            .filter_map(|(g, (_, w))| Some((*g, kept.get(*w)?.code.clone())))
            .collect();
        let mut chosen = Vec::with_capacity(kept.len());
        for (i, c) in kept.into_iter().enumerate() {
            let lost_to = c
                .campaign
                .group
                .as_deref()
                .filter(|g| winners.get(g).is_some_and(|w| w.1 != i));
            match lost_to {
                Some(group) => {
                    let winner = winner_codes.get(group).cloned().unwrap_or_default();
                    let group = group.to_owned();
                    refuse(
                        &c,
                        Rejection::Condition(Reason::Outranked { group, winner }),
                    );
                }
                None => chosen.push(c),
            }
        }

        let max_n = policy
            .max_per_order
            .map_or(usize::MAX, |m| usize::try_from(m).unwrap_or(usize::MAX));
        // An exclusive coupon against the rest (as many of them as an order
        // may carry): the larger discount stays.
        if chosen.len() > 1 && chosen.iter().any(|c| c.campaign.exclusive) {
            let (exclusive, shared): (Vec<_>, Vec<_>) =
                chosen.into_iter().partition(|c| c.campaign.exclusive);
            let shared_value = if shared.is_empty() {
                None
            } else {
                let mut trial = Lines {
                    order,
                    original: lines.original.clone(),
                    current: lines.current.clone(),
                };
                let refs: Vec<&Candidate<'_>> = shared.iter().take(max_n).collect();
                let (applied, _) = self.apply_all(&refs, &mut trial, request)?;
                let gifts = applied
                    .iter()
                    .filter_map(|a| a.gift.as_ref().map(|g| g.value));
                Some(sum(applied.iter().map(|a| a.discount).chain(gifts)).map_err(overflow)?)
            };
            // Best alternative: value, then the earlier first coupon.
            let best_exclusive = exclusive
                .iter()
                .enumerate()
                .max_by(|(ia, a), (ib, b)| a.alone.cmp(&b.alone).then(ib.cmp(ia)))
                .map(|(i, c)| (i, c.alone, c.order_key()));
            let shared_first = shared.first().map(Candidate::order_key);
            let exclusive_wins = match (best_exclusive, shared_value, shared_first) {
                (Some((_, ev, ek)), Some(sv), Some(sk)) => ev > sv || (ev == sv && ek < sk),
                (Some(_), _, _) => true,
                _ => false,
            };
            if exclusive_wins {
                let w = best_exclusive.map_or(0, |b| b.0);
                let mut winner = None;
                let mut losers = Vec::new();
                for (i, c) in exclusive.into_iter().enumerate() {
                    if i == w {
                        winner = Some(c);
                    } else {
                        losers.push(c);
                    }
                }
                losers.extend(shared);
                let with = winner.as_ref().map(|c| c.code.clone()).unwrap_or_default();
                for c in losers {
                    let with = with.clone();
                    refuse(&c, Rejection::Coupon(CouponReason::NotCombinable { with }));
                }
                chosen = winner.into_iter().collect();
            } else {
                let with = shared.first().map(|c| c.code.clone()).unwrap_or_default();
                for c in exclusive {
                    let with = with.clone();
                    refuse(&c, Rejection::Coupon(CouponReason::NotCombinable { with }));
                }
                chosen = shared;
            }
        }
        // At most `max_per_order`, in application order.
        if let Some(max) = policy.max_per_order
            && chosen.len() > max_n
        {
            for c in chosen.split_off(max_n) {
                refuse(&c, Rejection::Coupon(CouponReason::TooManyCoupons { max }));
            }
        }

        let refs: Vec<&Candidate<'_>> = chosen.iter().collect();
        let (accepted, late) = self.apply_all(&refs, &mut lines, request)?;
        for (c, reason) in late {
            refuse(c, Rejection::Coupon(reason));
        }
        rejected.sort_by_key(|(i, _)| *i);
        self.coupon_result(request, &lines, accepted, rejected, &moment)
            .map_err(overflow)
    }

    /// Request checks that make the request unanswerable.
    fn check_coupon_request(&self, request: &CouponRequest) -> Result<(), RequestErrors> {
        let mut errors = Vec::new();
        for (i, input) in request.coupons.iter().enumerate() {
            if input.code.trim().is_empty() {
                errors.push(RequestError::EmptyValue {
                    path: format!("coupons[{i}].code"),
                });
            }
            if let Some(issued) = &input.issued {
                let path = format!("coupons[{i}].issued.campaign");
                match self.coupons.campaign(&issued.campaign) {
                    None => errors.push(RequestError::UnknownCampaign {
                        path,
                        id: issued.campaign.clone(),
                    }),
                    Some(k) => match &k.source {
                        CodeSource::Public(_) => errors.push(RequestError::NotGenerated {
                            path,
                            campaign: k.id.clone(),
                        }),
                        CodeSource::Generated { kind, .. } => {
                            if *kind == CodeKind::Personal && issued.customer.is_none() {
                                errors.push(RequestError::InvalidIssue {
                                    path: format!("coupons[{i}].issued.customer"),
                                    message: "a personal code's record names its customer"
                                        .to_owned(),
                                });
                            }
                        }
                    },
                }
            }
        }
        for id in request.counters.keys() {
            if self.coupons.campaign(id).is_none() {
                errors.push(RequestError::UnknownCampaign {
                    path: format!("counters.{id}"),
                    id: id.clone(),
                });
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(RequestErrors(errors))
        }
    }

    /// Finds a typed code's campaign and canonical form, or why it has none.
    #[allow(clippy::type_complexity)]
    fn resolve<'p>(
        &'p self,
        input: &CouponInput,
    ) -> Result<(&'p Campaign, String), (Option<&'p Campaign>, CouponReason)> {
        let policy = &self.coupons;
        if let Some(issued) = &input.issued {
            // Checked by `check_coupon_request`.
            let Some(k) = policy.campaign(&issued.campaign) else {
                return Err((None, CouponReason::UnknownCode));
            };
            let CodeSource::Generated { format, .. } = &k.source else {
                return Err((Some(k), CouponReason::UnknownCode));
            };
            return match format.parse(&input.code) {
                Ok(code) => Ok((k, code)),
                Err(e) => Err((Some(k), reject_reason(&e))),
            };
        }
        if let Some((k, code)) = self.public_campaign(&input.code) {
            return Ok((k, code));
        }
        let check = self.check_code(&input.code);
        let campaign = check.campaigns.first().and_then(|id| policy.campaign(id));
        match check.reasons.into_iter().next() {
            Some(Rejection::Coupon(reason)) => Err((campaign, reason)),
            // A well-formed generated code the host has no record of.
            _ => Err((campaign, CouponReason::UnknownCode)),
        }
    }

    /// Collects every failed condition of a campaign; returns the item lines its filters choose.
    fn check_campaign(
        &self,
        k: &Campaign,
        input: &CouponInput,
        request: &CouponRequest,
        facts: &Facts<'_>,
        reasons: &mut Vec<Rejection>,
    ) -> Calc<Vec<usize>> {
        let order = &request.order;
        let date = facts.moment.date;
        if let Some(w) = &k.valid {
            if date < w.from {
                reasons.push(Rejection::Coupon(CouponReason::NotYetActive {
                    from: w.from_text.clone(),
                    date: date.to_string(),
                }));
            } else if date > w.to {
                reasons.push(Rejection::Coupon(CouponReason::Expired {
                    to: w.to_text.clone(),
                    date: date.to_string(),
                }));
            }
        }
        let mut shared = Vec::new();
        self.check_context(&k.when, facts, true, &mut shared);
        let items: Vec<usize> = order
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.kind == LineKind::Item)
            .filter(|(_, l)| k.when.lines.matches_line(&l.categories, &l.sku))
            // A points coupon only looks at lines that can earn points at all.
            .filter(|(_, l)| !k.discount.gives_points() || !self.never_earns(l))
            .map(|(i, _)| i)
            .collect();
        if items.is_empty() {
            shared.push(Reason::NoMatchingLines);
        } else {
            let mut spend = Decimal::ZERO;
            let mut quantity = Decimal::ZERO;
            for &i in &items {
                let Some(l) = order.lines.get(i) else {
                    continue;
                };
                spend = add(spend, sub(mul(l.quantity, l.unit_price)?, l.discount)?)?;
                quantity = add(quantity, l.quantity)?;
            }
            if let Some(min) = k.when.min_spend
                && spend < min
            {
                shared.push(Reason::MinSpendNotMet {
                    required: normalize(min),
                    actual: self.currency.present(spend),
                });
            }
            if let Some(min) = k.when.min_quantity
                && quantity < min
            {
                shared.push(Reason::MinQuantityNotMet {
                    required: normalize(min),
                    actual: normalize(quantity),
                });
            }
        }
        reasons.extend(shared.into_iter().map(Rejection::Condition));

        // An empty id is no id (as an empty card is no card).
        let customer = request.customer.id.as_deref().filter(|id| !id.is_empty());
        let mut customer_required = false;
        if let (CodeSource::Generated { kind, .. }, Some(issued)) = (&k.source, &input.issued) {
            if *kind == CodeKind::Personal {
                match customer {
                    None => customer_required = true,
                    Some(id) if issued.customer.as_deref() != Some(id) => {
                        reasons.push(Rejection::Coupon(CouponReason::BoundToOtherCustomer));
                    }
                    Some(_) => {}
                }
            }
            if let Some(limit) = k.limits.per_code
                && issued.uses >= limit
            {
                reasons.push(Rejection::Coupon(CouponReason::CodeUsedUp {
                    limit,
                    used: issued.uses,
                }));
            }
        }
        let counter = request.counters.get(&k.id).cloned().unwrap_or_default();
        if let Some(limit) = k.limits.per_customer {
            if customer.is_none() {
                customer_required = true;
            } else if counter.customer_uses >= u64::from(limit) {
                reasons.push(Rejection::Coupon(CouponReason::PerCustomerLimitReached {
                    limit,
                    used: counter.customer_uses,
                }));
            }
        }
        if customer_required {
            reasons.push(Rejection::Coupon(CouponReason::CustomerRequired));
        }
        if let Some(limit) = k.limits.total
            && counter.uses >= u64::from(limit)
        {
            reasons.push(Rejection::Coupon(CouponReason::TotalLimitReached {
                limit,
                used: counter.uses,
            }));
        }
        if let Some(budget) = k.limits.budget
            && counter.discount >= budget
        {
            reasons.push(Rejection::Coupon(CouponReason::BudgetExhausted {
                budget: self.currency.present(budget),
                used: self.currency.present(counter.discount),
            }));
        }
        Ok(items)
    }

    /// Whether the program's eligibility leaves a line out of earning whatever the rules say.
    fn never_earns(&self, line: &Line) -> bool {
        let e = &self.eligibility;
        line.categories
            .iter()
            .any(|c| e.exclude_categories.contains(c))
            || e.exclude_skus.contains(&line.sku)
    }

    fn minor(&self) -> u32 {
        self.currency.minor_units()
    }

    fn round_minor(&self, d: Decimal) -> Decimal {
        self.coupons.rounding.round(d, self.minor())
    }

    fn floor_minor(&self, d: Decimal) -> Decimal {
        RoundingMode::Floor.round(d.max(Decimal::ZERO), self.minor())
    }

    /// Splits `total` over `lines` by `weights`, each at most what is left on it.
    fn split(
        &self,
        total: Decimal,
        lines: &[usize],
        weights: &[Decimal],
        state: &Lines<'_>,
    ) -> Calc<Vec<(usize, Decimal)>> {
        let rooms: Vec<Decimal> = lines
            .iter()
            .map(|&i| self.floor_minor(state.current.get(i).copied().unwrap_or_default()))
            .collect();
        let shares = apportion(total, weights, &rooms, self.minor()).ok_or(Overflow)?;
        Ok(lines.iter().copied().zip(shares).collect())
    }

    /// What a coupon takes off each line, given what the lines cost now.
    fn plan(&self, k: &Campaign, items: &[usize], state: &Lines<'_>) -> Calc<Plan> {
        let cur = |i: usize| state.current.get(i).copied().unwrap_or_default();
        let orig = |i: usize| state.original.get(i).copied().unwrap_or_default();
        let line = |i: usize| state.order.lines.get(i);
        let room = |i: usize| self.floor_minor(cur(i));
        let available = items
            .iter()
            .try_fold(Decimal::ZERO, |a, &i| add(a, room(i)))?;
        let mut capped = None;
        let mut problem = None;
        let shares = match &k.discount {
            Discount::Percent { percent, max } => {
                let weights: Vec<Decimal> = items
                    .iter()
                    .map(|&i| match self.coupons.percent_of {
                        PercentBase::Discounted => cur(i),
                        PercentBase::Original => orig(i),
                    })
                    .collect();
                let base = sum(weights.iter().copied())?;
                let mut d = self.round_minor(div(mul(base, *percent)?, Decimal::ONE_HUNDRED)?);
                if let Some(max) = max
                    && d > self.floor_minor(*max)
                {
                    capped = Some(DiscountCap {
                        by: "max",
                        uncapped: self.currency.present(d),
                    });
                    d = self.floor_minor(*max);
                }
                if d > available {
                    capped = Some(DiscountCap {
                        by: "lines",
                        uncapped: self.currency.present(d),
                    });
                    d = available;
                }
                self.split(d, items, &weights, state)?
            }
            Discount::AmountOff(amount) => {
                let mut d = self.floor_minor(*amount);
                if d > available {
                    capped = Some(DiscountCap {
                        by: "lines",
                        uncapped: self.currency.present(d),
                    });
                    d = available;
                }
                let weights: Vec<Decimal> = items.iter().map(|&i| cur(i)).collect();
                self.split(d, items, &weights, state)?
            }
            Discount::AmountOffEach(amount) => items
                .iter()
                .map(|&i| {
                    let q = line(i).map_or(Decimal::ZERO, |l| l.quantity);
                    Ok((i, self.round_minor(mul(*amount, q)?).min(room(i))))
                })
                .collect::<Calc<_>>()?,
            Discount::FixedPrice(price) => items
                .iter()
                .map(|&i| {
                    let q = line(i).map_or(Decimal::ZERO, |l| l.quantity);
                    let over = sub(cur(i), mul(*price, q)?)?.max(Decimal::ZERO);
                    Ok((i, self.round_minor(over).min(room(i))))
                })
                .collect::<Calc<_>>()?,
            Discount::BuyXGetY {
                buy,
                get,
                percent,
                pick,
                max_sets,
            } => {
                let whole = |i: usize| line(i).map_or(Decimal::ZERO, |l| l.quantity.trunc());
                let units = items
                    .iter()
                    .try_fold(Decimal::ZERO, |a, &i| add(a, whole(i)))?;
                let per_set = buy.saturating_add(*get);
                let mut sets = div(units, Decimal::from(per_set))?.trunc();
                if let Some(m) = max_sets {
                    sets = sets.min(Decimal::from(*m));
                }
                if sets.is_zero() {
                    problem = Some(CouponReason::NotEnoughItems {
                        required: per_set,
                        actual: normalize(units),
                    });
                    Vec::new()
                } else {
                    let mut free = mul(sets, Decimal::from(*get))?;
                    // Unit prices as the lines are now; stable sort keeps line order on ties.
                    let mut by_price = items
                        .iter()
                        .map(|&i| {
                            let q = line(i).map_or(Decimal::ONE, |l| l.quantity);
                            Ok((div(cur(i), q)?, i))
                        })
                        .collect::<Calc<Vec<_>>>()?;
                    match pick {
                        Pick::Cheapest => by_price.sort_by_key(|p| p.0),
                        Pick::MostExpensive => by_price.sort_by_key(|p| Reverse(p.0)),
                    }
                    let mut shares = Vec::new();
                    for (_, i) in by_price {
                        if free.is_zero() {
                            break;
                        }
                        let take = whole(i).min(free);
                        free = sub(free, take)?;
                        if take.is_zero() {
                            continue;
                        }
                        let q = line(i).map_or(Decimal::ONE, |l| l.quantity);
                        let off = div(
                            mul(mul(cur(i), take)?, *percent)?,
                            mul(q, Decimal::ONE_HUNDRED)?,
                        )?;
                        shares.push((i, self.round_minor(off).min(room(i))));
                    }
                    shares.sort_by_key(|s| s.0);
                    shares
                }
            }
            Discount::FreeShipping { max } => {
                let shipping: Vec<usize> = state
                    .order
                    .lines
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| l.kind == LineKind::Shipping)
                    .map(|(i, _)| i)
                    .collect();
                let mut d = shipping
                    .iter()
                    .try_fold(Decimal::ZERO, |a, &i| add(a, room(i)))?;
                if let Some(max) = max
                    && d > self.floor_minor(*max)
                {
                    capped = Some(DiscountCap {
                        by: "max",
                        uncapped: self.currency.present(d),
                    });
                    d = self.floor_minor(*max);
                }
                let weights: Vec<Decimal> = shipping.iter().map(|&i| cur(i)).collect();
                self.split(d, &shipping, &weights, state)?
            }
            Discount::FreeGift { .. }
            | Discount::PointsMultiplier(_)
            | Discount::PointsBonus(_) => Vec::new(),
        };
        let mut plan = Plan {
            shares: shares.into_iter().filter(|(_, d)| !d.is_zero()).collect(),
            capped,
            problem,
        };
        if k.discount.takes_money() && plan.problem.is_none() && plan.total()?.is_zero() {
            plan.problem = Some(CouponReason::NothingToDiscount);
        }
        Ok(plan)
    }

    /// Cuts a plan to what is left of the campaign's budget.
    fn budget_cut(&self, k: &Campaign, plan: Plan, request: &CouponRequest) -> Calc<Plan> {
        let Some(budget) = k.limits.budget else {
            return Ok(plan);
        };
        let used = request
            .counters
            .get(&k.id)
            .map_or(Decimal::ZERO, |c| c.discount);
        let left = self.floor_minor(sub(budget, used)?);
        if let Discount::FreeGift { value, .. } = &k.discount {
            // A gift is given whole or not at all.
            if *value > left && plan.problem.is_none() {
                return Ok(Plan {
                    problem: Some(CouponReason::BudgetExhausted {
                        budget: self.currency.present(budget),
                        used: self.currency.present(used),
                    }),
                    ..plan
                });
            }
            return Ok(plan);
        }
        let total = plan.total()?;
        if total <= left || plan.problem.is_some() {
            return Ok(plan);
        }
        let lines: Vec<usize> = plan.shares.iter().map(|s| s.0).collect();
        let weights: Vec<Decimal> = plan.shares.iter().map(|s| s.1).collect();
        let shares = apportion(left, &weights, &weights, self.minor()).ok_or(Overflow)?;
        Ok(Plan {
            shares: lines
                .into_iter()
                .zip(shares)
                .filter(|(_, d)| !d.is_zero())
                .collect(),
            capped: Some(DiscountCap {
                by: "budget",
                uncapped: self.currency.present(total),
            }),
            problem: None,
        })
    }

    /// Applies coupons in order, each on what the ones before left.
    #[allow(clippy::type_complexity)]
    fn apply_all<'c, 'p>(
        &self,
        coupons: &[&'c Candidate<'p>],
        state: &mut Lines<'_>,
        request: &CouponRequest,
    ) -> Result<(Vec<AcceptedCoupon>, Vec<(&'c Candidate<'p>, CouponReason)>), RequestErrors> {
        let mut accepted = Vec::new();
        let mut late = Vec::new();
        let mut gifts = 0usize;
        for c in coupons {
            let k = c.campaign;
            let plan = self.plan(k, &c.lines, state).map_err(overflow)?;
            let plan = self.budget_cut(k, plan, request).map_err(overflow)?;
            if let Some(problem) = plan.problem {
                late.push((*c, problem));
                continue;
            }
            for (i, d) in &plan.shares {
                if let Some(cur) = state.current.get_mut(*i) {
                    *cur = sub(*cur, *d).map_err(overflow)?;
                }
            }
            let gift = match &k.discount {
                Discount::FreeGift { sku, value, .. } => {
                    let line = state.order.lines.len().saturating_add(gifts);
                    gifts = gifts.saturating_add(1);
                    Some(Gift {
                        line,
                        sku: sku.clone(),
                        value: self.currency.present(*value),
                    })
                }
                _ => None,
            };
            let points = match k.discount {
                Discount::PointsMultiplier(m) => Some(PointsEffect {
                    rule: format!("coupon:{}", k.id),
                    multiplier: Some(normalize(m)),
                    bonus: None,
                }),
                Discount::PointsBonus(b) => Some(PointsEffect {
                    rule: format!("coupon:{}", k.id),
                    multiplier: None,
                    bonus: Some(normalize(b)),
                }),
                _ => None,
            };
            accepted.push(AcceptedCoupon {
                code: c.code.clone(),
                campaign: k.id.clone(),
                kind: k.discount.kind(),
                discount: self.currency.present(plan.total().map_err(overflow)?),
                lines: plan
                    .shares
                    .iter()
                    .map(|(line, d)| LineDiscount {
                        line: *line,
                        discount: self.currency.present(*d),
                    })
                    .collect(),
                capped: plan.capped,
                gift,
                points,
                code_uses: c.issued.map(|i| i.uses.saturating_add(1)),
            });
        }
        Ok((accepted, late))
    }

    fn coupon_result(
        &self,
        request: &CouponRequest,
        state: &Lines<'_>,
        accepted: Vec<AcceptedCoupon>,
        rejected: Vec<(usize, RejectedCoupon)>,
        moment: &Moment,
    ) -> Calc<CouponResult> {
        let order = &request.order;
        let present = |d: Decimal| self.currency.present(d);
        let mut after = order.clone();
        let mut lines = Vec::with_capacity(order.lines.len());
        for (i, (line, (orig, cur))) in after
            .lines
            .iter_mut()
            .zip(state.original.iter().zip(&state.current))
            .enumerate()
        {
            let off = sub(*orig, *cur)?;
            if !off.is_zero() {
                line.discount = present(add(line.discount, off)?);
                // Tax included in the line shrinks with what is paid for it.
                if !line.tax.is_zero() && *orig > Decimal::ZERO {
                    let tax = self.round_minor(div(mul(line.tax, *cur)?, *orig)?);
                    line.tax = present(tax.min(*cur));
                }
            }
            lines.push(CouponLine {
                line: i,
                sku: line.sku.clone(),
                amount: present(*orig),
                discount: present(off),
                total: present(*cur),
            });
        }
        for a in &accepted {
            let (Some(gift), Some(k)) = (&a.gift, self.coupons.campaign(&a.campaign)) else {
                continue;
            };
            let categories = match &k.discount {
                Discount::FreeGift { categories, .. } => categories.clone(),
                _ => Vec::new(),
            };
            after.lines.push(Line {
                sku: gift.sku.clone(),
                categories,
                quantity: Decimal::ONE,
                unit_price: gift.value,
                discount: gift.value,
                tax: Decimal::ZERO,
                kind: LineKind::Reward,
            });
            lines.push(CouponLine {
                line: gift.line,
                sku: gift.sku.clone(),
                amount: gift.value,
                discount: gift.value,
                total: present(Decimal::ZERO),
            });
        }
        let subtotal = sum(state.original.iter().copied())?;
        let discount = sum(accepted.iter().map(|a| a.discount))?;
        let mut counters = request.counters.clone();
        for c in counters.values_mut() {
            c.discount = present(c.discount);
        }
        for a in &accepted {
            let c = counters.entry(a.campaign.clone()).or_default();
            c.uses = c.uses.saturating_add(1);
            c.customer_uses = c.customer_uses.saturating_add(1);
            let given = add(
                a.discount,
                a.gift.as_ref().map_or(Decimal::ZERO, |g| g.value),
            )?;
            c.discount = present(add(c.discount, given)?);
        }
        Ok(CouponResult {
            program: self.file.id.clone(),
            order: order.id.clone(),
            currency: self.currency.code(),
            local_time: moment.local.to_rfc3339_opts(SecondsFormat::AutoSi, false),
            subtotal: present(subtotal),
            discount: present(discount),
            total: present(sub(subtotal, discount)?),
            points_coupons: accepted
                .iter()
                .filter(|a| a.points.is_some())
                .map(|a| a.campaign.clone())
                .collect(),
            accepted,
            rejected: rejected.into_iter().map(|(_, r)| r).collect(),
            lines,
            order_after: after,
            counters,
        })
    }

    /// The campaign whose public code this is (case, spaces, dashes and
    /// underscores aside), with the code as the program writes it.
    fn public_campaign(&self, input: &str) -> Option<(&Campaign, String)> {
        let policy = &self.coupons;
        let i = *policy.public.get(&super::policy::normalize_public(input))?;
        let k = policy.campaigns.iter().find(|k| k.index == i)?;
        match &k.source {
            CodeSource::Public(code) => Some((k, code.clone())),
            CodeSource::Generated { .. } => None,
        }
    }

    /// What a typed code is before anyone looks it up: a public code, a
    /// well-formed generated code (with a correct check character), or why not.
    /// Needs nothing but the program, so a browser can answer it at once.
    pub fn check_code(&self, input: &str) -> CodeCheck {
        let policy = &self.coupons;
        if let Some((k, code)) = self.public_campaign(input) {
            return CodeCheck {
                input: input.to_owned(),
                ok: true,
                code: Some(code),
                kind: Some("public"),
                campaigns: vec![k.id.clone()],
                reasons: Vec::new(),
            };
        }
        let mut first_reject = None;
        let mut shaped = Vec::new();
        let mut found: Option<(String, &'static str)> = None;
        let mut valid = Vec::new();
        for k in &policy.campaigns {
            let CodeSource::Generated { kind, format } = &k.source else {
                continue;
            };
            // Of the right shape, or at least starting with the campaign's
            // own prefix (then a wrong length is reported as malformed).
            if !format.matches_shape(input) && !format.has_prefix_of(input) {
                continue;
            }
            shaped.push(k.id.clone());
            match format.parse(input) {
                Ok(code) => {
                    valid.push(k.id.clone());
                    found.get_or_insert((
                        code,
                        match kind {
                            CodeKind::Unique => "unique",
                            CodeKind::Personal => "personal",
                        },
                    ));
                }
                Err(e) => {
                    first_reject.get_or_insert(e);
                }
            }
        }
        match found {
            Some((code, kind)) => CodeCheck {
                input: input.to_owned(),
                ok: true,
                code: Some(code),
                kind: Some(kind),
                campaigns: valid,
                reasons: Vec::new(),
            },
            None => CodeCheck {
                input: input.to_owned(),
                ok: false,
                code: None,
                kind: None,
                campaigns: shaped,
                reasons: vec![Rejection::Coupon(
                    first_reject.map_or(CouponReason::UnknownCode, |e| reject_reason(&e)),
                )],
            },
        }
    }

    /// Generates codes for a campaign with generated codes: `count` unique
    /// codes, or one personal code per customer.
    pub fn generate_codes(
        &self,
        request: &GenerateRequest,
    ) -> Result<GeneratedCodes, RequestErrors> {
        let Some(k) = self.coupons.campaign(&request.campaign) else {
            return Err(RequestError::UnknownCampaign {
                path: "campaign".to_owned(),
                id: request.campaign.clone(),
            }
            .into());
        };
        let CodeSource::Generated { kind, format } = &k.source else {
            return Err(RequestError::NotGenerated {
                path: "campaign".to_owned(),
                campaign: k.id.clone(),
            }
            .into());
        };
        let invalid = |path: &str, message: &str| -> RequestErrors {
            RequestError::InvalidIssue {
                path: path.to_owned(),
                message: message.to_owned(),
            }
            .into()
        };
        let count = match (kind, request.count, &request.customers) {
            (CodeKind::Unique, Some(n), None) => usize::try_from(n).unwrap_or(usize::MAX),
            (CodeKind::Unique, _, _) => {
                return Err(invalid(
                    "count",
                    "unique codes take a `count` (and no `customers`)",
                ));
            }
            (CodeKind::Personal, count, Some(customers)) => {
                if count.is_some_and(|n| usize::try_from(n).ok() != Some(customers.len())) {
                    return Err(invalid(
                        "count",
                        "personal codes are one per customer; leave `count` out",
                    ));
                }
                if let Some(i) = customers.iter().position(|c| c.is_empty()) {
                    return Err(RequestError::EmptyValue {
                        path: format!("customers[{i}]"),
                    }
                    .into());
                }
                customers.len()
            }
            (CodeKind::Personal, _, None) => {
                return Err(invalid(
                    "customers",
                    "personal codes need the `customers` they are for",
                ));
            }
        };
        if count > MAX_CODES_PER_CALL {
            return Err(invalid(
                "count",
                "at most 1,000,000 codes per call; generate more in batches, passing the earlier ones as `existing`",
            ));
        }
        let entropy = match &request.seed {
            None => Entropy::Os,
            Some(text) => Entropy::Seed(text.trim().parse::<u64>().map_err(|_| {
                RequestErrors::from(RequestError::InvalidSeed {
                    path: "seed".to_owned(),
                    value: text.clone(),
                })
            })?),
        };
        let existing: BTreeSet<String> = request
            .existing
            .iter()
            .map(|c| format.parse(c).unwrap_or_else(|_| c.clone()))
            .collect();
        let codes = code::generate(format, count, entropy, &existing).map_err(|e| {
            RequestErrors::from(match e.code() {
                "entropy_unavailable" => RequestError::InvalidIssue {
                    path: "seed".to_owned(),
                    message: format!("{e}; pass a `seed` or try again"),
                },
                _ => RequestError::CodeSpaceExhausted {
                    path: "count".to_owned(),
                    count,
                    message: e.to_string(),
                },
            })
        })?;
        let issued_total =
            u64::try_from(existing.len().saturating_add(codes.len())).unwrap_or(u64::MAX);
        let customers = request.customers.iter().flatten().map(Some);
        let codes = codes
            .into_iter()
            .zip(customers.chain(std::iter::repeat(None)))
            .map(|(code, customer)| GeneratedCode {
                code,
                issued: IssuedCode {
                    campaign: k.id.clone(),
                    customer: customer.cloned(),
                    uses: 0,
                },
            })
            .collect();
        Ok(GeneratedCodes {
            campaign: k.id.clone(),
            codes,
            odds: format.guess_probability(issued_total),
        })
    }
}

/// What a coupon gives in money: its discount, or a gift's value.
fn worth(k: &Campaign, plan: &Plan) -> Calc<Decimal> {
    let gift = match &k.discount {
        Discount::FreeGift { value, .. } => *value,
        _ => Decimal::ZERO,
    };
    add(plan.total()?, gift)
}

/// Most codes one [`Program::generate_codes`] call makes, so that a wrong
/// count cannot hold a host for minutes; larger batches are made in calls.
pub const MAX_CODES_PER_CALL: usize = 1_000_000;

fn reject_reason(e: &CodeReject) -> CouponReason {
    match e.code() {
        "bad_check_character" => CouponReason::BadCheckCharacter,
        _ => CouponReason::MalformedCode {
            detail: e.to_string(),
        },
    }
}
