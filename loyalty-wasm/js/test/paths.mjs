// Where the tests find the built packages and the vectors (overridable by env).
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const jsDir = resolve(here, '..');
export const repoRoot = resolve(jsDir, '..', '..');
export const pkgDir = resolve(process.env.LOYALTY_WASM_PKG ?? join(jsDir, '..', 'pkg'));
export const vectorsDir = resolve(process.env.LOYALTY_VECTORS ?? join(repoRoot, 'tests', 'vectors'));

/** Every vector as `{name: "<capability>/<stem>", file: "<capability>/<stem>.json"}`, sorted. */
export function listVectors() {
  const out = [];
  for (const cap of readdirSync(vectorsDir).sort()) {
    if (!statSync(join(vectorsDir, cap)).isDirectory()) continue;
    for (const f of readdirSync(join(vectorsDir, cap)).sort()) {
      if (f.endsWith('.json')) out.push({ name: `${cap}/${f.slice(0, -5)}`, file: `${cap}/${f}` });
    }
  }
  return out;
}
