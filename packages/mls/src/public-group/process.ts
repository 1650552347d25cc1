// RFC 9420 §6.2, §12.1, §12.4.2 for a Delivery Service: verifying a PublicMessage proposal or commit against a
// PublicGroup without any epoch secret, caching proposals by reference, and applying commits to the next epoch.
// Decode -> verify (signature) -> validate (the member-side checks of group/verify-commit.ts) -> new value.
import type { RemovedMember } from '../group/apply-proposals.js';
import { makeProposalRef } from '../crypto/labels.js';
import { keyPackageRef } from '../key-package/ref.js';
import { ValidationError } from '../errors.js';
import { publicEpoch, type SignatureVerifiedContent, verifyPublicMessageSignature } from '../framing/index.js';
import { keyLookup } from '../group/framing-glue.js';
import type { Member } from '../group/state.js';
import { addedMembers, cacheProposal, checkCommit, mergeCommitPath, nextGroupContext, validateProposal } from '../group/verify-commit.js';
import { interimTranscriptHash } from '../schedule/transcript-hash.js';
import { memberOf } from '../group/state.js';
import {
  type Bytes,
  ContentType,
  decodeMlsMessage,
  encodeAuthenticatedContent,
  type MlsMessage,
  type Proposal,
  type ReInit,
  type Sender,
  WireFormat,
} from '../wire/index.js';
import { makePublicGroup, type PublicGroup, type PublicGroupDeps, publicSuiteOf } from './state.js';

export type PublicProcessResult =
  | {
      readonly kind: 'proposal';
      readonly group: PublicGroup;
      readonly sender: Sender;
      readonly proposal: Proposal;
      /** Its ProposalRef (RFC 9420 §5.2), by which a commit of this epoch may include it. */
      readonly ref: Bytes;
    }
  | {
      readonly kind: 'commit';
      readonly group: PublicGroup;
      readonly sender: Sender;
      /** The committer's leaf in the new epoch (for an external commit: the joiner's new leaf). */
      readonly committer: Member;
      readonly newEpoch: bigint;
      /** Leaves added by Add proposals, and an external joiner's own leaf. */
      readonly added: Member[];
      /** KeyPackageRefs (§5.2) of the KeyPackages the Adds carried: the Welcome must name exactly these (V-DS-04). */
      readonly addedKeyPackageRefs: Bytes[];
      /** Leaves removed, with the credential they had and who proposed each removal. */
      readonly removed: RemovedMember[];
      /** Leaves replaced by Update proposals (the committer's own new leaf is `committer`). */
      readonly updated: Member[];
      /** A committed ReInit (RFC 9420 §11.2): the group is closed from `newEpoch` on. */
      readonly reinit?: ReInit;
    };

/**
 * Verifies one handshake message (MLSMessage bytes) against the group's public state and returns the next state.
 * Checked, with the same code a member runs: group id and epoch (V-FRM-01/02, the error names the current epoch),
 * no application data (V-FRM-06), sender-type rules and the signature under the sender's key (V-FRM-04/05/09/12-14),
 * each proposal (§12.1) and the commit's proposal list (§12.2, V-PROP-*, V-EXT-*), path presence, the UpdatePath's
 * leaf, fresh keys and parent hash (V-PATH-01..04, V-LEAF-*), and `deps.validateCredential` on every new or
 * changed leaf. NOT checked, because they need epoch secrets the Delivery Service never has:
 * - the membership_tag of a member's PublicMessage (a MAC under membership_key, RFC 9420 §6.2);
 * - the confirmation_tag of a commit (a MAC under the new epoch's confirmation_key, §8.1, §6.1), and so whether the
 *   committer derived the new epoch correctly; the DS still uses the tag in the interim transcript hash (§8.2);
 * - the encrypted path secrets of an UpdatePath (only their count, V-PATH-02), ExternalInit's kem_output, PSKs.
 * PrivateMessage (content encrypted, §6.3), Welcome, GroupInfo and KeyPackage messages are refused (V-DS-02).
 * Throws ValidationError / DecodeError; the input state is never changed.
 */
export function processPublicMessage(deps: PublicGroupDeps, group: PublicGroup, message: Bytes | MlsMessage): PublicProcessResult {
  const msg = message instanceof Uint8Array ? decodeMlsMessage(message) : message;
  if (msg.wireFormat !== WireFormat.mls_public_message) {
    const what = msg.wireFormat === WireFormat.mls_private_message ? 'a PrivateMessage' : 'not a handshake message';
    throw new ValidationError('V-DS-02', `${what}: the Delivery Service verifies PublicMessage proposals and commits only`);
  }
  const cs = publicSuiteOf(deps.crypto, group);
  const ac = verifyPublicMessageSignature(publicEpoch(cs, group.context), msg.publicMessage, keyLookup(group));
  const c = ac.content;
  if (c.contentType === ContentType.proposal) {
    validateProposal(deps, group, c.proposal, c.sender);
    const ref = makeProposalRef(cs, encodeAuthenticatedContent(ac));
    const pending = cacheProposal(group.pending, { ref, proposal: c.proposal, sender: c.sender });
    return { kind: 'proposal', group: makePublicGroup({ ...group, pending }), sender: c.sender, proposal: c.proposal, ref };
  }
  return processCommit(deps, group, ac);
}

/** RFC 9420 §12.4.2 without secrets: the shared checks, then the next GroupContext and interim transcript hash. */
function processCommit(deps: PublicGroupDeps, group: PublicGroup, ac: SignatureVerifiedContent): PublicProcessResult {
  const cs = publicSuiteOf(deps.crypto, group);
  if (group.reinit) throw new ValidationError('V-COMMIT-05', `commit after the ReInit of epoch ${group.reinit.epoch}`);
  const checked = checkCommit(deps, group, ac);
  const merged = mergeCommitPath(deps, group, checked);
  const context = nextGroupContext(cs, merged, group.interimTranscriptHash, ac);
  // A commit always carries a confirmation tag (the decoder requires it); unverifiable here, it still enters §8.2.
  const tag = ac.auth.confirmationTag ?? new Uint8Array(0);
  const next = makePublicGroup({
    context,
    tree: merged.tree,
    interimTranscriptHash: interimTranscriptHash(cs, context.confirmedTranscriptHash, tag),
    pending: [],
    ...(checked.applied.reinit ? { reinit: { proposal: checked.applied.reinit, epoch: context.epoch } } : {}),
  });
  const leaf = merged.tree.leaf(merged.committer);
  if (!leaf) throw new TypeError('the committer leaf is blank after its commit');
  return {
    kind: 'commit',
    group: next,
    sender: checked.sender,
    committer: memberOf(merged.committer, leaf),
    newEpoch: context.epoch,
    added: addedMembers(checked, merged),
    addedKeyPackageRefs: checked.applied.added.map((a) => keyPackageRef(cs, a.keyPackage)),
    removed: checked.applied.removed,
    updated: checked.applied.updated,
    ...(checked.applied.reinit ? { reinit: checked.applied.reinit } : {}),
  };
}
