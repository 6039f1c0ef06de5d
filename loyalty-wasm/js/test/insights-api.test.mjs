// Insights' JavaScript API: program.customerStats (per-customer statistics,
// RFM scores and segments from orders) and segmentNames(); numbers worked out
// by hand, local weekdays and hours, every segment reached, refusals with
// code and path, the segment list against the core, garbage in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mod from './binding.mjs';
import { assertOnlyLoyaltyErrors, hostileValues } from './hostile.mjs';
import { loyaltyError } from './loyalty-error.mjs';
import { listInsightsVectors, pkgDir, repoRoot, vectorsDir } from './paths.mjs';

const { Program, segmentNames } = mod;

const PROGRAM = { schema_version: 1, id: 'jeddah-bakery', currency: 'SAR', time_zone: 'Asia/Riyadh' };
const program = new Program(PROGRAM);

const AS_OF = '2026-03-15T00:00:00+03:00';

// Sara: two Monday-morning visits. Omar: one big web order with a coupon in
// January, and one after `as_of`. Layla: three visits, two of them given in
// UTC late on Wednesday evenings, which are Thursdays just after midnight in
// Riyadh (UTC+3).
const ORDERS = [
  {
    id: 'o-1',
    customer: 'sara',
    at: '2026-03-02T08:15:00+03:00',
    amount: '42.50',
    channel: 'pos',
    store: 'tahlia',
    payment: 'card',
    lines: [
      { sku: 'kunafa', category: 'sweets', quantity: '1', amount: '30.00' },
      { sku: 'tea', category: 'drinks', quantity: '2', amount: '12.50' },
    ],
  },
  {
    id: 'o-2',
    customer: 'sara',
    at: '2026-03-09T08:40:00+03:00',
    amount: '20.00',
    channel: 'pos',
    payment: 'cash',
    points_paid: '5.00',
    lines: [{ sku: 'tea', category: 'drinks', quantity: '1', amount: '20.00' }],
  },
  { id: 'o-3', customer: 'omar', at: '2026-01-05T19:00:00+03:00', amount: '300.00', channel: 'web', coupon_discount: '30.00' },
  { id: 'o-4', customer: 'omar', at: '2026-03-20T19:00:00+03:00', amount: '10.00' },
  {
    id: 'o-5',
    customer: 'layla',
    at: '2026-03-04T21:30:00Z',
    amount: '10.00',
    channel: 'app',
    payment: 'wallet',
    coupon_discount: '2.00',
    lines: [
      { sku: 'croissant', category: 'pastry', quantity: '3', amount: '6.00' },
      { sku: 'latte', category: 'drinks', quantity: '1', amount: '4.00' },
    ],
  },
  {
    id: 'o-6',
    customer: 'layla',
    at: '2026-03-11T21:10:00Z',
    amount: '5.00',
    channel: 'app',
    payment: 'wallet',
    // Zero points and a zero coupon discount are neither.
    points_paid: '0.00',
    coupon_discount: '0',
    lines: [{ sku: 'latte', category: 'drinks', quantity: '2', amount: '5.00' }],
  },
  { id: 'o-7', customer: 'layla', at: '2026-03-13T06:00:00+03:00', amount: '0.01', channel: 'pos', points_paid: '0.01' },
];

test('customerStats answers a plain object with the statistics worked out by hand', () => {
  const stats = program.customerStats({ orders: ORDERS, as_of: AS_OF });
  assert.equal(Object.getPrototypeOf(stats), Object.prototype);
  assert.equal(stats.as_of, AS_OF);
  assert.equal(stats.later_orders, 1, 'o-4 comes after as_of');
  // By customer id.
  assert.deepEqual(stats.customers.map((c) => c.customer), ['layla', 'omar', 'sara']);
  const [layla, omar, sara] = stats.customers;

  // Spend is money: decimal strings in the currency's minor unit; counts are numbers.
  assert.equal(sara.visits, 2);
  assert.equal(sara.total_spend, '62.50');
  assert.equal(sara.average_spend, '31.25');
  assert.equal(sara.first_purchase, '2026-03-02T08:15:00+03:00');
  assert.equal(sara.last_purchase, '2026-03-09T08:40:00+03:00');
  // 5 days and 15 hours 20 minutes: whole days.
  assert.equal(sara.days_since_last, 5);
  // 2 visits over 12 days 15 hours 45 minutes (1.8080 weeks): 1.106..., 2 decimals.
  assert.equal(sara.visits_per_week, '1.11');
  // Categories by money (drinks 32.50, sweets 30.00), products by units (tea 3, kunafa 1).
  assert.deepEqual(sara.favourite_categories, ['drinks', 'sweets']);
  assert.deepEqual(sara.favourite_products, ['tea', 'kunafa']);
  assert.equal(sara.preferred_channel, 'pos');
  assert.equal(sara.preferred_store, 'tahlia');
  // card and cash once each: the smaller name.
  assert.equal(sara.preferred_payment, 'card');
  assert.equal(sara.preferred_weekday, 1, 'Monday');
  assert.equal(sara.preferred_hour, 8);
  assert.equal(sara.points_share, '0.5');
  assert.equal(sara.coupon_share, '0');

  assert.equal(omar.visits, 1);
  assert.equal(omar.total_spend, '300.00');
  assert.equal(omar.average_spend, '300.00');
  assert.equal(omar.days_since_last, 68);
  // One visit in 68 days (9.7 weeks): 0.10, written without trailing zeros.
  assert.equal(omar.visits_per_week, '0.1');
  assert.deepEqual([omar.favourite_categories, omar.favourite_products], [[], []]);
  assert.equal(omar.preferred_channel, 'web');
  // Absent, not null, when no order says.
  assert.ok(!('preferred_store' in omar) && !('preferred_payment' in omar), JSON.stringify(omar));
  assert.equal(omar.coupon_share, '1');

  // Layla's UTC instants are read in Riyadh: Thursday 00:30 and 00:10.
  assert.equal(layla.first_purchase, '2026-03-05T00:30:00+03:00');
  assert.equal(layla.last_purchase, '2026-03-13T06:00:00+03:00');
  assert.equal(layla.preferred_weekday, 4, 'Thursday');
  assert.equal(layla.preferred_hour, 0, 'midnight is an hour, not none');
  assert.equal(layla.days_since_last, 1);
  assert.equal(layla.total_spend, '15.01');
  // 15.01 / 3 = 5.0033...: to the halala.
  assert.equal(layla.average_spend, '5.00');
  // 3 visits over 9 days 23.5 hours (1.4256 weeks): 2.104...
  assert.equal(layla.visits_per_week, '2.1');
  // drinks 9.00 before pastry 6.00; croissant and latte 3 units each: by name.
  assert.deepEqual(layla.favourite_categories, ['drinks', 'pastry']);
  assert.deepEqual(layla.favourite_products, ['croissant', 'latte']);
  assert.deepEqual([layla.preferred_channel, layla.preferred_payment], ['app', 'wallet']);
  assert.equal(layla.points_share, '0.3333');
  assert.equal(layla.coupon_share, '0.3333');

  // Quintiles among three customers score ceil(5 (rank + 1) / 3): 2, 4, 5.
  // Recency: omar, sara, layla; frequency: omar 1, sara 2, layla 3;
  // monetary: layla 15.01, sara 62.50, omar 300.00.
  assert.deepEqual(
    stats.customers.map((c) => [c.customer, c.rfm]),
    [
      ['layla', { recency: 5, frequency: 5, monetary: 2, segment: 'new' }],
      ['omar', { recency: 2, frequency: 2, monetary: 5, segment: 'one_time' }],
      ['sara', { recency: 4, frequency: 4, monetary: 4, segment: 'new' }],
    ],
  );
});

test('the orders may come in any order, and an empty list has no customers', () => {
  const stats = program.customerStats({ orders: ORDERS, as_of: AS_OF });
  assert.deepEqual(program.customerStats({ orders: [...ORDERS].reverse(), as_of: AS_OF }), stats);
  assert.deepEqual(program.customerStats({ as_of: AS_OF, orders: [] }), { as_of: AS_OF, customers: [], later_orders: 0 });
  // as_of is read as any RFC 3339 instant and answered in the program's zone.
  assert.equal(program.customerStats({ orders: [], as_of: '2026-03-14T21:00:00Z' }).as_of, AS_OF);
  // Whole JS numbers are JSON integers, taken as decimals.
  const whole = program.customerStats({ orders: [{ ...ORDERS[2], amount: 300 }], as_of: AS_OF });
  assert.equal(whole.customers[0].total_spend, '300.00');
});

// Eight customers, each named for the segment worked out for them as of the
// last day of 2026. With eight customers, rank k (from 0) scores
// ceil(5 (k + 1) / 8): 1, 2, 2, 3, 4, 4, 5, 5; equal values share the first
// rank's score.
//   recency (last order): lapsed 31 Jan, at_risk 1 Aug, hibernating 15 Aug,
//     one_time 1 Oct, regular 1 Nov, loyal 1 Dec, vip 10 Dec, new 20 Dec
//   frequency (visits): new 1, one_time 1, hibernating 2, at_risk 3,
//     regular 3, lapsed 6, loyal 8, vip 10
//   monetary: loyal 8.00, new 10.00, one_time 20.00, hibernating 30.00,
//     regular 40.00, at_risk 50.00, lapsed 600.00, vip 1000.00
const YEAR_END = '2026-12-31T00:00:00+03:00';
const POPULATION = {
  new: [['12-20', '10.00']],
  lapsed: ['01-01', '01-07', '01-13', '01-19', '01-25', '01-31'].map((d) => [d, '100.00']),
  one_time: [['10-01', '20.00']],
  vip: ['03-01', '04-01', '05-01', '06-01', '07-01', '08-01', '09-01', '10-01', '11-01', '12-10'].map((d) => [d, '100.00']),
  loyal: ['04-01', '05-01', '06-01', '07-01', '08-01', '09-01', '10-01', '12-01'].map((d) => [d, '1.00']),
  at_risk: [['06-01', '20.00'], ['07-01', '20.00'], ['08-01', '10.00']],
  hibernating: [['07-01', '15.00'], ['08-15', '15.00']],
  regular: [['09-01', '10.00'], ['10-01', '10.00'], ['11-01', '20.00']],
};
const SCORES = {
  at_risk: [2, 3, 4],
  hibernating: [2, 2, 3],
  lapsed: [1, 4, 5],
  loyal: [4, 5, 1],
  new: [5, 1, 2],
  one_time: [3, 1, 2],
  regular: [4, 3, 4],
  vip: [5, 5, 5],
};

test('every segment is reached, each for its reason', () => {
  const orders = Object.entries(POPULATION).flatMap(([customer, visits]) =>
    visits.map(([day, amount], i) => ({ id: `${customer}-${i}`, customer, at: `2026-${day}T12:00:00+03:00`, amount })),
  );
  const stats = program.customerStats({ orders, as_of: YEAR_END });
  assert.deepEqual(
    stats.customers.map((c) => [c.customer, [c.rfm.recency, c.rfm.frequency, c.rfm.monetary], c.rfm.segment]),
    Object.keys(SCORES).map((name) => [name, SCORES[name], name]),
  );
  assert.deepEqual(stats.customers.map((c) => c.rfm.segment).sort(), [...segmentNames()].sort());
});

test('requests the core refuses throw LoyaltyErrors of kind request with code and path', () => {
  const refused = (request) => {
    const e = loyaltyError(() => program.customerStats(request), 'request');
    return [e.code, e.path];
  };
  const order = ORDERS[0];
  for (const [request, code, path] of [
    [{ orders: [], as_of: 'soon' }, 'invalid_timestamp', 'as_of'],
    [{ orders: [], as_of: '2026-03-15T00:00:00' }, 'invalid_timestamp', 'as_of'],
    [{ orders: [order, { ...order, id: 'o-2', at: '2026-02-30T10:00:00+03:00' }], as_of: AS_OF }, 'invalid_timestamp', 'orders[1].at'],
    [{ orders: [order, order], as_of: AS_OF }, 'duplicate_order', 'orders[1].id'],
    [{ orders: [{ ...order, customer: '' }], as_of: AS_OF }, 'empty_value', 'orders[0].customer'],
    [{ orders: [{ ...order, customer: ' \t' }], as_of: AS_OF }, 'empty_value', 'orders[0].customer'],
    [{ orders: [order, { ...order, id: 'o-2', amount: '-0.01' }], as_of: AS_OF }, 'negative_amount', 'orders[1].amount'],
    // Orders after as_of are still checked.
    [{ orders: [{ ...ORDERS[3], amount: '-1' }], as_of: AS_OF }, 'negative_amount', 'orders[0].amount'],
    [{ orders: [{ ...order, amount: 42.5 }], as_of: AS_OF }, 'float_not_allowed', 'orders[0].amount'],
    [{ orders: [{ ...order, amount: '4x' }], as_of: AS_OF }, 'invalid_decimal', 'orders[0].amount'],
    [{ orders: [{ ...order, lines: [{ sku: 'tea', quantity: '1' }] }], as_of: AS_OF }, 'missing_field', 'orders[0].lines[0].amount'],
    [{ orders: [{ ...order, colour: 'red' }], as_of: AS_OF }, 'unknown_field', 'orders[0].colour'],
    [{ orders: [{ ...order, id: 7 }], as_of: AS_OF }, 'invalid_type', 'orders[0].id'],
    [{ orders: [], as_of: AS_OF, explain: true }, 'unknown_field', 'explain'],
    [{ orders: [] }, 'missing_field', 'as_of'],
    [{ as_of: AS_OF }, 'missing_field', 'orders'],
    [{ orders: order, as_of: AS_OF }, 'invalid_type', 'orders'],
    [null, 'invalid_type', ''],
    [undefined, 'invalid_type', ''],
    ['{"orders": [], "as_of": "2026-03-15T00:00:00+03:00"}', 'invalid_type', ''],
  ]) {
    assert.deepEqual(refused(request), [code, path], JSON.stringify(request));
  }
  // A refusal changes nothing: the program answers as before.
  assert.equal(program.customerStats({ orders: ORDERS, as_of: AS_OF }).customers.length, 3);
});

test('segmentNames lists every segment once, in the order they are tried, and has not drifted from the core', () => {
  const names = segmentNames();
  assert.ok(Array.isArray(names));
  assert.deepEqual(names, ['new', 'lapsed', 'one_time', 'vip', 'loyal', 'at_risk', 'hibernating', 'regular']);
  assert.equal(new Set(names).size, names.length, 'no name listed twice');
  // A fresh array each call: changing one does not change the next.
  names.pop();
  assert.equal(segmentNames().length, 8);
  // The core's Segment type, as its JSON Schema (exported by the build, the
  // source of the TypeScript types) spells it: the list and the type agree.
  const schema = JSON.parse(readFileSync(join(pkgDir, 'schemas', 'Stats.schema.json'), 'utf8'));
  const segment = schema.$defs.Segment;
  assert.deepEqual(segmentNames(), segment.oneOf ? segment.oneOf.map((v) => v.const) : segment.enum);
  // And the core's own list, in its source.
  const source = readFileSync(join(repoRoot, 'loyalty-core', 'src', 'insights', 'stats.rs'), 'utf8');
  const list = /pub const SEGMENT_NAMES: &\[&str\] = &\[([^\]]*)\]/.exec(source);
  assert.ok(list, 'SEGMENT_NAMES in loyalty-core/src/insights/stats.rs');
  assert.deepEqual(segmentNames(), [...list[1].matchAll(/"([a-z_]+)"/g)].map((m) => m[1]));
  for (const name of segmentNames()) assert.match(name, /^[a-z]+(_[a-z]+)*$/);
});

test('every segment in the insights vectors is one segmentNames() lists', () => {
  const names = new Set(segmentNames());
  const seen = new Set();
  const walk = (value) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') {
      if (typeof value.segment === 'string') seen.add(value.segment);
      Object.values(value).forEach(walk);
    }
  };
  for (const { file } of listInsightsVectors()) {
    const doc = JSON.parse(readFileSync(join(vectorsDir, file), 'utf8'));
    for (const step of doc.steps ?? []) walk(step.expect);
  }
  assert.ok(seen.size > 0, 'the vectors name segments');
  assert.deepEqual([...seen].filter((s) => !names.has(s)), [], 'segments in vectors that segmentNames() lacks');
});

test('sums too large to hold exactly are refused as arithmetic_overflow, and far instants answer', () => {
  const max = '79228162514264337593543950335';
  const huge = [1, 2, 3].map((i) => ({
    id: `h-${i}`,
    customer: 'c',
    at: '2026-03-10T09:00:00+03:00',
    amount: max,
    points_paid: max,
    lines: [{ sku: 'a', category: 'k', quantity: '1', amount: '1' }],
  }));
  // One order of the largest amount is an answer; two overflow the total.
  const [c] = program.customerStats({ orders: huge.slice(0, 1), as_of: AS_OF }).customers;
  assert.equal(c.total_spend, max);
  assert.equal(c.points_share, '1');
  const e = loyaltyError(() => program.customerStats({ orders: huge, as_of: AS_OF }), 'request');
  assert.deepEqual([e.code, e.path], ['arithmetic_overflow', 'orders[1]']);
  const far = program.customerStats({
    orders: [{ id: 'f', customer: 'c', at: '0000-01-01T00:00:00-12:00', amount: '1' }],
    as_of: '9999-12-31T23:59:59+14:00',
  });
  assert.equal(far.customers[0].rfm.segment, 'lapsed');
  assert.equal(typeof far.customers[0].days_since_last, 'number');
});

test('garbage input throws LoyaltyErrors of kind request and never breaks the module', () => {
  const own = new Program(PROGRAM);
  const order = ORDERS[0];
  const garbage = [
    ...hostileValues(order, {
      throwingKey: 'amount',
      // Reading the request while the program answers: a shared borrow, allowed.
      reenter: () => own.customerStats({ orders: [order], as_of: AS_OF }),
    }),
    'stats', '{"orders":[]}', { orders: [] }, { as_of: AS_OF }, { orders: null, as_of: AS_OF },
    { ...order, amount: 1e300 }, { ...order, amount: 2 ** 60 }, { ...order, amount: NaN }, { ...order, amount: -Infinity },
    { ...order, amount: '1'.repeat(400) }, { ...order, amount: '1e5' }, { ...order, amount: 10n },
    { ...order, at: '9999-12-31T23:59:59+14:00' }, { ...order, at: '0000-01-01T00:00:00-12:00' }, { ...order, at: 1700000000 },
    { ...order, at: new Date(0) }, { ...order, customer: 42 }, { ...order, customer: 'x'.repeat(100_000) },
    { ...order, lines: 'all' }, { ...order, lines: [null] }, { ...order, lines: [{ sku: 'a', quantity: '-1', amount: '-1' }] },
    { ...order, lines: Array.from({ length: 10_000 }, (_, i) => ({ sku: `s-${i}`, quantity: '1', amount: '1' })) },
    { ...order, points_paid: '-5' }, { ...order, coupon_discount: 1.5 }, { ...order, channel: '' }, { ...order, store: ['x'] },
  ];
  const alive = (what) => assert.equal(own.customerStats({ orders: ORDERS, as_of: AS_OF }).customers.length, 3, what);
  assertOnlyLoyaltyErrors(
    garbage,
    [
      (g) => own.customerStats(g),
      (g) => own.customerStats({ orders: [g], as_of: AS_OF }),
      (g) => own.customerStats({ orders: [order, g], as_of: AS_OF }),
      (g) => own.customerStats({ orders: g, as_of: AS_OF }),
      (g) => own.customerStats({ orders: ORDERS, as_of: g }),
      (g) => own.customerStats({ orders: [{ ...order, customer: g }], as_of: AS_OF }),
      (g) => own.customerStats({ orders: [{ ...order, lines: [g] }], as_of: AS_OF }),
    ],
    { kinds: ['request'], alive },
  );
  // A getter that frees the program while it reads the request: wasm-bindgen
  // refuses to drop a borrowed object (a LoyaltyError for this call), but the
  // JS handle is already cleared, so later calls say so (as after any
  // `free()`); the module is unharmed.
  const doomed = new Program(PROGRAM);
  const freeing = { ...order };
  Object.defineProperty(freeing, 'id', {
    enumerable: true,
    get() {
      doomed.free();
      return 'x';
    },
  });
  const e = loyaltyError(() => doomed.customerStats({ orders: [freeing], as_of: AS_OF }), 'request');
  assert.match(e.message, /take ownership of Rust value while it was borrowed/);
  assert.throws(() => doomed.customerStats({ orders: [], as_of: AS_OF }), /null pointer passed to rust/);
  alive('after a getter freed another program');
  // The module still works.
  const fresh = new Program(PROGRAM);
  assert.equal(fresh.customerStats({ orders: [order], as_of: AS_OF }).customers[0].total_spend, '42.50');
  assert.equal(segmentNames().length, 8);
  fresh.free();
  own.free();
});
