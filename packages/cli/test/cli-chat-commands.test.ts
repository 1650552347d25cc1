// `sotto chat` in-chat commands through the real binary, driven by stdin: one process opens another chat, sends and
// saves files, shows the safety number, and answers a typing mistake with a clear line.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cleanEnv, cliWorld, SOTTO_BIN, until } from './helpers/harness.js';

interface Msg {
  id: string;
  text?: string;
  attachment?: { fileName: string; size: number };
}

const world = cliWorld('alice', 'bob');
const { alice, bob, root } = world;

test('one chat process: /help, an unknown command, /verify, /attach, /open, a message there, /download, /quit', async () => {
  await alice.ok(['send', 'bob', 'hello bob']);
  await bob.ok(['requests', 'accept', 'alice']);
  await alice.ok(['group', 'create', 'team', 'bob']);
  const fromBob = join(root, 'from-bob.bin');
  const bobBytes = randomBytes(3000);
  writeFileSync(fromBob, bobBytes);
  const sent = await bob.ok<{ id: string }>(['--json', 'attach', 'alice', fromBob]);
  await until(async () => (await alice.ok<Msg[]>(['--json', 'read', 'bob'])).some((m) => m.id === sent.id), 30_000, "bob's file at alice");
  const safety = await alice.ok<{ groups: string[] }>(['--json', 'verify', 'bob']);

  const note = join(root, 'note.txt');
  writeFileSync(note, 'a note for bob');
  const downloads = join(root, 'downloads');
  mkdirSync(downloads);
  const input = [
    '/help',
    '/opne team',
    '/verify',
    `/attach ${note}`,
    '/open team',
    'hello team',
    `/download ${sent.id} ${downloads}`,
    '/quit',
    'never sent',
    '',
  ];
  const r = await alice.run(['chat', 'bob'], { input: input.join('\n') });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\/open CHAT +switch to another conversation/, '/help lists the commands');
  assert.match(r.stdout, /\* unknown command \/opne \(type \/help/);
  const rows = [0, 4, 8].map((i) => safety.groups.slice(i, i + 4).join(' '));
  for (const row of rows) assert.ok(r.stdout.includes(row), `the safety number row ${row}`);
  assert.match(r.stdout, /you: \[file note\.txt/);
  assert.match(r.stdout, /\* now in team/);
  assert.match(r.stdout, /you: hello team/);
  assert.ok(r.stdout.includes(`* saved ${join(downloads, 'from-bob.bin')}`), r.stdout);
  assert.ok(readFileSync(join(downloads, 'from-bob.bin')).equals(bobBytes));

  const inTeam = await until(
    async () => (await bob.ok<Msg[]>(['--json', 'read', 'team'])).find((m) => m.text === 'hello team'),
    30_000,
    'the message typed after /open, in the group',
  );
  assert.ok(inTeam);
  const direct = await until(
    async () => (await bob.ok<Msg[]>(['--json', 'read', 'alice'])).find((m) => m.attachment?.fileName === 'note.txt'),
    30_000,
    'the file sent with /attach, in the 1:1',
  );
  assert.equal(direct.attachment?.size, 'a note for bob'.length);
  assert.ok(!(await bob.ok<Msg[]>(['--json', 'read', 'team'])).some((m) => m.text === 'never sent'), 'nothing after /quit');
  assert.ok(!(await bob.ok<Msg[]>(['--json', 'read', 'alice'])).some((m) => m.text === 'never sent' || m.text === '/opne team'));
});

test('/open of a chat that cannot be opened says why and the chat goes on', async () => {
  const input = ['/open no such group!', '/open a@b@c', 'still here', '/quit', ''];
  const r = await alice.run(['chat', 'bob'], { input: input.join('\n') });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\* usage: \/open CHAT/);
  assert.match(r.stdout, /\* failed: no conversation named "a@b@c"/);
  assert.match(r.stdout, /you: still here/);
  await until(
    async () => (await bob.ok<Msg[]>(['--json', 'read', 'alice'])).some((m) => m.text === 'still here'),
    30_000,
    'the line after the failed /open',
  );
});

test('/open of an account that does not exist names it, and the chat stays in its conversation', async () => {
  const input = ['/open nobody', '/open alice', 'still with bob', '/quit', ''];
  const r = await alice.run(['chat', 'bob'], { input: input.join('\n') });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\* failed: no such account: nobody@localhost; still in bob@localhost/);
  assert.match(r.stdout, /\* failed: a chat needs an account other than yours/);
  assert.doesNotMatch(r.stdout, /now in nobody/);
  await until(
    async () => (await bob.ok<Msg[]>(['--json', 'read', 'alice'])).some((m) => m.text === 'still with bob'),
    30_000,
    'the line after /open nobody, in the 1:1',
  );
  const chats = await alice.ok<Array<{ name: string }>>(['--json', 'chats']);
  assert.ok(!chats.some((c) => c.name.includes('nobody')), 'no conversation with the missing account');
});

test('a 1:1 peer linking a device shows one line in the open chat, not two', async () => {
  const chat = spawn(process.execPath, [SOTTO_BIN, '--server', world.server.url, '--profile', bob.profile, 'chat', 'alice'], {
    env: cleanEnv(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  chat.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => chat.once('exit', (code) => r(code)));
  let deviceId: string;
  try {
    await until(async () => out.includes('Chat with'), 20_000, 'the chat to open');
    ({ deviceId } = await alice.linkDevice('alice-phone'));
    await alice.ok(['send', 'bob', 'after the new device']);
    await until(async () => out.includes('after the new device'), 30_000, 'the message sent after the link, in the chat');
    chat.stdin.end('/quit\n');
    assert.equal(await exited, 0);
  } finally {
    chat.kill('SIGTERM');
  }
  const lines = out.split('\n').filter((l) => /added a device|device added|added alice@localhost/.test(l));
  assert.equal(lines.length, 1, out);
  assert.ok(lines[0]?.includes(`alice@localhost added a device (${deviceId})`), out);
});
