//! The program's `[merge]` section: how profiles are matched, protected and
//! combined, and its compiled form.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::join;
use crate::program::ProgramError;
use crate::program::compile::Checker;

/// How profiles of one customer are found and combined.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeFile {
    /// ISO 3166 region that phone numbers without a country code are read in
    /// (`IR`, `SA`, ...). Without it, only numbers with `+` or `00` count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Score (sum of evidence weights, in bits of log-odds) from which two
    /// profiles are the same customer. 12 by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// Bits of agreeing evidence besides names a link needs (4 by default):
    /// a shared name with nothing else, or with only the same city, is two people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corroboration: Option<f64>,
    /// Weights of each kind of evidence; any left out keep their defaults.
    #[serde(default, skip_serializing_if = "WeightsFile::is_empty")]
    pub weights: WeightsFile,
    /// Values that never link anyone, of any kind (phones, e-mails, cards,
    /// dates), on top of the built-in placeholders.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocklist: Vec<String>,
    /// Most distinct identifiers of each kind one customer may have; a link
    /// that would pass a cap is refused. Defaults: 3 phones, 3 e-mails, 5 cards.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub max_identifiers: BTreeMap<IdentifierKind, u32>,
    /// Profiles sharing one blocking key are compared only when there are at
    /// most this many (100 by default); larger blocks are too common a value
    /// to say anything, and are counted in the answer's `skipped_blocks`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_block: Option<u32>,
    /// Which value of each field the golden profile keeps.
    #[serde(default, skip_serializing_if = "SurvivorshipFile::is_default")]
    pub survivorship: SurvivorshipFile,
}

impl MergeFile {
    /// Whether the section is absent or all defaults.
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// Kinds of identifier a profile carries.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum IdentifierKind {
    /// A phone number (E.164).
    Phone,
    /// An e-mail mailbox.
    Email,
    /// A loyalty card number.
    Card,
}

/// Weights per kind of evidence, in bits: positive for agreement, negative
/// for disagreement. Missing values weigh nothing.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WeightsFile {
    /// The same verified phone (20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_phone: Option<f64>,
    /// The same phone, not verified on both sides (12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<f64>,
    /// The same e-mail mailbox (14).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<f64>,
    /// The same loyalty card (20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<f64>,
    /// The same external id on the same channel (20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<f64>,
    /// A phone or e-mail shared by people whose given names differ (a
    /// household): this weight replaces the contact's own (2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_contact: Option<f64>,
    /// Given names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<LevelsFile>,
    /// Family names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<LevelsFile>,
    /// Birth dates (close: one part typed wrong, or day and month swapped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<LevelsFile>,
    /// National or document numbers (close: one edit apart).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national_id: Option<LevelsFile>,
    /// Cities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<LevelsFile>,
    /// Postcodes (close: one edit apart).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<LevelsFile>,
    /// Street names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<LevelsFile>,
    /// House numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_number: Option<LevelsFile>,
    /// Second address lines (building, complex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line2: Option<LevelsFile>,
    /// Provinces or states.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<LevelsFile>,
}

impl WeightsFile {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Weights of one compared field by how closely the values agree.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelsFile {
    /// The same value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exact: Option<f64>,
    /// Nearly the same: Jaro-Winkler at least 0.92 for text, one edit for numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close: Option<f64>,
    /// Somewhat alike: Jaro-Winkler at least 0.8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partial: Option<f64>,
    /// Different.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub differ: Option<f64>,
}

/// Survivorship: which member's value the golden profile keeps.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SurvivorshipFile {
    /// Sources (channels) from most to least trusted, for `source_priority`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_priority: Vec<String>,
    /// Rule per field (`given_name`, `family_name`, `birth_date`, `city`,
    /// `postcode`, `street`, `phone`, `email`, ...). Names default to
    /// `most_complete`, phones and e-mails to `verified`, the rest to `most_recent`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, SurvivorRule>,
}

impl SurvivorshipFile {
    fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// How one field's surviving value is chosen. Ties go to the most recently
/// updated profile, then the smallest profile id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SurvivorRule {
    /// The value of the most recently updated profile.
    MostRecent,
    /// The longest value.
    MostComplete,
    /// A verified value first.
    Verified,
    /// The value from the most trusted source.
    SourcePriority,
}

/// Weights by agreement level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Levels {
    pub exact: f64,
    pub close: f64,
    pub partial: f64,
    pub differ: f64,
}

/// The compiled weights.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Weights {
    pub verified_phone: f64,
    pub phone: f64,
    pub email: f64,
    pub card: f64,
    pub external_id: f64,
    pub shared_contact: f64,
    pub given_name: Levels,
    pub family_name: Levels,
    pub birth_date: Levels,
    pub national_id: Levels,
    pub city: Levels,
    pub postcode: Levels,
    pub street: Levels,
    pub street_number: Levels,
    pub address_line2: Levels,
    pub region: Levels,
}

/// Fields that survivorship rules may name.
pub const SURVIVOR_FIELDS: &[&str] = &[
    "name",
    "given_name",
    "family_name",
    "birth_date",
    "national_id",
    "city",
    "postcode",
    "street",
    "street_number",
    "address_line2",
    "region",
    "phone",
    "email",
];

/// The compiled `[merge]` section.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MergePolicy {
    pub region: Option<String>,
    pub threshold: f64,
    pub corroboration: f64,
    pub weights: Weights,
    pub blocklist: Vec<String>,
    /// The blocklist with each entry that reads as a phone in the region
    /// also in E.164, so `0912 123 4000` blocks `+989121234000`.
    pub phone_blocklist: Vec<String>,
    /// The program's calendar, for birth dates typed in it.
    pub calendar: crate::calendar::CalendarKind,
    pub max_phones: usize,
    pub max_emails: usize,
    pub max_cards: usize,
    pub max_block: usize,
    pub source_priority: Vec<String>,
    pub rules: BTreeMap<String, SurvivorRule>,
}

impl MergePolicy {
    /// The rule for `field`, with the defaults.
    pub(crate) fn rule(&self, field: &str) -> SurvivorRule {
        self.rules.get(field).copied().unwrap_or(match field {
            "name" | "given_name" | "family_name" => SurvivorRule::MostComplete,
            "phone" | "email" => SurvivorRule::Verified,
            _ => SurvivorRule::MostRecent,
        })
    }
}

fn levels(c: &mut Checker, path: &str, file: Option<LevelsFile>, default: [f64; 4]) -> Levels {
    let f = file.unwrap_or_default();
    let mut pick = |name: &str, v: Option<f64>, d: f64| {
        let v = v.unwrap_or(d);
        if !v.is_finite() {
            c.push(ProgramError::InvalidWeight {
                path: join(path, name),
            });
        }
        v
    };
    Levels {
        exact: pick("exact", f.exact, default[0]),
        close: pick("close", f.close, default[1]),
        partial: pick("partial", f.partial, default[2]),
        differ: pick("differ", f.differ, default[3]),
    }
}

/// Checks and compiles the `[merge]` section.
pub(crate) fn compile_merge(
    c: &mut Checker,
    file: &MergeFile,
    calendar: crate::calendar::CalendarKind,
) -> MergePolicy {
    if let Some(region) = &file.region
        && region.parse::<phonenumber::country::Id>().is_err()
    {
        c.push(ProgramError::InvalidRegion {
            path: "merge.region".to_owned(),
            value: region.clone(),
        });
    }
    let mut weight = |path: &str, v: Option<f64>, d: f64| {
        let v = v.unwrap_or(d);
        if !v.is_finite() {
            c.push(ProgramError::InvalidWeight {
                path: path.to_owned(),
            });
        }
        v
    };
    let w = &file.weights;
    let threshold = weight("merge.threshold", file.threshold, 12.0);
    let corroboration = weight("merge.corroboration", file.corroboration, 4.0);
    let verified_phone = weight("merge.weights.verified_phone", w.verified_phone, 20.0);
    let phone = weight("merge.weights.phone", w.phone, 12.0);
    let email = weight("merge.weights.email", w.email, 14.0);
    let card = weight("merge.weights.card", w.card, 20.0);
    let external_id = weight("merge.weights.external_id", w.external_id, 20.0);
    let shared_contact = weight("merge.weights.shared_contact", w.shared_contact, 2.0);
    let p = "merge.weights";
    let weights = Weights {
        verified_phone,
        phone,
        email,
        card,
        external_id,
        shared_contact,
        given_name: levels(
            c,
            &join(p, "given_name"),
            w.given_name,
            [6.0, 4.0, 1.0, -3.0],
        ),
        family_name: levels(
            c,
            &join(p, "family_name"),
            w.family_name,
            [7.0, 5.0, 1.5, -4.0],
        ),
        birth_date: levels(
            c,
            &join(p, "birth_date"),
            w.birth_date,
            [8.0, 3.0, 0.0, -6.0],
        ),
        national_id: levels(
            c,
            &join(p, "national_id"),
            w.national_id,
            [12.0, 6.0, 0.0, -8.0],
        ),
        city: levels(c, &join(p, "city"), w.city, [3.0, 2.0, 0.0, -1.0]),
        postcode: levels(c, &join(p, "postcode"), w.postcode, [5.0, 2.0, 0.0, -2.0]),
        street: levels(c, &join(p, "street"), w.street, [5.0, 3.0, 0.5, -2.0]),
        street_number: levels(
            c,
            &join(p, "street_number"),
            w.street_number,
            [3.0, 1.0, 0.0, -1.5],
        ),
        address_line2: levels(
            c,
            &join(p, "address_line2"),
            w.address_line2,
            [3.0, 2.0, 0.0, -0.5],
        ),
        region: levels(c, &join(p, "region"), w.region, [0.5, 0.0, 0.0, -1.0]),
    };
    let cap = |c: &mut Checker, kind: IdentifierKind, d: u32| {
        let v = file.max_identifiers.get(&kind).copied().unwrap_or(d);
        if v == 0 {
            let name = match kind {
                IdentifierKind::Phone => "phone",
                IdentifierKind::Email => "email",
                IdentifierKind::Card => "card",
            };
            c.push(ProgramError::NotPositive {
                path: format!("merge.max_identifiers.{name}"),
                value: "0".to_owned(),
            });
        }
        usize::try_from(v).unwrap_or(usize::MAX)
    };
    let max_phones = cap(c, IdentifierKind::Phone, 3);
    let max_emails = cap(c, IdentifierKind::Email, 3);
    let max_cards = cap(c, IdentifierKind::Card, 5);
    let max_block = file.max_block.unwrap_or(100);
    if max_block < 2 {
        c.push(ProgramError::NotPositive {
            path: "merge.max_block".to_owned(),
            value: max_block.to_string(),
        });
    }
    for field in file.survivorship.fields.keys() {
        if !SURVIVOR_FIELDS.contains(&field.as_str()) {
            c.push(ProgramError::Shape(
                crate::error::ShapeError::UnknownField {
                    path: format!("merge.survivorship.fields.{field}"),
                    field: field.clone(),
                },
            ));
        }
    }
    let mut phone_blocklist = file.blocklist.clone();
    let region = file.region.as_deref().unwrap_or("ZZ");
    phone_blocklist.extend(
        file.blocklist
            .iter()
            .filter_map(|b| super::normalize_phone(b, region, &[]).ok()),
    );
    MergePolicy {
        phone_blocklist,
        calendar,
        region: file.region.clone(),
        threshold,
        corroboration,
        weights,
        blocklist: file.blocklist.clone(),
        max_phones,
        max_emails,
        max_cards,
        max_block: usize::try_from(max_block).unwrap_or(usize::MAX),
        source_priority: file.survivorship.source_priority.clone(),
        rules: file.survivorship.fields.clone(),
    }
}
