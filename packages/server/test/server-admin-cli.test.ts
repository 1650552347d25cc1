// The operator's command line on the data directory: admin and backup commands refuse a directory without a database
// (and say which directory they looked at), --init creates one, restore copies a backup into an empty directory, and
// `invites create` prints the web app's invite link.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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
    await http(srv.url, 'GET', '/v1/server-key'); // creates the evidence-signing key
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
    for (const key of ['franking-stamp.key', 'server-signing.key']) {
      assert.deepEqual(readFileSync(join(dir, 'fresh', key)), readFileSync(join(dir, 'data', key)), `${key} restored`);
      assert.equal(statSync(join(dir, 'fresh', key)).mode & 0o777, 0o600);
      assert.equal(statSync(join(dir, 'backup', key)).mode & 0o777, 0o600);
    }
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

test('invites create prints a link to the web app: server.publicUrl, else host and port (127.0.0.1 for 0.0.0.0 and ::), --url overrides', async () => {
  const dir = tempDir();
  try {
    const create = (...args: string[]) => {
      const r = run(dir, ['admin', 'invites', 'create', '--init', '--data-dir', 'data', ...args]);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    };
    const json = (...args: string[]) => JSON.parse(create('--json', ...args)) as { token: string; link: string };
    const j = json();
    assert.equal(j.link, `http://127.0.0.1:8750/#invite=${j.token}`);
    const human = create();
    const token = /^invite token: (\S+)$/m.exec(human)?.[1];
    assert.ok(token, human);
    assert.match(human, new RegExp(`^invite link: http://127\\.0\\.0\\.1:8750/#invite=${token.replace('.', '\\.')}$`, 'm'));
    const cfg = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return name;
    };
    const any4 = json('--config', cfg('any4.yaml', 'server:\n  host: 0.0.0.0\n  port: 9000\n'));
    assert.equal(any4.link, `http://127.0.0.1:9000/#invite=${any4.token}`);
    const any6 = json('--config', cfg('any6.yaml', 'server:\n  host: "::"\n  port: 9001\n'));
    assert.equal(any6.link, `http://127.0.0.1:9001/#invite=${any6.token}`);
    const v6 = json('--config', cfg('v6.yaml', 'server:\n  host: "::1"\n  port: 9002\n'));
    assert.equal(v6.link, `http://[::1]:9002/#invite=${v6.token}`);
    const pub = cfg('public.yaml', 'server:\n  host: 0.0.0.0\n  publicUrl: https://chat.example.org/\n');
    const p = json('--config', pub);
    assert.equal(p.link, `https://chat.example.org/#invite=${p.token}`);
    const u = json('--config', pub, '--url', 'http://10.1.2.3:8080');
    assert.equal(u.link, `http://10.1.2.3:8080/#invite=${u.token}`);

    const before = JSON.parse(run(dir, ['admin', 'invites', 'list', '--data-dir', 'data', '--json']).stdout) as unknown[];
    for (const bad of ['https://chat.example.org/join', 'ftp://chat.example.org', 'https://chat.example.org/?x=1', 'chat.example.org']) {
      const r = run(dir, ['admin', 'invites', 'create', '--data-dir', 'data', '--url', bad]);
      assert.equal(r.status, 2, bad);
      assert.match(r.stderr, /error VALIDATION: --url /, bad);
      assert.equal(r.stdout, '');
    }
    const r = run(dir, [
      'admin',
      'invites',
      'create',
      '--data-dir',
      'data',
      '--config',
      cfg('bad.yaml', 'server:\n  publicUrl: https://x.org/a\n'),
    ]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /server\.publicUrl/);
    const afterList = JSON.parse(run(dir, ['admin', 'invites', 'list', '--data-dir', 'data', '--json']).stdout) as unknown[];
    assert.equal(afterList.length, before.length, 'a refused URL creates no invite');

    // The token in the link registers an account.
    const srv = await startServerProcess({ dataDir: join(dir, 'data') });
    try {
      const fromLink = decodeURIComponent(new URL(u.link).hash.slice('#invite='.length));
      await registerUser(srv.url, 'quinn', fromLink);
    } finally {
      await srv.stop();
    }
  } finally {
    cleanup(dir);
  }
});
