// X-Wing (draft-connolly-cfrg-xwing-kem §5) and HPKE KEM 0x647A (draft-ietf-hpke-pq; RFC 9180 §4 generic KEM) on both
// providers: the draft's KEM vectors, the HPKE working group's 0x647A vectors, MLS suite 0x004D, caches and errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { shake256 } from '@noble/hashes/sha3.js';
import { ml_kem768_x25519 } from '@noble/post-quantum/hybrid.js';
import { createNativeProvider, createNativeXWingHpke, nativeRandom } from '../src/crypto/native/index.js';
import { KeyCache } from '../src/crypto/native/keys.js';
import { nativeXWingPrimitives } from '../src/crypto/native/xwing.js';
import { createPortableProvider, createPortableXWingHpke } from '../src/crypto/portable/index.js';
import { portableXWingPrimitives } from '../src/crypto/portable/xwing.js';
import type { Hpke, Rng } from '../src/crypto/provider.js';
import { SUITES, XWING_KEM } from '../src/crypto/suites.js';
import { createXWingKem, type MlKem768, type XWingOptions, type XWingPrimitives } from '../src/crypto/xwing.js';
import { CipherSuiteId } from '../src/index.js';
import { hex, loadVectors, toHex } from './helpers/vectors.js';

interface KemVector {
  seed: string;
  eseed: string;
  ss: string;
  sk: string;
  pk: string;
  ct: string;
}
interface HpkeVector {
  mode: number;
  kem_id: number;
  kdf_id: number;
  aead_id: number;
  info: string;
  ikmE: string;
  ikmR: string;
  skRm: string;
  pkRm: string;
  enc: string;
  shared_secret: string;
  base_nonce: string;
  encryptions: { aad: string; ct: string; nonce: string; pt: string }[];
  exports: { exporter_context: string; L: number; exported_value: string }[];
}

const KEM_VECTORS = loadVectors<KemVector>('xwing/xwing-kem');
const HPKE_VECTORS = loadVectors<HpkeVector>('xwing/hpke-pq').filter((v) => v.kem_id === XWING_KEM.id);
const XWING_SUITE = 0x004d;

/** An Rng that returns `bytes` once (the vector's randomness), then fails loudly. */
function fixed(bytes: Uint8Array): Rng {
  let used = false;
  return (n) => {
    assert.equal(used, false, 'the fixed rng was asked twice');
    assert.equal(n, bytes.length, 'the fixed rng was asked for a different length');
    used = true;
    return bytes.slice();
  };
}

const primitives: [string, () => XWingPrimitives][] = [
  ['native', () => nativeXWingPrimitives(new KeyCache())],
  ['portable', () => portableXWingPrimitives()],
];
const hpkes: [string, (opts?: XWingOptions) => Hpke][] = [
  ['native', (opts) => createNativeXWingHpke('sha256', 'chacha20-poly1305', new KeyCache(), opts)],
  ['portable', (opts) => createPortableXWingHpke('sha256', 'chacha20-poly1305', opts)],
];

describe('X-Wing KEM: draft-connolly-cfrg-xwing-kem test vectors', () => {
  it('has the vectors (3 cases) and @noble/post-quantum ml_kem768_x25519 agrees with them', (t) => {
    assert.equal(KEM_VECTORS.length, 3);
    // noble's own X-Wing composition matches the draft; we compose ML-KEM, X25519 and SHA-3 ourselves (xwing.ts) so
    // that the native provider can use OpenSSL's X25519 and both can cache expanded keys.
    for (const v of KEM_VECTORS) {
      const k = ml_kem768_x25519.keygen(hex(v.seed));
      assert.equal(toHex(k.publicKey), v.pk);
      const e = ml_kem768_x25519.encapsulate(k.publicKey, hex(v.eseed));
      assert.equal(toHex(e.cipherText), v.ct);
      assert.equal(toHex(e.sharedSecret), v.ss);
    }
    t.diagnostic('noble ml_kem768_x25519 matches all 3 X-Wing KEM vectors');
  });
  for (const [name, make] of primitives) {
    it(`${name}: GenerateKeyPairDerand, EncapsulateDerand, Decapsulate (§5.2-§5.5)`, () => {
      const kem = createXWingKem(make());
      for (const v of KEM_VECTORS) {
        const kp = kem.generateKeyPairDerand(hex(v.seed));
        assert.equal(toHex(kp.privateKey), v.sk);
        assert.equal(toHex(kp.publicKey), v.pk);
        assert.deepEqual(kem.generateKeyPair(fixed(hex(v.seed))), kp);
        const e = kem.encapsulateDerand(hex(v.pk), hex(v.eseed));
        assert.equal(toHex(e.enc), v.ct);
        assert.equal(toHex(e.sharedSecret), v.ss);
        assert.deepEqual(kem.encap(hex(v.pk), fixed(hex(v.eseed))), e);
        assert.equal(toHex(kem.decap(hex(v.ct), hex(v.sk))), v.ss);
        // A fresh instance (cold caches) decapsulates the same.
        assert.equal(toHex(createXWingKem(make()).decap(hex(v.ct), hex(v.sk))), v.ss);
      }
    });
  }
  it('sizes: Nsecret 32, Nenc 1120, Npk 1216, Nsk 32 (IANA HPKE KEM 0x647A)', () => {
    for (const [, make] of primitives) {
      const kem = createXWingKem(make());
      assert.deepEqual([kem.id, kem.Nsecret, kem.Nenc, kem.Npk, kem.Nsk], [0x647a, 32, 1120, 1216, 32]);
    }
  });
});

describe('HPKE 0x647A: the HPKE working group vectors (draft-ietf-hpke-pq)', () => {
  it('has the two 0x647A cases, one with exactly suite 0x004D HPKE triple (HKDF-SHA256, ChaCha20Poly1305)', () => {
    assert.deepEqual(
      HPKE_VECTORS.map((v) => [v.mode, v.kdf_id, v.aead_id]),
      [
        [0, 1, 3],
        [0, 0x11, 3],
      ],
    );
  });
  for (const [name, make] of primitives) {
    it(`${name}: DeriveKeyPair(ikmR) with the hpke-pq derivation; keygen, Encap, Decap for both cases`, () => {
      const pq = createXWingKem(make(), { derivation: 'hpke-pq' });
      const xw = createXWingKem(make());
      for (const v of HPKE_VECTORS) {
        const kp = pq.deriveKeyPair(hex(v.ikmR));
        assert.equal(toHex(kp.privateKey), v.skRm);
        assert.equal(toHex(kp.publicKey), v.pkRm);
        // The X-Wing draft's DeriveKeyPair (what 0x004D uses) is GenerateKeyPairDerand(SHAKE256(ikm, 32)): different keys.
        const other = xw.deriveKeyPair(hex(v.ikmR));
        assert.notEqual(toHex(other.privateKey), v.skRm);
        assert.equal(toHex(other.privateKey), toHex(shake256(hex(v.ikmR), { dkLen: 32 })));
        assert.deepEqual(xw.generateKeyPairDerand(hex(v.skRm)), kp);
        const e = pq.encap(hex(v.pkRm), fixed(hex(v.ikmE)));
        assert.equal(toHex(e.enc), v.enc);
        assert.equal(toHex(e.sharedSecret), v.shared_secret);
        assert.equal(toHex(xw.decap(hex(v.enc), hex(v.skRm))), v.shared_secret);
      }
    });
  }
  const v = HPKE_VECTORS[0] as HpkeVector;
  for (const [name, make] of hpkes) {
    for (const derivation of ['hpke-pq', 'xwing'] as const) {
      it(`${name} (${derivation} derivation): SealBase/OpenBase (sequence 0) and every export of the SHA-256/ChaCha20 case`, (t) => {
        const hpke = make({ derivation });
        assert.equal(hpke.publicKeyLength, 1216);
        assert.equal(hpke.privateKeyLength, 32);
        if (derivation === 'hpke-pq') assert.equal(toHex(hpke.deriveKeyPair(hex(v.ikmR)).publicKey), v.pkRm);
        const first = v.encryptions[0];
        assert.ok(first);
        assert.equal(first.nonce, v.base_nonce); // single-shot Seal uses sequence number 0 (RFC 9180 §6.1)
        const sealed = hpke.seal(hex(v.pkRm), hex(v.info), hex(first.aad), hex(first.pt), fixed(hex(v.ikmE)));
        assert.equal(toHex(sealed.kemOutput), v.enc);
        assert.equal(toHex(sealed.ciphertext), first.ct);
        assert.equal(toHex(hpke.open(hex(v.skRm), hex(v.enc), hex(v.info), hex(first.aad), hex(first.ct))), first.pt);
        for (const x of v.exports) {
          assert.equal(toHex(hpke.exportReceiver(hex(v.skRm), hex(v.enc), hex(v.info), hex(x.exporter_context), x.L)), x.exported_value);
          const s = hpke.exportSender(hex(v.pkRm), hex(v.info), hex(x.exporter_context), x.L, fixed(hex(v.ikmE)));
          assert.equal(toHex(s.kemOutput), v.enc);
          assert.equal(toHex(s.secret), x.exported_value);
        }
        t.diagnostic(`${name}: 1 encryption (sequence 0 of ${v.encryptions.length}) and ${v.exports.length} exports`);
      });
    }
  }
  it('the providers suite 0x004D HPKE passes the same Seal/Open/Export vector', () => {
    for (const p of [createNativeProvider(), createPortableProvider()]) {
      const hpke = p.suite(XWING_SUITE).hpke;
      const first = v.encryptions[0];
      assert.ok(first);
      const sealed = hpke.seal(hex(v.pkRm), hex(v.info), hex(first.aad), hex(first.pt), fixed(hex(v.ikmE)));
      assert.equal(toHex(sealed.ciphertext), first.ct);
      assert.equal(toHex(hpke.open(hex(v.skRm), hex(v.enc), hex(v.info), hex(first.aad), hex(first.ct))), first.pt);
      const x = v.exports[0];
      assert.ok(x);
      assert.equal(toHex(hpke.exportReceiver(hex(v.skRm), hex(v.enc), hex(v.info), hex(x.exporter_context), x.L)), x.exported_value);
    }
  });
});

describe('MLS suite 0x004D', () => {
  it('is MLS_256_XWING_CHACHA20POLY1305_SHA256_Ed25519 (OpenMLS parameters), exported and listed by both providers', () => {
    assert.equal(CipherSuiteId.MLS_256_XWING_CHACHA20POLY1305_SHA256_Ed25519, XWING_SUITE);
    const params = SUITES.find((s) => s.id === XWING_SUITE);
    assert.deepEqual(params, {
      id: XWING_SUITE,
      name: 'MLS_256_XWING_CHACHA20POLY1305_SHA256_Ed25519',
      hash: 'sha256',
      aead: 'chacha20-poly1305',
      sig: 'ed25519',
      kem: 'xwing',
    });
    for (const p of [createNativeProvider(), createPortableProvider()]) {
      assert.ok(p.supportedSuites.includes(XWING_SUITE), p.name);
      const cs = p.suite(XWING_SUITE);
      assert.equal(cs.name, 'MLS_256_XWING_CHACHA20POLY1305_SHA256_Ed25519');
      assert.deepEqual([cs.hashLength, cs.aeadKeyLength, cs.aeadNonceLength], [32, 32, 12]);
      assert.deepEqual([cs.hpke.publicKeyLength, cs.hpke.privateKeyLength], [1216, 32]);
      assert.equal(p.suite(XWING_SUITE), cs);
    }
  });
  it('native and portable agree on DeriveKeyPair and open each other; ExternalInit-style export works across them', () => {
    const a = createNativeProvider().suite(XWING_SUITE).hpke;
    const b = createPortableProvider().suite(XWING_SUITE).hpke;
    for (let i = 0; i < 3; i++) {
      const ikm = nativeRandom(32);
      const kp = a.deriveKeyPair(ikm);
      assert.deepEqual(b.deriveKeyPair(ikm), kp);
      // draft-connolly-cfrg-xwing-kem §5.6: DeriveKeyPair(ikm) = GenerateKeyPairDerand(SHAKE256(ikm, 32)).
      assert.equal(toHex(kp.privateKey), toHex(shake256(ikm, { dkLen: 32 })));
      const info = nativeRandom(20);
      const s1 = a.seal(kp.publicKey, info, hex('aa'), hex('68656c6c6f'), nativeRandom);
      assert.equal(s1.kemOutput.length, 1120);
      assert.equal(toHex(b.open(kp.privateKey, s1.kemOutput, info, hex('aa'), s1.ciphertext)), '68656c6c6f');
      const s2 = b.seal(kp.publicKey, info, hex(''), hex('00'), nativeRandom);
      assert.equal(toHex(a.open(kp.privateKey, s2.kemOutput, info, hex(''), s2.ciphertext)), '00');
      // RFC 9420 §8.3 ExternalInit: SetupBaseS(external_pub, "") then Export("MLS 1.0 external init secret", Nh).
      const ctx = new TextEncoder().encode('MLS 1.0 external init secret');
      const ex = b.exportSender(kp.publicKey, hex(''), ctx, 32, nativeRandom);
      assert.deepEqual(a.exportReceiver(kp.privateKey, ex.kemOutput, hex(''), ctx, 32), ex.secret);
    }
  });
});

describe('X-Wing caches (draft §5.5.1): per instance, bounded, never module-level', () => {
  function counting(make: () => XWingPrimitives): { prims: XWingPrimitives; counts: { keygen: number; prepare: number } } {
    const base = make();
    const counts = { keygen: 0, prepare: 0 };
    const mlkem: MlKem768 = {
      keygen: (seed) => {
        counts.keygen++;
        return base.mlkem.keygen(seed);
      },
      prepare: (ek) => {
        counts.prepare++;
        return base.mlkem.prepare(ek);
      },
    };
    return { prims: { ...base, mlkem }, counts };
  }
  for (const [name, make] of primitives) {
    it(`${name}: a derived key is expanded once for many decaps; a public key is prepared once for many encaps`, () => {
      const { prims, counts } = counting(make);
      const kem = createXWingKem(prims);
      const kp = kem.deriveKeyPair(hex('0102030405'));
      const cts = [0, 1, 2].map(() => kem.encap(kp.publicKey, nativeRandom));
      for (const c of cts) assert.deepEqual(kem.decap(c.enc, kp.privateKey), c.sharedSecret);
      assert.deepEqual(counts, { keygen: 1, prepare: 1 });
      // Another instance shares nothing.
      const other = counting(make);
      const kem2 = createXWingKem(other.prims);
      assert.deepEqual(kem2.decap(cts[0]?.enc as Uint8Array, kp.privateKey), cts[0]?.sharedSecret);
      assert.deepEqual(other.counts, { keygen: 1, prepare: 1 });
      // cacheSize 0 turns caching off; a bounded cache evicts and still answers.
      const off = counting(make);
      const kem3 = createXWingKem(off.prims, { cacheSize: 0 });
      for (const c of cts) assert.deepEqual(kem3.decap(c.enc, kp.privateKey), c.sharedSecret);
      assert.equal(off.counts.keygen, 3);
      const small = createXWingKem(make(), { cacheSize: 1 });
      const kps = [1, 2, 3].map((i) => small.deriveKeyPair(Uint8Array.of(i)));
      for (const k of kps) {
        const c = small.encap(k.publicKey, nativeRandom);
        assert.deepEqual(small.decap(c.enc, k.privateKey), c.sharedSecret);
      }
    });
  }
});

describe('X-Wing redaction (STYLE.md rule 7)', () => {
  it('the KEM, its HPKE and the providers show no cached key material through inspect or JSON', () => {
    for (const [name, make] of primitives) {
      const kem = createXWingKem(make());
      const hpke =
        name === 'native' ? createNativeXWingHpke('sha256', 'chacha20-poly1305') : createPortableXWingHpke('sha256', 'chacha20-poly1305');
      const provider = name === 'native' ? createNativeProvider() : createPortableProvider();
      const ikm = hex('5a'.repeat(32));
      const kps = [kem.deriveKeyPair(ikm), hpke.deriveKeyPair(ikm), provider.suite(XWING_SUITE).hpke.deriveKeyPair(ikm)];
      const c = kem.encap(kps[0]?.publicKey as Uint8Array, nativeRandom);
      kem.decap(c.enc, kps[0]?.privateKey as Uint8Array);
      for (const o of [kem, hpke, provider]) {
        const shown = `${inspect(o, { depth: Infinity, showHidden: true })} ${JSON.stringify(o) ?? ''}`;
        for (const kp of kps) {
          assert.ok(!shown.includes(toHex(kp.privateKey)), name);
          assert.ok(!shown.includes(Array.from(kp.privateKey.subarray(0, 8)).join(', ')), name);
        }
      }
    }
  });
});

describe('X-Wing malformed input: CryptoError, never a crash, no key material in messages', () => {
  const seed = hex('7f'.repeat(32));
  function assertCryptoError(f: () => unknown, secrets: readonly Uint8Array[]): void {
    let caught: unknown;
    try {
      f();
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof Error, 'expected an error');
    assert.equal(caught.name, 'CryptoError', caught.message);
    const text = `${caught.message} ${caught.stack ?? ''} ${JSON.stringify(caught)}`;
    for (const s of secrets.filter((x) => x.length >= 8)) {
      assert.ok(!text.includes(toHex(s)), 'error text carries key bytes');
      assert.ok(!text.includes(Buffer.from(s).toString('base64')), 'error text carries key bytes');
    }
  }
  for (const [name, make] of hpkes) {
    it(`${name}: short, long, unknown keys and ciphertexts`, () => {
      const hpke = make();
      const kp = hpke.deriveKeyPair(seed);
      const good = hpke.seal(kp.publicKey, hex(''), hex(''), hex('00'), nativeRandom);
      const secrets = [kp.privateKey, seed];
      for (const pk of [new Uint8Array(0), kp.publicKey.subarray(1), hex(`${toHex(kp.publicKey)}00`), new Uint8Array(32)]) {
        assertCryptoError(() => hpke.seal(pk, hex(''), hex(''), hex('00'), nativeRandom), secrets);
        assertCryptoError(() => hpke.exportSender(pk, hex(''), hex(''), 32, nativeRandom), secrets);
      }
      // ML-KEM encapsulation key check (FIPS 203 §7.2): coefficients >= q.
      const badModulus = kp.publicKey.slice();
      badModulus.fill(0xff, 0, 1184);
      assertCryptoError(() => hpke.seal(badModulus, hex(''), hex(''), hex('00'), nativeRandom), secrets);
      // A low-order X25519 half (u = 0) gives an all-zero X25519 output, rejected by both curve libraries.
      const lowOrder = kp.publicKey.slice();
      lowOrder.fill(0, 1184);
      assertCryptoError(() => hpke.seal(lowOrder, hex(''), hex(''), hex('00'), nativeRandom), secrets);
      for (const sk of [new Uint8Array(0), kp.privateKey.subarray(1), hex(`${toHex(kp.privateKey)}00`), new Uint8Array(2400)]) {
        assertCryptoError(() => hpke.open(sk, good.kemOutput, hex(''), hex(''), good.ciphertext), [sk, ...secrets]);
        assertCryptoError(() => hpke.exportReceiver(sk, good.kemOutput, hex(''), hex(''), 32), [sk, ...secrets]);
      }
      for (const enc of [new Uint8Array(0), good.kemOutput.subarray(1), hex(`${toHex(good.kemOutput)}00`), kp.publicKey]) {
        assertCryptoError(() => hpke.open(kp.privateKey, enc, hex(''), hex(''), good.ciphertext), secrets);
      }
      // A wrong-but-well-formed ML-KEM ciphertext is implicitly rejected (FIPS 203 §6.3): the AEAD fails.
      const flipped = good.kemOutput.slice();
      flipped[5] = (flipped[5] as number) ^ 1;
      assertCryptoError(() => hpke.open(kp.privateKey, flipped, hex(''), hex(''), good.ciphertext), secrets);
      const zeroX = good.kemOutput.slice();
      zeroX.fill(0, 1088);
      assertCryptoError(() => hpke.open(kp.privateKey, zeroX, hex(''), hex(''), good.ciphertext), secrets);
      assert.equal(toHex(hpke.open(kp.privateKey, good.kemOutput, hex(''), hex(''), good.ciphertext)), '00');
      assert.throws(() => hpke.deriveKeyPair(new Uint8Array(0)), { name: 'UsageError' });
    });
  }
});
