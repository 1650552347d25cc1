// The whole stack for the web app's end-to-end tests: the web app built by Vite into a temporary folder, a real
// sotto-server process serving it (loopback, free port, temporary data dir), invites from the server's admin command,
// and real `sotto` CLI users. Everything started here stops in stop().

import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const WEB_ROOT = resolve(import.meta.dirname, '../..');
/** sotto-server and sotto run from their TypeScript sources (tsx resolved from here: any working directory). */
const SERVER_CMD: readonly string[] = ['--import', import.meta.resolve('tsx'), resolve(WEB_ROOT, '../server/src/main.ts')];
const SOTTO_BIN = resolve(WEB_ROOT, '../cli/bin/sotto.js');

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The environment without any SOTTO_* variable (each process is told what it needs). */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SOTTO_')));
}

/** Builds the web app with the project's Vite config into `outDir` (what `npm run build -w packages/web` does). */
export async function buildWebApp(outDir: string): Promise<void> {
  const { build } = await import('vite');
  await build({ root: WEB_ROOT, configFile: resolve(WEB_ROOT, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export class Stack {
  readonly url: string;
  readonly dataDir: string;
  readonly logs: string[];
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  readonly #cli = new Set<ChildProcess>();
  readonly #env: NodeJS.ProcessEnv;

  private constructor(url: string, dataDir: string, child: ChildProcess, exited: Promise<void>, logs: string[], env: NodeJS.ProcessEnv) {
    this.url = url;
    this.dataDir = dataDir;
    this.#child = child;
    this.#exited = exited;
    this.logs = logs;
    this.#env = env;
  }

  /** Starts sotto-server on 127.0.0.1 at a free port, serving the web app built in `webDir`. */
  static async start(webDir: string, extraEnv: Record<string, string> = {}): Promise<Stack> {
    const dataDir = tempDir('sotto-web-server-');
    const env = {
      ...cleanEnv(),
      SOTTO_METRICS_PORT: '0',
      SOTTO_LOG_LEVEL: 'info',
      SOTTO_WEB_DIR: webDir,
      SOTTO_AUTH_RATE_PER_MINUTE: '100000',
      SOTTO_KEY_PACKAGE_CLAIMS_PER_MINUTE: '100000',
      SOTTO_DIRECTORY_LOOKUPS_PER_MINUTE: '100000',
      ...extraEnv,
    };
    const child = spawn(process.execPath, [...SERVER_CMD, 'serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logs: string[] = [];
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const port = await new Promise<number>((ok, fail) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (logs.length < 2000) logs.push(line);
        try {
          const j = JSON.parse(line) as { event?: string; port?: number };
          if (j.event === 'ready' && j.port) ok(j.port);
        } catch {}
      });
      child.stderr!.on('data', (d: Buffer) => logs.push(d.toString()));
      child.once('exit', () => fail(new Error(`server exited before ready:\n${logs.join('\n')}`)));
      setTimeout(() => fail(new Error(`server not ready in 30s:\n${logs.join('\n')}`)), 30_000).unref();
    });
    return new Stack(`http://127.0.0.1:${port}`, dataDir, child, exited, logs, env);
  }

  /** A one-use invite token from `sotto-server admin invites create`, and the link it prints. */
  invite(): { token: string; link: string } {
    const r = spawnSync(
      process.execPath,
      [...SERVER_CMD, 'admin', 'invites', 'create', '--data-dir', this.dataDir, '--url', this.url, '--json'],
      { env: this.#env, encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`invite: ${r.stderr}`);
    const j = JSON.parse(r.stdout.trim()) as { token: string; link?: string };
    return { token: j.token, link: j.link ?? `${this.url}/#invite=${encodeURIComponent(j.token)}` };
  }

  /** A new admin API token (`sat_...`) from `sotto-server admin tokens create`, with the given scopes. */
  adminToken(name: string, scopes = 'reports:read,reports:act,evidence:export'): string {
    const r = spawnSync(
      process.execPath,
      [...SERVER_CMD, 'admin', 'tokens', 'create', '--name', name, '--scopes', scopes, '--data-dir', this.dataDir, '--json'],
      { env: this.#env, encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`admin token: ${r.stderr}`);
    return (JSON.parse(r.stdout.trim()) as { token: string }).token;
  }

  /** Runs `sotto --server URL --profile DIR ...args` to completion as its own process. */
  sotto(profile: string, args: string[], timeoutMs = 60_000): Promise<Run> {
    return new Promise((done) => {
      const child = execFile(
        process.execPath,
        [SOTTO_BIN, '--server', this.url, '--profile', profile, ...args],
        { env: cleanEnv(), timeout: timeoutMs, encoding: 'utf8' },
        (err, stdout, stderr) => {
          this.#cli.delete(child);
          done({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
        },
      );
      this.#cli.add(child);
      child.stdin?.end();
    });
  }

  async stop(): Promise<void> {
    for (const c of this.#cli) c.kill('SIGKILL');
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.kill('SIGTERM');
      const t = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
      await this.#exited;
      clearTimeout(t);
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** A CLI user: one profile directory; `ok` demands exit 0 and parses --json output. */
export class CliUser {
  readonly account: string;
  readonly profile: string;
  readonly #stack: Stack;

  constructor(stack: Stack, root: string, account: string) {
    this.#stack = stack;
    this.account = account;
    this.profile = join(root, account.split('@')[0]!);
  }

  async ok<T = string>(args: string[]): Promise<T> {
    const r = await this.#stack.sotto(this.profile, args);
    if (r.status !== 0) throw new Error(`sotto ${args.join(' ')} exited ${r.status}:\n${r.stderr}${r.stdout}`);
    return (args.includes('--json') ? JSON.parse(r.stdout) : r.stdout) as T;
  }

  run(args: string[]): Promise<Run> {
    return this.#stack.sotto(this.profile, args);
  }
}
