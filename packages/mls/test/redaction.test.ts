// STYLE.md rule 7: printing, JSON-stringifying or inspecting a secret-holding object shows no secret byte.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { redactSecrets, SecretBytes } from '../src/crypto/secret.js';
import { toHex } from './helpers/vectors.js';

const secret = Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 0x13, 0x37, 0xc0, 0xde, 0x42, 0x99]);

/** Every rendering of the secret that could leak: hex, decimal byte list, base64. */
function assertNoLeak(text: string): void {
  assert.ok(!text.includes(toHex(secret)), `hex leaked: ${text}`);
  assert.ok(!text.toLowerCase().includes('de ad be ef'), `spaced hex leaked: ${text}`);
  assert.ok(!text.includes('222, 173, 190, 239') && !text.includes('222,173,190,239'), `decimal leaked: ${text}`);
  assert.ok(!text.includes(Buffer.from(secret).toString('base64').slice(0, 8)), `base64 leaked: ${text}`);
  assert.ok(!/\b(222|173|190|239)\b/.test(text), `a secret byte leaked: ${text}`);
}

describe('SecretBytes', () => {
  const s = new SecretBytes(secret.slice());
  it('toString, template literals and String() are redacted', () => {
    assertNoLeak(s.toString());
    assertNoLeak(`${s}`);
    assertNoLeak(String(s));
    assert.match(String(s), /redacted/);
  });
  it('JSON.stringify is redacted, also nested', () => {
    assertNoLeak(JSON.stringify(s));
    assertNoLeak(JSON.stringify({ epoch: 3, initSecret: s, nested: [s] }));
    assert.equal(JSON.stringify({ k: s }), '{"k":"[redacted]"}');
  });
  it('util.inspect and console formatting are redacted, with every option', () => {
    for (const opts of [
      {},
      { showHidden: true },
      { depth: Number.POSITIVE_INFINITY, showHidden: true },
      { customInspect: false },
      { customInspect: false, showHidden: true },
    ]) {
      assertNoLeak(inspect(s, opts));
      assertNoLeak(inspect({ state: { s } }, opts));
    }
  });
  it('Object.keys / entries / spread do not expose the bytes', () => {
    assert.deepEqual(Object.keys(s), []);
    assertNoLeak(inspect({ ...s }));
  });
  it('expose() returns the bytes, wipe() zeroes them', () => {
    const t = new SecretBytes(secret.slice());
    assert.equal(toHex(t.expose()), toHex(secret));
    assert.equal(t.length, secret.length);
    t.wipe();
    assert.equal(toHex(t.expose()), '00'.repeat(secret.length));
  });
});

describe('redactSecrets', () => {
  class EpochSecrets {
    constructor(
      readonly epoch: number,
      readonly encryptionSecret: Uint8Array,
    ) {}
  }
  const obj = redactSecrets(new EpochSecrets(7, secret.slice()));
  it('toString, JSON and inspect print the name only', () => {
    assertNoLeak(String(obj));
    assertNoLeak(`${obj}`);
    assertNoLeak(JSON.stringify(obj));
    assertNoLeak(JSON.stringify({ group: { secrets: obj } }));
    assertNoLeak(inspect(obj));
    assertNoLeak(inspect(obj, { showHidden: true, depth: 10 }));
    assertNoLeak(inspect({ wrapper: [obj] }, { depth: 10 }));
    assert.equal(String(obj), 'EpochSecrets [redacted]');
  });
  it('the hooks are not enumerable and the fields still work', () => {
    assert.deepEqual(Object.keys(obj), ['epoch', 'encryptionSecret']);
    assert.equal(obj.epoch, 7);
    assert.equal(toHex(obj.encryptionSecret), toHex(secret));
  });
  it('works on plain objects', () => {
    const plain = redactSecrets({ key: secret.slice() }, 'Ratchet');
    assert.equal(inspect(plain), 'Ratchet [redacted]');
    assertNoLeak(JSON.stringify([plain]));
  });
});
