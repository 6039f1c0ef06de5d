// Every referral vector (tests/vectors/referrals/*.json) through the Node
// build: each step's answer compared byte for byte with its `expect` (errors
// by code and path only), every step of a vector on one fresh
// `program.referralBook()`. The vectors exist: a missing folder, or one with
// no vector, fails; so does a file that is not JSON, or not a well-formed
// referral vector.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mod from './binding.mjs';
import { checkReferralVector, checkTierVector, runReferralVector } from './envelope.mjs';
import { REFERRALS, listReferralVectors } from './paths.mjs';
import { assertRefusesMalformed, malformedCases, testVectorFiles } from './vector-files.mjs';

testVectorFiles({ what: 'referral', capability: REFERRALS, list: listReferralVectors, check: checkReferralVector, required: true });

// The runner itself, on a vector made here. Worked out from
// loyalty-core/src/referrals: `sara` of `tehran-cafe` gets the derived code
// REF-XAW9-XWTN; the same phone typed with Persian digits and a leading 0 is
// +989123456789, so that signup is a self-referral; reza's order of 750000
// (over the 500000 minimum) makes his referral pending until the 14-day
// return window closes, and settling then pays 100 points to sara and 50 to
// reza, once.

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

const SARA = {
  type: 'member',
  id: 'e1',
  member: 'sara',
  at: '2026-03-01T10:00:00+03:30',
  identity: { profile: { id: 'sara', phones: '+98 912 345 6789' } },
};
const CODE = 'REF-XAW9-XWTN';
const LINKED = { code: CODE, linked_at: '2026-03-02T11:00:00+03:30', referee: 'reza', referrer: 'sara', status: 'linked' };
const PENDING = { ...LINKED, status: 'pending', qualified_by: 'o-1', pays_at: '2026-03-19T12:00:00+03:30' };
const CREDITED = { ...PENDING, status: 'credited', success: 1 };

const SAMPLE = {
  description: 'a self-referral by phone refused, a friend linked, qualified, paid once; every op',
  program_toml: PROGRAM_TOML,
  steps: [
    { op: 'check_code', code: 'ref xaw9 xwtn', expect: { result: { ok: true, code: CODE } } },
    { op: 'post', event: SARA, expect: { result: { event: 'e1', status: 'applied', code: CODE } } },
    { op: 'post', event: SARA, expect: { result: { event: 'e1', status: 'duplicate', code: CODE } } },
    {
      op: 'post',
      event: {
        type: 'signup',
        id: 'e2',
        referee: 'sara-2',
        code: 'ref xaw9 xwtn',
        at: '2026-03-02T10:00:00+03:30',
        identity: { profile: { id: 'sara-2', phones: '۰۹۱۲ ۳۴۵ ۶۷۸۹' } },
      },
      expect: {
        result: {
          event: 'e2',
          status: 'applied',
          rejected: [{ code: 'self_referral', evidence: [{ kind: 'phone', value: '+989123456789' }] }],
        },
      },
    },
    { op: 'resolve', code: 'ref-xaw9-xwtn', expect: { result: 'sara' } },
    { op: 'resolve', code: 'REF-XAW9-XWTP', expect: { result: null } },
    {
      op: 'post',
      event: { type: 'signup', id: 'e3', referee: 'reza', code: CODE, at: '2026-03-02T11:00:00+03:30' },
      expect: { result: { event: 'e3', status: 'applied', referrals: [LINKED] } },
    },
    { op: 'referral', referee: 'reza', expect: { result: LINKED } },
    { op: 'referral', referee: 'nobody', expect: { result: null } },
    {
      op: 'post',
      event: { type: 'order', id: 'e4', account: 'reza', order: 'o-1', amount: '750000', at: '2026-03-05T12:00:00+03:30' },
      expect: { result: { event: 'e4', status: 'applied', referrals: [PENDING] } },
    },
    { op: 'settle', at: '2026-03-19T11:59:59+03:30', expect: { result: { at: '2026-03-19T11:59:59+03:30' } } },
    {
      op: 'settle',
      at: '2026-03-19T12:00:00+03:30',
      expect: {
        result: {
          at: '2026-03-19T12:00:00+03:30',
          ledger: [
            { type: 'earn', id: 'referral:reza:referrer', account: 'sara', at: '2026-03-19T12:00:00+03:30', points: '100' },
            { type: 'earn', id: 'referral:reza:referee', account: 'reza', at: '2026-03-19T12:00:00+03:30', points: '50' },
          ],
          referrals: [CREDITED],
        },
      },
    },
    { op: 'list', expect: { result: [CREDITED] } },
    { op: 'settle', at: 'soon', expect: { error: { kind: 'referrals', errors: [{ code: 'invalid_timestamp', path: 'at' }] } } },
    {
      op: 'post',
      event: { type: 'order', id: 'e5', account: 'reza', order: 'o-2', amount: 1.5, at: '2026-03-20T12:00:00+03:30' },
      expect: { error: { kind: 'referrals', errors: [{ code: 'float_not_allowed', path: 'amount' }] } },
    },
  ],
};

const clone = (v) => structuredClone(v);

test('the referral runner passes a well-formed vector and reports a wrong expect', () => {
  assert.equal(checkReferralVector(mod, SAMPLE), null);
  const wrong = clone(SAMPLE);
  wrong.steps[2].expect.result.status = 'applied';
  assert.match(checkReferralVector(mod, wrong), /^step 2 \(post\) differs/);
  const wrongEvidence = clone(SAMPLE);
  wrongEvidence.steps[3].expect.result.rejected[0].evidence[0].value = '09123456789';
  assert.match(checkReferralVector(mod, wrongEvidence), /^step 3 \(post\) differs/);
  const wrongPath = clone(SAMPLE);
  wrongPath.steps[13].expect.error.errors[0].path = '';
  assert.match(checkReferralVector(mod, wrongPath), /^step 13 \(settle\) differs/);
});

test('the referral runner answers every step on a fresh book', () => {
  const answers = runReferralVector(mod, SAMPLE);
  assert.equal(answers.length, SAMPLE.steps.length);
  answers.forEach((a, i) => assert.deepEqual(a, SAMPLE.steps[i].expect, `step ${i}`));
  // A second run starts from an empty book: sara's first post is applied again.
  assert.deepEqual(runReferralVector(mod, SAMPLE)[1], SAMPLE.steps[1].expect);
});

test('a program without [referrals] answers every step with the refusal of the book', () => {
  const doc = clone(SAMPLE);
  doc.program_toml = PROGRAM_TOML.slice(0, PROGRAM_TOML.indexOf('[referrals]'));
  const refused = { error: { kind: 'referrals', errors: [{ code: 'referrals_not_configured', path: '' }] } };
  assert.deepEqual(runReferralVector(mod, doc), doc.steps.map(() => refused));
  for (const step of doc.steps) step.expect = refused;
  assert.equal(checkReferralVector(mod, doc), null);
  // Still checked as a referral vector: a malformed step is not answered.
  doc.steps[0].op = 'status';
  assert.throws(() => runReferralVector(mod, doc), /step 0: unknown op `status`/);
});

test('the referral runner refuses malformed vectors, each for its own reason', () => {
  assertRefusesMalformed(checkReferralVector, SAMPLE, [
    ...malformedCases('referral'),
    ['unknown op', (d) => void (d.steps[1].op = 'posst'), /step 1: unknown op `posst`/],
    ['a tier op', (d) => void (d.steps[7].op = 'status'), /step 7: unknown op `status`/],
    ['missing event', (d) => void delete d.steps[1].event, /step 1: a `post` step needs `event`/],
    ['missing referee', (d) => void delete d.steps[7].referee, /step 7: a `referral` step needs `referee`/],
    ['referee not text', (d) => void (d.steps[7].referee = 7), /step 7: `referee` must be a string/],
    ['code not text', (d) => void (d.steps[4].code = null), /step 4: `code` must be a string/],
    ['at not text', (d) => void (d.steps[10].at = 0), /step 10: `at` must be a string/],
    ['a key of another op', (d) => void (d.steps[4].referee = 'reza'), /step 4: unknown key `referee` in a `resolve` step/],
    ['list with an argument', (d) => void (d.steps[12].at = 'x'), /step 12: unknown key `at` in a `list` step/],
    ['no expect', (d) => void delete d.steps[5].expect, /step 5: \(resolve\) has no `expect`/],
  ]);
});

test('referral ops are not tier ops', () => {
  const tierDoc = {
    description: 'a referral op in a tier vector',
    program_toml: PROGRAM_TOML,
    steps: [{ op: 'settle', at: '2026-03-19T12:00:00+03:30', expect: {} }],
  };
  assert.throws(() => checkTierVector(mod, tierDoc), /unknown op `settle`/);
});
