// HTTP API bodies of `/v1` (OpenAPI at `/openapi.json`): the request and response types both sides use, and the
// decoders a client runs on the responses it reads. Byte strings are standard base64 (RFC 4648 §4); epochs are
// decimal strings (u64). Decoders check the fields a client reads and let extra fields through.

import { ERROR_CODES, type ErrorCode } from './error-codes.js';
import type { WireFranking } from './franking.js';
import { array, base64, boolean, count, epoch, type JsonObject, object, oneOf, string, strings } from './read.js';

const B = 'body';

// ---------- errors ----------

/** Every refusal: `{"error":{"code","message",...details}}` with the status of ERROR_CODES[code]. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string } & Record<string, string | number>;
}

/** A refusal's code, message and extra fields, or undefined if the body is not an ErrorBody with a known code. */
export function decodeErrorBody(v: unknown): { code: ErrorCode; message: string; details: Record<string, string | number> } | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const e = (v as { error?: unknown }).error;
  if (typeof e !== 'object' || e === null) return undefined;
  const { code, message, ...rest } = e as Record<string, unknown>;
  if (typeof code !== 'string' || !Object.hasOwn(ERROR_CODES, code) || typeof message !== 'string') return undefined;
  const details: Record<string, string | number> = {};
  for (const [k, x] of Object.entries(rest)) if (typeof x === 'string' || typeof x === 'number') details[k] = x;
  return { code: code as ErrorCode, message, details };
}

// ---------- auth ----------

/** POST /v1/auth/challenge */
export interface ChallengeRequest {
  deviceId: string;
}
export interface ChallengeResponse {
  challenge: string;
  expiresAt: number;
}
export function decodeChallengeResponse(v: unknown): ChallengeResponse {
  const o = object(v, B);
  return { challenge: base64(o, 'challenge', B), expiresAt: count(o, 'expiresAt', B) };
}

/** POST /v1/auth/token: `signature` is Ed25519 over the AuthChallenge content (packages/identity). */
export interface TokenRequest {
  deviceId: string;
  challenge: string;
  signature: string;
}
export interface TokenResponse {
  token: string;
  expiresAt: number;
}
export function decodeTokenResponse(v: unknown): TokenResponse {
  const o = object(v, B);
  return { token: string(o, 'token', B), expiresAt: count(o, 'expiresAt', B) };
}

// ---------- accounts and devices ----------

/** POST /v1/accounts */
export interface RegisterRequest {
  certificate: string;
  invite?: string;
}
/** POST /v1/devices */
export interface AddDeviceRequest {
  certificate: string;
}
/** The answer to POST /v1/accounts and POST /v1/devices. */
export interface RegisteredResponse {
  account: string;
  deviceId: string;
}
export function decodeRegisteredResponse(v: unknown): RegisteredResponse {
  const o = object(v, B);
  return { account: string(o, 'account', B), deviceId: string(o, 'deviceId', B) };
}

/** GET /v1/devices: this account's live devices, with the names they were given (shown only to the account's devices). */
export interface OwnDevice {
  deviceId: string;
  name: string;
  createdAt: number;
}
export interface OwnDevicesResponse {
  devices: OwnDevice[];
}
export function decodeOwnDevicesResponse(v: unknown): OwnDevicesResponse {
  const o = object(v, B);
  return {
    devices: array(o, 'devices', B).map((d, i) => {
      const path = `${B}.devices[${i}]`;
      const x = object(d, path);
      return { deviceId: string(x, 'deviceId', path), name: string(x, 'name', path), createdAt: count(x, 'createdAt', path) };
    }),
  };
}

/** PUT /v1/devices/{deviceId}/name */
export interface DeviceNameRequest {
  name: string;
}
export interface DeviceNameResponse {
  deviceId: string;
  name: string;
}
export function decodeDeviceNameResponse(v: unknown): DeviceNameResponse {
  const o = object(v, B);
  return { deviceId: string(o, 'deviceId', B), name: string(o, 'name', B) };
}

/** POST /v1/devices/revoke */
export interface RevokeDeviceRequest {
  revocation: string;
}
export interface RevokeDeviceResponse {
  revoked: boolean;
}

/** GET /v1/accounts/{name}: the account key and the certificates of its live devices. */
export interface AccountLookupResponse {
  name: string;
  accountKey: string;
  devices: Array<{ deviceId: string; certificate: string }>;
}
export function decodeAccountLookupResponse(v: unknown): AccountLookupResponse {
  const o = object(v, B);
  const devices = array(o, 'devices', B).map((d, i) => {
    const p = `${B}.devices[${i}]`;
    const x = object(d, p);
    return { deviceId: string(x, 'deviceId', p), certificate: base64(x, 'certificate', p) };
  });
  return { name: string(o, 'name', B), accountKey: base64(o, 'accountKey', B), devices };
}

// ---------- KeyPackages (RFC 9420 §10) ----------

/** POST /v1/key-packages: at most MAX_KEY_PACKAGES_PER_UPLOAD, each at most MAX_KEY_PACKAGE_BYTES. */
export interface KeyPackageUploadRequest {
  keyPackages: string[];
  lastResort?: string;
}
export interface KeyPackageUploadResponse {
  count: number;
}
export function decodeKeyPackageUploadResponse(v: unknown): KeyPackageUploadResponse {
  return { count: count(object(v, B), 'count', B) };
}

/** GET /v1/key-packages/count */
export interface KeyPackageCountResponse {
  count: number;
  lastResort: boolean;
}
export function decodeKeyPackageCountResponse(v: unknown): KeyPackageCountResponse {
  const o = object(v, B);
  return { count: count(o, 'count', B), lastResort: boolean(o, 'lastResort', B) };
}

/** POST /v1/accounts/{name}/key-packages/claim: one KeyPackage per live device of the account. */
export interface KeyPackageClaimResponse {
  keyPackages: Array<{ deviceId: string; keyPackage: string; lastResort: boolean }>;
}
export function decodeKeyPackageClaimResponse(v: unknown): KeyPackageClaimResponse {
  const keyPackages = array(object(v, B), 'keyPackages', B).map((k, i) => {
    const p = `${B}.keyPackages[${i}]`;
    const x = object(k, p);
    return { deviceId: string(x, 'deviceId', p), keyPackage: base64(x, 'keyPackage', p), lastResort: boolean(x, 'lastResort', p) };
  });
  return { keyPackages };
}

// ---------- groups ----------

/** POST /v1/groups: the creator's GroupInfo of epoch 0 with the ratchet tree (RFC 9420 §12.4.3.1). */
export interface CreateGroupRequest {
  groupInfo: string;
}
/** The answer to POST /v1/groups and GET /v1/groups/{groupId}: epoch and delivery list (device ids). */
export interface GroupView {
  groupId: string;
  epoch: string;
  members: string[];
}
export function decodeGroupView(v: unknown): GroupView {
  const o = object(v, B);
  return { groupId: base64(o, 'groupId', B), epoch: epoch(o, 'epoch', B), members: strings(o, 'members', B) };
}

/**
 * DELETE /v1/groups/{groupId}: a group that never got past its creation (epoch 0, the calling device its one leaf) is
 * deleted with everything the server holds for it; its creator calls it when the first commit failed.
 */
export interface DeleteGroupResponse {
  deleted: boolean;
}
export function decodeDeleteGroupResponse(v: unknown): DeleteGroupResponse {
  return { deleted: boolean(object(v, B), 'deleted', B) };
}

/**
 * POST /v1/requests/declined: the user blocked a message request (a first contact) from `account`. The server counts
 * it toward that account's abuse signals only if it was a real request, once per pair; `counted` says whether it did.
 */
export interface DeclinedRequestRequest {
  account: string;
}
export interface DeclinedRequestResponse {
  counted: boolean;
}
export function decodeDeclinedRequestResponse(v: unknown): DeclinedRequestResponse {
  return { counted: boolean(object(v, B), 'counted', B) };
}

/** GET /v1/groups/{groupId}/group-info: what a device needs to rejoin by external commit (RFC 9420 §12.4.3.2). */
export interface GroupInfoResponse {
  epoch: string;
  groupInfo: string;
  ratchetTree: string;
}
export function decodeGroupInfoResponse(v: unknown): GroupInfoResponse {
  const o = object(v, B);
  return { epoch: epoch(o, 'epoch', B), groupInfo: base64(o, 'groupInfo', B), ratchetTree: base64(o, 'ratchetTree', B) };
}

// ---------- messages ----------

/** POST /v1/messages, and the fields of the WebSocket `send` frame. */
export interface SubmitRequest {
  /** MLSMessage (RFC 9420 §6). */
  message: string;
  /** With a commit that adds devices: their Welcome. */
  welcome?: string;
  /** With a commit: the committer's GroupInfo of the new epoch. */
  groupInfo?: string;
  /** Disappearing message; at most MAX_TTL_SECONDS. */
  ttlSeconds?: number;
}
export interface SubmitResponse {
  messageId: number;
  /** The group's epoch after the message. */
  epoch: string;
}
export function decodeSubmitResponse(v: unknown): SubmitResponse {
  const o = object(v, B);
  return { messageId: count(o, 'messageId', B), epoch: epoch(o, 'epoch', B) };
}

/** One message of a device's queue, as GET /v1/messages and the WebSocket `message` frame carry it. */
export interface WireQueuedMessage {
  /** Queue id: per server, increasing; the idempotency key of the message. */
  id: number;
  groupId: string;
  kind: 'message' | 'welcome';
  /** The MLSMessage exactly as its sender submitted it. */
  data: string;
  /** Milliseconds since the Unix epoch: the server's receive time (the time its franking stamp covers). */
  createdAt: number;
  /** With an application message: its sender as the server authenticated it and the stamp for this device (docs/franking.md). */
  franking?: WireFranking;
}
export function decodeQueuedMessage(o: JsonObject, path: string): WireQueuedMessage {
  const f = o['franking'];
  return {
    id: count(o, 'id', path),
    groupId: base64(o, 'groupId', path),
    kind: oneOf(o, 'kind', path, ['message', 'welcome'] as const),
    data: base64(o, 'data', path),
    createdAt: count(o, 'createdAt', path),
    ...(f === undefined ? {} : { franking: decodeWireFranking(object(f, `${path}.franking`), `${path}.franking`) }),
  };
}
function decodeWireFranking(o: JsonObject, path: string): WireFranking {
  return { device: string(o, 'device', path), account: string(o, 'account', path), stamp: base64(o, 'stamp', path) };
}

/** GET /v1/messages?after=&limit=: at most MAX_FETCH_PAGE messages, oldest first. */
export interface FetchMessagesResponse {
  messages: WireQueuedMessage[];
}
export function decodeFetchMessagesResponse(v: unknown): FetchMessagesResponse {
  const messages = array(object(v, B), 'messages', B).map((m, i) => {
    const p = `${B}.messages[${i}]`;
    return decodeQueuedMessage(object(m, p), p);
  });
  return { messages };
}

/** POST /v1/messages/ack: at most MAX_ACK_IDS ids. */
export interface AckRequest {
  ids: number[];
}
export interface AckResponse {
  acked: number;
}
export function decodeAckResponse(v: unknown): AckResponse {
  return { acked: count(object(v, B), 'acked', B) };
}

// ---------- blobs ----------

/** PUT /v1/blobs/{sha256 hex}, body application/octet-stream. */
export interface BlobUploadResponse {
  hash: string;
  size: number;
  expiresAt: number;
}
export function decodeBlobUploadResponse(v: unknown): BlobUploadResponse {
  const o = object(v, B);
  return { hash: string(o, 'hash', B), size: count(o, 'size', B), expiresAt: count(o, 'expiresAt', B) };
}
