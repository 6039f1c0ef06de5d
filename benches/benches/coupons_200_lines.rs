//! Coupons at checkout: four codes typed on an order, three of which apply
//! together (a 10% with a maximum in a group, buy two bakery units get one
//! free, 50,000 IRR off) and one refused (its campaign ended), against the
//! synthetic 50-rule program with ten campaigns (`loyalty_benches::coupons`).
//! Criterion reports orders per second: 16 different 200-line orders per
//! iteration (the quote benchmark's orders), and 64 10-line orders for
//! comparison. Every answer includes `order_after`, the order with the
//! discounts in its lines, ready to quote.
//!
//! ```text
//! cargo bench -p loyalty-benches --bench coupons_200_lines
//! ```

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use loyalty_benches::coupons;

fn apply(c: &mut Criterion, lines: usize, orders: usize) {
    let (program, requests) = match coupons::setup(lines, orders) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot set the benchmark up: {e}");
            std::process::exit(1);
        }
    };
    let mut group = c.benchmark_group("coupons");
    group.throughput(Throughput::Elements(
        u64::try_from(orders).unwrap_or(u64::MAX),
    ));
    group.bench_function(
        format!(
            "apply_{}_of_{}_{lines}_lines_{}_campaigns",
            coupons::APPLIED,
            coupons::TYPED.len(),
            coupons::CAMPAIGNS
        ),
        |b| b.iter(|| coupons::apply_all(&program, &requests)),
    );
    group.finish();
}

fn coupons_200_lines(c: &mut Criterion) {
    apply(c, 200, 16);
    apply(c, 10, 64);
}

criterion_group!(benches, coupons_200_lines);
criterion_main!(benches);
