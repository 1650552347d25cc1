// Device-link codes: the new device's QR payload and a short typed code (commit-then-reveal SAS) the approving device checks.
//
// Two ways for the approving device A to be sure it certifies the new device N's keys and not keys the server swapped in:
//  - QR: N shows encodeLinkQr(...) (its public keys + a random secret); A scans it and compares the keys the server relayed
//    with verifyScannedLinkKeys. The secret never passes through the server and can key the transfer channel.
//  - Typed code (no camera): a short authentication string in three messages relayed by the server:
//      1. N -> A: linkCommitment(keys, nonceN)        (N is bound to its keys and nonce before it sees nonceA)
//      2. A -> N: nonceA                              (A's fresh randomness)
//      3. N -> A: keys, nonceN; A checks openLinkCommitment
//    Both compute deriveLinkCode(keys, nonceN, nonceA); N shows it, the user types it on A, A calls verifyLinkCode.
//    A server that swaps keys must commit before it learns nonceA, so it matches the 40-bit code with chance 2^-40 per try.

import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes as nobleRandomBytes } from '@noble/hashes/utils.js';
import { concatBytes, constantTimeEqual, lengthPrefixed, utf8 } from '../util/bytes.js';
import { type RandomBytes, redactOnPrototype, SecretBytes } from '../util/secret-bytes.js';
import { LinkError } from './link-error.js';

export const LINK_PAYLOAD_VERSION = 1;
/** 32 symbols without 0/O and 1/I: each character carries 5 bits. */
export const LINK_CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const LINK_CODE_LENGTH = 8;
const KEY_BYTES = 32;
const SECRET_BYTES = 32;
const NONCE_BYTES = 32;
const PAYLOAD_BYTES = 1 + KEY_BYTES * 2 + SECRET_BYTES;

/** The new device's public keys: its MLS signature key (Ed25519) and its key-agreement key (X25519). */
export interface LinkPublicKeys {
  signatureKey: Uint8Array;
  encryptionKey: Uint8Array;
}

/** What the new device shows as a QR code; holds the link secret, so it redacts itself when printed. */
export class LinkQrPayload {
  readonly keys: LinkPublicKeys;
  readonly secret: SecretBytes;

  constructor(keys: LinkPublicKeys, secret: SecretBytes) {
    checkKeys(keys);
    if (secret.length !== SECRET_BYTES) throw new RangeError('link secret must be 32 bytes');
    this.keys = keys;
    this.secret = secret;
  }
}
redactOnPrototype(LinkQrPayload.prototype, 'LinkQrPayload');

function checkKeys(keys: LinkPublicKeys): void {
  for (const k of [keys.signatureKey, keys.encryptionKey]) {
    if (!(k instanceof Uint8Array) || k.length !== KEY_BYTES) throw new RangeError('link public keys must be 32 bytes each');
  }
}

function keyBytes(keys: LinkPublicKeys): Uint8Array {
  checkKeys(keys);
  return concatBytes(keys.signatureKey, keys.encryptionKey);
}

/** A fresh QR payload for the new device. */
export function createLinkQr(keys: LinkPublicKeys, randomBytes: RandomBytes = nobleRandomBytes): LinkQrPayload {
  return new LinkQrPayload(keys, new SecretBytes(randomBytes(SECRET_BYTES)));
}

/** version(1) || signature key(32) || encryption key(32) || secret(32). */
export function encodeLinkQr(payload: LinkQrPayload): Uint8Array {
  return concatBytes(Uint8Array.of(LINK_PAYLOAD_VERSION), keyBytes(payload.keys), payload.secret.expose());
}

export function decodeLinkQr(bytes: Uint8Array): LinkQrPayload {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new LinkError('MALFORMED_PAYLOAD', 'empty payload');
  if (bytes[0] !== LINK_PAYLOAD_VERSION) throw new LinkError('UNSUPPORTED_VERSION', `version ${bytes[0]}`);
  if (bytes.length !== PAYLOAD_BYTES) throw new LinkError('MALFORMED_PAYLOAD', 'wrong payload length');
  return new LinkQrPayload({ signatureKey: bytes.slice(1, 33), encryptionKey: bytes.slice(33, 65) }, new SecretBytes(bytes.subarray(65)));
}

/** Do the keys the server relayed equal the keys in the scanned QR code? Constant time. */
export function verifyScannedLinkKeys(scanned: LinkQrPayload, relayed: LinkPublicKeys): boolean {
  return constantTimeEqual(keyBytes(scanned.keys), keyBytes(relayed));
}

// ---------- typed code: commit, reveal, short authentication string ----------

export function newLinkNonce(randomBytes: RandomBytes = nobleRandomBytes): Uint8Array {
  return randomBytes(NONCE_BYTES);
}

/** Step 1 (new device): SHA-256 commitment to its keys and nonce. */
export function linkCommitment(keys: LinkPublicKeys, nonceN: Uint8Array): Uint8Array {
  if (nonceN.length !== NONCE_BYTES) throw new RangeError('link nonce must be 32 bytes');
  return sha256(concatBytes(lengthPrefixed(utf8('sotto/link/commit/v1')), keyBytes(keys), nonceN));
}

/** Step 3 (approving device): check the revealed keys and nonce against the step-1 commitment. */
export function openLinkCommitment(commitment: Uint8Array, keys: LinkPublicKeys, nonceN: Uint8Array): void {
  if (!constantTimeEqual(commitment, linkCommitment(keys, nonceN)))
    throw new LinkError('COMMITMENT_MISMATCH', 'revealed keys do not match');
}

/** The 8-character code both devices compute: the first 40 bits of SHA-256 over keys and both nonces. */
export function deriveLinkCode(keys: LinkPublicKeys, nonceN: Uint8Array, nonceA: Uint8Array): string {
  if (nonceN.length !== NONCE_BYTES || nonceA.length !== NONCE_BYTES) throw new RangeError('link nonces must be 32 bytes');
  const h = sha256(concatBytes(lengthPrefixed(utf8('sotto/link/code/v1')), keyBytes(keys), nonceN, nonceA));
  let bits = 0n;
  for (let i = 0; i < 5; i++) bits = (bits << 8n) | BigInt(h[i] as number);
  let code = '';
  for (let i = LINK_CODE_LENGTH - 1; i >= 0; i--) code += LINK_CODE_ALPHABET[Number((bits >> BigInt(5 * i)) & 31n)];
  return code;
}

/** Display form: two groups of four, "ABCD-EFGH". */
export function formatLinkCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** Normalise what the user typed: case-insensitive, spaces and dashes ignored; anything else outside the alphabet is an error. */
export function parseLinkCode(typed: string): string {
  const code = typed.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== LINK_CODE_LENGTH || [...code].some((ch) => !LINK_CODE_ALPHABET.includes(ch))) {
    throw new LinkError('MALFORMED_CODE', `expected ${LINK_CODE_LENGTH} characters from the link alphabet`);
  }
  return code;
}

/** Approving device: did the user type the code the new device shows? Constant-time over the normalised code. */
export function verifyLinkCode(typed: string, expected: string): boolean {
  return constantTimeEqual(utf8(parseLinkCode(typed)), utf8(expected));
}
