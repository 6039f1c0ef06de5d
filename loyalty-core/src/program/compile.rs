//! Checks a [`ProgramFile`] and compiles it into an immutable [`Program`].
//!
//! All checks run and all errors are collected, so an author sees every
//! mistake in a file at once, each with the path of the bad value.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use chrono_tz::Tz;
use rust_decimal::Decimal;

use super::error::{ProgramError, ProgramErrors};
use super::format::*;
use crate::calendar::{self, CalendarDate, CalendarKind};
use crate::error::join;
use crate::ledger::amount::Amount;
use crate::ledger::policy::{LedgerPolicy, Redemption};
use crate::money::{Currency, DecimalText, RoundingMode};

/// A validated loyalty program, ready to quote. Immutable and `Send + Sync`:
/// load it once and share it between threads.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    pub(crate) file: ProgramFile,
    pub(crate) currency: Currency,
    pub(crate) tz: Tz,
    pub(crate) calendar: CalendarKind,
    pub(crate) rounding: Rounding,
    pub(crate) eligibility: Eligibility,
    pub(crate) stacking: MultiplierStacking,
    /// Rules in application order: priority (high first), then file order.
    pub(crate) rules: Vec<Rule>,
    /// Whether any rule needs the date in a non-Gregorian calendar.
    pub(crate) needs_calendar: bool,
    /// Number of distinct exclusive groups.
    pub(crate) groups: usize,
    /// Categories and SKUs the line filters mention, when both fit in masks.
    pub(crate) vocab: Option<(Vocab, Vocab)>,
    /// How the ledger holds, expires, refunds and spends points.
    pub(crate) ledger: LedgerPolicy,
    /// Membership tiers, when the program has them.
    pub(crate) tiers: Option<crate::tiers::policy::TierPolicy>,
    /// Coupon campaigns.
    pub(crate) coupons: crate::coupons::policy::CouponPolicy,
    /// How profiles are matched and merged.
    pub(crate) merge: crate::identity::policy::MergePolicy,
    /// Member referrals, when the program has them.
    pub(crate) referrals: Option<crate::referrals::policy::ReferralPolicy>,
    /// RFM cut points and segment rules.
    pub(crate) insights: crate::insights::config::InsightsPolicy,
}

impl Program {
    /// The program id.
    pub fn id(&self) -> &str {
        &self.file.id
    }

    /// The program's currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The program's IANA time zone.
    pub fn time_zone(&self) -> Tz {
        self.tz
    }

    /// The tiers' ids, lowest first (none without `[tiers]`).
    pub fn tier_ids(&self) -> Vec<String> {
        self.tiers
            .as_ref()
            .map(|t| t.levels.iter().map(|l| l.id.clone()).collect())
            .unwrap_or_default()
    }

    /// The calendar periods and birthdays are counted in.
    pub fn calendar(&self) -> CalendarKind {
        self.calendar
    }

    /// Ids of the earning rules, in application order.
    pub fn rule_ids(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(|r| r.id.as_str())
    }

    /// The program as a file (the format types), e.g. to save it again.
    pub fn file(&self) -> &ProgramFile {
        &self.file
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rounding {
    pub mode: RoundingMode,
    pub level: RoundingLevel,
    pub scale: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Eligibility {
    pub net_of_discounts: bool,
    pub include_tax: bool,
    pub include_shipping: bool,
    pub include_gift_cards: bool,
    pub exclude_categories: BTreeSet<String>,
    pub exclude_skus: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rule {
    pub id: String,
    pub priority: i32,
    pub group: Option<String>,
    /// Index of `group` among the program's groups (0..`Program::groups`).
    pub group_ix: Option<usize>,
    pub effect: Effect,
    pub when: Conditions,
    pub caps: Caps,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Effect {
    Rate { points: Decimal, per: Decimal },
    Multiplier(Decimal),
    Bonus { points: Decimal, per: BonusPer },
    Event { event_type: String, points: Decimal },
}

impl Effect {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Rate { .. } => "rate",
            Self::Multiplier(_) => "multiplier",
            Self::Bonus { .. } => "bonus",
            Self::Event { .. } => "event",
        }
    }
}

/// Rule id prefix of tier benefit multipliers (`tier:gold`); file rule ids
/// cannot contain `:`.
pub(crate) const TIER_RULE_PREFIX: &str = "tier:";
/// Rule id prefix of points coupons' effects (`coupon:double-points`).
pub(crate) const COUPON_RULE_PREFIX: &str = "coupon:";

impl Rule {
    /// Whether the rule is a tier's points multiplier rather than a rule of the file.
    pub(crate) fn is_tier_benefit(&self) -> bool {
        self.id.starts_with(TIER_RULE_PREFIX)
    }

    /// Whether the rule is a points coupon's effect rather than a rule of the file.
    pub(crate) fn is_coupon_effect(&self) -> bool {
        self.id.starts_with(COUPON_RULE_PREFIX)
    }
}

/// Which lines a rule looks at.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct LineFilter {
    pub categories: Option<BTreeSet<String>>,
    pub exclude_categories: BTreeSet<String>,
    pub skus: Option<BTreeSet<String>>,
    pub exclude_skus: BTreeSet<String>,
    /// The same filter as bitmasks, when the program's vocabularies are small enough.
    pub masks: Option<LineMasks>,
}

/// The filter as bitmasks over the program's [`Vocab`]s; a line matches
/// with a few ANDs instead of string lookups.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct LineMasks {
    pub categories: Option<u128>,
    pub exclude_categories: u128,
    pub skus: Option<u128>,
    pub exclude_skus: u128,
}

impl LineMasks {
    /// Whether a line with these category and SKU bits passes the filter.
    pub fn matches(&self, cats: u128, sku: u128) -> bool {
        self.categories.is_none_or(|m| cats & m != 0)
            && cats & self.exclude_categories == 0
            && self.skus.is_none_or(|m| sku & m != 0)
            && sku & self.exclude_skus == 0
    }
}

/// The category or SKU names a program's line filters mention, numbered.
/// With at most 128 of each, every line's categories become one bitmask per
/// quote; beyond that the engine falls back to set lookups.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Vocab {
    /// Sorted, unique.
    names: Vec<String>,
}

impl Vocab {
    fn new(names: BTreeSet<&String>) -> Option<Self> {
        (names.len() <= 128).then(|| Self {
            names: names.into_iter().cloned().collect(),
        })
    }

    /// The bit of `name`, or 0 when no filter mentions it.
    pub fn bit(&self, name: &str) -> u128 {
        self.names
            .binary_search_by(|n| n.as_str().cmp(name))
            .ok()
            .and_then(|i| u32::try_from(i).ok())
            .and_then(|i| 1u128.checked_shl(i))
            .unwrap_or(0)
    }

    fn mask<'a>(&self, names: impl IntoIterator<Item = &'a String>) -> u128 {
        names.into_iter().fold(0, |m, n| m | self.bit(n))
    }
}

impl LineFilter {
    /// Whether a line with these categories and SKU passes the filter (by set lookups).
    pub fn matches_line(&self, categories: &[String], sku: &str) -> bool {
        self.categories
            .as_ref()
            .is_none_or(|set| categories.iter().any(|c| set.contains(c)))
            && !categories
                .iter()
                .any(|c| self.exclude_categories.contains(c))
            && self.skus.as_ref().is_none_or(|set| set.contains(sku))
            && !self.exclude_skus.contains(sku)
    }

    /// True when every eligible line matches.
    pub fn is_empty(&self) -> bool {
        self.categories.is_none()
            && self.skus.is_none()
            && self.exclude_categories.is_empty()
            && self.exclude_skus.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Conditions {
    pub channels: Option<BTreeSet<String>>,
    pub stores: Option<BTreeSet<String>>,
    pub exclude_stores: BTreeSet<String>,
    pub payment_methods: Option<BTreeSet<String>>,
    pub lines: LineFilter,
    pub min_spend: Option<Decimal>,
    pub min_quantity: Option<Decimal>,
    pub tiers: Option<BTreeSet<String>>,
    pub attributes: BTreeMap<String, BTreeSet<String>>,
    pub card_required: bool,
    pub first_purchase: Option<bool>,
    /// Bit `n` set: weekday `n` (Monday = 0) matches.
    pub weekdays: Option<u8>,
    /// Minutes after midnight, `from` inclusive, `to` exclusive; wraps when from > to.
    pub local_time: Option<(u16, u16)>,
    /// Inclusive ISO dates.
    pub dates: Option<(NaiveDate, NaiveDate)>,
    /// Bit `m` set: month `m` (1-12) of the calendar matches.
    pub months: Option<(CalendarKind, u16)>,
    pub birthday: Option<BirthdayWindow>,
    /// A points coupon's effect: fires only when the request redeems this campaign.
    pub coupon: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Caps {
    pub per_order: Option<Decimal>,
    pub per_day: Option<Decimal>,
    pub per_period: Option<(Decimal, CapPeriod)>,
    pub budget: Option<Decimal>,
}

impl Caps {
    pub fn uses_counters(&self) -> bool {
        self.per_day.is_some() || self.per_period.is_some() || self.budget.is_some()
    }
}

/// Collects errors while compiling.
pub(crate) struct Checker {
    pub(crate) errors: Vec<ProgramError>,
}

fn is_identifier(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

impl Checker {
    pub(crate) fn push(&mut self, e: ProgramError) {
        self.errors.push(e);
    }

    pub(crate) fn identifier(&mut self, path: String, value: &str) {
        if !is_identifier(value) {
            self.push(ProgramError::InvalidIdentifier {
                path,
                value: value.to_owned(),
            });
        }
    }

    pub(crate) fn decimal(&mut self, path: String, text: &DecimalText) -> Option<Decimal> {
        let d = text.parse();
        if d.is_none() {
            self.push(ProgramError::InvalidDecimal {
                path,
                value: text.0.clone(),
            });
        }
        d
    }

    pub(crate) fn positive(&mut self, path: String, text: &DecimalText) -> Option<Decimal> {
        let d = self.decimal(path.clone(), text)?;
        if d <= Decimal::ZERO {
            self.push(ProgramError::NotPositive {
                path,
                value: text.0.clone(),
            });
            return None;
        }
        Some(d)
    }

    pub(crate) fn non_negative(&mut self, path: String, text: &DecimalText) -> Option<Decimal> {
        let d = self.decimal(path.clone(), text)?;
        if d < Decimal::ZERO {
            self.push(ProgramError::NegativeValue {
                path,
                value: text.0.clone(),
            });
            return None;
        }
        Some(d)
    }

    fn set(&mut self, path: String, list: &Option<Vec<String>>) -> Option<BTreeSet<String>> {
        let list = list.as_ref()?;
        if list.is_empty() {
            self.push(ProgramError::EmptyList { path });
        }
        Some(list.iter().cloned().collect())
    }

    fn exclusions(
        &mut self,
        path: String,
        list: &Option<Vec<String>>,
        include: Option<&BTreeSet<String>>,
    ) -> BTreeSet<String> {
        let set = self.set(path.clone(), list).unwrap_or_default();
        if let Some(include) = include {
            for v in set.intersection(include) {
                self.push(ProgramError::ConflictingFilter {
                    path: path.clone(),
                    value: v.clone(),
                });
            }
        }
        set
    }

    fn time(&mut self, path: String, text: &str) -> Option<u16> {
        let parsed = (|| {
            let (h, m) = text.split_once(':')?;
            let digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
            if !digits(h) || !digits(m) {
                return None;
            }
            let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
            let minutes = h.checked_mul(60)?.checked_add(m)?;
            (m < 60 && minutes <= 24 * 60).then_some(minutes)
        })();
        if parsed.is_none() {
            self.push(ProgramError::InvalidTime {
                path,
                value: text.to_owned(),
            });
        }
        parsed
    }

    pub(crate) fn date(
        &mut self,
        path: String,
        text: &str,
        kind: CalendarKind,
    ) -> Option<NaiveDate> {
        let d = CalendarDate::parse(text).and_then(|d| calendar::to_iso(kind, d));
        if d.is_none() {
            self.push(ProgramError::InvalidDate {
                path,
                value: text.to_owned(),
                calendar: kind.name(),
            });
        }
        d
    }
}

/// Validates `file` and compiles it; every error found is returned.
pub fn compile(file: ProgramFile) -> Result<Program, ProgramErrors> {
    let mut c = Checker { errors: Vec::new() };
    if file.schema_version != SCHEMA_VERSION {
        // A different version means a different format: checking further would only add noise.
        return Err(ProgramError::UnsupportedSchemaVersion {
            path: "schema_version".to_owned(),
            found: file.schema_version,
            supported: SCHEMA_VERSION,
        }
        .into());
    }
    c.identifier("id".to_owned(), &file.id);
    let currency = Currency::from_code(&file.currency);
    if currency.is_none() {
        c.push(ProgramError::InvalidCurrency {
            path: "currency".to_owned(),
            value: file.currency.clone(),
        });
    }
    let tz = file.time_zone.parse::<Tz>().ok();
    if tz.is_none() {
        c.push(ProgramError::InvalidTimeZone {
            path: "time_zone".to_owned(),
            value: file.time_zone.clone(),
        });
    }
    if file.rounding.scale > 4 {
        c.push(ProgramError::InvalidScale {
            path: "rounding.scale".to_owned(),
            value: file.rounding.scale,
        });
    }
    let rounding = Rounding {
        mode: file.rounding.mode,
        level: file.rounding.level,
        scale: file.rounding.scale,
    };
    let e = &file.eligibility;
    let eligibility = Eligibility {
        net_of_discounts: e.net_of_discounts,
        include_tax: e.include_tax,
        include_shipping: e.include_shipping,
        include_gift_cards: e.include_gift_cards,
        exclude_categories: e.exclude_categories.iter().cloned().collect(),
        exclude_skus: e.exclude_skus.iter().cloned().collect(),
    };

    let mut seen = BTreeSet::new();
    let mut group_kinds: BTreeMap<&str, bool> = BTreeMap::new();
    let mut group_names: BTreeMap<String, usize> = BTreeMap::new();
    let mut rules = Vec::with_capacity(file.earn_rules.len());
    for (i, r) in file.earn_rules.iter().enumerate() {
        let path = format!("earn_rules[{i}]");
        c.identifier(join(&path, "id"), &r.id);
        if !seen.insert(r.id.as_str()) {
            c.push(ProgramError::DuplicateRuleId {
                path: join(&path, "id"),
                id: r.id.clone(),
            });
        }
        let effect = compile_effect(&mut c, &path, r);
        if let Some(g) = &r.group {
            c.identifier(join(&path, "group"), g);
            if let Some(effect) = &effect {
                let is_rate = matches!(effect, Effect::Rate { .. });
                if *group_kinds.entry(g.as_str()).or_insert(is_rate) != is_rate {
                    c.push(ProgramError::MixedGroup {
                        path: join(&path, "group"),
                        group: g.clone(),
                    });
                }
            }
        }
        let is_event = matches!(effect, Some(Effect::Event { .. }));
        let when = compile_when(
            &mut c,
            &join(&path, "when"),
            &r.when,
            file.calendar,
            is_event,
        );
        let caps = compile_caps(&mut c, &join(&path, "cap"), r.cap.as_ref());
        if let Some(effect) = effect {
            let group_ix = r.group.as_ref().map(|g| {
                let next = group_names.len();
                *group_names.entry(g.clone()).or_insert(next)
            });
            rules.push(Rule {
                group_ix,
                id: r.id.clone(),
                priority: r.priority,
                group: r.group.clone(),
                effect,
                when,
                caps,
            });
        }
    }

    let ledger = compile_ledger(&mut c, &file.ledger);
    let tiers = file
        .tiers
        .as_ref()
        .map(|t| crate::tiers::policy::compile_tiers(&mut c, t));
    // A tier's points multiplier is a multiplier rule for that tier, applied
    // after every rule of the file (so their explanations do not change).
    for level in tiers.iter().flat_map(|t| &t.levels) {
        let Some(m) = level.multiplier else { continue };
        let when = WhenFile {
            tiers: Some(vec![level.id.clone()]),
            ..WhenFile::default()
        };
        rules.push(Rule {
            group_ix: None,
            id: format!("{TIER_RULE_PREFIX}{}", level.id),
            priority: i32::MIN,
            group: None,
            effect: Effect::Multiplier(m),
            when: compile_when(&mut c, "tiers", &when, file.calendar, false),
            caps: compile_caps(&mut c, "tiers", None),
        });
    }
    let coupons = crate::coupons::policy::compile_coupons(&mut c, &file);
    let merge = crate::identity::policy::compile_merge(&mut c, &file.merge, file.calendar);
    let insights = crate::insights::config::compile_insights(&mut c, file.insights.as_ref());
    let campaigns: Vec<&str> = file.coupons.iter().map(|k| k.id.as_str()).collect();
    if let Some(t) = &file.triggers {
        let personal: Vec<&str> = file
            .coupons
            .iter()
            .filter(|k| {
                k.codes
                    .as_ref()
                    .is_some_and(|c| c.kind == crate::coupons::format::CodeKind::Personal)
            })
            .map(|k| k.id.as_str())
            .collect();
        crate::insights::triggers::check_triggers(&mut c, t, &personal);
    }
    let referrals = file
        .referrals
        .as_ref()
        .and_then(|r| crate::referrals::policy::compile_referrals(&mut c, r, &campaigns));
    rules.extend(crate::coupons::policy::points_rules(
        &mut c, &file, &coupons,
    ));
    match (currency, tz, c.errors.is_empty()) {
        (Some(currency), Some(tz), true) => {
            let ledger = LedgerPolicy {
                tz,
                calendar: file.calendar,
                scale: rounding.scale,
                rounding: rounding.mode,
                ..ledger
            };
            // Stable sort: equal priorities keep file order.
            rules.sort_by_key(|r| std::cmp::Reverse(r.priority));
            let vocab = line_vocab(&mut rules);
            let needs_calendar = rules.iter().any(|r| {
                r.when.birthday.is_some()
                    || r.when
                        .months
                        .is_some_and(|(k, _)| k != CalendarKind::Gregorian)
                    || r.caps.per_period.is_some()
            });
            Ok(Program {
                calendar: file.calendar,
                currency,
                tz,
                rounding,
                eligibility,
                stacking: file.multipliers,
                rules,
                needs_calendar,
                groups: group_names.len(),
                vocab,
                ledger,
                tiers,
                coupons,
                merge,
                referrals,
                insights,
                file,
            })
        }
        _ => Err(ProgramErrors(c.errors)),
    }
}

/// Checks the ledger section; the time zone, calendar and rounding are filled
/// in from the rest of the program.
fn compile_ledger(c: &mut Checker, l: &LedgerFile) -> LedgerPolicy {
    let redemption = l.redemption.as_ref().and_then(|r| {
        let path = "ledger.redemption";
        let points = c.positive(join(path, "points"), &r.points);
        let value = c.positive(join(path, "value"), &r.value);
        let mut amount = |name: &str, text: &Option<DecimalText>| {
            let p = join(path, name);
            let d = text.as_ref().and_then(|t| c.non_negative(p.clone(), t))?;
            let a = Amount::from_decimal(d);
            if a.is_none() {
                c.push(ProgramError::InvalidScale {
                    path: p,
                    value: d.scale(),
                });
            }
            a
        };
        let min_points = amount("min_points", &r.min_points);
        let max_points = amount("max_points", &r.max_points);
        if let (Some(lo), Some(hi)) = (min_points, max_points)
            && lo > hi
        {
            c.push(ProgramError::InvertedLimits {
                path: join(path, "min_points"),
            });
        }
        let max_percent = r.max_percent.as_ref().and_then(|t| {
            let p = join(path, "max_percent");
            let d = c.non_negative(p.clone(), t)?;
            if d > Decimal::ONE_HUNDRED {
                c.push(ProgramError::percent(p, &t.0));
                return None;
            }
            Some(d)
        });
        Some(Redemption {
            points: points?,
            value: value?,
            min_points,
            max_points,
            max_percent,
        })
    });
    LedgerPolicy {
        pending_ms: LedgerPolicy::day_ms(l.pending_days),
        after_ms: l.expiry.after_days.map(LedgerPolicy::day_ms),
        end_of: l.expiry.end_of.map(|p| (p, l.expiry.periods_after)),
        inactivity_ms: l.expiry.inactivity_days.map(LedgerPolicy::day_ms),
        shortfall: l.shortfall,
        restore: l.restore_expiry,
        redemption,
        tz: chrono_tz::UTC,
        calendar: CalendarKind::Gregorian,
        scale: 0,
        rounding: RoundingMode::Floor,
    }
}

/// Numbers the category and SKU names of every line filter and gives each
/// filter its masks; `None` (and no masks) when either list exceeds 128 names.
fn line_vocab(rules: &mut [Rule]) -> Option<(Vocab, Vocab)> {
    let filters = || rules.iter().map(|r| &r.when.lines);
    let cats = Vocab::new(
        filters()
            .flat_map(|f| f.categories.iter().flatten().chain(&f.exclude_categories))
            .collect(),
    )?;
    let skus = Vocab::new(
        filters()
            .flat_map(|f| f.skus.iter().flatten().chain(&f.exclude_skus))
            .collect(),
    )?;
    for f in rules.iter_mut().map(|r| &mut r.when.lines) {
        f.masks = Some(LineMasks {
            categories: f.categories.as_ref().map(|c| cats.mask(c)),
            exclude_categories: cats.mask(&f.exclude_categories),
            skus: f.skus.as_ref().map(|s| skus.mask(s)),
            exclude_skus: skus.mask(&f.exclude_skus),
        });
    }
    Some((cats, skus))
}

fn compile_effect(c: &mut Checker, path: &str, r: &EarnRuleFile) -> Option<Effect> {
    let given: Vec<&'static str> = [
        r.rate.as_ref().map(|_| "rate"),
        r.multiplier.as_ref().map(|_| "multiplier"),
        r.bonus.as_ref().map(|_| "bonus"),
        r.event.as_ref().map(|_| "event"),
    ]
    .into_iter()
    .flatten()
    .collect();
    match given.len() {
        0 => {
            c.push(ProgramError::MissingEffect {
                path: path.to_owned(),
            });
            return None;
        }
        1 => {}
        _ => {
            c.push(ProgramError::ConflictingEffects {
                path: path.to_owned(),
                effects: given,
            });
            return None;
        }
    }
    if let Some(rate) = &r.rate {
        let points = c.positive(format!("{path}.rate.points"), &rate.points);
        let per = c.positive(format!("{path}.rate.per"), &rate.per);
        return Some(Effect::Rate {
            points: points?,
            per: per?,
        });
    }
    if let Some(m) = &r.multiplier {
        let p = join(path, "multiplier");
        let value = c.decimal(p.clone(), m)?;
        if value < Decimal::ONE {
            c.push(ProgramError::InvalidMultiplier {
                path: p,
                value: m.0.clone(),
            });
            return None;
        }
        return Some(Effect::Multiplier(value));
    }
    if let Some(b) = &r.bonus {
        let points = c.positive(format!("{path}.bonus.points"), &b.points)?;
        return Some(Effect::Bonus { points, per: b.per });
    }
    let e = r.event.as_ref()?;
    c.identifier(format!("{path}.event.type"), &e.event_type);
    let points = c.positive(format!("{path}.event.points"), &e.points)?;
    Some(Effect::Event {
        event_type: e.event_type.clone(),
        points,
    })
}

pub(crate) fn compile_when(
    c: &mut Checker,
    path: &str,
    w: &WhenFile,
    program_calendar: CalendarKind,
    is_event: bool,
) -> Conditions {
    if is_event {
        let order_only: [(&'static str, bool); 9] = [
            ("stores", w.stores.is_some()),
            ("exclude_stores", w.exclude_stores.is_some()),
            ("payment_methods", w.payment_methods.is_some()),
            ("categories", w.categories.is_some()),
            ("exclude_categories", w.exclude_categories.is_some()),
            ("skus", w.skus.is_some()),
            ("exclude_skus", w.exclude_skus.is_some()),
            ("min_spend", w.min_spend.is_some()),
            ("min_quantity", w.min_quantity.is_some()),
        ];
        for (name, _) in order_only.iter().filter(|(_, set)| *set) {
            c.push(ProgramError::ConditionNotApplicable {
                path: join(path, name),
                condition: name,
            });
        }
    }
    let p = |k: &str| join(path, k);
    let stores = c.set(p("stores"), &w.stores);
    let exclude_stores = c.exclusions(p("exclude_stores"), &w.exclude_stores, stores.as_ref());
    let categories = c.set(p("categories"), &w.categories);
    let exclude_categories = c.exclusions(
        p("exclude_categories"),
        &w.exclude_categories,
        categories.as_ref(),
    );
    let skus = c.set(p("skus"), &w.skus);
    let exclude_skus = c.exclusions(p("exclude_skus"), &w.exclude_skus, skus.as_ref());

    let weekdays = w.weekdays.as_ref().map(|days| {
        if days.is_empty() {
            c.push(ProgramError::EmptyList {
                path: p("weekdays"),
            });
        }
        days.iter().fold(0u8, |bits, d| bits | (1 << (*d as u8)))
    });
    let local_time = w.local_time.as_ref().and_then(|t| {
        let from = c.time(format!("{path}.local_time.from"), &t.from);
        let to = c.time(format!("{path}.local_time.to"), &t.to);
        let (from, to) = (from?, to?);
        if from == to {
            c.push(ProgramError::EmptyTimeWindow {
                path: p("local_time"),
            });
            return None;
        }
        Some((from, to))
    });
    let dates = w.dates.as_ref().and_then(|d| {
        let kind = d.calendar.unwrap_or(program_calendar);
        let from = c.date(format!("{path}.dates.from"), &d.from, kind);
        let to = c.date(format!("{path}.dates.to"), &d.to, kind);
        let (from, to) = (from?, to?);
        if to < from {
            c.push(ProgramError::InvertedWindow {
                path: p("dates"),
                from: d.from.clone(),
                to: d.to.clone(),
            });
            return None;
        }
        Some((from, to))
    });
    let months = w.months.as_ref().map(|m| {
        if m.months.is_empty() {
            c.push(ProgramError::EmptyList {
                path: format!("{path}.months.months"),
            });
        }
        let mut bits = 0u16;
        for (i, month) in m.months.iter().enumerate() {
            if (1..=12).contains(month) {
                bits |= 1 << month;
            } else {
                c.push(ProgramError::InvalidMonth {
                    path: format!("{path}.months.months[{i}]"),
                    value: *month,
                });
            }
        }
        (m.calendar.unwrap_or(program_calendar), bits)
    });
    let attributes = w
        .attributes
        .iter()
        .flatten()
        .map(|(k, v)| {
            let values: BTreeSet<String> = match v {
                OneOrMany::One(s) => BTreeSet::from([s.clone()]),
                OneOrMany::Many(list) => {
                    if list.is_empty() {
                        c.push(ProgramError::EmptyList {
                            path: format!("{path}.attributes.{k}"),
                        });
                    }
                    list.iter().cloned().collect()
                }
            };
            (k.clone(), values)
        })
        .collect();
    Conditions {
        channels: c.set(p("channels"), &w.channels),
        stores,
        exclude_stores,
        payment_methods: c.set(p("payment_methods"), &w.payment_methods),
        lines: LineFilter {
            categories,
            exclude_categories,
            skus,
            exclude_skus,
            // Filled in once the whole program's vocabulary is known.
            masks: None,
        },
        min_spend: w
            .min_spend
            .as_ref()
            .and_then(|d| c.non_negative(p("min_spend"), d)),
        min_quantity: w
            .min_quantity
            .as_ref()
            .and_then(|d| c.non_negative(p("min_quantity"), d)),
        tiers: c.set(p("tiers"), &w.tiers),
        attributes,
        card_required: w.card_required,
        first_purchase: w.first_purchase,
        weekdays,
        local_time,
        dates,
        months,
        birthday: w.birthday,
        coupon: None,
    }
}

fn compile_caps(c: &mut Checker, path: &str, cap: Option<&CapFile>) -> Caps {
    let Some(cap) = cap else {
        return Caps::default();
    };
    let p = |k: &str| join(path, k);
    Caps {
        per_order: cap
            .per_order
            .as_ref()
            .and_then(|d| c.positive(p("per_order"), d)),
        per_day: cap
            .per_day
            .as_ref()
            .and_then(|d| c.positive(p("per_day"), d)),
        per_period: cap.per_period.as_ref().and_then(|pp| {
            Some((
                c.positive(format!("{path}.per_period.points"), &pp.points)?,
                pp.period,
            ))
        }),
        budget: cap.budget.as_ref().and_then(|d| c.positive(p("budget"), d)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Coded;

    const _: () = {
        const fn shared<T: Send + Sync>() {}
        shared::<Program>();
    };

    fn errors(json: serde_json::Value) -> Vec<(&'static str, String)> {
        let file: ProgramFile = serde_json::from_value(json).unwrap();
        compile(file)
            .unwrap_err()
            .errors()
            .iter()
            .map(|e| (e.code(), e.path().to_owned()))
            .collect()
    }

    #[test]
    fn every_error_in_a_file_is_reported_at_once() {
        let got = errors(serde_json::json!({
            "schema_version": 1, "id": "Bad Id", "currency": "XXQ", "time_zone": "Mars/Olympus",
            "earn_rules": [
                {"id": "a", "rate": {"points": "1", "per": "0"}},
                {"id": "a", "multiplier": "0.5", "when": {"local_time": {"from": "25:00", "to": "10:00"}}},
                {"id": "c", "bonus": {"points": "5"}, "rate": {"points": "1", "per": "1"}}
            ]
        }));
        assert_eq!(
            got,
            [
                ("invalid_identifier", "id".to_owned()),
                ("invalid_currency", "currency".to_owned()),
                ("invalid_time_zone", "time_zone".to_owned()),
                ("not_positive", "earn_rules[0].rate.per".to_owned()),
                ("duplicate_rule_id", "earn_rules[1].id".to_owned()),
                ("invalid_multiplier", "earn_rules[1].multiplier".to_owned()),
                (
                    "invalid_time",
                    "earn_rules[1].when.local_time.from".to_owned()
                ),
                ("conflicting_effects", "earn_rules[2]".to_owned()),
            ]
        );
    }

    #[test]
    fn a_future_schema_version_stops_before_other_checks() {
        let got = errors(
            serde_json::json!({"schema_version": 2, "id": "Bad Id", "currency": "X", "time_zone": "Y"}),
        );
        assert_eq!(
            got,
            [("unsupported_schema_version", "schema_version".to_owned())]
        );
    }

    #[test]
    fn rules_apply_by_priority_then_file_order() {
        let file: ProgramFile = serde_json::from_value(serde_json::json!({
            "schema_version": 1, "id": "p", "currency": "SAR", "time_zone": "Asia/Riyadh",
            "earn_rules": [
                {"id": "low", "priority": -1, "bonus": {"points": "1"}},
                {"id": "first", "bonus": {"points": "1"}},
                {"id": "high", "priority": 5, "bonus": {"points": "1"}},
                {"id": "second", "bonus": {"points": "1"}}
            ]
        }))
        .unwrap();
        let program = compile(file).unwrap();
        assert_eq!(
            program.rule_ids().collect::<Vec<_>>(),
            ["high", "first", "second", "low"]
        );
    }
}
