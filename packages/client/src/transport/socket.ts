// ServerSocket: the device's WebSocket to the server (docs/websocket.md): auth frame, pushed queue messages, reconnect with backoff.
// The frames are the contract in @sotto/protocol; every server frame is decoded there before anything acts on it.

import { decodeServerFrame, encodeClientFrame, MAX_ACK_IDS, type ServerFrame, WireError, WS_CLOSE_UNAUTHORIZED } from '@sotto/protocol';
import { ApiError } from './api-error.js';
import { parseQueued, type QueuedMessage, type SubmitOptions, submitBody } from './server-api.js';

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

/** A send over the socket that waits for its `sent` or `error` frame. */
interface Waiting {
  resolve: (v: { messageId: number; epoch: bigint }) => void;
  reject: (e: ApiError) => void;
}

export class ServerSocket {
  readonly #o: ServerSocketOptions;
  #ws: WebSocketLike | undefined;
  #stopped = true;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ping: ReturnType<typeof setInterval> | undefined;
  #online = false;
  #rid = 1;
  readonly #waiting = new Map<number, Waiting>();

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
    const frame = encodeClientFrame({ type: 'send', rid, ...submitBody(message, o) });
    return new Promise((resolve, reject) => {
      this.#waiting.set(rid, { resolve, reject });
      try {
        ws.send(frame);
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
    for (let i = 0; i < ids.length; i += MAX_ACK_IDS) ws.send(encodeClientFrame({ type: 'ack', ids: ids.slice(i, i + MAX_ACK_IDS) }));
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
    ws.onopen = () => ws.send(encodeClientFrame({ type: 'auth', token }));
    ws.onmessage = (ev) => this.#frame(ws, ev.data);
    ws.onerror = () => {};
    ws.onclose = (ev) => {
      if (this.#ws !== ws) return;
      this.#ws = undefined;
      if (this.#ping) clearInterval(this.#ping);
      this.#setOnline(false);
      this.#failWaiting();
      if (ev.code === WS_CLOSE_UNAUTHORIZED) this.#o.onUnauthorized();
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
    let f: ServerFrame;
    try {
      f = decodeServerFrame(typeof raw === 'string' ? raw : String(raw));
    } catch (e) {
      // A malformed frame is not acted on; if it answers a waiting send, that send fails as a PROTOCOL error.
      if (e instanceof WireError && e.rid !== undefined)
        this.#take(e.rid)?.reject(new ApiError('PROTOCOL', e.message, 0, {}, { cause: e }));
      return;
    }
    if (f.type === 'ready') {
      this.#attempt = 0;
      this.#setOnline(true);
      if (this.#ping) clearInterval(this.#ping);
      const ping = encodeClientFrame({ type: 'ping' });
      this.#ping = setInterval(() => {
        if (ws.readyState === OPEN) ws.send(ping);
      }, 25_000);
      return;
    }
    if (f.type === 'message') {
      this.#o.onMessage(parseQueued(f));
      return;
    }
    if (f.type === 'sent') {
      this.#take(f.rid)?.resolve({ messageId: f.messageId, epoch: BigInt(f.epoch) });
      return;
    }
    if (f.type === 'error') {
      const w = f.rid === undefined ? undefined : this.#take(f.rid);
      if (w) w.reject(new ApiError(f.code, f.message, 0, f.details));
      else if (f.code === 'UNAUTHORIZED' || f.code === 'ACCOUNT_SUSPENDED') this.#o.onUnauthorized();
    }
  }

  /** The send waiting for the answer with this `rid`, no longer waiting. */
  #take(rid: number): Waiting | undefined {
    const w = this.#waiting.get(rid);
    this.#waiting.delete(rid);
    return w;
  }
}
