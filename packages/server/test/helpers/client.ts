// biome-ignore-all lint/suspicious/noExplicitAny: response bodies are checked field by field in the tests
// A minimal test client of the Sotto server API: identities, HTTP calls, WebSocket sessions, and raw MLS framing
// (RFC 9420 §6) for bad-input tests that need garbage; real MLS members are in mls-member.ts.
import { randomBytes } from 'node:crypto';
import { encodeDeviceCertificate, publicKeyOf, signAuthChallenge, signDeviceCertificate } from '@sotto/identity';
import WebSocket from 'ws';

export const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
export const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

export interface HttpResult<T = any> {
  status: number;
  body: T;
}

export async function http<T = any>(base: string, method: string, path: string, body?: unknown, token?: string): Promise<HttpResult<T>> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const r = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: r.status, body: parsed as T };
}

export interface Account {
  name: string;
  sk: Uint8Array;
}

export interface Device {
  account: Account;
  deviceId: string;
  sk: Uint8Array;
  certificate: Uint8Array;
  token?: string;
}

export function newAccount(local: string, domain = 'localhost'): Account {
  return { name: `${local}@${domain}`, sk: new Uint8Array(randomBytes(32)) };
}

export function newDevice(account: Account, deviceId = `d-${randomBytes(6).toString('hex')}`, signer = account.sk): Device {
  const sk = new Uint8Array(randomBytes(32));
  const cert = signDeviceCertificate(
    {
      version: 1,
      accountName: account.name,
      accountKey: publicKeyOf(account.sk),
      deviceId,
      cipherSuite: 1,
      signatureKey: publicKeyOf(sk),
      issuedAt: BigInt(Date.now() - 1000),
    },
    signer,
  );
  return { account, deviceId, sk, certificate: encodeDeviceCertificate(cert) };
}

export async function login(base: string, d: Device, domain = 'localhost'): Promise<string> {
  const c = await http(base, 'POST', '/v1/auth/challenge', { deviceId: d.deviceId });
  if (c.status !== 200) throw new Error(`challenge: ${c.status} ${JSON.stringify(c.body)}`);
  const sig = signAuthChallenge(d.sk, domain, d.deviceId, unb64(c.body.challenge));
  const t = await http(base, 'POST', '/v1/auth/token', { deviceId: d.deviceId, challenge: c.body.challenge, signature: b64(sig) });
  if (t.status !== 200) throw new Error(`token: ${t.status} ${JSON.stringify(t.body)}`);
  d.token = t.body.token;
  return t.body.token;
}

/** Registers a fresh account (with `invite` if given) and its first device, then logs in. */
export async function registerUser(base: string, local: string, invite?: string): Promise<Device> {
  const d = newDevice(newAccount(local));
  const r = await http(base, 'POST', '/v1/accounts', { certificate: b64(d.certificate), ...(invite ? { invite } : {}) });
  if (r.status !== 201) throw new Error(`register: ${r.status} ${JSON.stringify(r.body)}`);
  await login(base, d);
  return d;
}

export async function addDevice(base: string, account: Account): Promise<Device> {
  const d = newDevice(account);
  const r = await http(base, 'POST', '/v1/devices', { certificate: b64(d.certificate) });
  if (r.status !== 201) throw new Error(`add device: ${r.status} ${JSON.stringify(r.body)}`);
  await login(base, d);
  return d;
}

// --- raw MLS framing for bad input (RFC 9420 §6.3 PrivateMessage header + opaque rest) ---
function varint(n: number): number[] {
  if (n < 0x40) return [n];
  if (n < 0x4000) return [0x40 | (n >> 8), n & 0xff];
  return [0x80 | (n >>> 24), (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}
function u64(v: bigint): number[] {
  const out: number[] = [];
  for (let i = 7; i >= 0; i--) out.push(Number((v >> BigInt(8 * i)) & 0xffn));
  return out;
}
export const CT = { application: 1, proposal: 2, commit: 3 } as const;

/**
 * A PrivateMessage shaped as the server reads it (the body is opaque). Its authenticated_data is a franking commitment
 * (docs/franking.md) unless `aad` says otherwise: the server needs one on an application message and cannot check it.
 */
export function privateMessage(
  groupId: Uint8Array,
  epoch: bigint,
  contentType: number,
  body: Uint8Array = randomBytes(32),
  aad: Uint8Array = Uint8Array.from([1, ...randomBytes(32)]),
): Uint8Array {
  return Uint8Array.from([
    0,
    1,
    0,
    2,
    ...varint(groupId.length),
    ...groupId,
    ...u64(epoch),
    contentType,
    ...varint(aad.length),
    ...aad,
    ...varint(body.length),
    ...body,
    0,
  ]);
}
export function publicMessage(groupId: Uint8Array, epoch: bigint, contentType: number, leaf = 0): Uint8Array {
  return Uint8Array.from([0, 1, 0, 1, ...varint(groupId.length), ...groupId, ...u64(epoch), 1, 0, 0, 0, leaf, 0, contentType, 1, 2, 3]);
}
export function welcome(): Uint8Array {
  return Uint8Array.from([0, 1, 0, 3, 0, 1, ...randomBytes(40)]);
}

// --- WebSocket session ---
export interface Frame {
  type: string;
  [k: string]: any;
}

export class WsClient {
  readonly frames: Frame[] = [];
  readonly messages: Frame[] = [];
  private waiters: { pred: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  private nextRid = 1;
  private pending = new Map<number, (f: Frame) => void>();
  closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const f = JSON.parse(d.toString()) as Frame;
      this.frames.push(f);
      if (f.type === 'message') this.messages.push(f);
      if (typeof f.rid === 'number' && this.pending.has(f.rid)) {
        this.pending.get(f.rid)!(f);
        this.pending.delete(f.rid);
      }
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(f)) return true;
        w.resolve(f);
        return false;
      });
    });
    this.closed = new Promise((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));
  }

  static async connect(wsUrl: string, token: string): Promise<WsClient> {
    const ws = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${token}` } });
    const c = new WsClient(ws);
    await c.next((f) => f.type === 'ready', 10_000);
    return c;
  }

  next(pred: (f: Frame) => boolean, timeoutMs = 10_000): Promise<Frame> {
    const hit = this.frames.find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('timed out waiting for a frame')), timeoutMs);
      this.waiters.push({
        pred,
        resolve: (f) => {
          clearTimeout(t);
          resolve(f);
        },
      });
    });
  }

  async waitMessages(n: number, timeoutMs = 10_000): Promise<Frame[]> {
    const end = Date.now() + timeoutMs;
    while (this.messages.length < n) {
      if (Date.now() > end) throw new Error(`expected ${n} messages, have ${this.messages.length}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.messages;
  }

  request(frame: Record<string, unknown>): Promise<Frame> {
    const rid = this.nextRid++;
    return new Promise((resolve) => {
      this.pending.set(rid, resolve);
      this.ws.send(JSON.stringify({ ...frame, rid }));
    });
  }

  send(message: Uint8Array, extra: Record<string, unknown> = {}): Promise<Frame> {
    return this.request({ type: 'send', message: b64(message), ...extra });
  }

  ack(ids: number[]): Promise<Frame> {
    return this.request({ type: 'ack', ids });
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }
}

export function groupId(): Uint8Array {
  return new Uint8Array(randomBytes(16));
}
