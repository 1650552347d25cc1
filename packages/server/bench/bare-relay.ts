// The ceiling for the benchmark: a bare `ws` relay with no storage and no auth. A client connects with
// ?id=<name>; {t:'g', g, members} defines a group; {t:'s', rid, to|g, data} forwards `data` and answers {t:'ok', rid}.
import { type WebSocket, WebSocketServer } from 'ws';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, clientTracking: false });
const clients = new Map<string, WebSocket>();
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
    for (const t of targets) if (t !== id) clients.get(t)?.send(out);
    ws.send(JSON.stringify({ t: 'ok', rid: f.rid }));
  });
});
wss.on('listening', () => {
  const addr = wss.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ event: 'ready', port: addr.port })}\n`);
});
