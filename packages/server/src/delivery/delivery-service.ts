// The Delivery Service: validates a submission against MLS framing, stores it durably through the
// batcher, then pushes it to connected recipients. Nothing reaches a queue before the checks pass.
import { SottoError } from '../errors.js';
import type { Fanout } from '../fanout/fanout.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import type { QueuedMessage, Storage, SubmitOp } from '../storage/storage.js';
import type { Clock } from '../util/clock.js';
import type { Batcher } from './batcher.js';
import { checkMlsWireFormat, parseMlsHeader, WIRE_WELCOME } from './mls-header.js';

export interface SubmitInput {
  message: Uint8Array;
  addDevices?: string[] | undefined;
  removeDevices?: string[] | undefined;
  welcome?: Uint8Array | undefined;
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
  ) {}

  /** `senderAccount` is recorded on the stored messages for the queued-bytes quota (limits/quota-service.ts). */
  async submit(senderDevice: string, input: SubmitInput, senderAccount?: string): Promise<SubmitOutcome> {
    const started = performance.now();
    const header = parseMlsHeader(input.message);
    if (input.welcome) checkMlsWireFormat(input.welcome, WIRE_WELCOME, 'welcome');
    const now = this.clock.now();
    const ttlMs = input.ttlSeconds === undefined ? this.retentionMs : Math.min(this.retentionMs, input.ttlSeconds * 1000);
    const op: SubmitOp = {
      type: 'submit',
      senderDevice,
      senderAccount,
      groupId: header.groupId,
      epoch: header.epoch,
      contentType: header.contentType,
      payload: input.message,
      addDevices: input.addDevices ?? [],
      removeDevices: input.removeDevices ?? [],
      welcome: input.welcome,
      expiresAt: now + ttlMs,
      now,
    };
    const r = await this.batcher.submit(op);
    if (!r.ok) throw r.error;
    if (!('messageId' in r)) throw new SottoError('INTERNAL', 'unexpected batch result');
    // Removed devices are among the commit's recipients (so they learn of their removal), then get nothing more.
    for (const d of r.deliveries) this.fanout.publish(d.recipients, d.message);
    this.metrics.submitted();
    this.metrics.submitLatency((performance.now() - started) / 1000);
    return { messageId: r.messageId, epoch: r.epoch };
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
