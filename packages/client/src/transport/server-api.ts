// ServerApi: typed calls to the Sotto server's HTTP API (/v1), with challenge login and token refresh. The bodies are
// the contract in @sotto/protocol; every response is decoded there before a field of it is read.

import { signAuthChallenge } from '@sotto/identity';
import {
  type AckRequest,
  type AddDeviceRequest,
  type ChallengeRequest,
  type CreateGroupRequest,
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
  type DeviceNameRequest,
  type OwnDevice,
  decodeSubmitResponse,
  decodeTokenResponse,
  type KeyPackageUploadRequest,
  MAX_ACK_IDS,
  MAX_FETCH_PAGE,
  type RegisterRequest,
  type RevokeDeviceRequest,
  type SubmitRequest,
  type DeclinedRequestRequest,
  decodeDeclinedRequestResponse,
  type NoticesResponse,
  decodeNoticesResponse,
  type ReportRequest,
  type ReportResponse,
  decodeReportResponse,
  type TokenRequest,
  WireError,
  type WireQueuedMessage,
} from '@sotto/protocol';
import { fromB64, toB64, toB64Url } from '../util/b64.js';
import { ApiError } from './api-error.js';

/** A decoder for a response whose body is not read. */
const ignoreBody = (): void => undefined;

export interface QueuedMessage {
  /** Server queue id (per server, increasing). */
  id: number;
  groupId: Uint8Array;
  kind: 'message' | 'welcome';
  data: Uint8Array;
  /** The server's receive time (ms), which its franking stamp covers. */
  createdAt: number;
  /** An application message: the sender the server authenticated, and its stamp for this device (docs/franking.md). */
  franking?: DeliveredFranking;
}

export interface DeliveredFranking {
  device: string;
  account: string;
  stamp: Uint8Array;
}

export interface SubmitOptions {
  /** With a commit that adds devices: their Welcome (the server sends it to exactly the devices the commit adds). */
  welcome?: Uint8Array;
  /** With a commit: our GroupInfo of the new epoch, which the server hands to a member's device that must resync. */
  groupInfo?: Uint8Array;
  ttlSeconds?: number;
}

export interface ClaimedKeyPackage {
  deviceId: string;
  keyPackage: Uint8Array;
  lastResort: boolean;
}

export interface AccountLookup {
  name: string;
  accountKey: Uint8Array;
  devices: Array<{ deviceId: string; certificate: Uint8Array }>;
}

/** Signs login challenges with the device key; the client never hands the key itself to the transport. */
export interface DeviceSigner {
  deviceId: string;
  /** The server's account domain (the host part of `name@host`). */
  domain: string;
  signChallenge(challenge: Uint8Array): Uint8Array;
}

export function challengeSigner(deviceId: string, domain: string, deviceSecretKey: Uint8Array): DeviceSigner {
  return { deviceId, domain, signChallenge: (c) => signAuthChallenge(deviceSecretKey, domain, deviceId, c) };
}

export interface ServerApiOptions {
  baseUrl: string;
  fetch?: typeof fetch;
}

export class ServerApi {
  readonly baseUrl: string;
  readonly #fetch: typeof fetch;
  #signer: DeviceSigner | undefined;
  #token: { token: string; expiresAt: number } | undefined;
  #login: Promise<string> | undefined;

  constructor(options: ServerApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#fetch = options.fetch ?? ((...a) => fetch(...a));
  }

  /** Set the device that authenticates this API's calls. */
  setSigner(signer: DeviceSigner): void {
    this.#signer = signer;
    this.#token = undefined;
  }

  // ---------- plumbing ----------

  async #request(method: string, path: string, body?: unknown, token?: string, extra: RequestInit = {}): Promise<Response> {
    const headers: Record<string, string> = {};
    if (body !== undefined && !(extra.body !== undefined)) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    let res: Response;
    try {
      res = await this.#fetch(this.baseUrl + path, {
        method,
        ...extra,
        headers: { ...headers, ...((extra.headers as Record<string, string>) ?? {}) },
        ...(body !== undefined && extra.body === undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (e) {
      throw new ApiError('NETWORK', `cannot reach ${this.baseUrl}`, 0, {}, { cause: e });
    }
    return res;
  }

  /** The decoded body of a success, or the server's refusal as an ApiError; a malformed body is a PROTOCOL error. */
  async #json<T>(res: Response, decode: (body: unknown) => T): Promise<T> {
    const text = await res.text().catch(() => '');
    let parsed: unknown;
    try {
      parsed = text.length ? JSON.parse(text) : {};
    } catch {
      throw new ApiError(res.ok ? 'PROTOCOL' : 'INTERNAL', `server answered ${res.status} with non-JSON`, res.status);
    }
    if (!res.ok) {
      const err = decodeErrorBody(parsed);
      if (err) throw new ApiError(err.code, err.message, res.status, err.details);
      throw new ApiError(res.status >= 500 ? 'INTERNAL' : 'PROTOCOL', `HTTP ${res.status}`, res.status);
    }
    try {
      return decode(parsed);
    } catch (e) {
      if (e instanceof WireError)
        throw new ApiError('PROTOCOL', `server answered ${res.status}: ${e.message}`, res.status, {}, { cause: e });
      throw e;
    }
  }

  async #call<T>(method: string, path: string, body: unknown, decode: (body: unknown) => T): Promise<T> {
    return this.#json(await this.#request(method, path, body), decode);
  }

  /** An authenticated call; on UNAUTHORIZED the token is renewed once. */
  async #authed<T>(method: string, path: string, body: unknown, decode: (body: unknown) => T): Promise<T> {
    const res = await this.#authedResponse(method, path, body);
    return this.#json(res, decode);
  }

  async #authedResponse(method: string, path: string, body?: unknown, extra: RequestInit = {}, retry = true): Promise<Response> {
    const token = await this.token();
    const res = await this.#request(method, path, body, token, extra);
    if (res.status === 401 && retry && extra.body === undefined) {
      await res.body?.cancel();
      this.#token = undefined;
      return this.#authedResponse(method, path, body, extra, false);
    }
    return res;
  }

  /** A valid session token, logging in by challenge when needed. */
  async token(): Promise<string> {
    if (this.#token && this.#token.expiresAt - 60_000 > Date.now()) return this.#token.token;
    this.#login ??= this.#doLogin().finally(() => {
      this.#login = undefined;
    });
    return this.#login;
  }

  async #doLogin(): Promise<string> {
    const signer = this.#signer;
    if (!signer) throw new ApiError('UNAUTHORIZED', 'no device to log in with');
    const c = await this.#call(
      'POST',
      '/v1/auth/challenge',
      { deviceId: signer.deviceId } satisfies ChallengeRequest,
      decodeChallengeResponse,
    );
    const challenge = fromB64(c.challenge);
    const answer = { deviceId: signer.deviceId, challenge: c.challenge, signature: toB64(signer.signChallenge(challenge)) };
    const t = await this.#call('POST', '/v1/auth/token', answer satisfies TokenRequest, decodeTokenResponse);
    this.#token = t;
    return t.token;
  }

  /** Forget the session token (e.g. after the server closed the socket as unauthorised). */
  dropToken(): void {
    this.#token = undefined;
  }

  // ---------- accounts and devices ----------

  register(certificate: Uint8Array, invite?: string): Promise<{ account: string; deviceId: string }> {
    const body = { certificate: toB64(certificate), ...(invite ? { invite } : {}) } satisfies RegisterRequest;
    return this.#call('POST', '/v1/accounts', body, decodeRegisteredResponse);
  }

  addDevice(certificate: Uint8Array): Promise<{ account: string; deviceId: string }> {
    return this.#call('POST', '/v1/devices', { certificate: toB64(certificate) } satisfies AddDeviceRequest, decodeRegisteredResponse);
  }

  async revokeDevice(revocation: Uint8Array): Promise<void> {
    await this.#call('POST', '/v1/devices/revoke', { revocation: toB64(revocation) } satisfies RevokeDeviceRequest, ignoreBody);
  }

  /** This account's live devices with their names and add dates (shown only to the account's own devices). */
  async ownDevices(): Promise<OwnDevice[]> {
    return (await this.#authed('GET', '/v1/devices', undefined, decodeOwnDevicesResponse)).devices;
  }

  async setDeviceName(deviceId: string, name: string): Promise<string> {
    const path = `/v1/devices/${encodeURIComponent(deviceId)}/name`;
    return (await this.#authed('PUT', path, { name } satisfies DeviceNameRequest, decodeDeviceNameResponse)).name;
  }

  /** Tell the server that this account blocked a message request from `account` (an abuse signal; docs/abuse-signals.md). */
  async declineRequest(account: string): Promise<void> {
    await this.#authed('POST', '/v1/requests/declined', { account } satisfies DeclinedRequestRequest, decodeDeclinedRequestResponse);
  }

  /** The operator's notices to this account not handed out before (each is returned once). */
  async notices(): Promise<NoticesResponse> {
    return this.#authed('GET', '/v1/notices', undefined, decodeNoticesResponse);
  }

  /** Send an abuse report (docs/moderation.md); the server verifies every message's franking on arrival. */
  async report(body: ReportRequest): Promise<ReportResponse> {
    return this.#authed('POST', '/v1/reports', body, decodeReportResponse);
  }

  async lookupAccount(name: string): Promise<AccountLookup> {
    const r = await this.#authed('GET', `/v1/accounts/${encodeURIComponent(name)}`, undefined, decodeAccountLookupResponse);
    return {
      name: r.name,
      accountKey: fromB64(r.accountKey),
      devices: r.devices.map((d) => ({ deviceId: d.deviceId, certificate: fromB64(d.certificate) })),
    };
  }

  // ---------- KeyPackages ----------

  async uploadKeyPackages(keyPackages: Uint8Array[], lastResort?: Uint8Array): Promise<number> {
    const body = {
      keyPackages: keyPackages.map(toB64),
      ...(lastResort ? { lastResort: toB64(lastResort) } : {}),
    } satisfies KeyPackageUploadRequest;
    return (await this.#authed('POST', '/v1/key-packages', body, decodeKeyPackageUploadResponse)).count;
  }

  keyPackageCount(): Promise<{ count: number; lastResort: boolean }> {
    return this.#authed('GET', '/v1/key-packages/count', undefined, decodeKeyPackageCountResponse);
  }

  async claimKeyPackages(account: string): Promise<ClaimedKeyPackage[]> {
    const r = await this.#authed(
      'POST',
      `/v1/accounts/${encodeURIComponent(account)}/key-packages/claim`,
      undefined,
      decodeKeyPackageClaimResponse,
    );
    return r.keyPackages.map((k) => ({ deviceId: k.deviceId, keyPackage: fromB64(k.keyPackage), lastResort: k.lastResort }));
  }

  // ---------- groups and messages ----------

  /** Registers a new group from its epoch-0 GroupInfo (with the ratchet tree); the server verifies every later commit. */
  async createGroup(groupInfo: Uint8Array): Promise<void> {
    await this.#authed('POST', '/v1/groups', { groupInfo: toB64(groupInfo) } satisfies CreateGroupRequest, ignoreBody);
  }

  async getGroup(groupId: Uint8Array): Promise<{ epoch: bigint; members: string[] }> {
    const r = await this.#authed('GET', `/v1/groups/${toB64Url(groupId)}`, undefined, decodeGroupView);
    return { epoch: BigInt(r.epoch), members: r.members };
  }

  /**
   * Deletes a group on the server that never got past its creation: epoch 0, this device its only member (a creation
   * whose first commit failed). The server refuses any other group (FORBIDDEN, or UNKNOWN_GROUP when not a member).
   */
  async deleteGroup(groupId: Uint8Array): Promise<void> {
    await this.#authed('DELETE', `/v1/groups/${toB64Url(groupId)}`, undefined, decodeDeleteGroupResponse);
  }

  /** The current GroupInfo and the server's ratchet tree, to rejoin by external commit (resync). */
  async getGroupInfo(groupId: Uint8Array): Promise<{ epoch: bigint; groupInfo: Uint8Array; ratchetTree: Uint8Array }> {
    const r = await this.#authed('GET', `/v1/groups/${toB64Url(groupId)}/group-info`, undefined, decodeGroupInfoResponse);
    return { epoch: BigInt(r.epoch), groupInfo: fromB64(r.groupInfo), ratchetTree: fromB64(r.ratchetTree) };
  }

  async submit(message: Uint8Array, options: SubmitOptions = {}): Promise<{ messageId: number; epoch: bigint }> {
    const r = await this.#authed('POST', '/v1/messages', submitBody(message, options), decodeSubmitResponse);
    return { messageId: r.messageId, epoch: BigInt(r.epoch) };
  }

  /** One page of the queue after `after`; the server returns at most MAX_FETCH_PAGE. */
  async fetchMessages(after: number, limit = MAX_FETCH_PAGE): Promise<QueuedMessage[]> {
    const r = await this.#authed('GET', `/v1/messages?after=${after}&limit=${limit}`, undefined, decodeFetchMessagesResponse);
    return r.messages.map(parseQueued);
  }

  async ack(ids: number[]): Promise<number> {
    let n = 0;
    for (let i = 0; i < ids.length; i += MAX_ACK_IDS) {
      const body = { ids: ids.slice(i, i + MAX_ACK_IDS) } satisfies AckRequest;
      n += (await this.#authed('POST', '/v1/messages/ack', body, decodeAckResponse)).acked;
    }
    return n;
  }

  // ---------- blobs ----------

  /** Upload an encrypted blob whose SHA-256 (hex) is `hash`; `body` is read once (streamed). */
  async putBlob(hash: string, size: number, body: ReadableStream<Uint8Array> | Blob, ttlSeconds?: number): Promise<{ expiresAt: number }> {
    const q = ttlSeconds ? `?ttlSeconds=${Math.max(1, Math.ceil(ttlSeconds))}` : '';
    if (body instanceof Blob && body.size !== size) throw new ApiError('PROTOCOL', 'the blob is not the announced size');
    const res = await this.#authedResponse(
      'PUT',
      `/v1/blobs/${hash}${q}`,
      undefined,
      body instanceof Blob
        ? { body, headers: { 'content-type': 'application/octet-stream' } }
        : ({
            body,
            headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
            // Required by fetch for a streamed request body.
            duplex: 'half',
          } as RequestInit),
    );
    return this.#json(res, decodeBlobUploadResponse);
  }

  /** Download a blob as a stream of encrypted bytes. */
  async getBlob(hash: string): Promise<ReadableStream<Uint8Array>> {
    const res = await this.#authedResponse('GET', `/v1/blobs/${hash}`);
    if (!res.ok || !res.body)
      return this.#json(res, () => {
        throw new ApiError('PROTOCOL', 'the blob download has no body', res.status);
      });
    return res.body;
  }

  /** The WebSocket URL of this server. */
  get wsUrl(): string {
    return `${this.baseUrl.replace(/^http/, 'ws')}/v1/ws`;
  }
}

/** The body of a submission, over HTTP or in a WebSocket `send` frame. */
export function submitBody(message: Uint8Array, o: SubmitOptions): SubmitRequest {
  return {
    message: toB64(message),
    ...(o.welcome ? { welcome: toB64(o.welcome) } : {}),
    ...(o.groupInfo ? { groupInfo: toB64(o.groupInfo) } : {}),
    ...(o.ttlSeconds ? { ttlSeconds: o.ttlSeconds } : {}),
  };
}

export function parseQueued(m: WireQueuedMessage): QueuedMessage {
  return {
    id: m.id,
    groupId: fromB64(m.groupId),
    kind: m.kind,
    data: fromB64(m.data),
    createdAt: m.createdAt,
    ...(m.franking ? { franking: { device: m.franking.device, account: m.franking.account, stamp: fromB64(m.franking.stamp) } } : {}),
  };
}
