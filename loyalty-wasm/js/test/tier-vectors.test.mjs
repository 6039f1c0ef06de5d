// Every tier vector (tests/vectors/tiers/*.json) through the Node build: each
// step's answer compared byte for byte with its `expect`. No files yet is a
// skip, said so; a file that is not JSON, or not a well-formed tier vector,
// fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mod from './binding.mjs';
import { checkLedgerVector, checkTierVector, runTierVector } from './envelope.mjs';
import { TIERS, listTierVectors } from './paths.mjs';
import { assertRefusesMalformed, malformedCases, testVectorFiles } from './vector-files.mjs';

testVectorFiles({ what: 'tier', capability: TIERS, list: listTierVectors, check: checkTierVector });

// The runner itself, so that it is exercised even while there are no files.
// Worked out by hand: gold takes 500.00 of spend in a calendar year; the
// order that crosses it earns at gold (`crossing_order` is `new_tier` by
// default); a ledger `earn` for an order counts as that order, an `adjust`
// does not count.

const SAMPLE = {
  description: 'a second order crosses gold, which holds through the next year',
  program_toml: `
schema_version = 1
id = "riyadh-coffee"
currency = "SAR"
time_zone = "Asia/Riyadh"
[[earn_rules]]
id = "base"
rate = { points = "1", per = "1" }
[tiers]
window = "calendar_year"
[[tiers.levels]]
id = "member"
[[tiers.levels]]
id = "gold"
qualify = { spend = "500" }
benefits = { multiplier = "1.5" }
`,
  steps: [
    {
      op: 'post',
      event: { type: 'order', id: 'o-1', account: 'm-1', at: '2026-03-01T10:00:00+03:00', spend: '200.00' },
      expect: { result: { event: 'o-1', status: 'applied' } },
    },
    {
      op: 'post',
      event: { type: 'order', id: 'o-1', account: 'm-1', at: '2026-03-01T10:00:00+03:00', spend: '200.00' },
      expect: { result: { event: 'o-1', status: 'duplicate' } },
    },
    {
      op: 'post',
      event: { type: 'order', id: 'o-1', account: 'm-1', at: '2026-03-01T10:00:00+03:00', spend: '201.00' },
      expect: { error: { kind: 'tiers', errors: [{ code: 'conflicting_duplicate', path: 'id' }] } },
    },
    {
      op: 'post',
      event: { type: 'adjust', id: 'a-1', account: 'm-1', at: '2026-03-01T11:00:00+03:00', points: '5', reason: 'goodwill' },
      expect: { result: { event: 'a-1', status: 'ignored' } },
    },
    {
      op: 'status',
      account: 'm-1',
      at: '2026-03-01T12:00:00+03:00',
      expect: {
        result: {
          account: 'm-1',
          as_of: '2026-03-01T12:00:00+03:00',
          tier: 'member',
          since: '2026-03-01T10:00:00+03:00',
          earned_tier: 'member',
          window: { from: '2026-01-01T00:00:00+03:00', to: '2026-03-01T12:00:00+03:00' },
          metrics: { orders: 1, points: '0', spend: '200.00', visits: 1 },
          // The base tier cannot be lost: no `keep`, no `guaranteed_until`.
          next: {
            tier: 'gold',
            by: '2027-01-01T00:00:00+03:00',
            match: 'all',
            metrics: { orders: 1, points: '0', spend: '200.00', visits: 1 },
            needs: { spend: '300.00' },
            met: false,
          },
          benefits: { coupons: [], flags: {} },
        },
      },
    },
    {
      op: 'order_tier',
      event: { type: 'order', id: 'o-2', account: 'm-1', at: '2026-03-02T10:00:00+03:00', spend: '300.00' },
      expect: { result: { tier: 'gold', before: 'member', after: 'gold', multiplier: '1.5' } },
    },
    {
      op: 'post',
      event: { type: 'earn', id: 'e-2', account: 'm-1', at: '2026-03-02T10:00:00+03:00', points: '300', order: 'o-2', amount: '300.00' },
      expect: { result: { event: 'e-2', status: 'applied' } },
    },
    {
      op: 'history',
      account: 'm-1',
      at: '2026-04-01T00:00:00+03:00',
      expect: {
        result: {
          account: 'm-1',
          as_of: '2026-04-01T00:00:00+03:00',
          tier: 'gold',
          transitions: [
            { at: '2026-03-01T10:00:00+03:00', cause: 'joined', earned: 'member', event: 'o-1', to: 'member' },
            {
              at: '2026-03-02T10:00:00+03:00',
              cause: 'qualified',
              earned: 'gold',
              event: 'e-2',
              from: 'member',
              to: 'gold',
              metrics: { orders: 2, points: '300', spend: '500.00', visits: 2 },
            },
          ],
        },
      },
    },
    {
      op: 'status',
      account: 'm-1',
      at: 'soon',
      expect: { error: { kind: 'tiers', errors: [{ code: 'invalid_timestamp', path: 'at' }] } },
    },
    { op: 'check', expect: { result: [] } },
  ],
};

const clone = (v) => structuredClone(v);

test('the tier runner passes a well-formed vector and reports a wrong expect', () => {
  assert.equal(checkTierVector(mod, SAMPLE), null);
  const wrong = clone(SAMPLE);
  wrong.steps[1].expect.result.status = 'applied';
  assert.match(checkTierVector(mod, wrong), /^step 1 \(post\) differs/);
  const wrongCode = clone(SAMPLE);
  wrongCode.steps[2].expect.error.errors[0].path = '';
  assert.match(checkTierVector(mod, wrongCode), /^step 2 \(post\) differs/);
});

test('the tier runner answers every step on a fresh book, errors in the error envelope', () => {
  const answers = runTierVector(mod, SAMPLE);
  assert.equal(answers.length, SAMPLE.steps.length);
  assert.deepEqual(answers[2], SAMPLE.steps[2].expect);
  // A second run starts from an empty book: the first post is applied again.
  assert.deepEqual(runTierVector(mod, SAMPLE)[0], SAMPLE.steps[0].expect);
});

test('the tier runner refuses malformed vectors', () => {
  assertRefusesMalformed(checkTierVector, SAMPLE, [
    ...malformedCases('tier'),
    ['a ledger op', (d) => void (d.steps[7].op = 'balance'), /step 7: unknown op `balance`/],
    ['missing argument', (d) => void delete d.steps[0].event, /step 0: a `post` step needs `event`/],
    ['missing account', (d) => void delete d.steps[7].account, /step 7: a `history` step needs `account`/],
    ['a key of another op', (d) => void (d.steps[7].event = {}), /step 7: unknown key `event` in a `history` step/],
    ['check with an argument', (d) => void (d.steps.at(-1).account = 'm-1'), /unknown key `account` in a `check` step/],
    ['no expect', (d) => void delete d.steps[1].expect, /step 1: \(post\) has no `expect`/],
    ['account not text', (d) => void (d.steps[7].account = 7), /step 7: `account` must be a string/],
    ['at not text', (d) => void (d.steps[8].at = null), /step 8: `at` must be a string/],
  ]);
});

test('tier ops are not ledger ops', () => {
  const ledgerDoc = {
    description: 'a tier op in a ledger vector',
    program_toml: SAMPLE.program_toml,
    steps: [{ op: 'order_tier', event: SAMPLE.steps[5].event, expect: {} }],
  };
  assert.throws(() => checkLedgerVector(mod, ledgerDoc), /unknown op `order_tier`/);
});
