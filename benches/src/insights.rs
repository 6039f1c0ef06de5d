//! Set-up for the insights benchmark: seeded orders of the sample café
//! (Asia/Tehran, IRR) for a number of customers over two years.

use chrono::Offset;
use loyalty_core::Program;
use loyalty_core::insights::{InsightLine, InsightOrder, StatsRequest};
use loyalty_testkit::sample::{self, PRODUCTS, STORES};
use rand::RngExt;
use rust_decimal::Decimal;

/// Orders in the full benchmark.
pub const ORDERS: usize = 10_000_000;
/// Customers in the full benchmark.
pub const CUSTOMERS: usize = 1_000_000;

/// `orders` orders of `customers` customers (every customer has at least
/// one when there are enough orders), one to three lines each, spread over
/// the two years before `as_of`, with channels, stores, payment methods and
/// some points and coupon use. The same arguments give the same orders.
pub fn request(orders: usize, customers: usize) -> StatsRequest {
    let mut rng = sample::rng(8);
    let customers = customers.max(1);
    let channels = ["pos", "pos", "pos", "app", "web"];
    let payments = ["card", "card", "cash", "wallet", "credit"];
    // 2026-06-30T23:59:59+03:30 minus up to two years, in seconds.
    let as_of_s: i64 = 1_782_847_799;
    let tehran = chrono::FixedOffset::east_opt(12_600).unwrap_or(chrono::Utc.fix());
    let orders = (0..orders)
        .map(|i| {
            let customer = if i < customers {
                i
            } else {
                rng.random_range(0..customers)
            };
            let back = rng.random_range(0..TWO_YEARS_S);
            let at = chrono::DateTime::from_timestamp(as_of_s.saturating_sub(back), 0)
                .unwrap_or_default()
                .with_timezone(&tehran)
                .to_rfc3339();
            let n = rng.random_range(1..=3usize);
            let lines: Vec<InsightLine> = (0..n)
                .filter_map(|_| {
                    let p = pick(&mut rng, PRODUCTS)?;
                    Some(InsightLine {
                        sku: p.sku.to_owned(),
                        category: p.categories.first().map(|c| (*c).to_owned()),
                        quantity: Decimal::from(rng.random_range(1..=3u32)),
                        amount: Decimal::from(p.price),
                    })
                })
                .collect();
            let amount = lines.iter().map(|l| l.amount).sum();
            InsightOrder {
                id: format!("o-{i}"),
                customer: format!("c-{customer}"),
                at,
                amount,
                channel: pick(&mut rng, &channels).map(|c| (*c).to_owned()),
                store: pick(&mut rng, STORES).map(|s| s.0.to_owned()),
                payment: pick(&mut rng, &payments).map(|p| (*p).to_owned()),
                points_paid: rng.random_bool(0.1).then(|| Decimal::from(20_000)),
                coupon_discount: rng.random_bool(0.05).then(|| Decimal::from(15_000)),
                lines,
                coupons: Vec::new(),
            }
        })
        .collect();
    StatsRequest {
        orders,
        as_of: "2026-06-30T23:59:59+03:30".to_owned(),
    }
}

const TWO_YEARS_S: i64 = 2 * 365 * 86_400;

/// A uniformly chosen element (`None` for an empty slice).
fn pick<'a, T>(rng: &mut sample::SampleRng, items: &'a [T]) -> Option<&'a T> {
    items.get(rng.random_range(0..items.len().max(1)))
}

/// The sample café's program.
pub fn program() -> Result<Program, String> {
    sample::program().map_err(|e| e.to_string())
}
