// Parent-hash verification of a whole ratchet tree, as when joining (RFC 9420 §7.9.2, "top down" method).
import { ValidationError } from '../errors.js';
import { bytesEqual } from '../util/bytes.js';
import { NodeType } from '../wire/types.js';
import type { RatchetTree } from './ratchet-tree.js';
import { parentHash } from './ratchet-tree.js';
import { inSubtree, isLeaf, left, right } from './tree-math.js';

/**
 * RFC 9420 §7.9.2: the descendant D of parent node `p` through child `c` whose parent_hash field must equal the
 * parent hash of `p` with copath child `s`, or undefined when the resolution of `c` does not allow one:
 * D is in the resolution of C, and the resolution of C without D equals P's unmerged leaves under C.
 */
function chainedDescendant(tree: RatchetTree, c: number, unmerged: readonly number[]): number | undefined {
  const underC = unmerged.filter((l) => inSubtree(2 * l, c)).map((l) => 2 * l);
  const res = tree.resolution(c);
  const rest = res.filter((x) => !(isLeaf(x) && underC.includes(x)));
  if (rest.length !== 1 || res.length !== underC.length + 1) return undefined;
  return rest[0];
}

/** Whether non-blank parent `p` is parent-hash valid via exactly one of its children (§7.9.2). */
export function parentHashLinks(tree: RatchetTree, p: number): number {
  const node = tree.node(p);
  if (node?.nodeType !== NodeType.parent) return 0;
  const { encryptionKey, parentHash: above, unmergedLeaves } = node.parent;
  let links = 0;
  for (const [c, s] of [
    [left(p), right(p)],
    [right(p), left(p)],
  ] as const) {
    const d = chainedDescendant(tree, c, unmergedLeaves);
    if (d === undefined) continue;
    const field = tree.parentHashField(d);
    if (field === undefined) continue;
    const expected = parentHash(tree.cs, encryptionKey, above, tree.nodeHashWithout(s, unmergedLeaves));
    if (bytesEqual(field, expected)) links++;
  }
  return links;
}

/**
 * RFC 9420 §7.9.2 / §12.4.3.1: every non-blank parent node is parent-hash valid. Checking each parent against its
 * own children and requiring exactly one link makes every chain end at a leaf (V-TREE-02).
 */
export function verifyParentHashes(tree: RatchetTree): void {
  for (let p = 1; p < tree.nodeCount; p += 2) {
    if (tree.isBlank(p)) continue;
    if (parentHashLinks(tree, p) !== 1) {
      throw new ValidationError('V-TREE-02', `parent node ${p} is not parent-hash valid`);
    }
  }
}
