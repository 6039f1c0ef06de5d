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
    "weak_codes",
];

/// Codes a campaign's format is checked against: with this many issued, a
/// guess must hit one with a probability of at most 1 in 10⁹.
const CODES_CHECKED: u128 = 1_000_000;
const GUESSES_PER_HIT: u128 = 1_000_000_000;

impl Program {
    /// Warnings about settings that are valid but probably not meant: a tier
    /// no member can reach (more visits than the window has days, points
    /// when nothing earns any), retention above entry, a tier needing less
    /// than the one below it, a rule naming a tier the program does not have,
    /// a multiplier rule for a tier whose benefits already multiply, a coupon
    /// campaign whose generated codes are too easy to guess (more than 1 in
    /// 10⁹ per guess with a million out) or that names an unknown tier.
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
        self.check_coupons(&mut out);
        out
    }

    /// Coupon warnings: generated codes too easy to guess, and conditions
    /// naming tiers the program does not have.
    fn check_coupons(&self, out: &mut Vec<ProgramWarning>) {
        use crate::coupons::policy::CodeSource;
        for k in &self.coupons.campaigns {
            let path = format!("coupons[{}]", k.index);
            if let CodeSource::Generated { format, .. } = &k.source
                && format.space() < CODES_CHECKED.saturating_mul(GUESSES_PER_HIT)
            {
                out.push(ProgramWarning {
                    code: "weak_codes",
                    path: format!("{path}.codes.pattern"),
                    message: format!(
                        "with 1,000,000 codes of campaign `{}` out, a guess hits one with probability {} (pattern `{}` makes {} codes); add `#` until it is 1e-9 or less",
                        k.id,
                        format.guess_probability(1_000_000).per_guess,
                        format.pattern(),
                        format.space()
                    ),
                });
            }
            let Some(tiers) = self
                .file
                .coupons
                .get(k.index)
                .and_then(|f| f.when.tiers.as_ref())
            else {
                continue;
            };
            for (j, tier) in tiers.iter().enumerate() {
                if self
                    .tiers
                    .as_ref()
                    .is_none_or(|t| t.index_of(tier).is_none())
                {
                    out.push(ProgramWarning {
                        code: "unknown_tier",
                        path: format!("{path}.when.tiers[{j}]"),
                        message: format!(
                            "coupon campaign `{}` names tier `{tier}`, which the program does not define, so no member of it can use the campaign",
                            k.id
                        ),
                    });
                }
            }
        }
    }
}
