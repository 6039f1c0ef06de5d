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

// ---------------------------------------------------------------------------
// Ledger, tier, coupon, merge, referral and insights vectors (tests/README.md,
// "Ledger vectors"): a program and a list of steps, each one call of the ledger
// (tier, coupon, merge, referral, insights) API with its own expected envelope,
// `{"result": ...}` or `{"error": ...}`.
// Checked as strictly as the Rust runner (tests/src/vectors.rs) checks them,
// so a malformed file fails here too instead of passing vacuously.

const STEP_TOP_KEYS = ['description', 'program', 'program_toml', 'steps'];

/** The arguments each ledger op takes, besides `op` and `expect`. */
const LEDGER_STEP_KEYS = {
  post: ['event'],
  balance: ['account', 'at'],
  lots: ['account', 'at'],
  statement: ['account', 'at'],
  expiring: ['account', 'at', 'days'],
  pay: ['request'],
  earn_event: ['request', 'account', 'id'],
};

/** The arguments each tier op takes (tier vectors), besides `op` and `expect`. */
const TIER_STEP_KEYS = {
  post: ['event'],
  status: ['account', 'at'],
  history: ['account', 'at'],
  order_tier: ['event'],
  check: [],
};

/**
 * The arguments each coupon op takes (coupon vectors), besides `op` and
 * `expect`. Coupon calls keep no state: the host passes counters and code
 * records from one step's answer to the next step's request.
 */
const COUPON_STEP_KEYS = {
  apply: ['request'],
  check_code: ['code'],
  generate: ['request'],
  quote: ['request'],
};

/**
 * The arguments each merge op takes (merge vectors), besides `op` and
 * `expect`. `match` steps add to one `MatchIndex` per vector, kept across its
 * steps; the other ops keep no state.
 */
const MERGE_STEP_KEYS = {
  normalize: ['kind', 'text'],
  normalize_profile: ['profile'],
  compare: ['request'],
  dedupe: ['request'],
  match: ['profile'],
};

/**
 * The arguments each referral op takes (referral vectors), besides `op` and
 * `expect`. Every step runs on one `ReferralBook` per vector.
 */
const REFERRAL_STEP_KEYS = {
  post: ['event'],
  settle: ['at'],
  referral: ['referee'],
  resolve: ['code'],
  check_code: ['code'],
  list: [],
};

/**
 * The arguments each insights op takes (insights vectors), besides `op` and
 * `expect`. Insights keep no state: every step is one `Program` call
 * (`stats`: `customerStats`, `triggers`: `triggers`, `report`: `report`
 * without books).
 */
const INSIGHTS_STEP_KEYS = {
  stats: ['request'],
  triggers: ['request'],
  report: ['request'],
};

const TEXT_KEYS = ['account', 'at', 'id', 'code', 'kind', 'text', 'referee'];

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Throws unless `doc` is a well-formed step vector whose ops are those of
 * `stepKeys`; returns its steps. `what` names the kind of vector in messages;
 * `checkStep(step, fail)` adds the checks of one kind of vector.
 */
function vectorSteps(doc, what, stepKeys, checkStep = () => {}) {
  if (!isObject(doc)) throw new Error('a vector must be a JSON object');
  for (const key of Object.keys(doc)) {
    if (!STEP_TOP_KEYS.includes(key)) throw new Error(`unknown key \`${key}\` in a ${what} vector`);
  }
  if (typeof doc.description !== 'string' || doc.description.trim() === '') {
    throw new Error('a vector needs a `description` (non-empty text)');
  }
  const hasObject = Object.hasOwn(doc, 'program');
  const hasToml = Object.hasOwn(doc, 'program_toml');
  if (hasObject === hasToml || (hasObject && !isObject(doc.program)) || (hasToml && typeof doc.program_toml !== 'string')) {
    throw new Error('a vector needs `program` (object) or `program_toml` (text)');
  }
  if (!Array.isArray(doc.steps) || doc.steps.length === 0) {
    throw new Error(`a ${what} vector needs \`steps\` (a non-empty list)`);
  }
  doc.steps.forEach((step, i) => {
    const fail = (why) => {
      throw new Error(`step ${i}: ${why}`);
    };
    if (!isObject(step)) fail('a step must be an object');
    if (typeof step.op !== 'string') fail('`op` must be a string');
    if (!Object.hasOwn(stepKeys, step.op)) fail(`unknown op \`${step.op}\``);
    const keys = stepKeys[step.op];
    for (const key of Object.keys(step)) {
      if (key !== 'op' && key !== 'expect' && !keys.includes(key)) {
        fail(`unknown key \`${key}\` in a \`${step.op}\` step`);
      }
    }
    for (const key of keys) {
      if (!Object.hasOwn(step, key)) fail(`a \`${step.op}\` step needs \`${key}\``);
      if (TEXT_KEYS.includes(key) && typeof step[key] !== 'string') fail(`\`${key}\` must be a string`);
    }
    if (step.op === 'expiring' && !(Number.isInteger(step.days) && step.days >= 0 && step.days <= 0xffffffff)) {
      fail('`days` must be a whole number from 0 to 2^32 - 1');
    }
    checkStep(step, fail);
    if (!Object.hasOwn(step, 'expect')) fail(`(${step.op}) has no \`expect\``);
  });
  return doc.steps;
}

/** One step's call of the binding. */
function callStep(mod, program, ledger, step) {
  switch (step.op) {
    case 'post':
      return ledger.post(step.event);
    case 'balance':
      return ledger.balance(step.account, step.at);
    case 'lots':
      return ledger.lots(step.account, step.at);
    case 'statement':
      return ledger.statement(step.account, step.at);
    case 'expiring':
      return ledger.expiring(step.account, step.at, step.days);
    case 'pay':
      return ledger.payWithPoints(step.request);
    case 'earn_event':
      return program.earnEvent(step.request, step.account, step.id);
    default:
      throw new Error(`unknown op \`${step.op}\``);
  }
}

/** One tier step's call of the binding. */
function callTierStep(program, tiers, step) {
  switch (step.op) {
    case 'post':
      return tiers.post(step.event);
    case 'status':
      return tiers.status(step.account, step.at);
    case 'history':
      return tiers.history(step.account, step.at);
    case 'order_tier':
      return tiers.orderTier(step.event);
    case 'check':
      // Each warning's code and path, as errors are compared (messages left out).
      return program.check().map(({ code, path }) => ({ code, path }));
    default:
      throw new Error(`unknown op \`${step.op}\``);
  }
}

/** One coupon step's call of the binding (`Program` methods only: coupons keep no state). */
function callCouponStep(program, _book, step) {
  switch (step.op) {
    case 'apply':
      return program.applyCoupons(step.request);
    case 'check_code':
      return program.checkCode(step.code);
    case 'generate':
      return program.generateCodes(step.request);
    case 'quote':
      return program.quote(step.request);
    default:
      throw new Error(`unknown op \`${step.op}\``);
  }
}

/** One merge step's call of the binding (`match` adds to the vector's `MatchIndex`). */
function callMergeStep(program, index, step) {
  switch (step.op) {
    case 'normalize':
      return program.normalize(step.kind, step.text);
    case 'normalize_profile':
      return program.normalizeProfile(step.profile);
    case 'compare':
      // The vector's request is the core's `{a, b}`; the binding takes them apart.
      return program.compareProfiles(step.request.a, step.request.b);
    case 'dedupe':
      return program.dedupe(step.request);
    case 'match':
      return index.add(step.profile);
    default:
      throw new Error(`unknown op \`${step.op}\``);
  }
}

/** One referral step's call of the binding (on the vector's `ReferralBook`). */
function callReferralStep(program, book, step) {
  switch (step.op) {
    case 'post':
      return book.post(step.event);
    case 'settle':
      return book.settle(step.at);
    case 'referral':
      return book.referral(step.referee);
    case 'resolve':
      return book.resolve(step.code);
    case 'check_code':
      return program.checkReferralCode(step.code);
    case 'list':
      return book.referrals();
    default:
      throw new Error(`unknown op \`${step.op}\``);
  }
}

/** One insights step's call of the binding (`Program` methods only: insights keep no state). */
function callInsightsStep(program, _book, step) {
  switch (step.op) {
    case 'stats':
      return program.customerStats(step.request);
    case 'triggers':
      return program.triggers(step.request);
    case 'report':
      // A vector gives no books: the report of the orders alone.
      return program.report(step.request);
    default:
      throw new Error(`unknown op \`${step.op}\``);
  }
}

/**
 * Loads a step vector's program, makes the book (`Ledger`, `Tiers`,
 * `ReferralBook`; none for coupons) with `open(program)` and answers every
 * step with `call(program, book, step)`, in order; a refused step gives its
 * error envelope and the next still runs. With `refusedBookAnswers`, a book
 * the program refuses (a `LoyaltyError` from `open`) answers every step with
 * that refusal's envelope, as the Rust runner does for referral vectors.
 */
function runSteps(mod, doc, steps, open, call, { refusedBookAnswers = false } = {}) {
  let program;
  try {
    program = Object.hasOwn(doc, 'program_toml')
      ? mod.Program.fromToml(doc.program_toml)
      : new mod.Program(doc.program);
  } catch (e) {
    if (isLoyaltyError(e)) throw new Error(`the program does not load: ${canonical(errorEnvelope(e))}`);
    throw e;
  }
  let book;
  try {
    try {
      book = open(program);
    } catch (e) {
      if (refusedBookAnswers && isLoyaltyError(e)) return steps.map(() => errorEnvelope(e));
      throw e;
    }
    return steps.map((step) => {
      try {
        return { result: call(program, book, step) };
      } catch (e) {
        if (isLoyaltyError(e)) return errorEnvelope(e);
        throw e;
      }
    });
  } finally {
    book?.free();
    program.free();
  }
}

/**
 * Runs every step of a ledger vector on a fresh `Ledger` of the binding `mod`
 * and returns the answer envelopes in order. Throws when the file is malformed
 * (unknown key or op, missing argument, a program that does not load).
 */
export function runLedgerVector(mod, doc) {
  const steps = vectorSteps(doc, 'ledger', LEDGER_STEP_KEYS);
  return runSteps(mod, doc, steps, (p) => new mod.Ledger(p), (p, ledger, step) => callStep(mod, p, ledger, step));
}

/**
 * Runs every step of a tier vector (tests/README.md, "Tier vectors") on a
 * fresh `Tiers` of the binding `mod` and returns the answer envelopes in
 * order. Throws when the file is malformed, as `runLedgerVector` does.
 */
export function runTierVector(mod, doc) {
  const steps = vectorSteps(doc, 'tier', TIER_STEP_KEYS);
  return runSteps(mod, doc, steps, (p) => new mod.Tiers(p), callTierStep);
}

/**
 * Runs every step of a coupon vector (tests/README.md, "Coupon vectors")
 * against its program and returns the answer envelopes in order. Throws when
 * the file is malformed, as `runLedgerVector` does, and for a `generate`
 * step without a `seed`.
 */
export function runCouponVector(mod, doc) {
  const steps = vectorSteps(doc, 'coupon', COUPON_STEP_KEYS, (step, fail) => {
    // Codes from the operating system differ on every run: no expect could hold.
    if (step.op === 'generate' && !(isObject(step.request) && Object.hasOwn(step.request, 'seed'))) {
      fail('a `generate` step needs a `seed`');
    }
  });
  return runSteps(mod, doc, steps, () => null, callCouponStep);
}

/**
 * Runs every step of a merge vector against its program (`match` steps on
 * one fresh `MatchIndex`) and returns the answer envelopes in order. Throws
 * when the file is malformed, as `runLedgerVector` does, and for a `compare`
 * step whose request is not an object or has a key other than `a` and `b`.
 */
export function runMergeVector(mod, doc) {
  const steps = vectorSteps(doc, 'merge', MERGE_STEP_KEYS, (step, fail) => {
    if (step.op === 'compare') {
      const r = step.request;
      // `compareProfiles(a, b)` cannot pass on any other key (a missing side
      // is passed as `undefined`: the core's `missing_field`).
      if (!isObject(r) || Object.keys(r).some((k) => k !== 'a' && k !== 'b')) {
        fail('a `compare` step needs a `request` object with no key but `a` and `b`');
      }
    }
  });
  return runSteps(mod, doc, steps, (p) => p.matchIndex(), callMergeStep);
}

/**
 * Runs every step of a referral vector (tests/README.md) on a fresh
 * `ReferralBook` (`program.referralBook()`) of the binding `mod` and returns
 * the answer envelopes in order; a program without `[referrals]` answers
 * every step with the refusal of `referralBook()`
 * (`referrals_not_configured`). Throws when the file is malformed, as
 * `runLedgerVector` does.
 */
export function runReferralVector(mod, doc) {
  const steps = vectorSteps(doc, 'referral', REFERRAL_STEP_KEYS);
  return runSteps(mod, doc, steps, (p) => p.referralBook(), callReferralStep, { refusedBookAnswers: true });
}

/**
 * Runs every step of an insights vector (tests/README.md) against its
 * program and returns the answer envelopes in order, as
 * tests/src/vectors.rs `run_insights` does. Throws when the file is
 * malformed, as `runLedgerVector` does.
 */
export function runInsightsVector(mod, doc) {
  const steps = vectorSteps(doc, 'insights', INSIGHTS_STEP_KEYS);
  return runSteps(mod, doc, steps, () => null, callInsightsStep);
}

/** Compares each step's answer with its `expect`: null, or a report of the steps that differ. */
function stepReport(doc, actual) {
  let report = '';
  doc.steps.forEach((step, i) => {
    const a = canonical(actual[i]);
    const e = canonical(step.expect);
    if (a !== e) report += `step ${i} (${step.op}) differs\n  expected: ${e}\n  actual:   ${a}\n`;
  });
  return report === '' ? null : report;
}

/**
 * Compares every step's answer with its `expect`; returns null, or a report
 * of the steps that differ. Throws when the file is malformed.
 */
export function checkLedgerVector(mod, doc) {
  return stepReport(doc, runLedgerVector(mod, doc));
}

/** `checkLedgerVector` for a tier vector. */
export function checkTierVector(mod, doc) {
  return stepReport(doc, runTierVector(mod, doc));
}

/** `checkLedgerVector` for a coupon vector. */
export function checkCouponVector(mod, doc) {
  return stepReport(doc, runCouponVector(mod, doc));
}

/** `checkLedgerVector` for a merge vector. */
export function checkMergeVector(mod, doc) {
  return stepReport(doc, runMergeVector(mod, doc));
}

/** `checkLedgerVector` for a referral vector. */
export function checkReferralVector(mod, doc) {
  return stepReport(doc, runReferralVector(mod, doc));
}

/** `checkLedgerVector` for an insights vector. */
export function checkInsightsVector(mod, doc) {
  return stepReport(doc, runInsightsVector(mod, doc));
}
