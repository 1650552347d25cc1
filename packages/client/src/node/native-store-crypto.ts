// The store's primitives on Node's native crypto (OpenSSL): XChaCha20-Poly1305 for sealing, HMAC-SHA256 for names.
//
// XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03, section 2.3) is ChaCha20-Poly1305 under a subkey: the subkey is
// HChaCha20(key, nonce[0..16]) and the 12-byte nonce is four zero bytes followed by nonce[16..24]. HChaCha20 is one
// block function, taken from @noble/ciphers; the bulk encryption and the Poly1305 tag are OpenSSL's. The output is
// byte for byte the portable cipher's (test/native-aead.test.ts checks both ways).

import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { hchacha } from '@noble/ciphers/chacha.js';
import type { MacFactory, StoreCrypto, XAead, XAeadFactory } from '../store/storage-key.js';

const TAG_BYTES = 16;
/** "expand 32-byte k" as four little-endian words: the ChaCha constant for 256-bit keys. */
const SIGMA = words(new TextEncoder().encode('expand 32-byte k'));

function words(b: Uint8Array): Uint32Array {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out = new Uint32Array(b.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = v.getUint32(4 * i, true);
  return out;
}

function wordBytes(w: Uint32Array): Uint8Array {
  const out = new Uint8Array(w.length * 4);
  const v = new DataView(out.buffer);
  for (let i = 0; i < w.length; i++) v.setUint32(4 * i, w[i] as number, true);
  return out;
}

function checkNonce(nonce: Uint8Array): void {
  if (nonce.length !== 24) throw new RangeError('XChaCha20-Poly1305 nonce must be 24 bytes');
}

export const nativeXAead: XAeadFactory = (key: Uint8Array): XAead => {
  if (key.length !== 32) throw new RangeError('XChaCha20-Poly1305 key must be 32 bytes');
  const sub = new Uint32Array(8);
  // The key is read at each use, never copied: wiping the caller's key bytes (StorageKey.wipe) leaves nothing here.
  const subkey = (nonce: Uint8Array): { k: Uint8Array; iv: Uint8Array } => {
    const keyWords = words(key);
    hchacha(SIGMA, keyWords, words(nonce.subarray(0, 16)), sub);
    keyWords.fill(0);
    const iv = new Uint8Array(12);
    iv.set(nonce.subarray(16, 24), 4);
    const k = wordBytes(sub);
    sub.fill(0);
    return { k, iv };
  };
  return {
    seal(nonce, aad, plaintext) {
      checkNonce(nonce);
      const { k, iv } = subkey(nonce);
      const c = createCipheriv('chacha20-poly1305', k, iv, { authTagLength: TAG_BYTES });
      k.fill(0);
      c.setAAD(aad, { plaintextLength: plaintext.length });
      const head = c.update(plaintext);
      const tail = c.final();
      const out = new Uint8Array(head.length + tail.length + TAG_BYTES);
      out.set(head, 0);
      out.set(tail, head.length);
      out.set(c.getAuthTag(), head.length + tail.length);
      return out;
    },
    open(nonce, aad, sealed) {
      checkNonce(nonce);
      if (sealed.length < TAG_BYTES) throw new RangeError('sealed value shorter than its tag');
      const ctLength = sealed.length - TAG_BYTES;
      const { k, iv } = subkey(nonce);
      const d = createDecipheriv('chacha20-poly1305', k, iv, { authTagLength: TAG_BYTES });
      k.fill(0);
      d.setAAD(aad, { plaintextLength: ctLength });
      d.setAuthTag(sealed.subarray(ctLength));
      const head = d.update(sealed.subarray(0, ctLength));
      const tail = d.final(); // throws when the tag does not verify
      if (tail.length === 0) return new Uint8Array(head.buffer, head.byteOffset, head.length);
      const out = new Uint8Array(head.length + tail.length);
      out.set(head, 0);
      out.set(tail, head.length);
      return out;
    },
  };
};

export const nativeMac: MacFactory = (key) => (data) => new Uint8Array(createHmac('sha256', key).update(data).digest());

export const nativeStoreCrypto: StoreCrypto = { aead: nativeXAead, mac: nativeMac };
