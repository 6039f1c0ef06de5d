//! The program file, version 1, exactly as written on disk (JSON or TOML).
//!
//! These types only describe shape; [`super::compile`] checks meaning and turns
//! a [`ProgramFile`] into a [`super::Program`]. Decimals stay as text here so
//! that a bad number is reported with the path of the value that holds it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::calendar::CalendarKind;
pub use crate::coupons::format::{
    CodeKind, CodesFile, CouponFile, CouponPolicyFile, DiscountFile, LimitsFile, PercentBase, Pick,
};
use crate::money::{DecimalText, RoundingMode};

/// The one schema version this build reads.
pub const SCHEMA_VERSION: u32 = 1;

/// A loyalty program file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Loyalty program", extend("$id" = "https://loyalty-engine.invalid/program.schema.json"))]
pub struct ProgramFile {
    /// Version of this file format; must be 1.
    pub schema_version: u32,
    /// Program id: lower-case letters, digits, `-` and `_`.
    pub id: String,
    /// Human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// ISO 4217 currency code of every amount, e.g. `SAR` or `IRR`.
    pub currency: String,
    /// IANA time zone that local times, days and periods are counted in.
    pub time_zone: String,
    /// Calendar for periods, campaign dates and birthdays.
    #[serde(default)]
    pub calendar: CalendarKind,
    /// How points are rounded.
    #[serde(default)]
    pub rounding: RoundingFile,
    /// Which spend earns points at all.
    #[serde(default)]
    pub eligibility: EligibilityFile,
    /// How several multipliers on the same line combine.
    #[serde(default)]
    pub multipliers: MultiplierStacking,
    /// The earning rules.
    #[serde(default)]
    pub earn_rules: Vec<EarnRuleFile>,
    /// How earned points are held, expire, are refunded and spent.
    #[serde(default, skip_serializing_if = "LedgerFile::is_default")]
    pub ledger: LedgerFile,
    /// Membership tiers; none when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tiers: Option<TiersFile>,
    /// Coupon campaigns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coupons: Vec<CouponFile>,
    /// How coupons on one order work together.
    #[serde(default, skip_serializing_if = "CouponPolicyFile::is_default")]
    pub coupon_policy: CouponPolicyFile,
    /// How profiles of one customer are found and combined.
    #[serde(
        default,
        skip_serializing_if = "crate::identity::MergeFile::is_default"
    )]
    pub merge: crate::identity::MergeFile,
    /// Member referrals: codes, qualification, rewards and fraud guards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrals: Option<crate::referrals::ReferralsFile>,
    /// Lifecycle messages: birthdays, anniversaries, welcome, win-back,
    /// points expiring, tier at risk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triggers: Option<crate::insights::TriggersFile>,
    /// Insights: RFM cut points and segment rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insights: Option<crate::insights::InsightsFile>,
}

/// Membership tiers: how members qualify, keep and lose them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TiersFile {
    /// The stretch of activity that qualification counts.
    pub window: TierWindow,
    /// With `window = "rolling"`: how many months back it reaches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months: Option<u32>,
    /// With `window = "rolling"`: how often downgrades are evaluated, at the
    /// start of each such period of the program's calendar (`month` by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluate: Option<EvaluateEvery>,
    /// What the `points` threshold counts (`earned` by default).
    #[serde(default)]
    pub points: PointsBasis,
    /// Which tier the order that crosses a threshold earns at (`new_tier` by default).
    #[serde(default)]
    pub crossing_order: CrossingOrder,
    /// Whether a refund can take a tier away before the next evaluation (`at_evaluation` by default).
    #[serde(default)]
    pub refunds: RefundDowngrade,
    /// Days a member keeps a tier after an evaluation found them below its
    /// retention threshold; reaching the threshold within them cancels the downgrade.
    #[serde(default)]
    pub grace_days: u32,
    /// An evaluation takes a member at most one level down.
    #[serde(default)]
    pub one_level_down: bool,
    /// The tiers, lowest first. A first tier without thresholds is the base
    /// tier every member holds; otherwise members start without a tier.
    pub levels: Vec<TierFile>,
}

/// The stretch of activity that tier qualification counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TierWindow {
    /// The last `months` months, evaluated at the start of every `evaluate` period.
    Rolling,
    /// The program calendar's year (a Persian-calendar year starts at Nowruz),
    /// evaluated when it ends.
    CalendarYear,
    /// The year from the member's join date, evaluated on each anniversary.
    MembershipYear,
    /// All activity ever; tiers are never evaluated down.
    Lifetime,
}

/// How often a rolling window is evaluated.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EvaluateEvery {
    /// At the start of every month of the program's calendar.
    #[default]
    Month,
    /// At the start of months 1, 4, 7 and 10.
    Quarter,
    /// At the start of every year.
    Year,
}

/// What the `points` threshold counts.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PointsBasis {
    /// Points earned in the window, less what refunds took back.
    #[default]
    Earned,
    /// Points earned in the window less points spent in it (a balance-like
    /// measure that spending lowers; expiry does not).
    NetOfRedemptions,
}

/// Which tier the order that crosses a threshold earns at.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CrossingOrder {
    /// The tier it qualifies the member for.
    #[default]
    NewTier,
    /// The tier the member held before it.
    CurrentTier,
}

/// Whether refunds can take a tier away before the next evaluation.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RefundDowngrade {
    /// Refunds lower the window's metrics; the tier is only reconsidered at
    /// the next evaluation.
    #[default]
    AtEvaluation,
    /// A refund at once undoes upgrades since the last evaluation that the
    /// remaining activity no longer reaches (never below the tier that
    /// evaluation left).
    Immediate,
}

/// One tier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TierFile {
    /// Tier id, unique in the program: lower-case letters, digits, `-` and `_`.
    pub id: String,
    /// Human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What reaching the tier takes; nothing for the base tier.
    #[serde(default, skip_serializing_if = "Thresholds::is_empty")]
    pub qualify: Thresholds,
    /// What keeping it at an evaluation takes; `qualify` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retain: Option<Thresholds>,
    /// What the tier gives; other capabilities read it.
    #[serde(default, skip_serializing_if = "BenefitsFile::is_empty")]
    pub benefits: BenefitsFile,
}

/// Qualification thresholds over one window.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// Spend, in currency units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spend: Option<DecimalText>,
    /// Points (see `tiers.points`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<DecimalText>,
    /// Orders not wholly refunded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orders: Option<u32>,
    /// Days with an order or a visit, in the program's time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visits: Option<u32>,
    /// `all` thresholds must be met (the default) or `any` one of them.
    #[serde(default, rename = "match")]
    pub combine: Combine,
}

impl Thresholds {
    /// True when no threshold is set.
    pub fn is_empty(&self) -> bool {
        self.spend.is_none()
            && self.points.is_none()
            && self.orders.is_none()
            && self.visits.is_none()
    }
}

/// How several thresholds combine.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Combine {
    /// Every threshold must be met.
    #[default]
    All,
    /// One threshold is enough.
    Any,
}

/// What a tier gives.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BenefitsFile {
    /// Multiplies the points rate rules earn for members of the tier (at least 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiplier: Option<DecimalText>,
    /// Coupon campaigns the tier makes the member eligible for: a campaign
    /// named by any tier is for members of the tiers that name it only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coupons: Vec<String>,
    /// Free-form flags for the host (`free_shipping = true`, `lounge = "gold"`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub flags: BTreeMap<String, FlagValue>,
}

impl BenefitsFile {
    /// True when the tier gives nothing.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// A benefit flag's value: text, a yes/no or a whole number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum FlagValue {
    /// Yes or no.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// Text.
    Text(String),
}

/// The points ledger's policy.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LedgerFile {
    /// Days earned points stay pending (the return window) before they can be spent; 0 by default.
    #[serde(default)]
    pub pending_days: u32,
    /// When points expire; never by default.
    #[serde(default, skip_serializing_if = "ExpiryFile::is_empty")]
    pub expiry: ExpiryFile,
    /// What a refund does when the order's points were already spent.
    #[serde(default)]
    pub shortfall: Shortfall,
    /// What expiry points given back by a refund of a points payment get.
    #[serde(default)]
    pub restore_expiry: RestoreExpiry,
    /// Paying with points at checkout; not allowed when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redemption: Option<RedemptionFile>,
}

impl LedgerFile {
    /// True when nothing differs from the defaults.
    pub fn is_default(&self) -> bool {
        self == &Self::default()
    }
}

/// Expiry policies; every one given applies and the earliest wins.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpiryFile {
    /// Points expire this many days after they were earned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_days: Option<u32>,
    /// Points expire at the end of a calendar period (in the program's calendar and time zone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_of: Option<ExpiryPeriod>,
    /// With `end_of`: how many whole periods after the one of earning (0 = the same period).
    #[serde(default)]
    pub periods_after: u32,
    /// All points expire after this many days without an earn or a redemption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inactivity_days: Option<u32>,
}

impl ExpiryFile {
    /// True when no expiry is configured.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// A calendar period points can expire at the end of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExpiryPeriod {
    /// A month of the program's calendar.
    Month,
    /// Three months of the program's calendar (months 1-3, 4-6, 7-9, 10-12).
    Quarter,
    /// A year of the program's calendar.
    Year,
}

/// What happens when refunded points were already spent.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Shortfall {
    /// Take them from the member's other points, as if the order had never earned
    /// them (the default); what still cannot be covered is owed.
    #[default]
    OtherLots,
    /// Leave the other points alone; the balance goes below zero by what is owed.
    Negative,
    /// Leave the other points alone and record a debt, paid from future earnings.
    Debt,
}

/// Expiry of points given back when a points payment is refunded.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RestoreExpiry {
    /// Back into the lots they came from, with their original expiry (the default).
    #[default]
    Original,
    /// As a new lot on the refund's date, with the expiry new points get.
    New,
}

/// Paying with points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RedemptionFile {
    /// `points` points are worth `value` currency units.
    pub points: DecimalText,
    /// Money that `points` points are worth.
    pub value: DecimalText,
    /// Fewest points one payment may use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_points: Option<DecimalText>,
    /// Most points one payment may use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_points: Option<DecimalText>,
    /// Most of an order's total points may pay, in percent (0 to 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_percent: Option<DecimalText>,
}

/// Rounding policy for points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoundingFile {
    /// Rounding mode; `floor` by default.
    #[serde(default)]
    pub mode: RoundingMode,
    /// Round each rule's points once per order (`order`, the default) or line by line (`line`).
    #[serde(default)]
    pub level: RoundingLevel,
    /// Decimal places kept in points (0 to 4); 0 by default, i.e. whole points.
    #[serde(default)]
    pub scale: u32,
}

impl Default for RoundingFile {
    fn default() -> Self {
        Self {
            mode: RoundingMode::Floor,
            level: RoundingLevel::Order,
            scale: 0,
        }
    }
}

/// Where rounding happens.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RoundingLevel {
    /// Each rule's points for the whole order are rounded once.
    #[default]
    Order,
    /// Each rule's points on each line are rounded, then added up.
    Line,
}

/// How the multipliers that apply to one line combine.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MultiplierStacking {
    /// x2 and x1.5 give x3: each multiplier applies to the points after the ones before it.
    #[default]
    Multiply,
    /// x2 and x1.5 give x2.5: each adds its own extra on the base points.
    Add,
    /// x2 and x1.5 give x2: only the largest applies.
    Max,
}

/// Which spend is eligible for points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EligibilityFile {
    /// Earn on the amount after line discounts (default true).
    #[serde(default = "yes")]
    pub net_of_discounts: bool,
    /// Earn on the tax included in lines (default false).
    #[serde(default)]
    pub include_tax: bool,
    /// Earn on shipping lines (default false).
    #[serde(default)]
    pub include_shipping: bool,
    /// Earn on gift-card sales (default false).
    #[serde(default)]
    pub include_gift_cards: bool,
    /// Categories that never earn.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_categories: Vec<String>,
    /// SKUs that never earn.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_skus: Vec<String>,
}

fn yes() -> bool {
    true
}

impl Default for EligibilityFile {
    fn default() -> Self {
        Self {
            net_of_discounts: true,
            include_tax: false,
            include_shipping: false,
            include_gift_cards: false,
            exclude_categories: Vec::new(),
            exclude_skus: Vec::new(),
        }
    }
}

/// One earning rule. It has exactly one effect: `rate`, `multiplier`, `bonus` or `event`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EarnRuleFile {
    /// Rule id, unique in the program: lower-case letters, digits, `-` and `_`.
    pub id: String,
    /// Human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Higher priorities are applied first and win ties (default 0).
    #[serde(default)]
    pub priority: i32,
    /// Exclusive group: of the rules in a group that fire, only the one worth most points counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Base earning: `points` per `per` currency units of eligible spend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<RateFile>,
    /// Multiplies the points that rate rules earn on the matching lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiplier: Option<DecimalText>,
    /// Fixed points per order, per matching line or per matching unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bonus: Option<BonusFile>,
    /// Fixed points for a custom event such as `survey_answered`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<EventBonusFile>,
    /// Conditions; every one given must hold.
    #[serde(default, skip_serializing_if = "WhenFile::is_empty")]
    pub when: WhenFile,
    /// Limits on the points this rule gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<CapFile>,
}

/// `points` per `per` units of eligible spend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateFile {
    /// Points earned per `per` units.
    pub points: DecimalText,
    /// Spend, in currency units, that earns `points`.
    pub per: DecimalText,
}

/// What a fixed bonus is counted per.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum BonusPer {
    /// Once per order (the default).
    #[default]
    Order,
    /// Once per matching line.
    Line,
    /// Per unit of quantity on matching lines.
    Unit,
}

/// A fixed bonus on orders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BonusFile {
    /// Points given.
    pub points: DecimalText,
    /// What the points are counted per.
    #[serde(default)]
    pub per: BonusPer,
}

/// A fixed bonus on a custom event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventBonusFile {
    /// Event type it answers, e.g. `survey_answered`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// Points given.
    pub points: DecimalText,
}

/// Day of the week.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
#[expect(missing_docs, reason = "the names say it")]
pub enum WeekdayName {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

/// A birthday window, counted in the program's calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum BirthdayWindow {
    /// On the birthday itself.
    Day,
    /// Within three days either side of the birthday.
    Week,
    /// In the birthday's month.
    Month,
}

/// Local time of day window `from` (inclusive) to `to` (exclusive), `HH:MM`;
/// when `from` is later than `to` the window runs past midnight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeWindowFile {
    /// Start, `HH:MM`, inclusive.
    pub from: String,
    /// End, `HH:MM`, exclusive.
    pub to: String,
}

/// Dates `from` to `to`, both inclusive, `YYYY-MM-DD` in `calendar`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DateWindowFile {
    /// First day, inclusive.
    pub from: String,
    /// Last day, inclusive.
    pub to: String,
    /// Calendar the dates are written in; the program's calendar when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<CalendarKind>,
}

/// Months of every year, e.g. `[9]` in `islamic-umm-al-qura` for Ramadan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MonthsFile {
    /// Month numbers, 1 to 12.
    pub months: Vec<u8>,
    /// Calendar the months are counted in; the program's calendar when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<CalendarKind>,
}

/// One attribute condition: a single accepted value or a list of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany {
    /// Exactly this value.
    One(String),
    /// Any of these values.
    Many(Vec<String>),
}

/// Conditions of a rule. Lists mean "any of"; absent means "no condition".
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WhenFile {
    /// Sales channels (`pos`, `web`, `app`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<Vec<String>>,
    /// Store ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stores: Option<Vec<String>>,
    /// Store ids that never match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude_stores: Option<Vec<String>>,
    /// Payment methods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_methods: Option<Vec<String>>,
    /// Lines match when they carry any of these categories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
    /// Lines with any of these categories never match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude_categories: Option<Vec<String>>,
    /// Lines match when their SKU is one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skus: Option<Vec<String>>,
    /// Lines with these SKUs never match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude_skus: Option<Vec<String>>,
    /// Minimum eligible spend over the matching lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_spend: Option<DecimalText>,
    /// Minimum quantity over the matching lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_quantity: Option<DecimalText>,
    /// Customer tiers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tiers: Option<Vec<String>>,
    /// Customer attributes that must have one of the given values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<BTreeMap<String, OneOrMany>>,
    /// The customer must have a card.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub card_required: bool,
    /// `true`: only a first purchase; `false`: never a first purchase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_purchase: Option<bool>,
    /// Local days of the week.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekdays: Option<Vec<WeekdayName>>,
    /// Local time of day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_time: Option<TimeWindowFile>,
    /// Date window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dates: Option<DateWindowFile>,
    /// Months of every year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months: Option<MonthsFile>,
    /// Around the customer's birthday.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthday: Option<BirthdayWindow>,
}

impl WhenFile {
    /// True when no condition is set.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// Limits on the points one rule gives. Every limit given applies.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CapFile {
    /// Most points per order (or event).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_order: Option<DecimalText>,
    /// Most points per customer per local day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_day: Option<DecimalText>,
    /// Most points per customer per calendar period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_period: Option<PeriodCapFile>,
    /// Most points the rule may give in all (the campaign budget).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<DecimalText>,
}

/// A per-period limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PeriodCapFile {
    /// Most points per period.
    pub points: DecimalText,
    /// The period, counted in the program's calendar.
    pub period: CapPeriod,
}

/// A calendar period for caps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CapPeriod {
    /// A month of the program's calendar.
    Month,
    /// A year of the program's calendar.
    Year,
}
