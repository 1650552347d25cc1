// The ceiling for the benchmark: a bare `ws` relay with no storage and no auth. A client connects with
// ?id=<name>; {t:'g', g, members} defines a group; {t:'s', rid, to|g, data} forwards `data` and answers {t:'ok', rid}.
import { type WebSocket, WebSocketServer } from 'ws';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, clientTracking: false });
const clients = new Map<string, WebSocket>();
const corked = new Set<WebSocket>();

/** Frames sent to one socket in the same tick leave in one write, as sotto-server sends them (ws-gateway.ts). */
function send(ws: WebSocket, text: string): void {
  if (!corked.has(ws)) {
    const sock = (ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    if (sock) {
      corked.add(ws);
      sock.cork();
      process.nextTick(() => {
        corked.delete(ws);
        sock.uncork();
      });
    }
  }
  ws.send(text);
}
const groups = new Map<string, string[]>();

wss.on('connection', (ws, req) => {
  const id = new URL(req.url ?? '/', 'http://x').searchParams.get('id') ?? '';
  clients.set(id, ws);
  ws.on('close', () => clients.delete(id));
  ws.on('message', (raw) => {
    const f = JSON.parse(raw.toString()) as { t: string; rid?: number; to?: string; g?: string; members?: string[]; data?: string };
    if (f.t === 'g') {
      groups.set(f.g!, f.members!);
      return;
    }
    const out = JSON.stringify({ t: 'm', from: id, data: f.data });
    const targets = f.g ? (groups.get(f.g) ?? []) : [f.to!];
    for (const t of targets) {
      const to = t === id ? undefined : clients.get(t);
      if (to) send(to, out);
    }
    send(ws, JSON.stringify({ t: 'ok', rid: f.rid }));
  });
});
wss.on('listening', () => {
  const addr = wss.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ event: 'ready', port: addr.port })}\n`);
});
