// CryptoProvider on @noble/* (pure TypeScript, no node:* import) for all seven RFC 9420 §17.1 ciphersuites and X-Wing 0x004D.
import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed448, x448 } from '@noble/curves/ed448.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { expand as hkdfExpand, extract as hkdfExtract } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { CryptoError, UnsupportedError, UsageError } from '../../errors.js';
import type { Bytes } from '../../wire/types.js';
import { createHpke, type HpkeDh } from '../hpke.js';
import type { CipherSuite, CryptoProvider, Hpke, KeyPair, Rng } from '../provider.js';
import {
  AEAD_PARAMS,
  type AeadName,
  type HashName,
  KDF_ID,
  KEM_PARAMS,
  type KemName,
  type SigName,
  SUITES,
  type SuiteParams,
} from '../suites.js';
import { createXWingKem, type XWingOptions } from '../xwing.js';
import { portableXWingPrimitives } from './xwing.js';

const MAX_RANDOM_CHUNK = 65536; // Web Crypto getRandomValues limit per call

/** Randomness from the Web Crypto API (globalThis.crypto), available in browsers and node >= 19. */
export const portableRandom: Rng = (n) => {
  const out = new Uint8Array(n);
  for (let o = 0; o < n; o += MAX_RANDOM_CHUNK) globalThis.crypto.getRandomValues(out.subarray(o, Math.min(n, o + MAX_RANDOM_CHUNK)));
  return out;
};

const HASHES = { sha256, sha384, sha512 } as const;

function hashFns(h: HashName) {
  const fn = HASHES[h];
  return {
    Nh: fn.outputLen,
    hash: (data: Bytes): Bytes => fn(data),
    mac: (key: Bytes, data: Bytes): Bytes => hmac(fn, key, data),
    extract: (salt: Bytes, ikm: Bytes): Bytes => hkdfExtract(fn, ikm, salt),
    expand: (prk: Bytes, info: Bytes, length: number): Bytes => {
      if (!Number.isInteger(length) || length < 0 || length > 255 * fn.outputLen) throw new UsageError('HKDF-Expand length out of range');
      return hkdfExpand(fn, prk, info, length);
    },
  };
}

function aeadFns(a: AeadName) {
  const { Nk, Nn } = AEAD_PARAMS[a];
  const cipher = a === 'chacha20-poly1305' ? chacha20poly1305 : gcm;
  const check = (key: Bytes, nonce: Bytes): void => {
    if (key.length !== Nk || nonce.length !== Nn) throw new UsageError('AEAD key or nonce has the wrong length');
  };
  return {
    Nk,
    Nn,
    seal(key: Bytes, nonce: Bytes, aad: Bytes, plaintext: Bytes): Bytes {
      check(key, nonce);
      return cipher(key, nonce, aad).encrypt(plaintext);
    },
    open(key: Bytes, nonce: Bytes, aad: Bytes, ciphertext: Bytes): Bytes {
      check(key, nonce);
      try {
        return cipher(key, nonce, aad).decrypt(ciphertext);
      } catch {
        throw new CryptoError('AEAD open failed');
      }
    },
  };
}

interface Signer {
  seedLength: number;
  publicKey(sk: Bytes): Bytes;
  sign(sk: Bytes, msg: Bytes): Bytes;
  verify(pk: Bytes, msg: Bytes, sig: Bytes): boolean;
}

const NIST = { p256, p384, p521 } as const;

function signer(s: SigName): Signer {
  if (s === 'ed25519' || s === 'ed448') {
    const c = s === 'ed25519' ? ed25519 : ed448;
    return {
      seedLength: s === 'ed25519' ? 32 : 57,
      publicKey: (sk) => c.getPublicKey(sk),
      sign: (sk, msg) => c.sign(msg, sk),
      verify: (pk, msg, sig) => c.verify(sig, msg, pk),
    };
  }
  const c = NIST[s];
  // RFC 9420 §5.1.2: ECDSA over the suite hash (noble's prehash uses the curve's matching SHA-2), DER-encoded.
  // Verification accepts high-S signatures: other implementations (OpenSSL) produce them.
  const len = c.lengths.secretKey as number;
  // A scalar may arrive without its leading zero bytes (the IETF vectors carry a 65-byte P-521 key); noble >= 2.4
  // takes exactly the field length, so pad on the left as node:crypto's import does.
  const scalar = (sk: Bytes): Bytes => {
    if (sk.length === 0 || sk.length >= len) return sk;
    const out = new Uint8Array(len);
    out.set(sk, len - sk.length);
    return out;
  };
  return {
    seedLength: len,
    publicKey: (sk) => c.getPublicKey(scalar(sk), false),
    sign: (sk, msg) => c.sign(msg, scalar(sk), { format: 'der' }),
    verify: (pk, msg, sig) => c.verify(sig, msg, pk, { format: 'der', lowS: false }),
  };
}

function kemDh(k: KemName): HpkeDh {
  const fail = (): never => {
    throw new CryptoError('HPKE: DH failed');
  };
  if (k === 'x25519' || k === 'x448') {
    const c = k === 'x25519' ? x25519 : x448;
    return {
      publicKey: (sk) => c.getPublicKey(sk),
      dh: (sk, pk) => {
        try {
          return c.getSharedSecret(sk, pk);
        } catch {
          return fail();
        }
      },
    };
  }
  const c = NIST[k];
  const fieldLen = (KEM_PARAMS[k].Npk - 1) / 2;
  return {
    publicKey: (sk) => {
      try {
        return c.getPublicKey(sk, false);
      } catch {
        throw new CryptoError('invalid private key');
      }
    },
    // RFC 9180 §7.1.1: the DH output is the x-coordinate of the shared point.
    dh: (sk, pk) => {
      try {
        return c.getSharedSecret(sk, pk, false).subarray(1, 1 + fieldLen);
      } catch {
        return fail();
      }
    },
  };
}

/** RFC 9180 base-mode HPKE for any (DHKEM, HKDF, AEAD) triple of §7 on @noble/* (MLS suites use fixed triples). */
export function createPortableHpke(kemName: KemName, kdfHash: HashName, aeadName: AeadName): Hpke {
  const kem = KEM_PARAMS[kemName];
  const kemHash = hashFns(kem.kdf);
  const h = hashFns(kdfHash);
  const aead = aeadFns(aeadName);
  return createHpke({
    kem,
    kemKdf: { id: KDF_ID[kem.kdf], Nh: kemHash.Nh, extract: kemHash.extract, expand: kemHash.expand },
    kdf: { id: KDF_ID[kdfHash], Nh: h.Nh, extract: h.extract, expand: h.expand },
    aead: { id: AEAD_PARAMS[aeadName].id, Nk: aead.Nk, Nn: aead.Nn, seal: aead.seal, open: aead.open },
    dh: kemDh(kemName),
  });
}

/** HPKE with the X-Wing KEM (0x647A, see xwing.ts) and a §7 (HKDF, AEAD) pair on @noble/*. */
export function createPortableXWingHpke(kdfHash: HashName, aeadName: AeadName, opts: XWingOptions = {}): Hpke {
  const h = hashFns(kdfHash);
  const aead = aeadFns(aeadName);
  return createHpke({
    kem: createXWingKem(portableXWingPrimitives(), opts),
    kdf: { id: KDF_ID[kdfHash], Nh: h.Nh, extract: h.extract, expand: h.expand },
    aead: { id: AEAD_PARAMS[aeadName].id, Nk: aead.Nk, Nn: aead.Nn, seal: aead.seal, open: aead.open },
  });
}

function buildSuite(p: SuiteParams): CipherSuite {
  const h = hashFns(p.hash);
  const aead = aeadFns(p.aead);
  const sig = signer(p.sig);
  const hpke = p.kem === 'xwing' ? createPortableXWingHpke(p.hash, p.aead) : createPortableHpke(p.kem, p.hash, p.aead);
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
    generateSignatureKeyPair(rng): KeyPair {
      for (let i = 0; i < 64; i++) {
        const sk = rng(sig.seedLength);
        if (p.sig === 'p521') sk[0] = (sk[0] as number) & 0x01;
        try {
          return { privateKey: sk, publicKey: sig.publicKey(sk) };
        } catch {
          // scalar out of range: draw again
        }
      }
      throw new CryptoError('could not generate a signature key');
    },
    signaturePublicKey(sk) {
      try {
        return sig.publicKey(sk);
      } catch {
        throw new CryptoError('invalid private key');
      }
    },
    sign(sk, message) {
      try {
        return sig.sign(sk, message);
      } catch {
        throw new CryptoError('signing failed');
      }
    },
    verify(pk, message, signature) {
      try {
        return sig.verify(pk, message, signature);
      } catch {
        return false;
      }
    },
    hpke,
  };
}

/** A provider over @noble/curves, @noble/hashes and @noble/ciphers. */
export function createPortableProvider(): CryptoProvider {
  const suites = new Map<number, CipherSuite>();
  return {
    name: 'portable',
    supportedSuites: SUITES.map((s) => s.id),
    suite(id) {
      let s = suites.get(id);
      if (s !== undefined) return s;
      const p = SUITES.find((x) => x.id === id);
      if (p === undefined) throw new UnsupportedError(`ciphersuite ${id} is not supported`);
      s = buildSuite(p);
      suites.set(id, s);
      return s;
    },
  };
}
