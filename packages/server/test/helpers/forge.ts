// Handshakes a modified client could send, for the Delivery Service's must-reject tests (RFC 9420 §6.1, §12.1.2,
// §12.4.2): a member's own leaf swapped to another device's certificate and key, in an Update proposal or in the
// UpdatePath of a commit, correctly signed by the member's current leaf. Our API refuses to build these, so this uses
// @sotto/mls/internal (framing and state), as the mls package's own forge helper does.
import type { Group, GroupDeps } from '@sotto/mls';
import { proposeUpdateKey, updateKey, WireFormat } from '@sotto/mls';
import { decodeMlsMessage, encodeMlsMessage, epochOf, makeState, protectPublicMessage, signContent } from '@sotto/mls/internal';
import { publicKeyOf } from '@sotto/identity';
import type { Device } from './client.js';
import { credentialOf } from './mls-member.js';

/** `real` with its own leaf claiming `other` (certificate, signature key) and signing with other's key. */
function posingAs(real: Group, other: Device): Group {
  const own = real.tree.leaf(real.ownLeaf);
  if (!own) throw new Error('own leaf missing');
  const leaf = { ...own, credential: credentialOf(other), signatureKey: publicKeyOf(other.sk) };
  return makeState({ ...real, tree: real.tree.setLeaf(real.ownLeaf, leaf), signaturePrivateKey: other.sk });
}

/** Re-signs a PublicMessage's FramedContent with `real`'s key over its true GroupContext (RFC 9420 §6.1). */
function resignAs(deps: GroupDeps, real: Group, message: Uint8Array): Uint8Array {
  const m = decodeMlsMessage(message);
  if (m.wireFormat !== WireFormat.mls_public_message) throw new Error('not a PublicMessage');
  const epoch = epochOf(deps, real);
  const ac = signContent(epoch, WireFormat.mls_public_message, m.publicMessage.content, real.signaturePrivateKey);
  // A commit keeps the tag its forger computed: it no longer matches, which only members can tell (§8.1).
  const auth = m.publicMessage.auth.confirmationTag ? { ...ac.auth, confirmationTag: m.publicMessage.auth.confirmationTag } : ac.auth;
  return encodeMlsMessage({
    version: 1,
    wireFormat: WireFormat.mls_public_message,
    publicMessage: protectPublicMessage(epoch, { ...ac, auth }),
  });
}

/** An Update proposal from `real`'s leaf whose new LeafNode is `other`'s (signed by other's key, §7.3). */
export function updateProposalAs(deps: GroupDeps, real: Group, other: Device): Uint8Array {
  return resignAs(deps, real, proposeUpdateKey(deps, posingAs(real, other)).message);
}

/** A commit from `real`'s leaf whose UpdatePath leaf is `other`'s (signed by other's key, §7.5). */
export function updatePathAs(deps: GroupDeps, real: Group, other: Device): Uint8Array {
  return resignAs(deps, real, updateKey(deps, posingAs(real, other)).commit);
}
