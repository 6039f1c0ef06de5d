//! Calendars for program periods, campaign windows and birthdays.
//!
//! Every conversion goes through ICU4X's `icu_calendar`; there are no
//! hand-written month tables here. Dates on the wire are ISO (Gregorian)
//! `YYYY-MM-DD` unless a field says which calendar it is written in.

use chrono::{Datelike, NaiveDate};
use icu_calendar::cal::{Hijri, Persian};
use icu_calendar::{AsCalendar, Date, Iso};
use serde::{Deserialize, Serialize};

/// A calendar a program can count its dates in.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum CalendarKind {
    /// The proleptic Gregorian calendar (ISO 8601).
    #[default]
    Gregorian,
    /// The Solar Hijri calendar used in Iran and Afghanistan.
    Persian,
    /// The Islamic calendar as published by Saudi Arabia (Umm al-Qura).
    IslamicUmmAlQura,
}

impl CalendarKind {
    /// The name used in program files and counter keys.
    pub fn name(self) -> &'static str {
        match self {
            Self::Gregorian => "gregorian",
            Self::Persian => "persian",
            Self::IslamicUmmAlQura => "islamic-umm-al-qura",
        }
    }
}

/// A date as written in some calendar: year, month (1-based ordinal), day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CalendarDate {
    /// The calendar's own (extended) year number, e.g. 1404 in the Persian calendar.
    pub year: i32,
    /// Month ordinal, 1 to 12 in the three supported calendars.
    pub month: u8,
    /// Day of the month, from 1.
    pub day: u8,
}

impl std::fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl CalendarDate {
    /// Parses `YYYY-MM-DD` (without checking it exists in any calendar).
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if parts.next().is_some() || !digits(y, 4) || !digits(m, 2) || !digits(d, 2) {
            return None;
        }
        Some(Self {
            year: y.parse().ok()?,
            month: m.parse().ok()?,
            day: d.parse().ok()?,
        })
    }
}

fn iso(date: NaiveDate) -> Option<Date<Iso>> {
    let month = u8::try_from(date.month()).ok()?;
    let day = u8::try_from(date.day()).ok()?;
    Date::try_new_iso(date.year(), month, day).ok()
}

fn parts<A: AsCalendar>(d: &Date<A>) -> CalendarDate {
    CalendarDate {
        year: d.year().extended_year(),
        month: d.month().ordinal,
        day: d.day_of_month().0,
    }
}

fn to_naive<A: AsCalendar>(d: &Date<A>) -> Option<NaiveDate> {
    let i = d.to_calendar(Iso);
    NaiveDate::from_ymd_opt(
        i.year().extended_year(),
        u32::from(i.month().ordinal),
        u32::from(i.day_of_month().0),
    )
}

/// The date `date` (ISO) as written in `kind`.
pub fn from_iso(kind: CalendarKind, date: NaiveDate) -> Option<CalendarDate> {
    let d = iso(date)?;
    Some(match kind {
        CalendarKind::Gregorian => parts(&d),
        CalendarKind::Persian => parts(&d.to_calendar(Persian::new())),
        CalendarKind::IslamicUmmAlQura => parts(&d.to_calendar(Hijri::new_umm_al_qura())),
    })
}

/// The ISO date of a date written in `kind`; `None` when that date does not exist
/// (month 13, day 31 of a 30-day month, a leap day in a common year).
pub fn to_iso(kind: CalendarKind, date: CalendarDate) -> Option<NaiveDate> {
    let CalendarDate { year, month, day } = date;
    match kind {
        CalendarKind::Gregorian => NaiveDate::from_ymd_opt(year, u32::from(month), u32::from(day)),
        CalendarKind::Persian => to_naive(&Date::try_new_persian(year, month, day).ok()?),
        CalendarKind::IslamicUmmAlQura => to_naive(
            &Date::try_new_hijri_with_calendar(year, month, day, Hijri::new_umm_al_qura()).ok()?,
        ),
    }
}

/// Number of days in `month` of `year` in `kind`.
pub fn days_in_month(kind: CalendarKind, year: i32, month: u8) -> Option<u8> {
    let first = CalendarDate {
        year,
        month,
        day: 1,
    };
    let iso_first = to_iso(kind, first)?;
    Some(match kind {
        CalendarKind::Gregorian => iso(iso_first)?.days_in_month(),
        CalendarKind::Persian => iso(iso_first)?.to_calendar(Persian::new()).days_in_month(),
        CalendarKind::IslamicUmmAlQura => iso(iso_first)?
            .to_calendar(Hijri::new_umm_al_qura())
            .days_in_month(),
    })
}

/// The anniversary in `year` of a date that fell on `month`/`day`: the same day
/// of the same month, or the month's last day when `year`'s month is shorter
/// (a 30 Esfand or 29 February birthday is celebrated on the last day).
pub fn anniversary(kind: CalendarKind, year: i32, month: u8, day: u8) -> Option<NaiveDate> {
    let last = days_in_month(kind, year, month)?;
    to_iso(
        kind,
        CalendarDate {
            year,
            month,
            day: day.min(last),
        },
    )
}

/// The first instant (ms since the epoch) of a local date in `tz`: midnight,
/// or 01:00 or later when a daylight-saving jump skips midnight.
pub(crate) fn local_midnight(tz: chrono_tz::Tz, date: NaiveDate) -> Option<i64> {
    use chrono::TimeZone;
    (0..3).find_map(|h| {
        let t = date.and_hms_opt(h, 0, 0)?;
        tz.from_local_datetime(&t)
            .earliest()
            .map(|dt| dt.timestamp_millis())
    })
}

/// Months since year 0 of `kind` of a date in that calendar (year × 12 + month − 1).
pub(crate) fn month_index(date: CalendarDate) -> Option<i64> {
    i64::from(date.year)
        .checked_mul(12)?
        .checked_add(i64::from(date.month).checked_sub(1)?)
}

/// The first instant (ms since the epoch) in `tz` of month `index` (see
/// [`month_index`]) of `kind`.
pub(crate) fn month_start(kind: CalendarKind, tz: chrono_tz::Tz, index: i64) -> Option<i64> {
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month = u8::try_from(index.rem_euclid(12).checked_add(1)?).ok()?;
    local_midnight(
        tz,
        to_iso(
            kind,
            CalendarDate {
                year,
                month,
                day: 1,
            },
        )?,
    )
}

/// The local date of an instant (ms since the epoch) in `tz`.
pub(crate) fn local_date(tz: chrono_tz::Tz, at: i64) -> Option<NaiveDate> {
    use chrono::TimeZone;
    tz.timestamp_millis_opt(at).single().map(|t| t.date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn nowruz_is_first_of_farvardin() {
        // Nowruz 1404 fell on 21 March 2025.
        let p = from_iso(CalendarKind::Persian, ymd(2025, 3, 21)).unwrap();
        assert_eq!(
            p,
            CalendarDate {
                year: 1404,
                month: 1,
                day: 1
            }
        );
        assert_eq!(to_iso(CalendarKind::Persian, p), Some(ymd(2025, 3, 21)));
    }

    #[test]
    fn ramadan_1446_in_umm_al_qura() {
        // 1 Ramadan 1446 AH was 1 March 2025 in Saudi Arabia.
        let d = CalendarDate {
            year: 1446,
            month: 9,
            day: 1,
        };
        assert_eq!(
            to_iso(CalendarKind::IslamicUmmAlQura, d),
            Some(ymd(2025, 3, 1))
        );
    }

    #[test]
    fn impossible_dates_are_none() {
        assert_eq!(
            to_iso(
                CalendarKind::Gregorian,
                CalendarDate {
                    year: 2025,
                    month: 2,
                    day: 29
                }
            ),
            None
        );
        assert_eq!(
            to_iso(
                CalendarKind::Persian,
                CalendarDate {
                    year: 1404,
                    month: 13,
                    day: 1
                }
            ),
            None
        );
        assert_eq!(
            to_iso(
                CalendarKind::Persian,
                CalendarDate {
                    year: 1404,
                    month: 7,
                    day: 31
                }
            ),
            None
        );
    }

    #[test]
    fn leap_day_anniversary_falls_back_to_month_end() {
        assert_eq!(
            anniversary(CalendarKind::Gregorian, 2025, 2, 29),
            Some(ymd(2025, 2, 28))
        );
        assert_eq!(
            anniversary(CalendarKind::Gregorian, 2024, 2, 29),
            Some(ymd(2024, 2, 29))
        );
    }

    #[test]
    fn parse_requires_padded_fields() {
        assert_eq!(
            CalendarDate::parse("1404-12-01"),
            Some(CalendarDate {
                year: 1404,
                month: 12,
                day: 1
            })
        );
        assert_eq!(CalendarDate::parse("1404-1-01"), None);
        assert_eq!(CalendarDate::parse("1404-01-01-01"), None);
        assert_eq!(CalendarDate::parse("2026-+3-01"), None);
    }
}

#[cfg(test)]
mod zone_tests {
    use chrono_tz::Tz;

    /// The zone list in `.cargo/config.toml` must carry every market we sell in.
    #[test]
    fn the_markets_time_zones_are_carried() {
        for zone in [
            "Asia/Tehran",
            "Asia/Riyadh",
            "Asia/Dubai",
            "Asia/Kuwait",
            "Africa/Cairo",
            "Europe/Istanbul",
            "UTC",
        ] {
            assert!(
                zone.parse::<Tz>().is_ok(),
                "{zone} is missing from the build's zone list"
            );
        }
    }
}
