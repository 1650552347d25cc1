/// <reference lib="webworker" />
// The Web Worker that runs Sotto for this page: the client SDK with its IndexedDB store, MLS on the portable
// (@noble) provider, the WebSocket and all sync. The page talks to it only through protocol.ts.

import { type LocalStore, SottoClient, SottoClientError, type WebSocketLike } from '@sotto/client';
import { browserKeyState, deleteBrowserProfile, openBrowserStorageKey, openIndexedDbStore } from '@sotto/client/browser';
import { createPortableProvider } from '@sotto/mls/portable';
import {
  type Boot,
  type ConnectionState,
  CLIENT_CALLS,
  FORWARDED_EVENTS,
  type LocalPrefs,
  type Me,
  type StoredNotice,
  type PageToWorker,
  type ProfileCalls,
  type WireError,
  type WorkerEvents,
  type WorkerToPage,
} from './protocol.js';

declare const self: DedicatedWorkerGlobalScope;

/** The profile: the store's IndexedDB database; its key lives beside it (see @sotto/client/browser). */
const PROFILE = 'sotto';
const PREFS_NS = 'web';
const webRandom = (n: number): Uint8Array => crypto.getRandomValues(new Uint8Array(n));

let client: SottoClient | undefined;
/** The connection's last state, for a page that subscribes after it changed. */
let connection: ConnectionState = 'connecting';
let store: LocalStore | undefined;

function post(m: WorkerToPage): void {
  self.postMessage(m);
}

function emit<K extends keyof WorkerEvents>(event: K, payload: WorkerEvents[K]): void {
  post({ event, payload });
}

function wireError(e: unknown): WireError {
  if (e instanceof SottoClientError) return { name: e.name, code: String(e.code), message: e.message };
  if (e instanceof Error) return { name: e.name, code: 'INTERNAL', message: e.message };
  return { name: 'Error', code: 'INTERNAL', message: 'unexpected failure' };
}

function me(c: SottoClient): Me {
  return c.me;
}

async function openClient(passphrase?: string): Promise<SottoClient> {
  if (client) return client;
  const key = await openBrowserStorageKey({ name: PROFILE, ...(passphrase ? { passphrase } : {}) });
  store = await openIndexedDbStore(PROFILE, key);
  const c = new SottoClient({
    store,
    crypto: createPortableProvider(),
    webSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
    randomBytes: webRandom,
    // Chromium streams a request body only over HTTP/2: an attachment goes up as one encrypted Blob.
    bufferUploads: true,
  });
  await c.load();
  for (const name of FORWARDED_EVENTS) c.on(name, (payload) => emit(name, payload as never));
  watchNotices(c);
  c.on('connection', ({ state }) => void (connection = state));
  client = c;
  return c;
}

/**
 * The page opens on what the store holds; connecting and catching up (which can be thousands of messages after a
 * while away) run behind it, and their messages arrive as events.
 */
async function ready(c: SottoClient): Promise<Boot> {
  c.start().catch((e: unknown) => emit('warning', { code: wireError(e).code, message: wireError(e).message }));
  return { state: 'ready', me: me(c), settings: c.settings, connection: c.online ? 'online' : connection };
}

function need(): SottoClient {
  if (!client?.registered) throw new SottoClientError('NOT_REGISTERED', 'no account on this browser yet');
  return client;
}

async function readPrefs(): Promise<LocalPrefs> {
  const raw = store ? await store.get(PREFS_NS, 'prefs') : undefined;
  const parsed = raw ? (JSON.parse(new TextDecoder().decode(raw)) as Partial<LocalPrefs>) : {};
  return {
    muted: parsed.muted ?? [],
    archived: parsed.archived ?? [],
    lastRead: parsed.lastRead ?? {},
    notices: parsed.notices ?? [],
    operatorSeen: parsed.operatorSeen ?? [],
  };
}

/** Prefs writes run one after another (events and calls both write). */
let prefsChain: Promise<unknown> = Promise.resolve();
function writePrefs(change: (p: LocalPrefs) => LocalPrefs): Promise<LocalPrefs> {
  const next = prefsChain.then(async () => {
    const p = change(await readPrefs());
    await store!.put(PREFS_NS, 'prefs', new TextEncoder().encode(JSON.stringify(p)));
    return p;
  });
  prefsChain = next.catch(() => undefined);
  return next;
}

const MAX_NOTICES = 200;
function keepNotice(n: Omit<StoredNotice, 'at'>): void {
  void writePrefs((p) =>
    p.notices.some((x) => x.id === n.id) ? p : { ...p, notices: [...p.notices, { ...n, at: Date.now() }].slice(-MAX_NOTICES) },
  ).then(
    (p) => emit('notices', p.notices),
    () => undefined,
  );
}

function watchNotices(c: SottoClient): void {
  c.on('key-change', (w) => {
    if (w.type === 'account-key-changed') keepNotice({ id: `key:${w.account}:${Date.now()}`, kind: 'key-change', account: w.account });
    else keepNotice({ id: `${w.type}:${w.account}:${w.deviceId}`, kind: w.type, account: w.account, detail: w.deviceId });
  });
  c.on('security', (n) =>
    keepNotice({
      id: `sec:${n.conversationId}:${n.code}:${n.account}`,
      kind: 'security',
      account: n.account,
      conversationId: n.conversationId,
      detail: n.code,
    }),
  );
}

/** A Blob view that reports how many bytes the SDK has read on its last pass (the upload; the first pass hashes). */
function progressBlob(file: Blob, report: (done: number, total: number) => void): Blob {
  let pass = 0;
  const view = {
    size: file.size,
    type: file.type,
    stream(): ReadableStream<Uint8Array> {
      pass++;
      const thisPass = pass;
      let done = 0;
      const reader = file.stream().getReader();
      return new ReadableStream<Uint8Array>({
        async pull(ctrl) {
          const r = await reader.read();
          if (r.done) return ctrl.close();
          done += r.value.length;
          report((thisPass - 1) * file.size + done, 2 * file.size);
          ctrl.enqueue(r.value);
        },
        cancel: (why) => reader.cancel(why),
      });
    },
  };
  return view as unknown as Blob;
}

/** Largest side of a thumbnail, and its size budget (the SDK refuses more than 16 KiB). */
const THUMB_SIDE = 320;
const THUMB_BYTES = 16 * 1024;

/**
 * A small JPEG of an image, made here on the sender's device (it travels inside the encrypted message, so receivers
 * see it before downloading anything), and the image's dimensions. Undefined for what is not a decodable image.
 */
async function thumbnailOf(file: Blob): Promise<{ thumbnail: Uint8Array; dimensions: { width: number; height: number } } | undefined> {
  if (!/^image\/(png|jpeg|webp|gif|bmp|avif)$/.test(file.type)) return undefined;
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return undefined;
  }
  try {
    const dimensions = { width: bitmap.width, height: bitmap.height };
    for (const [side, quality] of [
      [THUMB_SIDE, 0.75],
      [THUMB_SIDE, 0.5],
      [200, 0.5],
      [120, 0.4],
    ] as const) {
      const scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
      const canvas = new OffscreenCanvas(Math.max(1, Math.round(bitmap.width * scale)), Math.max(1, Math.round(bitmap.height * scale)));
      const ctx = canvas.getContext('2d');
      if (!ctx) return undefined;
      ctx.fillStyle = '#fff'; // JPEG has no transparency
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      const jpeg = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/jpeg', quality })).arrayBuffer());
      if (jpeg.length <= THUMB_BYTES) return { thumbnail: jpeg, dimensions };
    }
    return undefined;
  } finally {
    bitmap.close();
  }
}

const profile: ProfileCalls = {
  async boot() {
    const state = await browserKeyState(PROFILE);
    if (state === 'none') return { state: 'new' };
    if (state === 'passphrase' && !client) return { state: 'locked' };
    const c = await openClient();
    return c.registered ? ready(c) : { state: 'new' };
  },
  async unlock(passphrase) {
    const c = await openClient(passphrase);
    return c.registered ? ready(c) : { state: 'new' };
  },
  async register(o) {
    const c = await openClient(o.passphrase);
    await c.register({ serverUrl: self.location.origin, account: o.account, ...(o.invite ? { invite: o.invite } : {}) });
    if (o.deviceName) await c.renameDevice(c.me.deviceId, o.deviceName);
    return ready(c);
  },
  async beginLink(o) {
    const c = await openClient(o.passphrase);
    const l = await c.beginLink({ serverUrl: self.location.origin, account: o.account, timeoutMs: 10 * 60_000 });
    l.done.then(
      async () => {
        if (o.deviceName) await c.renameDevice(c.me.deviceId, o.deviceName).catch(() => undefined);
        await c.start();
        emit('linked', { me: me(c) });
      },
      (e: unknown) => emit('link-failed', { code: wireError(e).code, message: wireError(e).message }),
    );
    return { qr: l.qr, code: l.code, deviceId: l.deviceId };
  },
  async sendFile(conversationId, file, o) {
    const preview = await thumbnailOf(file);
    const blob = progressBlob(file, (done, total) => emit('progress', { uploadId: o.uploadId, done, total }));
    return need().sendAttachment(conversationId, blob, {
      fileName: o.fileName,
      ...(o.mimeType ? { mimeType: o.mimeType } : {}),
      ...(preview ?? {}),
    });
  },
  async download(conversationId, messageId) {
    const parts: Uint8Array[] = [];
    const info = await need().downloadAttachment(conversationId, messageId, (chunk) => void parts.push(chunk.slice()));
    return new Blob(parts as BlobPart[], { type: info.mimeType });
  },
  async search(query, limit = 50) {
    const c = need();
    const q = query.trim().toLocaleLowerCase();
    if (!q) return [];
    const hits: Array<{ conversationId: string; id: string; text: string; sentAt: number }> = [];
    for (const conv of c.listConversations()) {
      let before: number | undefined;
      for (;;) {
        const page = await c.listMessages(conv.id, { limit: 200, ...(before !== undefined ? { beforeSeq: before } : {}) });
        for (const m of page)
          if (m.kind === 'text' && !m.deleted && m.text?.toLocaleLowerCase().includes(q))
            hits.push({ conversationId: conv.id, id: m.id, text: m.text, sentAt: m.sentAt });
        if (page.length < 200) break;
        before = Math.min(...page.map((m) => m.seq));
      }
    }
    return hits.sort((a, b) => b.sentAt - a.sentAt).slice(0, limit);
  },
  prefs: readPrefs,
  async setPrefs(patch) {
    need();
    return writePrefs((p) => ({ ...p, ...patch, notices: p.notices }));
  },
  async dismissNotice(id) {
    need();
    return writePrefs((p) => ({ ...p, notices: p.notices.filter((n) => n.id !== id) }));
  },
  async wipe() {
    await client?.close();
    client = undefined;
    store = undefined;
    await deleteBrowserProfile(PROFILE);
  },
};

const clientCalls = new Set<string>(CLIENT_CALLS);

async function dispatch(m: PageToWorker): Promise<unknown> {
  if (m.method in profile) return (profile[m.method as keyof ProfileCalls] as (...a: unknown[]) => Promise<unknown>)(...m.args);
  if (clientCalls.has(m.method)) {
    const c = need();
    const f = c[m.method as keyof SottoClient] as unknown as (...a: unknown[]) => unknown;
    return f.apply(c, m.args);
  }
  throw new SottoClientError('UNKNOWN_METHOD', 'no such call');
}

self.onmessage = (ev: MessageEvent<PageToWorker>) => {
  const m = ev.data;
  if (typeof m?.id !== 'number' || typeof m.method !== 'string' || !Array.isArray(m.args)) return;
  dispatch(m).then(
    (value) => post({ id: m.id, ok: true, value }),
    (e: unknown) => post({ id: m.id, ok: false, error: wireError(e) }),
  );
};
