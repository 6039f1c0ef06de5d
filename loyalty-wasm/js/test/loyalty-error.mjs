// Assertions on the `LoyaltyError`s the binding throws (and returns in place
// of failed items from `quoteMany` and `postMany`), shared by the API tests.
import assert from 'node:assert/strict';
import mod from './binding.mjs';

/**
 * Asserts `e` is a well-formed LoyaltyError (of `kind`, when given): `code`
 * and `path` are those of the first of `errors`, the message starts with
 * its message, and every error is `{code, path, message}` with a code that
 * `errorCodes()` lists for the kind.
 */
export function checkLoyaltyError(e, kind) {
  assert.ok(e instanceof Error, `a LoyaltyError is an Error: ${e}`);
  assert.equal(e.name, 'LoyaltyError', String(e?.stack ?? e));
  if (kind !== undefined) assert.equal(e.kind, kind);
  assert.ok(Array.isArray(e.errors) && e.errors.length > 0);
  const [first] = e.errors;
  assert.equal(e.code, first.code);
  assert.equal(e.path, first.path);
  assert.ok(e.message.startsWith(first.message), `${e.message} / ${first.message}`);
  const codes = mod.errorCodes()[e.kind];
  assert.ok(Array.isArray(codes), `${e.kind} is a kind errorCodes() lists`);
  for (const x of e.errors) {
    assert.deepEqual(Object.keys(x).sort(), ['code', 'message', 'path']);
    assert.ok(codes.includes(x.code), `${x.code} is a ${e.kind} code`);
  }
}

/** Asserts `fn` throws a LoyaltyError (of `kind`, when given) and returns it. */
export function loyaltyError(fn, kind) {
  let caught;
  assert.throws(fn, (e) => {
    caught = e;
    return true;
  });
  checkLoyaltyError(caught, kind);
  return caught;
}
