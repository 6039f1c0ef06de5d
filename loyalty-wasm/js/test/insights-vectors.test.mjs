// Every insights vector (tests/vectors/insights/*.json) through the Node
// build: each step's answer compared byte for byte with its `expect` (errors
// by code and path only), every step a `program.customerStats` call. The
// vectors exist: a missing folder, or one with no vector, fails; so does a
// file that is not JSON, or not a well-formed insights vector.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mod from './binding.mjs';
import { checkCouponVector, checkInsightsVector, runInsightsVector } from './envelope.mjs';
import { INSIGHTS, listInsightsVectors } from './paths.mjs';
import { assertRefusesMalformed, malformedCases, testVectorFiles } from './vector-files.mjs';

testVectorFiles({ what: 'insights', capability: INSIGHTS, list: listInsightsVectors, check: checkInsightsVector, required: true });

// The runner itself, on a vector made here. Worked out by hand from
// loyalty-core/src/insights/stats.rs: one order on Tuesday 10 March at 09:00
// in Riyadh, 4 days and 15 hours before `as_of` (4 whole days); one visit in
// less than a week counts as one a week; the only customer is every
// quintile's top fifth (5, 5, 5) and new (first order within 30 days).

const PROGRAM_TOML = `
schema_version = 1
id = "jeddah-bakery"
currency = "SAR"
time_zone = "Asia/Riyadh"
`;

const AS_OF = '2026-03-15T00:00:00+03:00';
const ORDER = { id: 'o-1', customer: 'c-1', at: '2026-03-10T09:00:00+03:00', amount: '10.00' };
const requestError = (code, path) => ({ error: { kind: 'request', errors: [{ code, path }] } });

const SAMPLE = {
  description: 'one order, then requests the core refuses, each with its code and path',
  program_toml: PROGRAM_TOML,
  steps: [
    {
      op: 'stats',
      request: { orders: [ORDER], as_of: AS_OF },
      expect: {
        result: {
          as_of: AS_OF,
          customers: [
            {
              customer: 'c-1',
              visits: 1,
              first_purchase: ORDER.at,
              last_purchase: ORDER.at,
              days_since_last: 4,
              total_spend: '10.00',
              average_spend: '10.00',
              visits_per_week: '1',
              favourite_categories: [],
              favourite_products: [],
              preferred_weekday: 2,
              preferred_hour: 9,
              points_share: '0',
              coupon_share: '0',
              rfm: { recency: 5, frequency: 5, monetary: 5, segment: 'new' },
            },
          ],
          later_orders: 0,
        },
      },
    },
    { op: 'stats', request: { orders: [], as_of: 'soon' }, expect: requestError('invalid_timestamp', 'as_of') },
    {
      op: 'stats',
      request: { orders: [ORDER, { ...ORDER, id: 'o-2', amount: 1.5 }], as_of: AS_OF },
      expect: requestError('float_not_allowed', 'orders[1].amount'),
    },
    { op: 'stats', request: { orders: [{ ...ORDER, customer: ' ' }], as_of: AS_OF }, expect: requestError('empty_value', 'orders[0].customer') },
    { op: 'stats', request: { orders: [] }, expect: requestError('missing_field', 'as_of') },
    { op: 'stats', request: [], expect: requestError('invalid_type', '') },
  ],
};

const clone = (v) => structuredClone(v);

test('the insights runner passes a well-formed vector and reports a wrong expect', () => {
  assert.equal(checkInsightsVector(mod, SAMPLE), null);
  const wrong = clone(SAMPLE);
  wrong.steps[0].expect.result.customers[0].rfm.segment = 'vip';
  assert.match(checkInsightsVector(mod, wrong), /^step 0 \(stats\) differs/);
  const wrongPath = clone(SAMPLE);
  wrongPath.steps[2].expect.error.errors[0].path = 'orders[0].amount';
  assert.match(checkInsightsVector(mod, wrongPath), /^step 2 \(stats\) differs/);
  const wrongKind = clone(SAMPLE);
  wrongKind.steps[1].expect.error.kind = 'program';
  assert.match(checkInsightsVector(mod, wrongKind), /^step 1 \(stats\) differs/);
});

test('the insights runner answers every step, errors in the error envelope, and keeps no state', () => {
  const answers = runInsightsVector(mod, SAMPLE);
  assert.equal(answers.length, SAMPLE.steps.length);
  answers.forEach((a, i) => assert.deepEqual(a, SAMPLE.steps[i].expect, `step ${i}`));
  // The same request twice in one vector answers the same.
  const twice = { ...clone(SAMPLE), steps: [SAMPLE.steps[0], SAMPLE.steps[0]] };
  assert.deepEqual(runInsightsVector(mod, twice), [SAMPLE.steps[0].expect, SAMPLE.steps[0].expect]);
});

test('the insights runner refuses malformed vectors, each for its own reason', () => {
  assertRefusesMalformed(checkInsightsVector, SAMPLE, [
    ...malformedCases('insights'),
    ['missing request', (d) => void delete d.steps[1].request, /step 1: a `stats` step needs `request`/],
    ['a coupon op', (d) => void (d.steps[1].op = 'apply'), /step 1: unknown op `apply`/],
    ['a key of another op', (d) => void (d.steps[1].at = AS_OF), /step 1: unknown key `at` in a `stats` step/],
  ]);
});

test('insights ops are not coupon ops', () => {
  const couponDoc = { description: 'an insights op in a coupon vector', program_toml: PROGRAM_TOML, steps: [SAMPLE.steps[0]] };
  assert.throws(() => checkCouponVector(mod, couponDoc), /unknown op `stats`/);
});
