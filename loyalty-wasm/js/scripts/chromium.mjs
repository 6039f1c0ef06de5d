// Serves the `--target web` build and a page on 127.0.0.1 (a free port), runs
// every conformance vector (quote vectors, the ledger's, the tier book's, the
// coupons', profile merging's, the referral book's and insights' step
// vectors, insights' `stats`, `triggers` and `report` steps alike) in
// headless Chromium through playwright-core and fails if any answer's
// canonical bytes differ, if the page ran fewer vectors of a kind than there
// are files, or other steps than the files hold, if there are no referral or
// insights vectors (their folders must exist), if codes generated without a
// seed (from the browser's crypto.getRandomValues), by generateCodes or with
// a trigger, repeat or fail checkCode, or if a report given books lacks their
// sections or takes a book of the wrong kind.
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { chromium } from 'playwright-core';
import {
  INSIGHTS,
  REFERRALS,
  jsDir,
  listCouponVectors,
  listInsightsVectors,
  listLedgerVectors,
  listMergeVectors,
  listReferralVectors,
  listTierVectors,
  listVectors,
  pkgDir,
  vectorsDir,
} from '../test/paths.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
};

const vectors = listVectors();
if (vectors.length === 0) throw new Error(`no vectors under ${vectorsDir}`);
// None yet is fine (as under Node); a file that is there must pass.
const ledgerVectors = listLedgerVectors();
const tierVectors = listTierVectors();
const couponVectors = listCouponVectors();
const mergeVectors = listMergeVectors();
// These exist: a missing folder throws, an empty one fails here.
const referralVectors = listReferralVectors();
const insightsVectors = listInsightsVectors();
for (const [what, list, cap] of [
  ['referral', referralVectors, REFERRALS],
  ['insights', insightsVectors, INSIGHTS],
]) {
  if (list.length === 0) throw new Error(`no ${what} vectors under ${join(vectorsDir, cap)}`);
}

/** The op of every step of a step vector file, as the page reports them. */
function stepOps(file) {
  try {
    const doc = JSON.parse(readFileSync(join(vectorsDir, file), 'utf8'));
    return Array.isArray(doc?.steps) ? doc.steps.map((s) => s?.op) : [];
  } catch {
    return [];
  }
}

// URL prefix -> directory served under it.
const mounts = [
  ['/pkg/', join(pkgDir, 'web')],
  ['/lib/', join(jsDir, 'test')],
  ['/vectors/', vectorsDir],
  ['/', join(jsDir, 'page')],
];

function resolveFile(pathname) {
  for (const [prefix, dir] of mounts) {
    if (!pathname.startsWith(prefix)) continue;
    const rel = normalize(decodeURIComponent(pathname.slice(prefix.length)) || 'index.html');
    if (rel.startsWith('..') || rel.startsWith(sep)) return null;
    return join(dir, rel);
  }
  return null;
}

const server = createServer((req, res) => {
  const { pathname } = new URL(req.url, 'http://127.0.0.1');
  const index = {
    '/vectors/index.json': vectors,
    '/vectors/ledger-index.json': ledgerVectors,
    '/vectors/tiers-index.json': tierVectors,
    '/vectors/coupons-index.json': couponVectors,
    '/vectors/merge-index.json': mergeVectors,
    '/vectors/referrals-index.json': referralVectors,
    '/vectors/insights-index.json': insightsVectors,
  }[pathname];
  if (index) {
    res.writeHead(200, { 'content-type': TYPES['.json'] });
    res.end(JSON.stringify(index));
    return;
  }
  const file = resolveFile(pathname);
  let body;
  try {
    body = file && readFileSync(file);
  } catch {
    body = null;
  }
  if (!body) {
    res.writeHead(404).end('not found');
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
  res.end(body);
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const url = `http://127.0.0.1:${server.address().port}/`;

const userDataDir = mkdtempSync(join(tmpdir(), 'loyalty-chromium-'));
let context;
let failed = 0;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  await page.waitForFunction(() => window.loyaltyResults !== undefined, null, { timeout: 120_000 });
  const outcome = await page.evaluate(() => window.loyaltyResults);
  for (const p of problems) console.error(p);
  if (outcome.error) throw new Error(`the page failed: ${outcome.error}`);
  for (const [what, results, expected] of [
    ['quote', outcome.results, vectors],
    ['ledger', outcome.ledger, ledgerVectors],
    ['tier', outcome.tiers, tierVectors],
    ['coupon', outcome.coupons, couponVectors],
    ['merge', outcome.merge, mergeVectors],
    ['referral', outcome.referrals, referralVectors],
    ['insights', outcome.insights, insightsVectors],
  ]) {
    if (!Array.isArray(results) || results.length !== expected.length) {
      throw new Error(`the page ran ${results?.length} of ${expected.length} ${what} vectors`);
    }
    let bad = 0;
    for (const r of results.filter((r) => !r.ok)) {
      bad += 1;
      console.error(`FAIL ${r.name}: ${r.diff}`);
    }
    // Every step the files hold ran, op for op (a vector the page read
    // differently from the file on disk would pass vacuously).
    const ops = {};
    results.forEach((r, i) => {
      const onDisk = stepOps(expected[i].file);
      if (Array.isArray(r.ops) && r.ops.length > 0 && JSON.stringify(r.ops) !== JSON.stringify(onDisk)) {
        bad += 1;
        console.error(`FAIL ${r.name}: the page ran ops ${JSON.stringify(r.ops)}, the file holds ${JSON.stringify(onDisk)}`);
      }
      for (const op of r.ops ?? []) ops[op] = (ops[op] ?? 0) + 1;
    });
    failed += bad;
    const none = expected.length === 0 ? ` (none: no ${what} vector files yet)` : '';
    const steps = Object.keys(ops).length === 0 ? '' : ` (steps: ${Object.entries(ops).map(([op, n]) => `${n} ${op}`).join(', ')})`;
    console.log(`chromium ${what} vectors: ${results.length - bad} passed, ${bad} failed${none}${steps}`);
  }
  const insightsOps = new Set(outcome.insights.flatMap((r) => r.ops ?? []));
  for (const op of ['triggers', 'report']) {
    if (!insightsOps.has(op)) {
      failed += 1;
      console.error(`FAIL the page ran no insights \`${op}\` step`);
    }
  }
  if (!outcome.report?.ok) {
    failed += 1;
    console.error(`FAIL report with books: ${outcome.report?.diff}`);
  } else {
    console.log('chromium report with books: a ledger and a tier book add their sections, a book of the wrong kind is refused');
  }
  for (const [what, random] of [
    ['generateCodes', outcome.random],
    ['triggers', outcome.randomTriggers],
  ]) {
    if (!random?.ok) {
      failed += 1;
      console.error(`FAIL ${what} without a seed: ${random?.diff}`);
    } else {
      console.log(`chromium ${what} without a seed: ${random.codes} codes from crypto.getRandomValues, none repeated, all pass checkCode`);
    }
  }
} finally {
  await context?.close();
  server.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
process.exitCode = failed === 0 ? 0 : 1;
