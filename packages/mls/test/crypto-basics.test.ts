// IETF crypto-basics.json (RFC 9420 §5, §9) against every provider, every ciphersuite in the file. The checks live in
// contracts/crypto-basics.ts (packages/web also runs them in Chromium on the portable provider).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createNativeProvider, nativeRandom } from '../src/crypto/native/index.js';
import { createPortableProvider, portableRandom } from '../src/crypto/portable/index.js';
import type { CryptoProvider, Rng } from '../src/crypto/provider.js';
import { CRYPTO_BASICS_CHECKS, type CryptoBasicsVector } from './contracts/crypto-basics.js';
import { loadVectors } from './helpers/vectors.js';

const vectors = loadVectors<CryptoBasicsVector>('crypto-basics');
const providers: [CryptoProvider, Rng][] = [
  [createNativeProvider(), nativeRandom],
  [createPortableProvider(), portableRandom],
];

for (const [provider, rng] of providers) {
  describe(`crypto-basics (${provider.name} provider)`, () => {
    let cases = 0;
    const skipped: number[] = [];
    for (const v of vectors) {
      if (!provider.supportedSuites.includes(v.cipher_suite)) {
        skipped.push(v.cipher_suite);
        it(`suite ${v.cipher_suite}: not implemented by the ${provider.name} provider`, { skip: 'unsupported suite' }, () => {});
        continue;
      }
      const cs = provider.suite(v.cipher_suite);
      for (const check of CRYPTO_BASICS_CHECKS) {
        it(`suite ${v.cipher_suite} ${check.name}`, () => {
          check.run(cs, v, rng, assert);
          cases++;
        });
      }
    }
    it('summary', (t) => {
      t.diagnostic(`${provider.name}: ${cases} crypto-basics cases passed over suites ${provider.supportedSuites.join(',')}`);
      t.diagnostic(`${provider.name}: skipped suites ${skipped.length === 0 ? 'none' : skipped.join(',')}`);
      assert.equal(cases, CRYPTO_BASICS_CHECKS.length * (vectors.length - skipped.length));
    });
  });
}
