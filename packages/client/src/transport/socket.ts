// ServerSocket: the device's WebSocket to the server (docs/websocket.md): auth frame, pushed queue messages, reconnect with backoff.

import { toB64 } from '../util/b64.js';
import { ApiError, type ApiErrorCode } from './api-error.js';
import { parseQueued, type QueuedMessage, type SubmitOptions } from './server-api.js';

/** The part of the WebSocket API used here: satisfied by the browser's WebSocket and by the `ws` package. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
export type WebSocketFactory = (url: string) => WebSocketLike;

export interface ServerSocketOptions {
  url: string;
  factory: WebSocketFactory;
  token: () => Promise<string>;
  /** Called when the server rejected the token (the caller should drop it). */
  onUnauthorized: () => void;
  /** Each pushed queue message, in server order. */
  onMessage: (m: QueuedMessage) => void;
  onState: (state: 'connecting' | 'online' | 'offline') => void;
  /** Backoff bounds (ms). */
  minDelayMs?: number;
  maxDelayMs?: number;
}

const OPEN = 1;

export class ServerSocket {
  readonly #o: ServerSocketOptions;
  #ws: WebSocketLike | undefined;
  #stopped = true;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ping: ReturnType<typeof setInterval> | undefined;
  #online = false;
  #rid = 1;
  readonly #waiting = new Map<number, { resolve: (v: { messageId: number; epoch: bigint }) => void; reject: (e: ApiError) => void }>();

  constructor(options: ServerSocketOptions) {
    this.#o = options;
  }

  get online(): boolean {
    return this.#online;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#tryConnect();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#ping) clearInterval(this.#ping);
    this.#timer = undefined;
    this.#ping = undefined;
    const ws = this.#ws;
    this.#ws = undefined;
    if (ws) {
      ws.onclose = null;
      ws.onmessage = null;
      ws.onerror = () => {};
      try {
        ws.close(1000, 'client stopping');
      } catch {}
    }
    this.#setOnline(false);
  }

  /**
   * Submit a message over the socket (`send` frame). Frames are handled in the order sent, so several submissions
   * may be in flight at once and still keep their order; the server batches them into one durable write.
   */
  submit(message: Uint8Array, o: SubmitOptions = {}): Promise<{ messageId: number; epoch: bigint }> {
    const ws = this.#ws;
    if (!ws || !this.#online || ws.readyState !== OPEN) return Promise.reject(new ApiError('NETWORK', 'socket is not connected'));
    const rid = this.#rid++;
    const frame = {
      type: 'send',
      rid,
      message: toB64(message),
      ...(o.welcome ? { welcome: toB64(o.welcome) } : {}),
      ...(o.groupInfo ? { groupInfo: toB64(o.groupInfo) } : {}),
      ...(o.ttlSeconds ? { ttlSeconds: o.ttlSeconds } : {}),
    };
    return new Promise((resolve, reject) => {
      this.#waiting.set(rid, { resolve, reject });
      try {
        ws.send(JSON.stringify(frame));
      } catch (e) {
        this.#waiting.delete(rid);
        reject(new ApiError('NETWORK', 'socket send failed', 0, {}, { cause: e }));
      }
    });
  }

  /** Acknowledge over the socket (fire and forget: an ack that is lost only means a redelivery). False if offline. */
  ack(ids: number[]): boolean {
    const ws = this.#ws;
    if (!ws || !this.#online || ws.readyState !== OPEN) return false;
    for (let i = 0; i < ids.length; i += 1000) ws.send(JSON.stringify({ type: 'ack', ids: ids.slice(i, i + 1000) }));
    return true;
  }

  #failWaiting(): void {
    for (const w of this.#waiting.values()) w.reject(new ApiError('NETWORK', 'connection closed before the server answered'));
    this.#waiting.clear();
  }

  /** Drop the connection and reconnect (e.g. after a network change). */
  reconnect(): void {
    this.#ws?.close(4000, 'reconnect');
  }

  #setOnline(v: boolean): void {
    if (this.#online === v) return;
    this.#online = v;
    this.#o.onState(v ? 'online' : 'offline');
  }

  /** One connection attempt, not awaited: an attempt that fails in any way is retried with backoff. */
  #tryConnect(): void {
    void this.#connect().catch(() => this.#retry());
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return;
    this.#o.onState('connecting');
    let token: string;
    try {
      token = await this.#o.token();
    } catch {
      return this.#retry();
    }
    if (this.#stopped) return;
    let ws: WebSocketLike;
    try {
      ws = this.#o.factory(this.#o.url);
    } catch {
      return this.#retry();
    }
    this.#ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', token }));
    ws.onmessage = (ev) => this.#frame(ws, ev.data);
    ws.onerror = () => {};
    ws.onclose = (ev) => {
      if (this.#ws !== ws) return;
      this.#ws = undefined;
      if (this.#ping) clearInterval(this.#ping);
      this.#setOnline(false);
      this.#failWaiting();
      if (ev.code === 4401) this.#o.onUnauthorized();
      this.#retry();
    };
  }

  #retry(): void {
    if (this.#stopped) return;
    const min = this.#o.minDelayMs ?? 200;
    const max = this.#o.maxDelayMs ?? 30_000;
    const exp = Math.min(max, min * 2 ** Math.min(this.#attempt, 20));
    this.#attempt++;
    const delay = exp / 2 + (Math.random() * exp) / 2;
    this.#timer = setTimeout(() => this.#tryConnect(), delay);
  }

  #frame(ws: WebSocketLike, raw: unknown): void {
    let f: { type?: string; code?: string } & Record<string, unknown>;
    try {
      f = JSON.parse(typeof raw === 'string' ? raw : String(raw)) as typeof f;
    } catch {
      return;
    }
    if (f.type === 'ready') {
      this.#attempt = 0;
      this.#setOnline(true);
      if (this.#ping) clearInterval(this.#ping);
      this.#ping = setInterval(() => {
        if (ws.readyState === OPEN) ws.send('{"type":"ping"}');
      }, 25_000);
      return;
    }
    if (f.type === 'message') {
      this.#o.onMessage(parseQueued(f as unknown as Parameters<typeof parseQueued>[0]));
      return;
    }
    if ((f.type === 'sent' || f.type === 'error') && typeof f.rid === 'number') {
      const w = this.#waiting.get(f.rid);
      if (w) {
        this.#waiting.delete(f.rid);
        if (f.type === 'sent') w.resolve({ messageId: Number(f.messageId), epoch: BigInt(String(f.epoch)) });
        else {
          const { type: _t, rid: _r, code, message, ...details } = f;
          w.reject(new ApiError(String(code) as ApiErrorCode, String(message ?? 'refused'), 0, details));
        }
        return;
      }
    }
    if (f.type === 'error' && (f.code === 'UNAUTHORIZED' || f.code === 'ACCOUNT_SUSPENDED')) this.#o.onUnauthorized();
  }
}
