// Typed errors of @sotto/identity. Every error carries a stable `code`; messages never contain key bytes.

/** Base class of every error this package throws on purpose. */
export class IdentityError extends Error {
  /** Stable, machine-readable code: `DECODE`, `BAD_SIGNATURE`, `INVALID_FIELD`, `EXPIRED`, `UNSUPPORTED`. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(`${code}: ${message}`);
    this.name = 'IdentityError';
    this.code = code;
  }
}
