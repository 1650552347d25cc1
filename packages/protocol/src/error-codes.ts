// The error codes of the server's refusals and their HTTP statuses: the one list both sides use.

/** Every error code the server answers with (HTTP body `{"error":{"code":...}}` or a WebSocket `error` frame), and its HTTP status. */
export const ERROR_CODES = {
  VALIDATION: 400,
  MALFORMED_MLS: 400,
  /** A proposal or commit that the group's members would refuse (the MLS check travels in `rule`). */
  INVALID_COMMIT: 400,
  BAD_CERTIFICATE: 400,
  HASH_MISMATCH: 400,
  /** An application message without a franking commitment in its authenticated_data (docs/franking.md). */
  FRANKING_REQUIRED: 400,
  UNAUTHORIZED: 401,
  REGISTRATION_CLOSED: 403,
  INVITE_INVALID: 403,
  FORBIDDEN: 403,
  ACCOUNT_SUSPENDED: 403,
  NOT_MEMBER: 403,
  NOT_FOUND: 404,
  UNKNOWN_GROUP: 404,
  NO_KEY_PACKAGE: 404,
  /** The request (headers or body) did not arrive in time. */
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  /** `currentEpoch` names the group's epoch. */
  STALE_EPOCH: 409,
  PAYLOAD_TOO_LARGE: 413,
  /** The account's queued or blob bytes are at their quota; space frees as recipients acknowledge or blobs expire. */
  QUOTA_EXCEEDED: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  LIMIT_EXCEEDED: 429,
  SHUTTING_DOWN: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
