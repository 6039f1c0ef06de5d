//! The program's `[referrals]` section and its compiled form.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::coupons::code::{CodeFormat, DEFAULT_ALPHABET};
use crate::money::DecimalText;
use crate::program::ProgramError;
use crate::program::compile::Checker;

/// How members refer friends and what both earn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralsFile {
    /// Shape of member referral codes.
    #[serde(default, skip_serializing_if = "ReferralCodesFile::is_default")]
    pub codes: ReferralCodesFile,
    /// What the referee must do for the referral to count.
    pub qualify: QualifyFile,
    /// Days after the qualifying order before the credit is paid (the
    /// order's return window); with 0 the next settlement pays it. 14 by
    /// default. Rewards are dated when the window closes, whenever `settle` runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_days: Option<u32>,
    /// What the referrer earns for each successful referral.
    #[serde(default, skip_serializing_if = "RewardFile::is_empty")]
    pub referrer: RewardFile,
    /// What the referee earns.
    #[serde(default, skip_serializing_if = "RewardFile::is_empty")]
    pub referee: RewardFile,
    /// Extra rewards for the referrer at their n-th successful referral.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bonuses: Vec<BonusFile>,
    /// Most successful referrals paid to one referrer per period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<CapFile>,
    /// Most referees one referrer may sign up within a number of hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub velocity: Option<VelocityFile>,
}

/// Shape of referral codes: a pattern (`#` a symbol) over an alphabet, the
/// last symbol a check character (as coupon codes).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralCodesFile {
    /// `REF-####-####` by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Digits 2-9 and A-Z without I, L and O by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alphabet: Option<String>,
}

impl ReferralCodesFile {
    /// Whether nothing is set.
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// The referee's qualifying event: a first order of at least `min_order`,
/// or the host's custom `event`, within `within_days` of signing up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QualifyFile {
    /// Smallest order (after refunds) that qualifies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_order: Option<DecimalText>,
    /// Name of a custom qualifying event instead of an order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// Days after signup the qualifying event must happen in (30 by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within_days: Option<u32>,
}

/// Points, a coupon campaign, or both.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RewardFile {
    /// Points credited to the ledger.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<DecimalText>,
    /// A coupon campaign (`[[coupons]]` id) to issue a personal code of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon: Option<String>,
}

impl RewardFile {
    /// Whether the reward is nothing.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// An extra reward at the referrer's `at`-th successful referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BonusFile {
    /// Which successful referral (1 is the first).
    pub at: u32,
    /// Points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<DecimalText>,
    /// A coupon campaign.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon: Option<String>,
}

/// At most `max` paid referrals per `period`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CapFile {
    /// Paid referrals per period.
    pub max: u32,
    /// `month` or `year` of the program's calendar, or `ever`.
    pub period: CapPeriod,
}

/// A cap's period; the qualifying order's local date decides which one a
/// referral falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CapPeriod {
    /// A month of the program's calendar.
    Month,
    /// A year of the program's calendar.
    Year,
    /// The whole life of the program.
    Ever,
}

/// At most `max` signups through one referrer within `within_hours`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VelocityFile {
    /// Signups.
    pub max: u32,
    /// Hours.
    pub within_hours: u32,
}

/// A compiled reward.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Reward {
    pub(crate) points: Option<Decimal>,
    pub(crate) coupon: Option<String>,
}

/// The compiled `[referrals]` section.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ReferralPolicy {
    pub(crate) format: CodeFormat,
    pub(crate) min_order: Option<Decimal>,
    pub(crate) event: Option<String>,
    pub(crate) within_ms: i64,
    pub(crate) return_ms: i64,
    pub(crate) referrer: Reward,
    pub(crate) referee: Reward,
    /// By `at`, ascending.
    pub(crate) bonuses: Vec<(u32, Reward)>,
    pub(crate) cap: Option<(u32, CapPeriod)>,
    pub(crate) velocity: Option<(u32, i64)>,
}

const DAY_MS: i64 = 86_400_000;

fn reward(
    c: &mut Checker,
    path: &str,
    points: Option<&DecimalText>,
    coupon: Option<&String>,
    campaigns: &[&str],
) -> Reward {
    let points = points.and_then(|p| c.positive(format!("{path}.points"), p));
    if let Some(id) = coupon
        && !campaigns.contains(&id.as_str())
    {
        c.push(ProgramError::UnknownCoupon {
            path: format!("{path}.coupon"),
            id: id.clone(),
        });
    }
    Reward {
        points,
        coupon: coupon.cloned(),
    }
}

/// Checks and compiles the `[referrals]` section.
pub(crate) fn compile_referrals(
    c: &mut Checker,
    file: &ReferralsFile,
    campaigns: &[&str],
) -> Option<ReferralPolicy> {
    let pattern = file.codes.pattern.as_deref().unwrap_or("REF-####-####");
    let alphabet = file.codes.alphabet.as_deref().unwrap_or(DEFAULT_ALPHABET);
    let format = match CodeFormat::new(pattern, alphabet, true) {
        Ok(f) => Some(f),
        Err(e) => {
            c.push(ProgramError::InvalidCodeFormat {
                path: "referrals.codes".to_owned(),
                reason: e.code(),
                message: e.to_string(),
            });
            None
        }
    };
    let q = &file.qualify;
    let min_order = q
        .min_order
        .as_ref()
        .and_then(|m| c.non_negative("referrals.qualify.min_order".to_owned(), m));
    if q.min_order.is_some() == q.event.is_some() {
        c.push(ProgramError::InvalidReferralQualify {
            path: "referrals.qualify".to_owned(),
        });
    }
    let days = |d: u32| i64::from(d).saturating_mul(DAY_MS);
    let referrer = reward(
        c,
        "referrals.referrer",
        file.referrer.points.as_ref(),
        file.referrer.coupon.as_ref(),
        campaigns,
    );
    let referee = reward(
        c,
        "referrals.referee",
        file.referee.points.as_ref(),
        file.referee.coupon.as_ref(),
        campaigns,
    );
    let mut bonuses = Vec::new();
    for (i, b) in file.bonuses.iter().enumerate() {
        let path = format!("referrals.bonuses[{i}]");
        if b.at == 0 {
            c.push(ProgramError::NotPositive {
                path: format!("{path}.at"),
                value: "0".to_owned(),
            });
        }
        bonuses.push((
            b.at,
            reward(c, &path, b.points.as_ref(), b.coupon.as_ref(), campaigns),
        ));
    }
    bonuses.sort_by_key(|b| b.0);
    let cap = file.cap.as_ref().map(|cap| {
        if cap.max == 0 {
            c.push(ProgramError::NotPositive {
                path: "referrals.cap.max".to_owned(),
                value: "0".to_owned(),
            });
        }
        (cap.max, cap.period)
    });
    let velocity = file.velocity.as_ref().map(|v| {
        for (name, n) in [("max", v.max), ("within_hours", v.within_hours)] {
            if n == 0 {
                c.push(ProgramError::NotPositive {
                    path: format!("referrals.velocity.{name}"),
                    value: "0".to_owned(),
                });
            }
        }
        (v.max, i64::from(v.within_hours).saturating_mul(3_600_000))
    });
    Some(ReferralPolicy {
        format: format?,
        min_order,
        event: q.event.clone(),
        within_ms: days(q.within_days.unwrap_or(30)),
        return_ms: days(file.return_days.unwrap_or(14)),
        referrer,
        referee,
        bonuses,
        cap,
        velocity,
    })
}
