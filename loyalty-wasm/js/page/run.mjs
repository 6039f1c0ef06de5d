// Runs every conformance vector in the browser with the `--target web` build
// (quote vectors, then the ledger's, the tier book's, the coupons', profile
// merging's, the referral book's and insights' step vectors) and exposes the
// outcome as `window.loyaltyResults`: `{results, ledger, tiers, coupons,
// merge, referrals, insights, random}`, the first seven each a list of
// `{name, ok, diff}`;
// `random` is `{ok, diff, codes}` for codes generated without a seed (from
// the browser's crypto.getRandomValues).
import init, * as mod from '/pkg/loyalty_wasm.js';
import {
  checkCouponVector,
  checkInsightsVector,
  checkLedgerVector,
  checkMergeVector,
  checkReferralVector,
  checkTierVector,
  checkVector,
} from '/lib/envelope.mjs';

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

// Vectors always carry a seed; this is the one place the browser's own
// random source is used: two batches that share no code, each code valid.
function unseededCodes() {
  const program = new mod.Program({
    schema_version: 1,
    id: 'page',
    currency: 'SAR',
    time_zone: 'Asia/Riyadh',
    earn_rules: [],
    coupons: [{ id: 'welcome', codes: { kind: 'unique' }, discount: { type: 'amount_off', amount: '10' } }],
  });
  try {
    const codes = [1, 2].flatMap(() => program.generateCodes({ campaign: 'welcome', count: 10 }).codes.map((c) => c.code));
    const bad = codes.filter((c) => !program.checkCode(c).ok);
    let diff = null;
    if (new Set(codes).size !== codes.length) diff = `two batches share a code: ${codes.join(' ')}`;
    else if (bad.length > 0) diff = `codes that fail checkCode: ${bad.join(' ')}`;
    return { ok: diff === null, diff, codes: codes.length };
  } catch (e) {
    return { ok: false, diff: `threw: ${e?.stack ?? e}`, codes: 0 };
  } finally {
    program.free();
  }
}

async function main() {
  await init();
  return {
    results: await run('/vectors/index.json', checkVector),
    ledger: await run('/vectors/ledger-index.json', checkLedgerVector),
    tiers: await run('/vectors/tiers-index.json', checkTierVector),
    coupons: await run('/vectors/coupons-index.json', checkCouponVector),
    merge: await run('/vectors/merge-index.json', checkMergeVector),
    referrals: await run('/vectors/referrals-index.json', checkReferralVector),
    insights: await run('/vectors/insights-index.json', checkInsightsVector),
    random: unseededCodes(),
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
