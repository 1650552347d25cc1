// Real MLS (RFC 9420) members for the server tests: a device's group state, the commits and messages it makes, and
// the epoch-0 GroupInfo upload with which the Delivery Service starts following a group (mls docs/public-group.md).
import { randomBytes } from 'node:crypto';
import {
  addMembers,
  type CommitOptions,
  type CommitOutput,
  type Credential,
  commit,
  createGroup,
  createGroupInfo,
  createKeyPackage,
  encryptMessage,
  epoch,
  type Extension,
  type Group,
  type GroupDeps,
  groupId,
  joinFromWelcome,
  members,
  type NewKeyPackage,
  type ProcessResult,
  processMessage,
  removeMembers,
  updateKey,
} from '@sotto/mls';
import { createNativeProvider, nativeRandom } from '@sotto/mls/native';
import { publicKeyOf } from '@sotto/identity';
import { decodeFrankedPlaintext, FRANKING_KEY_BYTES, frank, PAST_EPOCHS } from '@sotto/protocol';
import { b64, type Device, type HttpResult, http } from './client.js';

/** Cipher suite 1 (X25519, AES-128-GCM, SHA-256, Ed25519): a device's Ed25519 key signs its leaves. */
export const SUITE = 1;
/**
 * Handshakes as PublicMessage so the Delivery Service can verify them; late application messages decrypt for as many
 * past epochs as the server accepts them (4).
 */
export const GROUP_CONFIG = { handshakeAsPrivate: false, pastEpochs: PAST_EPOCHS } as const;

/** No credential hook: tests must be able to build what a modified client would send, and the server is the judge. */
export const mlsDeps: GroupDeps = {
  crypto: createNativeProvider(),
  rng: nativeRandom,
  now: () => BigInt(Math.floor(Date.now() / 1000)),
};

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The MLS basic credential of a device: its certificate (RFC 9420 §5.3). */
export function credentialOf(d: Device): Credential {
  return { credentialType: 1, identity: d.certificate };
}

/**
 * One device's MLS state in one group (undefined until it joins, and again once it is removed). Joining is lazy: the
 * Welcome and the commits after it are kept until the state is first needed, so a 1,000-member group costs only the
 * states a test uses.
 */
export class Member {
  #group: Group | undefined;
  #keyPackage: NewKeyPackage | undefined;
  #welcome: Uint8Array | undefined;
  #backlog: Uint8Array[] = [];

  /** `capabilities`: extensions its KeyPackages declare support for (e.g. GROUP_META_EXTENSION, to join a Sotto conversation). */
  constructor(
    readonly device: Device,
    readonly capabilities?: { extensions: number[] },
  ) {}

  get token(): string {
    if (!this.device.token) throw new Error(`${this.device.deviceId} is not logged in`);
    return this.device.token;
  }
  get deviceId(): string {
    return this.device.deviceId;
  }
  /** The current state, undefined when not (or no longer) a member. */
  get group(): Group | undefined {
    if (this.#welcome) this.#joinNow(this.#welcome);
    return this.#group;
  }
  set group(g: Group | undefined) {
    this.#group = g;
  }
  get state(): Group {
    const g = this.group;
    if (!g) throw new Error(`${this.device.deviceId} is not in the group`);
    return g;
  }
  /** In the group, joined or with a Welcome not yet processed. */
  get inGroup(): boolean {
    return this.#welcome !== undefined || this.#group !== undefined;
  }
  get gid(): Uint8Array {
    return groupId(this.state);
  }
  get epoch(): bigint {
    return epoch(this.state);
  }

  /** A new group (epoch 0, this device alone), not yet known to the server. */
  static local(
    device: Device,
    o: { groupId?: Uint8Array; extensions?: Extension[]; capabilities?: { extensions: number[] } } = {},
  ): Member {
    const m = new Member(device);
    m.group = createGroup(mlsDeps, {
      ...o,
      cipherSuite: SUITE,
      credential: credentialOf(device),
      signaturePrivateKey: device.sk,
      config: GROUP_CONFIG,
    });
    return m;
  }

  /** Creates a group (epoch 0, this device alone) and registers it with the server from its epoch-0 GroupInfo. */
  static async create(url: string, device: Device): Promise<Member> {
    const m = Member.local(device);
    const r = await http(url, 'POST', '/v1/groups', { groupInfo: b64(m.groupInfo()) }, m.token);
    if (r.status !== 201) throw new Error(`create group: ${r.status} ${JSON.stringify(r.body)}`);
    return m;
  }

  /** A signed GroupInfo of the current epoch with the ratchet tree (RFC 9420 §12.4.3). */
  groupInfo(): Uint8Array {
    return createGroupInfo(mlsDeps, this.state, { ratchetTree: true });
  }

  /** A fresh KeyPackage of this device; its private keys are kept for the Welcome that consumes it. */
  keyPackage(): Uint8Array {
    this.#keyPackage = createKeyPackage(mlsDeps, {
      cipherSuite: SUITE,
      credential: credentialOf(this.device),
      signaturePrivateKey: this.device.sk,
      ...(this.capabilities ? { capabilities: this.capabilities } : {}),
    });
    return this.#keyPackage.bytes;
  }

  /** Joins from a Welcome (lazily: on first use of the state). */
  join(welcome: Uint8Array): void {
    if (!this.#keyPackage) throw new Error(`${this.device.deviceId} has no KeyPackage`);
    this.#welcome = welcome;
  }

  #joinNow(welcome: Uint8Array): void {
    this.#welcome = undefined;
    this.#group = joinFromWelcome(mlsDeps, welcome, this.#keyPackage!, { config: GROUP_CONFIG });
    this.#keyPackage = undefined;
    for (const c of this.#backlog.splice(0)) this.receive(c);
  }

  /** Follows a commit the server accepted: processed now if joined, else after the lazy join. */
  follow(commitMessage: Uint8Array): void {
    if (this.#welcome) this.#backlog.push(commitMessage);
    else this.receive(commitMessage);
  }

  /** The leaf index of a device in our view of the tree. */
  leafOf(d: Device | Member): number {
    const key = publicKeyOf(d instanceof Member ? d.device.sk : d.sk);
    const m = members(this.state).find((x) => equal(x.signatureKey, key));
    if (!m) throw new Error('no such leaf');
    return m.leafIndex;
  }

  // Commits are built on the current state and take effect only once the server accepted them (`accepted`).
  addCommit(joiners: Member[], opts: Omit<CommitOptions, 'proposals'> = {}): CommitOutput {
    return addMembers(
      mlsDeps,
      this.state,
      joiners.map((j) => j.keyPackage()),
      opts,
    );
  }
  removeCommit(leaving: (Device | Member)[]): CommitOutput {
    return removeMembers(
      mlsDeps,
      this.state,
      leaving.map((l) => this.leafOf(l)),
    );
  }
  updateCommit(): CommitOutput {
    return updateKey(mlsDeps, this.state);
  }
  /** A commit of every pending proposal (by reference), with a path when none is pending. */
  commitPending(): CommitOutput {
    return commit(mlsDeps, this.state, {});
  }

  /** An application message (PrivateMessage) of the current epoch. */
  encrypt(text: string): Uint8Array {
    const f = frank(randomBytes(FRANKING_KEY_BYTES), new TextEncoder().encode(text));
    const r = encryptMessage(mlsDeps, this.state, f.applicationData, f.authenticatedData);
    this.group = r.group;
    return r.message;
  }

  /** Processes a handshake or application message of this group; a commit that removes us ends our membership. */
  receive(message: Uint8Array): ProcessResult {
    const r = processMessage(mlsDeps, this.state, message);
    this.group = r.kind === 'commit' && r.removedSelf ? undefined : r.group;
    return r;
  }

  /** Decrypts an application message and returns its text. */
  read(message: Uint8Array): string {
    const r = this.receive(message);
    if (r.kind !== 'application') throw new Error(`expected an application message, got a ${r.kind}`);
    return new TextDecoder().decode(decodeFrankedPlaintext(r.data).content);
  }
}

/** The submit body of a commit: the commit and, when it adds members, their Welcome. */
export function commitBody(out: CommitOutput): { message: string; welcome?: string } {
  return { message: b64(out.commit), ...(out.welcome ? { welcome: b64(out.welcome) } : {}) };
}

/** The members of one group and their MLS states, kept in step as commits are accepted. */
export class TestGroup {
  constructor(readonly members: Member[]) {}

  get gid(): Uint8Array {
    return this.members[0]!.gid;
  }
  get epoch(): bigint {
    return this.members[0]!.epoch;
  }
  member(d: Device): Member {
    const m = this.members.find((x) => x.deviceId === d.deviceId);
    if (!m) throw new Error(`${d.deviceId} is not a member`);
    return m;
  }

  /** Submits `out` over HTTP as `by`; once accepted, every member takes the new epoch. */
  async commit(url: string, by: Member, out: CommitOutput, joiners: Member[] = []): Promise<HttpResult> {
    const r = await http(url, 'POST', '/v1/messages', commitBody(out), by.token);
    if (r.status === 200) this.accepted(by, out, joiners);
    return r;
  }

  /** Applies a commit the server accepted: the committer's new state, the others process it, joiners join. */
  accepted(by: Member, out: CommitOutput, joiners: Member[] = []): void {
    for (const m of this.members) if (m !== by) m.follow(out.commit);
    by.group = out.group;
    if (joiners.length > 0) {
      if (!out.welcome) throw new Error('a commit that adds members has a Welcome');
      for (const j of joiners) j.join(out.welcome);
    }
    const removed = out.removed.map((r) => r.signatureKey);
    const stays = (m: Member) => m.inGroup && !removed.some((k) => equal(k, publicKeyOf(m.device.sk)));
    this.members.splice(0, this.members.length, ...[...this.members, ...joiners].filter(stays));
  }
}

/**
 * Creates a real MLS group owned by `owner` (epoch 0, GroupInfo uploaded) and adds `others` with one commit and a
 * Welcome (epoch 1); KeyPackages are made locally. Returns the group id, its epoch and the members' states.
 */
export async function makeGroup(
  url: string,
  owner: Device,
  others: Device[],
): Promise<{ gid: Uint8Array; epoch: bigint; group: TestGroup }> {
  const first = await Member.create(url, owner);
  const group = new TestGroup([first]);
  if (others.length > 0) {
    const joiners = others.map((d) => new Member(d));
    const r = await group.commit(url, first, first.addCommit(joiners), joiners);
    if (r.status !== 200) throw new Error(`add commit: ${r.status} ${JSON.stringify(r.body)}`);
  }
  return { gid: group.gid, epoch: group.epoch, group };
}

/**
 * A member's PublicMessage commit or proposal with one bit of its FramedContent signature flipped (RFC 9420 §6.1). The
 * message ends with signature<V> (64 bytes, Ed25519), a commit's confirmation_tag<V> and the membership_tag<V> (32
 * bytes each, SHA-256): the membership tag, which the Delivery Service cannot check, is left alone.
 */
export function badSignature(message: Uint8Array, isCommit = true): Uint8Array {
  const out = Uint8Array.from(message);
  const at = out.length - 33 - (isCommit ? 33 : 0) - 64;
  if (out[at - 1] !== 64 || out[at + 64] !== 32) throw new Error('not a member PublicMessage with an Ed25519 signature');
  out[at + 10]! ^= 1;
  return out;
}

/** A franked application message (docs/franking.md) of `state`'s epoch, as a client sends it: the message and the next state. */
export function encryptText(state: Group, text: string): { group: Group; message: Uint8Array } {
  const f = frank(randomBytes(FRANKING_KEY_BYTES), new TextEncoder().encode(text));
  return encryptMessage(mlsDeps, state, f.applicationData, f.authenticatedData);
}
