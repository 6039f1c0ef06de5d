//! FEBRL record-linkage data as profiles, and pair- and cluster-level
//! precision, recall and F1 of a deduplication against the truth.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use loyalty_core::identity::Profile;

/// One FEBRL file read as profiles, with each record's true entity.
pub struct Records {
    /// The profiles, in file order.
    pub profiles: Vec<Profile>,
    /// The true entity of each profile.
    pub entity: Vec<String>,
}

/// Splits one CSV line (FEBRL files quote nothing, but allow for quotes).
fn fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn opt(v: Option<&String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// Reads a FEBRL CSV (`rec_id,entity_id,given_name,...,soc_sec_id`).
pub fn read(path: &Path) -> Result<Records, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut lines = text.lines();
    let header = fields(lines.next().ok_or("empty file")?);
    let col = |name: &str| header.iter().position(|h| h == name);
    let mut profiles = Vec::new();
    let mut entity = Vec::new();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let f = fields(line);
        let get = |name: &str| opt(col(name).and_then(|i| f.get(i)));
        profiles.push(Profile {
            id: get("rec_id").ok_or("a record without rec_id")?,
            given_name: get("given_name"),
            family_name: get("surname"),
            street_number: get("street_number"),
            street: get("address_1"),
            address_line2: get("address_2"),
            city: get("suburb"),
            postcode: get("postcode"),
            region: get("state"),
            birth_date: get("date_of_birth"),
            national_id: get("soc_sec_id"),
            ..Profile::default()
        });
        entity.push(get("entity_id").ok_or("a record without entity_id")?);
    }
    Ok(Records { profiles, entity })
}

/// Precision, recall and F1 of one level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    /// Found and true over found.
    pub precision: f64,
    /// Found and true over true.
    pub recall: f64,
    /// Their harmonic mean.
    pub f1: f64,
}

fn scores(found: usize, truth: usize, both: usize) -> Scores {
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    let (precision, recall) = (ratio(both, found), ratio(both, truth));
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    Scores {
        precision,
        recall,
        f1,
    }
}

fn groups(labels: &[String]) -> BTreeMap<&str, Vec<usize>> {
    let mut g: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, l) in labels.iter().enumerate() {
        g.entry(l.as_str()).or_default().push(i);
    }
    g
}

fn pairs(labels: &[String]) -> BTreeSet<(usize, usize)> {
    let mut out = BTreeSet::new();
    for members in groups(labels).values() {
        for (x, &a) in members.iter().enumerate() {
            for &b in members.iter().skip(x.saturating_add(1)) {
                out.insert((a.min(b), a.max(b)));
            }
        }
    }
    out
}

/// Pair-level scores: every pair of records put in one customer, against
/// every pair of records of one entity.
pub fn pair_scores(found: &[String], truth: &[String]) -> Scores {
    let (f, t) = (pairs(found), pairs(truth));
    scores(f.len(), t.len(), f.intersection(&t).count())
}

/// Cluster-level scores: found customers whose records are exactly one
/// entity's, over found customers (precision) and over entities (recall).
pub fn cluster_scores(found: &[String], truth: &[String]) -> Scores {
    let set =
        |labels: &[String]| -> BTreeSet<Vec<usize>> { groups(labels).into_values().collect() };
    let (f, t) = (set(found), set(truth));
    scores(f.len(), t.len(), f.intersection(&t).count())
}
