// Byte helpers shared by the whole package: concatenation, equality, constant-time comparison.
import type { Bytes } from '../wire/types.js';

export function concat(...parts: Bytes[]): Bytes {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Equality that does not leak where the inputs differ (tags, MACs, confirmation tags). */
export function constantTimeEqual(a: Bytes, b: Bytes): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= (a[i] as number) ^ (b[i] as number);
  return d === 0;
}

/** Plain equality for public values (keys, ids). */
export function bytesEqual(a: Bytes, b: Bytes): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// Two ASCII hex digits per byte value; written into one buffer and decoded once (no string per byte).
const HEX_DIGITS = new TextEncoder().encode(Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0')).join(''));
const ascii = new TextDecoder('latin1');

/** Lower-case hex of public bytes (ids, hashes). Never call it on secrets that may be logged. */
export function toHex(b: Bytes): string {
  const out = new Uint8Array(2 * b.length);
  for (let i = 0; i < b.length; i++) {
    const x = 2 * (b[i] as number);
    out[2 * i] = HEX_DIGITS[x] as number;
    out[2 * i + 1] = HEX_DIGITS[x + 1] as number;
  }
  return ascii.decode(out);
}

export function fromHex(s: string): Bytes {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw new TypeError('invalid hex');
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const utf8 = new TextEncoder();
export function utf8Bytes(s: string): Bytes {
  return utf8.encode(s);
}
