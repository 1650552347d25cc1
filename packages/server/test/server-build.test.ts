// The README's `npm start`: the server is built to JavaScript (with @sotto/mls and @sotto/identity) and
// bin/sotto-server.js runs that build with plain Node, no TypeScript loader; tsx is only a dev dependency.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { http, registerUser } from './helpers/client.js';
import { cleanup, tempDir } from './helpers/server-process.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const SERVER = resolve(import.meta.dirname, '..');

/** No SOTTO_* or NODE_OPTIONS from the test run (which loads tsx); on a Node that strips types, stripping off. */
function plainEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SOTTO_') && k !== 'NODE_OPTIONS'));
  const strips = (process.features as { typescript?: unknown }).typescript;
  return { ...env, ...(strips ? { NODE_OPTIONS: '--no-experimental-strip-types' } : {}), ...extra };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.js'))
    .map((e) => join(e.parentPath, e.name));
}

test(
  'npm start builds the server and runs it with plain node: /health, an invite from the bin, a registration',
  { timeout: 240_000 },
  async () => {
    const pkg = JSON.parse(readFileSync(join(SERVER, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    assert.ok(!('tsx' in pkg.dependencies), 'tsx is not a run-time dependency of the server');
    const dataDir = tempDir();
    // npm start (prestart builds), detached so that npm, its nested npm and the server form one process group to stop.
    const child = spawn('npm', ['start'], {
      cwd: ROOT,
      env: plainEnv({ SOTTO_PORT: '0', SOTTO_METRICS_PORT: '0', SOTTO_DATA_DIR: dataDir, SOTTO_LOG_FORMAT: 'json' }),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const out: string[] = [];
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const port = await new Promise<number>((ok, fail) => {
        createInterface({ input: child.stdout! }).on('line', (l) => {
          out.push(l);
          if (l.includes('"event":"ready"')) ok((JSON.parse(l) as { port: number }).port);
        });
        child.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
        child.once('exit', (code) => fail(new Error(`npm start exited (${code}) before ready:\n${out.join('\n')}`)));
      });
      for (const f of [...filesUnder(join(SERVER, 'bin')), ...filesUnder(join(SERVER, 'dist'))])
        assert.ok(!/from ['"]tsx|import\(['"]tsx|\.ts['"]\)/.test(readFileSync(f, 'utf8')), `${f} loads no TypeScript`);
      const url = `http://127.0.0.1:${port}`;
      assert.deepEqual((await http(url, 'GET', '/health')).body, { status: 'ok', version: '0.1.0' });
      const bin = join(SERVER, 'bin', 'sotto-server.js');
      const inv = spawnSync(process.execPath, [bin, 'admin', 'invites', 'create', '--data-dir', dataDir, '--json'], {
        env: plainEnv({}),
        encoding: 'utf8',
      });
      assert.equal(inv.status, 0, inv.stderr);
      await registerUser(url, 'vera', (JSON.parse(inv.stdout) as { token: string }).token);
    } finally {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
      await exited;
      cleanup(dataDir);
    }
  },
);
