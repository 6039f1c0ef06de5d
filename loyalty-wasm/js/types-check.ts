// Compiled with `tsc --noEmit` (never run): uses the generated declarations
// the way a user would, so a wrong or missing type fails the build.
import { Program, errorCodes, programSchema } from '../pkg/node/loyalty_wasm.js';
import type { LoyaltyError, ProgramFile, Quote, QuoteRequest, ErrorInfo } from '../pkg/node/loyalty_wasm.js';
import init, { Program as WebProgram } from '../pkg/web/loyalty_wasm.js';
import type { Quote as WebQuote } from '../pkg/web/loyalty_wasm.js';

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
    const kind: 'program' | 'request' = e.kind;
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

// @ts-expect-error: a request needs an order or an event, not a number
program.quote(42);
// @ts-expect-error: the program id is read-only
program.id = 'x';

async function web(): Promise<WebQuote> {
  await init();
  return new WebProgram(file).quote(request);
}

console.log(fromText, fromToml, id, currency, timeZone, calendar, again, total, firstAwardPoints, codes, schema, web);
