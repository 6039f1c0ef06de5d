//! A 200-line order (a large basket) against the synthetic 50-rule program; criterion reports
//! orders per second (elements = orders).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use loyalty_benches::{RULES, quote_all, setup};

const LINES: usize = 200;
const ORDERS: usize = 16;

fn quote_200_lines(c: &mut Criterion) {
    let (program, requests) = match setup(LINES, ORDERS) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot set the benchmark up: {e}");
            std::process::exit(1);
        }
    };
    let mut group = c.benchmark_group("quote");
    group.throughput(Throughput::Elements(ORDERS as u64));
    group.bench_function(format!("{LINES}_lines_{RULES}_rules"), |b| {
        b.iter(|| quote_all(black_box(&program), black_box(&requests)));
    });
    group.finish();
}

criterion_group!(benches, quote_200_lines);
criterion_main!(benches);
