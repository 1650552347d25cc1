// A private, mutable working copy of a ratchet tree used inside one operation (RFC 9420 §7.7 extend/truncate);
// `finish()` turns it back into an immutable RatchetTree. Setting a node drops the cached hashes on its path.
import type { CipherSuite } from '../crypto/provider.js';
import type { Bytes, Node } from '../wire/types.js';
import type { RatchetTree } from './ratchet-tree.js';
import { leafWidth, parent, root } from './tree-math.js';

/** A private, mutable working copy used inside one operation; `finish()` turns it back into a value. */
export class TreeDraft {
  constructor(
    private readonly cs: CipherSuite,
    readonly nodes: (Node | undefined)[],
    private readonly hashes: (Bytes | undefined)[],
    private readonly make: (cs: CipherSuite, n: (Node | undefined)[], h: (Bytes | undefined)[]) => RatchetTree,
  ) {}
  get leafCount(): number {
    return leafWidth(this.nodes.length);
  }
  /** Sets node `x` and drops the cached hashes of `x` and its ancestors. */
  set(x: number, v: Node | undefined): void {
    this.nodes[x] = v;
    const n = this.leafCount;
    const r = root(n);
    this.hashes[x] = undefined;
    while (x !== r) {
      x = parent(x, n);
      this.hashes[x] = undefined;
    }
  }
  /** §7.7: new blank root whose left subtree is the current tree and right subtree all blank. */
  extend(): void {
    const w = this.nodes.length;
    for (let i = w; i < 2 * w + 1; i++) {
      this.nodes.push(undefined);
      this.hashes.push(undefined);
    }
  }
  /** §7.7 / §12.1.3: drop the right half while it has no non-blank leaf. */
  truncate(): void {
    while (this.nodes.length > 1) {
      const r = root(this.leafCount);
      let blank = true;
      for (let x = r + 1; x < this.nodes.length; x += 2) {
        if (this.nodes[x] !== undefined) {
          blank = false;
          break;
        }
      }
      if (!blank) return;
      this.nodes.length = r;
      this.hashes.length = r;
    }
  }
  finish(): RatchetTree {
    return this.make(this.cs, this.nodes, this.hashes);
  }
}
