// Record codec: the plaintext layout of values sealed by EncryptedStore (a JSON header, then raw bytes).

import { concatBytes, utf8, utf8DecodeStrict } from '../util/bytes.js';
import { StoreError } from './store-error.js';

/** u32 header length || UTF-8 JSON header || body bytes. The header never holds large binary data. */
export function encodeRecord(header: unknown, body: Uint8Array = new Uint8Array()): Uint8Array {
  const h = utf8(JSON.stringify(header));
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, h.length);
  return concatBytes(len, h, body);
}

export function decodeRecord(bytes: Uint8Array): { header: unknown; body: Uint8Array } {
  if (bytes.length < 4) throw new StoreError('CORRUPT', 'stored record is truncated');
  const n = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
  if (n > bytes.length - 4) throw new StoreError('CORRUPT', 'stored record is truncated');
  try {
    return { header: JSON.parse(utf8DecodeStrict(bytes.subarray(4, 4 + n))), body: bytes.slice(4 + n) };
  } catch {
    throw new StoreError('CORRUPT', 'stored record does not parse');
  }
}

/** Narrow an unknown header to an object, or fail as CORRUPT. */
export function asObject(header: unknown): Record<string, unknown> {
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new StoreError('CORRUPT', 'stored record header');
  return header as Record<string, unknown>;
}

export function field<T extends 'string' | 'number'>(
  h: Record<string, unknown>,
  name: string,
  type: T,
): T extends 'string' ? string : number {
  const v = h[name];
  if (typeof v !== type) throw new StoreError('CORRUPT', `stored record field ${name}`);
  return v as T extends 'string' ? string : number;
}
