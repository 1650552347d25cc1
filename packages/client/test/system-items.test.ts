// System items: every membership, role, timer and name change of a conversation leaves one line in its history, on
// the device that made it and on the others, structured (for apps to word) and in English (for the CLI).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GroupMeta } from '../src/conversation/group-meta.js';
import { conversationChanges, systemText } from '../src/engine/conversation-changes.js';
import { clientWorld, eventually } from './helpers/clients.js';

const meta = (o: Partial<GroupMeta> = {}): GroupMeta => ({ v: 2, kind: 'group', owner: 'a@x', admins: ['a@x'], timerSeconds: 0, ...o });

describe('conversationChanges (pure)', () => {
  test('members added and removed, sorted; a member who removed only themselves "left"', () => {
    const c = conversationChanges({ meta: meta(), accounts: ['a@x', 'b@x'] }, { meta: meta(), accounts: ['a@x', 'd@x', 'c@x'] }, 'a@x');
    assert.deepEqual(c, [
      { type: 'members-added', by: 'a@x', accounts: ['c@x', 'd@x'] },
      { type: 'members-removed', by: 'a@x', accounts: ['b@x'] },
    ]);
    assert.equal(systemText({ type: 'members-removed', by: 'b@x', accounts: ['b@x'] }), 'b@x left');
  });
  test('roles of members who stayed, and the timer; nothing when nothing changed', () => {
    const before = { meta: meta(), accounts: ['a@x', 'b@x'] };
    const after = { meta: meta({ admins: ['a@x', 'b@x'], timerSeconds: 300 }), accounts: ['a@x', 'b@x'] };
    assert.deepEqual(conversationChanges(before, after, 'a@x'), [
      { type: 'role', by: 'a@x', account: 'b@x', role: 'admin' },
      { type: 'timer', by: 'a@x', seconds: 300 },
    ]);
    assert.equal(systemText({ type: 'timer', by: 'a@x', seconds: 300 }), 'a@x set disappearing messages to 5 minutes');
    assert.deepEqual(conversationChanges(before, before, 'a@x'), []);
  });
  test("a 1:1's members are not news, its timer is", () => {
    const d = meta({ kind: 'direct', admins: ['a@x', 'b@x'] });
    const c = conversationChanges({ meta: d, accounts: ['a@x'] }, { meta: { ...d, timerSeconds: 60 }, accounts: ['a@x', 'b@x'] }, 'a@x');
    assert.deepEqual(c, [{ type: 'timer', by: 'a@x', seconds: 60 }]);
  });
});

describe('system items in a real group', () => {
  const w = clientWorld();
  test('add, remove, role, timer and rename each leave one line on every member, once', async () => {
    const [alice, bob, carol] = [await w.user('sys-a'), await w.user('sys-b'), await w.user('sys-c')];
    const g = await alice.createGroup({ name: 'first name', members: ['sys-b@localhost'] });
    await eventually(() => bob.getConversation(g.id), 20_000, 'bob joins');
    await bob.acceptRequest(g.id);
    await alice.addMembers(g.id, ['sys-c@localhost']);
    await alice.setRole(g.id, 'sys-b@localhost', 'admin');
    await alice.setDisappearingTimer(g.id, 3600);
    await alice.setDisappearingTimer(g.id, 0);
    await alice.rename(g.id, 'second name');
    await alice.removeMembers(g.id, ['sys-c@localhost']);
    const expected = [
      'members-added:sys-a@localhost:sys-c@localhost',
      'role:sys-a@localhost:sys-b@localhost:admin',
      'timer:sys-a@localhost:3600',
      'timer:sys-a@localhost:0',
      'rename:sys-a@localhost:second name',
      'members-removed:sys-a@localhost:sys-c@localhost',
    ];
    const lines = async (c: typeof alice) =>
      (await c.listMessages(g.id))
        .filter((m) => m.system && m.system.type !== 'device')
        .map((m) => {
          const s = m.system!;
          if (s.type === 'members-added' || s.type === 'members-removed') return `${s.type}:${s.by}:${s.accounts.join(',')}`;
          if (s.type === 'role') return `role:${s.by}:${s.account}:${s.role}`;
          if (s.type === 'timer') return `timer:${s.by}:${s.seconds}`;
          if (s.type === 'rename') return `rename:${s.by}:${s.name}`;
          return s.type;
        });
    // Alice's own creation commit added bob: her history starts with that line.
    assert.deepEqual(await lines(alice), ['members-added:sys-a@localhost:sys-b@localhost', ...expected]);
    await eventually(async () => (await lines(bob)).length >= expected.length, 20_000, "bob's lines");
    assert.deepEqual(await lines(bob), expected);
    // Carol, removed, is told by whom; her history keeps what she saw while a member.
    await eventually(async () => (await carol.listMessages(g.id)).some((m) => m.system?.type === 'members-removed'), 20_000, 'carol told');
    const carolLast = (await carol.listMessages(g.id)).filter((m) => m.kind === 'system').pop();
    assert.equal(carolLast?.text, 'sys-a@localhost removed sys-c@localhost');
    // Processing again (a restart and catch-up) adds nothing.
    await bob.sync();
    assert.deepEqual(await lines(bob), expected);
  });
});

describe('block and unblock', () => {
  const w = clientWorld();
  test('while blocked, messages are dropped; after unblock the conversation is a request again and new messages arrive', async () => {
    const [bob, carol] = [await w.user('blk-b'), await w.user('blk-c')];
    const conv = await carol.createDirect('blk-b@localhost');
    await carol.sendText(conv.id, 'first');
    await eventually(async () => (await bob.listMessages(conv.id).catch(() => [])).length > 0, 20_000, 'the request');
    await bob.block('blk-c@localhost');
    assert.equal(bob.getConversation(conv.id)?.state, 'blocked');
    await carol.sendText(conv.id, 'while blocked');
    await carol.flush(20_000);
    await bob.sync(); // processed (and dropped) while blocked
    await bob.unblock('blk-c@localhost');
    assert.equal(bob.getConversation(conv.id)?.state, 'request', 'back as a request, not accepted');
    await carol.sendText(conv.id, 'after unblock');
    const texts = async () => (await bob.listMessages(conv.id)).map((m) => m.text);
    await eventually(async () => (await texts()).includes('after unblock'), 20_000, 'the message after unblock');
    // Messages are processed in order: by the time the later one is here, the one sent while blocked was dropped.
    assert.ok(!(await texts()).includes('while blocked'));
  });
});
