// Typed errors of @sotto/mls. Every error carries a stable `code`; messages never contain key bytes or plaintext.

/** Base class of every error this package throws on purpose. */
export class MlsError extends Error {
  /** Stable, machine-readable code, e.g. `DECODE` or a validation-catalogue ID such as `V-FRM-03`. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(`${code}: ${message}`);
    this.name = 'MlsError';
    this.code = code;
  }
}

/** Bytes that do not decode as the expected TLS-presentation struct (RFC 9420 §2.1). */
export class DecodeError extends MlsError {
  constructor(message: string) {
    super('DECODE', message);
    this.name = 'DecodeError';
  }
}

/**
 * An incoming object broke a MUST of RFC 9420. `code` is the check's ID in `validation-catalogue.ts`.
 * A bad signature, a bad MAC and malformed ciphertext all surface as this class.
 */
export class ValidationError extends MlsError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = 'ValidationError';
  }
}

/** A cryptographic operation failed (AEAD open, HPKE open, signature check inside a primitive). */
export class CryptoError extends MlsError {
  constructor(message: string) {
    super('CRYPTO', message);
    this.name = 'CryptoError';
  }
}

/**
 * The caller asked for something the API or the state does not allow (not a property of an incoming object).
 * `code` is `USAGE`, or a catalogue ID (V-OWN-*) when the request would produce an object the group must reject.
 */
export class UsageError extends MlsError {
  constructor(message: string, code = 'USAGE') {
    super(code, message);
    this.name = 'UsageError';
  }
}

/** The ciphersuite, extension or feature is not supported by this implementation or provider. */
export class UnsupportedError extends MlsError {
  constructor(message: string) {
    super('UNSUPPORTED', message);
    this.name = 'UnsupportedError';
  }
}

/**
 * V-FRM-02: a message for another epoch than the group's current one (RFC 9420 §6). Names both epochs (public
 * values), so a Delivery Service can tell a sender which epoch to catch up to.
 */
export class EpochMismatchError extends ValidationError {
  readonly currentEpoch: bigint;
  readonly messageEpoch: bigint;
  constructor(currentEpoch: bigint, messageEpoch: bigint) {
    super('V-FRM-02', `message is for epoch ${messageEpoch}, the group is at epoch ${currentEpoch}`);
    this.name = 'EpochMismatchError';
    this.currentEpoch = currentEpoch;
    this.messageEpoch = messageEpoch;
  }
}
