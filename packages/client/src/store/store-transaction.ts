// StoreTransaction: a StoreWriter that reads through its own pending writes and hands them to the backend as one atomic batch.

import { readU64be, toHex, u64be } from '../util/bytes.js';
import type { ListMessagesOptions, LogEntry, OutboxPage, OutboxRecord, StoreWriter } from './local-store.js';
import { applyRange, type RawBackend, type RawOp, type RawRange, type RawRow } from './raw-backend.js';
import { asObject, decodeRecord, encodeRecord, field } from './record-codec.js';
import type { StorageKey } from './storage-key.js';
import { StoreError } from './store-error.js';
import { EMPTY, rowAad, SPACE } from './store-layout.js';

const OUTBOX_STATES = new Set(['pending', 'inflight', 'failed']);

function checkName(s: string, what: string): void {
  if (typeof s !== 'string' || s.length === 0 || s.length > 4096)
    throw new StoreError('INVALID_ARGUMENT', `${what} must be a non-empty string`);
}

function checkBytes(b: Uint8Array, what: string): void {
  if (!(b instanceof Uint8Array)) throw new StoreError('INVALID_ARGUMENT', `${what} must be a Uint8Array`);
}

/** A row as this transaction sees it: its plaintext (null: absent or deleted) and whether the transaction wrote it. */
interface Cell {
  space: string;
  part: Uint8Array;
  key: Uint8Array;
  plain: Uint8Array | null;
  written: boolean;
}

export class StoreTransaction implements StoreWriter {
  readonly #backend: RawBackend;
  readonly #key: StorageKey;
  /** Rows read or written so far: a row is read from the backend and opened once, and sealed once at the end. */
  readonly #cells = new Map<string, Cell>();
  #finished = false;

  constructor(backend: RawBackend, key: StorageKey) {
    this.#backend = backend;
    this.#key = key;
  }

  /** Ends the transaction and returns its writes, each value sealed once; any later use throws CLOSED. */
  finish(): RawOp[] {
    this.#finished = true;
    const ops: RawOp[] = [];
    for (const c of this.#cells.values()) {
      if (!c.written) continue;
      const value = c.plain === null ? null : this.#key.seal(rowAad(c.space, c.part, c.key), c.plain);
      ops.push({ space: c.space, part: c.part, key: c.key, value });
    }
    this.#cells.clear();
    return ops;
  }

  /** Ends the transaction, dropping its writes. */
  discard(): void {
    this.#finished = true;
    this.#cells.clear();
  }

  // ---------- raw access through the overlay ----------

  #live(): void {
    if (this.#finished) throw new StoreError('CLOSED', 'transaction already finished');
  }

  #id(space: string, part: Uint8Array, key: Uint8Array): string {
    return `${space}/${toHex(part)}/${toHex(key)}`;
  }

  async #getSealed(space: string, part: Uint8Array, key: Uint8Array): Promise<Uint8Array | undefined> {
    this.#live();
    const id = this.#id(space, part, key);
    const cell = this.#cells.get(id);
    if (cell) return cell.plain ?? undefined;
    const sealed = await this.#backend.get(space, part, key);
    const plain = sealed === undefined ? null : this.#key.open(rowAad(space, part, key), sealed);
    this.#live();
    // A write made while the read was in flight wins over what was read.
    if (!this.#cells.has(id)) this.#cells.set(id, { space, part, key, plain, written: false });
    return this.#cells.get(id)!.plain ?? undefined;
  }

  #putSealed(space: string, part: Uint8Array, key: Uint8Array, plaintext: Uint8Array | null): void {
    this.#live();
    this.#cells.set(this.#id(space, part, key), { space, part, key, plain: plaintext, written: true });
  }

  async #rangeOpen(space: string, part: Uint8Array, range: RawRange): Promise<RawRow[]> {
    this.#live();
    const prefix = `${space}/${toHex(part)}/`;
    const mine = [...this.#cells.entries()].filter(([id, c]) => c.written && id.startsWith(prefix)).map(([, c]) => c);
    const open = (r: RawRow): RawRow => ({ ...r, value: this.#key.open(rowAad(space, part, r.key), r.value) });
    if (mine.length === 0) return (await this.#backend.range(space, part, range)).map(open);
    // Each own write can push at most one stored row out of a limited range: read that many more.
    const wider = range.limit === undefined ? range : { ...range, limit: range.limit + mine.length };
    const merged = new Map((await this.#backend.range(space, part, wider)).map((r) => [toHex(r.key), open(r)]));
    for (const c of mine) {
      if (c.plain === null) merged.delete(toHex(c.key));
      else merged.set(toHex(c.key), { space, part, key: c.key, value: c.plain });
    }
    return applyRange([...merged.values()], range);
  }

  async #nextCounter(name: string): Promise<number> {
    const key = this.#key.mac('counter', name);
    const cur = await this.#getSealed(SPACE.counter, EMPTY, key);
    const next = (cur === undefined ? 0 : this.#u64(cur)) + 1;
    this.#putSealed(SPACE.counter, EMPTY, key, u64be(next));
    return next;
  }

  #u64(b: Uint8Array): number {
    if (b.length !== 8) throw new StoreError('CORRUPT', 'stored counter');
    return readU64be(b);
  }

  // ---------- key-value namespaces ----------

  #kvAddr(namespace: string, key: string): [Uint8Array, Uint8Array] {
    checkName(namespace, 'namespace');
    checkName(key, 'key');
    return [this.#key.mac('kv-ns', namespace), this.#key.mac('kv-key', JSON.stringify([namespace, key]))];
  }

  async get(namespace: string, key: string): Promise<Uint8Array | undefined> {
    const [part, k] = this.#kvAddr(namespace, key);
    const plain = await this.#getSealed(SPACE.kv, part, k);
    return plain === undefined ? undefined : decodeRecord(plain).body;
  }

  async list(namespace: string): Promise<Array<{ key: string; value: Uint8Array }>> {
    checkName(namespace, 'namespace');
    const rows = await this.#rangeOpen(SPACE.kv, this.#key.mac('kv-ns', namespace), {});
    return rows.map((r) => {
      const { header, body } = decodeRecord(r.value);
      return { key: field(asObject(header), 'k', 'string'), value: body };
    });
  }

  async put(namespace: string, key: string, value: Uint8Array): Promise<void> {
    checkBytes(value, 'value');
    const [part, k] = this.#kvAddr(namespace, key);
    this.#putSealed(SPACE.kv, part, k, encodeRecord({ k: key }, value));
  }

  async delete(namespace: string, key: string): Promise<void> {
    const [part, k] = this.#kvAddr(namespace, key);
    this.#putSealed(SPACE.kv, part, k, null);
  }

  // ---------- message log ----------

  #logAddr(conversationId: string, messageId: string): [Uint8Array, Uint8Array] {
    checkName(conversationId, 'conversationId');
    checkName(messageId, 'messageId');
    return [this.#key.mac('conv', conversationId), this.#key.mac('msg', messageId)];
  }

  #logEntry(conversationId: string, seq: number, plain: Uint8Array): LogEntry {
    const { header, body } = decodeRecord(plain);
    return { conversationId, messageId: field(asObject(header), 'm', 'string'), seq, data: body };
  }

  async getMessage(conversationId: string, messageId: string): Promise<LogEntry | undefined> {
    const [part, idKey] = this.#logAddr(conversationId, messageId);
    const seqBytes = await this.#getSealed(SPACE.logId, part, idKey);
    if (seqBytes === undefined) return undefined;
    const seq = this.#u64(seqBytes);
    const plain = await this.#getSealed(SPACE.log, part, u64be(seq));
    if (plain === undefined) throw new StoreError('CORRUPT', 'log index points at a missing entry');
    return this.#logEntry(conversationId, seq, plain);
  }

  async listMessages(conversationId: string, options: ListMessagesOptions = {}): Promise<LogEntry[]> {
    checkName(conversationId, 'conversationId');
    const range: RawRange = {};
    if (options.afterSeq !== undefined) range.gt = u64be(options.afterSeq);
    if (options.beforeSeq !== undefined) range.lt = u64be(options.beforeSeq);
    if (options.limit !== undefined) range.limit = options.limit;
    if (options.reverse) range.reverse = true;
    const rows = await this.#rangeOpen(SPACE.log, this.#key.mac('conv', conversationId), range);
    return rows.map((r) => this.#logEntry(conversationId, this.#u64(r.key), r.value));
  }

  async appendMessage(conversationId: string, messageId: string, data: Uint8Array): Promise<LogEntry> {
    checkBytes(data, 'data');
    const [part, idKey] = this.#logAddr(conversationId, messageId);
    if ((await this.#getSealed(SPACE.logId, part, idKey)) !== undefined) throw new StoreError('DUPLICATE', 'message already in log');
    const seq = await this.#nextCounter(`log:${conversationId}`);
    this.#putSealed(SPACE.log, part, u64be(seq), encodeRecord({ m: messageId }, data));
    this.#putSealed(SPACE.logId, part, idKey, u64be(seq));
    return { conversationId, messageId, seq, data: data.slice() };
  }

  async updateMessage(conversationId: string, messageId: string, data: Uint8Array): Promise<LogEntry> {
    checkBytes(data, 'data');
    const existing = await this.getMessage(conversationId, messageId);
    if (!existing) throw new StoreError('NOT_FOUND', 'message not in log');
    const part = this.#key.mac('conv', conversationId);
    this.#putSealed(SPACE.log, part, u64be(existing.seq), encodeRecord({ m: messageId }, data));
    return { ...existing, data: data.slice() };
  }

  async deleteMessage(conversationId: string, messageId: string): Promise<boolean> {
    const existing = await this.getMessage(conversationId, messageId);
    if (!existing) return false;
    const [part, idKey] = this.#logAddr(conversationId, messageId);
    this.#putSealed(SPACE.log, part, u64be(existing.seq), null);
    this.#putSealed(SPACE.logId, part, idKey, null);
    return true;
  }

  // ---------- processed-message-id set ----------

  async isProcessed(messageId: string): Promise<boolean> {
    checkName(messageId, 'messageId');
    return (await this.#getSealed(SPACE.processed, EMPTY, this.#key.mac('processed', messageId))) !== undefined;
  }

  async markProcessed(messageId: string): Promise<boolean> {
    if (await this.isProcessed(messageId)) return false;
    this.#putSealed(SPACE.processed, EMPTY, this.#key.mac('processed', messageId), new Uint8Array());
    return true;
  }

  // ---------- outbox ----------

  #outboxRecord(seq: number, plain: Uint8Array): OutboxRecord {
    const { header, body } = decodeRecord(plain);
    const h = asObject(header);
    const state = field(h, 'state', 'string');
    if (!OUTBOX_STATES.has(state)) throw new StoreError('CORRUPT', 'stored outbox state');
    const record: OutboxRecord = {
      id: field(h, 'id', 'string'),
      conversationId: field(h, 'conversationId', 'string'),
      seq,
      payload: body,
      state: state as OutboxRecord['state'],
      attempts: field(h, 'attempts', 'number'),
      nextAttemptAt: field(h, 'nextAttemptAt', 'number'),
      leaseUntil: field(h, 'leaseUntil', 'number'),
      enqueuedAt: field(h, 'enqueuedAt', 'number'),
    };
    if (typeof h.lastError === 'string') record.lastError = h.lastError;
    return record;
  }

  async #outboxSeq(id: string): Promise<number | undefined> {
    checkName(id, 'outbox id');
    const b = await this.#getSealed(SPACE.outboxId, EMPTY, this.#key.mac('outbox', id));
    return b === undefined ? undefined : this.#u64(b);
  }

  async outboxGet(id: string): Promise<OutboxRecord | undefined> {
    const seq = await this.#outboxSeq(id);
    if (seq === undefined) return undefined;
    const plain = await this.#getSealed(SPACE.outbox, EMPTY, u64be(seq));
    if (plain === undefined) throw new StoreError('CORRUPT', 'outbox index points at a missing entry');
    return this.#outboxRecord(seq, plain);
  }

  async outboxList(page: OutboxPage = {}): Promise<OutboxRecord[]> {
    const range: RawRange = {};
    if (page.afterSeq !== undefined) range.gt = u64be(page.afterSeq);
    if (page.limit !== undefined) {
      if (!Number.isSafeInteger(page.limit) || page.limit < 1) throw new StoreError('INVALID_ARGUMENT', 'outbox page limit');
      range.limit = page.limit;
    }
    const rows = await this.#rangeOpen(SPACE.outbox, EMPTY, range);
    return rows.map((r) => this.#outboxRecord(this.#u64(r.key), r.value));
  }

  async outboxPut(record: Omit<OutboxRecord, 'seq'> & { seq?: number }): Promise<OutboxRecord> {
    checkName(record.conversationId, 'conversationId');
    checkBytes(record.payload, 'payload');
    if (!OUTBOX_STATES.has(record.state)) throw new StoreError('INVALID_ARGUMENT', 'outbox state');
    let seq = await this.#outboxSeq(record.id);
    if (seq === undefined) {
      seq = await this.#nextCounter('outbox');
      this.#putSealed(SPACE.outboxId, EMPTY, this.#key.mac('outbox', record.id), u64be(seq));
    }
    const { payload, seq: _ignored, ...header } = record;
    this.#putSealed(SPACE.outbox, EMPTY, u64be(seq), encodeRecord(header, payload));
    return { ...record, seq, payload: payload.slice() };
  }

  async outboxDelete(id: string): Promise<boolean> {
    const seq = await this.#outboxSeq(id);
    if (seq === undefined) return false;
    this.#putSealed(SPACE.outbox, EMPTY, u64be(seq), null);
    this.#putSealed(SPACE.outboxId, EMPTY, this.#key.mac('outbox', id), null);
    return true;
  }
}
