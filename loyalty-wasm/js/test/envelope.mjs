// Shared by the Node tests and the browser page (so: no Node imports here).
// Builds a vector's answer envelope from the binding's answer and writes
// canonical JSON the way the core does (loyalty-core/src/canonical.rs).

/** Orders strings by Unicode code point, as Rust's `str` ordering does. */
function byCodePoint(a, b) {
  const x = a[Symbol.iterator]();
  const y = b[Symbol.iterator]();
  for (;;) {
    const p = x.next();
    const q = y.next();
    if (p.done || q.done) return (p.done ? 0 : 1) - (q.done ? 0 : 1);
    const d = p.value.codePointAt(0) - q.value.codePointAt(0);
    if (d !== 0) return d;
  }
}

/** Canonical JSON: keys sorted at every level, no white space, non-ASCII kept. */
export function canonical(value) {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) {
      throw new Error(`canonical JSON holds integers only, got ${value}`);
    }
    const text = JSON.stringify(value);
    if (text === undefined) throw new Error(`no JSON form for ${typeof value}`);
    return text;
  }
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort(byCodePoint);
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
}

/** `{error: {kind, errors: [{code, path}]}}` from a thrown LoyaltyError (messages left out). */
export function errorEnvelope(e) {
  return { error: { kind: e.kind, errors: e.errors.map(({ code, path }) => ({ code, path })) } };
}

function isLoyaltyError(e) {
  return e instanceof Error && e.name === 'LoyaltyError';
}

/**
 * Runs one vector document through the binding `mod` (the object exporting
 * `Program`) and returns its answer envelope, as tests/src/vectors.rs does.
 */
export function runVector(mod, doc) {
  const hasObject = Object.hasOwn(doc, 'program');
  const hasToml = Object.hasOwn(doc, 'program_toml');
  if (hasObject === hasToml || (hasToml && typeof doc.program_toml !== 'string')) {
    throw new Error('a vector needs `program` (object) or `program_toml` (text)');
  }
  if (!Object.hasOwn(doc, 'request')) throw new Error('a vector needs `request`');
  let program;
  try {
    // A string given as `program` is a JSON value, not JSON text: the Rust runner
    // hands it to the core as a value, so hand over its JSON text to get the same.
    program = hasToml
      ? mod.Program.fromToml(doc.program_toml)
      : new mod.Program(typeof doc.program === 'string' ? JSON.stringify(doc.program) : doc.program);
  } catch (e) {
    if (isLoyaltyError(e)) return errorEnvelope(e);
    throw e;
  }
  try {
    return { quote: program.quote(doc.request) };
  } catch (e) {
    if (isLoyaltyError(e)) return errorEnvelope(e);
    throw e;
  } finally {
    program.free();
  }
}

/** Compares a vector's answer with its `expect`; returns null or a description of the difference. */
export function checkVector(mod, doc) {
  if (!Object.hasOwn(doc, 'expect')) return 'a vector needs `expect`';
  const actual = canonical(runVector(mod, doc));
  const expected = canonical(doc.expect);
  return actual === expected ? null : `answer differs\n  expected: ${expected}\n  actual:   ${actual}`;
}
