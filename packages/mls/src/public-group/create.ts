// Creating a PublicGroup (RFC 9420 §12.4.3, §11): from a signed GroupInfo plus its ratchet tree, or, for a group
// the Delivery Service sees from its birth, from the creator's epoch-0 GroupInfo and first commit.
import { UsageError, ValidationError } from '../errors.js';
import { verifiedGroupInfoTree } from '../group/group-info.js';
import { interimTranscriptHash } from '../schedule/transcript-hash.js';
import { type Bytes, decodeMlsMessage, decodeRatchetTree, type GroupInfo, type RatchetTreeNodes, WireFormat } from '../wire/index.js';
import { processPublicMessage, type PublicProcessResult } from './process.js';
import { makePublicGroup, type PublicGroup, type PublicGroupDeps } from './state.js';

export interface PublicGroupInfoOptions {
  /** The ratchet tree (encoded, or as nodes) when the GroupInfo has no ratchet_tree extension (§12.4.3.3). */
  ratchetTree?: Bytes | RatchetTreeNodes;
}

/**
 * A PublicGroup at the GroupInfo's epoch (RFC 9420 §12.4.3.1 checks a Delivery Service can make): the GroupInfo
 * signature under the signer's leaf (V-WELC-03), a tree available (V-WELC-07) and valid (tree hash, parent hashes,
 * leaves, unmerged leaves, unique keys: V-TREE-*, V-LEAF-*), every member credential accepted by
 * `deps.validateCredential` (V-WELC-08). The interim transcript hash comes from the GroupInfo's confirmation_tag
 * (§8.2), which only members can verify (it is a MAC under the epoch's confirmation_key, §6.1).
 */
export function createPublicGroup(deps: PublicGroupDeps, groupInfo: Bytes | GroupInfo, opts: PublicGroupInfoOptions = {}): PublicGroup {
  const gi = groupInfo instanceof Uint8Array ? decodeGroupInfoMessage(groupInfo) : groupInfo;
  const out = opts.ratchetTree instanceof Uint8Array ? decodeRatchetTree(opts.ratchetTree) : opts.ratchetTree;
  const tree = verifiedGroupInfoTree(deps, gi, out, { noTree: 'V-WELC-07', signature: 'V-WELC-03' });
  const ctx = gi.groupContext;
  const cs = deps.crypto.suite(ctx.cipherSuite);
  return makePublicGroup({
    context: ctx,
    tree,
    interimTranscriptHash: interimTranscriptHash(cs, ctx.confirmedTranscriptHash, gi.confirmationTag),
    pending: [],
  });
}

/**
 * Registers a new group from its birth. What the creator hands the Delivery Service:
 * 1. `groupInfo`: its epoch-0 GroupInfo, made right after createGroup (createGroupInfo, with the ratchet_tree
 *    extension): epoch 0 (§11), an empty confirmed transcript hash, and the creator as sole member and signer;
 *    it fixes the group id, suite, extensions and the creator's leaf, and carries the epoch-0 confirmation tag from
 *    which the interim transcript hash follows (§8.2). A GroupContext alone would not do: the interim hash needs
 *    that tag, and the signature binds it to the creator.
 * 2. `commit`: the creator's first commit (usually adding the first members), a PublicMessage of epoch 0.
 * Returns the state after that commit (epoch 1) and its report. Throws V-DS-01 when the GroupInfo does not
 * describe a group's birth or the message is not a commit; otherwise the errors of createPublicGroup and
 * processPublicMessage.
 */
export function createPublicGroupFromFirstCommit(
  deps: PublicGroupDeps,
  first: { groupInfo: Bytes | GroupInfo; commit: Bytes },
): PublicProcessResult & { kind: 'commit' } {
  const gi = first.groupInfo instanceof Uint8Array ? decodeGroupInfoMessage(first.groupInfo) : first.groupInfo;
  const ctx = gi.groupContext;
  if (ctx.epoch !== 0n || ctx.confirmedTranscriptHash.length !== 0) {
    throw new ValidationError('V-DS-01', 'the GroupInfo is not of epoch 0 (group creation, RFC 9420 §11)');
  }
  const genesis = createPublicGroup(deps, gi);
  if (genesis.tree.memberCount !== 1 || genesis.tree.leaf(gi.signer) === undefined) {
    throw new ValidationError('V-DS-01', 'a new group has exactly one member, the GroupInfo signer');
  }
  const r = processPublicMessage(deps, genesis, first.commit);
  if (r.kind !== 'commit') throw new ValidationError('V-DS-01', 'the first message of a new group must be a commit');
  return r;
}

function decodeGroupInfoMessage(bytes: Bytes): GroupInfo {
  const m = decodeMlsMessage(bytes);
  if (m.wireFormat !== WireFormat.mls_group_info) throw new UsageError('not a GroupInfo message');
  return m.groupInfo;
}
