// Binds a GroupState to the framing layer (RFC 9420 §6): the epoch's framing keys, sender key lookup,
// and one protect/unprotect entry point for both wire formats.

import type { Rng } from '../crypto/provider.js';
import {
  type FramingEpoch,
  framingEpoch,
  protectPrivateMessage,
  protectPublicMessage,
  type SignatureKeyLookup,
  unprotectPrivateMessage,
  unprotectPublicMessage,
  type VerifiedContent,
} from '../framing/index.js';
import type { SecretTree } from '../schedule/secret-tree.js';
import {
  type AuthenticatedContent,
  decodeExternalSenders,
  ExtensionType,
  type MlsMessage,
  ProtocolVersion,
  SenderType,
  WireFormat,
} from '../wire/index.js';
import { type GroupDeps, type GroupState, suiteOf } from './state.js';

// One FramingEpoch per epoch: every state of an epoch shares its `keys` object, so the encoded GroupContext is
// computed once per epoch rather than once per message.
const epochs = new WeakMap<object, { context: GroupState['context']; epoch: FramingEpoch }>();

export function epochOf(deps: GroupDeps, state: GroupState): FramingEpoch {
  const hit = epochs.get(state.keys);
  const cs = suiteOf(deps, state);
  if (hit && hit.context === state.context && hit.epoch.cs === cs) return hit.epoch;
  const epoch = framingEpoch(cs, state.context, state.keys);
  epochs.set(state.keys, { context: state.context, epoch });
  return epoch;
}

/** Signature key of a member leaf or of an entry of external_senders (RFC 9420 §6.1). */
export function keyLookup(state: Pick<GroupState, 'context' | 'tree'>): SignatureKeyLookup {
  return (sender) => {
    if (sender.senderType === SenderType.member) return state.tree.leaf(sender.leafIndex)?.signatureKey;
    if (sender.senderType === SenderType.external) {
      const ext = state.context.extensions.find((e) => e.extensionType === ExtensionType.external_senders);
      if (!ext) return undefined;
      return decodeExternalSenders(ext.extensionData)[sender.senderIndex]?.signatureKey;
    }
    return undefined;
  };
}

/** Frames signed content as the MLSMessage for its wire format; a PrivateMessage consumes a secret-tree key. */
export function frame(
  epoch: FramingEpoch,
  secretTree: SecretTree,
  ac: AuthenticatedContent,
  rng: Rng,
  paddingBlock: number,
): { message: MlsMessage; secretTree: SecretTree } {
  if (ac.wireFormat === WireFormat.mls_public_message) {
    return { message: { version: ProtocolVersion.mls10, wireFormat: 1, publicMessage: protectPublicMessage(epoch, ac) }, secretTree };
  }
  const r = protectPrivateMessage(epoch, secretTree, ac, { rng, ...(paddingBlock > 0 ? { padToMultipleOf: paddingBlock } : {}) });
  return { message: { version: ProtocolVersion.mls10, wireFormat: 2, privateMessage: r.message }, secretTree: r.tree };
}

/** Decrypts/verifies a PublicMessage or PrivateMessage against the current epoch. */
export function unframe(deps: GroupDeps, state: GroupState, msg: MlsMessage): { content: VerifiedContent; secretTree: SecretTree } {
  const epoch = epochOf(deps, state);
  if (msg.wireFormat === WireFormat.mls_public_message) {
    return { content: unprotectPublicMessage(epoch, msg.publicMessage, keyLookup(state)), secretTree: state.secretTree };
  }
  if (msg.wireFormat === WireFormat.mls_private_message) {
    const r = unprotectPrivateMessage(epoch, state.secretTree, msg.privateMessage, keyLookup(state));
    return { content: r.content, secretTree: r.tree };
  }
  throw new TypeError('not a PublicMessage or PrivateMessage');
}
