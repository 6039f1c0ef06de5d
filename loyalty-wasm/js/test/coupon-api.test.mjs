// The coupons' JavaScript API: checking a typed code in the browser,
// applying coupons with exact line discounts, rejections with every reason,
// generating codes (seeded and from crypto.getRandomValues), errors, points
// coupons feeding quotes, and the rejection codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mod from './binding.mjs';
import { loyaltyError } from './loyalty-error.mjs';
import { listCouponVectors, vectorsDir } from './paths.mjs';

const { Program, rejectionCodes } = mod;

// Symbols of generated codes by default: 2-9 and A-Z without I, L and O.
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

const PROGRAM = {
  schema_version: 1,
  id: 'riyadh-coffee',
  currency: 'SAR',
  time_zone: 'Asia/Riyadh',
  earn_rules: [{ id: 'base', rate: { per: '10', points: '1' } }],
  coupons: [
    { id: 'ramadan', code: 'RAMADAN25', discount: { type: 'percent', percent: '25' }, when: { categories: ['coffee'] } },
    { id: 'welcome', codes: { kind: 'unique', pattern: 'WEL-####-####' }, discount: { type: 'amount_off', amount: '10' } },
    {
      id: 'bday',
      codes: { kind: 'personal', pattern: 'BDY-####-####' },
      discount: { type: 'percent', percent: '20' },
      limits: { per_customer: 1 },
    },
    { id: 'double', code: 'DOUBLE', discount: { type: 'points_multiplier', multiplier: '2' } },
    {
      id: 'big',
      code: 'BIG50',
      valid: { from: '2026-01-01', to: '2026-02-28' },
      when: { min_spend: '200', channels: ['app'] },
      discount: { type: 'amount_off', amount: '50' },
      limits: { total: 100 },
    },
  ],
};

const program = new Program(PROGRAM);

// 43.50 + 17.00 of coffee, 19.00 of sweets: 79.50.
const ORDER = {
  id: 'o-1',
  placed_at: '2026-03-01T09:15:00+03:00',
  channel: 'pos',
  lines: [
    { sku: 'latte', quantity: '3', unit_price: '14.50', categories: ['coffee'] },
    { sku: 'mocha', quantity: '1', unit_price: '17.00', categories: ['coffee'] },
    { sku: 'kunafa', quantity: '1', unit_price: '19.00', categories: ['sweets'] },
  ],
};

const apply = (coupons, extra = {}) => program.applyCoupons({ order: ORDER, customer: { id: 'c-1' }, coupons, ...extra });

/** Each line's discount, in line order. */
const lineDiscounts = (result) => result.lines.map((l) => l.discount);

/** Asserts `fn` throws a LoyaltyError of kind request and returns it. */
const requestError = (fn) => loyaltyError(fn, 'request');

/** `code` with its symbol at `index` replaced by the next symbol of the alphabet. */
function mistype(code, index) {
  const next = ALPHABET[(ALPHABET.indexOf(code[index]) + 1) % ALPHABET.length];
  return code.slice(0, index) + next + code.slice(index + 1);
}

test('checkout: a typo of a generated code is caught by its check character, a well-formed code is ok', () => {
  const [issued] = program.generateCodes({ campaign: 'welcome', count: 1, seed: '42' }).codes;
  const code = issued.code;
  assert.match(code, /^WEL-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);

  const good = program.checkCode(code);
  assert.equal(Object.getPrototypeOf(good), Object.prototype);
  assert.deepEqual(good, { input: code, ok: true, code, kind: 'unique', campaigns: ['welcome'], reasons: [] });
  // Case, spaces and dashes do not matter; the canonical form comes back.
  const typed = code.toLowerCase().replaceAll('-', ' ');
  assert.deepEqual(program.checkCode(typed), { ...good, input: typed });

  // Every single mistyped symbol (slots at 4-7 and 9-12), and a swap of two neighbours.
  for (const i of [4, 5, 6, 7, 9, 10, 11, 12]) {
    const typo = mistype(code, i);
    assert.deepEqual(
      program.checkCode(typo),
      { input: typo, ok: false, campaigns: ['welcome'], reasons: [{ code: 'bad_check_character' }] },
      typo,
    );
  }
  if (code[4] !== code[5]) {
    const swapped = `${code.slice(0, 4)}${code[5]}${code[4]}${code.slice(6)}`;
    assert.deepEqual(program.checkCode(swapped).reasons, [{ code: 'bad_check_character' }]);
  }

  // A symbol outside the alphabet is malformed; the core says which.
  const malformed = program.checkCode(`${code.slice(0, -1)}I`);
  assert.equal(malformed.ok, false);
  assert.deepEqual(malformed.campaigns, ['welcome']);
  assert.equal(malformed.reasons.length, 1);
  assert.equal(malformed.reasons[0].code, 'malformed_code');
  assert.match(malformed.reasons[0].detail, /`I`/);

  // A public code, and a code of no campaign's shape.
  assert.deepEqual(program.checkCode(' ramadan25 '), {
    input: ' ramadan25 ',
    ok: true,
    code: 'RAMADAN25',
    kind: 'public',
    campaigns: ['ramadan'],
    reasons: [],
  });
  assert.deepEqual(program.checkCode('RAMADAN'), { input: 'RAMADAN', ok: false, campaigns: [], reasons: [{ code: 'unknown_code' }] });

  // Personal codes say so (look them up to know whose they are).
  const [personal] = program.generateCodes({ campaign: 'bday', customers: ['c-1'], seed: '7' }).codes;
  assert.deepEqual(program.checkCode(personal.code), {
    input: personal.code,
    ok: true,
    code: personal.code,
    kind: 'personal',
    campaigns: ['bday'],
    reasons: [],
  });
});

test('checkCode takes a string only: anything else is invalid_type at code', () => {
  for (const bad of [42, undefined, null, {}, ['RAMADAN25'], Symbol('x')]) {
    const e = requestError(() => program.checkCode(bad));
    assert.deepEqual([e.code, e.path], ['invalid_type', 'code']);
  }
});

test('applyCoupons with a public code: exact line discounts as strings, totals and counters', () => {
  // 25% of the coffee lines (60.50) is 15.125, half-up 15.13; split 43.50 : 17.00
  // it is 10.878... and 4.251..., floored 10.87 + 4.25, and the cent left goes
  // to the larger remainder (latte's).
  const r = apply([{ code: 'ramadan25' }]);
  assert.equal(Object.getPrototypeOf(r), Object.prototype);
  assert.deepEqual(r.accepted, [
    {
      code: 'RAMADAN25',
      campaign: 'ramadan',
      kind: 'percent',
      discount: '15.13',
      lines: [
        { line: 0, discount: '10.88' },
        { line: 1, discount: '4.25' },
      ],
    },
  ]);
  assert.deepEqual(r.rejected, []);
  assert.deepEqual(r.lines, [
    { line: 0, sku: 'latte', amount: '43.50', discount: '10.88', total: '32.62' },
    { line: 1, sku: 'mocha', amount: '17.00', discount: '4.25', total: '12.75' },
    { line: 2, sku: 'kunafa', amount: '19.00', discount: '0.00', total: '19.00' },
  ]);
  assert.deepEqual([r.subtotal, r.discount, r.total], ['79.50', '15.13', '64.37']);
  assert.deepEqual([r.program, r.order, r.currency, r.local_time], ['riyadh-coffee', 'o-1', 'SAR', '2026-03-01T09:15:00+03:00']);
  assert.deepEqual(r.counters, { ramadan: { uses: 1, customer_uses: 1, discount: '15.13' } });
  assert.deepEqual(r.points_coupons, []);
  // The order to quote and post carries the coupon discounts on its lines.
  assert.deepEqual(r.order_after.lines.map((l) => l.discount), ['10.88', '4.25', '0']);

  // The counters returned are the next request's: they add up.
  const again = apply([{ code: 'RAMADAN25' }], { counters: r.counters });
  assert.deepEqual(again.counters, { ramadan: { uses: 2, customer_uses: 2, discount: '30.26' } });
});

test('applyCoupons stacks a generated code on what the public one left, and counts its use', () => {
  const [welcome] = program.generateCodes({ campaign: 'welcome', count: 1, seed: '42' }).codes;
  // After 25% off coffee the lines cost 32.62, 12.75, 19.00 (64.37); 10.00 over
  // them is 5.067..., 1.980..., 2.951...: 5.06 + 1.98 + 2.95 and the cent left to latte.
  const r = apply([{ code: welcome.code, issued: welcome.issued }, { code: 'RAMADAN25' }]);
  assert.deepEqual(
    r.accepted.map((a) => [a.campaign, a.discount, a.lines.map((l) => l.discount), a.code_uses]),
    [
      ['ramadan', '15.13', ['10.88', '4.25'], undefined],
      ['welcome', '10.00', ['5.07', '1.98', '2.95'], 1],
    ],
  );
  assert.deepEqual(lineDiscounts(r), ['15.95', '6.23', '2.95']);
  assert.deepEqual([r.discount, r.total], ['25.13', '54.37']);

  // Used once already: a generated code may be used once by default.
  const used = apply([{ code: welcome.code, issued: { ...welcome.issued, uses: 1 } }]);
  assert.deepEqual(used.accepted, []);
  assert.deepEqual(used.rejected, [
    { code: welcome.code, campaign: 'welcome', reasons: [{ code: 'code_used_up', limit: 1, used: 1 }] },
  ]);
  // Without the host's record it is not known.
  assert.deepEqual(apply([{ code: welcome.code }]).rejected[0].reasons, [{ code: 'unknown_code' }]);
});

test('a rejected coupon lists every reason with its numbers, and changes nothing', () => {
  const r = apply([{ code: 'big50' }], { counters: { big: { uses: 100 } } });
  assert.deepEqual(r.accepted, []);
  assert.deepEqual(r.rejected, [
    {
      code: 'big50',
      campaign: 'big',
      reasons: [
        { code: 'expired', to: '2026-02-28', date: '2026-03-01' },
        { code: 'channel_not_matched', found: 'pos' },
        { code: 'min_spend_not_met', required: '200', actual: '79.50' },
        { code: 'total_limit_reached', limit: 100, used: 100 },
      ],
    },
  ]);
  assert.deepEqual(lineDiscounts(r), ['0.00', '0.00', '0.00']);
  assert.deepEqual([r.discount, r.total], ['0.00', '79.50']);
  assert.equal(r.counters.big.uses, 100, 'a rejected coupon is not counted');
  for (const reason of r.rejected[0].reasons) assert.ok(rejectionCodes().includes(reason.code), reason.code);
});

test('a personal code: only its customer, once each, and only a known customer', () => {
  const [c1, c2] = program.generateCodes({ campaign: 'bday', customers: ['c-1', 'c-2'], seed: '7' }).codes;
  assert.deepEqual([c1.issued, c2.issued], [
    { campaign: 'bday', customer: 'c-1', uses: 0 },
    { campaign: 'bday', customer: 'c-2', uses: 0 },
  ]);
  const use = (customer, counters = {}) =>
    program.applyCoupons({ order: ORDER, customer, coupons: [{ code: c1.code.toLowerCase(), issued: c1.issued }], counters });
  const reasons = (r) => r.rejected.flatMap((x) => x.reasons);
  assert.deepEqual(reasons(use({ id: 'c-2' })), [{ code: 'bound_to_other_customer' }]);
  assert.deepEqual(reasons(use({})), [{ code: 'customer_required' }]);
  assert.deepEqual(reasons(use({ id: 'c-1' }, { bday: { customer_uses: 1 } })), [
    { code: 'per_customer_limit_reached', limit: 1, used: 1 },
  ]);
  // 20% of 79.50 is 15.90: 8.70 + 3.40 + 3.80 in proportion, exactly.
  const ok = use({ id: 'c-1' });
  assert.deepEqual(ok.rejected, []);
  assert.deepEqual(ok.accepted[0].code, c1.code);
  assert.deepEqual(ok.accepted[0].lines, [
    { line: 0, discount: '8.70' },
    { line: 1, discount: '3.40' },
    { line: 2, discount: '3.80' },
  ]);
  assert.equal(ok.accepted[0].code_uses, 1);
});

test('generateCodes: the same seed gives the same codes; without one they differ and pass checkCode', () => {
  const seeded = program.generateCodes({ campaign: 'welcome', count: 5, seed: '42' });
  assert.deepEqual(program.generateCodes({ campaign: 'welcome', count: 5, seed: '42' }), seeded);
  assert.deepEqual(program.generateCodes({ campaign: 'welcome', count: 5, seed: ' 42 ' }), seeded, 'the seed is a number as text');
  assert.equal(seeded.campaign, 'welcome');
  assert.equal(seeded.codes.length, 5);
  assert.equal(new Set(seeded.codes.map((c) => c.code)).size, 5, 'codes are unique');
  for (const c of seeded.codes) assert.deepEqual(c.issued, { campaign: 'welcome', uses: 0 });
  // 31^7 well-formed codes (8 slots, the last one the check character).
  assert.deepEqual(seeded.odds, { issued: 5, space: String(31n ** 7n), per_guess: seeded.odds.per_guess });
  assert.match(seeded.odds.per_guess, /^\d\.\d\de-\d+$/);
  assert.notDeepEqual(program.generateCodes({ campaign: 'welcome', count: 5, seed: '43' }).codes, seeded.codes);

  // Existing codes are never issued again, and count towards the odds.
  const existing = seeded.codes.map((c) => c.code.toLowerCase());
  const more = program.generateCodes({ campaign: 'welcome', count: 5, seed: '42', existing });
  assert.equal(more.codes.filter((c) => seeded.codes.some((s) => s.code === c.code)).length, 0);
  assert.equal(more.odds.issued, 10);

  // From the operating system (crypto.getRandomValues): different every call.
  const a = program.generateCodes({ campaign: 'welcome', count: 20 });
  const b = program.generateCodes({ campaign: 'welcome', count: 20 });
  const codes = [...a.codes, ...b.codes].map((c) => c.code);
  assert.equal(new Set(codes).size, 40, 'two unseeded batches share no code');
  assert.ok(!codes.some((c) => seeded.codes.some((s) => s.code === c)));
  for (const code of codes) {
    const check = program.checkCode(code);
    assert.deepEqual([check.ok, check.kind, check.campaigns], [true, 'unique', ['welcome']], code);
  }
});

test('errors are thrown as LoyaltyErrors of kind request with code and path', () => {
  const cases = [
    [() => program.generateCodes({ campaign: 'nope', count: 1 }), 'unknown_campaign', 'campaign'],
    [() => program.generateCodes({ campaign: 'ramadan', count: 1 }), 'not_generated', 'campaign'],
    [() => program.generateCodes({ campaign: 'welcome', count: 1, seed: 'abc' }), 'invalid_seed', 'seed'],
    [() => program.generateCodes({ campaign: 'welcome', count: 1, seed: 42 }), 'invalid_type', 'seed'],
    [() => program.generateCodes({ campaign: 'welcome' }), 'invalid_issue', 'count'],
    [() => program.generateCodes({ campaign: 'bday', count: 1 }), 'invalid_issue', 'customers'],
    [() => program.generateCodes({ campaign: 'welcome', count: -1 }), 'invalid_value', 'count'],
    [() => program.generateCodes({ campaign: 'welcome', count: 1, colour: 'red' }), 'unknown_field', 'colour'],
    [() => program.generateCodes(undefined), 'invalid_type', ''],
    [() => apply([{ code: '  ' }]), 'empty_value', 'coupons[0].code'],
    [() => apply([{ code: 'X', issued: { campaign: 'ramadan' } }]), 'not_generated', 'coupons[0].issued.campaign'],
    [() => apply([{ code: 'X', issued: { campaign: 'bday' } }]), 'invalid_issue', 'coupons[0].issued.customer'],
    [() => apply([], { order: { ...ORDER, currency: 'USD' } }), 'currency_mismatch', 'order.currency'],
    [() => program.applyCoupons({ order: ORDER }), 'missing_field', 'coupons'],
  ];
  for (const [call, code, path] of cases) {
    const e = requestError(call);
    assert.deepEqual([e.code, e.path], [code, path], e.message);
  }
  // A code space too small for the count: `T-##` has 31 codes (the second
  // symbol is the check character), and at most half of them are handed out.
  const tiny = new Program({
    ...PROGRAM,
    coupons: [{ id: 'tiny', codes: { kind: 'unique', pattern: 'T-##' }, discount: { type: 'amount_off', amount: '1' } }],
  });
  const exhausted = requestError(() => tiny.generateCodes({ campaign: 'tiny', count: 16, seed: '1' }));
  assert.deepEqual([exhausted.code, exhausted.path], ['code_space_exhausted', 'count']);

  // Every error is reported, not only the first.
  const many = requestError(() => apply([{ code: 'X', issued: { campaign: 'nope' } }], { counters: { zzz: {} } }));
  assert.deepEqual(
    many.errors.map(({ code, path }) => [code, path]),
    [
      ['unknown_campaign', 'coupons[0].issued.campaign'],
      ['unknown_campaign', 'counters.zzz'],
    ],
  );
  // JS numbers: a fraction is a float, refused as everywhere else.
  const float = requestError(() => program.applyCoupons({ order: { ...ORDER, lines: [{ ...ORDER.lines[0], unit_price: 14.5 }] }, coupons: [] }));
  assert.deepEqual([float.code, float.path], ['float_not_allowed', 'order.lines[0].unit_price']);
});

test('garbage input is refused as LoyaltyErrors and never breaks the module', () => {
  const throwing = new Proxy({}, { get() { throw new Error('boom'); }, ownKeys() { throw new Error('boom'); } });
  const bad = [() => 1, Symbol('x'), 10n, NaN, throwing, { order: ORDER, coupons: [{ code: () => 1 }] }];
  for (const value of bad) {
    for (const call of [() => program.applyCoupons(value), () => program.generateCodes(value)]) {
      const e = requestError(call);
      assert.equal(e.code, 'invalid_type');
    }
  }
  assert.equal(apply([{ code: 'RAMADAN25' }]).total, '64.37', 'the program still answers');
});

test('a points coupon feeds the quote: its id goes in the quote request\'s coupons', () => {
  const r = apply([{ code: 'Double' }]);
  assert.deepEqual(r.points_coupons, ['double']);
  assert.deepEqual(r.accepted, [
    {
      code: 'DOUBLE',
      campaign: 'double',
      kind: 'points_multiplier',
      discount: '0.00',
      lines: [],
      points: { rule: 'coupon:double', multiplier: '2' },
    },
  ]);
  // 79.50 earns 7 points (7.95 floored); the coupon doubles them.
  const plain = program.quote({ order: r.order_after });
  const doubled = program.quote({ order: r.order_after, coupons: r.points_coupons });
  assert.equal(plain.total, '7');
  assert.equal(doubled.total, '14');
  assert.deepEqual(
    doubled.awards.map((a) => [a.rule, a.kind, a.multiplier, a.points]),
    [
      ['base', 'rate', undefined, '7'],
      ['coupon:double', 'multiplier', '2', '7'],
    ],
  );

  // Money coupons first: quote the order as discounted, with the points coupon.
  const both = apply([{ code: 'RAMADAN25' }, { code: 'DOUBLE' }]);
  assert.deepEqual(both.points_coupons, ['double']);
  const q = program.quote({ order: both.order_after, coupons: both.points_coupons });
  assert.equal(q.eligible_spend, '64.37');
  assert.equal(q.total, '12', '64.37 earns 6, doubled');
});

test('check warns of generated codes that are too easy to guess, at their pattern', () => {
  // `WEL-####-####` and `BDY-####-####` make 31^7 codes: a million of them
  // out, a guess hits one with a probability far above 1e-9.
  assert.deepEqual(
    program.check().map(({ code, path }) => [code, path]),
    [
      ['weak_codes', 'coupons[1].codes.pattern'],
      ['weak_codes', 'coupons[2].codes.pattern'],
    ],
  );
  for (const w of program.check()) assert.ok(mod.warningCodes().includes(w.code), w.code);
  // The default pattern (11 random symbols and a check character) is strong enough.
  const strong = new Program({ ...PROGRAM, coupons: PROGRAM.coupons.map(({ codes, ...k }) => (codes ? { ...k, codes: { kind: codes.kind } } : k)) });
  assert.deepEqual(strong.check(), []);
});

test('rejectionCodes lists every code a coupon can be refused with, once, and has not drifted', () => {
  const codes = rejectionCodes();
  assert.ok(Array.isArray(codes));
  assert.equal(new Set(codes).size, codes.length, 'no code listed twice');
  assert.deepEqual(codes, [
    'channel_not_matched',
    'store_not_matched',
    'payment_method_not_matched',
    'tier_not_matched',
    'attribute_not_matched',
    'card_required',
    'first_purchase_only',
    'not_first_purchase',
    'weekday_not_matched',
    'outside_local_time',
    'outside_dates',
    'month_not_matched',
    'birth_date_unknown',
    'not_birthday',
    'no_matching_lines',
    'min_spend_not_met',
    'min_quantity_not_met',
    'outranked',
    'malformed_code',
    'bad_check_character',
    'unknown_code',
    'duplicate_code',
    'duplicate_campaign',
    'not_yet_active',
    'expired',
    'customer_required',
    'bound_to_other_customer',
    'code_used_up',
    'per_customer_limit_reached',
    'total_limit_reached',
    'budget_exhausted',
    'not_enough_items',
    'nothing_to_discount',
    'not_combinable',
    'too_many_coupons',
  ]);
  for (const code of codes) assert.match(code, /^[a-z]+(_[a-z]+)*$/);
});

test('the coupon vectors give every rejection code, and only those', (t) => {
  const files = listCouponVectors();
  if (files.length === 0) {
    t.skip('no coupon vectors yet');
    return;
  }
  const seen = new Set();
  const walk = (value) => {
    if (Array.isArray(value)) {
      value.forEach(walk);
    } else if (value !== null && typeof value === 'object') {
      if (Array.isArray(value.reasons)) for (const r of value.reasons) seen.add(r.code);
      Object.values(value).forEach(walk);
    }
  };
  for (const { file } of files) {
    const doc = JSON.parse(readFileSync(join(vectorsDir, file), 'utf8'));
    // Quotes have reasons of their own (why a rule missed): coupon answers only.
    for (const step of doc.steps ?? []) if (step.op === 'apply' || step.op === 'check_code') walk(step.expect);
  }
  assert.deepEqual([...seen].filter((c) => !rejectionCodes().includes(c)), [], 'reasons in vectors that rejectionCodes() lacks');
  assert.deepEqual(rejectionCodes().filter((c) => !seen.has(c)), [], 'rejection codes no vector gives');
});
