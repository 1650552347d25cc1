// Abuse-report intake (POST /v1/reports, docs/moderation.md): rate-limits the reporting account, verifies every reported
// message (report-verifier.ts, attachment-check.ts) against the reporting device, and files the report in the queue,
// verified or not. A stamp the same device already reported is refused (CONFLICT): only its SHA-256 is kept for this.
// Each stored report appends 'report-received' to the moderation log (no content), which the transparency report counts.
import { createHash } from 'node:crypto';
import type { ReportCategory, ReportResponse } from '@sotto/protocol';
import type { Session } from '../auth/auth-service.js';
import { SottoError } from '../errors.js';
import type { Stamper } from '../franking/stamp-key.js';
import { type BlobSource, checkAttachment } from './attachment-check.js';
import type { ModerationLog } from './moderation-log.js';
import { type ModerationStore, openItem, type ReportMessageRecord, type StoredAttachment } from './moderation-store.js';
import type { ReportFiles } from './report-files.js';
import { checkReportedMessage, describeContent, type ReportedBytes } from './report-verifier.js';

const HOUR_MS = 3600_000;
/** The acting "admin" of the moderation log's 'report-received' entries. */
export const INTAKE_ACTOR = 'system:intake';
const sha256 = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());

/** A report request whose byte strings are decoded (the route validated the JSON with its schema). */
export interface ReportInput {
  groupId: Uint8Array;
  category: ReportCategory;
  reason: string;
  messages: ReportedBytes[];
}

export interface ReportIntakeDeps {
  store: ModerationStore;
  /** Where a stored report is recorded: action 'report-received', the reported account, whether it verified. */
  log: Pick<ModerationLog, 'append'>;
  stamper: Stamper;
  blobs: BlobSource;
  files: ReportFiles;
  /** Reports one account may file per hour (moderation.reportsPerHour). */
  reportsPerHour: number;
  /** Decrypted attachment bytes one report may keep (moderation.maxAttachmentBytesPerReport). */
  maxAttachmentBytes: number;
  /** A fresh report id (random, base64url). */
  newId: () => string;
  /** A verified report counts against the reported account's abuse signals (src/abuse/); it never fails the report. */
  onReported?: ((account: string, now: number) => Promise<void>) | undefined;
}

export class ReportIntake {
  constructor(private readonly d: ReportIntakeDeps) {}

  async submit(session: Session, input: ReportInput, now: number): Promise<ReportResponse> {
    if ((await this.d.store.countReportsSince(session.account, now - HOUR_MS)) >= this.d.reportsPerHour)
      throw new SottoError('RATE_LIMITED', `at most ${this.d.reportsPerHour} reports per hour`);
    const first = input.messages[0];
    if (!first) throw new SottoError('VALIDATION', 'a report has at least one message');
    const id = this.d.newId();
    const messages: ReportMessageRecord[] = [];
    let verified: boolean;
    try {
      const budget = { left: this.d.maxAttachmentBytes };
      for (const [idx, m] of input.messages.entries())
        messages.push(await this.verifyOne(id, idx, m, input.groupId, session.deviceId, budget));
      verified = messages.every((m) => m.verified);
      const outcome = await this.d.store.insertReport(
        {
          id,
          kind: 'report',
          reportedAccount: first.senderAccount,
          reporterAccount: session.account,
          reporterDevice: session.deviceId,
          groupId: input.groupId,
          category: input.category,
          reason: input.reason,
          signals: null,
          verified,
          ...openItem(now),
        },
        messages,
      );
      if (outcome === 'replay') throw new SottoError('CONFLICT', 'this device already reported one of these messages');
    } catch (e) {
      await this.d.files.removeReport(id);
      throw e;
    }
    // The report is stored from here on: its files stay whatever follows. The entry names no content.
    await this.d.log.append(now, INTAKE_ACTOR, 'report-received', { reportId: id, account: first.senderAccount }, { verified });
    // Only a verified report counts: an unverified one proves nothing about the account it names.
    if (verified) await this.d.onReported?.(first.senderAccount, now);
    return { id, verified };
  }

  private async verifyOne(
    reportId: string,
    idx: number,
    m: ReportedBytes,
    groupId: Uint8Array,
    device: string,
    budget: { left: number },
  ): Promise<ReportMessageRecord> {
    const check = checkReportedMessage(m, groupId, device, this.d.stamper);
    let failure = check.failure;
    let attachment: StoredAttachment | null = null;
    const body = check.content?.body;
    if (body?.type === 'attachment') {
      attachment = { fileName: body.fileName, mimeType: body.mimeType, size: body.size, sha256: null, file: null };
      // Only the bytes of a message that verified are fetched and decrypted (R4, R5).
      if (failure === null) {
        // The bytes a report keeps on disk are bounded: past the budget an attachment is checked, not kept.
        const keep = body.size <= budget.left;
        if (keep) budget.left -= body.size;
        const r = await checkAttachment(body, this.d.blobs, this.d.files, reportId, String(idx), keep);
        attachment = r.attachment;
        failure = r.failure;
      }
    }
    return {
      idx,
      senderDevice: m.senderDevice,
      senderAccount: m.senderAccount,
      receivedAt: m.receivedAt,
      frankingKey: m.frankingKey,
      content: m.content,
      contentSha256: sha256(m.content),
      commitment: m.commitment,
      stamp: m.stamp,
      stampSha256: sha256(m.stamp),
      verified: failure === null,
      failure,
      ...describeContent(check.content),
      attachment,
    };
  }
}
