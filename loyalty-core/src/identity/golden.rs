//! Survivorship: the golden profile of one customer, field by field, keeping
//! every identifier and where it came from.

use std::collections::BTreeMap;

use serde::Serialize;

use super::policy::{MergePolicy, SurvivorRule};
use super::profile::{NormalizedProfile, Profile};

/// The surviving value of one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct GoldenValue {
    /// The value, as the chosen profile typed it (phones in E.164, dates as `YYYY-MM-DD`).
    pub value: String,
    /// The profile it came from.
    pub from: String,
    /// The rule that chose it.
    pub rule: SurvivorRule,
}

/// One identifier of a customer and the profiles that carried it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Identifier {
    /// `phone`, `email`, `card` or `external_id`.
    pub kind: &'static str,
    /// Normalized value (E.164, mailbox, card digits, `channel:id`).
    pub value: String,
    /// Verified by any profile that carried it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub verified: bool,
    /// Profile ids carrying it, by id.
    pub sources: Vec<String>,
}

/// A customer's combined profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct GoldenProfile {
    /// The surviving profile id.
    pub id: String,
    /// Each field's surviving value.
    pub fields: BTreeMap<String, GoldenValue>,
    /// Every identifier of every member.
    pub identifiers: Vec<Identifier>,
}

/// Members ranked for survival: most trusted source, then most recently
/// updated, then smallest id. Positions into `members`.
pub(crate) fn rank(policy: &MergePolicy, members: &[(&Profile, &NormalizedProfile)]) -> Vec<usize> {
    let source_rank = |s: &str| {
        policy
            .source_priority
            .iter()
            .position(|x| x == s)
            .unwrap_or(usize::MAX)
    };
    let mut order: Vec<usize> = (0..members.len()).collect();
    order.sort_by(|&x, &y| match (members.get(x), members.get(y)) {
        (Some(a), Some(b)) => source_rank(&a.1.source)
            .cmp(&source_rank(&b.1.source))
            .then_with(|| b.1.updated.cmp(&a.1.updated))
            .then_with(|| a.0.id.cmp(&b.0.id)),
        _ => std::cmp::Ordering::Equal,
    });
    order
}

struct Candidate<'a> {
    /// Place in the survival ranking.
    rank: usize,
    value: &'a str,
    verified: bool,
    updated: i64,
    from: &'a str,
}

fn choose(rule: SurvivorRule, c: Vec<Candidate<'_>>) -> Option<GoldenValue> {
    use std::cmp::Reverse;
    // Each candidate's key is worked out once (a name's length needs its
    // normalization): the rule's preference, then the survival rank.
    let first = c.into_iter().min_by_key(|c| {
        let (k1, k2) = match rule {
            SurvivorRule::MostRecent => (c.updated, 0),
            // Letters that count: tatweel, accents and spacing do not make a name longer.
            SurvivorRule::MostComplete => (i64::try_from(complete(c.value)).unwrap_or(i64::MAX), 0),
            SurvivorRule::Verified => (i64::from(c.verified), c.updated),
            SurvivorRule::SourcePriority => (0, 0),
        };
        (Reverse(k1), Reverse(k2), c.rank)
    })?;
    Some(GoldenValue {
        value: first.value.to_owned(),
        from: first.from.to_owned(),
        rule,
    })
}

fn complete(value: &str) -> usize {
    super::normalize_name(value)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .count()
}

fn typed(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The golden profile of `members`, ranked by `order` (see [`rank`]).
pub(crate) fn golden(
    policy: &MergePolicy,
    members: &[(&Profile, &NormalizedProfile)],
    order: &[usize],
) -> GoldenProfile {
    let ranked: Vec<(usize, &(&Profile, &NormalizedProfile))> = order
        .iter()
        .enumerate()
        .filter_map(|(r, &k)| Some((r, members.get(k)?)))
        .collect();
    let mut fields = BTreeMap::new();
    type Pick = for<'p> fn(&'p Profile, &'p NormalizedProfile) -> Option<&'p str>;
    let text_fields: [(&str, Pick); 11] = [
        ("name", |p, _| typed(&p.name)),
        ("given_name", |p, _| typed(&p.given_name)),
        ("family_name", |p, _| typed(&p.family_name)),
        ("birth_date", |_, n| {
            (!n.birth_date.is_empty()).then_some(n.birth_date.as_str())
        }),
        ("national_id", |p, n| {
            (!n.national_id.is_empty())
                .then(|| typed(&p.national_id))
                .flatten()
        }),
        ("city", |p, _| typed(&p.city)),
        ("postcode", |p, _| typed(&p.postcode)),
        ("street", |p, _| typed(&p.street)),
        ("street_number", |p, _| typed(&p.street_number)),
        ("address_line2", |p, _| typed(&p.address_line2)),
        ("region", |p, _| typed(&p.region)),
    ];
    for (name, pick) in text_fields {
        let candidates = ranked
            .iter()
            .filter_map(|&(rank, (p, n))| {
                Some(Candidate {
                    rank,
                    value: pick(p, n)?,
                    verified: false,
                    updated: n.updated,
                    from: &p.id,
                })
            })
            .collect();
        if let Some(v) = choose(policy.rule(name), candidates) {
            fields.insert(name.to_owned(), v);
        }
    }
    let phones = ranked
        .iter()
        .flat_map(|&(rank, (p, n))| {
            n.phones.iter().map(move |c| Candidate {
                rank,
                value: c.value.as_str(),
                verified: c.verified,
                updated: n.updated,
                from: &p.id,
            })
        })
        .collect();
    if let Some(v) = choose(policy.rule("phone"), phones) {
        fields.insert("phone".to_owned(), v);
    }
    let emails = ranked
        .iter()
        .flat_map(|&(rank, (p, n))| {
            // The address as typed, for sending; matching used the mailbox.
            // When every typed address normalized, none needs checking again.
            let all_valid = n.emails.len() == p.emails.len();
            p.emails.iter().filter_map(move |typed| {
                let value = typed.value.trim();
                (!value.is_empty()
                    && (all_valid || super::normalize_email(value, &policy.blocklist).is_ok()))
                .then(|| Candidate {
                    rank,
                    value,
                    verified: typed.verified,
                    updated: n.updated,
                    from: &p.id,
                })
            })
        })
        .collect();
    if let Some(v) = choose(policy.rule("email"), emails) {
        fields.insert("email".to_owned(), v);
    }

    let mut ids: BTreeMap<(&'static str, String), (bool, Vec<String>)> = BTreeMap::new();
    for (p, n) in members {
        let mut add = |kind: &'static str, value: &str, verified: bool| {
            let e = ids.entry((kind, value.to_owned())).or_default();
            e.0 |= verified;
            e.1.push(p.id.clone());
        };
        n.phones
            .iter()
            .for_each(|c| add("phone", &c.value, c.verified));
        n.emails
            .iter()
            .for_each(|c| add("email", &c.value, c.verified));
        n.cards.iter().for_each(|c| add("card", c, false));
        n.external_ids
            .iter()
            .for_each(|c| add("external_id", c, false));
    }
    let identifiers = ids
        .into_iter()
        .map(|((kind, value), (verified, mut sources))| {
            sources.sort();
            sources.dedup();
            Identifier {
                kind,
                value,
                verified,
                sources,
            }
        })
        .collect();
    let id = ranked
        .first()
        .map(|(_, (p, _))| p.id.clone())
        .unwrap_or_default();
    GoldenProfile {
        id,
        fields,
        identifiers,
    }
}
