// The identity rule every leaf must pass (DESIGN.md, Identity; RFC 9420 §5.3.1 leaves credential validation to the
// application): a leaf's device certificate is signed by the account key this client holds for that account, a leaf of
// our own account carries our account key and a device our account lists, and an Update never changes who a leaf is.
// Checks carry IDs (ID-*), named in docs/security.md and in the tests that attack them.

import { verifyGroupOwner } from '@sotto/identity';
import type { KeyWarning } from '../client/types.js';
import { type GroupMeta, ownerProofOf } from '../conversation/group-meta.js';
import type { LeafInfo } from '../mls/mls-adapter.js';
import type { StoreWriter } from '../store/local-store.js';
import { constantTimeEqual } from '../util/bytes.js';
import { type Directory, type DirectoryEntry, listsDevice } from './directory.js';
import type { DeviceKey } from './key-change-tracker.js';

/** The identity rule's checks. */
export const IDENTITY_CHECKS = {
  'ID-OWN-KEY': 'a leaf of our own account carries our own account key',
  'ID-OWN-DEVICE': 'a leaf of our own account is this device or a device our account lists',
  'ID-PIN': "a contact's leaf is certified by the account key this client holds for that account",
  'ID-PENDING': "a leaf under a verified contact's new key waits until the user accepts that key",
  'ID-DEVICE': "a contact's leaf is a device the directory lists for that account",
  'ID-UPDATE': "an Update or UpdatePath keeps the leaf's account, account key and device",
  'ID-OWNER': "the group's owner is proven: a device certified by the account key this client holds for the owner signed the group id",
} as const;
export type IdentityCheck = keyof typeof IDENTITY_CHECKS;

export type Verdict = { ok: true } | { ok: false; check: IdentityCheck; code: VerdictCode; account: string; reason: string };
type VerdictCode = 'IDENTITY_MISMATCH' | 'UNLISTED_DEVICE' | 'KEY_CHANGED' | 'OWNER_MISMATCH';

const OK: Verdict = { ok: true };

/** This device, as the rule needs it. */
export interface OwnIdentity {
  accountName: string;
  accountKey: Uint8Array;
  deviceId: string;
  signatureKey: Uint8Array;
}

/** What this client holds about other accounts (the contacts store); every write joins the caller's transaction. */
export interface Pins {
  /** The account key pinned for `account`, undefined before first contact. */
  pinned(tx: StoreWriter, account: string): Promise<Uint8Array | undefined>;
  /** The devices the directory last listed for `account`. */
  devices(tx: StoreWriter, account: string): Promise<DeviceKey[] | undefined>;
  /**
   * Record a directory answer: first contact pins its key; a different key is a visible change (told through `emit`),
   * never a silent overwrite.
   */
  record(tx: StoreWriter, entry: DirectoryEntry, emit: (w: KeyWarning) => void): Promise<void>;
}

export class IdentityRule {
  constructor(
    readonly me: () => OwnIdentity,
    readonly directory: () => Directory,
    readonly pins: Pins,
  ) {}

  /**
   * Check every leaf; the first failure is the verdict. Directory answers are fetched at most once per account per
   * call, recorded in `tx`, and what changed is told through `emit` (call it once the transaction is durable).
   */
  async check(tx: StoreWriter, leaves: readonly LeafInfo[], emit: (w: KeyWarning) => void): Promise<Verdict> {
    const answers = new Map<string, Promise<DirectoryEntry>>();
    const lookup = (account: string): Promise<DirectoryEntry> => {
      let p = answers.get(account);
      if (!p) {
        p = this.directory()
          .lookup(account)
          .then(async (e) => {
            await this.pins.record(tx, { ...e, account }, emit);
            return e;
          });
        answers.set(account, p);
      }
      return p;
    };
    for (const leaf of leaves) {
      let v: Verdict;
      try {
        v = leaf.account === this.me().accountName ? await this.#own(leaf, lookup) : await this.#contact(tx, leaf, lookup);
      } catch (e) {
        // An account the directory does not know (deleted, or never registered here) cannot be pinned: refused.
        if ((e as { code?: unknown }).code !== 'NOT_FOUND') throw e;
        v = fail('ID-DEVICE', 'UNLISTED_DEVICE', leaf.account, `the directory does not know ${leaf.account}`);
      }
      if (!v.ok) return v;
    }
    return OK;
  }

  /**
   * ID-OWNER: the metadata's owner is the account that created the group, at whatever epoch this device joins. The
   * proof (a GroupOwner signature by the creating device over the group id) must verify, and its certificate must carry
   * the account key this client holds for the owner (pinned, or pinned now from the directory on first contact).
   */
  async owner(tx: StoreWriter, groupId: Uint8Array, meta: GroupMeta, emit: (w: KeyWarning) => void): Promise<Verdict> {
    const owner = meta.owner;
    const proof = ownerProofOf(meta);
    if (!proof) return fail('ID-OWNER', 'OWNER_MISMATCH', owner, `nothing proves that ${owner} created this group`);
    let accountKey: Uint8Array;
    try {
      accountKey = verifyGroupOwner(proof, groupId, owner).accountKey;
    } catch {
      return fail('ID-OWNER', 'OWNER_MISMATCH', owner, `the proof that ${owner} created this group does not verify`);
    }
    const me = this.me();
    if (owner === me.accountName) {
      return constantTimeEqual(accountKey, me.accountKey)
        ? OK
        : fail('ID-OWNER', 'OWNER_MISMATCH', owner, 'the group names this account as owner under another account key');
    }
    let pin = await this.pins.pinned(tx, owner);
    if (!pin || !constantTimeEqual(pin, accountKey)) {
      try {
        await this.pins.record(tx, { ...(await this.directory().lookup(owner)), account: owner }, emit);
      } catch (e) {
        if ((e as { code?: unknown }).code !== 'NOT_FOUND') throw e;
        return fail('ID-OWNER', 'OWNER_MISMATCH', owner, `the directory does not know ${owner}, named as owner`);
      }
      pin = await this.pins.pinned(tx, owner);
    }
    return pin && constantTimeEqual(pin, accountKey)
      ? OK
      : fail(
          'ID-OWNER',
          'OWNER_MISMATCH',
          owner,
          `the group's owner proof is not certified by the account key this device holds for ${owner}`,
        );
  }

  /**
   * ID-UPDATE: leaves present before and after a commit (same index, not removed by it) must keep their identity.
   * Returns the verdict and the leaves that are new (added, or at an index the commit freed and refilled).
   */
  changed(before: readonly LeafInfo[], after: readonly LeafInfo[], removed: ReadonlySet<number>): { verdict: Verdict; fresh: LeafInfo[] } {
    const old = new Map(before.map((l) => [l.leafIndex, l]));
    const fresh: LeafInfo[] = [];
    for (const l of after) {
      const o = old.get(l.leafIndex);
      if (!o || removed.has(l.leafIndex)) {
        fresh.push(l);
        continue;
      }
      const same =
        o.account === l.account &&
        o.deviceId === l.deviceId &&
        constantTimeEqual(o.accountKey, l.accountKey) &&
        constantTimeEqual(o.signatureKey, l.signatureKey);
      if (!same) {
        return {
          verdict: fail('ID-UPDATE', 'IDENTITY_MISMATCH', l.account, `a leaf of ${o.account} was updated to claim ${l.account}`),
          fresh,
        };
      }
    }
    return { verdict: OK, fresh };
  }

  async #own(leaf: LeafInfo, lookup: (a: string) => Promise<DirectoryEntry>): Promise<Verdict> {
    const me = this.me();
    if (!constantTimeEqual(leaf.accountKey, me.accountKey)) {
      return fail('ID-OWN-KEY', 'IDENTITY_MISMATCH', leaf.account, 'a leaf claims this account under another account key');
    }
    if (leaf.deviceId === me.deviceId) {
      return constantTimeEqual(leaf.signatureKey, me.signatureKey)
        ? OK
        : fail('ID-OWN-DEVICE', 'IDENTITY_MISMATCH', leaf.account, 'a leaf claims this device with another key');
    }
    const e = await lookup(leaf.account);
    return constantTimeEqual(e.accountKey, me.accountKey) && listsDevice(e, leaf.deviceId, leaf.signatureKey)
      ? OK
      : fail('ID-OWN-DEVICE', 'UNLISTED_DEVICE', leaf.account, 'a leaf claims a device this account does not list');
  }

  async #contact(tx: StoreWriter, leaf: LeafInfo, lookup: (a: string) => Promise<DirectoryEntry>): Promise<Verdict> {
    const a = leaf.account;
    let pin = await this.pins.pinned(tx, a);
    if (!pin || !constantTimeEqual(leaf.accountKey, pin)) {
      // First contact pins the directory's key; a mismatch asks the directory again (an unverified contact's pin moves,
      // visibly, when the directory reports the new key; a verified contact's new key waits for the user).
      const e = await lookup(a);
      pin = await this.pins.pinned(tx, a);
      if (!pin || !constantTimeEqual(leaf.accountKey, pin)) {
        return constantTimeEqual(leaf.accountKey, e.accountKey)
          ? fail('ID-PENDING', 'KEY_CHANGED', a, `the account key of ${a} changed and is not accepted yet`)
          : fail('ID-PIN', 'IDENTITY_MISMATCH', a, `a leaf of ${a} is not certified by the account key this device holds for it`);
      }
    }
    const known = await this.pins.devices(tx, a);
    if (known && listsDevice({ devices: known }, leaf.deviceId, leaf.signatureKey)) return OK;
    const e = await lookup(a);
    return constantTimeEqual(e.accountKey, pin) && listsDevice(e, leaf.deviceId, leaf.signatureKey)
      ? OK
      : fail('ID-DEVICE', 'UNLISTED_DEVICE', a, `a leaf of ${a} is a device the directory does not list`);
  }
}

function fail(check: IdentityCheck, code: VerdictCode, account: string, reason: string): Verdict {
  return { ok: false, check, code, account, reason };
}
