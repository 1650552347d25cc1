// Dual-form codec functions: `encodeX(w, v)` writes into a Writer, `encodeX(v)` returns bytes;
// `decodeX(r)` reads from a Reader, `decodeX(bytes)` decodes one whole value (only DecodeError escapes).
import { decode, encode, Reader, Writer } from './tls-codec.js';

export interface DualEncoder<T> {
  (v: T): Uint8Array;
  (w: Writer, v: T): void;
}
export interface DualDecoder<T> {
  (bytes: Uint8Array): T;
  (r: Reader): T;
}

export function dualEncoder<T>(enc: (w: Writer, v: T) => void): DualEncoder<T> {
  function f(v: T): Uint8Array;
  function f(w: Writer, v: T): void;
  function f(a: Writer | T, b?: T): Uint8Array | undefined {
    if (a instanceof Writer) {
      enc(a, b as T);
      return undefined;
    }
    return encode(enc, a);
  }
  return f;
}

export function dualDecoder<T>(dec: (r: Reader) => T): DualDecoder<T> {
  function f(x: Uint8Array): T;
  function f(x: Reader): T;
  function f(x: Reader | Uint8Array): T {
    return x instanceof Reader ? dec(x) : decode(dec, x);
  }
  return f;
}
