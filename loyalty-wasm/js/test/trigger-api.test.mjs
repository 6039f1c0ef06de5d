// Triggers' JavaScript API: program.triggers (the lifecycle messages due for
// the host's customers, from the program's `[triggers]`), worked out by hand
// from loyalty-core/src/insights/triggers.rs: `date` against `at` and each
// customer's time zone, refusals with code and path, personal coupon codes
// from a seed (the same across calls and programs, and generateCodes'),
// the browser's one-customer case, garbage in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mod from './binding.mjs';
import { assertOnlyLoyaltyErrors, hostileValues } from './hostile.mjs';
import { loyaltyError } from './loyalty-error.mjs';

const { Program } = mod;

// A Riyadh shop: birthdays on the day with a personal coupon, wedding
// anniversaries a week ahead, a welcome 3 days after joining, win-back 30
// days after the last purchase.
const PROGRAM = {
  schema_version: 1,
  id: 'riyadh-coffee',
  currency: 'SAR',
  time_zone: 'Asia/Riyadh',
  coupons: [
    { id: 'birthday-gift', codes: { kind: 'personal', pattern: 'BDY-####-####' }, discount: { type: 'percent', percent: '20' } },
    { id: 'come-back', codes: { kind: 'personal', pattern: 'CMB-####-####' }, discount: { type: 'amount_off', amount: '10' } },
  ],
  triggers: {
    birthday: { lead_days: 0, coupon: 'birthday-gift' },
    anniversary: { lead_days: 7 },
    welcome: { after_days: 3 },
    win_back: { after_days: 30, coupon: 'come-back' },
  },
};
const program = new Program(PROGRAM);

const years = (n) => [{ kind: 'years', value: String(n) }];
const withoutCoupons = (answer) => answer.triggers.map(({ coupon, ...t }) => ({ ...t, campaign: coupon?.campaign }));

test('triggers answers a plain object: customers in request order, then by kind', () => {
  const answer = program.triggers({
    date: '2026-03-10',
    seed: '1',
    customers: [
      // Joined 7 March (welcome due 10 March), born 10 March 1990, married 17 March 2016.
      { id: 'sara', birth_date: '1990-03-10', member_since: '2026-03-07', anniversaries: [{ kind: 'wedding', date: '2016-03-17' }] },
      // Nothing due: born the day after, joined 2 days ago, bought 29 days ago.
      { id: 'omar', birth_date: '1985-03-11', member_since: '2026-03-08', last_purchase: '2026-02-09' },
      // Last bought 30 days ago.
      { id: 'layla', last_purchase: '2026-02-08' },
    ],
  });
  assert.equal(Object.getPrototypeOf(answer), Object.prototype);
  assert.deepEqual(Object.keys(answer), ['triggers']);
  assert.deepEqual(withoutCoupons(answer), [
    { customer: 'sara', kind: 'birthday', date: '2026-03-10', on: '2026-03-10', details: years(36), campaign: 'birthday-gift' },
    {
      customer: 'sara',
      kind: 'anniversary',
      date: '2026-03-10',
      on: '2026-03-17',
      details: [{ kind: 'anniversary', value: 'wedding' }, ...years(10)],
      campaign: undefined,
    },
    { customer: 'sara', kind: 'welcome', date: '2026-03-10', on: '2026-03-07', details: [], campaign: undefined },
    { customer: 'layla', kind: 'win_back', date: '2026-03-10', on: '2026-02-08', details: [{ kind: 'days', value: '30' }], campaign: 'come-back' },
  ]);
  // No coupon is left out, not null; details are always there (empty for a welcome).
  const welcome = answer.triggers[2];
  assert.ok(!('coupon' in welcome) && Array.isArray(welcome.details) && welcome.details.length === 0, JSON.stringify(welcome));
  // Nobody due: an empty list.
  assert.deepEqual(program.triggers({ date: '2026-03-09', customers: [{ id: 'omar', birth_date: '1985-03-11' }] }), { triggers: [] });
  assert.deepEqual(program.triggers({ date: '2026-03-09', customers: [] }), { triggers: [] });
});

// One instant, 22:00 UTC on 9 May 2026: 01:30 on 10 May in Tehran (UTC+3:30),
// 23:00 on 9 May in London (summer time, UTC+1), 01:00 on 10 May in the
// program's Riyadh (UTC+3).
const MAY_9_2200_UTC = '2026-05-09T22:00:00Z';
const MAY = [
  { id: 'tara', time_zone: 'Asia/Tehran', birth_date: '1990-05-10' },
  { id: 'liam', time_zone: 'Europe/London', birth_date: '1985-05-09' },
  { id: 'lucy', time_zone: 'Europe/London', birth_date: '1985-05-10' },
  { id: 'rana', birth_date: '1991-05-10' },
];
const birthdays = (answer) => answer.triggers.map((t) => [t.customer, t.date, t.on]);

test("at gives each customer's local day in their time zone; date gives everyone the same day", () => {
  const at = program.triggers({ at: MAY_9_2200_UTC, customers: MAY, seed: '1' });
  assert.deepEqual(birthdays(at), [
    ['tara', '2026-05-10', '2026-05-10'],
    ['liam', '2026-05-09', '2026-05-09'],
    ['rana', '2026-05-10', '2026-05-10'],
  ]);
  // The same instant written with another offset, or as a Date (its ISO text), answers the same.
  assert.deepEqual(program.triggers({ at: '2026-05-10T01:30:00+03:30', customers: MAY, seed: '1' }), at);
  assert.deepEqual(program.triggers({ at: new Date(MAY_9_2200_UTC), customers: MAY, seed: '1' }), at);
  // 20:29:59 UTC is 23:59:59 on 9 May in Tehran (and 23:29:59 in Riyadh):
  // only liam's birthday is due.
  assert.deepEqual(birthdays(program.triggers({ at: '2026-05-09T20:29:59Z', customers: MAY, seed: '1' })), [
    ['liam', '2026-05-09', '2026-05-09'],
  ]);
  // `date` is every customer's local day, whatever their zone.
  assert.deepEqual(birthdays(program.triggers({ date: '2026-05-09', customers: MAY, seed: '1' })), [
    ['liam', '2026-05-09', '2026-05-09'],
  ]);
  assert.deepEqual(birthdays(program.triggers({ date: '2026-05-10', customers: MAY, seed: '1' })), [
    ['tara', '2026-05-10', '2026-05-10'],
    ['lucy', '2026-05-10', '2026-05-10'],
    ['rana', '2026-05-10', '2026-05-10'],
  ]);
});

test('refusals throw LoyaltyErrors of kind request with code and path', () => {
  const refused = (request) => {
    const e = loyaltyError(() => program.triggers(request), 'request');
    return e.errors.map(({ code, path }) => [code, path]);
  };
  const sara = { id: 'sara', birth_date: '1990-03-10' };
  for (const [request, errors] of [
    // Exactly one of date and at.
    [{ date: '2026-03-10', at: MAY_9_2200_UTC, customers: [sara] }, [['date_and_at_not_one', '']]],
    [{ customers: [sara] }, [['date_and_at_not_one', '']]],
    [{ date: undefined, at: undefined, customers: [] }, [['date_and_at_not_one', '']]],
    // A time zone that is not IANA, at its customer's path, with `at` or `date`.
    [{ at: MAY_9_2200_UTC, customers: [sara, { id: 'b', time_zone: 'Mars/Olympus' }] }, [['invalid_time_zone', 'customers[1].time_zone']]],
    [{ date: '2026-03-10', customers: [sara, { id: 'b', time_zone: 'UTC+3' }] }, [['invalid_time_zone', 'customers[1].time_zone']]],
    // Every bad value at once, in request order.
    [
      { at: 'tonight', customers: [{ id: ' ' }, { id: 'b', time_zone: '', birth_date: '1990-02-30' }] },
      [
        ['invalid_timestamp', 'at'],
        ['empty_value', 'customers[0].id'],
        ['invalid_time_zone', 'customers[1].time_zone'],
        ['invalid_timestamp', 'customers[1].birth_date'],
      ],
    ],
    [{ date: '10/03/2026', customers: [] }, [['invalid_timestamp', 'date']]],
    [{ at: '2026-03-10T00:00:00', customers: [] }, [['invalid_timestamp', 'at']]],
    // A seed is a whole number as text, refused when a code is due.
    [{ date: '2026-03-10', seed: 'seven', customers: [sara] }, [['invalid_seed', 'seed']]],
    // Malformed requests.
    [{ date: '2026-03-10', customers: [sara], explain: true }, [['unknown_field', 'explain']]],
    [{ date: '2026-03-10', customers: [{ ...sara, tz: 'Asia/Tehran' }] }, [['unknown_field', 'customers[0].tz']]],
    [{ date: '2026-03-10' }, [['missing_field', 'customers']]],
    [{ date: '2026-03-10', customers: [{ birth_date: '1990-03-10' }] }, [['missing_field', 'customers[0].id']]],
    [{ date: '2026-03-10', customers: [{ ...sara, time_zone: 3 }] }, [['invalid_type', 'customers[0].time_zone']]],
    [{ date: '2026-03-10', customers: [{ ...sara, calendar: 'julian' }] }, [['unknown_variant', 'customers[0].calendar']]],
    [{ date: '2026-03-10', seed: 7, customers: [sara] }, [['invalid_type', 'seed']]],
    [{ date: 20260310, customers: [] }, [['invalid_type', 'date']]],
    [null, [['invalid_type', '']]],
    [undefined, [['invalid_type', '']]],
    ['{"date": "2026-03-10", "customers": []}', [['invalid_type', '']]],
  ]) {
    assert.deepEqual(refused(request), errors, JSON.stringify(request));
  }
  // The message says what to do.
  const e = loyaltyError(() => program.triggers({ customers: [] }), 'request');
  assert.match(e.message, /exactly one of `date`.*and `at`/);
  const tz = loyaltyError(() => program.triggers({ at: MAY_9_2200_UTC, customers: [{ id: 'a' }, { id: 'b', time_zone: 'Mars/Olympus' }] }));
  assert.match(tz.message, /Mars\/Olympus/);
  // A seed that is not a number is refused even while no code is due.
  const seed = loyaltyError(() => program.triggers({ date: '2026-03-09', seed: 'seven', customers: [sara] }), 'request');
  assert.deepEqual([seed.code, seed.path], ['invalid_seed', 'seed']);
});

test('seeded coupon codes are the same across calls and programs, each with its issued record; unseeded ones differ', () => {
  const request = {
    date: '2026-03-10',
    seed: '7',
    customers: [
      { id: 'sara', birth_date: '1990-03-10' },
      { id: 'layla', last_purchase: '2026-02-08' },
      { id: 'reza', birth_date: '2000-03-10' },
    ],
  };
  const first = program.triggers(request);
  const codes = (answer) => answer.triggers.map((t) => [t.customer, t.coupon.campaign, t.coupon.code]);
  assert.deepEqual(codes(first).map(([c, k]) => [c, k]), [
    ['sara', 'birthday-gift'],
    ['layla', 'come-back'],
    ['reza', 'birthday-gift'],
  ]);
  // Again, on this program and on new ones (from the object, its JSON text, its toJSON).
  assert.deepEqual(program.triggers(request), first);
  for (const other of [new Program(PROGRAM), new Program(JSON.stringify(PROGRAM)), new Program(program.toJSON())]) {
    assert.deepEqual(other.triggers(structuredClone(request)), first);
    other.free();
  }
  // Each a valid personal code of its campaign, with the record the host
  // stores and gives back to applyCoupons.
  for (const t of first.triggers) {
    const check = program.checkCode(t.coupon.code);
    assert.deepEqual([check.ok, check.kind, check.campaigns], [true, 'personal', [t.coupon.campaign]], t.coupon.code);
    assert.deepEqual(t.coupon.issued, { campaign: t.coupon.campaign, customer: t.customer, uses: 0 });
  }
  // Each campaign draws from its own seed: not the codes the raw seed gives.
  const raw = program.generateCodes({ campaign: 'birthday-gift', customers: ['sara'], seed: '7' }).codes[0].code;
  assert.notEqual(codes(first)[0][2], raw);
  assert.equal(new Set(codes(first).map(([, , code]) => code)).size, 3, 'no code given twice');
  // Another seed, other codes; no seed, codes from crypto.getRandomValues, new each call.
  const other = codes(program.triggers({ ...request, seed: '8' })).map(([, , code]) => code);
  assert.notDeepEqual(other, codes(first).map(([, , code]) => code));
  const unseeded = () => codes(program.triggers({ ...request, seed: undefined })).map(([, , code]) => code);
  const [a, b] = [unseeded(), unseeded()];
  assert.equal(new Set([...a, ...b]).size, 6, `${a} / ${b}`);
  for (const code of [...a, ...b]) assert.equal(program.checkCode(code).ok, true, code);
});

test("the browser's case: one customer's birthday with her personal coupon", () => {
  const sara = { id: 'sara', time_zone: 'Asia/Tehran', birth_date: '1990-03-03' };
  // 21:00 UTC on 2 March is 00:30 on 3 March in Tehran.
  const { triggers } = program.triggers({ at: '2026-03-02T21:00:00Z', customers: [sara], seed: '7' });
  assert.equal(triggers.length, 1);
  const [t] = triggers;
  assert.deepEqual(
    { ...t, coupon: { ...t.coupon, code: undefined } },
    { customer: 'sara', kind: 'birthday', date: '2026-03-03', on: '2026-03-03', details: years(36), coupon: { campaign: 'birthday-gift', code: undefined, issued: t.coupon.issued } },
  );
  assert.match(t.coupon.code, /^BDY-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  assert.deepEqual(t.coupon.issued, { campaign: 'birthday-gift', customer: 'sara', uses: 0 });
  // The code applies to her order, with the record stored as issued.
  const applied = program.applyCoupons({
    order: { id: 'o-1', placed_at: '2026-03-03T10:00:00+03:30', lines: [{ sku: 'cake', quantity: '1', unit_price: '50.00' }] },
    customer: { id: 'sara' },
    coupons: [{ code: t.coupon.code, issued: t.coupon.issued }],
  });
  assert.deepEqual(applied.rejected, []);
  assert.equal(applied.accepted[0].campaign, 'birthday-gift');
  // 20:29 UTC is 23:59 on 2 March in Tehran: nothing due yet.
  assert.deepEqual(program.triggers({ at: '2026-03-02T20:29:00Z', customers: [sara], seed: '7' }), { triggers: [] });
});

test('a program without [triggers] answers no triggers, and still checks the request', () => {
  const plain = new Program({ schema_version: 1, id: 'plain', currency: 'SAR', time_zone: 'Asia/Riyadh' });
  assert.deepEqual(plain.triggers({ date: '2026-03-10', customers: [{ id: 'sara', birth_date: '1990-03-10', member_since: '2026-03-10' }] }), {
    triggers: [],
  });
  const e = loyaltyError(() => plain.triggers({ date: '2026-03-10', at: MAY_9_2200_UTC, customers: [] }), 'request');
  assert.equal(e.code, 'date_and_at_not_one');
  plain.free();
});

test('garbage input throws LoyaltyErrors of kind request and never breaks the module', () => {
  const own = new Program(PROGRAM);
  const customer = { id: 'sara', time_zone: 'Asia/Tehran', birth_date: '1990-03-10', member_since: '2026-03-07' };
  const garbage = [
    ...hostileValues(customer, {
      throwingKey: 'birth_date',
      // Reading the request while the program answers: a shared borrow, allowed.
      reenter: () => own.triggers({ date: '2026-03-10', customers: [customer], seed: '1' }),
    }),
    'triggers', '{"date":"2026-03-10","customers":[]}', { customers: [] }, { date: '2026-03-10' },
    { ...customer, time_zone: 'x'.repeat(100_000) }, { ...customer, time_zone: '../../etc/passwd' }, { ...customer, time_zone: '\u0000' },
    { ...customer, time_zone: 'asia/tehran' }, { ...customer, time_zone: ' Asia/Tehran ' }, { ...customer, time_zone: null },
    { ...customer, birth_date: '0000-01-01' }, { ...customer, birth_date: '9999-12-31' }, { ...customer, birth_date: '+275760-09-13' },
    { ...customer, birth_date: new Date(0) }, { ...customer, birth_date: 19900310 }, { ...customer, calendar: 'persian' },
    { ...customer, calendar: 'islamic-umm-al-qura', birth_date: '1800-01-01' }, { ...customer, id: 'x'.repeat(100_000) },
    { ...customer, id: 42 }, { ...customer, anniversaries: [null] }, { ...customer, anniversaries: 'wedding' },
    { ...customer, expiring: [{ points: '1e30', on: '2026-03-10' }] }, { ...customer, expiring: [{ points: 1.5, on: '2026-03-10' }] },
    { ...customer, expiring: Array.from({ length: 1_000 }, () => ({ points: '79228162514264337593543950335', on: '2026-03-10' })) },
    { ...customer, tier_at_risk: { tier: 'gold' } }, { ...customer, last_purchase: '2026-03-10T00:00:00Z' },
    '9999-12-31T23:59:59+14:00', '0000-01-01T00:00:00-12:00', '2026-03-10', 1e300, -1, '18446744073709551616',
  ];
  const alive = (what) =>
    assert.equal(own.triggers({ date: '2026-03-10', customers: [customer], seed: '1' }).triggers.length, 2, what);
  assertOnlyLoyaltyErrors(
    garbage,
    [
      (g) => own.triggers(g),
      (g) => own.triggers({ date: '2026-03-10', customers: [g], seed: '1' }),
      (g) => own.triggers({ at: MAY_9_2200_UTC, customers: [customer, g], seed: '1' }),
      (g) => own.triggers({ date: '2026-03-10', customers: g }),
      (g) => own.triggers({ at: g, customers: [customer] }),
      (g) => own.triggers({ date: g, customers: [customer] }),
      (g) => own.triggers({ date: '2026-03-10', customers: [customer], seed: g }),
      (g) => own.triggers({ at: MAY_9_2200_UTC, customers: [{ ...customer, time_zone: g }] }),
      (g) => own.triggers({ date: '2026-03-10', customers: [{ ...customer, birth_date: g }] }),
      // Many customers, all due, each given a code.
      (g) =>
        own.triggers({
          date: '2026-03-10',
          seed: '1',
          customers: Array.from({ length: 2_000 }, (_, i) => ({ ...customer, id: `c-${i}`, time_zone: typeof g === 'string' ? g : undefined })),
        }),
    ],
    { kinds: ['request'], alive },
  );
  // A getter that frees the program while it reads the request: this call
  // is refused, later ones say the program is gone; the module is unharmed.
  const doomed = new Program(PROGRAM);
  const freeing = { ...customer };
  Object.defineProperty(freeing, 'id', {
    enumerable: true,
    get() {
      doomed.free();
      return 'x';
    },
  });
  const e = loyaltyError(() => doomed.triggers({ date: '2026-03-10', customers: [freeing] }), 'request');
  assert.match(e.message, /take ownership of Rust value while it was borrowed/);
  assert.throws(() => doomed.triggers({ date: '2026-03-10', customers: [] }), /null pointer passed to rust/);
  alive('after a getter freed another program');
  const fresh = new Program(PROGRAM);
  assert.equal(fresh.triggers({ date: '2026-03-10', customers: [customer], seed: '1' }).triggers[0].kind, 'birthday');
  fresh.free();
  own.free();
});
