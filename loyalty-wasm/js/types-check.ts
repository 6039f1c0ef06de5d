// Compiled with `tsc --noEmit` (never run): uses the generated declarations
// the way a user would, so a wrong or missing type fails the build.
import { Ledger, Program, Tiers, errorCodes, programSchema, rejectionCodes, warningCodes } from '../pkg/node/loyalty_wasm.js';
import type { LoyaltyError, ProgramFile, Quote, QuoteRequest, ErrorInfo } from '../pkg/node/loyalty_wasm.js';
import type {
  Balance,
  Expiring,
  LedgerEvent,
  LotView,
  Payment,
  PaymentRequest,
  Posting,
  Statement,
} from '../pkg/node/loyalty_wasm.js';
import type {
  OrderEvent,
  OrderTier,
  ProgramWarning,
  TierEvent,
  TierHistory,
  TierPosting,
  TierStatus,
  Transition,
} from '../pkg/node/loyalty_wasm.js';
import type {
  AcceptedCoupon,
  CodeCheck,
  CouponRequest,
  CouponResult,
  GenerateRequest,
  GeneratedCode,
  GeneratedCodes,
  Rejection,
} from '../pkg/node/loyalty_wasm.js';
import { MatchIndex } from '../pkg/node/loyalty_wasm.js';
import type {
  Dedupe,
  DedupeRequest,
  Evidence,
  Link,
  MatchDecision,
  NormalizedProfile,
  NormalizedValue,
  Profile,
  ProfileComparison,
} from '../pkg/node/loyalty_wasm.js';
import { ReferralBook, referralReasonCodes } from '../pkg/node/loyalty_wasm.js';
import type {
  CouponGrant,
  ErrorCodes,
  Referral,
  ReferralCodeCheck,
  ReferralEvent,
  ReferralEvidence,
  ReferralPosting,
  ReferralReason,
  ReferralReasonCode,
  Settlement,
} from '../pkg/node/loyalty_wasm.js';
import { segmentNames } from '../pkg/node/loyalty_wasm.js';
import type {
  SegmentName,
  SegmentSize,
  Stats,
  StatsRequest,
  Trigger,
  TriggerCoupon,
  TriggerCustomer,
  TriggerRequest,
  Triggers,
} from '../pkg/node/loyalty_wasm.js';
import type {
  Count,
  CouponReport,
  CreditReport,
  PointsMonth,
  PointsReport,
  ReferralReport,
  Report,
  ReportBooks,
  ReportCustomer,
  ReportRequest,
  Split,
  TopCustomer,
} from '../pkg/node/loyalty_wasm.js';
import init, {
  Ledger as WebLedger,
  Program as WebProgram,
  ReferralBook as WebReferralBook,
  Tiers as WebTiers,
} from '../pkg/web/loyalty_wasm.js';
import type {
  Quote as WebQuote,
  Balance as WebBalance,
  TierStatus as WebTierStatus,
  CodeCheck as WebCodeCheck,
  Dedupe as WebDedupe,
  Settlement as WebSettlement,
  Triggers as WebTriggers,
  Report as WebReport,
} from '../pkg/web/loyalty_wasm.js';

const file: ProgramFile = {
  schema_version: 1,
  id: 'riyadh-coffee',
  currency: 'SAR',
  time_zone: 'Asia/Riyadh',
  earn_rules: [{ id: 'base', rate: { per: '10', points: '1' } }],
};
const request: QuoteRequest = {
  order: {
    id: 'o-1',
    placed_at: '2026-03-01T09:15:00+03:00',
    lines: [{ sku: 'latte', quantity: '2', unit_price: '14.50' }],
  },
};

const program = new Program(file);
const fromText: Program = new Program(JSON.stringify(file));
const fromToml: Program = Program.fromToml('schema_version = 1');
const id: string = program.id;
const currency: string = program.currency;
const timeZone: string = program.timeZone;
const calendar: 'gregorian' | 'persian' | 'islamic-umm-al-qura' = program.calendar;
const again: ProgramFile = program.toJSON();

const quote: Quote = program.quote(request);
const total: string = quote.total;
const firstAwardPoints: string | undefined = quote.awards[0]?.points;

for (const answer of program.quoteMany([request, request])) {
  if (answer instanceof Error) {
    const e: LoyaltyError = answer;
    const kind: 'program' | 'request' | 'ledger' | 'tiers' | 'referrals' = e.kind;
    const all: ErrorInfo[] = e.errors;
    console.log(kind, e.code, e.path, all.length);
  } else {
    const q: Quote = answer;
    console.log(q.total);
  }
}

try {
  program.quote(request);
} catch (err) {
  const e = err as LoyaltyError;
  console.log(e.name, e.code, e.path, e.kind, e.errors[0]?.message);
}

const codes: string[] = errorCodes().program.concat(errorCodes().request);
const schema: Record<string, unknown> = programSchema();
const warningCodeList: string[] = warningCodes();

// The ledger.
const at = '2026-04-01T00:00:00+03:00';
const events: LedgerEvent[] = [
  { type: 'earn', id: 'e-1', account: 'm-1', at: '2026-03-01T10:00:00+03:00', points: '120', order: 'o-1', amount: '240.00' },
  { type: 'redeem', id: 'r-1', account: 'm-1', at, points: '20' },
  { type: 'adjust', id: 'a-1', account: 'm-1', at, points: '-5', reason: 'goodwill' },
  { type: 'refund', id: 'f-1', at, order: 'o-1', lines: [{ line: 0, quantity: '1' }] },
  { type: 'reverse', id: 'v-1', at, target: 'a-1' },
  { type: 'transfer', id: 't-1', account: 'm-1', to: 'm-2', at, points: '10' },
  { type: 'merge', id: 'g-1', account: 'm-1', from: 'm-3', at },
  { type: 'wallet_deposit', id: 'w-1', account: 'w-1', at, amount: '50.00' },
  { type: 'wallet_charge', id: 'w-2', account: 'w-1', at, amount: '10.00', order: 'o-2' },
  { type: 'wallet_refund', id: 'w-3', at, order: 'o-2' },
  { type: 'wallet_limit', id: 'w-4', account: 'w-1', at, credit_limit: '20.00' },
];
const ledger = new Ledger(program);
const posting: Posting = ledger.post(events[0]!);
const status: 'applied' | 'duplicate' = posting.status;
for (const answer of ledger.postMany(events)) {
  if (answer instanceof Error) {
    const kind: 'program' | 'request' | 'ledger' | 'tiers' | 'referrals' = answer.kind;
    console.log(kind, answer.code, answer.path);
  } else {
    const p: Posting = answer;
    console.log(p.event, p.status);
  }
}
const replayed: Ledger = Ledger.replay(program, events);
const balance: Balance = replayed.balance('m-1', at);
const available: string = balance.available;
const lots: LotView[] = ledger.lots('m-1', at);
const remaining: string | undefined = lots[0]?.remaining;
const expiring: Expiring = ledger.expiring('m-1', at, 30);
const withinDays: number = expiring.within_days;
const statement: Statement = ledger.statement('m-1', at);
const firstChange: string | undefined = statement.movements[0]?.change;
const payRequest: PaymentRequest = { id: 'p-1', account: 'm-1', at, order_total: '50.00' };
const payment: Payment = ledger.payWithPoints(payRequest);
const toPost: LedgerEvent | null | undefined = payment.event;
if (toPost) ledger.post(toPost);
const accounts: string[] = ledger.accounts();
const earned: LedgerEvent | null = program.earnEvent(request, 'm-1', 'e-2');
if (earned !== null && earned.type === 'earn') {
  const points: string = earned.points;
  console.log(points);
}
const ledgerCodes: string[] = errorCodes().ledger;
ledger.free();
replayed.free();

// @ts-expect-error: an event needs its type
ledger.post({ id: 'e-9', account: 'm-1', at, points: '1' });
// @ts-expect-error: a redeem has no `lines`
ledger.post({ type: 'redeem', id: 'r-9', account: 'm-1', at, points: '1', lines: [] });
// @ts-expect-error: days is a number
ledger.expiring('m-1', at, '30');
// @ts-expect-error: a ledger is made from a Program
new Ledger(file);

// @ts-expect-error: a request needs an order or an event, not a number
program.quote(42);
// @ts-expect-error: the program id is read-only
program.id = 'x';

// Membership tiers.
const tierEvents: Array<TierEvent | LedgerEvent> = [
  { type: 'join', id: 'j-1', account: 'm-1', at: '2026-02-01T10:00:00+03:00' },
  { type: 'order', id: 'o-1', account: 'm-1', at, spend: '600.00', points: '60', order: 'pos-1' },
  { type: 'visit', id: 'v-1', account: 'm-1', at },
  { type: 'points', id: 'p-1', account: 'm-1', at, points: '10' },
  { type: 'override', id: 'x-1', account: 'm-1', at, tier: 'gold', mode: 'exact', until: '2026-06-01T00:00:00+03:00' },
  { type: 'override', id: 'x-2', account: 'm-1', at, tier: null },
  events[0]!,
  events[2]!,
];
const tiers = new Tiers(program);
const tierPosting: TierPosting = tiers.post(tierEvents[1]!);
const tierPostStatus: 'applied' | 'duplicate' | 'ignored' = tierPosting.status;
for (const answer of tiers.postMany(tierEvents)) {
  if (answer instanceof Error) {
    const e: LoyaltyError = answer;
    console.log(e.kind, e.code, e.path);
  } else {
    const p: TierPosting = answer;
    console.log(p.event, p.status);
  }
}
const replayedTiers: Tiers = Tiers.replay(program, tierEvents);
const tierStatus: TierStatus = replayedTiers.status('m-1', at);
const heldTier: string | undefined | null = tierStatus.tier;
const spendSoFar: string = tierStatus.metrics.spend;
const stillNeeded: string | undefined | null = tierStatus.next?.needs.spend;
const keepBy: string | undefined | null = tierStatus.keep?.by;
const tierHistory: TierHistory = tiers.history('m-1', at);
const firstChange2: Transition | undefined = tierHistory.transitions[0];
const cause: string | undefined = firstChange2?.cause;
const probe: OrderEvent = { type: 'order', id: 'o-2', account: 'm-1', at, spend: '10.00' };
const orderTier: OrderTier = tiers.orderTier(probe);
const quoteAt: string | undefined | null = orderTier.tier;
tiers.orderTier(events[0]!.type === 'earn' ? events[0]! : probe);
const tierAccounts: string[] = tiers.accounts();
const warnings: ProgramWarning[] = program.check();
const warningCode: string | undefined = warnings[0]?.code;
const tierCodes: string[] = errorCodes().tiers;
tiers.free();
replayedTiers.free();

// @ts-expect-error: a tier event needs its type
tiers.post({ id: 'o-9', account: 'm-1', at, spend: '1' });
// @ts-expect-error: an order's spend is a decimal string
tiers.post({ type: 'order', id: 'o-9', account: 'm-1', at, spend: 1.5 });
// @ts-expect-error: only an order or an earn has a tier to earn at
tiers.orderTier({ type: 'visit', id: 'v-9', account: 'm-1', at });
// @ts-expect-error: at is a string
tiers.status('m-1', new Date());
// @ts-expect-error: a tier book is made from a Program
new Tiers(file);

// Coupons.
const check: CodeCheck = program.checkCode('WEL-ABCD-EFGH');
const checkOk: boolean = check.ok;
const canonicalCode: string | undefined | null = check.code;
const checkCampaigns: string[] = check.campaigns;
const generateRequest: GenerateRequest = { campaign: 'welcome', count: 10, seed: '42', existing: ['WEL-ABCD-EFGH'] };
const generated: GeneratedCodes = program.generateCodes(generateRequest);
const personal: GeneratedCodes = program.generateCodes({ campaign: 'bday', customers: ['m-1', 'm-2'] });
const firstCode: GeneratedCode | undefined = generated.codes[0];
const perGuess: string = generated.odds.per_guess;
const couponRequest: CouponRequest = {
  order: request.order!,
  customer: { id: 'm-1' },
  coupons: [{ code: 'ramadan25' }, ...(firstCode ? [{ code: firstCode.code, issued: firstCode.issued }] : [])],
  counters: { ramadan: { uses: 3, customer_uses: 1, discount: '12.50' } },
};
const applied: CouponResult = program.applyCoupons(couponRequest);
const appliedTotal: string = applied.total;
const firstAccepted: AcceptedCoupon | undefined = applied.accepted[0];
const lineOff: string | undefined = firstAccepted?.lines[0]?.discount;
const codeUses: number | undefined | null = firstAccepted?.code_uses;
for (const rejected of applied.rejected) {
  for (const reason of rejected.reasons) {
    const r: Rejection = reason;
    if (r.code === 'code_used_up') {
      const limit: number = r.limit;
      console.log(limit, r.used);
    }
  }
}
const quoteWithCoupons: Quote = program.quote({ order: applied.order_after, coupons: applied.points_coupons });
const nextCounters: CouponRequest['counters'] = applied.counters;
const rejectionCodeList: string[] = rejectionCodes();
// @ts-expect-error: a typed code is a string
program.checkCode(42);
// @ts-expect-error: coupons are a list of {code, issued?}, not strings
program.applyCoupons({ order: request.order!, coupons: ['ramadan25'] });
// @ts-expect-error: a seed is a whole number written as text
program.generateCodes({ campaign: 'welcome', count: 1, seed: 42 });
// @ts-expect-error: the campaign is required
program.generateCodes({ count: 1 });

async function webCheck(): Promise<WebCodeCheck> {
  await init();
  return new WebProgram(file).checkCode('RAMADAN25');
}

console.log(checkOk, canonicalCode, checkCampaigns, personal, perGuess, appliedTotal, lineOff, codeUses, quoteWithCoupons);
console.log(nextCounters, rejectionCodeList, webCheck);

async function web(): Promise<WebQuote> {
  await init();
  return new WebProgram(file).quote(request);
}

async function webLedger(): Promise<WebBalance> {
  await init();
  const l = new WebLedger(new WebProgram(file));
  l.post(events[0]!);
  return l.balance('m-1', at);
}

console.log(fromText, fromToml, id, currency, timeZone, calendar, again, total, firstAwardPoints, codes, schema, warningCodeList, web);
async function webTiers(): Promise<WebTierStatus> {
  await init();
  const t = new WebTiers(new WebProgram(file));
  t.post(tierEvents[1]!);
  return t.status('m-1', at);
}

console.log(status, available, remaining, withinDays, firstChange, accounts, ledgerCodes, webLedger);
console.log(tierPostStatus, heldTier, spendSoFar, stillNeeded, keepBy, cause, quoteAt, tierAccounts, warningCode, tierCodes, webTiers);

// Profile merging. Contacts as objects: the core's `Contact` schema does not
// yet say a phone or e-mail may also be given as plain text (the core takes it).
const profiles: Profile[] = [
  { id: 'pos-7', source: 'pos', name: 'سارا احمدی', phones: { value: '۰۹۱۲ ۳۴۵ ۶۷۸۹' }, cards: '6037-1' },
  { id: 'app-3', phones: [{ value: '+98 912 345 6789', verified: true }], emails: { value: 'sara@example.com' } },
];
const dedupeRequest: DedupeRequest = { profiles, explain: true };
const deduped: Dedupe = program.dedupe(dedupeRequest);
const customerOfFirst: string | undefined = deduped.cluster_of[0];
const normalPhone: NormalizedValue = program.normalize('phone', '۰۹۱۲ ۳۴۵ ۶۷۸۹');
const phoneValue: string | undefined = 'value' in normalPhone ? normalPhone.value : undefined;
const normalProfile: NormalizedProfile = program.normalizeProfile(profiles[0]!);
const pair: ProfileComparison = program.compareProfiles(profiles[0]!, profiles[1]!);
const pairLinked: boolean = pair.linked;
const firstEvidence: Evidence | undefined = pair.evidence[0];
const matchIndex: MatchIndex = program.matchIndex();
const decision: MatchDecision = matchIndex.add(profiles[0]!);
const decisionLinks: Link[] = decision.links;
const indexSize: number = matchIndex.size;
// @ts-expect-error: `size` is read-only.
matchIndex.size = 3;
// @ts-expect-error: not a kind normalize takes.
program.normalize('fax', '1');
async function webMerge(): Promise<WebDedupe> {
  await init();
  return new WebProgram(file).dedupe({ profiles });
}
console.log(customerOfFirst, phoneValue, normalProfile, pairLinked, firstEvidence, decision.customer, decisionLinks, indexSize, webMerge);

// Referral credit. Empty lists are left out of the answers (the core's
// schemas do not say so yet: read them with `?? []`).
const referralEvents: ReferralEvent[] = [
  {
    type: 'member',
    id: 'e1',
    member: 'sara',
    at,
    seed: '7',
    identity: { profile: { id: 'sara', phones: { value: '+98 912 345 6789' } }, devices: ['d-1'], payment_tokens: ['tok-1'] },
  },
  { type: 'signup', id: 'e2', referee: 'reza', code: 'ref xaw9 xwtn', at, customer_since: null, identity: { devices: ['d-2'] } },
  { type: 'order', id: 'e3', account: 'reza', order: 'o-1', amount: '750000', at },
  { type: 'refund', id: 'e4', order: 'o-1', amount: '300000', at },
  { type: 'refund', id: 'e5', order: 'o-1', at },
  { type: 'custom', id: 'e6', account: 'reza', name: 'first_visit', at },
  { type: 'merge', id: 'e7', accounts: ['sara', 'sara-2'], at },
];
const referralBook: ReferralBook = program.referralBook();
const sameBook: ReferralBook = new ReferralBook(program);
const referralPosting: ReferralPosting = referralBook.post(referralEvents[0]!);
const memberCode: string | undefined | null = referralPosting.code;
const referralPostStatus: 'applied' | 'duplicate' = referralPosting.status;
for (const reason of referralPosting.rejected ?? []) {
  const r: ReferralReason = reason;
  const reasonCode: ReferralReasonCode = r.code;
  const evidence: ReferralEvidence | undefined = r.evidence?.[0];
  console.log(reasonCode, evidence?.kind, evidence?.value);
}
for (const answer of referralBook.postMany(referralEvents)) {
  if (answer instanceof Error) {
    const e: LoyaltyError = answer;
    console.log(e.kind, e.code, e.path);
  } else {
    const p: ReferralPosting = answer;
    const credits: LedgerEvent[] = p.ledger ?? [];
    const grants: CouponGrant[] = [...(p.coupons ?? []), ...(p.withdrawn ?? [])];
    console.log(p.event, p.status, credits, grants);
  }
}
const settled: Settlement = referralBook.settle(at);
const settledAt: string = settled.at;
const paid: LedgerEvent[] = settled.ledger ?? [];
const oneReferral: Referral | null = referralBook.referral('reza');
const referralStatus: 'linked' | 'pending' | 'credited' | 'cancelled' | undefined = oneReferral?.status;
const allReferrals: Referral[] = referralBook.referrals();
const resolved: string | null = referralBook.resolve('ref xaw9 xwtn');
const codeCheck: ReferralCodeCheck = program.checkReferralCode('REF-XAW9-XWTN');
const canonicalReferralCode: string | undefined | null = codeCheck.ok ? codeCheck.code : codeCheck.reason?.code;
const reasonCodes: ReferralReasonCode[] = referralReasonCodes();
const allErrorCodes: ErrorCodes = errorCodes();
const referralErrorCodes: string[] = allErrorCodes.referrals;
referralBook.free();
sameBook.free();

// @ts-expect-error: a referral event needs its type
referralBook.post({ id: 'e9', member: 'm-1', at });
// @ts-expect-error: an order's amount is a decimal string
referralBook.post({ type: 'order', id: 'e9', account: 'reza', order: 'o-9', amount: 750000, at });
// @ts-expect-error: a signup needs the code typed
referralBook.post({ type: 'signup', id: 'e9', referee: 'reza', at });
// @ts-expect-error: at is a string
referralBook.settle(new Date());
// @ts-expect-error: a referee is a string
referralBook.referral(42);
// @ts-expect-error: a referral book is made from a Program
new ReferralBook(file);
// @ts-expect-error: not a referral reason code
const notAReason: ReferralReasonCode = 'unknown_campaign';

async function webReferrals(): Promise<WebSettlement> {
  await init();
  const book = new WebProgram(file).referralBook();
  book.post(referralEvents[0]!);
  return book.settle(at);
}
console.log(memberCode, referralPostStatus, settledAt, paid, referralStatus, allReferrals, resolved, canonicalReferralCode);
console.log(reasonCodes, referralErrorCodes, notAReason, webReferrals);

// Insights: statistics with the program's segments, and triggers.
const statsRequest: StatsRequest = {
  as_of: at,
  orders: [{ id: 'o-1', customer: 'sara', at: '2026-03-02T08:15:00+03:00', amount: '42.50', channel: 'pos' }],
};
const stats: Stats = program.customerStats(statsRequest);
const segment: SegmentName | undefined = stats.customers[0]?.rfm.segment;
// A program's own `[[insights.segments]]` names are segments too.
const ownSegment: SegmentName = 'big-spenders';
const sizes: SegmentSize[] = stats.segments;
const sized: Array<[string, number]> = sizes.map((s) => [s.segment, s.customers]);
const defaultSegments: SegmentName[] = segmentNames();

// One customer's birthday, as a browser asks: her local day now.
const sara: TriggerCustomer = { id: 'sara', time_zone: 'Asia/Tehran', birth_date: '1990-03-03' };
const triggerRequest: TriggerRequest = { at: new Date().toISOString(), customers: [sara], seed: '7' };
const due: Triggers = program.triggers(triggerRequest);
const byDate: Triggers = program.triggers({ date: '2026-03-03', customers: [sara, { id: 'omar', calendar: 'persian' }] });
const firstTrigger: Trigger | undefined = due.triggers[0];
const triggerKind:
  | 'birthday'
  | 'anniversary'
  | 'membership'
  | 'welcome'
  | 'win_back'
  | 'points_expiring'
  | 'tier_at_risk'
  | undefined = firstTrigger?.kind;
const localDay: string | undefined = firstTrigger?.date;
const coupon: TriggerCoupon | undefined | null = firstTrigger?.coupon;
const couponCode: string | undefined = coupon?.code;
// Empty details are left out of the answer (the core's schema does not say so yet).
const details: string[] = (firstTrigger?.details ?? []).map((d) => `${d.kind}=${d.value}`);
// @ts-expect-error: customers are objects with an id, not ids
program.triggers({ date: '2026-03-03', customers: ['sara'] });
// @ts-expect-error: a seed is a whole number written as text
program.triggers({ date: '2026-03-03', customers: [sara], seed: 7 });
// @ts-expect-error: the customers are required
program.triggers({ at: '2026-03-02T21:00:00Z' });
// @ts-expect-error: not a calendar
program.triggers({ date: '2026-03-03', customers: [{ id: 'omar', calendar: 'julian' }] });

async function webTriggers(): Promise<WebTriggers> {
  await init();
  return new WebProgram(file).triggers({ at: new Date().toISOString(), customers: [sara] });
}
console.log(segment, ownSegment, sized, defaultSegments, byDate, triggerKind, localDay, couponCode, details, webTriggers);

// Reports: a period from the host's orders, and the books it has.
const reportCustomer: ReportCustomer = { id: 'sara', birth_date: '1990-03-03', gender: 'female' };
const reportRequest: ReportRequest = {
  from: '2026-03-01',
  to: '2026-03-31',
  orders: [
    { id: 'o-1', customer: 'sara', at: '2026-03-02T09:15:00+03:00', amount: '42.50', payment: 'credit', coupons: ['spring'] },
  ],
  customers: [reportCustomer],
  top: 5,
};
const bare: Report = program.report(reportRequest);
const reportLedger = new Ledger(program);
const reportTiers = new Tiers(program);
const reportReferrals: ReferralBook = program.referralBook();
const reportBooks: ReportBooks = { ledger: reportLedger, tiers: reportTiers, referrals: reportReferrals };
const full: Report = program.report(reportRequest, reportBooks);
const someBooks: Report = program.report(reportRequest, { tiers: reportTiers });
const noBooks: Report = program.report(reportRequest, null);
const basket: string = full.average_basket;
const cell: number | undefined = full.weekday_hour[0]?.[9];
const busiest: number | null | undefined = full.busiest_weekday;
const payments: Split[] = full.payments;
const share: string | undefined = payments[0]?.share;
const topVisitor: TopCustomer | undefined = full.top_visitors[0];
const creditPart: CreditReport = full.credit;
const owed: string | null | undefined = creditPart.owed;
const couponPart: CouponReport = full.coupons;
const campaigns: Count[] = couponPart.campaigns;
// The sections of the books are there only when their book was given.
const points: PointsReport | null | undefined = full.points;
const months: PointsMonth[] = points?.months ?? [];
const tierCounts: Count[] = full.tiers ?? [];
const referralPart: ReferralReport | null | undefined = full.referrals;
const referralStatuses: Count[] = referralPart?.statuses ?? [];
// @ts-expect-error: the period is given as from and to, not as a month
program.report({ month: '2026-03', orders: [] });
// @ts-expect-error: the orders are required
program.report({ from: '2026-03-01', to: '2026-03-31' });
// @ts-expect-error: an order's amount is a decimal string
program.report({ from: '2026-03-01', to: '2026-03-31', orders: [{ id: 'o-1', customer: 'sara', at, amount: 42.5 }] });
// @ts-expect-error: a tier book is not a ledger
program.report(reportRequest, { ledger: reportTiers });
// @ts-expect-error: a ledger is not a referral book
program.report(reportRequest, { referrals: reportLedger });
// @ts-expect-error: the books go in an object, not as arguments
program.report(reportRequest, reportLedger, reportTiers);
// @ts-expect-error: not a book of the report
program.report(reportRequest, { index: program.matchIndex() });
reportLedger.free();
reportTiers.free();
reportReferrals.free();

async function webReport(): Promise<WebReport> {
  await init();
  const webProgram = new WebProgram(file);
  return webProgram.report(reportRequest, { ledger: new WebLedger(webProgram), tiers: new WebTiers(webProgram) });
}
console.log(bare, someBooks, noBooks, basket, cell, busiest, share, topVisitor, owed, campaigns, months, tierCounts, referralStatuses, webReport);
