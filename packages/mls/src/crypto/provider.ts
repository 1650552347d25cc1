// The crypto provider boundary of @sotto/mls (RFC 9420 §5.1): every primitive the protocol uses, per ciphersuite.
// The core never imports node:* or the DOM; a provider (native on node:crypto, portable on @noble/*) is injected.
import type { Bytes } from '../wire/types.js';

/** Source of randomness, injected so tests can seed it. Returns `n` fresh random bytes. */
export type Rng = (n: number) => Bytes;

export interface KeyPair {
  /** Raw private key: the 32/56-byte seed for Ed25519/Ed448, the scalar for ECDSA/ECDH, the raw key for X25519/X448. */
  privateKey: Bytes;
  /** Raw public key: as the RFC 9180 / RFC 9420 wire formats carry it (uncompressed SEC1 point for NIST curves). */
  publicKey: Bytes;
}

/** RFC 9180 base-mode HPKE for one suite's (KEM, KDF, AEAD). */
export interface Hpke {
  /** Npk, Nsk */
  readonly publicKeyLength: number;
  readonly privateKeyLength: number;
  generateKeyPair(rng: Rng): KeyPair;
  /** RFC 9180 §7.1.3 DeriveKeyPair(ikm). */
  deriveKeyPair(ikm: Bytes): KeyPair;
  /** SetupBaseS + Seal (single shot). */
  seal(publicKey: Bytes, info: Bytes, aad: Bytes, plaintext: Bytes, rng: Rng): { kemOutput: Bytes; ciphertext: Bytes };
  /** SetupBaseR + Open (single shot). Throws CryptoError on failure. */
  open(privateKey: Bytes, kemOutput: Bytes, info: Bytes, aad: Bytes, ciphertext: Bytes): Bytes;
  /** SetupBaseS then Export(exporterContext, length): used by ExternalInit (RFC 9420 §8.3). */
  exportSender(publicKey: Bytes, info: Bytes, exporterContext: Bytes, length: number, rng: Rng): { kemOutput: Bytes; secret: Bytes };
  /** SetupBaseR then Export(exporterContext, length). */
  exportReceiver(privateKey: Bytes, kemOutput: Bytes, info: Bytes, exporterContext: Bytes, length: number): Bytes;
}

/** One RFC 9420 ciphersuite (§17.1) with all its primitives bound. Synchronous by design (speed). */
export interface CipherSuite {
  readonly id: number;
  readonly name: string;
  /** Nh: output length of the hash and of KDF.Extract. */
  readonly hashLength: number;
  /** Nk, Nn of the AEAD. */
  readonly aeadKeyLength: number;
  readonly aeadNonceLength: number;
  hash(data: Bytes): Bytes;
  /** HMAC with the suite's hash (RFC 9420 §5.2 MAC). */
  mac(key: Bytes, data: Bytes): Bytes;
  /** RFC 5869 §2.2 */
  extract(salt: Bytes, ikm: Bytes): Bytes;
  /** RFC 5869 §2.3 */
  expand(prk: Bytes, info: Bytes, length: number): Bytes;
  aeadSeal(key: Bytes, nonce: Bytes, aad: Bytes, plaintext: Bytes): Bytes;
  /** Throws CryptoError when the tag does not verify. */
  aeadOpen(key: Bytes, nonce: Bytes, aad: Bytes, ciphertext: Bytes): Bytes;
  generateSignatureKeyPair(rng: Rng): KeyPair;
  signaturePublicKey(privateKey: Bytes): Bytes;
  sign(privateKey: Bytes, message: Bytes): Bytes;
  /** Returns false (never throws) for a bad signature or a malformed key. */
  verify(publicKey: Bytes, message: Bytes, signature: Bytes): boolean;
  readonly hpke: Hpke;
}

export interface CryptoProvider {
  readonly name: string;
  /** Ciphersuite ids this provider implements. */
  readonly supportedSuites: readonly number[];
  /** Throws UnsupportedError for an unknown id. Returns the same object for the same id (cache keys on it). */
  suite(id: number): CipherSuite;
}

/** Everything with a side effect that the core needs, injected as one object (STYLE.md rule 1). */
export interface MlsDeps {
  crypto: CryptoProvider;
  rng: Rng;
  /** Seconds since the Unix epoch, for KeyPackage lifetime checks (RFC 9420 §7.2). */
  now: () => bigint;
}
