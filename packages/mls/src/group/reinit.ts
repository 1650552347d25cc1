// RFC 9420 §11.2 reinitialisation: after a commit with a ReInit proposal, one member creates the new group with the
// ReInit's parameters and the same members, linked to the old group by a resumption PSK of usage reinit (§12.1.4);
// each joiner checks that link (§12.4.3.1). Also a new member's own Add proposal (§12.1.8, new_member_proposal).
import { UnsupportedError, UsageError, ValidationError } from '../errors.js';
import type { RatchetTree } from '../tree/ratchet-tree.js';
import { bytesEqual, toHex } from '../util/bytes.js';
import {
  type Bytes,
  type Capabilities,
  ContentType,
  type Credential,
  encodeCredential,
  encodeExtension,
  type Extension,
  type FramedContent,
  type GroupContext,
  type KeyPackage,
  type MlsMessage,
  type PreSharedKeyID,
  type Proposal,
  ProposalType,
  ProtocolVersion,
  PskType,
  type ReInit,
  ResumptionPskUsage,
  SenderType,
} from '../wire/index.js';
import { type CommitResult, createCommit } from './commit.js';
import { createGroup } from './create.js';
import { signWithoutContext } from './messages.js';
import type { GroupConfig, GroupDeps, GroupState } from './state.js';

export interface ReinitOptions {
  /** A fresh KeyPackage (of the new cipher suite) for every other member of the old group, and for no one else. */
  keyPackages: KeyPackage[];
  /** Our credential in the new group; defaults to the one of our leaf in the old group. */
  credential?: Credential;
  /** Our signature key in the new group; defaults to the old one when the suite keeps its signature scheme. */
  signaturePrivateKey?: Bytes;
  capabilities?: Partial<Capabilities>;
  leafExtensions?: Extension[];
  config?: Partial<GroupConfig>;
  ratchetTreeInWelcome?: boolean;
}

const credentialKey = (c: Credential): string => toHex(encodeCredential(c));
const extensionsKey = (e: readonly Extension[]): string => e.map((x) => toHex(encodeExtension(x))).join('.');

/**
 * RFC 9420 §11.2 step 3: the new group (ReInit's group id, version, suite and extensions) at epoch 1, every old
 * member added from its KeyPackage, and the reinit resumption PSK of the old group's last epoch in the key schedule.
 * Send `welcome` to the members; the old group stays closed.
 */
export function reinitGroup(deps: GroupDeps, old: GroupState, opts: ReinitOptions): CommitResult {
  if (!old.reinit) throw new UsageError('the group has no committed ReInit to act on');
  const r = old.reinit.proposal;
  if (r.version !== ProtocolVersion.mls10) throw new UnsupportedError(`protocol version ${r.version} is not supported`);
  const psk = old.resumptionPsks.get(old.reinit.epoch);
  if (!psk) throw new UsageError('the resumption PSK of the ReInit epoch is no longer held');
  const ownLeaf = old.tree.leaf(old.ownLeaf);
  if (!ownLeaf) throw new UsageError('own leaf missing');
  const sameSignatureScheme = sameSignature(deps, old.context.cipherSuite, r.cipherSuite);
  const signaturePrivateKey = opts.signaturePrivateKey ?? (sameSignatureScheme ? old.signaturePrivateKey : undefined);
  assertSameMembers(old.tree, old.ownLeaf, opts.keyPackages);
  const fresh = createGroup(deps, {
    cipherSuite: r.cipherSuite,
    groupId: r.groupId,
    extensions: r.extensions,
    credential: opts.credential ?? ownLeaf.credential,
    ...(signaturePrivateKey ? { signaturePrivateKey } : {}),
    ...(opts.capabilities ? { capabilities: opts.capabilities } : {}),
    ...(opts.leafExtensions ? { leafExtensions: opts.leafExtensions } : {}),
    config: { ...old.config, ...opts.config },
  });
  const id: PreSharedKeyID = {
    pskType: PskType.resumption,
    usage: ResumptionPskUsage.reinit,
    pskGroupId: old.context.groupId,
    pskEpoch: old.reinit.epoch,
    pskNonce: deps.rng(deps.crypto.suite(r.cipherSuite).hashLength),
  };
  const proposals: Proposal[] = [
    ...opts.keyPackages.map((keyPackage): Proposal => ({ proposalType: ProposalType.add, add: { keyPackage } })),
    { proposalType: ProposalType.psk, psk: { psk: id } },
  ];
  const commitOpts = { proposals, ...(opts.ratchetTreeInWelcome !== undefined ? { ratchetTreeInWelcome: opts.ratchetTreeInWelcome } : {}) };
  return createCommit(deps, fresh, commitOpts, { id, psk, groupId: old.context.groupId });
}

function sameSignature(deps: GroupDeps, a: number, b: number): boolean {
  if (a === b) return true;
  const sa = deps.crypto.suite(a);
  const sb = deps.crypto.suite(b);
  // Same scheme when a key of one is a key of the other (name-independent: compare derived public keys).
  const probe = sa.generateSignatureKeyPair(deps.rng);
  try {
    return bytesEqual(sb.signaturePublicKey(probe.privateKey), probe.publicKey);
  } catch {
    return false;
  }
}

/** RFC 9420 §11.2: "the same membership": one KeyPackage per other old member (by credential), none for anyone else. */
function assertSameMembers(tree: RatchetTree, ownLeaf: number, keyPackages: readonly KeyPackage[]): void {
  const wanted = new Map<string, number>();
  for (const [i, leaf] of tree.leaves()) if (i !== ownLeaf) wanted.set(credentialKey(leaf.credential), i);
  const seen = new Set<string>();
  for (const kp of keyPackages) {
    const k = credentialKey(kp.leafNode.credential);
    if (!wanted.has(k)) throw new UsageError('a KeyPackage belongs to no member of the old group');
    if (seen.has(k)) throw new UsageError('two KeyPackages for one member of the old group');
    seen.add(k);
  }
  for (const [k, i] of wanted) if (!seen.has(k)) throw new UsageError(`no KeyPackage for member ${i} of the old group`);
}

const isLinkPsk = (p: PreSharedKeyID): boolean =>
  p.pskType === PskType.resumption && (p.usage === ResumptionPskUsage.reinit || p.usage === ResumptionPskUsage.branch);

/** V-WELC-09: at most one reinit/branch PSK in a Welcome's GroupSecrets; returns it. */
export function linkPsk(psks: readonly PreSharedKeyID[]): PreSharedKeyID | undefined {
  const links = psks.filter(isLinkPsk);
  if (links.length > 1) throw new ValidationError('V-WELC-09', 'more than one reinit/branch PSK in the Welcome');
  return links[0];
}

/**
 * RFC 9420 §12.4.3.1 for a Welcome with a reinit PSK: epoch 1; the referenced group is `old`, whose last commit was
 * a ReInit whose group id, version, suite and extensions the new GroupContext carries (V-WELC-10); every old member
 * is a member of the new group, by credential (V-WELC-11).
 */
export function checkReinitWelcome(link: PreSharedKeyID, ctx: GroupContext, tree: RatchetTree, old: GroupState | undefined): void {
  if (link.pskType !== PskType.resumption || link.usage !== ResumptionPskUsage.reinit) {
    throw new ValidationError('V-WELC-10', 'branch PSKs are not supported; only reinit');
  }
  if (ctx.epoch !== 1n) throw new ValidationError('V-WELC-10', `a reinit Welcome must be at epoch 1, not ${ctx.epoch}`);
  if (!old?.reinit || !bytesEqual(old.context.groupId, link.pskGroupId) || old.reinit.epoch !== link.pskEpoch) {
    throw new ValidationError('V-WELC-10', 'the referenced group did not end with a ReInit at that epoch');
  }
  if (!matchesReinit(ctx, old.reinit.proposal)) {
    throw new ValidationError('V-WELC-10', 'the new group does not have the parameters of the ReInit');
  }
  const now = new Set([...tree.leaves()].map(([, l]) => credentialKey(l.credential)));
  for (const [i, leaf] of old.tree.leaves()) {
    if (!now.has(credentialKey(leaf.credential))) throw new ValidationError('V-WELC-11', `member ${i} of the old group is missing`);
  }
}

function matchesReinit(ctx: GroupContext, r: ReInit): boolean {
  return (
    bytesEqual(ctx.groupId, r.groupId) &&
    ctx.version === r.version &&
    ctx.cipherSuite === r.cipherSuite &&
    extensionsKey(ctx.extensions) === extensionsKey(r.extensions)
  );
}

/** What a prospective member knows of the group it asks to join: from its published GroupInfo. */
export interface JoinTarget {
  readonly cipherSuite: number;
  readonly groupId: Bytes;
  readonly epoch: bigint;
}

/**
 * RFC 9420 §12.1.8: our own Add proposal as a prospective member (sender new_member_proposal), a PublicMessage
 * signed with the KeyPackage's leaf signature key; a member may then commit it and send us a Welcome.
 */
export function proposeOwnAdd(
  deps: GroupDeps,
  target: JoinTarget,
  own: { keyPackage: KeyPackage; signaturePrivateKey: Bytes },
  authenticatedData: Bytes = new Uint8Array(0),
): MlsMessage {
  if (own.keyPackage.cipherSuite !== target.cipherSuite) throw new UsageError('the KeyPackage is for another cipher suite');
  const cs = deps.crypto.suite(target.cipherSuite);
  if (!bytesEqual(cs.signaturePublicKey(own.signaturePrivateKey), own.keyPackage.leafNode.signatureKey)) {
    throw new UsageError('the signature key does not belong to the KeyPackage');
  }
  const content: FramedContent = {
    groupId: target.groupId,
    epoch: target.epoch,
    sender: { senderType: SenderType.new_member_proposal },
    authenticatedData,
    contentType: ContentType.proposal,
    proposal: { proposalType: ProposalType.add, add: { keyPackage: own.keyPackage } },
  };
  return signWithoutContext(cs, target.cipherSuite, content, own.signaturePrivateKey);
}
