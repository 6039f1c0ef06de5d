// Values that no call of the binding should crash on, and the loop that
// feeds them to a list of calls: shared by the API tests' "garbage input"
// tests.
import assert from 'node:assert/strict';
import { checkLoyaltyError } from './loyalty-error.mjs';

/** A short label for any value, for assertion messages (never throws). */
export function label(value) {
  try {
    return typeof value === 'symbol' || typeof value === 'bigint' ? String(value) : JSON.stringify(value)?.slice(0, 80);
  } catch {
    return String(typeof value);
  }
}

/** `{a: {a: ...}}`, `depth` objects deep. */
export function nestedObject(depth = 1_000) {
  const top = {};
  let obj = top;
  for (let i = 0; i < depth; i++) {
    obj.a = {};
    obj = obj.a;
  }
  return top;
}

/**
 * Values JSON cannot carry or that fight being read: scalars, a symbol, a
 * BigInt, a function, arrays nested 100,000 deep and objects 1,000 deep,
 * and, built from the well-formed `sample` object, a copy holding a deep
 * object, a cyclic copy, a copy whose `throwingKey` getter throws, an
 * array whose second item's getter throws, a revoked proxy, and a copy
 * whose `id` getter calls `reenter()` (which re-enters the binding while it
 * is reading the value).
 */
export function hostileValues(sample, { throwingKey, reenter }) {
  const deep = [];
  let cur = deep;
  for (let i = 0; i < 100_000; i++) {
    const next = [];
    cur.push(next);
    cur = next;
  }
  const deepObject = nestedObject();
  const cyclic = { ...sample };
  cyclic.self = cyclic;
  const throwingGetter = { ...sample };
  Object.defineProperty(throwingGetter, throwingKey, { enumerable: true, get: () => { throw new Error('boom'); } });
  const throwingArray = [sample];
  Object.defineProperty(throwingArray, 1, { enumerable: true, get: () => { throw new Error('boom'); } });
  const { proxy: revoked, revoke } = Proxy.revocable([], {});
  revoke();
  const reentrant = { ...sample };
  Object.defineProperty(reentrant, 'id', {
    enumerable: true,
    get() {
      reenter();
      return 'x';
    },
  });
  return [
    undefined, null, 0, -1, 1.5, NaN, '', true, [], {}, [[]], Symbol('s'), 10n, () => 1, new Date(0), new Map(), /x/,
    deep, deepObject, { ...sample, extra: deepObject }, cyclic, throwingGetter, throwingArray, revoked, reentrant,
  ];
}

/**
 * Calls every one of `calls` with every value of `garbage`: each either
 * answers (an array answer's `Error` items must be well-formed
 * LoyaltyErrors) or throws a well-formed LoyaltyError of one of `kinds`,
 * never anything else; after each value `alive()` must still answer.
 */
export function assertOnlyLoyaltyErrors(garbage, calls, { kinds, alive }) {
  for (const g of garbage) {
    const what = label(g);
    for (const call of calls) {
      let answer;
      try {
        answer = call(g);
      } catch (e) {
        assert.ok(e instanceof Error, `${what}: threw a non-Error ${String(e)}`);
        assert.equal(e.name, 'LoyaltyError', `${what}: ${e.stack}`);
        assert.ok(kinds.includes(e.kind), `${what}: kind ${e.kind}`);
        checkLoyaltyError(e, e.kind);
        continue;
      }
      for (const item of Array.isArray(answer) ? answer : []) {
        if (item instanceof Error) checkLoyaltyError(item, item.kind);
      }
    }
    alive(what);
  }
}
