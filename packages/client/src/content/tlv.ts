// Tagged TLV primitives for the content format: LEB128 varints and (tag, length, value) fields (docs/content-format.md §2).

import { ContentError } from './content-error.js';

/** Largest integer a varint may carry: JS numbers are exact up to 2^53 - 1. */
export const MAX_VARINT = Number.MAX_SAFE_INTEGER;

export function varintLength(n: number): number {
  let len = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

/** Growable byte sink that writes fields in the order given; the caller keeps tags ascending. */
export class TlvWriter {
  #buf = new Uint8Array(64);
  #len = 0;
  #lastTag = 0;

  #ensure(extra: number): void {
    if (this.#len + extra <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  byte(b: number): this {
    this.#ensure(1);
    this.#buf[this.#len++] = b;
    return this;
  }

  varint(n: number): this {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('varint: not a non-negative safe integer');
    this.#ensure(10);
    while (n >= 128) {
      this.#buf[this.#len++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    this.#buf[this.#len++] = n;
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.#ensure(bytes.length);
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
    return this;
  }

  /** Write one field: tag varint, length varint, value bytes. Tags must strictly increase. */
  field(tag: number, value: Uint8Array): this {
    if (tag <= this.#lastTag) throw new RangeError(`field tag ${tag} not ascending`);
    this.#lastTag = tag;
    return this.varint(tag).varint(value.length).raw(value);
  }

  /** Write a field whose value is a single varint. */
  varintField(tag: number, n: number): this {
    return this.field(tag, new TlvWriter().varint(n).finish());
  }

  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

/** Cursor over input bytes; every read is bounds-checked and throws ContentError. */
export class TlvReader {
  readonly #bytes: Uint8Array;
  #pos = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  get done(): boolean {
    return this.#pos >= this.#bytes.length;
  }

  byte(): number {
    const b = this.#bytes[this.#pos];
    if (b === undefined) throw new ContentError('TRUNCATED', 'input ended before a byte');
    this.#pos++;
    return b;
  }

  /** Unsigned LEB128; rejects non-minimal encodings and values above 2^53 - 1 (canonical form). */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      const b = this.#bytes[this.#pos];
      if (b === undefined) throw new ContentError('TRUNCATED', 'input ended inside a varint');
      this.#pos++;
      if (i === 7 && b > 0x0f) throw new ContentError('BAD_VARINT', 'varint exceeds 2^53 - 1');
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (b === 0 && i > 0) throw new ContentError('BAD_VARINT', 'non-minimal varint');
        return result;
      }
      scale *= 128;
    }
  }

  take(n: number): Uint8Array {
    if (n > this.#bytes.length - this.#pos) throw new ContentError('TRUNCATED', 'field value runs past the end');
    const out = this.#bytes.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }
}

/** Split a TLV sequence into a tag -> value map, enforcing strictly ascending tags (no duplicates). */
export function readFields(bytes: Uint8Array): Map<number, Uint8Array> {
  const reader = new TlvReader(bytes);
  const fields = new Map<number, Uint8Array>();
  let last = 0;
  while (!reader.done) {
    const tag = reader.varint();
    if (tag <= last) throw new ContentError('BAD_TAG_ORDER', `tag ${tag} after tag ${last}`);
    last = tag;
    const len = reader.varint();
    fields.set(tag, reader.take(len));
  }
  return fields;
}

/** Decode a value that must be exactly one varint. */
export function decodeVarintValue(value: Uint8Array, what: string): number {
  const reader = new TlvReader(value);
  const n = reader.varint();
  if (!reader.done) throw new ContentError('BAD_LENGTH', `${what}: bytes after varint`);
  return n;
}
