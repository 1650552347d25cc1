// Safety numbers: a 60-digit number and a QR payload comparing two accounts' identity keys (iterated SHA-512, after Signal's published design).

import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, constantTimeEqual, lengthPrefixed, utf8 } from '../util/bytes.js';

/** Version of the derivation; part of every hash input and the first QR byte. */
export const SAFETY_NUMBER_VERSION = 1;
/** SHA-512 iterations per fingerprint: slows a search for a key whose number collides with a given one. */
export const SAFETY_NUMBER_ITERATIONS = 5200;
const ED25519_PUBLIC_KEY_BYTES = 32;
const FINGERPRINT_BYTES = 32;
const DOMAIN = utf8('Sotto safety number');

export interface SafetyIdentity {
  /** Account identity key (Ed25519 public key, 32 bytes). */
  accountKey: Uint8Array;
  /** Account name, `name@server`; NFC-normalised before hashing. */
  name: string;
}

export interface SafetyNumber {
  /** The 60 digits: the lower of the two 30-digit halves first, so both sides see the same number. */
  digits: string;
  /** 12 groups of 5 digits. */
  groups: string[];
  /** Groups joined by spaces, for display. */
  display: string;
  localFingerprint: Uint8Array;
  remoteFingerprint: Uint8Array;
  /** version(1) || local fingerprint(32) || remote fingerprint(32), to show as a QR code. */
  qrPayload: Uint8Array;
}

/** One side's fingerprint: h0 = SHA-512(domain, version, key, name); h_i = SHA-512(h_{i-1} || key). */
export function fingerprint(identity: SafetyIdentity): Uint8Array {
  const { accountKey, name } = identity;
  if (!(accountKey instanceof Uint8Array) || accountKey.length !== ED25519_PUBLIC_KEY_BYTES) {
    throw new RangeError('accountKey must be a 32-byte Ed25519 public key');
  }
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('name must be a non-empty string');
  const version = Uint8Array.of(SAFETY_NUMBER_VERSION >> 8, SAFETY_NUMBER_VERSION & 0xff);
  let h = sha512(concatBytes(lengthPrefixed(DOMAIN), version, lengthPrefixed(accountKey), lengthPrefixed(utf8(name.normalize('NFC')))));
  for (let i = 0; i < SAFETY_NUMBER_ITERATIONS; i++) h = sha512(concatBytes(h, accountKey));
  return h.slice(0, FINGERPRINT_BYTES);
}

/** 30 digits from the first 30 bytes: six 40-bit big-endian chunks, each mod 100000, zero-padded to 5 digits. */
function fingerprintDigits(fp: Uint8Array): string {
  let out = '';
  for (let chunk = 0; chunk < 6; chunk++) {
    let n = 0;
    for (let i = 0; i < 5; i++) n = n * 256 + (fp[chunk * 5 + i] as number);
    out += String(n % 100000).padStart(5, '0');
  }
  return out;
}

export function computeSafetyNumber(local: SafetyIdentity, remote: SafetyIdentity): SafetyNumber {
  const localFingerprint = fingerprint(local);
  const remoteFingerprint = fingerprint(remote);
  const a = fingerprintDigits(localFingerprint);
  const b = fingerprintDigits(remoteFingerprint);
  const digits = a <= b ? a + b : b + a;
  const groups = digits.match(/\d{5}/g) ?? [];
  return {
    digits,
    groups,
    display: groups.join(' '),
    localFingerprint,
    remoteFingerprint,
    qrPayload: concatBytes(Uint8Array.of(SAFETY_NUMBER_VERSION), localFingerprint, remoteFingerprint),
  };
}

export type SafetyComparison = 'match' | 'mismatch' | 'version-mismatch' | 'malformed';

/**
 * Compare a QR payload scanned from the other device with our own safety number. Their "local" must be our
 * "remote" and vice versa. Compared in constant time.
 */
export function compareScannedSafetyNumber(scanned: Uint8Array, mine: SafetyNumber): SafetyComparison {
  if (!(scanned instanceof Uint8Array) || scanned.length < 1) return 'malformed';
  if (scanned[0] !== SAFETY_NUMBER_VERSION) return 'version-mismatch';
  if (scanned.length !== 1 + 2 * FINGERPRINT_BYTES) return 'malformed';
  const theirLocal = scanned.subarray(1, 1 + FINGERPRINT_BYTES);
  const theirRemote = scanned.subarray(1 + FINGERPRINT_BYTES);
  const ok = Number(constantTimeEqual(theirLocal, mine.remoteFingerprint)) & Number(constantTimeEqual(theirRemote, mine.localFingerprint));
  return ok === 1 ? 'match' : 'mismatch';
}

/** Compare a number read out or typed by the user (spaces and dashes ignored) with ours, in constant time. */
export function compareTypedSafetyNumber(typed: string, mine: SafetyNumber): SafetyComparison {
  const cleaned = typed.replace(/[\s-]/g, '');
  if (!/^\d{60}$/.test(cleaned)) return 'malformed';
  return constantTimeEqual(utf8(cleaned), utf8(mine.digits)) ? 'match' : 'mismatch';
}
