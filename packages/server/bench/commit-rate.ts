// Commit throughput of the verifying Delivery Service (RFC 9420 §12.4, mls docs/public-group.md): one member sends a
// chain of UpdatePath commits, each after the previous one was accepted, to a group of 100 or 1,000 devices that are
// all connected and acknowledging; the same bytes through the bare relay for comparison. Used by server-bench.ts.
import { updateKey } from '@sotto/mls';
import WebSocket from 'ws';
import { b64, type Device } from '../test/helpers/client.js';
import { Member, mlsDeps, TestGroup } from '../test/helpers/mls-member.js';

/** Adds per commit: 250 KeyPackages (~450 bytes each) keep an Add commit under the default 256 KiB message limit. */
const ADDS_PER_COMMIT = 250;

/** Opens a connection; to sotto-server (`ready` true) resolves once the server said `ready`. */
function open(url: string, headers: Record<string, string> = {}, ready = false): Promise<WebSocket> {
  return new Promise((res, rej) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    ws.once('open', () => {
      if (!ready) return res(ws);
      const first = (raw: WebSocket.RawData) => {
        if ((JSON.parse(raw.toString()) as { type: string }).type !== 'ready') return;
        ws.off('message', first);
        res(ws);
      };
      ws.on('message', first);
    });
    ws.once('error', rej);
  });
}

/** A group of all `devs` (the first is its creator and the committer), built with Add commits of ADDS_PER_COMMIT. */
async function bigGroup(base: string, devs: Device[]): Promise<Member> {
  const owner = await Member.create(base, devs[0]!);
  const group = new TestGroup([owner]);
  for (let i = 1; i < devs.length; i += ADDS_PER_COMMIT) {
    const joiners = devs.slice(i, i + ADDS_PER_COMMIT).map((d) => new Member(d));
    // The joiners never use their state here: the tree stays out of the Welcome (it would not fit at 1,000 members).
    const r = await group.commit(base, owner, owner.addCommit(joiners, { ratchetTreeInWelcome: false }));
    if (r.status !== 200) throw new Error(`add commit: ${r.status} ${JSON.stringify(r.body)}`);
  }
  return owner;
}

/** `n` UpdatePath commits by `m`, each built on the state the previous one leads to (so they can be sent back to back). */
function chain(m: Member, n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let g = m.state;
  for (let i = 0; i < n; i++) {
    const c = updateKey(mlsDeps, g);
    out.push(c.commit);
    g = c.group;
  }
  return out;
}

/** Sends each message once the previous one was answered, until `ms` elapsed or the chain ends. */
async function sequential(
  ws: WebSocket,
  frame: (rid: number, data: Uint8Array) => string,
  done: (raw: string) => number | undefined,
  commits: Uint8Array[],
  ms: number,
): Promise<number> {
  let waiting: ((ok: boolean) => void) | undefined;
  const onMessage = (raw: WebSocket.RawData) => {
    const rid = done(raw.toString());
    if (rid !== undefined) waiting?.(rid > 0);
  };
  ws.on('message', onMessage);
  const start = performance.now();
  let n = 0;
  try {
    for (const [i, c] of commits.entries()) {
      if (performance.now() - start > ms) break;
      const ok = await new Promise<boolean>((r) => {
        waiting = r;
        ws.send(frame(i + 1, c));
      });
      if (!ok) throw new Error(`commit ${i} refused`);
      n++;
    }
  } finally {
    ws.off('message', onMessage);
  }
  return n / ((performance.now() - start) / 1000);
}

/** Rows "commits/s, N-member group, verification on" for each size, sotto-server against the relay. */
export async function commitRows(opts: {
  base: string;
  wsUrl: string;
  relayUrl: (id: string) => string;
  devices: Device[];
  sizes: number[];
  durationMs: number;
  log: (s: string) => void;
}): Promise<string[][]> {
  const rows: string[][] = [];
  for (const n of opts.sizes) {
    const devs = opts.devices.slice(0, n);
    opts.log(`commits: building a ${n}-member group...\n`);
    const committer = await bigGroup(opts.base, devs);
    const commits = chain(committer, n >= 1000 ? 15 : 100);
    const kb = (commits[0]!.length / 1024).toFixed(0);
    // Sotto: every other device connected; each acknowledges what it gets (batched every 20 ms).
    const conns = await Promise.all(devs.map((d) => open(opts.wsUrl, { authorization: `Bearer ${d.token}` }, true)));
    for (const ws of conns) {
      let ids: number[] = [];
      ws.on('message', (raw) => {
        const f = JSON.parse(raw.toString()) as { type: string; id?: number };
        if (f.type !== 'message') return;
        if (ids.length === 0) {
          setTimeout(() => {
            for (let i = 0; i < ids.length; i += 1000) ws.send(JSON.stringify({ type: 'ack', ids: ids.slice(i, i + 1000) }));
            ids = [];
          }, 20);
        }
        ids.push(f.id!);
      });
    }
    opts.log(`commits: ${n} members, sotto...\n`);
    const s = await sequential(
      conns[0]!,
      (rid, data) => JSON.stringify({ type: 'send', rid, message: b64(data) }),
      (raw) => {
        const f = JSON.parse(raw) as { type: string; rid?: number };
        return f.type === 'sent' ? 1 : f.type === 'error' ? -1 : undefined;
      },
      commits,
      opts.durationMs,
    );
    for (const ws of conns) ws.terminate();
    opts.log(`commits: ${n} members, relay...\n`);
    const rconns = await Promise.all(devs.map((d) => open(opts.relayUrl(d.deviceId))));
    rconns[0]!.send(JSON.stringify({ t: 'g', g: `g:${n}`, members: devs.map((d) => d.deviceId) }));
    const r = await sequential(
      rconns[0]!,
      (rid, data) => JSON.stringify({ t: 's', rid, g: `g:${n}`, data: b64(data) }),
      (raw) => ((JSON.parse(raw) as { t: string }).t === 'ok' ? 1 : undefined),
      commits,
      opts.durationMs,
    );
    for (const ws of rconns) ws.terminate();
    rows.push([
      `commits/s, ${n}-member group, verification on (UpdatePath ${kb} KB, one committer, ${n - 1} receiving)`,
      s.toFixed(1),
      r.toFixed(1),
      `${((100 * s) / r).toFixed(1)}%`,
    ]);
  }
  return rows;
}
