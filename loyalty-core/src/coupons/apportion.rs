//! Splitting a discount over lines to the currency's minor unit.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::money::RoundingMode;

/// Splits `total` over lines in proportion to `weights`, to `scale` decimal
/// places, so that the shares add up to exactly `total` and no share exceeds
/// its line's `room` (what is left to discount on it).
///
/// Deterministic largest-remainder method: each line first gets its
/// proportional share rounded down; a line whose share would pass its room
/// gets its room and the rest is split again over the others; the minor units
/// still left go one each to the lines with the largest remainders, ties to
/// the earlier line.
///
/// `None` when the inputs cannot be split: negative values, a `total` or
/// `room` finer than `scale`, rooms that add up to less than `total`,
/// different lengths, or arithmetic overflow. When every weight is zero the
/// rooms are used as weights.
///
/// ```
/// use loyalty_core::coupons::apportion;
/// use rust_decimal::Decimal;
///
/// let d = |s: &str| s.parse::<Decimal>().unwrap();
/// // 10.00 over three equal lines: 3.34 + 3.33 + 3.33 (the first line wins the tie).
/// let shares = apportion(d("10.00"), &[d("5"), d("5"), d("5")], &[d("5"), d("5"), d("5")], 2).unwrap();
/// assert_eq!(shares, [d("3.34"), d("3.33"), d("3.33")]);
/// ```
pub fn apportion(
    total: Decimal,
    weights: &[Decimal],
    rooms: &[Decimal],
    scale: u32,
) -> Option<Vec<Decimal>> {
    let floor = |d: Decimal| RoundingMode::Floor.round(d, scale);
    let on_grid = |d: Decimal| d >= Decimal::ZERO && floor(d) == d;
    if weights.len() != rooms.len()
        || !on_grid(total)
        || !rooms.iter().all(|r| on_grid(*r))
        || weights.iter().any(|w| w.is_sign_negative() && !w.is_zero())
    {
        return None;
    }
    let room_sum = rooms
        .iter()
        .try_fold(Decimal::ZERO, |a, r| a.checked_add(*r))?;
    if room_sum < total {
        return None;
    }
    let mut shares = vec![Decimal::ZERO; rooms.len()];
    if total.is_zero() {
        return Some(shares);
    }
    let weights: &[Decimal] = if weights.iter().all(|w| w.is_zero()) {
        rooms
    } else {
        weights
    };
    let mut active: Vec<usize> = (0..rooms.len())
        .filter(|&i| {
            weights.get(i).is_some_and(|w| !w.is_zero())
                && rooms.get(i).is_some_and(|r| !r.is_zero())
        })
        .collect();
    let mut remaining = total;
    // Lines whose proportional share reaches their room take the room; the
    // rest is split again over the others, until no share passes its room.
    loop {
        let w_sum = active
            .iter()
            .filter_map(|&i| weights.get(i))
            .try_fold(Decimal::ZERO, |a, w| a.checked_add(*w))?;
        let mut capped = Vec::new();
        for &i in &active {
            let (w, r) = (*weights.get(i)?, *rooms.get(i)?);
            if remaining.checked_mul(w)? >= r.checked_mul(w_sum)? {
                capped.push(i);
            }
        }
        if capped.is_empty() || w_sum.is_zero() {
            break;
        }
        for &i in &capped {
            let r = *rooms.get(i)?;
            *shares.get_mut(i)? = r;
            remaining = remaining.checked_sub(r)?;
        }
        active.retain(|i| !capped.contains(i));
        if active.is_empty() || remaining.is_zero() {
            break;
        }
    }
    if remaining.is_zero() {
        return Some(shares);
    }
    if active.is_empty() {
        // Only when rounding left nothing to spread over; rooms cover `total`.
        return None;
    }
    let w_sum = active
        .iter()
        .filter_map(|&i| weights.get(i))
        .try_fold(Decimal::ZERO, |a, w| a.checked_add(*w))?;
    let mut fractions = Vec::with_capacity(active.len());
    let mut given = Decimal::ZERO;
    for &i in &active {
        let exact = remaining
            .checked_mul(*weights.get(i)?)?
            .checked_div(w_sum)?;
        let base = floor(exact);
        *shares.get_mut(i)? = base;
        given = given.checked_add(base)?;
        fractions.push((exact.checked_sub(base)?, i));
    }
    let unit = Decimal::new(1, scale);
    let units = remaining
        .checked_sub(given)?
        .checked_div(unit)?
        .to_usize()?;
    // Largest remainder first; ties to the earlier line.
    fractions.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in fractions.iter().take(units) {
        let s = shares.get_mut(i)?;
        *s = s.checked_add(unit)?;
    }
    if units > fractions.len() {
        return None;
    }
    Some(shares)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn ds(v: &[&str]) -> Vec<Decimal> {
        v.iter().map(|s| d(s)).collect()
    }

    #[test]
    fn remainders_go_to_the_largest_fractions_then_the_earlier_line() {
        // 1.00 over 1/3 each: 0.333.. -> 0.33 each, one cent left, first line.
        let got = apportion(d("1.00"), &ds(&["1", "1", "1"]), &ds(&["9", "9", "9"]), 2);
        assert_eq!(got.unwrap(), ds(&["0.34", "0.33", "0.33"]));
        // 1.00 over 2:1 -> 0.666.. and 0.333..: the larger fraction (0.006..) wins.
        let got = apportion(d("1.00"), &ds(&["2", "1"]), &ds(&["9", "9"]), 2);
        assert_eq!(got.unwrap(), ds(&["0.67", "0.33"]));
    }

    #[test]
    fn a_line_is_never_discounted_past_its_room() {
        // Weight says 9.00 / 1.00, but the first line has only 2.00 left.
        let got = apportion(d("10.00"), &ds(&["9", "1"]), &ds(&["2.00", "8.00"]), 2);
        assert_eq!(got.unwrap(), ds(&["2.00", "8.00"]));
    }

    #[test]
    fn refuses_what_cannot_be_split() {
        assert!(apportion(d("5.00"), &ds(&["1"]), &ds(&["4.99"]), 2).is_none());
        assert!(apportion(d("0.005"), &ds(&["1"]), &ds(&["1.00"]), 2).is_none());
        assert!(apportion(d("1"), &ds(&["1", "1"]), &ds(&["1"]), 0).is_none());
    }

    #[test]
    fn zero_weights_fall_back_to_rooms() {
        let got = apportion(d("3"), &ds(&["0", "0"]), &ds(&["1", "2"]), 0);
        assert_eq!(got.unwrap(), ds(&["1", "2"]));
    }
}
