// The tests every folder of step vectors gets under Node: one test per file
// (its answers compared byte for byte with its `expect`s), a check that the
// folder's files are not also run as quote vectors, and, for a folder that
// must exist, a test that its absence fails the listing instead of running
// none. Shared by the `*-vectors.test.mjs` files, with the malformed-vector
// cases every step-vector runner must refuse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mod from './binding.mjs';
import { listVectors, vectorsDir } from './paths.mjs';

/**
 * Registers the tests of the vectors under `capability` (listed by `list`,
 * one of paths.mjs's exported `list*Vectors`), each checked with `check`
 * (envelope.mjs's `check*Vector`); `what` names them in test names. With
 * `required`, the folder must exist and hold a vector; without, none yet
 * is a skip, said so.
 */
export function testVectorFiles({ what, capability, list, check, required = false }) {
  let vectors = [];
  let listing = null;
  try {
    vectors = list();
  } catch (e) {
    if (!required) throw e;
    listing = e;
  }
  const dir = join(vectorsDir, capability);
  if (required) {
    test(`there are ${what} vectors`, () => {
      assert.equal(listing, null, String(listing?.message));
      assert.ok(vectors.length > 0, `no ${what} vectors under ${dir}`);
    });
  } else if (vectors.length === 0) {
    test(`${what} vectors`, { skip: `no ${what} vectors under ${dir} yet` }, () => {});
  }

  for (const { name, file } of vectors) {
    test(`${what} vector ${name}`, () => {
      const text = readFileSync(join(vectorsDir, file), 'utf8');
      let doc;
      try {
        doc = JSON.parse(text);
      } catch (e) {
        assert.fail(`${file} is not valid JSON: ${e.message}`);
      }
      const diff = check(mod, doc);
      assert.equal(diff, null, diff ?? '');
    });
  }

  test(`${what} vectors are not run as quote vectors`, () => {
    assert.deepEqual(
      listVectors().filter((v) => v.file.startsWith(`${capability}/`)),
      [],
    );
  });

  if (required) {
    test(`a vectors folder without ${capability}/ fails the listing instead of running none`, () => {
      const empty = mkdtempSync(join(tmpdir(), 'loyalty-vectors-'));
      try {
        const paths = new URL('./paths.mjs', import.meta.url).href;
        const script = `import(${JSON.stringify(paths)}).then((m) => m[${JSON.stringify(list.name)}]())`;
        assert.throws(
          () =>
            execFileSync(process.execPath, ['--input-type=module', '-e', script], {
              env: { ...process.env, LOYALTY_VECTORS: empty },
              stdio: 'pipe',
            }),
          (e) => e.status !== 0 && new RegExp(`no ${what} vectors: .* does not exist`).test(String(e.stderr)),
        );
      } finally {
        rmSync(empty, { recursive: true, force: true });
      }
    });
  }
}

/**
 * The ways any step vector can be malformed, each as `[what, spoil,
 * message]`: `spoil(doc)` changes a copy of a well-formed vector whose
 * program is given as `program_toml` (and returns the replacement for the
 * whole document when that is what it spoils). `kind` names the vector in
 * messages (`referral`, `insights`); only step 0 is touched.
 */
export function malformedCases(kind) {
  return [
    ['not an object', () => [], /must be a JSON object/],
    ['no description', (d) => void delete d.description, /needs a `description`/],
    ['empty description', (d) => void (d.description = ' '), /needs a `description`/],
    ['unknown top-level key', (d) => void (d.expect = {}), new RegExp(`unknown key \`expect\` in a ${kind} vector`)],
    ['no program', (d) => void delete d.program_toml, /needs `program`/],
    ['both programs', (d) => void (d.program = {}), /needs `program`/],
    ['program as text', (d) => void ((d.program = '{}'), delete d.program_toml), /needs `program`/],
    ['a program that does not load', (d) => void (d.program_toml = 'id = '), /the program does not load/],
    ['no steps', (d) => void delete d.steps, /needs `steps`/],
    ['empty steps', (d) => void (d.steps = []), /needs `steps`/],
    ['a step that is not an object', (d) => void (d.steps[0] = 'step'), /step 0: a step must be an object/],
    ['op not text', (d) => void (d.steps[0].op = 1), /step 0: `op` must be a string/],
    ['unknown op', (d) => void (d.steps[0].op = 'nope'), /step 0: unknown op `nope`/],
    ['op from the prototype', (d) => void (d.steps[0].op = 'constructor'), /step 0: unknown op `constructor`/],
    ['unknown step key', (d) => void (d.steps[0].extra = {}), /step 0: unknown key `extra` in a `\w+` step/],
    ['no expect', (d) => void delete d.steps[0].expect, /step 0: \(\w+\) has no `expect`/],
  ];
}

/** Asserts `check` refuses every spoiled copy of `sample`, each with its own message. */
export function assertRefusesMalformed(check, sample, cases) {
  for (const [what, spoil, message] of cases) {
    let doc = structuredClone(sample);
    const replaced = spoil(doc);
    if (replaced !== undefined) doc = replaced;
    assert.throws(() => check(mod, doc), message, what);
  }
}
