// RFC 5869 §2.3 HKDF-Expand over any HMAC function (the HMAC itself comes from a provider).
import { UsageError } from '../errors.js';
import type { Bytes } from '../wire/types.js';

/** T(i) = HMAC(PRK, T(i-1) | info | i), output truncated to `length` (at most 255 * hashLength). */
export function hkdfExpand(hmac: (key: Bytes, data: Bytes) => Bytes, hashLength: number, prk: Bytes, info: Bytes, length: number): Bytes {
  if (!Number.isInteger(length) || length < 0 || length > 255 * hashLength) throw new UsageError('HKDF-Expand length out of range');
  if (length <= hashLength) {
    // One block (every MLS derivation but a few): T(1) = HMAC(PRK, info | 0x01), truncated.
    const one = new Uint8Array(info.length + 1);
    one.set(info, 0);
    one[info.length] = 1;
    const t1 = hmac(prk, one);
    return length === t1.length ? t1 : t1.slice(0, length);
  }
  const out = new Uint8Array(length);
  const input = new Uint8Array(hashLength + info.length + 1);
  input.set(info, 0);
  input[info.length] = 1;
  // First block has no T(0) prefix.
  let t = hmac(prk, input.subarray(0, info.length + 1));
  let o = 0;
  for (let i = 1; ; i++) {
    const n = Math.min(t.length, length - o);
    out.set(t.subarray(0, n), o);
    o += n;
    if (o >= length) break;
    input.set(t, 0);
    input.set(info, hashLength);
    input[hashLength + info.length] = i + 1;
    t = hmac(prk, input);
  }
  return out;
}
