// The `--target nodejs` build (CommonJS) of the binding.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pkgDir } from './paths.mjs';

export default createRequire(import.meta.url)(join(pkgDir, 'node', 'loyalty_wasm.js'));
