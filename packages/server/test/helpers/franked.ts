// Builds franked messages and abuse reports for moderation tests with the real protocol functions (docs/franking.md):
// content encoded by the client's codec, commitment under a fresh franking key, and the stamp made with the server's
// own stamp key read from its data directory (as the delivery path would stamp it for the recipient device).
import { createHash, randomBytes } from 'node:crypto';
import { type Content, encodeContent, encryptBlob, SecretBytes } from '@sotto/client/content';
import { frankingCommitment, frankingStamp, type ReportedMessage } from '@sotto/protocol';
import { loadOrCreateStampKey } from '../../src/franking/stamp-key.js';
import { b64, http } from './client.js';

export interface Sent {
  senderDevice: string;
  senderAccount: string;
  recipientDevice: string;
  groupId: Uint8Array;
  receivedAt: number;
  frankingKey: Uint8Array;
  content: Uint8Array;
  commitment: Uint8Array;
  stamp: Uint8Array;
}

export function textContent(text: string, sentAt = 1_700_000_000_000): Uint8Array {
  const c: Content = { messageId: new Uint8Array(randomBytes(16)), sentAt, body: { type: 'text', text } };
  return encodeContent(c);
}

/** A message as the server would have stamped it for `recipientDevice`. */
export function franked(
  dataDir: string,
  f: { senderDevice: string; senderAccount: string; recipientDevice: string; groupId: Uint8Array; receivedAt: number; content: Uint8Array },
): Sent {
  const frankingKey = new Uint8Array(randomBytes(16));
  const commitment = frankingCommitment(frankingKey, f.content);
  const stamp = frankingStamp(loadOrCreateStampKey(dataDir), { ...f, commitment });
  return { ...f, frankingKey, commitment, stamp };
}

export function reported(m: Sent): ReportedMessage {
  return {
    senderDevice: m.senderDevice,
    senderAccount: m.senderAccount,
    receivedAt: m.receivedAt,
    frankingKey: b64(m.frankingKey),
    content: b64(m.content),
    commitment: b64(m.commitment),
    stamp: b64(m.stamp),
  };
}

export function reportBody(groupId: Uint8Array, messages: Sent[], category = 'harassment', reason = 'they keep writing to me') {
  return { groupId: b64(groupId), category, reason, messages: messages.map(reported) };
}

/** Encrypts `plain` with the client's attachment cipher, uploads it, and returns the attachment content and ciphertext. */
export async function uploadAttachment(
  base: string,
  token: string,
  plain: Uint8Array,
  fileName = 'photo.png',
): Promise<{ content: Uint8Array; key: Uint8Array; hash: string; ciphertext: Uint8Array }> {
  const key = new Uint8Array(randomBytes(32));
  const parts: Uint8Array[] = [];
  for await (const c of encryptBlob(new Blob([plain as Uint8Array<ArrayBuffer>]), key)) parts.push(c);
  const ciphertext = new Uint8Array(Buffer.concat(parts));
  const hash = createHash('sha256').update(ciphertext).digest('hex');
  const r = await fetch(`${base}/v1/blobs/${hash}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${token}` },
    body: ciphertext as Uint8Array<ArrayBuffer>,
  });
  if (r.status !== 201) throw new Error(`upload: ${r.status} ${await r.text()}`);
  return { content: attachmentContent(key, hash, plain.length, fileName), key, hash, ciphertext };
}

export function attachmentContent(key: Uint8Array, hash: string, size: number, fileName = 'photo.png'): Uint8Array {
  return encodeContent({
    messageId: new Uint8Array(randomBytes(16)),
    sentAt: 1_700_000_000_000,
    body: {
      type: 'attachment',
      blobId: new Uint8Array(Buffer.from(hash, 'hex')),
      contentKey: new SecretBytes(key),
      contentHash: new Uint8Array(Buffer.from(hash, 'hex')),
      size,
      mimeType: 'image/png',
      fileName,
    },
  });
}

export async function report(base: string, token: string, body: unknown) {
  return http<{ id: string; verified: boolean; error?: { code: string } }>(base, 'POST', '/v1/reports', body, token);
}
