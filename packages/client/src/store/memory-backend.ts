// MemoryBackend: a RawBackend held in a Map, for tests and as the browser fallback when IndexedDB is unavailable.

import { toHex } from '../util/bytes.js';
import { applyRange, type RawBackend, type RawOp, type RawRange, type RawRow } from './raw-backend.js';
import { StoreError } from './store-error.js';

export class MemoryBackend implements RawBackend {
  readonly #parts = new Map<string, Map<string, RawRow>>();
  #closed = false;

  #partition(space: string, part: Uint8Array, create: boolean): Map<string, RawRow> | undefined {
    const id = `${space}/${toHex(part)}`;
    let m = this.#parts.get(id);
    if (!m && create) {
      m = new Map();
      this.#parts.set(id, m);
    }
    return m;
  }

  #check(): void {
    if (this.#closed) throw new StoreError('CLOSED', 'memory backend is closed');
  }

  async get(space: string, part: Uint8Array, key: Uint8Array): Promise<Uint8Array | undefined> {
    this.#check();
    return this.#partition(space, part, false)?.get(toHex(key))?.value.slice();
  }

  async range(space: string, part: Uint8Array, range: RawRange): Promise<RawRow[]> {
    this.#check();
    const rows = [...(this.#partition(space, part, false)?.values() ?? [])];
    return applyRange(rows, range).map((r) => ({ ...r, value: r.value.slice() }));
  }

  async apply(ops: RawOp[]): Promise<void> {
    this.#check();
    for (const op of ops) {
      const m = this.#partition(op.space, op.part, true)!;
      if (op.value === null) m.delete(toHex(op.key));
      else m.set(toHex(op.key), { space: op.space, part: op.part.slice(), key: op.key.slice(), value: op.value.slice() });
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  /** Every stored row (test helper: lets tests look at what an attacker with the storage would see). */
  dump(): RawRow[] {
    return [...this.#parts.values()].flatMap((m) => [...m.values()]);
  }

  /** Overwrite a row in place, bypassing everything (test helper for tamper detection). */
  tamper(row: RawRow): void {
    this.#partition(row.space, row.part, true)!.set(toHex(row.key), row);
  }
}
