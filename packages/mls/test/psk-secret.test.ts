// IETF psk_secret.json (RFC 9420 §8.4): psk_secret from external PSKs, in order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createNativeProvider } from '../src/crypto/native/index.js';
import { computePskSecret } from '../src/schedule/psk.js';
import { PskType } from '../src/wire/types.js';
import { providers, selectCases } from './helpers/providers.js';
import { hex, loadVectors, toHex } from './helpers/vectors.js';

interface PskVector {
  cipher_suite: number;
  psks: { psk_id: string; psk: string; psk_nonce: string }[];
  psk_secret: string;
}

const vectors = loadVectors<PskVector>('psk_secret');

for (const p of providers) {
  const { cases: selected, summary } = selectCases(p, 'psk_secret', vectors);

  describe(`psk_secret.json (RFC 9420 §8.4), ${p.name} provider`, () => {
    it(`${p.name}: computes psk_secret for every selected case`, (t) => {
      let cases = 0;
      for (const [ci, v] of selected) {
        const cs = p.provider.suite(v.cipher_suite);
        const psks = v.psks.map((x) => ({
          id: { pskType: PskType.external, pskId: hex(x.psk_id), pskNonce: hex(x.psk_nonce) },
          psk: hex(x.psk),
        }));
        assert.equal(toHex(computePskSecret(cs, psks)), v.psk_secret, `${p.name} case ${ci}`);
        cases++;
      }
      assert.equal(cases, selected.length);
      t.diagnostic(summary);
    });
  });
}

describe('psk_secret rules (RFC 9420 §8.4)', () => {
  const provider = createNativeProvider();

  it('depends on the order of the PSKs', () => {
    const cs = provider.suite(1);
    const a = { id: { pskType: PskType.external, pskId: hex('01'), pskNonce: new Uint8Array(32) }, psk: hex('aa') };
    const b = { id: { pskType: PskType.external, pskId: hex('02'), pskNonce: new Uint8Array(32) }, psk: hex('bb') };
    assert.notDeepEqual(computePskSecret(cs, [a, b]), computePskSecret(cs, [b, a]));
    assert.deepEqual(computePskSecret(cs, []), new Uint8Array(32));
  });
});
