//! Set-up of the coupon benchmark (`benches/coupons_200_lines.rs`): the
//! synthetic 50-rule program of the quote benchmarks with ten coupon
//! campaigns added (every discount type but points multipliers, a group, an
//! exclusive campaign, limits and a budget, personal codes), and checkout
//! requests that type four codes: three that apply together and one that is
//! refused.

use std::hint::black_box;

use loyalty_core::Program;
use loyalty_core::coupons::{CouponCounter, CouponInput, CouponRequest};
use loyalty_testkit::sample;
use serde_json::{Value, json};

/// Campaigns in the benchmark program.
pub const CAMPAIGNS: usize = 10;

/// Codes typed at every order: a percentage with a maximum in a group, a
/// buy-two-get-one on bakery lines and an amount off apply; the last one's
/// campaign ended the year before and is refused.
pub const TYPED: [&str; 4] = ["BASKET10", "BAKERY3", "WELCOME50", "YALDA1403"];

/// Coupons of [`TYPED`] that apply.
pub const APPLIED: usize = 3;

/// The ten campaigns.
fn campaigns() -> Vec<Value> {
    vec![
        json!({
            "id": "basket-10", "code": "BASKET10", "group": "basket",
            "discount": {"type": "percent", "percent": "10", "max": "500000"},
            "when": {"min_spend": "300000", "exclude_categories": ["tobacco"]},
            "limits": {"per_customer": 5, "total": 100000, "budget": "1000000000"},
        }),
        json!({
            "id": "basket-15", "code": "BASKET15", "group": "basket",
            "discount": {"type": "percent", "percent": "15", "max": "250000"},
            "when": {"min_spend": "2000000"},
        }),
        json!({
            "id": "bakery-3-for-2", "code": "BAKERY3", "priority": 10,
            "discount": {"type": "buy_x_get_y", "buy": 2, "get": 1, "max_sets": 5},
            "when": {"categories": ["bakery"]},
        }),
        json!({
            "id": "welcome-50k", "code": "WELCOME50",
            "discount": {"type": "amount_off", "amount": "50000"},
            "when": {"min_spend": "200000"},
            "limits": {"per_customer": 1},
        }),
        json!({
            "id": "coffee-10k-each", "code": "COFFEE10",
            "discount": {"type": "amount_off_each", "amount": "10000"},
            "when": {"categories": ["coffee"]},
        }),
        json!({
            "id": "cake-700k", "code": "CAKE700",
            "discount": {"type": "fixed_price", "price": "700000"},
            "when": {"skus": ["saffron-cake"]},
        }),
        json!({
            "id": "vip-20", "code": "VIP20", "exclusive": true,
            "discount": {"type": "percent", "percent": "20"},
            "when": {"channels": ["app"], "card_required": true},
        }),
        json!({
            "id": "free-delivery", "code": "SHIPFREE",
            "discount": {"type": "free_shipping", "max": "100000"},
        }),
        json!({
            "id": "birthday-gift",
            "codes": {"kind": "personal", "pattern": "BDAY-####-####-####"},
            "discount": {"type": "free_gift", "sku": "saffron-cake", "value": "900000"},
            "when": {"birthday": "month"},
        }),
        json!({
            "id": "yalda-1403", "code": "YALDA1403",
            "valid": {"from": "1403-09-28", "to": "1403-09-30"},
            "discount": {"type": "percent", "percent": "20", "max": "200000"},
        }),
    ]
}

/// The synthetic program of the quote benchmarks ([`crate::RULES`] rules)
/// with the [`CAMPAIGNS`] campaigns, at most three coupons per order.
pub fn program() -> Result<Program, String> {
    let base = sample::program_with_rules(crate::RULES).map_err(|e| e.to_string())?;
    let mut file = serde_json::to_value(base.file()).map_err(|e| e.to_string())?;
    let Some(fields) = file.as_object_mut() else {
        return Err("a program file is an object".to_owned());
    };
    fields.insert("coupons".to_owned(), Value::Array(campaigns()));
    fields.insert("coupon_policy".to_owned(), json!({"max_per_order": 3}));
    Program::from_value(file).map_err(|e| e.to_string())
}

/// A request typing [`TYPED`] for `order`, with counters for the campaigns
/// that have limits, as a host sends it.
fn request(order: loyalty_core::model::Order) -> Result<CouponRequest, String> {
    let counter = |uses: u64, customer_uses: u64, discount: &str| {
        serde_json::from_value::<CouponCounter>(json!({
            "uses": uses, "customer_uses": customer_uses, "discount": discount,
        }))
        .map_err(|e| e.to_string())
    };
    Ok(CouponRequest {
        order,
        customer: sample::bench_customer(),
        coupons: TYPED
            .iter()
            .map(|code| CouponInput {
                code: (*code).to_owned(),
                issued: None,
            })
            .collect(),
        counters: [
            ("basket-10".to_owned(), counter(1_234, 2, "150000000")?),
            ("welcome-50k".to_owned(), counter(5_678, 0, "283900000")?),
        ]
        .into_iter()
        .collect(),
    })
}

/// The program and `orders` requests of `lines` lines each, for the
/// benchmark customer. The orders are the quote benchmarks' orders (same
/// seed, same draws), keeping those on which [`APPLIED`] coupons apply and
/// one is refused: every 200-line order; at 10 lines, the ones with three
/// bakery units and enough spend.
pub fn setup(lines: usize, orders: usize) -> Result<(Program, Vec<CouponRequest>), String> {
    let program = program()?;
    let mut rng = sample::rng(crate::SEED);
    let mut requests = Vec::with_capacity(orders);
    let mut drawn = 0_usize;
    while requests.len() < orders {
        if drawn > orders.saturating_mul(50) {
            return Err(format!(
                "only {} of {drawn} orders of {lines} lines take the {APPLIED} coupons",
                requests.len()
            ));
        }
        drawn = drawn.saturating_add(1);
        let r = request(sample::order_with_lines(&mut rng, lines))?;
        let answer = program.apply_coupons(&r).map_err(|e| e.to_string())?;
        let refused = TYPED.len().saturating_sub(APPLIED);
        if answer.accepted.len() == APPLIED && answer.rejected.len() == refused {
            requests.push(r);
        }
    }
    Ok((program, requests))
}

/// Applies the coupons of every request once; returns the number accepted,
/// so the optimizer cannot drop the work.
pub fn apply_all(program: &Program, requests: &[CouponRequest]) -> usize {
    requests
        .iter()
        .filter_map(|r| program.apply_coupons(black_box(r)).ok())
        .map(|a| a.accepted.len())
        .fold(0, usize::saturating_add)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_request_takes_three_coupons_and_refuses_one() {
        for lines in [10, 200] {
            let (program, requests) = setup(lines, 4).unwrap();
            assert_eq!(program.file().coupons.len(), CAMPAIGNS);
            // The synthetic rules name tiers the program lacks; the campaigns are sound.
            let warnings = program.check();
            assert!(
                warnings.iter().all(|w| !w.path.starts_with("coupons")),
                "{warnings:?}"
            );
            for r in &requests {
                assert_eq!(r.order.lines.len(), lines);
                let a = program.apply_coupons(r).unwrap();
                let kinds: Vec<&str> = a.accepted.iter().map(|c| c.kind).collect();
                assert_eq!(kinds, ["buy_x_get_y", "percent", "amount_off"]);
                assert_eq!(a.rejected[0].reasons[0].code(), "expired");
                // What it gives back quotes, once the till has worked out
                // the tax of the discounted lines again.
                let after = sample::coupons::retax(&r.order, &a.order_after);
                let mut quote = loyalty_core::QuoteRequest::for_order(after);
                quote.customer = sample::bench_customer();
                program.quote(&quote).unwrap();
            }
            assert_eq!(
                Some(apply_all(&program, &requests)),
                requests.len().checked_mul(APPLIED)
            );
        }
    }

    #[test]
    fn the_200_line_orders_are_the_quote_benchmarks_orders() {
        let (_, quoted) = crate::setup(200, 16).unwrap();
        let (_, requests) = setup(200, 16).unwrap();
        for (q, r) in quoted.iter().zip(&requests) {
            assert_eq!(q.order.as_ref(), Some(&r.order));
        }
    }
}
