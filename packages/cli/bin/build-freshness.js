// Whether the built CLI (dist/main.js, from scripts/build.ts) is what the sources would build now: bin/sotto.js runs the
// build only then, and the sources through tsx otherwise, so an edited source is never shadowed by an old build.
//
// The rule: every file the build read (dist/build-inputs.json lists them with the hash of the content it compiled) still
// has that content. A file whose size and mtime are the recorded ones is taken as unchanged (one stat per file, a few
// milliseconds in all); any other is read and hashed, so a touched but identical file (a git checkout back and forth)
// still counts as unchanged. An import of a new file or a new package changes an importing file, so the list is closed.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The manifest of a build, relative to the CLI package's root. */
export const BUILD_INPUTS = 'dist/build-inputs.json';

/**
 * @typedef {{ mtimeMs: number, size: number, sha256: string }} InputRecord
 * @typedef {{ inputs: Record<string, InputRecord> }} BuildInputs
 */

/**
 * True when `root`/dist/main.js exists and was built from the files as they are now.
 * @param {string} root the CLI package's root folder
 * @returns {boolean}
 */
export function buildIsFresh(root) {
  /** @type {BuildInputs} */
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(root, BUILD_INPUTS), 'utf8'));
    if (!statSync(join(root, 'dist/main.js')).isFile()) return false;
  } catch {
    return false;
  }
  return Object.entries(manifest.inputs).every(([file, recorded]) => unchanged(resolve(root, file), recorded));
}

/**
 * @param {string} file
 * @param {InputRecord} recorded
 * @returns {boolean}
 */
function unchanged(file, recorded) {
  const now = statSync(file, { throwIfNoEntry: false });
  if (!now) return false;
  if (now.size !== recorded.size) return false;
  if (now.mtimeMs === recorded.mtimeMs) return true;
  return createHash('sha256').update(readFileSync(file)).digest('hex') === recorded.sha256;
}
