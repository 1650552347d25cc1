// The server restored from a backup taken before some commits: groups move again without anyone doing anything, and
// nothing sent after the restore is lost. (Before: every later commit failed with STALE_EPOCH for good, the client
// promised a resend that never came, and message ids issued again after the restore were skipped as already seen.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { SottoClient } from '../src/client/sotto-client.js';
import { eventually, newClient } from './helpers/clients.js';
import { cleanup, SERVER_CMD, startServer, type TestServer, tempDir } from './helpers/server.js';

const root = tempDir();
const clients: SottoClient[] = [];
let server: TestServer | undefined;
after(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await server?.stop();
  if (server) cleanup(server.dataDir);
  cleanup(root);
});

/** docs/server-operations.md, "To restore": stop the server, move the data directory aside, `restore --from`, start. */
async function restore(s: TestServer, backup: string): Promise<TestServer> {
  const port = Number(new URL(s.url).port);
  await s.stop();
  renameSync(s.dataDir, `${s.dataDir}.old`);
  const r = spawnSync(process.execPath, [...SERVER_CMD, 'restore', '--from', backup, '--data-dir', s.dataDir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  cleanup(`${s.dataDir}.old`);
  return startServer({}, { dataDir: s.dataDir, port });
}

async function exchange(from: SottoClient, to: SottoClient, conv: string, text: string): Promise<void> {
  const got = to.waitFor('message', (m) => m.conversationId === conv && m.text === text, 30_000);
  await from.sendText(conv, text);
  await got;
}

test('restore from a backup older than the last commits: both sides go on in the group, with a commit after the restore, and lose nothing sent after it', async () => {
  server = await startServer();
  const alice = await newClient(server, root, 'r-alice@localhost', { retryBaseMs: 100 });
  const bob = await newClient(server, root, 'r-bob@localhost', { retryBaseMs: 100 });
  clients.push(alice, bob);
  const g = await alice.createGroup({ name: 'restored', members: ['r-bob@localhost'] });
  await eventually(() => bob.getConversation(g.id), 10_000, 'bob joins');
  await bob.acceptRequest(g.id);
  await exchange(alice, bob, g.id, 'before the backup');

  const backup = join(root, 'backup');
  const b = spawnSync(process.execPath, [...SERVER_CMD, 'backup', '--out', backup, '--data-dir', server.dataDir], { encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
  const backupEpoch = BigInt(alice.getConversation(g.id)!.epoch);

  // After the backup: two commits and messages both ways, all lost by the restore.
  await alice.rotateKeys(g.id);
  await bob.rotateKeys(g.id);
  await exchange(alice, bob, g.id, 'after the backup, from alice');
  await exchange(bob, alice, g.id, 'after the backup, from bob');
  assert.equal(BigInt(alice.getConversation(g.id)!.epoch), backupEpoch + 2n);

  // The operator restores exactly as docs/server-operations.md says.
  server = await restore(server, backup);

  // Nobody does anything special: they just go on.
  await exchange(alice, bob, g.id, 'after the restore, from alice');
  await exchange(bob, alice, g.id, 'after the restore, from bob');
  await alice.rotateKeys(g.id); // a commit after the restore
  await exchange(bob, alice, g.id, 'after the commit that followed the restore');
  await exchange(alice, bob, g.id, 'and back');
  await eventually(() => alice.getConversation(g.id)!.epoch === bob.getConversation(g.id)!.epoch, 10_000, 'one epoch');
  assert.equal(BigInt(alice.getConversation(g.id)!.epoch), backupEpoch + 1n, 'the group went on from the epoch of the backup');
  for (const c of [alice, bob]) {
    const texts = (await c.listMessages(g.id)).map((m) => m.text);
    for (const t of [
      'after the restore, from alice',
      'after the restore, from bob',
      'after the commit that followed the restore',
      'and back',
    ])
      assert.ok(texts.includes(t), `${t} is in the history`);
  }
});

test('restore from a backup more than PAST_EPOCHS commits old: both sides rejoin by external commit (resync) and talk again', async () => {
  server ??= await startServer();
  const carol = await newClient(server, root, 'r-carol@localhost', { retryBaseMs: 100 });
  const dave = await newClient(server, root, 'r-dave@localhost', { retryBaseMs: 100 });
  clients.push(carol, dave);
  const g = await carol.createGroup({ name: 'resynced', members: ['r-dave@localhost'] });
  await eventually(() => dave.getConversation(g.id), 10_000, 'dave joins');
  await dave.acceptRequest(g.id);
  await exchange(carol, dave, g.id, 'before the backup');
  const backup = join(root, 'backup-2');
  const b = spawnSync(process.execPath, [...SERVER_CMD, 'backup', '--out', backup, '--data-dir', server.dataDir], { encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
  for (let i = 0; i < 6; i++) await (i % 2 ? carol : dave).rotateKeys(g.id); // more epochs than anyone keeps
  await exchange(carol, dave, g.id, 'after the backup');
  const warned = [carol, dave].map((c) => c.waitFor('warning', (w) => w.code === 'RESYNCED' && w.conversationId === g.id, 60_000));

  server = await restore(server, backup);

  // carol's send finds the server behind and rejoins; dave sees her external commit from an epoch he no longer
  // keeps, finds the server behind him too, and rejoins as well. Then they talk again, both ways.
  await carol.sendText(g.id, 'first after the restore (may be lost: dave was not in the new line yet)');
  await Promise.all(warned);
  await eventually(() => carol.getConversation(g.id)!.epoch === dave.getConversation(g.id)!.epoch, 20_000, 'one epoch');
  await exchange(dave, carol, g.id, 'after both rejoined, from dave');
  await exchange(carol, dave, g.id, 'after both rejoined, from carol');
  for (const c of [carol, dave])
    assert.deepEqual(
      c
        .getConversation(g.id)!
        .members.map((m) => m.account)
        .sort(),
      ['r-carol@localhost', 'r-dave@localhost'],
    );
});
