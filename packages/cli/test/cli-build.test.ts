// The built CLI: dist/main.js runs with plain Node (no TypeScript loader), and bin/sotto.js runs it only while every
// file it was built from is unchanged (build-freshness.js), so that an edited source is never shadowed by the build.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { BUILD_INPUTS, buildIsFresh } from '../bin/build-freshness.js';
import { tempDir } from './helpers/harness.js';

const CLI_ROOT = resolve(import.meta.dirname, '..');

/** No SOTTO_* and no NODE_OPTIONS from the test run; on a Node that strips types, stripping off. */
function plainEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SOTTO_') && k !== 'NODE_OPTIONS'));
  const strips = (process.features as { typescript?: unknown }).typescript;
  return { ...env, ...(strips ? { NODE_OPTIONS: '--no-experimental-strip-types' } : {}) };
}

test('the build (made fresh by the harness) runs with plain node and loads no TypeScript', () => {
  assert.ok(buildIsFresh(CLI_ROOT), 'the harness built the CLI');
  const main = join(CLI_ROOT, 'dist/main.js');
  assert.doesNotMatch(readFileSync(main, 'utf8'), /from ['"]tsx|import\(['"]tsx|from ['"]@sotto\//);
  const r = spawnSync(process.execPath, [main, '--version'], { env: plainEnv(), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), (JSON.parse(readFileSync(join(CLI_ROOT, 'package.json'), 'utf8')) as { version: string }).version);
});

test('a build is fresh while its inputs keep their content: a touch is not a change, an edit or a removal is', () => {
  const root = tempDir('sotto-cli-fresh-');
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
