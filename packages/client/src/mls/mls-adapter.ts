// MlsAdapter: Sotto's use of @sotto/mls: device credentials (basic credential = DeviceCertificate), KeyPackages,
// the group-metadata extension, and the structural credential check MLS runs on every leaf (RFC 9420 §5.3.1). Whether
// the certificate's account key is the one this client holds for that account is the identity rule's question
// (safety/identity-rule.ts), asked on every Welcome, commit and claimed KeyPackage before any state is kept.

import { checkDeviceCertificateTime, type DeviceCertificate, decodeDeviceCertificate, signGroupOwner } from '@sotto/identity';
import type { CryptoProvider } from '@sotto/mls';
import {
  addMembers,
  type CommitOutput,
  type Credential,
  commit,
  createGroup,
  createGroupInfo,
  createKeyPackage,
  createPublicGroup,
  deserializeGroup,
  type Group,
  type GroupDeps,
  joinByExternalCommit,
  members,
  parseKeyPackage,
  type ProposalOutput,
  proposeRemove,
  publicGroupMembers,
  removeMembers,
  serializeGroup,
  setGroupExtensions,
  updateKey,
} from '@sotto/mls';
import { decodeGroupMeta, encodeGroupMeta, GROUP_META_EXTENSION, type GroupMeta, withOwnerProof } from '../conversation/group-meta.js';
import { CIPHER_SUITE, checkCertificate, type DeviceIdentity, deviceIdFor } from '../identity/device-identity.js';
import { fromB64Url, toB64Url } from '../util/b64.js';
import { constantTimeEqual, toHex } from '../util/bytes.js';
import type { RandomBytes } from '../util/secret-bytes.js';

/** A group member as the application sees it: which account and device a leaf is. */
export interface LeafInfo {
  leafIndex: number;
  account: string;
  accountKey: Uint8Array;
  deviceId: string;
  signatureKey: Uint8Array;
}

/** One of our KeyPackages with its private keys, as stored locally until a Welcome consumes it. */
export interface StoredKeyPackage {
  bytes: Uint8Array;
  initPrivateKey: Uint8Array;
  encryptionPrivateKey: Uint8Array;
  lastResort: boolean;
}

export function encodeStoredKeyPackage(k: StoredKeyPackage): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({ b: toB64Url(k.bytes), i: toB64Url(k.initPrivateKey), e: toB64Url(k.encryptionPrivateKey), l: k.lastResort }),
  );
}
export function decodeStoredKeyPackage(b: Uint8Array): StoredKeyPackage {
  const j = JSON.parse(new TextDecoder().decode(b)) as { b: string; i: string; e: string; l: boolean };
  return { bytes: fromB64Url(j.b), initPrivateKey: fromB64Url(j.i), encryptionPrivateKey: fromB64Url(j.e), lastResort: j.l };
}

/**
 * Proposals and commits travel as PublicMessage, so that the server can verify them against the group's public
 * state (RFC 9420 §6.2) and derive the delivery list from the tree; application messages stay PrivateMessage.
 */
export const GROUP_CONFIG = { handshakeAsPrivate: false } as const;

/** Device certificates whose signature verified, kept by their bytes (MLS checks the sender's on every message). */
const VERIFIED_CERTIFICATES = 1024;

export class MlsAdapter {
  readonly deps: GroupDeps;
  readonly #identity: DeviceIdentity;
  readonly #verified = new Map<string, DeviceCertificate>();

  constructor(identity: DeviceIdentity, crypto: CryptoProvider, rng: RandomBytes, nowMs: () => number) {
    this.#identity = identity;
    this.deps = {
      crypto,
      rng,
      now: () => BigInt(Math.floor(nowMs() / 1000)),
      validateCredential: (credential, signatureKey) => this.#validCredential(credential, signatureKey, nowMs()),
    };
  }

  get credential(): Credential {
    return { credentialType: 1, identity: this.#identity.certificate };
  }

  /**
   * RFC 9420 §5.3.1, structure only: a Sotto device certificate, signed by the account key it carries, for this very
   * signature key. A self-signed certificate proves nothing on its own: the identity rule binds that key to the account.
   */
  #validCredential(credential: Credential, signatureKey: Uint8Array, now: number): boolean {
    if (credential.credentialType !== 1 || !('identity' in credential)) return false;
    try {
      const cert = this.#certificate(credential.identity, now);
      return (
        constantTimeEqual(cert.signatureKey, signatureKey) &&
        cert.deviceId === deviceIdFor(signatureKey) &&
        cert.cipherSuite === CIPHER_SUITE
      );
    } catch {
      return false;
    }
  }

  /** checkCertificate, with the signature verified once per certificate; the validity times are checked at each use. */
  #certificate(bytes: Uint8Array, now: number): DeviceCertificate {
    const id = toHex(bytes);
    const known = this.#verified.get(id);
    if (known) return checkDeviceCertificateTime(known, now);
    const cert = checkCertificate(bytes, now);
    if (this.#verified.size >= VERIFIED_CERTIFICATES) this.#verified.clear();
    this.#verified.set(id, cert);
    return cert;
  }

  #capabilities() {
    return { extensions: [GROUP_META_EXTENSION] };
  }

  newKeyPackage(lastResort = false): StoredKeyPackage {
    const kp = createKeyPackage(this.deps, {
      cipherSuite: CIPHER_SUITE,
      credential: this.credential,
      signaturePrivateKey: this.#identity.signatureSecret.expose(),
      capabilities: this.#capabilities(),
      ...(lastResort ? { lastResort: true } : {}),
    });
    return {
      bytes: kp.bytes,
      initPrivateKey: kp.privateKeys.initPrivateKey,
      encryptionPrivateKey: kp.privateKeys.encryptionPrivateKey,
      lastResort,
    };
  }

  /** The OwnKeyPackage form joinFromWelcome takes. */
  ownKeyPackage(k: StoredKeyPackage) {
    return {
      keyPackage: parseKeyPackage(this.deps, k.bytes),
      privateKeys: {
        initPrivateKey: k.initPrivateKey,
        encryptionPrivateKey: k.encryptionPrivateKey,
        signaturePrivateKey: this.#identity.signatureSecret.expose(),
      },
    };
  }

  /** A new group owned by this account: the metadata carries this device's owner proof for the group id. */
  createGroup(meta: GroupMeta): Group {
    const id = this.deps.rng(32);
    const proof = signGroupOwner(this.#identity.certificate, this.#identity.signatureSecret.expose(), id, this.#identity.accountName);
    if (meta.owner !== this.#identity.accountName) throw new TypeError('a group is owned by the account that creates it');
    meta = withOwnerProof(meta, proof);
    return createGroup(this.deps, {
      groupId: id,
      cipherSuite: CIPHER_SUITE,
      credential: this.credential,
      signaturePrivateKey: this.#identity.signatureSecret.expose(),
      capabilities: this.#capabilities(),
      extensions: [{ extensionType: GROUP_META_EXTENSION, extensionData: encodeGroupMeta(meta) }],
      config: GROUP_CONFIG,
    });
  }

  /** The GroupInfo a commit carries: the new epoch, with external_pub, so a member's device can rejoin (resync). */
  commitGroupInfo(group: Group): Uint8Array {
    return createGroupInfo(this.deps, group, { ratchetTree: false, externalPub: true });
  }

  /**
   * Resync (RFC 9420 §12.4.3.2): rejoin a group by external commit from the server's GroupInfo and tree, removing
   * our old leaf (found by our credential) in the same commit.
   */
  rejoin(groupInfo: Uint8Array, ratchetTree: Uint8Array): { group: Group; commit: Uint8Array } {
    const pub = createPublicGroup(this.deps, groupInfo, { ratchetTree });
    const mine = publicGroupMembers(pub).find((m) => constantTimeEqual(m.identity, this.#identity.certificate));
    return joinByExternalCommit(this.deps, groupInfo, {
      credential: this.credential,
      signaturePrivateKey: this.#identity.signatureSecret.expose(),
      capabilities: this.#capabilities(),
      ratchetTree,
      ...(mine ? { removeLeaf: mine.leafIndex } : {}),
      config: GROUP_CONFIG,
    });
  }

  /** The GroupInfo (with the ratchet tree) the server starts verifying a new group from. */
  groupInfo(group: Group): Uint8Array {
    return createGroupInfo(this.deps, group, { ratchetTree: true });
  }

  /** The leaf of a validated KeyPackage (credential checked by the hook). */
  keyPackageLeaf(bytes: Uint8Array): LeafInfo {
    const kp = parseKeyPackage(this.deps, bytes, CIPHER_SUITE);
    return leafFromCredential(-1, kp.leafNode.credential, kp.leafNode.signatureKey);
  }

  add(group: Group, keyPackages: Uint8Array[]): CommitOutput {
    return addMembers(this.deps, group, keyPackages);
  }
  remove(group: Group, leafIndices: number[]): CommitOutput {
    return removeMembers(this.deps, group, leafIndices);
  }
  update(group: Group): CommitOutput {
    return updateKey(this.deps, group);
  }
  setMeta(group: Group, meta: GroupMeta): CommitOutput {
    const others = group.context.extensions.filter((e) => e.extensionType !== GROUP_META_EXTENSION);
    return setGroupExtensions(this.deps, group, [...others, { extensionType: GROUP_META_EXTENSION, extensionData: encodeGroupMeta(meta) }]);
  }
  emptyCommit(group: Group): CommitOutput {
    return commit(this.deps, group, {});
  }
  /** A Remove proposal (RFC 9420 §12.1.3), sent as a PublicMessage; the returned group caches it by reference. */
  proposeRemove(group: Group, leafIndex: number): ProposalOutput {
    return proposeRemove(this.deps, group, leafIndex);
  }
  /** A commit of the pending proposals by reference (RFC 9420 §12.4), with new metadata in the same commit if given. */
  commitPending(group: Group, meta?: GroupMeta): CommitOutput {
    if (!meta) return commit(this.deps, group, {});
    const others = group.context.extensions.filter((e) => e.extensionType !== GROUP_META_EXTENSION);
    const extensions = [...others, { extensionType: GROUP_META_EXTENSION, extensionData: encodeGroupMeta(meta) }];
    return commit(this.deps, group, { proposals: [{ proposalType: 7, groupContextExtensions: { extensions } }] });
  }

  serialize(group: Group): Uint8Array {
    return serializeGroup(group);
  }
  deserialize(bytes: Uint8Array): Group {
    return deserializeGroup(this.deps, bytes);
  }
}

export function metaOf(group: Group): GroupMeta {
  const ext = group.context.extensions.find((e) => e.extensionType === GROUP_META_EXTENSION);
  if (!ext) throw new TypeError('group has no Sotto metadata');
  return decodeGroupMeta(ext.extensionData);
}

export function leafFromCredential(leafIndex: number, credential: Credential, signatureKey: Uint8Array): LeafInfo {
  if (credential.credentialType !== 1 || !('identity' in credential)) throw new TypeError('not a Sotto credential');
  // Checked by the credential hook (structure) and the identity rule (binding) when it entered the group; here decoded.
  const cert = decodeDeviceCertificate(credential.identity);
  return { leafIndex, account: cert.accountName, accountKey: cert.accountKey, deviceId: cert.deviceId, signatureKey };
}

export function leavesOf(group: Group): LeafInfo[] {
  return members(group).map((m) => leafFromCredential(m.leafIndex, m.credential, m.signatureKey));
}

/** The Remove proposals cached in this epoch (RFC 9420 §12.4): the leaf each removes and the member that proposed it. */
export function pendingRemovals(group: Group): { removed: number; proposer?: number }[] {
  const out: { removed: number; proposer?: number }[] = [];
  for (const p of group.pending) {
    if (p.proposal.proposalType !== 3) continue;
    out.push({ removed: p.proposal.remove.removed, ...(p.sender.senderType === 1 ? { proposer: p.sender.leafIndex } : {}) });
  }
  return out;
}
