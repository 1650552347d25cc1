// The driver interface of ts-mls-driver.ts over @sotto/mls, every message crossing as RFC 9420 §6 MLSMessage bytes.
import { createNativeProvider, nativeRandom } from '../../src/crypto/native/index.js';
import { createCommit } from '../../src/group/commit.js';
import { createGroup } from '../../src/group/create.js';
import { joinFromWelcome, type OwnKeyPackage } from '../../src/group/join.js';
import { encryptMessage, exportSecret } from '../../src/group/messages.js';
import { processMessage } from '../../src/group/process.js';
import { type GroupDeps, type GroupState, membersOf } from '../../src/group/state.js';
import { createKeyPackage } from '../../src/key-package/create.js';
import {
  decodeMlsMessage,
  decodeRatchetTree,
  encodeMlsMessage,
  encodeRatchetTree,
  type MlsMessage,
  type Proposal,
  ProposalType,
  ProtocolVersion,
  WireFormat,
} from '../../src/wire/index.js';
import { type ClientDriver, type CommitOptions, type CommitOutput, type KeyPackageBundle, type MemberDriver, type Processed, SUITE_ID } from './ts-mls-driver.js';

export interface SottoDriverOptions {
  /** Seconds since the Unix epoch, for KeyPackage lifetimes. */
  readonly now: () => bigint;
}

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

export function createSottoDriver(opts: SottoDriverOptions): ClientDriver {
  const deps: GroupDeps = { crypto: createNativeProvider(), rng: nativeRandom, now: opts.now };
  return new SottoClient(deps);
}

class SottoClient implements ClientDriver {
  readonly impl = 'sotto';
  constructor(private readonly deps: GroupDeps) {}

  async createKeyPackage(identity: string): Promise<KeyPackageBundle> {
    const { keyPackage, privateKeys } = createKeyPackage(this.deps, {
      cipherSuite: SUITE_ID,
      credential: { credentialType: 1, identity: utf8.encode(identity) },
    });
    const own: OwnKeyPackage = { keyPackage, privateKeys };
    const publicBytes = encodeMlsMessage({ version: ProtocolVersion.mls10, wireFormat: WireFormat.mls_key_package, keyPackage });
    return { identity, publicBytes, private: own };
  }

  async createGroup(groupId: Uint8Array, identity: string): Promise<MemberDriver> {
    const state = createGroup(this.deps, { cipherSuite: SUITE_ID, groupId, credential: { credentialType: 1, identity: utf8.encode(identity) } });
    return new SottoMember(this.deps, identity, state);
  }

  async joinFromWelcome(welcomeBytes: Uint8Array, kp: KeyPackageBundle, ratchetTree?: Uint8Array): Promise<MemberDriver> {
    const msg = decodeMlsMessage(welcomeBytes);
    if (msg.wireFormat !== WireFormat.mls_welcome) throw new Error('sotto driver: expected a Welcome');
    const state = joinFromWelcome(this.deps, msg.welcome, kp.private as OwnKeyPackage, ratchetTree ? { ratchetTree: decodeRatchetTree(ratchetTree) } : {});
    return new SottoMember(this.deps, kp.identity, state);
  }
}

class SottoMember implements MemberDriver {
  readonly impl = 'sotto';
  constructor(
    private readonly deps: GroupDeps,
    readonly identity: string,
    private state: GroupState,
  ) {}

  epoch(): bigint {
    return this.state.context.epoch;
  }

  ownLeafIndex(): number {
    return this.state.ownLeaf;
  }

  identities(): string[] {
    return membersOf(this.state).map((m) => utf8d.decode(m.identity));
  }

  leafIndexOf(identity: string): number | undefined {
    return membersOf(this.state).find((m) => utf8d.decode(m.identity) === identity)?.leafIndex;
  }

  private commit(proposals: Proposal[], opts?: CommitOptions): CommitOutput {
    const inWelcome = opts?.ratchetTreeInWelcome ?? true;
    const r = createCommit(this.deps, this.state, {
      proposals,
      ratchetTreeInWelcome: inWelcome,
      ...(opts?.publicMessage ? { wireFormat: 'public' as const } : {}),
    });
    this.state = r.group;
    const commitBytes = encodeMlsMessage(r.commit);
    if (!r.welcome) return { commitBytes };
    const welcomeBytes = encodeMlsMessage(r.welcome);
    return inWelcome ? { commitBytes, welcomeBytes } : { commitBytes, welcomeBytes, ratchetTree: encodeRatchetTree(this.state.tree.toNodes()) };
  }

  async addMembers(keyPackages: readonly Uint8Array[], opts?: CommitOptions): Promise<CommitOutput> {
    const proposals: Proposal[] = keyPackages.map((bytes) => {
      const m = decodeMlsMessage(bytes);
      if (m.wireFormat !== WireFormat.mls_key_package) throw new Error('sotto driver: expected a KeyPackage');
      return { proposalType: ProposalType.add, add: { keyPackage: m.keyPackage } };
    });
    return this.commit(proposals, opts);
  }

  async removeMembers(leafIndices: readonly number[], opts?: CommitOptions): Promise<CommitOutput> {
    return this.commit(
      leafIndices.map((removed): Proposal => ({ proposalType: ProposalType.remove, remove: { removed } })),
      opts,
    );
  }

  async update(opts?: CommitOptions): Promise<CommitOutput> {
    return this.commit([], opts);
  }

  async processMessage(bytes: Uint8Array): Promise<Processed> {
    const r = processMessage(this.deps, this.state, decodeMlsMessage(bytes) as MlsMessage);
    if (r.kind === 'application') {
      this.state = r.group;
      return { kind: 'application', data: r.data };
    }
    if (r.kind === 'proposal') throw new Error('sotto driver: proposals by reference are not driven here');
    if (!r.removedSelf) this.state = r.group;
    return { kind: 'commit', epoch: r.newEpoch, removed: r.removedSelf };
  }

  async encrypt(plaintext: Uint8Array): Promise<Uint8Array> {
    const r = encryptMessage(this.deps, this.state, plaintext);
    this.state = r.group;
    return encodeMlsMessage(r.message);
  }

  async decrypt(bytes: Uint8Array): Promise<Uint8Array> {
    const r = await this.processMessage(bytes);
    if (r.kind !== 'application') throw new Error('sotto driver: expected an application message');
    return r.data;
  }

  epochAuthenticator(): Uint8Array {
    return this.state.keys.epochAuthenticator;
  }

  async exporter(label: string, context: Uint8Array, length: number): Promise<Uint8Array> {
    return exportSecret(this.deps, this.state, label, context, length);
  }
}
