// IETF psk_secret.json (RFC 9420 §8.4): psk_secret from external PSKs, in order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createNativeProvider } from '../src/crypto/native/index.js';
import { computePskSecret } from '../src/schedule/psk.js';
import { PskType } from '../src/wire/types.js';
import { hex, loadVectors, toHex } from './helpers/vectors.js';

interface PskVector {
  cipher_suite: number;
  psks: { psk_id: string; psk: string; psk_nonce: string }[];
  psk_secret: string;
}

const provider = createNativeProvider();
const vectors = loadVectors<PskVector>('psk_secret');

describe('psk_secret.json (RFC 9420 §8.4)', () => {
  it('computes psk_secret for every case', (t) => {
    let cases = 0;
    for (const v of vectors) {
      const cs = provider.suite(v.cipher_suite);
      const psks = v.psks.map((p) => ({
        id: { pskType: PskType.external, pskId: hex(p.psk_id), pskNonce: hex(p.psk_nonce) },
        psk: hex(p.psk),
      }));
      assert.equal(toHex(computePskSecret(cs, psks)), v.psk_secret, `case ${cases}`);
      cases++;
    }
    assert.equal(cases, vectors.length);
    t.diagnostic(`psk_secret.json: ${cases}/${vectors.length} cases`);
  });

  it('depends on the order of the PSKs', () => {
    const cs = provider.suite(1);
    const a = { id: { pskType: PskType.external, pskId: hex('01'), pskNonce: new Uint8Array(32) }, psk: hex('aa') };
    const b = { id: { pskType: PskType.external, pskId: hex('02'), pskNonce: new Uint8Array(32) }, psk: hex('bb') };
    assert.notDeepEqual(computePskSecret(cs, [a, b]), computePskSecret(cs, [b, a]));
    assert.deepEqual(computePskSecret(cs, []), new Uint8Array(32));
  });
});
