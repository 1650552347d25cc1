// Persistent (immutable) map from small non-negative integers to values: a 32-way trie with path copying.
// Used by the secret tree (RFC 9420 §9) so that a copy of the whole state costs nothing and an update costs O(log32 n).

const BITS = 5;
const WIDTH = 1 << BITS;
const MASK = WIDTH - 1;

type Slot = unknown[] | undefined;

/** Immutable map keyed by integers in [0, 2^(5*depth)). `set`/`delete` return a new map sharing unchanged branches. */
export class IntMap<V> {
  private constructor(
    private readonly root: Slot,
    private readonly depth: number,
    readonly size: number,
  ) {}

  /** An empty map able to hold keys 0..maxKey. */
  static empty<V>(maxKey: number): IntMap<V> {
    let depth = 1;
    while (depth < 7 && maxKey >= 2 ** (BITS * depth)) depth++;
    return new IntMap<V>(undefined, depth, 0);
  }

  get(key: number): V | undefined {
    let node = this.root;
    for (let level = this.depth - 1; level > 0; level--) {
      if (node === undefined) return undefined;
      node = node[Math.floor(key / 2 ** (BITS * level)) & MASK] as Slot;
    }
    return node === undefined ? undefined : (node[key & MASK] as V | undefined);
  }

  has(key: number): boolean {
    return this.get(key) !== undefined;
  }

  set(key: number, value: V): IntMap<V> {
    this.checkKey(key);
    const had = this.get(key) !== undefined;
    return new IntMap<V>(this.assoc(this.root, this.depth - 1, key, value), this.depth, had ? this.size : this.size + 1);
  }

  delete(key: number): IntMap<V> {
    if (this.get(key) === undefined) return this;
    return new IntMap<V>(this.assoc(this.root, this.depth - 1, key, undefined), this.depth, this.size - 1);
  }

  /** Entries in ascending key order. */
  *entries(): IterableIterator<[number, V]> {
    yield* walk<V>(this.root, this.depth - 1, 0);
  }

  private checkKey(key: number): void {
    if (!Number.isInteger(key) || key < 0 || key >= 2 ** (BITS * this.depth)) throw new RangeError('key out of range');
  }

  private assoc(node: Slot, level: number, key: number, value: V | undefined): Slot {
    const copy = node === undefined ? new Array<unknown>(WIDTH) : node.slice();
    const i = Math.floor(key / 2 ** (BITS * level)) & MASK;
    copy[i] = level === 0 ? value : this.assoc(copy[i] as Slot, level - 1, key, value);
    return copy;
  }
}

function* walk<V>(node: Slot, level: number, prefix: number): IterableIterator<[number, V]> {
  if (node === undefined) return;
  for (let i = 0; i < WIDTH; i++) {
    const child = node[i];
    if (child === undefined) continue;
    const key = prefix + i * 2 ** (BITS * level);
    if (level === 0) yield [key, child as V];
    else yield* walk<V>(child as Slot, level - 1, key);
  }
}
