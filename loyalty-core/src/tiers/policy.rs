//! The `[tiers]` section of a program, compiled, and the warnings a program
//! check gives about it.

use rust_decimal::Decimal;

use super::view::{Metrics, Needs};
use crate::error::join;
use crate::program::compile::Checker;
use crate::program::format::{
    BenefitsFile, Combine, CrossingOrder, EvaluateEvery, PointsBasis, RefundDowngrade, Thresholds,
    TierWindow, TiersFile,
};
use crate::program::{ProgramError, ProgramWarning};

/// The compiled tier policy of a program.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TierPolicy {
    pub(crate) window: Window,
    pub(crate) points: PointsBasis,
    pub(crate) crossing: CrossingOrder,
    pub(crate) refunds: RefundDowngrade,
    pub(crate) grace_days: u32,
    pub(crate) one_level_down: bool,
    /// Lowest first.
    pub(crate) levels: Vec<Level>,
}

/// The window qualification counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Window {
    /// The last `months` months, evaluated every `every` months (1, 3 or 12).
    Rolling {
        months: u32,
        every: u32,
    },
    CalendarYear,
    MembershipYear,
    Lifetime,
}

/// One compiled tier.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Level {
    pub(crate) id: String,
    pub(crate) qualify: Req,
    pub(crate) retain: Req,
    /// Whether `retain` was written, rather than taken from `qualify`.
    pub(crate) retain_given: bool,
    pub(crate) multiplier: Option<Decimal>,
    pub(crate) benefits: BenefitsFile,
}

/// Compiled thresholds; none set means always met.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Req {
    pub(crate) spend: Option<Decimal>,
    pub(crate) points: Option<Decimal>,
    pub(crate) orders: Option<u64>,
    pub(crate) visits: Option<u64>,
    pub(crate) combine: Combine,
}

impl Req {
    pub(crate) fn is_empty(&self) -> bool {
        self.spend.is_none()
            && self.points.is_none()
            && self.orders.is_none()
            && self.visits.is_none()
    }

    /// Whether `m` meets the thresholds.
    pub(crate) fn met(&self, m: &Metrics) -> bool {
        let checks = [
            self.spend.map(|t| m.spend >= t),
            self.points.map(|t| m.points >= t),
            self.orders.map(|t| m.orders >= t),
            self.visits.map(|t| m.visits >= t),
        ];
        let mut given = checks.iter().flatten().peekable();
        if given.peek().is_none() {
            return true;
        }
        match self.combine {
            Combine::All => given.all(|ok| *ok),
            Combine::Any => given.any(|ok| *ok),
        }
    }

    /// The thresholds set in both that are higher here than in `other`.
    pub(crate) fn above(&self, other: &Self) -> Vec<&'static str> {
        let dec =
            |a: Option<Decimal>, b: Option<Decimal>| matches!((a, b), (Some(a), Some(b)) if a > b);
        let num = |a: Option<u64>, b: Option<u64>| matches!((a, b), (Some(a), Some(b)) if a > b);
        [
            ("spend", dec(self.spend, other.spend)),
            ("points", dec(self.points, other.points)),
            ("orders", num(self.orders, other.orders)),
            ("visits", num(self.visits, other.visits)),
        ]
        .into_iter()
        .filter_map(|(name, higher)| higher.then_some(name))
        .collect()
    }

    /// What `m` still lacks, threshold by threshold.
    pub(crate) fn needs(&self, m: &Metrics) -> Needs {
        let dec = |t: Decimal, v: Decimal| t.checked_sub(v).unwrap_or_default().max(Decimal::ZERO);
        Needs {
            spend: self.spend.map(|t| dec(t, m.spend)),
            points: self.points.map(|t| dec(t, m.points)),
            orders: self.orders.map(|t| t.saturating_sub(m.orders)),
            visits: self.visits.map(|t| t.saturating_sub(m.visits)),
        }
    }
}

impl TierPolicy {
    pub(crate) fn level(&self, ix: Option<usize>) -> Option<&Level> {
        ix.and_then(|i| self.levels.get(i))
    }

    pub(crate) fn index_of(&self, id: &str) -> Option<usize> {
        self.levels.iter().position(|l| l.id == id)
    }

    /// Whether the first tier is held by every member (it has no thresholds).
    pub(crate) fn has_base(&self) -> bool {
        self.levels.first().is_some_and(|l| l.qualify.is_empty())
    }

    /// The highest tier whose entry thresholds `m` meets.
    pub(crate) fn reached(&self, m: &Metrics) -> Option<usize> {
        self.levels.iter().rposition(|l| l.qualify.met(m))
    }

    /// The highest tier at or below `below` (exclusive) whose retention `m` meets.
    pub(crate) fn retained_below(&self, below: usize, m: &Metrics) -> Option<usize> {
        self.levels
            .get(..below)
            .and_then(|ls| ls.iter().rposition(|l| l.retain.met(m)))
    }
}

fn compile_req(c: &mut Checker, path: &str, t: &Thresholds) -> Req {
    let mut dec = |name: &str, v: &Option<crate::money::DecimalText>| {
        v.as_ref()
            .and_then(|text| c.non_negative(join(path, name), text))
    };
    Req {
        spend: dec("spend", &t.spend),
        points: dec("points", &t.points),
        orders: t.orders.map(u64::from),
        visits: t.visits.map(u64::from),
        combine: t.combine,
    }
}

/// Checks the `[tiers]` section.
pub(crate) fn compile_tiers(c: &mut Checker, t: &TiersFile) -> TierPolicy {
    let window = match t.window {
        TierWindow::Rolling => {
            let months = match t.months {
                Some(m @ 1..=120) => m,
                other => {
                    c.push(ProgramError::InvalidWindow {
                        path: "tiers.months".to_owned(),
                        message: match other {
                            None => "a rolling window needs `months`".to_owned(),
                            Some(m) => format!("{m} months is out of range, use 1 to 120"),
                        },
                    });
                    12
                }
            };
            let every = match t.evaluate.unwrap_or_default() {
                EvaluateEvery::Month => 1,
                EvaluateEvery::Quarter => 3,
                EvaluateEvery::Year => 12,
            };
            Window::Rolling { months, every }
        }
        other => {
            for (name, given) in [
                ("months", t.months.is_some()),
                ("evaluate", t.evaluate.is_some()),
            ] {
                if given {
                    c.push(ProgramError::InvalidWindow {
                        path: join("tiers", name),
                        message: format!("`{name}` only applies to a rolling window"),
                    });
                }
            }
            match other {
                TierWindow::CalendarYear => Window::CalendarYear,
                TierWindow::MembershipYear => Window::MembershipYear,
                _ => Window::Lifetime,
            }
        }
    };
    // A grace period must end before the next evaluation can start another.
    let shortest_period_days = match window {
        Window::Rolling { every, .. } => every.saturating_mul(28),
        Window::CalendarYear | Window::MembershipYear => 12 * 28,
        Window::Lifetime => u32::MAX,
    };
    if t.grace_days >= shortest_period_days {
        c.push(ProgramError::InvalidWindow {
            path: "tiers.grace_days".to_owned(),
            message: format!(
                "a grace period of {} days can outlast the evaluation period; use fewer than {shortest_period_days}",
                t.grace_days
            ),
        });
    }
    if t.levels.is_empty() {
        c.push(ProgramError::EmptyList {
            path: "tiers.levels".to_owned(),
        });
    }
    let mut levels = Vec::with_capacity(t.levels.len());
    for (i, l) in t.levels.iter().enumerate() {
        let path = format!("tiers.levels[{i}]");
        c.identifier(join(&path, "id"), &l.id);
        if t.levels
            .get(..i)
            .is_some_and(|before| before.iter().any(|b| b.id == l.id))
        {
            c.push(ProgramError::DuplicateTierId {
                path: join(&path, "id"),
                id: l.id.clone(),
            });
        }
        if i > 0 && l.qualify.is_empty() {
            c.push(ProgramError::MissingThreshold {
                path: join(&path, "qualify"),
            });
        }
        let qualify = compile_req(c, &join(&path, "qualify"), &l.qualify);
        let retain = match &l.retain {
            Some(r) => compile_req(c, &join(&path, "retain"), r),
            None => qualify.clone(),
        };
        let multiplier = l.benefits.multiplier.as_ref().and_then(|m| {
            let p = join(&path, "benefits.multiplier");
            let value = c.decimal(p.clone(), m)?;
            if value < Decimal::ONE {
                c.push(ProgramError::InvalidMultiplier {
                    path: p,
                    value: m.0.clone(),
                });
                return None;
            }
            Some(value)
        });
        for (k, coupon) in l.benefits.coupons.iter().enumerate() {
            c.identifier(format!("{path}.benefits.coupons[{k}]"), coupon);
        }
        levels.push(Level {
            id: l.id.clone(),
            qualify,
            retain,
            retain_given: l.retain.is_some(),
            multiplier,
            benefits: l.benefits.clone(),
        });
    }
    TierPolicy {
        window,
        points: t.points,
        crossing: t.crossing_order,
        refunds: t.refunds,
        grace_days: t.grace_days,
        one_level_down: t.one_level_down,
        levels,
    }
}

/// The most visits (distinct local days) a window can hold.
fn max_visits(window: Window) -> Option<u64> {
    match window {
        Window::Rolling { months, .. } => Some(u64::from(months).saturating_mul(31)),
        Window::CalendarYear | Window::MembershipYear => Some(366),
        Window::Lifetime => None,
    }
}

/// Warnings about the tiers: tiers no member can reach, retention above
/// entry, tiers whose thresholds are lower than the tier below.
pub(crate) fn check_tiers(policy: &TierPolicy, earns_points: bool, out: &mut Vec<ProgramWarning>) {
    let mut warn = |code: &'static str, path: String, message: String| {
        out.push(ProgramWarning {
            code,
            path,
            message,
        });
    };
    for (i, l) in policy.levels.iter().enumerate() {
        let path = format!("tiers.levels[{i}]");
        let written = [("qualify", &l.qualify), ("retain", &l.retain)];
        for (name, req) in written.into_iter().take(if l.retain_given { 2 } else { 1 }) {
            if let (Some(v), Some(max)) = (req.visits, max_visits(policy.window))
                && v > max
            {
                warn(
                    "unreachable_tier",
                    format!("{path}.{name}.visits"),
                    format!(
                        "`{}` needs {v} visits, but the window holds at most {max} days",
                        l.id
                    ),
                );
            }
            if req.points.is_some_and(|p| p > Decimal::ZERO) && !earns_points {
                warn(
                    "unreachable_tier",
                    format!("{path}.{name}.points"),
                    format!(
                        "`{}` needs points, but no rule of the program earns any",
                        l.id
                    ),
                );
            }
        }
        for name in l.retain.above(&l.qualify) {
            warn(
                "retain_above_entry",
                format!("{path}.retain.{name}"),
                format!(
                    "keeping `{}` takes more {name} than reaching it, so members can lose it at the first evaluation after qualifying",
                    l.id
                ),
            );
        }
        let Some(prev) = i.checked_sub(1).and_then(|p| policy.levels.get(p)) else {
            continue;
        };
        for name in prev.qualify.above(&l.qualify) {
            warn(
                "tier_out_of_order",
                format!("{path}.qualify.{name}"),
                format!(
                    "`{}` needs less {name} than `{}` below it; members may reach it first",
                    l.id, prev.id
                ),
            );
        }
    }
}
