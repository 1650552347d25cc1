// Limits of the wire contract. Two kinds, kept apart:
// - contract limits: fixed by the protocol; the server refuses more and a client must batch or split below them;
// - server defaults: what a server is configured with unless its operator changes it (packages/server config
//   `limits.*`, `blobs.*`). A client must not rely on them: its server may be configured otherwise.

// ---------- contract limits ----------

/** Message ids one acknowledgement may carry: `POST /v1/messages/ack` and the WebSocket `ack` frame. */
export const MAX_ACK_IDS = 1000;

/** Queued messages one `GET /v1/messages` page holds at most; a larger `limit` is lowered to this. */
export const MAX_FETCH_PAGE = 500;

/** Sends over one WebSocket that may wait for their `sent` or `error` answer at once; past it, RATE_LIMITED. */
export const MAX_UNANSWERED_SENDS = 1000;

/** KeyPackages (RFC 9420 §10) one `POST /v1/key-packages` may carry. */
export const MAX_KEY_PACKAGES_PER_UPLOAD = 100;

/** Largest KeyPackage accepted, in bytes. */
export const MAX_KEY_PACKAGE_BYTES = 16 * 1024;

/** Smallest KeyPackage accepted, in bytes (anything shorter cannot be one). */
export const MIN_KEY_PACKAGE_BYTES = 8;

/** Largest device certificate (packages/identity encoding), in bytes. */
export const MAX_CERTIFICATE_BYTES = 2048;

/** Largest device revocation (packages/identity encoding), in bytes. */
export const MAX_REVOCATION_BYTES = 1024;

/** Largest login challenge and challenge signature, in bytes. */
export const MAX_CHALLENGE_BYTES = 64;

/** Longest session token in a WebSocket `auth` frame, and longest invite token. */
export const MAX_TOKEN_LENGTH = 200;

/** Longest lifetime of a disappearing message (`ttlSeconds` of a submission): ten years. */
export const MAX_TTL_SECONDS = 10 * 365 * 86400;

// ---------- server defaults (an operator may change them) ----------

/** Default of `limits.maxMessageBytes`: largest MLS message or GroupInfo. */
export const DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024;

/** Default of `limits.maxWelcomeBytes`: largest Welcome sent with a commit. */
export const DEFAULT_MAX_WELCOME_BYTES = 2 * 1024 * 1024;

/** Default of `blobs.maxBytes`: largest attachment blob. */
export const DEFAULT_MAX_BLOB_BYTES = 100 * 1024 * 1024;
