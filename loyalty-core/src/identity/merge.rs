//! What a merge does to the rest of the engine, its audit record, and unmerge.
//!
//! A merge is recorded once ([`MergeRecord`]) and acted on through events the
//! host posts: one [`MergeEvent`] per absorbed profile, which the ledger
//! (lots keep their expiry) and the tier book (status recomputed from the
//! combined history) both take. Unmerge is the same log replayed without
//! those merge events, with each later event put back on the profile it
//! came from: the ledgers split back by the original identity of each event.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::batch::Link;
use super::profile::Profile;
use crate::ledger::{LedgerEvent, MergeEvent};
use crate::tiers::TierEvent;

/// The audit record of one merge: who, when, on what evidence, and the
/// profiles exactly as they were, so an unmerge can restore them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRecord {
    /// The host's id of this merge; merge event ids are `<id>:<profile>`.
    pub id: String,
    /// When: RFC 3339 with an offset.
    pub at: String,
    /// The surviving profile: the customer's account.
    pub customer: String,
    /// The member profiles as they were before the merge (the survivor too).
    pub members: Vec<Profile>,
    /// The links that made the cluster, with their evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<LinkRecord>,
}

/// A link as the audit keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRecord {
    /// One profile.
    pub a: String,
    /// The other.
    pub b: String,
    /// Its score, as text.
    pub score: String,
    /// `field:level:weight` for each piece of evidence.
    pub evidence: Vec<String>,
}

impl From<&Link> for LinkRecord {
    fn from(l: &Link) -> Self {
        Self {
            a: l.a.clone(),
            b: l.b.clone(),
            score: super::compare::bits_text(l.score),
            evidence: l
                .evidence
                .iter()
                .map(|e| format!("{}:{}:{}", e.field, e.level.code(), e.weight))
                .collect(),
        }
    }
}

impl MergeRecord {
    /// The id of the merge event that folds `member` into the customer.
    pub fn event_id(&self, member: &str) -> String {
        format!("{}:{}", self.id, member)
    }

    /// The merge events to post to the ledger and the tier book: one per
    /// absorbed member for which `has_account` is true (a profile with no
    /// activity has nothing to fold), in member order.
    pub fn merge_events(&self, has_account: impl Fn(&str) -> bool) -> Vec<MergeEvent> {
        self.members
            .iter()
            .filter(|m| m.id != self.customer && has_account(&m.id))
            .map(|m| MergeEvent {
                id: self.event_id(&m.id),
                account: self.customer.clone(),
                from: m.id.clone(),
                at: self.at.clone(),
            })
            .collect()
    }

    fn is_member(&self, id: &str) -> bool {
        self.members.iter().any(|m| m.id == id)
    }

    fn is_own_merge(&self, e: &MergeEvent) -> bool {
        e.account == self.customer && self.is_member(&e.from) && e.id == self.event_id(&e.from)
    }

    /// The ledger log as if this merge had never happened: its merge events
    /// dropped, and each event the customer's account took that `origins`
    /// names (event id to the member profile it really came from, e.g. the
    /// card the till scanned) moved back to that profile. Events without an
    /// origin stay with the customer. Replaying the result gives each profile
    /// its own ledger.
    pub fn unmerge_ledger(
        &self,
        events: &[LedgerEvent],
        origins: &BTreeMap<String, String>,
    ) -> Vec<LedgerEvent> {
        events
            .iter()
            .filter(|e| !matches!(e, LedgerEvent::Merge(m) if self.is_own_merge(m)))
            .map(|e| {
                let mut e = e.clone();
                if let Some(origin) = origins.get(e.id()).filter(|o| self.is_member(o))
                    && let Some(account) = ledger_account(&mut e).filter(|a| **a == self.customer)
                {
                    origin.clone_into(account);
                }
                e
            })
            .collect()
    }

    /// The tier log as if this merge had never happened (see [`Self::unmerge_ledger`]).
    pub fn unmerge_tiers(
        &self,
        events: &[TierEvent],
        origins: &BTreeMap<String, String>,
    ) -> Vec<TierEvent> {
        events
            .iter()
            .filter(|e| !matches!(e, TierEvent::Merge(m) if self.is_own_merge(m)))
            .map(|e| {
                let mut e = e.clone();
                let id = tier_id(&e).to_owned();
                if let Some(origin) = origins.get(&id).filter(|o| self.is_member(o))
                    && let Some(account) = tier_account(&mut e).filter(|a| **a == self.customer)
                {
                    origin.clone_into(account);
                }
                e
            })
            .collect()
    }

    /// Coupon use counts of the customer: the members' counts per campaign,
    /// added, so a per-customer limit counts every profile's uses.
    pub fn combined_uses(
        &self,
        uses: &BTreeMap<String, BTreeMap<String, u64>>,
    ) -> BTreeMap<String, u64> {
        let mut out: BTreeMap<String, u64> = BTreeMap::new();
        for m in &self.members {
            for (campaign, n) in uses.get(&m.id).into_iter().flatten() {
                let slot = out.entry(campaign.clone()).or_default();
                *slot = slot.saturating_add(*n);
            }
        }
        out
    }
}

/// The account an event is posted to, when it names one.
fn ledger_account(e: &mut LedgerEvent) -> Option<&mut String> {
    match e {
        LedgerEvent::Earn(x) => Some(&mut x.account),
        LedgerEvent::Redeem(x) => Some(&mut x.account),
        LedgerEvent::Adjust(x) => Some(&mut x.account),
        LedgerEvent::Transfer(x) => Some(&mut x.account),
        LedgerEvent::WalletDeposit(x) => Some(&mut x.account),
        LedgerEvent::WalletCharge(x) => Some(&mut x.account),
        LedgerEvent::WalletLimit(x) => Some(&mut x.account),
        // Refunds and reversals follow the order or event they name; a merge
        // of other accounts keeps its own.
        LedgerEvent::Refund(_)
        | LedgerEvent::Reverse(_)
        | LedgerEvent::WalletRefund(_)
        | LedgerEvent::Merge(_) => None,
    }
}

fn tier_account(e: &mut TierEvent) -> Option<&mut String> {
    match e {
        TierEvent::Order(x) => Some(&mut x.account),
        TierEvent::Visit(x) => Some(&mut x.account),
        TierEvent::Points(x) => Some(&mut x.account),
        TierEvent::Redeem(x) => Some(&mut x.account),
        TierEvent::Join(x) => Some(&mut x.account),
        TierEvent::Override(x) => Some(&mut x.account),
        TierEvent::Refund(_) | TierEvent::Reverse(_) | TierEvent::Merge(_) => None,
    }
}

fn tier_id(e: &TierEvent) -> &str {
    match e {
        TierEvent::Order(x) => &x.id,
        TierEvent::Visit(x) => &x.id,
        TierEvent::Points(x) => &x.id,
        TierEvent::Redeem(x) => &x.id,
        TierEvent::Refund(x) => &x.id,
        TierEvent::Reverse(x) => &x.id,
        TierEvent::Join(x) => &x.id,
        TierEvent::Override(x) => &x.id,
        TierEvent::Merge(x) => &x.id,
    }
}
