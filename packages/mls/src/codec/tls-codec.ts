// TLS presentation-language codec with MLS variable-length vectors (RFC 9420 §2.1, RFC 8446 §3).
import { DecodeError } from '../errors.js';

const MAX_VARINT = 0x3fffffff;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Growable output buffer for encoding. Integers are written with shifts (no DataView: cheaper per Writer). */
export class Writer {
  private buf: Uint8Array;
  private pos = 0;

  constructor(initial = 64) {
    this.buf = new Uint8Array(initial);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2 || 64;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }
  u16(v: number): this {
    this.ensure(2);
    const b = this.buf;
    b[this.pos] = (v >>> 8) & 0xff;
    b[this.pos + 1] = v & 0xff;
    this.pos += 2;
    return this;
  }
  u32(v: number): this {
    this.ensure(4);
    this.put32(this.pos, v);
    this.pos += 4;
    return this;
  }
  u64(v: bigint): this {
    this.ensure(8);
    if (v >= 0n && v <= MAX_SAFE) {
      // Epochs and lifetimes fit a double exactly: split it without allocating intermediate BigInts.
      const n = Number(v);
      this.put32(this.pos, Math.floor(n / 0x100000000));
      this.put32(this.pos + 4, n >>> 0);
    } else {
      this.put32(this.pos, Number((v >> 32n) & 0xffffffffn));
      this.put32(this.pos + 4, Number(v & 0xffffffffn));
    }
    this.pos += 8;
    return this;
  }
  private put32(at: number, v: number): void {
    const b = this.buf;
    b[at] = (v >>> 24) & 0xff;
    b[at + 1] = (v >>> 16) & 0xff;
    b[at + 2] = (v >>> 8) & 0xff;
    b[at + 3] = v & 0xff;
  }
  bool(v: boolean): this {
    return this.u8(v ? 1 : 0);
  }
  /** Raw bytes, no length prefix (fixed-size fields). */
  raw(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }
  /** RFC 9420 §2.1.2 variable-length integer, minimal encoding. */
  varint(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > MAX_VARINT) throw new RangeError('varint out of range');
    if (v < 0x40) return this.u8(v);
    if (v < 0x4000) return this.u16(v | 0x4000);
    return this.u32((v | 0x80000000) >>> 0);
  }
  /** opaque<V>: varint length then bytes. */
  bytes(b: Uint8Array): this {
    this.varint(b.length);
    return this.raw(b);
  }
  /** T items<V>: varint byte length, then the items. */
  vector<T>(items: readonly T[], enc: (w: Writer, item: T) => void): this {
    const lenPos = this.reserveVarint();
    const start = this.pos;
    for (const it of items) enc(this, it);
    this.patchVarint(lenPos, start);
    return this;
  }
  /** optional<T>: presence byte then the value. */
  optional<T>(v: T | undefined, enc: (w: Writer, item: T) => void): this {
    if (v === undefined) return this.u8(0);
    this.u8(1);
    enc(this, v);
    return this;
  }

  // A vector's byte length is unknown until its items are written: reserve 4 bytes, then shift down if shorter.
  private reserveVarint(): number {
    this.ensure(4);
    const p = this.pos;
    this.pos += 4;
    return p;
  }
  private patchVarint(lenPos: number, start: number): void {
    const len = this.pos - start;
    const hdr = len < 0x40 ? 1 : len < 0x4000 ? 2 : 4;
    if (len > MAX_VARINT) throw new RangeError('vector too long');
    if (hdr !== 4) {
      this.buf.copyWithin(lenPos + hdr, start, this.pos);
      this.pos -= 4 - hdr;
    }
    if (hdr === 1) this.buf[lenPos] = len;
    else if (hdr === 2) {
      this.buf[lenPos] = (len >>> 8) | 0x40;
      this.buf[lenPos + 1] = len & 0xff;
    } else this.put32(lenPos, (len | 0x80000000) >>> 0);
  }

  /**
   * The encoded bytes, which the caller owns: the buffer itself when the Writer was sized exactly (any later write
   * would have to grow into a new buffer, so it can never change them), otherwise a copy of the written part.
   */
  finish(): Uint8Array {
    return this.pos === this.buf.length ? this.buf : this.buf.slice(0, this.pos);
  }
}

/** Encoded size of opaque<V> holding `n` bytes: the RFC 9420 §2.1.2 varint length prefix plus the bytes. */
export function opaqueSize(n: number): number {
  return (n < 0x40 ? 1 : n < 0x4000 ? 2 : 4) + n;
}

/** Cursor over input bytes; every read is bounds-checked and throws DecodeError. */
export class Reader {
  private pos: number;
  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get offset(): number {
    return this.pos;
  }
  get remaining(): number {
    return this.end - this.pos;
  }
  private need(n: number): void {
    if (this.pos + n > this.end) throw new DecodeError('unexpected end of input');
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++] as number;
  }
  u16(): number {
    this.need(2);
    const b = this.buf;
    const v = ((b[this.pos] as number) << 8) | (b[this.pos + 1] as number);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.get32(this.pos);
    this.pos += 4;
    return v;
  }
  u64(): bigint {
    this.need(8);
    const hi = this.get32(this.pos);
    const lo = this.get32(this.pos + 4);
    this.pos += 8;
    // Below 2^53 the value is exact as a double: one BigInt instead of three.
    return hi < 0x200000 ? BigInt(hi * 0x100000000 + lo) : (BigInt(hi) << 32n) | BigInt(lo);
  }
  private get32(at: number): number {
    const b = this.buf;
    return (((b[at] as number) << 24) | ((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number)) >>> 0;
  }
  bool(): boolean {
    const v = this.u8();
    if (v > 1) throw new DecodeError('invalid boolean');
    return v === 1;
  }
  /** Fixed-size field; returns a copy. */
  raw(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  /** Fixed-size field as a view into the input, not a copy: only for checks that read it in place. */
  view(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  /** RFC 9420 §2.1.2: prefix 0b11 is invalid, and a length MUST use the minimal encoding. */
  varint(): number {
    const first = this.u8();
    const prefix = first >> 6;
    if (prefix === 0) return first;
    if (prefix === 1) {
      this.need(1);
      const v = ((first & 0x3f) << 8) | (this.buf[this.pos++] as number);
      if (v < 0x40) throw new DecodeError('non-minimal varint');
      return v;
    }
    if (prefix === 2) {
      this.need(3);
      const b = this.buf;
      const p = this.pos;
      const v = ((first & 0x3f) * 0x1000000 + ((b[p] as number) << 16)) | ((b[p + 1] as number) << 8) | (b[p + 2] as number);
      this.pos += 3;
      if (v < 0x4000) throw new DecodeError('non-minimal varint');
      return v;
    }
    throw new DecodeError('invalid varint prefix');
  }
  /** opaque<V>; returns a copy. */
  bytes(): Uint8Array {
    const n = this.varint();
    return this.raw(n);
  }
  /** T items<V>: decodes items until the declared byte length is consumed exactly. */
  vector<T>(dec: (r: Reader) => T, maxItems = Number.MAX_SAFE_INTEGER): T[] {
    const n = this.varint();
    this.need(n);
    const sub = new Reader(this.buf, this.pos, this.pos + n);
    const out: T[] = [];
    while (sub.remaining > 0) {
      if (out.length >= maxItems) throw new DecodeError('too many vector items');
      const before = sub.pos;
      out.push(dec(sub));
      if (sub.pos === before) throw new DecodeError('vector item consumed no bytes'); // never loop without progress
    }
    this.pos += n;
    return out;
  }
  optional<T>(dec: (r: Reader) => T): T | undefined {
    const p = this.u8();
    if (p === 0) return undefined;
    if (p !== 1) throw new DecodeError('invalid optional presence byte');
    return dec(this);
  }
  /** Throws unless every byte was consumed. */
  done(): void {
    if (this.pos !== this.end) throw new DecodeError('trailing bytes');
  }
}

/** Encode one value with an encoder function. */
export function encode<T>(enc: (w: Writer, v: T) => void, v: T): Uint8Array {
  const w = new Writer();
  enc(w, v);
  return w.finish();
}

/** Decode exactly one value from `bytes` (no trailing bytes allowed). Only DecodeError escapes. */
export function decode<T>(dec: (r: Reader) => T, bytes: Uint8Array): T {
  const r = new Reader(bytes);
  let v: T;
  try {
    v = dec(r);
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    throw new DecodeError(e instanceof RangeError ? 'value out of range' : 'malformed input');
  }
  r.done();
  return v;
}
