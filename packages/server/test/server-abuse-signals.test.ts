// Abuse signals from metadata (src/abuse/, docs/abuse-signals.md) against the real server in-process, with a clock the
// test moves: an account that messages 200 strangers trips its thresholds, is throttled (first contacts slowed, no new
// groups) and flagged once; a normal account never trips; an old account has looser thresholds than a young one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { signGroupOwner } from '@sotto/identity';
import { encodeGroupMeta, GROUP_META_EXTENSION, type GroupMeta, withOwnerProof } from '@sotto/protocol';
import type { ModerationFlags } from '../src/abuse/abuse-signals.js';
import type { SqliteStorage } from '../src/storage/sqlite/sqlite-storage.js';
import { b64, type Device, http, newAccount, newDevice, registerUser } from './helpers/client.js';
import { type InProcessServer, startInProcess } from './helpers/in-process.js';
import { Member, TestGroup } from './helpers/mls-member.js';
import { SERVER_CMD } from './helpers/server-process.js';

const MINUTE = 60_000;

/** The operator's command line (no SOTTO_* variable from the test's environment). */
function runCli(args: string[], config: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SOTTO_')));
  const r = spawnSync(process.execPath, [...SERVER_CMD, ...args], { env: { ...env, ...config }, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

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
  const joiners = others.map((d) => new Member(d, { extensions: [GROUP_META_EXTENSION] }));
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
    assert.equal(await s.metric('sotto_limit_refusals_total{limit="abuse_throttled_groups"}'), 180);
    assert.equal(await s.metric('sotto_limit_refusals_total{limit="abuse_throttled_first_contacts"}'), 3);
    assert.ok(Date.now() - started < 60_000, `took ${Date.now() - started} ms`);
  } finally {
    await s.stop();
  }
});

test('abuse signals: a normal account (a few contacts who reply, a group of friends) never trips', async () => {
  const moderation = new RecordingModeration();
  const s = await startInProcess({}, { moderation });
  try {
    const [alice, bob, carol, dave] = await Promise.all(['n-alice', 'n-bob', 'n-carol', 'n-dave'].map((n) => registerUser(s.url, n)));
    const chats = [];
    for (const friend of [bob!, carol!, dave!]) chats.push({ friend, g: await directChat(s.url, alice!, friend) });
    for (let round = 0; round < 20; round++) {
      for (const { friend, g } of chats) {
        assert.equal((await send(s.url, g, friend, `reply ${round}`)).status, 200);
        assert.equal((await send(s.url, g, alice!, `answer ${round}`)).status, 200);
      }
      s.clock.advance(MINUTE);
    }
    // A group of people alice already talks to: nobody in it is a stranger to her.
    const c = await createConversation(s.url, alice!, 'group', [alice!.account.name]);
    assert.equal((await add(s.url, c.group, [bob!, carol!, dave!])).status, 200);
    for (let i = 0; i < 10; i++) assert.equal((await send(s.url, c.group, alice!, `group ${i}`)).status, 200);
    const sig = await signals(s, alice!);
    assert.equal(sig.young, true);
    assert.deepEqual(sig.counts, {
      firstContacts: 3,
      messageRequests: 3,
      strangersAddedToGroups: 0,
      groupsCreated: 4,
      // The first message of each 1:1, before its reply, and 3 of the group's 10 (nobody else wrote there yet; at most
      // 3 count per conversation).
      unansweredMessages: 6,
      declinedRequests: 0,
      reports: 0,
    });
    assert.equal(sig.throttle, null);
    for (const friend of [bob!, carol!, dave!]) assert.equal((await signals(s, friend)).throttle, null);
    assert.deepEqual(moderation.flags, []);
  } finally {
    await s.stop();
  }
});

test('abuse signals: an old account has looser thresholds than a young one', async () => {
  const moderation = new RecordingModeration();
  const s = await startInProcess(
    {
      SOTTO_TOKEN_TTL_SECONDS: '86400',
      SOTTO_NEW_ACCOUNT_AGE_SECONDS: '3600',
      SOTTO_ABUSE_MAX_FIRST_CONTACTS: '6',
      SOTTO_ABUSE_YOUNG_MAX_FIRST_CONTACTS: '3',
    },
    { moderation },
  );
  try {
    const old = await registerUser(s.url, 'o-old');
    s.clock.advance(2 * 60 * MINUTE);
    const young = await registerUser(s.url, 'o-young');
    const strangers = await registerMany(s.url, 'o-stranger', 12);
    const groupOf = async (owner: Device, others: Device[]) => {
      const c = await createConversation(s.url, owner, 'group', [owner.account.name]);
      assert.equal((await add(s.url, c.group, others)).status, 200);
      return c.group;
    };
    await groupOf(old, strangers.slice(0, 5));
    await groupOf(young, strangers.slice(5, 10));
    const [o, y] = [await signals(s, old), await signals(s, young)];
    assert.equal(o.young, false);
    assert.equal(y.young, true);
    assert.equal(o.counts.strangersAddedToGroups, 5);
    assert.equal(o.throttle, null, '5 first contacts are within the 6 of an old account');
    assert.deepEqual(y.throttle?.signals, [{ signal: 'firstContacts', value: 5, threshold: 3 }]);
    // Two more make 7 for the old account: past its threshold too.
    await groupOf(old, strangers.slice(10, 12));
    assert.deepEqual((await signals(s, old)).throttle?.signals, [{ signal: 'firstContacts', value: 7, threshold: 6 }]);
    assert.deepEqual(
      moderation.flags.map((f) => f.account),
      [young.account.name, old.account.name],
    );
  } finally {
    await s.stop();
  }
});

test('abuse signals: POST /v1/requests/declined counts only real requests, once per pair', async () => {
  const s = await startInProcess();
  try {
    const [spammer, victim, friend, bystander] = await Promise.all(
      ['d-spammer', 'd-victim', 'd-friend', 'd-bystander'].map((n) => registerUser(s.url, n)),
    );
    const decline = (by: Device, account: Device) =>
      http(s.url, 'POST', '/v1/requests/declined', { account: account.account.name }, by.token);
    // friend talks with spammer first (friend made the contact), then spammer messages the victim, a stranger.
    await directChat(s.url, friend!, spammer!);
    await directChat(s.url, spammer!, victim!);
    // Someone who never got a request from spammer cannot count one: no shared group, or the contact was not spammer's.
    assert.deepEqual((await decline(bystander!, spammer!)).body, { counted: false });
    assert.deepEqual((await decline(friend!, spammer!)).body, { counted: false }, 'friend added spammer, not the reverse');
    assert.deepEqual((await decline(spammer!, victim!)).body, { counted: false }, 'victim made no request to spammer');
    assert.deepEqual((await decline(spammer!, spammer!)).body, { counted: false });
    assert.equal((await signals(s, spammer!)).counts.declinedRequests, 0);
    // The victim's decline counts, once.
    assert.deepEqual((await decline(victim!, spammer!)).body, { counted: true });
    assert.deepEqual((await decline(victim!, spammer!)).body, { counted: false }, 'idempotent');
    assert.equal((await signals(s, spammer!)).counts.declinedRequests, 1);
    assert.equal((await signals(s, friend!)).counts.declinedRequests, 0);
    // Session-authenticated, and the body is checked.
    assert.equal((await http(s.url, 'POST', '/v1/requests/declined', { account: spammer!.account.name })).status, 401);
    assert.equal((await http(s.url, 'POST', '/v1/requests/declined', { account: 1 }, victim!.token)).status, 400);
  } finally {
    await s.stop();
  }
});

test('abuse signals: declines and reports trip their own thresholds; an operator sees the signals and lifts the throttle', async () => {
  const moderation = new RecordingModeration();
  const config = { SOTTO_ABUSE_YOUNG_MAX_DECLINED_REQUESTS: '2', SOTTO_ABUSE_YOUNG_MAX_REPORTS: '5' };
  const s = await startInProcess(config, { moderation });
  try {
    const spammer = await registerUser(s.url, 'u-spammer');
    const victims = await Promise.all([0, 1, 2].map((i) => registerUser(s.url, `u-victim-${i}`)));
    for (const v of victims) await directChat(s.url, spammer, v);
    for (const v of victims) await http(s.url, 'POST', '/v1/requests/declined', { account: spammer.account.name }, v.token);
    await s.server.abuse.onReported(spammer.account.name, s.clock.now());
    assert.deepEqual(
      moderation.flags.map((f) => f.signals),
      [[{ signal: 'declinedRequests', value: 3, threshold: 2 }]],
    );
    assert.equal((await signals(s, spammer)).counts.reports, 1);

    const cli = (...args: string[]) => {
      const r = runCli(['admin', 'accounts', ...args, '--data-dir', s.dataDir], config);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    };
    const shown = JSON.parse(cli('signals', spammer.account.name, '--json'));
    assert.equal(shown.account, spammer.account.name);
    assert.equal(shown.counts.declinedRequests, 3);
    assert.equal(shown.counts.firstContacts, 3);
    assert.deepEqual(shown.throttle.signals, [{ signal: 'declinedRequests', value: 3, threshold: 2 }]);
    assert.match(cli('signals', spammer.account.name), /declinedRequests\s+3 \/ 2\n {2}reports\s+1 \/ 5\nthrottled until /);
    assert.match(cli('unthrottle', spammer.account.name), /is no longer throttled/);
    const after = await signals(s, spammer);
    assert.equal(after.throttle, null);
    assert.equal(after.counts.declinedRequests, 0, 'the signals start again from zero');
    const c = await createConversation(s.url, spammer, 'group', [spammer.account.name]);
    assert.equal(c.r.status, 201, 'groups can be created again');
    assert.match(cli('signals', spammer.account.name), /not throttled$/m);
    // Deleting the account deletes its abuse rows, the requests it made included.
    await s.server.sweep();
    const db = (s.server.storage as SqliteStorage).db;
    const naming = () =>
      (db.prepare('SELECT COUNT(*) AS n FROM abuse_requests WHERE requester = ?').get(spammer.account.name) as { n: number }).n +
      (db.prepare('SELECT COUNT(*) AS n FROM abuse_counts WHERE account = ?').get(spammer.account.name) as { n: number }).n;
    assert.ok(naming() > 0);
    cli('delete', spammer.account.name, '--yes');
    assert.equal(naming(), 0);
  } finally {
    await s.stop();
  }
});

test('abuse signals: the sweep deletes window data that grew old (injected clock); counts survive until then', async () => {
  const s = await startInProcess({ SOTTO_TOKEN_TTL_SECONDS: '604800', SOTTO_ABUSE_YOUNG_MAX_FIRST_CONTACTS: '1' });
  try {
    const [a, b, c] = await Promise.all(['w-a', 'w-b', 'w-c'].map((n) => registerUser(s.url, n)));
    await directChat(s.url, a!, b!);
    await directChat(s.url, a!, c!);
    const db = (s.server.storage as SqliteStorage).db;
    const rows = () =>
      Object.fromEntries(
        ['abuse_counts', 'abuse_requests', 'abuse_conversations', 'abuse_throttles'].map((t) => [
          t,
          (db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n,
        ]),
      );
    await s.server.sweep(); // flushes the unanswered-message counters held in memory
    const before = rows();
    assert.ok(before.abuse_counts! > 0 && before.abuse_conversations === 2 && before.abuse_throttles === 1, JSON.stringify(before));
    assert.equal(before.abuse_requests, 2);
    // A day later (the window and the throttle): counters, conversations and the throttle go; requests stay 30 days.
    s.clock.advance(25 * 60 * MINUTE);
    await s.server.sweep();
    assert.deepEqual(rows(), { abuse_counts: 0, abuse_requests: 2, abuse_conversations: 0, abuse_throttles: 0 });
    assert.equal((await signals(s, a!)).counts.firstContacts, 0);
    s.clock.advance(30 * 24 * 60 * MINUTE);
    await s.server.sweep();
    assert.equal(rows().abuse_requests, 0);
  } finally {
    await s.stop();
  }
});
