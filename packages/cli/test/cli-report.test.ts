// `sotto report` through the real binaries: the reporter sees exactly what the operator will receive, nothing is sent
// without a "yes", the server verifies the report, and report-and-block blocks the sender. The operator's queue
// (`sotto-server admin reports list`) shows what arrived.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { cliWorld, SERVER_CMD, until } from './helpers/harness.js';

const world = cliWorld('dave', 'erin');
const { dave, erin } = world;

interface Msg {
  id: string;
  text?: string;
}

function adminReports(): Array<{ reportedAccount: string; reporterAccount: string; verified: boolean; category: string }> {
  const r = spawnSync(
    process.execPath,
    [...SERVER_CMD, 'admin', 'reports', 'list', '--status', 'all', '--data-dir', world.server.dataDir, '--json'],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Array<{ reportedAccount: string; reporterAccount: string; verified: boolean; category: string }>;
}

test('report: preview, refusal without "yes", a verified report, then report and block', async () => {
  await erin.ok(['send', 'dave@localhost', 'hello there']);
  await erin.ok(['send', 'dave@localhost', 'you will regret this']);
  const msgs = await until(
    async () => {
      const m = await dave.ok<Msg[]>(['--json', 'read', 'erin@localhost']);
      return m.length === 2 ? m : undefined;
    },
    20_000,
    'dave has both messages',
  );
  const target = msgs[1]!;
  const listed = await dave.run(['read', 'erin@localhost', '--ids']);
  assert.match(listed.stdout, new RegExp(`#${target.id.slice(0, 8)} .*you will regret this`), 'read --ids shows the id');

  const cancelled = await dave.run(
    ['report', 'erin', target.id.slice(0, 8), '--with-previous', '1', '--category', 'threat', '--reason', 'a threat'],
    {
      input: 'no\n',
    },
  );
  assert.equal(cancelled.status, 1);
  assert.match(cancelled.stderr, /will receive this report about erin@localhost \(threat: "a threat"\)/);
  assert.match(cancelled.stderr, /erin@localhost: hello there\n.*erin@localhost: you will regret this/s, 'both messages, oldest first');
  assert.match(cancelled.stderr, /Nothing else from this or any other conversation is sent/);
  assert.match(cancelled.stderr, /the report was not sent/);
  assert.equal(adminReports().length, 0, 'nothing reached the operator');

  const sent = await dave.run(['report', 'erin', target.id.slice(0, 8), '--with-previous', '1', '--category', 'threat'], {
    input: 'yes\n',
  });
  assert.equal(sent.status, 0, sent.stderr);
  assert.match(sent.stdout, /Report \S+ sent: the server verified every message/);

  await erin.ok(['send', 'dave@localhost', 'one more']);
  const last = await until(
    async () => (await dave.ok<Msg[]>(['--json', 'read', 'erin@localhost'])).find((m) => m.text === 'one more'),
    20_000,
    'one more',
  );
  const blocked = await dave.ok<{ verified: boolean; blocked: boolean; messages: number }>([
    '--json',
    'report',
    'erin',
    last.id,
    '--block',
    '--yes',
  ]);
  assert.deepEqual([blocked.verified, blocked.blocked, blocked.messages], [true, true, 1]);
  const chats = await dave.ok<Array<{ owner: string; state: string }>>(['--json', 'chats']);
  assert.equal(chats.find((c) => c.owner === 'erin@localhost')?.state, 'blocked');

  const queue = adminReports();
  assert.equal(queue.length, 2);
  assert.ok(queue.every((q) => q.reportedAccount === 'erin@localhost' && q.reporterAccount === 'dave@localhost' && q.verified));

  // The operator warns erin; erin reads the notice with `sotto notices`.
  const id = (queue[0] as unknown as { id: string }).id;
  const resolved = spawnSync(
    process.execPath,
    [...SERVER_CMD, 'admin', 'reports', 'resolve', id, '--action', 'warn', '--data-dir', world.server.dataDir],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(resolved.status, 0, resolved.stderr);
  assert.match((await erin.run(['notices'])).stdout, /warning from the operator: /);
  assert.match((await dave.run(['notices'])).stdout, /no notices from the operator/);

  // Bad input: an id that is not hex, an unknown one, too much context.
  assert.match((await dave.run(['report', 'erin', 'zz'])).stderr, /hexadecimal/);
  assert.match((await dave.run(['report', 'erin', 'abcdef', '--yes'])).stderr, /no message starting with abcdef/);
  assert.match((await dave.run(['report', 'erin', target.id, '--with-previous', '21'])).stderr, /--with-previous must be 0 to 20/);
});
