// ServerApi: typed calls to the Sotto server's HTTP API (/v1), with challenge login and token refresh.

import { signAuthChallenge } from '@sotto/identity';
import { fromB64, toB64, toB64Url } from '../util/b64.js';
import { ApiError, type ApiErrorCode } from './api-error.js';

export interface QueuedMessage {
  /** Server queue id (per server, increasing). */
  id: number;
  groupId: Uint8Array;
  kind: 'message' | 'welcome';
  data: Uint8Array;
  createdAt: number;
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

  async #json<T>(res: Response): Promise<T> {
    const text = await res.text().catch(() => '');
    let parsed: unknown;
    try {
      parsed = text.length ? JSON.parse(text) : {};
    } catch {
      throw new ApiError(res.ok ? 'PROTOCOL' : 'INTERNAL', `server answered ${res.status} with non-JSON`, res.status);
    }
    if (!res.ok) {
      const err = (parsed as { error?: { code?: string; message?: string } & Record<string, unknown> }).error;
      const code = (typeof err?.code === 'string' ? err.code : res.status >= 500 ? 'INTERNAL' : 'PROTOCOL') as ApiErrorCode;
      const { code: _c, message, ...details } = err ?? {};
      throw new ApiError(code, typeof message === 'string' ? message : `HTTP ${res.status}`, res.status, details);
    }
    return parsed as T;
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.#json<T>(await this.#request(method, path, body));
  }

  /** An authenticated call; on UNAUTHORIZED the token is renewed once. */
  async #authed<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.#authedResponse(method, path, body);
    return this.#json<T>(res);
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
    const c = await this.#call<{ challenge: string }>('POST', '/v1/auth/challenge', { deviceId: signer.deviceId });
    const challenge = fromB64(c.challenge);
    const t = await this.#call<{ token: string; expiresAt: number }>('POST', '/v1/auth/token', {
      deviceId: signer.deviceId,
      challenge: c.challenge,
      signature: toB64(signer.signChallenge(challenge)),
    });
    this.#token = t;
    return t.token;
  }

  /** Forget the session token (e.g. after the server closed the socket as unauthorised). */
  dropToken(): void {
    this.#token = undefined;
  }

  // ---------- accounts and devices ----------

  register(certificate: Uint8Array, invite?: string): Promise<{ account: string; deviceId: string }> {
    return this.#call('POST', '/v1/accounts', { certificate: toB64(certificate), ...(invite ? { invite } : {}) });
  }

  addDevice(certificate: Uint8Array): Promise<{ account: string; deviceId: string }> {
    return this.#call('POST', '/v1/devices', { certificate: toB64(certificate) });
  }

  async revokeDevice(revocation: Uint8Array): Promise<void> {
    await this.#call('POST', '/v1/devices/revoke', { revocation: toB64(revocation) });
  }

  /** This account's live devices with their names and add dates (shown only to the account's own devices). */
  async ownDevices(): Promise<Array<{ deviceId: string; name: string; createdAt: number }>> {
    return (await this.#authed<{ devices: Array<{ deviceId: string; name: string; createdAt: number }> }>('GET', '/v1/devices')).devices;
  }

  async setDeviceName(deviceId: string, name: string): Promise<string> {
    const r = await this.#authed<{ name: string }>('PUT', `/v1/devices/${encodeURIComponent(deviceId)}/name`, { name });
    return r.name;
  }

  async lookupAccount(name: string): Promise<AccountLookup> {
    const r = await this.#authed<{ name: string; accountKey: string; devices: Array<{ deviceId: string; certificate: string }> }>(
      'GET',
      `/v1/accounts/${encodeURIComponent(name)}`,
    );
    return {
      name: r.name,
      accountKey: fromB64(r.accountKey),
      devices: r.devices.map((d) => ({ deviceId: d.deviceId, certificate: fromB64(d.certificate) })),
    };
  }

  // ---------- KeyPackages ----------

  async uploadKeyPackages(keyPackages: Uint8Array[], lastResort?: Uint8Array): Promise<number> {
    const r = await this.#authed<{ count: number }>('POST', '/v1/key-packages', {
      keyPackages: keyPackages.map(toB64),
      ...(lastResort ? { lastResort: toB64(lastResort) } : {}),
    });
    return r.count;
  }

  keyPackageCount(): Promise<{ count: number; lastResort: boolean }> {
    return this.#authed('GET', '/v1/key-packages/count');
  }

  async claimKeyPackages(account: string): Promise<ClaimedKeyPackage[]> {
    const r = await this.#authed<{ keyPackages: Array<{ deviceId: string; keyPackage: string; lastResort: boolean }> }>(
      'POST',
      `/v1/accounts/${encodeURIComponent(account)}/key-packages/claim`,
    );
    return r.keyPackages.map((k) => ({ deviceId: k.deviceId, keyPackage: fromB64(k.keyPackage), lastResort: k.lastResort }));
  }

  // ---------- groups and messages ----------

  /** Registers a new group from its epoch-0 GroupInfo (with the ratchet tree); the server verifies every later commit. */
  async createGroup(groupInfo: Uint8Array): Promise<void> {
    await this.#authed('POST', '/v1/groups', { groupInfo: toB64(groupInfo) });
  }

  async getGroup(groupId: Uint8Array): Promise<{ epoch: bigint; members: string[] }> {
    const r = await this.#authed<{ epoch: string; members: string[] }>('GET', `/v1/groups/${toB64Url(groupId)}`);
    return { epoch: BigInt(r.epoch), members: r.members };
  }

  /** The current GroupInfo and the server's ratchet tree, to rejoin by external commit (resync). */
  async getGroupInfo(groupId: Uint8Array): Promise<{ epoch: bigint; groupInfo: Uint8Array; ratchetTree: Uint8Array }> {
    const r = await this.#authed<{ epoch: string; groupInfo: string; ratchetTree: string }>(
      'GET',
      `/v1/groups/${toB64Url(groupId)}/group-info`,
    );
    return { epoch: BigInt(r.epoch), groupInfo: fromB64(r.groupInfo), ratchetTree: fromB64(r.ratchetTree) };
  }

  async submit(message: Uint8Array, options: SubmitOptions = {}): Promise<{ messageId: number; epoch: bigint }> {
    const r = await this.#authed<{ messageId: number; epoch: string }>('POST', '/v1/messages', {
      message: toB64(message),
      ...(options.welcome ? { welcome: toB64(options.welcome) } : {}),
      ...(options.groupInfo ? { groupInfo: toB64(options.groupInfo) } : {}),
      ...(options.ttlSeconds ? { ttlSeconds: options.ttlSeconds } : {}),
    });
    return { messageId: r.messageId, epoch: BigInt(r.epoch) };
  }

  async fetchMessages(after: number, limit = 500): Promise<QueuedMessage[]> {
    const r = await this.#authed<{
      messages: Array<{ id: number; groupId: string; kind: 'message' | 'welcome'; data: string; createdAt: number }>;
    }>('GET', `/v1/messages?after=${after}&limit=${limit}`);
    return r.messages.map(parseQueued);
  }

  async ack(ids: number[]): Promise<number> {
    let n = 0;
    for (let i = 0; i < ids.length; i += 1000) {
      n += (await this.#authed<{ acked: number }>('POST', '/v1/messages/ack', { ids: ids.slice(i, i + 1000) })).acked;
    }
    return n;
  }

  // ---------- blobs ----------

  /** Upload an encrypted blob whose SHA-256 (hex) is `hash`; `body` is read once (streamed). */
  async putBlob(hash: string, size: number, body: ReadableStream<Uint8Array>, ttlSeconds?: number): Promise<{ expiresAt: number }> {
    const q = ttlSeconds ? `?ttlSeconds=${Math.max(1, Math.ceil(ttlSeconds))}` : '';
    const res = await this.#authedResponse('PUT', `/v1/blobs/${hash}${q}`, undefined, {
      body,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
      // Required by fetch for a streamed request body (Node and browsers).
      duplex: 'half',
    } as RequestInit);
    return this.#json(res);
  }

  /** Download a blob as a stream of encrypted bytes. */
  async getBlob(hash: string): Promise<ReadableStream<Uint8Array>> {
    const res = await this.#authedResponse('GET', `/v1/blobs/${hash}`);
    if (!res.ok || !res.body) return this.#json(res);
    return res.body;
  }

  /** The WebSocket URL of this server. */
  get wsUrl(): string {
    return `${this.baseUrl.replace(/^http/, 'ws')}/v1/ws`;
  }
}

export function parseQueued(m: {
  id: number;
  groupId: string;
  kind: 'message' | 'welcome';
  data: string;
  createdAt: number;
}): QueuedMessage {
  return { id: m.id, groupId: fromB64(m.groupId), kind: m.kind, data: fromB64(m.data), createdAt: m.createdAt };
}
