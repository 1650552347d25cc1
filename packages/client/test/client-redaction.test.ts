// Secret-holding objects of the SDK print no secret (STYLE §7): the device identity, the client itself.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { createNativeProvider } from '@sotto/mls/native';
import { SottoClient } from '../src/client/sotto-client.js';
import { createAccountIdentity } from '../src/identity/device-identity.js';
import { openMemoryStore } from '../src/store/encrypted-store.js';
import { toHex } from '../src/util/bytes.js';

test('DeviceIdentity redacts itself in toString, JSON and inspect', () => {
  const id = createAccountIdentity('alice@localhost', (n) => new Uint8Array(randomBytes(n)), Date.now());
  const secrets = [toHex(id.signatureSecret.expose()), toHex(id.accountSecret!.expose())];
  for (const text of [String(id), JSON.stringify(id), inspect(id, { depth: 10, showHidden: true })]) {
    assert.match(text, /redacted/);
    for (const s of secrets) assert.ok(!text.includes(s));
  }
});

test('SottoClient prints none of its keys', async () => {
  const client = new SottoClient({
    store: await openMemoryStore(),
    crypto: createNativeProvider(),
    webSocket: () => {
      throw new Error('offline');
    },
  });
  assert.equal(inspect(client, { depth: 10, showHidden: true }), '[SottoClient redacted]');
  assert.equal(inspect(client.c, { depth: 10 }), '[ClientCore redacted]');
  assert.equal(JSON.stringify({ client }), '{"client":"[SottoClient redacted]"}');
  await client.close();
});
