// Moderation units: frozen vectors of the formats outsiders check (canonical JSON, the evidence signing input, the
// moderation log's hash chain; computed independently with Python's json and hashlib), key-holding objects that never
// print their secret, key files created with mode 0600, and admin scopes parsed strictly.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { inspect } from 'node:util';
import { test } from 'node:test';
import { canonicalJson, evidenceSigningInput, sha256Hex } from '@sotto/protocol';
import { loadOrCreateStampKey, Stamper } from '../src/franking/stamp-key.js';
import { parseScopes } from '../src/moderation/admin-tokens.js';
import { entryHash, GENESIS_HASH } from '../src/moderation/moderation-log.js';
import { SigningKey } from '../src/moderation/signing-key.js';
import { cleanup, tempDir } from './helpers/server-process.js';
import { join } from 'node:path';

test('frozen vector: canonical JSON sorts keys, no whitespace, JSON.stringify strings and numbers', () => {
  const v = { b: [1, 'x', null, true], a: { é: 'ü\n"', z: -2.5 }, c: 'sotto' };
  assert.equal(canonicalJson(v), '{"a":{"z":-2.5,"é":"ü\\n\\""},"b":[1,"x",null,true],"c":"sotto"}');
  assert.throws(() => canonicalJson({ x: Number.NaN }), TypeError);
});

test('frozen vector: the evidence signing input', () => {
  const manifest = {
    server: 'aa'.repeat(32),
    report: 'bb'.repeat(32),
    fileIndex: 'cc'.repeat(32),
    files: [{ name: 'message-1-a.png', sha256: 'dd'.repeat(32) }],
  };
  const input = evidenceSigningInput('sotto-evidence/v1', 1767225600000, manifest);
  assert.equal(sha256Hex(input), '0304728c6cc895aad6f83cd1597358c5108c40deff2e051b5dad770d2be22c2b');
  assert.ok(new TextDecoder().decode(input).startsWith('sotto-evidence/v1\n1767225600000\n{"fileIndex":"cccc'));
});

test('frozen vector: the moderation log hash chain', () => {
  const e = {
    seq: 1,
    at: 1767225600000,
    admin: 'cli:olivia',
    action: 'resolve:warn',
    reportId: 'r1',
    account: 'mallory@example.org',
    detail: '{"note":"first"}',
  };
  const h1 = entryHash(GENESIS_HASH, e);
  assert.equal(Buffer.from(h1).toString('hex'), '010d2644d767bcabf0a332f08c2039013778b15bd86732501e4542fe52203daf');
  const h2 = entryHash(h1, { ...e, seq: 2, action: 'evidence-export', detail: '{}' });
  assert.equal(Buffer.from(h2).toString('hex'), '248e610d937f1c89ad4bbf8cd7f55360a917b2f11eec575a70399fff32d568b5');
});

test('the stamp key and the signing key: files of mode 0600, stable across loads, never printed', () => {
  const dir = tempDir();
  try {
    const k = loadOrCreateStampKey(dir);
    assert.equal(k.length, 32);
    assert.deepEqual(loadOrCreateStampKey(dir), k);
    assert.equal(statSync(join(dir, 'franking-stamp.key')).mode & 0o777, 0o600);
    const sk = SigningKey.loadOrCreate(dir);
    assert.deepEqual(SigningKey.loadOrCreate(dir).publicKey, sk.publicKey);
    assert.equal(statSync(join(dir, 'server-signing.key')).mode & 0o777, 0o600);
    const hexKey = Buffer.from(k).toString('hex');
    for (const o of [new Stamper(k), sk])
      for (const printed of [String(o), JSON.stringify({ o }), inspect(o, { showHidden: true, depth: 5 })]) {
        assert.match(printed, /redacted/);
        assert.ok(!printed.includes(hexKey) && !printed.includes(Buffer.from(k).toString('base64')), printed);
      }
  } finally {
    cleanup(dir);
  }
});

test('admin scopes: a comma list of known scopes, at least one', () => {
  assert.deepEqual(parseScopes('reports:read, evidence:export,reports:read'), ['reports:read', 'evidence:export']);
  assert.throws(() => parseScopes('reports:read,root'), /unknown scope root/);
  assert.throws(() => parseScopes(' , '), /at least one scope/);
});
