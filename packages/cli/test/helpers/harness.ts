// Test harness: a real sotto-server process (temp data dir, loopback, ephemeral port), invites through its admin
// command, and the real `sotto` binary run as separate processes. Everything started here is stopped by stop().
// `sotto` runs its build (dist/main.js) when that is fresh; loading this module makes it so (see ensureCliBuilt).

import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before } from 'node:test';
import { buildIsFresh } from '../../bin/build-freshness.js';

const CLI_ROOT = resolve(import.meta.dirname, '../..');
export const SOTTO_BIN = resolve(CLI_ROOT, 'bin/sotto.js');

/**
 * Builds the CLI unless its build is fresh, so that the hundreds of `sotto` processes the tests start run plain
 * JavaScript instead of compiling the sources with tsx each time (bin/sotto.js falls back to that on a stale build,
 * so the tests pass either way; only slower). The first test file to load this builds; the build replaces its files
 * atomically, so test files building at once in parallel processes, or a `sotto` starting meanwhile, are safe.
 */
async function ensureCliBuilt(): Promise<void> {
  if (buildIsFresh(CLI_ROOT)) return;
  const { buildCli } = await import('../../scripts/build.js');
  await buildCli(CLI_ROOT);
}

await ensureCliBuilt();
/** Node arguments that run sotto-server from its TypeScript sources (tsx resolved from here: any working directory). */
export const SERVER_CMD: readonly string[] = [
  '--import',
  import.meta.resolve('tsx'),
  resolve(import.meta.dirname, '../../../server/src/main.ts'),
];

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

const running = new Set<ChildProcess>();

/** Kills every `sotto` process still running (after a failed step) and waits for them: call before removing dirs. */
export async function killRunning(): Promise<void> {
  await Promise.all(
    [...running].map(
      (c) =>
        new Promise<void>((r) => {
          if (c.exitCode !== null || c.signalCode !== null) return r();
          c.once('exit', () => r());
          c.kill('SIGKILL');
        }),
    ),
  );
}

/** Runs `sotto ...args` to completion (a separate process; nothing shared with the test). */
export function sotto(args: string[], o: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [SOTTO_BIN, ...args],
      { env: { ...cleanEnv(), ...o.env }, timeout: o.timeoutMs ?? 60_000, encoding: 'utf8' },
      (err, stdout, stderr) => {
        running.delete(child);
        const status = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        done({ status, stdout, stderr });
      },
    );
    running.add(child);
    if (o.input !== undefined) child.stdin?.end(o.input);
    else child.stdin?.end();
  });
}

/** The test's environment without any SOTTO_* variable (each test says what it wants). */
export function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SOTTO_')));
}

export function tempDir(prefix = 'sotto-cli-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export class TestServer {
  readonly url: string;
  readonly dataDir: string;
  #child: ChildProcess;
  #exited: Promise<void>;
  readonly #env: NodeJS.ProcessEnv;

  private constructor(url: string, dataDir: string, child: ChildProcess, exited: Promise<void>, env: NodeJS.ProcessEnv) {
    this.url = url;
    this.dataDir = dataDir;
    this.#child = child;
    this.#exited = exited;
    this.#env = env;
  }

  static async start(): Promise<TestServer> {
    const dataDir = tempDir('sotto-cli-server-');
    const { child, exited, port, env } = await TestServer.#spawn(dataDir, 0);
    return new TestServer(`http://127.0.0.1:${port}`, dataDir, child, exited, env);
  }

  /** Stops the server process but keeps its data (resume() starts it again on the same port). */
  async halt(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.kill('SIGTERM');
      await this.#exited;
    }
  }

  /** Starts the halted server again: same data directory, same port (the profiles remember the URL). */
  async resume(): Promise<void> {
    const r = await TestServer.#spawn(this.dataDir, Number(new URL(this.url).port));
    this.#child = r.child;
    this.#exited = r.exited;
  }

  static async #spawn(
    dataDir: string,
    fixedPort: number,
  ): Promise<{ child: ChildProcess; exited: Promise<void>; port: number; env: NodeJS.ProcessEnv }> {
    const env = {
      ...process.env,
      SOTTO_METRICS_PORT: '0',
      SOTTO_LOG_LEVEL: 'warn',
      SOTTO_AUTH_RATE_PER_MINUTE: '100000',
      SOTTO_KEY_PACKAGE_CLAIMS_PER_MINUTE: '100000',
      SOTTO_WS_FRAMES_PER_SECOND: '100000',
    };
    const child = spawn(
      process.execPath,
      [...SERVER_CMD, 'serve', '--host', '127.0.0.1', '--port', String(fixedPort), '--data-dir', dataDir],
      {
        env: { ...env, SOTTO_LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const logs: string[] = [];
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const port = await new Promise<number>((ok, fail) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (logs.length < 200) logs.push(line);
        try {
          const j = JSON.parse(line) as { event?: string; port?: number };
          if (j.event === 'ready' && j.port) ok(j.port);
        } catch {}
      });
      child.stderr!.on('data', (d: Buffer) => logs.push(d.toString()));
      child.once('exit', () => fail(new Error(`server exited before ready:\n${logs.join('\n')}`)));
      setTimeout(() => fail(new Error(`server not ready in 30s:\n${logs.join('\n')}`)), 30_000).unref();
    });
    return { child, exited, port, env };
  }

  /** A one-use invite token, made with the server's admin command. */
  invite(): string {
    const r = spawnSync(process.execPath, [...SERVER_CMD, 'admin', 'invites', 'create', '--data-dir', this.dataDir, '--json'], {
      env: this.#env,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`invite: ${r.stderr}`);
    return (JSON.parse(r.stdout.trim()) as { token: string }).token;
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.kill('SIGTERM');
      const t = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
      await this.#exited;
      clearTimeout(t);
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** One user: a profile directory on the test server; `run` invokes sotto with --server/--profile set. */
export class User {
  readonly account: string;
  readonly profile: string;
  /** The server, looked up when used: a user may be made before its suite's server has started. */
  readonly #server: () => TestServer;

  constructor(server: TestServer | (() => TestServer), root: string, account: string, profileName = account.split('@')[0] ?? account) {
    this.#server = typeof server === 'function' ? server : () => server;
    this.account = account;
    this.profile = join(root, profileName);
  }

  run(args: string[], o: { input?: string; env?: Record<string, string> } = {}): Promise<Run> {
    return sotto(['--server', this.#server().url, '--profile', this.profile, ...args], o);
  }

  /** Runs and demands exit 0; returns stdout (parsed when --json is among the args). */
  async ok<T = string>(args: string[], o: { input?: string } = {}): Promise<T> {
    const r = await this.run(args, o);
    if (r.status !== 0) throw new Error(`sotto ${args.join(' ')} exited ${r.status}:\n${r.stderr}${r.stdout}`);
    return (args.includes('--json') ? JSON.parse(r.stdout) : r.stdout) as T;
  }

  async register(): Promise<void> {
    await this.ok(['register', this.account, '--invite', this.#server().invite()]);
  }

  /** Links a new device of this account (profile `profileName` beside this one): `link` there, `approve --code` here. */
  async linkDevice(profileName: string): Promise<{ device: User; deviceId: string }> {
    const device = new User(this.#server, dirname(this.profile), this.account, profileName);
    const child = spawn(
      process.execPath,
      [SOTTO_BIN, '--server', this.#server().url, '--profile', device.profile, '--json', 'link', this.account],
      {
        env: cleanEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    running.add(child);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const lines: Array<Record<string, string>> = [];
      createInterface({ input: child.stdout }).on('line', (l) => lines.push(JSON.parse(l) as Record<string, string>));
      const offer = await until(async () => lines[0], 20_000, 'the link offer');
      await this.ok(['approve', String(offer.qr), '--code', String(offer.code)]);
      const status = await exited;
      if (status !== 0) throw new Error(`sotto link exited ${status}`);
      return { device, deviceId: String(offer.deviceId) };
    } finally {
      running.delete(child);
      child.kill('SIGTERM');
    }
  }
}

/** A suite's world: a test server, a temporary root for the profiles, and a registered user per name. */
export type CliWorld<N extends string> = { readonly server: TestServer; readonly root: string } & { readonly [K in N]: User };

/**
 * Registers the suite's before/after hooks and returns the world they set up: `before` starts the server and registers
 * `NAME@localhost` for each name (profile `NAME` under `root`); `after` kills any `sotto` still running, stops the
 * server and removes `root`. The root and the users exist at once; `server` only once `before` has run.
 */
export function cliWorld<N extends string>(...names: N[]): CliWorld<N> {
  let server: TestServer | undefined;
  const started = (): TestServer => {
    if (!server) throw new Error('the test server starts in before()');
    return server;
  };
  const root = tempDir();
  const users = names.map((n) => [n, new User(started, root, `${n}@localhost`)] as const);
  before(async () => {
    server = await TestServer.start();
    await allSettled(users.map(([, u]) => u.register()));
  });
  after(async () => {
    await killRunning();
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });
  const world = Object.fromEntries(users) as Record<N, User>;
  return Object.defineProperties(world, {
    server: { get: started, enumerable: true },
    root: { value: root, enumerable: true },
  }) as CliWorld<N>;
}

/** Like Promise.all, but waits for every promise to settle before failing (no process left running). */
export async function allSettled(ps: Array<Promise<unknown>>): Promise<void> {
  const failed = (await Promise.allSettled(ps)).find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/** Polls `check` until it returns a truthy value (or fails after `timeoutMs`). */
export async function until<T>(check: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
