// RFC 9180 HPKE, base mode only (mode_base = 0x00), built over a small primitive interface so the native and the
// portable provider share one construction: DHKEM (§4.1), DeriveKeyPair (§7.1.3), key schedule (§5.1),
// single-shot Seal/Open (§6.1) and the secret export interface (§5.3). A non-DH KEM (X-Wing, see xwing.ts) plugs in
// through the §4 generic KEM interface (`HpkeKem`).
import { CryptoError, UsageError } from '../errors.js';
import { concat, utf8Bytes } from '../util/bytes.js';
import type { Bytes } from '../wire/types.js';
import type { Hpke, KeyPair, Rng } from './provider.js';
import type { KemParams } from './suites.js';

/** RFC 5869 HKDF bound to one hash. */
export interface HpkeKdf {
  readonly id: number;
  readonly Nh: number;
  extract(salt: Bytes, ikm: Bytes): Bytes;
  expand(prk: Bytes, info: Bytes, length: number): Bytes;
}

/** An AEAD; `open` throws CryptoError on a bad tag. */
export interface HpkeAead {
  readonly id: number;
  readonly Nk: number;
  readonly Nn: number;
  seal(key: Bytes, nonce: Bytes, aad: Bytes, plaintext: Bytes): Bytes;
  open(key: Bytes, nonce: Bytes, aad: Bytes, ciphertext: Bytes): Bytes;
}

/** The Diffie-Hellman group under a DHKEM: raw private keys (scalars), serialized public keys (§7.1.1). */
export interface HpkeDh {
  /** SerializePublicKey(pk(sk)). Throws CryptoError for an invalid private key. */
  publicKey(privateKey: Bytes): Bytes;
  /** DH(sk, pk): the shared x-coordinate / u-coordinate. Throws CryptoError for an invalid public key. */
  dh(privateKey: Bytes, publicKey: Bytes): Bytes;
}

export interface HpkeParts {
  kem: KemParams;
  /** HKDF with the KEM's hash (§4.1). */
  kemKdf: HpkeKdf;
  /** The HPKE KDF of the key schedule (§5.1). */
  kdf: HpkeKdf;
  aead: HpkeAead;
  dh: HpkeDh;
}

/**
 * The §4 generic KEM interface, for KEMs that are not a DHKEM (X-Wing, 0x647A). Keys are serialized byte strings
 * (SerializePublicKey / SerializePrivateKey are the identity). `encap` and `decap` throw CryptoError on bad input.
 */
export interface HpkeKem {
  readonly id: number;
  readonly Nsecret: number;
  readonly Nenc: number;
  readonly Npk: number;
  readonly Nsk: number;
  generateKeyPair(rng: Rng): KeyPair;
  deriveKeyPair(ikm: Bytes): KeyPair;
  encap(pkR: Bytes, rng: Rng): { sharedSecret: Bytes; enc: Bytes };
  decap(enc: Bytes, skR: Bytes): Bytes;
}

/** HPKE over a generic (non-DH) KEM: Encap/Decap are the KEM's own (§4), the key schedule is unchanged (§5.1). */
export interface HpkeKemParts {
  kem: HpkeKem;
  kdf: HpkeKdf;
  aead: HpkeAead;
}

const VERSION = utf8Bytes('HPKE-v1');
const EMPTY = new Uint8Array(0);
const MODE_BASE = 0x00;

const label = (() => {
  const cache = new Map<string, Bytes>();
  return (s: string): Bytes => {
    let b = cache.get(s);
    if (b === undefined) {
      b = utf8Bytes(s);
      cache.set(s, b);
    }
    return b;
  };
})();

function i2osp(n: number, len: number): Bytes {
  const out = new Uint8Array(len);
  for (let i = len - 1, v = n; i >= 0; i--, v = Math.floor(v / 256)) out[i] = v & 0xff;
  return out;
}

/** §4 LabeledExtract / LabeledExpand bound to a suite_id. */
class Labeled {
  constructor(
    private readonly kdf: HpkeKdf,
    private readonly suiteId: Bytes,
  ) {}
  extract(salt: Bytes, lbl: string, ikm: Bytes): Bytes {
    return this.kdf.extract(salt, concat(VERSION, this.suiteId, label(lbl), ikm));
  }
  expand(prk: Bytes, lbl: string, info: Bytes, length: number): Bytes {
    return this.kdf.expand(prk, concat(i2osp(length, 2), VERSION, this.suiteId, label(lbl), info), length);
  }
}

interface Context {
  key: Bytes;
  baseNonce: Bytes;
  exporterSecret: Bytes;
}

/** §4.1 DHKEM(Group, KDF) as a generic KEM. */
function createDhkem(parts: HpkeParts): HpkeKem {
  const { kem, dh } = parts;
  const kemLabeled = new Labeled(parts.kemKdf, concat(label('KEM'), i2osp(kem.id, 2)));

  // §7.1.3 DeriveKeyPair; NIST curves use rejection sampling with the first-byte bitmask.
  // The RFC says ikm SHOULD be at least Nsk bytes; MLS feeds it Nh-byte secrets (64 < Nsk = 66 for P-521,
  // RFC 9420 §8.3 external key pair), so a shorter ikm is accepted, an empty one is not.
  function deriveKeyPair(ikm: Bytes): KeyPair {
    if (ikm.length === 0) throw new UsageError('DeriveKeyPair: empty ikm');
    const dkpPrk = kemLabeled.extract(EMPTY, 'dkp_prk', ikm);
    if (kem.order === undefined) {
      const privateKey = kemLabeled.expand(dkpPrk, 'sk', EMPTY, kem.Nsk);
      return { privateKey, publicKey: dh.publicKey(privateKey) };
    }
    for (let counter = 0; counter < 256; counter++) {
      const bytes = kemLabeled.expand(dkpPrk, 'candidate', i2osp(counter, 1), kem.Nsk);
      bytes[0] = (bytes[0] as number) & (kem.bitmask as number);
      const sk = bytesToBigInt(bytes);
      if (sk !== 0n && sk < kem.order) return { privateKey: bytes, publicKey: dh.publicKey(bytes) };
    }
    throw new CryptoError('DeriveKeyPair: no valid candidate');
  }

  // §4.1 ExtractAndExpand
  function sharedSecret(dhOut: Bytes, enc: Bytes, pkR: Bytes): Bytes {
    const eaePrk = kemLabeled.extract(EMPTY, 'eae_prk', dhOut);
    return kemLabeled.expand(eaePrk, 'shared_secret', concat(enc, pkR), kem.Nsecret);
  }

  function checkPublicKey(pk: Bytes): void {
    if (pk.length !== kem.Npk) throw new CryptoError('HPKE: public key has the wrong length');
  }

  function dhChecked(sk: Bytes, pk: Bytes): Bytes {
    const out = dh.dh(sk, pk);
    // §7.1.4: an all-zero X25519/X448 output MUST be rejected (NIST points are validated by the primitive).
    let acc = 0;
    for (let i = 0; i < out.length; i++) acc |= out[i] as number;
    if (acc === 0) throw new CryptoError('HPKE: DH produced the zero value');
    return out;
  }

  // §4.1 Encap
  function encap(pkR: Bytes, rng: Rng): { sharedSecret: Bytes; enc: Bytes } {
    checkPublicKey(pkR);
    const eph = deriveKeyPair(rng(kem.Nsk));
    const enc = eph.publicKey;
    return { sharedSecret: sharedSecret(dhChecked(eph.privateKey, pkR), enc, pkR), enc };
  }

  // §4.1 Decap
  function decap(enc: Bytes, skR: Bytes): Bytes {
    checkPublicKey(enc);
    if (skR.length !== kem.Nsk) throw new CryptoError('HPKE: private key has the wrong length');
    return sharedSecret(dhChecked(skR, enc), enc, dh.publicKey(skR));
  }

  return {
    id: kem.id,
    Nsecret: kem.Nsecret,
    Nenc: kem.Npk, // §7.1: Nenc = Npk for every DHKEM
    Npk: kem.Npk,
    Nsk: kem.Nsk,
    // §7.1.3: GenerateKeyPair may be DeriveKeyPair(random(Nsk)); keeps key generation seedable in tests.
    generateKeyPair: (rng) => deriveKeyPair(rng(kem.Nsk)),
    deriveKeyPair,
    encap,
    decap,
  };
}

/** Builds the `Hpke` of one (KEM, KDF, AEAD) triple: a DHKEM from its group primitives, or a generic KEM (§4). */
export function createHpke(parts: HpkeParts | HpkeKemParts): Hpke {
  const kem: HpkeKem = 'dh' in parts ? createDhkem(parts) : parts.kem;
  const { kdf, aead } = parts;
  const hpkeLabeled = new Labeled(kdf, concat(label('HPKE'), i2osp(kem.id, 2), i2osp(kdf.id, 2), i2osp(aead.id, 2)));

  // §5.1 KeySchedule with mode_base, default psk and psk_id.
  // §5.1 base mode: psk_id_hash is a constant of the suite; info_hash depends only on `info`, which MLS repeats
  // for every recipient of one Welcome (the encrypted GroupInfo is the EncryptWithLabel context, RFC 9420
  // §12.4.3.1), so it is hashed once per info object rather than once per joiner (O(n) instead of O(n^2)).
  const pskIdHash = hpkeLabeled.extract(EMPTY, 'psk_id_hash', EMPTY);
  const infoHashes = new WeakMap<Bytes, Bytes>();
  function infoHashOf(info: Bytes): Bytes {
    let h = infoHashes.get(info);
    if (h === undefined) {
      h = hpkeLabeled.extract(EMPTY, 'info_hash', info);
      if (info.length > 1024) infoHashes.set(info, h);
    }
    return h;
  }

  // Single-shot Seal/Open (§6.1) never read exporter_secret, so only the export paths (§6.2) derive it.
  function keySchedule(shared: Bytes, info: Bytes, withExporter = false): Context {
    const infoHash = infoHashOf(info);
    const ctx = concat(Uint8Array.of(MODE_BASE), pskIdHash, infoHash);
    const secret = hpkeLabeled.extract(shared, 'secret', EMPTY);
    return {
      key: hpkeLabeled.expand(secret, 'key', ctx, aead.Nk),
      baseNonce: hpkeLabeled.expand(secret, 'base_nonce', ctx, aead.Nn),
      exporterSecret: withExporter ? hpkeLabeled.expand(secret, 'exp', ctx, kdf.Nh) : EMPTY,
    };
  }

  // §5.3 Export
  function exportSecret(c: Context, exporterContext: Bytes, length: number): Bytes {
    if (!Number.isInteger(length) || length < 0 || length > 255 * kdf.Nh) throw new UsageError('HPKE export length out of range');
    return hpkeLabeled.expand(c.exporterSecret, 'sec', exporterContext, length);
  }

  return {
    publicKeyLength: kem.Npk,
    privateKeyLength: kem.Nsk,
    generateKeyPair: (rng) => kem.generateKeyPair(rng),
    deriveKeyPair: (ikm) => kem.deriveKeyPair(ikm),
    seal(publicKey, info, aad, plaintext, rng) {
      const { sharedSecret: ss, enc } = kem.encap(publicKey, rng);
      const c = keySchedule(ss, info);
      // §6.1 single shot: sequence number 0, so the nonce is base_nonce.
      return { kemOutput: enc, ciphertext: aead.seal(c.key, c.baseNonce, aad, plaintext) };
    },
    open(privateKey, kemOutput, info, aad, ciphertext) {
      const c = keySchedule(kem.decap(kemOutput, privateKey), info);
      return aead.open(c.key, c.baseNonce, aad, ciphertext);
    },
    exportSender(publicKey, info, exporterContext, length, rng) {
      const { sharedSecret: ss, enc } = kem.encap(publicKey, rng);
      return { kemOutput: enc, secret: exportSecret(keySchedule(ss, info, true), exporterContext, length) };
    },
    exportReceiver(privateKey, kemOutput, info, exporterContext, length) {
      return exportSecret(keySchedule(kem.decap(kemOutput, privateKey), info, true), exporterContext, length);
    },
  };
}

function bytesToBigInt(b: Bytes): bigint {
  let v = 0n;
  for (let i = 0; i < b.length; i++) v = (v << 8n) | BigInt(b[i] as number);
  return v;
}
