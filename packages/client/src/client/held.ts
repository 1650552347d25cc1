// Held: server messages this device could not process (an epoch it no longer keeps or has not reached, a failed
// decryption). None is marked processed and forgotten: each is kept in the store (acknowledged to the server only once
// kept), retried once a catch-up has run, and if it still fails, an application message becomes a visible system item
// "a message from X could not be decrypted" (X from the MLS sender leaf when known, RFC 9420 §6.1), as Signal shows it.

import { sha256 } from '@noble/hashes/sha2.js';
import { leavesOf } from '../mls/mls-adapter.js';
import { parseMlsHeader } from '@sotto/mls';
import type { StoreWriter } from '../store/local-store.js';
import { StoreError } from '../store/store-error.js';
import { ApiError } from '../transport/api-error.js';
import type { QueuedMessage } from '../transport/server-api.js';
import { fromB64, toB64, toB64Url } from '../util/b64.js';
import { toHex } from '../util/bytes.js';
import type { Core, Work } from './ports.js';
import { encodeMessage, json, type MessageRecord, NS, parse } from './records.js';

interface HeldRecord {
  /** Server queue id. */
  i: number;
  g: string;
  d: string;
  /** Log-safe code of the last failure. */
  c: string;
  /** The delivery's franking fields: sender device, account, stamp (base64). */
  f?: [string, string, string];
  createdAt: number;
}

const keyOf = (id: number): string => String(id).padStart(16, '0');

/** A failure that says nothing about the message itself (storage, an unreachable server): retry the batch instead. */
export function transient(e: unknown): boolean {
  return e instanceof StoreError || (e instanceof ApiError && e.retryable);
}

/**
 * The processed marker of one ciphertext. A sender that crashed after submitting re-sends the very same bytes (the
 * outbox keeps them); their second decryption fails because the key was used, which is a duplicate, not a loss.
 */
export function ciphertextMarker(data: Uint8Array): string {
  return `ct:${toHex(sha256(data).subarray(0, 16))}`;
}

export function codeOf(e: unknown): string {
  const c = (e as { code?: unknown })?.code;
  return typeof c === 'string' && /^[A-Z_:]{1,64}$/.test(c) ? c : 'UNPROCESSABLE';
}

export class Held {
  constructor(readonly c: Core) {}

  /** Keep `m` (in the caller's transaction) for a retry after the next catch-up. */
  async hold(tx: StoreWriter, m: QueuedMessage, e: unknown, work: Work): Promise<void> {
    if (await tx.isProcessed(ciphertextMarker(m.data))) return; // the same bytes again: already delivered
    const rec: HeldRecord = {
      i: m.id,
      g: toB64(m.groupId),
      d: toB64(m.data),
      c: codeOf(e),
      createdAt: m.createdAt,
      ...(m.franking ? { f: [m.franking.device, m.franking.account, toB64(m.franking.stamp)] as [string, string, string] } : {}),
    };
    await tx.put(NS.held, keyOf(m.id), json(rec));
    // Outside a catch-up, ask for one: it may bring the commit this message needs; its end retries what is held.
    if (!this.c.connection.catchingUp) work.afterCommit.push(() => this.c.sync.run());
  }

  /** How many messages wait for a retry. */
  async count(): Promise<number> {
    return (await this.c.store.list(NS.held)).length;
  }

  /**
   * Retry every held message, in server order, after a catch-up. One that processes now is delivered as usual; one
   * that still fails is given up: an application message is shown as undecryptable, a handshake one is warned about.
   */
  async retry(process: (tx: StoreWriter, m: QueuedMessage, work: Work) => Promise<void>): Promise<void> {
    const held = (await this.c.store.list(NS.held)).sort((a, b) => (a.key < b.key ? -1 : 1));
    if (held.length === 0) return;
    await this.c.lock.run(async () => {
      const work = this.c.newWork();
      await this.c.store.transaction(async (tx) => {
        for (const { key, value } of held) {
          const h = parse<HeldRecord>(value);
          const m: QueuedMessage = {
            id: h.i,
            groupId: fromB64(h.g),
            kind: 'message',
            data: fromB64(h.d),
            createdAt: h.createdAt,
            ...(h.f ? { franking: { device: h.f[0], account: h.f[1], stamp: fromB64(h.f[2]) } } : {}),
          };
          try {
            await process(tx, m, work);
            await tx.markProcessed(ciphertextMarker(m.data));
          } catch (e) {
            if (transient(e)) throw e;
            if (!(await tx.isProcessed(ciphertextMarker(m.data)))) await this.#giveUp(tx, m, codeOf(e), work);
          }
          await tx.delete(NS.held, key);
        }
      });
      this.c.finish(work);
    });
  }

  async #giveUp(tx: StoreWriter, m: QueuedMessage, code: string, work: Work): Promise<void> {
    const id = toB64Url(m.groupId);
    let h: ReturnType<typeof parseMlsHeader> | undefined;
    try {
      h = parseMlsHeader(m.data);
    } catch {
      h = undefined;
    }
    const rec = this.c.recFor(id, work);
    if (!rec || h?.contentType !== 1 || rec.state === 'deleted') {
      work.fx.push(() => this.c.warn(code, 'a message could not be processed', rec ? id : undefined));
      return;
    }
    const from = await this.senderOf(tx, id, m.data);
    const now = this.c.now();
    const mid = toHex(sha256(m.data).subarray(0, 16));
    const r: MessageRecord = {
      id: mid,
      sender: from ?? '',
      senderDevice: '',
      outgoing: false,
      sentAt: m.createdAt,
      receivedAt: now,
      kind: 'system',
      text: `a message from ${from ?? 'a member'} could not be decrypted`,
      reactions: {},
    };
    if (!(await tx.markProcessed(`undecryptable:${mid}`))) return;
    const entry = await tx.appendMessage(id, mid, encodeMessage(r));
    work.fx.push(() => {
      this.c.events.emit('message', { ...r, conversationId: id, seq: entry.seq });
      this.c.events.emit('undecryptable', { conversationId: id, id: mid, ...(from ? { sender: from } : {}), code });
    });
  }

  /**
   * The sender's account, when the MLS framing names it in the clear (a PublicMessage from a member, RFC 9420 §6.2) and
   * this device holds that epoch's tree. A PrivateMessage hides its sender in encrypted sender data (§6.3.2): unknown.
   */
  async senderOf(tx: StoreWriter, id: string, data: Uint8Array): Promise<string | undefined> {
    const leaf = publicSenderLeaf(data);
    if (leaf === undefined) return undefined;
    const h = parseMlsHeader(data);
    const cur = this.c.groups.get(id);
    const bytes = cur && cur.context.epoch === h.epoch ? undefined : await tx.get(NS.groupPast, `${id}/${h.epoch}`);
    const group = bytes ? this.c.m.deserialize(bytes) : cur && cur.context.epoch === h.epoch ? cur : undefined;
    if (!group) return undefined;
    return leavesOf(group).find((l) => l.leafIndex === leaf)?.account;
  }
}

/** The member leaf index in a PublicMessage's clear sender (RFC 9420 §6: wire format 1, sender type 1), if any. */
export function publicSenderLeaf(b: Uint8Array): number | undefined {
  if (b.length < 8) return undefined;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (dv.getUint16(2) !== 1) return undefined;
  const first = b[4] ?? 0;
  const lenBytes = 1 << (first >> 6);
  let len = first & 0x3f;
  for (let i = 1; i < lenBytes; i++) len = len * 256 + (b[4 + i] ?? 0);
  const p = 4 + lenBytes + len + 8;
  if (p + 5 > b.length || b[p] !== 1) return undefined;
  return dv.getUint32(p + 1);
}
