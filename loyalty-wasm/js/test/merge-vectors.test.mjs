// Every merge vector (tests/vectors/merge/*.json) through the Node build: each
// step's answer compared byte for byte with its `expect` (errors by code and
// path only), `match` steps on one `MatchIndex` per vector. No files yet is a
// skip, said so; a file that is not JSON, or not a well-formed merge vector,
// fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mod from './binding.mjs';
import { checkCouponVector, checkMergeVector, runMergeVector } from './envelope.mjs';
import { MERGE, listMergeVectors } from './paths.mjs';
import { assertRefusesMalformed, malformedCases, testVectorFiles } from './vector-files.mjs';

testVectorFiles({ what: 'merge', capability: MERGE, list: listMergeVectors, check: checkMergeVector });

// The runner itself, so that it is exercised even while there are no files.
// The expectations below are checked against the core's own answers only in
// their shape-independent parts (which customer, errors); the whole answers
// are taken from the run and then spoiled one field at a time.

const PROGRAM_TOML = `
schema_version = 1
id = "tehran-cafe"
currency = "IRR"
time_zone = "Asia/Tehran"
[merge]
region = "IR"
`;

const SARA_POS = { id: 'pos-7', source: 'pos', name: 'سارا احمدی', phones: '۰۹۱۲ ۳۴۵ ۶۷۸۹' };
const SARA_APP = { id: 'app-3', source: 'app', name: 'سارا احمدي', phones: '+98 912 345 6789' };

const SKELETON = {
  description: 'a Persian-digit phone normalized, two profiles of one customer matched one by one, and a duplicate id',
  program_toml: PROGRAM_TOML,
  steps: [
    { op: 'normalize', kind: 'phone', text: '۰۹۱۲ ۳۴۵ ۶۷۸۹', expect: { result: { value: '+989123456789' } } },
    { op: 'normalize', kind: 'phone', text: '0000000000', expect: null },
    { op: 'normalize', kind: 'fax', text: '1', expect: { error: { kind: 'request', errors: [{ code: 'unknown_variant', path: 'kind' }] } } },
    { op: 'normalize_profile', profile: SARA_POS, expect: null },
    { op: 'compare', request: { a: SARA_POS, b: SARA_APP }, expect: null },
    { op: 'match', profile: SARA_POS, expect: null },
    { op: 'match', profile: SARA_APP, expect: null },
    {
      op: 'dedupe',
      request: { profiles: [SARA_POS, SARA_POS] },
      expect: { error: { kind: 'request', errors: [{ code: 'duplicate_profile', path: 'profiles[1].id' }] } },
    },
    { op: 'dedupe', request: { profiles: [SARA_POS, SARA_APP] }, expect: null },
  ],
};

const clone = (v) => structuredClone(v);

/** The skeleton with every `null` expect filled in from a run (errors kept as written). */
function sample() {
  const doc = clone(SKELETON);
  const answers = runMergeVector(mod, doc);
  doc.steps.forEach((step, i) => {
    if (step.expect === null) step.expect = answers[i];
  });
  return doc;
}

test('the merge runner answers every step; match steps share one index', () => {
  const answers = runMergeVector(mod, SKELETON);
  assert.equal(answers.length, SKELETON.steps.length);
  assert.deepEqual(answers[0], SKELETON.steps[0].expect);
  assert.equal(typeof answers[1].result.rejected, 'string');
  assert.deepEqual(answers[2], SKELETON.steps[2].expect);
  assert.equal(answers[3].result.id, 'pos-7');
  assert.equal(answers[4].result.linked, true);
  // The first profile starts its own customer; the second joins it.
  assert.equal(answers[5].result.joined, false);
  assert.equal(answers[6].result.joined, true);
  // The customer is named by the surviving profile, the same as the batch's.
  assert.equal(answers[6].result.customer, answers[8].result.clusters[0].id);
  assert.deepEqual(answers[7], SKELETON.steps[7].expect);
  assert.equal(answers[8].result.stats.customers, 1);
  // A fresh index per run: the same vector gives the same answers again.
  assert.deepEqual(runMergeVector(mod, SKELETON), answers);
});

test('the merge runner passes a well-formed vector and reports a wrong expect', () => {
  const good = sample();
  assert.equal(checkMergeVector(mod, good), null);
  const wrongValue = clone(good);
  wrongValue.steps[0].expect.result.value = '+989123456788';
  assert.match(checkMergeVector(mod, wrongValue), /^step 0 \(normalize\) differs/);
  const wrongJoin = clone(good);
  wrongJoin.steps[6].expect.result.joined = false;
  assert.match(checkMergeVector(mod, wrongJoin), /^step 6 \(match\) differs/);
  const wrongPath = clone(good);
  wrongPath.steps[7].expect.error.errors[0].path = 'profiles[0].id';
  assert.match(checkMergeVector(mod, wrongPath), /^step 7 \(dedupe\) differs/);
});

test('the merge runner refuses malformed vectors, each for its own reason', () => {
  assertRefusesMalformed(checkMergeVector, sample(), [
    ...malformedCases('merge'),
    ['a coupon op', (d) => void (d.steps[0].op = 'apply'), /step 0: unknown op `apply`/],
    ['missing text', (d) => void delete d.steps[0].text, /step 0: a `normalize` step needs `text`/],
    ['kind not text', (d) => void (d.steps[0].kind = 1), /step 0: `kind` must be a string/],
    ['a key of another op', (d) => void (d.steps[5].request = {}), /step 5: unknown key `request` in a `match` step/],
    ['compare with a third key', (d) => void (d.steps[4].request.c = {}), /step 4: a `compare` step needs a `request` object/],
    ['compare request not an object', (d) => void (d.steps[4].request = []), /step 4: a `compare` step needs a `request` object/],
    ['no expect', (d) => void delete d.steps[3].expect, /step 3: \(normalize_profile\) has no `expect`/],
  ]);
});

test('a compare request missing a side is the core\'s missing_field, not a malformed vector', () => {
  const doc = {
    description: 'compare without b',
    program_toml: PROGRAM_TOML,
    steps: [{ op: 'compare', request: { a: SARA_POS }, expect: {} }],
  };
  assert.deepEqual(runMergeVector(mod, doc), [
    { error: { kind: 'request', errors: [{ code: 'missing_field', path: 'b' }] } },
  ]);
});

test('merge ops are not coupon ops', () => {
  const couponDoc = {
    description: 'a merge op in a coupon vector',
    program_toml: PROGRAM_TOML,
    steps: [{ op: 'dedupe', request: { profiles: [] }, expect: {} }],
  };
  assert.throws(() => checkCouponVector(mod, couponDoc), /unknown op `dedupe`/);
});
