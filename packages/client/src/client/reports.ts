// Abuse reports (docs/franking.md, docs/moderation.md): the reporter picks a received message and, optionally, earlier
// received messages of the same conversation; the report carries each one's content as decrypted, its franking key,
// commitment and the server's stamp for this device, and nothing else. The draft is what the reporter is shown; the
// request sent is built from it, byte for byte.
import {
  MAX_REPORT_PREVIOUS,
  MAX_REPORT_REASON_CHARS,
  REPORT_CATEGORIES,
  type ReportCategory,
  type ReportedMessage,
  type ReportRequest,
} from '@sotto/protocol';
import { decodeContent } from '../content/content-codec.js';
import { fromB64, fromB64Url, toB64 } from '../util/b64.js';
import { ClientError } from './client-error.js';
import type { FrankingProof, MessageRecord } from './records.js';
import type { ConversationId, MessageIdHex } from './types.js';

export interface ReportOptions {
  /** Ids of earlier messages of the same conversation to include as context (at most MAX_REPORT_PREVIOUS, received ones). */
  previous?: MessageIdHex[];
  category?: ReportCategory;
  /** The reporter's own words (at most MAX_REPORT_REASON_CHARS characters). */
  reason?: string;
}

/** One message of a draft as the reporter sees it: what the operator will read of it. */
export interface ReportDraftMessage {
  id: MessageIdHex;
  sender: string;
  senderDevice: string;
  /** The server's receive time, which its stamp covers. */
  receivedAt: number;
  /** The text the operator will read, or a description of the attachment (its bytes go too if the server still holds them). */
  shown: string;
  /** 'original' for the message as sent; 'edit' for the edit that gave its current text. */
  part: 'original' | 'edit';
}

export interface ReportDraft {
  conversationId: ConversationId;
  reportedAccount: string;
  messages: ReportDraftMessage[];
  /** Exactly what is sent to the server (POST /v1/reports). */
  request: ReportRequest;
}

export interface ReportResult {
  id: string;
  /** Whether the server verified every message's commitment and stamp. */
  verified: boolean;
}

function reported(p: FrankingProof): ReportedMessage {
  return {
    senderDevice: p.senderDevice,
    senderAccount: p.senderAccount,
    receivedAt: p.receivedAt,
    frankingKey: p.key,
    content: p.content,
    commitment: p.commitment,
    stamp: p.stamp,
  };
}

/** What the operator will read of a franked content: decoded from the very bytes the report carries. */
function shownOf(p: FrankingProof): string {
  const body = decodeContent(fromB64(p.content)).body;
  switch (body.type) {
    case 'text':
    case 'reply':
    case 'edit':
      return body.text;
    case 'attachment':
      return `attachment: ${body.fileName} (${body.mimeType}, ${body.size} bytes)`;
    default:
      return `(${body.type})`;
  }
}

/** The reportable parts of a stored message: its original and, when edited, the edit that gave its current text. */
function partsOf(id: MessageIdHex, m: MessageRecord): Array<{ draft: ReportDraftMessage; proof: FrankingProof }> {
  const out: Array<{ draft: ReportDraftMessage; proof: FrankingProof }> = [];
  for (const [proof, part] of [
    [m.franking, 'original'],
    [m.editFranking, 'edit'],
  ] as const) {
    if (!proof) continue;
    const draft = {
      id,
      sender: proof.senderAccount,
      senderDevice: proof.senderDevice,
      receivedAt: proof.receivedAt,
      shown: shownOf(proof),
      part,
    };
    out.push({ draft, proof });
  }
  return out;
}

/**
 * The draft of a report on `target` with the chosen earlier messages, oldest first, the reported message last. Only
 * received messages can be reported (ours carry no stamp for this device); a deleted or disappeared one is gone.
 */
export function buildReportDraft(
  conversationId: ConversationId,
  target: { id: MessageIdHex; record: MessageRecord | undefined },
  previous: Array<{ id: MessageIdHex; record: MessageRecord | undefined; seq: number }>,
  targetSeq: number,
  o: ReportOptions,
): ReportDraft {
  const category = o.category ?? 'other';
  if (!REPORT_CATEGORIES.includes(category))
    throw new ClientError('INVALID_ARGUMENT', `category must be one of ${REPORT_CATEGORIES.join(', ')}`);
  const reason = o.reason ?? '';
  if ([...reason].length > MAX_REPORT_REASON_CHARS)
    throw new ClientError('INVALID_ARGUMENT', `the reason is longer than ${MAX_REPORT_REASON_CHARS} characters`);
  if (previous.length > MAX_REPORT_PREVIOUS)
    throw new ClientError('INVALID_ARGUMENT', `at most ${MAX_REPORT_PREVIOUS} earlier messages go with a report`);
  if (!target.record) throw new ClientError('UNKNOWN_MESSAGE', 'no such message in this conversation');
  if (target.record.outgoing || !target.record.franking)
    throw new ClientError('INVALID_ARGUMENT', 'only a message received from someone else can be reported');
  const before = [...previous].sort((a, b) => a.seq - b.seq);
  const parts: Array<{ draft: ReportDraftMessage; proof: FrankingProof }> = [];
  for (const p of before) {
    if (!p.record) throw new ClientError('UNKNOWN_MESSAGE', `no message ${p.id} in this conversation`);
    if (p.seq >= targetSeq) throw new ClientError('INVALID_ARGUMENT', 'earlier messages must come before the reported one');
    if (p.id === target.id) continue;
    parts.push(...partsOf(p.id, p.record)); // our own messages carry no proof: not sent
  }
  const reportedParts = partsOf(target.id, target.record);
  // The server reads the first message as the one reported (then its edit, if any), the earlier context after it.
  const sent = [...reportedParts, ...parts];
  return {
    conversationId,
    reportedAccount: target.record.franking.senderAccount,
    messages: [...parts, ...reportedParts].map((x) => x.draft),
    request: { groupId: toB64(fromB64Url(conversationId)), category, reason, messages: sent.map((x) => reported(x.proof)) },
  };
}
