// Messages a modified client could send, for must-reject tests: an external commit (RFC 9420 §12.4.3.2) re-signed by
// its joiner with a Remove of another member added, which §12.2 forbids and our own API refuses to build (V-EXT-05).
import assert from 'node:assert/strict';
import { framingEpoch, protectPublicMessage, signContent } from '../../src/framing/index.js';
import type { Group, GroupDeps } from '../../src/index.js';
import { decodeMlsMessage, encodeMlsMessage, ProposalType, WireFormat } from '../../src/wire/index.js';

export function evictingExternalCommit(
  deps: GroupDeps,
  groupInfo: Uint8Array,
  honest: { group: Group; commit: Uint8Array },
  victim: number,
): Uint8Array {
  const gi = decodeMlsMessage(groupInfo);
  const m = decodeMlsMessage(honest.commit);
  assert.ok(gi.wireFormat === WireFormat.mls_group_info && m.wireFormat === WireFormat.mls_public_message);
  const content = m.publicMessage.content;
  assert.ok(content.contentType === 3);
  const remove = { type: 1 as const, proposal: { proposalType: ProposalType.remove, remove: { removed: victim } } };
  const forged = { ...content, commit: { ...content.commit, proposals: [...content.commit.proposals, remove] } };
  const ctx = gi.groupInfo.groupContext;
  const empty = new Uint8Array(0);
  const epoch = framingEpoch(deps.crypto.suite(ctx.cipherSuite), ctx, { membershipKey: empty, senderDataSecret: empty });
  const ac = signContent(epoch, WireFormat.mls_public_message, forged, honest.group.signaturePrivateKey);
  // The honest confirmation tag no longer matches; receivers must refuse the Remove before they get that far.
  const publicMessage = protectPublicMessage(epoch, { ...ac, auth: { ...ac.auth, confirmationTag: m.publicMessage.auth.confirmationTag } });
  return encodeMlsMessage({ version: 1, wireFormat: WireFormat.mls_public_message, publicMessage });
}
