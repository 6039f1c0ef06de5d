// The README's JavaScript quickstart runs as written against the Node build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pkgDir, repoRoot } from './paths.mjs';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);

test('the README has one JavaScript quickstart', () => {
  assert.equal(blocks.length, 1);
});

test('the README JavaScript quickstart runs', () => {
  const require = createRequire(import.meta.url);
  const binding = join(pkgDir, 'node', 'loyalty_wasm.js');
  const requireShim = (name) => (name === 'loyalty-wasm' ? require(binding) : require(name));
  for (const code of blocks) {
    new Function('require', code)(requireShim);
  }
});
