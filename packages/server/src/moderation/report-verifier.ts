// Verifies one reported message (docs/moderation.md "How a report is verified"): the franking key opens the commitment
// to the content (check R1), the server's stamp covers that commitment, the sender, the report's group, the reporting
// device and the receive time (R2), and the content decodes with the client's own codec (R3). Attachments (R4, R5)
// are checked by attachment-check.ts. Pure: no I/O, no clock.
import { type Content, ContentError, decodeContent } from '@sotto/client/content';
import { COMMITMENT_BYTES, commitmentOpens, type VerifyFailure } from '@sotto/protocol';
import type { Stamper } from '../franking/stamp-key.js';

/** A reported message with its byte strings decoded from base64 (lengths not yet checked). */
export interface ReportedBytes {
  senderDevice: string;
  senderAccount: string;
  receivedAt: number;
  frankingKey: Uint8Array;
  content: Uint8Array;
  commitment: Uint8Array;
  stamp: Uint8Array;
}

export interface MessageCheck {
  commitment: boolean;
  stamp: boolean;
  /** The first check that failed, in the order R1 commitment, R2 stamp, R3 content. */
  failure: VerifyFailure | null;
  /** The decoded content, when it decodes (shown to the operator even for an unverified message, marked so). */
  content: Content | undefined;
}

export function checkReportedMessage(m: ReportedBytes, groupId: Uint8Array, recipientDevice: string, stamper: Stamper): MessageCheck {
  // R1: the commitment opens to the content under the franking key.
  const commitment = commitmentOpens(m.frankingKey, m.content, m.commitment);
  // R2: the stamp was made by this server for this commitment, sender, group, reporting device and time.
  const stamp =
    m.commitment.length === COMMITMENT_BYTES &&
    stamper.matches(
      {
        commitment: m.commitment,
        groupId,
        senderDevice: m.senderDevice,
        senderAccount: m.senderAccount,
        recipientDevice,
        receivedAt: m.receivedAt,
      },
      m.stamp,
    );
  // R3: the content decodes (docs/content-format.md).
  let content: Content | undefined;
  let decodes = true;
  try {
    content = decodeContent(m.content);
  } catch (e) {
    if (!(e instanceof ContentError)) throw e;
    decodes = false;
  }
  const failure: VerifyFailure | null = !commitment ? 'commitment' : !stamp ? 'stamp' : !decodes ? 'content' : null;
  return { commitment, stamp, failure, content };
}

/** What the operator reads of a content: its type and its text, if it has one. */
export function describeContent(c: Content | undefined): { contentType: string | null; text: string | null } {
  if (!c) return { contentType: null, text: null };
  const b = c.body;
  switch (b.type) {
    case 'text':
    case 'reply':
    case 'edit':
      return { contentType: b.type, text: b.text };
    case 'reaction':
      return { contentType: b.type, text: b.emoji };
    case 'group-rename':
      return { contentType: b.type, text: b.name };
    default:
      return { contentType: b.type, text: null };
  }
}
