// The binding's JavaScript API: constructors, getters, errors, floats, batches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mod from './binding.mjs';
import { loyaltyError } from './loyalty-error.mjs';

const { Program, errorCodes, programSchema } = mod;

const PROGRAM = {
  schema_version: 1,
  id: 'riyadh-coffee',
  currency: 'SAR',
  time_zone: 'Asia/Riyadh',
  earn_rules: [{ id: 'base', rate: { per: '10', points: '1' } }],
};

const PROGRAM_TOML = `
schema_version = 1
id = "riyadh-coffee"
currency = "SAR"
time_zone = "Asia/Riyadh"

[[earn_rules]]
id = "base"
rate = { per = "10", points = "1" }
`;

function request(unitPrice = '14.50') {
  return {
    order: {
      id: 'o-1',
      placed_at: '2026-03-01T09:15:00+03:00',
      channel: 'pos',
      lines: [{ sku: 'latte', quantity: '2', unit_price: unitPrice, categories: ['coffee'] }],
    },
  };
}

test('constructor from an object and from JSON text give the same program', () => {
  for (const p of [new Program(PROGRAM), new Program(JSON.stringify(PROGRAM))]) {
    assert.equal(p.id, 'riyadh-coffee');
    assert.equal(p.currency, 'SAR');
    assert.equal(p.timeZone, 'Asia/Riyadh');
    assert.equal(p.calendar, 'gregorian');
  }
});

test('fromToml loads the same program', () => {
  const p = Program.fromToml(PROGRAM_TOML);
  assert.equal(p.id, 'riyadh-coffee');
  assert.deepEqual(p.toJSON(), new Program(PROGRAM).toJSON());
});

test('toJSON gives a plain object that loads back, and is what JSON.stringify writes', () => {
  const p = new Program(PROGRAM);
  const file = p.toJSON();
  assert.equal(Object.getPrototypeOf(file), Object.prototype);
  assert.equal(file.id, 'riyadh-coffee');
  assert.equal(JSON.stringify(p), JSON.stringify(file));
  assert.deepEqual(new Program(file).toJSON(), file);
});

test('quote returns a plain object with decimals as strings', () => {
  const q = new Program(PROGRAM).quote(request());
  assert.equal(Object.getPrototypeOf(q), Object.prototype);
  assert.equal(q.total, '2');
  assert.equal(q.eligible_spend, '29.00');
  assert.equal(q.program, 'riyadh-coffee');
  assert.deepEqual(q.counters, {});
  assert.equal(q.lines[0].line, 0);
});

test('whole JS numbers arrive as JSON integers and are accepted', () => {
  const p = new Program(PROGRAM);
  assert.deepEqual(p.quote(request(15)), p.quote(request('15')));
});

test('fractional JS numbers arrive as floats and are refused with float_not_allowed', () => {
  const e = loyaltyError(() => new Program(PROGRAM).quote(request(14.5)));
  assert.equal(e.kind, 'request');
  assert.equal(e.code, 'float_not_allowed');
  assert.match(e.path, /unit_price$/);
});

test('floats in a program object are refused too', () => {
  const bad = { ...PROGRAM, earn_rules: [{ id: 'base', rate: { per: 10.5, points: '1' } }] };
  const e = loyaltyError(() => new Program(bad));
  assert.equal(e.kind, 'program');
  assert.equal(e.code, 'float_not_allowed');
  assert.equal(e.path, 'earn_rules[0].rate.per');
});

test('an invalid program throws a LoyaltyError of kind program with every error', () => {
  const bad = { ...PROGRAM, currency: 'XYZ', time_zone: 'Mars/Olympus' };
  const e = loyaltyError(() => new Program(bad));
  assert.equal(e.kind, 'program');
  assert.deepEqual(
    e.errors.map((x) => x.code),
    ['invalid_currency', 'invalid_time_zone'],
  );
  assert.equal(e.path, 'currency');
});

test('bad JSON text and bad TOML text are syntax errors', () => {
  assert.equal(loyaltyError(() => new Program('{')).code, 'syntax_error');
  assert.equal(loyaltyError(() => Program.fromToml('id = ')).code, 'syntax_error');
});

test('values with no JSON form are invalid_type LoyaltyErrors', () => {
  const p = new Program(PROGRAM);
  const e = loyaltyError(() => p.quote({ order: () => 1 }));
  assert.equal(e.kind, 'request');
  assert.equal(e.code, 'invalid_type');
  assert.equal(loyaltyError(() => new Program(Symbol('x'))).kind, 'program');
});

test('quoteMany answers each request: a quote or the LoyaltyError quote would throw', () => {
  const p = new Program(PROGRAM);
  const answers = p.quoteMany([request(), request(1.5), request('9')]);
  assert.equal(answers.length, 3);
  assert.deepEqual(answers[0], p.quote(request()));
  assert.ok(answers[1] instanceof Error);
  assert.equal(answers[1].name, 'LoyaltyError');
  assert.equal(answers[1].code, 'float_not_allowed');
  assert.equal(answers[2].total, '1');
  assert.deepEqual(p.quoteMany([]), []);
  assert.equal(loyaltyError(() => p.quoteMany(request())).kind, 'request');
});

test('errorCodes lists the codes by kind; programSchema is the program JSON Schema', () => {
  const codes = errorCodes();
  assert.deepEqual(Object.keys(codes).sort(), ['ledger', 'program', 'referrals', 'request', 'tiers']);
  for (const code of ['invalid_currency', 'duplicate_tier_id', 'missing_threshold', 'invalid_window']) {
    assert.ok(codes.program.includes(code), code);
  }
  // The coupons' program codes (a tier benefit naming no campaign is unknown_coupon).
  for (const code of ['duplicate_coupon_id', 'code_source_not_one', 'invalid_code', 'duplicate_code', 'invalid_code_format', 'unknown_coupon']) {
    assert.ok(codes.program.includes(code), code);
  }
  assert.ok(codes.request.includes('float_not_allowed'));
  for (const code of ['unknown_campaign', 'not_generated', 'invalid_issue', 'invalid_seed', 'code_space_exhausted']) {
    assert.ok(codes.request.includes(code), code);
  }
  for (const kind of Object.keys(codes)) {
    assert.equal(new Set(codes[kind]).size, codes[kind].length, `no ${kind} code listed twice`);
  }
  assert.ok(codes.tiers.includes('tiers_not_configured'));
  const schema = programSchema();
  assert.equal(schema.type, 'object');
  assert.ok('earn_rules' in schema.properties);
});

test('NaN, Infinity and BigInt are refused as invalid_type, never turned into null', () => {
  const p = new Program(PROGRAM);
  for (const bad of [NaN, Infinity, 10n]) {
    const e = loyaltyError(() => p.quote(request(bad)));
    assert.equal(e.kind, 'request');
    assert.equal(e.code, 'invalid_type');
    assert.match(e.message, /unit_price/);
  }
});

test('a Date for placed_at is read as its ISO instant', () => {
  const p = new Program(PROGRAM);
  const req = request();
  req.order.placed_at = new Date('2026-03-01T06:15:00Z');
  const q = p.quote(req);
  assert.equal(q.local_time, '2026-03-01T09:15:00+03:00');
  assert.equal(q.total, p.quote(request()).total);
});
