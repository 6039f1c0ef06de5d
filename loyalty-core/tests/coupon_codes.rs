//! Coupon codes: the check character catches every single mistyped symbol and
//! every swap of neighbouring symbols, over the default format and random
//! prime alphabets and patterns; typed variants parse back to the canonical
//! code; generation is reproducible per seed, unique and avoids existing
//! codes; and the stated guess odds are measured against the real alphabet.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: counts and indices on small values, and a failure should fail loudly"
)]

use std::collections::BTreeSet;

use loyalty_core::coupons::code::{
    CodeFormat, DEFAULT_ALPHABET, DEFAULT_PATTERN, Entropy, generate,
};
use proptest::prelude::*;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha20Rng;

const PRIMES: [usize; 10] = [3, 5, 7, 11, 13, 17, 19, 23, 29, 31];

fn default_format() -> CodeFormat {
    CodeFormat::new(DEFAULT_PATTERN, DEFAULT_ALPHABET, true).unwrap()
}

/// A prime-size alphabet: a random subset of the default symbols in random order.
fn prime_alphabet() -> impl Strategy<Value = String> {
    let symbols: Vec<char> = DEFAULT_ALPHABET.chars().collect();
    prop::sample::select(PRIMES.as_slice()).prop_flat_map(move |size| {
        prop::sample::subsequence(symbols.clone(), size)
            .prop_shuffle()
            .prop_map(|s| s.into_iter().collect())
    })
}

/// A pattern: an optional fixed prefix (any upper-case letter or digit, in or
/// out of the alphabet), then 1 to 4 groups of slots with separators between.
fn pattern() -> impl Strategy<Value = String> {
    let separator = prop::sample::select(vec!["-", " ", "_", ""]);
    (
        "[A-Z0-9]{0,3}",
        separator.clone(),
        prop::collection::vec(1..=5usize, 1..=4),
        separator,
        "[A-Z0-9]{0,1}",
    )
        .prop_map(|(prefix, sep, groups, prefix_sep, suffix)| {
            let mut slots: Vec<String> = groups.iter().map(|n| "#".repeat(*n)).collect();
            if groups.iter().sum::<usize>() < 2 {
                slots[0].push('#');
            }
            format!("{prefix}{prefix_sep}{}{suffix}", slots.join(sep))
        })
}

/// The default format, or a random pattern over a random prime alphabet.
fn format() -> impl Strategy<Value = CodeFormat> {
    prop_oneof![
        1 => Just(default_format()),
        4 => (pattern(), prime_alphabet())
            .prop_map(|(p, a)| CodeFormat::new(&p, &a, true).unwrap()),
    ]
}

/// Byte offsets of the `#` slots in canonical codes of `format` (patterns
/// are ASCII, and a canonical code has one character per pattern character).
fn slot_offsets(format: &CodeFormat) -> Vec<usize> {
    format
        .pattern()
        .bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'#')
        .map(|(i, _)| i)
        .collect()
}

/// `n` random codes of `format` from `seed`, each drawn on its own (so two
/// may be equal when the format has few codes).
fn random_codes(format: &CodeFormat, seed: u64, n: usize) -> Vec<String> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    (0..n)
        .flat_map(|_| format.generate(1, &mut rng, &BTreeSet::new()).unwrap())
        .collect()
}

fn reject_code(format: &CodeFormat, text: &str) -> &'static str {
    match format.parse(text) {
        Ok(code) => panic!("`{text}` parsed as `{code}`"),
        Err(e) => e.code(),
    }
}

/// `digit` written with the digits starting at `zero` (Persian or Arabic-Indic).
fn foreign_digits(code: &str, zero: u32) -> String {
    code.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from_u32(zero + d).unwrap(),
            None => c,
        })
        .collect()
}

proptest! {
    #[test]
    fn every_single_substitution_is_rejected(format in format(), seed in any::<u64>()) {
        let codes = random_codes(&format, seed, 2);
        let symbols: Vec<u8> = format.alphabet().bytes().collect();
        for code in &codes {
            for &at in &slot_offsets(&format) {
                for &other in &symbols {
                    let mut typo = code.clone().into_bytes();
                    if typo[at] == other {
                        continue;
                    }
                    typo[at] = other;
                    let typo = String::from_utf8(typo).unwrap();
                    prop_assert_eq!(reject_code(&format, &typo), "bad_check_character", "{}", typo);
                }
            }
        }
    }

    #[test]
    fn every_adjacent_transposition_is_rejected(format in format(), seed in any::<u64>()) {
        let codes = random_codes(&format, seed, 4);
        let slots = slot_offsets(&format);
        let mut swaps = 0;
        for code in &codes {
            for pair in slots.windows(2) {
                let mut swapped = code.clone().into_bytes();
                if swapped[pair[0]] == swapped[pair[1]] {
                    continue;
                }
                swapped.swap(pair[0], pair[1]);
                let swapped = String::from_utf8(swapped).unwrap();
                prop_assert_eq!(reject_code(&format, &swapped), "bad_check_character", "{}", swapped);
                swaps += 1;
            }
        }
        // Over 3 or more symbols, 4 codes almost never have no two different neighbours.
        prop_assert!(swaps > 0 || format.alphabet().len() == 3);
    }

    #[test]
    fn generated_codes_parse_back_however_typed(format in format(), seed in any::<u64>()) {
        let codes = random_codes(&format, seed, 3);
        for code in &codes {
            prop_assert_eq!(code.chars().count(), format.pattern().chars().count());
            let bare: String = code.chars().filter(|c| !matches!(c, '-' | ' ' | '_')).collect();
            let spaced: String = bare.chars().flat_map(|c| [c, ' ']).collect();
            let typed = [
                code.clone(),
                code.to_lowercase(),
                bare.clone(),
                bare.to_lowercase(),
                format!("  {spaced}\t"),
                code.replace(['-', ' '], "_"),
                foreign_digits(code, 0x06F0),
                foreign_digits(&bare.to_lowercase(), 0x0660),
            ];
            for text in typed {
                prop_assert_eq!(format.parse(&text), Ok(code.clone()), "{}", text);
                prop_assert!(format.matches_shape(&text), "{}", text);
            }
        }
    }

    #[test]
    fn generation_is_reproducible_unique_and_avoids_existing(
        format in format(),
        seed in any::<u64>(),
        other_seed in any::<u64>(),
        count in 0..60usize,
        existing_count in 0..60usize,
    ) {
        let half = usize::try_from(format.space() / 2).unwrap_or(usize::MAX);
        let existing_count = existing_count.min(half);
        let existing: BTreeSet<String> =
            generate(&format, existing_count, Entropy::Seed(other_seed), &BTreeSet::new())
                .unwrap()
                .into_iter()
                .collect();
        prop_assert_eq!(existing.len(), existing_count);
        let made = generate(&format, count, Entropy::Seed(seed), &existing);
        if count + existing_count > half {
            prop_assert_eq!(made.unwrap_err().code(), "code_space_exhausted");
            return Ok(());
        }
        let made = made.unwrap();
        prop_assert_eq!(made.len(), count);
        let unique: BTreeSet<&String> = made.iter().collect();
        prop_assert_eq!(unique.len(), count);
        for code in &made {
            prop_assert!(!existing.contains(code), "{} was already issued", code);
            prop_assert_eq!(format.parse(code), Ok(code.clone()));
        }
        prop_assert_eq!(generate(&format, count, Entropy::Seed(seed), &existing).unwrap(), made);
    }
}

/// Reproducibility anchor: the first codes of seed 42 in the default format.
/// Users are told that the same seed gives the same codes on every platform
/// and version; changing these strings breaks that promise to them.
#[test]
fn seed_42_gives_the_same_codes_everywhere() {
    let codes = generate(&default_format(), 3, Entropy::Seed(42), &BTreeSet::new()).unwrap();
    assert_eq!(
        codes,
        ["VHNE-25T7-P7ZW", "C7UX-FG3F-DS5D", "ZRYY-ENSR-C46Z"]
    );
}

#[test]
fn os_entropy_gives_valid_unique_codes_that_differ_per_call() {
    let format = default_format();
    let first = generate(&format, 100, Entropy::Os, &BTreeSet::new()).unwrap();
    let second = generate(&format, 100, Entropy::Os, &BTreeSet::new()).unwrap();
    assert_eq!(first.iter().collect::<BTreeSet<_>>().len(), 100);
    for code in first.iter().chain(&second) {
        assert_eq!(format.parse(code).as_ref(), Ok(code));
    }
    // 31^11 codes: two calls agreeing would mean the source is not random.
    assert_ne!(first, second);
}

/// `n / d` in the documented `d.dde<exponent>` form, by plain scaling (fine
/// for the small numbers here): a model of the library's long division.
fn scientific_model(n: u128, d: u128) -> String {
    assert!(0 < n && n < d && d < 10u128.pow(30));
    let mut exponent = -1i32;
    while n * 10u128.pow(exponent.unsigned_abs()) < d {
        exponent -= 1;
    }
    let scale = 10u128.pow(exponent.unsigned_abs() + 2);
    let mut mantissa = (2 * n * scale + d) / (2 * d);
    if mantissa == 1000 {
        mantissa = 100;
        exponent += 1;
    }
    format!("{}.{:02}e{exponent}", mantissa / 100, mantissa % 100)
}

/// The acceptance test of the guess odds: with the real alphabet and a
/// pattern short enough to list every code, count the codes a guesser who
/// knows the check algorithm can try, and how many of them were issued.
#[test]
fn stated_guess_odds_match_an_enumeration_of_every_code() {
    let format = CodeFormat::new("###", DEFAULT_ALPHABET, true).unwrap();
    let issued: BTreeSet<String> = generate(&format, 120, Entropy::Seed(7), &BTreeSet::new())
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(issued.len(), 120);

    let symbols: Vec<char> = DEFAULT_ALPHABET.chars().collect();
    let mut well_formed = 0u128;
    let mut hits = 0u128;
    for a in &symbols {
        for b in &symbols {
            let mut valid_checks = 0;
            for c in &symbols {
                let text = format!("{a}{b}{c}");
                if format.parse(&text).is_ok() {
                    valid_checks += 1;
                    well_formed += 1;
                    if issued.contains(&text) {
                        hits += 1;
                    }
                }
            }
            // The check character is a function of the random symbols.
            assert_eq!(valid_checks, 1, "{a}{b}");
        }
    }

    let odds = format.guess_probability(120);
    let space: u128 = odds.space.parse().unwrap();
    assert_eq!(odds.issued, 120);
    assert_eq!(space, format.space());
    assert_eq!(well_formed, space);
    assert_eq!(hits, 120);
    // hits / well_formed == issued / space, as exact fractions.
    assert_eq!(hits * space, u128::from(odds.issued) * well_formed);
    assert_eq!(odds.per_guess, scientific_model(hits, well_formed));
}

/// A guesser who ignores the check character and types random symbols in
/// every slot hits an issued code with probability issued / (space * p).
/// Deterministic (fixed seed); the bound is 5 standard deviations.
#[test]
fn random_typing_hits_at_the_rate_the_odds_predict() {
    let format = CodeFormat::new("###", DEFAULT_ALPHABET, true).unwrap();
    let issued: BTreeSet<String> = generate(&format, 400, Entropy::Seed(11), &BTreeSet::new())
        .unwrap()
        .into_iter()
        .collect();
    let symbols: Vec<char> = DEFAULT_ALPHABET.chars().collect();
    let p = symbols.len() as i128;
    let mut rng = ChaCha20Rng::seed_from_u64(2024);
    let trials: i128 = 400_000;
    let mut hits: i128 = 0;
    for _ in 0..trials {
        let text: String = (0..3).map(|_| *symbols.choose(&mut rng).unwrap()).collect();
        if format.parse(&text).is_ok_and(|code| issued.contains(&code)) {
            hits += 1;
        }
    }

    let odds = format.guess_probability(400);
    // q = a / b per guess.
    let a = i128::from(odds.issued);
    let b = odds.space.parse::<i128>().unwrap() * p;
    // |hits - trials q| <= 5 sqrt(trials q (1 - q)), squared and times b^2.
    let within = |a: i128| {
        let deviation = hits * b - trials * a;
        deviation * deviation <= 25 * trials * a * (b - a)
    };
    assert!(
        within(a),
        "{hits} hits in {trials} guesses, expected {}",
        trials * a / b
    );
    // The bound is tight enough to tell 10% wrong odds apart.
    assert!(!within(a * 11 / 10) && !within(a * 9 / 10));
}

/// The default format keeps one guess at one in a billion or less with a
/// million codes issued, and is the shortest with the default alphabet to do so.
#[test]
fn default_format_meets_the_guessing_goal_with_nothing_to_spare() {
    let issued: u128 = 1_000_000;
    let goal = 1_000_000_000;
    let format = default_format();
    assert_eq!(format.random_slots(), 11);
    assert!(issued * goal <= format.space());
    let shorter = CodeFormat::new("####-####-###", DEFAULT_ALPHABET, true).unwrap();
    assert_eq!(shorter.random_slots(), 10);
    assert!(issued * goal > shorter.space());
}
