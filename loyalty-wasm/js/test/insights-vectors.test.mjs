// Every insights vector (tests/vectors/insights/*.json) through the Node
// build: each step's answer compared byte for byte with its `expect` (errors
// by code and path only), every step a `program.customerStats` (op `stats`),
// `program.triggers` (op `triggers`) or `program.report` without books (op
// `report`) call; any other op fails. The vectors exist: a missing folder,
// or one with no vector, fails; so does a file that is not JSON, or not a
// well-formed insights vector.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mod from './binding.mjs';
import { checkCouponVector, checkInsightsVector, runInsightsVector } from './envelope.mjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INSIGHTS, listInsightsVectors, vectorsDir } from './paths.mjs';
import { assertRefusesMalformed, malformedCases, testVectorFiles } from './vector-files.mjs';

testVectorFiles({ what: 'insights', capability: INSIGHTS, list: listInsightsVectors, check: checkInsightsVector, required: true });

// The runner itself, on a vector made here. Worked out by hand from
// loyalty-core/src/insights/stats.rs: one order on Tuesday 10 March at 09:00
// in Riyadh, 4 days and 15 hours before `as_of` (4 whole days); one visit in
// less than a week counts as one a week; the only customer is every
// quintile's top fifth (5, 5, 5) and new (first order within 30 days), the
// one customer of the eight default segments. Triggers, from
// loyalty-core/src/insights/triggers.rs: c-1 was born on 14 March 1990, so on
// 14 March 2026 her 36th birthday is due (lead 0 days); 21:30 UTC on the 13th
// is already the 14th in Riyadh (UTC+3), still the 13th in London (UTC+0 in
// March), where nothing is due. Report, from loyalty-core/src/insights/report.rs:
// March 2026 holds the one order, on a Tuesday (1 March 2026 is a Sunday) at
// 09:00, with no payment, channel or profile (all `unknown`).

const PROGRAM_TOML = `
schema_version = 1
id = "jeddah-bakery"
currency = "SAR"
time_zone = "Asia/Riyadh"

[triggers.birthday]
lead_days = 0
`;

const AS_OF = '2026-03-15T00:00:00+03:00';
const ORDER = { id: 'o-1', customer: 'c-1', at: '2026-03-10T09:00:00+03:00', amount: '10.00' };
const BIRTHDAY_GIRL = { id: 'c-1', birth_date: '1990-03-14' };
// A fresh object each time: structuredClone keeps shared objects shared.
const birthday = () => ({ customer: 'c-1', kind: 'birthday', date: '2026-03-14', on: '2026-03-14', details: [{ kind: 'years', value: '36' }] });
const requestError = (code, path) => ({ error: { kind: 'request', errors: [{ code, path }] } });
const MARCH = { from: '2026-03-01', to: '2026-03-31' };
/** The report of March with ORDER alone. */
function marchReport() {
  const weekdayHour = Array.from({ length: 7 }, () => Array(24).fill(0));
  weekdayHour[1][9] = 1;
  const unknown = { name: 'unknown', orders: 1, amount: '10.00', share: '1' };
  const top = [{ customer: 'c-1', visits: 1, spend: '10.00' }];
  return {
    ...MARCH,
    orders: 1,
    customers: 1,
    revenue: '10.00',
    average_basket: '10.00',
    orders_per_customer: '1',
    weekday_hour: weekdayHour,
    busiest_weekday: 2,
    busiest_hour: 9,
    payments: [{ ...unknown }],
    channels: [{ ...unknown }],
    ages: ['under_18', '18_24', '25_34', '35_44', '45_54', '55_64', '65_plus', 'unknown'].map((name) => ({
      name,
      count: name === 'unknown' ? 1 : 0,
    })),
    genders: [{ name: 'unknown', count: 1 }],
    top_visitors: structuredClone(top),
    top_spenders: structuredClone(top),
    credit: { customers: 0, orders: 0, amount: '0.00', top: [] },
    coupons: { orders: 0, discount: '0.00', campaigns: [] },
  };
}

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
          segments: ['new', 'lapsed', 'one_time', 'vip', 'loyal', 'at_risk', 'hibernating', 'regular'].map((segment) => ({
            segment,
            customers: segment === 'new' ? 1 : 0,
          })),
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
    { op: 'triggers', request: { date: '2026-03-14', customers: [{ ...BIRTHDAY_GIRL }] }, expect: { result: { triggers: [birthday()] } } },
    { op: 'triggers', request: { at: '2026-03-13T21:30:00Z', customers: [{ ...BIRTHDAY_GIRL }] }, expect: { result: { triggers: [birthday()] } } },
    {
      op: 'triggers',
      request: { at: '2026-03-13T21:30:00Z', customers: [{ ...BIRTHDAY_GIRL, time_zone: 'Europe/London' }] },
      expect: { result: { triggers: [] } },
    },
    {
      op: 'triggers',
      request: { date: '2026-03-14', at: '2026-03-13T21:30:00Z', customers: [{ ...BIRTHDAY_GIRL }] },
      expect: requestError('date_and_at_not_one', ''),
    },
    {
      op: 'triggers',
      request: { at: '2026-03-13T21:30:00Z', customers: [{ ...BIRTHDAY_GIRL, time_zone: 'Mars/Olympus' }] },
      expect: requestError('invalid_time_zone', 'customers[0].time_zone'),
    },
    { op: 'report', request: { ...MARCH, orders: [{ ...ORDER }] }, expect: { result: marchReport() } },
    { op: 'report', request: { ...MARCH, from: '2026-02-30', orders: [] }, expect: requestError('invalid_timestamp', 'from') },
    { op: 'report', request: { ...MARCH, orders: [], books: {} }, expect: requestError('unknown_field', 'books') },
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
  // A triggers step is a `program.triggers` call: a wrong local day, a
  // missing trigger or a wrong error path is reported.
  const wrongDay = clone(SAMPLE);
  wrongDay.steps[7].expect.result.triggers[0].date = '2026-03-13';
  assert.match(checkInsightsVector(mod, wrongDay), /^step 7 \(triggers\) differs/);
  const wrongZone = clone(SAMPLE);
  wrongZone.steps[8].expect.result.triggers = [birthday()];
  assert.match(checkInsightsVector(mod, wrongZone), /^step 8 \(triggers\) differs/);
  const wrongTzPath = clone(SAMPLE);
  wrongTzPath.steps[10].expect.error.errors[0].path = 'time_zone';
  assert.match(checkInsightsVector(mod, wrongTzPath), /^step 10 \(triggers\) differs/);
  // A report step is a `program.report` call: a wrong cell of the weekday x
  // hour matrix, a section a book would add, or a wrong error path is reported.
  const wrongCell = clone(SAMPLE);
  wrongCell.steps[11].expect.result.weekday_hour[1][10] = 1;
  assert.match(checkInsightsVector(mod, wrongCell), /^step 11 \(report\) differs/);
  const withPoints = clone(SAMPLE);
  withPoints.steps[11].expect.result.points = { issued: '0', redeemed: '0', expired: '0', months: [] };
  assert.match(checkInsightsVector(mod, withPoints), /^step 11 \(report\) differs/);
  const wrongFrom = clone(SAMPLE);
  wrongFrom.steps[12].expect.error.errors[0].path = 'to';
  assert.match(checkInsightsVector(mod, wrongFrom), /^step 12 \(report\) differs/);
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
    ['a triggers step without request', (d) => void delete d.steps[6].request, /step 6: a `triggers` step needs `request`/],
    ['a triggers step with its fields outside request', (d) => void (d.steps[6].date = '2026-03-14'), /step 6: unknown key `date` in a `triggers` step/],
    ['an op named like the method', (d) => void (d.steps[6].op = 'trigger'), /step 6: unknown op `trigger`/],
    ['the camel-case method name', (d) => void (d.steps[0].op = 'customerStats'), /step 0: unknown op `customerStats`/],
    ['a report step without request', (d) => void delete d.steps[11].request, /step 11: a `report` step needs `request`/],
    // Vectors give no books: the Rust, Python and JS runners could not agree on them.
    ['a report step with books', (d) => void (d.steps[11].books = { ledger: [] }), /step 11: unknown key `books` in a `report` step/],
    ['an op named like a section', (d) => void (d.steps[11].op = 'reports'), /step 11: unknown op `reports`/],
  ]);
});

test('an unknown op fails the vector, even after steps that answered', () => {
  const doc = { ...clone(SAMPLE), steps: [...clone(SAMPLE).steps, { op: 'segments', request: {}, expect: { result: {} } }] };
  assert.throws(() => checkInsightsVector(mod, doc), /step 14: unknown op `segments`/);
});

test('insights ops are not coupon ops', () => {
  const couponDoc = { description: 'an insights op in a coupon vector', program_toml: PROGRAM_TOML, steps: [SAMPLE.steps[0]] };
  assert.throws(() => checkCouponVector(mod, couponDoc), /unknown op `stats`/);
  couponDoc.steps = [SAMPLE.steps[6]];
  assert.throws(() => checkCouponVector(mod, couponDoc), /unknown op `triggers`/);
  couponDoc.steps = [SAMPLE.steps[11]];
  assert.throws(() => checkCouponVector(mod, couponDoc), /unknown op `report`/);
});

test('the insights vectors include triggers and report steps, and each runs', () => {
  // The Rust runner has the ops; so must this one, or trigger and report
  // vectors would fail here as unknown ops rather than be compared.
  const ops = new Set();
  for (const { file } of listInsightsVectors()) {
    const doc = JSON.parse(readFileSync(join(vectorsDir, file), 'utf8'));
    for (const step of doc.steps ?? []) ops.add(step.op);
  }
  assert.ok(ops.has('stats'), 'stats steps');
  assert.ok(ops.has('triggers'), `triggers steps under ${join(vectorsDir, INSIGHTS)}`);
  assert.ok(ops.has('report'), `report steps under ${join(vectorsDir, INSIGHTS)}`);
  assert.deepEqual([...ops].filter((op) => !['stats', 'triggers', 'report'].includes(op)), [], 'ops this runner lacks');
});
