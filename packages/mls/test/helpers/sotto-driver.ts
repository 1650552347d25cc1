// The driver interface of ts-mls-driver.ts (and core-crypto-driver.ts's InteropMember) over @sotto/mls's public API
// (src/index.ts), every message crossing as RFC 9420 §6 MLSMessage bytes.
import { createNativeProvider, createNativeRandom } from '../../src/crypto/native/index.js';
import {
  addMembers,
  commit,
  createGroupInfo,
  type CreateKeyPackageOptions,
  CredentialType,
  createGroup,
  createKeyPackage,
  encodeExternalSenders,
  type Extension,
  encryptMessage,
  epoch,
  epochAuthenticator,
  exportSecret,
  type Group,
  type GroupConfig,
  type GroupDeps,
  joinByExternalCommit,
  joinFromWelcome,
  members,
  type OwnKeyPackage,
  ownLeafIndex,
  processMessage,
  proposeAdd,
  proposeRemove,
  ProposalType,
  proposeUpdateKey,
  removeMembers,
  type CommitOptions as SottoCommitOptions,
  type CommitOutput as SottoCommitOutput,
  updateKey,
} from '../../src/index.js';
import {
  type ClientDriver,
  type CommitOptions,
  type CommitOutput,
  type KeyPackageBundle,
  type MemberDriver,
  type Processed,
  SUITE_ID,
} from './ts-mls-driver.js';
import { decodeMlsMessage, decodeRatchetTree, ExtensionType, WireFormat } from '../../src/wire/index.js';

export interface SottoDriverOptions {
  /** Seconds since the Unix epoch, for KeyPackage lifetimes. */
  readonly now: () => bigint;
  /** Extra leaf capabilities, e.g. credential types a peer's group requires (RFC 9420 §11.1). */
  readonly capabilities?: CreateKeyPackageOptions['capabilities'];
  /** Group settings for every group this driver creates or joins (e.g. `handshakeAsPrivate: false`). */
  readonly config?: Partial<GroupConfig>;
}

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

export function createSottoDriver(opts: SottoDriverOptions): SottoClient {
  const deps: GroupDeps = { crypto: createNativeProvider(), rng: createNativeRandom(), now: opts.now };
  return new SottoClient(deps, opts);
}

const basic = (identity: string) => ({ credentialType: CredentialType.basic, identity: utf8.encode(identity) });

export class SottoClient implements ClientDriver {
  readonly impl = 'sotto';
  constructor(
    private readonly deps: GroupDeps,
    private readonly opts: SottoDriverOptions,
  ) {}

  private get extra() {
    return {
      ...(this.opts.capabilities ? { capabilities: this.opts.capabilities } : {}),
      ...(this.opts.config ? { config: this.opts.config } : {}),
    };
  }

  async createKeyPackage(identity: string): Promise<KeyPackageBundle> {
    const kp = createKeyPackage(this.deps, {
      cipherSuite: SUITE_ID,
      credential: basic(identity),
      ...(this.opts.capabilities ? { capabilities: this.opts.capabilities } : {}),
    });
    const own: OwnKeyPackage = { keyPackage: kp.keyPackage, privateKeys: kp.privateKeys };
    return { identity, publicBytes: kp.bytes, private: own };
  }

  /** `externalSender`: an Ed25519 key for the group's external_senders extension (RFC 9420 §12.1.8.1). */
  async createGroup(groupId: Uint8Array, identity: string, opts?: { externalSender?: Uint8Array }): Promise<SottoMember> {
    const extensions = opts?.externalSender
      ? [
          {
            extensionType: ExtensionType.external_senders,
            extensionData: encodeExternalSenders([{ signatureKey: opts.externalSender, credential: basic('external sender') }]),
          },
        ]
      : [];
    const group = createGroup(this.deps, { cipherSuite: SUITE_ID, groupId, credential: basic(identity), extensions, ...this.extra });
    return new SottoMember(this.deps, identity, group);
  }

  async joinFromWelcome(welcomeBytes: Uint8Array, kp: KeyPackageBundle, ratchetTree?: Uint8Array): Promise<SottoMember> {
    const config = this.opts.config ? { config: this.opts.config } : {};
    const group = joinFromWelcome(this.deps, welcomeBytes, kp.private as OwnKeyPackage, {
      ...config,
      ...(ratchetTree ? { ratchetTree } : {}),
    });
    return new SottoMember(this.deps, kp.identity, group);
  }

  /** External join (RFC 9420 §12.4.3.2); on `resync`, the commit also removes the leaf that carries our identity. */
  async joinByExternalCommit(
    groupInfo: Uint8Array,
    identity: string,
    opts?: { resync?: boolean },
  ): Promise<{ member: SottoMember; commitBytes: Uint8Array }> {
    const removeLeaf = opts?.resync ? leafInGroupInfo(groupInfo, identity) : undefined;
    const r = joinByExternalCommit(this.deps, groupInfo, {
      credential: basic(identity),
      ...this.extra,
      ...(removeLeaf !== undefined ? { removeLeaf } : {}),
    });
    return { member: new SottoMember(this.deps, identity, r.group), commitBytes: r.commit };
  }
}

/** The leaf index of the member with this basic identity, read from the GroupInfo's ratchet_tree extension. */
function leafInGroupInfo(groupInfo: Uint8Array, identity: string): number {
  const m = decodeMlsMessage(groupInfo);
  if (m.wireFormat !== WireFormat.mls_group_info) throw new Error('sotto driver: expected a GroupInfo');
  const ext = m.groupInfo.extensions.find((e) => e.extensionType === ExtensionType.ratchet_tree);
  if (!ext) throw new Error('sotto driver: the GroupInfo has no ratchet tree');
  const want = utf8.encode(identity);
  const at = decodeRatchetTree(ext.extensionData).findIndex(
    (n) => n?.nodeType === 1 && 'identity' in n.leaf.credential && equal(n.leaf.credential.identity, want),
  );
  if (at < 0) throw new Error(`sotto driver: ${identity} is not in the group`);
  return at / 2;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function commitOptions(opts: CommitOptions | undefined): SottoCommitOptions {
  return {
    ratchetTreeInWelcome: opts?.ratchetTreeInWelcome ?? true,
    ...(opts?.publicMessage ? { wireFormat: 'public' as const } : {}),
  };
}

/** A peer as another member names it: identity and leaf signature key (unique in a group, RFC 9420 §7.3). */
interface Peer {
  readonly identity: string;
  signatureKey(): Uint8Array;
}

export class SottoMember implements MemberDriver {
  readonly impl = 'sotto';
  constructor(
    private readonly deps: GroupDeps,
    readonly identity: string,
    private group: Group,
  ) {}

  epoch(): bigint {
    return epoch(this.group);
  }

  ownLeafIndex(): number {
    return ownLeafIndex(this.group);
  }

  identities(): string[] {
    return members(this.group).map((m) => utf8d.decode(m.identity));
  }

  leafIndexOf(identity: string): number | undefined {
    return members(this.group).find((m) => utf8d.decode(m.identity) === identity)?.leafIndex;
  }

  signatureKey(): Uint8Array {
    const me = members(this.group).find((m) => m.leafIndex === ownLeafIndex(this.group));
    if (!me) throw new Error('sotto driver: own leaf missing');
    return me.signatureKey;
  }

  private leafOf(peer: Peer): number {
    const key = peer.signatureKey();
    const m = members(this.group).find((x) => equal(x.signatureKey, key));
    if (!m) throw new Error(`sotto driver: ${peer.identity} is not a member`);
    return m.leafIndex;
  }

  private out(r: SottoCommitOutput, opts: CommitOptions | undefined): CommitOutput {
    this.group = r.group;
    if (!r.welcome) return { commitBytes: r.commit };
    const inWelcome = opts?.ratchetTreeInWelcome ?? true;
    return inWelcome
      ? { commitBytes: r.commit, welcomeBytes: r.welcome }
      : { commitBytes: r.commit, welcomeBytes: r.welcome, ratchetTree: r.ratchetTree };
  }

  async addMembers(keyPackages: readonly Uint8Array[], opts?: CommitOptions): Promise<CommitOutput> {
    return this.out(addMembers(this.deps, this.group, [...keyPackages], commitOptions(opts)), opts);
  }

  async removeMembers(leafIndices: readonly number[], opts?: CommitOptions): Promise<CommitOutput> {
    return this.out(removeMembers(this.deps, this.group, [...leafIndices], commitOptions(opts)), opts);
  }

  async update(opts?: CommitOptions): Promise<CommitOutput> {
    return this.out(updateKey(this.deps, this.group, commitOptions(opts)), opts);
  }

  async removeClients(peers: readonly Peer[], opts?: CommitOptions): Promise<CommitOutput> {
    return this.removeMembers(
      peers.map((p) => this.leafOf(p)),
      opts,
    );
  }

  /** Replaces the group context extensions in one commit (RFC 9420 §12.1.7). */
  async setGroupExtensions(extensions: Extension[], opts?: CommitOptions): Promise<CommitOutput> {
    return this.out(
      commit(this.deps, this.group, {
        ...commitOptions(opts),
        proposals: [{ proposalType: ProposalType.group_context_extensions, groupContextExtensions: { extensions } }],
      }),
      opts,
    );
  }

  /** Commits the pending proposals of this epoch by reference (RFC 9420 §12.4). */
  async commitPending(opts?: CommitOptions): Promise<CommitOutput> {
    return this.out(commit(this.deps, this.group, commitOptions(opts)), opts);
  }

  async proposeAdd(keyPackage: Uint8Array): Promise<Uint8Array> {
    const r = proposeAdd(this.deps, this.group, keyPackage);
    this.group = r.group;
    return r.message;
  }

  async proposeRemove(peer: Peer): Promise<Uint8Array> {
    const r = proposeRemove(this.deps, this.group, this.leafOf(peer));
    this.group = r.group;
    return r.message;
  }

  async proposeUpdate(): Promise<Uint8Array> {
    const r = proposeUpdateKey(this.deps, this.group);
    this.group = r.group;
    return r.message;
  }

  /** A GroupInfo of this epoch with ratchet_tree and external_pub, for external joiners (RFC 9420 §12.4.3.2). */
  async groupInfo(): Promise<Uint8Array> {
    return createGroupInfo(this.deps, this.group, { ratchetTree: true, externalPub: true });
  }

  async processMessage(bytes: Uint8Array): Promise<Processed> {
    const r = processMessage(this.deps, this.group, bytes);
    if (r.kind === 'application') {
      this.group = r.group;
      return { kind: 'application', data: r.data };
    }
    if (r.kind === 'proposal') {
      this.group = r.group;
      return { kind: 'proposal' };
    }
    if (!r.removedSelf) this.group = r.group;
    return { kind: 'commit', epoch: r.newEpoch, removed: r.removedSelf };
  }

  async encrypt(plaintext: Uint8Array): Promise<Uint8Array> {
    const r = encryptMessage(this.deps, this.group, plaintext);
    this.group = r.group;
    return r.message;
  }

  async decrypt(bytes: Uint8Array): Promise<Uint8Array> {
    const r = await this.processMessage(bytes);
    if (r.kind !== 'application') throw new Error('sotto driver: expected an application message');
    return r.data;
  }

  epochAuthenticator(): Uint8Array {
    return epochAuthenticator(this.group);
  }

  async exporter(label: string, context: Uint8Array, length: number): Promise<Uint8Array> {
    return exportSecret(this.deps, this.group, label, context, length);
  }
}
