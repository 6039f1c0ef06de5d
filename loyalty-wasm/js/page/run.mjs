// Runs every conformance vector in the browser with the `--target web` build
// (quote vectors, then the ledger's and the tier book's step vectors) and
// exposes the outcome as `window.loyaltyResults`: `{results, ledger, tiers}`,
// each a list of `{name, ok, diff}`.
import init, * as mod from '/pkg/loyalty_wasm.js';
import { checkLedgerVector, checkTierVector, checkVector } from '/lib/envelope.mjs';

async function run(list, check) {
  const index = await (await fetch(list)).json();
  const results = [];
  for (const { name, file } of index) {
    let diff;
    try {
      // Parsed here, not with `.json()`, so a file that is not JSON fails with its name.
      const doc = JSON.parse(await (await fetch(`/vectors/${file}`)).text());
      diff = check(mod, doc);
    } catch (e) {
      diff = `threw: ${e?.stack ?? e}`;
    }
    results.push({ name, ok: diff === null, diff });
  }
  return results;
}

async function main() {
  await init();
  return {
    results: await run('/vectors/index.json', checkVector),
    ledger: await run('/vectors/ledger-index.json', checkLedgerVector),
    tiers: await run('/vectors/tiers-index.json', checkTierVector),
  };
}

main().then(
  (outcome) => {
    window.loyaltyResults = outcome;
    document.getElementById('out').textContent = JSON.stringify(outcome, null, 2);
  },
  (e) => {
    window.loyaltyResults = { error: String(e?.stack ?? e) };
  },
);
