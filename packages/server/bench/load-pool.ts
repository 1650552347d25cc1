// The benchmark's load generator as the parent sees it: N forked load processes (load-worker.ts), each owning a slice
// of the simulated devices and driven over IPC, and the CPU time of any process read from /proc/<pid>/stat.
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DriveRequest, DriveResult, Kind, Request, Response, SenderSpec } from './load-protocol.js';

const WORKER = resolve(import.meta.dirname, 'load-worker.ts');
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}
const TICKS_PER_SECOND = clockTicks();

/** User + system CPU time of a process (all its threads) in ms, from /proc/<pid>/stat fields 14 and 15 (proc(5)). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** Idle (idle + iowait) and total CPU time of the whole machine in ticks, from the `cpu` line of /proc/stat (proc(5)). */
function machineTicks(): { idle: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  return { idle: f[3]! + f[4]!, total: f.reduce((a, b) => a + b, 0) };
}

/** CPU use of the measured processes between two samples, and how much of the machine was left idle. */
export class CpuWindow {
  private readonly t0 = now();
  private readonly m0 = machineTicks();
  private readonly before: number[];
  constructor(private readonly pids: number[][]) {
    this.before = pids.map((group) => group.reduce((s, p) => s + cpuMs(p), 0));
  }
  /** For each group of pids: CPU ms used and % of one core over the window. */
  end(): { ms: number; pct: number }[] {
    const wall = now() - this.t0;
    return this.pids.map((group, i) => {
      const ms = group.reduce((s, p) => s + cpuMs(p), 0) - this.before[i]!;
      return { ms, pct: (100 * ms) / wall };
    });
  }
  /** % of all cores' time that nobody used since the window opened (call with end()). */
  idle(): number {
    const m1 = machineTicks();
    return (100 * (m1.idle - this.m0.idle)) / Math.max(1, m1.total - this.m0.total);
  }
}

/** Waits until `pid` is at rest (under 10% of a core over 250 ms) or 10 s passed: a backlog of earlier work is not measured. */
export async function settle(pid: number): Promise<void> {
  const until = now() + 10_000;
  while (now() < until) {
    const before = cpuMs(pid);
    await sleep(250);
    if (cpuMs(pid) - before < 25) return;
  }
}

export interface DriveOptions {
  durationMs: number;
  warmupMs: number;
  window: number;
  ratePerSender?: number;
  latencies?: boolean;
}

export interface PoolDrive extends DriveResult {
  /** CPU of the system under test and of the load generator (load processes + this parent) over the window, % of one core. */
  serverCpu: number;
  loadCpu: number;
  /** % of the machine's CPU time left idle over the window (other jobs share the machine). */
  idleCpu: number;
}

export class LoadPool {
  private seq = 0;
  private readonly pending = new Map<number, { res: (v: unknown) => void; rej: (e: Error) => void }>();
  private readonly owners = new Map<string, number>();
  private next = 0;

  private constructor(private readonly workers: ChildProcess[]) {
    for (const w of workers) {
      w.on('message', (m: Response) => {
        const p = this.pending.get(m.seq);
        this.pending.delete(m.seq);
        if ('error' in m) p?.rej(new Error(m.error));
        else p?.res(m.result);
      });
    }
  }

  static start(n: number): LoadPool {
    return new LoadPool(Array.from({ length: n }, () => fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })));
  }

  get size(): number {
    return this.workers.length;
  }

  /** The parent and the load processes: the load generator's pids. */
  get pids(): number[] {
    return [process.pid, ...this.workers.map((w) => w.pid!)];
  }

  /** Gives `devices` to load process `worker` (devices given no owner are dealt out in turn on first use). */
  assign(devices: string[], worker: number): void {
    for (const d of devices) this.owners.set(d, worker % this.workers.length);
  }

  private owner(device: string): number {
    let w = this.owners.get(device);
    if (w === undefined) {
      w = this.next++ % this.workers.length;
      this.owners.set(device, w);
    }
    return w;
  }

  private call(worker: number, req: Request): Promise<unknown> {
    const seq = ++this.seq;
    return new Promise((res, rej) => {
      this.pending.set(seq, { res, rej });
      this.workers[worker]!.send({ seq, req });
    });
  }

  private split<T>(items: T[], device: (t: T) => string): T[][] {
    const out = this.workers.map((): T[] => []);
    for (const t of items) out[this.owner(device(t))]!.push(t);
    return out;
  }

  /** Connects each device from its load process (sotto: `url` with the device's token; relay: `url?id=`). */
  async connect(kind: Kind, url: string, devices: { id: string; token?: string }[]): Promise<void> {
    const slices = this.split(devices, (d) => d.id);
    await Promise.all(slices.map((s, i) => this.call(i, { op: 'connect', kind, url, devices: s })));
  }

  async close(kind: Kind): Promise<void> {
    await Promise.all(this.workers.map((_, i) => this.call(i, { op: 'close', kind })));
  }

  /**
   * Every load process sends from its own senders and counts what its devices receive; after a warm-up, one window of
   * `durationMs` is measured, with the CPU time of `serverPid` and of the load generator over the same window.
   */
  async drive(kind: Kind, serverPid: number, senders: SenderSpec[], o: DriveOptions): Promise<PoolDrive> {
    await settle(serverPid);
    const startAt = now() + o.warmupMs;
    const base: Omit<DriveRequest, 'senders'> = {
      op: 'drive',
      kind,
      startAt,
      durationMs: o.durationMs,
      window: o.window,
      latencies: o.latencies ?? false,
      ...(o.ratePerSender === undefined ? {} : { ratePerSender: o.ratePerSender }),
    };
    const slices = this.split(senders, (s) => s.device);
    const results = Promise.all(slices.map((s, i) => this.call(i, { ...base, senders: s }) as Promise<DriveResult>));
    await sleep(startAt - now());
    const cpu = new CpuWindow([[serverPid], this.pids]);
    await sleep(startAt + o.durationMs - now());
    const [server, load] = cpu.end();
    const idleCpu = cpu.idle();
    const rs = await results;
    return {
      delivered: rs.reduce((s, r) => s + r.delivered, 0),
      errors: rs.reduce((s, r) => s + r.errors, 0),
      seconds: rs.reduce((s, r) => s + r.seconds, 0) / rs.length,
      latencies: rs.flatMap((r) => r.latencies),
      serverCpu: server!.pct,
      loadCpu: load!.pct,
      idleCpu,
    };
  }

  stop(): void {
    for (const w of this.workers) w.kill('SIGTERM');
  }
}
