//! The program's `[insights]`: RFM cut points instead of quintiles, and the
//! segment rules, checked when the program is compiled.
//!
//! ```toml
//! [insights.rfm]
//! recency_days = [7, 30, 90, 180]    # at most 7 days since the last purchase: 5; over 180: 1
//! frequency = [2, 4, 8, 16]          # 16 visits or more: 5; fewer than 2: 1
//! monetary = ["100", "500", "1000", "5000"]
//!
//! [[insights.segments]]
//! name = "champions"
//! recency = [5, 5]
//! frequency = [4, 5]
//!
//! [[insights.segments]]
//! name = "everyone_else"             # the last rule has no conditions
//! ```

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::DecimalText;
use crate::program::ProgramError;
use crate::program::compile::Checker;

/// `[insights]` as written.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InsightsFile {
    /// Cut points for the RFM scores; a score without them is by quintile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rfm: Option<RfmCutsFile>,
    /// Segment rules, tried in order: the first that fits names the
    /// customer, and the last must have no conditions. Without them the
    /// default rules apply (see [`default_segments`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segments: Option<Vec<SegmentRuleFile>>,
}

/// Four cut points per score, in increasing order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RfmCutsFile {
    /// Days since the last purchase: at most the first scores 5, at most
    /// the second 4, the third 3, the fourth 2, more than that 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recency_days: Option<Vec<u32>>,
    /// Visits: at least the fourth scores 5, the third 4, the second 3,
    /// the first 2, fewer 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<Vec<u64>>,
    /// Money spent, as decimal text: at least the fourth scores 5, down to
    /// fewer than the first 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Vec<String>>")]
    pub monetary: Option<Vec<DecimalText>>,
}

/// One segment rule: every condition given must hold.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentRuleFile {
    /// The segment's name (lower-case letters, digits, `-`, `_`).
    pub name: String,
    /// The first purchase was at most this many whole days ago.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_purchase_within_days: Option<u32>,
    /// The last purchase was more than this many whole days ago.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_purchase_for_days: Option<u32>,
    /// Visits, `[least, most]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visits: Option<[u64; 2]>,
    /// Recency score, `[least, most]`, 1 to 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recency: Option<[u8; 2]>,
    /// Frequency score, `[least, most]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<[u8; 2]>,
    /// Monetary score, `[least, most]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monetary: Option<[u8; 2]>,
}

impl SegmentRuleFile {
    fn has_conditions(&self) -> bool {
        self.first_purchase_within_days.is_some()
            || self.no_purchase_for_days.is_some()
            || self.visits.is_some()
            || self.recency.is_some()
            || self.frequency.is_some()
            || self.monetary.is_some()
    }
}

/// Compiled `[insights]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InsightsPolicy {
    pub(crate) recency_days: Option<[i64; 4]>,
    pub(crate) frequency: Option<[u64; 4]>,
    pub(crate) monetary: Option<[Decimal; 4]>,
    pub(crate) segments: Vec<SegmentRuleFile>,
}

impl Default for InsightsPolicy {
    fn default() -> Self {
        Self {
            recency_days: None,
            frequency: None,
            monetary: None,
            segments: default_segments(),
        }
    }
}

/// What one customer is judged on.
pub(crate) struct Facts {
    pub(crate) visits: u64,
    pub(crate) days_since_first: i64,
    pub(crate) days_since_last: i64,
    pub(crate) scores: [u8; 3],
}

impl InsightsPolicy {
    /// The name of the first segment rule `facts` fit.
    pub(crate) fn segment(&self, facts: &Facts) -> &str {
        let within = |score: u8, range: Option<[u8; 2]>| {
            range.is_none_or(|[lo, hi]| (lo..=hi).contains(&score))
        };
        let [r, f, m] = facts.scores;
        self.segments
            .iter()
            .find(|s| {
                s.first_purchase_within_days
                    .is_none_or(|d| facts.days_since_first <= i64::from(d))
                    && s.no_purchase_for_days
                        .is_none_or(|d| facts.days_since_last > i64::from(d))
                    && s.visits
                        .is_none_or(|[lo, hi]| (lo..=hi).contains(&facts.visits))
                    && within(r, s.recency)
                    && within(f, s.frequency)
                    && within(m, s.monetary)
            })
            .map_or("", |s| s.name.as_str())
    }

    /// The segment names, in the order they are tried.
    pub(crate) fn segment_names(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().map(|s| s.name.as_str())
    }
}

fn rule(name: &str) -> SegmentRuleFile {
    SegmentRuleFile {
        name: name.to_owned(),
        ..SegmentRuleFile::default()
    }
}

/// The segment rules without `[[insights.segments]]`: `new` (first purchase
/// within 30 days), `lapsed` (no purchase for more than 180 days),
/// `one_time` (one visit), `vip` (every score 4 or 5), `loyal` (frequency 4
/// or 5), `at_risk` (recency 1 or 2 with frequency 3 or more),
/// `hibernating` (recency 1 or 2) and `regular` (everyone else).
pub fn default_segments() -> Vec<SegmentRuleFile> {
    vec![
        SegmentRuleFile {
            first_purchase_within_days: Some(30),
            ..rule("new")
        },
        SegmentRuleFile {
            no_purchase_for_days: Some(180),
            ..rule("lapsed")
        },
        SegmentRuleFile {
            visits: Some([1, 1]),
            ..rule("one_time")
        },
        SegmentRuleFile {
            recency: Some([4, 5]),
            frequency: Some([4, 5]),
            monetary: Some([4, 5]),
            ..rule("vip")
        },
        SegmentRuleFile {
            frequency: Some([4, 5]),
            ..rule("loyal")
        },
        SegmentRuleFile {
            recency: Some([1, 2]),
            frequency: Some([3, 5]),
            ..rule("at_risk")
        },
        SegmentRuleFile {
            recency: Some([1, 2]),
            ..rule("hibernating")
        },
        rule("regular"),
    ]
}

/// Four strictly increasing cut points, or an error at `path`.
fn cuts<T: PartialOrd + Copy>(c: &mut Checker, path: &str, values: &[T]) -> Option<[T; 4]> {
    let increasing = values.windows(2).all(|w| matches!(w, [a, b] if a < b));
    match <[T; 4]>::try_from(values) {
        Ok(cuts) if increasing => Some(cuts),
        _ => {
            c.push(ProgramError::CutPointsNotIncreasing {
                path: path.to_owned(),
            });
            None
        }
    }
}

/// Checks and compiles `[insights]`.
pub(crate) fn compile_insights(c: &mut Checker, file: Option<&InsightsFile>) -> InsightsPolicy {
    let Some(file) = file else {
        return InsightsPolicy::default();
    };
    let rfm = file.rfm.clone().unwrap_or_default();
    let recency_days = rfm.recency_days.as_deref().and_then(|v| {
        let v: Vec<i64> = v.iter().map(|d| i64::from(*d)).collect();
        cuts(c, "insights.rfm.recency_days", &v)
    });
    let frequency = rfm
        .frequency
        .as_deref()
        .and_then(|v| cuts(c, "insights.rfm.frequency", v));
    let monetary = rfm.monetary.as_deref().and_then(|v| {
        let parsed: Vec<Decimal> = v
            .iter()
            .enumerate()
            .filter_map(|(i, t)| c.decimal(format!("insights.rfm.monetary[{i}]"), t))
            .collect();
        if parsed.len() != v.len() {
            return None; // already reported
        }
        cuts(c, "insights.rfm.monetary", &parsed)
    });
    let segments = match &file.segments {
        None => default_segments(),
        Some(rules) => {
            check_segments(c, rules);
            rules.clone()
        }
    };
    InsightsPolicy {
        recency_days,
        frequency,
        monetary,
        segments,
    }
}

fn check_segments(c: &mut Checker, rules: &[SegmentRuleFile]) {
    let mut seen = std::collections::BTreeSet::new();
    for (i, s) in rules.iter().enumerate() {
        let path = |field: &str| format!("insights.segments[{i}].{field}");
        c.identifier(path("name"), &s.name);
        if !seen.insert(s.name.as_str()) {
            c.push(ProgramError::DuplicateSegment {
                path: path("name"),
                name: s.name.clone(),
            });
        }
        for (field, range) in [
            ("recency", s.recency),
            ("frequency", s.frequency),
            ("monetary", s.monetary),
        ] {
            if let Some([lo, hi]) = range
                && !(1 <= lo && lo <= hi && hi <= 5)
            {
                c.push(ProgramError::InvalidScoreRange { path: path(field) });
            }
        }
        if let Some([lo, hi]) = s.visits
            && lo > hi
        {
            c.push(ProgramError::InvalidScoreRange {
                path: path("visits"),
            });
        }
    }
    match rules.last() {
        Some(last) if !last.has_conditions() => {}
        _ => c.push(ProgramError::SegmentsNotExhaustive {
            path: "insights.segments".to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use crate::Program;
    use crate::error::Coded;

    fn errors(insights: &str) -> Vec<(String, String)> {
        let toml = format!(
            "schema_version = 1\nid = \"p\"\ncurrency = \"SAR\"\ntime_zone = \"Asia/Riyadh\"\n{insights}"
        );
        match Program::from_toml(&toml) {
            Ok(_) => Vec::new(),
            Err(e) => {
                e.0.iter()
                    .map(|e| (e.code().to_owned(), e.path().to_owned()))
                    .collect()
            }
        }
    }

    fn pair(code: &str, path: &str) -> (String, String) {
        (code.to_owned(), path.to_owned())
    }

    #[test]
    fn cut_points_must_be_four_and_increasing() {
        assert_eq!(
            errors(
                "[insights.rfm]\nrecency_days = [7, 30, 90, 180]\nfrequency = [2, 4, 8, 16]\nmonetary = [\"1\", \"2.5\", \"10\", \"99\"]"
            ),
            []
        );
        assert_eq!(
            errors(
                "[insights.rfm]\nrecency_days = [7, 30, 30, 180]\nfrequency = [2, 4, 8]\nmonetary = [\"1\", \"x\", \"10\", \"99\"]"
            ),
            [
                pair("cut_points_not_increasing", "insights.rfm.recency_days"),
                pair("cut_points_not_increasing", "insights.rfm.frequency"),
                pair("invalid_decimal", "insights.rfm.monetary[1]"),
            ]
        );
    }

    #[test]
    fn segment_rules_are_checked_each_for_its_reason() {
        let file = r#"
[[insights.segments]]
name = "Big Spenders"
monetary = [5, 4]

[[insights.segments]]
name = "quiet"
recency = [0, 2]
visits = [3, 1]

[[insights.segments]]
name = "quiet"
frequency = [1, 6]
"#;
        assert_eq!(
            errors(file),
            [
                pair("invalid_identifier", "insights.segments[0].name"),
                pair("invalid_score_range", "insights.segments[0].monetary"),
                pair("invalid_score_range", "insights.segments[1].recency"),
                pair("invalid_score_range", "insights.segments[1].visits"),
                pair("duplicate_segment", "insights.segments[2].name"),
                pair("invalid_score_range", "insights.segments[2].frequency"),
                pair("segments_not_exhaustive", "insights.segments"),
            ]
        );
        assert_eq!(
            errors("[insights]\nsegments = []"),
            [pair("segments_not_exhaustive", "insights.segments")]
        );
        assert_eq!(errors("[[insights.segments]]\nname = \"all\""), []);
    }
}
