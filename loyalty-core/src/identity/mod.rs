//! Profile merging (identity resolution): the same customer seen as several
//! profiles (a web account with an e-mail, a POS profile with a phone typed
//! in Persian digits, an app profile with the same phone in `+98` form)
//! found and combined into one.
//!
//! * **Normalization** ([`normalize_phone`], [`normalize_email`],
//!   [`normalize_name`], [`normalize_date`]): phones to E.164 through the
//!   phonenumber crate (libphonenumber's metadata), any digit set; mailboxes
//!   as the provider reads them; names in one spelling across Arabic and
//!   Persian keyboards; placeholders such as `0000000000`, `test@test.com`
//!   and `1900-01-01` set aside so they never link anyone.
//! * **Matching** ([`crate::Program::dedupe`]): identifiers (phones, e-mails,
//!   cards, external ids) and fuzzy evidence (names by Jaro-Winkler, birth
//!   date, document number, address) each add a weight from the program's
//!   `[merge]` section; pairs scoring at least `merge.threshold` are the same
//!   customer. Every link is explained piece by piece.
//! * **Protection**: a phone or e-mail shared by people with different given
//!   names counts only as a household; two different verified phones never
//!   end up in one customer; identifiers per customer are capped.
//! * **Survivorship** into a [`GoldenProfile`] that keeps every identifier
//!   and its sources; a [`MergeRecord`] for the audit, with the merge events
//!   the ledger and the tier book take and the log rewrite that unmerges.
//! * **Incremental** matching of one profile against a [`MatchIndex`].
//!
//! ```
//! use loyalty_core::Program;
//! use loyalty_core::identity::{DedupeOptions, Profile};
//!
//! let program = Program::from_toml(r#"
//! schema_version = 1
//! id = "tehran-cafe"
//! currency = "IRR"
//! time_zone = "Asia/Tehran"
//! [merge]
//! region = "IR"
//! "#).unwrap();
//! let profiles: Vec<Profile> = serde_json::from_str(r#"[
//!   {"id": "web-1", "source": "web", "name": "Sara Ahmadi", "emails": "sara.ahmadi@gmail.com"},
//!   {"id": "pos-7", "source": "pos", "name": "سارا احمدی", "phones": "۰۹۱۲ ۳۴۵ ۶۷۸۹"},
//!   {"id": "app-3", "source": "app", "name": "سارا احمدي", "phones": "+98 912 345 6789",
//!    "emails": "Sara.Ahmadi+app@gmail.com"}
//! ]"#).unwrap();
//! let answer = program.dedupe(&profiles, DedupeOptions::default()).unwrap();
//! assert_eq!(answer.stats.customers, 1);
//! assert!(answer.cluster_of.iter().all(|c| c == &answer.clusters[0].id));
//! ```

mod batch;
mod compare;
mod golden;
mod index;
mod merge;
mod normalize;
mod phone_db;
pub(crate) mod policy;
mod profile;

pub use batch::{
    Cluster, Dedupe, DedupeOptions, DedupeRequest, DedupeStats, Link, PROTECTION_CODES, Protection,
};
pub use compare::{Evidence, Level, bits_text};
pub use golden::{GoldenProfile, GoldenValue, Identifier};
pub use index::{MatchDecision, MatchIndex};
pub use merge::{LinkRecord, MergeRecord};
pub use normalize::{
    REJECTED_CODES, Rejected, fold_digits, normalize_date, normalize_date_in, normalize_email,
    normalize_name, normalize_phone, normalize_text,
};
pub use policy::{
    IdentifierKind, LevelsFile, MergeFile, SURVIVOR_FIELDS, SurvivorRule, SurvivorshipFile,
    WeightsFile,
};
pub use profile::{Contact, NormalContact, NormalizedProfile, Profile, RejectedValue};

use crate::Program;
use crate::accrual::RequestError;

/// The kinds of value [`Program::normalize_value`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// A phone number, to E.164.
    Phone,
    /// An e-mail address, to its mailbox.
    Email,
    /// A name, to its matching spelling.
    Name,
    /// A date, to `YYYY-MM-DD`.
    Date,
}

impl ValueKind {
    /// The kind named `phone`, `email`, `name` or `date`.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "phone" => Self::Phone,
            "email" => Self::Email,
            "name" => Self::Name,
            "date" => Self::Date,
            _ => return None,
        })
    }
}

/// Two profiles compared ([`Program::compare_profiles`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct ProfileComparison {
    /// Sum of the evidence weights, as text.
    #[serde(serialize_with = "compare::bits")]
    #[schemars(with = "String")]
    pub score: f64,
    /// Whether they are one customer: the threshold reached, with
    /// `merge.corroboration` of agreeing evidence besides names.
    pub linked: bool,
    /// Every piece of evidence, in comparison order.
    pub evidence: Vec<Evidence>,
}

impl Program {
    /// Finds which of `profiles` are the same customer (see the [module docs](self)).
    pub fn dedupe(
        &self,
        profiles: &[Profile],
        options: DedupeOptions,
    ) -> Result<Dedupe, RequestError> {
        batch::dedupe(&self.merge, profiles, options)
    }

    /// One typed value normalized under the program's merge policy (its
    /// phone region, calendar and blocklist), as matching would use it.
    pub fn normalize_value(&self, kind: ValueKind, text: &str) -> Result<String, Rejected> {
        let policy = &self.merge;
        match kind {
            ValueKind::Phone => normalize_phone(
                text,
                policy.region.as_deref().unwrap_or("ZZ"),
                &policy.phone_blocklist,
            ),
            ValueKind::Email => normalize_email(text, &policy.blocklist),
            ValueKind::Date => normalize_date_in(text, policy.calendar, &policy.blocklist),
            ValueKind::Name => Ok(normalize_name(text)),
        }
    }

    /// `profile` normalized as matching sees it.
    pub fn normalize_profile(&self, profile: &Profile) -> NormalizedProfile {
        NormalizedProfile::new(profile, &self.merge)
    }

    /// An empty incremental index under this program's merge policy.
    pub fn match_index(&self) -> MatchIndex {
        MatchIndex::new(self.merge.clone())
    }

    /// The score of two normalized profiles (as text, see [`bits_text`]) and
    /// whether they link.
    pub(crate) fn score_normalized(
        &self,
        a: &NormalizedProfile,
        b: &NormalizedProfile,
    ) -> (String, bool) {
        let score = compare::compare(&self.merge, a, b, &mut ());
        (bits_text(score.total), score.links(&self.merge))
    }

    /// Compares two profiles: the score, whether they link (threshold and
    /// corroboration), and every piece of evidence.
    pub fn compare_profiles(&self, a: &Profile, b: &Profile) -> ProfileComparison {
        let (na, nb) = (
            NormalizedProfile::new(a, &self.merge),
            NormalizedProfile::new(b, &self.merge),
        );
        let mut evidence = Vec::new();
        let score = compare::compare(&self.merge, &na, &nb, &mut evidence);
        ProfileComparison {
            score: score.total,
            linked: score.links(&self.merge),
            evidence,
        }
    }
}
