// Resync by external commit through the server (RFC 9420 §12.4.3.1-2; mls docs/public-group.md, V-DS-03): a commit
// may carry its committer's GroupInfo of the new epoch, which the server checks against its PublicGroup and hands out,
// with its own ratchet tree, to devices of accounts in the group, against a real server process.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createGroupInfo, joinByExternalCommit, proposeUpdateKey } from '@sotto/mls';
import { addDevice, b64, type Device, http, registerUser, unb64 } from './helpers/client.js';
import { commitBody, credentialOf, GROUP_CONFIG, makeGroup, type Member, mlsDeps } from './helpers/mls-member.js';
import { cleanup, type ServerProcess, startServerProcess } from './helpers/server-process.js';

let srv: ServerProcess;
before(async () => {
  srv = await startServerProcess({ env: { SOTTO_REGISTRATION_OPEN: 'true' } });
});
after(async () => {
  await srv.stop();
  cleanup(srv.dataDir);
});

let users = 0;
const user = (name: string) => registerUser(srv.url, `${name}-${++users}`);
const submit = (body: Record<string, unknown>, by: Device | Member) => http(srv.url, 'POST', '/v1/messages', body, by.token);
const groupInfoOf = (gid: Uint8Array, by: Device) =>
  http(srv.url, 'GET', `/v1/groups/${Buffer.from(gid).toString('base64url')}/group-info`, undefined, by.token);
/** The GroupInfo a committer uploads: the new epoch's, with external_pub and without the tree (the server has it). */
const newEpochInfo = (state: Member['group']) => createGroupInfo(mlsDeps, state!, { externalPub: true });

test('a commit carries its GroupInfo of the new epoch; a device of an account in the group fetches it with the tree and rejoins', async () => {
  const [alice, bob, eve] = await Promise.all([user('r-alice'), user('r-bob'), user('r-eve')]);
  const alice2 = await addDevice(srv.url, alice!.account);
  const { group, gid } = await makeGroup(srv.url, alice!, [bob!]);
  const [ma, mb] = [group.member(alice!), group.member(bob!)];
  // Nothing uploaded yet.
  assert.equal((await groupInfoOf(gid, alice2)).body.error?.code, 'NOT_FOUND');
  const out = mb.updateCommit();
  const r = await submit({ ...commitBody(out), groupInfo: b64(newEpochInfo(out.group)) }, mb);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  group.accepted(mb, out);
  // eve's account has no device in the group.
  assert.equal((await groupInfoOf(gid, eve!)).body.error?.code, 'UNKNOWN_GROUP');
  const got = await groupInfoOf(gid, alice2);
  assert.equal(got.status, 200, JSON.stringify(got.body));
  assert.equal(got.body.epoch, '2');
  const join = joinByExternalCommit(mlsDeps, unb64(got.body.groupInfo), {
    credential: credentialOf(alice2),
    signaturePrivateKey: alice2.sk,
    ratchetTree: unb64(got.body.ratchetTree),
    config: GROUP_CONFIG,
  });
  const joined = await submit({ message: b64(join.commit), groupInfo: b64(newEpochInfo(join.group)) }, alice2);
  assert.equal(joined.status, 200, JSON.stringify(joined.body));
  ma.receive(join.commit);
  mb.receive(join.commit);
  const g = await http(srv.url, 'GET', `/v1/groups/${Buffer.from(gid).toString('base64url')}`, undefined, alice!.token);
  assert.deepEqual([...g.body.members].sort(), [alice!.deviceId, alice2.deviceId, bob!.deviceId].sort());
  // The joiner's own GroupInfo now serves the next resync.
  assert.equal((await groupInfoOf(gid, bob!)).body.epoch, '3');
  // A commit without one leaves no GroupInfo of the current epoch.
  const next = ma.updateCommit();
  assert.equal((await submit(commitBody(next), ma)).status, 200);
  group.accepted(ma, next);
  assert.equal((await groupInfoOf(gid, alice2)).body.error?.code, 'NOT_FOUND');
});

test('a GroupInfo that is not of the epoch the commit makes, or has no external_pub, is refused with its commit (V-DS-03)', async () => {
  const [alice, bob] = await Promise.all([user('v-alice'), user('v-bob')]);
  const { group, gid } = await makeGroup(srv.url, alice!, [bob!]);
  const ma = group.member(alice!);
  const epochOf = async () =>
    (await http(srv.url, 'GET', `/v1/groups/${Buffer.from(gid).toString('base64url')}`, undefined, alice!.token)).body.epoch;
  const out = ma.updateCommit();
  const other = ma.updateCommit(); // the same epoch, another commit: another confirmation tag and tree
  for (const gi of [
    newEpochInfo(ma.state), // the old epoch's
    newEpochInfo(other.group),
    createGroupInfo(mlsDeps, out.group, { externalPub: false }),
  ]) {
    const r = await submit({ ...commitBody(out), groupInfo: b64(gi) }, ma);
    assert.equal(r.body.error?.code, 'INVALID_COMMIT', JSON.stringify(r.body));
    assert.equal(r.body.error?.rule, 'V-DS-03');
  }
  // Not a GroupInfo at all; with a proposal; with an application message.
  assert.equal((await submit({ ...commitBody(out), groupInfo: b64(out.commit) }, ma)).status, 400);
  const prop = proposeUpdateKey(mlsDeps, ma.state);
  assert.equal((await submit({ message: b64(prop.message), groupInfo: b64(newEpochInfo(out.group)) }, ma)).body.error?.code, 'VALIDATION');
  assert.equal(
    (await submit({ message: b64(ma.encrypt('hi')), groupInfo: b64(newEpochInfo(out.group)) }, ma)).body.error?.code,
    'VALIDATION',
  );
  assert.equal(await epochOf(), '1');
  const ok = await submit({ ...commitBody(out), groupInfo: b64(newEpochInfo(out.group)) }, ma);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(await epochOf(), '2');
});
