// Test helper: a real sotto-server process on a loopback port (its own data dir), plus the admin CLI.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

/** Node arguments that run sotto-server from its TypeScript sources (tsx resolved from here: any working directory). */
export const SERVER_CMD: readonly string[] = [
  '--import',
  import.meta.resolve('tsx'),
  resolve(import.meta.dirname, '../../../server/src/main.ts'),
];

export interface TestServer {
  url: string;
  dataDir: string;
  child: ChildProcess;
  logs: string[];
  invite(): string;
  /** Runs `sotto-server admin ARGS --json` on this server's data directory and returns its parsed output. */
  admin(args: string[]): unknown;
  stop(): Promise<void>;
  /** Kill (SIGKILL) and start again on the same port and data directory. */
  restart(): Promise<void>;
}

export function tempDir(prefix = 'sotto-client-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startServer(env: Record<string, string> = {}, fixed?: { dataDir: string; port: number }): Promise<TestServer> {
  const dataDir = fixed?.dataDir ?? tempDir('sotto-server-');
  const baseEnv = {
    ...process.env,
    SOTTO_METRICS_PORT: '0',
    SOTTO_LOG_LEVEL: 'info',
    SOTTO_AUTH_RATE_PER_MINUTE: '100000',
    SOTTO_KEY_PACKAGE_CLAIMS_PER_MINUTE: '100000',
    SOTTO_WS_FRAMES_PER_SECOND: '100000',
    SOTTO_SWEEP_SECONDS: '1',
    SOTTO_REGISTRATION_OPEN: 'true',
    ...env,
  };
  const child = spawn(process.execPath, [...SERVER_CMD, 'serve', '--port', String(fixed?.port ?? 0), '--data-dir', dataDir], {
    env: baseEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const port = await new Promise<number>((res, rej) => {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      logs.push(line);
      if (logs.length > 300) logs.shift();
      try {
        const j = JSON.parse(line) as { event?: string; port?: number };
        if (j.event === 'ready' && j.port) res(j.port);
      } catch {}
    });
    child.stderr!.on('data', (d: Buffer) => logs.push(d.toString()));
    child.once('exit', () => rej(new Error(`server exited before ready:\n${logs.join('\n')}`)));
    setTimeout(() => rej(new Error(`server not ready in 30s:\n${logs.join('\n')}`)), 30_000).unref();
  });
  const server: TestServer = {
    url: `http://127.0.0.1:${port}`,
    dataDir,
    child,
    logs,
    admin(args: string[]) {
      const r = spawnSync(process.execPath, [...SERVER_CMD, 'admin', ...args, '--data-dir', dataDir, '--json'], {
        env: baseEnv,
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`admin ${args.join(' ')}: ${r.stderr}`);
      return JSON.parse(r.stdout) as unknown;
    },
    invite() {
      const r = spawnSync(process.execPath, [...SERVER_CMD, 'admin', 'invites', 'create', '--data-dir', dataDir, '--json'], {
        env: baseEnv,
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`invite: ${r.stderr}`);
      return (JSON.parse(r.stdout.trim()) as { token: string }).token;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
    async restart() {
      if (server.child.exitCode === null && server.child.signalCode === null) {
        const gone = new Promise<void>((r) => server.child.once('exit', () => r()));
        server.child.kill('SIGKILL');
        await gone;
      }
      const next = await startServer(env, { dataDir, port });
      server.child = next.child;
      server.stop = next.stop;
      server.restart = next.restart;
    },
  };
  return server;
}

export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
