//! Shared set-up of the criterion benchmarks in `benches/`: one file per
//! scenario, each quoting orders of one size against the synthetic 50-rule
//! program of the sample kit; [`ledger`] sets up the ledger replay benchmark,
//! [`tiers`] the tier benchmark, [`coupons`] the coupon benchmark and
//! [`insights`] the customer-statistics benchmark.

use std::hint::black_box;

use criterion::{Criterion, Throughput};
use loyalty_core::{Program, QuoteRequest};
use loyalty_testkit::sample;

pub mod coupons;
pub mod insights;
pub mod ledger;
pub mod tiers;

/// Rules in the benchmark program (the size the speed goal is stated for).
pub const RULES: usize = 50;

/// Seed of the benchmark orders.
pub const SEED: u64 = 50;

/// The synthetic program of `RULES` rules and `orders` distinct requests of
/// `lines` lines each, for a silver card holder with empty cap counters.
///
/// Quoting several different orders per iteration keeps the branch predictor
/// from learning one order by heart.
pub fn setup(lines: usize, orders: usize) -> Result<(Program, Vec<QuoteRequest>), String> {
    let program = sample::program_with_rules(RULES).map_err(|e| e.to_string())?;
    let mut rng = sample::rng(SEED);
    let requests = (0..orders)
        .map(|_| QuoteRequest {
            order: Some(sample::order_with_lines(&mut rng, lines)),
            customer: sample::bench_customer(),
            ..QuoteRequest::default()
        })
        .collect::<Vec<_>>();
    // A request that fails would measure the error path, not quoting.
    for r in &requests {
        program.quote(r).map_err(|e| e.to_string())?;
    }
    Ok((program, requests))
}

/// Quotes every request once and returns the number of awards, so the
/// optimizer cannot drop the work.
pub fn quote_all(program: &Program, requests: &[QuoteRequest]) -> usize {
    requests
        .iter()
        .filter_map(|r| program.quote(r).ok())
        .map(|q| q.awards.len())
        .fold(0, usize::saturating_add)
}

/// One scenario: `orders` different orders of `lines` lines each, quoted
/// against the `RULES`-rule program; criterion reports orders per second.
pub fn bench_quotes(c: &mut Criterion, lines: usize, orders: usize) {
    let (program, requests) = match setup(lines, orders) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot set the benchmark up: {e}");
            std::process::exit(1);
        }
    };
    let mut group = c.benchmark_group("quote");
    group.throughput(Throughput::Elements(
        u64::try_from(orders).unwrap_or(u64::MAX),
    ));
    group.bench_function(format!("{lines}_lines_{RULES}_rules"), |b| {
        b.iter(|| quote_all(black_box(&program), black_box(&requests)));
    });
    group.finish();
}
