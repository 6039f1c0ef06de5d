//! A 200-line order against the synthetic 50-rule program; criterion reports
//! orders per second (16 different orders per iteration).

use criterion::{Criterion, criterion_group, criterion_main};

fn quote_200_lines(c: &mut Criterion) {
    loyalty_benches::bench_quotes(c, 200, 16);
}

criterion_group!(benches, quote_200_lines);
criterion_main!(benches);
