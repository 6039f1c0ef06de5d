//! Normalization of what customers type: phones, e-mails, names and dates.
//!
//! Each function is pure and answers the same on every runtime. Values that
//! cannot be an identifier come back as [`Rejected`] with a stable code, so a
//! batch of a million profiles never fails on one bad phone.

use std::borrow::Cow;

use chrono::Datelike;
use icu_normalizer::{ComposingNormalizerBorrowed, DecomposingNormalizerBorrowed};

use crate::calendar::CalendarKind;
use phonenumber::{Mode, country};
use serde::Serialize;

/// Why a typed value is not used as an identifier.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Rejected {
    /// Empty after normalization.
    Empty,
    /// A placeholder (`0000000000`, `test@test.com`, `1900-01-01`, or one of
    /// the program's `merge.blocklist`): never links anyone.
    Blocklisted,
    /// Not a valid phone number for the region.
    InvalidPhone,
    /// Not an e-mail address.
    InvalidEmail,
    /// Not a calendar date (`YYYY-MM-DD`, `YYYYMMDD` or `YYYY/MM/DD`).
    InvalidDate,
}

impl Rejected {
    /// Stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::Blocklisted => "blocklisted",
            Self::InvalidPhone => "invalid_phone",
            Self::InvalidEmail => "invalid_email",
            Self::InvalidDate => "invalid_date",
        }
    }
}

/// Every code [`Rejected::code`] gives.
pub const REJECTED_CODES: &[&str] = &[
    "empty",
    "blocklisted",
    "invalid_phone",
    "invalid_email",
    "invalid_date",
];

/// Persian (`۰`-`۹`) and Arabic-Indic (`٠`-`٩`) digits as ASCII; other
/// characters unchanged.
pub fn fold_digits(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| persian_digit(c).is_some()) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| persian_digit(c).unwrap_or(c))
            .collect(),
    )
}

fn persian_digit(c: char) -> Option<char> {
    let base = match c {
        '\u{06F0}'..='\u{06F9}' => 0x06F0,
        '\u{0660}'..='\u{0669}' => 0x0660,
        _ => return None,
    };
    char::from_digit(u32::from(c).wrapping_sub(base), 10)
}

/// Phone numbers every shop sees typed as "unknown".
fn placeholder_digits(digits: &str) -> bool {
    let bytes = digits.as_bytes();
    let national = digits.trim_start_matches('0');
    bytes.len() < 5
        || bytes.iter().all(|b| Some(b) == bytes.first())
        || national
            .bytes()
            .all(|b| Some(&b) == national.as_bytes().first())
        || "12345678901234567890".starts_with(national)
        || "98765432109876543210".starts_with(national)
}

/// A phone number in E.164 (`+989123456789`), read in `region` (ISO 3166
/// alpha-2, e.g. `IR`) when it has no country code.
///
/// Accepts Persian and Arabic-Indic digits, spaces, dashes, dots, slashes and
/// parentheses, and `0`, `00` and `+` prefixes. Validity is the phonenumber
/// crate's (a port of Google's libphonenumber metadata). `blocklist` holds
/// E.164 numbers or digit strings that never link.
///
/// ```
/// use loyalty_core::identity::normalize_phone;
/// let e164 = |s| normalize_phone(s, "IR", &[]).unwrap();
/// assert_eq!(e164("۰۹۱۲ ۳۴۵ ۶۷۸۹"), "+989123456789");
/// assert_eq!(e164("+98 912 345 6789"), "+989123456789");
/// assert_eq!(e164("0098-912-345-6789"), "+989123456789");
/// assert_eq!(e164("(0912) 345-6789"), "+989123456789");
/// assert!(normalize_phone("0000000000", "IR", &[]).is_err());
/// ```
pub fn normalize_phone(text: &str, region: &str, blocklist: &[String]) -> Result<String, Rejected> {
    normalize_phone_cached(text, region, blocklist, &mut PhoneCache::default())
}

/// Phones already looked up in one batch, by their digits as typed (after
/// folding and dropping separators): the same number typed again in another
/// digit set or spacing costs a hash lookup, not a libphonenumber parse.
/// A batch worker also has its own copy of the phone metadata
/// ([`super::phone_db`]), so workers do not wait on each other.
#[derive(Default)]
pub(crate) struct PhoneCache {
    answers: crate::ledger::Map<String, Result<String, Rejected>>,
    database: Option<phonenumber::metadata::Database>,
}

impl PhoneCache {
    /// A cache for one of several threads, with its own metadata copy.
    pub(crate) fn for_worker() -> Self {
        Self {
            answers: crate::ledger::Map::default(),
            database: super::phone_db::take(),
        }
    }
}

impl Drop for PhoneCache {
    fn drop(&mut self) {
        if let Some(db) = self.database.take() {
            super::phone_db::give_back(db);
        }
    }
}

/// [`normalize_phone`] with a cache of earlier answers.
pub(crate) fn normalize_phone_cached(
    text: &str,
    region: &str,
    blocklist: &[String],
    cache: &mut PhoneCache,
) -> Result<String, Rejected> {
    let folded = fold_digits(text);
    let mut plus = false;
    let mut digits = String::with_capacity(folded.len());
    for c in folded.trim().chars() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if digits.is_empty() => plus = true,
            ' ' | '-' | '.' | '/' | '(' | ')' | '\u{00A0}' | '\u{200C}' | '\u{200F}'
            | '\u{200E}' => {}
            // Letters ("n/a", "ندارد") are not a phone: set aside, visibly.
            _ => return Err(Rejected::InvalidPhone),
        }
    }
    if digits.is_empty() {
        return Err(Rejected::Empty);
    }
    if placeholder_digits(&digits) {
        return Err(Rejected::Blocklisted);
    }
    let typed = if plus {
        format!("+{digits}")
    } else if let Some(rest) = digits.strip_prefix("00") {
        format!("+{rest}")
    } else {
        digits
    };
    if let Some(answer) = cache.answers.get(&typed) {
        return answer.clone();
    }
    let answer = lookup_phone(&typed, region, blocklist, cache.database.as_ref());
    // The same number typed internationally later reads as its E.164 form:
    // remember it under that too.
    if let Ok(e164) = &answer
        && *e164 != typed
    {
        cache.answers.insert(e164.clone(), answer.clone());
    }
    cache.answers.insert(typed, answer.clone());
    answer
}

/// E.164 of a number typed as digits (with `+` for international), through
/// the phone metadata.
fn lookup_phone(
    typed: &str,
    region: &str,
    blocklist: &[String],
    database: Option<&phonenumber::metadata::Database>,
) -> Result<String, Rejected> {
    let database = database.unwrap_or(&phonenumber::metadata::DATABASE);
    let id = region.parse::<country::Id>().ok();
    let number =
        phonenumber::parse_with(database, id, typed).map_err(|_| Rejected::InvalidPhone)?;
    if !phonenumber::is_valid_with(database, &number) {
        return Err(Rejected::InvalidPhone);
    }
    let e164 = phonenumber::format_with(database, &number)
        .mode(Mode::E164)
        .to_string();
    if blocked(&e164, blocklist) {
        return Err(Rejected::Blocklisted);
    }
    Ok(e164)
}

fn blocked(value: &str, blocklist: &[String]) -> bool {
    blocklist
        .iter()
        .any(|b| b == value || b.trim_start_matches('+') == value.trim_start_matches('+'))
}

/// Addresses shops type when the customer gives none.
const PLACEHOLDER_EMAILS: &[&str] = &[
    "test@test.com",
    "test@example.com",
    "a@a.com",
    "none@none.com",
    "no@email.com",
    "noemail@noemail.com",
    "noreply@noreply.com",
    "email@email.com",
    "info@info.com",
];

/// Domains whose mailboxes ignore `+tags`.
const TAG_DOMAINS: &[&str] = &[
    "gmail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "icloud.com",
    "me.com",
    "proton.me",
    "protonmail.com",
    "fastmail.com",
    "yandex.ru",
];

/// An e-mail address as its mailbox: trimmed and lower-cased; for providers
/// that ignore them, `+tags` dropped (Gmail, Outlook, iCloud, ...) and dots
/// in the local part dropped (Gmail only; `googlemail.com` is `gmail.com`).
///
/// ```
/// use loyalty_core::identity::normalize_email;
/// assert_eq!(normalize_email(" Sara.Ahmadi+shop@GoogleMail.com ", &[]).unwrap(), "saraahmadi@gmail.com");
/// assert_eq!(normalize_email("sara.ahmadi+shop@example.ir", &[]).unwrap(), "sara.ahmadi+shop@example.ir");
/// assert!(normalize_email("test@test.com", &[]).is_err());
/// ```
pub fn normalize_email(text: &str, blocklist: &[String]) -> Result<String, Rejected> {
    let nfkc = ComposingNormalizerBorrowed::new_nfkc().normalize(text.trim());
    let lower = nfkc.to_lowercase();
    if lower.is_empty() {
        return Err(Rejected::Empty);
    }
    let Some((local, domain)) = lower.rsplit_once('@') else {
        return Err(Rejected::InvalidEmail);
    };
    let valid_domain = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    if local.is_empty()
        || !valid_domain
        || local.contains('@')
        || local.chars().any(char::is_whitespace)
    {
        return Err(Rejected::InvalidEmail);
    }
    let domain = if domain == "googlemail.com" {
        "gmail.com"
    } else {
        domain
    };
    let mut local = Cow::Borrowed(local);
    if TAG_DOMAINS.contains(&domain)
        && let Some((head, _)) = local.split_once('+')
    {
        local = Cow::Owned(head.to_owned());
    }
    if domain == "gmail.com" {
        local = Cow::Owned(local.replace('.', ""));
    }
    if local.is_empty() {
        return Err(Rejected::InvalidEmail);
    }
    let email = format!("{local}@{domain}");
    if PLACEHOLDER_EMAILS.contains(&email.as_str())
        || domain == "example.com"
        || blocklist
            .iter()
            .any(|b| b.trim().eq_ignore_ascii_case(&email) || b.trim().eq_ignore_ascii_case(&lower))
    {
        return Err(Rejected::Blocklisted);
    }
    Ok(email)
}

/// Combining marks: Latin accents and Arabic harakat, madda and hamza marks.
fn is_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}'
        | '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06DC}'
        | '\u{06DF}'..='\u{06E8}'
        | '\u{06EA}'..='\u{06ED}')
}

/// `char::is_alphanumeric` for a character that is not a combining mark,
/// answered without Unicode's tables for ASCII and the Arabic block (most of
/// what names here are typed in). A unit test checks it against the tables.
fn is_letter_or_digit(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' | '0'..='9' => true,
        '\0'..='\u{7F}' => false,
        '\u{060C}'
        | '\u{061B}'
        | '\u{061F}'
        | '\u{066A}'..='\u{066D}'
        | '\u{06D4}'
        | '\u{06DD}'
        | '\u{06DE}'
        | '\u{06E9}' => false,
        // Letters and digits of the Arabic block (its marks are removed before this).
        '\u{0620}'..='\u{064A}'
        | '\u{0660}'..='\u{0669}'
        | '\u{066E}'..='\u{06D3}'
        | '\u{06D5}'
        | '\u{06EE}'..='\u{06FC}'
        | '\u{06FF}' => true,
        _ => c.is_alphanumeric(),
    }
}

/// The Arabic block, U+0600 to U+06FF.
fn arabic_block(c: char) -> bool {
    ('\u{0600}'..='\u{06FF}').contains(&c)
}

/// One spelling for letters Arabic and Persian keyboards type differently.
fn fold_letter(c: char) -> char {
    match c {
        'ي' | 'ى' | 'ئ' => 'ی',
        'ك' => 'ک',
        'ة' => 'ه',
        'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
        'ؤ' => 'و',
        _ => persian_digit(c).unwrap_or(c),
    }
}

/// A name as matching compares it: Unicode NFKC, accents and Arabic
/// diacritics removed, Arabic and Persian letter variants (`ي`/`ی`,
/// `ك`/`ک`, `ة`/`ه`, hamza forms) folded, tatweel and zero-width joiners
/// removed, lower case, punctuation as spaces, one space between words.
///
/// ```
/// use loyalty_core::identity::normalize_name;
/// assert_eq!(normalize_name("علي‌رضا  كريمي"), "علیرضا کریمی");
/// assert_eq!(normalize_name("عـــلی رضا"), "علی رضا");
/// assert_eq!(normalize_name("  José  O'Brien-Núñez "), "jose obrien nunez");
/// ```
pub fn normalize_name(text: &str) -> String {
    let decomposed = DecomposingNormalizerBorrowed::new_nfkd().normalize(text);
    let mut folded = String::with_capacity(decomposed.len());
    let mut simple = true;
    for c in decomposed.chars() {
        if is_mark(c)
            || matches!(
                c,
                '\u{0640}' | '\u{200B}'..='\u{200F}' | '\u{FEFF}' | '\'' | '’' | '`'
            )
        {
            continue;
        }
        let c = fold_letter(c);
        if !is_letter_or_digit(c) {
            folded.push(' ');
        } else if c.is_ascii() {
            folded.push(c.to_ascii_lowercase());
        } else if arabic_block(c) {
            // Arabic script has no case.
            folded.push(c);
        } else {
            simple = false;
            folded.extend(c.to_lowercase());
        }
    }
    // With marks gone, ASCII and the Arabic block are already composed.
    let composed = if simple {
        std::borrow::Cow::Borrowed(folded.as_str())
    } else {
        ComposingNormalizerBorrowed::new_nfc().normalize(&folded)
    };
    let mut out = String::with_capacity(composed.len());
    for word in composed.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Birth dates systems fill in when they have none.
const PLACEHOLDER_DATES: &[&str] = &[
    "1900-01-01",
    "1901-01-01",
    "1970-01-01",
    "0001-01-01",
    "1899-12-31",
    "9999-12-31",
];

/// A Gregorian date as `YYYY-MM-DD`, read from `YYYY-MM-DD`, `YYYYMMDD`,
/// `YYYY/MM/DD` or `YYYY.MM.DD` (any digits). Placeholders (`1900-01-01`,
/// `1970-01-01`, ... and `blocklist`) are [`Rejected::Blocklisted`]:
/// missing, not a match. Years before 1800 are not birth dates
/// ([`normalize_date_in`] reads them in a program's own calendar).
///
/// ```
/// use loyalty_core::identity::normalize_date;
/// assert_eq!(normalize_date("۱۹۹۰/۰۵/۰۱", &[]).unwrap(), "1990-05-01");
/// assert_eq!(normalize_date("19900501", &[]).unwrap(), "1990-05-01");
/// assert!(normalize_date("1900-01-01", &[]).is_err());
/// assert!(normalize_date("1990-02-30", &[]).is_err());
/// ```
pub fn normalize_date(text: &str, blocklist: &[String]) -> Result<String, Rejected> {
    normalize_date_in(text, CalendarKind::Gregorian, blocklist)
}

/// Like [`normalize_date`], but a year before 1800 is read in `calendar`
/// when that is the Persian or the Umm al-Qura calendar: a POS in Iran
/// typing `۱۳۶۹/۰۲/۱۱` means 1 May 1990.
///
/// ```
/// use loyalty_core::calendar::CalendarKind;
/// use loyalty_core::identity::normalize_date_in;
/// assert_eq!(normalize_date_in("۱۳۶۹/۰۲/۱۱", CalendarKind::Persian, &[]).unwrap(), "1990-05-01");
/// assert_eq!(normalize_date_in("1990-05-01", CalendarKind::Persian, &[]).unwrap(), "1990-05-01");
/// assert!(normalize_date_in("1369-02-11", CalendarKind::Gregorian, &[]).is_err());
/// ```
pub fn normalize_date_in(
    text: &str,
    calendar: CalendarKind,
    blocklist: &[String],
) -> Result<String, Rejected> {
    let folded = fold_digits(text.trim());
    if folded.is_empty() {
        return Err(Rejected::Empty);
    }
    let parts: Vec<&str> = if folded.len() == 8 && folded.bytes().all(|b| b.is_ascii_digit()) {
        vec![
            folded.get(0..4).unwrap_or(""),
            folded.get(4..6).unwrap_or(""),
            folded.get(6..8).unwrap_or(""),
        ]
    } else {
        folded.split(['-', '/', '.']).collect()
    };
    let [y, m, d] = parts.as_slice() else {
        return Err(Rejected::InvalidDate);
    };
    let number = |s: &str, len: std::ops::RangeInclusive<usize>| {
        if len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse::<u32>().ok()
        } else {
            None
        }
    };
    let (Some(y), Some(m), Some(d)) = (number(y, 4..=4), number(m, 1..=2), number(d, 1..=2)) else {
        return Err(Rejected::InvalidDate);
    };
    let year = i32::try_from(y).map_err(|_| Rejected::InvalidDate)?;
    let typed = format!("{y:04}-{m:02}-{d:02}");
    if PLACEHOLDER_DATES.contains(&typed.as_str()) || blocklist.iter().any(|b| b.trim() == typed) {
        return Err(Rejected::Blocklisted);
    }
    let date = if year < 1800 && calendar != CalendarKind::Gregorian {
        let (Ok(month), Ok(day)) = (u8::try_from(m), u8::try_from(d)) else {
            return Err(Rejected::InvalidDate);
        };
        crate::calendar::to_iso(calendar, crate::calendar::CalendarDate { year, month, day })
    } else {
        chrono::NaiveDate::from_ymd_opt(year, m, d)
    };
    match date {
        Some(date) if date.year() >= 1800 => Ok(date.format("%Y-%m-%d").to_string()),
        _ => Err(Rejected::InvalidDate),
    }
}

/// A free-text value (city, street, postcode, document number) as matching
/// compares it: the name normalization, so `Tehran`, `TEHRAN ` and `تهران`
/// typed with Arabic letters each compare as one spelling.
pub fn normalize_text(text: &str) -> String {
    normalize_name(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_in_every_digit_set_and_prefix_become_one_number() {
        for typed in [
            "۰۹۱۲ ۳۴۵ ۶۷۸۹",
            "٠٩١٢٣٤٥٦٧٨٩",
            "+98 912 345 6789",
            "0098 912 345 6789",
            "9123456789",
            "0912-345-6789",
        ] {
            assert_eq!(
                normalize_phone(typed, "IR", &[]),
                Ok("+989123456789".to_owned()),
                "{typed}"
            );
        }
    }

    #[test]
    fn placeholder_and_blocklisted_phones_never_normalize() {
        for typed in ["0000000000", "1111111111", "0123456789", "09999999999"] {
            assert_eq!(
                normalize_phone(typed, "IR", &[]),
                Err(Rejected::Blocklisted),
                "{typed}"
            );
        }
        let list = vec!["+989121111112".to_owned()];
        assert_eq!(
            normalize_phone("09121111112", "IR", &list),
            Err(Rejected::Blocklisted)
        );
        assert_eq!(
            normalize_phone("0912 abc", "IR", &[]),
            Err(Rejected::InvalidPhone)
        );
        assert_eq!(normalize_phone("  ", "IR", &[]), Err(Rejected::Empty));
    }

    #[test]
    fn gmail_ignores_dots_and_tags_but_other_domains_keep_them() {
        assert_eq!(
            normalize_email("a.b+x@gmail.com", &[]).unwrap(),
            "ab@gmail.com"
        );
        assert_eq!(
            normalize_email("a.b+x@outlook.com", &[]).unwrap(),
            "a.b@outlook.com"
        );
        assert_eq!(
            normalize_email("a.b+x@shop.ir", &[]).unwrap(),
            "a.b+x@shop.ir"
        );
        assert_eq!(normalize_email("nope", &[]), Err(Rejected::InvalidEmail));
        assert_eq!(
            normalize_email("x@localhost", &[]),
            Err(Rejected::InvalidEmail)
        );
    }

    #[test]
    fn the_fast_letter_test_agrees_with_unicode_outside_marks() {
        for c in (0u32..0x0800)
            .filter_map(char::from_u32)
            .filter(|c| !is_mark(*c))
        {
            assert_eq!(
                is_letter_or_digit(c),
                c.is_alphanumeric(),
                "{c:?} U+{:04X}",
                u32::from(c)
            );
        }
    }

    /// The name normalization without the fast paths: NFKD, fold, lower
    /// case with Unicode's tables, NFC.
    fn reference_name(text: &str) -> String {
        let decomposed = DecomposingNormalizerBorrowed::new_nfkd().normalize(text);
        let mut folded = String::new();
        for c in decomposed.chars() {
            if is_mark(c)
                || matches!(
                    c,
                    '\u{0640}' | '\u{200B}'..='\u{200F}' | '\u{FEFF}' | '\'' | '’' | '`'
                )
            {
                continue;
            }
            let c = fold_letter(c);
            if c.is_alphanumeric() {
                folded.extend(c.to_lowercase());
            } else {
                folded.push(' ');
            }
        }
        let composed = ComposingNormalizerBorrowed::new_nfc().normalize(&folded);
        composed.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// A worker's cache (its own metadata copy, answers remembered under
        /// the typed digits and the E.164 form) answers every phone, in any
        /// order, exactly as a fresh lookup does.
        #[test]
        fn a_worker_cache_answers_as_fresh_lookups(
            typed in proptest::collection::vec(proptest::sample::select(vec![
                "09123456789", "+989123456789", "00989123456789", "۰۹۱۲۳۴۵۶۷۸۹", "9123456789",
                "02188776655", "+982188776655", "+44 20 7946 0958", "020 7946 0958", "+1 212 555 0100",
                "(212) 555-0100", "+971 50 123 4567", "0501234567", "0912345", "+98912345678901",
                "09121111112", "0000000000",
            ]), 1..12),
        ) {
            let blocklist = vec!["+989121111112".to_owned()];
            let mut cache = PhoneCache::for_worker();
            for t in &typed {
                proptest::prop_assert_eq!(
                    normalize_phone_cached(t, "IR", &blocklist, &mut cache),
                    normalize_phone(t, "IR", &blocklist),
                    "{}", t
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn fast_name_paths_agree_with_the_full_normalization(
            text in proptest::collection::vec(proptest::sample::select(vec![
                'a', 'Z', 'é', 'ß', 'İ', ' ', '-', '\'', '1', '۳', '٣', 'ي', 'ی', 'ك', 'ک', 'أ', 'آ', 'ؤ', 'ئ', 'ة',
                'ۀ', 'ٱ', 'ـ', '\u{200C}', '\u{064E}', '\u{0651}', '\u{0301}', 'ﻻ', 'ﺏ', 'Ω', 'ǅ', '가', '،',
            ]), 0..24)
        ) {
            let text: String = text.into_iter().collect();
            proptest::prop_assert_eq!(normalize_name(&text), reference_name(&text));
        }
    }

    #[test]
    fn arabic_and_persian_spellings_fold_together() {
        assert_eq!(normalize_name("كريم"), normalize_name("کریم"));
        assert_eq!(normalize_name("فاطمة"), normalize_name("فاطمه"));
        assert_eq!(normalize_name("أحمد"), normalize_name("احمد"));
        assert_eq!(normalize_name("مُحَمَّد"), normalize_name("محمد"));
    }
}
