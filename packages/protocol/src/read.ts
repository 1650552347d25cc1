// Small field readers shared by the frame and body decoders: each returns the typed value or throws WireError.

import { WireError } from './wire-error.js';

export type JsonObject = Readonly<Record<string, unknown>>;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const EPOCH = /^(0|[1-9][0-9]{0,19})$/;

export function object(v: unknown, path: string): JsonObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new WireError(path, 'an object');
  return v as JsonObject;
}

export function array(o: JsonObject, key: string, path: string): readonly unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) throw new WireError(`${path}.${key}`, 'an array');
  return v;
}

export function string(o: JsonObject, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new WireError(`${path}.${key}`, 'a string');
  return v;
}

export function strings(o: JsonObject, key: string, path: string): string[] {
  return array(o, key, path).map((v, i) => {
    if (typeof v !== 'string') throw new WireError(`${path}.${key}[${i}]`, 'a string');
    return v;
  });
}

export function boolean(o: JsonObject, key: string, path: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') throw new WireError(`${path}.${key}`, 'a boolean');
  return v;
}

/** A non-negative integer that fits in a double exactly (ids, counts, times in ms). */
export function count(o: JsonObject, key: string, path: string): number {
  const v = o[key];
  if (!Number.isSafeInteger(v) || (v as number) < 0) throw new WireError(`${path}.${key}`, 'a non-negative integer');
  return v as number;
}

/** Standard padded base64 (RFC 4648 §4). Only the shape is checked here; the caller decodes. */
export function base64(o: JsonObject, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length % 4 !== 0 || !BASE64.test(v)) throw new WireError(`${path}.${key}`, 'base64');
  return v;
}

/** An MLS epoch (u64, RFC 9420 §8) as a decimal string. */
export function epoch(o: JsonObject, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string' || !EPOCH.test(v) || BigInt(v) >= 2n ** 64n) throw new WireError(`${path}.${key}`, 'a u64 decimal string');
  return v;
}

export function oneOf<T extends string>(o: JsonObject, key: string, path: string, values: readonly T[]): T {
  const v = o[key];
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v))
    throw new WireError(`${path}.${key}`, `one of ${values.join(', ')}`);
  return v as T;
}
