// Compiled with `tsc --noEmit` (never run): uses the generated declarations
// the way a user would, so a wrong or missing type fails the build.
import { Ledger, Program, errorCodes, programSchema } from '../pkg/node/loyalty_wasm.js';
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
import init, { Ledger as WebLedger, Program as WebProgram } from '../pkg/web/loyalty_wasm.js';
import type { Quote as WebQuote, Balance as WebBalance } from '../pkg/web/loyalty_wasm.js';

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
    const kind: 'program' | 'request' | 'ledger' = e.kind;
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
    const kind: 'program' | 'request' | 'ledger' = answer.kind;
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

console.log(fromText, fromToml, id, currency, timeZone, calendar, again, total, firstAwardPoints, codes, schema, web);
console.log(status, available, remaining, withinDays, firstChange, accounts, ledgerCodes, webLedger);
