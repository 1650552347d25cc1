// Tests for the engine's local-intent decisions (send, message intents, create, add, remove, rename, roles, timer) and
// the pending-commit decision: plain data in, plain data out (no store, no server, no MLS).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConversationInfo, StoredMessage } from '../src/client/types.js';
import { type ContentBody, LIMITS } from '../src/content/content-types.js';
import type { GroupMeta } from '../src/conversation/group-meta.js';
import {
  addClaimsRefusal,
  adminsAfterRemoval,
  applyLocalChange,
  commitRefusal,
  createClaimsRefusal,
  decidePendingCommit,
  envelope,
  freshKeyPackages,
  leavesToRemove,
  type MessageIntentDecision,
  metaChangeRefusal,
  needsServerGroupInfo,
  outboxMaySend,
  peerToRestore,
  pendingStillApplies,
  reduceAdd,
  attachmentExtrasRefusal,
  reduceAttachment,
  reduceCreateDirect,
  reduceCreateGroup,
  reduceDelete,
  reduceEdit,
  reduceReaction,
  reduceReadReceipt,
  reduceRemove,
  reduceRename,
  reduceSend,
  reduceText,
  reduceTyping,
  type SendIntent,
  type SendState,
  timerRefusal,
  withoutAdmins,
  withRole,
} from '../src/engine/index.js';
import { BOB, CONV, leaf, ME, NOW, record } from './helpers/engine-fixtures.js';
import { toHex } from '../src/util/bytes.js';
import { SecretBytes } from '../src/util/secret-bytes.js';

const CAROL = 'carol@localhost';
const mid = (n: number): Uint8Array => new Uint8Array(16).fill(n);
const group = (over: Partial<GroupMeta> = {}): GroupMeta => ({ v: 2, kind: 'group', owner: ME, admins: [ME], timerSeconds: 0, ...over });
const direct = (over: Partial<GroupMeta> = {}): GroupMeta => group({ kind: 'direct', admins: [ME, BOB], ...over });

/** The refusal of a decision, or a failure naming what came instead. */
function refusalOf(d: { kind: string; refusal?: { code: string; message: string } }): { code: string; message: string } {
  assert.equal(d.kind, 'refuse');
  return d.refusal!;
}

/** The sent part of a message-intent decision. */
function sent(d: MessageIntentDecision): Extract<MessageIntentDecision, { kind: 'send' }> {
  assert.equal(d.kind, 'send');
  return d as Extract<MessageIntentDecision, { kind: 'send' }>;
}

describe('commitRefusal and outboxMaySend', () => {
  it('refuses a commit from a removed device or a conversation frozen by a policy violation, and allows one otherwise', () => {
    assert.deepEqual(commitRefusal(record({ state: 'removed' })), {
      code: 'FORBIDDEN',
      message: `this device is no longer in conversation ${CONV}`,
    });
    assert.deepEqual(commitRefusal(record({ policyViolation: 'only admins add members' })), {
      code: 'FORBIDDEN',
      message: 'the conversation is frozen after a policy violation',
    });
    assert.equal(commitRefusal(record()), undefined);
    assert.equal(commitRefusal(record({ state: 'request' })), undefined);
  });

  it('lets the outbox send only for a known conversation this device is in and that is not frozen', () => {
    assert.equal(outboxMaySend(undefined), false);
    assert.equal(outboxMaySend(record({ state: 'removed' })), false);
    assert.equal(outboxMaySend(record({ policyViolation: 'x' })), false);
    assert.equal(outboxMaySend(record({ security: { code: 'IDENTITY_MISMATCH', account: BOB } })), false);
    assert.equal(outboxMaySend(record()), true);
    assert.equal(outboxMaySend(record({ state: 'request' })), true);
  });
});

describe('envelope', () => {
  it('gives a message the timer as expiresIn and the server TTL', () => {
    const { content, ttl } = envelope({ type: 'text', text: 'hi' }, 60, mid(1), NOW);
    assert.deepEqual(content, { messageId: mid(1), sentAt: NOW, expiresIn: 60, body: { type: 'text', text: 'hi' } });
    assert.equal(ttl, 60);
  });

  it('never makes typing or receipts disappear on the timer, but still gives them the TTL', () => {
    const bodies: ContentBody[] = [
      { type: 'typing', state: 'start' },
      { type: 'delivery-receipt', messageIds: [mid(2)] },
      { type: 'read-receipt', messageIds: [mid(2)] },
    ];
    for (const body of bodies) {
      const { content, ttl } = envelope(body, 60, mid(1), NOW);
      assert.equal(content.expiresIn, undefined, body.type);
      assert.equal(ttl, 60);
    }
  });

  it('has no expiresIn without a timer', () => {
    const { content, ttl } = envelope({ type: 'text', text: 'hi' }, 0, mid(1), NOW);
    assert.equal('expiresIn' in content, false);
    assert.equal(ttl, 0);
  });
});

describe('reduceSend', () => {
  const st = (over: Partial<SendState> = {}): SendState => ({
    conversationId: CONV,
    record: record(),
    meta: group({ admins: [ME, BOB] }),
    me: { account: ME, deviceId: 'alice-phone' },
    leafAccounts: [ME, BOB],
    unacceptedKeys: new Set(),
    ...over,
  });
  const text = (over: Partial<SendIntent> = {}): SendIntent => ({
    body: { type: 'text', text: 'hello' },
    store: true,
    extra: { text: 'hello' },
    messageId: mid(7),
    now: NOW,
    ...over,
  });

  it('refuses from a removed device, naming the conversation', () => {
    assert.deepEqual(refusalOf(reduceSend(st({ record: record({ state: 'removed' }) }), text())), {
      code: 'FORBIDDEN',
      message: `this device is no longer in conversation ${CONV}`,
    });
  });

  it('refuses in a conversation frozen after a refused commit', () => {
    const d = reduceSend(st({ record: record({ security: { code: 'IDENTITY_MISMATCH', account: BOB } }) }), text());
    assert.deepEqual(refusalOf(d), { code: 'FORBIDDEN', message: `conversation ${CONV} is frozen after a refused commit` });
  });

  it('refuses while a member has an unaccepted key change, naming the first such member', () => {
    const d = reduceSend(st({ leafAccounts: [ME, CAROL, BOB], unacceptedKeys: new Set([BOB, CAROL]) }), text());
    assert.deepEqual(refusalOf(d), {
      code: 'KEY_CHANGE_UNACCEPTED',
      message: `the account key of ${CAROL} changed: compare the new safety number and accept it`,
    });
  });

  it("counts a 1:1's peer even without a device in the group, but not a group admin without one", () => {
    const alone = { leafAccounts: [ME], unacceptedKeys: new Set([BOB]) };
    assert.equal(refusalOf(reduceSend(st({ ...alone, meta: direct() }), text())).code, 'KEY_CHANGE_UNACCEPTED');
    assert.equal(reduceSend(st({ ...alone, meta: group({ admins: [ME, BOB] }) }), text()).kind, 'send');
  });

  it('stores our message as sending, with its expiry, marks it processed and queues it with the TTL, in that order', () => {
    const d = reduceSend(st({ meta: group({ timerSeconds: 30 }) }), text());
    assert.equal(d.kind, 'send');
    if (d.kind !== 'send') return;
    const id = toHex(mid(7));
    assert.equal(d.messageId, id);
    assert.deepEqual(d.content, { messageId: mid(7), sentAt: NOW, expiresIn: 30, body: { type: 'text', text: 'hello' } });
    assert.deepEqual(
      d.effects.map((e) => e.kind),
      ['put-message', 'set-expiry', 'mark-processed', 'queue-outbox'],
    );
    assert.deepEqual(d.effects[0], {
      kind: 'put-message',
      conversationId: CONV,
      messageId: id,
      record: {
        id,
        sender: ME,
        senderDevice: 'alice-phone',
        outgoing: true,
        sentAt: NOW,
        receivedAt: NOW,
        kind: 'text',
        reactions: {},
        status: 'sending',
        expiresAt: NOW + 30_000,
        text: 'hello',
      },
    });
    assert.deepEqual(d.effects[1], { kind: 'set-expiry', conversationId: CONV, messageId: id, at: NOW + 30_000 });
    assert.deepEqual(d.effects[2], { kind: 'mark-processed', key: `msg:${id}` });
    assert.deepEqual(d.effects[3], { kind: 'queue-outbox', conversationId: CONV, messageId: id, content: d.content, ttlSeconds: 30 });
  });

  it('lets the intent override the record defaults (an attachment is not a text)', () => {
    const d = reduceSend(st(), text({ extra: { kind: 'attachment', contentKey: 'ab' } }));
    assert.equal(d.kind, 'send');
    if (d.kind !== 'send') return;
    const put = d.effects[0];
    assert.equal(put?.kind, 'put-message');
    if (put?.kind !== 'put-message') return;
    assert.equal(put.record.kind, 'attachment');
    assert.equal(put.record.contentKey, 'ab');
  });

  it('only marks and queues a body that is not kept in the log; no TTL, no expiry without a timer', () => {
    const d = reduceSend(st(), text({ body: { type: 'typing', state: 'start' }, store: false }));
    assert.equal(d.kind, 'send');
    if (d.kind !== 'send') return;
    const id = toHex(mid(7));
    assert.deepEqual(d.effects, [
      { kind: 'mark-processed', key: `msg:${id}` },
      { kind: 'queue-outbox', conversationId: CONV, messageId: id, content: d.content },
    ]);
  });

  it('stores a message without expiry when the conversation has no timer', () => {
    const d = reduceSend(st(), text());
    assert.equal(d.kind, 'send');
    if (d.kind !== 'send') return;
    assert.deepEqual(
      d.effects.map((e) => e.kind),
      ['put-message', 'mark-processed', 'queue-outbox'],
    );
  });
});

const stored = (over: Partial<StoredMessage & { contentKey: string }> = {}): StoredMessage & { contentKey?: string } => ({
  id: toHex(mid(3)),
  conversationId: CONV,
  seq: 1,
  sender: ME,
  senderDevice: 'alice-phone',
  outgoing: true,
  sentAt: NOW - 10_000,
  receivedAt: NOW - 10_000,
  kind: 'text',
  text: 'old',
  reactions: {},
  ...over,
});

describe('message intents', () => {
  const target = toHex(mid(3));

  it('sends a text and keeps it in the log', () => {
    const d = sent(reduceText({ text: 'hi' }));
    assert.deepEqual(d.body, { type: 'text', text: 'hi' });
    assert.deepEqual(d.store, { text: 'hi' });
    assert.equal(d.local, undefined);
  });

  it('sends a reply naming its target, with the quote only when there is one', () => {
    const d = sent(reduceText({ text: 'yes', replyTo: target, quote: 'old' }));
    assert.deepEqual(d.body, { type: 'reply', target: mid(3), text: 'yes', quote: 'old' });
    assert.deepEqual(d.store, { text: 'yes', replyTo: target, quote: 'old' });
    const bare = sent(reduceText({ text: 'yes', replyTo: target }));
    assert.deepEqual(bare.body, { type: 'reply', target: mid(3), text: 'yes' });
    assert.deepEqual(bare.store, { text: 'yes', replyTo: target });
  });

  it('reacts on our copy first, then sends the reaction; it is not a message of its own', () => {
    const d = sent(reduceReaction(ME, { target, emoji: '👍', action: 'remove' }));
    assert.deepEqual(d.body, { type: 'reaction', target: mid(3), emoji: '👍', action: 'remove' });
    assert.deepEqual(d.local, { target, change: { kind: 'react', account: ME, emoji: '👍', action: 'remove' } });
    assert.equal(d.store, undefined);
  });

  describe('reduceEdit', () => {
    const facts = (current: StoredMessage | undefined, now = NOW) => ({ me: ME, current, now, editWindowSeconds: 60 });

    it('refuses an unknown message', () => {
      assert.deepEqual(refusalOf(reduceEdit(facts(undefined), { target, text: 'new' })), {
        code: 'UNKNOWN_MESSAGE',
        message: 'no such message',
      });
    });

    it("refuses another account's message, an attachment and a deleted message", () => {
      for (const cur of [stored({ sender: BOB }), stored({ kind: 'attachment' }), stored({ deleted: true })]) {
        assert.deepEqual(refusalOf(reduceEdit(facts(cur), { target, text: 'new' })), {
          code: 'FORBIDDEN',
          message: 'only your own text messages can be edited',
        });
      }
    });

    it('refuses after the edit window, and allows an edit at its very end', () => {
      const cur = stored({ sentAt: NOW - 60_000 });
      assert.equal(reduceEdit(facts(cur), { target, text: 'new' }).kind, 'send');
      assert.deepEqual(refusalOf(reduceEdit(facts(cur, NOW + 1), { target, text: 'new' })), {
        code: 'EDIT_WINDOW',
        message: 'the edit window has passed',
      });
    });

    it('edits our copy with the time of the edit and sends the edit', () => {
      const d = sent(reduceEdit(facts(stored()), { target, text: 'new' }));
      assert.deepEqual(d.body, { type: 'edit', target: mid(3), text: 'new' });
      assert.deepEqual(d.local, { target, change: { kind: 'edit', text: 'new', editedAt: NOW } });
      assert.equal(d.store, undefined);
    });
  });

  describe('reduceDelete', () => {
    it("refuses an unknown message and another account's message", () => {
      assert.equal(refusalOf(reduceDelete({ me: ME, current: undefined }, { target })).code, 'UNKNOWN_MESSAGE');
      assert.deepEqual(refusalOf(reduceDelete({ me: ME, current: stored({ sender: BOB }) }, { target })), {
        code: 'FORBIDDEN',
        message: 'only your own messages can be deleted for everyone',
      });
    });

    it('tombstones our copy and sends the delete, also for our own attachment', () => {
      const d = sent(reduceDelete({ me: ME, current: stored({ kind: 'attachment' }) }, { target }));
      assert.deepEqual(d.body, { type: 'delete', target: mid(3) });
      assert.deepEqual(d.local, { target, change: { kind: 'delete' } });
    });
  });

  it('sends an attachment with its key and keeps it in the log with the key in hex', () => {
    const hash = 'ab'.repeat(32);
    const key = new Uint8Array(32).fill(5);
    const d = sent(reduceAttachment({ hash, key, size: 10, mimeType: 'image/png', fileName: 'a.png' }));
    assert.equal(d.body.type, 'attachment');
    if (d.body.type !== 'attachment') return;
    assert.ok(d.body.contentKey instanceof SecretBytes);
    assert.deepEqual(d.body.contentKey.expose(), key);
    assert.deepEqual(d.body.blobId, new Uint8Array(32).fill(0xab));
    assert.deepEqual(d.body.contentHash, new Uint8Array(32).fill(0xab));
    assert.deepEqual([d.body.size, d.body.mimeType, d.body.fileName], [10, 'image/png', 'a.png']);
    assert.deepEqual(d.store, {
      kind: 'attachment',
      attachment: { blobId: hash, hash, size: 10, mimeType: 'image/png', fileName: 'a.png' },
      contentKey: toHex(key),
    });
  });

  it('sends the thumbnail and dimensions in the body and keeps them in the log as a data URL and width/height', () => {
    const hash = 'ab'.repeat(32);
    const thumbnail = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2]);
    const dimensions = { width: 800, height: 600 };
    const i = { hash, key: new Uint8Array(32), size: 10, mimeType: 'image/png', fileName: 'a.png', thumbnail, dimensions };
    const d = sent(reduceAttachment(i));
    assert.ok(d.body.type === 'attachment');
    assert.deepEqual([d.body.thumbnail, d.body.dimensions], [thumbnail, dimensions]);
    assert.deepEqual(d.store?.attachment, {
      blobId: hash,
      hash,
      size: 10,
      mimeType: 'image/png',
      fileName: 'a.png',
      width: 800,
      height: 600,
      thumbnail: `data:image/png;base64,${Buffer.from(thumbnail).toString('base64')}`,
    });
  });

  it('refuses a thumbnail that is too big or not an image, and dimensions that are not positive integers', () => {
    const i = { hash: 'ab'.repeat(32), key: new Uint8Array(32), size: 10, mimeType: 'image/png', fileName: 'a.png' };
    const big = new Uint8Array(LIMITS.thumbnail + 1);
    big.set([0xff, 0xd8, 0xff]);
    for (const extras of [
      { thumbnail: big },
      { thumbnail: new TextEncoder().encode('<svg/>') },
      { thumbnail: new Uint8Array() },
      { dimensions: { width: 0, height: 10 } },
      { dimensions: { width: 1.5, height: 10 } },
    ]) {
      const d = reduceAttachment({ ...i, ...extras });
      assert.equal(d.kind, 'refuse');
      assert.equal(attachmentExtrasRefusal(extras)?.code, 'INVALID_ARGUMENT');
    }
  });

  describe('read receipts and typing', () => {
    const on = { state: 'active' as const, sendReadReceipts: true, sendTyping: true };

    it('skips a read receipt for no message, in a conversation not accepted, or when the user turned them off', () => {
      assert.equal(reduceReadReceipt(on, []).kind, 'skip');
      for (const state of ['request', 'blocked', 'removed', 'deleted'] as const)
        assert.equal(reduceReadReceipt({ ...on, state }, [target]).kind, 'skip', state);
      assert.equal(reduceReadReceipt({ ...on, sendReadReceipts: false }, [target]).kind, 'skip');
    });

    it('sends one read receipt for the messages', () => {
      const d = sent(reduceReadReceipt(on, [target, toHex(mid(4))]));
      assert.deepEqual(d.body, { type: 'read-receipt', messageIds: [mid(3), mid(4)] });
      assert.equal(d.store, undefined);
    });

    it('skips typing in a conversation not accepted or when the user turned it off, and sends start or stop', () => {
      assert.equal(reduceTyping({ ...on, state: 'request' }, true).kind, 'skip');
      assert.equal(reduceTyping({ ...on, sendTyping: false }, true).kind, 'skip');
      assert.deepEqual(sent(reduceTyping(on, true)).body, { type: 'typing', state: 'start' });
      assert.deepEqual(sent(reduceTyping(on, false)).body, { type: 'typing', state: 'stop' });
    });
  });

  it('applies a local change as the matching content reducer would', () => {
    const m = stored({ reactions: { '👍': [BOB] }, quote: 'q', contentKey: 'k' });
    assert.deepEqual(applyLocalChange(m, { kind: 'react', account: ME, emoji: '👍', action: 'add' }).reactions, { '👍': [BOB, ME] });
    assert.deepEqual(applyLocalChange(m, { kind: 'react', account: BOB, emoji: '👍', action: 'remove' }).reactions, {});
    const edited = applyLocalChange(m, { kind: 'edit', text: 'new', editedAt: NOW });
    assert.equal(edited.text, 'new');
    assert.equal(edited.editedAt, NOW);
    const gone = applyLocalChange(m, { kind: 'delete' });
    assert.equal(gone.deleted, true);
    assert.deepEqual(gone.reactions, {});
    assert.equal('text' in gone || 'quote' in gone || 'contentKey' in gone, false);
  });
});

describe('creating conversations', () => {
  const info = (over: Partial<ConversationInfo>): ConversationInfo => ({
    id: 'c',
    kind: 'direct',
    state: 'active',
    name: '',
    owner: ME,
    peer: BOB,
    members: [],
    timerSeconds: 0,
    epoch: '1',
    createdAt: 1,
    ...over,
  });

  it('refuses a 1:1 with ourselves', () => {
    assert.deepEqual(refusalOf(reduceCreateDirect(ME, ME, [])), { code: 'INVALID_ARGUMENT', message: 'a 1:1 needs another account' });
  });

  it('returns the live 1:1 with that peer, passing over removed and deleted ones, groups and other peers', () => {
    const live = info({ id: 'live', state: 'request' });
    const list = [
      info({ id: 'r', state: 'removed' }),
      info({ id: 'd', state: 'deleted' }),
      info({ id: 'g', kind: 'group' }),
      info({ id: 'o', peer: CAROL }),
      live,
    ];
    assert.deepEqual(reduceCreateDirect(ME, BOB, list), { kind: 'existing', info: live });
  });

  it('creates a 1:1 where both accounts are admins and we own it', () => {
    assert.deepEqual(reduceCreateDirect(ME, BOB, [info({ state: 'removed' })]), {
      kind: 'create',
      meta: { v: 2, kind: 'direct', owner: ME, admins: [ME, BOB], timerSeconds: 0 },
      accounts: [BOB],
    });
  });

  it('creates a group with each other member once, us as owner and first admin, and the timer (default off)', () => {
    assert.deepEqual(reduceCreateGroup(ME, { name: 'ops', members: [BOB, ME, CAROL, BOB], admins: [BOB], timerSeconds: 60 }), {
      kind: 'create',
      meta: { v: 2, kind: 'group', owner: ME, admins: [ME, BOB], timerSeconds: 60 },
      accounts: [BOB, CAROL],
      name: 'ops',
    });
    const d = reduceCreateGroup(ME, { name: 'x', members: [] });
    assert.deepEqual(d.meta, { v: 2, kind: 'group', owner: ME, admins: [ME], timerSeconds: 0 });
    assert.deepEqual(d.accounts, []);
  });

  it('goes ahead only when every account has a claimed KeyPackage, naming those without', () => {
    assert.equal(createClaimsRefusal([BOB], [{ account: BOB }, { account: ME }]), undefined);
    assert.deepEqual(createClaimsRefusal([BOB, CAROL, 'dave@localhost'], [{ account: BOB }]), {
      code: 'NO_DEVICES',
      message: `${CAROL}, dave@localhost: no device able to join right now (it must come online once)`,
    });
  });
});

describe('adding and removing members', () => {
  const leaves = [leaf(0, ME, 'alice-phone'), leaf(1, BOB, 'bob-laptop'), leaf(2, BOB, 'bob-phone')];

  it('refuses an add by a member who is not an admin', () => {
    const d = reduceAdd({ me: BOB, meta: group(), leaves }, [CAROL]);
    assert.deepEqual(refusalOf(d), { code: 'FORBIDDEN', message: 'only admins add members' });
  });

  it('refuses a third account in a 1:1', () => {
    const d = reduceAdd({ me: ME, meta: direct(), leaves }, [CAROL]);
    assert.deepEqual(refusalOf(d), { code: 'FORBIDDEN', message: 'a 1:1 conversation cannot gain a member' });
  });

  it('does nothing when every account is in the group already (not even the admin check)', () => {
    assert.deepEqual(reduceAdd({ me: BOB, meta: group(), leaves }, [ME, BOB]), { kind: 'noop' });
  });

  it('adds only the new accounts and lists the devices present', () => {
    const d = reduceAdd({ me: ME, meta: group(), leaves }, [BOB, CAROL]);
    assert.equal(d.kind, 'add');
    if (d.kind !== 'add') return;
    assert.deepEqual(d.fresh, [CAROL]);
    assert.deepEqual([...d.present].sort(), ['alice-phone', 'bob-laptop', 'bob-phone']);
  });

  it('needs at least one claimed device to add', () => {
    assert.deepEqual(addClaimsRefusal(0), { code: 'NO_DEVICES', message: 'none of these accounts has a device to add' });
    assert.equal(addClaimsRefusal(1), undefined);
  });

  it('adds only KeyPackages of devices not in the group yet', () => {
    const kps = [
      { deviceId: 'bob-phone', account: BOB },
      { deviceId: 'carol-1', account: CAROL },
    ];
    assert.deepEqual(freshKeyPackages(kps, leaves), [{ deviceId: 'carol-1', account: CAROL }]);
    assert.deepEqual(freshKeyPackages(kps.slice(0, 1), leaves), []);
  });

  it('refuses a removal of another account by a member, and allows it to an admin and to a member leaving', () => {
    assert.deepEqual(refusalOf(reduceRemove({ me: BOB, meta: group() }, [CAROL])), {
      code: 'FORBIDDEN',
      message: 'only admins remove members',
    });
    assert.deepEqual(reduceRemove({ me: ME, meta: group() }, [BOB]), { kind: 'remove' });
    assert.deepEqual(reduceRemove({ me: BOB, meta: group() }, [BOB]), { kind: 'remove' });
  });

  it('removes every device of the accounts, or nothing when none is in the group', () => {
    assert.deepEqual(leavesToRemove(leaves, [BOB]), [1, 2]);
    assert.equal(leavesToRemove(leaves, [CAROL]), undefined);
  });

  it('takes a removed admin off the admin list, keeps the owner, and changes nothing for a plain member', () => {
    const meta = group({ admins: [ME, BOB, CAROL] });
    assert.deepEqual(adminsAfterRemoval(meta, [BOB]), { ...meta, admins: [ME, CAROL] });
    assert.equal(adminsAfterRemoval(meta, ['dave@localhost']), undefined);
    assert.equal(adminsAfterRemoval(meta, [ME]), undefined);
    assert.deepEqual(withoutAdmins(meta, [ME, BOB]).admins, [ME, CAROL]);
  });
});

describe('rename, roles and the timer', () => {
  const facts = (over: { me?: string; meta?: GroupMeta } = {}) => ({ me: ME, meta: group(), record: record(), ...over });

  it('refuses to name a 1:1', () => {
    assert.deepEqual(refusalOf(reduceRename(facts({ meta: direct() }), 'x')), {
      code: 'INVALID_ARGUMENT',
      message: 'only a group has a name',
    });
  });

  it('refuses a rename by a member who is not an admin', () => {
    assert.deepEqual(refusalOf(reduceRename(facts({ me: BOB }), 'x')), { code: 'FORBIDDEN', message: 'only admins rename the group' });
  });

  it('counts the name in characters, not UTF-16 units: 256 pass, 257 do not', () => {
    assert.equal(reduceRename(facts(), '🙂'.repeat(256)).kind, 'rename');
    assert.deepEqual(refusalOf(reduceRename(facts(), 'a'.repeat(257))), {
      code: 'INVALID_ARGUMENT',
      message: 'a group name has at most 256 characters',
    });
  });

  it('sends the name as a group-rename and stores it in the record', () => {
    assert.deepEqual(reduceRename(facts(), 'ops-team'), {
      kind: 'rename',
      body: { type: 'group-rename', name: 'ops-team' },
      record: { ...record(), name: 'ops-team' },
    });
  });

  it('makes an admin once, demotes an admin, and never demotes the owner', () => {
    const meta = group({ admins: [ME, BOB] });
    assert.deepEqual(withRole(meta, BOB, 'admin').admins, [ME, BOB]);
    assert.deepEqual(withRole(meta, CAROL, 'admin').admins, [ME, BOB, CAROL]);
    assert.deepEqual(withRole(meta, BOB, 'member').admins, [ME]);
    assert.deepEqual(withRole(meta, ME, 'member').admins, [ME, BOB]);
  });

  it('allows a role or settings change to an admin only, and never one that drops the owner from the admins', () => {
    const meta = group({ admins: [ME, BOB] });
    assert.equal(metaChangeRefusal(ME, meta, withRole(meta, CAROL, 'admin')), undefined);
    assert.deepEqual(metaChangeRefusal(CAROL, meta, { ...meta, timerSeconds: 5 }), {
      code: 'FORBIDDEN',
      message: 'only admins change roles or settings',
    });
    assert.deepEqual(metaChangeRefusal(BOB, meta, { ...meta, admins: [BOB] }), {
      code: 'FORBIDDEN',
      message: 'the owner must stay an admin',
    });
  });

  it('takes a timer of whole seconds, zero included, and refuses anything else', () => {
    assert.equal(timerRefusal(0), undefined);
    assert.equal(timerRefusal(3600), undefined);
    for (const bad of [-1, 1.5, Number.NaN])
      assert.deepEqual(timerRefusal(bad), { code: 'INVALID_ARGUMENT', message: 'timer must be a whole number of seconds' });
  });
});

describe('peerToRestore', () => {
  const facts = (over: Partial<Parameters<typeof peerToRestore>[0]> = {}): Parameters<typeof peerToRestore>[0] => ({
    me: ME,
    meta: direct(),
    leaves: [leaf(0, ME)],
    record: record(),
    started: true,
    ...over,
  });

  it("names the peer of an accepted 1:1 that has none of the peer's devices, in a started client", () => {
    assert.equal(peerToRestore(facts()), BOB);
  });

  it('names nobody when the peer is there, in a group, a conversation not accepted, or before start', () => {
    assert.equal(peerToRestore(facts({ leaves: [leaf(0, ME), leaf(1, BOB)] })), undefined);
    assert.equal(peerToRestore(facts({ meta: group({ admins: [ME, BOB] }) })), undefined);
    assert.equal(peerToRestore(facts({ record: record({ state: 'request' }) })), undefined);
    assert.equal(peerToRestore(facts({ started: false })), undefined);
  });

  it('names nobody when the 1:1 lists no other account', () => {
    assert.equal(peerToRestore(facts({ meta: direct({ admins: [ME] }) })), undefined);
  });
});

describe('decidePendingCommit', () => {
  it('applies only while the group is at the epoch the commit was built on', () => {
    assert.equal(pendingStillApplies(4n, 4n), true);
    assert.equal(pendingStillApplies(5n, 4n), false);
    assert.equal(pendingStillApplies(undefined, 4n), false);
  });

  it("asks for the server's GroupInfo only when the server is exactly one epoch past the commit's", () => {
    assert.equal(needsServerGroupInfo(4n, 5n), true);
    assert.equal(needsServerGroupInfo(4n, 4n), false);
    assert.equal(needsServerGroupInfo(4n, 6n), false);
  });

  it("adopts when the server's next epoch carries the GroupInfo we uploaded", () => {
    assert.equal(decidePendingCommit({ pendingEpoch: 4n, serverEpoch: 5n, serverGroupInfo: { epoch: 5n, equalsOurs: true } }), 'adopt');
  });

  it("discards when the server's next epoch carries another GroupInfo, or one of another epoch, or none", () => {
    assert.equal(decidePendingCommit({ pendingEpoch: 4n, serverEpoch: 5n, serverGroupInfo: { epoch: 5n, equalsOurs: false } }), 'discard');
    assert.equal(decidePendingCommit({ pendingEpoch: 4n, serverEpoch: 5n, serverGroupInfo: { epoch: 6n, equalsOurs: true } }), 'discard');
    assert.equal(decidePendingCommit({ pendingEpoch: 4n, serverEpoch: 5n }), 'discard');
  });

  it('discards when the server has not moved past the epoch, or is behind it', () => {
    assert.equal(decidePendingCommit({ pendingEpoch: 4n, serverEpoch: 4n, serverGroupInfo: { epoch: 4n, equalsOurs: true } }), 'discard');
    assert.equal(decidePendingCommit({ pendingEpoch: 4n, serverEpoch: 2n }), 'discard');
  });

  it('keeps it when the server is further ahead (a later message settles it) or could not be asked', () => {
    assert.equal(decidePendingCommit({ pendingEpoch: 4n, serverEpoch: 6n }), 'keep');
    assert.equal(decidePendingCommit({ pendingEpoch: 4n, serverEpoch: undefined }), 'keep');
  });
});
