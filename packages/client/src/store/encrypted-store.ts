// EncryptedStore: the LocalStore implementation; encrypts every value over any RawBackend and serialises transactions.

import { constantTimeEqual } from '../util/bytes.js';
import { redactOnPrototype } from '../util/secret-bytes.js';
import type { ListMessagesOptions, LocalStore, LogEntry, OutboxRecord, StoreWriter } from './local-store.js';
import { MemoryBackend } from './memory-backend.js';
import type { RawBackend } from './raw-backend.js';
import { StorageKey } from './storage-key.js';
import { StoreError } from './store-error.js';
import { EMPTY, KEY_CHECK_PLAINTEXT, META, rowAad, SPACE, STORE_FORMAT_VERSION } from './store-layout.js';
import { StoreTransaction } from './store-transaction.js';

export class EncryptedStore implements LocalStore {
  readonly #backend: RawBackend;
  readonly #key: StorageKey;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(backend: RawBackend, key: StorageKey) {
    this.#backend = backend;
    this.#key = key;
  }

  /**
   * Open a store on a backend with the device storage key. A fresh backend is initialised (format version
   * and a key-check value); an existing one must open with this key, else StoreError WRONG_KEY.
   */
  static async open(backend: RawBackend, key: StorageKey): Promise<EncryptedStore> {
    const format = await backend.get(SPACE.meta, EMPTY, META.format);
    const checkAad = rowAad(SPACE.meta, EMPTY, META.keyCheck);
    if (format === undefined) {
      await backend.apply([
        { space: SPACE.meta, part: EMPTY, key: META.format, value: Uint8Array.of(STORE_FORMAT_VERSION) },
        { space: SPACE.meta, part: EMPTY, key: META.keyCheck, value: key.seal(checkAad, KEY_CHECK_PLAINTEXT) },
      ]);
    } else {
      if (format.length !== 1 || format[0] !== STORE_FORMAT_VERSION) throw new StoreError('UNSUPPORTED_FORMAT', 'unknown store format');
      const check = await backend.get(SPACE.meta, EMPTY, META.keyCheck);
      if (check === undefined) throw new StoreError('CORRUPT', 'key-check value missing');
      let plain: Uint8Array;
      try {
        plain = key.open(checkAad, check);
      } catch {
        throw new StoreError('WRONG_KEY', 'storage key does not open this store');
      }
      if (!constantTimeEqual(plain, KEY_CHECK_PLAINTEXT)) throw new StoreError('WRONG_KEY', 'storage key does not open this store');
    }
    return new EncryptedStore(backend, key);
  }

  transaction<T>(fn: (tx: StoreWriter) => Promise<T>): Promise<T> {
    const run = this.#queue.then(async () => {
      if (this.#closed) throw new StoreError('CLOSED', 'store is closed');
      const tx = new StoreTransaction(this.#backend, this.#key);
      let result: T;
      try {
        result = await fn(tx);
      } catch (e) {
        tx.finish(); // discard: nothing reaches the backend
        throw e;
      }
      const ops = tx.finish();
      if (ops.length > 0) await this.#backend.apply(ops);
      return result;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    const wait = this.#queue;
    this.#closed = true;
    await wait;
    await this.#backend.close();
  }

  get = (namespace: string, key: string) => this.transaction((tx) => tx.get(namespace, key));
  list = (namespace: string) => this.transaction((tx) => tx.list(namespace));
  put = (namespace: string, key: string, value: Uint8Array) => this.transaction((tx) => tx.put(namespace, key, value));
  delete = (namespace: string, key: string) => this.transaction((tx) => tx.delete(namespace, key));
  getMessage = (conversationId: string, messageId: string) => this.transaction((tx) => tx.getMessage(conversationId, messageId));
  listMessages = (conversationId: string, options?: ListMessagesOptions): Promise<LogEntry[]> =>
    this.transaction((tx) => tx.listMessages(conversationId, options));
  appendMessage = (conversationId: string, messageId: string, data: Uint8Array) =>
    this.transaction((tx) => tx.appendMessage(conversationId, messageId, data));
  updateMessage = (conversationId: string, messageId: string, data: Uint8Array) =>
    this.transaction((tx) => tx.updateMessage(conversationId, messageId, data));
  deleteMessage = (conversationId: string, messageId: string) => this.transaction((tx) => tx.deleteMessage(conversationId, messageId));
  isProcessed = (messageId: string) => this.transaction((tx) => tx.isProcessed(messageId));
  markProcessed = (messageId: string) => this.transaction((tx) => tx.markProcessed(messageId));
  outboxGet = (id: string) => this.transaction((tx) => tx.outboxGet(id));
  outboxList = () => this.transaction((tx) => tx.outboxList());
  outboxPut = (record: Omit<OutboxRecord, 'seq'> & { seq?: number }) => this.transaction((tx) => tx.outboxPut(record));
  outboxDelete = (id: string) => this.transaction((tx) => tx.outboxDelete(id));
}

redactOnPrototype(EncryptedStore.prototype, 'EncryptedStore');

/** An encrypted store held in memory (tests; browser fallback without IndexedDB). Data is lost on close. */
export function openMemoryStore(
  key: StorageKey = StorageKey.generate(),
  backend: RawBackend = new MemoryBackend(),
): Promise<EncryptedStore> {
  return EncryptedStore.open(backend, key);
}
