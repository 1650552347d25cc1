// The Delivery Service: validates a submission against MLS framing, verifies handshakes against the group's public
// state (GroupVerifier), stores it durably through the batcher, then pushes it to connected recipients. Nothing
// reaches a queue before the checks pass.
import { ContentType, WireFormat } from '@sotto/mls';
import { PAST_EPOCHS } from '@sotto/protocol';
import type { AbuseSignals } from '../abuse/abuse-signals.js';
import { conversationKind } from '../abuse/conversation-kind.js';
import type { Session } from '../auth/auth-service.js';
import { SottoError } from '../errors.js';
import type { Fanout } from '../fanout/fanout.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import type { QueuedMessage, Storage, SubmitOp, SubmitResult } from '../storage/storage.js';
import type { Clock } from '../util/clock.js';
import type { Batcher } from './batcher.js';
import type { GroupVerifier } from './group-verifier.js';
import { checkMlsWireFormat, frankingCommitmentOf, routingHeader } from './mls-routing.js';

export interface SubmitInput {
  message: Uint8Array;
  /** With a commit that adds devices: their Welcome (delivered to exactly the devices the commit added). */
  welcome?: Uint8Array | undefined;
  /** With a commit: the committer's GroupInfo of the new epoch (external_pub, no tree), kept for resyncing devices. */
  groupInfo?: Uint8Array | undefined;
  /** Disappearing messages: seconds until the server deletes the message even if unacknowledged. */
  ttlSeconds?: number | undefined;
}

export interface SubmitOutcome {
  messageId: number;
  epoch: bigint;
}

export class DeliveryService {
  constructor(
    private readonly storage: Storage,
    private readonly batcher: Batcher,
    private readonly fanout: Fanout,
    private readonly clock: Clock,
    private readonly metrics: ServerMetrics,
    private readonly retentionMs: number,
    private readonly verifier: GroupVerifier,
    /** Young accounts: devices added to groups per hour, counted from verified commits (limits/group-caps.ts). */
    private readonly devicesAdded?: { onDevicesAdded(account: string, n: number, now: number): Promise<void> },
    /** Abuse signals from metadata (src/abuse/): group creation, first contacts, unanswered messages; optional. */
    private readonly abuse?: AbuseSignals,
    /** Off only for the benchmark's franking-off row (bench/unfranked-server.ts): application messages go unstamped. */
    private readonly franking = true,
  ) {}

  /** Starts routing a group from its creator's epoch-0 GroupInfo (verified: one leaf, the calling device). */
  async createGroup(sender: Session, groupInfo: Uint8Array): Promise<{ groupId: Uint8Array; epoch: bigint; members: string[] }> {
    checkMlsWireFormat(groupInfo, WireFormat.mls_group_info, 'groupInfo');
    const g = await this.verifier.genesis(sender.deviceId, groupInfo);
    await this.storage.createGroup(g.groupId, 0n, sender.deviceId, g.state, this.clock.now());
    await this.abuse?.onGroupCreated(sender.account, this.clock.now());
    return { groupId: g.groupId, epoch: 0n, members: [sender.deviceId] };
  }

  /**
   * Deletes a group that never got past its creation: at epoch 0, with the calling device as its one leaf (a creator
   * whose first commit failed). No other device ever received anything of it. Run in the group's handshake queue, so
   * that no commit is verified against it meanwhile. A device that is not in the group learns nothing of it
   * (UNKNOWN_GROUP, as GET); a group with other members, or past epoch 0, is refused (FORBIDDEN).
   */
  async deleteGroup(sender: Session, groupId: Uint8Array): Promise<void> {
    await this.verifier.exclusive(groupId, async () => {
      const r = await this.verifier.roster(groupId);
      if (!r.devices.includes(sender.deviceId)) {
        throw new SottoError('UNKNOWN_GROUP', 'no such group, or the calling device is not a member');
      }
      if (r.devices.length !== 1 || r.epoch !== 0n) {
        throw new SottoError('FORBIDDEN', 'only a group still at epoch 0 with the calling device as its one member can be deleted');
      }
      if (!(await this.storage.deleteGroup(groupId, r.version))) throw new SottoError('CONFLICT', 'the group changed meanwhile');
      this.verifier.forget(groupId);
    });
  }

  async submit(sender: Session, input: SubmitInput): Promise<SubmitOutcome> {
    const started = performance.now();
    const header = routingHeader(input.message);
    if (input.welcome) checkMlsWireFormat(input.welcome, WireFormat.mls_welcome, 'welcome');
    const now = this.clock.now();
    const ttlMs = input.ttlSeconds === undefined ? this.retentionMs : Math.min(this.retentionMs, input.ttlSeconds * 1000);
    const op: SubmitOp = {
      type: 'submit',
      senderDevice: sender.deviceId,
      senderAccount: sender.account,
      groupId: header.groupId,
      epoch: header.epoch,
      contentType: header.contentType,
      payload: input.message,
      expiresAt: now + ttlMs,
      now,
      epochWindow: PAST_EPOCHS,
    };
    let r: SubmitResult;
    if (header.contentType === ContentType.application) {
      if (header.wireFormat !== WireFormat.mls_private_message)
        throw new SottoError('MALFORMED_MLS', 'application data travels only in a PrivateMessage');
      if (input.welcome || input.groupInfo) throw new SottoError('VALIDATION', 'welcome and groupInfo go only with a commit');
      r = await this.#apply(this.franking ? { ...op, commitment: frankingCommitmentOf(header.authenticatedData) } : op);
      await this.abuse?.onApplicationMessage(sender.account, header.groupId, now); // never throws
    } else {
      if (header.wireFormat !== WireFormat.mls_public_message) {
        throw new SottoError('INVALID_COMMIT', 'proposals and commits must be PublicMessage, so that the server can verify them', {
          rule: 'V-DS-02',
        });
      }
      r = await this.verifier.exclusive(header.groupId, async () => {
        if (input.groupInfo) checkMlsWireFormat(input.groupInfo, WireFormat.mls_group_info, 'groupInfo');
        const t0 = performance.now();
        const v = await this.verifier.verify(sender, header.groupId, input.message, input.groupInfo, input.welcome);
        this.metrics.verifyLatency((performance.now() - t0) / 1000, `kind="${v.kind}"`);
        const stored = this.verifier.storable(v);
        if (v.added.length > 0) await this.devicesAdded?.onDevicesAdded(sender.account, v.added.length, now);
        const firstContacts =
          v.added.length > 0
            ? await this.abuse?.beforeCommit(
                { account: sender.account, groupId: header.groupId, addedDevices: v.added, kind: conversationKind(v.group) },
                now,
              )
            : undefined;
        const res = await this.#apply({
          ...op,
          handshake: {
            version: v.version,
            nextEpoch: v.nextEpoch,
            nextState: stored.nextState,
            addMembers: v.addMembers,
            removeMembers: v.removeMembers,
            ...(v.kind === 'commit' ? { groupInfo: v.groupInfo ?? null } : {}),
            ...(input.welcome ? { welcome: { payload: input.welcome, recipients: v.added } } : {}),
          },
        });
        this.verifier.accepted(header.groupId, v, stored, v.version + 1);
        if (v.addMembers.length > 0 || v.removeMembers.length > 0) await this.abuse?.afterCommit(header.groupId, firstContacts, now);
        if (v.kind === 'commit') this.metrics.commitsVerified();
        return res;
      });
    }
    if (!r.ok) throw r.error;
    this.metrics.submitted();
    this.metrics.submitLatency((performance.now() - started) / 1000);
    return { messageId: r.messageId, epoch: r.epoch };
  }

  async #apply(op: SubmitOp): Promise<SubmitResult> {
    const r = await this.batcher.submit(op);
    if (!r.ok) throw r.error;
    if (!('messageId' in r)) throw new SottoError('INTERNAL', 'unexpected batch result');
    // Pushed right here, one step after the batch result, for application messages and handshakes alike: results
    // resolve in queue order, so pushes leave in queue order too. (A commit pushed after the message that follows it
    // in the queue would reach a connected device first and be dropped as "from a future epoch".)
    // Removed devices are among the commit's recipients (so they learn of their removal), then get nothing more.
    for (const d of r.deliveries) this.fanout.publish(d.recipients, d.message);
    return r;
  }

  groupInfo(sender: Session, groupId: Uint8Array) {
    return this.verifier.groupInfoFor(sender, groupId);
  }

  async ack(deviceId: string, ids: number[]): Promise<number> {
    const r = await this.batcher.submit({ type: 'ack', deviceId, ids });
    if (!r.ok) throw r.error;
    const acked = 'acked' in r ? r.acked : 0;
    this.metrics.acks('', acked);
    return acked;
  }

  fetch(deviceId: string, afterId: number, limit: number): Promise<QueuedMessage[]> {
    return this.storage.fetchQueue(deviceId, afterId, limit, this.clock.now());
  }
}
