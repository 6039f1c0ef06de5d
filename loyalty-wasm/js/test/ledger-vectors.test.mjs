// Every ledger vector (tests/vectors/ledger/*.json) through the Node build:
// each step's answer compared byte for byte with its `expect`. No files yet is
// a skip, said so; a file that is not JSON, or not a well-formed ledger
// vector, fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mod from './binding.mjs';
import { checkLedgerVector, runLedgerVector } from './envelope.mjs';
import { LEDGER, listLedgerVectors } from './paths.mjs';
import { assertRefusesMalformed, malformedCases, testVectorFiles } from './vector-files.mjs';

testVectorFiles({ what: 'ledger', capability: LEDGER, list: listLedgerVectors, check: checkLedgerVector });

// The runner itself, so that it is exercised even while there are no files.

const SAMPLE = {
  description: 'an earn is pending for the return window, then available',
  program_toml: `
schema_version = 1
id = "riyadh-coffee"
currency = "SAR"
time_zone = "Asia/Riyadh"
[[earn_rules]]
id = "base"
rate = { points = "1", per = "1" }
[ledger]
pending_days = 14
`,
  steps: [
    {
      op: 'post',
      event: { type: 'earn', id: 'e-1', account: 'm-1', at: '2026-03-01T10:00:00+03:00', points: '120' },
      expect: { result: { event: 'e-1', status: 'applied' } },
    },
    {
      op: 'post',
      event: { type: 'redeem', id: 'r-1', account: 'm-1', at: '2026-03-02T10:00:00+03:00', points: '1' },
      expect: { error: { kind: 'ledger', errors: [{ code: 'insufficient_points', path: 'points' }] } },
    },
    {
      op: 'earn_event',
      request: { order: { id: 'o-1', placed_at: '2026-03-01T09:15:00+03:00', lines: [] } },
      account: 'm-1',
      id: 'e-2',
      expect: { error: { kind: 'request', errors: [{ code: 'empty_order', path: 'order.lines' }] } },
    },
  ],
};

const clone = (v) => structuredClone(v);

test('the ledger runner passes a well-formed vector and reports a wrong expect', () => {
  assert.equal(checkLedgerVector(mod, SAMPLE), null);
  const wrong = clone(SAMPLE);
  wrong.steps[0].expect.result.status = 'duplicate';
  assert.match(checkLedgerVector(mod, wrong), /^step 0 \(post\) differs/);
});

test('the ledger runner answers every step, errors in the error envelope', () => {
  const answers = runLedgerVector(mod, SAMPLE);
  assert.equal(answers.length, SAMPLE.steps.length);
  assert.deepEqual(answers[1], SAMPLE.steps[1].expect);
});

test('the ledger runner refuses malformed vectors', () => {
  assertRefusesMalformed(checkLedgerVector, SAMPLE, [
    ...malformedCases('ledger'),
    ['missing argument', (d) => void delete d.steps[0].event, /step 0: a `post` step needs `event`/],
    ['account not text', (d) => void (d.steps[2].account = 7), /step 2: `account` must be a string/],
    [
      'days not a whole number',
      (d) => void d.steps.push({ op: 'expiring', account: 'm-1', at: 'x', days: 1.5, expect: {} }),
      /step 3: `days` must be a whole number/,
    ],
    [
      'days missing',
      (d) => void d.steps.push({ op: 'expiring', account: 'm-1', at: 'x', expect: {} }),
      /step 3: an? `expiring` step needs `days`/,
    ],
  ]);
});
