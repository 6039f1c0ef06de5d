//! A 10-line order against the synthetic 50-rule program; criterion reports
//! orders per second (64 different orders per iteration).

use criterion::{Criterion, criterion_group, criterion_main};

fn quote_10_lines(c: &mut Criterion) {
    loyalty_benches::bench_quotes(c, 10, 64);
}

criterion_group!(benches, quote_10_lines);
criterion_main!(benches);
