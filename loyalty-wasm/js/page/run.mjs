// Runs every conformance vector in the browser with the `--target web` build
// (quote vectors, then the ledger's, the tier book's, the coupons', profile
// merging's, the referral book's and insights' step vectors, insights' with
// their `stats`, `triggers` and `report` steps) and exposes the outcome as
// `window.loyaltyResults`: `{results, ledger, tiers, coupons, merge,
// referrals, insights, random, randomTriggers, report}`, the first seven
// each a list of `{name, ok, diff, ops}` (`ops`: the op of each step, for
// step vectors); `random` and `randomTriggers` are `{ok, diff, codes}` for
// codes generated without a seed (from the browser's crypto.getRandomValues),
// by `generateCodes` and by `triggers` (one customer's birthday coupon);
// `report` is `{ok, diff}` for a report given books (which vectors never
// give).
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

// A report given books in the browser: the ledger and the tier book each add
// their section, and a book of the wrong kind is a LoyaltyError at its path.
// 21:00 UTC on 28 February is midnight on Sunday 1 March in Riyadh.
function reportWithBooks() {
  const program = mod.Program.fromToml(`
schema_version = 1
id = "page"
currency = "SAR"
time_zone = "Asia/Riyadh"
[tiers]
window = "calendar_year"
[[tiers.levels]]
id = "silver"
qualify = { spend = "100" }
`);
  const ledger = new mod.Ledger(program);
  const tiers = new mod.Tiers(program);
  try {
    ledger.post({ type: 'earn', id: 'e-1', account: 'm-1', at: '2026-03-05T10:00:00+03:00', points: '40' });
    tiers.post({ type: 'order', id: 't-1', account: 'm-1', at: '2026-03-05T10:00:00+03:00', spend: '150.00' });
    const request = {
      from: '2026-03-01',
      to: '2026-03-31',
      orders: [{ id: 'o-1', customer: 'c-1', at: '2026-02-28T21:00:00Z', amount: '20.05' }],
    };
    const bare = program.report(request);
    const full = program.report(request, { ledger, tiers });
    const tierCounts = JSON.stringify(full.tiers);
    let diff = null;
    if (bare.orders !== 1 || bare.weekday_hour[6][0] !== 1 || 'points' in bare || 'tiers' in bare) {
      diff = `the report without books: ${JSON.stringify(bare)}`;
    } else if (full.points?.issued !== '40' || tierCounts !== '[{"count":1,"name":"silver"},{"count":0,"name":"none"}]' || 'referrals' in full) {
      diff = `the report with a ledger and a tier book: ${JSON.stringify(full)}`;
    } else {
      try {
        program.report(request, { ledger: tiers });
        diff = 'a Tiers given as the ledger was taken';
      } catch (e) {
        if (e?.name !== 'LoyaltyError' || e.code !== 'invalid_type' || e.path !== 'books.ledger') diff = `not the refusal expected: ${e?.stack ?? e}`;
      }
    }
    return { ok: diff === null, diff };
  } catch (e) {
    return { ok: false, diff: `threw: ${e?.stack ?? e}` };
  } finally {
    ledger.free();
    tiers.free();
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
    report: reportWithBooks(),
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
