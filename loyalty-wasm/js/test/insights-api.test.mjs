// Insights' JavaScript API: program.customerStats (per-customer statistics,
// RFM scores and segments from orders, with every segment's size) and
// segmentNames(); numbers worked out by hand, local weekdays and hours, every
// segment reached, a program's own `[insights]` cut points and segments,
// refusals with code and path, the segment and error-code lists against the
// core, garbage in. Triggers are in trigger-api.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mod from './binding.mjs';
import { assertOnlyLoyaltyErrors, hostileValues } from './hostile.mjs';
import { loyaltyError } from './loyalty-error.mjs';
import { listInsightsVectors, pkgDir, repoRoot, vectorsDir } from './paths.mjs';

const { Program, errorCodes, segmentNames } = mod;

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
  // Every default segment, in the order they are tried, with its size (0 included).
  assert.deepEqual(stats.segments, [
    { segment: 'new', customers: 2 },
    { segment: 'lapsed', customers: 0 },
    { segment: 'one_time', customers: 1 },
    { segment: 'vip', customers: 0 },
    { segment: 'loyal', customers: 0 },
    { segment: 'at_risk', customers: 0 },
    { segment: 'hibernating', customers: 0 },
    { segment: 'regular', customers: 0 },
  ]);
});

test('the orders may come in any order, and an empty list has no customers', () => {
  const stats = program.customerStats({ orders: ORDERS, as_of: AS_OF });
  assert.deepEqual(program.customerStats({ orders: [...ORDERS].reverse(), as_of: AS_OF }), stats);
  // No customers: every segment is still listed, each with 0.
  assert.deepEqual(program.customerStats({ as_of: AS_OF, orders: [] }), {
    as_of: AS_OF,
    customers: [],
    segments: segmentNames().map((segment) => ({ segment, customers: 0 })),
    later_orders: 0,
  });
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
  assert.deepEqual(stats.segments, segmentNames().map((segment) => ({ segment, customers: 1 })));
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
  // A program without `[insights]` lists exactly these in its answers.
  assert.deepEqual(program.customerStats({ orders: [], as_of: AS_OF }).segments.map((s) => s.segment), segmentNames());
  // The core's own list, in its source, and the default rules it names.
  const source = readFileSync(join(repoRoot, 'loyalty-core', 'src', 'insights', 'stats.rs'), 'utf8');
  const list = /pub const SEGMENT_NAMES: &\[&str\] = &\[([^\]]*)\]/.exec(source);
  assert.ok(list, 'SEGMENT_NAMES in loyalty-core/src/insights/stats.rs');
  assert.deepEqual(segmentNames(), [...list[1].matchAll(/"([a-z_]+)"/g)].map((m) => m[1]));
  const config = readFileSync(join(repoRoot, 'loyalty-core', 'src', 'insights', 'config.rs'), 'utf8');
  const rules = /pub fn default_segments\(\)[\s\S]*?\n\}/.exec(config);
  assert.ok(rules, 'default_segments in loyalty-core/src/insights/config.rs');
  assert.deepEqual(segmentNames(), [...rules[0].matchAll(/rule\("([a-z_]+)"\)/g)].map((m) => m[1]));
  for (const name of segmentNames()) assert.match(name, /^[a-z]+(_[a-z]+)*$/);
});

test('a segment is any name a program gives: the schema and the types have no closed list', () => {
  // Segments are the program's `[[insights.segments]]` names, so the core's
  // JSON Schema (the source of the TypeScript types) types them as text.
  const schema = JSON.parse(readFileSync(join(pkgDir, 'schemas', 'Stats.schema.json'), 'utf8'));
  assert.equal(schema.$defs.Segment, undefined, 'no Segment enum');
  assert.deepEqual(schema.$defs.Rfm.properties.segment.type, 'string');
  assert.equal(schema.$defs.Rfm.properties.segment.enum, undefined);
  assert.deepEqual(schema.properties.segments.items, { $ref: '#/$defs/SegmentSize' });
  assert.deepEqual(schema.$defs.SegmentSize.properties.segment.type, 'string');
  assert.deepEqual(schema.$defs.SegmentSize.properties.customers.type, 'integer');
  const types = readFileSync(join(pkgDir, 'types.d.ts'), 'utf8');
  assert.match(types, /export interface SegmentSize \{/);
});

// A shop's own RFM cut points and segments (loyalty-core/src/insights/config.rs),
// as of 15 March 2026 in Riyadh. Recency scores 5 for at most 7 whole days
// since the last order, 4 for 30, 3 for 90, 2 for 180, else 1; frequency 5
// from 16 visits, 4 from 8, 3 from 4, 2 from 2, else 1; monetary 5 from
// 5000, 4 from 1000, 3 from 500, 2 from 100, else 1.
//   ali:   8 visits 3-10 March, 10.00 each: 4 days, r5 f4 m1 -> champions
//   bina:  1 visit 1 February, 2000.00: 41 days, r3 f1 m4 -> big-spenders
//   cyrus: 1 visit 1 November 2025, 50.00: 133 days, r2 f1 m1 -> sleeping (over 90 days)
//   dara:  2 visits 1 and 14 March, 100.00 each: 0 days, r5 f2 m2 -> everyone_else
//   erin:  1 visit 12 March, 600.00: 2 days, r5 f1 m3 -> everyone_else
// No one is r5 f5 m5: vip, tried first, is listed with 0.
const CUSTOM_TOML = `
schema_version = 1
id = "isfahan-books"
currency = "SAR"
time_zone = "Asia/Riyadh"

[insights.rfm]
recency_days = [7, 30, 90, 180]
frequency = [2, 4, 8, 16]
monetary = ["100", "500", "1000", "5000"]

[[insights.segments]]
name = "vip"
recency = [5, 5]
frequency = [5, 5]
monetary = [5, 5]

[[insights.segments]]
name = "champions"
recency = [5, 5]
frequency = [4, 5]

[[insights.segments]]
name = "big-spenders"
monetary = [4, 5]

[[insights.segments]]
name = "sleeping"
no_purchase_for_days = 90

[[insights.segments]]
name = "everyone_else"
`;

test('a program with [insights] cut points and segments flows through customerStats', () => {
  const custom = Program.fromToml(CUSTOM_TOML);
  const visit = (customer, day, amount, i = 0) => ({ id: `${customer}-${i}`, customer, at: `${day}T12:00:00+03:00`, amount });
  const orders = [
    ...[3, 4, 5, 6, 7, 8, 9, 10].map((d, i) => visit('ali', `2026-03-${String(d).padStart(2, '0')}`, '10.00', i)),
    visit('bina', '2026-02-01', '2000.00'),
    visit('cyrus', '2025-11-01', '50.00'),
    visit('dara', '2026-03-01', '100.00', 0),
    visit('dara', '2026-03-14', '100.00', 1),
    visit('erin', '2026-03-12', '600.00'),
  ];
  const stats = custom.customerStats({ orders, as_of: AS_OF });
  assert.deepEqual(
    stats.customers.map((c) => [c.customer, c.days_since_last, c.rfm]),
    [
      ['ali', 4, { recency: 5, frequency: 4, monetary: 1, segment: 'champions' }],
      ['bina', 41, { recency: 3, frequency: 1, monetary: 4, segment: 'big-spenders' }],
      ['cyrus', 133, { recency: 2, frequency: 1, monetary: 1, segment: 'sleeping' }],
      ['dara', 0, { recency: 5, frequency: 2, monetary: 2, segment: 'everyone_else' }],
      ['erin', 2, { recency: 5, frequency: 1, monetary: 3, segment: 'everyone_else' }],
    ],
  );
  // The program's segments, in its order, each with its size (0 included).
  assert.deepEqual(stats.segments, [
    { segment: 'vip', customers: 0 },
    { segment: 'champions', customers: 1 },
    { segment: 'big-spenders', customers: 1 },
    { segment: 'sleeping', customers: 1 },
    { segment: 'everyone_else', customers: 2 },
  ]);
  // Cut points, unlike quintiles, do not depend on who else is there.
  const alone = custom.customerStats({ orders: orders.filter((o) => o.customer === 'bina'), as_of: AS_OF });
  assert.deepEqual(alone.customers[0].rfm, { recency: 3, frequency: 1, monetary: 4, segment: 'big-spenders' });
  assert.deepEqual(alone.segments.map((s) => s.customers), [0, 0, 1, 0, 0]);
  // segmentNames() stays the default list; the section survives toJSON and a reload.
  assert.equal(segmentNames().length, 8);
  const again = new Program(custom.toJSON());
  assert.deepEqual(again.customerStats({ orders, as_of: AS_OF }), stats);
  assert.equal(custom.toJSON().insights.segments.length, 5);
  again.free();
  custom.free();
});

test('bad [insights] sections throw LoyaltyErrors of kind program, every error with its code and path', () => {
  const base = 'schema_version = 1\nid = "p"\ncurrency = "SAR"\ntime_zone = "Asia/Riyadh"\n';
  const refused = (section) => {
    const e = loyaltyError(() => Program.fromToml(base + section), 'program');
    return e.errors.map(({ code, path }) => [code, path]);
  };
  assert.deepEqual(refused('[insights.rfm]\nrecency_days = [7, 30, 30, 180]\nfrequency = [2, 4, 8]\nmonetary = ["1", "x", "10", "99"]'), [
    ['cut_points_not_increasing', 'insights.rfm.recency_days'],
    ['cut_points_not_increasing', 'insights.rfm.frequency'],
    ['invalid_decimal', 'insights.rfm.monetary[1]'],
  ]);
  const rules = [
    '[[insights.segments]]\nname = "Big Spenders"\nmonetary = [5, 4]',
    '[[insights.segments]]\nname = "quiet"\nrecency = [0, 2]\nvisits = [3, 1]',
    '[[insights.segments]]\nname = "quiet"\nfrequency = [1, 6]',
  ].join('\n');
  assert.deepEqual(refused(rules), [
    ['invalid_identifier', 'insights.segments[0].name'],
    ['invalid_score_range', 'insights.segments[0].monetary'],
    ['invalid_score_range', 'insights.segments[1].recency'],
    ['invalid_score_range', 'insights.segments[1].visits'],
    ['duplicate_segment', 'insights.segments[2].name'],
    ['invalid_score_range', 'insights.segments[2].frequency'],
    ['segments_not_exhaustive', 'insights.segments'],
  ]);
  assert.deepEqual(refused('[insights]\nsegments = []'), [['segments_not_exhaustive', 'insights.segments']]);
  // The same through a program object: visit counts are whole numbers.
  const e = loyaltyError(
    () => new Program({ ...PROGRAM, insights: { rfm: { frequency: [2, 4, 8, 16.5] } } }),
    'program',
  );
  assert.deepEqual([e.code, e.path], ['invalid_type', 'insights.rfm.frequency[3]']);
  // One rule with no conditions is a whole, valid list.
  assert.deepEqual(Program.fromToml(base + '[[insights.segments]]\nname = "all"').customerStats({ orders: [], as_of: AS_OF }).segments, [
    { segment: 'all', customers: 0 },
  ]);
});

test('errorCodes lists the insights codes and has not drifted from the core', () => {
  const codes = errorCodes();
  for (const code of ['cut_points_not_increasing', 'invalid_score_range', 'duplicate_segment', 'segments_not_exhaustive']) {
    assert.ok(codes.program.includes(code), code);
  }
  for (const code of ['invalid_time_zone', 'date_and_at_not_one', 'duplicate_order', 'empty_value', 'invalid_seed']) {
    assert.ok(codes.request.includes(code), code);
  }
  // The core's lists, "for drift tests in the bindings", in their source.
  for (const [kind, file, name] of [
    ['program', ['program', 'error.rs'], 'PROGRAM_ERROR_CODES'],
    ['request', ['accrual', 'error.rs'], 'REQUEST_ERROR_CODES'],
  ]) {
    const source = readFileSync(join(repoRoot, 'loyalty-core', 'src', ...file), 'utf8');
    const list = new RegExp(`pub const ${name}: &\\[&str\\] = &\\[([^\\]]*)\\]`).exec(source);
    assert.ok(list, `${name} in loyalty-core/src/${file.join('/')}`);
    assert.deepEqual(codes[kind], [...list[1].matchAll(/"([a-z_]+)"/g)].map((m) => m[1]), kind);
  }
});

test("every segment in the insights vectors is one of its program's (segmentNames() without [insights])", () => {
  let named = 0;
  const stray = [];
  for (const { file } of listInsightsVectors()) {
    const doc = JSON.parse(readFileSync(join(vectorsDir, file), 'utf8'));
    const p = Object.hasOwn(doc, 'program_toml') ? Program.fromToml(doc.program_toml) : new Program(doc.program);
    const own = p.toJSON().insights?.segments?.map((s) => s.name);
    p.free();
    const names = own ?? segmentNames();
    const walk = (value) => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value !== null && typeof value === 'object') {
        if (typeof value.segment === 'string') {
          named += 1;
          if (!names.includes(value.segment)) stray.push(`${file}: ${value.segment}`);
        }
        // Stats.segments: the program's segments, all of them, in order.
        if (Array.isArray(value.segments)) {
          assert.deepEqual(value.segments.map((s) => s.segment), names, `${file}: segments`);
        }
        Object.values(value).forEach(walk);
      }
    };
    for (const step of doc.steps ?? []) walk(step.expect);
  }
  assert.ok(named > 0, 'the vectors name segments');
  assert.deepEqual(stray, [], "segments in vectors that their program lacks");
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
