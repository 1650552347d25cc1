// Contacts: pinned account keys (first contact from the directory, or a verified safety number), visible key changes
// that never overwrite a verified pin, and the request / block state of conversations.

import type { DirectoryEntry } from '../safety/directory.js';
import type { Pins } from '../safety/identity-rule.js';
import type { StoreWriter } from '../store/local-store.js';
import { fromHex, toHex } from '../util/bytes.js';
import { ClientError } from './client-error.js';
import type { Core } from './ports.js';
import { type ContactRecord, type ConvRecord, json, NS, parse } from './records.js';
import type { ConversationInfo, KeyWarning } from './types.js';

export class Contacts implements Pins {
  /** Every contact record, kept in step with the store (conversation info reads notices from it synchronously). */
  readonly #cache = new Map<string, ContactRecord>();

  constructor(readonly c: Core) {}

  async load(): Promise<void> {
    this.#cache.clear();
    for (const { value } of await this.c.store.list(NS.contact)) {
      const r = parse<ContactRecord>(value);
      this.#cache.set(r.account, r);
    }
  }

  cached(account: string): ContactRecord | undefined {
    return this.#cache.get(account);
  }

  async contact(account: string, tx?: StoreWriter): Promise<ContactRecord | undefined> {
    const b = tx ? await tx.get(NS.contact, account) : await this.c.store.get(NS.contact, account);
    return b ? parse<ContactRecord>(b) : undefined;
  }

  async setContact(account: string, patch: Partial<ContactRecord>, tx?: StoreWriter): Promise<ContactRecord> {
    const run = async (w: StoreWriter) => {
      const cur = (await this.contact(account, w)) ?? { account, accountKey: '', verified: false, blocked: false, accepted: false };
      const next: ContactRecord = { ...cur, ...patch };
      for (const k of ['pendingKey', 'keyChangedAt'] as const) if (next[k] === undefined) delete next[k];
      await w.put(NS.contact, account, json(next));
      this.#cache.set(account, next);
      return next;
    };
    return tx ? run(tx) : this.c.store.transaction(run);
  }

  // ---------- Pins (the identity rule's view) ----------
  async pinned(tx: StoreWriter, account: string): Promise<Uint8Array | undefined> {
    const c = await this.contact(account, tx);
    return c?.accountKey ? fromHex(c.accountKey) : undefined;
  }

  async devices(tx: StoreWriter, account: string): Promise<Array<{ deviceId: string; signatureKey: Uint8Array }> | undefined> {
    return (await this.c.tracker.known(account, tx))?.devices;
  }

  /**
   * Record a directory answer. First contact pins its key. A different key than the pin: for a verified contact it
   * waits as `pendingKey` (the pin stays, sending waits) until the user accepts it; for an unverified one the pin moves
   * and `keyChangedAt` keeps a notice in every conversation with that contact. Either way the user is told.
   */
  async record(tx: StoreWriter, entry: DirectoryEntry, emit: (w: KeyWarning) => void): Promise<void> {
    const account = entry.account;
    if (account === this.c.identity?.accountName) return;
    const r = await this.c.tracker.observe(account, { accountKey: entry.accountKey, devices: entry.devices }, tx);
    const key = toHex(entry.accountKey);
    const c = await this.contact(account, tx);
    if (!c || c.accountKey === '') {
      await this.setContact(account, { accountKey: key }, tx);
    } else if (c.accountKey === key) {
      if (c.pendingKey !== undefined) await this.setContact(account, { pendingKey: undefined }, tx);
    } else if (c.verified) {
      if (c.pendingKey !== key) {
        await this.setContact(account, { pendingKey: key }, tx);
        emit({ type: 'account-key-changed', account, pending: true });
      }
    } else {
      await this.setContact(account, { accountKey: key, pendingKey: undefined, keyChangedAt: this.c.now() }, tx);
      emit({ type: 'account-key-changed', account });
    }
    for (const e of r.events) if (e.type !== 'account-key-changed') emit({ type: e.type, account, deviceId: e.deviceId });
  }

  /** Ask the directory about `account` now and record the answer. */
  async refreshContact(account: string): Promise<DirectoryEntry> {
    const entry = await this.c.dir.lookup(account);
    const warnings: KeyWarning[] = [];
    await this.c.store.transaction((tx) => this.record(tx, { ...entry, account }, (w) => warnings.push(w)));
    for (const w of warnings) this.c.events.emit('key-change', w);
    return entry;
  }

  /** The user looked at the new safety number of `account` and accepts its new key (unverified until compared). */
  async acceptKeyChange(account: string): Promise<void> {
    await this.c.store.transaction(async (tx) => {
      const c = await this.contact(account, tx);
      if (!c?.pendingKey) throw new ClientError('INVALID_ARGUMENT', `no new account key of ${account} is waiting`);
      await this.setContact(account, { accountKey: c.pendingKey, pendingKey: undefined, verified: false, keyChangedAt: this.c.now() }, tx);
    });
    this.#announce(account);
  }

  /** A safety number compared and matching: the compared key becomes the verified pin; the notice ends. */
  async verified(account: string, accountKeyHex: string): Promise<void> {
    await this.setContact(account, { accountKey: accountKeyHex, pendingKey: undefined, keyChangedAt: undefined, verified: true });
    this.#announce(account);
  }

  /** The first member account whose verified key changed and waits for the user, if any. */
  unaccepted(accounts: Iterable<string>): string | undefined {
    for (const a of accounts) if (this.#cache.get(a)?.pendingKey !== undefined) return a;
    return undefined;
  }

  #announce(account: string): void {
    for (const info of this.c.events.listConversations()) {
      if (info.peer === account || info.members.some((m) => m.account === account)) this.c.events.emit('conversation', info);
    }
  }

  async setConvStates(match: (i: ConversationInfo) => boolean, state: ConvRecord['state']): Promise<void> {
    for (const info of this.c.events.listConversations()) {
      if (!match(info)) continue;
      const rec = { ...this.c.convs.get(info.id)!, state };
      await this.c.store.put(NS.conv, info.id, json(rec));
      this.c.cache.putRecord(info.id, rec);
      this.c.events.emit('conversation', this.c.info(info.id)!);
    }
  }
}
