// Contacts: trust on first use of account keys, key-change warnings from lookups and commits, and the
// request / block state of conversations.

import { checkCertificate } from '../identity/device-identity.js';
import type { LeafInfo } from '../mls/mls-adapter.js';
import type { StoreWriter } from '../store/local-store.js';
import { toHex } from '../util/bytes.js';
import type { ClientCore, Work } from './core.js';
import { type ContactRecord, type ConvRecord, json, NS, parse } from './records.js';
import type { ConversationInfo } from './types.js';

export class Contacts {
  constructor(readonly c: ClientCore) {}

  // =====================================================================================================
  // Safety: contacts, key changes, safety numbers, blocking, requests
  // =====================================================================================================
  async contact(account: string, tx?: StoreWriter): Promise<ContactRecord | undefined> {
    const b = tx ? await tx.get(NS.contact, account) : await this.c.store.get(NS.contact, account);
    return b ? parse<ContactRecord>(b) : undefined;
  }

  async setContact(account: string, patch: Partial<ContactRecord>, tx?: StoreWriter): Promise<ContactRecord> {
    const run = async (w: StoreWriter) => {
      const cur = (await this.contact(account, w)) ?? { account, accountKey: '', verified: false, blocked: false, accepted: false };
      const next = { ...cur, ...patch };
      await w.put(NS.contact, account, json(next));
      return next;
    };
    return tx ? run(tx) : this.c.store.transaction(run);
  }

  /** Compare the account keys in new leaves with what we know (trust on first use); warn on a change. */
  async checkAccountKeys(tx: StoreWriter, leaves: LeafInfo[], work: Work): Promise<void> {
    const me = this.c.identity?.accountName;
    const seen = new Map<string, Uint8Array>();
    for (const l of leaves) if (l.account !== me) seen.set(l.account, l.accountKey);
    for (const [account, key] of seen) {
      const c = await this.contact(account, tx);
      if (!c || c.accountKey === '') {
        await this.setContact(account, { accountKey: toHex(key) }, tx);
      } else if (c.accountKey !== toHex(key)) {
        await this.setContact(account, { accountKey: toHex(key), verified: false }, tx);
        work.fx.push(() => this.c.events.emit('key-change', { type: 'account-key-changed', account }));
      }
    }
  }

  async observe(account: string, accountKey: Uint8Array, devices: Array<{ deviceId: string; certificate: Uint8Array }>): Promise<void> {
    if (account === this.c.identity?.accountName) return;
    const observed = {
      accountKey,
      devices: devices.flatMap((d) => {
        try {
          return [{ deviceId: d.deviceId, signatureKey: checkCertificate(d.certificate, this.c.now()).signatureKey }];
        } catch {
          return [];
        }
      }),
    };
    const r = await this.c.tracker.observe(account, observed);
    const c = await this.contact(account);
    if (!c || c.accountKey === '') await this.setContact(account, { accountKey: toHex(accountKey) });
    for (const e of r.events) {
      if (e.type === 'account-key-changed') {
        await this.setContact(account, { accountKey: toHex(accountKey), verified: false });
        this.c.events.emit('key-change', { type: 'account-key-changed', account });
      } else this.c.events.emit('key-change', { type: e.type, account, deviceId: e.deviceId });
    }
  }

  async refreshContact(account: string): Promise<void> {
    const a = await this.c.a.lookupAccount(account);
    await this.observe(account, a.accountKey, a.devices);
  }

  async setConvStates(match: (i: ConversationInfo) => boolean, state: ConvRecord['state']): Promise<void> {
    for (const info of this.c.events.listConversations()) {
      if (!match(info)) continue;
      const rec = { ...this.c.convs.get(info.id)!, state };
      await this.c.store.put(NS.conv, info.id, json(rec));
      this.c.convs.set(info.id, rec);
      this.c.events.emit('conversation', this.c.info(info.id)!);
    }
  }
}
