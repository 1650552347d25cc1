// The validation catalogue (src/validation-catalogue.ts): IDs are unique and each has a must-reject test.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CATALOGUE } from '../src/validation-catalogue.js';

const dir = fileURLToPath(new URL('./', import.meta.url));

/**
 * Names of every test in test/*.test.ts: the literal first argument of test()/it()/describe(), plus, for the
 * helpers that register one test per ID (`must('V-X-01', ...)`, `mustReject(...)`), the ID literal they are given.
 */
function testNames(): string[] {
  const names: string[] = [];
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.test.ts') || f === 'catalogue.test.ts') continue;
    const src = readFileSync(`${dir}${f}`, 'utf8');
    for (const m of src.matchAll(/\b(?:test|it|describe)\s*\(\s*(['"`])((?:\\.|(?!\1).)*)\1/g)) names.push(m[2] ?? '');
    for (const m of src.matchAll(/\bmust\w*\s*\(\s*(['"])(V-[A-Z]+-\d+[a-z]?)\1\s*,\s*(['"`])((?:\\.|(?!\3).)*)\3/g)) {
      names.push(`${m[2]}: ${m[4]}`);
    }
  }
  return names;
}

test('catalogue IDs are unique and well-formed', () => {
  const ids = CATALOGUE.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) assert.match(id, /^V-[A-Z]+-\d+[a-z]?$/);
});

test('every catalogue ID has a must-reject test naming it', (t) => {
  const names = testNames();
  const missing = CATALOGUE.filter((c) => !names.some((n) => new RegExp(`\\b${c.id}\\b`).test(n))).map((c) => c.id);
  t.diagnostic(`${CATALOGUE.length} checks, ${CATALOGUE.length - missing.length} covered`);
  assert.deepEqual(missing, []);
});
