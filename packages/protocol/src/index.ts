// @sotto/protocol: the contract between the Sotto server and its clients. Values both sides must agree on live
// here once and are imported by each side, never retyped.

/**
 * How many epochs before the current one a member keeps the keys of (RFC 9420 §14 leaves this to the application),
 * so that application messages sent just before a commit still decrypt. The Delivery Service refuses, with
 * STALE_EPOCH, an application message older than this window: no member could read it, and the sender must
 * encrypt it again at the current epoch.
 */
export const PAST_EPOCHS = 4;

/** The longest device name, in characters (code points); the server refuses a longer one (PUT /v1/devices/{id}/name). */
export const DEVICE_NAME_MAX_CHARS = 64;

/** Every error code the server answers with (HTTP body `{"error":{"code":...}}` or a WebSocket `error` frame), and its HTTP status. */
export const ERROR_CODES = {
  VALIDATION: 400,
  MALFORMED_MLS: 400,
  /** A proposal or commit that the group's members would refuse (the MLS check travels in `rule`). */
  INVALID_COMMIT: 400,
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

export {
  type CommitSummary,
  type ConversationKind,
  decodeGroupMeta,
  encodeGroupMeta,
  GROUP_META_EXTENSION,
  type GroupMeta,
  isAdmin,
  type MemberRole,
  policyViolation,
  roleOf,
} from './group-meta.js';
