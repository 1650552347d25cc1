// DeviceCertificate: the account key vouches for one device's MLS signature key.
//
// struct {
//   uint8 version = 1;
//   opaque account_name<V>;   // UTF-8 name@host
//   opaque account_key[32];   // Ed25519
//   opaque device_id<V>;
//   uint16 cipher_suite;      // RFC 9420 §17.1
//   opaque signature_key<V>;  // the device's MLS signature public key
//   uint64 issued_at;         // ms since the Unix epoch
//   uint8 has_expiry; [uint64 expires_at;]
// } DeviceCertificateTBS;
// struct { DeviceCertificateTBS tbs; opaque signature<V>; } DeviceCertificate;
// signature = Ed25519(account_key, labeled("DeviceCertificate v1", tbs))
import { decodeAll, fromUtf8, type Reader, toUtf8, Writer } from './codec.js';
import { IdentityError } from './errors.js';
import { checkDeviceId, parseAccountName } from './names.js';
import { signLabeled, verifyLabeled } from './signature.js';

export const DEVICE_CERTIFICATE_LABEL = 'DeviceCertificate v1';

export interface DeviceCertificateFields {
  version: 1;
  accountName: string;
  accountKey: Uint8Array;
  deviceId: string;
  cipherSuite: number;
  signatureKey: Uint8Array;
  issuedAt: bigint;
  expiresAt?: bigint;
}

export interface DeviceCertificate extends DeviceCertificateFields {
  signature: Uint8Array;
}

function checkFields(f: DeviceCertificateFields): void {
  if (f.version !== 1) throw new IdentityError('UNSUPPORTED', 'unknown certificate version');
  parseAccountName(f.accountName);
  checkDeviceId(f.deviceId);
  if (f.accountKey.length !== 32) throw new IdentityError('INVALID_FIELD', 'account key must be 32 bytes');
  if (f.signatureKey.length < 1 || f.signatureKey.length > 256) throw new IdentityError('INVALID_FIELD', 'bad signature key length');
  if (!Number.isInteger(f.cipherSuite) || f.cipherSuite < 1 || f.cipherSuite > 0xffff)
    throw new IdentityError('INVALID_FIELD', 'bad cipher suite');
  if (f.expiresAt !== undefined && f.expiresAt <= f.issuedAt) throw new IdentityError('INVALID_FIELD', 'expiry before issue');
}

function writeTbs(w: Writer, f: DeviceCertificateFields): void {
  w.u8(f.version).bytes(toUtf8(f.accountName)).raw(f.accountKey).bytes(toUtf8(f.deviceId)).u16(f.cipherSuite);
  w.bytes(f.signatureKey).u64(f.issuedAt);
  if (f.expiresAt === undefined) w.u8(0);
  else w.u8(1).u64(f.expiresAt);
}

export function encodeDeviceCertificateTbs(f: DeviceCertificateFields): Uint8Array {
  checkFields(f);
  const w = new Writer();
  writeTbs(w, f);
  return w.finish();
}

export function signDeviceCertificate(fields: DeviceCertificateFields, accountSecretKey: Uint8Array): DeviceCertificate {
  const signature = signLabeled(accountSecretKey, DEVICE_CERTIFICATE_LABEL, encodeDeviceCertificateTbs(fields));
  return { ...fields, signature };
}

export function encodeDeviceCertificate(c: DeviceCertificate): Uint8Array {
  checkFields(c);
  const w = new Writer();
  writeTbs(w, c);
  return w.bytes(c.signature).finish();
}

export function decodeDeviceCertificate(bytes: Uint8Array): DeviceCertificate {
  const c = decodeAll(bytes, (r: Reader): DeviceCertificate => {
    const version = r.u8();
    if (version !== 1) throw new IdentityError('UNSUPPORTED', 'unknown certificate version');
    const accountName = fromUtf8(r.bytes(320));
    const accountKey = r.raw(32);
    const deviceId = fromUtf8(r.bytes(64));
    const cipherSuite = r.u16();
    const signatureKey = r.bytes(256);
    const issuedAt = r.u64();
    const flag = r.u8();
    if (flag > 1) throw new IdentityError('DECODE', 'invalid optional flag');
    const expiresAt = flag === 1 ? r.u64() : undefined;
    const signature = r.bytes(64);
    const base = { version, accountName, accountKey, deviceId, cipherSuite, signatureKey, issuedAt, signature } as const;
    return expiresAt === undefined ? base : { ...base, expiresAt };
  });
  checkFields(c);
  return c;
}

/**
 * Checks the account signature, and validity at `nowMs` (issued no later than now + skew, not expired).
 * Returns the certificate; throws IdentityError BAD_SIGNATURE / EXPIRED / NOT_YET_VALID.
 */
export function verifyDeviceCertificate(c: DeviceCertificate, nowMs: number, skewMs = 5 * 60_000): DeviceCertificate {
  const tbs = encodeDeviceCertificateTbs(c);
  if (!verifyLabeled(c.accountKey, DEVICE_CERTIFICATE_LABEL, tbs, c.signature)) {
    throw new IdentityError('BAD_SIGNATURE', 'device certificate signature does not verify under the account key');
  }
  return checkDeviceCertificateTime(c, nowMs, skewMs);
}

/**
 * The time part of verifyDeviceCertificate alone, for a certificate whose signature was verified before: neither issued
 * in the future (beyond the clock skew) nor expired at `nowMs`.
 */
export function checkDeviceCertificateTime(c: DeviceCertificate, nowMs: number, skewMs = 5 * 60_000): DeviceCertificate {
  const now = BigInt(Math.floor(nowMs));
  if (c.issuedAt > now + BigInt(skewMs)) throw new IdentityError('NOT_YET_VALID', 'device certificate issued in the future');
  if (c.expiresAt !== undefined && c.expiresAt <= now) throw new IdentityError('EXPIRED', 'device certificate has expired');
  return c;
}
