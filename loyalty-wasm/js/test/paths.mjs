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

/** Capability directories of step vectors, each listed by its own function below. */
const STEP_CAPABILITIES = [LEDGER, TIERS, COUPONS, MERGE];

/**
 * Every quote vector as `{name: "<capability>/<stem>", file: "<capability>/<stem>.json"}`,
 * sorted; the ledger's, the tier book's, the coupons' and profile merging's
 * step vectors are listed by `listLedgerVectors`, `listTierVectors`,
 * `listCouponVectors` and `listMergeVectors`.
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
