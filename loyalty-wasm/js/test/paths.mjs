// Where the tests find the built packages and the vectors (overridable by env).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const jsDir = resolve(here, '..');
export const repoRoot = resolve(jsDir, '..', '..');
export const pkgDir = resolve(process.env.LOYALTY_WASM_PKG ?? join(jsDir, '..', 'pkg'));
export const vectorsDir = resolve(process.env.LOYALTY_VECTORS ?? join(repoRoot, 'tests', 'vectors'));

/** The capability directory whose vectors are ledger step lists (tests/README.md). */
export const LEDGER = 'ledger';
/** The capability directory whose vectors are tier step lists (tests/README.md). */
export const TIERS = 'tiers';
/** The capability directory whose vectors are coupon step lists (tests/README.md). */
export const COUPONS = 'coupons';

/** The capability directory whose vectors are profile-merging step lists. */
export const MERGE = 'merge';

/** The capability directory whose vectors are referral book step lists. */
export const REFERRALS = 'referrals';

/** The capability directory whose vectors are insights step lists. */
export const INSIGHTS = 'insights';

/** Capability directories of step vectors, each listed by its own function below. */
const STEP_CAPABILITIES = [LEDGER, TIERS, COUPONS, MERGE, REFERRALS, INSIGHTS];

/**
 * Every quote vector as `{name: "<capability>/<stem>", file: "<capability>/<stem>.json"}`,
 * sorted; the ledger's, the tier book's, the coupons', profile merging's,
 * the referral book's and insights' step vectors are listed by
 * `listLedgerVectors`, `listTierVectors`, `listCouponVectors`,
 * `listMergeVectors`, `listReferralVectors` and `listInsightsVectors`.
 */
export function listVectors() {
  const out = [];
  for (const cap of readdirSync(vectorsDir).sort()) {
    if (STEP_CAPABILITIES.includes(cap) || !statSync(join(vectorsDir, cap)).isDirectory()) continue;
    out.push(...listDir(cap));
  }
  return out;
}

/** Every ledger vector (`ledger/*.json`), same shape; none while the folder is absent. */
export function listLedgerVectors() {
  return listSteps(LEDGER);
}

/** Every tier vector (`tiers/*.json`), same shape; none while the folder is absent. */
export function listTierVectors() {
  return listSteps(TIERS);
}

/** Every coupon vector (`coupons/*.json`), same shape; none while the folder is absent. */
export function listCouponVectors() {
  return listSteps(COUPONS);
}

/** Every merge vector (`merge/*.json`), same shape; none while the folder is absent. */
export function listMergeVectors() {
  return listSteps(MERGE);
}

/**
 * Every referral vector (`referrals/*.json`), same shape. The vectors exist:
 * a missing folder throws instead of running none.
 */
export function listReferralVectors() {
  return listRequiredSteps(REFERRALS, 'referral');
}

/**
 * Every insights vector (`insights/*.json`), same shape. The vectors exist:
 * a missing folder throws instead of running none.
 */
export function listInsightsVectors() {
  return listRequiredSteps(INSIGHTS, 'insights');
}

/** `listSteps` for a capability whose vectors exist: a missing folder throws, naming `what`. */
function listRequiredSteps(cap, what) {
  const dir = join(vectorsDir, cap);
  if (!existsSync(dir)) throw new Error(`no ${what} vectors: ${dir} does not exist`);
  return listSteps(cap);
}

function listSteps(cap) {
  const dir = join(vectorsDir, cap);
  if (!existsSync(dir)) return [];
  if (!statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory`);
  return listDir(cap);
}

function listDir(cap) {
  return readdirSync(join(vectorsDir, cap))
    .sort()
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({ name: `${cap}/${f.slice(0, -5)}`, file: `${cap}/${f}` }));
}
