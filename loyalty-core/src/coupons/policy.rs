//! Coupon campaigns compiled: checked once at load, ready to validate and apply.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::code::{CodeFormat, DEFAULT_ALPHABET, DEFAULT_PATTERN};
use super::format::*;
use crate::calendar::CalendarKind;
use crate::error::join;
use crate::money::{DecimalText, RoundingMode};
use crate::program::ProgramError;
use crate::program::compile::{Checker, compile_when};
use crate::program::compile_types::Conditions;
use crate::program::format::{ProgramFile, WhenFile};

/// Every campaign of a program, and how coupons on one order work together.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct CouponPolicy {
    pub percent_of: PercentBase,
    pub rounding: RoundingMode,
    pub max_per_order: Option<u32>,
    /// In file order.
    pub campaigns: Vec<Campaign>,
    /// Public code, as [`normalize_public`] writes it, to campaign index.
    pub public: BTreeMap<String, usize>,
}

impl CouponPolicy {
    pub fn campaign(&self, id: &str) -> Option<&Campaign> {
        self.campaigns.iter().find(|c| c.id == id)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Campaign {
    pub id: String,
    /// Position in the file: the tie-break of the application order.
    pub index: usize,
    pub source: CodeSource,
    /// Inclusive local dates, as written and as ISO dates.
    pub valid: Option<ActiveWindow>,
    pub when: Conditions,
    pub discount: Discount,
    pub limits: Limits,
    pub exclusive: bool,
    pub group: Option<String>,
    pub priority: i32,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ActiveWindow {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub calendar: CalendarKind,
    pub from_text: String,
    pub to_text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CodeSource {
    Public(String),
    Generated { kind: CodeKind, format: CodeFormat },
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Discount {
    Percent {
        percent: Decimal,
        max: Option<Decimal>,
    },
    AmountOff(Decimal),
    AmountOffEach(Decimal),
    FixedPrice(Decimal),
    BuyXGetY {
        buy: u32,
        get: u32,
        percent: Decimal,
        pick: Pick,
        max_sets: Option<u32>,
    },
    FreeShipping {
        max: Option<Decimal>,
    },
    FreeGift {
        sku: String,
        categories: Vec<String>,
        value: Decimal,
    },
    PointsMultiplier(Decimal),
    PointsBonus(Decimal),
}

impl Discount {
    /// The `type` name, as in the file.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Percent { .. } => "percent",
            Self::AmountOff(_) => "amount_off",
            Self::AmountOffEach(_) => "amount_off_each",
            Self::FixedPrice(_) => "fixed_price",
            Self::BuyXGetY { .. } => "buy_x_get_y",
            Self::FreeShipping { .. } => "free_shipping",
            Self::FreeGift { .. } => "free_gift",
            Self::PointsMultiplier(_) => "points_multiplier",
            Self::PointsBonus(_) => "points_bonus",
        }
    }

    /// Whether the coupon's value is points, applied by accrual.
    pub fn gives_points(&self) -> bool {
        matches!(self, Self::PointsMultiplier(_) | Self::PointsBonus(_))
    }

    /// Whether the coupon takes money off lines (not a gift, not points).
    pub fn takes_money(&self) -> bool {
        !matches!(
            self,
            Self::FreeGift { .. } | Self::PointsMultiplier(_) | Self::PointsBonus(_)
        )
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Limits {
    pub per_customer: Option<u32>,
    pub total: Option<u32>,
    pub per_code: Option<u32>,
    pub budget: Option<Decimal>,
}

/// A public code as it is looked up: upper case, without spaces, dashes and
/// underscores (`eid 2026`, `EID-2026` and `eid_2026` are one code).
pub(crate) fn normalize_public(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '_')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn is_public_code(code: &str) -> bool {
    (1..=64).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Checks the `coupons` and `coupon_policy` sections.
pub(crate) fn compile_coupons(c: &mut Checker, file: &ProgramFile) -> CouponPolicy {
    let p = &file.coupon_policy;
    let mut policy = CouponPolicy {
        percent_of: p.percent_of,
        rounding: p.rounding,
        max_per_order: p.max_per_order,
        campaigns: Vec::with_capacity(file.coupons.len()),
        public: BTreeMap::new(),
    };
    if p.max_per_order == Some(0) {
        c.push(ProgramError::NotPositive {
            path: "coupon_policy.max_per_order".to_owned(),
            value: "0".to_owned(),
        });
    }
    // Tiers whose benefits name a campaign: only their members may use it.
    let mut tier_only: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let ids: BTreeSet<&str> = file.coupons.iter().map(|k| k.id.as_str()).collect();
    for (i, level) in file.tiers.iter().flat_map(|t| t.levels.iter()).enumerate() {
        for (k, name) in level.benefits.coupons.iter().enumerate() {
            if ids.contains(name.as_str()) {
                tier_only
                    .entry(name.as_str())
                    .or_default()
                    .insert(level.id.clone());
            } else {
                c.push(ProgramError::UnknownCoupon {
                    path: format!("tiers.levels[{i}].benefits.coupons[{k}]"),
                    id: name.clone(),
                });
            }
        }
    }
    let mut seen = BTreeSet::new();
    for (i, k) in file.coupons.iter().enumerate() {
        let path = format!("coupons[{i}]");
        c.identifier(join(&path, "id"), &k.id);
        if !seen.insert(k.id.as_str()) {
            c.push(ProgramError::DuplicateCouponId {
                path: join(&path, "id"),
                id: k.id.clone(),
            });
        }
        if let Some(g) = &k.group {
            c.identifier(join(&path, "group"), g);
        }
        let source = compile_source(c, &path, k, &policy.public);
        if let Some(CodeSource::Public(code)) = &source {
            policy.public.entry(normalize_public(code)).or_insert(i);
        }
        let valid = k.valid.as_ref().and_then(|d| {
            let kind = d.calendar.unwrap_or(file.calendar);
            let from = c.date(format!("{path}.valid.from"), &d.from, kind);
            let to = c.date(format!("{path}.valid.to"), &d.to, kind);
            let (from, to) = (from?, to?);
            if to < from {
                c.push(ProgramError::InvertedWindow {
                    path: join(&path, "valid"),
                    from: d.from.clone(),
                    to: d.to.clone(),
                });
                return None;
            }
            Some(ActiveWindow {
                from,
                to,
                calendar: kind,
                from_text: d.from.clone(),
                to_text: d.to.clone(),
            })
        });
        let mut when = k.when.clone();
        if let Some(tiers) = tier_only.get(k.id.as_str()) {
            let mut all: BTreeSet<String> = when.tiers.take().into_iter().flatten().collect();
            all.extend(tiers.iter().cloned());
            when.tiers = Some(all.into_iter().collect());
        }
        let when = compile_when(c, &join(&path, "when"), &when, file.calendar, false);
        let discount = compile_discount(c, &join(&path, "discount"), &k.discount);
        let generated = matches!(source, Some(CodeSource::Generated { .. }));
        let limits = compile_limits(c, &join(&path, "limits"), &k.limits, generated);
        if let (Some(source), Some(discount)) = (source, discount) {
            policy.campaigns.push(Campaign {
                id: k.id.clone(),
                index: i,
                source,
                valid,
                when,
                discount,
                limits,
                exclusive: k.exclusive,
                group: k.group.clone(),
                priority: k.priority,
            });
        }
    }
    policy
}

fn compile_source(
    c: &mut Checker,
    path: &str,
    k: &CouponFile,
    public: &BTreeMap<String, usize>,
) -> Option<CodeSource> {
    match (&k.code, &k.codes) {
        (Some(code), None) => {
            let p = join(path, "code");
            if !is_public_code(code) {
                c.push(ProgramError::InvalidCode {
                    path: p,
                    value: code.clone(),
                });
                return None;
            }
            if let Some(first) = public.get(&normalize_public(code)) {
                c.push(ProgramError::DuplicateCode {
                    path: p,
                    code: code.clone(),
                    campaign: format!("coupons[{first}]"),
                });
                return None;
            }
            Some(CodeSource::Public(code.clone()))
        }
        (None, Some(codes)) => {
            let pattern = codes.pattern.as_deref().unwrap_or(DEFAULT_PATTERN);
            let alphabet = codes.alphabet.as_deref().unwrap_or(DEFAULT_ALPHABET);
            match CodeFormat::new(pattern, alphabet, codes.check) {
                Ok(format) => Some(CodeSource::Generated {
                    kind: codes.kind,
                    format,
                }),
                Err(e) => {
                    let field = if codes.alphabet.is_some()
                        && matches!(
                            e.code(),
                            "alphabet_too_small"
                                | "duplicate_symbol"
                                | "invalid_symbol"
                                | "alphabet_not_prime"
                        ) {
                        "alphabet"
                    } else {
                        "pattern"
                    };
                    c.push(ProgramError::InvalidCodeFormat {
                        path: format!("{path}.codes.{field}"),
                        reason: e.code(),
                        message: e.to_string(),
                    });
                    None
                }
            }
        }
        _ => {
            c.push(ProgramError::CodeSourceNotOne {
                path: path.to_owned(),
            });
            None
        }
    }
}

fn percent(c: &mut Checker, path: String, text: &DecimalText) -> Option<Decimal> {
    let d = c.positive(path.clone(), text)?;
    if d > Decimal::ONE_HUNDRED {
        c.push(ProgramError::percent(path, &text.0));
        return None;
    }
    Some(d)
}

fn count(c: &mut Checker, path: String, n: u32) -> Option<u32> {
    if n == 0 {
        c.push(ProgramError::NotPositive {
            path,
            value: "0".to_owned(),
        });
        return None;
    }
    Some(n)
}

fn compile_discount(c: &mut Checker, path: &str, d: &DiscountFile) -> Option<Discount> {
    let p = |k: &str| join(path, k);
    let max = |c: &mut Checker, m: &Option<DecimalText>| -> Result<Option<Decimal>, ()> {
        match m {
            None => Ok(None),
            Some(t) => c.positive(p("max"), t).map(Some).ok_or(()),
        }
    };
    Some(match d {
        DiscountFile::Percent {
            percent: pc,
            max: m,
        } => {
            let pc = percent(c, p("percent"), pc);
            let m = max(c, m).ok()?;
            Discount::Percent {
                percent: pc?,
                max: m,
            }
        }
        DiscountFile::AmountOff { amount } => Discount::AmountOff(c.positive(p("amount"), amount)?),
        DiscountFile::AmountOffEach { amount } => {
            Discount::AmountOffEach(c.positive(p("amount"), amount)?)
        }
        DiscountFile::FixedPrice { price } => {
            Discount::FixedPrice(c.non_negative(p("price"), price)?)
        }
        DiscountFile::BuyXGetY {
            buy,
            get,
            percent: pc,
            pick,
            max_sets,
        } => {
            let buy = count(c, p("buy"), *buy);
            let get = count(c, p("get"), *get);
            let pc = match pc {
                Some(t) => percent(c, p("percent"), t),
                None => Some(Decimal::ONE_HUNDRED),
            };
            let max_sets = match max_sets {
                Some(n) => Some(count(c, p("max_sets"), *n)?),
                None => None,
            };
            Discount::BuyXGetY {
                buy: buy?,
                get: get?,
                percent: pc?,
                pick: *pick,
                max_sets,
            }
        }
        DiscountFile::FreeShipping { max: m } => Discount::FreeShipping {
            max: max(c, m).ok()?,
        },
        DiscountFile::FreeGift {
            sku,
            categories,
            value,
        } => {
            if sku.is_empty() {
                c.push(ProgramError::Shape(
                    crate::error::ShapeError::InvalidValue {
                        path: p("sku"),
                        message: "a gift needs a SKU".to_owned(),
                    },
                ));
                return None;
            }
            Discount::FreeGift {
                sku: sku.clone(),
                categories: categories.clone(),
                value: c.non_negative(p("value"), value)?,
            }
        }
        DiscountFile::PointsMultiplier { multiplier } => {
            let m = c.decimal(p("multiplier"), multiplier)?;
            if m < Decimal::ONE {
                c.push(ProgramError::InvalidMultiplier {
                    path: p("multiplier"),
                    value: multiplier.0.clone(),
                });
                return None;
            }
            Discount::PointsMultiplier(m)
        }
        DiscountFile::PointsBonus { points } => {
            Discount::PointsBonus(c.positive(p("points"), points)?)
        }
    })
}

fn compile_limits(c: &mut Checker, path: &str, l: &LimitsFile, generated: bool) -> Limits {
    let p = |k: &str| join(path, k);
    Limits {
        per_customer: l.per_customer.and_then(|n| count(c, p("per_customer"), n)),
        total: l.total.and_then(|n| count(c, p("total"), n)),
        per_code: match l.per_code {
            Some(n) => count(c, p("per_code"), n),
            None if generated => Some(1),
            None => None,
        },
        budget: l.budget.as_ref().and_then(|b| c.positive(p("budget"), b)),
    }
}

/// The accrual rules of points coupons: `coupon:<id>`, firing only when a
/// quote request redeems the campaign, on the lines the coupon's filters choose.
pub(crate) fn points_rules(
    c: &mut Checker,
    file: &ProgramFile,
    policy: &CouponPolicy,
) -> Vec<crate::program::compile_types::Rule> {
    use crate::program::compile::COUPON_RULE_PREFIX;
    use crate::program::compile_types::{Effect, Rule};
    policy
        .campaigns
        .iter()
        .filter_map(|k| {
            let effect = match k.discount {
                Discount::PointsMultiplier(m) => Effect::Multiplier(m),
                Discount::PointsBonus(points) => Effect::Bonus {
                    points,
                    per: crate::program::format::BonusPer::Order,
                },
                _ => return None,
            };
            let w = &file.coupons.get(k.index)?.when;
            let lines = WhenFile {
                categories: w.categories.clone(),
                exclude_categories: w.exclude_categories.clone(),
                skus: w.skus.clone(),
                exclude_skus: w.exclude_skus.clone(),
                ..WhenFile::default()
            };
            let mut when = compile_when(c, "coupons", &lines, file.calendar, false);
            when.coupon = Some(k.id.clone());
            Some(Rule {
                group_ix: None,
                id: format!("{COUPON_RULE_PREFIX}{}", k.id),
                priority: i32::MIN,
                group: None,
                effect,
                when,
                caps: Default::default(),
            })
        })
        .collect()
}
