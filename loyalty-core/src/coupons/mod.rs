//! Coupons: campaigns, code generation, validation with reasons, discounts,
//! stacking and exact apportionment.
//!
//! A campaign (`[[coupons]]` in the program file) has a public `code`
//! (`RAMADAN25`) or generated `codes`: `unique` (whoever holds one) or
//! `personal` (bound to the customer it was issued to). Generated codes follow
//! a pattern (`BDAY-####-####-####`) over an alphabet without look-alikes and
//! end in a check character that catches every single mistyped symbol and
//! every swap of neighbours before anyone looks the code up ([`code`]).
//!
//! The engine keeps no state. The host stores what [`Program::generate_codes`]
//! issued and passes the record of a typed code back as `issued`, and keeps
//! the usage counters each answer returns. Per order the host calls:
//!
//! 1. [`Program::check_code`] as the customer types (the browser can, with
//!    nothing but the program): public, well formed, or why not;
//! 2. [`Program::apply_coupons`] with the order, the customer, the codes and
//!    counters: every coupon accepted with its discount per line, every one
//!    refused with **every** failed condition and its numbers
//!    (`min_spend_not_met` required 100, actual 82.50; `expired` on 1448-09-29);
//! 3. [`Program::quote`] on the answer's `order_after` (coupon discounts in the
//!    lines, gifts as `reward` lines that never earn) with the answer's
//!    `points_coupons` in the request's `coupons`; post that order, so that
//!    refunds take back exactly what each line was discounted.
//!
//! Discounts: `percent` (with `max`), `amount_off` the eligible lines,
//! `amount_off_each` unit, `fixed_price` per unit, `buy_x_get_y` (cheapest or
//! most expensive units, free or a percentage off), `free_shipping`,
//! `free_gift`, `points_multiplier` and `points_bonus` (applied by accrual).
//! Several coupons stack by `group` (best of the group), `exclusive` (alone
//! against the rest: the larger discount stays), `priority` then file order,
//! and `coupon_policy.percent_of` (a percentage of what earlier coupons left,
//! or of the original lines). Every money discount is rounded to the
//! currency's minor unit and split over its lines with [`apportion`]: the
//! shares add up exactly, no line goes below zero.
//!
//! ```
//! use loyalty_core::Program;
//! use loyalty_core::coupons::{CouponRequest, GenerateRequest};
//!
//! let program = Program::from_toml(r#"
//! schema_version = 1
//! id = "jeddah-bakery"
//! currency = "SAR"
//! time_zone = "Asia/Riyadh"
//!
//! [[coupons]]
//! id = "ramadan"
//! code = "RAMADAN25"
//! valid = { from = "1447-09-01", to = "1447-09-30", calendar = "islamic-umm-al-qura" }
//! discount = { type = "percent", percent = "25", max = "50" }
//! when = { min_spend = "100" }
//!
//! [[coupons]]
//! id = "birthday"
//! codes = { kind = "personal", pattern = "BDAY-####-####-####" }
//! discount = { type = "amount_off", amount = "10" }
//! "#).unwrap();
//!
//! // Issue a personal code (seeded: the same seed gives the same codes everywhere).
//! let issued = program.generate_codes(&serde_json::from_str::<GenerateRequest>(
//!     r#"{"campaign": "birthday", "customers": ["c-7"], "seed": "2026"}"#).unwrap()).unwrap();
//! let code = &issued.codes[0];
//! assert!(program.check_code(&code.code).ok);
//! // One symbol mistyped: caught by the check character, no lookup needed.
//! let last = code.code.chars().last().unwrap();
//! let typo = format!("{}{}", &code.code[..code.code.len() - 1], if last == '2' { '3' } else { '2' });
//! assert_eq!(program.check_code(&typo).reasons[0].code(), "bad_check_character");
//!
//! // 4 Ramadan 1447 (2026-02-21): both codes on a 90.00 basket.
//! let request: CouponRequest = serde_json::from_value(serde_json::json!({
//!     "order": {"id": "o-1", "placed_at": "2026-02-21T20:00:00+03:00", "lines": [
//!         {"sku": "kunafa", "quantity": "2", "unit_price": "30.00"},
//!         {"sku": "tea", "quantity": "3", "unit_price": "10.00"}]},
//!     "customer": {"id": "c-7"},
//!     "coupons": [{"code": "ramadan25"}, {"code": code.code, "issued": code.issued}]
//! })).unwrap();
//! let answer = program.apply_coupons(&request).unwrap();
//! // RAMADAN25 needs 100.00 of spend; the reason says how much there was.
//! let refused = serde_json::to_value(&answer.rejected[0].reasons).unwrap();
//! assert_eq!(refused, serde_json::json!([{"code": "min_spend_not_met", "required": "100", "actual": "90.00"}]));
//! // 10.00 off, split by line amount: 60/90 and 30/90 of it.
//! let lines: Vec<String> = answer.accepted[0].lines.iter().map(|l| l.discount.to_string()).collect();
//! assert_eq!(lines, ["6.67", "3.33"]);
//! assert_eq!(answer.total.to_string(), "80.00");
//! ```
//!
//! [`Program::generate_codes`]: crate::Program::generate_codes
//! [`Program::check_code`]: crate::Program::check_code
//! [`Program::apply_coupons`]: crate::Program::apply_coupons
//! [`Program::quote`]: crate::Program::quote

mod answer;
mod apportion;
pub mod code;
pub(crate) mod engine;
pub mod format;
pub(crate) mod policy;

pub use answer::*;
pub use apportion::apportion;
pub use engine::MAX_CODES_PER_CALL;
