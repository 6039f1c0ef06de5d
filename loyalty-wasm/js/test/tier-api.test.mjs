// The tier book's JavaScript API: posting tier and ledger events,
// idempotency, refusals, status, history, orderTier, Program.check, a program
// without tiers, arguments checked at the boundary, garbage in, replay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mod from './binding.mjs';
import { assertOnlyLoyaltyErrors, hostileValues, nestedObject } from './hostile.mjs';
import { checkLoyaltyError, loyaltyError as anyLoyaltyError } from './loyalty-error.mjs';

const { Program, Tiers, Ledger, errorCodes } = mod;

// Gold takes 500.00 of spend in a calendar year and 300.00 to keep; the
// order that crosses a threshold earns at the tier it had before.
const PROGRAM_TOML = `
schema_version = 1
id = "riyadh-coffee"
currency = "SAR"
time_zone = "Asia/Riyadh"

[[earn_rules]]
id = "base"
rate = { points = "1", per = "1" }

[tiers]
window = "calendar_year"
crossing_order = "current_tier"

[[tiers.levels]]
id = "member"

[[tiers.levels]]
id = "gold"
qualify = { spend = "500" }
retain = { spend = "300" }
benefits = { multiplier = "1.5", coupons = ["gold-welcome"], flags = { lounge = true } }

# The campaign gold's benefits name: a benefit naming no campaign is refused
# (unknown_coupon).
[[coupons]]
id = "gold-welcome"
codes = { kind = "personal" }
discount = { type = "percent", percent = "10" }
`;

const NO_TIERS_TOML = PROGRAM_TOML.slice(0, PROGRAM_TOML.indexOf('[tiers]'));

const program = Program.fromToml(PROGRAM_TOML);

const MARCH = '2026-03-01T10:00:00+03:00';
const APRIL = '2026-04-01T00:00:00+03:00';

const order = (id, spend, extra = {}) => ({ type: 'order', id, account: 'm-1', at: MARCH, spend, ...extra });
const earn = (id, points, extra = {}) => ({ type: 'earn', id, account: 'm-1', at: MARCH, points, ...extra });

/** Every tier and ledger event type, some refused, in posting order. */
const EVENTS = [
  { type: 'join', id: 'j-1', account: 'm-1', at: '2026-02-01T10:00:00+03:00' },
  order('o-1', '200.00'),
  earn('e-2', '350', { order: 'o-2', amount: '350.00', at: '2026-03-05T10:00:00+03:00' }), // crosses gold
  order('o-3', '100.00', { account: 'm-2', at: '2026-03-02T10:00:00+03:00' }),
  { type: 'visit', id: 'v-1', account: 'm-2', at: '2026-03-03T10:00:00+03:00' },
  { type: 'points', id: 'p-1', account: 'm-2', at: '2026-03-03T11:00:00+03:00', points: '40' },
  { type: 'redeem', id: 'r-1', account: 'm-2', at: '2026-03-04T10:00:00+03:00', points: '10' },
  { type: 'adjust', id: 'a-1', account: 'm-1', at: MARCH, points: '5', reason: 'goodwill' }, // ignored
  { type: 'transfer', id: 't-1', account: 'm-1', to: 'm-2', at: MARCH, points: '1' }, // ignored
  { type: 'wallet_deposit', id: 'w-1', account: 'w-1', at: MARCH, amount: '50.00' }, // ignored
  { type: 'override', id: 'x-1', account: 'm-2', at: '2026-03-10T10:00:00+03:00', tier: 'gold', until: '2026-06-01T00:00:00+03:00', reason: 'vip' },
  { type: 'override', id: 'x-0', account: 'm-2', at: '2026-03-10T10:00:00+03:00', tier: 'platinum' }, // refused
  { type: 'refund', id: 'f-1', at: '2026-03-20T10:00:00+03:00', order: 'o-3' },
  { type: 'reverse', id: 'v-9', at: '2026-03-21T10:00:00+03:00', target: 'p-1' },
  { type: 'refund', id: 'f-2', at: '2026-03-22T10:00:00+03:00', order: 'o-404' }, // refused
  order('o-4', '50.00', { account: 'm-3', at: '2026-03-23T10:00:00+03:00' }),
  { type: 'merge', id: 'g-1', account: 'm-1', from: 'm-3', at: '2026-03-25T10:00:00+03:00' },
  order('o-5', '1.00', { account: 'm-3', at: '2026-03-26T10:00:00+03:00' }), // refused: merged
  order('o-1', '200.00'), // duplicate
  order('o-1', '201.00'), // conflicting duplicate: refused
  order('o-6', '-1', { at: APRIL }), // refused
];

const ACCOUNTS = ['m-1', 'm-2', 'm-3', 'w-1', 'nobody'];
const INSTANTS = [MARCH, APRIL, '2027-06-01T00:00:00+03:00', '2028-06-01T00:00:00+03:00'];

/** Every query's answer (or error) for every account and instant. */
function snapshot(tiers) {
  const ask = (fn) => {
    try {
      return fn();
    } catch (e) {
      return { error: e.code, path: e.path };
    }
  };
  const out = { accounts: tiers.accounts() };
  for (const a of ACCOUNTS) {
    for (const t of INSTANTS) {
      out[`${a} ${t}`] = { status: ask(() => tiers.status(a, t)), history: ask(() => tiers.history(a, t)) };
    }
  }
  return out;
}

/** Asserts `fn` throws a LoyaltyError of `kind` and returns it. */
const loyaltyError = (fn, kind = 'tiers') => anyLoyaltyError(fn, kind);

test('post applies an event; the same event again is a duplicate; other content under its id is refused', () => {
  const tiers = new Tiers(program);
  const event = order('o-1', '200.00');
  assert.deepEqual(tiers.post(event), { event: 'o-1', status: 'applied' });
  const before = snapshot(tiers);
  assert.deepEqual(tiers.post(structuredClone(event)), { event: 'o-1', status: 'duplicate' });
  assert.deepEqual(snapshot(tiers), before);
  const e = loyaltyError(() => tiers.post(order('o-1', '201.00')));
  assert.deepEqual([e.code, e.path], ['conflicting_duplicate', 'id']);
  assert.deepEqual(snapshot(tiers), before, 'a refused event changed the book');
  assert.deepEqual(tiers.accounts(), ['m-1']);
});

test('ledger events are accepted as they are: an earn for an order counts, an adjust is ignored', () => {
  const tiers = new Tiers(program);
  const earned = tiers.post(earn('e-1', '600', { order: 'o-1', amount: '600.00' }));
  assert.deepEqual(earned, { event: 'e-1', status: 'applied' });
  const s = tiers.status('m-1', APRIL);
  assert.deepEqual(s.metrics, { orders: 1, points: '600', spend: '600.00', visits: 1 });
  assert.equal(s.tier, 'gold');
  const before = snapshot(tiers);
  for (const ignored of [
    { type: 'adjust', id: 'a-1', account: 'm-1', at: MARCH, points: '50', reason: 'goodwill' },
    { type: 'transfer', id: 't-1', account: 'm-1', to: 'm-2', at: MARCH, points: '1' },
    { type: 'wallet_deposit', id: 'w-1', account: 'w-1', at: MARCH, amount: '50.00' },
    { type: 'wallet_limit', id: 'w-2', account: 'w-1', at: MARCH, credit_limit: '20.00' },
  ]) {
    assert.deepEqual(tiers.post(ignored), { event: ignored.id, status: 'ignored' });
  }
  assert.deepEqual(snapshot(tiers), before, 'an ignored event changed the book');
  // An earn without an order counts as points only.
  tiers.post(earn('e-2', '40', { account: 'm-2' }));
  assert.deepEqual(tiers.status('m-2', APRIL).metrics, { orders: 0, points: '40', spend: '0.00', visits: 0 });
  // A ledger event the ledger itself refuses is refused here too, as a tiers error.
  const e = loyaltyError(() => tiers.post({ type: 'adjust', id: 'a-2', account: 'm-1', at: MARCH, points: 1.5, reason: 'x' }));
  assert.deepEqual([e.code, e.path], ['float_not_allowed', 'points']);
});

test('the same events go to a Ledger and to Tiers unchanged', () => {
  const ledger = new Ledger(program);
  const tiers = new Tiers(program);
  const event = program.earnEvent(
    { order: { id: 'o-1', placed_at: MARCH, lines: [{ sku: 'beans', quantity: '4', unit_price: '150.00' }] } },
    'm-1',
    'e-1',
  );
  assert.equal(ledger.post(event).status, 'applied');
  assert.equal(tiers.post(event).status, 'applied');
  assert.equal(tiers.status('m-1', APRIL).tier, 'gold');
  assert.equal(tiers.status('m-1', APRIL).metrics.spend, '600.00');
  ledger.free();
  tiers.free();
});

test('status after an upgrade: tier, since, window, metrics, keep and benefits, decimals as strings', () => {
  const tiers = new Tiers(program);
  tiers.post(order('o-1', '200.00'));
  const member = tiers.status('m-1', '2026-03-02T00:00:00+03:00');
  assert.equal(Object.getPrototypeOf(member), Object.prototype);
  assert.equal(member.tier, 'member');
  assert.equal(member.keep, undefined, 'the base tier cannot be lost');
  assert.deepEqual(member.next, {
    tier: 'gold',
    by: '2027-01-01T00:00:00+03:00',
    match: 'all',
    metrics: { orders: 1, points: '0', spend: '200.00', visits: 1 },
    needs: { spend: '300.00' },
    met: false,
  });
  tiers.post(order('o-2', '350.00', { at: '2026-03-05T10:00:00+03:00' }));
  const gold = tiers.status('m-1', APRIL);
  assert.equal(gold.account, 'm-1');
  assert.equal(gold.as_of, APRIL);
  assert.equal(gold.tier, 'gold');
  assert.equal(gold.earned_tier, 'gold');
  assert.equal(gold.since, '2026-03-05T10:00:00+03:00');
  assert.deepEqual(gold.window, { from: '2026-01-01T00:00:00+03:00', to: APRIL });
  assert.deepEqual(gold.metrics, { orders: 2, points: '0', spend: '550.00', visits: 2 });
  assert.equal(gold.next, undefined, 'gold is the top tier');
  assert.equal(gold.keep.tier, 'gold');
  assert.equal(gold.keep.by, '2027-01-01T00:00:00+03:00');
  assert.equal(gold.keep.met, true);
  // 2026 keeps gold at the 2027 evaluation; an empty 2027 loses it in 2028.
  assert.equal(gold.guaranteed_until, '2028-01-01T00:00:00+03:00');
  assert.deepEqual(gold.benefits, { multiplier: '1.5', coupons: ['gold-welcome'], flags: { lounge: true } });
  assert.deepEqual(JSON.parse(JSON.stringify(gold)), gold);
});

test('history lists the transitions: joined, qualified, then the evaluation that took gold away', () => {
  const tiers = new Tiers(program);
  tiers.post(order('o-1', '200.00'));
  tiers.post(order('o-2', '350.00', { at: '2026-03-05T10:00:00+03:00' }));
  const h = tiers.history('m-1', '2028-06-01T00:00:00+03:00');
  assert.equal(h.account, 'm-1');
  assert.equal(h.tier, 'member');
  assert.deepEqual(h.transitions, [
    { at: MARCH, cause: 'joined', earned: 'member', event: 'o-1', to: 'member' },
    {
      at: '2026-03-05T10:00:00+03:00',
      cause: 'qualified',
      earned: 'gold',
      event: 'o-2',
      from: 'member',
      to: 'gold',
      metrics: { orders: 2, points: '0', spend: '550.00', visits: 2 },
    },
    {
      at: '2028-01-01T00:00:00+03:00',
      cause: 'evaluation',
      earned: 'member',
      from: 'gold',
      to: 'member',
      metrics: { orders: 0, points: '0', spend: '0.00', visits: 0 },
    },
  ]);
  // Up to an earlier instant, only the changes until then.
  assert.equal(tiers.history('m-1', APRIL).transitions.length, 2);
  assert.deepEqual(tiers.history('m-1', '2026-02-01T00:00:00+03:00').transitions, []);
});

test('orderTier answers the tier an order earns at, from an order or an earn event, posting nothing', () => {
  const tiers = new Tiers(program);
  tiers.post(order('o-1', '200.00'));
  const before = snapshot(tiers);
  const crossing = order('o-2', '350.00', { at: '2026-03-05T10:00:00+03:00' });
  // crossing_order = "current_tier": the crossing order earns at member.
  assert.deepEqual(tiers.orderTier(crossing), { tier: 'member', before: 'member', after: 'gold' });
  const asEarn = earn('e-2', '350', { order: 'o-2', amount: '350.00', at: '2026-03-05T10:00:00+03:00' });
  assert.deepEqual(tiers.orderTier(asEarn), { tier: 'member', before: 'member', after: 'gold' });
  assert.deepEqual(tiers.orderTier(order('o-3', '10.00', { at: '2026-03-02T10:00:00+03:00' })), {
    tier: 'member',
    before: 'member',
    after: 'member',
  });
  assert.deepEqual(snapshot(tiers), before, 'orderTier changed the book');
  tiers.post(crossing);
  assert.deepEqual(tiers.orderTier(order('o-9', '1.00', { at: APRIL })), {
    tier: 'gold',
    before: 'gold',
    after: 'gold',
    multiplier: '1.5',
  });
  // Only an order, or an earn for an order, has a tier to earn at.
  for (const other of [
    { type: 'visit', id: 'v-1', account: 'm-1', at: APRIL },
    earn('e-9', '10'),
    { type: 'adjust', id: 'a-1', account: 'm-1', at: MARCH, points: '5', reason: 'x' },
  ]) {
    const e = loyaltyError(() => tiers.orderTier(other));
    assert.deepEqual([e.code, e.path], ['invalid_type', 'type'], JSON.stringify(other));
  }
  assert.equal(loyaltyError(() => tiers.orderTier(order('o-9', 1.5))).code, 'float_not_allowed');
});

test('check lists the program warnings as plain objects', () => {
  assert.deepEqual(program.check(), []);
  const warned = Program.fromToml(`${PROGRAM_TOML}
[[tiers.levels]]
id = "platinum"
qualify = { spend = "400", visits = 400 }
`);
  const warnings = warned.check();
  assert.ok(Array.isArray(warnings));
  for (const w of warnings) {
    assert.equal(Object.getPrototypeOf(w), Object.prototype);
    assert.deepEqual(Object.keys(w).sort(), ['code', 'message', 'path']);
    assert.equal(typeof w.message, 'string');
  }
  assert.deepEqual(mod.warningCodes(), [
    'unreachable_tier',
    'retain_above_entry',
    'tier_out_of_order',
    'unknown_tier',
    'tier_multiplier_twice',
    'weak_codes',
  ]);
  for (const w of warnings) assert.ok(mod.warningCodes().includes(w.code), w.code);
  const found = warnings.map(({ code, path }) => `${code} ${path}`);
  assert.ok(found.includes('unreachable_tier tiers.levels[2].qualify.visits'), found.join('; '));
  assert.ok(found.includes('tier_out_of_order tiers.levels[2].qualify.spend'), found.join('; '));
  const rule = new Program({
    schema_version: 1,
    id: 'x',
    currency: 'SAR',
    time_zone: 'Asia/Riyadh',
    earn_rules: [{ id: 'gold-bonus', rate: { per: '1', points: '1' }, when: { tiers: ['gold'] } }],
  });
  assert.deepEqual(
    rule.check().map(({ code, path }) => [code, path]),
    [['unknown_tier', 'earn_rules[0].when.tiers[0]']],
  );
  const retain = Program.fromToml(PROGRAM_TOML.replace('retain = { spend = "300" }', 'retain = { spend = "600" }'));
  assert.deepEqual(
    retain.check().map(({ code, path }) => [code, path]),
    [['retain_above_entry', 'tiers.levels[1].retain.spend']],
  );
});

test('a program without [tiers] is refused when the book is made', () => {
  const plain = Program.fromToml(NO_TIERS_TOML);
  assert.deepEqual(plain.check(), []);
  for (const call of [() => new Tiers(plain), () => Tiers.replay(plain, EVENTS)]) {
    const e = loyaltyError(call);
    assert.deepEqual([e.kind, e.code, e.path], ['tiers', 'tiers_not_configured', '']);
  }
});

test('invalid [tiers] sections are program errors with their own codes', () => {
  const cases = [
    [PROGRAM_TOML.replace('id = "gold"', 'id = "member"'), 'duplicate_tier_id', 'tiers.levels[1].id'],
    [PROGRAM_TOML.replace('qualify = { spend = "500" }\n', ''), 'missing_threshold', 'tiers.levels[1].qualify'],
    [PROGRAM_TOML.replace('window = "calendar_year"', 'window = "rolling"'), 'invalid_window', 'tiers.months'],
    [PROGRAM_TOML.replace('window = "calendar_year"', 'window = "lifetime"\nmonths = 12'), 'invalid_window', 'tiers.months'],
    [PROGRAM_TOML.replace('crossing_order = "current_tier"', 'grace_days = 400'), 'invalid_window', 'tiers.grace_days'],
  ];
  for (const [toml, code, path] of cases) {
    const e = loyaltyError(() => Program.fromToml(toml), 'program');
    assert.ok(
      e.errors.some((x) => x.code === code && x.path === path),
      `${code} at ${path}: ${JSON.stringify(e.errors)}`,
    );
  }
  const e = loyaltyError(() => new Program({ ...program.toJSON(), tiers: { window: 'lifetime', levels: [{ id: 'member', qualify: { spend: 1.5 } }] } }), 'program');
  assert.deepEqual([e.code, e.path], ['float_not_allowed', 'tiers.levels[0].qualify.spend']);
});

test('errorCodes lists the tier codes and the new program codes', () => {
  const codes = errorCodes();
  assert.deepEqual(Object.keys(codes).sort(), ['ledger', 'program', 'referrals', 'request', 'tiers']);
  for (const code of ['duplicate_tier_id', 'missing_threshold', 'invalid_window']) {
    assert.ok(codes.program.includes(code), code);
  }
  for (const code of [
    'tiers_not_configured',
    'unknown_tier',
    'override_ends_early',
    'duplicate_order',
    'already_reversed',
    'conflicting_duplicate',
    'invalid_timestamp',
    'float_not_allowed',
    'invalid_type',
    'unknown_variant',
  ]) {
    assert.ok(codes.tiers.includes(code), code);
  }
  assert.equal(new Set(codes.tiers).size, codes.tiers.length, 'no code listed twice');
});

test('tier refusals carry their codes and paths and leave the book unchanged', () => {
  const tiers = new Tiers(program);
  tiers.post(order('o-1', '200.00'));
  const before = snapshot(tiers);
  const refusals = [
    [{ type: 'override', id: 'x-1', account: 'm-1', at: APRIL, tier: 'platinum' }, 'unknown_tier', 'tier'],
    [{ type: 'override', id: 'x-2', account: 'm-1', at: APRIL, tier: 'gold', until: APRIL }, 'override_ends_early', 'until'],
    [order('o-2', '10.00', { order: 'o-1' }), 'duplicate_order', 'order'],
    [{ type: 'refund', id: 'f-1', at: APRIL, order: 'o-404' }, 'unknown_order', 'order'],
    [{ type: 'refund', id: 'f-2', at: APRIL, order: 'o-1', amount: '300.00' }, 'over_refund', 'amount'],
    [{ type: 'refund', id: 'f-3', at: '2026-02-01T00:00:00+03:00', order: 'o-1' }, 'out_of_order', 'at'],
    [{ type: 'reverse', id: 'v-1', at: APRIL, target: 'nothing' }, 'unknown_target', 'target'],
    [{ type: 'merge', id: 'g-1', account: 'm-1', from: 'm-1', at: APRIL }, 'same_account', 'from'],
    [{ type: 'merge', id: 'g-2', account: 'm-1', from: 'm-404', at: APRIL }, 'unknown_account', 'from'],
    [{ type: 'points', id: 'p-1', account: 'm-1', at: APRIL, points: '0' }, 'not_positive', 'points'],
    [order('o-3', '-1'), 'negative_amount', 'spend'],
    [order('o-3', '1.00001'), 'invalid_amount', 'spend'],
    [order('', '1.00'), 'empty_id', 'id'],
    [order('o-3', '1.00', { at: 'yesterday' }), 'invalid_timestamp', 'at'],
    [order('o-3', '1.00', { colour: 'red' }), 'unknown_field', 'colour'],
    [order('o-3', 1.5), 'float_not_allowed', 'spend'],
    [{ type: 'order', id: 'o-3', account: 'm-1', at: APRIL }, 'missing_field', 'spend'],
    [{ type: 'gift', id: 'g-1' }, 'unknown_variant', 'type'],
    [{ id: 'g-1' }, 'missing_field', 'type'],
  ];
  for (const [event, code, path] of refusals) {
    const e = loyaltyError(() => tiers.post(event));
    assert.equal(e.code, code, JSON.stringify(event));
    assert.equal(e.path, path, JSON.stringify(event));
    assert.deepEqual(snapshot(tiers), before, `${code} changed the book`);
  }
  // An event refused for its shape or values does not take its id.
  assert.equal(tiers.post(order('o-3', '1.00')).status, 'applied');
});

test('account and at must be strings; at must be RFC 3339 with an offset', () => {
  const tiers = new Tiers(program);
  tiers.post(order('o-1', '200.00'));
  for (const bad of [undefined, null, 42, {}, ['m-1'], Symbol('m'), 1n, new Date(0)]) {
    for (const query of ['status', 'history']) {
      const e1 = loyaltyError(() => tiers[query](bad, APRIL));
      assert.deepEqual([e1.code, e1.path], ['invalid_type', 'account']);
      const e2 = loyaltyError(() => tiers[query]('m-1', bad));
      assert.deepEqual([e2.code, e2.path], ['invalid_type', 'at']);
    }
  }
  for (const query of ['status', 'history']) {
    for (const at of ['soon', '2026-03-01', '2026-02-30T00:00:00+03:00', '9999-12-31T23:59:59+14:00', '']) {
      const e = loyaltyError(() => tiers[query]('m-1', at));
      assert.deepEqual([e.code, e.path], ['invalid_timestamp', 'at'], at);
    }
  }
});

test('postMany posts in order and returns each refusal in place', () => {
  const tiers = new Tiers(program);
  const answers = tiers.postMany([
    order('o-1', '200.00'),
    order('o-2', 1.5),
    () => 1,
    order('o-1', '200.00'),
    { type: 'adjust', id: 'a-1', account: 'm-1', at: MARCH, points: '5', reason: 'x' },
    order('o-1', '201.00'),
    order('o-3', '350.00', { at: '2026-03-05T10:00:00+03:00' }),
  ]);
  assert.equal(answers.length, 7);
  assert.deepEqual(answers[0], { event: 'o-1', status: 'applied' });
  assert.ok(answers[1] instanceof Error);
  checkLoyaltyError(answers[1], 'tiers');
  assert.deepEqual([answers[1].code, answers[1].path], ['float_not_allowed', 'spend']);
  checkLoyaltyError(answers[2], 'tiers');
  assert.deepEqual([answers[2].code, answers[2].path], ['invalid_type', '']);
  assert.deepEqual(answers[3], { event: 'o-1', status: 'duplicate' });
  assert.deepEqual(answers[4], { event: 'a-1', status: 'ignored' });
  assert.deepEqual([answers[5].code, answers[5].path], ['conflicting_duplicate', 'id']);
  assert.deepEqual(answers[6], { event: 'o-3', status: 'applied' });
  assert.equal(tiers.status('m-1', APRIL).tier, 'gold');
  assert.deepEqual(tiers.postMany([]), []);
  for (const bad of [order('o-9', '1'), 'events', null, undefined, 3]) {
    assert.equal(loyaltyError(() => tiers.postMany(bad)).code, 'invalid_type');
  }
});

test('replay, postMany and post one by one build the same book', () => {
  const byOne = new Tiers(program);
  const outcomes = EVENTS.map((e) => {
    try {
      return byOne.post(e).status;
    } catch (err) {
      checkLoyaltyError(err, 'tiers');
      return err.code;
    }
  });
  // The sequence really has refusals, duplicates, ignored and applied events.
  for (const o of ['applied', 'duplicate', 'ignored', 'conflicting_duplicate', 'unknown_tier', 'account_merged']) {
    assert.ok(outcomes.includes(o), `${o} in ${outcomes.join()}`);
  }
  const expected = snapshot(byOne);
  assert.deepEqual(snapshot(Tiers.replay(program, EVENTS)), expected);
  const many = new Tiers(program);
  assert.deepEqual(
    many.postMany(EVENTS).map((a) => (a instanceof Error ? a.code : a.status)),
    outcomes,
  );
  assert.deepEqual(snapshot(many), expected);
  assert.deepEqual(byOne.accounts(), ['m-1', 'm-2', 'm-3']);
  // Replaying again, or with garbage mixed in, gives the same.
  const withGarbage = [null, ...EVENTS.flatMap((e) => [e, { type: 'order' }, () => 0, 1.5])];
  assert.deepEqual(snapshot(Tiers.replay(program, withGarbage)), expected);
  assert.deepEqual(snapshot(Tiers.replay(program, [...EVENTS, ...EVENTS])), expected);
  assert.equal(loyaltyError(() => Tiers.replay(program, 'events')).code, 'invalid_type');
});

test('orders posted in any order give the same history', () => {
  const orders = [
    order('o-1', '200.00'),
    order('o-2', '350.00', { at: '2026-03-05T10:00:00+03:00' }),
    order('o-3', '100.00', { at: '2027-02-01T10:00:00+03:00' }),
    order('o-4', '400.00', { at: '2027-05-01T10:00:00+03:00' }),
    { type: 'visit', id: 'v-1', account: 'm-1', at: '2027-06-01T10:00:00+03:00' },
  ];
  const forward = snapshot(Tiers.replay(program, orders));
  assert.deepEqual(snapshot(Tiers.replay(program, [...orders].reverse())), forward);
  assert.deepEqual(snapshot(Tiers.replay(program, [orders[2], orders[0], orders[4], orders[3], orders[1]])), forward);
});

test('a tier book keeps working after its program is freed', () => {
  const p = Program.fromToml(PROGRAM_TOML);
  const tiers = new Tiers(p);
  p.free();
  tiers.post(order('o-1', '600.00'));
  assert.equal(tiers.status('m-1', APRIL).tier, 'gold');
  tiers.free();
});

test('a Tiers needs a Program: anything else is refused before reaching Rust', () => {
  for (const bad of [undefined, null, {}, PROGRAM_TOML, new Tiers(program), new Ledger(program)]) {
    assert.throws(() => new Tiers(bad), /expected instance of Program/);
    assert.throws(() => Tiers.replay(bad, []), /expected instance of Program/);
  }
});

test('garbage input throws LoyaltyErrors of kind tiers and never breaks the module', () => {
  const tiers = new Tiers(program);
  tiers.post(order('o-0', '10.00'));
  const garbage = [
    ...hostileValues(order('o-h', '1'), {
      throwingKey: 'spend',
      reenter: () => tiers.post(order('o-r', '1')), // the book is busy: refused by wasm-bindgen, caught
    }),
    'order', '{"type":"order"}', { type: 'order' }, { type: null }, { type: 'order', id: 1 }, { type: ['order'] }, { type: 'earn' },
    order('o-ds', nestedObject()), order('o-f', 1.5), order('o-huge', 1e300), order('o-int', 2 ** 60), order('o-nan', NaN),
    order('o-inf', -Infinity), order('o-big', '1'.repeat(400)), order('o-neg', '-1'), order('o-exp', '1e5'), order('o-b', 10n),
    order('o-x'.repeat(100_000), '1'), order('o-ts', '1', { at: '9999-12-31T23:59:59+14:00' }),
    order('o-ts0', '1', { at: '0000-01-01T00:00:00-12:00' }), order('o-ts1', '1', { at: '2026-02-30T00:00:00Z' }),
    order('o-ts2', '1', { at: 1700000000 }), order('o-acc', '1', { account: 42 }), order('o-acc2', '1', { account: '' }),
    order('o-l', '5', { lines: [{ quantity: '0', amount: '0' }] }), order('o-l2', '5', { lines: [{ quantity: 1.5, amount: '1' }] }),
    order('o-l3', '5', { lines: 'all' }), order('o-p', '5', { points: null }), order('o-p2', '5', { points: '-1' }),
    { type: 'visit', id: 'v', account: 'm-1', at: MARCH, spend: '1' },
    { type: 'points', id: 'p', account: 'm-1', at: MARCH, points: 2 ** 53 },
    { type: 'override', id: 'x', account: 'm-1', at: MARCH, tier: 7 },
    { type: 'override', id: 'x', account: 'm-1', at: MARCH, tier: 'gold', mode: 'sideways' },
    { type: 'override', id: 'x', account: 'm-1', at: MARCH, tier: 'gold', until: 'never' },
    { type: 'refund', id: 'f', at: APRIL, order: 'o-0', lines: [{ line: -1, quantity: '1' }] },
    { type: 'refund', id: 'f', at: APRIL, order: 'o-0', lines: [{ line: 2 ** 53, quantity: '1' }] },
    { type: 'reverse', id: 'r', at: APRIL, target: 'o-0' },
    { type: 'reverse', id: 'r2', at: APRIL, target: 'o-0' },
    { type: 'merge', id: 'm', account: 'm-1', from: 'm-1', at: APRIL },
    { type: 'join', id: 'j', account: 'm-9', at: MARCH, extra: true },
    { type: 'wallet_limit', id: 'wl', account: 'w', at: APRIL, credit_limit: '-1' },
    { type: 'adjust', id: 'a', account: 'm-1', at: APRIL, points: '1e400', reason: 'x' },
  ];
  const alive = () => tiers.status('m-1', APRIL);
  assertOnlyLoyaltyErrors(
    garbage,
    [
      (g) => tiers.post(g),
      (g) => tiers.postMany([g]),
      (g) => tiers.postMany(g),
      (g) => Tiers.replay(program, [g]).free(),
      (g) => Tiers.replay(program, g).free(),
      (g) => tiers.orderTier(g),
      (g) => tiers.status(g, g),
      (g) => tiers.history('m-1', g),
      (g) => tiers.history(g, APRIL),
    ],
    {
      kinds: ['tiers'],
      // Garbage that happened to be a valid event may have been posted; the
      // book still answers.
      alive: (what) => assert.equal(typeof alive().metrics.spend, 'string', what),
    },
  );
  // The module still works.
  const fresh = new Tiers(program);
  assert.equal(fresh.post(order('o-1', '600.00')).status, 'applied');
  assert.equal(fresh.status('m-1', APRIL).tier, 'gold');
  assert.deepEqual(program.check(), []);
});
