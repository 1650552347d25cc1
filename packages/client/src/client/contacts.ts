// Contacts: trust on first use of account keys, key-change warnings from lookups and commits, request/block state of conversations.


import { x25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { publicKeyOf } from '@sotto/identity';
import type { Credential, CryptoProvider } from '@sotto/mls';
import { encryptMessage, epoch as epochOf, type Group, groupId as groupIdOf, joinFromWelcome, processMessage } from '@sotto/mls';
import { decryptStream, encryptedHash, encryptedSize, encryptedStream } from '../attachments/attachment-cipher.js';
import { decodeContent, encodeContent, newMessageId } from '../content/content-codec.js';
import type { Content, ContentBody } from '../content/content-types.js';
import { type GroupMeta, policyViolation, roleOf } from '../conversation/group-meta.js';
import { checkCertificate, createAccountIdentity, DeviceIdentity, deviceIdFor, identityFromRecord } from '../identity/device-identity.js';
import { createLinkQr, decodeLinkQr, deriveLinkCode, encodeLinkQr, formatLinkCode } from '../link/link-code.js';
import {
  decodeStoredKeyPackage,
  encodeStoredKeyPackage,
  type LeafInfo,
  leafFromCredential,
  leavesOf,
  MlsAdapter,
  metaOf,
  type StoredKeyPackage,
} from '../mls/mls-adapter.js';
import { parseMlsHeader } from '../mls/mls-header.js';
import { Outbox } from '../outbox/outbox.js';
import { KeyChangeTracker } from '../safety/key-change-tracker.js';
import { computeSafetyNumber, type SafetyNumber } from '../safety/safety-number.js';
import type { LocalStore, OutboxRecord, StoreWriter } from '../store/local-store.js';
import { StoreError } from '../store/store-error.js';
import { ApiError } from '../transport/api-error.js';
import { challengeSigner, type QueuedMessage, ServerApi } from '../transport/server-api.js';
import { ServerSocket, type WebSocketFactory } from '../transport/socket.js';
import { fromB64Url, toB64Url } from '../util/b64.js';
import { constantTimeEqual, fromHex, readU64be, toHex, u64be } from '../util/bytes.js';
import { Emitter } from '../util/emitter.js';
import { Mutex, sleep } from '../util/mutex.js';
import { type RandomBytes, SecretBytes } from '../util/secret-bytes.js';
import { ClientError } from './client-error.js';
import {
  type ContactRecord,
  type ConvRecord,
  decodeMessage,
  decodeOutbox,
  decodePending,
  encodeMessage,
  encodeOutbox,
  encodePending,
  json,
  type MessageRecord,
  NS,
  parse,
  publicMessage,
} from './records.js';
import {
  type AttachmentInfo,
  type ClientEvents,
  type ClientSettings,
  type ContactInfo,
  type ConversationId,
  type ConversationInfo,
  DEFAULT_SETTINGS,
  type MessageIdHex,
  type StoredMessage,
} from './types.js';
import { KP_LOW, KP_BATCH, PAST_EPOCHS, COMMIT_ATTEMPTS, BATCH, type Effect, type Work, webRandom, leafOf, linkCodeOf, type SottoClientOptions, ClientCore } from './core.js';

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
