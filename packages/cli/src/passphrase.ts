// Passphrase: the local store's passphrase, held so that printing or logging it never shows it.

import { inspect } from 'node:util';

export class Passphrase {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The passphrase itself, for the one call that needs it. */
  expose(): string {
    return this.#value;
  }
  toString(): string {
    return '[redacted passphrase]';
  }
  toJSON(): string {
    return this.toString();
  }
  [inspect.custom](): string {
    return this.toString();
  }
}
