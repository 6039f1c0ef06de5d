//! Per-customer statistics, RFM scores and segments of 10 million orders
//! of a million customers of the sample café over two years (goal: under
//! 3 s on the 2-core CI machine), from the same orders given two ways:
//! as rows (`Program::customer_stats`, what the bindings pass) and as
//! columns (`Program::customer_stats_columns`).
//!
//! ```text
//! cargo bench -p loyalty-benches --bench insights_stats
//! INSIGHTS_BENCH_ORDERS=1000000 INSIGHTS_BENCH_CUSTOMERS=100000 cargo bench -p loyalty-benches --bench insights_stats
//! ```
//!
//! `INSIGHTS_BENCH_ORDERS` (default 10,000,000) and
//! `INSIGHTS_BENCH_CUSTOMERS` (default 1,000,000) set the size; without
//! `--bench` (`cargo test --benches`) a small one is used. The orders are
//! generated once, before anything is measured (about a minute and 8 GB at
//! the full size, both spellings); every sample is one whole call.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use loyalty_benches::insights;
use loyalty_core::insights::OrderColumns;

/// True under `cargo bench` (criterion's `--bench` without `--test` or `--list`).
fn benchmarking() -> bool {
    let args: Vec<String> = std::env::args().collect();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    has("--bench") && !has("--test") && !has("--list")
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn main() {
    let full = benchmarking();
    let orders = env_or(
        "INSIGHTS_BENCH_ORDERS",
        if full { insights::ORDERS } else { 20_000 },
    );
    let customers = env_or(
        "INSIGHTS_BENCH_CUSTOMERS",
        if full { insights::CUSTOMERS } else { 2_000 },
    );
    let program = match insights::program() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("cannot load the sample program: {e}");
            std::process::exit(1);
        }
    };
    eprintln!("generating {orders} orders of {customers} customers ...");
    let request = insights::request(orders, customers);
    let columns = match OrderColumns::from_orders(&request.orders) {
        Ok(columns) => columns,
        Err(e) => {
            eprintln!("the benchmark's orders are refused: {e:?}");
            std::process::exit(1);
        }
    };
    // One call of each outside criterion: checks the request, that both
    // spellings agree, and prints what they give.
    let started = std::time::Instant::now();
    let rows = program.customer_stats(&request);
    let rows_s = started.elapsed().as_secs_f64();
    let started = std::time::Instant::now();
    let cols = program.customer_stats_columns(&columns, &request.as_of);
    let cols_s = started.elapsed().as_secs_f64();
    match (rows, cols) {
        (Ok(stats), Ok(same)) if stats == same => {
            let sizes: Vec<String> = stats
                .segments
                .iter()
                .map(|s| format!("{} {}", s.segment, s.customers))
                .collect();
            eprintln!(
                "first calls: rows {rows_s:.2} s, columns {cols_s:.2} s, {} customers; segments: {}",
                stats.customers.len(),
                sizes.join(", ")
            );
        }
        (Ok(_), Ok(_)) => {
            eprintln!("rows and columns give different statistics");
            std::process::exit(1);
        }
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("the benchmark's orders are refused: {e:?}");
            std::process::exit(1);
        }
    }
    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("insights");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(if full { 60 } else { 1 }));
    group.warm_up_time(Duration::from_secs(1));
    group.throughput(Throughput::Elements(
        u64::try_from(orders).unwrap_or(u64::MAX),
    ));
    group.bench_function(
        BenchmarkId::new(
            "customer_stats",
            format!("{orders}_orders_{customers}_customers"),
        ),
        |b| b.iter(|| black_box(program.customer_stats(black_box(&request)))),
    );
    group.bench_function(
        BenchmarkId::new(
            "customer_stats_columns",
            format!("{orders}_orders_{customers}_customers"),
        ),
        |b| {
            b.iter(|| {
                black_box(program.customer_stats_columns(black_box(&columns), &request.as_of))
            })
        },
    );
    group.finish();
    c.final_summary();
}
