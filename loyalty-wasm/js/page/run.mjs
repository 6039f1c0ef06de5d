// Runs every conformance vector in the browser with the `--target web` build
// and exposes the outcome as `window.loyaltyResults`.
import init, * as mod from '/pkg/loyalty_wasm.js';
import { checkVector } from '/lib/envelope.mjs';

async function main() {
  await init();
  const index = await (await fetch('/vectors/index.json')).json();
  const results = [];
  for (const { name, file } of index) {
    let diff;
    try {
      const doc = await (await fetch(`/vectors/${file}`)).json();
      diff = checkVector(mod, doc);
    } catch (e) {
      diff = `threw: ${e?.stack ?? e}`;
    }
    results.push({ name, ok: diff === null, diff });
  }
  return results;
}

main().then(
  (results) => {
    window.loyaltyResults = { results };
    document.getElementById('out').textContent = JSON.stringify(results, null, 2);
  },
  (e) => {
    window.loyaltyResults = { error: String(e?.stack ?? e) };
  },
);
