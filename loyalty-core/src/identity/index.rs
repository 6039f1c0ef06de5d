//! Incremental matching: an index of known profiles that takes one new or
//! changed profile (at the POS, on sign-up) and answers which customer it is.

use serde::Serialize;

use super::batch::{Link, Protection, blocking_keys};
use super::compare::compare;
use super::golden::rank;
use super::policy::MergePolicy;
use super::profile::{NormalizedProfile, Profile};
use crate::accrual::RequestError;
use crate::ledger::Map;

/// What the index decided for one profile.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct MatchDecision {
    /// The profile's id.
    pub profile: String,
    /// The customer it belongs to now: the surviving profile's id.
    pub customer: String,
    /// Whether it joined a customer the index already had.
    pub joined: bool,
    /// Customers (by their id before this call) that this profile linked
    /// together, when it bridged more than one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub merged: Vec<String>,
    /// Every known profile it scored at or above the threshold with,
    /// strongest first, with its evidence; refused links say why.
    pub links: Vec<Link>,
    /// The profile as matching saw it.
    pub normalized: NormalizedProfile,
}

struct Entry {
    profile: Profile,
    norm: NormalizedProfile,
    keys: Vec<u64>,
}

/// Known profiles, their blocking keys and their customers.
///
/// Each [`MatchIndex::add`] compares the profile with the profiles sharing a
/// blocking key (a few, whatever the index's size) and joins it to every
/// customer it links to, strongest first, under the same merge protection as
/// the batch. Adding profiles one by one can group them differently from one
/// batch run only where links compete for a protected customer; the batch is
/// the reference.
pub struct MatchIndex {
    policy: MergePolicy,
    entries: Vec<Entry>,
    by_id: Map<String, u32>,
    blocks: Map<u64, Vec<u32>>,
    parent: Vec<u32>,
    /// Members of each cluster, at its root's slot.
    groups: Vec<Vec<u32>>,
}

impl std::fmt::Debug for MatchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MatchIndex")
            .field("profiles", &self.entries.len())
            .finish()
    }
}

impl MatchIndex {
    pub(crate) fn new(policy: MergePolicy) -> Self {
        Self {
            policy,
            entries: Vec::new(),
            by_id: Map::default(),
            blocks: Map::default(),
            parent: Vec::new(),
            groups: Vec::new(),
        }
    }

    /// Number of profiles in the index.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while let Some(&p) = self.parent.get(x as usize) {
            if p == x {
                break;
            }
            let gp = self.parent.get(p as usize).copied().unwrap_or(p);
            if let Some(slot) = self.parent.get_mut(x as usize) {
                *slot = gp;
            }
            x = p;
        }
        x
    }

    fn members(&mut self, root: u32) -> Vec<u32> {
        self.groups.get(root as usize).cloned().unwrap_or_default()
    }

    /// The customer id (surviving profile) of the cluster rooted at `root`.
    fn customer(&mut self, root: u32) -> String {
        let members = self.members(root);
        let pairs: Vec<(&Profile, &NormalizedProfile)> = members
            .iter()
            .filter_map(|&i| self.entries.get(i as usize).map(|e| (&e.profile, &e.norm)))
            .collect();
        let order = rank(&self.policy, &pairs);
        order
            .first()
            .and_then(|&k| pairs.get(k))
            .map(|p| p.0.id.clone())
            .unwrap_or_default()
    }

    /// Merge protection between two clusters.
    fn protect(&mut self, a: u32, b: u32, named: bool) -> Option<Protection> {
        let collect = |idx: &Self, ms: &[u32]| {
            let mut phones = std::collections::BTreeSet::new();
            let mut verified = std::collections::BTreeSet::new();
            let mut emails = std::collections::BTreeSet::new();
            let mut cards = std::collections::BTreeSet::new();
            let mut names = std::collections::BTreeSet::new();
            for e in ms.iter().filter_map(|&i| idx.entries.get(i as usize)) {
                for c in &e.norm.phones {
                    phones.insert(c.value.clone());
                    if c.verified {
                        verified.insert(c.value.clone());
                    }
                }
                emails.extend(e.norm.emails.iter().map(|c| c.value.clone()));
                cards.extend(e.norm.cards.iter().cloned());
                if !e.norm.given_name.is_empty() {
                    names.insert(e.norm.given_name.clone());
                }
            }
            (phones, verified, emails, cards, names)
        };
        let (ma, mb) = (self.members(a), self.members(b));
        let (pa, va, ea, ca, na) = collect(self, &ma);
        let (pb, vb, eb, cb, nb) = collect(self, &mb);
        if !va.is_subset(&vb) && !vb.is_subset(&va) {
            return Some(Protection::VerifiedPhoneConflict);
        }
        if pa.union(&pb).count() > self.policy.max_phones
            || ea.union(&eb).count() > self.policy.max_emails
            || ca.union(&cb).count() > self.policy.max_cards
        {
            return Some(Protection::IdentifierCap);
        }
        if !named
            && na != nb
            && super::compare::names_conflict(
                na.iter().map(String::as_str),
                nb.iter().map(String::as_str),
            )
        {
            return Some(Protection::NameConflict);
        }
        None
    }

    /// Adds a new profile, or a changed one (same id: its values are
    /// replaced; links it already made stay), and says which customer it is.
    pub fn add(&mut self, profile: Profile) -> Result<MatchDecision, RequestError> {
        if profile.id.trim().is_empty() {
            return Err(RequestError::EmptyValue {
                path: "id".to_owned(),
            });
        }
        let norm = NormalizedProfile::new(&profile, &self.policy);
        let mut keys = Vec::new();
        blocking_keys(&norm, &mut keys);
        let slot = match self.by_id.get(&profile.id) {
            Some(&slot) => {
                if let Some(old) = self.entries.get(slot as usize) {
                    for k in old.keys.clone() {
                        if let Some(list) = self.blocks.get_mut(&k) {
                            list.retain(|&x| x != slot);
                        }
                    }
                }
                slot
            }
            None => {
                let slot =
                    u32::try_from(self.entries.len()).map_err(|_| RequestError::Overflow {
                        path: "id".to_owned(),
                    })?;
                self.parent.push(slot);
                self.groups.push(vec![slot]);
                self.by_id.insert(profile.id.clone(), slot);
                self.entries.push(Entry {
                    profile: Profile::default(),
                    norm: NormalizedProfile::default(),
                    keys: Vec::new(),
                });
                slot
            }
        };
        let before = self.find(slot);
        let joined_before = self.members(before).len() > 1;
        // A changed profile already in a customer: that customer counts
        // among those it bridges.
        let mut merged = Vec::new();
        if joined_before {
            merged.push(self.customer(before));
        }

        // Candidates: profiles sharing a key, in blocks small enough to mean something.
        let mut candidates: Vec<u32> = Vec::new();
        for k in &keys {
            if let Some(list) = self.blocks.get(k)
                && list.len() < self.policy.max_block
            {
                candidates.extend(list.iter().copied().filter(|&c| c != slot));
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut scored: Vec<(f64, u32)> = candidates
            .iter()
            .filter_map(|&c| {
                let other = &self.entries.get(c as usize)?.norm;
                let score = compare(&self.policy, &norm, other, &mut ());
                score.links(&self.policy).then_some((score.total, c))
            })
            .collect();
        scored.sort_by(|x, y| {
            y.0.total_cmp(&x.0).then_with(|| {
                let id = |i: u32| {
                    self.entries
                        .get(i as usize)
                        .map_or("", |e| e.profile.id.as_str())
                };
                id(x.1).cmp(id(y.1))
            })
        });

        for k in &keys {
            self.blocks.entry(*k).or_default().push(slot);
        }
        if let Some(e) = self.entries.get_mut(slot as usize) {
            *e = Entry {
                profile,
                norm,
                keys,
            };
        }

        let mut links = Vec::new();
        for &(score, c) in &scored {
            let (mine, theirs) = (self.find(slot), self.find(c));
            let refused = if mine == theirs {
                None
            } else {
                let named = match (
                    self.entries.get(slot as usize),
                    self.entries.get(c as usize),
                ) {
                    (Some(a), Some(b)) => {
                        super::compare::names_comparable(&a.norm.given_name, &b.norm.given_name)
                    }
                    _ => true,
                };
                self.protect(mine, theirs, named)
            };
            if mine != theirs && refused.is_none() {
                merged.push(self.customer(theirs));
                if let Some(p) = self.parent.get_mut(mine as usize) {
                    *p = theirs;
                }
                let moved = self
                    .groups
                    .get_mut(mine as usize)
                    .map(std::mem::take)
                    .unwrap_or_default();
                if let Some(g) = self.groups.get_mut(theirs as usize) {
                    g.extend(moved);
                }
            }
            let (Some(me), Some(other)) = (
                self.entries.get(slot as usize),
                self.entries.get(c as usize),
            ) else {
                continue;
            };
            let mut evidence = Vec::new();
            compare(&self.policy, &me.norm, &other.norm, &mut evidence);
            links.push(Link {
                a: me.profile.id.clone(),
                b: other.profile.id.clone(),
                score,
                refused,
                evidence,
            });
        }
        let root = self.find(slot);
        let customer = self.customer(root);
        let joined = joined_before || !merged.is_empty();
        let (profile, normalized) = self
            .entries
            .get(slot as usize)
            .map(|e| (e.profile.id.clone(), e.norm.clone()))
            .unwrap_or_default();
        if merged.len() < 2 {
            merged.clear();
        }
        Ok(MatchDecision {
            profile,
            customer,
            joined,
            merged,
            links,
            normalized,
        })
    }
}
