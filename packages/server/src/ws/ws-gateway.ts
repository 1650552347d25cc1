// The WebSocket gateway: one connection per device, push of queued messages with catch-up from storage,
// sends and acks as frames. Every frame is size-bounded, rate-limited and schema-validated.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  type AckedFrame,
  type ErrorFrameJson,
  MAX_UNANSWERED_SENDS,
  type MessageFrame,
  type PongFrame,
  type ReadyFrame,
  type SentFrame,
  WS_CLOSE_RECONNECT,
  WS_CLOSE_UNAUTHORIZED,
} from '@sotto/protocol';
import { WebSocket, WebSocketServer } from 'ws';
import type { AuthService, Session } from '../auth/auth-service.js';
import type { Config } from '../config/config.js';
import type { DeliveryService } from '../delivery/delivery-service.js';
import { SottoError } from '../errors.js';
import type { Fanout } from '../fanout/fanout.js';
import type { AppContext } from '../http/context.js';
import { decodeSubmit } from '../http/routes/messages.js';
import { maxSubmitBytes } from '../http/schemas.js';
import { checkSubmitLimits } from '../limits/submit-limits.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import type { QueuedMessage } from '../storage/storage.js';
import type { Stamper } from '../franking/stamp-key.js';
import { toB64 } from '../util/encoding.js';
import { ConnectionSlots, type Slot } from './connection-slots.js';
import { type ClientFrame, compileFrameValidator } from './frames.js';

const PAGE = 200;
const HIGH_WATER = 4 * 1024 * 1024;

export interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * The frames of recent queued messages by id, encoded once however many connections a message goes to, pushed live
 * or read back by catch-up (a commit to a 1,000-member group reaches 999 connections): JSON and base64 of an 81 KB
 * commit per recipient were most of a group fan-out's CPU. Bounded in entries and bytes; a frame never changes for
 * its id. Sent as a text frame from the bytes. A franked application message differs per recipient only in its stamp
 * (docs/franking.md): the cache keeps the frame up to the stamp, and each recipient's frame is that, its stamp, and
 * the closing bytes.
 */
export class FrameCache {
  static readonly ENTRIES = 512;
  static readonly BYTES = 16 * 1024 * 1024;
  static readonly #TAIL = Buffer.from('"}}');
  readonly #frames = new Map<number, Buffer>();
  #bytes = 0;

  constructor(private readonly stamper: Stamper) {}

  frame(m: QueuedMessage, recipientDevice: string): Buffer {
    let f = this.#frames.get(m.id);
    if (!f) {
      const body = {
        type: 'message',
        id: m.id,
        groupId: toB64(m.groupId),
        kind: m.kind,
        data: toB64(m.payload),
        createdAt: m.createdAt,
      } satisfies MessageFrame;
      if (m.franking) {
        const prefix = JSON.stringify({
          ...body,
          franking: { device: m.franking.senderDevice, account: m.franking.senderAccount, stamp: '' },
        });
        f = Buffer.from(prefix.slice(0, -3)); // up to and including the stamp's opening quote
      } else f = Buffer.from(JSON.stringify(body));
      this.#frames.set(m.id, f);
      this.#bytes += f.length;
      while (this.#frames.size > FrameCache.ENTRIES || this.#bytes > FrameCache.BYTES) {
        const [id, old] = this.#frames.entries().next().value!;
        this.#frames.delete(id);
        this.#bytes -= old.length;
      }
    }
    const stamp = this.stamper.forDelivery(m, recipientDevice);
    if (!stamp) return f;
    return Buffer.concat([f, Buffer.from(toB64(stamp)), FrameCache.#TAIL]);
  }
}

function errorFrame(e: unknown, rid?: number): string {
  const err = e instanceof SottoError ? e : new SottoError('INTERNAL', 'internal error');
  const frame = { type: 'error', ...(rid === undefined ? {} : { rid }), ...err.toBody().error } satisfies ErrorFrameJson;
  return JSON.stringify(frame);
}

class Connection {
  session: Session | undefined;
  cursor = 0;
  live = false;
  pumping = false;
  again = false;
  inflight = 0;
  tokens: number;
  tokensAt = Date.now();
  alive = true;
  corked = false;
  unsubscribe: (() => void) | undefined;

  constructor(
    readonly ws: WebSocket,
    private readonly gw: WsGateway,
    readonly slot: Slot,
  ) {
    this.tokens = gw.burst;
  }

  /** Sends a frame; frames sent in the same tick leave in one write (the socket is corked until the next tick). */
  send(text: string | Buffer): void {
    if (!this.corked) {
      const sock = (this.ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
      if (sock) {
        this.corked = true;
        sock.cork();
        process.nextTick(() => {
          this.corked = false;
          sock.uncork();
        });
      }
    }
    this.ws.send(text, { binary: false });
  }

  takeToken(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.gw.burst, this.tokens + ((now - this.tokensAt) / 1000) * this.gw.rate);
    this.tokensAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Live push: only when caught up; otherwise the pump will read it from storage. */
  onMessage(m: QueuedMessage): void {
    if (!this.session) return;
    if (this.live && m.id > this.cursor) {
      if (this.ws.bufferedAmount > HIGH_WATER) {
        this.live = false;
        setTimeout(() => this.pumpSoon(), 20);
        return;
      }
      this.cursor = m.id;
      this.send(this.gw.frames.frame(m, this.session.deviceId));
      this.gw.metrics.deliveries();
    } else if (!this.live) this.again = true;
  }

  /** Runs pump() without waiting for it; a failure it did not handle closes the connection. */
  pumpSoon(): void {
    void this.pump().catch((e: unknown) => this.pumpFailed(e));
  }

  private pumpFailed(e: unknown): void {
    this.gw.log.error({ err: (e as Error).message }, 'queue pump failed');
    this.ws.close(1011, 'internal error');
  }

  async pump(): Promise<void> {
    if (!this.session || this.ws.readyState !== WebSocket.OPEN) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    this.live = false;
    try {
      for (;;) {
        this.again = false;
        const device = this.session.deviceId;
        const msgs = await this.gw.delivery.fetch(device, this.cursor, PAGE);
        if (this.ws.readyState !== WebSocket.OPEN) return;
        for (const m of msgs) {
          this.cursor = m.id;
          this.send(this.gw.frames.frame(m, device));
        }
        this.gw.metrics.deliveries('', msgs.length);
        if (msgs.length < PAGE && !this.again) {
          this.live = true;
          return;
        }
        if (this.ws.bufferedAmount > HIGH_WATER) {
          setTimeout(() => this.pumpSoon(), 20);
          return;
        }
      }
    } catch (e) {
      this.pumpFailed(e);
    } finally {
      this.pumping = false;
    }
  }
}

export class WsGateway {
  readonly wss: WebSocketServer;
  /** Frames of recent messages, shared by this gateway's connections. */
  readonly frames: FrameCache;
  readonly rate: number;
  readonly burst: number;
  private readonly connections = new Set<Connection>();
  private readonly slots: ConnectionSlots;
  private readonly validate;
  private readonly heartbeat: NodeJS.Timeout;
  private closing = false;

  constructor(
    private readonly ctx: AppContext,
    private readonly fanout: Fanout,
    readonly log: Logger,
  ) {
    const cfg: Config = ctx.config;
    this.frames = new FrameCache(ctx.stamper);
    this.rate = cfg.limits.wsFramesPerSecond;
    this.burst = cfg.limits.wsFramesPerSecond * 2;
    this.validate = compileFrameValidator(cfg.limits);
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: maxSubmitBytes(cfg.limits),
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.slots = new ConnectionSlots(cfg.limits);
    this.heartbeat = setInterval(() => this.beat(), 30_000);
    this.heartbeat.unref();
  }

  get delivery(): DeliveryService {
    return this.ctx.delivery;
  }
  get metrics(): ServerMetrics {
    return this.ctx.metrics;
  }
  get auth(): AuthService {
    return this.ctx.auth;
  }
  get size(): number {
    return this.connections.size;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/v1/ws') {
      refuse(404, 'Not Found');
      return;
    }
    if (this.closing || this.connections.size >= this.ctx.config.limits.maxConnections) {
      refuse(503, 'Service Unavailable');
      return;
    }
    const h = req.headers.authorization;
    const token = typeof h === 'string' && h.startsWith('Bearer ') ? h.slice(7) : undefined;
    // Per-IP and unauthenticated caps (connection-slots.ts); a socket with a header token counts as authenticated.
    const slot = this.slots.reserve(
      this.ctx.proxies.clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for']),
      token !== undefined,
    );
    if ('refused' in slot) {
      this.metrics.limitRefusals(`limit="${slot.refused}"`);
      refuse(429, 'Too Many Requests');
      return;
    }
    const accept = (session: Session | undefined) => {
      if (this.closing) {
        slot.release();
        refuse(503, 'Service Unavailable');
        return;
      }
      socket.once('close', () => slot.release());
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const c = this.open(ws, slot);
        if (session) this.bind(c, session);
      });
    };
    if (token === undefined) {
      accept(undefined);
      return;
    }
    this.auth.authenticate(token).then(accept, (e: unknown) => {
      slot.release();
      this.metrics.errors(`code="${e instanceof SottoError ? e.code : 'INTERNAL'}"`);
      refuse(401, 'Unauthorized');
    });
  }

  private open(ws: WebSocket, slot: Slot): Connection {
    const c = new Connection(ws, this, slot);
    this.connections.add(c);
    ws.on('pong', () => {
      c.alive = true;
    });
    ws.on('message', (data, isBinary) => this.onFrame(c, data as Buffer, isBinary));
    ws.on('close', () => {
      this.connections.delete(c);
      slot.release();
      c.unsubscribe?.();
    });
    ws.on('error', () => ws.terminate());
    const t = setTimeout(() => {
      if (c.session || ws.readyState !== WebSocket.OPEN) return;
      this.metrics.limitRefusals('limit="ws_auth_timeout"');
      ws.close(WS_CLOSE_UNAUTHORIZED, 'authentication timeout');
    }, this.ctx.config.limits.wsAuthTimeoutSeconds * 1000);
    t.unref();
    ws.once('close', () => clearTimeout(t));
    return c;
  }

  private bind(c: Connection, session: Session): void {
    c.session = session;
    c.slot.authenticated();
    c.unsubscribe = this.fanout.subscribe(
      session.deviceId,
      (m) => c.onMessage(m),
      (reason) => c.ws.close(WS_CLOSE_RECONNECT, reason.slice(0, 100)),
    );
    c.send(JSON.stringify({ type: 'ready', deviceId: session.deviceId } satisfies ReadyFrame));
    c.pumpSoon();
  }

  private onFrame(c: Connection, data: Buffer, isBinary: boolean): void {
    this.metrics.wsFrames();
    if (!c.takeToken()) return void c.send(errorFrame(new SottoError('RATE_LIMITED', 'too many frames')));
    if (isBinary) return void c.send(errorFrame(new SottoError('VALIDATION', 'frames are JSON text')));
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString('utf8'));
    } catch {
      return void c.send(errorFrame(new SottoError('VALIDATION', 'frame is not JSON')));
    }
    const v = this.validate(parsed);
    if (!v.ok) {
      const rid = typeof (parsed as { rid?: unknown })?.rid === 'number' ? (parsed as { rid: number }).rid : undefined;
      return void c.send(errorFrame(new SottoError('VALIDATION', v.message), rid));
    }
    void this.act(c, v.frame).catch((e: unknown) => this.log.error({ err: (e as Error).message }, 'frame failed'));
  }

  private async act(c: Connection, f: ClientFrame): Promise<void> {
    const rid = 'rid' in f ? f.rid : undefined;
    try {
      if (f.type === 'auth') {
        if (c.session) throw new SottoError('VALIDATION', 'already authenticated');
        this.bind(c, await this.auth.authenticate(f.token));
        return;
      }
      if (f.type === 'ping')
        return void c.send(JSON.stringify({ type: 'pong', ...(rid === undefined ? {} : { rid }) } satisfies PongFrame));
      if (!c.session) throw new SottoError('UNAUTHORIZED', 'send an auth frame first');
      if (f.type === 'send') {
        if (c.inflight >= MAX_UNANSWERED_SENDS) throw new SottoError('RATE_LIMITED', 'too many unanswered sends');
        c.inflight++;
        try {
          const input = decodeSubmit(this.ctx, f);
          await checkSubmitLimits(this.ctx, c.session, input); // the sender's queued-bytes quota (limits/submit-limits.ts)
          const r = await this.delivery.submit(c.session, input);
          if (c.ws.readyState === WebSocket.OPEN)
            c.send(JSON.stringify({ type: 'sent', rid: f.rid, messageId: r.messageId, epoch: r.epoch.toString() } satisfies SentFrame));
        } finally {
          c.inflight--;
        }
        return;
      }
      const acked = await this.delivery.ack(c.session.deviceId, f.ids);
      if (rid !== undefined && c.ws.readyState === WebSocket.OPEN)
        c.send(JSON.stringify({ type: 'acked', rid, acked } satisfies AckedFrame));
    } catch (e) {
      const code = e instanceof SottoError ? e.code : 'INTERNAL';
      this.metrics.errors(`code="${code}"`);
      if (!(e instanceof SottoError)) this.log.error({ err: (e as Error).message }, 'frame failed');
      if (c.ws.readyState === WebSocket.OPEN) c.send(errorFrame(e, rid));
      if (code === 'UNAUTHORIZED' || code === 'ACCOUNT_SUSPENDED') c.ws.close(WS_CLOSE_UNAUTHORIZED, code);
    }
  }

  private beat(): void {
    for (const c of this.connections) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }

  /** Stops accepting connections and closes the open ones (after in-flight sends were answered). */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    const waits: Promise<void>[] = [];
    for (const c of this.connections) {
      waits.push(new Promise((r) => c.ws.once('close', () => r())));
      c.ws.close(1001, 'server shutting down');
    }
    await Promise.race([Promise.all(waits), new Promise((r) => setTimeout(r, 2000))]);
    for (const c of this.connections) c.ws.terminate();
  }
}
