// The secret tree and its per-sender hash ratchets (RFC 9420 §9, §9.1 encryption keys, §9.2 deletion schedule).
// An immutable value: every key lookup returns a new SecretTree and leaves the old one untouched, so a receiver
// decrypts against a copy and keeps the new tree only once the message has authenticated. Node and ratchet
// secrets are derived lazily (O(log n) per first use of a leaf) and deleted as soon as they are consumed.
import { Reader, Writer } from '../codec/tls-codec.js';
import type { CipherSuite } from '../crypto/provider.js';
import { DecodeError, UsageError, ValidationError } from '../errors.js';
import { FRM } from '../framing/checks.js';
import { utf8Bytes } from '../util/bytes.js';
import type { Bytes } from '../wire/types.js';
import { IntMap } from './int-map.js';

/** Which of a leaf's two ratchets (RFC 9420 §9): handshake for proposals/commits, application for application data. */
export type RatchetType = 'handshake' | 'application';

/** A single-use AEAD key and nonce for one generation of a sender ratchet (RFC 9420 §9.1). */
export interface RatchetKey {
  readonly generation: number;
  readonly key: Bytes;
  readonly nonce: Bytes;
}

/** Receiver policy for out-of-order delivery (RFC 9420 §15.3). Not part of the persisted state. */
export interface SecretTreeOptions {
  /** Largest allowed jump ahead of a ratchet's next generation; beyond it the message is rejected. Default 1000. */
  maxForwardDistance?: number;
  /** Most skipped (unconsumed) keys kept per ratchet for late messages; the oldest are deleted first. Default 1000. */
  maxRetainedKeys?: number;
}

interface Ratchet {
  /** The generation whose ratchet secret is `secret` (the next one not yet derived). */
  readonly next: number;
  /** ratchet_secret_[N]_[next] */
  readonly secret: Bytes;
  /** Keys of skipped generations (< next) kept for out-of-order messages, by generation. */
  readonly skipped: ReadonlyMap<number, RatchetKey>;
}

interface LeafRatchets {
  readonly handshake: Ratchet;
  readonly application: Ratchet;
}

/** Per-suite constants shared by every copy of a tree. */
interface Params {
  readonly cs: CipherSuite;
  readonly leafCount: number;
  readonly root: number;
  readonly maxForward: number;
  readonly maxRetained: number;
  /** KDFLabel templates for DeriveTreeSecret "key" / "nonce" / "secret" (generation patched in the last 4 bytes). */
  readonly keyLabel: Bytes;
  readonly nonceLabel: Bytes;
  readonly secretLabel: Bytes;
}

const EMPTY: ReadonlyMap<number, RatchetKey> = new Map();
const STATE_VERSION = 1;
const REDACTED = 'SecretTree [redacted]';

export class SecretTree {
  private constructor(
    private readonly p: Params,
    /** Unconsumed tree-node secrets, by node index (RFC 9420 §9). */
    private readonly nodes: IntMap<Bytes>,
    /** Ratchets of leaves whose leaf secret has been consumed, by leaf index. */
    private readonly leaves: IntMap<LeafRatchets>,
  ) {}

  /** RFC 9420 §9: a tree of `leafCount` leaves rooted at `encryption_secret`. Nothing below the root is derived yet. */
  static create(cs: CipherSuite, encryptionSecret: Bytes, leafCount: number, options: SecretTreeOptions = {}): SecretTree {
    const p = makeParams(cs, leafCount, options);
    if (encryptionSecret.length !== cs.hashLength) throw new RangeError('encryption_secret must be KDF.Nh bytes');
    const nodes = IntMap.empty<Bytes>(2 * leafCount).set(p.root, encryptionSecret.slice());
    return new SecretTree(p, nodes, IntMap.empty<LeafRatchets>(leafCount));
  }

  get leafCount(): number {
    return this.p.leafCount;
  }

  /** The generation the next sent message of this leaf/ratchet will use. */
  nextGeneration(leaf: number, type: RatchetType): number {
    const r = this.leaves.get(leaf);
    return r === undefined ? 0 : r[type].next;
  }

  /** Sender side: the key/nonce for this leaf's next unused generation, and the tree with it consumed. */
  nextKey(leaf: number, type: RatchetType): { key: RatchetKey; tree: SecretTree } {
    return this.keyFor(leaf, type, this.nextGeneration(leaf, type));
  }

  /**
   * Receiver side: the key/nonce of `generation` and the tree with it (and every ratchet secret before it) consumed.
   * Throws ValidationError V-FRM-10 if the generation is too far ahead, V-FRM-11 if its key was already used or deleted.
   */
  keyFor(leaf: number, type: RatchetType, generation: number): { key: RatchetKey; tree: SecretTree } {
    if (!Number.isInteger(leaf) || leaf < 0 || leaf >= this.p.leafCount) throw new UsageError('leaf index outside the secret tree');
    if (!Number.isInteger(generation) || generation < 0 || generation > 0xffffffff) throw new RangeError('generation out of range');
    let tree: SecretTree = this;
    let lr = this.leaves.get(leaf);
    if (lr === undefined) {
      const derived = this.deriveLeaf(leaf);
      lr = derived.ratchets;
      tree = derived.tree;
    }
    const { key, ratchet } = advance(this.p, lr[type], generation);
    const next =
      type === 'handshake' ? { handshake: ratchet, application: lr.application } : { handshake: lr.handshake, application: ratchet };
    return { key, tree: new SecretTree(this.p, tree.nodes, tree.leaves.set(leaf, next)) };
  }

  /** RFC 9420 §9: walk down from the lowest unconsumed ancestor, keeping the siblings, deleting consumed nodes. */
  private deriveLeaf(leaf: number): { ratchets: LeafRatchets; tree: SecretTree } {
    const { cs } = this.p;
    const target = 2 * leaf;
    let x = target;
    while (!this.nodes.has(x)) {
      if (x === this.p.root) throw new UsageError('secret tree node already consumed');
      x = parent(x);
    }
    let nodes = this.nodes;
    let secret = nodes.get(x) as Bytes;
    nodes = nodes.delete(x);
    while (x !== target) {
      const k = level(x);
      const left = (x ^ (1 << (k - 1))) >>> 0;
      const right = (x ^ (3 << (k - 1))) >>> 0;
      const leftSecret = expandLabel(cs, secret, LABEL_TREE, LEFT, cs.hashLength);
      const rightSecret = expandLabel(cs, secret, LABEL_TREE, RIGHT, cs.hashLength);
      if (target < x) {
        nodes = nodes.set(right, rightSecret);
        x = left;
        secret = leftSecret;
      } else {
        nodes = nodes.set(left, leftSecret);
        x = right;
        secret = rightSecret;
      }
    }
    const ratchets: LeafRatchets = {
      handshake: { next: 0, secret: expandLabel(cs, secret, LABEL_HANDSHAKE, NONE, cs.hashLength), skipped: EMPTY },
      application: { next: 0, secret: expandLabel(cs, secret, LABEL_APPLICATION, NONE, cs.hashLength), skipped: EMPTY },
    };
    return { ratchets, tree: new SecretTree(this.p, nodes, this.leaves) };
  }

  /** Persistable form of the whole state (secrets included: store it encrypted). Policy options are not included. */
  serialize(): Bytes {
    const w = new Writer(256);
    w.u8(STATE_VERSION).u16(this.p.cs.id).u32(this.p.leafCount);
    w.vector([...this.nodes.entries()], (ww, [i, s]) => {
      ww.u32(i).bytes(s);
    });
    w.vector([...this.leaves.entries()], (ww, [i, lr]) => {
      ww.u32(i);
      writeRatchet(ww, lr.handshake);
      writeRatchet(ww, lr.application);
    });
    return w.finish();
  }

  /** Inverse of `serialize`. Throws DecodeError on malformed input or a suite mismatch. */
  static deserialize(cs: CipherSuite, bytes: Bytes, options: SecretTreeOptions = {}): SecretTree {
    const r = new Reader(bytes);
    try {
      if (r.u8() !== STATE_VERSION) throw new DecodeError('unknown secret tree state version');
      if (r.u16() !== cs.id) throw new DecodeError('secret tree state is for another cipher suite');
      const p = makeParams(cs, r.u32(), options);
      let nodes = IntMap.empty<Bytes>(2 * p.leafCount);
      for (const [i, s] of r.vector((rr) => [rr.u32(), rr.bytes()] as const)) {
        if (i >= 2 * p.leafCount - 1) throw new DecodeError('node index out of range');
        nodes = nodes.set(i, s);
      }
      let leaves = IntMap.empty<LeafRatchets>(p.leafCount);
      for (const [i, lr] of r.vector((rr) => [rr.u32(), { handshake: readRatchet(rr), application: readRatchet(rr) }] as const)) {
        if (i >= p.leafCount) throw new DecodeError('leaf index out of range');
        leaves = leaves.set(i, lr);
      }
      r.done();
      return new SecretTree(p, nodes, leaves);
    } catch (e) {
      if (e instanceof DecodeError) throw e;
      throw new DecodeError('malformed secret tree state');
    }
  }

  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}

/**
 * RFC 9420 §9.1: step the ratchet to `generation`, keeping keys of skipped generations (bounded, RFC 9420 §15.3)
 * and deleting every ratchet secret and key that has been consumed (RFC 9420 §9.2).
 */
function advance(p: Params, r: Ratchet, generation: number): { key: RatchetKey; ratchet: Ratchet } {
  if (generation < r.next) {
    const key = r.skipped.get(generation);
    if (key === undefined) throw new ValidationError(FRM.keyReused, 'generation already used or its key deleted');
    const skipped = new Map(r.skipped);
    skipped.delete(generation);
    return { key, ratchet: { next: r.next, secret: r.secret, skipped } };
  }
  if (generation - r.next > p.maxForward) throw new ValidationError(FRM.generationTooFar, 'generation too far ahead of the ratchet');
  let skipped = r.skipped;
  let secret = r.secret;
  let g = r.next;
  if (generation > g) {
    const m = new Map(skipped);
    for (; g < generation; g++) {
      m.set(g, deriveKey(p, secret, g));
      secret = treeSecret(p, secret, p.secretLabel, g, p.cs.hashLength);
    }
    // Keep at most maxRetained skipped keys: Map iterates in insertion order, oldest generations first.
    for (const old of m.keys()) {
      if (m.size <= p.maxRetained) break;
      m.delete(old);
    }
    skipped = m;
  }
  const key = deriveKey(p, secret, g);
  const nextSecret = treeSecret(p, secret, p.secretLabel, g, p.cs.hashLength);
  return { key, ratchet: { next: g + 1, secret: nextSecret, skipped } };
}

function deriveKey(p: Params, secret: Bytes, generation: number): RatchetKey {
  return {
    generation,
    key: treeSecret(p, secret, p.keyLabel, generation, p.cs.aeadKeyLength),
    nonce: treeSecret(p, secret, p.nonceLabel, generation, p.cs.aeadNonceLength),
  };
}

/** RFC 9420 §9.1 DeriveTreeSecret(Secret, Label, Generation, Length) = ExpandWithLabel(Secret, Label, uint32 Generation, Length). */
function treeSecret(p: Params, secret: Bytes, template: Bytes, generation: number, length: number): Bytes {
  const info = template.slice();
  const n = info.length;
  info[n - 4] = generation >>> 24;
  info[n - 3] = (generation >>> 16) & 0xff;
  info[n - 2] = (generation >>> 8) & 0xff;
  info[n - 1] = generation & 0xff;
  return p.cs.expand(secret, info, length);
}

const LABEL_TREE = utf8Bytes('tree');
const LABEL_HANDSHAKE = utf8Bytes('handshake');
const LABEL_APPLICATION = utf8Bytes('application');
const LEFT = utf8Bytes('left');
const RIGHT = utf8Bytes('right');
const NONE = new Uint8Array(0);
const MLS_PREFIX = utf8Bytes('MLS 1.0 ');

/** RFC 9420 §8 KDFLabel { uint16 length; opaque label<V> = "MLS 1.0 " + Label; opaque context<V>; }. */
function kdfLabel(label: Bytes, context: Bytes, length: number): Bytes {
  const w = new Writer(16 + label.length + context.length);
  w.u16(length)
    .varint(MLS_PREFIX.length + label.length)
    .raw(MLS_PREFIX)
    .raw(label)
    .bytes(context);
  return w.finish();
}

/** RFC 9420 §8 ExpandWithLabel. */
function expandLabel(cs: CipherSuite, secret: Bytes, label: Bytes, context: Bytes, length: number): Bytes {
  return cs.expand(secret, kdfLabel(label, context, length), length);
}

function makeParams(cs: CipherSuite, leafCount: number, options: SecretTreeOptions): Params {
  if (!Number.isInteger(leafCount) || leafCount < 1 || leafCount > 0x80000000) throw new RangeError('leaf count out of range');
  const maxForward = options.maxForwardDistance ?? 1000;
  const maxRetained = options.maxRetainedKeys ?? 1000;
  if (!Number.isInteger(maxForward) || maxForward < 0) throw new RangeError('maxForwardDistance must be a non-negative integer');
  if (!Number.isInteger(maxRetained) || maxRetained < 0) throw new RangeError('maxRetainedKeys must be a non-negative integer');
  const gen0 = new Uint8Array(4);
  return {
    cs,
    leafCount,
    root: rootOf(leafCount),
    maxForward,
    maxRetained,
    keyLabel: kdfLabel(utf8Bytes('key'), gen0, cs.aeadKeyLength),
    nonceLabel: kdfLabel(utf8Bytes('nonce'), gen0, cs.aeadNonceLength),
    secretLabel: kdfLabel(utf8Bytes('secret'), gen0, cs.hashLength),
  };
}

// RFC 9420 Appendix C array-based tree math, for the full tree the secret tree mirrors.
function level(x: number): number {
  let k = 0;
  while (((x >>> k) & 1) === 1) k++;
  return k;
}
function parent(x: number): number {
  const k = level(x);
  const b = (x >>> (k + 1)) & 1;
  return ((x | (1 << k)) ^ (b << (k + 1))) >>> 0;
}
function rootOf(leafCount: number): number {
  const width = 2 * leafCount - 1;
  let k = 0;
  while (2 ** (k + 1) <= width) k++;
  return 2 ** k - 1;
}

function writeRatchet(w: Writer, r: Ratchet): void {
  w.u32(r.next).bytes(r.secret);
  w.vector([...r.skipped.values()], (ww, k) => {
    ww.u32(k.generation).bytes(k.key).bytes(k.nonce);
  });
}
function readRatchet(r: Reader): Ratchet {
  const next = r.u32();
  const secret = r.bytes();
  const skipped = new Map<number, RatchetKey>();
  for (const k of r.vector((rr) => ({ generation: rr.u32(), key: rr.bytes(), nonce: rr.bytes() }))) {
    if (k.generation >= next) throw new DecodeError('skipped generation not below the ratchet position');
    skipped.set(k.generation, k);
  }
  return { next, secret, skipped: skipped.size === 0 ? EMPTY : skipped };
}
