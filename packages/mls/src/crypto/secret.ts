// Secret-holding values that redact themselves from toString, toJSON and util.inspect (STYLE.md rule 7).
import type { Bytes } from '../wire/types.js';

/** The well-known symbol node's util.inspect looks up; Symbol.for keeps this module free of node:* imports. */
export const INSPECT = Symbol.for('nodejs.util.inspect.custom');

const REDACTED = '[redacted]';

/**
 * Bytes of a secret (a key, an epoch secret, a ratchet secret). The bytes live in a private field, so they are
 * not enumerable, not serialized, not printed; `expose()` is the one explicit way to read them.
 */
export class SecretBytes {
  readonly #bytes: Bytes;
  constructor(bytes: Bytes) {
    this.#bytes = bytes;
  }
  get length(): number {
    return this.#bytes.length;
  }
  /** The raw secret; use it only to feed a primitive. */
  expose(): Bytes {
    return this.#bytes;
  }
  /** Overwrite the bytes with zeros (best effort: JS engines may hold copies). */
  wipe(): void {
    this.#bytes.fill(0);
  }
  toString(): string {
    return `SecretBytes(${REDACTED})`;
  }
  toJSON(): string {
    return REDACTED;
  }
  [INSPECT](): string {
    return `SecretBytes(${this.#bytes.length} bytes, ${REDACTED})`;
  }
}

/**
 * Makes an object that holds secrets in ordinary fields print as `<Name> [redacted]`: defines non-enumerable
 * toString, toJSON and util.inspect hooks on it. Returns the same object.
 */
export function redactSecrets<T extends object>(obj: T, name = obj.constructor?.name ?? 'Object'): T {
  const text = `${name} ${REDACTED}`;
  const hide = (value: unknown) => ({ value, enumerable: false, configurable: true, writable: true });
  Object.defineProperties(obj, {
    toString: hide(() => text),
    toJSON: hide(() => REDACTED),
    [INSPECT]: hide(() => text),
  });
  return obj;
}
