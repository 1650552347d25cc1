// RFC 9420 §11 group creation: a one-member tree, epoch 0 from a random epoch secret, empty transcript.
import { UsageError } from '../errors.js';
import { type CreateKeyPackageOptions, signatureKeyPair, signOwnLeaf } from '../key-package/create.js';
import { initialEpochSecrets } from '../schedule/key-schedule.js';
import { SecretTree } from '../schedule/secret-tree.js';
import { PrivateTree } from '../tree/private-tree.js';
import { RatchetTree } from '../tree/ratchet-tree.js';
import { concat } from '../util/bytes.js';
import { type Bytes, type Extension, type GroupContext, interimTranscriptHashInputBytes, ProtocolVersion } from '../wire/index.js';
import { DEFAULT_CONFIG, type GroupConfig, type GroupDeps, type GroupState, keysFrom, makeState } from './state.js';

export interface CreateGroupOptions extends Omit<CreateKeyPackageOptions, 'lastResort' | 'extensions' | 'groupExtensions'> {
  /** Defaults to 32 random bytes. */
  groupId?: Bytes;
  /** GroupContext extensions (required_capabilities, external_senders, ...). */
  extensions?: Extension[];
  config?: Partial<GroupConfig>;
}

export function createGroup(deps: GroupDeps, opts: CreateGroupOptions): GroupState {
  const cs = deps.crypto.suite(opts.cipherSuite);
  const extensions = opts.extensions ?? [];
  if (new Set(extensions.map((e) => e.extensionType)).size !== extensions.length) throw new UsageError('duplicate group extension');
  // RFC 9420 §11: the creator's leaf alone, no KeyPackage (no init key, no KeyPackage signature). It is checked
  // against the group's extensions before it is signed (V-OWN-01).
  const sig = signatureKeyPair(cs, deps, opts.signaturePrivateKey);
  const enc = cs.hpke.generateKeyPair(deps.rng);
  const leaf = signOwnLeaf(cs, deps.now(), { ...opts, groupExtensions: extensions }, sig, enc.publicKey);
  const tree = RatchetTree.create(cs, leaf);
  const context: GroupContext = {
    version: ProtocolVersion.mls10,
    cipherSuite: opts.cipherSuite,
    groupId: opts.groupId ?? deps.rng(32),
    epoch: 0n,
    treeHash: tree.treeHash(),
    confirmedTranscriptHash: new Uint8Array(0),
    extensions,
  };
  const secrets = initialEpochSecrets(cs, deps.rng);
  // RFC 9420 §11: confirmation tag over the empty confirmed transcript hash, then the interim transcript hash.
  const confirmationTag = cs.mac(secrets.confirmationKey, context.confirmedTranscriptHash);
  const interimTranscriptHash = cs.hash(concat(context.confirmedTranscriptHash, interimTranscriptHashInputBytes(confirmationTag)));
  const config = { ...DEFAULT_CONFIG, ...opts.config };
  return makeState({
    context,
    tree,
    ownLeaf: 0,
    signaturePrivateKey: sig.privateKey,
    privateTree: PrivateTree.forLeaf(0, enc),
    updateKeys: [],
    keys: keysFrom(secrets),
    secretTree: SecretTree.create(cs, secrets.encryptionSecret, tree.leafCount),
    interimTranscriptHash,
    confirmationTag,
    pending: [],
    resumptionPsks: new Map([[0n, secrets.resumptionPsk]]),
    pastEpochs: [],
    config,
  });
}
