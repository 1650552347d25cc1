// What a newcomer met, through the real binary: no phantom conversation from a name that does not exist, expired
// messages never shown, a send while the server is down is queued and sent later, approve asks for the code before
// signing, download into a directory, hints that repeat --profile, and an empty history that says why.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { cleanEnv, cliWorld, SOTTO_BIN, User, until } from './helpers/harness.js';

interface Msg {
  id: string;
  text?: string;
  expiresAt?: number;
  attachment?: { fileName: string };
}
interface Conv {
  id: string;
  name: string;
}

const world = cliWorld('alice', 'bob');
const { alice, bob, root } = world;

test('send, attach, chat and group create with a name that does not exist fail naming it and leave no conversation', async () => {
  const s = await alice.run(['send', 'nobody', 'hi']);
  assert.equal(s.status, 1);
  assert.match(s.stderr, /no such account: nobody@localhost/);
  const file = join(root, 'note.txt');
  writeFileSync(file, 'a note');
  const a = await alice.run(['attach', 'typo-name', file]);
  assert.equal(a.status, 1);
  assert.match(a.stderr, /no such account: typo-name@localhost/);
  const g = await alice.run(['group', 'create', 'g1', 'bob', 'nobody2']);
  assert.equal(g.status, 1);
  assert.match(g.stderr, /no such account: nobody2@localhost/);
  const c = await alice.run(['chat', 'nobody3'], { input: 'hello?\n/quit\n' });
  assert.equal(c.status, 1, c.stderr);
  assert.match(c.stderr, /no such account: nobody3@localhost/);
  assert.deepEqual(await alice.ok<Conv[]>(['--json', 'chats']), [], 'no phantom conversation');
});

test('hints repeat --profile when one is in use', async () => {
  const r = await alice.run(['read', 'nobody-yet']);
  assert.equal(r.status, 1);
  assert.ok(r.stderr.includes(`sotto --profile ${alice.profile} send nobody-yet@localhost TEXT`), r.stderr);
});

test('a 1:1 tried before the peer existed: once it registers and writes, read shows its messages', async () => {
  const dave = new User(world.server, root, 'dave@localhost');
  const early = await alice.run(['send', 'dave', 'are you there?']);
  assert.equal(early.status, 1);
  await dave.register();
  await dave.ok(['send', 'alice', 'hello alice']);
  const shown = await until(
    async () => {
      const out = await alice.ok(['read', 'dave']);
      return /dave@localhost: hello alice/.test(out) && out;
    },
    30_000,
    "dave's message in alice's read",
  );
  assert.match(shown, /hello alice/);
  assert.equal((await alice.ok<Conv[]>(['--json', 'chats'])).filter((c) => c.name === 'dave@localhost').length, 1);
  assert.match(early.stderr, /no such account: dave@localhost/);
});

test('an empty history says so', async () => {
  await alice.ok(['send', 'bob', 'hello bob']);
  await bob.ok(['requests', 'accept', 'alice']);
  const g = await bob.ok(['group', 'create', 'quiet', 'alice']);
  assert.match(g, /created: quiet/);
  const empty = await bob.run(['read', 'quiet']);
  assert.equal(empty.status, 0, empty.stderr);
  assert.match(empty.stderr, /\(no messages yet\)/);
});

test('download into a directory writes the file there under its own name', async () => {
  const file = join(root, 'report.bin');
  const data = randomBytes(5000);
  writeFileSync(file, data);
  await alice.ok(['attach', 'bob', file]);
  const msg = await until(
    async () => (await bob.ok<Msg[]>(['--json', 'read', 'alice'])).find((m) => m.attachment?.fileName === 'report.bin'),
    30_000,
    'the file message',
  );
  const dir = join(root, 'downloads');
  mkdirSync(dir);
  const d = await bob.run(['download', msg.id, dir]);
  assert.equal(d.status, 0, d.stderr);
  assert.ok(readFileSync(join(dir, 'report.bin')).equals(data));
});

test('read --json and export never show a disappearing message past its time', async () => {
  await alice.ok(['group', 'timer', 'bob', '5']);
  await alice.ok(['send', 'bob', 'poof']);
  const m = await until(
    async () => (await bob.ok<Msg[]>(['--json', 'read', 'alice'])).find((x) => x.text === 'poof'),
    30_000,
    'the disappearing message',
  );
  assert.ok(m.expiresAt);
  const expiresAt = m.expiresAt;
  // Wait for the clock to pass its time (a positive condition), then a fresh process must not show it.
  await until(async () => Date.now() > expiresAt + 50, 20_000, 'the expiry time');
  const after = await bob.ok<Msg[]>(['--json', 'read', 'alice']);
  assert.ok(!after.some((x) => x.id === m.id), 'the expired message is not shown');
  assert.ok(!after.some((x) => x.expiresAt !== undefined && x.expiresAt <= Date.now()));
  const exported = join(root, 'bob-export.json');
  await bob.ok(['export', '--out', exported]);
  assert.ok(!readFileSync(exported, 'utf8').includes('poof'), 'nor in the export');
  await alice.ok(['group', 'timer', 'bob', '0']);
});

test('approve shows the code and asks for it before signing: a wrong code approves nothing', async () => {
  const phone = join(root, 'alice-phone');
  const child = spawn(
    process.execPath,
    [SOTTO_BIN, '--server', world.server.url, '--profile', phone, '--json', 'link', 'alice@localhost'],
    {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    const lines: Array<Record<string, string | boolean>> = [];
    createInterface({ input: child.stdout }).on('line', (l) => lines.push(JSON.parse(l) as Record<string, string>));
    const offer = await until(async () => lines[0], 20_000, 'the link offer');
    const wrong = await alice.run(['approve', String(offer.qr), '--code', 'AAAA-AAAA']);
    assert.equal(wrong.status, 1);
    assert.ok(wrong.stderr.includes(`Confirmation code: ${String(offer.code)}`), wrong.stderr);
    assert.match(wrong.stderr, /does not match.*nothing was approved/);
    const none = await alice.run(['approve', String(offer.qr)]); // no code typed: cancelled
    assert.equal(none.status, 1);
    assert.match(none.stderr, /not approved/);
    assert.equal((await alice.ok<unknown[]>(['--json', 'devices'])).length, 1, 'nothing was signed');
    const ok = await alice.run(['approve', String(offer.qr)], { input: `${String(offer.code).toLowerCase()}\n` });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /approved device/);
    assert.equal(await exited, 0);
  } finally {
    child.kill('SIGTERM');
  }
  const phoneUser = new User(world.server, root, 'alice@localhost', 'alice-phone');
  const r = await phoneUser.run(['read', 'bob']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /no messages on this device yet: a linked device receives only what is sent after it joined/);
});

test('send while the server is down is queued (exit 1, says so) and sent by the next run', async () => {
  await world.server.halt();
  try {
    const s = await alice.run(['send', 'bob', 'while the server was down']);
    assert.equal(s.status, 1, s.stderr);
    assert.match(s.stdout, /queued for bob@localhost/);
    assert.match(s.stderr, /cannot be reached: the message to bob@localhost is queued/);
    const n = await alice.run(['send', 'carol', 'hi']);
    assert.equal(n.status, 3);
    assert.match(n.stderr, /carol@localhost; nothing was queued/);
  } finally {
    await world.server.resume();
  }
  await alice.ok(['chats']); // the next run connects and sends what waits
  await until(async () => /while the server was down/.test(await bob.ok(['read', 'alice'])), 30_000, 'the queued message at bob');
});

test('attach while the server is down sends nothing and says so, naming the conversation (exit 3)', async () => {
  const file = join(root, 'offline.txt');
  writeFileSync(file, 'not sent');
  await world.server.halt();
  try {
    const a = await alice.run(['attach', 'bob', file]);
    assert.equal(a.status, 3, a.stderr);
    assert.match(a.stderr, /offline\.txt was not sent to bob@localhost/);
    assert.match(a.stderr, /nothing was queued/);
    assert.match(a.stderr, /send it again when the server can be reached/);
    assert.equal(a.stdout, '');
  } finally {
    await world.server.resume();
  }
  await alice.ok(['send', 'bob', 'after the offline attach']);
  const atBob = await until(
    async () => {
      const text = await bob.ok(['read', 'alice']);
      return text.includes('after the offline attach') && text;
    },
    30_000,
    'the message sent after the offline attach',
  );
  assert.ok(!atBob.includes('offline.txt'), 'the file was not queued: it never reaches bob');
});
