// The built CLI: bin/sotto.js runs dist/main.js only while every file it was built from is unchanged
// (build-freshness.js), so that an edited source is never shadowed by the build.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BUILD_INPUTS, buildIsFresh } from '../bin/build-freshness.js';

test('a build is fresh while its inputs keep their content: a touch is not a change, an edit or a removal is', () => {
  const root = mkdtempSync(join(tmpdir(), 'sotto-cli-fresh-'));
  try {
    mkdirSync(join(root, 'dist'));
    mkdirSync(join(root, 'src'));
    const source = join(root, 'src/a.ts');
    writeFileSync(source, 'export const a = 1;\n');
    assert.equal(buildIsFresh(root), false, 'never built');
    writeFileSync(join(root, 'dist/main.js'), '');
    const contents = readFileSync(source);
    const manifest = {
      inputs: {
        'src/a.ts': { mtimeMs: 0, size: contents.length, sha256: createHash('sha256').update(contents).digest('hex') },
      },
    };
    writeFileSync(join(root, BUILD_INPUTS), JSON.stringify(manifest));
    assert.equal(buildIsFresh(root), true, 'another mtime, the same content');
    utimesSync(source, new Date(), new Date());
    assert.equal(buildIsFresh(root), true, 'touched');
    writeFileSync(source, 'export const a = 2;\n');
    assert.equal(buildIsFresh(root), false, 'edited, the same size');
    writeFileSync(source, contents);
    assert.equal(buildIsFresh(root), true, 'edited back');
    rmSync(source);
    assert.equal(buildIsFresh(root), false, 'removed');
    writeFileSync(source, contents);
    rmSync(join(root, 'dist/main.js'));
    assert.equal(buildIsFresh(root), false, 'no bundle');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
