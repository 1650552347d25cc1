// Message franking (docs/franking.md): the sender's commitment to an application message's content, carried in the
// PrivateMessage's authenticated_data (RFC 9420 §6.3), and the server's stamp over it. The byte layouts and the
// inputs of both MACs live here once; the client, the server and the offline evidence verifier import them.
//
// - application_data of every application message = franking key (16 bytes) || encoded content (docs/content-format.md)
// - authenticated_data = FRANKING_VERSION (1 byte) || commitment (32 bytes)
// - commitment = HMAC-SHA256(franking key, "sotto/franking/v1/commitment" || encoded content)
// - stamp      = HMAC-SHA256(server stamp key, stampInput(commitment, group, sender device and account, recipient, time))
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

export const FRANKING_VERSION = 1;
/** The per-message franking key: 128 bits, drawn fresh by the sender for every application message. */
export const FRANKING_KEY_BYTES = 16;
export const COMMITMENT_BYTES = 32;
export const STAMP_BYTES = 32;
/** authenticated_data of a franked PrivateMessage: version || commitment. */
export const FRANKING_AAD_BYTES = 1 + COMMITMENT_BYTES;

const enc = new TextEncoder();
const COMMITMENT_LABEL = enc.encode('sotto/franking/v1/commitment');
const STAMP_LABEL = enc.encode('sotto/franking/v1/stamp');

/** A franking structure that does not have its fixed shape (never says which bytes). */
export class FrankingError extends Error {
  readonly code = 'FRANKING';
  constructor(message: string) {
    super(message);
    this.name = 'FrankingError';
  }
}

/** HMAC-SHA256(key, label || data), computed without concatenating the (possibly large) content. */
function mac(key: Uint8Array, label: Uint8Array, data: Uint8Array): Uint8Array {
  return hmac.create(sha256, key).update(label).update(data).digest();
}

/** Constant-time equality of two byte strings (the lengths are public). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= (a[i] as number) ^ (b[i] as number);
  return d === 0;
}

function checkKey(key: Uint8Array): void {
  // A fixed length matters: HMAC pads short keys with zeros, so k and k||00 would open the same commitment.
  if (!(key instanceof Uint8Array) || key.length !== FRANKING_KEY_BYTES)
    throw new FrankingError(`a franking key is ${FRANKING_KEY_BYTES} bytes`);
}

/** The sender's commitment to an encoded content under a fresh franking key. */
export function frankingCommitment(key: Uint8Array, content: Uint8Array): Uint8Array {
  checkKey(key);
  return mac(key, COMMITMENT_LABEL, content);
}

/** Whether `commitment` opens to `content` under `key` (constant time in the commitment). */
export function commitmentOpens(key: Uint8Array, content: Uint8Array, commitment: Uint8Array): boolean {
  if (key.length !== FRANKING_KEY_BYTES || commitment.length !== COMMITMENT_BYTES) return false;
  return equalBytes(frankingCommitment(key, content), commitment);
}

/** authenticated_data for a franked PrivateMessage. */
export function encodeFrankingAad(commitment: Uint8Array): Uint8Array {
  if (commitment.length !== COMMITMENT_BYTES) throw new FrankingError(`a commitment is ${COMMITMENT_BYTES} bytes`);
  const out = new Uint8Array(FRANKING_AAD_BYTES);
  out[0] = FRANKING_VERSION;
  out.set(commitment, 1);
  return out;
}

/** The commitment in a PrivateMessage's authenticated_data; FrankingError if it is not a franking AAD of this version. */
export function decodeFrankingAad(aad: Uint8Array): Uint8Array {
  if (aad.length !== FRANKING_AAD_BYTES || aad[0] !== FRANKING_VERSION)
    throw new FrankingError('authenticated_data is not a franking commitment');
  return aad.slice(1);
}

/** application_data of a franked message: key || content. */
export function encodeFrankedPlaintext(key: Uint8Array, content: Uint8Array): Uint8Array {
  checkKey(key);
  const out = new Uint8Array(FRANKING_KEY_BYTES + content.length);
  out.set(key, 0);
  out.set(content, FRANKING_KEY_BYTES);
  return out;
}

/** Splits application_data into the franking key and the encoded content (views, not copies). */
export function decodeFrankedPlaintext(data: Uint8Array): { key: Uint8Array; content: Uint8Array } {
  if (data.length <= FRANKING_KEY_BYTES) throw new FrankingError('application data too short to hold a franking key');
  return { key: data.subarray(0, FRANKING_KEY_BYTES), content: data.subarray(FRANKING_KEY_BYTES) };
}

/** A sender's franking of an encoded content under a fresh key: what goes into MLS encryptMessage. */
export function frank(key: Uint8Array, content: Uint8Array): { applicationData: Uint8Array; authenticatedData: Uint8Array } {
  return { applicationData: encodeFrankedPlaintext(key, content), authenticatedData: encodeFrankingAad(frankingCommitment(key, content)) };
}

/** What the server's stamp covers: who sent which commitment into which group, to which device, when. */
export interface StampFields {
  commitment: Uint8Array;
  groupId: Uint8Array;
  senderDevice: string;
  senderAccount: string;
  recipientDevice: string;
  /** The server's receive time, milliseconds since the Unix epoch. */
  receivedAt: number;
}

/**
 * The MAC input of a stamp: label || lp16(commitment) || lp16(group) || lp16(sender device) || lp16(sender account) ||
 * lp16(recipient device) || u64be(receivedAt). Length prefixes keep the fields from sliding into one another. Written
 * into one buffer: the server computes it for every delivery.
 */
export function stampInput(f: StampFields): Uint8Array {
  if (f.commitment.length !== COMMITMENT_BYTES) throw new FrankingError(`a commitment is ${COMMITMENT_BYTES} bytes`);
  if (!Number.isSafeInteger(f.receivedAt) || f.receivedAt < 0) throw new FrankingError('receivedAt must be a non-negative integer');
  const strings = [f.senderDevice, f.senderAccount, f.recipientDevice];
  // UTF-8 takes at most 3 bytes per UTF-16 code unit: room enough; the used part is returned.
  const max = STAMP_LABEL.length + 2 * 5 + COMMITMENT_BYTES + f.groupId.length + strings.reduce((n, x) => n + 3 * x.length, 0) + 8;
  const out = new Uint8Array(max);
  const view = new DataView(out.buffer);
  out.set(STAMP_LABEL, 0);
  let at = STAMP_LABEL.length;
  const bytes = (b: Uint8Array) => {
    if (b.length > 0xffff) throw new FrankingError('stamp field too long');
    view.setUint16(at, b.length);
    out.set(b, at + 2);
    at += 2 + b.length;
  };
  bytes(f.commitment);
  bytes(f.groupId);
  for (const x of strings) {
    const n = enc.encodeInto(x, out.subarray(at + 2)).written;
    if (n > 0xffff) throw new FrankingError('stamp field too long');
    view.setUint16(at, n);
    at += 2 + n;
  }
  view.setBigUint64(at, BigInt(f.receivedAt));
  return out.subarray(0, at + 8);
}

/** The server's stamp under its stamp key (portable; the server may compute the same HMAC natively over stampInput). */
export function frankingStamp(serverKey: Uint8Array, f: StampFields): Uint8Array {
  return hmac(sha256, serverKey, stampInput(f));
}

/** Whether `stamp` is the server's stamp over `f` (constant time). */
export function stampMatches(serverKey: Uint8Array, f: StampFields, stamp: Uint8Array): boolean {
  return stamp.length === STAMP_BYTES && equalBytes(frankingStamp(serverKey, f), stamp);
}

/** The franking fields a delivered application message carries (WireQueuedMessage.franking). */
export interface WireFranking {
  /** The sending device and its account, as the server authenticated them. */
  device: string;
  account: string;
  /** base64 of the 32-byte stamp for this recipient device. */
  stamp: string;
}
