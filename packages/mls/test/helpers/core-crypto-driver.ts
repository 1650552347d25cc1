// Test peer: Wire's CoreCrypto 10.3.0 (OpenMLS, wasm) as an RFC 9420 §6 MLSMessage-bytes driver, and the interop interface.
// The interface adds to ts-mls-driver.ts's what the OpenMLS interop needs: members named by identity and signature key
// (CoreCrypto exposes no leaf index), proposals by reference (§12.1, §12.4) and GroupInfo for external joins (§12.4.3.2).
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ClientId,
  type CommitBundle,
  type CoreCryptoContext,
  type CredentialRef,
  type HistorySecret,
  type MlsTransport,
  CipherSuite,
  cipherSuiteFromU16,
  ConversationId,
  CoreCrypto,
  Credential,
  Database,
  DecryptedMessage,
  DeviceId,
  ExternalSender,
  GroupInfo,
  initWasmModule,
  KeyPackage,
  SignatureScheme,
  Uuid,
  Welcome,
} from '@wireapp/core-crypto/browser';
import type { ClientDriver, CommitOptions, CommitOutput, KeyPackageBundle, MemberDriver, Processed } from './ts-mls-driver.js';

/** A group member as another member names it: its identity and its leaf's signature key (unique in a group, RFC 9420 §7.3). */
export interface ClientRef {
  readonly identity: string;
  signatureKey(): Uint8Array;
}

/**
 * One member of one group, for the OpenMLS interop: MemberDriver without leaf indices (CoreCrypto does not expose
 * them; members are named by ClientRef instead), plus proposals by reference and GroupInfo for external joins.
 */
export interface InteropMember
  extends ClientRef, Omit<MemberDriver, 'ownLeafIndex' | 'leafIndexOf' | 'removeMembers' | 'epochAuthenticator'> {
  /** RFC 9420 §8.7 epoch_authenticator, or undefined when the implementation does not expose it (CoreCrypto). */
  epochAuthenticator(): Uint8Array | undefined;
  /** Removes these members in one commit (RFC 9420 §12.1.3). */
  removeClients(members: readonly ClientRef[], opts?: CommitOptions): Promise<CommitOutput>;
  /** Standalone proposals (RFC 9420 §12.1), sent as MLSMessage bytes; a later commit includes them by reference. */
  proposeAdd(keyPackage: Uint8Array): Promise<Uint8Array>;
  proposeRemove(member: ClientRef): Promise<Uint8Array>;
  proposeUpdate(): Promise<Uint8Array>;
  /** Commits every proposal received or sent in this epoch, by reference (RFC 9420 §12.4). */
  commitPending(opts?: CommitOptions): Promise<CommitOutput>;
  /** A GroupInfo MLSMessage of the current epoch with ratchet_tree and external_pub (RFC 9420 §12.4.3). */
  groupInfo(): Promise<Uint8Array>;
}

export interface ExternalJoin {
  readonly member: InteropMember;
  /** The external commit, an MLSMessage PublicMessage (RFC 9420 §12.4.3.2). */
  readonly commitBytes: Uint8Array;
}

export interface GroupOptions {
  /** An Ed25519 signature key listed in the group's external_senders extension (RFC 9420 §12.1.8.1). */
  readonly externalSender?: Uint8Array;
}

export interface InteropClient extends Omit<ClientDriver, 'createGroup' | 'joinFromWelcome'> {
  createGroup(groupId: Uint8Array, identity: string, opts?: GroupOptions): Promise<InteropMember>;
  joinFromWelcome(welcomeBytes: Uint8Array, keyPackage: KeyPackageBundle, ratchetTree?: Uint8Array): Promise<InteropMember>;
  /**
   * Joins by external commit with fresh state. `resync`: we were a member and lost our state, so the commit also
   * removes our old leaf (the one with our identity), when the implementation can.
   */
  joinByExternalCommit(groupInfo: Uint8Array, identity: string, opts?: { resync?: boolean }): Promise<ExternalJoin>;
}

/** RFC 9420 §6: MLSMessage starts with version mls10 (1) then wire_format. */
const WIRE = { welcome: 3, groupInfo: 4, keyPackage: 5 } as const;
const SUITE = CipherSuite.Mls128Dhkemx25519Aes128gcmSha256Ed25519;
const utf8d = new TextDecoder();

/** MLSMessage header + body, for the structs CoreCrypto serialises bare (KeyPackage). */
function wrap(wireFormat: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  out.set([0, 1, wireFormat >> 8, wireFormat & 0xff]);
  out.set(body, 4);
  return out;
}

/** The body of an MLSMessage of the expected wire format, for the CoreCrypto constructors that take bare structs. */
function unwrap(wireFormat: number, message: Uint8Array): Uint8Array {
  if (message.length < 4 || message[0] !== 0 || message[1] !== 1 || message[2] !== wireFormat >> 8 || message[3] !== (wireFormat & 0xff)) {
    throw new Error(`core-crypto driver: expected an MLSMessage of wire format ${wireFormat}`);
  }
  return message.subarray(4);
}

/**
 * Loads CoreCrypto's wasm build in Node. Its loader runs only where `window` exists and reads the module through
 * `fetch`: we provide `window` and, for the duration of the load only, a `fetch` that serves the package's own
 * .wasm file from disk and refuses anything else, so nothing touches the network. Idempotent.
 */
async function loadCoreCrypto(): Promise<void> {
  const entry = fileURLToPath(import.meta.resolve('@wireapp/core-crypto/browser'));
  const wasmPath = join(dirname(entry), 'autogenerated', 'wasm-bindgen', 'index_bg.wasm');
  if (!('window' in globalThis)) Object.defineProperty(globalThis, 'window', { value: globalThis, configurable: true });
  const original = globalThis.fetch;
  const fromDisk: typeof fetch = async (input) => {
    if (String(input) !== wasmPath) throw new Error(`core-crypto driver: refusing to fetch ${String(input)}`);
    return new Response(await readFile(wasmPath), { headers: { 'content-type': 'application/wasm' } });
  };
  globalThis.fetch = fromDisk;
  try {
    await initWasmModule(wasmPath);
  } finally {
    globalThis.fetch = original;
  }
}

/** Creates the CoreCrypto client driver; each identity gets its own CoreCrypto instance with an in-memory database. */
export async function createCoreCryptoDriver(): Promise<InteropClient> {
  await loadCoreCrypto();
  return new CoreCryptoClient();
}

/** Whether CoreCrypto offers this RFC 9420 / IANA cipher suite id (call after createCoreCryptoDriver). */
export function coreCryptoOffersSuite(id: number): boolean {
  try {
    cipherSuiteFromU16(id);
    return true;
  } catch {
    return false;
  }
}

/** `<user-id>:<device-id>@<domain>`, the only client identity CoreCrypto accepts (user id a UUID, device id hex). */
function parseClientId(identity: string): ClientId {
  const m = /^([0-9a-f-]{36}):([0-9a-f]{1,16})@(.+)$/.exec(identity);
  if (!m?.[1] || !m[2] || !m[3]) throw new Error(`core-crypto driver: ${identity} is not <uuid>:<hex device id>@<domain>`);
  const id = new ClientId(new Uuid(m[1]), DeviceId.fromHexString(m[2]), m[3]);
  if (utf8d.decode(id.copyBytes()) !== identity) throw new Error(`core-crypto driver: ${identity} is not in CoreCrypto's canonical form`);
  return id;
}

/** The reason inside a CoreCrypto error (nested `inner` records ending in `msg`), for readable test failures. */
function reason(e: unknown, depth = 0): string | undefined {
  if (typeof e !== 'object' || e === null || depth > 4) return undefined;
  if ('msg' in e && typeof e.msg === 'string') return e.msg;
  for (const v of Object.values(e)) {
    const r = reason(v, depth + 1);
    if (r !== undefined) return r;
  }
  return 'inner' in e ? reason(e.inner, depth + 1) : undefined;
}

function failure(what: string, e: unknown): Error {
  return new Error(`core-crypto ${what}: ${reason(e) ?? (e instanceof Error ? e.message : String(e))}`, { cause: e });
}

/** Runs CoreCrypto work in a transaction; its errors become Errors whose message names OpenMLS's reason. */
async function run<R>(cc: CoreCrypto, what: string, f: (ctx: CoreCryptoContext) => Promise<R>): Promise<R> {
  try {
    return await cc.transaction(f);
  } catch (e) {
    throw failure(what, e);
  }
}

/** Decodes bytes with one of CoreCrypto's constructors, with the same error messages as `run`. */
function decode<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw failure(what, e);
  }
}

/** One CoreCrypto instance (one device): its session, its credential, and the commit bundles it hands to the DS. */
class Session {
  private constructor(
    readonly identity: string,
    readonly cc: CoreCrypto,
    readonly credential: CredentialRef,
    readonly signatureKey: Uint8Array,
    private readonly outbox: CommitBundle[],
  ) {}

  static async open(identity: string): Promise<Session> {
    const clientId = parseClientId(identity);
    const cc = CoreCrypto.new(await Database.inMemory());
    const outbox: CommitBundle[] = [];
    // The delivery service: accepts every commit bundle, which CoreCrypto then merges.
    const transport: MlsTransport = {
      sendCommitBundle: async (bundle: CommitBundle) => {
        outbox.push(bundle);
      },
      prepareForTransport: async (_secret: HistorySecret) => new Uint8Array(0),
    };
    const ref = await run(cc, 'init', async (ctx) => {
      await ctx.mlsInit(clientId, transport);
      return ctx.addCredential(Credential.basic(SUITE, clientId));
    });
    return new Session(identity, cc, ref, await cc.publicKey(ref), outbox);
  }

  /** The single commit bundle the last operation sent. */
  takeBundle(): CommitBundle {
    const b = this.outbox.shift();
    if (!b || this.outbox.length > 0) throw new Error('core-crypto driver: expected exactly one commit bundle');
    return b;
  }
}

class CoreCryptoClient implements InteropClient {
  readonly impl = 'openmls';

  async createKeyPackage(identity: string): Promise<KeyPackageBundle> {
    const s = await Session.open(identity);
    const kp = await run(s.cc, 'generateKeyPackage', (ctx) => ctx.generateKeyPackage(s.credential));
    // CoreCrypto serialises the bare KeyPackage struct; the interface carries MLSMessage (RFC 9420 §6).
    return { identity, publicBytes: wrap(WIRE.keyPackage, kp.serialize()), private: s };
  }

  async createGroup(groupId: Uint8Array, identity: string, opts?: GroupOptions): Promise<InteropMember> {
    const s = await Session.open(identity);
    const conv = new ConversationId(groupId);
    const external = opts?.externalSender ? ExternalSender.parsePublicKey(opts.externalSender, SignatureScheme.Ed25519) : undefined;
    await run(s.cc, 'createConversation', (ctx) => ctx.createConversation(conv, s.credential, external));
    return CoreCryptoMember.open(s, conv);
  }

  async joinFromWelcome(welcomeBytes: Uint8Array, kp: KeyPackageBundle, ratchetTree?: Uint8Array): Promise<InteropMember> {
    if (ratchetTree !== undefined) throw new Error('core-crypto driver: CoreCrypto takes no out-of-band ratchet tree');
    if (!(kp.private instanceof Session)) throw new Error('core-crypto driver: not a CoreCrypto KeyPackage');
    const s = kp.private;
    const conv = await run(s.cc, 'processWelcomeMessage', (ctx) =>
      ctx.processWelcomeMessage(decode('Welcome', () => new Welcome(welcomeBytes))),
    );
    return CoreCryptoMember.open(s, conv);
  }

  /** A resync is a fresh CoreCrypto instance with the same client id; CoreCrypto 10.3.0 keeps the old leaf (see the test). */
  async joinByExternalCommit(groupInfo: Uint8Array, identity: string): Promise<ExternalJoin> {
    const s = await Session.open(identity);
    // CoreCrypto's GroupInfo constructor takes the bare GroupInfo struct, not the MLSMessage.
    const gi = decode('GroupInfo', () => new GroupInfo(unwrap(WIRE.groupInfo, groupInfo)));
    const conv = await run(s.cc, 'joinByExternalCommit', (ctx) => ctx.joinByExternalCommit(gi, s.credential));
    const bundle = s.takeBundle();
    const member = await CoreCryptoMember.open(s, conv);
    member.publish(bundle.groupInfo.payload);
    return { member, commitBytes: bundle.commit };
  }
}

class CoreCryptoMember implements InteropMember {
  readonly impl = 'openmls';
  /** CoreCrypto's getters are async; the driver interface is not, so each operation refreshes these. */
  private cachedEpoch = 0n;
  private cachedIds: string[] = [];
  private active = true;
  /** The GroupInfo of our last commit (CoreCrypto has no other way to export one) and the epoch it is for. */
  private published: Uint8Array | undefined;
  private publishedEpoch = -1n;

  private constructor(
    private readonly s: Session,
    private readonly conv: ConversationId,
  ) {}

  static async open(s: Session, conv: ConversationId): Promise<CoreCryptoMember> {
    const m = new CoreCryptoMember(s, conv);
    await m.refresh();
    return m;
  }

  /** Keeps the GroupInfo that came with our latest commit (a DS would publish it) for the current epoch. */
  publish(groupInfo: Uint8Array): void {
    this.published = groupInfo;
    this.publishedEpoch = this.cachedEpoch;
  }

  get identity(): string {
    return this.s.identity;
  }

  private async refresh(): Promise<void> {
    if (!this.active) return;
    this.cachedEpoch = await this.s.cc.conversationEpoch(this.conv);
    this.cachedIds = (await this.s.cc.getClientIds(this.conv)).map((id) => utf8d.decode(id.copyBytes()));
  }

  signatureKey(): Uint8Array {
    return this.s.signatureKey;
  }

  epoch(): bigint {
    return this.cachedEpoch;
  }

  identities(): string[] {
    return [...this.cachedIds];
  }

  private async commit(what: string, f: (ctx: CoreCryptoContext) => Promise<void>, opts?: CommitOptions): Promise<CommitOutput> {
    if (opts?.ratchetTreeInWelcome === false) throw new Error('core-crypto driver: CoreCrypto always puts the tree in the Welcome');
    // CoreCrypto sends every handshake message as PublicMessage (its wire format policy); `publicMessage` is moot.
    await run(this.s.cc, what, f);
    const b = this.s.takeBundle();
    await this.refresh();
    this.publish(b.groupInfo.payload);
    return b.welcome ? { commitBytes: b.commit, welcomeBytes: b.welcome.serialize() } : { commitBytes: b.commit };
  }

  async addMembers(keyPackages: readonly Uint8Array[], opts?: CommitOptions): Promise<CommitOutput> {
    const kps = keyPackages.map((k) => decode('KeyPackage', () => new KeyPackage(unwrap(WIRE.keyPackage, k))));
    return this.commit('addClientsToConversation', (ctx) => ctx.addClientsToConversation(this.conv, kps), opts);
  }

  async removeClients(members: readonly ClientRef[], opts?: CommitOptions): Promise<CommitOutput> {
    const ids = members.map((m) => parseClientId(m.identity));
    return this.commit('removeClientsFromConversation', (ctx) => ctx.removeClientsFromConversation(this.conv, ids), opts);
  }

  update(opts?: CommitOptions): Promise<CommitOutput> {
    return this.commit('updateKeyingMaterial', (ctx) => ctx.updateKeyingMaterial(this.conv), opts);
  }

  commitPending(opts?: CommitOptions): Promise<CommitOutput> {
    return this.commit('commitPendingProposals', (ctx) => ctx.commitPendingProposals(this.conv), opts);
  }

  private noProposals(): never {
    throw new Error('core-crypto driver: CoreCrypto 10.3.0 has no API to send a standalone proposal');
  }
  async proposeAdd(): Promise<Uint8Array> {
    this.noProposals();
  }
  async proposeRemove(): Promise<Uint8Array> {
    this.noProposals();
  }
  async proposeUpdate(): Promise<Uint8Array> {
    this.noProposals();
  }

  async groupInfo(): Promise<Uint8Array> {
    if (!this.published || this.publishedEpoch !== this.cachedEpoch) {
      throw new Error('core-crypto driver: CoreCrypto exports a GroupInfo only with its own commits; commit first');
    }
    return this.published;
  }

  async processMessage(bytes: Uint8Array): Promise<Processed> {
    const r = await run(this.s.cc, 'decryptMessage', (ctx) => ctx.decryptMessage(this.conv, bytes));
    if (DecryptedMessage.Text.instanceOf(r)) return { kind: 'application', data: r.inner.plaintext };
    if (DecryptedMessage.Proposal.instanceOf(r)) return { kind: 'proposal' };
    this.active = r.inner.isActive;
    await this.refresh();
    return { kind: 'commit', epoch: this.cachedEpoch, removed: !r.inner.isActive };
  }

  encrypt(plaintext: Uint8Array): Promise<Uint8Array> {
    return run(this.s.cc, 'encryptMessage', (ctx) => ctx.encryptMessage(this.conv, plaintext));
  }

  async decrypt(bytes: Uint8Array): Promise<Uint8Array> {
    const r = await this.processMessage(bytes);
    if (r.kind !== 'application') throw new Error('core-crypto driver: expected an application message');
    return r.data;
  }

  epochAuthenticator(): undefined {
    return undefined;
  }

  /** CoreCrypto exports only MLS-Exporter("exporter", "", length) (RFC 9420 §8.5). */
  async exporter(label: string, context: Uint8Array, length: number): Promise<Uint8Array> {
    if (label !== 'exporter' || context.length !== 0) throw new Error('core-crypto driver: only label "exporter" with empty context');
    return (await this.s.cc.exportSecretKey(this.conv, length)).copyBytes();
  }
}
