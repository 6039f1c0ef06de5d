//! Warnings about programs that load but probably do not do what was meant.

use super::Program;
use crate::program::compile_types::Effect;

/// A warning about a program that loads but probably does not do what was meant.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct ProgramWarning {
    /// Stable snake_case code.
    pub code: &'static str,
    /// Path of the setting it is about.
    pub path: String,
    /// Human-readable explanation.
    pub message: String,
}

/// Every warning code [`Program::check`] can give.
pub const PROGRAM_WARNING_CODES: &[&str] = &[
    "unreachable_tier",
    "retain_above_entry",
    "tier_out_of_order",
    "unknown_tier",
    "tier_multiplier_twice",
];

impl Program {
    /// Warnings about settings that are valid but probably not meant: a tier
    /// no member can reach (more visits than the window has days, points
    /// when nothing earns any), retention above entry, a tier needing less
    /// than the one below it, a rule naming a tier the program does not have,
    /// a multiplier rule for a tier whose benefits already multiply.
    pub fn check(&self) -> Vec<ProgramWarning> {
        let mut out = Vec::new();
        if let Some(t) = &self.tiers {
            let earns = self.rules.iter().any(|r| {
                matches!(
                    r.effect,
                    Effect::Rate { .. } | Effect::Bonus { .. } | Effect::Event { .. }
                )
            });
            crate::tiers::policy::check_tiers(t, earns, &mut out);
        }
        for (i, rule) in self.file.earn_rules.iter().enumerate() {
            for (k, tier) in rule.when.tiers.iter().flatten().enumerate() {
                let known = self
                    .tiers
                    .as_ref()
                    .is_some_and(|t| t.index_of(tier).is_some());
                let doubled = rule.multiplier.is_some()
                    && self.tiers.as_ref().is_some_and(|t| {
                        t.index_of(tier)
                            .and_then(|i| t.levels.get(i))
                            .is_some_and(|l| l.multiplier.is_some())
                    });
                if doubled {
                    out.push(ProgramWarning {
                        code: "tier_multiplier_twice",
                        path: format!("earn_rules[{i}].when.tiers[{k}]"),
                        message: format!(
                            "multiplier rule `{}` applies to tier `{tier}`, whose benefits already multiply its points: members of it get both",
                            rule.id
                        ),
                    });
                }
                if !known {
                    out.push(ProgramWarning {
                        code: "unknown_tier",
                        path: format!("earn_rules[{i}].when.tiers[{k}]"),
                        message: format!(
                            "rule `{}` names tier `{tier}`, which the program does not define, so it never fires for it",
                            rule.id
                        ),
                    });
                }
            }
        }
        out
    }
}
