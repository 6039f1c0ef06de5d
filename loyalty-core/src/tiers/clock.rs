//! Windows and evaluation instants in the program's calendar and time zone.
//!
//! Every window starts at a local midnight: the start of a calendar month
//! or year, an anniversary of the member's first day, or (for the current
//! rolling window) the same day `months` months back. Evaluation instants
//! are the starts of months, quarters or years, or anniversaries.

use chrono::NaiveDate;
use chrono_tz::Tz;

use super::policy::Window;
use crate::calendar::{self, CalendarDate, CalendarKind};

#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    pub(crate) tz: Tz,
    pub(crate) calendar: CalendarKind,
    pub(crate) window: Window,
}

impl Clock {
    fn date(&self, at: i64) -> Option<CalendarDate> {
        calendar::from_iso(self.calendar, calendar::local_date(self.tz, at)?)
    }

    /// Months since year 0 of the calendar, of the local date of `at`.
    fn month_index(&self, at: i64) -> Option<i64> {
        calendar::month_index(self.date(at)?)
    }

    /// The first instant of month `index`.
    fn month_start(&self, index: i64) -> Option<i64> {
        calendar::month_start(self.calendar, self.tz, index)
    }

    /// The first instant of the local date `days` days after that of `at`.
    pub(crate) fn days_after(&self, at: i64, days: u32) -> Option<i64> {
        let date = calendar::local_date(self.tz, at)?;
        calendar::local_midnight(
            self.tz,
            date.checked_add_days(chrono::Days::new(u64::from(days)))?,
        )
    }

    /// The local date of `at`, `months` months back in the calendar (the
    /// month's last day when it is shorter).
    fn months_back(&self, at: i64, months: u32) -> Option<NaiveDate> {
        let d = self.date(at)?;
        let index = self.month_index(at)?.checked_sub(i64::from(months))?;
        let year = i32::try_from(index.div_euclid(12)).ok()?;
        let month = u8::try_from(index.rem_euclid(12).checked_add(1)?).ok()?;
        calendar::anniversary(self.calendar, year, month, d.day)
    }

    /// The `k`-th anniversary of the member's first day (k = 0: that day).
    fn anniversary(&self, join: i64, k: i64) -> Option<i64> {
        let d = self.date(join)?;
        let year = i32::try_from(i64::from(d.year).checked_add(k)?).ok()?;
        calendar::local_midnight(
            self.tz,
            calendar::anniversary(self.calendar, year, d.month, d.day)?,
        )
    }

    /// Which anniversary year `at` falls in: the largest k with anniversary k <= at.
    fn anniversary_number(&self, join: i64, at: i64) -> Option<i64> {
        let years = i64::from(self.date(at)?.year).checked_sub(i64::from(self.date(join)?.year))?;
        let mut k = years.checked_add(1)?;
        while k > 0 && self.anniversary(join, k)? > at {
            k = k.checked_sub(1)?;
        }
        Some(k.max(0))
    }

    /// The first evaluation instant after `at` (none for a lifetime window).
    pub(crate) fn next_evaluation(&self, at: i64, join: i64) -> Option<i64> {
        let every = match self.window {
            Window::Rolling { every, .. } => i64::from(every),
            Window::CalendarYear => 12,
            Window::MembershipYear => {
                let k = self.anniversary_number(join, at)?;
                return self.anniversary(join, k.checked_add(1)?);
            }
            Window::Lifetime => return None,
        };
        let i = self.month_index(at)?;
        let next = i.checked_sub(i.rem_euclid(every))?.checked_add(every)?;
        self.month_start(next)
    }

    /// The first instant of the window an evaluation at `at` looks at (the
    /// window ends just before `at`).
    pub(crate) fn evaluated_from(&self, at: i64, join: i64) -> Option<i64> {
        match self.window {
            Window::Rolling { months, .. } => {
                self.month_start(self.month_index(at)?.checked_sub(i64::from(months))?)
            }
            Window::CalendarYear => self.month_start(self.month_index(at)?.checked_sub(12)?),
            Window::MembershipYear => {
                let k = self.anniversary_number(join, at)?;
                self.anniversary(join, k.checked_sub(1)?.max(0))
            }
            Window::Lifetime => Some(i64::MIN),
        }
    }

    /// The first instant of the window that holds `at` (`i64::MIN` for lifetime).
    pub(crate) fn current_from(&self, at: i64, join: i64) -> Option<i64> {
        match self.window {
            Window::Rolling { months, .. } => {
                calendar::local_midnight(self.tz, self.months_back(at, months)?)
            }
            Window::CalendarYear => {
                let i = self.month_index(at)?;
                self.month_start(i.checked_sub(i.rem_euclid(12))?)
            }
            Window::MembershipYear => self.anniversary(join, self.anniversary_number(join, at)?),
            Window::Lifetime => Some(i64::MIN),
        }
    }

    /// When the window holding `at` closes and its metrics start over (none
    /// for rolling and lifetime windows, which never close).
    pub(crate) fn current_until(&self, at: i64, join: i64) -> Option<i64> {
        match self.window {
            Window::CalendarYear | Window::MembershipYear => self.next_evaluation(at, join),
            Window::Rolling { .. } | Window::Lifetime => None,
        }
    }
}
