//! The host's side of referrals for the demo: who gets a referral code, who
//! signs up with whose code (and how they type it), the fraud a chain meets,
//! and a [`ReferralDesk`] that posts it all to a `ReferralBook` in time order,
//! with the referees' real orders and refunds, and hands the credits it
//! settles to the points ledger.
//!
//! The plan ([`ReferralDesk::new`]) is drawn from the demo's seed on a
//! ChaCha8 stream of its own, so it never shifts the demo's other draws:
//!
//! * **codes**: some members get a code at their first order of the year
//!   (returning members and new ones, so referees go on to refer: chains),
//!   with their profile (phones, e-mails, card, name, birth date) and a device
//!   id; one in a few hundred is a local star who brings a fifth of the
//!   referrals and meets the monthly cap;
//! * **referees**: a share of the year's new customers sign up with a
//!   member's code on the day they join, before their first order. They type
//!   it in lower case, with spaces, with Persian digits, or mistyped (a swap
//!   or a wrong symbol, which the check character catches; most try again),
//!   some type their phone or a coupon code into the field, a few a code no
//!   member has. Their orders in the demo are the qualifying orders: the
//!   first of at least `qualify.min_order` within `qualify.within_days`;
//!   some of those come back below the minimum (before or after the credit
//!   is paid), on top of the demo's own refunds;
//! * **fraud**: second profiles of a member (the same phone typed another
//!   way, the same device) using the member's code, a member's own new
//!   account with their phone in another format or on their own device, a
//!   referrer using their referee's code (a cycle), a burst of sign-ups
//!   through one code within two hours (a referral farm), returning
//!   customers signing up with a friend's code, and referees using a second
//!   code;
//! * **merges**: every customer the demo's profile merging put together is a
//!   `merge` event the night after its last profile was opened, so a
//!   referral between two profiles of one customer is stopped even when the
//!   sign-up gave nothing away.
//!
//! Synthetic accounts (a member's second account, a farm's accounts) never
//! order, so every credit goes to a customer of the data set and the demo's
//! ledger totals still cover every point.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use loyalty_core::Program;
use loyalty_core::identity::{Contact, Profile};
use loyalty_core::ledger::{LedgerEvent, RefundEvent as LedgerRefund};
use loyalty_core::model::Order;
use loyalty_core::referrals::{
    MemberEvent, MergeEvent, OrderEvent, ReasonCode, Referral, ReferralBook, ReferralEvent,
    ReferralIdentity, ReferralPosting, ReferralStatus, RefundEvent, SignupEvent, check_code,
};
use rand::RngExt;
use rust_decimal::Decimal;

use super::{Dataset, SampleRng, YEAR_END, YEAR_START, chance, eastern_digits, tehran_rfc3339};

/// Chance (in 100) that a customer with an order in the year gets a code at
/// their first one: returning members, and the year's new members.
const MEMBER_RETURNING: u32 = 20;
const MEMBER_NEW: u32 = 15;
/// Chance (in 100) that a new customer of the year signed up with a code.
const REFERRED: u32 = 35;
/// How persuasive members are: (weight, chance in 100).
const REACH: &[(u32, u32)] = &[(1, 75), (3, 25)];
/// One member in this many returning members with a code (at least one) is
/// a local star, who alone brings a fifth of the referrals or more (and
/// meets the monthly cap).
const STAR_PER: usize = 400;
/// How a code is typed, by weight: as shown, lower case, with spaces or
/// without dashes, with Persian digits, two symbols swapped, a symbol wrong,
/// a well-formed code no member has, the customer's phone, a coupon code.
const TYPING: &[(Typing, u32)] = &[
    (Typing::Exact, 47),
    (Typing::Lower, 20),
    (Typing::Spaced, 12),
    (Typing::Persian, 10),
    (Typing::Swap, 4),
    (Typing::Substitute, 2),
    (Typing::Unknown, 1),
    (Typing::Phone, 2),
    (Typing::Coupon, 2),
];
/// Chance (in 100) that a refused customer tries again with the right code.
const RETRY: u32 = 70;
/// Chance (in 100) that a referee later types a second member's code.
const SECOND_CODE: u32 = 4;
/// Chance (in 100) that a member's second profile signs up with their code,
/// and that it then gives the sign-up form nothing but a new browser.
const DUPLICATE_TRIES: u32 = 60;
const DUPLICATE_HIDES: u32 = 30;
/// Chance (in 1,000) that a member opens a second account with their phone
/// typed another way, or on their own device, to use their own code.
const OWN_PHONE: u32 = 20;
const OWN_DEVICE: u32 = 15;
/// Chance (in 100) that a referrer signs up with the code of a referee who
/// became a member (a cycle).
const CYCLE: u32 = 10;
/// Chance (in 1,000) that a returning customer signs up with a friend's code.
const RETURNING_SIGNS_UP: u32 = 15;
/// One referral farm per this many customers (at least one), and its size.
const FARM_PER: usize = 1500;
const FARM_SIZE: u32 = 8;
/// Chance (in 100) that a referee's qualifying order comes back below the
/// minimum, before the credit is paid and after.
const REFUND_BEFORE: u32 = 5;
const REFUND_AFTER: u32 = 5;

/// How a customer types a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Typing {
    Exact,
    Lower,
    Spaced,
    Persian,
    Swap,
    Substitute,
    Unknown,
    Phone,
    Coupon,
}

impl Typing {
    /// Whether the book refuses the typed text whatever the code.
    fn refused(self) -> bool {
        matches!(
            self,
            Self::Swap | Self::Substitute | Self::Unknown | Self::Phone | Self::Coupon
        )
    }
}

/// Why a sign-up is in the plan (for the tally of attempts, not for the book).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Attempt {
    /// A new customer with a friend's code.
    Referee,
    /// Again, after the first try was refused.
    Retry,
    /// A referee with a second member's code.
    SecondCode,
    /// A member's second profile in the data set.
    SecondProfile,
    /// A member's own new account, their phone typed another way.
    OwnPhone,
    /// A member's own new account on their device.
    OwnDevice,
    /// A referrer with their referee's code.
    Cycle,
    /// A referral farm's account.
    Farm,
    /// A returning customer.
    Returning,
}

/// A planned signup.
struct Signup {
    referee: String,
    referrer: usize,
    typing: Typing,
    /// Drawn with the plan: which symbol a typo hits, and so on.
    draw: u32,
    since: Option<NaiveDateTime>,
    identity: ReferralIdentity,
    /// What the customer types when `typing` is `Phone`.
    phone: String,
    attempt: Attempt,
}

enum Step {
    Member { account: usize },
    Signup(Box<Signup>),
    Merge { accounts: Vec<String> },
}

struct Planned {
    at: NaiveDateTime,
    step: Step,
}

/// A refund of a referee's qualifying order the plan asks the host to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForcedRefund {
    /// Minutes after the order.
    pub after_minutes: i64,
    /// What is left of the order (a refund by amount), or nothing (in full).
    pub keep: Option<Decimal>,
}

/// What the referral book did over the replay.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReferralTally {
    /// The code format, e.g. `REF-####-####`.
    pub pattern: String,
    /// Members given a code.
    pub members: u64,
    /// Members who were referred themselves.
    pub referred_members: u64,
    /// Sign-ups posted, by why they were planned.
    pub attempts: BTreeMap<Attempt, u64>,
    /// Sign-ups posted.
    pub signups: u64,
    /// Sign-ups that linked a referral.
    pub linked: u64,
    /// Sign-ups refused.
    pub refused: u64,
    /// Refused sign-ups by reason (a sign-up refused for several counts under each).
    pub rejected: BTreeMap<ReasonCode, u64>,
    /// Evidence kinds behind `self_referral` at sign-up (each kind once per sign-up).
    pub self_evidence: BTreeMap<String, u64>,
    /// Orders posted (orders of referees while their referral was linked).
    pub orders: u64,
    /// Orders below the minimum.
    pub below_minimum: u64,
    /// Referees with an order below the minimum.
    pub below_minimum_referees: BTreeSet<String>,
    /// Referrals qualified (pending until the return window closes).
    pub qualified: u64,
    /// Refunds posted (of orders the book had seen).
    pub refunds: u64,
    /// Refunds of qualifying orders the plan asked the host for.
    pub forced_refunds: u64,
    /// Merge events posted.
    pub merges: u64,
    /// Referrals cancelled, by reason, and how many of them had been paid.
    pub cancelled: BTreeMap<ReasonCode, (u64, u64)>,
    /// `settle` calls.
    pub settlements: u64,
    /// Referrals paid.
    pub credited: u64,
    /// Referrals paid without the referrer's reward (`cap_reached`).
    pub capped: u64,
    /// Rewards paid: count and points, by role (`referrer`, `referee`,
    /// `bonus`, read off the ledger event ids).
    pub rewards: BTreeMap<&'static str, (u64, Decimal)>,
    /// Credits taken back.
    pub reversals: u64,
    /// Points of the credits taken back.
    pub reversed: Decimal,
    /// Coupons granted.
    pub coupons: u64,
    /// Coupons taken back.
    pub coupons_withdrawn: u64,
    /// Ledger events handed to the host.
    pub ledger_posted: u64,
    /// Ledger events the ledger refused.
    pub ledger_refused: u64,
    /// Where the referrals stand at the end.
    pub end: EndState,
    /// `Err` from `post` or `settle` (must stay 0).
    pub errors: u64,
    /// The first error.
    pub first_error: Option<String>,
    /// Time spent in the referral book.
    pub time: Duration,
}

/// Where the referrals stand when the desk closes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EndState {
    /// Linked referrals, their qualification window still open.
    pub linked: u64,
    /// Pending referrals.
    pub pending: u64,
    /// Credited referrals.
    pub credited: u64,
    /// Cancelled referrals.
    pub cancelled: u64,
    /// Members with the most successful referrals: (member, successes).
    pub top: Option<(String, u32)>,
    /// The longest chain of credited referrals, referrer first.
    pub chain: Vec<String>,
}

/// The host's referral desk: the plan, the book, and what it did.
pub struct ReferralDesk {
    book: ReferralBook,
    plan: VecDeque<Planned>,
    /// Account ids, by index in the data set.
    ids: Vec<String>,
    /// Identity each customer brings (their profile and device).
    identities: Vec<ReferralIdentity>,
    /// Instants pending referrals pay at.
    due: BTreeSet<NaiveDateTime>,
    /// Orders posted to the book (every order of a linked referee), for
    /// the money of their refunds by line.
    orders: BTreeMap<String, Order>,
    /// Refunds of qualifying orders to make, by referee.
    refunds: BTreeMap<String, ForcedRefund>,
    /// Points of each credit paid, by ledger event id.
    paid: BTreeMap<String, Decimal>,
    min_order: Decimal,
    events: u64,
    /// What happened.
    pub tally: ReferralTally,
}

/// A well-mixed 64-bit value from the seed and two numbers (splitmix64).
fn mix(seed: u64, a: u64, b: u64) -> u64 {
    let mut z = seed
        .wrapping_add(a.wrapping_mul(0x9e37_79b9_7f4a_7c15))
        .wrapping_add(b.wrapping_mul(0xd1b5_4a32_d192_ed03));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn to_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// A device id: an app install or a browser.
fn device(seed: u64, person: u64, kind: u64) -> String {
    let prefix = match kind % 3 {
        0 => "android",
        1 => "ios",
        _ => "web",
    };
    format!("{prefix}-{:012x}", mix(seed, person, kind) >> 16)
}

/// The ten digits of an Iranian mobile number (`912...`) in what was typed.
fn mobile_digits(phone: &str) -> Option<String> {
    let digits: String = phone
        .chars()
        .filter_map(|c| {
            let c = match u32::from(c) {
                0x06F0..=0x06F9 => char::from_u32(u32::from(c).saturating_sub(0x06C0)),
                0x0660..=0x0669 => char::from_u32(u32::from(c).saturating_sub(0x0630)),
                _ => Some(c),
            }?;
            c.is_ascii_digit().then_some(c)
        })
        .collect();
    let ten = digits.get(digits.len().saturating_sub(10)..)?;
    (ten.len() == 10 && ten.starts_with('9') && ten.chars().any(|c| c != '0'))
        .then(|| ten.to_owned())
}

/// The same mobile number typed another way than `typed`.
fn retyped(rng: &mut SampleRng, typed: &str, mobile: &str) -> String {
    let (a, rest) = mobile.split_at(3.min(mobile.len()));
    let (b, c) = rest.split_at(3.min(rest.len()));
    let ways = [
        format!("+98 {a} {b} {c}"),
        eastern_digits(&format!("0{mobile}"), true),
        format!("0098 {a}-{b}-{c}"),
        format!("(+98) {mobile}"),
        format!("0{a} {b} {c}"),
    ];
    let start = rng.random_range(0..ways.len());
    (0..ways.len())
        .filter_map(|k| ways.get(start.saturating_add(k).checked_rem(ways.len())?))
        .find(|w| w.as_str() != typed)
        .cloned()
        .unwrap_or_else(|| format!("+98{mobile}"))
}

/// A mobile number nobody in the data set is likely to have.
fn fresh_phone(rng: &mut SampleRng) -> String {
    format!("+98 939 {:07}", rng.random_range(0..10_000_000_u32))
}

/// One value of a `(value, weight)` table.
fn pick<T: Copy>(rng: &mut SampleRng, items: &[(T, u32)], fallback: T) -> T {
    super::pick(rng, items, fallback)
}

/// A moment on `day` between `from` and `to` o'clock.
fn moment(rng: &mut SampleRng, day: NaiveDate, from: u32, to: u32) -> NaiveDateTime {
    let seconds = rng.random_range(
        from.saturating_mul(3600)..to.max(from.saturating_add(1)).saturating_mul(3600),
    );
    day.and_time(NaiveTime::MIN)
        .checked_add_signed(TimeDelta::seconds(i64::from(seconds)))
        .unwrap_or_else(|| day.and_time(NaiveTime::MIN))
}

fn plus(at: NaiveDateTime, delta: TimeDelta) -> NaiveDateTime {
    at.checked_add_signed(delta).unwrap_or(at)
}

/// The last instant of the sample year.
fn year_end() -> NaiveDateTime {
    YEAR_END
        .and_hms_opt(23, 59, 59)
        .unwrap_or_else(|| YEAR_END.and_time(NaiveTime::MIN))
}

fn inc(n: &mut u64) {
    *n = n.saturating_add(1);
}

fn add(total: &mut Decimal, x: Decimal) {
    *total = total.checked_add(x).unwrap_or(*total);
}

/// What a line was paid: quantity × unit price − discount, at least zero.
fn line_paid(l: &loyalty_core::model::Line) -> Decimal {
    l.quantity
        .checked_mul(l.unit_price)
        .and_then(|g| g.checked_sub(l.discount))
        .unwrap_or_default()
        .max(Decimal::ZERO)
}

/// What the customer pays for an order before points.
pub fn order_total(order: &Order) -> Decimal {
    let mut total = Decimal::ZERO;
    for l in &order.lines {
        add(&mut total, line_paid(l));
    }
    total
}

/// Draws the year's referral activity (see the module docs).
struct Planner<'a> {
    rng: SampleRng,
    data: &'a Dataset,
    steps: Vec<Planned>,
    /// Member code instants, by account index.
    member_at: BTreeMap<usize, NaiveDateTime>,
    /// Members by code instant: (instant, account, reach).
    pool: Vec<(NaiveDateTime, usize, u32)>,
    identities: &'a [ReferralIdentity],
    synthetic: u32,
}

impl Planner<'_> {
    fn id(&self, i: usize) -> String {
        self.data
            .customers
            .get(i)
            .map(|c| c.id().to_owned())
            .unwrap_or_default()
    }

    fn identity(&self, i: usize) -> ReferralIdentity {
        self.identities.get(i).cloned().unwrap_or_default()
    }

    /// A member with a code by `at` (not `not`), by reach.
    fn referrer(&mut self, at: NaiveDateTime, not: usize) -> Option<usize> {
        let eligible: Vec<(usize, u32)> = self
            .pool
            .iter()
            .take_while(|(t, _, _)| *t < at)
            .filter(|(_, a, _)| *a != not)
            .map(|(_, a, w)| (*a, *w))
            .collect();
        super::pick_by(&mut self.rng, &eligible, |(_, w)| *w).map(|(a, _)| *a)
    }

    fn typing(&mut self) -> Typing {
        pick(&mut self.rng, TYPING, Typing::Exact)
    }

    #[allow(clippy::too_many_arguments)]
    fn signup(
        &mut self,
        at: NaiveDateTime,
        referee: String,
        referrer: usize,
        typing: Typing,
        since: Option<NaiveDateTime>,
        identity: ReferralIdentity,
        phone: String,
        attempt: Attempt,
    ) {
        let draw = self.rng.random_range(0..u32::MAX);
        self.steps.push(Planned {
            at: at.min(year_end()),
            step: Step::Signup(Box::new(Signup {
                referee,
                referrer,
                typing,
                draw,
                since,
                identity,
                phone,
                attempt,
            })),
        });
    }

    /// A synthetic account's id (`x-0001`): never a customer of the data set.
    fn synthetic(&mut self, kind: &str) -> String {
        self.synthetic = self.synthetic.saturating_add(1);
        format!("{kind}-{:04}", self.synthetic)
    }

    /// A moment from `after` on, within `days` days, before the year ends.
    fn later(&mut self, after: NaiveDateTime, min_minutes: i64, days: i64) -> NaiveDateTime {
        let minutes = self
            .rng
            .random_range(min_minutes..=days.saturating_mul(1440).max(min_minutes));
        plus(after, TimeDelta::minutes(minutes)).min(year_end())
    }
}

/// The referral activity of the year, in time order.
fn plan(
    data: &Dataset,
    accounts: &[usize],
    identities: &[ReferralIdentity],
    seed: u64,
) -> Vec<Planned> {
    let n = data.customers.len();
    let account_of = |i: usize| accounts.get(i).copied().unwrap_or(i);
    let mut first_order: Vec<Option<NaiveDateTime>> = vec![None; n];
    for o in &data.orders {
        if let Some(slot) = first_order.get_mut(o.customer)
            && slot.is_none()
        {
            *slot = Some(o.at);
        }
    }
    let mut p = Planner {
        rng: super::rng(seed ^ 0x2ef3_4a11_0000_0000),
        data,
        steps: Vec::new(),
        member_at: BTreeMap::new(),
        pool: Vec::new(),
        identities,
        synthetic: 0,
    };
    // Codes: at the first order of the year, for accounts that kept their orders.
    for (i, c) in data.customers.iter().enumerate() {
        let Some(at) = first_order.get(i).copied().flatten() else {
            continue;
        };
        let share = if c.has_history {
            MEMBER_RETURNING
        } else {
            MEMBER_NEW
        };
        let member = chance(&mut p.rng, share);
        let reach = pick(&mut p.rng, REACH, 1);
        if member && account_of(i) == i {
            p.member_at.insert(i, at);
            p.pool.push((at, i, reach));
            p.steps.push(Planned {
                at,
                step: Step::Member { account: i },
            });
        }
    }
    p.pool.sort_by_key(|(t, a, _)| (*t, *a));
    // The stars: the first returning members to get a code, each as
    // persuasive as a third of everybody else together.
    let everybody = p.pool.iter().map(|m| m.2).fold(0, u32::saturating_add);
    let returning = p
        .pool
        .iter()
        .filter(|(_, a, _)| data.customers.get(*a).is_some_and(|c| c.has_history))
        .count();
    let stars = (returning / STAR_PER).max(1);
    for (_, _, reach) in p
        .pool
        .iter_mut()
        .filter(|(_, a, _)| data.customers.get(*a).is_some_and(|c| c.has_history))
        .take(stars)
    {
        *reach = (everybody / 3).max(1);
    }

    // New customers signing up with a friend's code on the day they join.
    let mut referees: Vec<(usize, usize, NaiveDateTime)> = Vec::new();
    for (i, c) in data.customers.iter().enumerate() {
        if c.has_history || c.duplicate_of.is_some() || account_of(i) != i {
            continue;
        }
        if !chance(&mut p.rng, REFERRED) {
            continue;
        }
        let joined = c.profile.joined_on.unwrap_or(YEAR_START);
        let mut at = moment(&mut p.rng, joined, 8, 22);
        if let Some(first) = first_order.get(i).copied().flatten() {
            let early = TimeDelta::minutes(p.rng.random_range(5..=90_i64));
            let before = first.checked_sub_signed(early).unwrap_or(first);
            at = at.min(before);
        }
        let Some(referrer) = p.referrer(at, i) else {
            continue;
        };
        referees.push((i, referrer, at));
        let typing = p.typing();
        let identity = signup_identity(data, i, p.identity(i));
        let phone = c.phone.clone();
        let id = p.id(i);
        p.signup(
            at,
            id.clone(),
            referrer,
            typing,
            None,
            identity.clone(),
            phone.clone(),
            Attempt::Referee,
        );
        if typing.refused() && chance(&mut p.rng, RETRY) {
            let again = plus(at, TimeDelta::minutes(p.rng.random_range(2..=30_i64)));
            let typing = pick(
                &mut p.rng,
                &[
                    (Typing::Exact, 60),
                    (Typing::Lower, 25),
                    (Typing::Spaced, 15),
                ],
                Typing::Exact,
            );
            p.signup(
                again,
                id.clone(),
                referrer,
                typing,
                None,
                identity.clone(),
                phone.clone(),
                Attempt::Retry,
            );
        }
        if chance(&mut p.rng, SECOND_CODE) {
            let then = p.later(at, 60, 20);
            if let Some(other) = p.referrer(then, i).filter(|o| *o != referrer) {
                p.signup(
                    then,
                    id,
                    other,
                    Typing::Exact,
                    None,
                    identity,
                    phone,
                    Attempt::SecondCode,
                );
            }
        }
    }

    // A member's second profile, opened this year, with the member's code.
    for (i, c) in data.customers.iter().enumerate() {
        let Some(first) = c
            .duplicate_of
            .as_deref()
            .and_then(|f| data.customers.iter().position(|x| x.id() == f))
        else {
            continue;
        };
        let joined = c.profile.joined_on.unwrap_or(YEAR_START);
        let at = moment(&mut p.rng, joined, 8, 22);
        let Some(code_at) = p.member_at.get(&first).copied() else {
            continue;
        };
        if code_at >= at || !chance(&mut p.rng, DUPLICATE_TRIES) {
            continue;
        }
        let hides = chance(&mut p.rng, DUPLICATE_HIDES);
        let identity = if hides {
            // Nothing but a browser the chain has not seen.
            ReferralIdentity {
                devices: vec![device(seed, to_u64(i), 2)],
                ..ReferralIdentity::default()
            }
        } else {
            signup_identity(data, i, p.identity(i))
        };
        let typing = pick(
            &mut p.rng,
            &[
                (Typing::Exact, 60),
                (Typing::Lower, 25),
                (Typing::Persian, 15),
            ],
            Typing::Exact,
        );
        let id = p.id(i);
        p.signup(
            at,
            id,
            first,
            typing,
            None,
            identity,
            c.phone.clone(),
            Attempt::SecondProfile,
        );
    }

    // Members opening an account of their own to use their own code.
    let members: Vec<(usize, NaiveDateTime)> = p.member_at.iter().map(|(a, t)| (*a, *t)).collect();
    let (mut own_phone, mut own_device) = (false, false);
    for (k, &(m, at)) in members.iter().enumerate() {
        let last = k.saturating_add(1) == members.len();
        let Some(c) = data.customers.get(m) else {
            continue;
        };
        let mobile = mobile_digits(&c.phone);
        let by_phone = p.rng.random_ratio(OWN_PHONE, 1000) || (last && !own_phone);
        if let Some(mobile) = mobile.filter(|_| by_phone) {
            own_phone = true;
            let then = p.later(at, 60, 45);
            let phone = retyped(&mut p.rng, &c.phone, &mobile);
            let id = p.synthetic("x");
            let identity = ReferralIdentity {
                profile: Some(Profile {
                    id: id.clone(),
                    source: Some("app".to_owned()),
                    phones: vec![Contact {
                        value: phone.clone(),
                        verified: false,
                    }],
                    ..Profile::default()
                }),
                devices: vec![device(seed, to_u64(m), 7)],
                ..ReferralIdentity::default()
            };
            let typing = p.typing();
            let typing = if typing.refused() {
                Typing::Exact
            } else {
                typing
            };
            p.signup(
                then,
                id,
                m,
                typing,
                None,
                identity,
                phone,
                Attempt::OwnPhone,
            );
        }
        let by_device = p.rng.random_ratio(OWN_DEVICE, 1000) || (last && !own_device);
        if by_device {
            own_device = true;
            let then = p.later(at, 60, 45);
            let phone = fresh_phone(&mut p.rng);
            let id = p.synthetic("x");
            let own = p.identity(m).devices;
            let identity = ReferralIdentity {
                profile: Some(Profile {
                    id: id.clone(),
                    source: Some("app".to_owned()),
                    phones: vec![Contact {
                        value: phone.clone(),
                        verified: true,
                    }],
                    ..Profile::default()
                }),
                devices: own,
                ..ReferralIdentity::default()
            };
            p.signup(
                then,
                id,
                m,
                Typing::Exact,
                None,
                identity,
                phone,
                Attempt::OwnDevice,
            );
        }
    }

    // A referrer signing up with the code of their referee (a cycle).
    let mut cycles = 0_u32;
    let candidates: Vec<(usize, usize, NaiveDateTime)> = referees
        .iter()
        .filter_map(|&(b, a, _)| Some((b, a, *p.member_at.get(&b)?)))
        .collect();
    for (k, &(b, a, code_at)) in candidates.iter().enumerate() {
        let last = k.saturating_add(1) == candidates.len();
        if !(chance(&mut p.rng, CYCLE) || (last && cycles == 0)) {
            continue;
        }
        cycles = cycles.saturating_add(1);
        let then = p.later(code_at, 60, 20);
        let since = data
            .customers
            .get(a)
            .and_then(|c| c.profile.joined_on)
            .map(|d| d.and_time(NaiveTime::MIN));
        let identity = signup_identity(data, a, p.identity(a));
        let phone = data
            .customers
            .get(a)
            .map(|c| c.phone.clone())
            .unwrap_or_default();
        let id = p.id(a);
        p.signup(
            then,
            id,
            b,
            Typing::Exact,
            since,
            identity,
            phone,
            Attempt::Cycle,
        );
    }

    // Returning customers signing up with a friend's code.
    let mut returning = 0_u32;
    let olds: Vec<usize> = data
        .customers
        .iter()
        .enumerate()
        .filter(|(i, c)| c.has_history && account_of(*i) == *i)
        .map(|(i, _)| i)
        .collect();
    for (k, &i) in olds.iter().enumerate() {
        let last = k.saturating_add(1) == olds.len();
        if !(p.rng.random_ratio(RETURNING_SIGNS_UP, 1000) || (last && returning == 0)) {
            continue;
        }
        let day = super::draw_day(&mut p.rng, plus_days(YEAR_START, 30), 300);
        let at = moment(&mut p.rng, day, 8, 22);
        let Some(referrer) = p.referrer(at, i) else {
            continue;
        };
        returning = returning.saturating_add(1);
        let Some(c) = data.customers.get(i) else {
            continue;
        };
        let since = c.profile.joined_on.map(|d| d.and_time(NaiveTime::MIN));
        let identity = signup_identity(data, i, p.identity(i));
        let id = p.id(i);
        let typing = p.typing();
        let typing = if typing.refused() {
            Typing::Lower
        } else {
            typing
        };
        p.signup(
            at,
            id,
            referrer,
            typing,
            since,
            identity,
            c.phone.clone(),
            Attempt::Returning,
        );
    }

    // Referral farms: a burst of sign-ups through one code within two hours.
    let farms = (data.customers.len() / FARM_PER).max(1);
    for _ in 0..farms {
        let day = super::draw_day(&mut p.rng, plus_days(YEAR_START, 60), 270);
        let start = moment(&mut p.rng, day, 0, 22);
        // Any member with a code by then may run one.
        let known = p.pool.iter().take_while(|(t, _, _)| *t < start).count();
        if known == 0 {
            continue;
        }
        let Some(&(_, m, _)) = p.pool.get(p.rng.random_range(0..known)) else {
            continue;
        };
        let mut at = start;
        for _ in 0..FARM_SIZE {
            at = plus(at, TimeDelta::minutes(p.rng.random_range(3..=15_i64)));
            let phone = fresh_phone(&mut p.rng);
            let id = p.synthetic("farm");
            let identity = ReferralIdentity {
                profile: Some(Profile {
                    id: id.clone(),
                    source: Some("web".to_owned()),
                    phones: vec![Contact {
                        value: phone.clone(),
                        verified: false,
                    }],
                    ..Profile::default()
                }),
                devices: vec![device(seed, u64::from(p.synthetic), 11)],
                ..ReferralIdentity::default()
            };
            p.signup(
                at,
                id,
                m,
                Typing::Exact,
                None,
                identity,
                phone,
                Attempt::Farm,
            );
        }
    }

    // Customers the profile merging put together, the night after their
    // last profile was opened.
    let mut clusters: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        clusters.entry(account_of(i)).or_default().push(i);
    }
    for members in clusters.values().filter(|m| m.len() > 1) {
        let opened = members
            .iter()
            .filter_map(|&i| data.customers.get(i)?.profile.joined_on)
            .max()
            .unwrap_or(YEAR_START);
        let night = plus_days(opened.max(YEAR_START), 1)
            .and_hms_opt(3, 0, 0)
            .unwrap_or_else(year_end);
        let accounts = members.iter().map(|&i| p.id(i)).collect();
        p.steps.push(Planned {
            at: night.min(year_end()),
            step: Step::Merge { accounts },
        });
    }
    let mut steps = p.steps;
    // Stable: on the same second, in the order planned.
    steps.sort_by_key(|s| s.at);
    steps
}

fn plus_days(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_add_days(chrono::Days::new(days)).unwrap_or(day)
}

/// What a sign-up form asks: name, phone and e-mail as typed, and the device.
fn signup_identity(data: &Dataset, i: usize, full: ReferralIdentity) -> ReferralIdentity {
    let Some(c) = data.customers.get(i) else {
        return full;
    };
    ReferralIdentity {
        profile: Some(Profile {
            id: c.id().to_owned(),
            source: Some(c.channel.clone()),
            name: Some(c.name.clone()),
            phones: vec![Contact {
                value: c.phone.clone(),
                verified: false,
            }],
            emails: c
                .email
                .iter()
                .map(|e| Contact {
                    value: e.clone(),
                    verified: false,
                })
                .collect(),
            ..Profile::default()
        }),
        devices: full.devices,
        payment_tokens: Vec::new(),
    }
}

/// The symbols of the default referral alphabet, for the host's own typos.
const SYMBOLS: &str = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// Positions of the code's random symbols (after the `REF-` prefix).
fn slots(code: &str) -> Vec<usize> {
    let prefix = code.find('-').map_or(0, |p| p.saturating_add(1));
    code.char_indices()
        .filter(|(i, c)| *i >= prefix && c.is_ascii_alphanumeric())
        .map(|(i, _)| i)
        .collect()
}

/// `code` with the symbol at `at` replaced by the `k`-th other symbol.
fn replaced(code: &str, at: usize, k: usize) -> String {
    let old = code.get(at..).and_then(|s| s.chars().next()).unwrap_or('2');
    let others: Vec<char> = SYMBOLS.chars().filter(|c| *c != old).collect();
    let new = k
        .checked_rem(others.len())
        .and_then(|k| others.get(k))
        .copied()
        .unwrap_or('2');
    code.char_indices()
        .map(|(i, c)| if i == at { new } else { c })
        .collect()
}

/// What the customer types for `code`.
fn typed(
    program: &Program,
    book: &ReferralBook,
    code: &str,
    typing: Typing,
    draw: u32,
    phone: &str,
) -> String {
    let d = usize::try_from(draw).unwrap_or(0);
    let spots = slots(code);
    let pick_spot = |k: usize| {
        k.checked_rem(spots.len())
            .and_then(|k| spots.get(k))
            .copied()
            .unwrap_or(0)
    };
    match typing {
        Typing::Exact => code.to_owned(),
        Typing::Lower => code.to_lowercase(),
        Typing::Spaced if draw.is_multiple_of(2) => code.replace('-', " "),
        Typing::Spaced => code.replace('-', ""),
        Typing::Persian => eastern_digits(&code.to_lowercase().replace('-', ""), true),
        Typing::Swap => {
            // Two different neighbouring symbols of the random part, swapped.
            let mut chars: Vec<char> = code.chars().collect();
            let pairs: Vec<usize> = (0..chars.len().saturating_sub(1))
                .filter(|&i| {
                    let (a, b) = (chars.get(i), chars.get(i.saturating_add(1)));
                    matches!((a, b), (Some(a), Some(b)) if a != b
                        && a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric())
                        && spots.contains(&i)
                })
                .collect();
            if let Some(&i) = d.checked_rem(pairs.len()).and_then(|k| pairs.get(k)) {
                chars.swap(i, i.saturating_add(1));
            }
            chars.into_iter().collect()
        }
        Typing::Substitute => replaced(code, pick_spot(d), d / 7),
        Typing::Unknown => {
            // A well-formed code no member has: one symbol changed and the
            // check character fixed up, as an old flyer of another branch.
            let at = pick_spot(d);
            let last = spots.last().copied().unwrap_or(0);
            let changed = replaced(code, if at == last { pick_spot(0) } else { at }, d / 7);
            (0..SYMBOLS.len())
                .map(|k| replaced(&changed, last, k))
                .find(|c| {
                    check_code(program, c).is_ok_and(|r| r.ok) && book.resolve(program, c).is_none()
                })
                .unwrap_or(changed)
        }
        Typing::Phone => phone.to_owned(),
        Typing::Coupon if draw.is_multiple_of(2) => "NOWRUZ1404".to_owned(),
        Typing::Coupon => code
            .get(..code.len().saturating_sub(1))
            .unwrap_or(code)
            .to_owned(),
    }
}

/// A `pays_at` or other instant the book gives, as Tehran local time.
fn local(at: &str) -> Option<NaiveDateTime> {
    DateTime::parse_from_rfc3339(at)
        .ok()
        .map(|t| t.naive_local())
}

/// The reward a credit's ledger event id names (`referral:c-1:referrer`).
fn role(id: &str) -> &'static str {
    match id.rsplit(':').next() {
        Some("referrer") => "referrer",
        Some("referee") => "referee",
        Some(r) if r.starts_with("bonus") => "bonus",
        _ => "other",
    }
}

impl ReferralDesk {
    /// The referral book, as the desk keeps it.
    pub fn book(&self) -> &ReferralBook {
        &self.book
    }

    /// A desk for the data set (after profile merging: `accounts` is each
    /// profile's account index) and the demo's seed.
    pub fn new(
        program: &Program,
        data: &Dataset,
        accounts: &[usize],
        seed: u64,
    ) -> Result<Self, String> {
        let book = ReferralBook::new(program).map_err(|e| format!("referral book: {e}"))?;
        let file = program
            .file()
            .referrals
            .as_ref()
            .ok_or("the program has no [referrals]")?;
        let min_order = file
            .qualify
            .min_order
            .as_ref()
            .and_then(|m| m.parse())
            .unwrap_or_default();
        let profiles = super::profiles::of_dataset(data);
        let identities: Vec<ReferralIdentity> = data
            .customers
            .iter()
            .zip(profiles)
            .map(|(c, profile)| {
                // An app install on the phone (or a browser, for web and till
                // customers): the same for both profiles of a person.
                let kind = match c.channel.as_str() {
                    "app" => u64::from(c.person % 5 == 0),
                    _ => 2,
                };
                ReferralIdentity {
                    profile: Some(profile),
                    devices: vec![device(seed, u64::from(c.person), kind)],
                    payment_tokens: Vec::new(),
                }
            })
            .collect();
        let t = Instant::now();
        let plan = plan(data, accounts, &identities, seed);
        let mut rng = super::rng(seed ^ 0x2ef3_4a11_0000_0001);
        let mut refunds = BTreeMap::new();
        for step in &plan {
            if let Step::Signup(signup) = &step.step
                && signup.attempt == Attempt::Referee
            {
                let referee = &signup.referee;
                let x = rng.random_range(0..100_u32);
                let forced = if x < REFUND_BEFORE {
                    Some(rng.random_range(2 * 1440..=12 * 1440_i64))
                } else if x < REFUND_BEFORE.saturating_add(REFUND_AFTER) {
                    Some(rng.random_range(15 * 1440..=20 * 1440_i64))
                } else {
                    None
                };
                if let Some(after_minutes) = forced {
                    // In full, or by amount leaving a fifth to four fifths of the minimum.
                    let keep = chance(&mut rng, 50).then(|| {
                        let share = Decimal::new(i64::from(rng.random_range(20..=80_u32)), 2);
                        min_order
                            .checked_mul(share)
                            .and_then(|k| k.checked_div(Decimal::from(1000)))
                            .map(|k| k.floor())
                            .and_then(|k| k.checked_mul(Decimal::from(1000)))
                            .unwrap_or_default()
                    });
                    refunds.insert(
                        referee.clone(),
                        ForcedRefund {
                            after_minutes,
                            keep,
                        },
                    );
                }
            }
        }
        let pattern = file
            .codes
            .pattern
            .clone()
            .unwrap_or_else(|| "REF-####-####".to_owned());
        Ok(Self {
            book,
            plan: plan.into(),
            ids: data.customers.iter().map(|c| c.id().to_owned()).collect(),
            identities,
            due: BTreeSet::new(),
            orders: BTreeMap::new(),
            refunds,
            paid: BTreeMap::new(),
            min_order,
            events: 0,
            tally: ReferralTally {
                pattern,
                time: t.elapsed(),
                ..ReferralTally::default()
            },
        })
    }

    /// When the next planned event or settlement is due.
    pub fn next_at(&self) -> Option<NaiveDateTime> {
        let planned = self.plan.front().map(|s| s.at);
        let due = self.due.first().copied();
        match (planned, due) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn error(&mut self, what: &str, e: impl std::fmt::Display) {
        inc(&mut self.tally.errors);
        if self.tally.first_error.is_none() {
            self.tally.first_error = Some(format!("{what}: {e}"));
        }
    }

    fn event_id(&mut self, kind: &str) -> String {
        self.events = self.events.saturating_add(1);
        format!("{kind}-{:06}", self.events)
    }

    /// Posts an event; the posting, or `None` (counted) when refused.
    fn post(&mut self, program: &Program, event: &ReferralEvent) -> Option<ReferralPosting> {
        let t = Instant::now();
        let answer = self.book.post(program, event);
        self.tally.time = self.tally.time.saturating_add(t.elapsed());

        match answer {
            Ok(p) => Some(p),
            Err(e) => {
                self.error(event.id(), e);
                None
            }
        }
    }

    /// Hands the posting's ledger events to the host and keeps its tallies.
    /// What a posting did: its ledger events to the host, its coupons counted.
    fn keep_posting(
        &mut self,
        posting: &ReferralPosting,
        post: &mut dyn FnMut(&LedgerEvent) -> bool,
    ) {
        self.book_keep(&posting.ledger, &posting.referrals, post);
        let t = &mut self.tally;
        t.coupons = t.coupons.saturating_add(to_u64(posting.coupons.len()));
        t.coupons_withdrawn = t
            .coupons_withdrawn
            .saturating_add(to_u64(posting.withdrawn.len()));
    }

    fn book_keep(
        &mut self,
        ledger: &[LedgerEvent],
        referrals: &[Referral],
        post: &mut dyn FnMut(&LedgerEvent) -> bool,
    ) {
        let mut reversed_paid = BTreeSet::new();
        for e in ledger {
            inc(&mut self.tally.ledger_posted);
            if !post(e) {
                inc(&mut self.tally.ledger_refused);
                continue;
            }
            match e {
                LedgerEvent::Earn(earn) => {
                    self.paid.insert(earn.id.clone(), earn.points);
                    let r = self.tally.rewards.entry(role(&earn.id)).or_default();
                    inc(&mut r.0);
                    add(&mut r.1, earn.points);
                }
                LedgerEvent::Reverse(r) => {
                    inc(&mut self.tally.reversals);
                    let points = self.paid.get(&r.target).copied().unwrap_or_default();
                    add(&mut self.tally.reversed, points);
                    if let Some(referee) = r.target.split(':').nth(1) {
                        reversed_paid.insert(referee.to_owned());
                    }
                }
                _ => {}
            }
        }
        for r in referrals {
            match r.status {
                ReferralStatus::Cancelled => {
                    let why = r
                        .reasons
                        .last()
                        .map_or(ReasonCode::SelfReferral, |x| x.code);
                    let c = self.tally.cancelled.entry(why).or_default();
                    inc(&mut c.0);
                    if reversed_paid.contains(&r.referee) {
                        inc(&mut c.1);
                    }
                }
                ReferralStatus::Credited => {
                    inc(&mut self.tally.credited);
                    if r.reasons.iter().any(|x| x.code == ReasonCode::CapReached) {
                        inc(&mut self.tally.capped);
                    }
                }
                ReferralStatus::Pending | ReferralStatus::Linked => {}
            }
        }
    }

    /// Posts the next planned event or pays what is due, whichever comes first.
    pub fn step(&mut self, program: &Program, post: &mut dyn FnMut(&LedgerEvent) -> bool) {
        let planned = self.plan.front().map(|s| s.at);
        match (planned, self.due.first().copied()) {
            (Some(p), Some(d)) if d < p => self.settle(program, d, post),
            (None, Some(d)) => self.settle(program, d, post),
            (Some(_), _) => {
                if let Some(planned) = self.plan.pop_front() {
                    self.run_planned(program, planned, post);
                }
            }
            (None, None) => {}
        }
    }

    fn settle(
        &mut self,
        program: &Program,
        at: NaiveDateTime,
        post: &mut dyn FnMut(&LedgerEvent) -> bool,
    ) {
        self.due.retain(|d| *d > at);
        inc(&mut self.tally.settlements);
        let t = Instant::now();
        let answer = self.book.settle(program, &tehran_rfc3339(at));
        self.tally.time = self.tally.time.saturating_add(t.elapsed());
        match answer {
            Ok(s) => {
                self.tally.coupons = self.tally.coupons.saturating_add(to_u64(s.coupons.len()));
                self.book_keep(&s.ledger, &s.referrals, post);
            }
            Err(e) => self.error(&format!("settle {at}"), e),
        }
    }

    fn run_planned(
        &mut self,
        program: &Program,
        planned: Planned,
        post: &mut dyn FnMut(&LedgerEvent) -> bool,
    ) {
        let at = tehran_rfc3339(planned.at);
        let event = match planned.step {
            Step::Member { account } => {
                let Some(member) = self.ids.get(account).cloned() else {
                    return;
                };
                ReferralEvent::Member(MemberEvent {
                    id: format!("member-{member}"),
                    member,
                    at,
                    seed: None,
                    identity: self.identities.get(account).cloned().unwrap_or_default(),
                })
            }
            Step::Signup(signup) => {
                let Signup {
                    referee,
                    referrer,
                    typing,
                    draw,
                    since,
                    identity,
                    phone,
                    attempt,
                } = *signup;
                let code = self
                    .ids
                    .get(referrer)
                    .and_then(|m| self.book.code_of(m))
                    .map(|code| typed(program, &self.book, code, typing, draw, &phone));
                let Some(code) = code else {
                    return self.error(&referee, "the referrer has no code");
                };
                inc(self.tally.attempts.entry(attempt).or_default());
                ReferralEvent::Signup(SignupEvent {
                    id: self.event_id("signup"),
                    referee,
                    code,
                    at,
                    customer_since: since.map(tehran_rfc3339),
                    identity,
                })
            }
            Step::Merge { accounts } => ReferralEvent::Merge(MergeEvent {
                id: self.event_id("merge"),
                accounts,
                at,
            }),
        };
        let Some(posting) = self.post(program, &event) else {
            return;
        };
        match &event {
            ReferralEvent::Member(m) => {
                inc(&mut self.tally.members);
                if self.book.referral(&m.member).is_some() {
                    inc(&mut self.tally.referred_members);
                }
            }
            ReferralEvent::Signup(_) => {
                inc(&mut self.tally.signups);
                if posting.rejected.is_empty() {
                    inc(&mut self.tally.linked);
                } else {
                    inc(&mut self.tally.refused);
                }
                for r in &posting.rejected {
                    inc(self.tally.rejected.entry(r.code).or_default());
                    if r.code == ReasonCode::SelfReferral {
                        let kinds: BTreeSet<&str> =
                            r.evidence.iter().map(|e| e.kind.as_str()).collect();
                        for k in kinds {
                            inc(self.tally.self_evidence.entry(k.to_owned()).or_default());
                        }
                    }
                }
            }
            ReferralEvent::Merge(_) => inc(&mut self.tally.merges),
            _ => {}
        }
        self.keep_posting(&posting, post);
    }

    /// An order of `account` as it was paid: posted when the account is a
    /// referee whose referral waits for its qualifying order. Returns the
    /// refund of the order the plan asks for, if this order qualified.
    pub fn on_order(
        &mut self,
        program: &Program,
        account: &str,
        order: &Order,
        at: NaiveDateTime,
        post: &mut dyn FnMut(&LedgerEvent) -> bool,
    ) -> Option<ForcedRefund> {
        let waiting = self
            .book
            .referral(account)
            .is_some_and(|r| r.status == ReferralStatus::Linked);
        if !waiting {
            return None;
        }
        let event = ReferralEvent::Order(OrderEvent {
            id: format!("order-{}", order.id),
            account: account.to_owned(),
            order: order.id.clone(),
            amount: order_total(order),
            at: tehran_rfc3339(at),
        });
        let posting = self.post(program, &event)?;
        inc(&mut self.tally.orders);
        self.orders.insert(order.id.clone(), order.clone());
        if posting
            .rejected
            .iter()
            .any(|r| r.code == ReasonCode::BelowMinimum)
        {
            inc(&mut self.tally.below_minimum);
            self.tally.below_minimum_referees.insert(account.to_owned());
        }
        // An order after the qualification window cancels the referral.
        self.keep_posting(&posting, post);
        let pending = posting
            .referrals
            .iter()
            .find(|r| r.status == ReferralStatus::Pending)?;
        inc(&mut self.tally.qualified);
        if let Some(pays) = pending.pays_at.as_deref().and_then(local) {
            self.due.insert(pays);
        }
        let forced = self.refunds.get(account).copied()?;
        let total = order_total(order);
        // Only what takes the order below the minimum.
        match forced.keep {
            Some(keep) if keep >= total || keep >= self.min_order => None,
            _ => {
                inc(&mut self.tally.forced_refunds);
                Some(forced)
            }
        }
    }

    /// A refund the ledger accepted: posted when the book has seen the order.
    pub fn on_refund(
        &mut self,
        program: &Program,
        refund: &LedgerRefund,
        post: &mut dyn FnMut(&LedgerEvent) -> bool,
    ) {
        let Some(order) = self.orders.get(&refund.order) else {
            return;
        };
        let amount = match (refund.amount, refund.lines.is_empty()) {
            (Some(a), _) => Some(a),
            (None, true) => None,
            (None, false) => {
                let mut money = Decimal::ZERO;
                for r in &refund.lines {
                    let Some(l) = order.lines.get(r.line) else {
                        continue;
                    };
                    let part = line_paid(l)
                        .checked_mul(r.quantity)
                        .and_then(|x| x.checked_div(l.quantity))
                        .unwrap_or_default();
                    add(&mut money, part);
                }
                let money = money.round_dp(0);
                if money <= Decimal::ZERO {
                    return;
                }
                Some(money)
            }
        };
        let event = ReferralEvent::Refund(RefundEvent {
            id: format!("refund-{}", refund.id),
            order: refund.order.clone(),
            amount,
            at: refund.at.clone(),
        });
        if let Some(posting) = self.post(program, &event) {
            inc(&mut self.tally.refunds);
            self.keep_posting(&posting, post);
        }
    }

    /// Settles at `as_of` (after everything due by then was posted: the
    /// referrals whose window closed without a qualifying order are
    /// cancelled) and keeps where every referral stands.
    pub fn close(
        &mut self,
        program: &Program,
        as_of: NaiveDateTime,
        post: &mut dyn FnMut(&LedgerEvent) -> bool,
    ) {
        self.settle(program, as_of, post);
        let mut end = EndState::default();
        let mut successes: BTreeMap<&str, u32> = BTreeMap::new();
        let credited: BTreeMap<&str, &str> = self
            .book
            .referrals()
            .filter(|r| r.status == ReferralStatus::Credited)
            .map(|r| (r.referee.as_str(), r.referrer.as_str()))
            .collect();
        for r in self.book.referrals() {
            match r.status {
                ReferralStatus::Linked => inc(&mut end.linked),
                ReferralStatus::Pending => inc(&mut end.pending),
                ReferralStatus::Credited => {
                    inc(&mut end.credited);
                    if let Some(n) = r.success {
                        let best = successes.entry(r.referrer.as_str()).or_default();
                        *best = (*best).max(n);
                    }
                }
                ReferralStatus::Cancelled => inc(&mut end.cancelled),
            }
        }
        end.top = successes
            .iter()
            .max_by_key(|(m, n)| (**n, std::cmp::Reverse(**m)))
            .map(|(m, n)| ((*m).to_owned(), *n));
        // The longest chain of credited referrals (the first found on ties).
        for referee in credited.keys() {
            let mut chain = vec![(*referee).to_owned()];
            let mut at = *referee;
            while let Some(up) = credited.get(at) {
                if chain.iter().any(|c| c == up) {
                    break;
                }
                chain.push((*up).to_owned());
                at = up;
            }
            if chain.len() > end.chain.len() {
                chain.reverse();
                end.chain = chain;
            }
        }
        self.tally.end = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_numbers_typed_any_way() {
        assert_eq!(mobile_digits("۰۹۱۲۳۴۵۶۷۸۹").as_deref(), Some("9123456789"));
        assert_eq!(
            mobile_digits("+98 912 345 6789").as_deref(),
            Some("9123456789")
        );
        assert_eq!(mobile_digits("0000000000"), None);
        let mut rng = super::super::rng(1);
        let again = retyped(&mut rng, "09123456789", "9123456789");
        assert_ne!(again, "09123456789");
        assert_eq!(mobile_digits(&again).as_deref(), Some("9123456789"));
    }

    /// Replays a small data set's referral plan with its orders (no merging,
    /// no ledger): nothing is an error, and every kind of refusal shows up.
    fn replay(seed: u64) -> ReferralTally {
        let program = crate::sample::program().unwrap();
        let data = crate::sample::generate(seed, 300);
        let accounts: Vec<usize> = (0..data.customers.len()).collect();
        let mut desk = ReferralDesk::new(&program, &data, &accounts, seed).unwrap();
        let mut credits = 0_u64;
        let mut post = |e: &LedgerEvent| {
            credits = credits.saturating_add(1);
            matches!(e, LedgerEvent::Earn(_) | LedgerEvent::Reverse(_))
        };
        for o in &data.orders {
            while desk.next_at().is_some_and(|t| t <= o.at) {
                desk.step(&program, &mut post);
            }
            let id = data.customers[o.customer].id();
            desk.on_order(&program, id, &o.order, o.at, &mut post);
        }
        while desk.next_at().is_some() {
            desk.step(&program, &mut post);
        }
        let end = year_end().checked_add_signed(TimeDelta::days(30)).unwrap();
        desk.close(&program, end, &mut post);
        assert_eq!(credits, desk.tally.ledger_posted);
        // Everything but the time spent.
        desk.tally.time = Duration::ZERO;
        desk.tally
    }

    #[test]
    fn every_refusal_and_no_error() {
        let t = replay(crate::sample::DEFAULT_SEED);
        assert_eq!((t.errors, &t.first_error), (0, &None));
        assert!(t.members > 0 && t.linked > 0 && t.credited > 0, "{t:?}");
        for code in [
            ReasonCode::SelfReferral,
            ReasonCode::ReferralCycle,
            ReasonCode::VelocityExceeded,
            ReasonCode::ExistingCustomer,
        ] {
            assert!(
                t.rejected.get(&code).copied().unwrap_or(0) > 0,
                "{code:?}: {t:?}"
            );
        }
        assert!(t.self_evidence.contains_key("phone"), "{t:?}");
        assert!(t.self_evidence.contains_key("device"), "{t:?}");
        assert_eq!(t.end.pending, 0);
        assert_eq!(replay(crate::sample::DEFAULT_SEED), t);
    }
}
