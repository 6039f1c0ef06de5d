//! Coupon code formats and typed codes, from text: line 1 a pattern, line 2
//! an alphabet, line 3 `1` for a check character, the other lines typed codes
//! (also read with the default format). Never panics; what parses is canonical
//! (parses to itself) and has the format's shape; generated codes parse to
//! themselves, and with a check character one changed symbol is refused.
#![no_main]

use std::collections::BTreeSet;

use libfuzzer_sys::fuzz_target;
use loyalty_core::coupons::code::{
    CodeFormat, CodeReject, DEFAULT_ALPHABET, DEFAULT_PATTERN, Entropy, ShapeProblem, generate,
};

fn check_typed(format: &CodeFormat, typed: &str) {
    match format.parse(typed) {
        Ok(code) => {
            assert_eq!(
                format.parse(&code).as_ref(),
                Ok(&code),
                "canonical codes parse to themselves"
            );
            assert_eq!(code.chars().count(), format.pattern().chars().count());
            assert!(format.matches_shape(typed) && format.matches_shape(&code));
        }
        Err(reject) => {
            assert!(!reject.to_string().is_empty());
            match reject {
                CodeReject::BadCheckCharacter { code } => {
                    assert!(format.has_check());
                    assert!(format.matches_shape(typed) && format.matches_shape(&code));
                }
                // A symbol outside the alphabet is reported wherever it is,
                // before a fixed character further on that may not match.
                CodeReject::Malformed {
                    problem: ShapeProblem::NotASymbol { .. },
                    ..
                } => {}
                CodeReject::Malformed { .. } => assert!(!format.matches_shape(typed)),
                _ => {}
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let pattern = lines.next().unwrap_or_default();
    let alphabet = lines.next().unwrap_or_default();
    let check = lines.next().unwrap_or_default().starts_with('1');
    let typed: Vec<&str> = lines.collect();

    let default =
        CodeFormat::new(DEFAULT_PATTERN, DEFAULT_ALPHABET, true).expect("the default format");
    for t in &typed {
        check_typed(&default, t);
    }

    let Ok(format) = CodeFormat::new(pattern, alphabet, check) else {
        return;
    };
    for t in &typed {
        check_typed(&format, t);
    }
    let mut seed = [0u8; 8];
    for (s, b) in seed.iter_mut().zip(data) {
        *s = *b;
    }
    let seed = u64::from_le_bytes(seed);
    let odds = format.guess_probability(seed);
    assert_eq!(odds.space, format.space().to_string());
    assert!(odds.per_guess == "0" || odds.per_guess.contains('e'));

    let count = data.len() % 8;
    match generate(&format, count, Entropy::Seed(seed), &BTreeSet::new()) {
        Ok(codes) => {
            assert_eq!(codes.len(), count);
            let symbols: Vec<char> = format.alphabet().chars().collect();
            for code in &codes {
                assert_eq!(format.parse(code).as_ref(), Ok(code));
                if !format.has_check() {
                    continue;
                }
                // Change the symbol in the slot picked by the seed.
                let slots: Vec<usize> = format
                    .pattern()
                    .char_indices()
                    .filter(|(_, c)| *c == '#')
                    .map(|(i, _)| i)
                    .collect();
                let at = slots[usize::try_from(seed % slots.len() as u64).unwrap()];
                let old = code[at..].chars().next().unwrap();
                let new = symbols.iter().copied().find(|s| *s != old).unwrap();
                let mut typo = code.clone();
                typo.replace_range(at..at + 1, &new.to_string());
                assert_eq!(
                    format.parse(&typo).unwrap_err().code(),
                    "bad_check_character"
                );
            }
        }
        Err(e) => assert_eq!(e.code(), "code_space_exhausted"),
    }
});
