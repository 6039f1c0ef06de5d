//! Decimal numbers, currencies and the serde helpers that keep floats out.
//!
//! Money and points are `rust_decimal::Decimal` everywhere. On the wire they are
//! decimal strings; whole JSON integers are accepted for convenience, JSON floats
//! never are (a float has already lost the exact value before we see it).

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// Prefix of the serde error raised for a float where a decimal was expected.
/// [`crate::error::classify_serde`] keys on it to give the `float_not_allowed` code.
pub(crate) const FLOAT_MSG: &str = "floating-point number where a decimal string is required";
/// Prefix of the serde error raised for text that is not a decimal number.
pub(crate) const BAD_DECIMAL_MSG: &str = "invalid decimal";

/// An ISO 4217 currency with its number of minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    code: &'static str,
    minor_units: u32,
}

impl Currency {
    /// Looks a currency up by its ISO 4217 alphabetic code (upper case).
    ///
    /// Currencies without minor units in ISO 4217 (such as `XAU`) are refused:
    /// a loyalty program must be able to say what its smallest amount is.
    pub fn from_code(code: &str) -> Option<Self> {
        let c = iso_currency::Currency::from_code(code)?;
        let minor_units = u32::from(c.exponent()?);
        Some(Self {
            code: c.code(),
            minor_units,
        })
    }

    /// The ISO 4217 alphabetic code, e.g. `SAR`.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Number of digits after the decimal point in the currency's minor unit.
    pub fn minor_units(&self) -> u32 {
        self.minor_units
    }

    /// The amount written with the currency's minor-unit digits (`12.5` and
    /// `12.500` SAR both become `12.50`); amounts with more significant digits
    /// than that (a fuel price per litre) keep them.
    pub fn present(&self, amount: Decimal) -> Decimal {
        // Trailing zeros of the input (`2.000` x `14.50`) must not leak into answers.
        let mut d = normalize(amount);
        if d.scale() < self.minor_units {
            d.rescale(self.minor_units);
        }
        d
    }
}

/// Strips trailing zeros and turns a negative zero into zero.
pub fn normalize(d: Decimal) -> Decimal {
    canonical_zero(d.normalize())
}

/// Turns `-0` (which `Decimal` can represent) into `0` so it never reaches output.
pub fn canonical_zero(d: Decimal) -> Decimal {
    if d.is_zero() {
        Decimal::ZERO.round_dp(d.scale())
    } else {
        d
    }
}

/// How points are rounded to their scale.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum RoundingMode {
    /// Toward zero for the non-negative amounts we round (the default: never over-award).
    #[default]
    Floor,
    /// Away from zero.
    Ceil,
    /// To nearest, ties to even (banker's rounding).
    HalfEven,
    /// To nearest, ties away from zero.
    HalfUp,
}

impl RoundingMode {
    /// Rounds `d` to `scale` decimal places with this mode.
    pub fn round(self, d: Decimal, scale: u32) -> Decimal {
        let strategy = match self {
            Self::Floor => RoundingStrategy::ToNegativeInfinity,
            Self::Ceil => RoundingStrategy::ToPositiveInfinity,
            Self::HalfEven => RoundingStrategy::MidpointNearestEven,
            Self::HalfUp => RoundingStrategy::MidpointAwayFromZero,
        };
        let mut r = canonical_zero(d.round_dp_with_strategy(scale, strategy));
        r.rescale(scale);
        r
    }
}

/// Parses decimal text as written in files and requests: an optional sign,
/// digits, an optional fraction. No exponents, no thousands separators.
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    let t = text.trim();
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    let valid = !body.is_empty()
        && !body.starts_with('.')
        && !body.ends_with('.')
        && body.chars().all(|c| c.is_ascii_digit() || c == '.')
        && body.matches('.').count() <= 1;
    if !valid {
        return None;
    }
    Decimal::from_str_exact(t).ok()
}

struct DecimalVisitor;

impl Visitor<'_> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a decimal number written as a string, e.g. \"12.50\"")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        parse_decimal(v).ok_or_else(|| E::custom(format_args!("{BAD_DECIMAL_MSG} `{v}`")))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        Err(E::custom(format_args!(
            "{FLOAT_MSG}: write `{v}` as a string"
        )))
    }
}

/// Serde adapter for `Decimal` fields: strings or whole integers in, strings out.
pub mod dec {
    use super::*;

    /// Deserializes a decimal from a string or an integer; refuses floats.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        d.deserialize_any(DecimalVisitor)
    }

    /// Serializes a decimal as its exact string.
    pub fn serialize<S: Serializer>(v: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }
}

/// Serde adapter for `Option<Decimal>` fields, see [`dec`].
pub mod dec_opt {
    use super::*;

    /// Deserializes an optional decimal (absent or null is `None`).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        #[derive(Deserialize)]
        struct W(#[serde(with = "super::dec")] Decimal);
        Ok(Option::<W>::deserialize(d)?.map(|W(x)| x))
    }

    /// Serializes an optional decimal as a string or null.
    pub fn serialize<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(d) => s.collect_str(d),
            None => s.serialize_none(),
        }
    }
}

/// Decimal text kept exactly as written in a program file; parsed (with the
/// path of the value in any error) when the program is compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecimalText(pub String);

impl DecimalText {
    /// Parses the text, `None` when it is not a decimal.
    pub fn parse(&self) -> Option<Decimal> {
        parse_decimal(&self.0)
    }
}

impl From<Decimal> for DecimalText {
    fn from(d: Decimal) -> Self {
        Self(d.to_string())
    }
}

impl From<&str> for DecimalText {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

impl Serialize for DecimalText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for DecimalText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = DecimalText;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a decimal number written as a string, e.g. \"1.5\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DecimalText, E> {
                Ok(DecimalText(v.to_owned()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<DecimalText, E> {
                Ok(DecimalText(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<DecimalText, E> {
                Ok(DecimalText(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<DecimalText, E> {
                Err(E::custom(format_args!(
                    "{FLOAT_MSG}: write `{v}` as a string"
                )))
            }
        }
        d.deserialize_any(V)
    }
}

impl schemars::JsonSchema for DecimalText {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Decimal".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A decimal number written as a string (e.g. \"12.50\"); whole integers are also accepted. Floats are refused.",
            "oneOf": [
                { "type": "string", "pattern": "^[+-]?[0-9]+(\\.[0-9]+)?$" },
                { "type": "integer" }
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_decimal_refuses_exponents_and_separators() {
        assert_eq!(parse_decimal("12.50"), Some(Decimal::new(1250, 2)));
        assert_eq!(parse_decimal("-3"), Some(Decimal::from(-3)));
        for bad in ["1e3", "1,000", "", ".5", "5.", "1.2.3", "abc", "--1"] {
            assert_eq!(parse_decimal(bad), None, "{bad}");
        }
    }

    #[test]
    fn rounding_pads_values_that_already_fit() {
        for mode in [
            RoundingMode::Floor,
            RoundingMode::Ceil,
            RoundingMode::HalfEven,
            RoundingMode::HalfUp,
        ] {
            assert_eq!(mode.round(Decimal::from(7), 2).to_string(), "7.00");
            assert_eq!(mode.round(Decimal::new(75, 1), 1).to_string(), "7.5");
            assert_eq!(mode.round(Decimal::new(-0, 1), 0).to_string(), "0");
        }
        assert_eq!(
            RoundingMode::Ceil
                .round(Decimal::new(751, 2), 1)
                .to_string(),
            "7.6"
        );
    }

    #[test]
    fn rounding_modes_differ_on_halves() {
        let d = Decimal::new(25, 1); // 2.5
        assert_eq!(RoundingMode::Floor.round(d, 0), Decimal::from(2));
        assert_eq!(RoundingMode::Ceil.round(d, 0), Decimal::from(3));
        assert_eq!(RoundingMode::HalfEven.round(d, 0), Decimal::from(2));
        assert_eq!(RoundingMode::HalfUp.round(d, 0), Decimal::from(3));
    }

    #[test]
    fn currency_knows_minor_units() {
        let sar = Currency::from_code("SAR").unwrap();
        assert_eq!(sar.minor_units(), 2);
        assert_eq!(sar.present(Decimal::new(125, 1)).to_string(), "12.50");
        assert_eq!(Currency::from_code("KWD").unwrap().minor_units(), 3);
        assert!(Currency::from_code("sar").is_none());
        assert!(Currency::from_code("ZZZ").is_none());
    }

    #[test]
    fn floats_are_refused_integers_accepted() {
        #[derive(Deserialize)]
        struct T(#[serde(with = "dec")] Decimal);
        assert!(serde_json::from_str::<T>("1.5").is_err());
        assert_eq!(
            serde_json::from_str::<T>("15").unwrap().0,
            Decimal::from(15)
        );
        assert_eq!(
            serde_json::from_str::<T>("\"1.50\"").unwrap().0.to_string(),
            "1.50"
        );
    }
}
