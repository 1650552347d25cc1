// The one error class of the server: a stable `code`, an HTTP status, and a message safe to log and to show.

export const ErrorCodes = {
  VALIDATION: 400,
  MALFORMED_MLS: 400,
  BAD_CERTIFICATE: 400,
  HASH_MISMATCH: 400,
  UNAUTHORIZED: 401,
  REGISTRATION_CLOSED: 403,
  INVITE_INVALID: 403,
  FORBIDDEN: 403,
  ACCOUNT_SUSPENDED: 403,
  NOT_MEMBER: 403,
  NOT_FOUND: 404,
  UNKNOWN_GROUP: 404,
  NO_KEY_PACKAGE: 404,
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  STALE_EPOCH: 409,
  PAYLOAD_TOO_LARGE: 413,
  QUOTA_EXCEEDED: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  LIMIT_EXCEEDED: 429,
  SHUTTING_DOWN: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class SottoError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra machine-readable fields returned to the client (e.g. `currentEpoch`). Never secrets. */
  readonly details: Record<string, string | number> | undefined;
  constructor(code: ErrorCode, message: string, details?: Record<string, string | number>) {
    super(message);
    this.name = 'SottoError';
    this.code = code;
    this.status = ErrorCodes[code];
    this.details = details;
  }

  toBody(): { error: { code: string; message: string } & Record<string, string | number> } {
    return { error: { code: this.code, message: this.message, ...(this.details ?? {}) } };
  }
}
