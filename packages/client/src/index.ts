// @sotto/client portable entry point: content format, encrypted store, safety numbers, outbox, link codes (Node and browser).

export { AttachmentError, type AttachmentErrorCode } from './attachments/attachment-cipher.js';
export { ClientError, type ClientErrorCode } from './client/client-error.js';
export { checkDeviceName } from './client/devices.js';
export { SottoClient, type SottoClientOptions } from './client/sotto-client.js';
export * from './client/types.js';
export type { ReportDraft, ReportDraftMessage, ReportOptions, ReportResult } from './client/reports.js';
export { MAX_REPORT_PREVIOUS, MAX_REPORT_REASON_CHARS, REPORT_CATEGORIES, type ReportCategory } from '@sotto/protocol';
export { decodeContent, encodeContent, newMessageId } from './content/content-codec.js';
export { ContentError, type ContentErrorCode } from './content/content-error.js';
export * from './content/content-types.js';
export { type ConversationKind, type GroupMeta, type MemberRole, policyViolation } from './conversation/group-meta.js';
export { type SottoClientErrorCode } from './error-codes.js';
export { SottoClientError } from './errors.js';
export {
  createLinkQr,
  decodeLinkQr,
  deriveLinkCode,
  encodeLinkQr,
  formatLinkCode,
  LINK_CODE_ALPHABET,
  LINK_CODE_LENGTH,
  LINK_PAYLOAD_VERSION,
  type LinkPublicKeys,
  LinkQrPayload,
  linkCommitment,
  newLinkNonce,
  openLinkCommitment,
  parseLinkCode,
  verifyLinkCode,
  verifyScannedLinkKeys,
} from './link/link-code.js';
export { LinkError, type LinkErrorCode } from './link/link-error.js';
export { type EnqueueResult, Outbox, type OutboxOptions } from './outbox/outbox.js';
export { type Directory, type DirectoryEntry, serverDirectory } from './safety/directory.js';
export { IDENTITY_CHECKS, type IdentityCheck } from './safety/identity-rule.js';
export { type ContactKeys, type DeviceKey, diffContactKeys, type KeyChangeEvent, KeyChangeTracker } from './safety/key-change-tracker.js';
export {
  compareScannedSafetyNumber,
  compareTypedSafetyNumber,
  computeSafetyNumber,
  fingerprint,
  SAFETY_NUMBER_VERSION,
  type SafetyComparison,
  type SafetyIdentity,
  type SafetyNumber,
} from './safety/safety-number.js';
export { EncryptedStore, openMemoryStore } from './store/encrypted-store.js';
export type {
  ListMessagesOptions,
  LocalStore,
  LogEntry,
  OutboxPage,
  OutboxRecord,
  OutboxState,
  StoreReader,
  StoreWriter,
} from './store/local-store.js';
export { MemoryBackend } from './store/memory-backend.js';
export type { RawBackend, RawOp, RawRange, RawRow } from './store/raw-backend.js';
export { STORAGE_KEY_BYTES, StorageKey } from './store/storage-key.js';
export { StoreError, type StoreErrorCode } from './store/store-error.js';
export { ApiError, type ApiErrorCode } from './transport/api-error.js';
export { ServerApi } from './transport/server-api.js';
export type { WebSocketFactory, WebSocketLike } from './transport/socket.js';
export { constantTimeEqual } from './util/bytes.js';
export { type RandomBytes, SecretBytes } from './util/secret-bytes.js';
export { DEVICE_NAME_MAX_CHARS } from '@sotto/protocol';
