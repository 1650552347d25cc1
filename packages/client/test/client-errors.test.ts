// SottoClientError: every error class of the SDK extends it and keeps its own stable code, and src throws no bare
// Error (each failure a caller can meet has a code to map).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ApiError, AttachmentError, ClientError, ContentError, LinkError, SottoClientError, StoreError } from '../src/index.js';
import { decodeRecord } from '../src/store/record-codec.js';
import { Emitter } from '../src/util/emitter.js';

const src = join(dirname(fileURLToPath(import.meta.url)), '../src');

test('each client error class is a SottoClientError with its code and name', () => {
  const cases: [SottoClientError, string, string][] = [
    [new ClientError('UNKNOWN_CONVERSATION', 'no such conversation'), 'ClientError', 'UNKNOWN_CONVERSATION'],
    [new ContentError('TRUNCATED', 'input ended'), 'ContentError', 'TRUNCATED'],
    [new LinkError('MALFORMED_CODE', 'bad code'), 'LinkError', 'MALFORMED_CODE'],
    [new StoreError('WRONG_KEY', 'key check failed'), 'StoreError', 'WRONG_KEY'],
    [new ApiError('NETWORK', 'cannot reach the server'), 'ApiError', 'NETWORK'],
    [new AttachmentError('HASH_MISMATCH', 'blob hash differs'), 'AttachmentError', 'HASH_MISMATCH'],
  ];
  for (const [e, name, code] of cases) {
    assert.ok(e instanceof SottoClientError, name);
    assert.ok(e instanceof Error, name);
    assert.equal(e.name, name);
    assert.equal(e.code, code);
  }
  const cause = new Error('inner');
  assert.equal(new StoreError('CORRUPT', 'x', { cause }).cause, cause);
});

test('former bare Errors now carry a code: a truncated record is CORRUPT, a timed-out wait is TIMEOUT', async () => {
  assert.throws(
    () => decodeRecord(new Uint8Array([0, 0, 0, 9, 1])),
    (e) => e instanceof StoreError && e.code === 'CORRUPT',
  );
  const events = new Emitter<{ ping: number }>();
  await assert.rejects(
    events.waitFor('ping', () => true, 0),
    (e) => e instanceof ClientError && e.code === 'TIMEOUT',
  );
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sourceFiles(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
}

test('packages/client/src throws no bare Error', () => {
  const bare = sourceFiles(src).filter((f) => /\bnew Error\(/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(bare, []);
});
