// One load process of the benchmark (forked by load-pool.ts): it owns the WebSocket connections of a slice of the
// simulated devices, to sotto-server or to the bare relay, acknowledges what they receive, and on `drive` sends
// stamped application messages (RFC 9420 §6.3 PrivateMessage headers of the group's current epoch) from its senders,
// counting deliveries to its devices in a window the parent gives in wall-clock time.
import WebSocket from 'ws';
import { b64, CT, privateMessage, unb64 } from '../test/helpers/client.js';
import type { DriveRequest, DriveResult, Kind, Request, Response } from './load-protocol.js';

/** Wall-clock milliseconds with sub-millisecond resolution, comparable between the processes of one machine. */
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

interface Conn {
  ws: WebSocket;
  kind: Kind;
  /** Called when the server answered one of this connection's sends. */
  onAnswer?: () => void;
  onReady?: () => void;
  /** Sotto delivery ids waiting for the next batched ack. */
  acks: number[];
  corked: boolean;
}

/** Sends a frame; frames sent in the same tick leave in one write, as sotto-server does (ws-gateway.ts). */
function send(c: Conn, text: string): void {
  if (!c.corked) {
    const sock = (c.ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    if (sock) {
      c.corked = true;
      sock.cork();
      process.nextTick(() => {
        c.corked = false;
        sock.uncork();
      });
    }
  }
  c.ws.send(text);
}

/** The worker's state: its connections and the delivery counters of the current drive. */
interface Load {
  conns: Map<string, Conn>;
  delivered: number;
  errors: number;
  latencies: number[] | undefined;
}

/** The send time written into the 32-byte body of a message, read back at the receiver (body ends 1 byte before the end). */
function stampOf(data: Uint8Array): number {
  return new DataView(data.buffer, data.byteOffset + data.length - 33, 8).getFloat64(0);
}

const QUOTE = 0x22;

/** The send time of the message in a frame's `"data":"<base64>"` field. */
function stampInFrame(buf: Buffer): number {
  const at = buf.indexOf('"data":"') + 8;
  return stampOf(Buffer.from(buf.toString('latin1', at, buf.indexOf(QUOTE, at)), 'base64'));
}

/** The delivery id of a sotto-server message frame: `{"type":"message","id":<digits>,...` (ws-gateway's field order). */
function deliveryId(buf: Buffer): number {
  let id = 0;
  for (let i = 23; buf[i]! >= 0x30 && buf[i]! <= 0x39; i++) id = id * 10 + buf[i]! - 0x30;
  return id;
}

// Frames are told apart by one byte instead of being parsed: at this rate JSON.parse is most of a receiver's work.
const RELAY_TYPE_AT = 6; // {"t":"ok" | {"t":"m"
const SOTTO_TYPE_AT = 9; // {"type":"sent" | "error" | "message" | "ready" | ...

function received(load: Load, c: Conn, buf: Buffer): void {
  if (c.kind === 'relay') {
    if (buf[RELAY_TYPE_AT] === 0x6f /* o */) return c.onAnswer?.();
    load.delivered++;
    load.latencies?.push(now() - stampInFrame(buf));
    return;
  }
  const type = buf[SOTTO_TYPE_AT];
  if (type === 0x65 /* e */) {
    if (load.errors++ < 3) process.stderr.write(`sotto-server error: ${buf.toString().slice(0, 200)}\n`);
  }
  if (type === 0x73 /* s */ || type === 0x65 /* e */) return c.onAnswer?.();
  if (type === 0x72 /* r */) return c.onReady?.();
  if (type !== 0x6d /* m */ || buf.toString('latin1', 0, 23) !== '{"type":"message","id":') return;
  load.delivered++;
  load.latencies?.push(now() - stampInFrame(buf));
  if (c.acks.length === 0) {
    // Acks are batched every 20 ms, as the client does.
    setTimeout(() => {
      const ids = c.acks;
      c.acks = [];
      for (let i = 0; i < ids.length; i += 1000) send(c, `{"type":"ack","ids":[${ids.slice(i, i + 1000).join(',')}]}`);
    }, 20);
  }
  c.acks.push(deliveryId(buf));
}

/**
 * Opens one connection; to sotto-server it resolves once the server said `ready`. A load generator's connection skips
 * UTF-8 validation and masks with zeros (RFC 6455 §5.3 asks for unpredictable masks against proxies; this is loopback).
 */
function open(load: Load, kind: Kind, url: string, token: string | undefined): Promise<Conn> {
  return new Promise((res, rej) => {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const ws = new WebSocket(url, { headers, perMessageDeflate: false, skipUTF8Validation: true, generateMask: (m) => void m.fill(0) });
    const c: Conn = { ws, kind, acks: [], corked: false, onReady: () => res(c) };
    ws.on('message', (raw: Buffer) => received(load, c, raw));
    ws.once('open', () => kind === 'relay' && res(c));
    ws.once('error', rej);
  });
}

async function connect(load: Load, kind: Kind, url: string, devices: { id: string; token?: string }[]): Promise<void> {
  for (let i = 0; i < devices.length; i += 100) {
    const slice = devices.slice(i, i + 100);
    const opened = await Promise.all(
      slice.map((d) => open(load, kind, kind === 'relay' ? `${url}?id=${encodeURIComponent(d.id)}` : url, d.token)),
    );
    opened.forEach((c, k) => load.conns.set(`${kind}:${slice[k]!.id}`, c));
  }
}

function close(load: Load, kind: Kind): void {
  for (const [key, c] of load.conns) {
    if (c.kind !== kind) continue;
    c.ws.terminate();
    load.conns.delete(key);
  }
}

/** Runs the senders from now until the window ends, then lets their messages in flight come back. */
async function drive(load: Load, req: DriveRequest): Promise<DriveResult> {
  let running = true;
  let rid = 0;
  const e0 = load.errors;
  const pumps = req.senders.map((s) => {
    const c = load.conns.get(`${req.kind}:${s.device}`);
    if (!c) throw new Error(`no ${req.kind} connection for ${s.device}`);
    const template = privateMessage(unb64(s.gid), BigInt(s.epoch), CT.application, new Uint8Array(32));
    const stampAt = new DataView(template.buffer, template.byteOffset + template.length - 33, 8);
    const to = `"${s.target.startsWith('g:') ? 'g' : 'to'}":${JSON.stringify(s.target)}`;
    const frame = (): string => {
      stampAt.setFloat64(0, now());
      const data = b64(template);
      if (req.kind === 'sotto') return `{"type":"send","rid":${++rid},"message":"${data}"}`;
      return `{"t":"s","rid":${++rid},${to},"data":"${data}"}`;
    };
    const p = { inflight: 0, budget: 0, pump: () => {} };
    p.pump = () => {
      while (running && p.inflight < req.window && (req.ratePerSender === undefined || p.budget > 0)) {
        p.inflight++;
        p.budget--;
        send(c, frame());
      }
    };
    c.onAnswer = () => {
      p.inflight--;
      p.pump();
    };
    return p;
  });
  let pacer: ReturnType<typeof setInterval> | undefined;
  if (req.ratePerSender !== undefined) {
    // One 2 ms tick for all senders of this process: they pace evenly instead of bursting.
    const perTick = req.ratePerSender / 500;
    let acc = 0;
    pacer = setInterval(() => {
      acc += perTick;
      const n = Math.floor(acc);
      acc -= n;
      for (const p of pumps) {
        p.budget += n;
        p.pump();
      }
    }, 2);
  } else for (const p of pumps) p.pump();

  await sleep(req.startAt - now());
  const d0 = load.delivered;
  const t0 = now();
  load.latencies = req.latencies ? [] : undefined;
  await sleep(req.startAt + req.durationMs - now());
  const delivered = load.delivered - d0;
  const seconds = (now() - t0) / 1000;
  const latencies = load.latencies ?? [];
  load.latencies = undefined;
  running = false;
  if (pacer) clearInterval(pacer);
  const drained = now() + 5000;
  while (pumps.some((p) => p.inflight > 0) && now() < drained) await sleep(20);
  for (const c of load.conns.values()) c.onAnswer = undefined;
  return { delivered, errors: load.errors - e0, seconds, latencies };
}

async function handle(load: Load, req: Request): Promise<unknown> {
  switch (req.op) {
    case 'connect':
      return connect(load, req.kind, req.url, req.devices);
    case 'close':
      return close(load, req.kind);
    case 'drive':
      return drive(load, req);
  }
}

const load: Load = { conns: new Map(), delivered: 0, errors: 0, latencies: undefined };
process.on('message', (msg: { seq: number; req: Request }) => {
  handle(load, msg.req).then(
    (result) => process.send!({ seq: msg.seq, result } satisfies Response),
    (e: unknown) => process.send!({ seq: msg.seq, error: e instanceof Error ? e.message : String(e) } satisfies Response),
  );
});
process.on('disconnect', () => process.exit(0));
