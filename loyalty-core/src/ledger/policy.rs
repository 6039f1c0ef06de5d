//! The ledger section of a program, compiled: when points become available,
//! when they expire, what refunds do, and what paying with points allows.

use chrono::TimeZone;
use chrono_tz::Tz;
use rust_decimal::Decimal;

use super::amount::Amount;
use crate::calendar::{self, CalendarKind};
use crate::program::format::{ExpiryPeriod, RestoreExpiry, Shortfall};

pub(crate) const DAY_MS: i64 = 86_400_000;

/// The compiled ledger policy of a program.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LedgerPolicy {
    pub(crate) pending_ms: i64,
    pub(crate) after_ms: Option<i64>,
    pub(crate) end_of: Option<(ExpiryPeriod, u32)>,
    pub(crate) inactivity_ms: Option<i64>,
    pub(crate) shortfall: Shortfall,
    pub(crate) restore: RestoreExpiry,
    pub(crate) redemption: Option<Redemption>,
    pub(crate) tz: Tz,
    pub(crate) calendar: CalendarKind,
    /// Decimal places of points (the program's rounding scale).
    pub(crate) scale: u32,
    pub(crate) rounding: crate::money::RoundingMode,
}

/// The last period [`LedgerPolicy::expires_at_memo`] worked out: its first
/// instant, the next period's, and when points earned in it expire. Never
/// part of a ledger's value: two ledgers differing only here are equal.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ExpiryMemo(Option<(i64, i64, i64)>);

impl PartialEq for ExpiryMemo {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// Paying with points.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Redemption {
    pub(crate) points: Decimal,
    pub(crate) value: Decimal,
    pub(crate) min_points: Option<Amount>,
    pub(crate) max_points: Option<Amount>,
    pub(crate) max_percent: Option<Decimal>,
}

impl LedgerPolicy {
    /// When points earned at `at` (ms since the epoch) expire, by the fixed
    /// policies (inactivity is not a date fixed at earning).
    pub(crate) fn expires_at(&self, at: i64) -> Option<i64> {
        self.expires_at_memo(at, &mut ExpiryMemo::default())
    }

    /// [`Self::expires_at`], remembering the period of the last call: in a
    /// replay most earnings fall in the period of the one before, and working
    /// a period out (time zone, calendar) is the costly part.
    pub(crate) fn expires_at_memo(&self, at: i64, memo: &mut ExpiryMemo) -> Option<i64> {
        let after = self.after_ms.and_then(|ms| at.checked_add(ms));
        let end = self.end_of.and_then(|(period, n)| match memo.0 {
            Some((from, until, end)) if from <= at && at < until => Some(end),
            _ => {
                let from = self.period_start(at, period, 0)?;
                let until = self.period_start(at, period, 1)?;
                let end = self.period_start(at, period, i64::from(n).checked_add(1)?)?;
                memo.0 = Some((from, until, end));
                Some(end)
            }
        });
        match (after, end) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The first instant of the period `k` periods after the one holding `at`.
    fn period_start(&self, at: i64, period: ExpiryPeriod, k: i64) -> Option<i64> {
        let local = calendar::local_date(self.tz, at)?;
        let d = calendar::from_iso(self.calendar, local)?;
        let months_per = match period {
            ExpiryPeriod::Month => 1,
            ExpiryPeriod::Quarter => 3,
            ExpiryPeriod::Year => 12,
        };
        let index = calendar::month_index(d)?;
        let first = index.checked_sub(index.rem_euclid(months_per))?;
        calendar::month_start(
            self.calendar,
            self.tz,
            first.checked_add(months_per.checked_mul(k)?)?,
        )
    }

    /// The instant as RFC 3339 in the program's time zone; in UTC when the
    /// zone's offset then had seconds (local mean time before ~1950), which
    /// RFC 3339 cannot write.
    pub(crate) fn format(&self, at: i64) -> String {
        use chrono::Offset;
        let Some(t) = self.tz.timestamp_millis_opt(at).single() else {
            return at.to_string();
        };
        if t.offset().fix().local_minus_utc().rem_euclid(60) == 0 {
            t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
        } else {
            t.with_timezone(&chrono::Utc)
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
        }
    }

    /// Points rounded to the program's scale with its rounding mode.
    pub(crate) fn round_points(&self, d: Decimal) -> Amount {
        Amount::from_decimal(self.rounding.round(d, self.scale.min(super::amount::SCALE)))
            .unwrap_or_default()
    }

    pub(crate) fn day_ms(days: u32) -> i64 {
        i64::from(days).saturating_mul(DAY_MS)
    }
}
