// Runs a real sotto-server process on a loopback port for tests; kills it at the end.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * Node arguments that run the server from its TypeScript sources (through tsx, resolved from here so any working
 * directory will do); the built bin/sotto-server.js is tested on its own (server-build.test.ts).
 */
export const SERVER_CMD: readonly string[] = ['--import', import.meta.resolve('tsx'), resolve(import.meta.dirname, '../../src/main.ts')];

export interface ServerProcess {
  url: string;
  wsUrl: string;
  port: number;
  metricsPort: number;
  dataDir: string;
  child: ChildProcess;
  logs: string[];
  /** Stops with SIGTERM (graceful) unless `signal` says otherwise; resolves on exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function tempDir(prefix = 'sotto-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startServerProcess(
  opts: { dataDir?: string; env?: Record<string, string>; args?: string[] } = {},
): Promise<ServerProcess> {
  const dataDir = opts.dataDir ?? tempDir();
  const child = spawn(process.execPath, [...SERVER_CMD, 'serve', '--port', '0', '--data-dir', dataDir, ...(opts.args ?? [])], {
    env: { ...process.env, SOTTO_METRICS_PORT: '0', SOTTO_LOG_LEVEL: 'info', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const ready = new Promise<{ port: number; metricsPort: number }>((resolveReady, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      logs.push(line);
      try {
        const j = JSON.parse(line) as { event?: string; port?: number; metricsPort?: number };
        if (j.event === 'ready') resolveReady({ port: j.port!, metricsPort: j.metricsPort! });
      } catch {}
    });
    child.stderr!.on('data', (d: Buffer) => logs.push(d.toString()));
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before ready:\n${logs.join('\n')}`)));
    setTimeout(() => reject(new Error(`server not ready in 20s:\n${logs.join('\n')}`)), 20_000).unref();
  });
  const { port, metricsPort } = await ready;
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/v1/ws`,
    port,
    metricsPort,
    dataDir,
    child,
    logs,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}

/** Runs the CLI synchronously (admin commands). */
export function cli(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...SERVER_CMD, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
