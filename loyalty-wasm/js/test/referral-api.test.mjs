// The referral book's JavaScript API: program.referralBook(), post, postMany,
// settle, referral, referrals, resolve, Program.checkReferralCode,
// referralReasonCodes; self-referral evidence, first link, paying once,
// refunds, refusals with code and path, a program without referrals,
// arguments checked at the boundary, garbage in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mod from './binding.mjs';
import { assertOnlyLoyaltyErrors, hostileValues, nestedObject } from './hostile.mjs';
import { checkLoyaltyError, loyaltyError as anyLoyaltyError } from './loyalty-error.mjs';
import { listReferralVectors, pkgDir, repoRoot, vectorsDir } from './paths.mjs';

const { Program, Ledger, ReferralBook, errorCodes, referralReasonCodes } = mod;

// A friend's first order of 500000 IRR or more within 30 days of signing up
// pays 100 points to the referrer and 50 to the friend once the 14-day return
// window closes.
const PROGRAM_TOML = `
schema_version = 1
id = "tehran-cafe"
currency = "IRR"
time_zone = "Asia/Tehran"

[merge]
region = "IR"

[referrals]
qualify = { min_order = "500000", within_days = 30 }
return_days = 14
referrer = { points = "100" }
referee = { points = "50" }
`;

const NO_REFERRALS_TOML = PROGRAM_TOML.slice(0, PROGRAM_TOML.indexOf('[referrals]'));

const program = Program.fromToml(PROGRAM_TOML);

const at = (day, time = '10:00:00') => `2026-03-${String(day).padStart(2, '0')}T${time}+03:30`;

// `sara` of `tehran-cafe` always gets this code (derived from the program and
// member ids, the same in every runtime); `ali` gets his own.
const SARA_CODE = 'REF-XAW9-XWTN';
const SARA_PHONE = '+98 912 345 6789';

const member = (id, who, extra = {}) => ({ type: 'member', id, member: who, at: at(1), ...extra });
const signup = (id, referee, code, extra = {}) => ({ type: 'signup', id, referee, code, at: at(2), ...extra });
const order = (id, account, no, amount, extra = {}) => ({ type: 'order', id, account, order: no, amount, at: at(5), ...extra });
const refund = (id, no, extra = {}) => ({ type: 'refund', id, order: no, at: at(8), ...extra });

/** A book with sara and ali as members and reza linked to sara. */
function linkedBook() {
  const book = program.referralBook();
  book.post(member('m-1', 'sara', { identity: { profile: { id: 'sara', phones: SARA_PHONE } } }));
  book.post(member('m-2', 'ali'));
  book.post(signup('s-1', 'reza', SARA_CODE));
  return book;
}

/** What the book answers about everyone (to show a refusal changed nothing). */
function snapshot(book) {
  const out = { referrals: book.referrals() };
  for (const who of ['sara', 'ali', 'reza', 'sara-2', 'nobody']) out[who] = book.referral(who);
  for (const code of [SARA_CODE, 'ref xaw9 xwtn', 'REF-2222-2222']) out[code] = book.resolve(code);
  return out;
}

/** Asserts `fn` throws a LoyaltyError of `kind` and returns it. */
const loyaltyError = (fn, kind = 'referrals') => anyLoyaltyError(fn, kind);

test('program.referralBook() and new ReferralBook(program) make empty books; answers are plain objects', () => {
  for (const book of [program.referralBook(), new ReferralBook(program)]) {
    assert.ok(book instanceof ReferralBook);
    assert.deepEqual(book.referrals(), []);
    assert.equal(book.referral('reza'), null);
    assert.equal(book.resolve(SARA_CODE), null);
    const posted = book.post(member('m-1', 'sara'));
    assert.equal(Object.getPrototypeOf(posted), Object.prototype);
    // Empty lists are left out, as the core writes them.
    assert.deepEqual(posted, { event: 'm-1', status: 'applied', code: SARA_CODE });
    assert.equal(book.resolve(SARA_CODE), 'sara');
    book.free();
  }
});

test('a self-referral by the same phone typed two ways is refused with the E.164 number as evidence', () => {
  for (const typed of ['۰۹۱۲ ۳۴۵ ۶۷۸۹', '0912-345-6789', '00989123456789']) {
    const book = program.referralBook();
    book.post(member('m-1', 'sara', { identity: { profile: { id: 'sara', phones: SARA_PHONE } } }));
    const before = snapshot(book);
    const refused = book.post(
      signup('s-1', 'sara-2', 'ref xaw9 xwtn', { identity: { profile: { id: 'sara-2', phones: typed } } }),
    );
    assert.deepEqual(
      refused,
      {
        event: 's-1',
        status: 'applied',
        rejected: [{ code: 'self_referral', evidence: [{ kind: 'phone', value: '+989123456789' }] }],
      },
      typed,
    );
    for (const reason of refused.rejected) assert.ok(referralReasonCodes().includes(reason.code));
    // A refused signup links no one.
    assert.deepEqual(snapshot(book), before, typed);
    assert.equal(book.referral('sara-2'), null);
    book.free();
  }
});

test('the first link wins: a second code for the same referee is refused as already_referred', () => {
  const book = linkedBook();
  const first = book.referral('reza');
  assert.deepEqual(first, {
    referee: 'reza',
    referrer: 'sara',
    code: SARA_CODE,
    linked_at: at(2),
    status: 'linked',
  });
  const aliCode = book.post(member('m-2', 'ali')).code; // a duplicate: the code again
  assert.match(aliCode, /^REF-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
  assert.notEqual(aliCode, SARA_CODE);
  const second = book.post(signup('s-2', 'reza', aliCode, { at: at(3) }));
  assert.deepEqual(second.rejected, [
    {
      code: 'already_referred',
      evidence: [
        { kind: 'referrer', value: 'sara' },
        { kind: 'linked_at', value: at(2) },
      ],
    },
  ]);
  assert.equal(second.referrals, undefined);
  assert.deepEqual(book.referral('reza'), first);
  assert.deepEqual(book.referrals(), [first]);
  book.free();
});

test('settle pays once, when the return window closes, and the ledger takes the credits as they are', () => {
  const book = linkedBook();
  const qualified = book.post(order('o-1', 'reza', 'pos-1', '750000'));
  assert.equal(qualified.referrals[0].status, 'pending');
  assert.equal(qualified.referrals[0].qualified_by, 'pos-1');
  assert.equal(qualified.referrals[0].pays_at, at(19));
  assert.equal(qualified.ledger, undefined, 'nothing is paid before the window closes');

  assert.deepEqual(book.settle(at(19, '09:59:59')), { at: at(19, '09:59:59') });
  const paid = book.settle(at(19));
  assert.equal(paid.at, at(19));
  assert.deepEqual(paid.ledger, [
    { type: 'earn', id: 'referral:reza:referrer', account: 'sara', at: at(19), points: '100' },
    { type: 'earn', id: 'referral:reza:referee', account: 'reza', at: at(19), points: '50' },
  ]);
  assert.deepEqual(paid.referrals, [{ ...qualified.referrals[0], status: 'credited', success: 1 }]);

  // Settling again, at the same instant or later, pays nothing twice.
  for (const again of [at(19), at(20), '2027-01-01T00:00:00+03:30']) {
    assert.deepEqual(book.settle(again), { at: again });
  }
  assert.equal(book.referral('reza').status, 'credited');

  // The credits are ledger events: posted once, then duplicates.
  const ledger = new Ledger(program);
  for (const e of paid.ledger) assert.deepEqual(ledger.post(e), { event: e.id, status: 'applied' });
  for (const e of paid.ledger) assert.equal(ledger.post(e).status, 'duplicate');
  assert.equal(ledger.balance('sara', at(20)).available, '100');
  assert.equal(ledger.balance('reza', at(20)).available, '50');
  ledger.free();
  book.free();
});

test('a refund that leaves the order below the minimum cancels the referral; one that does not, does not', () => {
  const book = linkedBook();
  book.post(order('o-1', 'reza', 'pos-1', '750000'));
  // 750000 - 200000 = 550000: still over the minimum.
  const partial = book.post(refund('f-1', 'pos-1', { amount: '200000' }));
  assert.deepEqual(partial, { event: 'f-1', status: 'applied' });
  assert.equal(book.referral('reza').status, 'pending');
  // Another 100000 back leaves 450000, under 500000.
  const cancelled = book.post(refund('f-2', 'pos-1', { amount: '100000', at: at(9) }));
  assert.equal(cancelled.referrals.length, 1);
  assert.equal(cancelled.referrals[0].status, 'cancelled');
  assert.deepEqual(cancelled.referrals[0].reasons, [
    {
      code: 'order_refunded',
      evidence: [
        { kind: 'order', value: 'pos-1' },
        { kind: 'required', value: '500000' },
        { kind: 'left', value: '450000' },
      ],
    },
  ]);
  assert.equal(cancelled.ledger, undefined, 'nothing was paid, nothing to take back');
  assert.deepEqual(book.referral('reza'), cancelled.referrals[0]);
  // A cancelled referral is never paid.
  assert.deepEqual(book.settle('2026-06-01T00:00:00+03:30'), { at: '2026-06-01T00:00:00+03:30' });
  book.free();
});

test('a whole refund after the credit takes the points back with reversals', () => {
  const book = linkedBook();
  book.post(order('o-1', 'reza', 'pos-1', '750000'));
  const paid = book.settle(at(19));
  const back = book.post(refund('f-1', 'pos-1', { at: at(21) }));
  assert.equal(back.referrals[0].status, 'cancelled');
  assert.equal(back.referrals[0].reasons[0].code, 'order_refunded');
  assert.deepEqual(
    back.ledger,
    paid.ledger.map((e) => ({ type: 'reverse', id: `${e.id}:reversed`, at: at(21), target: e.id, reason: 'referral cancelled' })),
  );
  const ledger = Ledger.replay(program, [...paid.ledger, ...back.ledger]);
  assert.equal(ledger.balance('sara', at(22)).available, '0');
  ledger.free();
  book.free();
});

test('refusals are LoyaltyErrors of kind referrals with code and path, and change nothing', () => {
  const book = linkedBook();
  book.post(order('o-1', 'reza', 'pos-1', '750000'));
  const before = snapshot(book);
  const refusals = [
    [member('m-3', 'sara', { at: at(4) }), 'already_member', 'member'],
    [member('m-1', 'sara', { at: at(5) }), 'conflicting_duplicate', 'id'],
    [order('o-2', 'reza', 'pos-1', '750000'), 'duplicate_order', 'order'],
    [order('o-3', 'reza', 'pos-3', '750k'), 'invalid_decimal', 'amount'],
    [order('o-3', 'reza', 'pos-3', 750000.5), 'float_not_allowed', 'amount'],
    [order('o-3', 'reza', 'pos-3', '-1'), 'negative_amount', 'amount'],
    [order('o-3', 'reza', 'pos-3', '1', { at: 'soon' }), 'invalid_timestamp', 'at'],
    [order('', 'reza', 'pos-3', '1'), 'empty_id', 'id'],
    [order('o-3', '', 'pos-3', '1'), 'empty_id', 'account'],
    [order('o-3', 'reza', 'pos-3', '1', { points: '10' }), 'unknown_field', 'points'],
    [{ type: 'order', id: 'o-3', account: 'reza', at: at(5), amount: '1' }, 'missing_field', 'order'],
    [refund('f-1', 'pos-1', { amount: '0' }), 'not_positive', 'amount'],
    [signup('s-9', 'x', SARA_CODE, { customer_since: 'never' }), 'invalid_timestamp', 'customer_since'],
    [signup('s-9', 'x', SARA_CODE, { identity: { profile: { id: 'x', phones: 7 } } }), 'invalid_type', 'identity.profile.phones'],
    [signup('s-9', 'x', SARA_CODE, { identity: { devices: 'd-1' } }), 'invalid_type', 'identity.devices'],
    [member('m-9', 'z', { seed: '-1' }), 'invalid_value', 'seed'],
    [member('m-9', 'z', { seed: 42 }), 'invalid_type', 'seed'],
    [{ type: 'merge', id: 'g-1', accounts: ['sara', ''], at: at(6) }, 'empty_id', 'accounts[1]'],
    [{ type: 'gift', id: 'g-1', at: at(6) }, 'unknown_variant', 'type'],
    [{ type: 7, id: 'g-1', at: at(6) }, 'invalid_type', 'type'],
    [{ id: 'g-1', at: at(6) }, 'missing_field', 'type'],
    ['signup', 'invalid_type', ''],
  ];
  for (const [event, code, path] of refusals) {
    const e = loyaltyError(() => book.post(event));
    assert.deepEqual([e.code, e.path], [code, path], JSON.stringify(event));
    assert.deepEqual(snapshot(book), before, `${code} changed the book`);
  }
  // An event refused for its shape or values does not take its id.
  assert.equal(book.post(order('o-3', 'ali', 'pos-3', '1')).status, 'applied');
  // Settling with a bad instant is refused the same way.
  for (const bad of ['2026-03-19', 'soon', '']) {
    assert.deepEqual(
      [loyaltyError(() => book.settle(bad)).code, loyaltyError(() => book.settle(bad)).path],
      ['invalid_timestamp', 'at'],
    );
  }
  book.free();
});

test('arguments must be strings: invalid_type at their name, of kind referrals', () => {
  const book = linkedBook();
  for (const bad of [undefined, null, 42, {}, ['x'], Symbol('x'), 1n, new Date(0)]) {
    for (const [call, path] of [
      [() => book.settle(bad), 'at'],
      [() => book.referral(bad), 'referee'],
      [() => book.resolve(bad), 'code'],
      [() => program.checkReferralCode(bad), 'code'],
    ]) {
      const e = loyaltyError(call);
      assert.deepEqual([e.code, e.path], ['invalid_type', path]);
    }
  }
  book.free();
});

test('postMany posts in order and returns each refusal in place', () => {
  const book = program.referralBook();
  const answers = book.postMany([
    member('m-1', 'sara'),
    member('m-2', 'sara'),
    () => 1,
    signup('s-1', 'reza', 'ref xaw9 xwtn'),
    member('m-1', 'sara'),
    order('o-1', 'reza', 'pos-1', 1.5),
    order('o-1', 'reza', 'pos-1', '750000'),
  ]);
  assert.equal(answers.length, 7);
  assert.deepEqual(answers[0], { event: 'm-1', status: 'applied', code: SARA_CODE });
  assert.ok(answers[1] instanceof Error);
  checkLoyaltyError(answers[1], 'referrals');
  assert.deepEqual([answers[1].code, answers[1].path], ['already_member', 'member']);
  checkLoyaltyError(answers[2], 'referrals');
  assert.deepEqual([answers[2].code, answers[2].path], ['invalid_type', '']);
  assert.equal(answers[3].referrals[0].status, 'linked');
  assert.deepEqual(answers[4], { event: 'm-1', status: 'duplicate', code: SARA_CODE });
  assert.deepEqual([answers[5].code, answers[5].path], ['float_not_allowed', 'amount']);
  assert.equal(answers[6].referrals[0].status, 'pending');
  assert.deepEqual(book.postMany([]), []);
  for (const bad of [member('m-9', 'z'), 'events', null, undefined, 3]) {
    assert.equal(loyaltyError(() => book.postMany(bad)).code, 'invalid_type');
  }
  // postMany and post one by one build the same book.
  const byOne = program.referralBook();
  const events = [member('m-1', 'sara'), signup('s-1', 'reza', SARA_CODE), order('o-1', 'reza', 'pos-1', '750000')];
  for (const e of events) byOne.post(e);
  const many = program.referralBook();
  many.postMany(events);
  assert.deepEqual(snapshot(many), snapshot(byOne));
  for (const b of [book, byOne, many]) b.free();
});

test('checkReferralCode and resolve read a code as a customer types it', () => {
  const book = linkedBook();
  assert.deepEqual(program.checkReferralCode('ref xaw9 xwtn'), { ok: true, code: SARA_CODE });
  for (const typed of [SARA_CODE, 'ref-xaw9-xwtn', 'rEf xAw9-xwtN', 'REF XAW9 XWTN']) {
    assert.equal(book.resolve(typed), 'sara', typed);
    assert.deepEqual(program.checkReferralCode(typed), { ok: true, code: SARA_CODE }, typed);
  }
  // One character mistyped: a well-formed code with a wrong check character.
  const typo = program.checkReferralCode('REF-XAW9-XWTP');
  assert.equal(typo.ok, false);
  assert.equal(typo.code, undefined);
  assert.equal(typo.reason.code, 'bad_check_character');
  assert.equal(book.resolve('REF-XAW9-XWTP'), null);
  const malformed = program.checkReferralCode('hello');
  assert.equal(malformed.ok, false);
  assert.equal(malformed.reason.code, 'malformed_code');
  assert.ok(malformed.reason.evidence.length > 0);
  assert.equal(book.resolve('hello'), null);
  // A well-formed code no member has.
  const other = program.referralBook();
  assert.equal(other.resolve(SARA_CODE), null);
  const unknown = other.post(signup('s-1', 'reza', SARA_CODE));
  assert.deepEqual(unknown.rejected, [{ code: 'unknown_code', evidence: [{ kind: 'code', value: SARA_CODE }] }]);
  other.free();
  book.free();
});

test('a program without [referrals]: referralBook(), new ReferralBook and checkReferralCode throw referrals_not_configured', () => {
  const plain = Program.fromToml(NO_REFERRALS_TOML);
  assert.deepEqual(plain.check(), []);
  for (const call of [() => plain.referralBook(), () => new ReferralBook(plain), () => plain.checkReferralCode(SARA_CODE)]) {
    const e = loyaltyError(call);
    assert.deepEqual([e.kind, e.code, e.path], ['referrals', 'referrals_not_configured', '']);
    assert.deepEqual(e.errors.map(({ code, path }) => ({ code, path })), [{ code: 'referrals_not_configured', path: '' }]);
  }
  plain.free();
});

test('errorCodes lists the referral codes', () => {
  const codes = errorCodes();
  assert.deepEqual(Object.keys(codes).sort(), ['ledger', 'program', 'referrals', 'request', 'tiers']);
  for (const code of [
    'referrals_not_configured',
    'already_member',
    'duplicate_order',
    'conflicting_duplicate',
    'invalid_timestamp',
    'empty_id',
    'not_positive',
    'negative_amount',
    'float_not_allowed',
    'invalid_decimal',
    'invalid_type',
    'invalid_value',
    'missing_field',
    'unknown_field',
    'unknown_variant',
  ]) {
    assert.ok(codes.referrals.includes(code), code);
  }
  assert.equal(new Set(codes.referrals).size, codes.referrals.length, 'no code listed twice');
});

test('referralReasonCodes lists every reason code once and has not drifted from the core', () => {
  const codes = referralReasonCodes();
  assert.ok(Array.isArray(codes));
  assert.equal(new Set(codes).size, codes.length, 'no code listed twice');
  assert.deepEqual(codes, [
    'malformed_code',
    'bad_check_character',
    'unknown_code',
    'already_referred',
    'self_referral',
    'referral_cycle',
    'velocity_exceeded',
    'existing_customer',
    'below_minimum',
    'qualification_window_passed',
    'order_refunded',
    'cap_reached',
  ]);
  // The core's reason type, as its JSON Schema (exported by the build, the
  // source of the TypeScript types) spells it: the list and the type agree.
  const schema = JSON.parse(readFileSync(join(pkgDir, 'schemas', 'Referral.schema.json'), 'utf8'));
  const reasonCode = schema.$defs.ReasonCode;
  const fromSchema = reasonCode.oneOf ? reasonCode.oneOf.map((v) => v.const) : reasonCode.enum;
  assert.deepEqual(codes, fromSchema);
  // And the core's own list, in its source.
  const source = readFileSync(join(repoRoot, 'loyalty-core', 'src', 'referrals', 'book.rs'), 'utf8');
  const list = /pub const REFERRAL_REASON_CODES: &\[&str\] = &\[([^\]]*)\]/.exec(source);
  assert.ok(list, 'REFERRAL_REASON_CODES in loyalty-core/src/referrals/book.rs');
  assert.deepEqual(codes, [...list[1].matchAll(/"([a-z_]+)"/g)].map((m) => m[1]));
  for (const code of codes) assert.match(code, /^[a-z]+(_[a-z]+)*$/);
});

test('every reason code in the referral vectors is one referralReasonCodes() lists', () => {
  const codes = new Set(referralReasonCodes());
  const seen = new Set();
  const walk = (value, key) => {
    if (Array.isArray(value)) {
      if (key === 'rejected' || key === 'reasons') for (const r of value) seen.add(r?.code);
      value.forEach((v) => walk(v));
    } else if (value !== null && typeof value === 'object') {
      if (key === 'reason') seen.add(value.code);
      for (const [k, v] of Object.entries(value)) walk(v, k);
    }
  };
  for (const { file } of listReferralVectors()) {
    const doc = JSON.parse(readFileSync(join(vectorsDir, file), 'utf8'));
    for (const step of doc.steps ?? []) walk(step.expect);
  }
  assert.ok(seen.size > 0, 'the vectors give reasons');
  assert.deepEqual([...seen].filter((c) => !codes.has(c)), [], 'reasons in vectors that referralReasonCodes() lacks');
});

test('a referral book keeps working after its program is freed', () => {
  const p = Program.fromToml(PROGRAM_TOML);
  const book = p.referralBook();
  p.free();
  assert.equal(book.post(member('m-1', 'sara')).code, SARA_CODE);
  assert.equal(book.resolve('ref xaw9 xwtn'), 'sara');
  book.free();
});

test('a ReferralBook needs a Program: anything else is refused before reaching Rust', () => {
  for (const bad of [undefined, null, {}, PROGRAM_TOML, program.referralBook(), new Ledger(program)]) {
    assert.throws(() => new ReferralBook(bad), /expected instance of Program/);
  }
});

test('garbage input throws LoyaltyErrors of kind referrals and never breaks the module', () => {
  const book = linkedBook();
  const deepObject = nestedObject();
  const garbage = [
    ...hostileValues(member('m-h', 'h'), {
      throwingKey: 'at',
      reenter: () => book.post(member('m-r', 'r')), // the book is busy: refused by wasm-bindgen, caught
    }),
    'member', '{"type":"member"}', member('m-ds', deepObject),
    { type: 'member' }, { type: null }, { type: 'member', id: 1 }, { type: ['member'] }, { type: 'signup' },
    member('m-s1', 's', { seed: 1.5 }), member('m-s2', 's', { seed: 2 ** 64 }), member('m-s3', 's', { seed: NaN }),
    member('m-s4', 's', { seed: 10n }), member('m-s5', 's', { seed: 2 ** 53 }), member('m-x'.repeat(100_000), 'x'),
    member('m-i', 'i', { identity: { profile: deepObject } }), member('m-i2', 'i', { identity: { devices: [1] } }),
    member('m-i3', 'i', { identity: { profile: { id: 'i', phones: ['x'.repeat(100_000)] } } }),
    member('m-ts', 't', { at: '9999-12-31T23:59:59+14:00' }), member('m-ts0', 't', { at: '0000-01-01T00:00:00-12:00' }),
    signup('s-g', 'g', 'x'.repeat(100_000)), signup('s-g2', 'g', ''), signup('s-g3', 'g', 7),
    signup('s-g4', 'g', '۰۹۱۲'), signup('s-g5', 'g', SARA_CODE, { customer_since: '9999-12-31T23:59:59+14:00' }),
    order('o-g', 'reza', 'pos-g', Symbol('amount')),
    order('o-h', 'reza', 'pos-h', 1e300), order('o-h2', 'reza', 'pos-h2', 2 ** 60), order('o-h3', 'reza', 'pos-h3', '1'.repeat(400)),
    order('o-h4', 'reza', 'pos-h4', '1e5'), order('o-h5', 'reza', 'pos-h5', -Infinity),
    refund('f-g', 'pos-404'), refund('f-g2', 'pos-1', { amount: '-1' }), refund('f-g3', 'pos-1', { amount: '1'.repeat(60) }),
    { type: 'custom', id: 'c-1', account: 'reza', name: 'x', at: at(6) }, { type: 'custom', id: 'c-2', account: 'reza', at: at(6) },
    { type: 'merge', id: 'g-1', accounts: [], at: at(6) }, { type: 'merge', id: 'g-2', accounts: 'sara', at: at(6) },
    { type: 'merge', id: 'g-3', accounts: ['sara', 'sara'], at: at(6) },
    { type: 'merge', id: 'g-4', accounts: Array.from({ length: 1000 }, (_, i) => `a-${i}`), at: at(6) },
  ];
  assertOnlyLoyaltyErrors(
    garbage,
    [
      (g) => book.post(g),
      (g) => book.postMany([g]),
      (g) => book.postMany(g),
      (g) => book.settle(g),
      (g) => book.referral(g),
      (g) => book.resolve(g),
      (g) => program.checkReferralCode(g),
    ],
    {
      kinds: ['referrals'],
      // Garbage that happened to be a valid event may have been posted; the
      // book still answers.
      alive: (what) => assert.ok(Array.isArray(book.referrals()), what),
    },
  );
  // The module still works.
  const fresh = program.referralBook();
  assert.equal(fresh.post(member('m-1', 'sara')).code, SARA_CODE);
  assert.deepEqual(program.check(), []);
  fresh.free();
  book.free();
});
