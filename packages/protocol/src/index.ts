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

export { ERROR_CODES, type ErrorCode } from './error-codes.js';

export {
  type CommitSummary,
  type ConversationKind,
  decodeGroupMeta,
  encodeGroupMeta,
  GROUP_META_EXTENSION,
  type GroupMeta,
  isAdmin,
  type MemberRole,
  ownerProofOf,
  policyViolation,
  roleOf,
  withOwnerProof,
  withoutAdmins,
} from './group-meta.js';

export { WireError } from './wire-error.js';

export * from './limits.js';

export {
  type AckedFrame,
  type AckFrame,
  type AuthFrame,
  type ClientFrame,
  decodeServerFrame,
  encodeClientFrame,
  type ErrorFrame,
  type ErrorFrameJson,
  isErrorCode,
  type MessageFrame,
  type PingFrame,
  type PongFrame,
  type ReadyFrame,
  type SendFrame,
  type SentFrame,
  type ServerFrame,
  WS_CLOSE_RECONNECT,
  WS_CLOSE_UNAUTHORIZED,
} from './frames.js';

export {
  type AccountLookupResponse,
  type AckRequest,
  type AckResponse,
  type AddDeviceRequest,
  type BlobUploadResponse,
  type ChallengeRequest,
  type ChallengeResponse,
  type CreateGroupRequest,
  type DeclinedRequestRequest,
  type DeclinedRequestResponse,
  type DeleteGroupResponse,
  decodeDeclinedRequestResponse,
  decodeAccountLookupResponse,
  decodeAckResponse,
  decodeBlobUploadResponse,
  decodeChallengeResponse,
  decodeDeleteGroupResponse,
  decodeErrorBody,
  decodeFetchMessagesResponse,
  decodeGroupInfoResponse,
  decodeGroupView,
  decodeKeyPackageClaimResponse,
  decodeKeyPackageCountResponse,
  decodeKeyPackageUploadResponse,
  decodeRegisteredResponse,
  decodeOwnDevicesResponse,
  decodeDeviceNameResponse,
  type OwnDevice,
  type OwnDevicesResponse,
  type DeviceNameRequest,
  type DeviceNameResponse,
  decodeSubmitResponse,
  decodeTokenResponse,
  type ErrorBody,
  type FetchMessagesResponse,
  type GroupInfoResponse,
  type GroupView,
  type KeyPackageClaimResponse,
  type KeyPackageCountResponse,
  type KeyPackageUploadRequest,
  type KeyPackageUploadResponse,
  type RegisteredResponse,
  type RegisterRequest,
  type RevokeDeviceRequest,
  type RevokeDeviceResponse,
  type SubmitRequest,
  type SubmitResponse,
  type TokenRequest,
  type TokenResponse,
  type WireQueuedMessage,
} from './http.js';

export {
  decodeInventoryResponse,
  INVENTORY_CATEGORIES,
  type InventoryCategory,
  type InventoryItem,
  type InventoryProtocol,
  type InventoryResponse,
  RETENTION_KINDS,
  type Retention,
  type RetentionKind,
} from './inventory.js';

export {
  COMMITMENT_BYTES,
  commitmentOpens,
  decodeFrankedPlaintext,
  decodeFrankingAad,
  encodeFrankedPlaintext,
  encodeFrankingAad,
  equalBytes,
  FRANKING_AAD_BYTES,
  FRANKING_KEY_BYTES,
  FRANKING_VERSION,
  frank,
  frankingCommitment,
  FrankingError,
  frankingStamp,
  STAMP_BYTES,
  type StampFields,
  stampInput,
  stampMatches,
  type WireFranking,
} from './franking.js';

export {
  decodeReportCategory,
  decodeReportedMessage,
  decodeReportResponse,
  MAX_REPORT_MESSAGES,
  MAX_REPORT_PREVIOUS,
  MAX_REPORT_REASON_CHARS,
  MAX_REPORTED_CONTENT_BYTES,
  REPORT_CATEGORIES,
  type ReportCategory,
  type ReportedMessage,
  type ReportRequest,
  type ReportResponse,
} from './reports.js';

export {
  ADMIN_SCOPES,
  ADMIN_TOKEN_PREFIX,
  type AdminAttachment,
  type AdminReportDetail,
  type AdminReportList,
  type AdminReportMessage,
  type AdminReportSummary,
  type AdminResolution,
  type AdminResolveRequest,
  type AdminResolveResponse,
  type AdminScope,
  type AdminSignal,
  decodeAdminReportDetail,
  decodeAdminReportList,
  decodeAdminResolveResponse,
  decodeNoticesResponse,
  decodeServerKeyResponse,
  MODERATION_ACTIONS,
  type ModerationAction,
  type Notice,
  type NoticesResponse,
  QUEUE_ITEM_KINDS,
  type QueueItemKind,
  REPORT_STATUSES,
  type ReportStatus,
  type ServerKeyResponse,
  VERIFY_FAILURES,
  type VerifyFailure,
} from './admin.js';

export {
  canonicalJson,
  decodeEvidencePackage,
  EVIDENCE_FORMAT,
  type EvidenceFile,
  type EvidenceManifest,
  type EvidenceMessage,
  type EvidencePackage,
  type EvidenceReport,
  evidenceSigningInput,
  sha256Hex,
} from './evidence.js';
