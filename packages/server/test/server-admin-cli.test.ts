// The operator's command line on the data directory: admin and backup commands refuse a directory without a database
// (and say which directory they looked at), --init creates one, restore copies a backup into an empty directory.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { http, login, registerUser } from './helpers/client.js';
import { cleanup, SERVER_CMD, startServerProcess, tempDir } from './helpers/server-process.js';

/** Runs the CLI in `cwd` (with no SOTTO_* variable from the test's environment). */
function run(cwd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SOTTO_')));
  const r = spawnSync(process.execPath, [...SERVER_CMD, ...args], { cwd, env: { ...env, INIT_CWD: cwd }, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('admin and backup commands refuse a data directory without a database, naming it; nothing is created', () => {
  const dir = tempDir();
  try {
    const abs = join(dir, 'nowhere');
    for (const args of [
      ['admin', 'invites', 'create', '--data-dir', 'nowhere', '--json'],
      ['admin', 'invites', 'list', '--data-dir', 'nowhere'],
      ['admin', 'accounts', 'list', '--data-dir', 'nowhere'],
      ['admin', 'accounts', 'suspend', 'a@localhost', '--data-dir', 'nowhere'],
      ['backup', '--out', 'backup', '--data-dir', 'nowhere'],
    ]) {
      const r = run(dir, args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '', 'nothing on stdout');
      assert.match(r.stderr, new RegExp(`data directory ${abs}\\n`), 'says which directory it looked at');
      assert.match(r.stderr, new RegExp(`error NOT_FOUND: no database in ${abs} .*sotto-server serve`));
      assert.ok(!existsSync(join(abs, 'sotto.db')), `${args.join(' ')} created no database`);
      assert.ok(!existsSync(join(dir, 'backup')), 'no backup of nothing');
    }
    assert.match(run(dir, ['admin', 'invites', 'create', '--data-dir', 'nowhere']).stderr, /--init/);
  } finally {
    cleanup(dir);
  }
});

test('--init creates the database for invites handed out before the first start; the server accepts them', async () => {
  const dir = tempDir();
  try {
    const r = run(dir, ['admin', 'invites', 'create', '--init', '--data-dir', 'data', '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`data directory ${join(dir, 'data')}\\n`));
    const { token } = JSON.parse(r.stdout) as { token: string };
    const srv = await startServerProcess({ dataDir: join(dir, 'data') });
    try {
      await registerUser(srv.url, 'olga', token);
    } finally {
      await srv.stop();
    }
  } finally {
    cleanup(dir);
  }
});

test('restore copies a backup into a data directory without a database, and refuses one that has a database', async () => {
  const dir = tempDir();
  try {
    const srv = await startServerProcess({ dataDir: join(dir, 'data'), env: { SOTTO_REGISTRATION_OPEN: 'true' } });
    const u = await registerUser(srv.url, 'pia');
    const b = run(dir, ['backup', '--out', 'backup', '--data-dir', 'data', '--json']);
    assert.equal(b.status, 0, b.stderr);
    assert.deepEqual(JSON.parse(b.stdout), { out: join(dir, 'backup') });
    await srv.stop();
    const busy = run(dir, ['restore', '--from', 'backup', '--data-dir', 'data']);
    assert.equal(busy.status, 2);
    assert.match(busy.stderr, /error CONFLICT: .* already has a database/);
    assert.equal(run(dir, ['restore', '--from', 'data/blobs', '--data-dir', 'fresh']).status, 2, 'not a backup');
    mkdirSync(join(dir, 'fresh'));
    const r = run(dir, ['restore', '--from', 'backup', '--data-dir', 'fresh', '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { dataDir: join(dir, 'fresh'), from: join(dir, 'backup') });
    const restored = await startServerProcess({ dataDir: join(dir, 'fresh') });
    try {
      await login(restored.url, u);
      assert.equal((await http(restored.url, 'GET', '/v1/key-packages/count', undefined, u.token)).status, 200);
    } finally {
      await restored.stop();
    }
  } finally {
    cleanup(dir);
  }
});
