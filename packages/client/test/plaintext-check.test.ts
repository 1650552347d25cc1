// The plaintext check used by the end-to-end tests finds a marker when it is there (UTF-8 and UTF-16), in nested files.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { findPlaintext } from './helpers/plaintext.js';
import { cleanup, tempDir } from './helpers/server.js';

test('findPlaintext: positive control', () => {
  const dir = tempDir();
  try {
    mkdirSync(join(dir, 'blobs', 'ab'), { recursive: true });
    writeFileSync(join(dir, 'blobs', 'ab', 'x'), Buffer.concat([Buffer.alloc(100), Buffer.from('MARK-ONE'), Buffer.alloc(10)]));
    writeFileSync(join(dir, 'db'), Buffer.from('..MARK-TWO..', 'utf16le'));
    const found = findPlaintext(dir, ['MARK-ONE', 'MARK-TWO', 'MARK-THREE'])
      .map((f) => f.marker)
      .sort();
    assert.deepEqual(found, ['MARK-ONE', 'MARK-TWO']);
  } finally {
    cleanup(dir);
  }
});
