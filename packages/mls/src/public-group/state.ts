// A group's public state as a Delivery Service holds it (RFC 9420 §6.1, §7, §8.1, §8.2, §12.4): an immutable value.
import type { CryptoProvider } from '../crypto/provider.js';
import { type GroupDeps, type Member, memberOf, type PendingProposal } from '../group/state.js';
import type { RatchetTree } from '../tree/ratchet-tree.js';
import type { Bytes, Capabilities, GroupContext, ReInit } from '../wire/index.js';

/**
 * The public state of one epoch of a group: no private key and no epoch secret, so nothing to redact. A plain,
 * frozen value: processPublicMessage returns a new one and leaves its input untouched (persist it with
 * serializePublicGroup once the message is accepted).
 */
export interface PublicGroup {
  /** The GroupContext of the current epoch (RFC 9420 §8.1), which every member signature covers (§6.1). */
  readonly context: GroupContext;
  /** The ratchet tree without private keys (§7); tree hashes are cached copy-on-write. */
  readonly tree: RatchetTree;
  /**
   * interim_transcript_hash of this epoch (§8.2): with the next commit it gives the next confirmed transcript hash,
   * hence the next GroupContext. Derived from the commit's confirmation_tag, which only members can verify.
   */
  readonly interimTranscriptHash: Bytes;
  /** Proposals received in this epoch, by reference (§12.4), so commits that name them verify. */
  readonly pending: readonly PendingProposal[];
  /** Set once a ReInit commit is applied (RFC 9420 §11.2): the group is closed and takes no further commit. */
  readonly reinit?: { readonly proposal: ReInit; readonly epoch: bigint };
}

/** What the public group needs: the crypto provider, the clock (KeyPackage lifetimes, §7.2) and the credential hook. */
export type PublicGroupDeps = Pick<GroupDeps, 'crypto' | 'rng' | 'now' | 'validateCredential'>;

/** One member leaf as the Delivery Service sees it (RFC 9420 §7.2 LeafNode, public fields). */
export interface PublicMember extends Member {
  readonly encryptionKey: Bytes;
  readonly capabilities: Capabilities;
}

export function makePublicGroup(g: PublicGroup): PublicGroup {
  return Object.freeze({
    context: g.context,
    tree: g.tree,
    interimTranscriptHash: g.interimTranscriptHash,
    pending: Object.freeze([...g.pending]),
    ...(g.reinit ? { reinit: g.reinit } : {}),
  });
}

/** The non-blank leaves of the current epoch, left to right. */
export function publicGroupMembers(group: PublicGroup): PublicMember[] {
  return [...group.tree.leaves()].map(([i, leaf]) => ({
    ...memberOf(i, leaf),
    encryptionKey: leaf.encryptionKey,
    capabilities: leaf.capabilities,
  }));
}

export function publicSuiteOf(crypto: CryptoProvider, group: PublicGroup) {
  return crypto.suite(group.context.cipherSuite);
}
