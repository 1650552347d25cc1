// RandomPool: hands out bytes from a buffer refilled from a CSPRNG, so that many short draws (one nonce per stored
// row) cost one call to the system source per pool. Every byte is handed out once, then the pool is refilled.

import type { RandomBytes } from './secret-bytes.js';

/** A RandomBytes that draws `poolSize` bytes at a time from `source`; draws longer than a quarter pool go direct. */
export function pooledRandom(source: RandomBytes, poolSize = 4096): RandomBytes {
  let pool: Uint8Array = new Uint8Array(0);
  let at = 0;
  return (n) => {
    if (n > poolSize / 4) return source(n);
    if (at + n > pool.length) {
      pool.fill(0);
      pool = source(poolSize);
      at = 0;
    }
    const out = pool.slice(at, at + n);
    pool.fill(0, at, at + n); // what was handed out does not stay behind in the pool
    at += n;
    return out;
  };
}
