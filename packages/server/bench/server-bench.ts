// Benchmark of the Sotto server against a bare `ws` relay in the same run (not a test; `npm run bench -w packages/server`).
// Measures: messages/s durably stored and acknowledged end to end (50 sending pairs over 100 devices; a 100-member
// group), p50/p99 latency at half the pair rate, commits/s through the verifying Delivery Service in 100- and
// 1,000-member groups (commit-rate.ts), and server memory per idle connection with 10,000 connections.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { addDevice, b64, CT, type Device, privateMessage, registerUser } from '../test/helpers/client.js';
import { makeGroup } from '../test/helpers/mls-member.js';
import { commitRows } from './commit-rate.js';
import { cleanup, tempDir } from '../test/helpers/server-process.js';

const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 5) * 1000;
const IDLE_CONNECTIONS = Number(process.env.BENCH_IDLE ?? 10_000);
/** Group sizes of the commit rows ("" for none). */
const COMMIT_SIZES = (process.env.BENCH_COMMIT_SIZES ?? '100,1000').split(',').filter(Boolean).map(Number);
const WINDOW = 16;
// The server from its sources through tsx, as the tests run it (bin/sotto-server.js runs the build in dist/).
const SERVER = ['--import', import.meta.resolve('tsx'), resolve(import.meta.dirname, '../src/main.ts')];

function launch(args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; port: number; metricsPort: number }> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((res, rej) => {
    const tee = process.env.BENCH_SERVER_LOG ? createWriteStream(process.env.BENCH_SERVER_LOG, { flags: 'a' }) : undefined;
    createInterface({ input: child.stdout! }).on('line', (l) => {
      tee?.write(`${l}\n`);
      try {
        const j = JSON.parse(l) as { event?: string; port?: number; metricsPort?: number };
        if (j.event === 'ready') res({ child, port: j.port!, metricsPort: j.metricsPort ?? 0 });
      } catch {}
    });
    child.once('exit', (c) => rej(new Error(`exited ${c}`)));
    setTimeout(() => rej(new Error('not ready after 30s')), 30_000).unref();
  });
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}

function open(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((res, rej) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    ws.once('open', () => res(ws));
    ws.once('error', rej);
  });
}

/** A message body carrying the send time, so the receiver can compute latency. */
function stamped(gid: Uint8Array, epoch: bigint): Uint8Array {
  const body = new Uint8Array(32);
  new DataView(body.buffer).setFloat64(0, performance.now());
  return privateMessage(gid, epoch, CT.application, body);
}
function stampOf(data: Uint8Array): number {
  // privateMessage(): ... content_type, aad<0>, sender_data<32> = [len, body...], ciphertext<0>
  return new DataView(data.buffer, data.byteOffset + data.length - 33, 8).getFloat64(0);
}

// ---------- a generic driver for both systems ----------

interface Endpoint {
  /** Sends one message; resolves when the server acknowledged it. */
  send(ws: WebSocket, rid: number, data: Uint8Array, target: string): void;
  /** Parses a frame: a sender ack (rid) or a delivered message (with an ack to send back, if any). */
  onFrame(ws: WebSocket, raw: string, st: Stats): void;
}

interface Stats {
  delivered: number;
  latencies: number[] | undefined;
  acked: Map<WebSocket, () => void>;
}

async function drive(
  ep: Endpoint,
  senders: { ws: WebSocket; target: string; make: () => Uint8Array }[],
  receivers: WebSocket[],
  opts: { durationMs: number; ratePerSender?: number; latencies?: boolean },
): Promise<{ delivered: number; seconds: number; latencies: number[] }> {
  const st: Stats = { delivered: 0, latencies: opts.latencies ? [] : undefined, acked: new Map() };
  const handlers = new Map<WebSocket, (d: WebSocket.RawData) => void>();
  for (const ws of new Set([...receivers, ...senders.map((s) => s.ws)])) {
    const h = (d: WebSocket.RawData) => ep.onFrame(ws, d.toString(), st);
    handlers.set(ws, h);
    ws.on('message', h);
  }
  let running = true;
  let rid = 0;
  const loops = senders.map(
    (s) =>
      new Promise<void>((done) => {
        let inflight = 0;
        const pump = () => {
          while (running && inflight < WINDOW && (opts.ratePerSender === undefined || budget > 0)) {
            inflight++;
            if (opts.ratePerSender !== undefined) budget--;
            ep.send(s.ws, ++rid, s.make(), s.target);
          }
          if (!running && inflight === 0) done();
        };
        let budget = 0;
        st.acked.set(s.ws, () => {
          inflight--;
          pump();
        });
        if (opts.ratePerSender !== undefined) {
          const perTick = opts.ratePerSender / 500; // a 2 ms tick: senders pace evenly instead of bursting
          let acc = 0;
          const t = setInterval(() => {
            if (!running) {
              clearInterval(t);
              if (inflight === 0) done();
              return;
            }
            acc += perTick;
            budget += Math.floor(acc);
            acc -= Math.floor(acc);
            pump();
          }, 2);
        } else pump();
      }),
  );
  await sleep(500); // warm-up
  const start = performance.now();
  const d0 = st.delivered;
  if (st.latencies) st.latencies.length = 0;
  await sleep(opts.durationMs);
  const delivered = st.delivered - d0;
  const seconds = (performance.now() - start) / 1000;
  const latencies = st.latencies ? [...st.latencies] : [];
  running = false;
  await Promise.race([Promise.all(loops), sleep(5000)]);
  await sleep(300);
  for (const [ws, h] of handlers) ws.off('message', h);
  return { delivered, seconds, latencies };
}

// ---------- Sotto endpoint ----------

const sotto: Endpoint = {
  send(ws, rid, data) {
    ws.send(JSON.stringify({ type: 'send', rid, message: b64(data) }));
  },
  onFrame(ws, raw, st) {
    const f = JSON.parse(raw) as { type: string; id?: number; data?: string };
    if (f.type === 'sent' || f.type === 'error') return st.acked.get(ws)?.();
    if (f.type !== 'message') return;
    st.delivered++;
    if (st.latencies) st.latencies.push(performance.now() - stampOf(Buffer.from(f.data!, 'base64')));
    ackLater(ws, f.id!);
  },
};
const pendingAcks = new Map<WebSocket, number[]>();
function ackLater(ws: WebSocket, id: number): void {
  let list = pendingAcks.get(ws);
  if (!list) {
    list = [];
    pendingAcks.set(ws, list);
    setTimeout(() => {
      const ids = pendingAcks.get(ws)!;
      pendingAcks.delete(ws);
      for (let i = 0; i < ids.length; i += 1000) ws.send(JSON.stringify({ type: 'ack', ids: ids.slice(i, i + 1000) }));
    }, 20);
  }
  list.push(id);
}

// ---------- relay endpoint ----------

const relay: Endpoint = {
  send(ws, rid, data, target) {
    ws.send(
      JSON.stringify(target.startsWith('g:') ? { t: 's', rid, g: target, data: b64(data) } : { t: 's', rid, to: target, data: b64(data) }),
    );
  },
  onFrame(ws, raw, st) {
    const f = JSON.parse(raw) as { t: string; data?: string };
    if (f.t === 'ok') return st.acked.get(ws)?.();
    st.delivered++;
    if (st.latencies) st.latencies.push(performance.now() - stampOf(Buffer.from(f.data!, 'base64')));
  },
};

/** Cumulative bucket counts of sotto_submit_duration_seconds, from the loopback metrics listener. */
async function submitHistogram(metricsPort: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^sotto_submit_duration_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)) out.set(m[1]!, Number(m[2]));
  return out;
}
function histQuantile(a: Map<string, number>, b: Map<string, number>, q: number): string {
  const total = (b.get('+Inf') ?? 0) - (a.get('+Inf') ?? 0);
  for (const [le, n] of b) if (n - (a.get(le) ?? 0) >= q * total) return le === '+Inf' ? '>2500' : `≤${Number(le) * 1000}`;
  return '?';
}

async function idleMemory(pid: number, connect: (i: number) => Promise<WebSocket>, n: number): Promise<number> {
  await sleep(1000);
  const before = rssKb(pid);
  const conns: WebSocket[] = [];
  for (let i = 0; i < n; i += 200)
    conns.push(...(await Promise.all(Array.from({ length: Math.min(200, n - i) }, (_, k) => connect(i + k)))));
  await sleep(3000);
  const after = rssKb(pid);
  for (const c of conns) c.terminate();
  await sleep(500);
  return ((after - before) * 1024) / n;
}

async function main(): Promise<void> {
  const dir = tempDir('sotto-bench-');
  const rows: string[][] = [];
  const prof = process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [];
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '--max-semi-space-size=64').split(' ').filter(Boolean);
  const startSotto = () =>
    launch([...prof, ...nodeArgs, ...SERVER, 'serve', '--port', '0', '--data-dir', dir], {
      SOTTO_REGISTRATION_OPEN: 'true',
      SOTTO_LOG_LEVEL: 'info',
      SOTTO_METRICS_PORT: '0',
      SOTTO_AUTH_RATE_PER_MINUTE: '1000000',
      SOTTO_WS_FRAMES_PER_SECOND: '1000000',
      SOTTO_MAX_DEVICES_PER_ACCOUNT: '1000',
      // The load comes from one address and from fresh accounts: lift the per-IP and per-account abuse limits.
      SOTTO_MAX_CONNECTIONS_PER_IP: '1000000',
      SOTTO_MAX_UNAUTHENTICATED_PER_IP: '1000000',
      SOTTO_MAX_UNAUTHENTICATED_CONNECTIONS: '1000000',
      SOTTO_QUOTA_QUEUED_BYTES_PER_ACCOUNT: String(2 ** 40),
      SOTTO_NEW_ACCOUNT_AGE_SECONDS: '0',
    });
  const startRelay = () => launch(['--import', 'tsx', resolve(import.meta.dirname, 'bare-relay.ts')], {});
  let sv = await startSotto();
  let rl = await startRelay();
  let base = `http://127.0.0.1:${sv.port}`;
  let wsUrl = `ws://127.0.0.1:${sv.port}/v1/ws`;
  const relayUrl = (id: string) => `ws://127.0.0.1:${rl.port}/?id=${id}`;
  try {
    process.stderr.write('setting up 100 devices...\n');
    const devs: Device[] = [];
    for (let i = 0; i < 10; i++) {
      const first = await registerUser(base, `bench${i}`);
      devs.push(first);
      for (let j = 1; j < 10; j++) devs.push(await addDevice(base, first.account));
    }
    const pairs: { gid: Uint8Array; a: Device; b: Device }[] = [];
    for (let i = 0; i < 50; i++) {
      const a = devs[2 * i]!;
      const b = devs[2 * i + 1]!;
      pairs.push({ gid: (await makeGroup(base, a, [b])).gid, a, b });
    }
    const big = await makeGroup(base, devs[0]!, devs.slice(1));
    const conns = new Map<string, WebSocket>();
    for (const d of devs) {
      const ws = await open(wsUrl, { authorization: `Bearer ${d.token}` });
      ws.on('message', (raw) => {
        const f = JSON.parse(raw.toString()) as { type: string; id?: number };
        if (f.type === 'message') ackLater(ws, f.id!); // drain set-up traffic (Welcomes)
      });
      conns.set(d.deviceId, ws);
    }
    await sleep(1000);
    for (const ws of conns.values()) ws.removeAllListeners('message');
    const rconns = new Map<string, WebSocket>();
    for (const d of devs) rconns.set(d.deviceId, await open(relayUrl(d.deviceId)));
    rconns.get(devs[0]!.deviceId)!.send(JSON.stringify({ t: 'g', g: 'g:big', members: devs.map((d) => d.deviceId) }));
    await sleep(200);

    // 1. 50 sending pairs.
    process.stderr.write('pairs: sotto...\n');
    const sPairs = await drive(
      sotto,
      pairs.map((p) => ({ ws: conns.get(p.a.deviceId)!, target: '', make: () => stamped(p.gid, 1n) })),
      pairs.map((p) => conns.get(p.b.deviceId)!),
      { durationMs: DURATION_MS },
    );
    process.stderr.write('pairs: relay...\n');
    const rPairs = await drive(
      relay,
      pairs.map((p) => ({ ws: rconns.get(p.a.deviceId)!, target: p.b.deviceId, make: () => stamped(p.gid, 1n) })),
      pairs.map((p) => rconns.get(p.b.deviceId)!),
      { durationMs: DURATION_MS },
    );
    const sRate = sPairs.delivered / sPairs.seconds;
    const rRate = rPairs.delivered / rPairs.seconds;
    rows.push(['50 pairs, 100 devices: messages/s', sRate.toFixed(0), rRate.toFixed(0), `${((100 * sRate) / rRate).toFixed(1)}%`]);

    // 2. 100-member group: 5 senders.
    process.stderr.write('group: sotto...\n');
    const senders = devs.slice(0, 5);
    const sGroup = await drive(
      sotto,
      senders.map((d) => ({ ws: conns.get(d.deviceId)!, target: '', make: () => stamped(big.gid, 1n) })),
      devs.map((d) => conns.get(d.deviceId)!),
      { durationMs: DURATION_MS },
    );
    process.stderr.write('group: relay...\n');
    const rGroup = await drive(
      relay,
      senders.map((d) => ({ ws: rconns.get(d.deviceId)!, target: 'g:big', make: () => stamped(big.gid, 1n) })),
      devs.map((d) => rconns.get(d.deviceId)!),
      { durationMs: DURATION_MS },
    );
    const sg = sGroup.delivered / 99 / sGroup.seconds;
    const rg = rGroup.delivered / 99 / rGroup.seconds;
    rows.push(['100-member group: messages/s (x99 deliveries)', sg.toFixed(0), rg.toFixed(0), `${((100 * sg) / rg).toFixed(1)}%`]);

    // 3. Latency at half the pair rate of each system (after the group phase's backlog has drained).
    await sleep(3000);
    process.stderr.write('latency at half load...\n');
    const h0 = await submitHistogram(sv.metricsPort);
    const sLat = await drive(
      sotto,
      pairs.map((p) => ({ ws: conns.get(p.a.deviceId)!, target: '', make: () => stamped(p.gid, 1n) })),
      pairs.map((p) => conns.get(p.b.deviceId)!),
      { durationMs: DURATION_MS, ratePerSender: sRate / 2 / 50, latencies: true },
    );
    const h1 = await submitHistogram(sv.metricsPort);
    const rLat = await drive(
      relay,
      pairs.map((p) => ({ ws: rconns.get(p.a.deviceId)!, target: p.b.deviceId, make: () => stamped(p.gid, 1n) })),
      pairs.map((p) => rconns.get(p.b.deviceId)!),
      { durationMs: DURATION_MS, ratePerSender: sRate / 2 / 50, latencies: true },
    );
    rows.push([
      `latency at ${(sRate / 2).toFixed(0)} msg/s: p50 ms`,
      pct(sLat.latencies, 50).toFixed(2),
      pct(rLat.latencies, 50).toFixed(2),
      '',
    ]);
    rows.push([
      `latency at ${(sRate / 2).toFixed(0)} msg/s: p99 ms`,
      pct(sLat.latencies, 99).toFixed(2),
      pct(rLat.latencies, 99).toFixed(2),
      '',
    ]);
    rows.push([
      'server-side receive → stored, same run: p50 / p99 ms (bucket upper bound)',
      `${histQuantile(h0, h1, 0.5)} / ${histQuantile(h0, h1, 0.99)}`,
      '',
      '',
    ]);
    for (const ws of [...conns.values(), ...rconns.values()]) ws.terminate();

    // 4. Commits through the verifying Delivery Service, 100 and 1,000 members.
    if (COMMIT_SIZES.length > 0) {
      const need = Math.max(...COMMIT_SIZES);
      process.stderr.write(`commits: registering ${Math.max(0, need - devs.length)} more devices...\n`);
      const many = [...devs];
      for (let i = 0; many.length < need; i++) {
        const first = await registerUser(base, `commit${i}`);
        many.push(first);
        many.push(...(await Promise.all(Array.from({ length: Math.min(99, need - many.length) }, () => addDevice(base, first.account)))));
      }
      const log = (s: string) => void process.stderr.write(s);
      rows.push(...(await commitRows({ base, wsUrl, relayUrl, devices: many, sizes: COMMIT_SIZES, durationMs: DURATION_MS, log })));
    }

    // 5. Idle connections.
    if (IDLE_CONNECTIONS > 0) {
      process.stderr.write(`idle: registering ${IDLE_CONNECTIONS} devices...\n`);
      const idle: Device[] = [];
      for (let i = 0; idle.length < IDLE_CONNECTIONS; i++) {
        const first = await registerUser(base, `idle${i}`);
        idle.push(first);
        const more = await Promise.all(
          Array.from({ length: Math.min(999, IDLE_CONNECTIONS - idle.length) }, () => addDevice(base, first.account)),
        );
        idle.push(...more);
      }
      // Fresh processes, so the figure is not flattered by heap left over from the load phases.
      process.stderr.write('idle: restarting both servers, connecting...\n');
      const exited = (c: ChildProcess) => new Promise((r) => c.once('exit', r));
      sv.child.kill('SIGTERM');
      rl.child.kill('SIGTERM');
      await Promise.all([exited(sv.child), exited(rl.child)]);
      sv = await startSotto();
      rl = await startRelay();
      base = `http://127.0.0.1:${sv.port}`;
      wsUrl = `ws://127.0.0.1:${sv.port}/v1/ws`;
      const sMem = await idleMemory(sv.child.pid!, (i) => open(wsUrl, { authorization: `Bearer ${idle[i]!.token}` }), IDLE_CONNECTIONS);
      const rMem = await idleMemory(rl.child.pid!, (i) => open(relayUrl(`idle${i}`)), IDLE_CONNECTIONS);
      rows.push([`memory per idle connection (${IDLE_CONNECTIONS}): KB`, (sMem / 1024).toFixed(1), (rMem / 1024).toFixed(1), '']);
    }
  } finally {
    sv.child.kill('SIGTERM');
    rl.child.kill('SIGTERM');
    await sleep(500);
    cleanup(dir);
  }
  const table = [
    '| measure | sotto-server | bare ws relay | ratio |',
    '| --- | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  process.stdout.write(
    `\n${table}\n\nnode ${process.version}, ${(await import('node:os')).cpus().length} CPUs, ${DURATION_MS / 1000}s per run, window ${WINDOW} per sender\n`,
  );
}

await main();
