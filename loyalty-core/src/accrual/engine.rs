//! Evaluation of a compiled program against one order or event.
//!
//! The order of work, which the explanation mirrors:
//! 1. lines: eligible spend per line (or why a line cannot earn);
//! 2. conditions: each rule's order/customer/time conditions and matching lines;
//! 3. rate rules: points per `per` of matched spend; exclusive groups keep their best;
//! 4. multipliers and bonuses, valued against the rate points; groups keep their best;
//!    multipliers then combine per line by the program's stacking mode;
//! 5. rounding per rule (once per order or line by line), then caps, then counters.
//!
//! Sums of money are exact; each rule divides once, last, so `1 point per 3`
//! on three lines of 1.00 gives exactly 1 point, not 0.999...

use std::borrow::Cow;
use std::cell::OnceCell;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, SecondsFormat, Timelike};
use chrono_tz::Tz;
use rust_decimal::Decimal;

use super::QuoteRequest;
use super::answer::*;
use super::error::{RequestError, RequestErrors};
use crate::calendar::{self, CalendarDate, CalendarKind};
use crate::model::{Counters, CustomEvent, Customer, LineKind, Order, WindowCounter};
use crate::money::{RoundingMode, normalize};
use crate::program::Program;
use crate::program::format::{
    BirthdayWindow, BonusPer, CapPeriod, MultiplierStacking, RoundingLevel,
};

use crate::program::compile_types::{Conditions, Effect, Rule};

/// Arithmetic overflowed; reported against the source being computed.
pub(crate) struct Overflow;

/// A checked computation on decimals (shared with the coupon engine).
pub(crate) type Calc<T> = Result<T, Overflow>;

#[inline]
pub(crate) fn add(a: Decimal, b: Decimal) -> Calc<Decimal> {
    a.checked_add(b).ok_or(Overflow)
}
#[inline]
pub(crate) fn sub(a: Decimal, b: Decimal) -> Calc<Decimal> {
    a.checked_sub(b).ok_or(Overflow)
}
#[inline]
pub(crate) fn mul(a: Decimal, b: Decimal) -> Calc<Decimal> {
    a.checked_mul(b).ok_or(Overflow)
}
#[inline]
pub(crate) fn div(a: Decimal, b: Decimal) -> Calc<Decimal> {
    a.checked_div(b).ok_or(Overflow)
}
pub(crate) fn sum(items: impl IntoIterator<Item = Decimal>) -> Calc<Decimal> {
    items.into_iter().try_fold(Decimal::ZERO, add)
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// The moment being quoted, in the program's zone and calendar.
pub(crate) struct Moment {
    pub(crate) local: DateTime<Tz>,
    pub(crate) date: NaiveDate,
    minute: u16,
    /// Monday = 0.
    weekday: u8,
    /// The date in the program's calendar, when some rule needs it.
    in_calendar: Option<CalendarDate>,
    /// Counter window keys, made when a capped rule first needs them.
    keys: [OnceCell<String>; 3],
}

impl Moment {
    pub(crate) fn new(
        program: &Program,
        at: DateTime<FixedOffset>,
        path: &str,
    ) -> Result<Self, RequestError> {
        let local = at.with_timezone(&program.tz);
        let date = local.date_naive();
        let minute = u16::try_from(
            local
                .hour()
                .saturating_mul(60)
                .saturating_add(local.minute()),
        )
        .unwrap_or(0);
        let weekday = u8::try_from(local.weekday().num_days_from_monday()).unwrap_or(0);
        let in_calendar = if program.needs_calendar {
            Some(calendar::from_iso(program.calendar, date).ok_or_else(|| {
                RequestError::DateOutOfRange {
                    path: path.to_owned(),
                }
            })?)
        } else {
            None
        };
        Ok(Self {
            local,
            date,
            minute,
            weekday,
            in_calendar,
            keys: Default::default(),
        })
    }

    /// The day counter window: the local ISO date.
    fn day_key(&self) -> &str {
        self.keys[0].get_or_init(|| self.date.to_string())
    }

    fn date_in(&self, kind: CalendarKind, program_calendar: CalendarKind) -> Option<CalendarDate> {
        match self.in_calendar {
            Some(d) if kind == program_calendar => Some(d),
            _ => calendar::from_iso(kind, self.date),
        }
    }
}

pub(crate) fn parse_instant(text: &str, path: &str) -> Result<DateTime<FixedOffset>, RequestError> {
    DateTime::parse_from_rfc3339(text).map_err(|_| RequestError::InvalidTimestamp {
        path: path.to_owned(),
        value: text.to_owned(),
    })
}

/// A line as the engine sees it.
pub(crate) struct LineCalc {
    eligible: Decimal,
    quantity: Decimal,
    excluded: Option<&'static str>,
    /// The line's categories and SKU as bits of the program's vocabularies.
    cats: u128,
    sku: u128,
}

/// What the rule conditions look at.
pub(crate) struct Facts<'a> {
    pub(crate) customer: &'a Customer,
    pub(crate) moment: &'a Moment,
    pub(crate) channel: Option<&'a str>,
    pub(crate) order: Option<(&'a Order, &'a [LineCalc])>,
    /// Points coupons the request redeems.
    pub(crate) coupons: &'a [String],
    /// The lines that can earn at all, summed once for every rule without a line filter.
    pub(crate) eligible: &'a EligibleLines,
}

/// Every line that can earn, with its spend and quantity summed.
#[derive(Default)]
pub(crate) struct EligibleLines {
    lines: Vec<usize>,
    spend: Decimal,
    quantity: Decimal,
}

impl EligibleLines {
    fn of(lines: &[LineCalc]) -> Calc<Self> {
        let mut all = Self::default();
        for (i, l) in lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.excluded.is_none())
        {
            all.lines.push(i);
            all.spend = add(all.spend, l.eligible)?;
            all.quantity = add(all.quantity, l.quantity)?;
        }
        Ok(all)
    }
}

/// A rule whose conditions hold, with the lines it matched.
struct Candidate<'r> {
    rule: &'r Rule,
    /// Sorted line indices; borrowed from [`EligibleLines`] when the rule has no line filter.
    lines: Cow<'r, [usize]>,
    spend: Decimal,
    quantity: Decimal,
}

fn in_set(set: &Option<std::collections::BTreeSet<String>>, value: Option<&str>) -> bool {
    match set {
        None => true,
        Some(s) => value.is_some_and(|v| s.contains(v)),
    }
}

impl Program {
    /// Quotes an order or custom event: the points it earns and why.
    ///
    /// Pure: the same program and request always give the same quote. Errors
    /// name the path of the bad input and carry a stable code.
    pub fn quote(&self, request: &QuoteRequest) -> Result<Quote, RequestErrors> {
        check_counters(&request.counters)?;
        let unknown: Vec<RequestError> = request
            .coupons
            .iter()
            .enumerate()
            .filter(|(_, id)| self.coupons.campaign(id).is_none())
            .map(|(i, id)| RequestError::UnknownCampaign {
                path: format!("coupons[{i}]"),
                id: id.clone(),
            })
            .collect();
        if !unknown.is_empty() {
            return Err(RequestErrors(unknown));
        }
        self.check_counter_windows(&request.counters)?;
        match (&request.order, &request.event) {
            (Some(order), None) => self.quote_order(order, request),
            (None, Some(event)) => self.quote_event(event, request),
            (None, None) => Err(RequestError::MissingSource.into()),
            (Some(_), Some(_)) => Err(RequestError::AmbiguousSource.into()),
        }
    }

    pub(crate) fn line_calcs(&self, order: &Order) -> Result<Vec<LineCalc>, RequestErrors> {
        let mut errors = Vec::new();
        if order.lines.is_empty() {
            errors.push(RequestError::EmptyOrder {
                path: "order.lines".to_owned(),
            });
        }
        let e = &self.eligibility;
        let mut out = Vec::with_capacity(order.lines.len());
        for (i, line) in order.lines.iter().enumerate() {
            let path = |k: &str| format!("order.lines[{i}].{k}");
            if line.sku.is_empty() {
                errors.push(RequestError::EmptyValue { path: path("sku") });
            }
            if line.quantity <= Decimal::ZERO {
                errors.push(RequestError::InvalidQuantity {
                    path: path("quantity"),
                    value: line.quantity,
                });
                continue;
            }
            let mut ok = true;
            for (name, v) in [
                ("unit_price", line.unit_price),
                ("discount", line.discount),
                ("tax", line.tax),
            ] {
                if v < Decimal::ZERO {
                    errors.push(RequestError::NegativeAmount {
                        path: path(name),
                        value: v,
                    });
                    ok = false;
                }
            }
            if !ok {
                continue;
            }
            let Some(gross) = line.quantity.checked_mul(line.unit_price) else {
                errors.push(RequestError::Overflow {
                    path: format!("order.lines[{i}]"),
                });
                continue;
            };
            let after_discount = gross.checked_sub(line.discount).unwrap_or(Decimal::ZERO);
            if line.discount > gross {
                errors.push(RequestError::DiscountExceedsLine {
                    path: path("discount"),
                    discount: line.discount,
                    total: gross,
                });
                continue;
            }
            if line.tax > after_discount {
                errors.push(RequestError::TaxExceedsLine {
                    path: path("tax"),
                    tax: line.tax,
                    total: after_discount,
                });
                continue;
            }
            let mut eligible = if e.net_of_discounts {
                after_discount
            } else {
                gross
            };
            if !e.include_tax {
                eligible = eligible
                    .checked_sub(line.tax)
                    .unwrap_or(Decimal::ZERO)
                    .max(Decimal::ZERO);
            }
            let excluded = match line.kind {
                LineKind::Shipping if !e.include_shipping => Some("shipping"),
                LineKind::GiftCard if !e.include_gift_cards => Some("gift_card"),
                LineKind::Reward => Some("reward"),
                _ if line
                    .categories
                    .iter()
                    .any(|c| e.exclude_categories.contains(c)) =>
                {
                    Some("excluded_category")
                }
                _ if e.exclude_skus.contains(&line.sku) => Some("excluded_sku"),
                _ => None,
            };
            if excluded.is_some() {
                eligible = Decimal::ZERO;
            }
            let (cats, sku) = self.vocab.as_ref().map_or((0, 0), |(c, s)| {
                (
                    line.categories.iter().fold(0, |m, name| m | c.bit(name)),
                    s.bit(&line.sku),
                )
            });
            out.push(LineCalc {
                eligible,
                quantity: line.quantity,
                excluded,
                cats,
                sku,
            });
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(RequestErrors(errors))
        }
    }

    fn quote_order(&self, order: &Order, request: &QuoteRequest) -> Result<Quote, RequestErrors> {
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
        let lines = self.line_calcs(order)?;
        let moment = Moment::new(self, at, "order.placed_at")?;
        let eligible = EligibleLines::of(&lines).map_err(|_| {
            RequestErrors::from(RequestError::Overflow {
                path: "order".to_owned(),
            })
        })?;
        let facts = Facts {
            eligible: &eligible,
            customer: &request.customer,
            moment: &moment,
            channel: order.channel.as_deref(),
            order: Some((order, &lines)),
            coupons: &request.coupons,
        };
        let overflow = |_: Overflow| {
            RequestErrors::from(RequestError::Overflow {
                path: "order".to_owned(),
            })
        };
        let mut quote = self
            .evaluate(
                &facts,
                request,
                Source {
                    kind: "order",
                    id: order.id.clone(),
                },
                None,
            )
            .map_err(overflow)?;
        quote.eligible_spend = self
            .currency
            .present(sum(lines.iter().map(|l| l.eligible)).map_err(overflow)?);
        quote.lines = order
            .lines
            .iter()
            .zip(&lines)
            .enumerate()
            .map(|(i, (line, calc))| LineInfo {
                line: i,
                sku: line.sku.clone(),
                eligible: self.currency.present(calc.eligible),
                excluded: calc.excluded,
            })
            .collect();
        Ok(quote)
    }

    fn quote_event(
        &self,
        event: &CustomEvent,
        request: &QuoteRequest,
    ) -> Result<Quote, RequestErrors> {
        if event.event_type.is_empty() {
            return Err(RequestError::EmptyValue {
                path: "event.type".to_owned(),
            }
            .into());
        }
        let at = parse_instant(&event.occurred_at, "event.occurred_at")?;
        let moment = Moment::new(self, at, "event.occurred_at")?;
        let facts = Facts {
            eligible: &EligibleLines::default(),
            customer: &request.customer,
            moment: &moment,
            channel: event.channel.as_deref(),
            order: None,
            coupons: &request.coupons,
        };
        let mut quote = self
            .evaluate(
                &facts,
                request,
                Source {
                    kind: "event",
                    id: event.id.clone(),
                },
                Some(event),
            )
            .map_err(|_| {
                RequestErrors::from(RequestError::Overflow {
                    path: "event".to_owned(),
                })
            })?;
        quote.eligible_spend = self.currency.present(Decimal::ZERO);
        Ok(quote)
    }

    /// Checks a rule's conditions. Failed conditions go to `reasons`; unless
    /// `explain` is set, checking stops at the first one.
    fn check_rule<'r>(
        &self,
        rule: &'r Rule,
        facts: &Facts<'r>,
        event: Option<&CustomEvent>,
        explain: bool,
        reasons: &mut Vec<Reason>,
    ) -> Calc<Option<Candidate<'r>>> {
        macro_rules! fail {
            // Without `explain` the reason is never built: a quote against a
            // large program mostly consists of rules failing their first check.
            ($reason:expr) => {{
                if !explain {
                    return Ok(None);
                }
                reasons.push($reason);
            }};
        }
        match (&rule.effect, event) {
            (Effect::Event { .. }, None) => fail!(Reason::EventRule),
            (Effect::Event { event_type, .. }, Some(e)) if *event_type != e.event_type => {
                fail!(Reason::EventTypeNotMatched {
                    found: e.event_type.clone()
                })
            }
            (Effect::Event { .. }, Some(_)) => {}
            (_, Some(_)) => fail!(Reason::OrderRule),
            (_, None) => {}
        }
        let w: &Conditions = &rule.when;
        if !self.check_context(w, facts, explain, reasons) {
            return Ok(None);
        }
        let order = facts.order.map(|(o, _)| o);
        let Some((_, lines)) = facts.order else {
            return Ok(reasons.is_empty().then_some(Candidate {
                rule,
                lines: Cow::Borrowed(&[]),
                spend: Decimal::ZERO,
                quantity: Decimal::ZERO,
            }));
        };
        let f = &w.lines;
        let (matched, spend, quantity) = if f.is_empty() {
            let all = facts.eligible;
            (Cow::Borrowed(all.lines.as_slice()), all.spend, all.quantity)
        } else {
            let order_lines = order.map(|o| o.lines.as_slice()).unwrap_or_default();
            let mut matched = Vec::with_capacity(lines.len());
            let (mut spend, mut quantity) = (Decimal::ZERO, Decimal::ZERO);
            for (i, (line, calc)) in order_lines.iter().zip(lines).enumerate() {
                let ok = calc.excluded.is_none()
                    && match &f.masks {
                        Some(m) => m.matches(calc.cats, calc.sku),
                        None => f.matches_line(&line.categories, &line.sku),
                    };
                if ok {
                    matched.push(i);
                    spend = add(spend, calc.eligible)?;
                    quantity = add(quantity, calc.quantity)?;
                }
            }
            (Cow::Owned(matched), spend, quantity)
        };
        if matched.is_empty() {
            fail!(Reason::NoMatchingLines);
        }
        if let Some(min) = w.min_spend
            && spend < min
        {
            fail!(Reason::MinSpendNotMet {
                required: normalize(min),
                actual: self.currency.present(spend)
            });
        }
        if let Some(min) = w.min_quantity
            && quantity < min
        {
            fail!(Reason::MinQuantityNotMet {
                required: normalize(min),
                actual: normalize(quantity)
            });
        }
        Ok(reasons.is_empty().then_some(Candidate {
            rule,
            lines: matched,
            spend,
            quantity,
        }))
    }

    /// Checks the conditions on the order, customer and moment (not the line
    /// filters and minimums). Failed conditions go to `reasons`; unless
    /// `explain` is set, checking stops at the first one and `false` says so.
    pub(crate) fn check_context(
        &self,
        w: &Conditions,
        facts: &Facts<'_>,
        explain: bool,
        reasons: &mut Vec<Reason>,
    ) -> bool {
        macro_rules! fail {
            ($reason:expr) => {{
                if !explain {
                    return false;
                }
                reasons.push($reason);
            }};
        }
        if let Some(id) = &w.coupon
            && !facts.coupons.contains(id)
        {
            fail!(Reason::CouponNotRedeemed);
        }
        let c = facts.customer;
        let m = facts.moment;
        if !in_set(&w.channels, facts.channel) {
            fail!(Reason::ChannelNotMatched {
                found: facts.channel.map(str::to_owned)
            });
        }
        let order = facts.order.map(|(o, _)| o);
        let store = order.and_then(|o| o.store.as_deref());
        if !in_set(&w.stores, store) || store.is_some_and(|s| w.exclude_stores.contains(s)) {
            fail!(Reason::StoreNotMatched {
                found: store.map(str::to_owned)
            });
        }
        let payment = order.and_then(|o| o.payment_method.as_deref());
        if !in_set(&w.payment_methods, payment) {
            fail!(Reason::PaymentMethodNotMatched {
                found: payment.map(str::to_owned)
            });
        }
        if !in_set(&w.tiers, c.tier.as_deref()) {
            fail!(Reason::TierNotMatched {
                found: c.tier.clone()
            });
        }
        for (attribute, accepted) in &w.attributes {
            let found = c.attributes.get(attribute);
            if !found.is_some_and(|v| accepted.contains(v)) {
                fail!(Reason::AttributeNotMatched {
                    attribute: attribute.clone(),
                    found: found.cloned()
                });
            }
        }
        if w.card_required && c.card.as_deref().is_none_or(str::is_empty) {
            fail!(Reason::CardRequired);
        }
        match w.first_purchase {
            Some(true) if !c.first_purchase => fail!(Reason::FirstPurchaseOnly),
            Some(false) if c.first_purchase => fail!(Reason::NotFirstPurchase),
            _ => {}
        }
        if let Some(bits) = w.weekdays
            && bits & (1 << m.weekday) == 0
        {
            let weekday = WEEKDAYS
                .get(usize::from(m.weekday))
                .copied()
                .unwrap_or("mon");
            fail!(Reason::WeekdayNotMatched { weekday });
        }
        if let Some((from, to)) = w.local_time {
            let inside = if from < to {
                (from..to).contains(&m.minute)
            } else {
                m.minute >= from || m.minute < to
            };
            if !inside {
                fail!(Reason::OutsideLocalTime {
                    local_time: m.local.format("%H:%M").to_string()
                });
            }
        }
        if let Some((from, to)) = w.dates
            && !(from..=to).contains(&m.date)
        {
            fail!(Reason::OutsideDates {
                date: m.date.to_string()
            });
        }
        if let Some((kind, bits)) = w.months {
            let month = m.date_in(kind, self.calendar).map_or(0, |d| d.month);
            if bits & (1 << month) == 0 {
                fail!(Reason::MonthNotMatched {
                    month,
                    calendar: kind.name()
                });
            }
        }
        if let Some(window) = w.birthday {
            match c.birth_date {
                None => fail!(Reason::BirthDateUnknown),
                Some(born) => {
                    if !self.is_birthday(window, born, m) {
                        fail!(Reason::NotBirthday);
                    }
                }
            }
        }
        true
    }

    fn is_birthday(&self, window: BirthdayWindow, born: NaiveDate, m: &Moment) -> bool {
        let kind = self.calendar;
        let (Some(today), Some(birth)) = (m.date_in(kind, kind), calendar::from_iso(kind, born))
        else {
            return false;
        };
        match window {
            BirthdayWindow::Month => today.month == birth.month,
            BirthdayWindow::Day => {
                calendar::anniversary(kind, today.year, birth.month, birth.day) == Some(m.date)
            }
            BirthdayWindow::Week => [
                today.year.saturating_sub(1),
                today.year,
                today.year.saturating_add(1),
            ]
            .into_iter()
            .any(|y| {
                calendar::anniversary(kind, y, birth.month, birth.day)
                    .is_some_and(|a| m.date.signed_duration_since(a).num_days().abs() <= 3)
            }),
        }
    }

    fn evaluate(
        &self,
        facts: &Facts<'_>,
        request: &QuoteRequest,
        source: Source,
        event: Option<&CustomEvent>,
    ) -> Calc<Quote> {
        let explain = request.explain;
        let n_rules = self.rules.len();
        let mut misses: Vec<Option<Vec<Reason>>> = vec![None; n_rules];
        let mut cands: Vec<Option<Candidate<'_>>> = Vec::with_capacity(n_rules);
        for (slot, rule) in misses.iter_mut().zip(&self.rules) {
            let mut reasons = Vec::new();
            let cand = self.check_rule(rule, facts, event, explain, &mut reasons)?;
            if cand.is_none() && explain {
                *slot = Some(reasons);
            }
            cands.push(cand);
        }
        let line_spend: Vec<Decimal> = facts
            .order
            .map(|(_, l)| l.iter().map(|c| c.eligible).collect())
            .unwrap_or_default();
        let n_lines = line_spend.len();

        // Phase 1: rate rules, valued and resolved within their groups.
        let mut value: Vec<Decimal> = vec![Decimal::ZERO; n_rules];
        for (v, cand) in value.iter_mut().zip(&cands) {
            if let Some(Candidate {
                rule:
                    Rule {
                        effect: Effect::Rate { points, per },
                        ..
                    },
                spend,
                ..
            }) = cand
            {
                *v = div(mul(*points, *spend)?, *per)?;
            }
        }
        let ranking = self.group_ranking(&value, &cands, facts.moment, &request.counters)?;
        resolve_groups(
            self.groups,
            &mut cands,
            &ranking,
            |e| matches!(e, Effect::Rate { .. }),
            &mut misses,
            explain,
        );
        let rates: Vec<(Decimal, Decimal, Vec<bool>)> = cands
            .iter()
            .flatten()
            .filter_map(|c| match c.rule.effect {
                Effect::Rate { points, per } => Some((points, per, mask(&c.lines, n_lines))),
                _ => None,
            })
            .collect();
        // Base points on each line (for multiplier explanations).
        let mut line_base = vec![Decimal::ZERO; n_lines];
        for (points, per, on) in &rates {
            for ((b, s), on) in line_base.iter_mut().zip(&line_spend).zip(on) {
                if *on {
                    *b = add(*b, div(mul(*points, *s)?, *per)?)?;
                }
            }
        }

        // Phase 2: multipliers, bonuses and event bonuses, valued standalone.
        // Only grouped multipliers need a standalone value (to pick the best of
        // the group); the others are valued once, below, as they combine.
        for (v, cand) in value.iter_mut().zip(&cands) {
            let Some(c) = cand else { continue };
            *v = match &c.rule.effect {
                Effect::Rate { .. } => continue,
                Effect::Multiplier(_) if c.rule.group.is_none() => continue,
                Effect::Multiplier(mult) => {
                    multiplier_points(&rates, &line_spend, &c.lines, |_| Decimal::ONE, *mult)?
                }
                Effect::Bonus { points, per } => mul(*points, bonus_count(*per, c)?)?,
                Effect::Event { points, .. } => *points,
            };
        }
        let ranking = self.group_ranking(&value, &cands, facts.moment, &request.counters)?;
        resolve_groups(
            self.groups,
            &mut cands,
            &ranking,
            |e| !matches!(e, Effect::Rate { .. }),
            &mut misses,
            explain,
        );

        // Multipliers combine per line according to the stacking mode.
        let mut running = vec![Decimal::ONE; n_lines];
        let mut best: Vec<Option<(usize, Decimal)>> = vec![None; n_lines];
        if self.stacking == MultiplierStacking::Max {
            for (k, cand) in cands.iter().enumerate() {
                if let Some(Candidate {
                    rule:
                        Rule {
                            effect: Effect::Multiplier(m),
                            ..
                        },
                    lines,
                    ..
                }) = cand
                {
                    for l in lines.iter() {
                        if let Some(slot) = best.get_mut(*l)
                            && slot.is_none_or(|(_, b)| *m > b)
                        {
                            *slot = Some((k, *m));
                        }
                    }
                }
            }
        }

        let rounding = self.rounding;
        // Sized up front: growing from empty reallocates several times per quote.
        let mut awards = Vec::with_capacity(cands.iter().flatten().count());
        let mut counters = request.counters.clone();
        for (k, cand) in cands.iter().enumerate() {
            let Some(c) = cand else { continue };
            let rule = c.rule;
            let mut award_lines = Vec::with_capacity(c.lines.len());
            let (base, unrounded, multiplier) = match &rule.effect {
                Effect::Rate { points, per } => {
                    for l in c.lines.iter() {
                        let s = line_spend.get(*l).copied().unwrap_or_default();
                        award_lines.push(LineAward {
                            line: *l,
                            base: self.currency.present(s),
                            points: div(mul(*points, s)?, *per)?,
                        });
                    }
                    (
                        self.currency.present(c.spend),
                        value.get(k).copied().unwrap_or_default(),
                        None,
                    )
                }
                Effect::Multiplier(mult) => {
                    let extra = sub(*mult, Decimal::ONE)?;
                    let factor = |l: usize| -> Decimal {
                        match self.stacking {
                            MultiplierStacking::Add => Decimal::ONE,
                            MultiplierStacking::Multiply => {
                                running.get(l).copied().unwrap_or(Decimal::ONE)
                            }
                            MultiplierStacking::Max => {
                                if best.get(l).copied().flatten().is_some_and(|(w, _)| w == k) {
                                    Decimal::ONE
                                } else {
                                    Decimal::ZERO
                                }
                            }
                        }
                    };
                    let mut base = Decimal::ZERO;
                    let mut line_sum = Decimal::ZERO;
                    for l in c.lines.iter() {
                        let b = line_base.get(*l).copied().unwrap_or_default();
                        let points = mul(mul(b, factor(*l))?, extra)?;
                        base = add(base, b)?;
                        line_sum = add(line_sum, points)?;
                        award_lines.push(LineAward {
                            line: *l,
                            base: normalize(b),
                            points,
                        });
                    }
                    // Rounding once per order needs the exact total (each rate
                    // divides once, after summing); line by line, the lines' sum is it.
                    let unrounded = match rounding.level {
                        RoundingLevel::Order => {
                            multiplier_points(&rates, &line_spend, &c.lines, factor, *mult)?
                        }
                        RoundingLevel::Line => line_sum,
                    };
                    if self.stacking == MultiplierStacking::Multiply {
                        for l in c.lines.iter() {
                            if let Some(r) = running.get_mut(*l) {
                                *r = mul(*r, *mult)?;
                            }
                        }
                    }
                    (normalize(base), unrounded, Some(normalize(*mult)))
                }
                Effect::Bonus { points, per } => {
                    if *per != BonusPer::Order {
                        let order_lines = facts.order.map(|(_, l)| l).unwrap_or_default();
                        for l in c.lines.iter() {
                            let count = match per {
                                BonusPer::Unit => {
                                    order_lines.get(*l).map_or(Decimal::ZERO, |x| x.quantity)
                                }
                                _ => Decimal::ONE,
                            };
                            award_lines.push(LineAward {
                                line: *l,
                                base: normalize(count),
                                points: mul(*points, count)?,
                            });
                        }
                    }
                    (
                        normalize(bonus_count(*per, c)?),
                        value.get(k).copied().unwrap_or_default(),
                        None,
                    )
                }
                Effect::Event { points, .. } => (Decimal::ONE, *points, None),
            };
            let rounded = match rounding.level {
                RoundingLevel::Line if !award_lines.is_empty() => {
                    for la in &mut award_lines {
                        la.points = rounding.mode.round(la.points, rounding.scale);
                    }
                    let mut s = sum(award_lines.iter().map(|l| l.points))?;
                    s.rescale(rounding.scale);
                    s
                }
                _ => {
                    for la in &mut award_lines {
                        la.points = normalize(la.points);
                    }
                    rounding.mode.round(unrounded, rounding.scale)
                }
            };
            let (points, caps) = self.apply_caps(rule, rounded, facts.moment, &mut counters)?;
            awards.push(Award {
                rule: rule.id.clone(),
                kind: rule.effect.kind(),
                group: rule.group.clone(),
                base,
                multiplier,
                lines: award_lines,
                unrounded: normalize(unrounded),
                rounding: normalize(sub(rounded, unrounded)?),
                caps,
                points,
            });
        }
        let mut total = sum(awards.iter().map(|a| a.points))?;
        total.rescale(rounding.scale);
        let misses = self
            .rules
            .iter()
            .zip(misses)
            // A tier's multiplier not applying is no news: only its own tier gets it.
            // Nor is a points coupon's effect that was not redeemed on this order.
            .filter(|(rule, _)| !rule.is_tier_benefit() && !rule.is_coupon_effect())
            .filter_map(|(rule, reasons)| {
                reasons.map(|reasons| Miss {
                    rule: rule.id.clone(),
                    reasons,
                })
            })
            .collect();
        Ok(Quote {
            program: self.file.id.clone(),
            source,
            currency: self.currency.code(),
            local_time: facts
                .moment
                .local
                .to_rfc3339_opts(SecondsFormat::AutoSi, false),
            eligible_spend: Decimal::ZERO,
            total,
            awards,
            lines: Vec::new(),
            misses,
            counters,
        })
    }

    /// The rule's caps as (cap, limit, points already used), in the order they
    /// apply; a counter for an older window counts as nothing used.
    fn caps_of(
        &self,
        rule: &Rule,
        m: &Moment,
        counters: &Counters,
    ) -> [Option<(CapKind, Decimal, Decimal)>; 4] {
        let caps = &rule.caps;
        let entry = counters.get(&rule.id);
        let used_in = |c: Option<&WindowCounter>, key: &str| {
            c.filter(|c| c.window == key)
                .map_or(Decimal::ZERO, |c| c.points)
        };
        [
            caps.per_order
                .map(|limit| (CapKind::PerOrder, limit, Decimal::ZERO)),
            caps.per_day.map(|limit| {
                (
                    CapKind::PerDay,
                    limit,
                    used_in(entry.and_then(|e| e.day.as_ref()), m.day_key()),
                )
            }),
            caps.per_period.map(|(limit, period)| {
                (
                    CapKind::PerPeriod,
                    limit,
                    used_in(
                        entry.and_then(|e| e.period.as_ref()),
                        self.period_key(period, m),
                    ),
                )
            }),
            caps.budget.map(|limit| {
                (
                    CapKind::Budget,
                    limit,
                    entry.and_then(|e| e.budget).unwrap_or_default(),
                )
            }),
        ]
    }

    /// Points the rule can still give under its caps (`None`: no cap), floored
    /// to the points scale: a 2.5 cap on whole points leaves room for 2, never 3.
    fn cap_room(&self, rule: &Rule, m: &Moment, counters: &Counters) -> Calc<Option<Decimal>> {
        let mut room: Option<Decimal> = None;
        for (_, limit, used) in self.caps_of(rule, m, counters).into_iter().flatten() {
            let r = RoundingMode::Floor
                .round(sub(limit, used)?.max(Decimal::ZERO), self.rounding.scale);
            room = Some(room.map_or(r, |x| x.min(r)));
        }
        Ok(room)
    }

    /// What each candidate is worth when its exclusive group picks a winner:
    /// its value, but no more than its caps still let it give, so a rule whose
    /// budget is spent does not win over one that still pays. (A copy: the
    /// award itself still shows the full value and the cap that cut it.)
    fn group_ranking(
        &self,
        value: &[Decimal],
        cands: &[Option<Candidate<'_>>],
        m: &Moment,
        counters: &Counters,
    ) -> Calc<Vec<Decimal>> {
        let mut ranking = value.to_vec();
        for (v, cand) in ranking.iter_mut().zip(cands) {
            if let Some(c) = cand
                && c.rule.group.is_some()
                && let Some(room) = self.cap_room(c.rule, m, counters)?
            {
                *v = (*v).min(room);
            }
        }
        Ok(ranking)
    }

    /// Applies the rule's caps to `points` and adds what is left to the counters.
    fn apply_caps(
        &self,
        rule: &Rule,
        points: Decimal,
        m: &Moment,
        counters: &mut Counters,
    ) -> Calc<(Decimal, Vec<CapHit>)> {
        let scale = self.rounding.scale;
        let mut hits = Vec::new();
        let mut left = points;
        for (cap, limit, used) in self.caps_of(rule, m, counters).into_iter().flatten() {
            let room = RoundingMode::Floor.round(sub(limit, used)?.max(Decimal::ZERO), scale);
            if left > room {
                let mut cut = sub(left, room)?;
                cut.rescale(scale);
                hits.push(CapHit {
                    cap,
                    limit: normalize(limit),
                    used: normalize(used),
                    cut,
                });
                left = room;
            }
        }
        left.rescale(scale);
        let caps = &rule.caps;
        if !caps.uses_counters() {
            return Ok((left, hits));
        }
        let entry = counters.entry(rule.id.clone()).or_default();
        let add_in = |c: &Option<WindowCounter>, window: String| -> Calc<Option<WindowCounter>> {
            // An order from an earlier window (an offline till syncing late)
            // must not wipe the newer window's count: keep the newer one.
            // Windows are zero-padded and checked, so text order is time order.
            if let Some(newer) = c.as_ref().filter(|c| c.window > window) {
                return Ok(Some(newer.clone()));
            }
            let before = c
                .as_ref()
                .filter(|c| c.window == window)
                .map_or(Decimal::ZERO, |c| c.points);
            Ok(Some(WindowCounter {
                points: normalize(add(before, left)?),
                window,
            }))
        };
        if caps.per_day.is_some() {
            entry.day = add_in(&entry.day, m.day_key().to_owned())?;
        }
        if let Some((_, period)) = caps.per_period {
            entry.period = add_in(&entry.period, self.period_key(period, m).to_owned())?;
        }
        if caps.budget.is_some() {
            entry.budget = Some(normalize(add(entry.budget.unwrap_or_default(), left)?));
        }
        Ok((left, hits))
    }

    /// Refuses counters that cannot belong to the rule they are filed under: a
    /// day window that is not an ISO date, a period window of another calendar
    /// or period length. Counters of rules this program does not have pass through.
    fn check_counter_windows(&self, counters: &Counters) -> Result<(), RequestErrors> {
        let mut errors = Vec::new();
        for rule in &self.rules {
            let Some(c) = counters.get(&rule.id) else {
                continue;
            };
            let path = |k: &str| format!("counters.{}.{k}.window", rule.id);
            if let Some(day) = &c.day
                && CalendarDate::parse(&day.window)
                    .and_then(|d| calendar::to_iso(CalendarKind::Gregorian, d))
                    .is_none()
            {
                errors.push(RequestError::InvalidCounter {
                    path: path("day"),
                    reason: "a day window is an ISO date `YYYY-MM-DD`",
                });
            }
            if let (Some(period), Some((_, kind))) = (&c.period, rule.caps.per_period)
                && !self.is_period_key(&period.window, kind)
            {
                errors.push(RequestError::InvalidCounter {
                    path: path("period"),
                    reason: "the window is not a period of this rule in the program's calendar",
                });
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(RequestErrors(errors))
        }
    }

    fn is_period_key(&self, window: &str, period: CapPeriod) -> bool {
        let Some(rest) = window
            .strip_prefix(self.calendar.name())
            .and_then(|r| r.strip_prefix(':'))
        else {
            return false;
        };
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        match (period, rest.split_once('-')) {
            (CapPeriod::Year, None) => digits(rest, 4),
            (CapPeriod::Month, Some((y, mo))) => {
                digits(y, 4)
                    && digits(mo, 2)
                    && mo.parse::<u8>().is_ok_and(|m| (1..=12).contains(&m))
            }
            _ => false,
        }
    }

    /// The period counter window in the program's calendar, e.g. `persian:1404-12`.
    fn period_key<'m>(&self, period: CapPeriod, m: &'m Moment) -> &'m str {
        let [_, month, year] = &m.keys;
        let cell = match period {
            CapPeriod::Month => month,
            CapPeriod::Year => year,
        };
        cell.get_or_init(|| {
            let d = m
                .date_in(self.calendar, self.calendar)
                .unwrap_or(CalendarDate {
                    year: m.date.year(),
                    month: 1,
                    day: 1,
                });
            match period {
                CapPeriod::Month => {
                    format!("{}:{:04}-{:02}", self.calendar.name(), d.year, d.month)
                }
                CapPeriod::Year => format!("{}:{:04}", self.calendar.name(), d.year),
            }
        })
    }
}

fn mask(lines: &[usize], n: usize) -> Vec<bool> {
    let mut m = vec![false; n];
    for l in lines.iter() {
        if let Some(x) = m.get_mut(*l) {
            *x = true;
        }
    }
    m
}

fn bonus_count(per: BonusPer, c: &Candidate<'_>) -> Calc<Decimal> {
    Ok(match per {
        BonusPer::Order => Decimal::ONE,
        BonusPer::Line => Decimal::from(c.lines.len()),
        BonusPer::Unit => c.quantity,
    })
}

/// Extra points of a multiplier `mult` on `lines`, each line's base scaled by
/// `factor(line)`: Σ over rate rules of points × Σ(spend × factor) × (mult − 1) / per.
fn multiplier_points(
    rates: &[(Decimal, Decimal, Vec<bool>)],
    spend: &[Decimal],
    lines: &[usize],
    factor: impl Fn(usize) -> Decimal,
    mult: Decimal,
) -> Calc<Decimal> {
    let extra = sub(mult, Decimal::ONE)?;
    let mut total = Decimal::ZERO;
    for (points, per, rate_on) in rates {
        let mut s = Decimal::ZERO;
        for l in lines.iter() {
            if rate_on.get(*l).copied().unwrap_or(false) {
                s = add(
                    s,
                    mul(spend.get(*l).copied().unwrap_or_default(), factor(*l))?,
                )?;
            }
        }
        if !s.is_zero() {
            total = add(total, div(mul(mul(*points, s)?, extra)?, *per)?)?;
        }
    }
    Ok(total)
}

/// Within each exclusive group, keeps the candidate of `kind` worth the most
/// points (ties go to the rule applied first); the others become misses.
fn resolve_groups(
    n_groups: usize,
    cands: &mut [Option<Candidate<'_>>],
    value: &[Decimal],
    kind: impl Fn(&Effect) -> bool,
    misses: &mut [Option<Vec<Reason>>],
    explain: bool,
) {
    if n_groups == 0 {
        return;
    }
    let mut best: Vec<Option<(usize, Decimal)>> = vec![None; n_groups];
    for (i, (cand, v)) in cands.iter().zip(value).enumerate() {
        let Some(c) = cand else { continue };
        let (Some(g), true) = (c.rule.group_ix, kind(&c.rule.effect)) else {
            continue;
        };
        if let Some(slot) = best.get_mut(g)
            && slot.is_none_or(|(_, b)| *v > b)
        {
            *slot = Some((i, *v));
        }
    }
    let winner_id = |cands: &[Option<Candidate<'_>>], w: usize| {
        cands
            .get(w)
            .and_then(|c| c.as_ref())
            .map(|c| c.rule.id.clone())
    };
    for i in 0..cands.len() {
        let Some(Some(c)) = cands.get(i) else {
            continue;
        };
        let (Some(g), true) = (c.rule.group_ix, kind(&c.rule.effect)) else {
            continue;
        };
        let Some(Some((w, _))) = best.get(g).copied() else {
            continue;
        };
        if w == i {
            continue;
        }
        if explain && let Some(miss) = misses.get_mut(i) {
            *miss = Some(vec![Reason::Outranked {
                group: c.rule.group.clone().unwrap_or_default(),
                winner: winner_id(cands, w).unwrap_or_default(),
            }]);
        }
        if let Some(slot) = cands.get_mut(i) {
            *slot = None;
        }
    }
}

fn check_counters(counters: &Counters) -> Result<(), RequestErrors> {
    let mut errors = Vec::new();
    for (rule, c) in counters {
        for (name, w) in [("day", &c.day), ("period", &c.period)] {
            if w.as_ref().is_some_and(|w| w.points < Decimal::ZERO) {
                errors.push(RequestError::InvalidCounter {
                    path: format!("counters.{rule}.{name}.points"),
                    reason: "points must not be negative",
                });
            }
        }
        if c.budget.is_some_and(|b| b < Decimal::ZERO) {
            errors.push(RequestError::InvalidCounter {
                path: format!("counters.{rule}.budget"),
                reason: "points must not be negative",
            });
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(RequestErrors(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program(extra_categories: usize) -> Program {
        let mut cats: Vec<String> = vec!["bakery".into()];
        cats.extend((0..extra_categories).map(|i| format!("unused-{i}")));
        Program::from_value(serde_json::json!({
            "schema_version": 1, "id": "p", "currency": "SAR", "time_zone": "Asia/Riyadh",
            "earn_rules": [
                {"id": "base", "rate": {"points": "1", "per": "1"}, "when": {"exclude_skus": ["water"]}},
                {"id": "bakery", "multiplier": "3", "when": {"categories": cats, "exclude_categories": ["frozen"]}}
            ]
        }))
        .unwrap()
    }

    /// Line filters answer the same whether they run as bitmasks (small
    /// vocabularies) or as set lookups (more than 128 names).
    #[test]
    fn masks_and_set_lookups_agree() {
        let (small, large) = (program(0), program(200));
        assert!(small.vocab.is_some() && large.vocab.is_none());
        let request = QuoteRequest::from_json(
            r#"{"order": {"id": "o", "placed_at": "2026-01-01T10:00:00+03:00", "lines": [
                {"sku": "bread", "categories": ["bakery"], "quantity": "1", "unit_price": "10"},
                {"sku": "frozen-bread", "categories": ["bakery", "frozen"], "quantity": "1", "unit_price": "5"},
                {"sku": "water", "categories": ["drinks"], "quantity": "1", "unit_price": "2"}
            ]}}"#,
        )
        .unwrap();
        let (a, b) = (
            small.quote(&request).unwrap(),
            large.quote(&request).unwrap(),
        );
        assert_eq!(a.total, b.total);
        assert_eq!(a.total, Decimal::from(15 + 20));
        assert_eq!(a.awards, b.awards);
    }
}
