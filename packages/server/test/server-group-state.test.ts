// A group's public MLS state is stored incrementally: a snapshot plus the handshakes accepted since (group_log), which
// the server replays when the state is not in its cache. These tests restart the server (SIGKILL: no clean shutdown)
// in the middle of a log, so that the next handshake is verified against a state rebuilt from disk.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { commit, proposeRemove } from '@sotto/mls';
import Database from 'better-sqlite3';
import { b64, http, registerUser } from './helpers/client.js';
import { badSignature, commitBody, Member, makeGroup, mlsDeps, type TestGroup } from './helpers/mls-member.js';
import { cleanup, type ServerProcess, startServerProcess, tempDir } from './helpers/server-process.js';

const dataDir = tempDir();
let srv: ServerProcess | undefined;
after(async () => {
  await srv?.stop('SIGKILL');
  cleanup(dataDir);
});

/** What the database holds for the group: its version, the version of its snapshot and the number of logged handshakes. */
function stored(gid: Uint8Array): { version: number; snapshotVersion: number; logged: number } {
  const db = new Database(join(dataDir, 'sotto.db'), { readonly: true, fileMustExist: true });
  try {
    const g = db
      .prepare('SELECT state_version, snapshot_version FROM groups JOIN group_states USING (group_id) WHERE group_id = ?')
      .get(gid) as {
      state_version: number;
      snapshot_version: number;
    };
    const logged = db.prepare('SELECT COUNT(*) FROM group_log WHERE group_id = ?').pluck().get(gid) as number;
    return { version: g.state_version, snapshotVersion: g.snapshot_version, logged };
  } finally {
    db.close();
  }
}

async function restart(): Promise<ServerProcess> {
  await srv?.stop('SIGKILL');
  srv = await startServerProcess({ dataDir, env: { SOTTO_REGISTRATION_OPEN: 'true' } });
  return srv;
}

async function accepted(s: ServerProcess, group: TestGroup, by: Member, out: ReturnType<typeof commit>): Promise<void> {
  const r = await group.commit(s.url, by, out);
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

test('a group state kept as snapshot + handshake log survives a SIGKILL mid-log: the next commits (and a commit of a logged proposal by reference) verify against the state rebuilt from disk; a forged one is still refused', async () => {
  let s = await restart();
  const [alice, bob, carol] = await Promise.all(['gs-alice', 'gs-bob', 'gs-carol'].map((n) => registerUser(s.url, n)));
  const { gid, group } = await makeGroup(s.url, alice!, [bob!, carol!]);
  const [ma, mb] = [group.member(alice!), group.member(bob!)];
  for (let i = 0; i < 3; i++) await accepted(s, group, i % 2 ? ma : mb, (i % 2 ? ma : mb).updateCommit());
  // bob proposes removing carol (a handshake that changes the state without a new epoch: it is logged too)
  const prop = proposeRemove(mlsDeps, mb.state, mb.leafOf(carol!));
  assert.equal((await http(s.url, 'POST', '/v1/messages', { message: b64(prop.message) }, mb.token)).status, 200);
  for (const m of group.members) if (m !== mb) m.receive(prop.message);
  mb.group = prop.group;
  const before = stored(gid);
  assert.ok(
    before.logged >= 1,
    `the latest handshakes (the proposal among them) are in the log, not in a snapshot: ${JSON.stringify(before)}`,
  );
  assert.equal(before.snapshotVersion + before.logged, before.version);

  s = await restart();
  // A forged commit (bad signature) is refused against the rebuilt state; an honest one by reference is accepted.
  const honest = commit(mlsDeps, ma.state, {});
  const forged = await http(s.url, 'POST', '/v1/messages', commitBody({ ...honest, commit: badSignature(honest.commit) }), ma.token);
  assert.equal(forged.status, 400, JSON.stringify(forged.body));
  assert.equal(forged.body.error.code, 'INVALID_COMMIT');
  await accepted(s, group, ma, honest);
  assert.deepEqual(
    group.members.map((m) => m.deviceId).sort(),
    [alice!.deviceId, bob!.deviceId].sort(),
    'the logged proposal was replayed: committing it by reference removed carol',
  );
  const r = await http(s.url, 'GET', `/v1/groups/${Buffer.from(gid).toString('base64url')}`, undefined, mb.token);
  assert.deepEqual([...r.body.members].sort(), [alice!.deviceId, bob!.deviceId].sort());
  assert.equal(r.body.epoch, group.epoch.toString());
});

test('the log is folded into a snapshot every 32 handshakes at most, so a cold load replays a bounded number', async () => {
  let s = await restart();
  const [alice, bob] = await Promise.all(['gs2-alice', 'gs2-bob'].map((n) => registerUser(s.url, n)));
  const { gid, group } = await makeGroup(s.url, alice!, [bob!]);
  const ma = group.member(alice!);
  const seen: number[] = [];
  for (let i = 0; i < 40; i++) {
    await accepted(s, group, ma, ma.updateCommit());
    const now = stored(gid);
    assert.ok(now.logged < 32, `at most 31 handshakes wait in the log: ${JSON.stringify(now)}`);
    assert.equal(now.snapshotVersion + now.logged, now.version);
    seen.push(now.logged);
    if (i === 20) s = await restart();
  }
  assert.ok(seen.includes(0), 'some handshakes were stored as a whole snapshot');
  assert.ok(
    seen.some((n) => n > 0),
    'others only as a log entry',
  );
  // The state rebuilt after the last restart still takes commits from both members.
  await accepted(s, group, group.member(bob!), group.member(bob!).updateCommit());
});

test('a Welcome (it carries the ratchet tree) may exceed limits.maxMessageBytes up to limits.maxWelcomeBytes; past that the commit is refused and nothing changes; messages keep their own limit', async () => {
  const s = await startServerProcess({
    env: { SOTTO_REGISTRATION_OPEN: 'true', SOTTO_MAX_MESSAGE_BYTES: '1024', SOTTO_MAX_WELCOME_BYTES: '2048' },
  });
  try {
    const owner = await registerUser(s.url, 'wl-owner');
    const { group } = await makeGroup(s.url, owner, []);
    const mo = group.member(owner);
    let bigAccepted = 0;
    for (let i = 0; ; i++) {
      const joiner = new Member(await registerUser(s.url, `wl-joiner${i}`));
      const out = mo.addCommit([joiner]);
      assert.ok(out.commit.length <= 1024, `a one-member Add commit fits the message limit (${out.commit.length})`);
      const epoch = group.epoch;
      const r = await group.commit(s.url, mo, out, [joiner]);
      if (out.welcome!.length <= 2048) {
        assert.equal(r.status, 200, JSON.stringify(r.body));
        if (out.welcome!.length > 1024) bigAccepted++;
        continue;
      }
      assert.equal(r.status, 400, `a ${out.welcome!.length}-byte Welcome is over the limit`);
      assert.equal(r.body.error.code, 'VALIDATION');
      assert.equal(group.epoch, epoch);
      const v = await http(s.url, 'GET', `/v1/groups/${Buffer.from(group.gid).toString('base64url')}`, undefined, mo.token);
      assert.equal(v.body.epoch, epoch.toString(), 'the refused commit did not move the group');
      break;
    }
    assert.ok(bigAccepted > 0, 'Welcomes over maxMessageBytes were accepted');
    const big = await http(s.url, 'POST', '/v1/messages', { message: b64(mo.encrypt('x'.repeat(1100))) }, mo.token);
    assert.equal(big.status, 400, 'an application message over maxMessageBytes is still refused');
  } finally {
    await s.stop();
    cleanup(s.dataDir);
  }
});
