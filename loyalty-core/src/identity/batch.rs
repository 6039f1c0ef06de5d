//! Batch deduplication: normalize, block, compare, cluster.
//!
//! * **Blocking.** Each profile gives a handful of keys (each identifier, and
//!   name, birth date and postcode combinations). Only profiles sharing a key
//!   are compared, each pair once (at the first key they share), so the work
//!   grows with the number of profiles, not its square. Blocks larger than
//!   `merge.max_block` are skipped and counted.
//! * **Clustering.** Links at or above the threshold are taken strongest
//!   first, ties by profile ids, and each joins two clusters unless that
//!   would put two different verified phones in one customer or pass an
//!   identifier cap. The answer depends on the profiles, never their order.

use std::hash::{BuildHasher, Hash, Hasher};

use serde::Serialize;

use super::compare::{Evidence, compare, names_comparable, names_conflict};
use super::golden::{GoldenProfile, golden};
use super::normalize::PhoneCache;
use super::policy::MergePolicy;
use super::profile::{NormalizedProfile, Profile};
use crate::accrual::RequestError;
use crate::ledger::{Map, Set};
use crate::parallel::{par_map, par_map_with};

/// Why a link at or above the threshold did not join two clusters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Protection {
    /// Each side has a verified phone the other lacks.
    VerifiedPhoneConflict,
    /// The customer would pass `merge.max_identifiers`.
    IdentifierCap,
    /// A link that could not compare given names (one side nameless, or
    /// two scripts) would join customers whose given names clearly differ.
    NameConflict,
}

impl Protection {
    /// Stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Self::VerifiedPhoneConflict => "verified_phone_conflict",
            Self::IdentifierCap => "identifier_cap",
            Self::NameConflict => "name_conflict",
        }
    }
}

/// Every code [`Protection::code`] gives.
pub const PROTECTION_CODES: &[&str] =
    &["verified_phone_conflict", "identifier_cap", "name_conflict"];

/// A pair of profiles that scored at or above the threshold.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Link {
    /// One profile id: the smaller in a batch, the new profile in a
    /// [`super::MatchDecision`].
    pub a: String,
    /// The other.
    pub b: String,
    /// Sum of the evidence weights.
    #[serde(serialize_with = "super::compare::bits")]
    #[schemars(with = "String")]
    pub score: f64,
    /// Why it did not join the two clusters, when it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<Protection>,
    /// The evidence, when explanations were asked for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
}

/// One customer: the profiles found to be them.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Cluster {
    /// The surviving profile's id, which names the customer.
    pub id: String,
    /// Member profile ids by survivorship rank: the survivor first (most
    /// trusted source, then most recently updated, then smallest id).
    pub members: Vec<String>,
    /// The combined profile.
    pub golden: GoldenProfile,
}

/// Counts of one deduplication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
pub struct DedupeStats {
    /// Profiles in.
    pub profiles: usize,
    /// Customers out.
    pub customers: usize,
    /// Pairs compared.
    pub compared: usize,
    /// Pairs at or above the threshold.
    pub links: usize,
    /// Links refused by merge protection.
    pub refused: usize,
    /// Blocks larger than `merge.max_block`, not compared.
    pub skipped_blocks: usize,
    /// Values set aside as placeholders or invalid.
    pub rejected_values: usize,
}

/// The answer of [`crate::Program::dedupe`].
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Dedupe {
    /// For each input profile, in input order, its customer's id.
    pub cluster_of: Vec<String>,
    /// Customers with more than one profile, by id (`all_clusters` for every one).
    pub clusters: Vec<Cluster>,
    /// Linked pairs (at or above the threshold, with corroboration), strongest
    /// first; refused ones say why.
    /// With `explain`, each carries its evidence; otherwise only refused ones are listed.
    pub links: Vec<Link>,
    /// Counts.
    pub stats: DedupeStats,
}

/// A deduplication request as the bindings send it.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DedupeRequest {
    /// The profiles.
    pub profiles: Vec<Profile>,
    /// List every link with its evidence.
    #[serde(default)]
    pub explain: bool,
    /// Also list customers with a single profile in `clusters`.
    #[serde(default)]
    pub all_clusters: bool,
}

/// What [`crate::Program::dedupe`] takes besides the profiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DedupeOptions {
    /// List every link with its evidence (slower on large batches).
    #[serde(default)]
    pub explain: bool,
    /// Also list customers with a single profile in `clusters`.
    #[serde(default)]
    pub all_clusters: bool,
}

/// Hash of a blocking key: a tag and its text.
fn key(tag: u8, parts: &[&str]) -> u64 {
    let mut h = foldhash::fast::FixedState::with_seed(0x6c6f79616c7479).build_hasher();
    tag.hash(&mut h);
    for p in parts {
        p.hash(&mut h);
    }
    h.finish()
}

fn prefix(s: &str, n: usize) -> &str {
    s.char_indices()
        .nth(n)
        .map_or(s, |(i, _)| s.get(..i).unwrap_or(s))
}

/// The blocking keys of one profile, sorted, without repeats.
pub(crate) fn blocking_keys(p: &NormalizedProfile, out: &mut Vec<u64>) {
    out.clear();
    out.extend(p.phones.iter().map(|c| key(b'p', &[&c.value])));
    out.extend(p.emails.iter().map(|c| key(b'e', &[&c.value])));
    out.extend(p.cards.iter().map(|c| key(b'c', &[c])));
    out.extend(p.external_ids.iter().map(|x| key(b'x', &[x])));
    let (g, f) = (p.given_name.as_str(), p.family_name.as_str());
    if !p.birth_date.is_empty() {
        out.push(key(b'd', &[&p.birth_date, prefix(f, 1)]));
        out.push(key(b'D', &[&p.birth_date, prefix(g, 1)]));
    }
    if !p.national_id.is_empty() {
        out.push(key(b'n', &[&p.national_id]));
    }
    if !g.is_empty() && !f.is_empty() {
        let (lo, hi) = if g <= f { (g, f) } else { (f, g) };
        out.push(key(b'N', &[lo, hi]));
        out.push(key(
            b'P',
            &[prefix(g, 2), prefix(f, 3), prefix(&p.birth_date, 4)],
        ));
    }
    if !p.postcode.is_empty() {
        if !f.is_empty() {
            out.push(key(b'z', &[&p.postcode, prefix(f, 2)]));
        }
        if !g.is_empty() {
            out.push(key(b'Z', &[&p.postcode, prefix(g, 2)]));
        }
        if !p.street_number.is_empty() {
            out.push(key(b's', &[&p.postcode, &p.street_number]));
        }
    }
    out.sort_unstable();
    out.dedup();
}

/// Whether `k` is the first key `a` and `b` share (both sorted) among the
/// keys whose blocks are compared: a pair whose first shared key is a
/// skipped (too common) block is still compared in its next block.
fn first_shared(a: &[u64], b: &[u64], k: u64, skipped: &Set<u64>) -> bool {
    let (mut i, mut j) = (0, 0);
    while let (Some(&x), Some(&y)) = (a.get(i), b.get(j)) {
        match x.cmp(&y) {
            std::cmp::Ordering::Less => i = i.saturating_add(1),
            std::cmp::Ordering::Greater => j = j.saturating_add(1),
            std::cmp::Ordering::Equal if skipped.contains(&x) => {
                i = i.saturating_add(1);
                j = j.saturating_add(1);
            }
            std::cmp::Ordering::Equal => return x == k,
        }
    }
    false
}

/// Links at or above the threshold found in one block, and the pairs compared.
type Scored = (Vec<(f64, u32, u32)>, usize);

/// Union-find with the merge-protection state of each root.
struct Clusters {
    parent: Vec<u32>,
    phones: Vec<Vec<u32>>,
    verified: Vec<Vec<u32>>,
    emails: Vec<Vec<u32>>,
    cards: Vec<Vec<u32>>,
    /// Given names (interned).
    names: Vec<Vec<u32>>,
}

fn union_len(a: &[u32], b: &[u32]) -> usize {
    a.len()
        .saturating_add(b.iter().filter(|x| a.binary_search(x).is_err()).count())
}

fn merge_sorted(a: &mut Vec<u32>, b: Vec<u32>) {
    a.extend(b);
    a.sort_unstable();
    a.dedup();
}

impl Clusters {
    fn find(&mut self, mut x: u32) -> u32 {
        loop {
            let p = self.parent.get(x as usize).copied().unwrap_or(x);
            if p == x {
                return x;
            }
            let gp = self.parent.get(p as usize).copied().unwrap_or(p);
            if let Some(slot) = self.parent.get_mut(x as usize) {
                *slot = gp;
            }
            x = p;
        }
    }

    /// Merge protection for joining the clusters rooted at `a` and `b` by a
    /// link that could (`named`) or could not compare given names.
    fn check(
        &self,
        a: u32,
        b: u32,
        policy: &MergePolicy,
        named: bool,
        name_text: &[String],
    ) -> Option<Protection> {
        fn get(v: &[Vec<u32>], i: u32) -> &[u32] {
            v.get(i as usize).map_or(&[][..], Vec::as_slice)
        }
        let (va, vb) = (get(&self.verified, a), get(&self.verified, b));
        let a_only = va.iter().any(|x| vb.binary_search(x).is_err());
        let b_only = vb.iter().any(|x| va.binary_search(x).is_err());
        if a_only && b_only {
            return Some(Protection::VerifiedPhoneConflict);
        }
        if union_len(get(&self.phones, a), get(&self.phones, b)) > policy.max_phones
            || union_len(get(&self.emails, a), get(&self.emails, b)) > policy.max_emails
            || union_len(get(&self.cards, a), get(&self.cards, b)) > policy.max_cards
        {
            return Some(Protection::IdentifierCap);
        }
        let (na, nb) = (get(&self.names, a), get(&self.names, b));
        let text = |i: &u32| name_text.get(*i as usize).map(String::as_str);
        if !named
            && na != nb
            && names_conflict(na.iter().filter_map(text), nb.iter().filter_map(text))
        {
            return Some(Protection::NameConflict);
        }
        None
    }

    /// Joins `b`'s root into `a`'s.
    fn union(&mut self, a: u32, b: u32) {
        if let Some(slot) = self.parent.get_mut(b as usize) {
            *slot = a;
        }
        for list in [
            &mut self.phones,
            &mut self.verified,
            &mut self.emails,
            &mut self.cards,
            &mut self.names,
        ] {
            let taken = list
                .get_mut(b as usize)
                .map(std::mem::take)
                .unwrap_or_default();
            if let Some(into) = list.get_mut(a as usize) {
                merge_sorted(into, taken);
            }
        }
    }
}

/// Interns identifier strings as small numbers.
#[derive(Default)]
struct Interner<'a>(Map<&'a str, u32>);

impl<'a> Interner<'a> {
    fn ids(&mut self, values: impl Iterator<Item = &'a String>) -> Vec<u32> {
        let mut out: Vec<u32> = values
            .map(|v| {
                let next = u32::try_from(self.0.len()).unwrap_or(u32::MAX);
                *self.0.entry(v.as_str()).or_insert(next)
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Deduplicates `profiles` under `policy`.
pub(crate) fn dedupe(
    policy: &MergePolicy,
    profiles: &[Profile],
    options: DedupeOptions,
) -> Result<Dedupe, RequestError> {
    let mut seen: Set<&str> = Set::default();
    for (i, p) in profiles.iter().enumerate() {
        if p.id.trim().is_empty() {
            return Err(RequestError::EmptyValue {
                path: format!("profiles[{i}].id"),
            });
        }
        if !seen.insert(p.id.as_str()) {
            return Err(RequestError::DuplicateProfile {
                path: format!("profiles[{i}].id"),
                id: p.id.clone(),
            });
        }
    }
    let n = profiles.len();
    let Ok(n32) = u32::try_from(n) else {
        return Err(RequestError::Overflow {
            path: "profiles".to_owned(),
        });
    };
    let norm: Vec<NormalizedProfile> =
        par_map_with(profiles, PhoneCache::for_worker, |cache, p| {
            NormalizedProfile::with_cache(p, policy, cache)
        });
    let keys: Vec<Vec<u64>> = par_map(&norm, |p| {
        let mut k = Vec::new();
        blocking_keys(p, &mut k);
        k
    });

    let mut entries: Vec<(u64, u32)> = Vec::with_capacity(keys.iter().map(Vec::len).sum());
    for (i, ks) in (0..n32).zip(&keys) {
        entries.extend(ks.iter().map(|&k| (k, i)));
    }
    entries.sort_unstable();
    let mut blocks: Vec<&[(u64, u32)]> = Vec::new();
    let mut skipped: Set<u64> = Set::default();
    for block in entries.chunk_by(|x, y| x.0 == y.0) {
        if block.len() > policy.max_block {
            skipped.extend(block.first().map(|e| e.0));
        } else if block.len() > 1 {
            blocks.push(block);
        }
    }
    let scored: Vec<Scored> = par_map(&blocks, |block| {
        let mut out = Vec::new();
        let mut compared = 0usize;
        for (x, &(k, i)) in block.iter().enumerate() {
            for &(_, j) in block.iter().skip(x.saturating_add(1)) {
                let (Some(ki), Some(kj)) = (keys.get(i as usize), keys.get(j as usize)) else {
                    continue;
                };
                if !first_shared(ki, kj, k, &skipped) {
                    continue;
                }
                let (Some(a), Some(b)) = (norm.get(i as usize), norm.get(j as usize)) else {
                    continue;
                };
                compared = compared.saturating_add(1);
                let score = compare(policy, a, b, &mut ());
                if score.links(policy) {
                    out.push((score.total, i, j));
                }
            }
        }
        (out, compared)
    });
    let compared = scored.iter().map(|s| s.1).sum();
    // Blocks are done with: give their memory back before clustering.
    drop(blocks);
    drop(entries);
    drop(keys);
    // Each profile's place in id order: ties between links go by ids, in
    // integers, so the order of the input never shows.
    let mut by_id: Vec<u32> = (0..n32).collect();
    by_id.sort_unstable_by(|&x, &y| {
        let id = |i: u32| profiles.get(i as usize).map_or("", |p| p.id.as_str());
        id(x).cmp(id(y))
    });
    let mut id_rank = vec![0u32; n];
    for (rank, &i) in (0..n32).zip(&by_id) {
        if let Some(slot) = id_rank.get_mut(i as usize) {
            *slot = rank;
        }
    }
    let rank_of = |i: u32| id_rank.get(i as usize).copied().unwrap_or(u32::MAX);
    let mut edges: Vec<(f64, u32, u32)> = scored
        .into_iter()
        .flat_map(|s| s.0)
        .map(|(s, i, j)| {
            if rank_of(i) <= rank_of(j) {
                (s, i, j)
            } else {
                (s, j, i)
            }
        })
        .collect();
    edges.sort_unstable_by(|x, y| {
        y.0.total_cmp(&x.0)
            .then_with(|| rank_of(x.1).cmp(&rank_of(y.1)))
            .then_with(|| rank_of(x.2).cmp(&rank_of(y.2)))
    });

    let mut phones = Interner::default();
    let mut emails = Interner::default();
    let mut cards = Interner::default();
    let mut given = Interner::default();
    let mut uf = Clusters {
        parent: (0..n32).collect(),
        phones: norm
            .iter()
            .map(|p| phones.ids(p.phones.iter().map(|c| &c.value)))
            .collect(),
        verified: norm
            .iter()
            .map(|p| phones.ids(p.phones.iter().filter(|c| c.verified).map(|c| &c.value)))
            .collect(),
        emails: norm
            .iter()
            .map(|p| emails.ids(p.emails.iter().map(|c| &c.value)))
            .collect(),
        cards: norm.iter().map(|p| cards.ids(p.cards.iter())).collect(),
        names: norm
            .iter()
            .map(|p| given.ids(std::iter::once(&p.given_name).filter(|g| !g.is_empty())))
            .collect(),
    };
    let mut name_text = vec![String::new(); given.0.len()];
    for (name, &i) in &given.0 {
        if let Some(slot) = name_text.get_mut(i as usize) {
            (*name).clone_into(slot);
        }
    }
    drop((phones, emails, cards, given));
    let mut links = Vec::new();
    let mut refused = 0usize;
    for &(score, i, j) in &edges {
        let (ra, rb) = (uf.find(i), uf.find(j));
        let protection = if ra == rb {
            None
        } else {
            let named = match (norm.get(i as usize), norm.get(j as usize)) {
                (Some(a), Some(b)) => names_comparable(&a.given_name, &b.given_name),
                _ => true,
            };
            uf.check(ra, rb, policy, named, &name_text)
        };
        match protection {
            Some(_) => refused = refused.saturating_add(1),
            None if ra != rb => uf.union(ra, rb),
            None => {}
        }
        if options.explain || protection.is_some() {
            let (Some(a), Some(b)) = (norm.get(i as usize), norm.get(j as usize)) else {
                continue;
            };
            let mut evidence = Vec::new();
            if options.explain {
                compare(policy, a, b, &mut evidence);
            }
            links.push(Link {
                a: a.id.clone(),
                b: b.id.clone(),
                score,
                refused: protection,
                evidence,
            });
        }
    }

    // Profiles grouped by customer: sorted by root, one pass.
    let mut rooted: Vec<(u32, u32)> = (0..n32).map(|i| (uf.find(i), i)).collect();
    drop(uf);
    rooted.sort_unstable();
    let groups: Vec<&[(u32, u32)]> = rooted.chunk_by(|x, y| x.0 == y.0).collect();
    let customers = groups.len();
    // Survivorship of each customer, on the machine's cores: the survivor's
    // index, and the cluster when it is listed.
    let built: Vec<(Option<u32>, Option<Cluster>)> = par_map(&groups, |chunk| {
        let pairs: Vec<(&Profile, &NormalizedProfile)> = chunk
            .iter()
            .filter_map(|&(_, i)| Some((profiles.get(i as usize)?, norm.get(i as usize)?)))
            .collect();
        let order = super::golden::rank(policy, &pairs);
        let survivor = order.first().and_then(|&k| chunk.get(k)).map(|x| x.1);
        let cluster = (chunk.len() > 1 || options.all_clusters).then(|| Cluster {
            id: order
                .first()
                .and_then(|&k| pairs.get(k))
                .map_or(String::new(), |p| p.0.id.clone()),
            members: order
                .iter()
                .filter_map(|&k| pairs.get(k))
                .map(|p| p.0.id.clone())
                .collect(),
            golden: golden(policy, &pairs, &order),
        });
        (survivor, cluster)
    });
    let mut cluster_of = vec![String::new(); n];
    let mut clusters = Vec::new();
    for (chunk, (survivor, cluster)) in groups.iter().zip(built) {
        let id = survivor
            .and_then(|s| profiles.get(s as usize))
            .map_or("", |p| p.id.as_str());
        for &(_, i) in chunk.iter() {
            if let Some(slot) = cluster_of.get_mut(i as usize) {
                id.clone_into(slot);
            }
        }
        clusters.extend(cluster);
    }
    clusters.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    let rejected_values = norm.iter().map(|p| p.rejected.len()).sum();
    Ok(Dedupe {
        cluster_of,
        clusters,
        stats: DedupeStats {
            profiles: n,
            customers,
            compared,
            links: edges.len(),
            refused,
            skipped_blocks: skipped.len(),
            rejected_values,
        },
        links,
    })
}
