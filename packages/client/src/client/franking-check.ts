// The recipient's franking check (docs/franking.md): an application message is accepted only if the commitment in its
// authenticated_data opens to the decrypted content under the franking key it carries, and the sender the server
// stamped is the MLS-authenticated sender. Otherwise the message is dropped, so that nothing can be shown to a recipient
// that the recipient could not report.
import { commitmentOpens, decodeFrankedPlaintext, decodeFrankingAad, FrankingError } from '@sotto/protocol';
import type { LeafInfo } from '../mls/mls-adapter.js';
import type { QueuedMessage } from '../transport/server-api.js';
import { toB64 } from '../util/b64.js';
import type { FrankingProof } from './records.js';

/** Why a message failed its franking check: no commitment or stamp, a commitment that does not open, another sender. */
export type FrankingFailure = 'missing' | 'commitment' | 'sender';

export type FrankingCheck = { ok: true; content: Uint8Array; proof: FrankingProof } | { ok: false; reason: FrankingFailure };

export function checkFranking(
  m: QueuedMessage,
  sender: LeafInfo,
  applicationData: Uint8Array,
  authenticatedData: Uint8Array,
): FrankingCheck {
  if (!m.franking) return { ok: false, reason: 'missing' };
  let commitment: Uint8Array;
  let opened: { key: Uint8Array; content: Uint8Array };
  try {
    commitment = decodeFrankingAad(authenticatedData);
    opened = decodeFrankedPlaintext(applicationData);
  } catch (e) {
    if (e instanceof FrankingError) return { ok: false, reason: 'missing' };
    throw e;
  }
  if (!commitmentOpens(opened.key, opened.content, commitment)) return { ok: false, reason: 'commitment' };
  if (m.franking.device !== sender.deviceId || m.franking.account !== sender.account) return { ok: false, reason: 'sender' };
  return {
    ok: true,
    content: opened.content,
    proof: {
      key: toB64(opened.key),
      content: toB64(opened.content),
      commitment: toB64(commitment),
      stamp: toB64(m.franking.stamp),
      senderDevice: m.franking.device,
      senderAccount: m.franking.account,
      receivedAt: m.createdAt,
    },
  };
}
