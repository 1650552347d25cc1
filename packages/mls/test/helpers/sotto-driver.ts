// The driver interface of ts-mls-driver.ts over @sotto/mls's public API (src/index.ts), every message crossing
// as RFC 9420 §6 MLSMessage bytes.
import { createNativeProvider, nativeRandom } from '../../src/crypto/native/index.js';
import {
  addMembers,
  CredentialType,
  createGroup,
  createKeyPackage,
  encryptMessage,
  epoch,
  epochAuthenticator,
  exportSecret,
  type Group,
  type GroupDeps,
  joinFromWelcome,
  members,
  type OwnKeyPackage,
  ownLeafIndex,
  processMessage,
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
    const kp = createKeyPackage(this.deps, {
      cipherSuite: SUITE_ID,
      credential: { credentialType: CredentialType.basic, identity: utf8.encode(identity) },
    });
    const own: OwnKeyPackage = { keyPackage: kp.keyPackage, privateKeys: kp.privateKeys };
    return { identity, publicBytes: kp.bytes, private: own };
  }

  async createGroup(groupId: Uint8Array, identity: string): Promise<MemberDriver> {
    const group = createGroup(this.deps, {
      cipherSuite: SUITE_ID,
      groupId,
      credential: { credentialType: CredentialType.basic, identity: utf8.encode(identity) },
    });
    return new SottoMember(this.deps, identity, group);
  }

  async joinFromWelcome(welcomeBytes: Uint8Array, kp: KeyPackageBundle, ratchetTree?: Uint8Array): Promise<MemberDriver> {
    const group = joinFromWelcome(this.deps, welcomeBytes, kp.private as OwnKeyPackage, ratchetTree ? { ratchetTree } : {});
    return new SottoMember(this.deps, kp.identity, group);
  }
}

function commitOptions(opts: CommitOptions | undefined): SottoCommitOptions {
  return {
    ratchetTreeInWelcome: opts?.ratchetTreeInWelcome ?? true,
    ...(opts?.publicMessage ? { wireFormat: 'public' as const } : {}),
  };
}

class SottoMember implements MemberDriver {
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

  async processMessage(bytes: Uint8Array): Promise<Processed> {
    const r = processMessage(this.deps, this.group, bytes);
    if (r.kind === 'application') {
      this.group = r.group;
      return { kind: 'application', data: r.data };
    }
    if (r.kind === 'proposal') throw new Error('sotto driver: standalone proposals are not driven here');
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
