// Commit throughput of the verifying Delivery Service (RFC 9420 §12.4, mls docs/public-group.md): one member sends a
// chain of UpdatePath commits, each after the previous one was accepted, to a group of 100 or 1,000 devices that are
// all connected (from the load processes) and acknowledging; the same bytes through the bare relay for comparison, and
// the CPU time each system spends per commit. Used by server-bench.ts.
import { updateKey } from '@sotto/mls';
import WebSocket from 'ws';
import { b64, type Device } from '../test/helpers/client.js';
import { Member, mlsDeps, TestGroup } from '../test/helpers/mls-member.js';
import { CpuWindow, type LoadPool, settle } from './load-pool.js';
import { pctCpu, type Row } from './table.js';

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
): Promise<{ n: number; seconds: number }> {
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
  return { n, seconds: (performance.now() - start) / 1000 };
}

/** The server's running totals of commit verification time (seconds) and count. */
async function verifyTotals(metricsPort: number): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const read = (what: string) =>
    Number(new RegExp(`^sotto_handshake_verify_duration_seconds_${what}\\{kind="commit"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { sum: read('sum'), count: read('count') };
}

/** One system's commit run: commits/s and the CPU of the system and of the load generator over it. */
interface Run {
  rate: number;
  n: number;
  server: { ms: number; pct: number };
  load: { ms: number; pct: number };
  idle: number;
}

async function measured(serverPid: number, pool: LoadPool, run: () => Promise<{ n: number; seconds: number }>): Promise<Run> {
  await settle(serverPid); // e.g. the Welcomes of the group's set-up, delivered when the receivers connected
  const cpu = new CpuWindow([[serverPid], pool.pids]);
  const { n, seconds } = await run();
  const [server, load] = cpu.end();
  return { rate: n / seconds, n, server: server!, load: load!, idle: cpu.idle() };
}

/**
 * Rows for each size: commits/s, sotto-server against the relay, and the CPU ms per commit of the server (RFC 9420
 * §12.4 verification, storage, fan-out) and of the relay (fan-out only). The committer is in this process; the other
 * devices are connected from the load processes, which acknowledge what they receive.
 */
export async function commitRows(opts: {
  base: string;
  wsUrl: string;
  relayBase: string;
  sottoPid: number;
  relayPid: number;
  /** sotto-server's metrics listener: the verification time it measures per commit. */
  metricsPort: number;
  pool: LoadPool;
  devices: Device[];
  sizes: number[];
  durationMs: number;
  log: (s: string) => void;
}): Promise<Row[]> {
  const rows: Row[] = [];
  for (const n of opts.sizes) {
    const devs = opts.devices.slice(0, n);
    opts.log(`commits: building a ${n}-member group...\n`);
    const committer = await bigGroup(opts.base, devs);
    const commits = chain(committer, n >= 1000 ? 40 : 100);
    const kb = (commits[0]!.length / 1024).toFixed(0);
    const receivers = devs.slice(1);
    await opts.pool.connect(
      'sotto',
      opts.wsUrl,
      receivers.map((d) => ({ id: d.deviceId, token: d.token! })),
    );
    const own = await open(opts.wsUrl, { authorization: `Bearer ${devs[0]!.token}` }, true);
    await new Promise((r) => setTimeout(r, 1000)); // the receivers acknowledge their Welcomes
    opts.log(`commits: ${n} members, sotto...\n`);
    const v0 = await verifyTotals(opts.metricsPort);
    const s = await measured(opts.sottoPid, opts.pool, () =>
      sequential(
        own,
        (rid, data) => JSON.stringify({ type: 'send', rid, message: b64(data) }),
        (raw) => {
          const f = JSON.parse(raw) as { type: string; rid?: number };
          return f.type === 'sent' ? 1 : f.type === 'error' ? -1 : undefined;
        },
        commits,
        opts.durationMs,
      ),
    );
    const v1 = await verifyTotals(opts.metricsPort);
    own.terminate();
    await opts.pool.close('sotto');
    opts.log(`commits: ${n} members, relay...\n`);
    await opts.pool.connect(
      'relay',
      opts.relayBase,
      receivers.map((d) => ({ id: d.deviceId })),
    );
    const rown = await open(`${opts.relayBase}?id=${encodeURIComponent(devs[0]!.deviceId)}`);
    rown.send(JSON.stringify({ t: 'g', g: `g:${n}`, members: devs.map((d) => d.deviceId) }));
    const r = await measured(opts.relayPid, opts.pool, () =>
      sequential(
        rown,
        (rid, data) => JSON.stringify({ t: 's', rid, g: `g:${n}`, data: b64(data) }),
        (raw) => ((JSON.parse(raw) as { t: string }).t === 'ok' ? 1 : undefined),
        commits,
        opts.durationMs,
      ),
    );
    rown.terminate();
    await opts.pool.close('relay');
    const cpu = { sottoCpu: pctCpu(s.server.pct, s.load.pct, s.idle), relayCpu: pctCpu(r.server.pct, r.load.pct, r.idle) };
    rows.push({
      measure: `commits/s, ${n}-member group, verification on (UpdatePath ${kb} KB, one committer, ${n - 1} receiving)`,
      sotto: s.rate.toFixed(1),
      relay: r.rate.toFixed(1),
      ratio: `${((100 * s.rate) / r.rate).toFixed(1)}%`,
      ...cpu,
    });
    const verifyMs = (1000 * (v1.sum - v0.sum)) / (v1.count - v0.count);
    rows.push({
      measure: `commit verification, ${n}-member group: mean ms per commit, measured by the loaded server (wall time: MLS, device and policy checks; not storage or fan-out)`,
      sotto: verifyMs.toFixed(2),
      ...cpu,
    });
    rows.push({
      measure: `server CPU per commit, ${n}-member group: ms (${s.n} commits; verification, storage and fan-out; relay: fan-out only)`,
      sotto: (s.server.ms / s.n).toFixed(1),
      relay: (r.server.ms / r.n).toFixed(1),
      ...cpu,
    });
  }
  return rows;
}
