// Quoting speed of the WASM build (Node, --target nodejs) on the criterion
// benchmark's own program and orders, reported as orders per second:
//   cargo run --release -p loyalty-benches --example export_bench_data -- target/bench-data
//   node loyalty-wasm/js/scripts/bench.mjs target/bench-data
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import mod from '../test/binding.mjs';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node bench.mjs BENCH_DATA_DIR');
  process.exit(2);
}
const program = new mod.Program(readFileSync(join(dir, 'program.json'), 'utf8'));
for (const lines of [10, 200]) {
  const requests = JSON.parse(readFileSync(join(dir, `requests-${lines}.json`), 'utf8'));
  const run = () => requests.forEach((r) => program.quote(r));
  for (let i = 0; i < 20; i++) run(); // warm up
  let best = Infinity;
  for (let round = 0; round < 30; round++) {
    const t = performance.now();
    run();
    best = Math.min(best, performance.now() - t);
  }
  const perSecond = Math.round((requests.length / best) * 1000);
  console.log(`wasm (node): ${lines}-line orders: ${perSecond} orders/s (best of 30 rounds of ${requests.length})`);
}
