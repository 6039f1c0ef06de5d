//! The referral book: members' codes, who referred whom, and each referral
//! from signup to credit.

use std::collections::{BTreeMap, BTreeSet};

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::policy::{CapPeriod, ReferralPolicy, Reward};
use crate::coupons::code::{CodeReject, ShapeProblem};
use crate::error::ShapeError;
use crate::identity::{NormalizedProfile, Profile};
use crate::ledger::{EarnEvent, LedgerError, LedgerEvent, ReverseEvent};
use crate::money::{dec, dec_opt};
use crate::program::Program;

/// A refused referral event or query; nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReferralError {
    /// A check the ledger makes on the same fields (ids, instants, amounts,
    /// an id posted again with different content).
    #[error(transparent)]
    Event(#[from] LedgerError),
    /// The program has no `[referrals]` section.
    #[error("the program has no referrals")]
    ReferralsNotConfigured,
    /// A member registered twice.
    #[error("member `{member}` already has referral code `{code}`")]
    AlreadyMember {
        /// Always `member`.
        path: String,
        /// The member.
        member: String,
        /// Their code.
        code: String,
    },
    /// An order posted twice under different event ids.
    #[error("order `{order}` was already posted")]
    DuplicateOrder {
        /// Always `order`.
        path: String,
        /// The order.
        order: String,
    },
}

impl From<ShapeError> for ReferralError {
    fn from(e: ShapeError) -> Self {
        Self::Event(LedgerError::Shape(e))
    }
}

impl crate::error::Coded for ReferralError {
    fn code(&self) -> &'static str {
        match self {
            Self::Event(e) => e.code(),
            Self::ReferralsNotConfigured => "referrals_not_configured",
            Self::AlreadyMember { .. } => "already_member",
            Self::DuplicateOrder { .. } => "duplicate_order",
        }
    }

    fn path(&self) -> &str {
        match self {
            Self::Event(e) => e.path(),
            Self::ReferralsNotConfigured => "",
            Self::AlreadyMember { path, .. } | Self::DuplicateOrder { path, .. } => path,
        }
    }
}

/// Codes only the referral book gives (it also gives the ledger's).
pub const REFERRAL_ONLY_ERROR_CODES: &[&str] = &[
    "referrals_not_configured",
    "already_member",
    "duplicate_order",
];

/// Every code the referral book's errors have: the shape codes, the ledger
/// checks it shares, and its own.
pub fn referral_error_codes() -> Vec<&'static str> {
    // The ledger's shape codes (everything before `empty_id`), then the
    // ledger checks the book shares, then its own.
    const SHARED: &[&str] = &[
        "empty_id",
        "invalid_timestamp",
        "not_positive",
        "negative_amount",
        "conflicting_duplicate",
    ];
    crate::ledger::LEDGER_ERROR_CODES
        .iter()
        .take_while(|c| **c != "empty_id")
        .chain(SHARED)
        .chain(REFERRAL_ONLY_ERROR_CODES)
        .copied()
        .collect()
}

/// What typed text is as a referral code, before anyone looks it up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ReferralCodeCheck {
    /// Whether it is a well-formed code.
    pub ok: bool,
    /// The code in canonical form, when well formed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Why not (`malformed_code` or `bad_check_character`), with the detail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
}

/// Checks typed text against the program's referral code format: what a
/// signup form can tell the customer before sending it.
pub fn check_code(program: &Program, typed: &str) -> Result<ReferralCodeCheck, ReferralError> {
    let policy = policy(program)?;
    Ok(match policy.format.parse(typed) {
        Ok(code) => ReferralCodeCheck {
            ok: true,
            code: Some(code),
            reason: None,
        },
        Err(reject) => ReferralCodeCheck {
            ok: false,
            code: None,
            reason: Some(code_reason(&reject)),
        },
    })
}

/// A typed code's refusal as a reason with structured evidence (no
/// messages: answers are compared byte for byte across runtimes).
fn code_reason(reject: &CodeReject) -> Reason {
    match reject {
        CodeReject::BadCheckCharacter { code } => reason(
            ReasonCode::BadCheckCharacter,
            vec![ev("code", code.clone())],
        ),
        CodeReject::Malformed { input, problem, .. } => {
            let mut evidence = vec![ev("input", input.clone())];
            match problem {
                ShapeProblem::WrongLength { expected, found } => {
                    evidence.push(ev("expected_length", expected.to_string()));
                    evidence.push(ev("length", found.to_string()));
                }
                ShapeProblem::WrongChar {
                    position,
                    found,
                    expected,
                } => {
                    evidence.push(ev("position", position.to_string()));
                    evidence.push(ev("found", found.to_string()));
                    evidence.push(ev("expected", expected.to_string()));
                }
                ShapeProblem::NotASymbol {
                    position, found, ..
                } => {
                    evidence.push(ev("position", position.to_string()));
                    evidence.push(ev("found", found.to_string()));
                }
            }
            reason(ReasonCode::MalformedCode, evidence)
        }
    }
}

/// Identity a member or referee brings, for self-referral checks.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralIdentity {
    /// The customer's profile (phones, e-mails, cards, names, address), as
    /// profile merging reads it; its `id` is required by that format but not
    /// used here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<Profile>,
    /// Device ids (app installs, browser fingerprints).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<String>,
    /// Payment tokens (a card's token from the payment provider).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub payment_tokens: Vec<String>,
}

impl ReferralIdentity {
    /// Whether nothing is given.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// One referral event. `type` says which; every event has the host's `id`
/// (posting it again changes nothing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ReferralEvent {
    /// A member joins the referral program and gets their code.
    Member(MemberEvent),
    /// Someone signs up with a member's code.
    Signup(SignupEvent),
    /// A referee's order.
    Order(OrderEvent),
    /// A refund of a referee's order.
    Refund(RefundEvent),
    /// A referee's custom qualifying event (`referrals.qualify.event`).
    Custom(CustomEvent),
    /// Profiles found to be one customer (profile merging).
    Merge(MergeEvent),
}

/// A member joins and gets a referral code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberEvent {
    /// The host's id of this event.
    pub id: String,
    /// The member (their account).
    pub member: String,
    /// When: RFC 3339 with an offset.
    pub at: String,
    /// Random seed for the code (from the host's CSPRNG), a decimal
    /// integer below 2^64 as text (as coupon seeds; JavaScript numbers cannot
    /// hold it). Without it the code is derived from the member id: the same
    /// member always gets the same code, in every runtime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<String>,
    /// Who the member is, for self-referral checks.
    #[serde(default, skip_serializing_if = "ReferralIdentity::is_empty")]
    pub identity: ReferralIdentity,
}

/// A referee signs up with a code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupEvent {
    /// The host's id of this event.
    pub id: String,
    /// The new customer's account.
    pub referee: String,
    /// The code as typed.
    pub code: String,
    /// When: RFC 3339 with an offset.
    pub at: String,
    /// When the host first knew this customer (an earlier order, a card), if
    /// before now: such a referee is not new.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_since: Option<String>,
    /// Who the referee is, for self-referral checks.
    #[serde(default, skip_serializing_if = "ReferralIdentity::is_empty")]
    pub identity: ReferralIdentity,
}

/// A referee's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderEvent {
    /// The host's id of this event.
    pub id: String,
    /// The customer's account.
    pub account: String,
    /// The order id.
    pub order: String,
    /// What was paid.
    #[serde(with = "dec")]
    #[schemars(with = "String")]
    pub amount: Decimal,
    /// When: RFC 3339 with an offset.
    pub at: String,
}

/// A refund of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundEvent {
    /// The host's id of this event.
    pub id: String,
    /// The refunded order.
    pub order: String,
    /// Money given back; the whole order when left out.
    #[serde(default, with = "dec_opt", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub amount: Option<Decimal>,
    /// When: RFC 3339 with an offset.
    pub at: String,
}

/// A custom qualifying event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomEvent {
    /// The host's id of this event.
    pub id: String,
    /// The customer's account.
    pub account: String,
    /// The event's name.
    pub name: String,
    /// When: RFC 3339 with an offset.
    pub at: String,
}

/// Accounts that profile merging found to be one customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeEvent {
    /// The host's id of this event.
    pub id: String,
    /// The accounts (two or more).
    pub accounts: Vec<String>,
    /// When: RFC 3339 with an offset.
    pub at: String,
}

/// The `type` of every referral event.
pub const REFERRAL_EVENT_TYPES: &[&str] =
    &["member", "signup", "order", "refund", "custom", "merge"];

impl ReferralEvent {
    /// Reads an event from JSON, with the path of any bad value inside it
    /// (`amount`, `identity.profile.phones`).
    pub fn from_value(value: serde_json::Value) -> Result<Self, ReferralError> {
        use crate::error::from_value as read;
        let (tag, v) = crate::error::split_tag(value)?;
        let event = match tag.as_str() {
            "member" => read(v).map(Self::Member),
            "signup" => read(v).map(Self::Signup),
            "order" => read(v).map(Self::Order),
            "refund" => read(v).map(Self::Refund),
            "custom" => read(v).map(Self::Custom),
            "merge" => read(v).map(Self::Merge),
            other => Err(ShapeError::UnknownVariant {
                path: "type".to_owned(),
                message: format!(
                    "unknown variant `{other}`, expected one of {}",
                    REFERRAL_EVENT_TYPES.join(", ")
                ),
            }),
        };
        event.map_err(ReferralError::from)
    }

    /// The host's id of the event.
    pub fn id(&self) -> &str {
        match self {
            Self::Member(e) => &e.id,
            Self::Signup(e) => &e.id,
            Self::Order(e) => &e.id,
            Self::Refund(e) => &e.id,
            Self::Custom(e) => &e.id,
            Self::Merge(e) => &e.id,
        }
    }

    fn at(&self) -> &str {
        match self {
            Self::Member(e) => &e.at,
            Self::Signup(e) => &e.at,
            Self::Order(e) => &e.at,
            Self::Refund(e) => &e.at,
            Self::Custom(e) => &e.at,
            Self::Merge(e) => &e.at,
        }
    }
}

/// Why a referral was refused, stopped or not paid.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// The typed code does not have the code format's shape.
    MalformedCode,
    /// A character is mistyped or two are swapped (check character).
    BadCheckCharacter,
    /// A well-formed code no member has.
    UnknownCode,
    /// The referee was already referred (the first link stands).
    AlreadyReferred,
    /// The referee is the referrer: same account, a shared identifier
    /// (phone, e-mail, card, device, payment token, address), profiles that
    /// match, or accounts merged into one customer.
    SelfReferral,
    /// The referrer was (directly or through others) referred by the referee.
    ReferralCycle,
    /// The referrer signed up too many referees in too short a time.
    VelocityExceeded,
    /// The referee was a customer before the signup.
    ExistingCustomer,
    /// The order is smaller than `qualify.min_order`.
    BelowMinimum,
    /// The qualifying event came after `qualify.within_days`.
    QualificationWindowPassed,
    /// The qualifying order was refunded below the minimum.
    OrderRefunded,
    /// The referrer already has `cap.max` paid referrals in the period.
    CapReached,
}

impl ReasonCode {
    /// Stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Self::MalformedCode => "malformed_code",
            Self::BadCheckCharacter => "bad_check_character",
            Self::UnknownCode => "unknown_code",
            Self::AlreadyReferred => "already_referred",
            Self::SelfReferral => "self_referral",
            Self::ReferralCycle => "referral_cycle",
            Self::VelocityExceeded => "velocity_exceeded",
            Self::ExistingCustomer => "existing_customer",
            Self::BelowMinimum => "below_minimum",
            Self::QualificationWindowPassed => "qualification_window_passed",
            Self::OrderRefunded => "order_refunded",
            Self::CapReached => "cap_reached",
        }
    }
}

/// Every code [`ReasonCode::code`] gives.
pub const REFERRAL_REASON_CODES: &[&str] = &[
    "malformed_code",
    "bad_check_character",
    "unknown_code",
    "already_referred",
    "self_referral",
    "referral_cycle",
    "velocity_exceeded",
    "existing_customer",
    "below_minimum",
    "qualification_window_passed",
    "order_refunded",
    "cap_reached",
];

/// One reason with its evidence: `kind` and `value` pairs (`phone`
/// `+989123456789`, `referrer` `m-1`, `required` `100`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[schemars(rename = "ReferralReason")]
pub struct Reason {
    /// Stable code.
    pub code: ReasonCode,
    /// What shows it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
}

/// One piece of evidence.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[schemars(rename = "ReferralEvidence")]
pub struct Evidence {
    /// What it is.
    pub kind: String,
    /// Its value.
    pub value: String,
}

fn ev(kind: &str, value: impl Into<String>) -> Evidence {
    Evidence {
        kind: kind.to_owned(),
        value: value.into(),
    }
}

fn reason(code: ReasonCode, evidence: Vec<Evidence>) -> Reason {
    Reason { code, evidence }
}

/// Where a referral stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReferralStatus {
    /// Linked at signup; waiting for the qualifying event.
    Linked,
    /// Qualified; paid when the return window closes (`pays_at`).
    Pending,
    /// Paid.
    Credited,
    /// Stopped (see `reasons`): nothing is paid, and anything paid was taken back.
    Cancelled,
}

impl ReferralStatus {
    /// The status as the JSON answers spell it (`credited`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Linked => "linked",
            Self::Pending => "pending",
            Self::Credited => "credited",
            Self::Cancelled => "cancelled",
        }
    }
}

/// One referee's referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Referral {
    /// The referee.
    pub referee: String,
    /// The referrer.
    pub referrer: String,
    /// The code used.
    pub code: String,
    /// When the referee signed up.
    pub linked_at: String,
    /// Where it stands.
    pub status: ReferralStatus,
    /// The qualifying order or event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qualified_by: Option<String>,
    /// When the credit is paid (pending) or was (credited).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pays_at: Option<String>,
    /// Which successful referral of the referrer this is (1 for the first),
    /// once paid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success: Option<u32>,
    /// Why it was cancelled, or why the referrer's reward was not paid (`cap_reached`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<Reason>,
}

/// A coupon to issue (or withdraw) through the coupon engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CouponGrant {
    /// Stable id (`referral:r-1:referrer`), to issue it once.
    pub id: String,
    /// The campaign.
    pub campaign: String,
    /// The customer.
    pub customer: String,
}

/// What posting one event did.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ReferralPosting {
    /// The event's id.
    pub event: String,
    /// `applied`, or `duplicate` (already posted: nothing changed, nothing
    /// paid or taken back again; a refused signup's reasons are given again).
    pub status: ReferralPostStatus,
    /// A member's referral code (`member` events).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Referrals the event touched, by referee.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub referrals: Vec<Referral>,
    /// Why a signup was refused or an order did not qualify.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<Reason>,
    /// Ledger events to post: credits, or reversals of credits taken back.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ledger: Vec<LedgerEvent>,
    /// Coupons to issue.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub coupons: Vec<CouponGrant>,
    /// Coupons issued earlier to withdraw.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub withdrawn: Vec<CouponGrant>,
}

/// What one [`ReferralBook::settle`] paid.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Settlement {
    /// The instant settled up to.
    pub at: String,
    /// Referrals paid now (the referrer's reward withheld when `cap_reached`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub referrals: Vec<Referral>,
    /// Ledger `earn` events to post.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ledger: Vec<LedgerEvent>,
    /// Coupons to issue.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub coupons: Vec<CouponGrant>,
}

impl ReferralPosting {
    fn empty(event: &str) -> Self {
        Self {
            event: event.to_owned(),
            status: ReferralPostStatus::Applied,
            code: None,
            referrals: Vec::new(),
            rejected: Vec::new(),
            ledger: Vec::new(),
            coupons: Vec::new(),
            withdrawn: Vec::new(),
        }
    }
}

/// Whether an event was new.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReferralPostStatus {
    /// Posted now.
    Applied,
    /// Posted before.
    Duplicate,
}

#[derive(Debug, Clone)]
struct Member {
    code: String,
    at: i64,
    identity: ReferralIdentity,
    normalized: Option<NormalizedProfile>,
}

#[derive(Debug, Clone)]
struct State {
    referral: Referral,
    linked_ms: i64,
    /// The qualifying order, its amount and refunds so far.
    order: Option<(String, Decimal, Decimal)>,
    pays_ms: Option<i64>,
    /// Ledger event ids and coupons paid, to take back.
    paid: Vec<String>,
    granted: Vec<CouponGrant>,
}

/// Every member's code and every referral. The host posts events in time
/// order and calls [`ReferralBook::settle`] (daily, say) to pay referrals
/// whose return window has closed.
#[derive(Debug, Clone, Default)]
pub struct ReferralBook {
    posted: BTreeMap<String, ReferralEvent>,
    /// The reasons an event was refused with, to answer its retries alike.
    refused: BTreeMap<String, Vec<Reason>>,
    codes: BTreeMap<String, String>,
    members: BTreeMap<String, Member>,
    referrals: BTreeMap<String, State>,
    orders: BTreeMap<String, String>,
    /// Account -> the smallest account of its merged customer.
    same: BTreeMap<String, String>,
    /// Paid referrals by referrer: (qualifying instant, referee).
    paid: BTreeMap<String, Vec<(i64, String)>>,
    /// Paid referrals standing by referrer (bonus numbering): a cancelled one
    /// no longer counts.
    successes: BTreeMap<String, u32>,
}

fn policy(program: &Program) -> Result<&ReferralPolicy, ReferralError> {
    program
        .referrals
        .as_ref()
        .ok_or(ReferralError::ReferralsNotConfigured)
}

fn at_ms(text: &str, path: &str) -> Result<i64, ReferralError> {
    Ok(crate::ledger::parse_at(text, path)?)
}

fn nonempty(value: &str, path: &str) -> Result<(), ReferralError> {
    if value.trim().is_empty() {
        return Err(LedgerError::EmptyId {
            path: path.to_owned(),
        }
        .into());
    }
    Ok(())
}

fn seed_of(text: &str) -> Result<u64, ReferralError> {
    text.trim().parse().map_err(|_| {
        ShapeError::InvalidValue {
            path: "seed".to_owned(),
            message: format!("`{text}` is not a decimal integer from 0 to 2^64 - 1"),
        }
        .into()
    })
}

/// FNV-1a: a stable 64-bit seed from a member id (or any text), the same
/// on every platform.
pub(crate) fn derived_seed(program: &str, member: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in program.bytes().chain([0]).chain(member.bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl ReferralBook {
    /// An empty book; refused when the program has no `[referrals]`.
    pub fn new(program: &Program) -> Result<Self, ReferralError> {
        policy(program)?;
        Ok(Self::default())
    }

    /// The referral of a referee.
    pub fn referral(&self, referee: &str) -> Option<&Referral> {
        self.referrals.get(referee).map(|s| &s.referral)
    }

    /// Every referral, by referee.
    pub fn referrals(&self) -> impl Iterator<Item = &Referral> {
        self.referrals.values().map(|s| &s.referral)
    }

    /// The member a typed code belongs to, if any.
    pub fn resolve(&self, program: &Program, typed: &str) -> Option<&str> {
        let canonical = policy(program).ok()?.format.parse(typed).ok()?;
        self.codes.get(&canonical).map(String::as_str)
    }

    /// A member's code.
    pub fn code_of(&self, member: &str) -> Option<&str> {
        self.members.get(member).map(|m| m.code.as_str())
    }

    /// Posts one event. Events come in time order: before the event, time
    /// passes to its instant (what fell due is paid or expires, as
    /// [`Self::settle`] does), so the answer may carry credits of others,
    /// and replaying the same events rebuilds the same book.
    pub fn post(
        &mut self,
        program: &Program,
        event: &ReferralEvent,
    ) -> Result<ReferralPosting, ReferralError> {
        let policy = policy(program)?;
        nonempty(event.id(), "id")?;
        let at = at_ms(event.at(), "at")?;
        let mut out = ReferralPosting::empty(event.id());
        if let Some(before) = self.posted.get(event.id()) {
            if before != event {
                return Err(LedgerError::ConflictingDuplicate {
                    path: "id".to_owned(),
                    id: event.id().to_owned(),
                }
                .into());
            }
            // A retry gets the code and reasons it got first, and nothing
            // is paid or taken back again.
            out.status = ReferralPostStatus::Duplicate;
            if let ReferralEvent::Member(m) = event {
                out.code = self.code_of(&m.member).map(str::to_owned);
            }
            out.rejected = self.refused.get(event.id()).cloned().unwrap_or_default();
            return Ok(out);
        }
        // Everything that can refuse the event comes before any change.
        self.check(event)?;
        let code = match event {
            ReferralEvent::Member(e) => Some(self.new_code(program, policy, e)?),
            _ => None,
        };
        // Time passes first: what fell due by this instant is paid (or
        // expires) before the event, so the book is a fold over its events.
        self.advance(program, policy, at, &mut out);
        match event {
            ReferralEvent::Member(e) => {
                if let Some(code) = code {
                    self.member(program, e, code, at, &mut out);
                }
            }
            ReferralEvent::Signup(e) => self.signup(program, policy, e, at, &mut out),
            ReferralEvent::Order(e) => self.order(program, policy, e, at, &mut out),
            ReferralEvent::Refund(e) => self.refund(program, policy, e, at, &mut out),
            ReferralEvent::Custom(e) => self.custom(program, policy, e, at, &mut out),
            ReferralEvent::Merge(e) => self.merge(program, e, at, &mut out),
        }
        self.posted.insert(event.id().to_owned(), event.clone());
        if !out.rejected.is_empty() {
            self.refused
                .insert(event.id().to_owned(), out.rejected.clone());
        }
        Ok(out)
    }

    /// Every refusal an event can get, before anything changes.
    fn check(&self, event: &ReferralEvent) -> Result<(), ReferralError> {
        match event {
            ReferralEvent::Member(e) => {
                nonempty(&e.member, "member")?;
                if let Some(m) = self.members.get(&e.member) {
                    return Err(ReferralError::AlreadyMember {
                        path: "member".to_owned(),
                        member: e.member.clone(),
                        code: m.code.clone(),
                    });
                }
                if let Some(seed) = &e.seed {
                    seed_of(seed)?;
                }
            }
            ReferralEvent::Signup(e) => {
                nonempty(&e.referee, "referee")?;
                if let Some(t) = &e.customer_since {
                    at_ms(t, "customer_since")?;
                }
            }
            ReferralEvent::Order(e) => {
                nonempty(&e.account, "account")?;
                nonempty(&e.order, "order")?;
                if e.amount < Decimal::ZERO {
                    return Err(LedgerError::NegativeAmount {
                        path: "amount".to_owned(),
                        value: e.amount.to_string(),
                    }
                    .into());
                }
                if self.orders.contains_key(&e.order) {
                    return Err(ReferralError::DuplicateOrder {
                        path: "order".to_owned(),
                        order: e.order.clone(),
                    });
                }
            }
            ReferralEvent::Refund(e) => {
                nonempty(&e.order, "order")?;
                if let Some(a) = e.amount
                    && a <= Decimal::ZERO
                {
                    return Err(LedgerError::NotPositive {
                        path: "amount".to_owned(),
                        value: a.to_string(),
                    }
                    .into());
                }
            }
            ReferralEvent::Custom(e) => nonempty(&e.account, "account")?,
            ReferralEvent::Merge(e) => {
                if e.accounts.len() < 2 {
                    return Err(ShapeError::InvalidValue {
                        path: "accounts".to_owned(),
                        message: "a merge needs two or more accounts".to_owned(),
                    }
                    .into());
                }
                for (i, a) in e.accounts.iter().enumerate() {
                    nonempty(a, &format!("accounts[{i}]"))?;
                }
            }
        }
        Ok(())
    }

    /// A new member's code: drawn from the event's seed, or derived from
    /// the member id; never one the book has.
    fn new_code(
        &self,
        program: &Program,
        policy: &ReferralPolicy,
        e: &MemberEvent,
    ) -> Result<String, ReferralError> {
        let seed = match &e.seed {
            Some(seed) => seed_of(seed)?,
            None => derived_seed(program.id(), &e.member),
        };
        // Draws until a code no member has: each draw is new with a chance
        // of at least one in two while the book holds less than half the
        // code space, so 64 draws fail only when it is (nearly) full.
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let none = BTreeSet::new();
        (0..64)
            .filter_map(|_| policy.format.generate(1, &mut rng, &none).ok()?.pop())
            .find(|code| !self.codes.contains_key(code))
            .ok_or_else(|| {
                ReferralError::from(ShapeError::InvalidValue {
                    path: "member".to_owned(),
                    message: "the referral code format has no codes left".to_owned(),
                })
            })
    }

    fn member(
        &mut self,
        program: &Program,
        e: &MemberEvent,
        code: String,
        at: i64,
        out: &mut ReferralPosting,
    ) {
        self.codes.insert(code.clone(), e.member.clone());
        let normalized = e
            .identity
            .profile
            .as_ref()
            .map(|p| program.normalize_profile(p));
        self.members.insert(
            e.member.clone(),
            Member {
                code: code.clone(),
                at,
                identity: e.identity.clone(),
                normalized,
            },
        );
        out.code = Some(code);
    }

    fn cluster<'a>(&'a self, account: &'a str) -> &'a str {
        self.same.get(account).map_or(account, String::as_str)
    }

    /// Evidence that `referee` (with `identity`) is `referrer`.
    fn same_person(
        &self,
        program: &Program,
        referrer: &str,
        referee: &str,
        identity: &ReferralIdentity,
    ) -> Vec<Evidence> {
        let mut found = Vec::new();
        if referrer == referee {
            found.push(ev("account", referee));
        } else if self.cluster(referrer) == self.cluster(referee) {
            found.push(ev("merged", self.cluster(referee)));
        }
        let Some(m) = self.members.get(referrer) else {
            return found;
        };
        let trimmed = |v: &[String]| -> BTreeSet<String> {
            v.iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        };
        for (kind, a, b) in [
            ("device", &m.identity.devices, &identity.devices),
            (
                "payment_token",
                &m.identity.payment_tokens,
                &identity.payment_tokens,
            ),
        ] {
            let a = trimmed(a);
            found.extend(trimmed(b).intersection(&a).map(|v| ev(kind, v.clone())));
        }
        if let (Some(a), Some(p)) = (&m.normalized, &identity.profile) {
            let b = program.normalize_profile(p);
            let shared = |x: Vec<&String>, y: Vec<&String>| -> Vec<String> {
                let x: BTreeSet<&String> = x.into_iter().collect();
                y.into_iter()
                    .filter(|v| x.contains(v))
                    .map(|v| (*v).clone())
                    .collect::<BTreeSet<String>>()
                    .into_iter()
                    .collect()
            };
            let phones = shared(
                a.phones.iter().map(|c| &c.value).collect(),
                b.phones.iter().map(|c| &c.value).collect(),
            );
            found.extend(phones.into_iter().map(|v| ev("phone", v)));
            let emails = shared(
                a.emails.iter().map(|c| &c.value).collect(),
                b.emails.iter().map(|c| &c.value).collect(),
            );
            found.extend(emails.into_iter().map(|v| ev("email", v)));
            let cards = shared(a.cards.iter().collect(), b.cards.iter().collect());
            found.extend(cards.into_iter().map(|v| ev("card", v)));
            if !a.street.is_empty()
                && !a.street_number.is_empty()
                && a.street == b.street
                && a.street_number == b.street_number
                && a.postcode == b.postcode
            {
                let address = [&a.street_number, &a.street, &a.postcode]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" ");
                found.push(ev("address", address));
            }
            if found.is_empty() {
                let score = program.score_normalized(a, &b);
                if score.1 {
                    found.push(ev("profile_match", score.0));
                }
            }
        }
        found
    }

    fn signup(
        &mut self,
        program: &Program,
        policy: &ReferralPolicy,
        e: &SignupEvent,
        at: i64,
        out: &mut ReferralPosting,
    ) {
        // Checked by `check`.
        let since = e
            .customer_since
            .as_deref()
            .and_then(|t| at_ms(t, "customer_since").ok());
        let code = match policy.format.parse(&e.code) {
            Ok(code) => code,
            Err(reject) => {
                out.rejected.push(code_reason(&reject));
                return;
            }
        };
        let Some(referrer) = self.codes.get(&code).cloned() else {
            out.rejected
                .push(reason(ReasonCode::UnknownCode, vec![ev("code", code)]));
            return;
        };
        if let Some(before) = self.referrals.get(&e.referee) {
            out.rejected.push(reason(
                ReasonCode::AlreadyReferred,
                vec![
                    ev("referrer", before.referral.referrer.clone()),
                    ev("linked_at", before.referral.linked_at.clone()),
                ],
            ));
        }
        let same = self.same_person(program, &referrer, &e.referee, &e.identity);
        if !same.is_empty() {
            out.rejected.push(reason(ReasonCode::SelfReferral, same));
        }
        // Walk up from the referrer: meeting the referee closes a cycle.
        let mut chain = vec![ev("referrer", referrer.clone())];
        let mut up = self.referrals.get(&referrer);
        let mut steps = 0usize;
        while let Some(s) = up {
            steps = steps.saturating_add(1);
            if steps > self.referrals.len() {
                break;
            }
            chain.push(ev("referred_by", s.referral.referrer.clone()));
            if self.cluster(&s.referral.referrer) == self.cluster(&e.referee) {
                out.rejected.push(reason(ReasonCode::ReferralCycle, chain));
                break;
            }
            up = self.referrals.get(&s.referral.referrer);
        }
        if let Some((max, window)) = policy.velocity {
            let recent = self
                .referrals
                .values()
                .filter(|s| {
                    s.referral.referrer == referrer
                        && s.linked_ms <= at
                        && s.linked_ms > at.saturating_sub(window)
                })
                .count();
            if recent >= usize::try_from(max).unwrap_or(usize::MAX) {
                out.rejected.push(reason(
                    ReasonCode::VelocityExceeded,
                    vec![
                        ev("signups", recent.to_string()),
                        ev("max", max.to_string()),
                        ev("within_hours", (window / 3_600_000).to_string()),
                    ],
                ));
            }
        }
        let mut existing = Vec::new();
        if let Some(s) = since.filter(|s| *s < at) {
            existing.push(ev("customer_since", program.ledger.format(s)));
        }
        if let Some(m) = self.members.get(&e.referee).filter(|m| m.at < at) {
            existing.push(ev("member_since", program.ledger.format(m.at)));
        }
        if !existing.is_empty() {
            out.rejected
                .push(reason(ReasonCode::ExistingCustomer, existing));
        }
        if !out.rejected.is_empty() {
            return;
        }
        let referral = Referral {
            referee: e.referee.clone(),
            referrer,
            code,
            linked_at: program.ledger.format(at),
            status: ReferralStatus::Linked,
            qualified_by: None,
            pays_at: None,
            success: None,
            reasons: Vec::new(),
        };
        out.referrals.push(referral.clone());
        self.referrals.insert(
            e.referee.clone(),
            State {
                referral,
                linked_ms: at,
                order: None,
                pays_ms: None,
                paid: Vec::new(),
                granted: Vec::new(),
            },
        );
    }

    /// Cancels the referee's linked referral if its qualification window
    /// closed before `at` (`qualification_window_passed`); whether it did.
    fn expire(
        &mut self,
        program: &Program,
        policy: &ReferralPolicy,
        referee: &str,
        at: i64,
        out: &mut Vec<Referral>,
    ) -> bool {
        let Some(s) = self.referrals.get_mut(referee) else {
            return false;
        };
        let ends = s.linked_ms.saturating_add(policy.within_ms);
        if s.referral.status != ReferralStatus::Linked || at <= ends {
            return false;
        }
        s.referral.status = ReferralStatus::Cancelled;
        s.referral.reasons.push(reason(
            ReasonCode::QualificationWindowPassed,
            vec![
                ev("linked_at", s.referral.linked_at.clone()),
                ev("window_ends", program.ledger.format(ends)),
            ],
        ));
        out.push(s.referral.clone());
        true
    }

    /// Whether the referee has a linked referral whose window is open at
    /// `at` (an event before the signup does not count; one after the
    /// window cancels the referral).
    fn open(
        &mut self,
        program: &Program,
        policy: &ReferralPolicy,
        referee: &str,
        at: i64,
        out: &mut ReferralPosting,
    ) -> bool {
        let linked = self
            .referrals
            .get(referee)
            .is_some_and(|s| s.referral.status == ReferralStatus::Linked && at >= s.linked_ms);
        linked && !self.expire(program, policy, referee, at, &mut out.referrals)
    }

    /// Marks the referee's open referral qualified by `by` at `at`.
    fn qualify(
        &mut self,
        program: &Program,
        policy: &ReferralPolicy,
        referee: &str,
        by: &str,
        at: i64,
        out: &mut ReferralPosting,
    ) {
        let Some(s) = self.referrals.get_mut(referee) else {
            return;
        };
        let pays = at.saturating_add(policy.return_ms);
        s.referral.status = ReferralStatus::Pending;
        s.referral.qualified_by = Some(by.to_owned());
        s.referral.pays_at = Some(program.ledger.format(pays));
        s.pays_ms = Some(pays);
        out.referrals.push(s.referral.clone());
    }

    fn order(
        &mut self,
        program: &Program,
        policy: &ReferralPolicy,
        e: &OrderEvent,
        at: i64,
        out: &mut ReferralPosting,
    ) {
        // Only a referee's orders in their qualification window matter.
        let Some(min) = policy.min_order else {
            return;
        };
        if !self.open(program, policy, &e.account, at, out) {
            return;
        }
        self.orders.insert(e.order.clone(), e.account.clone());
        if e.amount < min {
            out.rejected.push(reason(
                ReasonCode::BelowMinimum,
                vec![
                    ev("required", min.to_string()),
                    ev("actual", e.amount.to_string()),
                ],
            ));
            return;
        }
        self.qualify(program, policy, &e.account, &e.order, at, out);
        if let Some(s) = self.referrals.get_mut(&e.account) {
            s.order = Some((e.order.clone(), e.amount, Decimal::ZERO));
        }
    }

    fn custom(
        &mut self,
        program: &Program,
        policy: &ReferralPolicy,
        e: &CustomEvent,
        at: i64,
        out: &mut ReferralPosting,
    ) {
        if policy.event.as_deref() == Some(e.name.as_str())
            && self.open(program, policy, &e.account, at, out)
        {
            self.qualify(program, policy, &e.account, &e.name, at, out);
        }
    }

    /// Stops a referral: pending credit dropped, paid credit taken back.
    fn cancel(&mut self, referee: &str, why: Reason, at: &str, out: &mut ReferralPosting) {
        let Some(s) = self.referrals.get_mut(referee) else {
            return;
        };
        if s.referral.status == ReferralStatus::Cancelled {
            return;
        }
        // A paid success no longer counts: the referrer's next success takes
        // its number (and its bonus, which is reversed here with the rest).
        let counted = s.referral.status == ReferralStatus::Credited && s.referral.success.is_some();
        s.referral.status = ReferralStatus::Cancelled;
        s.referral.success = None;
        s.referral.reasons.push(why);
        for target in std::mem::take(&mut s.paid) {
            out.ledger.push(LedgerEvent::Reverse(ReverseEvent {
                id: format!("{target}:reversed"),
                at: at.to_owned(),
                target,
                reason: Some("referral cancelled".to_owned()),
            }));
        }
        out.withdrawn.append(&mut s.granted);
        out.referrals.push(s.referral.clone());
        if counted {
            let referrer = s.referral.referrer.clone();
            if let Some(list) = self.paid.get_mut(&referrer) {
                list.retain(|(_, r)| r != referee);
            }
            if let Some(n) = self.successes.get_mut(&referrer) {
                *n = n.saturating_sub(1);
            }
        }
    }

    fn refund(
        &mut self,
        program: &Program,
        policy: &ReferralPolicy,
        e: &RefundEvent,
        at: i64,
        out: &mut ReferralPosting,
    ) {
        // Refunds of orders that qualified nothing change nothing: the host
        // may post every refund.
        let Some(referee) = self.orders.get(&e.order).cloned() else {
            return;
        };
        let Some(s) = self.referrals.get_mut(&referee) else {
            return;
        };
        let Some((order, amount, refunded)) = s.order.as_mut() else {
            return;
        };
        if *order != e.order {
            return;
        }
        *refunded = e
            .amount
            .map_or(*amount, |a| refunded.saturating_add(a))
            .min(*amount);
        let left = amount.saturating_sub(*refunded);
        let min = policy.min_order.unwrap_or(Decimal::ZERO);
        if left < min || left.is_zero() {
            let why = reason(
                ReasonCode::OrderRefunded,
                vec![
                    ev("order", e.order.clone()),
                    ev("required", min.to_string()),
                    ev("left", left.to_string()),
                ],
            );
            let text = program.ledger.format(at);
            self.cancel(&referee, why, &text, out);
        }
    }

    fn merge(&mut self, program: &Program, e: &MergeEvent, at: i64, out: &mut ReferralPosting) {
        // Everything already one customer with any of these joins too.
        let mut group: BTreeSet<String> = e.accounts.iter().cloned().collect();
        let roots: BTreeSet<String> = group.iter().map(|a| self.cluster(a).to_owned()).collect();
        group.extend(
            self.same
                .iter()
                .filter(|(_, r)| roots.contains(*r))
                .map(|(a, _)| a.clone()),
        );
        group.extend(roots);
        let Some(root) = group.first().cloned() else {
            return;
        };
        for a in &group {
            self.same.insert(a.clone(), root.clone());
        }
        let text = program.ledger.format(at);
        let hit: Vec<String> = self
            .referrals
            .values()
            .filter(|s| {
                s.referral.status != ReferralStatus::Cancelled
                    && group.contains(&s.referral.referee)
                    && group.contains(&s.referral.referrer)
            })
            .map(|s| s.referral.referee.clone())
            .collect();
        for referee in hit {
            let why = reason(ReasonCode::SelfReferral, vec![ev("merged", root.clone())]);
            self.cancel(&referee, why, &text, out);
        }
    }

    /// Pays every pending referral whose return window closed by `at`, in
    /// the order they closed (then by referee): the referrer's reward (unless
    /// the cap is reached), bonuses at their n-th success, and the referee's
    /// reward. Calling it again for the same instant pays nothing twice.
    pub fn settle(&mut self, program: &Program, at: &str) -> Result<Settlement, ReferralError> {
        let policy = policy(program)?;
        let now = at_ms(at, "at")?;
        let mut out = ReferralPosting::empty("");
        self.advance(program, policy, now, &mut out);
        Ok(Settlement {
            at: program.ledger.format(now),
            referrals: out.referrals,
            ledger: out.ledger,
            coupons: out.coupons,
        })
    }

    /// Lets time pass up to `now`: linked referrals whose window closed
    /// expire, and pending ones whose return window closed are paid.
    fn advance(
        &mut self,
        program: &Program,
        policy: &ReferralPolicy,
        now: i64,
        out: &mut ReferralPosting,
    ) {
        let linked: Vec<String> = self
            .referrals
            .values()
            .filter(|s| s.referral.status == ReferralStatus::Linked)
            .map(|s| s.referral.referee.clone())
            .collect();
        for referee in linked {
            self.expire(program, policy, &referee, now, &mut out.referrals);
        }
        let mut due: Vec<(i64, String)> = self
            .referrals
            .values()
            .filter(|s| s.referral.status == ReferralStatus::Pending)
            .filter_map(|s| Some((s.pays_ms?, s.referral.referee.clone())))
            .filter(|(p, _)| *p <= now)
            .collect();
        due.sort();
        for (pays, referee) in due {
            self.pay(program, policy, &referee, pays, out);
        }
    }

    fn period(program: &Program, period: CapPeriod, at: i64) -> Option<i64> {
        if period == CapPeriod::Ever {
            return Some(0);
        }
        let date = crate::calendar::local_date(program.time_zone(), at)?;
        let date = crate::calendar::from_iso(program.calendar(), date)?;
        match period {
            CapPeriod::Month => crate::calendar::month_index(date),
            CapPeriod::Year => Some(i64::from(date.year)),
            CapPeriod::Ever => Some(0),
        }
    }

    fn pay(
        &mut self,
        program: &Program,
        policy: &ReferralPolicy,
        referee: &str,
        pays: i64,
        out: &mut ReferralPosting,
    ) {
        let Some(s) = self.referrals.get(referee) else {
            return;
        };
        let referrer = s.referral.referrer.clone();
        // The qualifying instant decides the cap period, for orders and custom events alike.
        let qualified = pays.saturating_sub(policy.return_ms);
        let when = program.ledger.format(pays);
        let capped = policy.cap.and_then(|(max, period)| {
            let this = Self::period(program, period, qualified);
            let count = self.paid.get(&referrer).map_or(0, |l| {
                l.iter()
                    .filter(|(t, _)| Self::period(program, period, *t) == this)
                    .count()
            });
            (count >= usize::try_from(max).unwrap_or(usize::MAX)).then(|| {
                reason(
                    ReasonCode::CapReached,
                    vec![
                        ev("paid", count.to_string()),
                        ev("max", max.to_string()),
                        ev(
                            "period",
                            match period {
                                CapPeriod::Month => "month",
                                CapPeriod::Year => "year",
                                CapPeriod::Ever => "ever",
                            },
                        ),
                    ],
                )
            })
        });
        let mut paid = Vec::new();
        let mut granted = Vec::new();
        let mut give = |who: &str, role: &str, r: &Reward, out: &mut ReferralPosting| {
            let id = format!("referral:{referee}:{role}");
            if let Some(points) = r.points {
                out.ledger.push(LedgerEvent::Earn(EarnEvent {
                    id: id.clone(),
                    account: who.to_owned(),
                    at: when.clone(),
                    points,
                    order: None,
                    amount: None,
                    lines: Vec::new(),
                }));
                paid.push(id.clone());
            }
            if let Some(campaign) = &r.coupon {
                let g = CouponGrant {
                    id,
                    campaign: campaign.clone(),
                    customer: who.to_owned(),
                };
                out.coupons.push(g.clone());
                granted.push(g);
            }
        };
        let mut success = None;
        if capped.is_none() {
            let n = self
                .successes
                .get(&referrer)
                .copied()
                .unwrap_or(0)
                .saturating_add(1);
            self.successes.insert(referrer.clone(), n);
            self.paid
                .entry(referrer.clone())
                .or_default()
                .push((qualified, referee.to_owned()));
            give(&referrer, "referrer", &policy.referrer, out);
            for (at_n, bonus) in &policy.bonuses {
                if *at_n == n {
                    give(&referrer, &format!("bonus-{n}"), bonus, out);
                }
            }
            success = Some(n);
        }
        give(referee, "referee", &policy.referee, out);
        if let Some(s) = self.referrals.get_mut(referee) {
            s.referral.status = ReferralStatus::Credited;
            s.referral.success = success;
            s.referral.reasons.extend(capped);
            s.paid = paid;
            s.granted = granted;
            out.referrals.push(s.referral.clone());
        }
    }
}
