// End to end through the real binary: a real server process and separate `sotto` processes per user. 1:1 with
// message requests, groups, safety numbers, blocking, files, device linking, export, live follow, and errors.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { allSettled, cleanEnv, cliWorld, SOTTO_BIN, User, until } from './helpers/harness.js';

interface Msg {
  id: string;
  text?: string;
  sender: string;
  outgoing: boolean;
  kind: string;
  attachment?: { fileName: string; size: number };
}
interface Conv {
  id: string;
  kind: string;
  state: string;
  name: string;
  owner: string;
  members: Array<{ account: string; role: string }>;
}

const world = cliWorld('alice', 'bob', 'carol');
const { alice, bob, carol, root } = world;

test('1:1: a message request, accepted, then messages both ways (--json)', async () => {
  const sent = await alice.ok<{ id: string; conversationId: string }>(['--json', 'send', 'bob@localhost', 'hello', 'bob']);
  assert.match(sent.id, /^[0-9a-f]{32}$/);

  const requests = await bob.ok<Conv[]>(['--json', 'requests']);
  assert.deepEqual(
    requests.map((r) => [r.owner, r.kind]),
    [['alice@localhost', 'direct']],
  );
  const refused = await bob.run(['send', 'alice@localhost', 'too early']);
  assert.equal(refused.status, 1);
  assert.match(
    refused.stderr,
    /message request from alice@localhost: accept it first with `sotto --profile \S+ requests accept alice@localhost`/,
  );

  await bob.ok(['requests', 'accept', 'alice']); // a bare name means the same server
  const seen = await bob.ok<Msg[]>(['--json', 'read', 'alice@localhost']);
  assert.deepEqual(
    seen.map((m) => [m.id, m.sender, m.text, m.outgoing]),
    [[sent.id, 'alice@localhost', 'hello bob', false]],
  );

  await bob.ok(['send', 'alice@localhost', '-'], { input: 'hi alice, from stdin\n' });
  const history = await alice.ok<Msg[]>(['--json', 'read', 'bob@localhost']);
  assert.deepEqual(
    history.map((m) => [m.sender, m.text]),
    [
      ['alice@localhost', 'hello bob'],
      ['bob@localhost', 'hi alice, from stdin'],
    ],
  );
  const text = await alice.ok(['read', 'bob']);
  assert.match(text, /\] you: hello bob/);
  assert.match(text, /\] bob@localhost: hi alice, from stdin/);
});

test('groups: create, add, rename, promote; a member cannot rename', async () => {
  const created = await alice.ok<Conv>(['--json', 'group', 'create', 'ops', 'bob@localhost']);
  assert.equal(created.name, 'ops');
  assert.equal(created.kind, 'group');
  const added = await alice.ok<Conv>(['--json', 'group', 'add', 'ops', 'carol']);
  assert.deepEqual(added.members.map((m) => m.account).sort(), ['alice@localhost', 'bob@localhost', 'carol@localhost']);
  await alice.ok(['group', 'rename', 'ops', 'ops-team']);
  const promoted = await alice.ok<Conv>(['--json', 'group', 'promote', 'ops-team', 'bob@localhost']);
  assert.equal(promoted.members.find((m) => m.account === 'bob@localhost')?.role, 'admin');
  await alice.ok(['send', 'ops-team', 'welcome', 'team']);

  // bob accepted alice before: the group is active for him; carol sees it as a request
  const bobChats = await bob.ok<Conv[]>(['--json', 'chats']);
  assert.equal(bobChats.find((c) => c.kind === 'group')?.state, 'active');
  assert.deepEqual(
    (await bob.ok<Msg[]>(['--json', 'read', 'ops-team'])).map((m) => m.text),
    [
      'alice@localhost added carol@localhost',
      'alice@localhost renamed the group to "ops-team"',
      'alice@localhost made bob@localhost an admin',
      'welcome team',
    ],
    'the history says what changed, then what was written',
  );
  const carolRequests = await carol.ok<Conv[]>(['--json', 'requests']);
  assert.deepEqual(
    carolRequests.map((c) => c.name),
    ['ops-team'],
  );
  await carol.ok(['requests', 'accept', 'ops-team']);
  assert.deepEqual(
    (await carol.ok<Msg[]>(['--json', 'read', 'ops-team'])).filter((m) => m.kind !== 'system').map((m) => [m.sender, m.text]),
    [['alice@localhost', 'welcome team']],
  );

  const denied = await carol.run(['group', 'rename', 'ops-team', 'mine']);
  assert.equal(denied.status, 1);
  assert.match(denied.stderr, /^sotto: .*admin/im);

  await bob.ok(['group', 'rename', 'ops-team', 'ops-2']); // bob is an admin now
  await until(async () => (await alice.ok<Conv>(['--json', 'group', 'info', 'ops-2'])).name === 'ops-2', 20_000, 'alice sees the rename');
});

test('verify: both sides show the same safety number; --mark-verified records it', async () => {
  const [a, b] = await Promise.all([
    alice.ok<{ safetyNumber: string; groups: string[]; verified: boolean; qr: string }>(['--json', 'verify', 'bob@localhost']),
    bob.ok<{ safetyNumber: string; groups: string[]; verified: boolean }>(['--json', 'verify', 'alice@localhost']),
  ]);
  assert.match(a.safetyNumber, /^[0-9]{60}$/);
  assert.equal(a.safetyNumber, b.safetyNumber);
  assert.equal(a.groups.length, 12);
  assert.ok(a.groups.every((g) => /^[0-9]{5}$/.test(g)));
  assert.equal(a.verified, false);
  assert.match(a.qr, /^sotto-safety:1:/);

  const shown = await alice.ok(['verify', 'bob', '--mark-verified']);
  assert.ok(shown.includes(a.groups.slice(0, 4).join(' ')), 'the digits in 12 groups');
  assert.match(shown, /[▀▄█]{20}/, 'a QR code');
  assert.match(shown, /bob@localhost is marked verified/);
  assert.equal((await alice.ok<{ verified: boolean }>(['--json', 'verify', 'bob'])).verified, true);
});

test('files: attach, then download checks and writes the same bytes', async () => {
  const file = join(root, 'report.bin');
  const bytes = randomBytes(200_000);
  writeFileSync(file, bytes);
  const sent = await alice.ok<{ id: string }>(['--json', 'attach', 'bob@localhost', file]);
  const msgs = await bob.ok<Msg[]>(['--json', 'read', 'alice']);
  const m = msgs.find((x) => x.id === sent.id);
  assert.deepEqual(m?.attachment && [m.attachment.fileName, m.attachment.size], ['report.bin', 200_000]);
  const out = join(root, 'downloaded.bin');
  await bob.ok(['download', sent.id, out]);
  assert.ok(readFileSync(out).equals(bytes));
  const again = await bob.run(['download', sent.id, out]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /exists \(use --force to overwrite\)/);
});

test('read --follow streams new messages; a second process on the same profile is refused', async () => {
  const child = spawn(
    process.execPath,
    [SOTTO_BIN, '--server', world.server.url, '--profile', bob.profile, '--json', 'read', 'alice', '--follow', '-n', '1'],
    {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    const lines: Msg[] = [];
    createInterface({ input: child.stdout }).on('line', (l) => lines.push(JSON.parse(l) as Msg));
    await until(async () => lines.length >= 1, 20_000, 'the history line');
    const busy = await bob.run(['chats']);
    assert.equal(busy.status, 1);
    assert.match(busy.stderr, /the profile is in use by another sotto process \(pid \d+\)/);
    await alice.ok(['send', 'bob', 'live', 'one']);
    await until(async () => lines.some((m) => m.text === 'live one'), 20_000, 'the live message');
  } finally {
    child.kill('SIGINT');
    assert.equal(await exited, 0);
  }
  assert.equal((await bob.run(['chats'])).status, 0, 'the lock is released on exit');
});

test('block: nothing from a blocked account arrives; requests delete and block', async () => {
  await carol.ok(['block', 'alice@localhost']);
  await alice.ok(['send', 'carol', 'are', 'you', 'there']);
  const chats = await carol.ok<Conv[]>(['--json', 'chats']);
  const direct = chats.find((c) => c.kind === 'direct');
  assert.equal(direct?.state, 'blocked');
  assert.deepEqual(await carol.ok<Msg[]>(['--json', 'read', 'alice']), []);
  assert.deepEqual(await carol.ok<Conv[]>(['--json', 'requests']), []);

  const dave = new User(world.server, root, 'dave@localhost');
  const erin = new User(world.server, root, 'erin@localhost');
  await allSettled([dave.register(), erin.register()]);
  await allSettled([dave.ok(['send', 'carol', 'hi from dave']), erin.ok(['send', 'carol', 'hi from erin'])]);
  assert.deepEqual((await carol.ok<Conv[]>(['--json', 'requests'])).map((c) => c.owner).sort(), ['dave@localhost', 'erin@localhost']);
  await carol.ok(['requests', 'delete', 'dave']);
  await carol.ok(['requests', 'block', 'erin@localhost']);
  assert.deepEqual(await carol.ok<Conv[]>(['--json', 'requests']), []);
  const states = (await carol.ok<Conv[]>(['--json', 'chats'])).map((c) => [c.owner, c.state]);
  assert.ok(states.some(([o, s]) => o === 'erin@localhost' && s === 'blocked'));
});

test('link a second device: approve with the link text, list and remove devices', async () => {
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
    assert.match(String(offer.qr), /^sotto-link:1:/);
    const approved = await alice.ok<{ deviceId: string; code: string }>([
      '--json',
      'approve',
      String(offer.qr),
      '--code',
      String(offer.code),
    ]);
    assert.equal(approved.code, offer.code, 'both screens show the same confirmation code');
    assert.equal(approved.deviceId, offer.deviceId);
    assert.equal(await exited, 0);
    assert.equal(lines[1]?.linked, true);
  } finally {
    child.kill('SIGTERM');
  }
  const devices = await alice.ok<Array<{ deviceId: string; current: boolean; primary: boolean }>>(['--json', 'devices']);
  assert.equal(devices.length, 2);
  const other = devices.find((d) => !d.current);
  assert.ok(other);
  const notPrimary = await new User(world.server, root, 'alice@localhost', 'alice-phone').run([
    'devices',
    'remove',
    '--',
    devices.find((d) => d.current)!.deviceId,
  ]);
  assert.equal(notPrimary.status, 1);
  assert.match(notPrimary.stderr, /only the device holding the account key/);
  await alice.ok(['devices', 'remove', '--', other.deviceId]);
  assert.equal((await alice.ok<unknown[]>(['--json', 'devices'])).length, 1);
});

test('export writes the local history as JSON', async () => {
  const out = join(root, 'bob-export.json');
  await bob.ok(['export', '--out', out]);
  const doc = JSON.parse(readFileSync(out, 'utf8')) as { account: string; conversations: Array<Conv & { messages: Msg[] }> };
  assert.equal(doc.account, 'bob@localhost');
  const texts = doc.conversations.flatMap((c) => c.messages.map((m) => m.text));
  assert.ok(texts.includes('hello bob') && texts.includes('welcome team'));
});

test('errors: unknown account, bad invite, second registration: non-zero with a clear message', async () => {
  const r1 = await alice.run(['send', 'nobody@localhost', 'hi']);
  assert.equal(r1.status, 1);
  assert.match(r1.stderr, /^sotto: .*no such account/m);
  const r2 = await new User(world.server, root, 'frank@localhost').run(['register', 'frank@localhost', '--invite', 'not-a-token']);
  assert.equal(r2.status, 1);
  assert.match(r2.stderr, /invite/i);
  const r3 = await alice.run(['register', 'alice@localhost', '--invite', world.server.invite()]);
  assert.equal(r3.status, 1);
  assert.match(r3.stderr, /already holds alice@localhost/);
  const r4 = await alice.run(['read', 'no-such-group']);
  assert.equal(r4.status, 1);
  assert.match(r4.stderr, /no conversation with no-such-group@localhost yet/);
  const r5 = await alice.run(['download', '0123456789abcdef0123456789abcdef']);
  assert.equal(r5.status, 1);
  assert.match(r5.stderr, /no message 0123456789abcdef0123456789abcdef/);
});

test('without the server: read and chats show local data, send is queued (exit 1)', async () => {
  await world.server.stop();
  // The run helper kills a hung process (status null), so exit 0 with the offline notice shows it did not hang.
  const r = await bob.run(['read', 'alice']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /offline: the server cannot be reached; showing local data/);
  assert.match(r.stdout, /alice@localhost: hello bob/);
  assert.equal((await bob.run(['chats'])).status, 0);
  const s = await bob.run(['send', 'alice', 'anyone?']);
  assert.equal(s.status, 1);
  assert.match(s.stderr, /the server cannot be reached: the message to alice@localhost is queued/);
});
