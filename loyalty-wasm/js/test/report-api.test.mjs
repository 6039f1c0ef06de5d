// Reports' JavaScript API: program.report(request, books?), the shop owner's
// view of a period. Numbers worked out by hand from
// loyalty-core/src/insights/report.rs: revenue, average basket (half-even to
// the halala), the weekday x hour matrix, the order of the splits; the
// period's edges in local days; the books (`{ledger?, tiers?, referrals?}`,
// the binding's own classes) given or not, each section there only with its
// book and holding the right numbers; refusals with code and path; books of
// the wrong kind; garbage in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mod from './binding.mjs';
import { assertOnlyLoyaltyErrors, hostileValues, label } from './hostile.mjs';
import { loyaltyError } from './loyalty-error.mjs';

const { Program, Ledger, Tiers, ReferralBook } = mod;

// A Riyadh shop (UTC+3 all year): points expire 30 days after they are
// earned; silver takes 100.00 of spend in a calendar year and gold 500.00
// (below 100.00 a member has no tier); a friend's first order of 100.00 or
// more within 30 days pays once its 14-day return window closes.
const PROGRAM_TOML = `
schema_version = 1
id = "riyadh-coffee"
currency = "SAR"
time_zone = "Asia/Riyadh"

[ledger]
expiry = { after_days = 30 }

[tiers]
window = "calendar_year"

[[tiers.levels]]
id = "silver"
qualify = { spend = "100" }

[[tiers.levels]]
id = "gold"
qualify = { spend = "500" }

[referrals]
qualify = { min_order = "100", within_days = 30 }
return_days = 14
referrer = { points = "100" }
referee = { points = "50" }
`;
const program = Program.fromToml(PROGRAM_TOML);

const MARCH = { from: '2026-03-01', to: '2026-03-31' };
/** 10:00 (or `time`) in Riyadh on `day` (`MM-DD`) of 2026. */
const at = (day, time = '10:00:00') => `2026-${day}T${time}+03:00`;

/** 7 rows (Monday first) of 24 hours, with `cells` (`[weekday, hour, orders]`) set. */
function grid(...cells) {
  const rows = Array.from({ length: 7 }, () => Array(24).fill(0));
  for (const [weekday, hour, n] of cells) rows[weekday][hour] = n;
  return rows;
}

const AGE_BANDS = ['under_18', '18_24', '25_34', '35_44', '45_54', '55_64', '65_plus', 'unknown'];
const ages = (counts) => AGE_BANDS.map((name) => ({ name, count: counts[name] ?? 0 }));

// 1 March 2026 is a Sunday, so 2 and 9 March are Mondays, 4 March a
// Wednesday and 31 March a Tuesday. Riyadh is UTC+3: 21:00 UTC is midnight
// there. o-4 is the last second of 28 February (out), o-5 the first of
// 1 March (in), o-6 the last of 31 March (in), o-7 the first of 1 April (out).
const ORDERS = [
  { id: 'o-1', customer: 'c-1', at: at('03-02', '09:15:00'), amount: '100.00', payment: 'card', channel: 'pos', coupons: ['spring'], coupon_discount: '10.00' },
  { id: 'o-2', customer: 'c-1', at: at('03-09', '09:40:00'), amount: '50.00', payment: 'cash', channel: 'pos', coupons: ['spring', 'ramadan', 'spring'] },
  { id: 'o-3', customer: 'c-2', at: at('03-04', '20:00:00'), amount: '30.00', payment: 'credit', channel: 'web' },
  { id: 'o-4', customer: 'c-3', at: '2026-02-28T20:59:59Z', amount: '999.00', payment: 'card' },
  { id: 'o-5', customer: 'c-3', at: '2026-02-28T21:00:00Z', amount: '20.00' },
  { id: 'o-6', customer: 'c-2', at: '2026-03-31T20:59:59Z', amount: '10.00', payment: ' credit ' },
  { id: 'o-7', customer: 'c-4', at: '2026-03-31T21:00:00Z', amount: '999.00', payment: 'card' },
];
// c-1 is 35 on 31 March; c-2 turns 18 on 1 April, so is 17 at the period's
// end; c-3 has no profile; c-9 has one but no order in March.
const CUSTOMERS = [
  { id: 'c-1', birth_date: '1990-05-01', gender: 'Female' },
  { id: 'c-2', birth_date: '2008-04-01', gender: ' male ' },
  { id: 'c-9', birth_date: '1950-01-01', gender: 'male' },
];

/** The March report of ORDERS and CUSTOMERS, without books. */
function marchReport() {
  return {
    ...MARCH,
    // o-1, o-2, o-3, o-5, o-6 by c-1, c-2 and c-3.
    orders: 5,
    customers: 3,
    revenue: '210.00',
    average_basket: '42.00',
    // 5 / 3 = 1.666..., 2 decimals.
    orders_per_customer: '1.67',
    // Mondays at 9 (o-1, o-2), Tuesday at 23 (o-6), Wednesday at 20 (o-3), Sunday at 0 (o-5).
    weekday_hour: grid([0, 9, 2], [1, 23, 1], [2, 20, 1], [6, 0, 1]),
    busiest_weekday: 1,
    busiest_hour: 9,
    // Most orders first, ties by name; the payment is trimmed; none is `unknown`.
    payments: [
      { name: 'credit', orders: 2, amount: '40.00', share: '0.4' },
      { name: 'card', orders: 1, amount: '100.00', share: '0.2' },
      { name: 'cash', orders: 1, amount: '50.00', share: '0.2' },
      { name: 'unknown', orders: 1, amount: '20.00', share: '0.2' },
    ],
    channels: [
      { name: 'pos', orders: 2, amount: '150.00', share: '0.4' },
      { name: 'unknown', orders: 2, amount: '30.00', share: '0.4' },
      { name: 'web', orders: 1, amount: '30.00', share: '0.2' },
    ],
    ages: ages({ under_18: 1, '35_44': 1, unknown: 1 }),
    genders: [
      { name: 'female', count: 1 },
      { name: 'male', count: 1 },
      { name: 'unknown', count: 1 },
    ],
    // By visits then spend; by spend then visits.
    top_visitors: [
      { customer: 'c-1', visits: 2, spend: '150.00' },
      { customer: 'c-2', visits: 2, spend: '40.00' },
      { customer: 'c-3', visits: 1, spend: '20.00' },
    ],
    top_spenders: [
      { customer: 'c-1', visits: 2, spend: '150.00' },
      { customer: 'c-2', visits: 2, spend: '40.00' },
      { customer: 'c-3', visits: 1, spend: '20.00' },
    ],
    // Both credit orders are c-2's.
    credit: { customers: 1, orders: 2, amount: '40.00', top: [{ customer: 'c-2', visits: 2, spend: '40.00' }] },
    // o-1 and o-2; a campaign named twice in one order counts once.
    coupons: {
      orders: 2,
      discount: '10.00',
      campaigns: [
        { name: 'spring', count: 2 },
        { name: 'ramadan', count: 1 },
      ],
    },
  };
}

test('report answers a plain object with the period worked out by hand', () => {
  const report = program.report({ ...MARCH, orders: ORDERS, customers: CUSTOMERS });
  assert.equal(Object.getPrototypeOf(report), Object.prototype);
  assert.deepEqual(report, marchReport());
  // No book, no book section (left out, not null).
  for (const key of ['points', 'tiers', 'referrals']) assert.ok(!(key in report), key);
  for (const key of ['wallets', 'limit', 'owed']) assert.ok(!(key in report.credit), key);
  // `books` left out, undefined, null or empty: the same report.
  for (const books of [undefined, null, {}, { ledger: undefined, tiers: null, referrals: undefined }, Object.create(null)]) {
    assert.deepEqual(program.report({ ...MARCH, orders: ORDERS, customers: CUSTOMERS }, books), report, label(books));
  }
  // The orders' order does not matter.
  assert.deepEqual(program.report({ ...MARCH, orders: [...ORDERS].reverse(), customers: CUSTOMERS }), report);
});

test('the average basket is rounded half-even to the currency, and top cuts the lists', () => {
  const two = [
    { id: 'a', customer: 'c-1', at: at('03-02'), amount: '10.00' },
    { id: 'b', customer: 'c-2', at: at('03-03'), amount: '10.05' },
  ];
  // 20.05 / 2 = 10.025: half-even to 10.02 (half-up would give 10.03).
  const r = program.report({ ...MARCH, orders: two });
  assert.deepEqual([r.revenue, r.average_basket, r.orders_per_customer], ['20.05', '10.02', '1']);
  // 10.035 goes up to 10.04 (the even neighbour).
  two[1].amount = '10.07';
  assert.equal(program.report({ ...MARCH, orders: two }).average_basket, '10.04');
  // top: 1 keeps the first of each list; 0 keeps none.
  const one = program.report({ ...MARCH, orders: ORDERS, top: 1 });
  assert.deepEqual(one.top_visitors, [{ customer: 'c-1', visits: 2, spend: '150.00' }]);
  assert.deepEqual(one.top_spenders, [{ customer: 'c-1', visits: 2, spend: '150.00' }]);
  assert.deepEqual(one.credit.top, [{ customer: 'c-2', visits: 2, spend: '40.00' }]);
  const none = program.report({ ...MARCH, orders: ORDERS, top: 0 });
  assert.deepEqual([none.top_visitors, none.top_spenders, none.credit.top], [[], [], []]);
  assert.equal(none.orders, 5);
});

test('an empty period answers zeros, no busiest weekday or hour, and empty lists', () => {
  assert.deepEqual(program.report({ ...MARCH, orders: [] }), {
    ...MARCH,
    orders: 0,
    customers: 0,
    revenue: '0.00',
    average_basket: '0.00',
    orders_per_customer: '0',
    weekday_hour: grid(),
    busiest_weekday: null,
    busiest_hour: null,
    payments: [],
    channels: [],
    ages: ages({}),
    genders: [],
    top_visitors: [],
    top_spenders: [],
    credit: { customers: 0, orders: 0, amount: '0.00', top: [] },
    coupons: { orders: 0, discount: '0.00', campaigns: [] },
  });
});

test("the period is local days in the program's time zone, both ends included", () => {
  // One day, 10 March (a Tuesday) in Riyadh: 21:00 UTC on the 9th to 20:59:59 UTC on the 10th.
  const day = { from: '2026-03-10', to: '2026-03-10' };
  const orders = [
    { id: 'before', customer: 'c-1', at: '2026-03-09T20:59:59Z', amount: '1.00' },
    { id: 'first', customer: 'c-1', at: '2026-03-09T21:00:00Z', amount: '2.00' },
    // The same instant as `first`, written in Tehran's offset (00:30 there).
    { id: 'first-tehran', customer: 'c-2', at: '2026-03-10T00:30:00+03:30', amount: '4.00' },
    { id: 'last', customer: 'c-1', at: '2026-03-10T20:59:59.999Z', amount: '8.00' },
    { id: 'after', customer: 'c-1', at: '2026-03-10T21:00:00Z', amount: '16.00' },
  ];
  const r = program.report({ ...day, orders });
  assert.deepEqual([r.orders, r.revenue], [3, '14.00']);
  assert.deepEqual(r.weekday_hour, grid([1, 0, 2], [1, 23, 1]));
  assert.deepEqual([r.busiest_weekday, r.busiest_hour], [2, 0]);
  // `from` and `to` answer as given (trimmed).
  assert.deepEqual(
    [program.report({ from: ' 2026-03-10 ', to: '2026-03-10', orders }).from, r.to],
    ['2026-03-10', '2026-03-10'],
  );
  // In London the clocks go forward at 01:00 UTC on 29 March 2026: 00:30 UTC
  // is 00:30 there, 01:30 UTC is 02:30, and 23:30 UTC on the 29th is already
  // the 30th; 23:30 UTC on the 28th is still the 28th.
  const london = new Program({ schema_version: 1, id: 'london-cafe', currency: 'GBP', time_zone: 'Europe/London' });
  const lr = london.report({
    from: '2026-03-29',
    to: '2026-03-29',
    orders: [
      { id: 'a', customer: 'c-1', at: '2026-03-29T00:30:00Z', amount: '1.00' },
      { id: 'b', customer: 'c-1', at: '2026-03-29T01:30:00Z', amount: '1.00' },
      { id: 'c', customer: 'c-1', at: '2026-03-29T22:59:59Z', amount: '1.00' },
      { id: 'd', customer: 'c-1', at: '2026-03-29T23:30:00Z', amount: '1.00' },
      { id: 'e', customer: 'c-1', at: '2026-03-28T23:30:00Z', amount: '1.00' },
    ],
  });
  // Sunday: 00:30, 02:30 and 23:59:59 local.
  assert.deepEqual([lr.orders, lr.weekday_hour], [3, grid([6, 0, 1], [6, 2, 1], [6, 23, 1])]);
  london.free();
});

// --- the books -------------------------------------------------------------

// The period 15 February to 31 March: the ledger's points by month, the
// wallets' credit, the tiers and the referral outcomes at its end.
const BOOK_PERIOD = { from: '2026-02-15', to: '2026-03-31' };

/** A ledger, a tier book and a referral book of `program`, posted through the JS API. */
function makeBooks() {
  const ledger = new Ledger(program);
  const posted = ledger.postMany([
    // Earned before the period: its 20 points expire on 12 March, inside it.
    { type: 'earn', id: 'e-0', account: 'm-3', at: at('02-10'), points: '20' },
    // February: 100 issued; 30 of them redeemed on 10 March (the lot that
    // expires first), the other 70 expire on 22 March.
    { type: 'earn', id: 'e-1', account: 'm-1', at: at('02-20'), points: '100' },
    { type: 'earn', id: 'e-2', account: 'm-1', at: at('03-05'), points: '40' },
    { type: 'redeem', id: 'r-1', account: 'm-1', at: at('03-10'), points: '30' },
    // 23:00 on the period's last day: in March.
    { type: 'earn', id: 'e-3', account: 'm-2', at: at('03-31', '23:00:00'), points: '7.5' },
    // After the period: not counted.
    { type: 'earn', id: 'e-4', account: 'm-1', at: at('04-02'), points: '5' },
    // w-1: 50.00 deposited, a 50.00 limit, 80.00 charged: 30.00 of credit in use.
    { type: 'wallet_deposit', id: 'wd-1', account: 'w-1', at: at('03-01'), amount: '50.00' },
    { type: 'wallet_limit', id: 'wl-1', account: 'w-1', at: at('03-03'), credit_limit: '50.00' },
    { type: 'wallet_charge', id: 'wc-1', account: 'w-1', at: at('03-04'), amount: '80.00' },
    // w-2: a 200.00 limit, not used.
    { type: 'wallet_limit', id: 'wl-2', account: 'w-2', at: at('02-01'), credit_limit: '200' },
    { type: 'wallet_deposit', id: 'wd-2', account: 'w-2', at: at('02-02'), amount: '100.00' },
    // w-3: a limit set after the period.
    { type: 'wallet_limit', id: 'wl-3', account: 'w-3', at: at('04-02'), credit_limit: '500' },
  ]);
  assert.deepEqual(posted.filter((p) => p instanceof Error), []);

  const tiers = new Tiers(program);
  tiers.postMany([
    // m-1: 600.00 in March, gold. m-2: 100.00, silver. m-4 joined in January
    // and spent nothing: no tier.
    { type: 'order', id: 't-1', account: 'm-1', at: at('03-05'), spend: '600.00' },
    { type: 'order', id: 't-2', account: 'm-2', at: at('03-06'), spend: '100.00' },
    { type: 'join', id: 't-3', account: 'm-4', at: at('01-10') },
    // Joined after the period: not counted.
    { type: 'join', id: 't-4', account: 'm-5', at: at('04-02') },
  ]);

  const referrals = program.referralBook();
  const code = referrals.post({ type: 'member', id: 'f-1', member: 'sara', at: at('02-01') }).code;
  referrals.postMany([
    // Linked in the period, never qualifies: cancelled once 22 March is past.
    { type: 'signup', id: 'f-2', referee: 'layla', code, at: at('02-20') },
    // Qualifies on 5 March, paid by the settle of 20 March: credited.
    { type: 'signup', id: 'f-3', referee: 'reza', code, at: at('03-02') },
    // Qualifies, then the order is refunded: cancelled.
    { type: 'signup', id: 'f-4', referee: 'ali', code, at: at('03-03') },
    { type: 'order', id: 'f-5', account: 'reza', order: 'o-1', amount: '150.00', at: at('03-05') },
    { type: 'order', id: 'f-6', account: 'ali', order: 'o-2', amount: '150.00', at: at('03-06') },
    { type: 'refund', id: 'f-7', order: 'o-2', at: at('03-08') },
    // Linked, no order yet.
    { type: 'signup', id: 'f-8', referee: 'omar', code, at: at('03-10') },
    // Sara with her own code: rejected, so no referral.
    { type: 'signup', id: 'f-9', referee: 'sara', code, at: at('03-11') },
  ]);
  referrals.settle(at('03-20'));
  // After the period: left out of the report, but it moves the book's clock
  // past layla's qualification window.
  referrals.post({ type: 'signup', id: 'f-10', referee: 'nour', code, at: at('04-02') });
  return { ledger, tiers, referrals };
}

const POINTS = {
  issued: '147.5',
  redeemed: '30',
  expired: '90',
  months: [
    { month: '2026-02', issued: '100', redeemed: '0', expired: '0' },
    { month: '2026-03', issued: '47.5', redeemed: '30', expired: '90' },
  ],
};
const WALLETS = { wallets: 2, limit: '250.00', owed: '30.00' };
const TIERS = [
  { name: 'silver', count: 1 },
  { name: 'gold', count: 1 },
  { name: 'none', count: 1 },
];
const REFERRALS = {
  linked: 4,
  statuses: [
    { name: 'linked', count: 1 },
    { name: 'pending', count: 0 },
    { name: 'credited', count: 1 },
    { name: 'cancelled', count: 2 },
  ],
  reasons: [
    { name: 'order_refunded', count: 1 },
    { name: 'qualification_window_passed', count: 1 },
  ],
};

test('each book adds its section, with the numbers worked out by hand', () => {
  const books = makeBooks();
  const request = { ...BOOK_PERIOD, orders: ORDERS, customers: CUSTOMERS };
  const all = program.report(request, books);
  assert.deepEqual(all.points, POINTS);
  assert.deepEqual({ wallets: all.credit.wallets, limit: all.credit.limit, owed: all.credit.owed }, WALLETS);
  assert.deepEqual(all.tiers, TIERS);
  assert.deepEqual(all.referrals, REFERRALS);
  // Cross-checked with the books' own answers at the period's end.
  const end = '2026-03-31T23:59:59.999+03:00';
  assert.deepEqual(books.tiers.accounts(), ['m-1', 'm-2', 'm-4', 'm-5']);
  assert.deepEqual(
    ['m-1', 'm-2', 'm-4'].map((a) => books.tiers.status(a, end).tier ?? 'none'),
    ['gold', 'silver', 'none'],
  );
  const expired = books.ledger.statement('m-1', end).movements.filter((m) => m.kind === 'expire');
  assert.deepEqual(expired.map((m) => [m.at, m.change]), [[at('03-22'), '-70']]);
  assert.deepEqual(
    books.referrals.referrals().map((r) => [r.referee, r.status]),
    [['ali', 'cancelled'], ['layla', 'cancelled'], ['nour', 'linked'], ['omar', 'linked'], ['reza', 'credited']],
  );

  // Each of the 8 ways to give them: a section is there exactly when its
  // book is, and the books change nothing else.
  const bare = program.report(request);
  const names = ['ledger', 'tiers', 'referrals'];
  for (let mask = 0; mask < 8; mask++) {
    const given = Object.fromEntries(names.filter((_, i) => mask & (1 << i)).map((n) => [n, books[n]]));
    const what = Object.keys(given).join('+') || 'none';
    const r = program.report(request, given);
    assert.equal('points' in r, 'ledger' in given, what);
    assert.equal('tiers' in r, 'tiers' in given, what);
    assert.equal('referrals' in r, 'referrals' in given, what);
    assert.deepEqual(r.points, given.ledger ? POINTS : undefined, what);
    assert.deepEqual(r.tiers, given.tiers ? TIERS : undefined, what);
    assert.deepEqual(r.referrals, given.referrals ? REFERRALS : undefined, what);
    const { points, tiers, referrals, credit, ...rest } = r;
    const { wallets, limit, owed, ...orderCredit } = credit;
    for (const key of ['wallets', 'limit', 'owed']) assert.equal(key in credit, 'ledger' in given, `${what}: credit.${key}`);
    if (given.ledger) assert.deepEqual({ wallets, limit, owed }, WALLETS, what);
    const { credit: bareCredit, ...bareRest } = bare;
    assert.deepEqual(rest, bareRest, what);
    assert.deepEqual(orderCredit, bareCredit, what);
  }
  for (const book of Object.values(books)) book.free();
});

test('the books are read, not changed, and a later report sees later events', () => {
  const books = makeBooks();
  const request = { ...BOOK_PERIOD, orders: [] };
  const before = {
    balance: books.ledger.balance('m-1', at('04-30')),
    accounts: books.ledger.accounts(),
    status: books.tiers.status('m-1', at('04-30')),
    referrals: books.referrals.referrals(),
  };
  const first = program.report(request, books);
  assert.deepEqual(program.report(request, books), first);
  assert.deepEqual(books.ledger.balance('m-1', at('04-30')), before.balance);
  assert.deepEqual(books.ledger.accounts(), before.accounts);
  assert.deepEqual(books.tiers.status('m-1', at('04-30')), before.status);
  assert.deepEqual(books.referrals.referrals(), before.referrals);
  // The books keep working, and the next report reads what was posted since.
  books.ledger.post({ type: 'earn', id: 'e-9', account: 'm-9', at: at('03-15'), points: '2.5' });
  books.tiers.post({ type: 'order', id: 't-9', account: 'm-4', at: at('03-15'), spend: '150.00' });
  const later = program.report(request, books);
  assert.equal(later.points.issued, '150');
  assert.deepEqual(later.tiers, [
    { name: 'silver', count: 2 },
    { name: 'gold', count: 1 },
    { name: 'none', count: 0 },
  ]);
  // Books of the program loaded again from the same file read the same.
  const again = Program.fromToml(PROGRAM_TOML);
  assert.deepEqual(again.report(request, books), later);
  again.free();
  for (const book of Object.values(books)) book.free();
});

test('the months of points are months of the program calendar', () => {
  const tehran = Program.fromToml(`
schema_version = 1
id = "tehran-cafe"
currency = "IRR"
time_zone = "Asia/Tehran"
calendar = "persian"
`);
  const ledger = new Ledger(tehran);
  // 10 March 2026 is 19 Esfand 1404; 25 March is 5 Farvardin 1405.
  ledger.post({ type: 'earn', id: 'e-1', account: 'm-1', at: '2026-03-10T10:00:00+03:30', points: '10' });
  ledger.post({ type: 'earn', id: 'e-2', account: 'm-1', at: '2026-03-25T10:00:00+03:30', points: '5' });
  const r = tehran.report({ ...MARCH, orders: [] }, { ledger });
  assert.deepEqual(r.points.months.map((m) => [m.month, m.issued]), [
    ['1404-12', '10'],
    ['1405-01', '5'],
  ]);
  // A ledger with no wallet: no credit limit, none owed.
  assert.deepEqual([r.credit.wallets, r.credit.limit, r.credit.owed], [0, '0.00', '0.00']);
  ledger.free();
  tehran.free();
});

test('refusals throw LoyaltyErrors of kind request with code and path', () => {
  const refused = (request, books) => {
    const e = loyaltyError(() => program.report(request, books), 'request');
    return e.errors.map(({ code, path }) => [code, path]);
  };
  const order = ORDERS[0];
  for (const [request, errors] of [
    // Every bad value at once, in request order.
    [
      {
        from: '2026-02-30',
        to: '31/03/2026',
        orders: [order, { ...order, id: 'o-1' }, { ...order, id: 'o-x', customer: ' ', amount: '-1' }],
        customers: [{ id: ' ' }, { id: 'c-2', birth_date: '1990/01/01' }],
      },
      [
        ['invalid_timestamp', 'from'],
        ['invalid_timestamp', 'to'],
        ['empty_value', 'customers[0].id'],
        ['invalid_timestamp', 'customers[1].birth_date'],
        ['duplicate_order', 'orders[1].id'],
        ['empty_value', 'orders[2].customer'],
        ['negative_amount', 'orders[2].amount'],
      ],
    ],
    [{ ...MARCH, orders: [{ ...order, at: '2026-03-02 09:15' }] }, [['invalid_timestamp', 'orders[0].at']]],
    // Days are exactly YYYY-MM-DD (spaces around allowed), no instant.
    [{ from: '2026-3-1', to: '2026-03-31T00:00:00Z', orders: [] }, [['invalid_timestamp', 'from'], ['invalid_timestamp', 'to']]],
    // Malformed requests: the first error only.
    [{ ...MARCH, orders: [], period: 'march' }, [['unknown_field', 'period']]],
    [{ from: '2026-03-01', orders: [] }, [['missing_field', 'to']]],
    [{ ...MARCH }, [['missing_field', 'orders']]],
    [{ ...MARCH, orders: [{ ...order, amount: true }] }, [['invalid_type', 'orders[0].amount']]],
    [{ ...MARCH, orders: [{ ...order, amount: 10.5 }] }, [['float_not_allowed', 'orders[0].amount']]],
    [{ ...MARCH, orders: [{ ...order, amount: 'ten' }] }, [['invalid_decimal', 'orders[0].amount']]],
    [{ ...MARCH, orders: [{ ...order, coupons: 'spring' }] }, [['invalid_type', 'orders[0].coupons']]],
    [{ ...MARCH, orders: [], customers: [{ id: 'c-1', sex: 'f' }] }, [['unknown_field', 'customers[0].sex']]],
    [{ ...MARCH, orders: [], top: -1 }, [['invalid_value', 'top']]],
    [{ ...MARCH, orders: [], top: '10' }, [['invalid_type', 'top']]],
    [{ ...MARCH, from: 20260301, orders: [] }, [['invalid_type', 'from']]],
    [null, [['invalid_type', '']]],
    [undefined, [['invalid_type', '']]],
    [[], [['invalid_type', '']]],
    [JSON.stringify({ ...MARCH, orders: [] }), [['invalid_type', '']]],
  ]) {
    assert.deepEqual(refused(request), errors, label(request));
  }
  // The message names the value.
  const e = loyaltyError(() => program.report({ ...MARCH, from: 'March', orders: [] }), 'request');
  assert.match(e.message, /March/);
});

test('books of the wrong kind, or not a plain object of books, are LoyaltyErrors with code and path', () => {
  const books = makeBooks();
  const request = { ...MARCH, orders: ORDERS };
  const freed = new Ledger(program);
  freed.free();
  const index = program.matchIndex();
  const refused = (given) => {
    const e = loyaltyError(() => program.report(request, given), 'request');
    assert.equal(e.errors.length, 1);
    return [e.code, e.path, e.message];
  };
  for (const [given, code, path, message] of [
    // Another kind of book, or another class of the module.
    [{ ledger: books.tiers }, 'invalid_type', 'books.ledger', /expected a Ledger, got a Tiers/],
    [{ tiers: books.ledger }, 'invalid_type', 'books.tiers', /expected a Tiers, got a Ledger/],
    [{ referrals: books.tiers }, 'invalid_type', 'books.referrals', /expected a ReferralBook, got a Tiers/],
    [{ ledger: books.ledger, tiers: books.tiers, referrals: books.ledger }, 'invalid_type', 'books.referrals', /got a Ledger/],
    [{ ledger: program }, 'invalid_type', 'books.ledger', /expected a Ledger of this module, got a Program/],
    [{ tiers: index }, 'invalid_type', 'books.tiers', /got a MatchIndex/],
    // Look-alikes: a plain object, events, a number, text, a freed ledger.
    [{ ledger: {} }, 'invalid_type', 'books.ledger', /got an object/],
    [{ ledger: [] }, 'invalid_type', 'books.ledger', /got array/],
    [{ ledger: 'm-1' }, 'invalid_type', 'books.ledger', /got string/],
    [{ tiers: 0 }, 'invalid_type', 'books.tiers', /got number/],
    [{ referrals: false }, 'invalid_type', 'books.referrals', /got boolean/],
    [{ ledger: freed }, 'invalid_type', 'books.ledger', /expected a Ledger that can be read: null pointer passed to rust/],
    [{ ledger: { __loyaltyLend() {} } }, 'invalid_type', 'books.ledger', /lent nothing/],
    [{ ledger: { __loyaltyLend: books.ledger.__loyaltyLend } }, 'invalid_type', 'books.ledger', /null pointer passed to rust/],
    // Not a plain object of books.
    [books.ledger, 'invalid_type', 'books', /expected a plain object \{ledger\?, tiers\?, referrals\?\}, got a Ledger/],
    [[books.ledger], 'invalid_type', 'books', /got array/],
    ['ledger', 'invalid_type', 'books', /got string/],
    [new Map([['ledger', books.ledger]]), 'invalid_type', 'books', /got a Map/],
    // A key that is not a book (a typo would silently drop its section).
    [{ ledgers: books.ledger }, 'unknown_field', 'books.ledgers', /unknown field `ledgers`/],
    [{ ledger: books.ledger, tier: books.tiers }, 'unknown_field', 'books.tier', /unknown field `tier`/],
  ]) {
    const [gotCode, gotPath, gotMessage] = refused(given);
    assert.deepEqual([gotCode, gotPath], [code, path], label(given));
    assert.match(gotMessage, message, label(given));
  }
  // An unknown key left undefined is absent, as in the request.
  assert.deepEqual(program.report(request, { ledger: books.ledger, tier: undefined }).points, program.report(request, { ledger: books.ledger }).points);
  // A proxy of a book lends the book.
  assert.deepEqual(program.report(request, { ledger: new Proxy(books.ledger, {}) }), program.report(request, { ledger: books.ledger }));
  // The books given are unharmed by the refusals.
  assert.deepEqual(program.report({ ...BOOK_PERIOD, orders: [] }, books).points, POINTS);
  index.free();
  for (const book of Object.values(books)) book.free();
});

test('the TypeScript-hidden lend method lends nothing a report did not ask for', () => {
  const books = makeBooks();
  // Called directly, it leaves nothing that a later report would take for a book.
  books.ledger.__loyaltyLend();
  const e = loyaltyError(() => program.report({ ...MARCH, orders: [] }, { tiers: { __loyaltyLend() {} } }), 'request');
  assert.deepEqual([e.code, e.path], ['invalid_type', 'books.tiers']);
  // And the ledger stays free to change.
  books.ledger.post({ type: 'earn', id: 'e-9', account: 'm-9', at: at('03-15'), points: '1' });
  assert.equal(program.report({ ...BOOK_PERIOD, orders: [] }, books).points.issued, '148.5');
  for (const book of Object.values(books)) book.free();
});

test('a book changed or freed while the report reads the others is read as it was lent', () => {
  const books = makeBooks();
  const request = { ...BOOK_PERIOD, orders: [] };
  const expected = program.report(request, books);
  // The tier book's proxy posts to the ledger, then frees it, once the ledger is lent.
  let trapped = 0;
  const tiers = new Proxy(books.tiers, {
    get(target, key, receiver) {
      if (key === '__loyaltyLend' && trapped++ === 0) {
        books.ledger.post({ type: 'earn', id: 'e-late', account: 'm-1', at: at('03-15'), points: '1000' });
        // 70 left of February's 100, March's 40, and these 1000.
        assert.equal(books.ledger.balance('m-1', at('03-16')).available, '1110');
      }
      return Reflect.get(target, key, receiver);
    },
  });
  const r = program.report(request, { ledger: books.ledger, tiers, referrals: books.referrals });
  assert.deepEqual(r, expected);
  assert.equal(program.report(request, books).points.issued, '1147.5');
  // Freed once lent: the report still reads it; the JS object is gone.
  const doomed = makeBooks();
  const freeing = new Proxy(doomed.tiers, {
    get(target, key, receiver) {
      if (key === '__loyaltyLend') doomed.ledger.free();
      return Reflect.get(target, key, receiver);
    },
  });
  const read = program.report(request, { ledger: doomed.ledger, tiers: freeing });
  assert.deepEqual(read.points, POINTS);
  assert.throws(() => doomed.ledger.balance('m-1', at('03-16')), /null pointer passed to rust/);
  // A getter of `books` that frees a book before it is lent: refused.
  const gone = makeBooks();
  const e = loyaltyError(
    () =>
      program.report(request, {
        get ledger() {
          gone.ledger.free();
          return gone.ledger;
        },
      }),
    'request',
  );
  assert.deepEqual([e.code, e.path], ['invalid_type', 'books.ledger']);
  // A getter that throws: refused at `books`.
  const throwing = loyaltyError(
    () =>
      program.report(request, {
        get tiers() {
          throw new Error('boom');
        },
      }),
    'request',
  );
  assert.deepEqual([throwing.code, throwing.path, throwing.message], ['invalid_type', 'books', 'invalid type at `books`: boom']);
  for (const book of [...Object.values(books), doomed.tiers, doomed.referrals, gone.tiers, gone.referrals]) book.free();
});

test('a report asked while its ledger is being posted to is refused, and the ledger is unharmed', () => {
  const books = makeBooks();
  let inner;
  const event = { type: 'earn', account: 'm-1', at: at('03-15'), points: '1' };
  Object.defineProperty(event, 'id', {
    enumerable: true,
    get() {
      try {
        program.report({ ...MARCH, orders: [] }, { ledger: books.ledger });
      } catch (e) {
        inner = e;
      }
      return 'e-reentrant';
    },
  });
  // The ledger is borrowed for the post while the getter runs: the report
  // cannot lend it, and says so; the post goes on.
  assert.deepEqual(books.ledger.post(event), { event: 'e-reentrant', status: 'applied' });
  assert.equal(inner?.name, 'LoyaltyError');
  assert.deepEqual([inner.kind, inner.code, inner.path], ['request', 'invalid_type', 'books.ledger']);
  assert.match(inner.message, /recursive use of an object/);
  assert.equal(program.report({ ...BOOK_PERIOD, orders: [] }, books).points.issued, '148.5');
  for (const book of Object.values(books)) book.free();
});

test('garbage input throws LoyaltyErrors of kind request and never breaks the module', () => {
  const own = Program.fromToml(PROGRAM_TOML);
  const books = makeBooks();
  const order = { ...ORDERS[0] };
  const request = { ...MARCH, orders: [order], customers: CUSTOMERS };
  const expected = own.report(request, books);
  const garbage = [
    ...hostileValues(order, {
      throwingKey: 'amount',
      // Reading the request while the program answers: shared borrows, allowed.
      reenter: () => own.report(request, books),
    }),
    'report', JSON.stringify(request), { ...MARCH }, { orders: [] }, { ...MARCH, orders: [], books },
    { ...order, at: '9999-12-31T23:59:59+14:00' }, { ...order, at: '0000-01-01T00:00:00-12:00' },
    { ...order, amount: '79228162514264337593543950335' }, { ...order, amount: '1e30' }, { ...order, coupons: [null] },
    { ...order, coupons: Array(10_000).fill('x'.repeat(100)) }, { ...order, payment: 'x'.repeat(100_000) }, { ...order, id: 42 },
    '9999-12-31', '0000-01-01', '+275760-09-13', '2026-03-01T00:00:00Z', 1e300, -1, 4294967296, '18446744073709551616',
    books.ledger, books.tiers, books.referrals, Ledger, Program, own,
  ];
  const many = Array.from({ length: 2_000 }, (_, i) => ({ ...order, id: `o-${i}`, customer: `c-${i % 300}` }));
  const alive = (what) => assert.deepEqual(own.report(request, books), expected, what);
  assertOnlyLoyaltyErrors(
    garbage,
    [
      (g) => own.report(g),
      (g) => own.report(g, books),
      (g) => own.report({ ...MARCH, orders: [g] }),
      (g) => own.report({ ...MARCH, orders: [order, g] }, books),
      (g) => own.report({ ...MARCH, orders: g }),
      (g) => own.report({ from: g, to: '2026-03-31', orders: [order] }),
      (g) => own.report({ from: '2026-03-01', to: g, orders: [order] }),
      (g) => own.report({ ...MARCH, orders: [order], customers: [g] }),
      (g) => own.report({ ...MARCH, orders: [order], customers: [{ id: 'c-1', birth_date: g, gender: g }] }),
      (g) => own.report({ ...MARCH, orders: [order], top: g }),
      (g) => own.report(request, g),
      (g) => own.report(request, { ledger: g }),
      (g) => own.report(request, { tiers: g, ledger: books.ledger }),
      (g) => own.report(request, { ...books, referrals: g }),
      (g) => own.report(request, { [typeof g === 'string' ? g.slice(0, 50) : 'other']: books.ledger }),
      // Many orders and customers, every book.
      (g) => own.report({ from: typeof g === 'string' ? g : '2026-01-01', to: '2026-12-31', orders: many, top: 1_000 }, books),
    ],
    { kinds: ['request'], alive },
  );
  // A getter that frees the program while it reads the request: this call
  // is refused, later ones say the program is gone; the module is unharmed.
  const doomed = Program.fromToml(PROGRAM_TOML);
  const freeing = { ...MARCH, orders: [] };
  Object.defineProperty(freeing, 'to', {
    enumerable: true,
    get() {
      doomed.free();
      return '2026-03-31';
    },
  });
  const e = loyaltyError(() => doomed.report(freeing, books), 'request');
  assert.match(e.message, /take ownership of Rust value while it was borrowed/);
  assert.throws(() => doomed.report({ ...MARCH, orders: [] }), /null pointer passed to rust/);
  alive('after a getter freed a program');
  own.free();
  for (const book of Object.values(books)) book.free();
});
