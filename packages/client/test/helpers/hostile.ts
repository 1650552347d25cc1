// Test helper: hostile peers and a hostile server for the identity-rule tests. A forged device is an MLS member whose
// device certificate is signed by an account key the attacker made up (or by a real one, for a ghost device); what it
// builds never goes through the real server (which verifies every leaf), it is handed to the victim's receive
// pipeline as the server would deliver it.
import { randomBytes } from 'node:crypto';
import { type GroupOwnerProof, publicKeyOf, signGroupOwner } from '@sotto/identity';
import {
  addMembers,
  createGroup,
  createKeyPackage,
  encryptMessage,
  type Group,
  type GroupDeps,
  groupId,
  joinFromWelcome,
  type NewKeyPackage,
  updateKey,
} from '@sotto/mls';
import { createNativeProvider, nativeRandom } from '@sotto/mls/native';
import { FRANKING_KEY_BYTES, frank } from '@sotto/protocol';
import type { SottoClient } from '../../src/client/sotto-client.js';
import type { DeliveredFranking } from '../../src/transport/server-api.js';
import { encodeContent } from '../../src/content/content-codec.js';
import { encodeGroupMeta, GROUP_META_EXTENSION, type GroupMeta, withOwnerProof } from '../../src/conversation/group-meta.js';
import { CIPHER_SUITE, issueCertificate } from '../../src/identity/device-identity.js';
import { GROUP_CONFIG } from '../../src/mls/mls-adapter.js';

/** No credential hook: the attacker builds what a modified client would send; the victim's client is the judge. */
export const rawDeps: GroupDeps = {
  crypto: createNativeProvider(),
  rng: nativeRandom,
  now: () => BigInt(Math.floor(Date.now() / 1000)),
};

const fresh = (n: number) => new Uint8Array(randomBytes(n));

export interface DeviceKeys {
  certificate: Uint8Array;
  signatureSecret: Uint8Array;
}

/** A device certificate for `account`, signed by `accountSecret` (default: an account key the attacker made up). */
export function forgeDevice(account: string, o: { accountSecret?: Uint8Array; signatureSecret?: Uint8Array } = {}): DeviceKeys {
  const signatureSecret = o.signatureSecret ?? fresh(32);
  const certificate = issueCertificate(account, o.accountSecret ?? fresh(32), publicKeyOf(signatureSecret), Date.now());
  return { certificate, signatureSecret };
}

/** The keys of a real client's device (the attacker's own, legitimately registered). */
export function keysOf(client: SottoClient): DeviceKeys {
  const id = client.c.need();
  return { certificate: id.certificate, signatureSecret: id.signatureSecret.expose() };
}

const capabilities = { extensions: [GROUP_META_EXTENSION] };

/** One hostile MLS member: creates or joins a group, commits and sends without any identity check. */
export class HostileMember {
  group: Group | undefined;
  #kp: NewKeyPackage | undefined;

  constructor(readonly keys: DeviceKeys) {}

  get state(): Group {
    if (!this.group) throw new Error('not in a group');
    return this.group;
  }
  get groupId(): Uint8Array {
    return groupId(this.state);
  }

  /**
   * A new group. Its owner proof is, by default, this device's own for the new group id (`meta.owner` must then be its
   * account); `proof` can leave it out ('none') or make it some other way (given the group id).
   */
  create(meta: GroupMeta, proof: 'own' | 'none' | ((groupId: Uint8Array) => GroupOwnerProof) = 'own'): void {
    const id = fresh(32);
    const made =
      proof === 'none'
        ? undefined
        : proof === 'own'
          ? signGroupOwner(this.keys.certificate, this.keys.signatureSecret, id, meta.owner)
          : proof(id);
    if (made) meta = withOwnerProof(meta, made);
    this.group = createGroup(rawDeps, {
      groupId: id,
      cipherSuite: CIPHER_SUITE,
      credential: { credentialType: 1, identity: this.keys.certificate },
      signaturePrivateKey: this.keys.signatureSecret,
      capabilities,
      extensions: [{ extensionType: GROUP_META_EXTENSION, extensionData: encodeGroupMeta(meta) }],
      config: GROUP_CONFIG,
    });
  }

  keyPackage(): Uint8Array {
    this.#kp = createKeyPackage(rawDeps, {
      cipherSuite: CIPHER_SUITE,
      credential: { credentialType: 1, identity: this.keys.certificate },
      signaturePrivateKey: this.keys.signatureSecret,
      capabilities,
    });
    return this.#kp.bytes;
  }

  /** Adds KeyPackages; returns the commit and its Welcome. */
  add(keyPackages: Uint8Array[]): { commit: Uint8Array; welcome: Uint8Array } {
    const out = addMembers(rawDeps, this.state, keyPackages);
    if (!out.welcome) throw new Error('no Welcome');
    this.group = out.group;
    return { commit: out.commit, welcome: out.welcome };
  }

  join(welcome: Uint8Array): void {
    if (!this.#kp) throw new Error('no KeyPackage');
    const own = {
      keyPackage: this.#kp.keyPackage,
      privateKeys: { ...this.#kp.privateKeys, signaturePrivateKey: this.keys.signatureSecret },
    };
    this.group = joinFromWelcome(rawDeps, welcome, own, { config: GROUP_CONFIG });
  }

  /** A text message (PrivateMessage) of the current epoch, franked (docs/franking.md). */
  text(text: string): Uint8Array {
    return this.textCommittedTo(text, text);
  }

  /** A text message that encrypts `text` but whose franking commitment is to `committed` (a sender who lies). */
  textCommittedTo(text: string, committed: string, o: { aad?: Uint8Array } = {}): Uint8Array {
    const content = (t: string) => encodeContent({ messageId: this.#mid, sentAt: 1_700_000_000_000, body: { type: 'text', text: t } });
    const key = fresh(FRANKING_KEY_BYTES);
    const sent = frank(key, content(text));
    const aad = o.aad ?? frank(key, content(committed)).authenticatedData;
    const r = encryptMessage(rawDeps, this.state, sent.applicationData, aad);
    this.group = r.group;
    this.#mid = fresh(16);
    return r.message;
  }

  #mid = fresh(16);

  /**
   * An Update commit (UpdatePath, RFC 9420 §12.4.2) whose new own leaf carries `certificate` instead of ours. The
   * certificate must be for our own signature key, so every signature in the commit stays valid: only the identity
   * the leaf claims changes.
   */
  updateAs(certificate: Uint8Array): Uint8Array {
    const real = this.state;
    const own = real.tree.leaf(real.ownLeaf);
    if (!own) throw new Error('own leaf missing');
    const posing = Object.freeze(
      Object.assign(Object.create(Object.getPrototypeOf(real) as object) as Group, real, {
        tree: real.tree.setLeaf(real.ownLeaf, { ...own, credential: { credentialType: 1, identity: certificate } }),
      }),
    );
    const out = updateKey(rawDeps, posing);
    this.group = out.group;
    return out.commit;
  }
}

let nextServerId = 2_000_000_000;

/** Hands `data` to `victim` as its server would deliver it (one queue entry), and waits until it was processed. */
export async function deliver(
  victim: SottoClient,
  gid: Uint8Array,
  kind: 'welcome' | 'message',
  data: Uint8Array,
  franking?: DeliveredFranking,
): Promise<void> {
  const m = { id: nextServerId++, groupId: gid, kind, data, createdAt: Date.now(), ...(franking ? { franking } : {}) };
  await victim.c.lock.run(() => victim.c.receiver.processBatch([m]));
}

/** A fresh account secret: an account key the attacker made up. */
export function randomAccountSecret(): Uint8Array {
  return fresh(32);
}
