//! Coupon codes people can type: a pattern of symbol slots and fixed
//! characters, an alphabet without look-alikes, an optional check character,
//! generation from the operating system or from a seed, and the exact odds of
//! guessing a valid code.
//!
//! # Check character
//!
//! A symbol's value is its position in the alphabet, `0..p` where `p` is the
//! alphabet size. The `#` slots are numbered `i = 1..=k` in pattern order, the
//! last one holding the check character; fixed characters (a prefix, the
//! separators) take no part. Slot `i` has the weight
//! `w_i = ((i - 1) mod (p - 1)) + 1`, so the weights run `1, 2, ..., p - 1, 1,
//! 2, ...`. A code is valid when `sum(w_i * v_i) ≡ 0 (mod p)`; the generator
//! draws the other slots and solves for the check value with the inverse of
//! the check slot's weight.
//!
//! With `p` prime this catches every single mistyped symbol and every swap of
//! two different neighbouring symbols:
//!
//! - typing `b` for `a` in slot `i` changes the sum by `w_i * (b - a)`; both
//!   factors lie strictly between `-p` and `p` and are not zero, and a prime
//!   divides a product only if it divides a factor, so the sum is no longer 0;
//! - swapping `a` and `b` in slots `i` and `i + 1` changes the sum by
//!   `(w_i - w_{i+1}) * (b - a)`; neighbouring weights differ by 1, or by
//!   `p - 2` where `p - 1` wraps to 1, so again neither factor is a multiple
//!   of `p`.
//!
//! Hence the rules on the alphabet when a check character is asked for: its
//! size must be prime (with `p = r * s`, weight `r` times a difference of `s`
//! is a multiple of `p`, and that typo goes unseen), and at least 3 (with two
//! symbols the only weight is 1 and a swap never changes the sum). Slots are
//! neighbours in slot order even when a separator stands between them.
//!
//! This is the construction of the pure systems of ISO/IEC 7064 (a weighted
//! sum modulo a prime, the check symbol from the same alphabet); as the
//! alphabet has exactly `p` symbols, no extra check-only symbol (like the `X`
//! of MOD 11-2) is needed. No crate offers it over a custom prime-size
//! alphabet, hence this module.

use std::collections::BTreeSet;
use std::num::NonZeroU64;

use rand::rngs::OsRng;
use rand::seq::SliceRandom;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// Default symbols: digits 2-9 and A-Z without I, L, O: 31 symbols, a prime.
pub const DEFAULT_ALPHABET: &str = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// Default pattern: 12 symbols in three groups; with the check character, 11
/// random. 31^11 (about 2.5 * 10^16) codes keep the odds of one guess hitting
/// one of a million issued codes below one in a billion; 10 random symbols
/// would not.
pub const DEFAULT_PATTERN: &str = "####-####-####";

/// Characters that separate groups: dropped from typed text, and ignored in
/// the pattern when typed text is compared with it.
const SEPARATORS: [char; 3] = [' ', '-', '_'];

/// Every code a [`CodeFormatError`] can carry, for drift tests in the bindings.
pub const CODE_FORMAT_ERROR_CODES: &[&str] = &[
    "alphabet_too_small",
    "duplicate_symbol",
    "invalid_symbol",
    "alphabet_not_prime",
    "invalid_pattern_char",
    "pattern_without_slots",
    "pattern_too_long",
    "code_space_exhausted",
    "entropy_unavailable",
];

/// Every code a [`CodeReject`] can carry, for drift tests in the bindings.
pub const CODE_REJECT_CODES: &[&str] = &["malformed_code", "bad_check_character"];

/// One character of a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    /// `#`: a symbol from the alphabet.
    Slot,
    /// A fixed character that must be typed (a prefix letter or digit).
    Literal(char),
    /// A separator: printed in canonical codes, optional when typing.
    Separator(char),
}

/// The check-character arithmetic of a format (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Check {
    /// The alphabet size, a prime of at least 3.
    modulus: NonZeroU64,
    /// Inverse of the check slot's weight modulo `modulus`.
    inverse: u64,
}

impl Check {
    /// The weights `1, 2, ..., p - 1, 1, ...` of slots 1, 2, ....
    fn weights(self) -> impl Iterator<Item = u64> {
        (1..self.modulus.get()).cycle()
    }

    /// `sum(w_i * v_i) mod p` over the leading slots whose values are given.
    fn weighted_sum(self, values: &[u64]) -> u64 {
        // Values and weights are below p <= 36 and the sum is reduced at each
        // step, so the saturating operations never saturate.
        values.iter().zip(self.weights()).fold(0, |acc, (&v, w)| {
            acc.saturating_add(w.saturating_mul(v)) % self.modulus
        })
    }

    /// The value of the last slot that makes the weighted sum zero.
    fn solve(self, random: &[u64]) -> u64 {
        let sum = self.weighted_sum(random);
        let minus_sum = self.modulus.get().saturating_sub(sum) % self.modulus;
        minus_sum.saturating_mul(self.inverse) % self.modulus
    }
}

/// A compiled code format: where the symbols go, which symbols, and whether
/// the last symbol is a check character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeFormat {
    pattern: String,
    alphabet: String,
    pieces: Vec<Piece>,
    symbols: Vec<char>,
    slots: u32,
    check: Option<Check>,
    space: u128,
}

impl CodeFormat {
    /// Compiles a format. In `pattern`, `#` is a symbol slot; upper-case ASCII
    /// letters and digits are fixed characters (a prefix); space, `-` and `_`
    /// separate groups. With `check`, the last `#` slot holds the check
    /// character, which needs a prime number of symbols, at least 3 (see the
    /// module docs). Alphabet symbols are upper-case ASCII letters or digits;
    /// a symbol's position in the alphabet is its value for the check
    /// character, so reordering the alphabet changes which codes are valid.
    pub fn new(pattern: &str, alphabet: &str, check: bool) -> Result<Self, CodeFormatError> {
        let mut symbols = Vec::new();
        let mut size: u32 = 0;
        for (index, symbol) in alphabet.chars().enumerate() {
            if !(symbol.is_ascii_uppercase() || symbol.is_ascii_digit()) {
                return Err(CodeFormatError::InvalidSymbol {
                    symbol,
                    position: index.saturating_add(1),
                });
            }
            if symbols.contains(&symbol) {
                return Err(CodeFormatError::DuplicateSymbol { symbol });
            }
            symbols.push(symbol);
            size = size.saturating_add(1);
        }
        let minimum = if check { 3 } else { 2 };
        if size < minimum {
            return Err(CodeFormatError::AlphabetTooSmall { size, minimum });
        }

        let mut pieces = Vec::new();
        let mut slots: u32 = 0;
        for (index, c) in pattern.chars().enumerate() {
            let piece = match c {
                '#' => {
                    slots = slots.saturating_add(1);
                    Piece::Slot
                }
                c if SEPARATORS.contains(&c) => Piece::Separator(c),
                c if c.is_ascii_uppercase() || c.is_ascii_digit() => Piece::Literal(c),
                found => {
                    return Err(CodeFormatError::InvalidPatternChar {
                        found,
                        position: index.saturating_add(1),
                    });
                }
            };
            pieces.push(piece);
        }
        let minimum = if check { 2 } else { 1 };
        if slots < minimum {
            return Err(CodeFormatError::PatternWithoutSlots { slots, minimum });
        }

        let check = if check {
            Some(Self::check_for(size, slots)?)
        } else {
            None
        };
        let random_slots = if check.is_some() {
            slots.saturating_sub(1)
        } else {
            slots
        };
        let space =
            u128::from(size)
                .checked_pow(random_slots)
                .ok_or(CodeFormatError::PatternTooLong {
                    random_slots,
                    alphabet_size: size,
                })?;
        Ok(Self {
            pattern: pattern.to_owned(),
            alphabet: alphabet.to_owned(),
            pieces,
            symbols,
            slots,
            check,
            space,
        })
    }

    /// The check arithmetic for `size` symbols and `slots` slots, or why
    /// there is none.
    fn check_for(size: u32, slots: u32) -> Result<Check, CodeFormatError> {
        let not_prime = CodeFormatError::AlphabetNotPrime { size };
        if !is_prime(size) {
            return Err(not_prime);
        }
        let modulus = NonZeroU64::new(u64::from(size)).ok_or(not_prime.clone())?;
        let mut check = Check {
            modulus,
            inverse: 0,
        };
        let last = usize::try_from(slots.saturating_sub(1)).map_err(|_| not_prime.clone())?;
        let weight = check.weights().nth(last).ok_or(not_prime.clone())?;
        // A prime modulus gives every nonzero weight an inverse.
        check.inverse = (1..modulus.get())
            .find(|x| weight.saturating_mul(*x) % modulus == 1)
            .ok_or(not_prime)?;
        Ok(check)
    }

    /// The pattern as given.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// The alphabet as given.
    pub fn alphabet(&self) -> &str {
        &self.alphabet
    }

    /// Whether the last slot holds a check character.
    pub fn has_check(&self) -> bool {
        self.check.is_some()
    }

    /// Number of random (non-check) slots.
    pub fn random_slots(&self) -> u32 {
        if self.check.is_some() {
            self.slots.saturating_sub(1)
        } else {
            self.slots
        }
    }

    /// Number of distinct well-formed codes: alphabet size to the power of
    /// the number of random slots.
    pub fn space(&self) -> u128 {
        self.space
    }

    /// Turns what a person typed into the canonical code, or says why it
    /// cannot be one. White space, `-` and `_` may be typed anywhere or left
    /// out, letters in either case, and digits as Persian (`۰`-`۹`) or
    /// Arabic-Indic (`٠`-`٩`) digits. Look-alikes are not mapped: an `O`
    /// where the alphabet has only `0` is refused with its position.
    pub fn parse(&self, input: &str) -> Result<String, CodeReject> {
        let typed = normalize(input);
        let malformed = |problem| CodeReject::Malformed {
            input: input.to_owned(),
            pattern: self.pattern.clone(),
            problem,
        };
        let length = ShapeProblem::WrongLength {
            expected: self.typed_len(),
            found: typed.len(),
        };
        if typed.len() != self.typed_len() {
            return Err(malformed(length));
        }
        let mut code = String::with_capacity(self.pattern.len());
        let mut values = Vec::with_capacity(usize::try_from(self.slots).unwrap_or_default());
        let mut typed = typed.iter();
        for piece in &self.pieces {
            let (expected, t) = match piece {
                Piece::Separator(c) => {
                    code.push(*c);
                    continue;
                }
                Piece::Literal(c) => (Some(*c), typed.next()),
                Piece::Slot => (None, typed.next()),
            };
            let Some(t) = t else {
                // Unreachable: the lengths are equal.
                return Err(malformed(length));
            };
            match expected {
                Some(literal) if literal != t.normal => {
                    return Err(malformed(ShapeProblem::WrongChar {
                        position: t.position,
                        found: t.found,
                        expected: literal,
                    }));
                }
                Some(literal) => code.push(literal),
                None => {
                    let Some(value) = self.value(t.normal) else {
                        return Err(malformed(ShapeProblem::NotASymbol {
                            position: t.position,
                            found: t.found,
                            alphabet: self.alphabet.clone(),
                        }));
                    };
                    values.push(value);
                    code.push(t.normal);
                }
            }
        }
        if let Some(check) = self.check
            && check.weighted_sum(&values) != 0
        {
            return Err(CodeReject::BadCheckCharacter { code });
        }
        Ok(code)
    }

    /// Whether the input could be meant as a code of this format: after the
    /// normalization of [`CodeFormat::parse`], the same number of characters
    /// (separators aside) and the same fixed characters in the same places.
    /// The symbols are not checked; this finds a typed code's campaign before
    /// the campaign's format checks it.
    pub fn matches_shape(&self, input: &str) -> bool {
        let typed = normalize(input);
        typed.len() == self.typed_len()
            && self
                .pieces
                .iter()
                .filter(|p| !matches!(p, Piece::Separator(_)))
                .zip(&typed)
                .all(|(piece, t)| match piece {
                    Piece::Literal(c) => *c == t.normal,
                    Piece::Slot | Piece::Separator(_) => true,
                })
    }

    /// Whether the input, normalized as [`CodeFormat::parse`] does, starts
    /// with the pattern's fixed prefix (the characters before its first `#`);
    /// never for a pattern without one. A code of the wrong length that has
    /// the prefix is then reported as malformed for this format.
    pub fn has_prefix_of(&self, input: &str) -> bool {
        let prefix: Vec<char> = self
            .pieces
            .iter()
            .take_while(|p| !matches!(p, Piece::Slot))
            .filter_map(|p| match p {
                Piece::Literal(c) => Some(*c),
                Piece::Slot | Piece::Separator(_) => None,
            })
            .collect();
        let typed = normalize(input);
        !prefix.is_empty()
            && typed.len() >= prefix.len()
            && prefix.iter().zip(&typed).all(|(c, t)| *c == t.normal)
    }

    /// `count` new canonical codes, unique among themselves and not in
    /// `existing`, drawn from `rng`: each random slot with
    /// [`SliceRandom::choose`] over the alphabet (the same draws on 32- and
    /// 64-bit platforms), then the check character.
    ///
    /// Refuses up front when `count` plus the number of existing codes is more
    /// than half the code space (every existing code is counted, whatever its
    /// format). Below that each draw is new with a chance of at least one in
    /// two, and the number of draws is bounded by `4 * count + 64`.
    pub fn generate<R: RngCore>(
        &self,
        count: usize,
        rng: &mut R,
        existing: &BTreeSet<String>,
    ) -> Result<Vec<String>, CodeFormatError> {
        let exhausted = || CodeFormatError::CodeSpaceExhausted {
            requested: count,
            existing: existing.len(),
            space: self.space,
        };
        let wanted = u128::try_from(count.saturating_add(existing.len())).unwrap_or(u128::MAX);
        if wanted > self.space / 2 {
            return Err(exhausted());
        }
        let mut attempts = count.saturating_mul(4).saturating_add(64);
        let mut made = BTreeSet::new();
        let mut codes = Vec::new();
        while codes.len() < count {
            if attempts == 0 {
                return Err(exhausted());
            }
            attempts = attempts.saturating_sub(1);
            let Some(code) = self.draw(rng) else { continue };
            if existing.contains(&code) || made.contains(&code) {
                continue;
            }
            made.insert(code.clone());
            codes.push(code);
        }
        Ok(codes)
    }

    /// Probability that one guess, by someone who knows the format and the
    /// check algorithm, hits one of `issued` valid codes: `issued / space`.
    pub fn guess_probability(&self, issued: u64) -> GuessOdds {
        GuessOdds {
            issued,
            space: self.space.to_string(),
            per_guess: scientific(u128::from(issued), self.space),
        }
    }

    /// One random code: the random slots in order, then the check character.
    fn draw<R: RngCore>(&self, rng: &mut R) -> Option<String> {
        let random = usize::try_from(self.random_slots()).ok()?;
        let mut chosen = Vec::with_capacity(random.saturating_add(1));
        for _ in 0..random {
            chosen.push(*self.symbols.choose(rng)?);
        }
        if let Some(check) = self.check {
            let values = chosen
                .iter()
                .map(|c| self.value(*c))
                .collect::<Option<Vec<u64>>>()?;
            let value = usize::try_from(check.solve(&values)).ok()?;
            chosen.push(*self.symbols.get(value)?);
        }
        let mut chosen = chosen.into_iter();
        let mut code = String::with_capacity(self.pattern.len());
        for piece in &self.pieces {
            code.push(match piece {
                Piece::Slot => chosen.next()?,
                Piece::Literal(c) | Piece::Separator(c) => *c,
            });
        }
        Some(code)
    }

    /// The value of a symbol: its position in the alphabet.
    fn value(&self, symbol: char) -> Option<u64> {
        let index = self.symbols.iter().position(|s| *s == symbol)?;
        u64::try_from(index).ok()
    }

    /// Number of characters a code has, separators aside.
    fn typed_len(&self) -> usize {
        self.pieces
            .iter()
            .filter(|p| !matches!(p, Piece::Separator(_)))
            .count()
    }
}

/// Where random codes come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entropy {
    /// The operating system's random source: it seeds a ChaCha20 generator
    /// (as `rand`'s own thread generator does) for each call.
    Os,
    /// ChaCha20 seeded from this number: the same seed gives the same codes on
    /// every platform.
    Seed(u64),
}

/// `count` new codes of `format`, not in `existing`, from either source. See
/// [`CodeFormat::generate`].
pub fn generate(
    format: &CodeFormat,
    count: usize,
    entropy: Entropy,
    existing: &BTreeSet<String>,
) -> Result<Vec<String>, CodeFormatError> {
    let mut rng = match entropy {
        // Not `OsRng` itself: its infallible methods panic if the source
        // fails, and it would make one system call per symbol.
        Entropy::Os => {
            ChaCha20Rng::from_rng(OsRng).map_err(|e| CodeFormatError::EntropyUnavailable {
                reason: e.to_string(),
            })?
        }
        Entropy::Seed(seed) => ChaCha20Rng::seed_from_u64(seed),
    };
    format.generate(count, &mut rng, existing)
}

/// How likely a guess is to hit an issued code.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct GuessOdds {
    /// Number of valid codes issued.
    pub issued: u64,
    /// Number of well-formed codes, as an exact decimal integer.
    pub space: String,
    /// `issued / space`, at most 1, rounded to three significant digits with
    /// ties away from zero and written `d.dde<exponent>`: `3.94e-11`,
    /// `5.00e-1`, `1.00e0`; `0` when nothing is issued. Worked out with
    /// integers only, so it is the same on every platform.
    pub per_guess: String,
}

/// Why typed text is not a valid code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodeReject {
    /// The text does not have the format's shape: wrong length, a fixed
    /// character missing, or a character outside the alphabet.
    #[error("`{input}` is not a code of the form `{pattern}`: {problem}")]
    Malformed {
        /// The text as typed.
        input: String,
        /// The format's pattern.
        pattern: String,
        /// What is wrong.
        problem: ShapeProblem,
    },
    /// Every character is possible but the check character does not match:
    /// a character was mistyped or two were swapped.
    #[error("`{code}` is not a valid code: a character is mistyped or two are swapped")]
    BadCheckCharacter {
        /// The typed code in canonical form.
        code: String,
    },
}

impl CodeReject {
    /// Stable machine-readable code: `malformed_code` or `bad_check_character`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed { .. } => "malformed_code",
            Self::BadCheckCharacter { .. } => "bad_check_character",
        }
    }
}

/// What is wrong with the shape of a typed code. Positions count characters
/// of the text as typed, from 1, separators included.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShapeProblem {
    /// Too many or too few characters, separators aside.
    #[error("{found} characters where {expected} are expected, not counting spaces and dashes")]
    WrongLength {
        /// Characters a code has, separators aside.
        expected: usize,
        /// Characters typed, separators aside.
        found: usize,
    },
    /// A fixed character of the pattern (a prefix) typed differently.
    #[error("character {position} is `{found}` where `{expected}` is expected")]
    WrongChar {
        /// Position in the typed text.
        position: usize,
        /// The character as typed.
        found: char,
        /// The pattern's character.
        expected: char,
    },
    /// A character that codes do not use.
    #[error("character {position} `{found}` is not used in codes, which use `{alphabet}`")]
    NotASymbol {
        /// Position in the typed text.
        position: usize,
        /// The character as typed.
        found: char,
        /// The format's alphabet.
        alphabet: String,
    },
}

/// A pattern and alphabet that cannot make codes, or a generation that
/// cannot be done.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodeFormatError {
    /// Fewer than 2 symbols, or fewer than 3 with a check character (over two
    /// symbols no check character can catch swapped neighbours).
    #[error("the alphabet has {size} symbols; at least {minimum} are needed")]
    AlphabetTooSmall {
        /// Symbols in the alphabet.
        size: u32,
        /// Symbols needed.
        minimum: u32,
    },
    /// A symbol listed twice.
    #[error("symbol `{symbol}` appears twice in the alphabet")]
    DuplicateSymbol {
        /// The symbol.
        symbol: char,
    },
    /// A symbol that is not an upper-case ASCII letter or digit.
    #[error("alphabet symbol {position} `{symbol}` is not an upper-case ASCII letter or a digit")]
    InvalidSymbol {
        /// The symbol.
        symbol: char,
        /// Its position in the alphabet, from 1.
        position: usize,
    },
    /// A check character over an alphabet whose size is not prime: some
    /// single typos would go unseen (see the module docs).
    #[error("a check character needs a prime number of symbols; the alphabet has {size}")]
    AlphabetNotPrime {
        /// Symbols in the alphabet.
        size: u32,
    },
    /// A pattern character that is neither `#`, an upper-case ASCII letter or
    /// digit, nor a separator (space, `-`, `_`).
    #[error(
        "pattern character {position} `{found}` is not `#`, an upper-case ASCII letter or digit, a space, `-` or `_`"
    )]
    InvalidPatternChar {
        /// The character.
        found: char,
        /// Its position in the pattern, from 1.
        position: usize,
    },
    /// Too few `#` slots: at least 1, or 2 with a check character.
    #[error("the pattern has {slots} `#` slots; at least {minimum} are needed")]
    PatternWithoutSlots {
        /// Slots in the pattern.
        slots: u32,
        /// Slots needed.
        minimum: u32,
    },
    /// More codes than fit in 128 bits.
    #[error(
        "{alphabet_size} symbols in {random_slots} random slots make more codes than can be counted; use fewer `#` slots"
    )]
    PatternTooLong {
        /// Random (non-check) slots.
        random_slots: u32,
        /// Symbols in the alphabet.
        alphabet_size: u32,
    },
    /// Not enough unused codes: the new and existing codes together would be
    /// more than half the format's codes, or the draws ran out.
    #[error(
        "cannot make {requested} new codes beside {existing} existing ones: the format has {space} codes, of which at most half can be issued"
    )]
    CodeSpaceExhausted {
        /// Codes asked for.
        requested: usize,
        /// Codes that exist already.
        existing: usize,
        /// Codes the format has.
        space: u128,
    },
    /// The operating system's random source failed.
    #[error("the operating system's random source failed: {reason}")]
    EntropyUnavailable {
        /// What it said.
        reason: String,
    },
}

impl CodeFormatError {
    /// Stable machine-readable code; callers and tests key on this, not on the message.
    pub fn code(&self) -> &'static str {
        match self {
            Self::AlphabetTooSmall { .. } => "alphabet_too_small",
            Self::DuplicateSymbol { .. } => "duplicate_symbol",
            Self::InvalidSymbol { .. } => "invalid_symbol",
            Self::AlphabetNotPrime { .. } => "alphabet_not_prime",
            Self::InvalidPatternChar { .. } => "invalid_pattern_char",
            Self::PatternWithoutSlots { .. } => "pattern_without_slots",
            Self::PatternTooLong { .. } => "pattern_too_long",
            Self::CodeSpaceExhausted { .. } => "code_space_exhausted",
            Self::EntropyUnavailable { .. } => "entropy_unavailable",
        }
    }
}

/// A character of typed text that is not a separator.
struct Typed {
    /// Position in the text, from 1.
    position: usize,
    /// As typed.
    found: char,
    /// Upper case, digits as ASCII.
    normal: char,
}

/// The characters of `input` that count, normalized: separators and white
/// space dropped, ASCII upper case, Persian and Arabic-Indic digits as ASCII.
fn normalize(input: &str) -> Vec<Typed> {
    input
        .chars()
        .enumerate()
        .filter(|(_, c)| !(c.is_whitespace() || SEPARATORS.contains(c)))
        .map(|(index, found)| Typed {
            position: index.saturating_add(1),
            found,
            normal: normal_char(found),
        })
        .collect()
}

/// One character normalized: ASCII upper case, Persian and Arabic-Indic
/// digits as ASCII digits.
fn normal_char(c: char) -> char {
    let digit_from = |zero: u32| {
        u32::from(c)
            .checked_sub(zero)
            .and_then(|d| char::from_digit(d, 10))
            .unwrap_or(c)
    };
    match c {
        '\u{06F0}'..='\u{06F9}' => digit_from(0x06F0),
        '\u{0660}'..='\u{0669}' => digit_from(0x0660),
        _ => c.to_ascii_uppercase(),
    }
}

/// Whether `n` is prime.
fn is_prime(n: u32) -> bool {
    n >= 2
        && (2..n)
            .take_while(|d| d.saturating_mul(*d) <= n)
            .all(|d| n.checked_rem(d) != Some(0))
}

/// `n / d` (at most 1) to three significant digits, rounded half away from
/// zero, as `d.dde<exponent>`; `0` for zero. Long division, so nothing
/// overflows and no float is involved.
fn scientific(n: u128, d: u128) -> String {
    if n == 0 || d == 0 {
        return "0".to_owned();
    }
    if n >= d {
        return "1.00e0".to_owned();
    }
    // Each step turns the remainder r < d into the next decimal digit of r / d
    // and the new remainder, as 10 * r would overflow for d near 2^128:
    // x and r stay below d, so x + r is computed only when below d.
    let step = |r: u128| -> (u32, u128) {
        let mut digit: u32 = 0;
        let mut x: u128 = 0;
        for _ in 0..10 {
            let room = d.saturating_sub(r);
            if x >= room {
                x = x.saturating_sub(room);
                digit = digit.saturating_add(1);
            } else {
                x = x.saturating_add(r);
            }
        }
        (digit, x)
    };
    let mut exponent: i32 = 0;
    let mut remainder = n;
    let mut first = 0;
    // n / d >= 1 / 2^128 > 10^-39: the first nonzero digit comes within 39 steps.
    for _ in 0..40 {
        let (digit, r) = step(remainder);
        remainder = r;
        exponent = exponent.saturating_sub(1);
        if digit != 0 {
            first = digit;
            break;
        }
    }
    let (second, r) = step(remainder);
    let (third, r) = step(r);
    let (fourth, _) = step(r);
    let mut mantissa = first
        .saturating_mul(100)
        .saturating_add(second.saturating_mul(10))
        .saturating_add(third);
    if fourth >= 5 {
        mantissa = mantissa.saturating_add(1);
    }
    if mantissa >= 1000 {
        mantissa = 100;
        exponent = exponent.saturating_add(1);
    }
    let units = mantissa / 100;
    let hundredths = mantissa % 100;
    format!("{units}.{hundredths:02}e{exponent}")
}

#[cfg(test)]
#[allow(
    clippy::arithmetic_side_effects,
    reason = "test code: small numbers, and a failure should fail loudly"
)]
mod tests {
    use super::*;

    fn default_format() -> CodeFormat {
        CodeFormat::new(DEFAULT_PATTERN, DEFAULT_ALPHABET, true).unwrap()
    }

    fn format_error(pattern: &str, alphabet: &str, check: bool) -> &'static str {
        CodeFormat::new(pattern, alphabet, check)
            .unwrap_err()
            .code()
    }

    #[test]
    fn every_format_error_code() {
        assert_eq!(format_error("####", "A", false), "alphabet_too_small");
        assert_eq!(format_error("####", "AB", true), "alphabet_too_small");
        assert!(CodeFormat::new("####", "AB", false).is_ok());
        assert_eq!(format_error("####", "ABCA", false), "duplicate_symbol");
        assert_eq!(format_error("####", "ABc", false), "invalid_symbol");
        assert_eq!(format_error("####", "AB-", false), "invalid_symbol");
        assert_eq!(format_error("####", "ABCD", true), "alphabet_not_prime");
        assert!(CodeFormat::new("####", "ABCD", false).is_ok());
        assert_eq!(
            format_error("rmd-####", "ABC", true),
            "invalid_pattern_char"
        );
        assert_eq!(format_error("AB/##", "ABC", true), "invalid_pattern_char");
        assert_eq!(format_error("RMD-", "ABC", false), "pattern_without_slots");
        assert_eq!(format_error("RMD-#", "ABC", true), "pattern_without_slots");
        assert!(CodeFormat::new("RMD-#", "ABC", false).is_ok());
        // 31^25 < 2^128 < 31^26.
        assert!(CodeFormat::new(&"#".repeat(26), DEFAULT_ALPHABET, true).is_ok());
        assert_eq!(
            format_error(&"#".repeat(27), DEFAULT_ALPHABET, true),
            "pattern_too_long"
        );
        let small = CodeFormat::new("###", "ABC", true).unwrap();
        assert_eq!(small.space(), 9);
        let existing = BTreeSet::new();
        let err = generate(&small, 5, Entropy::Seed(1), &existing).unwrap_err();
        assert_eq!(err.code(), "code_space_exhausted");
        assert_eq!(
            generate(&small, 4, Entropy::Seed(1), &existing)
                .unwrap()
                .len(),
            4
        );
        let entropy = CodeFormatError::EntropyUnavailable {
            reason: "none".to_owned(),
        };
        assert_eq!(entropy.code(), "entropy_unavailable");
    }

    #[test]
    fn code_lists_match_the_variants() {
        let mut seen = vec![
            format_error("#", "A", false),
            format_error("#", "AA", false),
            format_error("#", "a", false),
            format_error("##", "ABCD", true),
            format_error("x#", "AB", false),
            format_error("-", "AB", false),
            format_error(&"#".repeat(129), "AB", false),
            generate(
                &default_format(),
                usize::MAX,
                Entropy::Seed(0),
                &BTreeSet::new(),
            )
            .unwrap_err()
            .code(),
            CodeFormatError::EntropyUnavailable {
                reason: String::new(),
            }
            .code(),
        ];
        seen.sort_unstable();
        let mut listed = CODE_FORMAT_ERROR_CODES.to_vec();
        listed.sort_unstable();
        assert_eq!(seen, listed);

        let format = default_format();
        let code = generate(&format, 1, Entropy::Seed(3), &BTreeSet::new()).unwrap();
        let mut bad = code[0].clone().into_bytes();
        bad.swap(0, 1);
        if bad[0] == bad[1] {
            bad[0] = if bad[0] == b'2' { b'3' } else { b'2' };
        }
        let rejects = [
            format.parse("ABC").unwrap_err().code(),
            format
                .parse(&String::from_utf8(bad).unwrap())
                .unwrap_err()
                .code(),
        ];
        assert_eq!(rejects.as_slice(), CODE_REJECT_CODES);
    }

    #[test]
    fn attempts_are_bounded_when_the_generator_repeats_itself() {
        // A generator stuck on one value draws the same code every time.
        struct Stuck;
        impl RngCore for Stuck {
            fn next_u32(&mut self) -> u32 {
                0
            }
            fn next_u64(&mut self) -> u64 {
                0
            }
            fn fill_bytes(&mut self, dest: &mut [u8]) {
                dest.fill(0);
            }
            fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand::Error> {
                dest.fill(0);
                Ok(())
            }
        }
        let format = default_format();
        let existing = BTreeSet::new();
        assert_eq!(format.generate(1, &mut Stuck, &existing).unwrap().len(), 1);
        let err = format.generate(2, &mut Stuck, &existing).unwrap_err();
        assert_eq!(err.code(), "code_space_exhausted");
    }

    #[test]
    fn malformed_codes_say_where() {
        let format = CodeFormat::new("RMD-####-####", DEFAULT_ALPHABET, true).unwrap();
        let problem = |input: &str| match format.parse(input).unwrap_err() {
            CodeReject::Malformed { problem, .. } => problem,
            other => panic!("expected malformed, got {other:?}"),
        };
        assert_eq!(
            problem("RMD-2345-678"),
            ShapeProblem::WrongLength {
                expected: 11,
                found: 10
            }
        );
        assert_eq!(
            problem("rmx 2345 6789"),
            ShapeProblem::WrongChar {
                position: 3,
                found: 'x',
                expected: 'D'
            }
        );
        assert_eq!(
            problem(" RMD-2O45-6789"),
            ShapeProblem::NotASymbol {
                position: 7,
                found: 'O',
                alphabet: DEFAULT_ALPHABET.to_owned()
            }
        );
        assert!(format.matches_shape("rmd 2O45 6789"));
        assert!(!format.matches_shape("RMX-2345-6789"));
        assert!(!format.matches_shape("RMD-2345-678"));
        let message = format.parse("RMD-2O45-6789").unwrap_err().to_string();
        assert_eq!(
            message,
            "`RMD-2O45-6789` is not a code of the form `RMD-####-####`: character 6 `O` is not used in codes, which use `23456789ABCDEFGHJKMNPQRSTUVWXYZ`"
        );
    }

    #[test]
    fn normalization_maps_digits_and_case_only() {
        assert_eq!(normal_char('۰'), '0');
        assert_eq!(normal_char('۹'), '9');
        assert_eq!(normal_char('٠'), '0');
        assert_eq!(normal_char('٩'), '9');
        assert_eq!(normal_char('k'), 'K');
        assert_eq!(normal_char('o'), 'O');
        assert_eq!(normal_char('ß'), 'ß');
    }

    #[test]
    fn primes() {
        let primes: Vec<u32> = (0..40).filter(|n| is_prime(*n)).collect();
        assert_eq!(primes, [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37]);
    }

    #[test]
    fn scientific_notation() {
        assert_eq!(scientific(0, 7), "0");
        assert_eq!(scientific(7, 7), "1.00e0");
        assert_eq!(scientific(8, 7), "1.00e0");
        assert_eq!(scientific(1, 2), "5.00e-1");
        assert_eq!(scientific(1, 3), "3.33e-1");
        assert_eq!(scientific(2, 3), "6.67e-1");
        assert_eq!(scientific(1, 7), "1.43e-1");
        assert_eq!(scientific(1, 8), "1.25e-1");
        assert_eq!(scientific(1, 1000), "1.00e-3");
        // Ties go away from zero; a carry moves the exponent.
        assert_eq!(scientific(1245, 1_000_000), "1.25e-3");
        assert_eq!(scientific(1244, 1_000_000), "1.24e-3");
        assert_eq!(scientific(9995, 10_000_000), "1.00e-3");
        assert_eq!(scientific(9994, 10_000_000), "9.99e-4");
        assert_eq!(scientific(9999, 10_000), "1.00e0");
        // Near the top of u128, where 10 * remainder would overflow.
        assert_eq!(scientific(1, u128::MAX), "2.94e-39");
        assert_eq!(scientific(u128::MAX - 1, u128::MAX), "1.00e0");
        assert_eq!(scientific(u128::MAX / 3, u128::MAX), "3.33e-1");
        assert_eq!(scientific(u128::from(u64::MAX), u128::MAX), "5.42e-20");
        // 10^6 / 31^11.
        assert_eq!(scientific(1_000_000, 31u128.pow(11)), "3.94e-11");
    }

    #[test]
    fn a_prefix_is_recognised_in_any_case_and_spacing() {
        let f = CodeFormat::new("RMD-####-####", DEFAULT_ALPHABET, true).unwrap();
        assert!(f.has_prefix_of("rmd 7K4"));
        assert!(f.has_prefix_of("RMD-BVYH-QCA"));
        assert!(!f.has_prefix_of("RM"));
        assert!(!f.has_prefix_of("XMD-BVYH-QCAB"));
        assert!(!default_format().has_prefix_of("ABCD"));
    }

    #[test]
    fn guess_odds_of_the_default_format() {
        let odds = default_format().guess_probability(1_000_000);
        assert_eq!(odds.space, 31u128.pow(11).to_string());
        assert_eq!(odds.per_guess, "3.94e-11");
        assert_eq!(default_format().guess_probability(0).per_guess, "0");
    }

    #[test]
    fn check_weights_cycle_through_every_nonzero_value() {
        let check = CodeFormat::new("#####", "ABCDE", true)
            .unwrap()
            .check
            .unwrap();
        let weights: Vec<u64> = check.weights().take(9).collect();
        assert_eq!(weights, [1, 2, 3, 4, 1, 2, 3, 4, 1]);
        // Slot 5 has weight 1, its own inverse.
        assert_eq!(check.inverse, 1);
        let check = CodeFormat::new("###", "ABCDE", true)
            .unwrap()
            .check
            .unwrap();
        // Slot 3 has weight 3; 3 * 2 = 6 ≡ 1 (mod 5).
        assert_eq!(check.inverse, 2);
    }
}
