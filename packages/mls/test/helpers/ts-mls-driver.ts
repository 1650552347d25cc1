// A test peer: ts-mls@1.6.4 behind one small driver interface, every message crossing as RFC 9420 §6 MLSMessage bytes.
// The same interface is implemented over @sotto/mls in sotto-driver.ts; the interop test and the bench use only it.
import {
  acceptAll,
  type CiphersuiteImpl,
  type ClientState,
  type CreateCommitResult,
  createApplicationMessage,
  createCommit,
  createGroup,
  decodeMlsMessage,
  defaultCapabilities,
  emptyPskIndex,
  encodeMlsMessage,
  generateKeyPackage,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  joinGroup,
  type KeyPackage,
  mlsExporter,
  type PrivateKeyPackage,
  type Proposal,
  processMessage,
  zeroOutUint8Array,
} from 'ts-mls';
import { decodeRatchetTree, encodeRatchetTree } from 'ts-mls/ratchetTree.js';

/** A KeyPackage as published (MLSMessage bytes) plus the private half its owner keeps for the Welcome. */
export interface KeyPackageBundle {
  readonly identity: string;
  /** RFC 9420 §6 MLSMessage with wire_format mls_key_package. */
  readonly publicBytes: Uint8Array;
  /** Implementation-specific private state; only the driver that made the bundle can use it. */
  readonly private: unknown;
}

/** What a commit produces: the Commit as MLSMessage, and for Adds a Welcome (and the tree when sent out of band). */
export interface CommitOutput {
  readonly commitBytes: Uint8Array;
  readonly welcomeBytes?: Uint8Array;
  /** RFC 9420 §12.4.3.3 ratchet_tree extension data, when the Welcome does not carry it. */
  readonly ratchetTree?: Uint8Array;
}

export interface CommitOptions {
  /** Put the ratchet_tree extension in the Welcome's GroupInfo (default true); otherwise return it as `ratchetTree`. */
  readonly ratchetTreeInWelcome?: boolean;
  /** Send the commit as PublicMessage instead of PrivateMessage (RFC 9420 §6.2). */
  readonly publicMessage?: boolean;
}

export type Processed =
  | { readonly kind: 'commit'; readonly epoch: bigint; readonly removed: boolean }
  | { readonly kind: 'application'; readonly data: Uint8Array }
  /** A standalone proposal, cached for a later commit (RFC 9420 §12.1); only the OpenMLS interop sends these. */
  | { readonly kind: 'proposal' };

/** One member's view of one group, mutable for convenience: each call replaces the underlying immutable state. */
export interface MemberDriver {
  readonly impl: string;
  readonly identity: string;
  epoch(): bigint;
  ownLeafIndex(): number;
  /** Leaf index of the member whose basic credential carries `identity`. */
  leafIndexOf(identity: string): number | undefined;
  /** Identities of all members, by leaf order. */
  identities(): string[];
  addMembers(keyPackages: readonly Uint8Array[], opts?: CommitOptions): Promise<CommitOutput>;
  removeMembers(leafIndices: readonly number[], opts?: CommitOptions): Promise<CommitOutput>;
  /** An empty commit: no proposals, so it carries an UpdatePath (RFC 9420 §12.4). */
  update(opts?: CommitOptions): Promise<CommitOutput>;
  processMessage(bytes: Uint8Array): Promise<Processed>;
  encrypt(plaintext: Uint8Array): Promise<Uint8Array>;
  /** processMessage that expects an application message. */
  decrypt(bytes: Uint8Array): Promise<Uint8Array>;
  epochAuthenticator(): Uint8Array;
  /** RFC 9420 §8.5 MLS-Exporter. */
  exporter(label: string, context: Uint8Array, length: number): Promise<Uint8Array>;
}

/** One MLS implementation: makes KeyPackages, creates groups, joins them. */
export interface ClientDriver {
  readonly impl: string;
  createKeyPackage(identity: string): Promise<KeyPackageBundle>;
  createGroup(groupId: Uint8Array, identity: string): Promise<MemberDriver>;
  joinFromWelcome(welcomeBytes: Uint8Array, keyPackage: KeyPackageBundle, ratchetTree?: Uint8Array): Promise<MemberDriver>;
}

/** MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519 (RFC 9420 §17.1). */
export const SUITE_NAME = 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519';
export const SUITE_ID = 1;

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

interface TsMlsPrivate {
  readonly keyPackage: KeyPackage;
  readonly privateKeys: PrivateKeyPackage;
}

export interface TsMlsDriverOptions {
  /** Seconds since the Unix epoch, for KeyPackage lifetimes. */
  readonly now: () => bigint;
}

/** Creates the ts-mls client driver (the ciphersuite implementation is async to build). */
export async function createTsMlsDriver(opts: TsMlsDriverOptions): Promise<ClientDriver> {
  const cs = await getCiphersuiteImpl(getCiphersuiteFromName(SUITE_NAME));
  return new TsMlsClient(cs, opts.now);
}

class TsMlsClient implements ClientDriver {
  readonly impl = 'ts-mls';
  constructor(
    private readonly cs: CiphersuiteImpl,
    private readonly now: () => bigint,
  ) {}

  private async newKeyPackage(identity: string): Promise<TsMlsPrivate> {
    const now = this.now();
    // A bounded lifetime (ts-mls's default runs to 2^63-1, which strict peers may refuse).
    const lifetime = { notBefore: now - 3600n, notAfter: now + 28n * 24n * 3600n };
    const { publicPackage, privatePackage } = await generateKeyPackage(
      { credentialType: 'basic', identity: utf8.encode(identity) },
      defaultCapabilities(),
      lifetime,
      [],
      this.cs,
    );
    return { keyPackage: publicPackage, privateKeys: privatePackage };
  }

  async createKeyPackage(identity: string): Promise<KeyPackageBundle> {
    const priv = await this.newKeyPackage(identity);
    const publicBytes = encodeMlsMessage({ version: 'mls10', wireformat: 'mls_key_package', keyPackage: priv.keyPackage });
    return { identity, publicBytes, private: priv };
  }

  async createGroup(groupId: Uint8Array, identity: string): Promise<MemberDriver> {
    const { keyPackage, privateKeys } = await this.newKeyPackage(identity);
    const state = await createGroup(groupId, keyPackage, privateKeys, [], this.cs);
    return new TsMlsMember(this.cs, identity, state);
  }

  async joinFromWelcome(welcomeBytes: Uint8Array, kp: KeyPackageBundle, ratchetTree?: Uint8Array): Promise<MemberDriver> {
    const msg = decodeOne(welcomeBytes);
    if (msg.wireformat !== 'mls_welcome') throw new Error('ts-mls driver: expected a Welcome');
    const priv = kp.private as TsMlsPrivate;
    const tree = ratchetTree === undefined ? undefined : decodeRatchetTree(ratchetTree, 0)?.[0];
    if (ratchetTree !== undefined && tree === undefined) throw new Error('ts-mls driver: bad ratchet tree');
    const state = await joinGroup(msg.welcome, priv.keyPackage, priv.privateKeys, emptyPskIndex, this.cs, tree);
    return new TsMlsMember(this.cs, kp.identity, state);
  }
}

function decodeOne(bytes: Uint8Array) {
  const decoded = decodeMlsMessage(bytes, 0);
  if (decoded === undefined || decoded[1] !== bytes.length) throw new Error('ts-mls driver: malformed MLSMessage');
  return decoded[0];
}

class TsMlsMember implements MemberDriver {
  readonly impl = 'ts-mls';
  constructor(
    private readonly cs: CiphersuiteImpl,
    readonly identity: string,
    private state: ClientState,
  ) {}

  epoch(): bigint {
    return this.state.groupContext.epoch;
  }

  ownLeafIndex(): number {
    return this.state.privatePath.leafIndex;
  }

  identities(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.state.ratchetTree.length; i += 2) {
      const n = this.state.ratchetTree[i];
      if (n?.nodeType === 'leaf' && n.leaf.credential.credentialType === 'basic') out.push(utf8d.decode(n.leaf.credential.identity));
    }
    return out;
  }

  leafIndexOf(identity: string): number | undefined {
    const want = utf8.encode(identity);
    for (let i = 0; i < this.state.ratchetTree.length; i += 2) {
      const n = this.state.ratchetTree[i];
      if (n?.nodeType === 'leaf' && n.leaf.credential.credentialType === 'basic' && equal(n.leaf.credential.identity, want)) return i / 2;
    }
    return undefined;
  }

  private async commit(proposals: Proposal[], opts?: CommitOptions): Promise<CommitOutput> {
    const inWelcome = opts?.ratchetTreeInWelcome ?? true;
    const r: CreateCommitResult = await createCommit(
      { state: this.state, cipherSuite: this.cs },
      { extraProposals: proposals, ratchetTreeExtension: inWelcome, wireAsPublicMessage: opts?.publicMessage ?? false },
    );
    this.state = r.newState;
    r.consumed.forEach(zeroOutUint8Array);
    const commitBytes = encodeMlsMessage(r.commit);
    if (r.welcome === undefined) return { commitBytes };
    const welcomeBytes = encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome: r.welcome });
    return inWelcome
      ? { commitBytes, welcomeBytes }
      : { commitBytes, welcomeBytes, ratchetTree: encodeRatchetTree(this.state.ratchetTree) };
  }

  async addMembers(keyPackages: readonly Uint8Array[], opts?: CommitOptions): Promise<CommitOutput> {
    const proposals: Proposal[] = keyPackages.map((bytes) => {
      const m = decodeOne(bytes);
      if (m.wireformat !== 'mls_key_package') throw new Error('ts-mls driver: expected a KeyPackage');
      return { proposalType: 'add', add: { keyPackage: m.keyPackage } };
    });
    return this.commit(proposals, opts);
  }

  removeMembers(leafIndices: readonly number[], opts?: CommitOptions): Promise<CommitOutput> {
    return this.commit(
      leafIndices.map((removed) => ({ proposalType: 'remove', remove: { removed } })),
      opts,
    );
  }

  update(opts?: CommitOptions): Promise<CommitOutput> {
    return this.commit([], opts);
  }

  async processMessage(bytes: Uint8Array): Promise<Processed> {
    const m = decodeOne(bytes);
    if (m.wireformat !== 'mls_private_message' && m.wireformat !== 'mls_public_message')
      throw new Error('ts-mls driver: not a framed message');
    const r = await processMessage(m, this.state, emptyPskIndex, acceptAll, this.cs);
    this.state = r.newState;
    r.consumed.forEach(zeroOutUint8Array);
    if (r.kind === 'applicationMessage') return { kind: 'application', data: r.message };
    return { kind: 'commit', epoch: this.state.groupContext.epoch, removed: this.state.groupActiveState.kind === 'removedFromGroup' };
  }

  async encrypt(plaintext: Uint8Array): Promise<Uint8Array> {
    const r = await createApplicationMessage(this.state, plaintext, this.cs);
    this.state = r.newState;
    r.consumed.forEach(zeroOutUint8Array);
    return encodeMlsMessage({ version: 'mls10', wireformat: 'mls_private_message', privateMessage: r.privateMessage });
  }

  async decrypt(bytes: Uint8Array): Promise<Uint8Array> {
    const r = await this.processMessage(bytes);
    if (r.kind !== 'application') throw new Error('ts-mls driver: expected an application message');
    return r.data;
  }

  epochAuthenticator(): Uint8Array {
    return this.state.keySchedule.epochAuthenticator;
  }

  exporter(label: string, context: Uint8Array, length: number): Promise<Uint8Array> {
    return mlsExporter(this.state.keySchedule.exporterSecret, label, context, length, this.cs);
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
