// SecretBytes: a byte string that never prints itself (toString, toJSON, util.inspect all redact; STYLE §7).

/** The symbol Node's util.inspect looks up; Symbol.for keeps this file portable (no node:util import). */
export const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** Install redacting toString/toJSON/inspect methods on a class prototype. */
export function redactOnPrototype(proto: object, label: string): void {
  const text = `[${label} redacted]`;
  Object.defineProperties(proto, {
    toString: { value: () => text, configurable: true },
    toJSON: { value: () => text, configurable: true },
    [INSPECT]: { value: () => text, configurable: true },
  });
}

export class SecretBytes {
  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.#bytes = Uint8Array.from(bytes);
  }

  get length(): number {
    return this.#bytes.length;
  }

  /** The secret itself. Callers must not log it. Returns a copy. */
  expose(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }

  /** Overwrite the bytes with zeros (best effort: JS gives no guarantee copies were not made). */
  wipe(): void {
    this.#bytes.fill(0);
  }
}
redactOnPrototype(SecretBytes.prototype, 'SecretBytes');

/** A source of cryptographically secure random bytes; injected so tests can seed it. */
export type RandomBytes = (length: number) => Uint8Array;
