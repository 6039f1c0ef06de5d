//! Points and money inside the ledger: exact fixed-point integers.
//!
//! The ledger adds and subtracts far more than it multiplies, and it replays
//! millions of movements, so it keeps amounts as `i64` counts of 1/10,000 of a
//! unit instead of `Decimal`: the same exact answers (every program scale and
//! every currency fits in four decimals), half the memory and a fraction of the
//! work. Amounts enter and leave as `Decimal`; anything with more than four
//! decimals, or beyond ±10^12 units, is refused at the door, and every sum is
//! checked so an overflow is an error, never a wrong balance.

use rust_decimal::Decimal;

/// Decimal places kept.
pub(crate) const SCALE: u32 = 4;
/// Largest magnitude accepted from outside, in raw units (10^12 points or
/// currency units), so that hundreds of them add up without overflow.
const LIMIT: i64 = 10_000_000_000_000_000;

/// An exact amount of points or money with four decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub(crate) struct Amount(i64);

/// An amount that overflowed `i64`; reported as `arithmetic_overflow`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Overflow;

impl Amount {
    pub(crate) const ZERO: Self = Self(0);

    /// `None` when `d` has more than four decimals (after trailing zeros are
    /// dropped) or is out of range. Works on the mantissa directly: this runs
    /// for every amount of every event posted.
    pub(crate) fn from_decimal(d: Decimal) -> Option<Self> {
        let mut m = d.mantissa();
        let mut scale = d.scale();
        while scale > SCALE {
            if m.checked_rem(10)? != 0 {
                return None;
            }
            m = m.checked_div(10)?;
            scale = scale.checked_sub(1)?;
        }
        let up = 10_i128.checked_pow(SCALE.checked_sub(scale)?)?;
        let raw = i64::try_from(m.checked_mul(up)?).ok()?;
        (raw.checked_abs()? <= LIMIT).then_some(Self(raw))
    }

    /// The exact decimal, without trailing zeros.
    pub(crate) fn to_decimal(self) -> Decimal {
        // Trailing zeros dropped on the integer (at most four), cheaper than
        // `Decimal::normalize` on every amount of every answer.
        let (mut m, mut scale) = (self.0, SCALE);
        while scale > 0 && m % 10 == 0 {
            m /= 10;
            scale = scale.saturating_sub(1);
        }
        Decimal::new(m, scale)
    }

    pub(crate) fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub(crate) fn is_positive(self) -> bool {
        self.0 > 0
    }

    pub(crate) fn is_negative(self) -> bool {
        self.0 < 0
    }

    pub(crate) fn add(self, o: Self) -> Result<Self, Overflow> {
        self.0.checked_add(o.0).map(Self).ok_or(Overflow)
    }

    pub(crate) fn sub(self, o: Self) -> Result<Self, Overflow> {
        self.0.checked_sub(o.0).map(Self).ok_or(Overflow)
    }

    pub(crate) fn neg(self) -> Result<Self, Overflow> {
        self.0.checked_neg().map(Self).ok_or(Overflow)
    }

    /// Sums that cannot overflow in practice use this; on overflow the
    /// result saturates, which callers that care check with [`Self::add`].
    pub(crate) fn sat_add(self, o: Self) -> Self {
        Self(self.0.saturating_add(o.0))
    }

    pub(crate) fn sat_sub(self, o: Self) -> Self {
        Self(self.0.saturating_sub(o.0))
    }
}

impl std::fmt::Display for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.to_decimal().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_four_decimals_and_refuses_five() {
        let d = Decimal::new(-123_456, 4);
        assert_eq!(Amount::from_decimal(d).unwrap().to_decimal(), d);
        assert!(Amount::from_decimal(Decimal::new(1, 5)).is_none());
        // Trailing zeros beyond the fourth place are fine, signs too.
        assert_eq!(
            Amount::from_decimal(Decimal::new(-150_000_000, 8)).unwrap(),
            Amount(-15_000)
        );
        assert!(Amount::from_decimal(Decimal::new(-1_000_001, 5)).is_none());
        assert_eq!(
            Amount::from_decimal(Decimal::new(150_000, 5)).unwrap(),
            Amount(15_000)
        );
    }

    #[test]
    fn refuses_amounts_beyond_the_limit() {
        assert!(Amount::from_decimal(Decimal::from(1_000_000_000_000_i64)).is_some());
        assert!(Amount::from_decimal(Decimal::from(1_000_000_000_001_i64)).is_none());
    }
}
