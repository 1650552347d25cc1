// RawBackend: the dumb, already-encrypted row storage under EncryptedStore (SQLite, IndexedDB, memory).

/** A row address: a space name in clear, then a partition and a sort key (MACs or counters, never plaintext). */
export interface RawAddress {
  space: string;
  part: Uint8Array;
  key: Uint8Array;
}

export interface RawRow extends RawAddress {
  value: Uint8Array;
}

/** A write: `value: null` deletes the row. */
export interface RawOp extends RawAddress {
  value: Uint8Array | null;
}

export interface RawRange {
  /** Keys strictly greater than this. */
  gt?: Uint8Array;
  /** Keys strictly less than this. */
  lt?: Uint8Array;
  limit?: number;
  /** Descending key order. */
  reverse?: boolean;
}

export interface ApplyOptions {
  /** False: the batch may be lost by a power failure until a later durable batch (never torn). Default true. */
  durable?: boolean;
}

/**
 * Implementations order keys bytewise (memcmp, shorter prefix first) and apply a batch of ops
 * atomically and durably: after `apply` resolves all ops are stored, after it rejects none are.
 */
export interface RawBackend {
  get(space: string, part: Uint8Array, key: Uint8Array): Promise<Uint8Array | undefined>;
  range(space: string, part: Uint8Array, range: RawRange): Promise<RawRow[]>;
  apply(ops: RawOp[], options?: ApplyOptions): Promise<void>;
  close(): Promise<void>;
}

/** Bytewise comparison used by every backend and by the transaction overlay. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Filter, order and limit rows by a RawRange (shared by the memory backend and the overlay merge). */
export function applyRange(rows: RawRow[], range: RawRange): RawRow[] {
  const { gt, lt } = range;
  const inRange = rows.filter(
    (r) => (gt === undefined || compareBytes(r.key, gt) > 0) && (lt === undefined || compareBytes(r.key, lt) < 0),
  );
  inRange.sort((a, b) => (range.reverse ? compareBytes(b.key, a.key) : compareBytes(a.key, b.key)));
  return range.limit === undefined ? inRange : inRange.slice(0, range.limit);
}
