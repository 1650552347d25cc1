// Provider primitives (RFC 9420 §5.1): native and portable must agree byte for byte and accept each other's signatures.
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { describe, it } from 'node:test';
import { createNativeProvider, nativeRandom } from '../src/crypto/native/index.js';
import { chooseOkpImport, KeyCache, type OkpImport, okpImportWorks } from '../src/crypto/native/keys.js';
import { createPortableProvider, portableRandom } from '../src/crypto/portable/index.js';
import { hex, toHex } from './helpers/vectors.js';

const native = createNativeProvider();
const portable = createPortableProvider();

describe('native and portable providers agree', () => {
  for (const id of native.supportedSuites) {
    const a = native.suite(id);
    const b = portable.suite(id);
    it(`suite ${id} (${a.name}): hash, mac, extract, expand`, () => {
      const data = portableRandom(77);
      const key = nativeRandom(a.hashLength);
      assert.equal(toHex(a.hash(data)), toHex(b.hash(data)));
      assert.equal(toHex(a.mac(key, data)), toHex(b.mac(key, data)));
      assert.equal(toHex(a.extract(new Uint8Array(0), data)), toHex(b.extract(new Uint8Array(0), data)));
      assert.equal(toHex(a.extract(key, data)), toHex(b.extract(key, data)));
      for (const len of [0, 1, a.hashLength, a.hashLength + 1, 3 * a.hashLength + 5]) {
        assert.equal(toHex(a.expand(key, data, len)), toHex(b.expand(key, data, len)));
      }
      assert.throws(() => a.expand(key, data, 255 * a.hashLength + 1), { name: 'UsageError' });
      assert.throws(() => b.expand(key, data, 255 * a.hashLength + 1), { name: 'UsageError' });
    });
    it(`suite ${id}: AEAD seal/open across providers, tamper and wrong key rejected`, () => {
      const key = nativeRandom(a.aeadKeyLength);
      const nonce = nativeRandom(a.aeadNonceLength);
      const aad = hex('0a0b');
      for (const pt of [new Uint8Array(0), nativeRandom(100)]) {
        const ct = a.aeadSeal(key, nonce, aad, pt);
        assert.equal(toHex(ct), toHex(b.aeadSeal(key, nonce, aad, pt)));
        assert.equal(toHex(b.aeadOpen(key, nonce, aad, ct)), toHex(pt));
        const bad = ct.slice();
        bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 0x80;
        for (const cs of [a, b]) {
          assert.throws(() => cs.aeadOpen(key, nonce, aad, bad), { name: 'CryptoError' });
          assert.throws(() => cs.aeadOpen(key, nonce, hex('0a0c'), ct), { name: 'CryptoError' });
          assert.throws(() => cs.aeadOpen(key, nonce, aad, ct.subarray(0, 15)), { name: 'CryptoError' });
          assert.throws(() => cs.aeadSeal(key.subarray(1), nonce, aad, pt), { name: 'UsageError' });
        }
      }
    });
    it(`suite ${id}: signatures made by one provider verify in the other`, () => {
      // Several rounds so that ECDSA signatures with a high S (OpenSSL does not normalise) are exercised.
      for (let i = 0; i < 8; i++) {
        const kp = (i % 2 === 0 ? a : b).generateSignatureKeyPair(nativeRandom);
        assert.equal(toHex(a.signaturePublicKey(kp.privateKey)), toHex(kp.publicKey));
        assert.equal(toHex(b.signaturePublicKey(kp.privateKey)), toHex(kp.publicKey));
        const msg = nativeRandom(40);
        assert.ok(b.verify(kp.publicKey, msg, a.sign(kp.privateKey, msg)));
        assert.ok(a.verify(kp.publicKey, msg, b.sign(kp.privateKey, msg)));
        assert.equal(a.verify(kp.publicKey, msg.subarray(1), a.sign(kp.privateKey, msg)), false);
        assert.equal(b.verify(kp.publicKey, msg.subarray(1), b.sign(kp.privateKey, msg)), false);
      }
      assert.equal(a.verify(new Uint8Array(5), hex('00'), new Uint8Array(64)), false);
      assert.equal(b.verify(new Uint8Array(5), hex('00'), new Uint8Array(64)), false);
    });
  }

  it('unknown suites throw UnsupportedError; suite() returns the same object per id', () => {
    for (const p of [native, portable]) {
      assert.throws(() => p.suite(0x0008), { name: 'UnsupportedError' });
      assert.equal(p.suite(1), p.suite(1));
    }
  });
  it('malformed signature private keys throw CryptoError, malformed public keys verify false', () => {
    for (const p of [native, portable]) {
      for (const id of p.supportedSuites) {
        const cs = p.suite(id);
        assert.throws(() => cs.sign(new Uint8Array(3), hex('00')), { name: 'CryptoError' });
        assert.throws(() => cs.signaturePublicKey(new Uint8Array(3)), { name: 'CryptoError' });
        assert.equal(cs.verify(hex(`04${'11'.repeat(64)}`), hex('00'), new Uint8Array(64)), false);
      }
    }
  });
  it('the native key cache stays bounded and still answers after eviction', () => {
    const cache = new KeyCache(2);
    const keys = [0, 1, 2, 3].map(() => nativeRandom(32));
    for (const k of keys) cache.privateKey('ed25519', k);
    for (const k of keys) assert.equal(cache.privateKey('ed25519', k).asymmetricKeyType, 'ed25519');
  });
  it('randomness sources return the requested length', () => {
    assert.equal(nativeRandom(33).length, 33);
    assert.equal(portableRandom(70000).length, 70000);
    assert.notEqual(toHex(portableRandom(16)), toHex(portableRandom(16)));
  });
});

describe('native key import derives public keys from private bytes', () => {
  it('matches the portable provider for Ed25519, Ed448 (signature) and X25519, X448 (HPKE) on random keys', () => {
    const native = createNativeProvider();
    const portable = createPortableProvider();
    for (const id of [1, 4]) {
      const n = native.suite(id);
      const p = portable.suite(id);
      for (let i = 0; i < 8; i++) {
        const kp = p.generateSignatureKeyPair(nativeRandom);
        assert.deepEqual(Buffer.from(n.signaturePublicKey(kp.privateKey)), Buffer.from(kp.publicKey));
        const ikm = nativeRandom(32);
        assert.deepEqual(Buffer.from(n.hpke.deriveKeyPair(ikm).publicKey), Buffer.from(p.hpke.deriveKeyPair(ikm).publicKey));
      }
    }
  });
});

describe('native OKP private-key import on this Node line (' + process.version + ')', () => {
  const all: OkpImport[] = ['raw', 'jwk', 'pkcs8'];
  it('PKCS#8 works on every supported line, and the chosen import passes its known-answer probe', () => {
    assert.equal(okpImportWorks('pkcs8'), true);
    const chosen = chooseOkpImport();
    assert.equal(okpImportWorks(chosen), true);
    assert.equal(new KeyCache().okpImport, chosen);
    // The first working one in speed order is chosen: raw-private where the runtime has it.
    assert.equal(
      chosen,
      all.find((h) => okpImportWorks(h)),
    );
  });
  for (const how of all) {
    it(`import '${how}' (where this runtime passes its probe) derives the same public keys as @noble on random keys, all four curves`, (t) => {
      if (!okpImportWorks(how)) {
        t.diagnostic(`'${how}' is not available on ${process.version}`);
        assert.notEqual(chooseOkpImport(), how);
        return;
      }
      const cache = new KeyCache(64, how);
      const portable = createPortableProvider();
      for (const id of [1, 4]) {
        const p = portable.suite(id);
        const sig = id === 1 ? 'ed25519' : 'ed448';
        const kem = id === 1 ? 'x25519' : 'x448';
        for (let i = 0; i < 4; i++) {
          const kp = p.generateSignatureKeyPair(nativeRandom);
          const jwkSig = createPublicKey(cache.privateKey(sig, kp.privateKey)).export({ format: 'jwk' });
          assert.equal(jwkSig.x, Buffer.from(kp.publicKey).toString('base64url'));
          const hk = p.hpke.deriveKeyPair(nativeRandom(32));
          const jwkKem = createPublicKey(cache.privateKey(kem, hk.privateKey)).export({ format: 'jwk' });
          assert.equal(jwkKem.x, Buffer.from(hk.publicKey).toString('base64url'));
        }
      }
    });
  }
});
