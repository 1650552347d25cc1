// Content shell: runs the engine's content transition for one decrypted application message inside the receive
// transaction: gate, mark the content id processed, load what the reducer needs, reduce, run its effects.

import { decodeContent } from '../content/content-codec.js';
import type { Content } from '../content/content-types.js';
import { acceptsContent, type ConversationState, type EngineEffect, needsOf, reduceContent } from '../engine/index.js';
import { type LeafInfo, metaOf } from '../mls/mls-adapter.js';
import type { StoreWriter } from '../store/local-store.js';
import { toHex } from '../util/bytes.js';
import type { Core, Work } from './ports.js';
import { decodeMessage, encodeMessage, type FrankingProof, type MessageRecord, parse, publicMessage } from './records.js';
import type { StoredMessage } from './types.js';

export class ContentShell {
  constructor(readonly c: Core) {}

  /**
   * The shell around the engine's content transition: gate, mark the content id processed, load what the reducer needs,
   * reduce, then run its effects in this transaction (events once it is durable).
   */
  async onContent(tx: StoreWriter, id: string, sender: LeafInfo, data: Uint8Array, work: Work, proof?: FrankingProof): Promise<void> {
    const me = this.c.need();
    const record = this.c.recFor(id, work)!;
    const content = decodeContent(data);
    const messageId = toHex(content.messageId);
    if (!acceptsContent(record)) return;
    const contact = sender.account === me.accountName ? undefined : await this.c.contacts.contact(sender.account, tx);
    if (contact?.blocked) return;
    if (!(await tx.markProcessed(`msg:${messageId}`))) return; // the same content again (a resend after a crash)
    const needs = needsOf(content.body);
    const targets = new Map<string, MessageRecord>();
    for (const t of needs.targets) {
      if (targets.has(t)) continue;
      const entry = await tx.getMessage(id, t);
      if (entry) targets.set(t, parse<MessageRecord>(entry.data));
    }
    const group = needs.meta ? await this.c.groupFor(id, work) : undefined;
    const state: ConversationState = {
      conversationId: id,
      record,
      me: { account: me.accountName, deviceId: me.deviceId },
      settings: this.c.settings,
      ...(group ? { meta: metaOf(group) } : {}),
      targets,
    };
    const event = {
      kind: 'content',
      sender: { account: sender.account, deviceId: sender.deviceId },
      content,
      messageId,
      receivedAt: this.c.now(),
    } as const;
    const effects = reduceContent(state, event).effects;
    await this.runEffects(tx, proof ? withFranking(effects, messageId, content.body, proof) : effects, work);
  }

  /** Store effects now, in the receive transaction; the events they announce once it is durable (`work.fx`). */
  async runEffects(tx: StoreWriter, effects: EngineEffect[], work: Work): Promise<void> {
    const events: Array<() => void> = [];
    for (const fx of effects) {
      switch (fx.kind) {
        case 'put-message': {
          const entry = await tx.appendMessage(fx.conversationId, fx.messageId, encodeMessage(fx.record));
          const msg = decodeMessage(entry.data, fx.conversationId, entry.seq);
          events.push(() => this.c.events.emit('message', publicMessage(msg)));
          break;
        }
        case 'update-message': {
          const updated = await tx.updateMessage(fx.conversationId, fx.messageId, encodeMessage(fx.record));
          const msg = decodeMessage(updated.data, fx.conversationId, updated.seq);
          events.push(() => this.c.events.emit('message-updated', publicMessage(msg)));
          break;
        }
        case 'set-expiry':
          await this.c.setExpiry(tx, fx.conversationId, fx.messageId, fx.at, work);
          break;
        case 'send-receipt': // owed now, queued once per conversation when the receive transaction ends
          work.receipts.set(fx.conversationId, [...(work.receipts.get(fx.conversationId) ?? []), ...fx.messageIds]);
          break;
        case 'put-conversation': {
          const cid = fx.record.id;
          await this.c.putRec(tx, fx.record, work);
          events.push(() => {
            const info = this.c.info(cid);
            if (info) this.c.events.emit('conversation', info);
          });
          break;
        }
        case 'emit': {
          const { event, payload } = fx;
          events.push(() => this.c.events.emit(event, payload));
          break;
        }
      }
    }
    work.fx.push(...events);
  }

  async updateTarget(
    tx: StoreWriter,
    id: string,
    target: string,
    work: Work,
    change: (t: StoredMessage & { contentKey?: string }) => (StoredMessage & { contentKey?: string }) | undefined,
  ): Promise<void> {
    const entry = await tx.getMessage(id, target);
    if (!entry) return;
    const cur = decodeMessage(entry.data, id, entry.seq);
    const next = change(cur);
    if (!next) return;
    const { seq: _s, conversationId: _c, ...rec } = next;
    const updated = await tx.updateMessage(id, target, encodeMessage(rec));
    const msg = decodeMessage(updated.data, id, updated.seq);
    work.fx.push(() => this.c.events.emit('message-updated', publicMessage(msg)));
  }
}

/**
 * Keeps a received message's franking with what it stored (docs/franking.md): on the new message, or on the message an
 * edit changed. Nothing else of a content (a reaction, a receipt) is kept for reporting.
 */
function withFranking(effects: EngineEffect[], messageId: string, body: Content['body'], proof: FrankingProof): EngineEffect[] {
  const editTarget = body.type === 'edit' ? toHex(body.target) : undefined;
  return effects.map((fx) => {
    if (fx.kind === 'put-message' && fx.messageId === messageId && fx.record.kind !== 'system')
      return { ...fx, record: { ...fx.record, franking: proof } };
    if (fx.kind === 'update-message' && editTarget !== undefined && fx.messageId === editTarget && !fx.record.deleted)
      return { ...fx, record: { ...fx.record, editFranking: proof } };
    return fx;
  });
}
