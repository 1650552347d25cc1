// EncryptedStore: the LocalStore implementation; encrypts every value over any RawBackend and serialises transactions.

import { constantTimeEqual } from '../util/bytes.js';
import { redactOnPrototype } from '../util/secret-bytes.js';
import type {
  ListMessagesOptions,
  LocalStore,
  LogEntry,
  OutboxPage,
  OutboxRecord,
  StoreWriter,
  TransactionOptions,
} from './local-store.js';
import { MemoryBackend } from './memory-backend.js';
import type { RawBackend } from './raw-backend.js';
import { StorageKey } from './storage-key.js';
import { StoreError } from './store-error.js';
import { EMPTY, KEY_CHECK_PLAINTEXT, META, rowAad, SPACE, STORE_FORMAT_VERSION } from './store-layout.js';
import { StoreTransaction } from './store-transaction.js';
import { WriteOverlay } from './write-overlay.js';

/** At most this many transactions share one durable write (one fsync on SQLite)... */
const GROUP_MAX = 64;
/** ...and no more join once the group holds this many row writes (a large transaction ahead delays everyone in it). */
const GROUP_MAX_ROWS = 256;

interface Job {
  fn: (tx: StoreWriter) => Promise<unknown>;
  durable: boolean;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** Resolves on the event loop's next turn (after pending I/O callbacks), unless cancelled. */
function nextTurn(): { turned: Promise<false>; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const turned = new Promise<false>((r) => {
    timer = setTimeout(() => r(false), 0);
  });
  return { turned, cancel: () => clearTimeout(timer) };
}

export class EncryptedStore implements LocalStore {
  readonly #backend: RawBackend;
  readonly #key: StorageKey;
  readonly #jobs: Job[] = [];
  #running: Promise<void> | undefined;
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

  /**
   * Transactions run one at a time, in call order. Those that queue up while one runs are committed together (group
   * commit): each runs on its own transaction over the writes of those before it, a failing one is dropped alone, and
   * the group reaches the backend as one atomic, durable batch. A transaction resolves only once its writes are
   * durable (`durable: false`: once they are written, a later durable one making them durable). A transaction that waits for more than the current turn (I/O, a timer) first makes the ones before it
   * durable and resolves them, so that it may wait on them without waiting forever.
   */
  transaction<T>(fn: (tx: StoreWriter) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#jobs.push({ fn, durable: options.durable !== false, resolve: resolve as (v: unknown) => void, reject });
      this.#kick();
    });
  }

  #kick(): void {
    if (this.#running) return;
    this.#running = (async () => {
      await Promise.resolve(); // never run a transaction inside the caller's call
      try {
        while (this.#jobs.length > 0) await this.#group();
      } finally {
        this.#running = undefined;
      }
    })();
  }

  async #group(): Promise<void> {
    const overlay = new WriteOverlay(this.#backend);
    let done: Array<{ job: Job; value: unknown }> = [];
    const flush = async () => {
      const settled = done;
      done = [];
      // One durable transaction makes the whole batch durable; a batch of relaxed ones only is written without a sync.
      const durable = settled.some((d) => d.job.durable);
      try {
        if (overlay.size > 0) await this.#backend.apply(overlay.ops(), { durable });
        overlay.clear();
      } catch (e) {
        overlay.clear();
        for (const d of settled) d.job.reject(e);
        return;
      }
      for (const d of settled) d.job.resolve(d.value);
    };
    for (let n = 0; n < GROUP_MAX && overlay.size < GROUP_MAX_ROWS && this.#jobs.length > 0; n++) {
      const job = this.#jobs.shift()!;
      if (this.#closed) {
        job.reject(new StoreError('CLOSED', 'store is closed'));
        continue;
      }
      const tx = new StoreTransaction(overlay, this.#key);
      let running: Promise<unknown>;
      try {
        running = job.fn(tx);
      } catch (e) {
        running = Promise.reject(e);
      }
      const turn = nextTurn();
      const quick = await Promise.race([
        running.then(
          () => true,
          () => true,
        ),
        turn.turned,
      ]);
      turn.cancel();
      if (!quick) await flush();
      try {
        const value = await running;
        await overlay.apply(tx.finish());
        done.push({ job, value });
      } catch (e) {
        tx.discard(); // nothing of it reaches the backend
        job.reject(e);
      }
    }
    await flush();
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#running;
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
  outboxList = (page?: OutboxPage) => this.transaction((tx) => tx.outboxList(page));
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
