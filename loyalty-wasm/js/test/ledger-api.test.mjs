// The ledger's JavaScript API: posting, idempotency, refusals, queries,
// arguments checked at the boundary, garbage in, replay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mod from './binding.mjs';
import { assertOnlyLoyaltyErrors, hostileValues } from './hostile.mjs';
import { checkLoyaltyError, loyaltyError as anyLoyaltyError } from './loyalty-error.mjs';

const { Program, Ledger, errorCodes } = mod;

const PROGRAM_TOML = `
schema_version = 1
id = "riyadh-coffee"
currency = "SAR"
time_zone = "Asia/Riyadh"

[[earn_rules]]
id = "base"
rate = { points = "1", per = "1" }

[ledger]
pending_days = 14
expiry = { end_of = "year", periods_after = 1 }
shortfall = "other_lots"
redemption = { points = "100", value = "1", min_points = "100", max_percent = "50" }
`;

const program = Program.fromToml(PROGRAM_TOML);

const MARCH = '2026-03-01T10:00:00+03:00';
const APRIL = '2026-04-01T00:00:00+03:00';

const earn = (id, points, extra = {}) => ({
  type: 'earn',
  id,
  account: 'm-1',
  at: MARCH,
  points,
  ...extra,
});

/** Every ledger event type, some refused, in posting order. */
const EVENTS = [
  earn('e-1', '240', { order: 'o-1', amount: '240.00' }),
  earn('e-2', '60', { account: 'm-2', order: 'o-2', amount: '60.00', at: '2026-03-02T10:00:00+03:00' }),
  { type: 'redeem', id: 'r-0', account: 'm-1', at: '2026-03-03T10:00:00+03:00', points: '10' }, // pending: refused
  { type: 'redeem', id: 'r-1', account: 'm-1', at: '2026-03-20T10:00:00+03:00', points: '100', order: 'o-3', amount: '20.00' },
  { type: 'adjust', id: 'a-1', account: 'm-1', at: '2026-03-21T10:00:00+03:00', points: '-5', reason: 'goodwill undone' },
  { type: 'adjust', id: 'a-0', account: 'm-1', at: '2026-03-21T10:00:00+03:00', points: '0', reason: 'nothing' }, // refused
  { type: 'refund', id: 'f-1', at: '2026-03-22T10:00:00+03:00', order: 'o-1', amount: '120.00' },
  { type: 'transfer', id: 't-1', account: 'm-1', to: 'm-3', at: '2026-03-23T10:00:00+03:00', points: '10' },
  { type: 'reverse', id: 'v-1', at: '2026-03-24T10:00:00+03:00', target: 'a-1' },
  { type: 'merge', id: 'g-1', account: 'm-1', from: 'm-2', at: '2026-03-25T10:00:00+03:00' },
  { type: 'wallet_deposit', id: 'w-1', account: 'w-1', at: MARCH, amount: '50.00' },
  { type: 'wallet_limit', id: 'w-2', account: 'w-1', at: MARCH, credit_limit: '20.00' },
  { type: 'wallet_charge', id: 'w-3', account: 'w-1', at: MARCH, amount: '60.00', order: 'o-9' },
  { type: 'wallet_charge', id: 'w-4', account: 'w-1', at: MARCH, amount: '100.00' }, // refused: funds
  { type: 'wallet_refund', id: 'w-5', at: '2026-03-26T10:00:00+03:00', order: 'o-9', amount: '10.00' },
  earn('e-1', '240', { order: 'o-1', amount: '240.00' }), // duplicate
  earn('e-1', '241', { order: 'o-1', amount: '240.00' }), // conflicting duplicate: refused
];

const ACCOUNTS = ['m-1', 'm-2', 'm-3', 'w-1', 'nobody'];
const INSTANTS = [MARCH, APRIL, '2027-12-31T23:59:59+03:00', '2028-01-01T00:00:00+03:00'];

/** Every query's answer (or error envelope) for every account and instant. */
function snapshot(ledger) {
  const ask = (fn) => {
    try {
      return fn();
    } catch (e) {
      return { error: e.code, path: e.path };
    }
  };
  const out = { accounts: ledger.accounts() };
  for (const a of ACCOUNTS) {
    for (const t of INSTANTS) {
      out[`${a} ${t}`] = {
        balance: ask(() => ledger.balance(a, t)),
        lots: ask(() => ledger.lots(a, t)),
        expiring: ask(() => ledger.expiring(a, t, 400)),
        statement: ask(() => ledger.statement(a, t)),
      };
    }
  }
  return out;
}

/** Asserts `fn` throws a LoyaltyError of `kind` and returns it. */
const loyaltyError = (fn, kind = 'ledger') => anyLoyaltyError(fn, kind);

test('post applies an event; the same event again is a duplicate and changes nothing', () => {
  const ledger = new Ledger(program);
  const event = earn('e-1', '120', { order: 'o-1', amount: '240.00' });
  assert.deepEqual(ledger.post(event), { event: 'e-1', status: 'applied' });
  const before = snapshot(ledger);
  assert.deepEqual(ledger.post(structuredClone(event)), { event: 'e-1', status: 'duplicate' });
  assert.deepEqual(snapshot(ledger), before);
  const b = ledger.balance('m-1', APRIL);
  assert.equal(Object.getPrototypeOf(b), Object.prototype);
  assert.equal(b.available, '120');
  assert.equal(b.pending, '0');
  assert.equal(ledger.balance('m-1', '2026-03-02T00:00:00+03:00').pending, '120');
});

test('a refused event throws a LoyaltyError of kind ledger and leaves the ledger unchanged', () => {
  const ledger = new Ledger(program);
  ledger.post(earn('e-1', '120'));
  const before = snapshot(ledger);
  const refusals = [
    [{ type: 'redeem', id: 'r-1', account: 'm-1', at: APRIL, points: '121' }, 'insufficient_points', 'points'],
    [{ type: 'redeem', id: 'r-2', account: 'm-1', at: MARCH, points: '1' }, 'insufficient_points', 'points'],
    [earn('e-1', '121'), 'conflicting_duplicate', 'id'],
    [earn('e-2', '1', { at: 'yesterday' }), 'invalid_timestamp', 'at'],
    [earn('e-2', '0'), 'not_positive', 'points'],
    [earn('', '1'), 'empty_id', 'id'],
    [{ type: 'adjust', id: 'a-1', account: 'm-1', at: APRIL, points: '5', reason: '' }, 'missing_reason', 'reason'],
    [{ type: 'refund', id: 'f-1', at: APRIL, order: 'o-404' }, 'unknown_order', 'order'],
    [{ type: 'reverse', id: 'v-1', at: APRIL, target: 'nothing' }, 'unknown_target', 'target'],
    [{ type: 'wallet_charge', id: 'w-1', account: 'm-1', at: APRIL, amount: '1.00' }, 'wrong_account_kind', 'account'],
    [{ type: 'earn', id: 'e-3', account: 'm-1', at: MARCH, points: '1', colour: 'red' }, 'unknown_field', 'colour'],
    [{ type: 'gift', id: 'g-1' }, 'unknown_variant', 'type'],
    [earn('e-4', 1.5), 'float_not_allowed', 'points'],
  ];
  for (const [event, code, path] of refusals) {
    const e = loyaltyError(() => ledger.post(event));
    assert.equal(e.code, code, JSON.stringify(event));
    assert.equal(e.path, path, JSON.stringify(event));
    assert.deepEqual(snapshot(ledger), before, `${code} changed the ledger`);
  }
  // An event refused for its shape or values does not take its id.
  assert.equal(ledger.post(earn('e-2', '1')).status, 'applied');
  assert.equal(ledger.balance('m-1', APRIL).available, '121');
});

test('queries refuse bad instants and unknown accounts with ledger errors', () => {
  const ledger = new Ledger(program);
  ledger.post(earn('e-1', '120'));
  assert.equal(loyaltyError(() => ledger.balance('m-1', '2026-03-01')).code, 'invalid_timestamp');
  assert.equal(loyaltyError(() => ledger.balance('m-1', '')).path, 'at');
  for (const query of ['balance', 'lots', 'statement']) {
    const e = loyaltyError(() => ledger[query]('m-1', 'soon'));
    assert.equal(e.code, 'invalid_timestamp');
  }
  // Whatever the core answers for an account it never saw, it is an answer or a ledger error.
  for (const query of ['balance', 'lots', 'statement']) {
    try {
      ledger[query]('nobody', APRIL);
    } catch (e) {
      checkLoyaltyError(e, 'ledger');
    }
  }
});

test('lots, expiring and statement answer plain objects', () => {
  const ledger = new Ledger(program);
  ledger.post(earn('e-1', '120'));
  const lots = ledger.lots('m-1', APRIL);
  assert.ok(Array.isArray(lots));
  assert.equal(lots.length, 1);
  assert.equal(lots[0].lot, 'e-1');
  assert.equal(lots[0].remaining, '120');
  const expiring = ledger.expiring('m-1', '2027-12-01T00:00:00+03:00', 31);
  assert.equal(expiring.within_days, 31);
  assert.equal(expiring.points, '120');
  assert.equal(ledger.expiring('m-1', APRIL, 0).points, '0');
  const statement = ledger.statement('m-1', APRIL);
  assert.equal(statement.account, 'm-1');
  assert.ok(statement.movements.some((m) => m.event === 'e-1' && m.kind === 'earn'));
});

test('days must be a whole number from 0 to 2^32 - 1', () => {
  const ledger = new Ledger(program);
  ledger.post(earn('e-1', '120'));
  for (const days of [0, 1, 365, 2 ** 32 - 1, -0]) {
    assert.equal(typeof ledger.expiring('m-1', APRIL, days).points, 'string', `days ${days}`);
  }
  for (const days of [-1, 1.5, NaN, Infinity, -Infinity, 2 ** 32, 1e300, Number.MAX_SAFE_INTEGER]) {
    const e = loyaltyError(() => ledger.expiring('m-1', APRIL, days));
    assert.equal(e.code, 'invalid_value', `days ${days}`);
    assert.equal(e.path, 'days');
  }
  for (const days of ['30', null, undefined, 30n, {}, [30], true]) {
    const e = loyaltyError(() => ledger.expiring('m-1', APRIL, days));
    assert.equal(e.code, 'invalid_type', `days ${String(days)}`);
    assert.equal(e.path, 'days');
  }
});

test('account and at must be strings', () => {
  const ledger = new Ledger(program);
  for (const bad of [undefined, null, 42, {}, ['m-1'], Symbol('m'), 1n, new Date(0)]) {
    for (const query of ['balance', 'lots', 'statement']) {
      const e1 = loyaltyError(() => ledger[query](bad, APRIL));
      assert.deepEqual([e1.code, e1.path], ['invalid_type', 'account']);
      const e2 = loyaltyError(() => ledger[query]('m-1', bad));
      assert.deepEqual([e2.code, e2.path], ['invalid_type', 'at']);
    }
    assert.equal(loyaltyError(() => ledger.expiring(bad, APRIL, 1)).path, 'account');
    const e3 = loyaltyError(() => program.earnEvent({ order: {} }, bad, 'e-1'), 'request');
    assert.equal(e3.code, e3.errors[0].code);
  }
});

test('payWithPoints works out the payment and its redeem event, posting nothing', () => {
  const ledger = new Ledger(program);
  ledger.post(earn('e-1', '1000'));
  const before = snapshot(ledger);
  const payment = ledger.payWithPoints({ id: 'p-1', account: 'm-1', at: APRIL, order_total: '50.00', order: 'o-5' });
  // 100 points pay 1.00, up to half the order: 25.00 would take 2500 points, 1000 are there.
  assert.equal(payment.points, '1000');
  assert.equal(payment.discount, '10.00');
  assert.equal(payment.limited_by, 'balance');
  assert.equal(payment.available, '1000');
  assert.deepEqual(
    [payment.event.type, payment.event.id, payment.event.account, payment.event.points, payment.event.order],
    ['redeem', 'p-1', 'm-1', '1000', 'o-5'],
  );
  const half = ledger.payWithPoints({ id: 'p-1', account: 'm-1', at: APRIL, order_total: '10.00' });
  assert.deepEqual([half.points, half.discount, half.limited_by], ['500', '5.00', 'max_percent']);
  assert.deepEqual(snapshot(ledger), before);
  assert.equal(ledger.post(payment.event).status, 'applied');
  assert.equal(loyaltyError(() => ledger.payWithPoints({ id: 'p-2' })).code, 'missing_field');
  const unconfigured = new Ledger(new Program({ schema_version: 1, id: 'x', currency: 'SAR', time_zone: 'Asia/Riyadh', earn_rules: [] }));
  const e = loyaltyError(() => unconfigured.payWithPoints({ id: 'p-1', account: 'm-1', at: APRIL, order_total: '5.00' }));
  assert.deepEqual([e.code, e.path], ['redemption_not_configured', '']);
});

test('earnEvent turns a quote into an earn event, or null when nothing is earned', () => {
  const request = {
    order: { id: 'o-1', placed_at: MARCH, lines: [{ sku: 'latte', quantity: '2', unit_price: '14.50' }] },
  };
  const event = program.earnEvent(request, 'm-1', 'e-1');
  assert.equal(event.type, 'earn');
  assert.equal(event.id, 'e-1');
  assert.equal(event.account, 'm-1');
  assert.equal(event.order, 'o-1');
  assert.equal(event.points, '29');
  const ledger = new Ledger(program);
  assert.equal(ledger.post(event).status, 'applied');
  assert.equal(ledger.balance('m-1', APRIL).available, '29');
  const free = structuredClone(request);
  free.order.lines[0].unit_price = '0';
  assert.equal(program.earnEvent(free, 'm-1', 'e-2'), null);
  const e = loyaltyError(() => program.earnEvent({ order: 1 }, 'm-1', 'e-3'), 'request');
  assert.equal(e.path, 'order');
});

test('postMany posts in order and returns each refusal in place', () => {
  const ledger = new Ledger(program);
  const answers = ledger.postMany([
    earn('e-1', '100'),
    earn('e-2', 1.5),
    () => 1,
    earn('e-1', '100'),
    { type: 'redeem', id: 'r-1', account: 'm-1', at: APRIL, points: '30' },
  ]);
  assert.equal(answers.length, 5);
  assert.deepEqual(answers[0], { event: 'e-1', status: 'applied' });
  assert.ok(answers[1] instanceof Error);
  checkLoyaltyError(answers[1], 'ledger');
  assert.equal(answers[1].code, 'float_not_allowed');
  assert.equal(answers[2].code, 'invalid_type');
  assert.deepEqual(answers[3], { event: 'e-1', status: 'duplicate' });
  assert.deepEqual(answers[4], { event: 'r-1', status: 'applied' });
  assert.equal(ledger.balance('m-1', APRIL).available, '70');
  assert.deepEqual(ledger.postMany([]), []);
  for (const bad of [earn('e-9', '1'), 'events', null, undefined, 3]) {
    assert.equal(loyaltyError(() => ledger.postMany(bad)).code, 'invalid_type');
  }
});

test('replay gives the ledger that posting one by one gives, refused events skipped', () => {
  const byOne = new Ledger(program);
  const outcomes = EVENTS.map((e) => {
    try {
      return byOne.post(e).status;
    } catch (err) {
      checkLoyaltyError(err, 'ledger');
      return err.code;
    }
  });
  // The sequence really has refusals, duplicates and applied events.
  assert.ok(outcomes.includes('applied') && outcomes.includes('duplicate'), outcomes.join());
  assert.ok(outcomes.filter((o) => o !== 'applied' && o !== 'duplicate').length >= 4, outcomes.join());
  const replayed = Ledger.replay(program, EVENTS);
  assert.deepEqual(snapshot(replayed), snapshot(byOne));
  const many = new Ledger(program);
  many.postMany(EVENTS);
  assert.deepEqual(snapshot(many), snapshot(byOne));
  assert.deepEqual(byOne.accounts(), ['m-1', 'm-2', 'm-3', 'w-1']);
  // Replaying again, or with garbage mixed in, gives the same.
  const withGarbage = [null, ...EVENTS.flatMap((e) => [e, { type: 'earn' }, () => 0])];
  assert.deepEqual(snapshot(Ledger.replay(program, withGarbage)), snapshot(byOne));
  assert.deepEqual(snapshot(Ledger.replay(program, [...EVENTS, ...EVENTS])), snapshot(byOne));
  assert.equal(loyaltyError(() => Ledger.replay(program, 'events')).code, 'invalid_type');
});

test('a ledger keeps working after its program is freed', () => {
  const p = Program.fromToml(PROGRAM_TOML);
  const ledger = new Ledger(p);
  p.free();
  ledger.post(earn('e-1', '10'));
  assert.equal(ledger.balance('m-1', APRIL).available, '10');
  ledger.free();
});

test('garbage input throws LoyaltyErrors and never breaks the module', () => {
  const ledger = new Ledger(program);
  ledger.post(earn('e-0', '10'));
  const garbage = [
    ...hostileValues(earn('e-h', '1'), {
      throwingKey: 'points',
      reenter: () => ledger.post(earn('e-r', '1')), // the ledger is busy: refused by wasm-bindgen, caught
    }),
    'earn', '{"type":"earn"}', { type: 'earn' }, { type: null }, { type: 'earn', id: 1 }, { type: ['earn'] },
    earn('e-big', '1'.repeat(400)), earn('e-huge', 1e300), earn('e-int', 2 ** 60), earn('e-neg', '-1'),
    earn('e-x'.repeat(100_000), '1'), earn('e-ts', '1', { at: '9999-12-31T23:59:59+14:00' }),
    earn('e-ts0', '1', { at: '0000-01-01T00:00:00-12:00' }), earn('e-ts1', '1', { at: '2026-02-30T00:00:00Z' }),
    earn('e-l', '5', { lines: [{ quantity: '0', amount: '0', points: '5' }] }),
    { type: 'refund', id: 'f', at: APRIL, order: 'o', lines: [{ line: -1, quantity: '1' }] },
    { type: 'refund', id: 'f', at: APRIL, order: 'o', lines: [{ line: 2 ** 53, quantity: '1' }] },
    { type: 'transfer', id: 't', account: 'm-1', to: 'm-1', at: APRIL, points: '1' },
    { type: 'merge', id: 'm', account: 'm-1', from: 'm-1', at: APRIL },
    { type: 'wallet_limit', id: 'wl', account: 'w', at: APRIL, credit_limit: '-1' },
  ];
  const before = () => ledger.balance('m-1', APRIL);
  const expected = before();
  assertOnlyLoyaltyErrors(
    garbage,
    [
      (g) => ledger.post(g),
      (g) => ledger.postMany([g]),
      (g) => ledger.postMany(g),
      (g) => Ledger.replay(program, [g]).free(),
      (g) => Ledger.replay(program, g).free(),
      (g) => ledger.payWithPoints(g),
      (g) => ledger.balance(g, g),
      (g) => ledger.expiring('m-1', APRIL, g),
      (g) => program.earnEvent(g, 'm-1', 'e'),
      (g) => program.quoteMany(g),
    ],
    {
      kinds: ['ledger', 'request'],
      // Garbage that happened to be a valid event may have been posted; the
      // ledger still answers.
      alive: (what) => assert.equal(typeof before().available, 'string', what),
    },
  );
  assert.equal(before().account, expected.account);
  // The module still works.
  const fresh = new Ledger(program);
  assert.equal(fresh.post(earn('e-1', '5')).status, 'applied');
  assert.equal(fresh.balance('m-1', APRIL).available, '5');
});

test('a Ledger needs a Program: anything else is refused before reaching Rust', () => {
  for (const bad of [undefined, null, {}, PROGRAM_TOML, new Ledger(program)]) {
    assert.throws(() => new Ledger(bad), /expected instance of Program/);
    assert.throws(() => Ledger.replay(bad, []), /expected instance of Program/);
  }
});

test('errorCodes lists the ledger codes', () => {
  const codes = errorCodes();
  assert.deepEqual(Object.keys(codes).sort(), ['ledger', 'program', 'referrals', 'request', 'tiers']);
  for (const code of ['insufficient_points', 'conflicting_duplicate', 'invalid_timestamp', 'invalid_value', 'invalid_type']) {
    assert.ok(codes.ledger.includes(code), code);
  }
});

test('every event type and answer round-trips through JSON unchanged', () => {
  const ledger = Ledger.replay(program, EVENTS);
  for (const a of ['m-1', 'w-1']) {
    const s = ledger.statement(a, APRIL);
    assert.deepEqual(JSON.parse(JSON.stringify(s)), s);
  }
  const w = ledger.balance('w-1', APRIL);
  assert.equal(w.kind, 'wallet');
  assert.equal(w.credit_limit, '20.00');
});
