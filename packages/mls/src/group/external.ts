// RFC 9420 §12.4.3.2 joining by external commit: ExternalInit from the GroupInfo's external_pub, our leaf added
// at the leftmost blank, a mandatory UpdatePath, and optionally the Remove of our own old leaf (resync).

import { UsageError, ValidationError } from '../errors.js';
import { framingEpoch, protectPublicMessage, signContent } from '../framing/index.js';
import { defaultCapabilities } from '../key-package/create.js';
import { deriveEpochSecrets, externalInitSecretForSender } from '../schedule/key-schedule.js';
import { computePskSecret } from '../schedule/psk.js';
import { SecretTree } from '../schedule/secret-tree.js';
import { confirmationTag, confirmedTranscriptHash, interimTranscriptHash } from '../schedule/transcript-hash.js';
import { createUpdatePath } from '../tree/treekem.js';
import { bytesEqual } from '../util/bytes.js';
import { decodeExternalPub } from '../wire/extension.js';
import {
  type Bytes,
  type Capabilities,
  ContentType,
  type Credential,
  encodeCredential,
  type Extension,
  ExtensionType,
  type FramedContent,
  type GroupContext,
  type GroupInfo,
  type LeafNode,
  LeafNodeSource,
  type MlsMessage,
  type Proposal,
  ProposalType,
  ProtocolVersion,
  type RatchetTreeNodes,
  SenderType,
  WireFormat,
} from '../wire/index.js';
import { applyProposals } from './apply-proposals.js';
import { findExtension, verifiedGroupInfoTree } from './group-info.js';
import { assertOwnLeaf } from './own-leaf.js';
import { resolvePsks } from './psk.js';
import { DEFAULT_CONFIG, type GroupConfig, type GroupDeps, type GroupState, keysFrom, makeState, rememberPsk } from './state.js';

export interface ExternalJoinOptions {
  credential: Credential;
  signaturePrivateKey?: Bytes;
  /**
   * Capabilities of our new leaf beyond the defaults, as for createKeyPackage. They must cover the group's
   * required_capabilities, context extensions and members' credential types (V-OWN-01, checked before signing).
   */
  capabilities?: Partial<Capabilities>;
  /** Extensions of our new leaf (each non-default type must be listed in `capabilities.extensions`). */
  leafExtensions?: Extension[];
  /** The tree, when the GroupInfo has no ratchet_tree extension. */
  ratchetTree?: RatchetTreeNodes;
  /** Our old leaf to remove in the same commit (resync after state loss). */
  removeLeaf?: number;
  authenticatedData?: Bytes;
  config?: Partial<GroupConfig>;
}

export function joinByExternalCommit(deps: GroupDeps, gi: GroupInfo, opts: ExternalJoinOptions): { group: GroupState; commit: MlsMessage } {
  const ctx0 = gi.groupContext;
  const cs = deps.crypto.suite(ctx0.cipherSuite);
  const tree0 = verifiedGroupInfoTree(deps, gi, opts.ratchetTree, { noTree: 'V-EXT-04', signature: 'V-EXT-04' });
  const pubExt = findExtension(gi.extensions, ExtensionType.external_pub);
  if (!pubExt) throw new ValidationError('V-EXT-04', 'GroupInfo has no external_pub');
  const { kemOutput, initSecret } = externalInitSecretForSender(cs, decodeExternalPub(pubExt.extensionData), deps.rng);
  const proposals: Proposal[] = [{ proposalType: ProposalType.external_init, externalInit: { kemOutput } }];
  if (opts.removeLeaf !== undefined) {
    // RFC 9420 §12.2: only our own old leaf, which members recognise by its credential (V-EXT-05).
    const old = tree0.leaf(opts.removeLeaf);
    if (!old) throw new UsageError(`leaf ${opts.removeLeaf} is blank: nothing to remove`);
    if (!bytesEqual(encodeCredential(old.credential), encodeCredential(opts.credential))) {
      throw new UsageError('an external commit may remove only our own old leaf (same credential); members would refuse it (V-EXT-05)');
    }
    proposals.push({ proposalType: ProposalType.remove, remove: { removed: opts.removeLeaf } });
  }
  const newMember = { senderType: SenderType.new_member_commit } as const;
  const applied = applyProposals(
    tree0,
    ctx0.extensions,
    proposals.map((proposal) => ({ proposal, sender: newMember })),
  );
  const signaturePrivateKey = opts.signaturePrivateKey ?? cs.generateSignatureKeyPair(deps.rng).privateKey;
  const signatureKey = cs.signaturePublicKey(signaturePrivateKey);
  const template = {
    credential: opts.credential,
    capabilities: defaultCapabilities(ctx0.cipherSuite, opts.capabilities),
    extensions: opts.leafExtensions ?? [],
    signatureKey,
  };
  assertOwnLeaf('external commit', template, { ...ctx0, extensions: applied.extensions, tree: applied.tree });
  // Placeholder leaf to reserve our index; createUpdatePath replaces it with the signed commit leaf.
  const placeholder: LeafNode = {
    ...template,
    encryptionKey: new Uint8Array(0),
    leafNodeSource: LeafNodeSource.update,
    signature: new Uint8Array(0),
  };
  const { tree: withUs, leafIndex } = applied.tree.addLeaf(placeholder);
  const epoch = ctx0.epoch + 1n;
  const { treeHash: _old, ...provisional } = { ...ctx0, epoch, extensions: applied.extensions };
  const created = createUpdatePath({
    tree: withUs,
    leafIndex,
    leaf: template,
    signaturePrivateKey,
    groupContext: provisional,
    rng: deps.rng,
  });
  const content: FramedContent = {
    groupId: ctx0.groupId,
    epoch: ctx0.epoch,
    sender: newMember,
    authenticatedData: opts.authenticatedData ?? new Uint8Array(0),
    contentType: ContentType.commit,
    commit: { proposals: proposals.map((proposal) => ({ type: 1, proposal })), path: created.updatePath },
  };
  const empty = new Uint8Array(0);
  const fe = framingEpoch(cs, ctx0, { membershipKey: empty, senderDataSecret: empty });
  const signed = signContent(fe, WireFormat.mls_public_message, content, signaturePrivateKey);
  const interim0 = interimTranscriptHash(cs, ctx0.confirmedTranscriptHash, gi.confirmationTag);
  const confirmed = confirmedTranscriptHash(cs, interim0, signed);
  const context: GroupContext = { ...provisional, treeHash: created.tree.treeHash(), confirmedTranscriptHash: confirmed };
  const pskSecret = computePskSecret(cs, resolvePsks(deps, applied.psks, undefined, undefined));
  const secrets = deriveEpochSecrets(cs, { initSecret, commitSecret: created.commitSecret, pskSecret, groupContext: context });
  const tag = confirmationTag(cs, secrets.confirmationKey, confirmed);
  const message = protectPublicMessage(fe, { ...signed, auth: { ...signed.auth, confirmationTag: tag } });
  const config = { ...DEFAULT_CONFIG, ...opts.config };
  const group = makeState({
    context,
    tree: created.tree,
    ownLeaf: leafIndex,
    signaturePrivateKey,
    privateTree: created.privateTree,
    updateKeys: [],
    keys: keysFrom(secrets),
    secretTree: SecretTree.create(cs, secrets.encryptionSecret, created.tree.leafCount),
    interimTranscriptHash: interimTranscriptHash(cs, confirmed, tag),
    confirmationTag: tag,
    pending: [],
    resumptionPsks: rememberPsk(new Map(), epoch, secrets.resumptionPsk, config.resumptionPskEpochs),
    pastEpochs: [],
    config,
  });
  return { group, commit: { version: ProtocolVersion.mls10, wireFormat: WireFormat.mls_public_message, publicMessage: message } };
}
