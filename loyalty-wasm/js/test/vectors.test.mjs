// Every conformance vector through the Node build, compared byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mod from './binding.mjs';
import { checkVector } from './envelope.mjs';
import { listVectors, vectorsDir } from './paths.mjs';

const vectors = listVectors();

test('there are vectors', () => {
  assert.ok(vectors.length > 0, `no vectors under ${vectorsDir}`);
});

for (const { name, file } of vectors) {
  test(`vector ${name}`, () => {
    const doc = JSON.parse(readFileSync(join(vectorsDir, file), 'utf8'));
    const diff = checkVector(mod, doc);
    assert.equal(diff, null, diff ?? '');
  });
}
