// Upkeep: timers: disappearing-message sweep, KeyPackage top-up, periodic own-leaf key updates.


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

export class Upkeep {
  constructor(readonly c: ClientCore) {}

  async sweep(): Promise<void> {
    const now = this.c.now();
    const due = [...this.c.expiry].filter(([, at]) => at <= now).map(([k]) => k);
    if (due.length === 0) return;
    await this.c.store.transaction(async (tx) => {
      for (const k of due) {
        const slash = k.indexOf('/');
        await tx.deleteMessage(k.slice(0, slash), k.slice(slash + 1));
        await tx.delete(NS.expiry, k);
      }
    });
    for (const k of due) {
      this.c.expiry.delete(k);
      const slash = k.indexOf('/');
      this.c.events.emit('message-removed', { conversationId: k.slice(0, slash), id: k.slice(slash + 1), reason: 'expired' });
    }
  }

  async maintain(): Promise<void> {
    if (!this.c.started) return;
    await this.c.topUpKeyPackages(false);
    const now = this.c.now();
    for (const rec of [...this.c.convs.values()]) {
      if (rec.state !== 'active' || rec.policyViolation || now - rec.lastUpdateAt < this.c.updateMs) continue;
      await this.c.events.rotateKeys(rec.id).catch((e) => this.c.warnErr('KEY_UPDATE', e));
      const next = { ...rec, lastUpdateAt: this.c.now() };
      await this.c.store.put(NS.conv, rec.id, json(next));
      this.c.convs.set(rec.id, { ...(this.c.convs.get(rec.id) ?? next), lastUpdateAt: next.lastUpdateAt });
    }
  }
}
