// Profile merging's JavaScript API: normalizing values as matching sees them,
// one customer from a Persian-digit and a `+98` phone, a household phone that
// does not merge people, placeholders that never link, errors, and the
// incremental MatchIndex.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mod from './binding.mjs';
import { loyaltyError } from './loyalty-error.mjs';

const { Program, MatchIndex } = mod;

const PROGRAM = {
  schema_version: 1,
  id: 'tehran-cafe',
  currency: 'IRR',
  time_zone: 'Asia/Tehran',
  earn_rules: [],
  merge: { region: 'IR' },
};

const program = new Program(PROGRAM);

const SARA_WEB = { id: 'web-1', source: 'web', name: 'Sara Ahmadi', emails: 'sara.ahmadi@gmail.com' };
const SARA_POS = { id: 'pos-7', source: 'pos', name: 'سارا احمدی', phones: '۰۹۱۲ ۳۴۵ ۶۷۸۹' };
const SARA_APP = {
  id: 'app-3',
  source: 'app',
  name: 'سارا احمدي',
  phones: '+98 912 345 6789',
  emails: 'Sara.Ahmadi+app@gmail.com',
};

/** Asserts `fn` throws a LoyaltyError of kind request and returns it. */
const requestError = (fn) => loyaltyError(fn, 'request');

test('a phone typed in Persian digits and the same phone in +98 form are one number', () => {
  const persian = program.normalize('phone', '۰۹۱۲ ۳۴۵ ۶۷۸۹');
  assert.equal(Object.getPrototypeOf(persian), Object.prototype);
  assert.deepEqual(persian, { value: '+989123456789' });
  assert.deepEqual(program.normalize('phone', '+98 912 345 6789'), persian);
  assert.deepEqual(program.normalize('phone', '00989123456789'), persian);
  // Arabic-Indic digits too.
  assert.deepEqual(program.normalize('phone', '٠٩١٢٣٤٥٦٧٨٩'), persian);
});

test('a Persian-digit profile and a +98 profile become one customer', () => {
  const answer = program.dedupe({ profiles: [SARA_POS, SARA_APP] });
  assert.equal(answer.stats.profiles, 2);
  assert.equal(answer.stats.customers, 1);
  assert.equal(answer.cluster_of.length, 2);
  assert.equal(answer.cluster_of[0], answer.cluster_of[1]);
  assert.equal(answer.clusters.length, 1);
  assert.deepEqual([...answer.clusters[0].members].sort(), ['app-3', 'pos-7']);
  assert.equal(answer.clusters[0].id, answer.cluster_of[0]);

  // With the web profile (linked through the e-mail the app profile shares).
  const three = program.dedupe({ profiles: [SARA_WEB, SARA_POS, SARA_APP], explain: true });
  assert.equal(three.stats.customers, 1);
  assert.ok(three.cluster_of.every((c) => c === three.clusters[0].id));
  assert.ok(three.links.length >= 2);
  for (const link of three.links) {
    assert.equal(typeof link.score, 'string');
    assert.ok(link.evidence.length > 0, 'explain gives every link its evidence');
  }

  // The order of the profiles does not matter.
  const reversed = program.dedupe({ profiles: [SARA_APP, SARA_POS, SARA_WEB], explain: true });
  assert.deepEqual(reversed.clusters, three.clusters);
  assert.deepEqual([...reversed.cluster_of].reverse(), three.cluster_of);

  const pair = program.compareProfiles(SARA_POS, SARA_APP);
  assert.equal(pair.linked, true);
  assert.equal(typeof pair.score, 'string');
  assert.ok(pair.evidence.some((e) => e.field === 'phone' && e.value === '+989123456789'), JSON.stringify(pair.evidence));
});

test('a household phone shared by people with different given names does not merge them', () => {
  const sara = { id: 'h-1', given_name: 'Sara', family_name: 'Ahmadi', phones: '09123456789' };
  const reza = { id: 'h-2', given_name: 'Reza', family_name: 'Ahmadi', phones: '0912 345 6789' };
  const answer = program.dedupe({ profiles: [sara, reza], all_clusters: true });
  assert.equal(answer.stats.customers, 2);
  assert.notEqual(answer.cluster_of[0], answer.cluster_of[1]);
  assert.deepEqual(answer.cluster_of, ['h-1', 'h-2']);
  assert.equal(answer.clusters.length, 2, 'all_clusters lists single-profile customers');
  assert.equal(program.compareProfiles(sara, reza).linked, false);
  // Without all_clusters only customers of more than one profile are listed.
  assert.deepEqual(program.dedupe({ profiles: [sara, reza] }).clusters, []);
});

test('0000000000 is a placeholder: it never links anyone', () => {
  const rejected = program.normalize('phone', '0000000000');
  assert.deepEqual(Object.keys(rejected), ['rejected']);
  assert.equal(typeof rejected.rejected, 'string');
  const a = { id: 'p-1', name: 'Ali Karimi', phones: '0000000000' };
  const b = { id: 'p-2', name: 'Maryam Rahimi', phones: '0000000000' };
  const answer = program.dedupe({ profiles: [a, b] });
  assert.equal(answer.stats.customers, 2);
  assert.notEqual(answer.cluster_of[0], answer.cluster_of[1]);
  assert.equal(answer.stats.rejected_values, 2);
  const pair = program.compareProfiles(a, b);
  assert.equal(pair.linked, false);
  assert.ok(!pair.evidence.some((e) => e.field === 'phone' && e.level === 'exact'), JSON.stringify(pair.evidence));
  // The normalized profile says what was set aside and why.
  const normal = program.normalizeProfile(a);
  assert.equal(normal.id, 'p-1');
  assert.ok(JSON.stringify(normal).includes('0000000000'), JSON.stringify(normal));
  const index = program.matchIndex();
  try {
    index.add(a);
    const decision = index.add(b);
    assert.equal(decision.joined, false);
    assert.equal(decision.customer, 'p-2');
  } finally {
    index.free();
  }
});

test('a profile id given twice is refused with duplicate_profile', () => {
  const e = requestError(() => program.dedupe({ profiles: [SARA_POS, SARA_APP, { ...SARA_WEB, id: 'pos-7' }] }));
  assert.equal(e.code, 'duplicate_profile');
  assert.equal(e.path, 'profiles[2].id');
});

test('requests that cannot be answered throw LoyaltyErrors, never panics', () => {
  assert.equal(requestError(() => program.normalize('fax', '1')).path, 'kind');
  assert.equal(requestError(() => program.normalize('fax', '1')).code, 'unknown_variant');
  assert.deepEqual(
    [requestError(() => program.normalize(1, 'x')).code, requestError(() => program.normalize(1, 'x')).path],
    ['invalid_type', 'kind'],
  );
  assert.equal(requestError(() => program.normalize('phone')).path, 'text');
  assert.equal(requestError(() => program.dedupe({ profiles: [{ id: '' }] })).path, 'profiles[0].id');
  assert.equal(requestError(() => program.dedupe({ profiles: [{ id: 'x', nickname: 'S' }] })).code, 'unknown_field');
  assert.equal(requestError(() => program.dedupe({ profiles: [], explian: true })).code, 'unknown_field');
  assert.equal(requestError(() => program.dedupe(undefined)).code, 'invalid_type');
  assert.equal(requestError(() => program.dedupe({ profiles: [{ id: 'x', toJSON() { throw new Error('boom'); } }] })).code, 'invalid_type');
  assert.equal(requestError(() => program.normalizeProfile({ name: 'no id' })).code, 'missing_field');
  assert.deepEqual(
    [requestError(() => program.compareProfiles(SARA_POS)).code, requestError(() => program.compareProfiles(SARA_POS)).path],
    ['missing_field', 'b'],
  );
  assert.match(requestError(() => program.compareProfiles(SARA_POS, { id: 'x', phones: 5 })).path, /^b\.phones/);
  // The program still answers afterwards.
  assert.equal(program.dedupe({ profiles: [SARA_POS, SARA_APP] }).stats.customers, 1);
});

test('a MatchIndex joins a second profile of the same customer', () => {
  const index = program.matchIndex();
  assert.ok(index instanceof MatchIndex);
  assert.equal(index.size, 0);
  const first = index.add(SARA_POS);
  assert.equal(first.profile, 'pos-7');
  assert.equal(first.customer, 'pos-7');
  assert.equal(first.joined, false);
  assert.deepEqual(first.links, []);
  assert.equal(first.normalized.id, 'pos-7');
  assert.equal(index.size, 1);

  const second = index.add(SARA_APP);
  assert.equal(second.profile, 'app-3');
  assert.equal(second.joined, true);
  assert.equal(index.size, 2);
  assert.equal(second.links.length, 1);
  assert.deepEqual([second.links[0].a, second.links[0].b].sort(), ['app-3', 'pos-7']);
  // The customer is the one the batch names.
  const batch = program.dedupe({ profiles: [SARA_POS, SARA_APP] });
  assert.equal(second.customer, batch.clusters[0].id);

  // A household member (another given name, in the same script) does not
  // join; a refused profile changes nothing.
  const reza = index.add({ id: 'pos-9', name: 'رضا احمدی', phones: '09123456789' });
  assert.equal(reza.joined, false);
  assert.equal(reza.customer, 'pos-9');
  assert.equal(index.size, 3);
  assert.equal(requestError(() => index.add({ id: ' ' })).path, 'id');
  assert.equal(requestError(() => index.add({ id: 'x', shoe_size: 42 })).code, 'unknown_field');
  assert.equal(requestError(() => index.add(null)).code, 'invalid_type');
  assert.equal(index.size, 3);

  // Adding the same id again replaces its values (no new profile).
  assert.equal(index.add(SARA_APP).customer, second.customer);
  assert.equal(index.size, 3);
  index.free();
});

test('a MatchIndex outlives its program and stays usable after a throwing toJSON', () => {
  const own = new Program(PROGRAM);
  const index = own.matchIndex();
  own.free();
  index.add(SARA_POS);
  const hostile = { ...SARA_APP, toJSON() { throw new Error('boom'); } };
  assert.match(requestError(() => index.add(hostile)).message, /boom/);
  // Re-entering the index from a profile's toJSON is refused, not a crash.
  const reentrant = { ...SARA_APP, toJSON() { index.add(SARA_WEB); return SARA_APP; } };
  const e = requestError(() => index.add(reentrant));
  assert.equal(e.code, 'invalid_type');
  assert.equal(index.add(SARA_APP).joined, true);
  assert.equal(index.size, 2);
  index.free();
});

test('dedupe of thousands of profiles runs on one thread in WebAssembly', () => {
  // Over the core's threshold (4096) for splitting work across threads:
  // std::thread::available_parallelism fails on wasm32, so it stays on this one.
  const profiles = [];
  for (let i = 0; i < 2500; i += 1) {
    const digits = String(9120000000 + i * 37);
    profiles.push({ id: `a-${i}`, given_name: `Given${i}`, family_name: 'Family', phones: `0${digits}` });
    profiles.push({ id: `b-${i}`, given_name: `Given${i}`, family_name: 'Family', phones: `+98${digits}` });
  }
  const answer = program.dedupe({ profiles });
  assert.equal(answer.stats.profiles, 5000);
  assert.equal(answer.stats.customers, 2500);
  for (let i = 0; i < 5000; i += 2) assert.equal(answer.cluster_of[i], answer.cluster_of[i + 1]);
});
