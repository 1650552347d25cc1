// Benchmark of the Sotto server against a bare `ws` relay in the same run (not a test; `npm run bench -w packages/server`,
// `-- --quick` for a short run). Measures: messages/s durably stored and acknowledged end to end (50 sending pairs over
// 100 devices; a 100-member group), p50/p99 latency at half the pair rate, commits/s and server CPU per commit through
// the verifying Delivery Service in 100- and 1,000-member groups (commit-rate.ts), and server memory per idle
// connection with 10,000 connections. The devices live in N load processes (load-pool.ts); every row prints the CPU
// use of the system under test and of the load generator, so that a row can be seen to measure the server.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { addDevice, b64, type Device, registerUser } from '../test/helpers/client.js';
import { makeGroup } from '../test/helpers/mls-member.js';
import { cleanup, tempDir } from '../test/helpers/server-process.js';
import { commitRows } from './commit-rate.js';
import { frankingRows } from './franking-cost.js';
import { LoadPool, type PoolDrive, settle } from './load-pool.js';
import type { SenderSpec } from './load-protocol.js';
import { pctCpu, renderTable, type Row } from './table.js';
import type { VerifyTimes } from './verify-commit.js';

const QUICK = process.argv.includes('--quick');
const DURATION_MS = Number(process.env.BENCH_SECONDS ?? (QUICK ? 2 : 5)) * 1000;
const WARMUP_MS = QUICK ? 300 : 500;
const IDLE_CONNECTIONS = Number(process.env.BENCH_IDLE ?? (QUICK ? 1000 : 10_000));
/** Group sizes of the commit rows ("" for none). */
const COMMIT_SIZES = (process.env.BENCH_COMMIT_SIZES ?? (QUICK ? '100' : '100,1000')).split(',').filter(Boolean).map(Number);
/** Load processes; on 2 cores, 2 gave the bare relay the most headroom (RESULTS.md). */
const LOADERS = Number(process.env.BENCH_LOADERS ?? availableParallelism());
const WINDOW = 16;
// The server from its sources through tsx, as the tests run it (bin/sotto-server.js runs the build in dist/).
const SERVER = ['--import', import.meta.resolve('tsx'), resolve(import.meta.dirname, '../src/main.ts')];

/** The environment of the benchmarked servers: the load comes from one address and from fresh accounts. */
const SOTTO_ENV: Record<string, string> = {
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
};

interface Launched {
  child: ChildProcess;
  port: number;
  metricsPort: number;
}

function launch(args: string[], env: Record<string, string> = {}): Promise<Launched> {
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
const log = (s: string) => void process.stderr.write(s);

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

/** Registers `n` devices, 10 accounts of n/10 devices (the first device of each registers the account). */
async function devices(base: string, prefix: string, n: number, perAccount: number): Promise<Device[]> {
  const out: Device[] = [];
  for (let i = 0; out.length < n; i++) {
    const first = await registerUser(base, `${prefix}${i}`);
    out.push(first);
    out.push(
      ...(await Promise.all(Array.from({ length: Math.min(perAccount - 1, n - out.length) }, () => addDevice(base, first.account)))),
    );
  }
  return out;
}

/**
 * Rows comparing one drive of each system: the rate (delivered / seconds / per), and the CPU time the server spent per
 * message, which does not depend on how much of the shared machine each system got (ratio: relay ÷ sotto, that is
 * Sotto's messages per CPU-second as a share of the relay's).
 */
function rateRows(
  measure: string,
  s: PoolDrive,
  r: PoolDrive,
  per: number,
  target?: { text: string; met: (ratio: number) => boolean },
): Row[] {
  const sr = s.delivered / per / s.seconds;
  const rr = r.delivered / per / r.seconds;
  const ratio = (100 * sr) / rr;
  const cpu = { sottoCpu: pctCpu(s.serverCpu, s.loadCpu, s.idleCpu), relayCpu: pctCpu(r.serverCpu, r.loadCpu, r.idleCpu) };
  const sUs = (s.serverCpu * 1e4) / sr;
  const rUs = (r.serverCpu * 1e4) / rr;
  return [
    {
      measure: `${measure}: messages/s`,
      sotto: sr.toFixed(0),
      relay: rr.toFixed(0),
      ratio: `${ratio.toFixed(1)}%`,
      target: target ? `${target.text}: ${target.met(ratio) ? 'met' : 'not met'}` : '',
      ...cpu,
    },
    {
      measure: `${measure}: server CPU µs per message`,
      sotto: sUs.toFixed(1),
      relay: rUs.toFixed(1),
      ratio: `${((100 * rUs) / sUs).toFixed(1)}%`,
      ...cpu,
    },
  ];
}

/** bench/verify-commit.ts in a child process (a heap of its own), its JSON result. */
function verifyInProcess(members: number): Promise<VerifyTimes> {
  return child<VerifyTimes>('verify-commit.ts', String(members));
}

/** A bench script in a child process (a heap of its own), its JSON result. */
function child<T>(script: string, ...args: string[]): Promise<T> {
  const c = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, script), ...args, '--json'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((res, rej) =>
    c.once('exit', (code) => (code === 0 ? res(JSON.parse(out) as T) : rej(new Error(`${script} exited ${code}`)))),
  );
}

async function main(): Promise<void> {
  const dir = tempDir('sotto-bench-');
  const rows: Row[] = [];
  const load0 = loadavg()[0]!;
  const prof = process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [];
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '--max-semi-space-size=64').split(' ').filter(Boolean);
  const startSotto = () => launch([...prof, ...nodeArgs, ...SERVER, 'serve', '--port', '0', '--data-dir', dir], SOTTO_ENV);
  const startRelay = () => launch(['--import', 'tsx', resolve(import.meta.dirname, 'bare-relay.ts')], {});
  let sv = await startSotto();
  let rl = await startRelay();
  const pool = LoadPool.start(LOADERS);
  let base = `http://127.0.0.1:${sv.port}`;
  let wsUrl = `ws://127.0.0.1:${sv.port}/v1/ws`;
  const relayBase = () => `ws://127.0.0.1:${rl.port}/`;
  try {
    log(`setting up 100 devices, ${LOADERS} load processes...\n`);
    const devs = await devices(base, 'bench', 100, 10);
    const pairs: { gid: string; epoch: string; a: Device; b: Device }[] = [];
    for (let i = 0; i < 50; i++) {
      const a = devs[2 * i]!;
      const b = devs[2 * i + 1]!;
      const g = await makeGroup(base, a, [b]);
      pairs.push({ gid: b64(g.gid), epoch: String(g.epoch), a, b });
      pool.assign([a.deviceId, b.deviceId], i); // a pair lives in one load process
    }
    const big = await makeGroup(base, devs[0]!, devs.slice(1));
    await pool.connect(
      'sotto',
      wsUrl,
      devs.map((d) => ({ id: d.deviceId, token: d.token! })),
    );
    await pool.connect(
      'relay',
      relayBase(),
      devs.map((d) => ({ id: d.deviceId })),
    );
    const ctl = await open(`${relayBase()}?id=bench-control`);
    ctl.send(JSON.stringify({ t: 'g', g: 'g:big', members: devs.map((d) => d.deviceId) }));
    await sleep(1000); // the load processes acknowledge the set-up traffic (Welcomes)

    const pairSenders = (relay: boolean): SenderSpec[] =>
      pairs.map((p) => ({ device: p.a.deviceId, target: relay ? p.b.deviceId : '', gid: p.gid, epoch: p.epoch }));
    const opts = { durationMs: DURATION_MS, warmupMs: WARMUP_MS, window: WINDOW };
    const sPid = sv.child.pid!;
    const rPid = rl.child.pid!;

    // 1. 50 sending pairs, unpaced.
    log('pairs: sotto...\n');
    const sPairs = await pool.drive('sotto', sPid, pairSenders(false), opts);
    log('pairs: relay...\n');
    const rPairs = await pool.drive('relay', rPid, pairSenders(true), opts);
    rows.push(...rateRows('50 pairs, 100 devices', sPairs, rPairs, 1, { text: '≥ 40% of relay', met: (r) => r >= 40 }));
    // What the durable queue alone costs per message (no network, WebSocket or JSON), beside the relay's whole cost:
    // the best ratio a server that stores every message before acknowledging it could reach against this relay.
    {
      await settle(sPid);
      const floor = await child<{ us: number }>('storage-floor.ts');
      const relayUs = (rPairs.serverCpu * 1e4 * rPairs.seconds) / rPairs.delivered;
      rows.push({
        measure: '50 pairs: the durable queue alone, in process (SQLite, group commit; no network): µs per message',
        sotto: floor.us.toFixed(1),
        relay: relayUs.toFixed(1),
        ratio: `≤ ${((100 * relayUs) / (relayUs + floor.us)).toFixed(1)}%`,
      });
    }
    const sRate = sPairs.delivered / sPairs.seconds;

    // 2. 100-member group: 5 senders, every message delivered to 99 devices.
    const groupSenders = (relay: boolean): SenderSpec[] =>
      devs.slice(0, 5).map((d) => ({ device: d.deviceId, target: relay ? 'g:big' : '', gid: b64(big.gid), epoch: String(big.epoch) }));
    log('group: sotto...\n');
    const sGroup = await pool.drive('sotto', sPid, groupSenders(false), opts);
    log('group: relay...\n');
    const rGroup = await pool.drive('relay', rPid, groupSenders(true), opts);
    rows.push(...rateRows('100-member group (x99 deliveries)', sGroup, rGroup, 99));

    // 3. Latency, both systems paced at half of Sotto's pair rate (after the group phase's backlog has drained).
    await sleep(3000);
    log('latency at half load...\n');
    const paced = { ...opts, ratePerSender: sRate / 2 / 50, latencies: true };
    const h0 = await submitHistogram(sv.metricsPort);
    const sLat = await pool.drive('sotto', sPid, pairSenders(false), paced);
    const h1 = await submitHistogram(sv.metricsPort);
    const rLat = await pool.drive('relay', rPid, pairSenders(true), paced);
    const at = `latency at ${(sRate / 2).toFixed(0)} msg/s`;
    const cpu = {
      sottoCpu: pctCpu(sLat.serverCpu, sLat.loadCpu, sLat.idleCpu),
      relayCpu: pctCpu(rLat.serverCpu, rLat.loadCpu, rLat.idleCpu),
    };
    rows.push({ measure: `${at}: p50 ms`, sotto: pct(sLat.latencies, 50).toFixed(2), relay: pct(rLat.latencies, 50).toFixed(2), ...cpu });
    const p99 = pct(sLat.latencies, 99);
    rows.push({
      measure: `${at}: p99 ms`,
      sotto: p99.toFixed(2),
      relay: pct(rLat.latencies, 99).toFixed(2),
      target: `< 20 ms: ${p99 < 20 ? 'met' : 'not met'}`,
      ...cpu,
    });
    rows.push({
      measure: 'server-side receive → stored, same run: p50 / p99 ms (bucket upper bound)',
      sotto: `${histQuantile(h0, h1, 0.5)} / ${histQuantile(h0, h1, 0.99)}`,
    });
    const errors = [sPairs, sGroup, sLat].reduce((s, d) => s + d.errors, 0);
    if (errors > 0) log(`warning: sotto-server refused ${errors} sends\n`);
    await pool.close('sotto');
    await pool.close('relay');
    ctl.terminate();

    // 4. Commits through the verifying Delivery Service, 100 and 1,000 members.
    if (COMMIT_SIZES.length > 0) {
      const need = Math.max(...COMMIT_SIZES);
      log(`commits: registering ${Math.max(0, need - devs.length)} more devices...\n`);
      const many = [...devs, ...(await devices(base, 'commit', Math.max(0, need - devs.length), 100))];
      const systems = { wsUrl, relayBase: relayBase(), sottoPid: sPid, relayPid: rPid, metricsPort: sv.metricsPort };
      rows.push(...(await commitRows({ base, ...systems, pool, devices: many, sizes: COMMIT_SIZES, durationMs: DURATION_MS, log })));
    }

    // 4b. Commit verification alone, in a process of its own (no network, no fan-out): the 3 ms target's measure.
    for (const n of COMMIT_SIZES) {
      log(`commits: verification in process, ${n} members...\n`);
      const t = await verifyInProcess(n);
      rows.push({
        measure: `commit verification in process, ${n}-member group: ms per UpdatePath commit, p50 (min / p90), ${t.commits} commits; storing p50 ${t.store.p50.toFixed(2)} ms`,
        sotto: `${t.verify.p50.toFixed(2)} (${t.verify.min.toFixed(2)} / ${t.verify.p90.toFixed(2)})`,
        target: n >= 1000 ? `< 3 ms: ${t.verify.p50 < 3 ? 'met' : 'not met'}` : '',
      });
    }

    // 4c. Franking (docs/franking.md): what it adds per message, in process, then the pair rate with franking on and
    // off, back to back on the same data (the franking-off server exists for this row only: bench/unfranked-server.ts).
    log('franking: cost in process...\n');
    rows.push(...frankingRows(QUICK ? 50_000 : 200_000));
    {
      const exited = (c: ChildProcess) => new Promise((r) => c.once('exit', r));
      const tokens = devs.map((d) => ({ id: d.deviceId, token: d.token! }));
      const drivePairs = async (s: Launched, label: string) => {
        await pool.connect('sotto', `ws://127.0.0.1:${s.port}/v1/ws`, tokens);
        await settle(s.child.pid!);
        log(`franking ${label}: pairs...\n`);
        const d = await pool.drive('sotto', s.child.pid!, pairSenders(false), opts);
        await pool.close('sotto');
        return d;
      };
      sv.child.kill('SIGTERM');
      await exited(sv.child);
      sv = await startSotto();
      const on = await drivePairs(sv, 'on');
      sv.child.kill('SIGTERM');
      await exited(sv.child);
      sv = await launch(
        [
          ...nodeArgs,
          '--import',
          import.meta.resolve('tsx'),
          resolve(import.meta.dirname, 'unfranked-server.ts'),
          '--port',
          '0',
          '--data-dir',
          dir,
        ],
        SOTTO_ENV,
      );
      const off = await drivePairs(sv, 'off');
      const rate = (d: PoolDrive) => d.delivered / d.seconds;
      const us = (d: PoolDrive) => (d.serverCpu * 1e4) / rate(d);
      rows.push({
        measure: '50 pairs, franking on / off (same run, same data): messages/s',
        sotto: `${rate(on).toFixed(0)} / ${rate(off).toFixed(0)}`,
        ratio: `${((100 * rate(on)) / rate(off)).toFixed(1)}%`,
        sottoCpu: pctCpu(on.serverCpu, on.loadCpu, on.idleCpu),
        relayCpu: pctCpu(off.serverCpu, off.loadCpu, off.idleCpu),
      });
      rows.push({
        measure: '50 pairs, franking on / off: server CPU µs per message',
        sotto: `${us(on).toFixed(1)} / ${us(off).toFixed(1)}`,
        target: `franking adds ${(us(on) - us(off)).toFixed(1)} µs (< 20: ${us(on) - us(off) < 20 ? 'met' : 'not met'})`,
      });
    }

    // 5. Idle connections, from this process (a memory measure: the load processes are not needed).
    if (IDLE_CONNECTIONS > 0) {
      log(`idle: registering ${IDLE_CONNECTIONS} devices...\n`);
      const idle = await devices(base, 'idle', IDLE_CONNECTIONS, 1000);
      // Fresh processes, so the figure is not flattered by heap left over from the load phases.
      log('idle: restarting both servers, connecting...\n');
      const exited = (c: ChildProcess) => new Promise((r) => c.once('exit', r));
      sv.child.kill('SIGTERM');
      rl.child.kill('SIGTERM');
      await Promise.all([exited(sv.child), exited(rl.child)]);
      sv = await startSotto();
      rl = await startRelay();
      base = `http://127.0.0.1:${sv.port}`;
      wsUrl = `ws://127.0.0.1:${sv.port}/v1/ws`;
      const sMem = await idleMemory(sv.child.pid!, (i) => open(wsUrl, { authorization: `Bearer ${idle[i]!.token}` }), IDLE_CONNECTIONS);
      const rMem = await idleMemory(rl.child.pid!, (i) => open(`${relayBase()}?id=idle${i}`), IDLE_CONNECTIONS);
      rows.push({
        measure: `memory per idle connection (${IDLE_CONNECTIONS}): KB`,
        sotto: (sMem / 1024).toFixed(1),
        relay: (rMem / 1024).toFixed(1),
        target: `< 16 KB: ${sMem / 1024 < 16 ? 'met' : 'not met'}`,
      });
    }
  } finally {
    pool.stop();
    sv.child.kill('SIGTERM');
    rl.child.kill('SIGTERM');
    await sleep(500);
    cleanup(dir);
  }
  process.stdout.write(
    `\n${renderTable(rows)}\n\nnode ${process.version}, ${cpus().length} CPUs, load average ${load0.toFixed(1)} at start and ` +
      `${loadavg()[0]!.toFixed(1)} at end, ${LOADERS} load processes, ${DURATION_MS / 1000}s per run, window ${WINDOW} per sender. ` +
      'CPU: % of one core over the measured window, system under test / load generator (load processes + coordinator), ' +
      'and in brackets the % of all cores left idle (the rest went to other jobs on the machine).\n',
  );
}

await main();
