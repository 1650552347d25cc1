// Parameters of the RFC 9420 §17.1 ciphersuites (plus X-Wing 0x004D) and of the RFC 9180 §7 algorithms they use; data only.

export type HashName = 'sha256' | 'sha384' | 'sha512';
export type AeadName = 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';
export type SigName = 'ed25519' | 'ed448' | 'p256' | 'p384' | 'p521';
export type KemName = 'x25519' | 'x448' | 'p256' | 'p384' | 'p521';
/** The KEM of a suite: a DHKEM (RFC 9180 §7.1) or the X-Wing hybrid KEM (HPKE KEM 0x647A, see xwing.ts). */
export type SuiteKem = KemName | 'xwing';

export interface SuiteParams {
  readonly id: number;
  readonly name: string;
  readonly hash: HashName;
  readonly aead: AeadName;
  readonly sig: SigName;
  readonly kem: SuiteKem;
}

/** RFC 9420 §17.1 table. */
export const SUITES: readonly SuiteParams[] = [
  { id: 1, name: 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519', hash: 'sha256', aead: 'aes-128-gcm', sig: 'ed25519', kem: 'x25519' },
  { id: 2, name: 'MLS_128_DHKEMP256_AES128GCM_SHA256_P256', hash: 'sha256', aead: 'aes-128-gcm', sig: 'p256', kem: 'p256' },
  {
    id: 3,
    name: 'MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519',
    hash: 'sha256',
    aead: 'chacha20-poly1305',
    sig: 'ed25519',
    kem: 'x25519',
  },
  { id: 4, name: 'MLS_256_DHKEMX448_AES256GCM_SHA512_Ed448', hash: 'sha512', aead: 'aes-256-gcm', sig: 'ed448', kem: 'x448' },
  { id: 5, name: 'MLS_256_DHKEMP521_AES256GCM_SHA512_P521', hash: 'sha512', aead: 'aes-256-gcm', sig: 'p521', kem: 'p521' },
  { id: 6, name: 'MLS_256_DHKEMX448_CHACHA20POLY1305_SHA512_Ed448', hash: 'sha512', aead: 'chacha20-poly1305', sig: 'ed448', kem: 'x448' },
  { id: 7, name: 'MLS_256_DHKEMP384_AES256GCM_SHA384_P384', hash: 'sha384', aead: 'aes-256-gcm', sig: 'p384', kem: 'p384' },
  // Not in the RFC 9420 table: the post-quantum hybrid suite OpenMLS ships at 0x004D (its `Ciphersuite` enum,
  // feature draft-ietf-mls-pq-ciphersuites): X-Wing KEM, HKDF-SHA256, ChaCha20Poly1305, Ed25519.
  {
    id: 0x004d,
    name: 'MLS_256_XWING_CHACHA20POLY1305_SHA256_Ed25519',
    hash: 'sha256',
    aead: 'chacha20-poly1305',
    sig: 'ed25519',
    kem: 'xwing',
  },
];

export const HASH_LENGTH: Record<HashName, number> = { sha256: 32, sha384: 48, sha512: 64 };

/** RFC 9180 §7.2 KDF ids. */
export const KDF_ID: Record<HashName, number> = { sha256: 0x0001, sha384: 0x0002, sha512: 0x0003 };

/** RFC 9180 §7.3 AEAD ids with Nk, Nn (Nt is 16 for all three). */
export const AEAD_PARAMS: Record<AeadName, { id: number; Nk: number; Nn: number }> = {
  'aes-128-gcm': { id: 0x0001, Nk: 16, Nn: 12 },
  'aes-256-gcm': { id: 0x0002, Nk: 32, Nn: 12 },
  'chacha20-poly1305': { id: 0x0003, Nk: 32, Nn: 12 },
};

export interface KemParams {
  readonly id: number;
  /** Hash of the KEM's own HKDF (RFC 9180 §7.1). */
  readonly kdf: HashName;
  readonly Nsecret: number;
  readonly Npk: number;
  readonly Nsk: number;
  /** NIST curves: group order and first-byte bitmask of the §7.1.3 rejection sampling. */
  readonly order?: bigint;
  readonly bitmask?: number;
}

/** RFC 9180 §7.1 table (Nenc = Npk for every DHKEM). */
export const KEM_PARAMS: Record<KemName, KemParams> = {
  p256: {
    id: 0x0010,
    kdf: 'sha256',
    Nsecret: 32,
    Npk: 65,
    Nsk: 32,
    bitmask: 0xff,
    order: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  },
  p384: {
    id: 0x0011,
    kdf: 'sha384',
    Nsecret: 48,
    Npk: 97,
    Nsk: 48,
    bitmask: 0xff,
    order: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  },
  p521: {
    id: 0x0012,
    kdf: 'sha512',
    Nsecret: 64,
    Npk: 133,
    Nsk: 66,
    bitmask: 0x01,
    order:
      0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
  },
  x25519: { id: 0x0020, kdf: 'sha256', Nsecret: 32, Npk: 32, Nsk: 32 },
  x448: { id: 0x0021, kdf: 'sha512', Nsecret: 64, Npk: 56, Nsk: 56 },
};

/**
 * X-Wing (draft-connolly-cfrg-xwing-kem §7 IANA considerations; HPKE KEM registry 0x647A = 25722): Nenc != Npk.
 * Secret keys are the 32-byte decapsulation seed; ML-KEM-768 ek (1184) || X25519 pk (32); ct_M (1088) || ct_X (32).
 */
export const XWING_KEM = { id: 0x647a, Nsecret: 32, Nenc: 1120, Npk: 1216, Nsk: 32 } as const;

export function suiteParams(id: number): SuiteParams | undefined {
  return SUITES.find((s) => s.id === id);
}
