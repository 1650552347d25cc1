// Commits: creating groups, claiming KeyPackages, and running commits under the one-commit-per-epoch rule
// (RFC 9420 §14): pending state kept until the server accepts, STALE_EPOCH catch-up and retry, crash recovery.

import { epoch as epochOf, type Group, groupId as groupIdOf } from '@sotto/mls';
import type { GroupMeta } from '../conversation/group-meta.js';
import {
  commitRefusal,
  createClaimsRefusal,
  decidePendingCommit,
  freshKeyPackages,
  metaChangeRefusal,
  needsServerGroupInfo,
  pendingStillApplies,
} from '../engine/index.js';
import { type LeafInfo, leavesOf, type MlsAdapter, metaOf } from '../mls/mls-adapter.js';
import type { DirectoryEntry } from '../safety/directory.js';
import type { StoreWriter } from '../store/local-store.js';
import { ApiError } from '../transport/api-error.js';
import type { ServerApi } from '../transport/server-api.js';
import { fromB64Url, toB64Url } from '../util/b64.js';
import { constantTimeEqual } from '../util/bytes.js';
import { sleep } from '../util/mutex.js';
import { conversationChanges } from '../engine/conversation-changes.js';
import { ClientError } from './client-error.js';
import { COMMIT_ATTEMPTS, type Core, PAST_EPOCHS, type Work } from './ports.js';
import { type ConvRecord, decodePending, encodePending, json, NS } from './records.js';
import { recordSystemItems } from './system-items.js';
import type { ConversationId, ConversationInfo, KeyWarning } from './types.js';

export class Committer {
  constructor(readonly c: Core) {}

  /**
   * Create a conversation whole: every account is looked up and its devices' KeyPackages claimed before anything
   * exists locally or on the server; if the first commit (adding them) fails, the conversation is rolled back, locally
   * and on the server.
   * A missing account or one without a device able to join fails the whole creation, naming the account.
   */
  async create(meta: GroupMeta, accounts: string[], name?: string): Promise<ConversationInfo> {
    const me = this.c.need();
    for (const a of accounts) await this.lookup(a);
    const kps = await this.claim([...accounts, me.accountName], new Set([me.deviceId]));
    const refused = createClaimsRefusal(accounts, kps);
    if (refused) throw new ClientError(refused.code, refused.message);
    const group = this.c.m.createGroup(meta);
    const id = toB64Url(groupIdOf(group));
    const rec: ConvRecord = { id, state: 'active', createdAt: this.c.now(), lastUpdateAt: this.c.now(), ...(name ? { name } : {}) };
    await this.c.a.createGroup(this.c.m.groupInfo(group));
    await this.c.store.transaction(async (tx) => {
      await tx.put(NS.group, id, this.c.m.serialize(group));
      await tx.put(NS.conv, id, json(rec));
    });
    this.c.cache.putGroup(id, group);
    this.c.cache.putRecord(id, rec);
    try {
      if (kps.length > 0) await this.addKeyPackages(id, kps);
    } catch (e) {
      await this.forget(id);
      throw e;
    }
    for (const a of accounts) await this.c.contacts.setContact(a, { accepted: true });
    const info = this.c.info(id)!;
    this.c.events.emit('conversation', info);
    return info;
  }

  /**
   * Undo a creation whose members could not be added: the conversation is deleted locally, then the group on the server
   * (still at epoch 0 with this device alone). The server's deletion is best effort: a failure (the server unreachable,
   * or the commit reached it after all, so the group has members) only warns, and the caller's error stands.
   */
  async forget(id: string): Promise<void> {
    const past = await this.c.store.list(NS.groupPast);
    await this.c.store.transaction(async (tx) => {
      for (const ns of [NS.group, NS.conv, NS.pending]) await tx.delete(ns, id);
      for (const { key } of past) if (key.startsWith(`${id}/`)) await tx.delete(NS.groupPast, key);
    });
    this.c.cache.forget(id);
    try {
      await this.c.a.deleteGroup(fromB64Url(id));
    } catch (e) {
      this.c.warnErr('CREATE_ROLLBACK', e);
    }
  }

  /** The directory's entry for `account`; a missing account is an error that names it. */
  async lookup(account: string): Promise<DirectoryEntry> {
    return namedLookup(account, () => this.c.dir.lookup(account));
  }

  /**
   * Claim one KeyPackage per device of each account. Each must pass the identity rule (a KeyPackage leaf is checked as
   * any leaf is): one certified by another key than the one this device holds for the account refuses the whole call
   * (IDENTITY_MISMATCH, or KEY_CHANGE_UNACCEPTED for a verified contact's new key), nothing is added.
   */
  async claim(accounts: string[], skip: Set<string>): Promise<Array<{ deviceId: string; keyPackage: Uint8Array; account: string }>> {
    const out: Array<{ deviceId: string; keyPackage: Uint8Array; account: string }> = [];
    for (const account of accounts) {
      const lookup = await namedLookup(account, () => this.c.contacts.refreshContact(account));
      if (lookup.devices.every((d) => skip.has(d.deviceId))) continue;
      let claimed: Awaited<ReturnType<ServerApi['claimKeyPackages']>> | undefined;
      for (let attempt = 0; !claimed; attempt++) {
        try {
          claimed = await this.c.a.claimKeyPackages(account);
        } catch (e) {
          if (e instanceof ApiError && e.code === 'RATE_LIMITED' && attempt < 60) {
            await sleep(1000);
            continue;
          }
          if (e instanceof ApiError && e.code === 'NO_KEY_PACKAGE' && account === this.c.identity?.accountName) break;
          if (e instanceof ApiError && e.code === 'NO_KEY_PACKAGE')
            throw new ClientError('NO_DEVICES', `${account}: no device able to join right now (it must come online once)`);
          if (e instanceof ApiError && e.code === 'NOT_FOUND') throw new ClientError('UNKNOWN_ACCOUNT', `no such account: ${account}`);
          throw e;
        }
      }
      if (!claimed) continue;
      for (const c of claimed) {
        if (skip.has(c.deviceId)) continue;
        let leaf: LeafInfo;
        try {
          leaf = this.c.m.keyPackageLeaf(c.keyPackage);
        } catch {
          this.c.warn('BAD_KEY_PACKAGE', `a KeyPackage of ${account} failed validation`);
          continue;
        }
        if (leaf.account !== account || leaf.deviceId !== c.deviceId) {
          this.c.warn('BAD_KEY_PACKAGE', `a KeyPackage of ${account} does not match the account`);
          continue;
        }
        const warnings: KeyWarning[] = [];
        const v = await this.c.store.transaction((tx) => this.c.rule.check(tx, [leaf], (w) => warnings.push(w)));
        for (const w of warnings) this.c.events.emit('key-change', w);
        if (!v.ok && v.code === 'UNLISTED_DEVICE') {
          this.c.warn('BAD_KEY_PACKAGE', v.reason);
          continue;
        }
        if (!v.ok) throw new ClientError(v.code === 'KEY_CHANGED' ? 'KEY_CHANGE_UNACCEPTED' : 'IDENTITY_MISMATCH', v.reason);
        out.push({ deviceId: c.deviceId, keyPackage: c.keyPackage, account });
      }
    }
    return out;
  }

  /** Sends the group's name as end-to-end-encrypted content (the server sees roles and settings, not the name). */
  async sendProfile(id: string, name: string): Promise<void> {
    await this.c.sender.sendBody(id, { type: 'group-rename', name }, { store: false });
  }

  async addKeyPackages(id: string, kps: Array<{ deviceId: string; keyPackage: Uint8Array; account: string }>): Promise<void> {
    let added = false;
    await this.commitWith(id, (group) => {
      const fresh = freshKeyPackages(kps, leavesOf(group));
      if (fresh.length === 0) return undefined;
      const out = this.c.m.add(
        group,
        fresh.map((k) => k.keyPackage),
      );
      if (!out.welcome) throw new ClientError('INTERNAL', 'add commit without a Welcome');
      added = true;
      return { out, submit: { welcome: out.welcome } };
    });
    // New members learn the name right after their Welcome, from the first message of the new epoch.
    const name = this.c.convs.get(id)?.name;
    if (added && name) await this.sendProfile(id, name);
  }

  async changeMeta(id: ConversationId, change: (m: GroupMeta) => GroupMeta): Promise<ConversationInfo> {
    const me = this.c.need();
    const { meta } = this.c.conv(id);
    const refused = metaChangeRefusal(me.accountName, meta, change(meta));
    if (refused) throw new ClientError(refused.code, refused.message);
    await this.commitWith(id, (group) => ({ out: this.c.m.setMeta(group, change(metaOf(group))), submit: {} }));
    return this.c.info(id)!;
  }

  /**
   * Run a commit: build it on the current state, keep the new state as pending, submit; on success adopt it.
   * STALE_EPOCH: catch up and rebuild (RFC 9420 §14: the Delivery Service accepts one commit per epoch).
   */
  async commitWith(
    id: string,
    build: (group: Group) => { out: ReturnType<MlsAdapter['add']>; submit: { welcome?: Uint8Array }; left?: string[] } | undefined,
  ): Promise<void> {
    // An earlier commit whose outcome is unknown (the connection broke) must be settled before a new one.
    if (await this.c.store.get(NS.pending, id)) {
      await this.c.receiver.catchUp();
      await this.resolvePendingCommits();
    }
    let behind: bigint | undefined;
    let serverEpoch: bigint | undefined;
    for (let attempt = 0; ; attempt++) {
      const r = await this.c.lock.run(async () => {
        const { rec, group } = this.c.conv(id);
        const refused = commitRefusal(rec);
        if (refused) throw new ClientError(refused.code, refused.message);
        const built = build(group);
        if (!built) return 'noop' as const;
        const oldEpoch = epochOf(group);
        await this.c.store.put(NS.pending, id, encodePending({ epoch: oldEpoch.toString(), state: this.c.m.serialize(built.out.group) }));
        try {
          await this.c.a.submit(built.out.commit, { ...built.submit, groupInfo: this.c.m.commitGroupInfo(built.out.group) });
        } catch (e) {
          if (e instanceof ApiError && (e.code === 'STALE_EPOCH' || !e.retryable)) {
            await this.c.store.delete(NS.pending, id);
            // The server is behind us (restored from a backup): catching up cannot help, rejoining does.
            if (e.code === 'STALE_EPOCH' && e.currentEpoch !== undefined && e.currentEpoch < oldEpoch) {
              behind = e.currentEpoch;
              return 'behind' as const;
            }
            if (e.code === 'STALE_EPOCH') {
              serverEpoch = e.currentEpoch;
              return 'stale' as const;
            }
          }
          throw e;
        }
        const work = this.c.newWork();
        await this.c.store.transaction(async (tx) => {
          await this.adoptCommit(tx, id, group, built.out.group, work, undefined, built.left);
          await tx.delete(NS.pending, id);
        });
        this.c.finish(work);
        const info = this.c.info(id);
        if (info) this.c.events.emit('conversation', info);
        return 'done' as const;
      });
      if (r === 'noop' || r === 'done') return;
      if (attempt + 1 >= COMMIT_ATTEMPTS) throw new ClientError('CONFLICT', 'the group kept moving; commit not accepted');
      if (r === 'behind' && behind !== undefined) {
        await this.recover(id, behind);
        continue;
      }
      await this.c.receiver.catchUp();
      // The winning commit may still be on its way through the socket: give the receiver a moment to reach the
      // server's epoch, then back off a little (more each time, with jitter) so that concurrent committers spread out.
      const until = this.c.now() + 2000;
      while (serverEpoch !== undefined && this.c.now() < until) {
        const g = this.c.groups.get(id);
        if (!g || epochOf(g) >= serverEpoch) break;
        await sleep(20);
      }
      await sleep(Math.floor(((this.c.rng(1)[0] ?? 0) / 255) * 25 * (attempt + 1)));
    }
  }

  /**
   * The server's group is at `serverEpoch`, behind this device (the server was restored from a backup, so the epochs
   * after it never reached its line). If this device still keeps that epoch's state (PAST_EPOCHS), it goes back to it
   * and nothing is lost: what it sends next is encrypted there. Otherwise it rejoins by external commit (resync,
   * RFC 9420 §12.4.3.2) from the GroupInfo the last committer left on the server, removing its old leaf.
   */
  async recover(id: string, serverEpoch: bigint): Promise<void> {
    const rewound = await this.c.lock.run(async () => {
      const { rec, group } = this.c.conv(id);
      if (rec.state === 'removed' || rec.state === 'left' || epochOf(group) <= serverEpoch) return true;
      const past = await this.c.store.get(NS.groupPast, `${id}/${serverEpoch}`);
      if (!past) return false;
      const back = this.c.m.deserialize(past);
      const work = this.c.newWork();
      await this.c.store.transaction(async (tx) => {
        await tx.put(NS.group, id, past);
        await tx.delete(NS.pending, id);
        work.groups.set(id, back);
      });
      this.c.finish(work);
      return true;
    });
    if (rewound) {
      this.c.warn('REWOUND', `the server went back to epoch ${serverEpoch} (restored from a backup); this device followed`, id);
    } else {
      await this.resync(id);
    }
    const conv = this.c.info(id);
    if (conv) this.c.events.emit('conversation', conv);
  }

  /**
   * Rejoin by external commit (resync, RFC 9420 §12.4.3.2); members accept it from a device of an account in the group.
   * The tree comes from the server, so every leaf passes the identity rule before anything is sent (a forged tree
   * freezes the conversation with a notice, as a refused commit does).
   */
  async resync(id: string): Promise<void> {
    const info = await this.c.a.getGroupInfo(fromB64Url(id));
    await this.c.lock.run(async () => {
      const { rec } = this.c.conv(id);
      if (rec.state === 'removed' || rec.state === 'left') return;
      const { group, commit } = this.c.m.rejoin(info.groupInfo, info.ratchetTree);
      await this.checkTree(id, rec, group);
      await this.c.a.submit(commit, { groupInfo: this.c.m.commitGroupInfo(group) });
      const work = this.c.newWork();
      await this.c.store.transaction(async (tx) => {
        await tx.put(NS.group, id, this.c.m.serialize(group));
        await tx.delete(NS.pending, id);
        work.groups.set(id, group);
      });
      this.c.finish(work);
    });
    this.c.warn('RESYNCED', `rejoined at the server's epoch ${info.epoch + 1n}; messages sent meanwhile may be lost`, id);
  }

  /** The identity rule on every leaf of a tree the server handed us; a failure freezes the conversation and throws. */
  async checkTree(id: string, rec: ConvRecord, group: Group): Promise<void> {
    const warnings: KeyWarning[] = [];
    const work = this.c.newWork();
    const v = await this.c.store.transaction(async (tx) => {
      const verdict = await this.c.rule.check(tx, leavesOf(group), (w) => warnings.push(w));
      if (!verdict.ok) await this.c.putRec(tx, { ...rec, security: { code: verdict.code, account: verdict.account } }, work);
      return verdict;
    });
    this.c.finish(work);
    for (const w of warnings) this.c.events.emit('key-change', w);
    if (v.ok) return;
    this.c.events.emit('security', { code: v.code, account: v.account, conversationId: id, message: v.reason });
    const info = this.c.info(id);
    if (info) this.c.events.emit('conversation', info);
    throw new ClientError(v.code === 'KEY_CHANGED' ? 'KEY_CHANGE_UNACCEPTED' : 'IDENTITY_MISMATCH', v.reason);
  }

  /** After a handshake from an epoch behind ours that could not be followed: if the server is behind us, recover. */
  async recoverIfBehind(id: string): Promise<void> {
    const group = this.c.groups.get(id);
    if (!group) return;
    const server = await this.c.a.getGroup(fromB64Url(id)).catch(() => undefined);
    if (server && server.epoch < epochOf(group)) await this.recover(id, server.epoch);
  }

  /** Keep the old state for late application messages, store the new one. */
  async adoptCommit(
    tx: StoreWriter,
    id: string,
    old: Group,
    next: Group,
    work: Work,
    by?: string,
    left: readonly string[] = [],
  ): Promise<void> {
    const e = epochOf(old);
    await tx.put(NS.groupPast, `${id}/${e}`, this.c.m.serialize(old));
    if (e >= BigInt(PAST_EPOCHS)) await tx.delete(NS.groupPast, `${id}/${e - BigInt(PAST_EPOCHS)}`);
    await tx.put(NS.group, id, this.c.m.serialize(next));
    work.groups.set(id, next);
    // The history shows what the commit changed (members, roles, timer), once.
    const facts = (g: Group) => ({ meta: metaOrUndefined(g), accounts: [...new Set(leavesOf(g).map((l) => l.account))] });
    // Accounts that left have their own "X left" line (leave-notices.ts), not "Y removed X".
    const changes = conversationChanges(facts(old), facts(next), by ?? this.c.identity?.accountName ?? '')
      .map((c) => (c.type === 'members-removed' ? { ...c, accounts: c.accounts.filter((a) => !left.includes(a)) } : c))
      .filter((c) => c.type !== 'members-removed' || c.accounts.length > 0);
    if (changes.length === 0) return;
    const items = await recordSystemItems(tx, id, `commit:${epochOf(next)}`, changes, this.c.now());
    work.fx.push(() => {
      for (const m of items) this.c.events.emit('message', m);
    });
  }

  /**
   * Forget every past-epoch state kept for `id`. Called when this device leaves the group (removed) and when it joins
   * again by Welcome: states of epochs it is no longer a member of must not decrypt (or acknowledge) anything.
   */
  async wipePast(tx: StoreWriter, id: string): Promise<void> {
    const prefix = `${id}/`;
    for (const { key } of await tx.list(NS.groupPast)) if (key.startsWith(prefix)) await tx.delete(NS.groupPast, key);
  }

  async resolvePendingCommits(): Promise<void> {
    for (const { key, value } of await this.c.store.list(NS.pending)) {
      const p = decodePending(value);
      const pendingEpoch = BigInt(p.epoch);
      const group = this.c.groups.get(key);
      if (!pendingStillApplies(group ? epochOf(group) : undefined, pendingEpoch)) {
        await this.c.store.delete(NS.pending, key);
        continue;
      }
      // Whether the commit that made the server's next epoch is ours: the GroupInfo stored with it is the one we
      // uploaded with ours. Another member's commit for the same epoch may be queued for us yet unprocessed (held, or
      // receiving on hold), so "the server moved on" proves nothing. The engine decides from what the server says.
      let serverEpoch: bigint | undefined;
      let serverGroupInfo: { epoch: bigint; equalsOurs: boolean } | undefined;
      try {
        serverEpoch = (await this.c.a.getGroup(fromB64Url(key))).epoch;
        if (needsServerGroupInfo(pendingEpoch, serverEpoch)) {
          const info = await this.c.a.getGroupInfo(fromB64Url(key));
          const equalsOurs = constantTimeEqual(info.groupInfo, this.c.m.commitGroupInfo(this.c.m.deserialize(p.state)));
          serverGroupInfo = { epoch: info.epoch, equalsOurs };
        }
      } catch {
        serverEpoch = undefined;
      }
      const outcome = decidePendingCommit({ pendingEpoch, serverEpoch, ...(serverGroupInfo ? { serverGroupInfo } : {}) });
      if (outcome === 'keep') continue;
      await this.c.lock.run(async () => {
        // Checked again under the lock: a sync runs on every reconnect, possibly while commitWith holds this commit
        // (it adopts it and drops the pending state itself). Adopting the pending state again after that would put the
        // group back to the start of the epoch, and the next message would reuse a key its members already used.
        const now = await this.c.store.get(NS.pending, key);
        const cur = this.c.groups.get(key);
        if (!now || !cur || !pendingStillApplies(epochOf(cur), pendingEpoch) || decodePending(now).epoch !== p.epoch) return;
        const work = this.c.newWork();
        await this.c.store.transaction(async (tx) => {
          if (outcome === 'adopt') await this.adoptCommit(tx, key, cur, this.c.m.deserialize(decodePending(now).state), work);
          await tx.delete(NS.pending, key);
        });
        this.c.finish(work);
      });
    }
  }
}

/** A directory lookup whose "no such account" names the account (UNKNOWN_ACCOUNT). */
async function namedLookup<T>(account: string, lookup: () => Promise<T>): Promise<T> {
  try {
    return await lookup();
  } catch (e) {
    if (e instanceof ApiError && e.code === 'NOT_FOUND') throw new ClientError('UNKNOWN_ACCOUNT', `no such account: ${account}`);
    throw e;
  }
}

/** The group's Sotto metadata, or undefined for a group without it (never for a group made by this client). */
function metaOrUndefined(g: Group): GroupMeta | undefined {
  try {
    return metaOf(g);
  } catch {
    return undefined;
  }
}
