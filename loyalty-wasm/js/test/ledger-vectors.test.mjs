// Every ledger vector (tests/vectors/ledger/*.json) through the Node build:
// each step's answer compared byte for byte with its `expect`. No files yet is
// a pass; a file that is not JSON, or not a well-formed ledger vector, fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mod from './binding.mjs';
import { checkLedgerVector, runLedgerVector } from './envelope.mjs';
import { listLedgerVectors, vectorsDir } from './paths.mjs';

for (const { name, file } of listLedgerVectors()) {
  test(`ledger vector ${name}`, () => {
    const text = readFileSync(join(vectorsDir, file), 'utf8');
    let doc;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      assert.fail(`${file} is not valid JSON: ${e.message}`);
    }
    const diff = checkLedgerVector(mod, doc);
    assert.equal(diff, null, diff ?? '');
  });
}

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
  const cases = [
    ['not an object', () => []],
    ['no description', (d) => delete d.description],
    ['empty description', (d) => (d.description = ' ')],
    ['unknown top-level key', (d) => (d.expect = {})],
    ['no program', (d) => delete d.program_toml],
    ['both programs', (d) => (d.program = {})],
    ['program as text', (d) => ((d.program = '{}'), delete d.program_toml)],
    ['a program that does not load', (d) => (d.program_toml = 'id = ')],
    ['no steps', (d) => delete d.steps],
    ['empty steps', (d) => (d.steps = [])],
    ['a step that is not an object', (d) => (d.steps[0] = 'post')],
    ['unknown op', (d) => (d.steps[0].op = 'posst')],
    ['op from the prototype', (d) => (d.steps[0].op = 'constructor')],
    ['missing argument', (d) => delete d.steps[0].event],
    ['unknown step key', (d) => (d.steps[0].evnt = {})],
    ['no expect', (d) => delete d.steps[1].expect],
    ['account not text', (d) => (d.steps[2].account = 7)],
    ['days not a whole number', (d) => d.steps.push({ op: 'expiring', account: 'm-1', at: 'x', days: 1.5, expect: {} })],
    ['days missing', (d) => d.steps.push({ op: 'expiring', account: 'm-1', at: 'x', expect: {} })],
  ];
  for (const [what, spoil] of cases) {
    let doc = clone(SAMPLE);
    const replaced = spoil(doc);
    if (what === 'not an object') doc = replaced;
    assert.throws(() => checkLedgerVector(mod, doc), Error, what);
  }
});
