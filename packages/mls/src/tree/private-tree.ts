// A member's private view of the ratchet tree (RFC 9420 §4.2 tree invariant, §7.4): HPKE key pairs by node index.
// An immutable value like RatchetTree; it redacts itself from toString, toJSON and util.inspect.

import { deriveSecret } from '../crypto/labels.js';
import type { CipherSuite, KeyPair } from '../crypto/provider.js';
import { INSPECT } from '../crypto/secret.js';
import { bytesEqual } from '../util/bytes.js';
import type { Bytes } from '../wire/types.js';
import type { RatchetTree } from './ratchet-tree.js';

/** RFC 9420 §7.4: node_secret = DeriveSecret(path_secret, "node"); (priv, pub) = KEM.DeriveKeyPair(node_secret). */
export function nodeKeyPair(cs: CipherSuite, pathSecret: Bytes): KeyPair {
  return cs.hpke.deriveKeyPair(deriveSecret(cs, pathSecret, 'node'));
}

/** RFC 9420 §7.4: path_secret[n] = DeriveSecret(path_secret[n-1], "path"). */
export function nextPathSecret(cs: CipherSuite, pathSecret: Bytes): Bytes {
  return deriveSecret(cs, pathSecret, 'path');
}

/** Storage form of a PrivateTree. It holds private keys: persist it only in the encrypted state store. */
export interface PrivateTreeRecord {
  leafIndex: number;
  keys: { node: number; privateKey: Bytes; publicKey: Bytes }[];
}

export class PrivateTree {
  readonly #keys: ReadonlyMap<number, KeyPair>;

  private constructor(
    /** The member's own leaf index. */
    readonly leafIndex: number,
    keys: ReadonlyMap<number, KeyPair>,
  ) {
    this.#keys = keys;
  }

  /** A member that knows only its own leaf key pair. */
  static forLeaf(leafIndex: number, leafKeyPair: KeyPair): PrivateTree {
    return new PrivateTree(leafIndex, new Map([[2 * leafIndex, leafKeyPair]]));
  }

  /** Restores the storage form (see `exportSecrets`). */
  static importSecrets(record: PrivateTreeRecord): PrivateTree {
    const keys = new Map<number, KeyPair>();
    for (const k of record.keys) keys.set(k.node, { privateKey: k.privateKey, publicKey: k.publicKey });
    return new PrivateTree(record.leafIndex, keys);
  }

  /** The storage form, private keys included: the one explicit way to take secrets out. */
  exportSecrets(): PrivateTreeRecord {
    return {
      leafIndex: this.leafIndex,
      keys: [...this.#keys].map(([node, kp]) => ({ node, privateKey: kp.privateKey, publicKey: kp.publicKey })),
    };
  }

  /** HPKE private key for node `x`, if this member holds it. */
  privateKey(x: number): Bytes | undefined {
    return this.#keys.get(x)?.privateKey;
  }
  publicKey(x: number): Bytes | undefined {
    return this.#keys.get(x)?.publicKey;
  }
  has(x: number): boolean {
    return this.#keys.has(x);
  }
  /** Node indices this member holds keys for, ascending. */
  nodes(): number[] {
    return [...this.#keys.keys()].sort((a, b) => a - b);
  }

  /** Sets or replaces the key pairs of some nodes. */
  withKeys(entries: Iterable<readonly [number, KeyPair]>): PrivateTree {
    const keys = new Map(this.#keys);
    for (const [x, kp] of entries) keys.set(x, kp);
    return new PrivateTree(this.leafIndex, keys);
  }

  /** A copy at another leaf index (an external joiner learns its index late). */
  atLeaf(leafIndex: number): PrivateTree {
    const keys = new Map(this.#keys);
    const own = keys.get(2 * this.leafIndex);
    keys.delete(2 * this.leafIndex);
    if (own !== undefined) keys.set(2 * leafIndex, own);
    return new PrivateTree(leafIndex, keys);
  }

  /**
   * RFC 9420 §7.5 "delete outdated key material": keeps only keys whose node still holds the same public key
   * in `tree` (nodes blanked, replaced or truncated away lose their key).
   */
  prune(tree: RatchetTree): PrivateTree {
    let changed = false;
    const keys = new Map<number, KeyPair>();
    for (const [x, kp] of this.#keys) {
      const pub = x < tree.nodeCount ? tree.encryptionKey(x) : undefined;
      if (pub !== undefined && bytesEqual(pub, kp.publicKey)) keys.set(x, kp);
      else changed = true;
    }
    return changed ? new PrivateTree(this.leafIndex, keys) : this;
  }

  /** Whether every held key matches the public key at its node in `tree` (treekem vectors' consistency rule). */
  consistentWith(tree: RatchetTree): boolean {
    for (const [x, kp] of this.#keys) {
      const pub = x < tree.nodeCount ? tree.encryptionKey(x) : undefined;
      if (pub === undefined || !bytesEqual(pub, kp.publicKey)) return false;
    }
    return true;
  }

  toString(): string {
    return `PrivateTree(leaf ${this.leafIndex}, ${this.#keys.size} keys, [redacted])`;
  }
  toJSON(): string {
    return '[redacted]';
  }
  [INSPECT](): string {
    return this.toString();
  }
}
