// Sender data encryption of a PrivateMessage (RFC 9420 §6.3.2): key/nonce from sender_data_secret and a
// ciphertext sample, AAD = SenderDataAAD. Decryption failures and malformed sender data are one error.
import { opaqueSize, Writer } from '../codec/tls-codec.js';
import { expandWithLabel } from '../crypto/labels.js';
import type { CipherSuite } from '../crypto/provider.js';
import { ValidationError } from '../errors.js';
import type { Bytes, SenderData } from '../wire/types.js';
import { FRM } from './checks.js';

/** RFC 9420 §6.3.2: ciphertext_sample = ciphertext[0..KDF.Nh-1] (the whole ciphertext if shorter). */
export function senderDataKeyNonce(cs: CipherSuite, senderDataSecret: Bytes, ciphertext: Bytes): { key: Bytes; nonce: Bytes } {
  const sample = ciphertext.length <= cs.hashLength ? ciphertext : ciphertext.subarray(0, cs.hashLength);
  return {
    key: expandWithLabel(cs, senderDataSecret, 'key', sample, cs.aeadKeyLength),
    nonce: expandWithLabel(cs, senderDataSecret, 'nonce', sample, cs.aeadNonceLength),
  };
}

/** RFC 9420 §6.3.2 SenderDataAAD { group_id<V>; uint64 epoch; ContentType content_type; }. */
export function senderDataAad(groupId: Bytes, epoch: bigint, contentType: number): Bytes {
  return new Writer(opaqueSize(groupId.length) + 9).bytes(groupId).u64(epoch).u8(contentType).finish();
}

const SENDER_DATA_LENGTH = 12;

/** Encrypts SenderData (leaf_index u32, generation u32, reuse_guard[4]) under the key/nonce sampled from `ciphertext`. */
export function encryptSenderData(cs: CipherSuite, senderDataSecret: Bytes, ciphertext: Bytes, aad: Bytes, sd: SenderData): Bytes {
  const { key, nonce } = senderDataKeyNonce(cs, senderDataSecret, ciphertext);
  const pt = new Uint8Array(SENDER_DATA_LENGTH);
  const view = new DataView(pt.buffer);
  view.setUint32(0, sd.leafIndex);
  view.setUint32(4, sd.generation);
  pt.set(sd.reuseGuard, 8);
  return cs.aeadSeal(key, nonce, aad, pt);
}

/** Decrypts and decodes SenderData. Any failure (AEAD or length) throws ValidationError V-FRM-07. */
export function decryptSenderData(cs: CipherSuite, senderDataSecret: Bytes, ciphertext: Bytes, aad: Bytes, encrypted: Bytes): SenderData {
  const { key, nonce } = senderDataKeyNonce(cs, senderDataSecret, ciphertext);
  let pt: Bytes;
  try {
    pt = cs.aeadOpen(key, nonce, aad, encrypted);
  } catch {
    throw decryptionFailed();
  }
  if (pt.length !== SENDER_DATA_LENGTH) throw decryptionFailed();
  const view = new DataView(pt.buffer, pt.byteOffset, pt.byteLength);
  return { leafIndex: view.getUint32(0), generation: view.getUint32(4), reuseGuard: pt.slice(8, 12) };
}

/** The single error for every PrivateMessage decryption failure (sender data, content, malformed plaintext). */
export function decryptionFailed(): ValidationError {
  return new ValidationError(FRM.decryption, 'PrivateMessage could not be decrypted');
}
