// RFC 9420 §12.4.3.1 joining a group from a Welcome (IDs V-WELC-*; tree checks V-TREE-* / V-LEAF-*).
import { decryptWithLabel } from '../crypto/labels.js';
import type { CipherSuite } from '../crypto/provider.js';
import { ValidationError } from '../errors.js';
import type { KeyPackagePrivate } from '../key-package/create.js';
import { keyPackageRef } from '../key-package/ref.js';
import { deriveWelcomeSecret, epochSecretsFromJoiner, welcomeKeyNonce } from '../schedule/key-schedule.js';
import { computePskSecret } from '../schedule/psk.js';
import { SecretTree } from '../schedule/secret-tree.js';
import { interimTranscriptHash, verifyConfirmationTag } from '../schedule/transcript-hash.js';
import type { RatchetTree } from '../tree/ratchet-tree.js';
import { joinerPrivateTree } from '../tree/treekem.js';
import { bytesEqual } from '../util/bytes.js';
import {
  type Bytes,
  decodeGroupInfo,
  decodeGroupSecrets,
  type GroupInfo,
  type GroupSecrets,
  type KeyPackage,
  type RatchetTreeNodes,
  type Welcome,
} from '../wire/index.js';
import { verifiedGroupInfoTree } from './group-info.js';
import { resolvePsks } from './psk.js';
import { checkReinitWelcome, linkPsk } from './reinit.js';
import { DEFAULT_CONFIG, type GroupConfig, type GroupDeps, type GroupState, keysFrom, makeState, rememberPsk } from './state.js';

export interface JoinOptions {
  /** The ratchet tree, when the GroupInfo does not carry the ratchet_tree extension (RFC 9420 §12.4.3.3). */
  ratchetTree?: RatchetTreeNodes;
  config?: Partial<GroupConfig>;
  /**
   * The old group, when this Welcome reinitialises it (RFC 9420 §11.2): its ReInit epoch's resumption PSK opens the
   * Welcome, and the new group must match that ReInit and keep every old member (V-WELC-10, V-WELC-11).
   */
  reinitFrom?: GroupState;
}

/** One of our KeyPackages with its private keys. */
export interface OwnKeyPackage {
  keyPackage: KeyPackage;
  privateKeys: KeyPackagePrivate;
}

function openGroupSecrets(cs: CipherSuite, welcome: Welcome, own: OwnKeyPackage): GroupSecrets {
  const ref = keyPackageRef(cs, own.keyPackage);
  const entry = welcome.secrets.find((s) => bytesEqual(s.newMember, ref));
  if (!entry) throw new ValidationError('V-WELC-01', 'the Welcome has no entry for this KeyPackage');
  try {
    const plain = decryptWithLabel(
      cs,
      own.privateKeys.initPrivateKey,
      'Welcome',
      welcome.encryptedGroupInfo,
      entry.encryptedGroupSecrets.kemOutput,
      entry.encryptedGroupSecrets.ciphertext,
    );
    return decodeGroupSecrets(plain);
  } catch {
    throw new ValidationError('V-WELC-01', 'the group secrets for this KeyPackage do not decrypt');
  }
}

function openGroupInfo(cs: CipherSuite, welcome: Welcome, welcomeSecret: Bytes): GroupInfo {
  const { key, nonce } = welcomeKeyNonce(cs, welcomeSecret);
  try {
    return decodeGroupInfo(cs.aeadOpen(key, nonce, new Uint8Array(0), welcome.encryptedGroupInfo));
  } catch {
    throw new ValidationError('V-WELC-03', 'the GroupInfo does not decrypt');
  }
}

/** Finds our leaf: the one carrying our KeyPackage's leaf node keys (RFC 9420 §12.4.3.1). */
function findOwnLeaf(tree: RatchetTree, kp: KeyPackage): number {
  for (const [i, leaf] of tree.leaves()) {
    if (bytesEqual(leaf.encryptionKey, kp.leafNode.encryptionKey) && bytesEqual(leaf.signatureKey, kp.leafNode.signatureKey)) return i;
  }
  throw new ValidationError('V-WELC-05', 'the ratchet tree does not contain our leaf');
}

export function joinFromWelcome(deps: GroupDeps, welcome: Welcome, own: OwnKeyPackage, opts: JoinOptions = {}): GroupState {
  return joinFromWelcomeWithSigner(deps, welcome, own, opts).state;
}

/**
 * As joinFromWelcome, also naming the leaf that signed the GroupInfo (RFC 9420 §12.4.3.1): the committer of the
 * commit this Welcome goes with, so an application can tell who verifiably added this member.
 */
export function joinFromWelcomeWithSigner(
  deps: GroupDeps,
  welcome: Welcome,
  own: OwnKeyPackage,
  opts: JoinOptions = {},
): { state: GroupState; signer: number } {
  if (welcome.cipherSuite !== own.keyPackage.cipherSuite)
    throw new ValidationError('V-WELC-02', 'Welcome cipher suite differs from the KeyPackage');
  const cs = deps.crypto.suite(welcome.cipherSuite);
  const gs = openGroupSecrets(cs, welcome, own);
  const link = linkPsk(gs.psks);
  const old = opts.reinitFrom;
  const psks = resolvePsks(deps, gs.psks, old ? { groupId: old.context.groupId, psks: old.resumptionPsks } : undefined, 'V-WELC-06');
  const pskSecret = computePskSecret(cs, psks);
  const gi = openGroupInfo(cs, welcome, deriveWelcomeSecret(cs, gs.joinerSecret, pskSecret));
  const ctx = gi.groupContext;
  if (ctx.cipherSuite !== welcome.cipherSuite || ctx.version !== own.keyPackage.version) {
    throw new ValidationError('V-WELC-02', 'GroupInfo suite or version differs from the KeyPackage');
  }
  // Signature (V-WELC-03), tree validity (V-TREE-*, V-LEAF-*) and every member credential (V-WELC-08).
  const tree = verifiedGroupInfoTree(deps, gi, opts.ratchetTree, { noTree: 'V-WELC-07', signature: 'V-WELC-03' });
  const ownLeaf = findOwnLeaf(tree, own.keyPackage);
  if (link) checkReinitWelcome(link, ctx, tree, old);
  const secrets = epochSecretsFromJoiner(cs, gs.joinerSecret, pskSecret, ctx);
  if (!verifyConfirmationTag(cs, secrets.confirmationKey, ctx.confirmedTranscriptHash, gi.confirmationTag)) {
    throw new ValidationError('V-WELC-04', 'GroupInfo confirmation tag does not verify');
  }
  // RFC 9420 §12.4.3.1: our leaf key, plus the keys from the path secret of our common ancestor with the committer.
  const leafKeys = { privateKey: own.privateKeys.encryptionPrivateKey, publicKey: own.keyPackage.leafNode.encryptionKey };
  const privateTree = joinerPrivateTree(
    tree,
    ownLeaf,
    leafKeys,
    gs.pathSecret ? { senderLeaf: gi.signer, pathSecret: gs.pathSecret } : undefined,
  );
  const config = { ...DEFAULT_CONFIG, ...opts.config };
  const state = makeState({
    context: ctx,
    tree,
    ownLeaf,
    signaturePrivateKey: own.privateKeys.signaturePrivateKey,
    privateTree,
    updateKeys: [],
    keys: keysFrom(secrets),
    secretTree: SecretTree.create(cs, secrets.encryptionSecret, tree.leafCount),
    interimTranscriptHash: interimTranscriptHash(cs, ctx.confirmedTranscriptHash, gi.confirmationTag),
    confirmationTag: gi.confirmationTag,
    pending: [],
    resumptionPsks: rememberPsk(new Map(), ctx.epoch, secrets.resumptionPsk, config.resumptionPskEpochs),
    pastEpochs: [],
    config,
  });
  return { state, signer: gi.signer };
}
