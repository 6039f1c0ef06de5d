//! Comparing two normalized profiles: a score in bits of log-odds, the sum of
//! one weight per piece of evidence, and the evidence itself when asked for.

use serde::Serialize;

use super::policy::{Levels, MergePolicy};
use super::profile::{NormalContact, NormalizedProfile};

/// How closely two values agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// The same identifier or value.
    Exact,
    /// Nearly the same (a typo).
    Close,
    /// Somewhat alike.
    Partial,
    /// Different.
    Differ,
    /// A phone or e-mail shared by people with different given names.
    SharedContact,
}

impl Level {
    /// Stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::Close => "close",
            Self::Partial => "partial",
            Self::Differ => "differ",
            Self::SharedContact => "shared_contact",
        }
    }
}

/// One piece of evidence in a match decision.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Evidence {
    /// What was compared: `phone`, `verified_phone`, `email`, `card`,
    /// `external_id`, `given_name`, `family_name`, `birth_date`, ...
    pub field: &'static str,
    /// How closely it agreed.
    pub level: Level,
    /// Its weight in the score (as text, like every number that is not a count).
    #[serde(serialize_with = "bits")]
    #[schemars(with = "String")]
    pub weight: f64,
    /// Jaro-Winkler similarity of text fields, to 3 decimals.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "bits_opt")]
    #[schemars(with = "Option<String>")]
    pub similarity: Option<f64>,
    /// The shared identifier, for identifiers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Given and family names compared crosswise (typed in swapped fields).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub swapped: bool,
}

/// Where evidence goes: nowhere in the batch's hot loop, a list when explaining.
pub(crate) trait Sink {
    fn push(&mut self, e: impl FnOnce() -> Evidence);
}

impl Sink for () {
    #[inline]
    fn push(&mut self, _: impl FnOnce() -> Evidence) {}
}

impl Sink for Vec<Evidence> {
    fn push(&mut self, e: impl FnOnce() -> Evidence) {
        Vec::push(self, e());
    }
}

/// A score, weight or similarity as text, to 3 decimals without trailing
/// zeros (`25`, `7.5`, `0.933`): the same characters on every runtime,
/// where JSON numbers would print `25.0` in one and `25` in another.
pub fn bits_text(x: f64) -> String {
    let t = format!("{:.3}", round3(x));
    let t = t.trim_end_matches('0').trim_end_matches('.');
    if t == "-0" {
        "0".to_owned()
    } else {
        t.to_owned()
    }
}

pub(crate) fn bits<S: serde::Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&bits_text(*x))
}

pub(crate) fn bits_opt<S: serde::Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match x {
        Some(x) => s.serialize_str(&bits_text(*x)),
        None => s.serialize_none(),
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Agreement of two normalized texts.
fn text_level(a: &str, b: &str) -> (Level, f64) {
    if a == b {
        return (Level::Exact, 1.0);
    }
    let sim = strsim::jaro_winkler(a, b);
    let level = if sim >= 0.92 {
        Level::Close
    } else if sim >= 0.8 {
        Level::Partial
    } else {
        Level::Differ
    };
    (level, sim)
}

/// Agreement of codes (postcodes, document numbers): one edit is close.
fn code_level(a: &str, b: &str) -> Level {
    if a == b {
        Level::Exact
    } else if strsim::osa_distance(a, b) <= 1 {
        Level::Close
    } else {
        Level::Differ
    }
}

/// Agreement of two `YYYY-MM-DD` dates: one part wrong, day and month
/// swapped, or one digit typed wrong is close.
fn date_level(a: &str, b: &str) -> Level {
    if a == b {
        return Level::Exact;
    }
    fn parts(d: &str) -> (&str, &str, &str) {
        let mut it = d.split('-');
        (
            it.next().unwrap_or(""),
            it.next().unwrap_or(""),
            it.next().unwrap_or(""),
        )
    }
    let (ya, ma, da) = parts(a);
    let (yb, mb, db) = parts(b);
    let same = [ya == yb, ma == mb, da == db]
        .iter()
        .filter(|x| **x)
        .count();
    if same == 2 || (ya == yb && ma == db && da == mb) || strsim::osa_distance(a, b) <= 1 {
        Level::Close
    } else {
        Level::Differ
    }
}

fn weight_of(l: &Levels, level: Level) -> f64 {
    match level {
        Level::Exact => l.exact,
        Level::Close => l.close,
        Level::Partial => l.partial,
        Level::Differ | Level::SharedContact => l.differ,
    }
}

/// One name is the other's initial.
fn initial_of(a: &str, b: &str) -> bool {
    let one = |s: &str| s.chars().count() == 1;
    (one(a) || one(b)) && a.chars().next() == b.chars().next()
}

fn name_level(a: &str, b: &str) -> (Level, f64) {
    // `علیرضا` and `علی رضا` (a joiner typed as a space) are one name.
    if a.contains(' ') != b.contains(' ') && a.replace(' ', "") == b.replace(' ', "") {
        return (Level::Exact, 1.0);
    }
    let (level, sim) = text_level(a, b);
    if level == Level::Differ && initial_of(a, b) {
        (Level::Partial, sim)
    } else {
        (level, sim)
    }
}

fn field(
    sink: &mut impl Sink,
    name: &'static str,
    l: &Levels,
    level: Level,
    sim: Option<f64>,
) -> f64 {
    let w = weight_of(l, level);
    sink.push(|| Evidence {
        field: name,
        level,
        weight: w,
        similarity: sim.map(round3),
        value: None,
        swapped: false,
    });
    w
}

fn text_field(sink: &mut impl Sink, name: &'static str, l: &Levels, a: &str, b: &str) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (level, sim) = text_level(a, b);
    field(sink, name, l, level, Some(sim))
}

fn code_field(sink: &mut impl Sink, name: &'static str, l: &Levels, a: &str, b: &str) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    field(sink, name, l, code_level(a, b), None)
}

fn shared<'a>(
    a: &'a [NormalContact],
    b: &'a [NormalContact],
) -> impl Iterator<Item = (&'a NormalContact, &'a NormalContact)> {
    a.iter().flat_map(move |x| {
        b.iter()
            .filter(move |y| y.value == x.value)
            .map(move |y| (x, y))
    })
}

/// The score of a pair, and how much of it is not names.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Score {
    /// Sum of every weight.
    pub total: f64,
    /// Sum of the positive weights of everything but given and family
    /// names: what agrees besides the name.
    pub support: f64,
}

impl Score {
    /// Whether the pair is one customer: at least the threshold, and at
    /// least `merge.corroboration` of it from something other than names
    /// (two people are not one customer on a shared name alone).
    pub(crate) fn links(self, policy: &MergePolicy) -> bool {
        self.total >= policy.threshold && self.support >= policy.corroboration
    }
}

/// The score of `a` and `b` under `policy`, with its evidence pushed to `sink`.
pub(crate) fn compare(
    policy: &MergePolicy,
    a: &NormalizedProfile,
    b: &NormalizedProfile,
    sink: &mut impl Sink,
) -> Score {
    // Take the two in id order: the score of a pair never depends on which
    // one was met first (text similarity need not be symmetric to the bit).
    let (a, b) = if b.id < a.id { (b, a) } else { (a, b) };
    let w = &policy.weights;
    let mut names_total = 0.0;
    let mut score = 0.0;
    let mut support = 0.0;

    // Names first: a clear difference in given names turns a shared phone or
    // e-mail into household evidence.
    let (g, f, swapped) = names(a, b);
    let given_conflict = g.is_some_and(|(level, _)| level == Level::Differ);
    for (name, levels, cmp) in [
        ("given_name", &w.given_name, g),
        ("family_name", &w.family_name, f),
    ] {
        if let Some((level, sim)) = cmp {
            let weight = weight_of(levels, level);
            names_total += weight;
            sink.push(|| Evidence {
                field: name,
                level,
                weight,
                similarity: Some(round3(sim)),
                value: None,
                swapped,
            });
        }
    }

    for (x, y) in shared(&a.phones, &b.phones) {
        let verified = x.verified && y.verified;
        let (name, mut weight, mut level) = if verified {
            ("verified_phone", w.verified_phone, Level::Exact)
        } else {
            ("phone", w.phone, Level::Exact)
        };
        if given_conflict {
            (weight, level) = (w.shared_contact, Level::SharedContact);
        }
        add(
            &mut score,
            &mut support,
            identifier(sink, name, level, weight, &x.value),
        );
    }
    for (x, _) in shared(&a.emails, &b.emails) {
        let (weight, level) = if given_conflict {
            (w.shared_contact, Level::SharedContact)
        } else {
            (w.email, Level::Exact)
        };
        add(
            &mut score,
            &mut support,
            identifier(sink, "email", level, weight, &x.value),
        );
    }
    for c in a.cards.iter().filter(|c| b.cards.contains(c)) {
        add(
            &mut score,
            &mut support,
            identifier(sink, "card", Level::Exact, w.card, c),
        );
    }
    for x in a.external_ids.iter().filter(|x| b.external_ids.contains(x)) {
        add(
            &mut score,
            &mut support,
            identifier(sink, "external_id", Level::Exact, w.external_id, x),
        );
    }

    if !a.birth_date.is_empty() && !b.birth_date.is_empty() {
        let level = date_level(&a.birth_date, &b.birth_date);
        add(
            &mut score,
            &mut support,
            field(sink, "birth_date", &w.birth_date, level, None),
        );
    }
    add(
        &mut score,
        &mut support,
        code_field(
            sink,
            "national_id",
            &w.national_id,
            &a.national_id,
            &b.national_id,
        ),
    );
    add(
        &mut score,
        &mut support,
        text_field(sink, "city", &w.city, &a.city, &b.city),
    );
    add(
        &mut score,
        &mut support,
        code_field(sink, "postcode", &w.postcode, &a.postcode, &b.postcode),
    );
    add(
        &mut score,
        &mut support,
        text_field(sink, "street", &w.street, &a.street, &b.street),
    );
    if !a.street_number.is_empty() && !b.street_number.is_empty() {
        let level = if a.street_number == b.street_number {
            Level::Exact
        } else {
            Level::Differ
        };
        add(
            &mut score,
            &mut support,
            field(sink, "street_number", &w.street_number, level, None),
        );
    }
    add(
        &mut score,
        &mut support,
        text_field(
            sink,
            "address_line2",
            &w.address_line2,
            &a.address_line2,
            &b.address_line2,
        ),
    );
    if !a.region.is_empty() && !b.region.is_empty() {
        let level = if a.region == b.region {
            Level::Exact
        } else {
            Level::Differ
        };
        add(
            &mut score,
            &mut support,
            field(sink, "region", &w.region, level, None),
        );
    }
    Score {
        total: names_total + score,
        support,
    }
}

type NameCmp = Option<(Level, f64)>;

/// Whether two given names can be compared: both present, in one script.
pub(crate) fn names_comparable(a: &str, b: &str) -> bool {
    !a.is_empty() && !b.is_empty() && arabic_script(a) == arabic_script(b)
}

/// Whether two sets of given names hold two that clearly differ (in one
/// script). A link that could not compare names itself (one side nameless,
/// or the names in two scripts) must not join a `Sara` to a `Reza`: that is
/// how a household phone would chain a family into one customer.
pub(crate) fn names_conflict<'a>(
    a: impl Iterator<Item = &'a str> + Clone,
    b: impl Iterator<Item = &'a str> + Clone,
) -> bool {
    a.clone().any(|x| {
        b.clone()
            .any(|y| arabic_script(x) == arabic_script(y) && name_level(x, y).0 == Level::Differ)
    })
}

/// Evidence of a shared identifier; its weight.
fn identifier(
    sink: &mut impl Sink,
    field: &'static str,
    level: Level,
    weight: f64,
    value: &str,
) -> f64 {
    sink.push(|| Evidence {
        field,
        level,
        weight,
        similarity: None,
        value: Some(value.to_owned()),
        swapped: false,
    });
    weight
}

/// Adds a weight to the score, and to the support when it agrees.
fn add(score: &mut f64, support: &mut f64, weight: f64) {
    *score += weight;
    if weight > 0.0 {
        *support += weight;
    }
}

/// Whether a name is written in Arabic script (Arabic, Persian, Urdu).
fn arabic_script(name: &str) -> bool {
    // Normalized names are letters and digits only, so the first letter
    // is near the start; digits (ASCII after normalization) are skipped.
    name.chars().find(|c| !c.is_ascii_digit() && *c != ' ').is_some_and(|c| {
        matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08FF}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
    })
}

/// Given and family names compared straight and crosswise; the better
/// reading wins. Missing names compare as nothing.
fn names(a: &NormalizedProfile, b: &NormalizedProfile) -> (NameCmp, NameCmp, bool) {
    // Names in different scripts (`Sara` and `سارا`) say nothing either way.
    let cmp = |x: &str, y: &str| {
        (!x.is_empty() && !y.is_empty() && arabic_script(x) == arabic_script(y))
            .then(|| name_level(x, y))
    };
    let straight = (
        cmp(&a.given_name, &b.given_name),
        cmp(&a.family_name, &b.family_name),
    );
    let rank = |c: NameCmp| match c {
        Some((Level::Exact, _)) => 3i32,
        Some((Level::Close, _)) => 2,
        Some((Level::Partial, _)) => 1,
        None => 0,
        Some(_) => -2,
    };
    let total = |(g, f): (NameCmp, NameCmp)| rank(g).saturating_add(rank(f));
    if total(straight) >= 4 {
        return (straight.0, straight.1, false);
    }
    let crossed = (
        cmp(&a.given_name, &b.family_name),
        cmp(&a.family_name, &b.given_name),
    );
    // Crosswise only when both names agree that way (typed in each other's
    // field), never on one look-alike: `Reza Ahmadi` is not `Sara Rezaei`.
    let agrees = |c: NameCmp| c.is_some_and(|(level, _)| level != Level::Differ);
    if agrees(crossed.0) && agrees(crossed.1) && total(crossed) > total(straight).saturating_add(1)
    {
        (crossed.0, crossed.1, true)
    } else {
        (straight.0, straight.1, false)
    }
}
