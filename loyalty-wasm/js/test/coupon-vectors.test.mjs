// Every coupon vector (tests/vectors/coupons/*.json) through the Node build:
// each step's answer compared byte for byte with its `expect` (errors by code
// and path only). No files yet is a skip, said so; a file that is not JSON,
// or not a well-formed coupon vector, fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mod from './binding.mjs';
import { checkCouponVector, checkTierVector, runCouponVector } from './envelope.mjs';
import { COUPONS, listCouponVectors } from './paths.mjs';
import { assertRefusesMalformed, malformedCases, testVectorFiles } from './vector-files.mjs';

testVectorFiles({ what: 'coupon', capability: COUPONS, list: listCouponVectors, check: checkCouponVector });

// The runner itself, so that it is exercised even while there are no files.
// Worked out by hand: 10% of 29.00 is 2.90, all on the one line; `ten-off`
// may be used once in all, so with the first answer's counters it is refused
// (1 of 1 used) while the points coupon is accepted. `BDY-2222-2222` is a
// well-formed code (every symbol is `2`, value 0, so the weighted sum is 0);
// `3` (value 1) in slot 8 (weight 8) makes the sum 8, not 0 mod 31: a typo.
// The quote earns 1 point per 10.00: 29.00 gives 2.9, floored to 2, and the
// doubling coupon adds the same again.

const ORDER = {
  id: 'o-1',
  placed_at: '2026-03-01T09:15:00+03:00',
  lines: [{ sku: 'latte', quantity: '2', unit_price: '14.50' }],
};
const LINE_AFTER = { categories: [], kind: 'item', quantity: '2', sku: 'latte', tax: '0', unit_price: '14.50' };
const AFTER = { channel: null, currency: null, payment_method: null, placed_at: ORDER.placed_at, store: null };

const SAMPLE = {
  description: 'a public code used up by its first order, a points coupon, typed codes checked, and its quote',
  program_toml: `
schema_version = 1
id = "riyadh-coffee"
currency = "SAR"
time_zone = "Asia/Riyadh"
[[earn_rules]]
id = "base"
rate = { points = "1", per = "10" }
[[coupons]]
id = "ten-off"
code = "TENOFF"
discount = { type = "percent", percent = "10" }
limits = { total = 1 }
[[coupons]]
id = "bday"
codes = { kind = "personal", pattern = "BDY-####-####" }
discount = { type = "amount_off", amount = "5" }
[[coupons]]
id = "double"
code = "DOUBLE"
discount = { type = "points_multiplier", multiplier = "2" }
`,
  steps: [
    {
      op: 'apply',
      request: { order: ORDER, customer: { id: 'c-1' }, coupons: [{ code: 'ten off' }] },
      expect: {
        result: {
          accepted: [
            { campaign: 'ten-off', code: 'TENOFF', discount: '2.90', kind: 'percent', lines: [{ discount: '2.90', line: 0 }] },
          ],
          counters: { 'ten-off': { customer_uses: 1, discount: '2.90', uses: 1 } },
          currency: 'SAR',
          discount: '2.90',
          lines: [{ amount: '29.00', discount: '2.90', line: 0, sku: 'latte', total: '26.10' }],
          local_time: '2026-03-01T09:15:00+03:00',
          order: 'o-1',
          order_after: { ...AFTER, id: 'o-1', lines: [{ ...LINE_AFTER, discount: '2.90' }] },
          points_coupons: [],
          program: 'riyadh-coffee',
          rejected: [],
          subtotal: '29.00',
          total: '26.10',
        },
      },
    },
    {
      op: 'apply',
      request: {
        order: { ...ORDER, id: 'o-2' },
        customer: { id: 'c-2' },
        coupons: [{ code: 'TENOFF' }, { code: 'double' }],
        counters: { 'ten-off': { customer_uses: 0, discount: '2.90', uses: 1 } },
      },
      expect: {
        result: {
          accepted: [
            {
              campaign: 'double',
              code: 'DOUBLE',
              discount: '0.00',
              kind: 'points_multiplier',
              lines: [],
              points: { multiplier: '2', rule: 'coupon:double' },
            },
          ],
          counters: {
            double: { customer_uses: 1, discount: '0.00', uses: 1 },
            'ten-off': { customer_uses: 0, discount: '2.90', uses: 1 },
          },
          currency: 'SAR',
          discount: '0.00',
          lines: [{ amount: '29.00', discount: '0.00', line: 0, sku: 'latte', total: '29.00' }],
          local_time: '2026-03-01T09:15:00+03:00',
          order: 'o-2',
          order_after: { ...AFTER, id: 'o-2', lines: [{ ...LINE_AFTER, discount: '0' }] },
          points_coupons: ['double'],
          program: 'riyadh-coffee',
          rejected: [
            { campaign: 'ten-off', code: 'TENOFF', reasons: [{ code: 'total_limit_reached', limit: 1, used: 1 }] },
          ],
          subtotal: '29.00',
          total: '29.00',
        },
      },
    },
    {
      op: 'check_code',
      code: 'bdy 2222 2222',
      expect: {
        result: { campaigns: ['bday'], code: 'BDY-2222-2222', input: 'bdy 2222 2222', kind: 'personal', ok: true, reasons: [] },
      },
    },
    {
      op: 'check_code',
      code: 'BDY-2222-2223',
      expect: {
        result: { campaigns: ['bday'], input: 'BDY-2222-2223', ok: false, reasons: [{ code: 'bad_check_character' }] },
      },
    },
    {
      op: 'generate',
      request: { campaign: 'ten-off', count: 1, seed: '1' },
      expect: { error: { kind: 'request', errors: [{ code: 'not_generated', path: 'campaign' }] } },
    },
    {
      op: 'quote',
      request: { order: { ...ORDER, id: 'o-2' }, coupons: ['double'] },
      expect: {
        result: {
          program: 'riyadh-coffee',
          source: { kind: 'order', id: 'o-2' },
          currency: 'SAR',
          local_time: '2026-03-01T09:15:00+03:00',
          eligible_spend: '29.00',
          total: '4',
          awards: [
            {
              rule: 'base',
              kind: 'rate',
              base: '29.00',
              lines: [{ line: 0, base: '29.00', points: '2.9' }],
              unrounded: '2.9',
              rounding: '-0.9',
              caps: [],
              points: '2',
            },
            {
              rule: 'coupon:double',
              kind: 'multiplier',
              base: '2.9',
              multiplier: '2',
              lines: [{ line: 0, base: '2.9', points: '2.9' }],
              unrounded: '2.9',
              rounding: '-0.9',
              caps: [],
              points: '2',
            },
          ],
          lines: [{ line: 0, sku: 'latte', eligible: '29.00' }],
          misses: [],
          counters: {},
        },
      },
    },
  ],
};

const clone = (v) => structuredClone(v);

test('the coupon runner passes a well-formed vector and reports a wrong expect', () => {
  assert.equal(checkCouponVector(mod, SAMPLE), null);
  const wrong = clone(SAMPLE);
  wrong.steps[0].expect.result.lines[0].discount = '2.91';
  assert.match(checkCouponVector(mod, wrong), /^step 0 \(apply\) differs/);
  const wrongReason = clone(SAMPLE);
  wrongReason.steps[3].expect.result.reasons[0].code = 'malformed_code';
  assert.match(checkCouponVector(mod, wrongReason), /^step 3 \(check_code\) differs/);
  const wrongPath = clone(SAMPLE);
  wrongPath.steps[4].expect.error.errors[0].path = '';
  assert.match(checkCouponVector(mod, wrongPath), /^step 4 \(generate\) differs/);
});

test('the coupon runner answers every step, errors in the error envelope without messages', () => {
  const answers = runCouponVector(mod, SAMPLE);
  assert.equal(answers.length, SAMPLE.steps.length);
  assert.deepEqual(answers[4], SAMPLE.steps[4].expect);
  // No state between steps: the same apply gives the same answer every run.
  assert.deepEqual(runCouponVector(mod, SAMPLE)[0], answers[0]);
});

test('the coupon runner refuses malformed vectors, each for its own reason', () => {
  assertRefusesMalformed(checkCouponVector, SAMPLE, [
    ...malformedCases('coupon'),
    [
      'a program that fails its own check',
      (d) => void (d.program_toml = d.program_toml.replace('code = "DOUBLE"', '')),
      /code_source_not_one/,
    ],
    ['a tier op', (d) => void (d.steps[0].op = 'status'), /step 0: unknown op `status`/],
    ['missing request', (d) => void delete d.steps[0].request, /step 0: a `apply` step needs `request`/],
    ['missing code', (d) => void delete d.steps[2].code, /step 2: a `check_code` step needs `code`/],
    ['code not text', (d) => void (d.steps[2].code = 2222), /step 2: `code` must be a string/],
    ['a key of another op', (d) => void (d.steps[2].request = {}), /step 2: unknown key `request`/],
    ['generate without a seed', (d) => void delete d.steps[4].request.seed, /step 4: a `generate` step needs a `seed`/],
    [
      'generate with a request that is not an object',
      (d) => void (d.steps[4].request = 'ten-off'),
      /step 4: a `generate` step needs a `seed`/,
    ],
    ['no expect', (d) => void delete d.steps[1].expect, /step 1: \(apply\) has no `expect`/],
  ]);
});

test('coupon ops are not tier ops', () => {
  const tierDoc = {
    description: 'a coupon op in a tier vector',
    program_toml: SAMPLE.program_toml,
    steps: [{ op: 'check_code', code: 'TENOFF', expect: {} }],
  };
  assert.throws(() => checkTierVector(mod, tierDoc), /unknown op `check_code`/);
});
