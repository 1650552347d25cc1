// IETF crypto-basics.json (RFC 9420 §5, §9) against every provider, every ciphersuite in the file.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decryptWithLabel,
  deriveSecret,
  deriveTreeSecret,
  encryptWithLabel,
  expandWithLabel,
  refHash,
  signWithLabel,
  verifyWithLabel,
} from '../src/crypto/labels.js';
import { createNativeProvider, nativeRandom } from '../src/crypto/native/index.js';
import { createPortableProvider, portableRandom } from '../src/crypto/portable/index.js';
import type { CryptoProvider, Rng } from '../src/crypto/provider.js';
import { hex, loadVectors, toHex } from './helpers/vectors.js';

interface CryptoBasics {
  cipher_suite: number;
  ref_hash: { label: string; value: string; out: string };
  expand_with_label: { secret: string; label: string; context: string; length: number; out: string };
  derive_secret: { label: string; secret: string; out: string };
  derive_tree_secret: { secret: string; label: string; generation: number; length: number; out: string };
  sign_with_label: { priv: string; pub: string; content: string; label: string; signature: string };
  encrypt_with_label: {
    priv: string;
    pub: string;
    label: string;
    context: string;
    plaintext: string;
    kem_output: string;
    ciphertext: string;
  };
}

const vectors = loadVectors<CryptoBasics>('crypto-basics');
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
      const name = `suite ${v.cipher_suite}`;

      it(`${name} ref_hash`, () => {
        const r = v.ref_hash;
        assert.equal(toHex(refHash(cs, r.label, hex(r.value))), r.out);
        cases++;
      });
      it(`${name} expand_with_label`, () => {
        const e = v.expand_with_label;
        assert.equal(toHex(expandWithLabel(cs, hex(e.secret), e.label, hex(e.context), e.length)), e.out);
        cases++;
      });
      it(`${name} derive_secret`, () => {
        const d = v.derive_secret;
        assert.equal(toHex(deriveSecret(cs, hex(d.secret), d.label)), d.out);
        cases++;
      });
      it(`${name} derive_tree_secret`, () => {
        const d = v.derive_tree_secret;
        assert.equal(toHex(deriveTreeSecret(cs, hex(d.secret), d.label, d.generation, d.length)), d.out);
        cases++;
      });
      it(`${name} sign_with_label: verify the given signature, sign and verify our own`, () => {
        const s = v.sign_with_label;
        assert.equal(toHex(cs.signaturePublicKey(hex(s.priv))), s.pub);
        assert.ok(verifyWithLabel(cs, hex(s.pub), s.label, hex(s.content), hex(s.signature)));
        assert.ok(!verifyWithLabel(cs, hex(s.pub), `${s.label}x`, hex(s.content), hex(s.signature)));
        const sig = signWithLabel(cs, hex(s.priv), s.label, hex(s.content));
        assert.ok(verifyWithLabel(cs, hex(s.pub), s.label, hex(s.content), sig));
        const tampered = hex(s.content);
        tampered[0] = (tampered[0] as number) ^ 1;
        assert.ok(!verifyWithLabel(cs, hex(s.pub), s.label, tampered, sig));
        assert.equal(verifyWithLabel(cs, hex(s.pub), s.label, hex(s.content), new Uint8Array(3)), false);
        cases++;
      });
      it(`${name} encrypt_with_label: decrypt the given ciphertext, then round-trip`, () => {
        const e = v.encrypt_with_label;
        const pt = decryptWithLabel(cs, hex(e.priv), e.label, hex(e.context), hex(e.kem_output), hex(e.ciphertext));
        assert.equal(toHex(pt), e.plaintext);
        const { kemOutput, ciphertext } = encryptWithLabel(cs, hex(e.pub), e.label, hex(e.context), hex(e.plaintext), rng);
        assert.equal(toHex(decryptWithLabel(cs, hex(e.priv), e.label, hex(e.context), kemOutput, ciphertext)), e.plaintext);
        assert.throws(() => decryptWithLabel(cs, hex(e.priv), `${e.label}x`, hex(e.context), kemOutput, ciphertext), {
          name: 'CryptoError',
        });
        cases++;
      });
    }
    it('summary', (t) => {
      t.diagnostic(`${provider.name}: ${cases} crypto-basics cases passed over suites ${provider.supportedSuites.join(',')}`);
      t.diagnostic(`${provider.name}: skipped suites ${skipped.length === 0 ? 'none' : skipped.join(',')}`);
      assert.equal(cases, 6 * (vectors.length - skipped.length));
    });
  });
}
