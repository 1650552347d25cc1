// IETF crypto-basics.json checks (RFC 9420 §5, §9), one per vector field, for any CryptoProvider. Portable: run by
// test/crypto-basics.test.ts in Node and by packages/web in Chromium.
import {
  decryptWithLabel,
  deriveSecret,
  deriveTreeSecret,
  encryptWithLabel,
  expandWithLabel,
  refHash,
  signWithLabel,
  verifyWithLabel,
} from '../../src/crypto/labels.js';
import type { CipherSuite, Rng } from '../../src/crypto/provider.js';
import { fromHex as hex, toHex } from '../../src/util/bytes.js';
import type { ContractAssert } from './assert.js';

export interface CryptoBasicsVector {
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

export interface CryptoBasicsCheck {
  readonly name: string;
  run(cs: CipherSuite, v: CryptoBasicsVector, rng: Rng, assert: ContractAssert): void;
}

/** The six checks of one crypto-basics case, in file order. */
export const CRYPTO_BASICS_CHECKS: readonly CryptoBasicsCheck[] = [
  {
    name: 'ref_hash',
    run: (cs, v, _rng, assert) => {
      const r = v.ref_hash;
      assert.equal(toHex(refHash(cs, r.label, hex(r.value))), r.out);
    },
  },
  {
    name: 'expand_with_label',
    run: (cs, v, _rng, assert) => {
      const e = v.expand_with_label;
      assert.equal(toHex(expandWithLabel(cs, hex(e.secret), e.label, hex(e.context), e.length)), e.out);
    },
  },
  {
    name: 'derive_secret',
    run: (cs, v, _rng, assert) => {
      const d = v.derive_secret;
      assert.equal(toHex(deriveSecret(cs, hex(d.secret), d.label)), d.out);
    },
  },
  {
    name: 'derive_tree_secret',
    run: (cs, v, _rng, assert) => {
      const d = v.derive_tree_secret;
      assert.equal(toHex(deriveTreeSecret(cs, hex(d.secret), d.label, d.generation, d.length)), d.out);
    },
  },
  {
    name: 'sign_with_label: verify the given signature, sign and verify our own',
    run: (cs, v, _rng, assert) => {
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
    },
  },
  {
    name: 'encrypt_with_label: decrypt the given ciphertext, then round-trip',
    run: (cs, v, rng, assert) => {
      const e = v.encrypt_with_label;
      const pt = decryptWithLabel(cs, hex(e.priv), e.label, hex(e.context), hex(e.kem_output), hex(e.ciphertext));
      assert.equal(toHex(pt), e.plaintext);
      const { kemOutput, ciphertext } = encryptWithLabel(cs, hex(e.pub), e.label, hex(e.context), hex(e.plaintext), rng);
      assert.equal(toHex(decryptWithLabel(cs, hex(e.priv), e.label, hex(e.context), kemOutput, ciphertext)), e.plaintext);
      assert.throws(
        () => decryptWithLabel(cs, hex(e.priv), `${e.label}x`, hex(e.context), kemOutput, ciphertext),
        (err) => err instanceof Error && err.name === 'CryptoError',
      );
    },
  },
];
