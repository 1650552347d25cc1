// Array-based tree arithmetic on node indices (RFC 9420 Appendix C, §4.1-§4.2, §7.7).
// Leaves sit at even node indices (leaf L at 2L); every tree is perfect, so `n` (leaf count) is a power of two.
// Pure integer functions; indices stay below 2^31 so 32-bit bit operations are exact.

/** Floor of log2(x) for x > 0; 0 for x = 0 (RFC 9420 Appendix C `log2`). */
export function log2(x: number): number {
  if (x === 0) return 0;
  return 31 - Math.clz32(x);
}

/** Level of a node: leaves are 0, their parents 1, ... = number of trailing one bits (Appendix C). */
export function level(x: number): number {
  let k = 0;
  while (((x >>> k) & 1) === 1) k++;
  return k;
}

export function isLeaf(x: number): boolean {
  return (x & 1) === 0;
}

/** Node index of leaf index `l`. */
export function leafToNode(l: number): number {
  return 2 * l;
}

/** Leaf index of an (even) node index. */
export function nodeToLeaf(x: number): number {
  if ((x & 1) !== 0) throw new RangeError('not a leaf node index');
  return x >>> 1;
}

/** Number of nodes of a tree with `n` leaves: 2(n-1)+1 (Appendix C `node_width`). */
export function nodeWidth(n: number): number {
  return n === 0 ? 0 : 2 * (n - 1) + 1;
}

/** Number of leaves of a tree with `w` nodes (inverse of nodeWidth). */
export function leafWidth(w: number): number {
  return w === 0 ? 0 : (w - 1) / 2 + 1;
}

/** Root node index of a tree with `n` leaves (Appendix C `root`). */
export function root(n: number): number {
  return (1 << log2(nodeWidth(n))) - 1;
}

/** Left child of a parent node (Appendix C `left`). */
export function left(x: number): number {
  const k = level(x);
  if (k === 0) throw new RangeError('leaf node has no children');
  return x ^ (1 << (k - 1));
}

/** Right child of a parent node (Appendix C `right`). */
export function right(x: number): number {
  const k = level(x);
  if (k === 0) throw new RangeError('leaf node has no children');
  return x ^ (3 << (k - 1));
}

/** Parent of a non-root node in a tree with `n` leaves (Appendix C `parent`). */
export function parent(x: number, n: number): number {
  if (x === root(n)) throw new RangeError('root node has no parent');
  const k = level(x);
  const b = (x >>> (k + 1)) & 1;
  return (x | (1 << k)) ^ (b << (k + 1));
}

/** The other child of `x`'s parent (Appendix C `sibling`). */
export function sibling(x: number, n: number): number {
  const p = parent(x, n);
  return x < p ? right(p) : left(p);
}

/** RFC 9420 §4.1.2: direct path, from the node's parent up to the root (empty for the root). */
export function directPath(x: number, n: number): number[] {
  const r = root(n);
  const d: number[] = [];
  while (x !== r) {
    x = parent(x, n);
    d.push(x);
  }
  return d;
}

/** RFC 9420 §4.1.2: copath, the sibling of `x` and of each direct-path node below the root. */
export function copath(x: number, n: number): number[] {
  const r = root(n);
  const d: number[] = [];
  while (x !== r) {
    d.push(sibling(x, n));
    x = parent(x, n);
  }
  return d;
}

/** First and last node index covered by the subtree headed by `x` (inclusive). */
export function subtreeRange(x: number): [number, number] {
  const half = (1 << level(x)) - 1;
  return [x - half, x + half];
}

/** Whether `x` lies in the subtree headed by `head` (a node is in its own subtree). */
export function inSubtree(x: number, head: number): boolean {
  const [lo, hi] = subtreeRange(head);
  return x >= lo && x <= hi;
}

/** Lowest common ancestor of two nodes (Appendix C `common_ancestor_direct`): a node is its own ancestor. */
export function commonAncestor(x: number, y: number): number {
  // Walk up through levels: the ancestor of x at level k is the level-k node whose subtree covers x.
  let k = Math.max(level(x), level(y));
  for (;;) {
    const a = ((x >>> (k + 1)) << (k + 1)) | ((1 << k) - 1);
    if (inSubtree(y, a) && inSubtree(x, a)) return a;
    k++;
  }
}
