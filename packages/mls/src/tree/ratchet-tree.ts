// The public ratchet tree as an immutable value (RFC 9420 §4, §7): nodes by node index, resolution,
// filtered direct path, add/update/remove/truncate (§7.7, §12.1), tree hashes cached per node (§7.8).
// Every operation returns a new tree that shares unchanged node objects; only hashes along changed paths are dropped.
import type { CipherSuite } from '../crypto/provider.js';
import { ValidationError } from '../errors.js';
import { bytesEqual } from '../util/bytes.js';
import { decodeRatchetTree, encodeRatchetTree } from '../wire/ratchet-tree.js';
import { type Bytes, type LeafNode, type Node, NodeType, type ParentNode, type RatchetTreeNodes } from '../wire/types.js';
import { TreeDraft } from './tree-draft.js';
import { hashLeafInput, hashParentInput, parentHash } from './tree-hash.js';
import { directPath, inSubtree, isLeaf, leafWidth, left, nodeWidth, parent, right, root, sibling, subtreeRange } from './tree-math.js';

export { parentHash } from './tree-hash.js';

/** One step of a filtered direct path: the kept direct-path node and its child on the copath (§4.1.2). */
export interface PathStep {
  node: number;
  copathChild: number;
}

const NO_EXCLUSION: ReadonlySet<number> = new Set();

export class RatchetTree {
  readonly #nodes: readonly (Node | undefined)[];
  /** Tree hash per node index (§7.8), filled lazily; owned by this value only, never shared between trees. */
  readonly #hashes: (Bytes | undefined)[];

  private constructor(
    readonly cs: CipherSuite,
    nodes: readonly (Node | undefined)[],
    hashes: (Bytes | undefined)[],
  ) {
    this.#nodes = nodes;
    this.#hashes = hashes;
  }

  /** A one-member tree holding `leaf` at leaf 0 (RFC 9420 §11, group creation). */
  static create(cs: CipherSuite, leaf: LeafNode): RatchetTree {
    return new RatchetTree(cs, [{ nodeType: NodeType.leaf, leaf }], [undefined]);
  }

  /**
   * Imports the ratchet_tree extension form (RFC 9420 §12.4.3.3): the last entry MUST be non-blank; the list is
   * extended with blanks to 2^(d+1)-1 entries; leaves sit at even and parents at odd indices.
   */
  static fromNodes(cs: CipherSuite, list: RatchetTreeNodes): RatchetTree {
    if (list.length === 0 || list[list.length - 1] === undefined) {
      throw new ValidationError('V-TREE-07', 'ratchet tree is empty or ends with a blank node');
    }
    let leaves = 1;
    while (nodeWidth(leaves) < list.length) leaves *= 2;
    if (leaves > 2 ** 30) throw new ValidationError('V-TREE-07', 'ratchet tree too large');
    const width = nodeWidth(leaves);
    const nodes: (Node | undefined)[] = [];
    for (let i = 0; i < width; i++) {
      const n = list[i];
      if (n !== undefined && (n.nodeType === NodeType.leaf) !== isLeaf(i)) {
        throw new ValidationError('V-TREE-08', 'node type does not match its position in the tree');
      }
      nodes.push(n);
    }
    return new RatchetTree(cs, nodes, new Array<Bytes | undefined>(width).fill(undefined));
  }

  /** Exports the ratchet_tree extension form: the node list without trailing blank nodes (§12.4.3.3). */
  toNodes(): RatchetTreeNodes {
    let end = this.#nodes.length;
    while (end > 0 && this.#nodes[end - 1] === undefined) end--;
    return this.#nodes.slice(0, end);
  }

  /** Storage form: the encoded ratchet_tree extension body (public data only; hashes are recomputed lazily). */
  toBytes(): Bytes {
    return encodeRatchetTree(this.toNodes());
  }
  /** Restores `toBytes()` output (DecodeError / ValidationError on malformed input). */
  static fromBytes(cs: CipherSuite, bytes: Bytes): RatchetTree {
    return RatchetTree.fromNodes(cs, decodeRatchetTree(bytes));
  }

  /** Number of leaves (a power of two). */
  get leafCount(): number {
    return leafWidth(this.#nodes.length);
  }
  get nodeCount(): number {
    return this.#nodes.length;
  }
  get root(): number {
    return root(this.leafCount);
  }

  node(x: number): Node | undefined {
    return this.#nodes[x];
  }
  leaf(leafIndex: number): LeafNode | undefined {
    const n = this.#nodes[2 * leafIndex];
    return n?.nodeType === NodeType.leaf ? n.leaf : undefined;
  }
  parentNode(x: number): ParentNode | undefined {
    const n = this.#nodes[x];
    return n?.nodeType === NodeType.parent ? n.parent : undefined;
  }
  isBlank(x: number): boolean {
    return this.#nodes[x] === undefined;
  }
  /** HPKE public key held at node `x`, if non-blank. */
  encryptionKey(x: number): Bytes | undefined {
    const n = this.#nodes[x];
    if (n === undefined) return undefined;
    return n.nodeType === NodeType.leaf ? n.leaf.encryptionKey : n.parent.encryptionKey;
  }
  /** The parent_hash field of node `x` (a parent node, or a leaf with source commit). */
  parentHashField(x: number): Bytes | undefined {
    const n = this.#nodes[x];
    if (n === undefined) return undefined;
    return n.nodeType === NodeType.leaf ? n.leaf.parentHash : n.parent.parentHash;
  }

  /** Non-blank leaves as [leafIndex, LeafNode], left to right. */
  *leaves(): IterableIterator<[number, LeafNode]> {
    for (let x = 0; x < this.#nodes.length; x += 2) {
      const n = this.#nodes[x];
      if (n?.nodeType === NodeType.leaf) yield [x >>> 1, n.leaf];
    }
  }
  get memberCount(): number {
    let c = 0;
    for (let x = 0; x < this.#nodes.length; x += 2) if (this.#nodes[x] !== undefined) c++;
    return c;
  }

  /**
   * RFC 9420 §4.1.1 resolution of node `x`, as node indices; leaves in `exclude` (leaf indices, e.g. members
   * added by the current commit, §7.6) are left out.
   */
  resolution(x: number, exclude: ReadonlySet<number> = NO_EXCLUSION): number[] {
    const out: number[] = [];
    this.#resolve(x, exclude, out);
    return out;
  }
  #resolve(x: number, exclude: ReadonlySet<number>, out: number[]): void {
    const n = this.#nodes[x];
    if (n !== undefined) {
      if (n.nodeType === NodeType.leaf) {
        if (!exclude.has(x >>> 1)) out.push(x);
        return;
      }
      out.push(x);
      for (const l of n.parent.unmergedLeaves) if (!exclude.has(l)) out.push(2 * l);
      return;
    }
    if (isLeaf(x)) return;
    this.#resolve(left(x), exclude, out);
    this.#resolve(right(x), exclude, out);
  }
  /** Whether the resolution of `x` is empty, i.e. every node in its subtree is blank. */
  isSubtreeBlank(x: number): boolean {
    const [lo, hi] = subtreeRange(x);
    for (let i = lo; i <= hi; i++) if (this.#nodes[i] !== undefined) return false;
    return true;
  }

  /** RFC 9420 §4.1.2 filtered direct path of a leaf, with each kept node's copath child. */
  filteredDirectPath(leafIndex: number): PathStep[] {
    const n = this.leafCount;
    const r = root(n);
    const out: PathStep[] = [];
    let x = 2 * leafIndex;
    while (x !== r) {
      const s = sibling(x, n);
      x = parent(x, n);
      if (!this.isSubtreeBlank(s)) out.push({ node: x, copathChild: s });
    }
    return out;
  }
  directPath(leafIndex: number): number[] {
    return directPath(2 * leafIndex, this.leafCount);
  }

  /** Leftmost blank leaf, or undefined when every leaf is occupied (§12.1.1). */
  leftmostBlankLeaf(): number | undefined {
    for (let x = 0; x < this.#nodes.length; x += 2) if (this.#nodes[x] === undefined) return x >>> 1;
    return undefined;
  }

  /** Node index of the first node (not in `skip`) whose encryption key is one of `keys`, or -1. */
  findEncryptionKey(keys: readonly Bytes[], skip: ReadonlySet<number> | number = -1): number {
    if (keys.length === 0) return -1;
    const tags = new Set(keys.map(keyTag));
    const skipped = typeof skip === 'number' ? (x: number) => x === skip : (x: number) => skip.has(x);
    for (let x = 0; x < this.#nodes.length; x++) {
      if (skipped(x)) continue;
      const k = this.encryptionKey(x);
      if (k === undefined || !tags.has(keyTag(k))) continue;
      for (const q of keys) if (bytesEqual(q, k)) return x;
    }
    return -1;
  }

  // ---- tree hashes (RFC 9420 §7.8) ----

  /** Tree hash of the whole tree (of the root). */
  treeHash(): Bytes {
    return this.nodeHash(this.root);
  }

  /** Tree hash of the subtree headed by `x`; cached, so only nodes on changed paths are ever recomputed. */
  nodeHash(x: number): Bytes {
    const cached = this.#hashes[x];
    if (cached !== undefined) return cached;
    let h: Bytes;
    if (isLeaf(x)) h = hashLeafInput(this.cs, x >>> 1, this.leaf(x >>> 1));
    else h = hashParentInput(this.cs, this.parentNode(x), this.nodeHash(left(x)), this.nodeHash(right(x)));
    this.#hashes[x] = h;
    return h;
  }

  /**
   * Tree hash of `x` with the leaves `removed` blanked and dropped from every unmerged_leaves list
   * (the `original_sibling_tree_hash` of RFC 9420 §7.9). Cached hashes are reused for untouched subtrees.
   */
  nodeHashWithout(x: number, removed: readonly number[]): Bytes {
    if (!removed.some((l) => inSubtree(2 * l, x))) return this.nodeHash(x);
    if (isLeaf(x)) return hashLeafInput(this.cs, x >>> 1, undefined);
    let p = this.parentNode(x);
    if (p?.unmergedLeaves.some((l) => removed.includes(l))) {
      p = { ...p, unmergedLeaves: p.unmergedLeaves.filter((l) => !removed.includes(l)) };
    }
    return hashParentInput(this.cs, p, this.nodeHashWithout(left(x), removed), this.nodeHashWithout(right(x), removed));
  }

  /** Fills every node's cached hash (used after import, so later ops only pay for changed paths). */
  computeAllHashes(): this {
    this.treeHash();
    return this;
  }

  // ---- operations: each returns a new tree ----

  /** RFC 9420 §12.1.1 Add: leftmost blank leaf (extending if none), marked unmerged on its non-blank direct path. */
  addLeaf(leaf: LeafNode): { tree: RatchetTree; leafIndex: number } {
    const d = this.#draft();
    let leafIndex = this.leftmostBlankLeaf();
    if (leafIndex === undefined) {
      leafIndex = d.leafCount;
      d.extend();
    }
    d.set(2 * leafIndex, { nodeType: NodeType.leaf, leaf });
    for (const p of directPath(2 * leafIndex, d.leafCount)) {
      const n = d.nodes[p];
      if (n?.nodeType !== NodeType.parent) continue;
      d.set(p, { nodeType: NodeType.parent, parent: { ...n.parent, unmergedLeaves: insertSorted(n.parent.unmergedLeaves, leafIndex) } });
    }
    return { tree: d.finish(), leafIndex };
  }

  /** RFC 9420 §12.1.2 Update: replace the leaf and blank its direct path. */
  updateLeaf(leafIndex: number, leaf: LeafNode): RatchetTree {
    this.#checkLeaf(leafIndex);
    const d = this.#draft();
    d.set(2 * leafIndex, { nodeType: NodeType.leaf, leaf });
    for (const p of directPath(2 * leafIndex, d.leafCount)) d.set(p, undefined);
    return d.finish();
  }

  /** Replaces a leaf node without touching its direct path (e.g. the committer's leaf after merging a path). */
  setLeaf(leafIndex: number, leaf: LeafNode): RatchetTree {
    this.#checkLeaf(leafIndex);
    const d = this.#draft();
    d.set(2 * leafIndex, { nodeType: NodeType.leaf, leaf });
    return d.finish();
  }

  /** RFC 9420 §12.1.3 Remove: blank the leaf and its direct path, then truncate (§7.7). */
  removeLeaf(leafIndex: number): RatchetTree {
    this.#checkLeaf(leafIndex);
    const d = this.#draft();
    d.set(2 * leafIndex, undefined);
    for (const p of directPath(2 * leafIndex, d.leafCount)) d.set(p, undefined);
    d.truncate();
    return d.finish();
  }

  /**
   * RFC 9420 §12.4.2 external commit: the leaf an external joiner takes, i.e. the leftmost blank leaf, extending
   * the tree when there is none. The leaf stays blank until the joiner's UpdatePath is merged.
   */
  reserveLeaf(): { tree: RatchetTree; leafIndex: number } {
    const blank = this.leftmostBlankLeaf();
    if (blank !== undefined) return { tree: this, leafIndex: blank };
    return { tree: this.extend(), leafIndex: this.leafCount };
  }

  /** Appends a blank right subtree, doubling the leaf count (§7.7). */
  extend(): RatchetTree {
    const d = this.#draft();
    d.extend();
    return d.finish();
  }

  /**
   * RFC 9420 §7.5 merge step: blank the sender's direct path, set each filtered-direct-path node to the given
   * public key with no unmerged leaves, and chain the parent hashes from the root down (§7.9).
   * Returns the new tree (leaf unchanged) and the parent hash the sender's leaf must carry.
   */
  mergePathKeys(leafIndex: number, keys: readonly Bytes[]): { tree: RatchetTree; leafParentHash: Bytes } {
    this.#checkLeaf(leafIndex);
    const steps = this.filteredDirectPath(leafIndex);
    if (steps.length !== keys.length) throw new RangeError('one key per filtered direct path node');
    const d = this.#draft();
    for (const p of directPath(2 * leafIndex, d.leafCount)) d.set(p, undefined);
    // §7.9: computed from the root down; each node's parent_hash is the parent hash of the next node above it.
    let above: Bytes = new Uint8Array(0);
    for (let i = steps.length - 1; i >= 0; i--) {
      const step = steps[i] as PathStep;
      const key = keys[i] as Bytes;
      d.set(step.node, { nodeType: NodeType.parent, parent: { encryptionKey: key, parentHash: above, unmergedLeaves: [] } });
      // The copath child's subtree is untouched by this merge, so its cached tree hash is the original one.
      above = parentHash(this.cs, key, above, this.nodeHash(step.copathChild));
    }
    return { tree: d.finish(), leafParentHash: above };
  }

  #checkLeaf(leafIndex: number): void {
    if (!Number.isInteger(leafIndex) || leafIndex < 0 || 2 * leafIndex >= this.#nodes.length) {
      throw new RangeError('leaf index outside the tree');
    }
  }
  #draft(): TreeDraft {
    return new TreeDraft(this.cs, this.#nodes.slice(), this.#hashes.slice(), (cs, n, h) => new RatchetTree(cs, n, h));
  }
}

function insertSorted(list: readonly number[], v: number): number[] {
  const out = list.filter((x) => x !== v);
  let i = out.length;
  while (i > 0 && (out[i - 1] as number) > v) i--;
  out.splice(i, 0, v);
  return out;
}

/** Cheap pre-filter for key lookups (public keys end in high-entropy bytes): the last four bytes. */
export function keyTag(k: Bytes): number {
  const n = k.length;
  return ((k[n - 1] ?? 0) | ((k[n - 2] ?? 0) << 8) | ((k[n - 3] ?? 0) << 16) | ((k[n - 4] ?? 0) << 24)) >>> 0;
}
