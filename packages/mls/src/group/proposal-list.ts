// RFC 9420 §12.2 validation of a commit's proposal list (IDs V-PROP-*, V-EXT-01..03) and §17.4 path-required rule.

import type { MlsDeps } from '../crypto/provider.js';
import { ValidationError } from '../errors.js';
import { type CredentialValidator, isDefaultExtension, validateKeyPackage } from '../key-package/validate.js';
import { keyTag, type RatchetTree } from '../tree/ratchet-tree.js';
import { validateLeafNode } from '../tree/validate.js';
import { bytesEqual, toHex } from '../util/bytes.js';
import {
  type Bytes,
  type Capabilities,
  decodeRequiredCapabilities,
  type Extension,
  ExtensionType,
  encodePreSharedKeyID,
  type GroupContext,
  type LeafNode,
  LeafNodeSource,
  type PreSharedKeyID,
  type Proposal,
  ProposalType,
  PskType,
  ResumptionPskUsage,
  type Sender,
  SenderType,
} from '../wire/index.js';

/** A proposal of a commit with where it came from. `ref` is set when it was included by reference. */
export interface ResolvedProposal {
  readonly proposal: Proposal;
  readonly sender: Sender;
  readonly ref?: Bytes;
}

/** What the proposal-list rules need to know about the group before the commit. */
export interface ProposalListView {
  readonly context: GroupContext;
  readonly leafCount: number;
  leafAt(leafIndex: number): LeafNode | undefined;
  /** The committer's leaf index, or undefined for an external commit. */
  readonly committer: number | undefined;
  readonly validateCredential?: CredentialValidator;
  readonly tree: RatchetTree;
  readonly now: bigint;
  /** The reinit PSK our own first commit of a reinitialised group may carry (RFC 9420 §11.2); never set on receipt. */
  readonly reinitPsk?: PreSharedKeyID;
}

/** RFC 9420 §17.4: proposal types that do not require a path (add, psk, reinit). */
const NO_PATH = new Set<number>([ProposalType.add, ProposalType.psk, ProposalType.reinit]);

/** RFC 9420 §12.4: a path is required if the list is empty or has a proposal type whose "Path Required" is Y. */
export function pathRequired(list: readonly ResolvedProposal[]): boolean {
  return list.length === 0 || list.some((p) => !NO_PATH.has(p.proposal.proposalType));
}

const DEFAULT_PROPOSALS = new Set<number>([1, 2, 3, 4, 5, 6, 7]);

/** Throws ValidationError unless the list is valid for a commit in this group (RFC 9420 §12.2). */
export function validateProposalList(deps: MlsDeps, view: ProposalListView, list: readonly ResolvedProposal[]): void {
  const external = view.committer === undefined;
  if (external) validateExternalList(list);
  const touched = new Set<number>();
  const removed = new Set<number>();
  const pskIds = new Set<string>();
  let gce = 0;
  for (const { proposal: p, sender, ref } of list) {
    const senderLeaf = sender.senderType === SenderType.member ? sender.leafIndex : undefined;
    switch (p.proposalType) {
      case ProposalType.update: {
        if (ref === undefined) throw new ValidationError('V-PROP-14', 'Update proposal included by value');
        if (senderLeaf === undefined) throw new ValidationError('V-PROP-12', 'Update proposal not sent by a member');
        if (senderLeaf === view.committer) throw new ValidationError('V-PROP-02', 'committer includes its own Update');
        if (touched.has(senderLeaf)) throw new ValidationError('V-PROP-01', 'two Update/Remove proposals for one leaf');
        touched.add(senderLeaf);
        break;
      }
      case ProposalType.remove: {
        const r = p.remove.removed;
        if (r >= view.leafCount || view.leafAt(r) === undefined) throw new ValidationError('V-PROP-06', 'Remove of a blank or absent leaf');
        if (r === view.committer) throw new ValidationError('V-PROP-02', 'committer removes itself');
        if (touched.has(r)) throw new ValidationError('V-PROP-01', 'two Update/Remove proposals for one leaf');
        touched.add(r);
        removed.add(r);
        break;
      }
      case ProposalType.psk: {
        validatePskId(deps, view, p.psk.psk);
        const key = toHex(encodePreSharedKeyID(p.psk.psk));
        if (pskIds.has(key)) throw new ValidationError('V-PROP-07', 'two PreSharedKey proposals for one PSK');
        pskIds.add(key);
        break;
      }
      case ProposalType.reinit:
        if (list.length !== 1) throw new ValidationError('V-PROP-08', 'ReInit together with other proposals');
        if (p.reinit.version < view.context.version) throw new ValidationError('V-PROP-16', 'ReInit to an older protocol version');
        break;
      case ProposalType.external_init:
        if (!external) throw new ValidationError('V-PROP-09', 'ExternalInit in a member commit');
        break;
      case ProposalType.group_context_extensions:
        gce++;
        if (gce > 1) throw new ValidationError('V-PROP-04', 'more than one GroupContextExtensions proposal');
        break;
      case ProposalType.add:
        break;
      default:
        throw new ValidationError('V-PROP-09', 'proposal type not allowed in a commit');
    }
  }
  validateAdds(deps, view, list, removed);
  validateGce(view, list, removed);
}

/** RFC 9420 §12.1.2: an Update's leaf node is valid for the sender's leaf (source update, signature with group id). */
export function validateUpdateLeaf(deps: MlsDeps, view: ProposalListView, senderLeaf: number, leaf: LeafNode): void {
  const cs = deps.crypto.suite(view.context.cipherSuite);
  if (leaf.leafNodeSource !== LeafNodeSource.update) throw new ValidationError('V-PROP-12', 'Update leaf node source is not update');
  const old = view.leafAt(senderLeaf);
  validateLeafNode(leaf, {
    cs,
    groupId: view.context.groupId,
    leafIndex: senderLeaf,
    source: 'update',
    tree: view.tree,
    groupExtensions: view.context.extensions,
    ...(old ? { replacing: old } : {}),
  });
  if (view.validateCredential && !view.validateCredential(leaf.credential, leaf.signatureKey)) {
    throw new ValidationError('V-PROP-12', 'credential rejected by the application');
  }
}

/** RFC 9420 §7.3 group-dependent leaf checks: suite/version supported, required capabilities, credential type used. */
export function checkLeafAgainstGroup(view: { context: GroupContext }, leaf: LeafNode, code: string): void {
  const caps = leaf.capabilities;
  if (!caps.cipherSuites.includes(view.context.cipherSuite) || !caps.versions.includes(view.context.version)) {
    throw new ValidationError(code, 'leaf does not support the group suite/version');
  }
  if (!supportsRequired(caps, view.context.extensions)) throw new ValidationError(code, 'leaf does not support required capabilities');
  for (const e of leaf.extensions) {
    if (!isDefaultExtension(e.extensionType) && !caps.extensions.includes(e.extensionType)) {
      throw new ValidationError(code, 'leaf carries an extension it does not list');
    }
  }
  if (!caps.credentials.includes(leaf.credential.credentialType)) throw new ValidationError(code, 'leaf does not list its credential type');
}

/** RFC 9420 §11.1: the capabilities cover every required extension, proposal and credential type. */
export function supportsRequired(caps: Capabilities, groupExtensions: readonly Extension[]): boolean {
  const rcExt = groupExtensions.find((e) => e.extensionType === ExtensionType.required_capabilities);
  if (!rcExt) return true;
  const rc = decodeRequiredCapabilities(rcExt.extensionData);
  return (
    rc.extensionTypes.every((t) => isDefaultExtension(t) || caps.extensions.includes(t)) &&
    rc.proposalTypes.every((t) => DEFAULT_PROPOSALS.has(t) || caps.proposals.includes(t)) &&
    rc.credentialTypes.every((t) => caps.credentials.includes(t))
  );
}

export function validatePskId(deps: MlsDeps, view: ProposalListView, id: PreSharedKeyID): void {
  const nh = deps.crypto.suite(view.context.cipherSuite).hashLength;
  if (id.pskNonce.length !== nh) throw new ValidationError('V-PROP-13', 'PSK nonce length is not Nh');
  // RFC 9420 §11.2, §12.1.4: usage reinit only in the first commit of the group that reinitialises another.
  const reinit = view.reinitPsk !== undefined && bytesEqual(encodePreSharedKeyID(id), encodePreSharedKeyID(view.reinitPsk));
  if (id.pskType === PskType.resumption && id.usage !== ResumptionPskUsage.application && !reinit) {
    throw new ValidationError('V-PROP-13', 'resumption PSK with usage other than application');
  }
}

function validateAdds(deps: MlsDeps, view: ProposalListView, list: readonly ResolvedProposal[], removed: ReadonlySet<number>): void {
  const adds = list.filter((x) => x.proposal.proposalType === ProposalType.add);
  if (adds.length === 0) return;
  // Keys of the remaining members as 32-bit tags (no per-key string): an exact comparison runs only on a tag hit.
  const memberTags = new Set<number>();
  for (let i = 0; i < view.leafCount; i++) {
    const leaf = view.leafAt(i);
    if (!leaf || removed.has(i)) continue;
    memberTags.add(keyTag(leaf.signatureKey)).add(keyTag(leaf.encryptionKey));
  }
  const isMember = (sig: Bytes, enc: Bytes): boolean => {
    if (!memberTags.has(keyTag(sig)) && !memberTags.has(keyTag(enc))) return false;
    for (let i = 0; i < view.leafCount; i++) {
      const leaf = view.leafAt(i);
      if (leaf && !removed.has(i) && (bytesEqual(leaf.signatureKey, sig) || bytesEqual(leaf.encryptionKey, enc))) return true;
    }
    return false;
  };
  const sigKeys = new Set<string>();
  const encKeys = new Set<string>();
  for (const { proposal: p, ref } of adds) {
    if (p.proposalType !== ProposalType.add) continue;
    const kp = p.add.keyPackage;
    // A proposal by reference was validated when it was received (RFC 9420 §12.1.1); one by value is checked here.
    if (ref === undefined) {
      validateKeyPackage(deps, kp, {
        version: view.context.version,
        cipherSuite: view.context.cipherSuite,
        ...(view.validateCredential ? { validateCredential: view.validateCredential } : {}),
      });
    }
    checkLeafAgainstGroup(view, kp.leafNode, 'V-PROP-10');
    const sk = toHex(kp.leafNode.signatureKey);
    const ek = toHex(kp.leafNode.encryptionKey);
    if (sigKeys.has(sk) || encKeys.has(ek) || isMember(kp.leafNode.signatureKey, kp.leafNode.encryptionKey)) {
      throw new ValidationError('V-PROP-03', 'Add of a client already in the group or added twice');
    }
    sigKeys.add(sk);
    encKeys.add(ek);
  }
}

/** RFC 9420 §12.1.7: every remaining member supports the new extensions (and the new required capabilities). */
function validateGce(view: ProposalListView, list: readonly ResolvedProposal[], removed: ReadonlySet<number>): void {
  const g = list.find((x) => x.proposal.proposalType === ProposalType.group_context_extensions);
  if (!g || g.proposal.proposalType !== ProposalType.group_context_extensions) return;
  const exts = g.proposal.groupContextExtensions.extensions;
  const types = exts.map((e) => e.extensionType);
  if (new Set(types).size !== types.length) throw new ValidationError('V-PROP-05', 'duplicate extension type');
  const check = (leaf: LeafNode): void => {
    for (const t of types) {
      if (!isDefaultExtension(t) && !leaf.capabilities.extensions.includes(t)) {
        throw new ValidationError('V-PROP-05', 'a member does not support a new group extension');
      }
    }
    if (!supportsRequired(leaf.capabilities, exts))
      throw new ValidationError('V-PROP-05', 'a member does not support the new required capabilities');
  };
  for (let i = 0; i < view.leafCount; i++) {
    const leaf = view.leafAt(i);
    if (leaf && !removed.has(i)) check(leaf);
  }
  for (const { proposal: p } of list) if (p.proposalType === ProposalType.add) check(p.add.keyPackage.leafNode);
}

/** RFC 9420 §12.4.3.2: ExternalInit exactly once, at most one Remove, otherwise only PreSharedKey. */
function validateExternalList(list: readonly ResolvedProposal[]): void {
  let ei = 0;
  let rm = 0;
  for (const { proposal: p } of list) {
    if (p.proposalType === ProposalType.external_init) ei++;
    else if (p.proposalType === ProposalType.remove) rm++;
    else if (p.proposalType !== ProposalType.psk) throw new ValidationError('V-EXT-02', 'proposal type not allowed in an external commit');
  }
  if (ei !== 1) throw new ValidationError('V-EXT-01', 'an external commit needs exactly one ExternalInit');
  if (rm > 1) throw new ValidationError('V-EXT-03', 'more than one Remove in an external commit');
}
