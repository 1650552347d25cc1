// Receiver: the ordered, batched, exactly-once receive pipeline: for each server message, the new MLS state, the
// stored message and a processed marker go into one transaction; only then is it acknowledged (RFC 9420 §14-15).

import { epoch as epochOf, type Group, groupId as groupIdOf, joinFromWelcomeWithCommitter, processMessage } from '@sotto/mls';
import { GROUP_CONFIG, type LeafInfo, leavesOf, metaOf } from '../mls/mls-adapter.js';
import { parseMlsHeader } from '@sotto/mls';
import type { StoreWriter } from '../store/local-store.js';
import { ApiError } from '../transport/api-error.js';
import type { QueuedMessage } from '../transport/server-api.js';
import { toB64Url } from '../util/b64.js';
import { ClientError } from './client-error.js';
import { LIMITS } from '../content/content-types.js';
import {
  type CommitSender,
  committerOf,
  reduceCommit,
  reduceRemoveProposal,
  reduceWelcome,
  type Refusal,
  welcomeAdder,
} from '../engine/index.js';
import { ContentShell } from './content-shell.js';
import { emitDeviceChanges, recordDeviceChanges } from './device-notices.js';
import { recordSystemItems } from './system-items.js';
import { ciphertextMarker, codeOf, transient } from './held.js';
import { commitLeaves, proposeLeave } from './leave.js';
import { recordLeaves } from './leave-notices.js';
import { checkFranking, type FrankingFailure } from './franking-check.js';
import { BATCH, type Core, leafOf, type Work } from './ports.js';
import { type ConvRecord, decodePending, type FrankingProof, NS } from './records.js';
import type { KeyWarning, StoredMessage } from './types.js';

/** What a security notice says of each franking failure (no content: the message is not shown). */
const FRANKING_FAILURES: Record<FrankingFailure, string> = {
  missing: 'it carried no franking commitment or server stamp, so it could not be reported',
  commitment: 'its franking commitment does not match its content, so a report of it would not verify',
  sender: 'the server stamped it as sent by another device than the one that signed it',
};

export class Receiver {
  /** Server messages waiting to be processed, in the server's queue order, and their ids (a message is queued once). */
  #inbox: QueuedMessage[] = [];
  #inboxIds = new Set<number>();
  /** The running drain, shared by concurrent callers. */
  #draining: Promise<void> | undefined;
  /** Receiving waits (the head of the inbox could not be checked: the directory was unreachable) until the timer. */
  #hold = false;
  #holdTimer: ReturnType<typeof setTimeout> | undefined;
  #processed = 0;

  readonly #content: ContentShell;

  constructor(readonly c: Core) {
    this.#content = new ContentShell(c);
  }

  /** Server messages processed since this client was made (reported with `synced`). */
  get processed(): number {
    return this.#processed;
  }

  /** Stop waiting for the hold timer (the client stops); the inbox is kept. */
  stop(): void {
    if (this.#holdTimer) clearTimeout(this.#holdTimer);
    this.#holdTimer = undefined;
    this.#hold = false;
  }

  // =====================================================================================================
  // Receive pipeline: ordered, batched, exactly once (state + message + marker in one transaction, then ack)
  // =====================================================================================================
  enqueue(ms: QueuedMessage[]): void {
    let unordered = false;
    for (const m of ms) {
      if (this.#inboxIds.has(m.id)) continue;
      this.#inboxIds.add(m.id);
      if (this.#inbox.length > 0 && this.#inbox[this.#inbox.length - 1]!.id > m.id) unordered = true;
      this.#inbox.push(m);
    }
    // A catch-up page can bring older messages than some pushed ones: process in the server's queue order.
    if (unordered) this.#inbox.sort((a, b) => a.id - b.id);
    void this.drain().catch((e) => this.c.warnErr('RECEIVE', e));
  }

  /**
   * Pull everything queued for this device over HTTP and process it (start-up, reconnect, and after STALE_EPOCH). The
   * outbox waits meanwhile: a message encrypted now would be at an epoch the group may be far past.
   */
  async catchUp(): Promise<void> {
    this.c.connection.beginCatchUp();
    try {
      let after = 0;
      for (;;) {
        const page = await this.c.a.fetchMessages(after, 500);
        if (page.length === 0) break;
        after = page[page.length - 1]!.id;
        this.enqueue(page);
        await this.drain();
        if (page.length < 500) break;
      }
      await this.drain();
      // What could not be processed gets its retry now that this device has everything the server had queued.
      await this.c.held.retry(async (tx, m, work) => {
        await this.onGroupMessage(tx, m, work);
        await this.#queueReceipts(tx, work);
      });
    } finally {
      this.c.connection.endCatchUp();
    }
    this.c.connection.caughtUp();
    this.c.events.emit('synced', { processed: this.#processed });
    this.c.sender.kickOutbox();
  }

  /** Process the inbox until it is empty and no run is in progress; concurrent callers share runs. */
  async drain(): Promise<void> {
    while ((this.#inbox.length > 0 && !this.#hold) || this.#draining) {
      if (!this.#draining) {
        this.#draining = this.drainOnce().finally(() => {
          this.#draining = undefined;
        });
      }
      await this.#draining;
    }
  }

  async drainOnce(): Promise<void> {
    while (this.#inbox.length > 0 && !this.#hold) {
      const batch = this.#inbox.splice(0, BATCH);
      let ids: number[] = [];
      try {
        ids = await this.c.lock.run(() => this.processBatch(batch));
      } catch (e) {
        if (!(e instanceof ApiError && e.retryable)) {
          for (const m of batch) this.#inboxIds.delete(m.id);
          throw e;
        }
        // The directory could not be reached while checking leaves: nothing was stored or acknowledged. Keep the
        // batch at the head of the inbox (order matters) and try again shortly.
        this.#inbox.unshift(...batch);
        this.#holdReceiving();
        this.c.warnErr('RECEIVE_RETRY', e);
        return;
      }
      for (const m of batch) this.#inboxIds.delete(m.id);
      if (ids.length > 0 && !this.c.socket?.ack(ids)) await this.c.a.ack(ids).catch((e) => this.c.warnErr('ACK', e));
    }
  }

  #holdReceiving(): void {
    this.#hold = true;
    this.#holdTimer = setTimeout(() => {
      this.#holdTimer = undefined;
      this.#hold = false;
      if (!this.c.connection.closed) void this.drain().catch((e) => this.c.warnErr('RECEIVE', e));
    }, 1000);
  }

  async processBatch(batch: QueuedMessage[]): Promise<number[]> {
    const work = this.c.newWork();
    await this.c.store.transaction(async (tx) => {
      for (const m of batch) {
        const marker = `srv:${m.id}`;
        if (await tx.isProcessed(marker)) continue;
        try {
          if (m.kind === 'welcome') await this.onWelcome(tx, m, work);
          else {
            await this.onGroupMessage(tx, m, work);
            await tx.markProcessed(ciphertextMarker(m.data));
          }
        } catch (e) {
          // A directory lookup that could not reach the server: leave the batch unacknowledged for a later catch-up.
          if (transient(e)) throw e;
          if (m.kind === 'welcome') {
            const conversationId = toB64Url(m.groupId);
            const code = codeOf(e);
            work.fx.push(() => this.c.events.emit('warning', { code, message: 'a Welcome could not be processed', conversationId }));
          } else {
            // Never marked processed and forgotten: kept for a retry after the next catch-up (held.ts).
            await this.c.held.hold(tx, m, e, work);
          }
        }
        await tx.markProcessed(marker);
        this.#processed++;
      }
      await this.#queueReceipts(tx, work);
    });
    this.c.finish(work);
    if (work.groups.size > 0 || work.convs.size > 0) this.c.sender.kickOutbox();
    return batch.map((m) => m.id);
  }

  /** A Welcome: MLS joins the group here; the engine decides (engine/reduce-welcome.ts); this shell stores and tells. */
  async onWelcome(tx: StoreWriter, m: QueuedMessage, work: Work): Promise<void> {
    const me = this.c.need();
    const owns = [...this.c.ownKps.values()];
    if (owns.length === 0) throw new ClientError('CONFLICT', 'a Welcome arrived but no KeyPackage is left');
    const { group, committer } = joinFromWelcomeWithCommitter(
      this.c.m.deps,
      m.data,
      owns.map((o) => o.own),
      { config: GROUP_CONFIG },
    );
    const id = toB64Url(groupIdOf(group));
    const meta = metaOf(group);
    const leaves = leavesOf(group);
    // The rule's lookups run in the order the decision reads them: the owner proof only once the tree passed, and the
    // adder's contact only once there is an adder.
    const identity = await this.c.rule.check(tx, leaves, this.#told(work));
    const adder = identity.ok ? welcomeAdder(leaves, committer) : undefined;
    const owner = adder ? await this.c.rule.owner(tx, groupIdOf(group), meta, this.#told(work)) : undefined;
    const contact = adder && owner?.ok && adder.account !== me.accountName ? await this.c.contacts.contact(adder.account, tx) : undefined;
    const adderContact = contact ? { accepted: contact.accepted, blocked: contact.blocked } : undefined;
    const ownLeaf = group.tree.leaf(group.ownLeaf);
    const d = reduceWelcome({
      conversationId: id,
      epoch: epochOf(group),
      leaves,
      committer,
      metaOwner: meta.owner,
      identity,
      ...(owner ? { owner } : {}),
      me: { account: me.accountName },
      ...(adderContact ? { adderContact } : {}),
      ...(ownLeaf ? { ownLeafKey: ownLeaf.encryptionKey } : {}),
      keyPackages: [...this.c.ownKps].map(([ref, o]) => ({
        ref,
        encryptionKey: o.own.keyPackage.leafNode.encryptionKey,
        lastResort: o.stored.lastResort === true,
      })),
      now: this.c.now(),
    });
    if (d.kind === 'invalid') throw new ClientError('FORBIDDEN', d.reason);
    if (d.kind === 'refuse') return this.#refused(id, d.notice, work);
    for (const ref of d.deleteKeyPackages) {
      await tx.delete(NS.kp, ref);
      work.fx.push(() => this.c.ownKps.delete(ref)); // only once the join is durable: a retried batch needs it
    }
    await this.c.commits.wipePast(tx, id); // states left from an earlier membership of the same group
    await tx.put(NS.group, id, this.c.m.serialize(group));
    work.groups.set(id, group);
    await this.c.putRec(tx, d.record, work);
    work.fx.push(() => {
      const info = this.c.info(id);
      if (!info) return;
      for (const e of d.events) this.c.events.emit(e, info);
    });
    work.afterCommit.push(() => this.c.topUpKeyPackages(false));
  }

  /** The delivery receipts this transaction owes, one per conversation, in the same transaction as what they confirm. */
  async #queueReceipts(tx: StoreWriter, work: Work): Promise<void> {
    for (const [id, ids] of work.receipts) {
      for (let i = 0; i < ids.length; i += LIMITS.receiptIds) {
        await this.c.sender.enqueueBody(tx, id, { type: 'delivery-receipt', messageIds: ids.slice(i, i + LIMITS.receiptIds) });
      }
    }
    work.receipts.clear();
  }

  async onGroupMessage(tx: StoreWriter, m: QueuedMessage, work: Work): Promise<void> {
    const id = toB64Url(m.groupId);
    let group = await this.c.groupFor(id, work);
    const rec = this.c.recFor(id, work);
    if (!group || !rec) throw new ClientError('UNKNOWN_CONVERSATION', 'message for a group this device is not in');
    if (rec.state === 'removed' || rec.policyViolation || rec.security) return;
    const h = parseMlsHeader(m.data);
    // Left: nothing more is read here; handshakes still are, until the commit that removes this device.
    if (rec.state === 'left' && h.contentType === 1) return;
    const pendingBytes = await tx.get(NS.pending, id);
    if (pendingBytes) {
      const p = decodePending(pendingBytes);
      if (BigInt(p.epoch) === epochOf(group)) {
        if (h.epoch === BigInt(p.epoch) && h.contentType === 3)
          await tx.delete(NS.pending, id); // another commit won
        else if (h.epoch > BigInt(p.epoch)) {
          const next = this.c.m.deserialize(p.state);
          await this.c.commits.adoptCommit(tx, id, group, next, work);
          await tx.delete(NS.pending, id);
          group = next;
        }
      }
    }
    const cur = epochOf(group);
    if (h.epoch < cur) {
      if (h.contentType !== 1) {
        // The server routes only the commit that won each epoch, so a commit of an epoch behind ours means our later
        // epochs never reached its line (it was restored from a backup). Follow it from that epoch if we kept it...
        const kept = h.contentType === 3 ? await tx.get(NS.groupPast, `${id}/${h.epoch}`) : undefined;
        if (kept) {
          const past = this.c.m.deserialize(kept);
          const r = processMessage(this.c.m.deps, past, m.data);
          if (r.kind === 'commit') {
            await tx.delete(NS.pending, id);
            await this.onCommit(tx, id, rec, past, r, work);
            return;
          }
        }
        // ...or see whether the server is behind us, and rejoin there.
        work.afterCommit.push(() => this.c.commits.recoverIfBehind(id));
        return;
      }
      const key = `${id}/${h.epoch}`;
      const pastBytes = await tx.get(NS.groupPast, key);
      if (!pastBytes) throw new ClientError('CONFLICT', 'message from an epoch no longer kept');
      const r = processMessage(this.c.m.deps, this.c.m.deserialize(pastBytes), m.data);
      if (r.kind !== 'application') return;
      await tx.put(NS.groupPast, key, this.c.m.serialize(r.group));
      await this.#franked(tx, id, m, r, work);
      return;
    }
    if (h.epoch > cur) throw new ClientError('CONFLICT', `message from epoch ${h.epoch}, this device is at ${cur}`);
    const r = processMessage(this.c.m.deps, group, m.data);
    if (r.kind === 'application') {
      await tx.put(NS.group, id, this.c.m.serialize(r.group));
      work.groups.set(id, r.group);
      await this.#franked(tx, id, m, r, work);
      return;
    }
    if (r.kind === 'proposal') {
      if (r.proposal.proposalType === 3 /* remove */) {
        const proposer = r.sender.senderType === 1 ? { proposer: r.sender.leafIndex } : {};
        const d = reduceRemoveProposal({
          me: this.c.identity?.accountName ?? '',
          ownLeaf: group.ownLeaf,
          record: rec,
          leaves: leavesOf(group),
          proposal: { removed: r.proposal.remove.removed, ...proposer },
        });
        // Dropped, not cached: no commit of ours can then include it by reference.
        if (d.kind === 'drop') return void work.fx.push(() => this.c.events.emit('warning', { ...d.warning, conversationId: id }));
        if (d.commit) work.afterCommit.push(() => commitLeaves(this.c, id));
        if (d.left) await this.#leftWith(tx, id, rec, epochOf(group), work);
      }
      await tx.put(NS.group, id, this.c.m.serialize(r.group));
      work.groups.set(id, r.group);
      return;
    }
    await this.onCommit(tx, id, rec, group, r, work);
  }

  /** A commit MLS processed here: the identity rule, then the engine's decision (engine/reduce-commit.ts), then its effects. */
  async onCommit(
    tx: StoreWriter,
    id: string,
    rec: ConvRecord,
    old: Group,
    r: Extract<ReturnType<typeof processMessage>, { kind: 'commit' }>,
    work: Work,
  ): Promise<void> {
    const oldLeaves = leavesOf(old);
    const newLeaves = leavesOf(r.group);
    const added = r.added.map((x) => leafOf(x));
    const committer = committerOf(senderOf(r.sender), oldLeaves, added);
    if (!committer) throw new ClientError('FORBIDDEN', 'commit from a non-member');
    // The identity rule: no leaf changes identity in an Update or UpdatePath, and every new leaf is checked.
    const { verdict: kept, fresh } = this.c.rule.changed(oldLeaves, newLeaves, new Set(r.removed.map((x) => x.leafIndex)));
    const identity = kept.ok ? await this.c.rule.check(tx, fresh, this.#told(work)) : kept;
    const me = this.c.identity?.accountName ?? '';
    const d = reduceCommit({
      conversationId: id,
      record: rec,
      committer,
      oldLeaves,
      newLeaves,
      added,
      removed: r.removed.map((x) => ({ ...leafOf(x), ...(x.proposer.senderType === 1 ? { proposer: x.proposer.leafIndex } : {}) })),
      removedSelf: r.removedSelf,
      before: metaOf(old),
      after: metaOf(r.group),
      identity,
      me,
    });
    switch (d.kind) {
      case 'refuse':
        await this.c.putRec(tx, d.record, work);
        return this.#refused(id, d.notice, work);
      case 'removed': {
        await this.c.putRec(tx, d.record, work);
        await tx.delete(NS.pending, id);
        const items = await recordSystemItems(
          tx,
          id,
          `commit:${epochOf(r.group)}`,
          [{ type: 'members-removed', by: committer.account, accounts: [me] }],
          this.c.now(),
        );
        work.fx.push(() => {
          for (const item of items) this.c.events.emit('message', item);
        });
        // Past-epoch states would still decrypt late messages of epochs this device has been removed from.
        await this.c.commits.wipePast(tx, id);
        // Another device of this account left for it: this one says so too.
        const lines =
          d.record.state === 'left' && rec.state !== 'left' ? await recordLeaves(tx, id, epochOf(old), [me], me, this.c.now()) : [];
        work.fx.push(() => {
          for (const line of lines) this.c.events.emit('message', line);
          const info = this.c.info(id);
          if (info) this.c.events.emit('conversation', info);
        });
        return;
      }
      case 'violation':
        await this.c.putRec(tx, d.record, work);
        work.fx.push(() => this.c.events.emit('warning', { ...d.warning, conversationId: id }));
        return;
      case 'apply':
        break;
    }
    await this.c.commits.adoptCommit(tx, id, old, r.group, work, committer.account, d.membership?.left ?? []);
    for (const a of d.refreshContacts) work.afterCommit.push(async () => void (await this.c.contacts.refreshContact(a)));
    const items = await recordDeviceChanges(tx, id, epochOf(r.group), d.deviceChanges, this.c.now());
    work.fx.push(() => emitDeviceChanges(this.c.events, id, d.deviceChanges, items));
    const left = await recordLeaves(tx, id, epochOf(r.group), d.membership?.left ?? [], me, this.c.now());
    work.fx.push(() => left.forEach((line) => this.c.events.emit('message', line)));
    // This account asked to leave and the commit kept it: propose again in the new epoch (proposals do not outlive one).
    if (rec.state === 'left') work.afterCommit.push(() => proposeLeave(this.c, id));
    work.fx.push(() => {
      if (d.membership) this.c.events.emit('membership', { conversationId: id, ...d.membership });
      const info = this.c.info(id);
      if (info) this.c.events.emit('conversation', info);
    });
  }

  /** Another device of this account left the group for it: this one is left too, with its "you left" line. */
  async #leftWith(tx: StoreWriter, id: string, rec: ConvRecord, epoch: bigint, work: Work): Promise<void> {
    const me = this.c.need().accountName;
    await this.c.putRec(tx, { ...rec, state: 'left' }, work);
    const lines = await recordLeaves(tx, id, epoch, [me], me, this.c.now());
    work.fx.push(() => {
      for (const line of lines) this.c.events.emit('message', line);
      const info = this.c.info(id);
      if (info) this.c.events.emit('conversation', info);
    });
  }

  /** Key warnings found while checking leaves, told once the transaction is durable. */
  #told(work: Work): (w: KeyWarning) => void {
    return (w) => work.fx.push(() => this.c.events.emit('key-change', w));
  }

  /** A Welcome or commit the identity rule refused: the user is told which account, and why (no key bytes). */
  #refused(conversationId: string, v: Refusal, work: Work): void {
    work.fx.push(() => {
      this.c.events.emit('security', { code: v.code, account: v.account, conversationId, message: v.reason });
      const info = this.c.info(conversationId);
      if (info) this.c.events.emit('conversation', info);
    });
  }

  /** Received content, through the engine's pure reducers (content-shell.ts). */
  /**
   * An application message's franking check (client/franking-check.ts), then its content. One that fails is dropped (the
   * MLS state has moved past it already) and raises a security notice: a sender cannot show a recipient something the
   * recipient could not report.
   */
  async #franked(
    tx: StoreWriter,
    id: string,
    m: QueuedMessage,
    r: Extract<ReturnType<typeof processMessage>, { kind: 'application' }>,
    work: Work,
  ): Promise<void> {
    const sender = leafOf(r.sender);
    const f = checkFranking(m, sender, r.data, r.authenticatedData);
    if (f.ok) return this.onContent(tx, id, sender, f.content, work, f.proof);
    const message = `a message from ${sender.account} was dropped: ${FRANKING_FAILURES[f.reason]}`;
    work.fx.push(() => this.c.events.emit('security', { code: 'FRANKING_INVALID', account: sender.account, conversationId: id, message }));
  }

  onContent(tx: StoreWriter, id: string, sender: LeafInfo, data: Uint8Array, work: Work, proof?: FrankingProof): Promise<void> {
    return this.#content.onContent(tx, id, sender, data, work, proof);
  }

  /** Change one stored message in the caller's transaction (a local reaction, edit or delete). */
  updateTarget(
    tx: StoreWriter,
    id: string,
    target: string,
    work: Work,
    change: (t: StoredMessage & { contentKey?: string }) => (StoredMessage & { contentKey?: string }) | undefined,
  ): Promise<void> {
    return this.#content.updateTarget(tx, id, target, work, change);
  }
}

/** The commit's sender as the engine reads it (RFC 9420 §6: 1 is a member, 4 a new member committing externally). */
function senderOf(s: { senderType: number; leafIndex?: number }): CommitSender {
  if (s.senderType === 1 && s.leafIndex !== undefined) return { type: 'member', leafIndex: s.leafIndex };
  return s.senderType === 4 ? { type: 'new-member-commit' } : { type: 'other' };
}
