//! Profiles as the host gives them, and as matching sees them.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use super::normalize::{
    PhoneCache, Rejected, fold_digits, normalize_date_in, normalize_email, normalize_name,
    normalize_phone_cached,
};
use super::policy::MergePolicy;

/// One customer profile from one channel (web shop, POS, app, import).
/// Every field but `id` may be missing.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The host's id of this profile; unique in one call.
    pub id: String,
    /// Channel it came from (`web`, `pos`, `app`), for source priority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// When it last changed: RFC 3339, or a date `YYYY-MM-DD`; for "most recent".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// The whole name, when given and family names are not kept apart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Given (first) name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Phone numbers: text, or `{"value": ..., "verified": true}`; one or a list.
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    #[schemars(with = "ContactsInput")]
    pub phones: Vec<Contact>,
    /// E-mail addresses, like phones.
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    #[schemars(with = "ContactsInput")]
    pub emails: Vec<Contact>,
    /// Loyalty card numbers; one or a list.
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    #[schemars(with = "TextsInput")]
    pub cards: Vec<String>,
    /// Ids in other systems, by channel (`{"shopify": "8812"}`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub external_ids: BTreeMap<String, String>,
    /// Birth date: `YYYY-MM-DD`, `YYYYMMDD` or `YYYY/MM/DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    /// National or document number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national_id: Option<String>,
    /// House number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_number: Option<String>,
    /// Street name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    /// Second address line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line2: Option<String>,
    /// City or suburb.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Postcode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    /// Province or state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// Phones or e-mails as the schema shows them: one or a list, each text
/// or `{"value", "verified"}`.
#[derive(schemars::JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum ContactsInput {
    One(ContactInput),
    Many(Vec<ContactInput>),
}

/// One phone or e-mail as the schema shows it.
#[derive(schemars::JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum ContactInput {
    Text(String),
    Full {
        value: String,
        #[serde(default)]
        verified: bool,
    },
}

/// Card numbers as the schema shows them: one or a list.
#[derive(schemars::JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum TextsInput {
    One(String),
    Many(Vec<String>),
}

/// A phone or e-mail, and whether the host verified it (a code sent and typed back).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
pub struct Contact {
    /// As typed.
    pub value: String,
    /// Verified by the host.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub verified: bool,
}

impl<'de> Deserialize<'de> for Contact {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            value: String,
            #[serde(default)]
            verified: bool,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Text(String),
            Full(Full),
        }
        match Either::deserialize(d)? {
            Either::Text(value) => Ok(Self {
                value,
                verified: false,
            }),
            Either::Full(f) => Ok(Self {
                value: f.value,
                verified: f.verified,
            }),
        }
    }
}

fn one_or_many<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either<T> {
        Many(Vec<T>),
        One(T),
        None(()),
    }
    Ok(match Option::<Either<T>>::deserialize(d)? {
        Some(Either::Many(v)) => v,
        Some(Either::One(x)) => vec![x],
        Some(Either::None(())) | None => Vec::new(),
    })
}

/// A normalized phone or e-mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct NormalContact {
    /// E.164 phone or mailbox.
    pub value: String,
    /// Verified by the host.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub verified: bool,
}

/// A value left out of matching, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct RejectedValue {
    /// Where it was (`phones[1]`, `birth_date`).
    pub path: String,
    /// As typed.
    pub value: String,
    /// `blocklisted`, `invalid_phone`, `invalid_email` or `invalid_date`.
    pub code: &'static str,
}

/// A profile as matching sees it: every value normalized, placeholders and
/// invalid values set aside in `rejected`. Empty text means missing.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
pub struct NormalizedProfile {
    /// The host's id.
    pub id: String,
    /// Channel.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub source: String,
    /// Last change, in seconds since 1970 (0 when unknown).
    #[serde(skip)]
    pub(crate) updated: i64,
    /// Given name, normalized.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub given_name: String,
    /// Family name, normalized.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub family_name: String,
    /// Phones in E.164, without repeats.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<NormalContact>,
    /// Mailboxes, without repeats.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<NormalContact>,
    /// Card numbers: digits and upper-case letters.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cards: Vec<String>,
    /// `channel:id` pairs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub external_ids: Vec<String>,
    /// `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub birth_date: String,
    /// Document number: letters and digits only.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub national_id: String,
    /// House number.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub street_number: String,
    /// Street.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub street: String,
    /// Second address line.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub address_line2: String,
    /// City.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub city: String,
    /// Postcode: letters and digits only.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub postcode: String,
    /// Province or state.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub region: String,
    /// Values set aside.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<RejectedValue>,
}

fn compact(text: &str) -> String {
    fold_digits(text)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

fn text(v: &Option<String>) -> String {
    v.as_deref().map(normalize_name).unwrap_or_default()
}

/// Seconds since 1970 of an RFC 3339 instant or a date; `None` when neither.
pub(crate) fn parse_updated(text: &str) -> Option<i64> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text.trim()) {
        return Some(t.timestamp());
    }
    let d = chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?;
    Some(d.and_hms_opt(0, 0, 0)?.and_utc().timestamp())
}

impl NormalizedProfile {
    /// Normalizes `p` under the program's merge policy.
    pub(crate) fn new(p: &Profile, policy: &MergePolicy) -> Self {
        Self::with_cache(p, policy, &mut PhoneCache::default())
    }

    /// Normalizes `p`, looking phones up in `cache` first (one per batch worker).
    pub(crate) fn with_cache(p: &Profile, policy: &MergePolicy, cache: &mut PhoneCache) -> Self {
        let mut rejected = Vec::new();
        let mut reject = |path: String, value: &str, why: Rejected| {
            if why != Rejected::Empty {
                rejected.push(RejectedValue {
                    path,
                    value: value.to_owned(),
                    code: why.code(),
                });
            }
        };
        let region = policy.region.as_deref().unwrap_or("ZZ");
        let mut phones: Vec<NormalContact> = Vec::with_capacity(p.phones.len());
        for (i, c) in p.phones.iter().enumerate() {
            match normalize_phone_cached(&c.value, region, &policy.phone_blocklist, cache) {
                Ok(value) => push_contact(&mut phones, value, c.verified),
                Err(why) => reject(format!("phones[{i}]"), &c.value, why),
            }
        }
        let mut emails: Vec<NormalContact> = Vec::with_capacity(p.emails.len());
        for (i, c) in p.emails.iter().enumerate() {
            match normalize_email(&c.value, &policy.blocklist) {
                Ok(value) => push_contact(&mut emails, value, c.verified),
                Err(why) => reject(format!("emails[{i}]"), &c.value, why),
            }
        }
        let mut cards: Vec<String> = Vec::with_capacity(p.cards.len());
        for (i, c) in p.cards.iter().enumerate() {
            let card = compact(c);
            if card.is_empty() {
                continue;
            }
            if policy.blocklist.iter().any(|b| compact(b) == card)
                || card.bytes().all(|b| b == b'0')
            {
                reject(format!("cards[{i}]"), c, Rejected::Blocklisted);
            } else if !cards.contains(&card) {
                cards.push(card);
            }
        }
        let mut external_ids: Vec<String> = p
            .external_ids
            .iter()
            .filter(|(_, id)| !id.trim().is_empty())
            .map(|(channel, id)| format!("{}:{}", channel.trim(), id.trim()))
            .collect();
        external_ids.dedup();
        let birth_date = match p.birth_date.as_deref() {
            None => String::new(),
            Some(d) => {
                normalize_date_in(d, policy.calendar, &policy.blocklist).unwrap_or_else(|why| {
                    reject("birth_date".to_owned(), d, why);
                    String::new()
                })
            }
        };
        let (mut given_name, mut family_name) = (text(&p.given_name), text(&p.family_name));
        if given_name.is_empty() && family_name.is_empty() {
            let whole = text(&p.name);
            match whole.split_once(' ') {
                Some((g, f)) => (given_name, family_name) = (g.to_owned(), f.to_owned()),
                None => given_name = whole,
            }
        }
        Self {
            id: p.id.clone(),
            source: p.source.clone().unwrap_or_default(),
            updated: p.updated.as_deref().and_then(parse_updated).unwrap_or(0),
            given_name,
            family_name,
            phones,
            emails,
            cards,
            external_ids,
            birth_date,
            national_id: p.national_id.as_deref().map(compact).unwrap_or_default(),
            street_number: text(&p.street_number),
            street: text(&p.street),
            address_line2: text(&p.address_line2),
            city: text(&p.city),
            postcode: p.postcode.as_deref().map(compact).unwrap_or_default(),
            region: text(&p.region),
            rejected,
        }
    }
}

fn push_contact(list: &mut Vec<NormalContact>, value: String, verified: bool) {
    match list.iter_mut().find(|c| c.value == value) {
        Some(c) => c.verified |= verified,
        None => list.push(NormalContact { value, verified }),
    }
}
