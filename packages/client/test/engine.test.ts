// Tests for the conversation engine's content transitions: plain data in, plain data out (no store, no server, no MLS).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConvRecord, MessageRecord } from '../src/client/records.js';
import type { Content, ContentBody } from '../src/content/content-types.js';
import type { GroupMeta } from '../src/conversation/group-meta.js';
import {
  acceptsContent,
  type ConversationState,
  type ContentEvent,
  type EngineEffect,
  needsOf,
  reduceContent,
  tombstone,
  withReaction,
} from '../src/engine/index.js';
import { toHex, utf8 } from '../src/util/bytes.js';
import { SecretBytes } from '../src/util/secret-bytes.js';

const CONV = 'conv-1';
const NOW = 1_700_000_000_000;
const id = (n: number): Uint8Array => new Uint8Array(16).fill(n);
const ALICE = { account: 'alice@localhost', deviceId: 'alice-phone' };
const BOB = { account: 'bob@localhost', deviceId: 'bob-laptop' };

function state(over: Partial<ConversationState> = {}, record: Partial<ConvRecord> = {}): ConversationState {
  return {
    conversationId: CONV,
    record: { id: CONV, state: 'active', createdAt: 1, lastUpdateAt: 1, ...record },
    me: ALICE,
    settings: { sendDeliveryReceipts: true, editWindowSeconds: 60 },
    targets: new Map(),
    ...over,
  };
}

function event(body: ContentBody, o: { from?: typeof ALICE; mid?: number; sentAt?: number; expiresIn?: number } = {}): ContentEvent {
  const content: Content = {
    messageId: id(o.mid ?? 9),
    sentAt: o.sentAt ?? NOW - 500,
    body,
    ...(o.expiresIn ? { expiresIn: o.expiresIn } : {}),
  };
  return { kind: 'content', sender: o.from ?? BOB, content, messageId: toHex(content.messageId), receivedAt: NOW };
}

function stored(n: number, over: Partial<MessageRecord> = {}): MessageRecord {
  return {
    id: toHex(id(n)),
    sender: ALICE.account,
    senderDevice: ALICE.deviceId,
    outgoing: true,
    sentAt: NOW - 10_000,
    receivedAt: NOW - 10_000,
    kind: 'text',
    text: 'hello',
    reactions: {},
    status: 'sent',
    ...over,
  };
}

const withTargets = (...ms: MessageRecord[]) => state({ targets: new Map(ms.map((m) => [m.id, m])) });
const kinds = (fx: EngineEffect[]) => fx.map((f) => f.kind);
function updated(fx: EngineEffect[]): MessageRecord[] {
  return fx.flatMap((f) => (f.kind === 'update-message' ? [f.record] : []));
}

describe('engine: new messages', () => {
  it('an incoming text is stored and acknowledged with a delivery receipt', () => {
    const { effects } = reduceContent(state(), event({ type: 'text', text: 'hi' }));
    assert.deepEqual(kinds(effects), ['put-message', 'send-receipt']);
    const put = effects[0]!;
    assert.ok(put.kind === 'put-message');
    assert.equal(put.record.text, 'hi');
    assert.equal(put.record.sender, BOB.account);
    assert.equal(put.record.outgoing, false);
    assert.equal(put.record.receivedAt, NOW);
    assert.equal(put.record.status, undefined);
    const receipt = effects[1]!;
    assert.ok(receipt.kind === 'send-receipt');
    assert.deepEqual(receipt.messageIds, [id(9)]);
  });

  it('a text from another of our devices is outgoing, sent, and not acknowledged', () => {
    const { effects } = reduceContent(state(), event({ type: 'text', text: 'hi' }, { from: { ...ALICE, deviceId: 'alice-laptop' } }));
    assert.deepEqual(kinds(effects), ['put-message']);
    const put = effects[0]!;
    assert.ok(put.kind === 'put-message');
    assert.equal(put.record.outgoing, true);
    assert.equal(put.record.status, 'sent');
    assert.equal(put.record.senderDevice, 'alice-laptop');
  });

  it('no receipt in a message request, nor when the user turned delivery receipts off', () => {
    assert.deepEqual(kinds(reduceContent(state({}, { state: 'request' }), event({ type: 'text', text: 'x' })).effects), ['put-message']);
    const off = state({ settings: { sendDeliveryReceipts: false, editWindowSeconds: 60 } });
    assert.deepEqual(kinds(reduceContent(off, event({ type: 'text', text: 'x' })).effects), ['put-message']);
  });

  it('a disappearing message expires counted from receipt, not from the sender clock', () => {
    const { effects } = reduceContent(state(), event({ type: 'text', text: 'x' }, { expiresIn: 30, sentAt: 5 }));
    assert.deepEqual(kinds(effects), ['put-message', 'set-expiry', 'send-receipt']);
    const exp = effects[1]!;
    assert.ok(exp.kind === 'set-expiry');
    assert.equal(exp.at, NOW + 30_000);
    assert.equal(exp.messageId, toHex(id(9)));
  });

  it('a reply keeps its target and quote', () => {
    const { effects } = reduceContent(state(), event({ type: 'reply', target: id(3), text: 'yes', quote: 'q?' }));
    const put = effects[0]!;
    assert.ok(put.kind === 'put-message');
    assert.equal(put.record.replyTo, toHex(id(3)));
    assert.equal(put.record.quote, 'q?');
    assert.equal(put.record.text, 'yes');
  });

  it('an attachment is stored with its hash as blob id and its key kept inside the SDK record', () => {
    const body: ContentBody = {
      type: 'attachment',
      blobId: utf8('blob'),
      contentKey: new SecretBytes(new Uint8Array(32).fill(7)),
      contentHash: new Uint8Array(32).fill(1),
      size: 42,
      mimeType: 'image/png',
      fileName: 'a.png',
    };
    const put = reduceContent(state(), event(body)).effects[0]!;
    assert.ok(put.kind === 'put-message');
    assert.equal(put.record.kind, 'attachment');
    assert.equal(put.record.attachment?.blobId, '01'.repeat(32));
    assert.equal(put.record.attachment?.size, 42);
    assert.equal(put.record.contentKey, '07'.repeat(32));
  });
});

describe('engine: changes to stored messages', () => {
  it('reactions add and remove the sender under one emoji; an emoji nobody uses goes', () => {
    const t = stored(3);
    const add = reduceContent(withTargets(t), event({ type: 'reaction', target: id(3), emoji: '👍', action: 'add' }));
    assert.deepEqual(updated(add.effects)[0]?.reactions, { '👍': [BOB.account] });
    const after = add.state.targets.get(t.id)!;
    const remove = reduceContent(withTargets(after), event({ type: 'reaction', target: id(3), emoji: '👍', action: 'remove' }));
    assert.deepEqual(updated(remove.effects)[0]?.reactions, {});
  });

  it('a change to a message that is not stored here does nothing', () => {
    for (const body of [
      { type: 'reaction', target: id(4), emoji: '👍', action: 'add' },
      { type: 'edit', target: id(4), text: 'x' },
      { type: 'delete', target: id(4) },
      { type: 'read-receipt', messageIds: [id(4)] },
    ] as ContentBody[])
      assert.deepEqual(reduceContent(withTargets(stored(3)), event(body)).effects, []);
  });

  it('only the sender edits, only a text, only inside the edit window', () => {
    const mine = stored(3, { sender: BOB.account, outgoing: false, sentAt: NOW - 30_000 });
    const ok = reduceContent(withTargets(mine), event({ type: 'edit', target: id(3), text: 'fixed' }, { sentAt: NOW }));
    assert.equal(updated(ok.effects)[0]?.text, 'fixed');
    assert.equal(updated(ok.effects)[0]?.editedAt, NOW);
    const late = reduceContent(withTargets(mine), event({ type: 'edit', target: id(3), text: 'x' }, { sentAt: NOW + 31_000 }));
    assert.deepEqual(late.effects, []);
    const notHis = reduceContent(withTargets(stored(3)), event({ type: 'edit', target: id(3), text: 'x' }));
    assert.deepEqual(notHis.effects, []);
    const deleted = reduceContent(
      withTargets({ ...mine, deleted: true }),
      event({ type: 'edit', target: id(3), text: 'x' }, { sentAt: NOW }),
    );
    assert.deepEqual(deleted.effects, []);
  });

  it('delete for everyone leaves a tombstone without text, attachment, key or reactions; only from the sender', () => {
    const his = stored(3, { sender: BOB.account, outgoing: false, quote: 'q', contentKey: 'ab', reactions: { x: [ALICE.account] } });
    const r = reduceContent(withTargets(his), event({ type: 'delete', target: id(3) }));
    const t = updated(r.effects)[0]!;
    assert.equal(t.deleted, true);
    assert.equal(t.text, undefined);
    assert.equal(t.quote, undefined);
    assert.equal(t.contentKey, undefined);
    assert.deepEqual(t.reactions, {});
    assert.deepEqual(reduceContent(withTargets(stored(3)), event({ type: 'delete', target: id(3) })).effects, []);
  });

  it('receipts move our outgoing messages forward, never back, and ignore our own devices', () => {
    const m = stored(3);
    const d = reduceContent(withTargets(m), event({ type: 'delivery-receipt', messageIds: [id(3)] }));
    assert.equal(updated(d.effects)[0]?.status, 'delivered');
    assert.deepEqual(updated(d.effects)[0]?.receipts, { [BOB.account]: 'delivered' });
    const r = reduceContent(d.state, event({ type: 'read-receipt', messageIds: [id(3)] }));
    assert.equal(updated(r.effects)[0]?.status, 'read');
    const back = reduceContent(r.state, event({ type: 'delivery-receipt', messageIds: [id(3)] }));
    assert.deepEqual(back.effects, []);
    const own = reduceContent(withTargets(m), event({ type: 'read-receipt', messageIds: [id(3)] }, { from: ALICE }));
    assert.deepEqual(own.effects, []);
    const incoming = reduceContent(withTargets(stored(3, { outgoing: false })), event({ type: 'read-receipt', messageIds: [id(3)] }));
    assert.deepEqual(incoming.effects, []);
  });

  it('a receipt naming one message twice updates it once (the second step sees the first)', () => {
    const r = reduceContent(withTargets(stored(3)), event({ type: 'delivery-receipt', messageIds: [id(3), id(3)] }));
    assert.equal(updated(r.effects).length, 1);
  });

  it('the input state is not changed', () => {
    const s = withTargets(stored(3));
    const before = structuredClone([...s.targets]);
    reduceContent(s, event({ type: 'reaction', target: id(3), emoji: '👍', action: 'add' }));
    assert.deepEqual([...s.targets], before);
  });
});

describe('engine: the same changes for local intents', () => {
  it('our own reaction and delete change a stored message as a received one would, keeping its log position', () => {
    const m = { ...stored(3, { quote: 'q', contentKey: 'ab' }), seq: 7, conversationId: CONV };
    const reacted = withReaction(m, ALICE.account, '🎉', 'add');
    assert.deepEqual(reacted.reactions, { '🎉': [ALICE.account] });
    assert.equal(reacted.seq, 7);
    assert.deepEqual(withReaction(reacted, ALICE.account, '🎉', 'remove').reactions, {});
    const gone = tombstone(reacted);
    assert.equal(gone.seq, 7);
    assert.equal(gone.conversationId, CONV);
    assert.equal(gone.deleted, true);
    assert.deepEqual(gone.reactions, {});
    assert.equal('text' in gone || 'quote' in gone || 'contentKey' in gone, false);
  });
});

describe('engine: conversation content', () => {
  it('typing is shown from others in an accepted conversation, never stored', () => {
    const r = reduceContent(state(), event({ type: 'typing', state: 'start' }));
    assert.deepEqual(r.effects, [
      { kind: 'emit', event: 'typing', payload: { conversationId: CONV, account: BOB.account, deviceId: BOB.deviceId, typing: true } },
    ]);
    assert.deepEqual(reduceContent(state({}, { state: 'request' }), event({ type: 'typing', state: 'start' })).effects, []);
    assert.deepEqual(reduceContent(state(), event({ type: 'typing', state: 'stop' }, { from: ALICE })).effects, []);
  });

  it('a device-link from our own account for this device turns a request into an active conversation', () => {
    const body: ContentBody = { type: 'device-link', action: 'linked', deviceId: utf8(ALICE.deviceId) };
    const r = reduceContent(state({}, { state: 'request' }), event(body, { from: { ...ALICE, deviceId: 'alice-laptop' } }));
    assert.deepEqual(kinds(r.effects), ['put-conversation']);
    assert.equal(r.state.record.state, 'active');
    assert.deepEqual(reduceContent(state({}, { state: 'request' }), event(body)).effects, [], 'not from another account');
    const other: ContentBody = { type: 'device-link', action: 'linked', deviceId: utf8('another') };
    assert.deepEqual(reduceContent(state({}, { state: 'request' }), event(other, { from: ALICE })).effects, [], 'not for another device');
  });

  it('an admin renames a group; a member does not, except our own device naming a group we have no name for', () => {
    const meta: GroupMeta = { v: 2, kind: 'group', owner: BOB.account, admins: [BOB.account], timerSeconds: 0 };
    const r = reduceContent(state({ meta }), event({ type: 'group-rename', name: 'team' }));
    assert.equal(r.state.record.name, 'team');
    assert.deepEqual(kinds(r.effects), ['put-conversation']);
    const carol = { account: 'carol@localhost', deviceId: 'c' };
    assert.deepEqual(reduceContent(state({ meta }), event({ type: 'group-rename', name: 'x' }, { from: carol })).effects, []);
    const own = reduceContent(state({ meta }), event({ type: 'group-rename', name: 'mine' }, { from: ALICE }));
    assert.equal(own.state.record.name, 'mine');
    const named = reduceContent(state({ meta }, { name: 'old' }), event({ type: 'group-rename', name: 'x' }, { from: ALICE }));
    assert.deepEqual(named.effects, []);
    const same = reduceContent(state({ meta }, { name: 'team' }), event({ type: 'group-rename', name: 'team' }));
    assert.deepEqual(same.effects, [], 'the same name again changes nothing');
    const direct = reduceContent(state({ meta: { ...meta, kind: 'direct' } }), event({ type: 'group-rename', name: 'x' }));
    assert.deepEqual(direct.effects, [], 'a 1:1 conversation has no name');
  });

  it('timers, roles and unknown types change nothing here (they travel in the group context or are newer)', () => {
    for (const body of [
      { type: 'disappearing-timer', seconds: 30 },
      { type: 'role-change', member: BOB.account, role: 'admin' },
      { type: 'unsupported', typeId: 999, raw: new Uint8Array(2) },
    ] as ContentBody[])
      assert.deepEqual(reduceContent(state(), event(body)).effects, []);
  });
});

describe('engine: what the shell loads and gates', () => {
  it('needsOf names the stored messages and the metadata a body needs', () => {
    assert.deepEqual(needsOf({ type: 'text', text: 'x' }), { targets: [], meta: false });
    assert.deepEqual(needsOf({ type: 'edit', target: id(3), text: 'x' }), { targets: [toHex(id(3))], meta: false });
    assert.deepEqual(needsOf({ type: 'read-receipt', messageIds: [id(3), id(4)] }), { targets: [toHex(id(3)), toHex(id(4))], meta: false });
    assert.deepEqual(needsOf({ type: 'group-rename', name: 'n' }), { targets: [], meta: true });
  });

  it('blocked and deleted conversations take no content', () => {
    const rec = (s: ConvRecord['state']): ConvRecord => ({ id: CONV, state: s, createdAt: 1, lastUpdateAt: 1 });
    assert.equal(acceptsContent(rec('active')), true);
    assert.equal(acceptsContent(rec('request')), true);
    assert.equal(acceptsContent(rec('blocked')), false);
    assert.equal(acceptsContent(rec('deleted')), false);
  });
});
