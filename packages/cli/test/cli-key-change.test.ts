// A contact's account key changes (the directory, here the server's own database, answers with another key): `read`
// and `chat` show the security notice, `verify` shows the new number, and `verify --accept` accepts it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { cliWorld } from './helpers/harness.js';

const world = cliWorld('alice', 'bob');
const { alice, bob } = world;

/** A hostile or mistaken directory: the server now answers another account key for `account`. */
async function swapAccountKey(account: string): Promise<void> {
  await world.server.halt();
  const db = new Database(join(world.server.dataDir, 'sotto.db'));
  try {
    const r = db.prepare('UPDATE accounts SET account_key = ? WHERE name = ?').run(randomBytes(32), account);
    assert.equal(r.changes, 1);
  } finally {
    db.close();
  }
  await world.server.resume();
}

test("a verified contact's new key: notice in read and chat, sending waits, verify shows the new number, --accept accepts", async () => {
  await alice.ok(['send', 'bob', 'hello bob']);
  await bob.ok(['requests', 'accept', 'alice']);
  const before = await alice.ok<{ safetyNumber: string }>(['--json', 'verify', 'bob', '--mark-verified']);
  await swapAccountKey('bob@localhost');

  // Adding bob anywhere asks the directory: the new key waits for alice, nothing is added.
  const g = await alice.run(['group', 'create', 'g2', 'bob']);
  assert.equal(g.status, 1, g.stdout);
  const read = await alice.run(['read', 'bob']);
  assert.equal(read.status, 0, read.stderr);
  assert.match(read.stderr, /! security: the account key of bob@localhost changed\. Sending to bob@localhost waits/);
  assert.ok(read.stderr.includes(`sotto --profile ${alice.profile} verify bob@localhost --accept`), read.stderr);
  const chat = await alice.run(['chat', 'bob'], { input: '/quit\n' });
  assert.equal(chat.status, 0, chat.stderr);
  assert.match(chat.stdout, /! security: the account key of bob@localhost changed\. Sending to bob@localhost waits/);

  const shown = await alice.run(['verify', 'bob']);
  assert.equal(shown.status, 0, shown.stderr);
  assert.match(shown.stdout, /this is the safety number of the new key/);
  assert.doesNotMatch(shown.stdout, /is marked verified/);
  const fresh = await alice.ok<{ safetyNumber: string; verified: boolean }>(['--json', 'verify', 'bob']);
  assert.notEqual(fresh.safetyNumber, before.safetyNumber);

  const accepted = await alice.run(['verify', 'bob', '--accept']);
  assert.equal(accepted.status, 0, accepted.stderr);
  assert.match(accepted.stdout, /Accepted the new account key of bob@localhost/);
  assert.ok(accepted.stdout.includes(fresh.safetyNumber.slice(0, 5)), 'the accepted number is the one shown');
  const again = await alice.run(['verify', 'bob', '--accept']);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /no new account key of bob@localhost is waiting/);

  const later = await alice.run(['read', 'bob']);
  assert.match(later.stderr, /! security: the account key of bob@localhost changed \(a reinstall, or someone else\)/);
  assert.doesNotMatch(later.stderr, /Sending to bob@localhost waits/);
});
