// CryptoProvider on node:crypto for all seven RFC 9420 §17.1 ciphersuites and X-Wing 0x004D; synchronous, KeyObjects cached.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  diffieHellman,
  sign as nodeSign,
  verify as nodeVerify,
  randomFillSync,
} from 'node:crypto';
import { CryptoError, UnsupportedError, UsageError } from '../../errors.js';
import type { Bytes } from '../../wire/types.js';
import { hkdfExpand } from '../hkdf.js';
import { createHpke } from '../hpke.js';
import type { CipherSuite, CryptoProvider, Hpke, Rng } from '../provider.js';
import {
  AEAD_PARAMS,
  type AeadName,
  HASH_LENGTH,
  type HashName,
  KDF_ID,
  KEM_PARAMS,
  type KemName,
  SUITES,
  type SuiteParams,
} from '../suites.js';
import { createXWingKem, type XWingOptions } from '../xwing.js';
import { asBytes, ecPublicFromPrivate, fieldLength, KeyCache } from './keys.js';
import { nativeXWingPrimitives } from './xwing.js';

const TAG = 16;

/** Cryptographically secure randomness from node:crypto. */
// Filled in place: no Buffer (randomBytes would hand out a view of Node's shared 8 KiB pool slab) and no extra view.
export const nativeRandom: Rng = (n) => randomFillSync(new Uint8Array(n));

/**
 * Cryptographically secure randomness from node:crypto, drawn from a block of `blockSize` bytes that one call to the
 * CSPRNG fills, so that the small requests of MLS (4-byte reuse guards, 32-byte key seeds) cost a copy instead of an
 * OpenSSL RAND_bytes call each (about 6 us on OpenSSL 3.0). Every request gets fresh, never reused bytes; those handed
 * out are zeroed in the block at once, so no past output stays in it. One block per returned function (no shared
 * state); requests above a quarter block go to the CSPRNG directly.
 */
export function createNativeRandom(blockSize = 4096): Rng {
  if (!Number.isInteger(blockSize) || blockSize < 64) throw new RangeError('blockSize must be an integer >= 64');
  const block = new Uint8Array(blockSize);
  let used = blockSize; // empty until the first request
  return (n) => {
    if (!Number.isInteger(n) || n < 0 || n > blockSize >>> 2) return nativeRandom(n); // (a bad n throws there)
    if (used + n > blockSize) {
      randomFillSync(block);
      used = 0;
    }
    const out = block.slice(used, used + n);
    block.fill(0, used, used + n);
    used += n;
    return out;
  };
}

function hashFns(h: HashName) {
  const Nh = HASH_LENGTH[h];
  const hash = (data: Bytes): Bytes => asBytes(createHash(h).update(data).digest());
  const mac = (key: Bytes, data: Bytes): Bytes => asBytes(createHmac(h, key).update(data).digest());
  const extract = (salt: Bytes, ikm: Bytes): Bytes => mac(salt, ikm); // RFC 5869 §2.2
  const expand = (prk: Bytes, info: Bytes, length: number): Bytes => hkdfExpand(mac, Nh, prk, info, length);
  return { Nh, hash, mac, extract, expand };
}

function aeadFns(a: AeadName) {
  const { Nk, Nn } = AEAD_PARAMS[a];
  const check = (key: Bytes, nonce: Bytes): void => {
    if (key.length !== Nk || nonce.length !== Nn) throw new UsageError('AEAD key or nonce has the wrong length');
  };
  const seal = (key: Bytes, nonce: Bytes, aad: Bytes, plaintext: Bytes): Bytes => {
    check(key, nonce);
    const c = createCipheriv(a as 'aes-128-gcm', key, nonce, { authTagLength: TAG });
    c.setAAD(aad);
    const body = c.update(plaintext);
    c.final();
    const out = new Uint8Array(body.length + TAG);
    out.set(body, 0);
    out.set(c.getAuthTag(), body.length);
    return out;
  };
  const open = (key: Bytes, nonce: Bytes, aad: Bytes, ciphertext: Bytes): Bytes => {
    check(key, nonce);
    if (ciphertext.length < TAG) throw new CryptoError('AEAD open failed');
    const n = ciphertext.length - TAG;
    try {
      const d = createDecipheriv(a as 'aes-128-gcm', key, nonce, { authTagLength: TAG });
      d.setAAD(aad);
      d.setAuthTag(ciphertext.subarray(n));
      const body = d.update(ciphertext.subarray(0, n));
      d.final();
      return asBytes(body);
    } catch {
      throw new CryptoError('AEAD open failed');
    }
  };
  return { Nk, Nn, seal, open };
}

function okpPublicFromPrivate(keys: KeyCache, curve: 'x25519' | 'x448' | 'ed25519' | 'ed448', sk: Bytes): Bytes {
  // JWK export is an order of magnitude cheaper than SPKI DER in OpenSSL 3 (no encoder lookup). The private key's
  // JWK carries the public `x` OpenSSL derived from the private bytes: no public KeyObject is built (about 4 µs less).
  const jwk = keys.privateKey(curve, sk).export({ format: 'jwk' });
  const pub = Buffer.from(jwk.x as string, 'base64url');
  if (pub.length !== fieldLength(curve)) throw new CryptoError('invalid private key');
  return asBytes(pub);
}

/** RFC 9180 base-mode HPKE for any (DHKEM, HKDF, AEAD) triple of §7 on node:crypto (MLS suites use fixed triples). */
export function createNativeHpke(kemName: KemName, kdfHash: HashName, aeadName: AeadName, keys: KeyCache = new KeyCache()): Hpke {
  const kem = KEM_PARAMS[kemName];
  const kemHash = hashFns(kem.kdf);
  const h = hashFns(kdfHash);
  const aead = aeadFns(aeadName);
  return createHpke({
    kem,
    kemKdf: { id: KDF_ID[kem.kdf], Nh: kemHash.Nh, extract: kemHash.extract, expand: kemHash.expand },
    kdf: { id: KDF_ID[kdfHash], Nh: h.Nh, extract: h.extract, expand: h.expand },
    aead: { id: AEAD_PARAMS[aeadName].id, Nk: aead.Nk, Nn: aead.Nn, seal: aead.seal, open: aead.open },
    dh: {
      publicKey: (sk) =>
        kemName === 'x25519' || kemName === 'x448' ? okpPublicFromPrivate(keys, kemName, sk) : ecPublicFromPrivate(kemName, sk),
      dh: (sk, pk) => {
        try {
          return asBytes(diffieHellman({ privateKey: keys.privateKey(kemName, sk), publicKey: keys.publicKey(kemName, pk) }));
        } catch {
          throw new CryptoError('HPKE: DH failed');
        }
      },
    },
  });
}

/** HPKE with the X-Wing KEM (0x647A, see xwing.ts) and a §7 (HKDF, AEAD) pair on node:crypto. */
export function createNativeXWingHpke(
  kdfHash: HashName,
  aeadName: AeadName,
  keys: KeyCache = new KeyCache(),
  opts: XWingOptions = {},
): Hpke {
  const h = hashFns(kdfHash);
  const aead = aeadFns(aeadName);
  return createHpke({
    kem: createXWingKem(nativeXWingPrimitives(keys), opts),
    kdf: { id: KDF_ID[kdfHash], Nh: h.Nh, extract: h.extract, expand: h.expand },
    aead: { id: AEAD_PARAMS[aeadName].id, Nk: aead.Nk, Nn: aead.Nn, seal: aead.seal, open: aead.open },
  });
}

function buildSuite(p: SuiteParams, keys: KeyCache): CipherSuite {
  const h = hashFns(p.hash);
  const aead = aeadFns(p.aead);
  const sig = p.sig;
  const sigHash = sig === 'ed25519' || sig === 'ed448' ? null : p.hash; // RFC 9420 §5.1.2: ECDSA with the suite hash
  const sigPublic = (sk: Bytes): Bytes =>
    sig === 'ed25519' || sig === 'ed448' ? okpPublicFromPrivate(keys, sig, sk) : ecPublicFromPrivate(sig, sk);

  const hpke = p.kem === 'xwing' ? createNativeXWingHpke(p.hash, p.aead, keys) : createNativeHpke(p.kem, p.hash, p.aead, keys);

  return {
    id: p.id,
    name: p.name,
    hashLength: h.Nh,
    aeadKeyLength: aead.Nk,
    aeadNonceLength: aead.Nn,
    hash: h.hash,
    mac: h.mac,
    extract: h.extract,
    expand: h.expand,
    aeadSeal: aead.seal,
    aeadOpen: aead.open,
    generateSignatureKeyPair(rng) {
      // Ed25519/Ed448 keys are seeds; ECDSA scalars are drawn until valid (nonzero, below the order).
      const len = sig === 'ed448' ? 57 : fieldLength(sig);
      for (let i = 0; i < 64; i++) {
        const sk = rng(len);
        if (sig === 'p521') sk[0] = (sk[0] as number) & 0x01;
        try {
          return { privateKey: sk, publicKey: sigPublic(sk) };
        } catch {
          // invalid scalar: draw again
        }
      }
      throw new CryptoError('could not generate a signature key');
    },
    signaturePublicKey: sigPublic,
    sign(privateKey, message) {
      const key = keys.privateKey(sig, privateKey); // throws CryptoError for a malformed key
      try {
        return asBytes(nodeSign(sigHash, message, key));
      } catch {
        throw new CryptoError('signing failed');
      }
    },
    verify(publicKey, message, signature) {
      try {
        return nodeVerify(sigHash, message, keys.publicKey(sig, publicKey), signature);
      } catch {
        return false;
      }
    },
    hpke,
  };
}

/** A provider over node:crypto. Each call builds an independent provider with its own key cache. */
export function createNativeProvider(): CryptoProvider {
  const keys = new KeyCache();
  const suites = new Map<number, CipherSuite>();
  return {
    name: 'native',
    supportedSuites: SUITES.map((s) => s.id),
    suite(id) {
      let s = suites.get(id);
      if (s !== undefined) return s;
      const p = SUITES.find((x) => x.id === id);
      if (p === undefined) throw new UnsupportedError(`ciphersuite ${id} is not supported`);
      s = buildSuite(p, keys);
      suites.set(id, s);
      return s;
    },
  };
}
