// The sotto binary without a server: --help for every command, usage errors, missing profiles, an unreachable
// server (each a non-zero exit with a clear message on stderr), and the terminal QR renderer.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { inspect } from 'node:util';
import type { Command } from 'commander';
import { buildProgram } from '../src/program.js';
import { renderQr } from '../src/qr-terminal.js';
import { resolveSettings } from '../src/session.js';
import { killRunning, sotto, tempDir } from './helpers/harness.js';

const root = tempDir();
after(async () => {
  await killRunning();
  rmSync(root, { recursive: true, force: true });
});

/** Every command path of the real program: [], ['register'], ['group', 'create'], ... */
function commandPaths(cmd: Command, prefix: string[] = []): string[][] {
  return [prefix, ...cmd.commands.filter((c) => c.name() !== 'help').flatMap((c) => commandPaths(c, [...prefix, c.name()]))];
}

test('--help works for every command and subcommand', async () => {
  const paths = commandPaths(
    buildProgram(() => {
      throw new Error('not run');
    }),
  );
  assert.ok(paths.length >= 25, `expected every command, got ${paths.length}`);
  const queue = [...paths];
  const worker = async () => {
    for (let p = queue.shift(); p; p = queue.shift()) {
      const r = await sotto([...p, '--help']);
      assert.equal(r.status, 0, `sotto ${p.join(' ')} --help: ${r.stderr}`);
      assert.match(r.stdout, /^Usage: sotto/m, `sotto ${p.join(' ')} --help`);
      if (p.length > 0) assert.ok(r.stdout.includes(p[p.length - 1] as string), `help of ${p.join(' ')} names it`);
    }
  };
  await Promise.all([worker(), worker(), worker()]);
});

test('usage errors exit 2 with a message on stderr', async () => {
  const profile = join(root, 'usage');
  const cases: Array<[string[], RegExp]> = [
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['send', 'bob@localhost'], /missing required argument 'text'/],
    [['register', 'not-an-account'], /not an account name: use NAME@HOST/],
    [['settings', 'set', 'colour', 'on'], /unknown setting "colour"/],
    [['read', 'bob', '--limit', 'many'], /--limit must be a positive integer/],
    [['approve', 'ABCD-EFGH'], /that is the confirmation code/],
    [['approve', 'sotto-link:1:AAAA', '--code', 'yes'], /--code must be the 8-character code the new device shows/],
  ];
  for (const [args, message] of cases) {
    const r = await sotto(['--profile', profile, ...args]);
    assert.equal(r.status, 2, `sotto ${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '');
  }
});

test('a profile without an account, and an unreachable server, are clear errors', async () => {
  const empty = join(root, 'empty');
  const r1 = await sotto(['--profile', empty, 'chats']);
  assert.equal(r1.status, 1);
  assert.match(r1.stderr, /no account in profile .*empty: run `sotto --profile \S*empty register NAME@HOST --invite TOKEN`/);

  const r2 = await sotto([
    '--profile',
    join(root, 'offline'),
    '--server',
    'http://127.0.0.1:1',
    'register',
    'x@localhost',
    '--invite',
    'x',
  ]);
  assert.equal(r2.status, 3);
  assert.match(r2.stderr, /cannot reach the server/);

  const r3 = await sotto(['--json', '--profile', empty, 'devices']);
  assert.equal(r3.status, 1);
  assert.equal((JSON.parse(r3.stderr) as { error: { code: string } }).error.code, 'NOT_REGISTERED');

  const r4 = await sotto(['--profile', empty, '--passphrase-file', join(root, 'nope'), 'chats']);
  assert.equal(r4.status, 2);
  assert.match(r4.stderr, /cannot read the passphrase file/);
});

test('settings work on a fresh profile (shown, changed, kept)', async () => {
  const profile = join(root, 'settings');
  const shown = JSON.parse((await sotto(['--profile', profile, '--json', 'settings'])).stdout) as Record<string, unknown>;
  assert.equal(shown.sendReadReceipts, true);
  const r = await sotto(['--profile', profile, 'settings', 'set', 'typing', 'off']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /typing\s+off/);
  const again = JSON.parse((await sotto(['--profile', profile, '--json', 'settings', 'show'])).stdout) as Record<string, unknown>;
  assert.equal(again.sendTyping, false);
});

test('a passphrase-protected profile needs its passphrase (env or file)', async () => {
  const profile = join(root, 'locked');
  const first = await sotto(['--profile', profile, 'settings', 'set', 'typing', 'off'], { env: { SOTTO_PASSPHRASE: 'correct horse' } });
  assert.equal(first.status, 0, first.stderr);
  const none = await sotto(['--profile', profile, 'settings']);
  assert.equal(none.status, 1);
  assert.match(none.stderr, /protected by a passphrase: give --passphrase-file FILE or SOTTO_PASSPHRASE/);
  const wrong = await sotto(['--profile', profile, 'settings'], { env: { SOTTO_PASSPHRASE: 'battery staple' } });
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /wrong passphrase/);
  const file = join(root, 'passphrase.txt');
  writeFileSync(file, 'correct horse\n', { mode: 0o600 });
  const ok = await sotto(['--profile', profile, '--passphrase-file', file, '--json', 'settings']);
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal((JSON.parse(ok.stdout) as { sendTyping: boolean }).sendTyping, false);
});

test('the passphrase never shows in printed settings', () => {
  const settings = resolveSettings({ profile: '/tmp/p' }, { SOTTO_PASSPHRASE: 'hunter2-secret' });
  assert.equal(settings.passphrase?.expose(), 'hunter2-secret');
  for (const shown of [inspect(settings), JSON.stringify(settings), String(settings.passphrase), `${settings.passphrase}`])
    assert.ok(!shown.includes('hunter2'), shown);
});

test('renderQr draws a square of half blocks with a quiet zone', () => {
  const lines = renderQr('sotto-link:1:AAAA').split('\n');
  const width = lines[0]?.length ?? 0;
  assert.ok(width >= 25);
  for (const l of lines) {
    assert.equal(l.length, width);
    assert.match(l, /^[█▀▄ ]+$/);
  }
  assert.equal(lines.length, Math.ceil(width / 2));
  assert.match(lines[0] as string, /^█+$/, 'quiet zone on top');
});
