// Runs every conformance vector in the browser with the `--target web` build
// (quote vectors, then the ledger's, the tier book's, the coupons', profile
// merging's, the referral book's and insights' step vectors, insights' with
// their `stats` and `triggers` steps) and exposes the outcome as
// `window.loyaltyResults`: `{results, ledger, tiers, coupons, merge,
// referrals, insights, random, randomTriggers}`, the first seven each a list
// of `{name, ok, diff, ops}` (`ops`: the op of each step, for step vectors);
// `random` and `randomTriggers` are `{ok, diff, codes}` for codes generated
// without a seed (from the browser's crypto.getRandomValues), by
// `generateCodes` and by `triggers` (one customer's birthday coupon).
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
    let ops = [];
    try {
      // Parsed here, not with `.json()`, so a file that is not JSON fails with its name.
      const doc = JSON.parse(await (await fetch(`/vectors/${file}`)).text());
      if (Array.isArray(doc?.steps)) ops = doc.steps.map((s) => s?.op);
      diff = check(mod, doc);
    } catch (e) {
      diff = `threw: ${e?.stack ?? e}`;
    }
    results.push({ name, ok: diff === null, diff, ops });
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

// The browser's use of triggers: one customer's birthday today in her time
// zone, with a personal coupon code drawn from crypto.getRandomValues (no
// seed): two asks give two different codes, each valid for the campaign.
function unseededTriggers() {
  const program = new mod.Program({
    schema_version: 1,
    id: 'page',
    currency: 'SAR',
    time_zone: 'Asia/Riyadh',
    coupons: [{ id: 'birthday-gift', codes: { kind: 'personal', pattern: 'BDY-####-####' }, discount: { type: 'percent', percent: '20' } }],
    triggers: { birthday: { lead_days: 0, coupon: 'birthday-gift' } },
  });
  try {
    // 00:30 on 3 March in Tehran.
    const request = { at: '2026-03-02T21:00:00Z', customers: [{ id: 'sara', time_zone: 'Asia/Tehran', birth_date: '1990-03-03' }] };
    const answers = [1, 2].map(() => program.triggers(request).triggers);
    const codes = answers.flat().map((t) => t.coupon?.code);
    let diff = null;
    if (answers.some((a) => a.length !== 1 || a[0].kind !== 'birthday' || a[0].date !== '2026-03-03')) {
      diff = `not one birthday on 2026-03-03: ${JSON.stringify(answers)}`;
    } else if (new Set(codes).size !== 2) diff = `two asks gave one code: ${codes.join(' ')}`;
    else if (!codes.every((c) => typeof c === 'string' && program.checkCode(c).ok)) diff = `codes that fail checkCode: ${codes.join(' ')}`;
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
    randomTriggers: unseededTriggers(),
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
