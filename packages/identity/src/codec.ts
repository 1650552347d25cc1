// Minimal canonical binary codec for Sotto identity formats: the TLS presentation language with
// RFC 9420 §2.1.2 variable-length vectors. Kept local so the frozen formats do not move with @sotto/mls.
import { IdentityError } from './errors.js';

const MAX_VARINT = 0x3fffffff;

/** Append-only byte writer. */
export class Writer {
  private readonly parts: number[] = [];

  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v >>> 8).u8(v);
  }
  u64(v: bigint): this {
    if (v < 0n || v > 0xffffffffffffffffn) throw new RangeError('u64 out of range');
    for (let i = 7; i >= 0; i--) this.u8(Number((v >> BigInt(i * 8)) & 0xffn));
    return this;
  }
  raw(b: Uint8Array): this {
    for (const x of b) this.parts.push(x);
    return this;
  }
  /** RFC 9420 §2.1.2 minimal varint. */
  varint(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > MAX_VARINT) throw new RangeError('varint out of range');
    if (v < 0x40) return this.u8(v);
    if (v < 0x4000) return this.u16(v | 0x4000);
    return this.u16(((v >>> 16) | 0x8000) & 0xffff).u16(v & 0xffff);
  }
  /** opaque<V>. */
  bytes(b: Uint8Array): this {
    return this.varint(b.length).raw(b);
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** Bounds-checked reader; every failure is an IdentityError with code DECODE. */
export class Reader {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new IdentityError('DECODE', 'unexpected end of input');
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++] as number;
  }
  u16(): number {
    return (this.u8() << 8) | this.u8();
  }
  u64(): bigint {
    let v = 0n;
    for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(this.u8());
    return v;
  }
  raw(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  varint(): number {
    const first = this.u8();
    const prefix = first >> 6;
    if (prefix === 0) return first;
    if (prefix === 1) {
      const v = ((first & 0x3f) << 8) | this.u8();
      if (v < 0x40) throw new IdentityError('DECODE', 'non-minimal varint');
      return v;
    }
    if (prefix === 2) {
      const v = (first & 0x3f) * 0x1000000 + ((this.u8() << 16) | (this.u8() << 8) | this.u8());
      if (v < 0x4000) throw new IdentityError('DECODE', 'non-minimal varint');
      return v;
    }
    throw new IdentityError('DECODE', 'invalid varint prefix');
  }
  bytes(max = 1 << 16): Uint8Array {
    const n = this.varint();
    if (n > max) throw new IdentityError('DECODE', 'field too long');
    return this.raw(n);
  }
  done(): void {
    if (this.pos !== this.buf.length) throw new IdentityError('DECODE', 'trailing bytes');
  }
}

const utf8 = new TextEncoder();
const utf8d = new TextDecoder('utf-8', { fatal: true });

export function toUtf8(s: string): Uint8Array {
  return utf8.encode(s);
}
export function fromUtf8(b: Uint8Array): string {
  try {
    return utf8d.decode(b);
  } catch {
    throw new IdentityError('DECODE', 'invalid UTF-8');
  }
}

/** Runs `dec` over all of `bytes`; any non-IdentityError becomes DECODE. */
export function decodeAll<T>(bytes: Uint8Array, dec: (r: Reader) => T): T {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('expected Uint8Array');
  const r = new Reader(bytes);
  let v: T;
  try {
    v = dec(r);
  } catch (e) {
    if (e instanceof IdentityError) throw e;
    throw new IdentityError('DECODE', 'malformed input');
  }
  r.done();
  return v;
}
