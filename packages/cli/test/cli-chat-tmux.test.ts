// `sotto chat` in real terminals: two tmux panes (one per user); a line typed in one chat arrives in the other.
// Also the progress bar of `attach`, which is drawn only on a terminal.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { allSettled, cleanEnv, killRunning, SOTTO_BIN, TestServer, tempDir, User, until } from './helpers/harness.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const skip = hasTmux ? false : 'tmux is not installed (apt-get install -y tmux)';

let server: TestServer;
let root: string;
let socket: string;
let alice: User;
let bob: User;

/** tmux on a private socket: its own server, started with our environment, killed at the end. */
const tmux = (...args: string[]): string => execFileSync('tmux', ['-S', socket, ...args], { encoding: 'utf8', env: cleanEnv() });
const pane = (name: string): string => tmux('capture-pane', '-p', '-J', '-t', name);
const sottoIn = (user: User, args: string): string =>
  `${process.execPath} ${SOTTO_BIN} --server ${server.url} --profile ${user.profile} ${args}; sleep 30`;

before(async () => {
  if (!hasTmux) return;
  server = await TestServer.start();
  root = tempDir();
  socket = join(root, 'tmux.sock');
  alice = new User(server, root, 'alice@localhost');
  bob = new User(server, root, 'bob@localhost');
  await allSettled([alice.register(), bob.register()]);
});
after(async () => {
  if (!hasTmux) return;
  try {
    tmux('kill-server');
  } catch {}
  await killRunning();
  // the chats end on the terminal hang-up: wait until they released their profiles before removing them
  await until(
    async () => !existsSync(join(alice.profile, 'sotto.lock')) && !existsSync(join(bob.profile, 'sotto.lock')),
    10_000,
    'chats to exit',
  ).catch(() => {});
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

test('two users chat in two terminals', { skip }, async () => {
  // alice opens the chat first (no conversation yet: it is created with her first line)
  tmux('new-session', '-d', '-x', '120', '-y', '40', '-s', 'alice', sottoIn(alice, 'chat bob@localhost'));
  await until(async () => /Chat with bob@localhost/.test(pane('alice')) && /^> /m.test(pane('alice')), 30_000, "alice's prompt");
  tmux('send-keys', '-t', 'alice', 'hello from alice', 'Enter');
  await until(async () => /\] you: hello from alice/.test(pane('alice')), 20_000, 'alice sees her line');

  tmux('new-session', '-d', '-x', '120', '-y', '40', '-s', 'bob', sottoIn(bob, 'chat alice'));
  await until(async () => /alice@localhost: hello from alice/.test(pane('bob')), 30_000, "the history in bob's chat");
  assert.match(pane('bob'), /accepted the message request from alice@localhost/);

  tmux('send-keys', '-t', 'bob', 'hi alice, bob here', 'Enter');
  await until(async () => /bob@localhost: hi alice, bob here/.test(pane('alice')), 20_000, "bob's line in alice's chat");
  tmux('send-keys', '-t', 'alice', 'live and well', 'Enter');
  await until(async () => /alice@localhost: live and well/.test(pane('bob')), 20_000, "alice's live line in bob's chat");

  // a line being typed survives an incoming message (the prompt is redrawn under it); typing shows on the other side
  tmux('send-keys', '-t', 'bob', 'half-typed');
  await until(async () => /\(bob@localhost typing\) > $/m.test(pane('alice')), 20_000, "bob's typing in alice's prompt");
  tmux('send-keys', '-t', 'alice', 'one more', 'Enter');
  await until(async () => /alice@localhost: one more/.test(pane('bob')), 20_000, 'the third line');
  assert.match(pane('bob'), /> half-typed$/m);

  tmux('send-keys', '-t', 'bob', 'C-u', '/quit', 'Enter');
  tmux('send-keys', '-t', 'alice', '/quit', 'Enter');
  await until(async () => !/^> /m.test(pane('alice').split('\n').filter(Boolean).at(-1) ?? ''), 20_000, 'alice quits');
  // both processes have exited: their profiles are free again
  await until(
    async () => (await alice.run(['chats'])).status === 0 && (await bob.run(['chats'])).status === 0,
    20_000,
    'profiles released',
  );
  const history = await bob.ok<Array<{ sender: string; text: string }>>(['--json', 'read', 'alice']);
  assert.deepEqual(
    history.map((m) => m.text),
    ['hello from alice', 'hi alice, bob here', 'live and well', 'one more'],
  );
});

test('attach draws a progress bar on the terminal', { skip }, async () => {
  const file = join(root, 'big.bin');
  writeFileSync(file, Buffer.alloc(3_000_000, 7));
  tmux('new-session', '-d', '-x', '120', '-y', '10', '-s', 'attach', sottoIn(alice, `attach bob ${file}`));
  await until(async () => /sent big\.bin to bob@localhost/.test(pane('attach')), 60_000, 'the upload');
  const screen = pane('attach');
  assert.match(screen, /encrypting █+ 100% 2\.9 MB\/2\.9 MB/);
  assert.match(screen, /uploading {2}█+ 100% 2\.9 MB\/2\.9 MB/);
});
