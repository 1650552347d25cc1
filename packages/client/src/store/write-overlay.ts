// WriteOverlay: a RawBackend view of a base backend plus writes not yet applied to it, so that the transactions of one
// group commit see the writes of the transactions before them (see EncryptedStore.transaction).

import { toHex } from '../util/bytes.js';
import { applyRange, type RawBackend, type RawOp, type RawRange, type RawRow } from './raw-backend.js';

export class WriteOverlay implements RawBackend {
  readonly #base: RawBackend;
  /** Pending writes by row, in first-write order; a later write of a row replaces the earlier one. */
  readonly #ops = new Map<string, RawOp>();

  constructor(base: RawBackend) {
    this.#base = base;
  }

  #id(space: string, part: Uint8Array, key: Uint8Array): string {
    return `${space}/${toHex(part)}/${toHex(key)}`;
  }

  get size(): number {
    return this.#ops.size;
  }

  /** The pending writes, to be applied to the base in one batch. */
  ops(): RawOp[] {
    return [...this.#ops.values()];
  }

  /** Once the pending writes are in the base. */
  clear(): void {
    this.#ops.clear();
  }

  /** Add a committed transaction's writes on top. */
  async apply(ops: RawOp[]): Promise<void> {
    for (const op of ops) {
      const id = this.#id(op.space, op.part, op.key);
      this.#ops.delete(id); // keep the order of the last write
      this.#ops.set(id, op);
    }
  }

  async get(space: string, part: Uint8Array, key: Uint8Array): Promise<Uint8Array | undefined> {
    const op = this.#ops.get(this.#id(space, part, key));
    if (op) return op.value === null ? undefined : op.value.slice();
    return this.#base.get(space, part, key);
  }

  async range(space: string, part: Uint8Array, range: RawRange): Promise<RawRow[]> {
    if (this.#ops.size === 0) return this.#base.range(space, part, range);
    const prefix = `${space}/${toHex(part)}/`;
    const mine = [...this.#ops.entries()].filter(([id]) => id.startsWith(prefix)).map(([, op]) => op);
    if (mine.length === 0) return this.#base.range(space, part, range);
    // Each pending write can push at most one stored row out of a limited range: read that many more.
    const wider = range.limit === undefined ? range : { ...range, limit: range.limit + mine.length };
    const merged = new Map((await this.#base.range(space, part, wider)).map((r) => [toHex(r.key), r]));
    for (const op of mine) {
      if (op.value === null) merged.delete(toHex(op.key));
      else merged.set(toHex(op.key), { space, part, key: op.key, value: op.value.slice() });
    }
    return applyRange([...merged.values()], range);
  }

  async close(): Promise<void> {
    // The base belongs to the store.
  }
}
