// Tests for the pooled random source used for sealing nonces: every byte of the source is handed out at most once, in
// order, and large draws bypass the pool.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pooledRandom } from '../src/util/random-pool.js';

/** A source that counts up, so that each byte it ever produced is identifiable. */
function countingSource(): { source: (n: number) => Uint8Array; calls: number[] } {
  let next = 0;
  const calls: number[] = [];
  return {
    calls,
    source: (n) => {
      calls.push(n);
      return Uint8Array.from({ length: n }, () => next++ % 256);
    },
  };
}

describe('pooledRandom', () => {
  it('hands out the source bytes in order, each once, refilling when the pool runs short', () => {
    const { source, calls } = countingSource();
    const draw = pooledRandom(source, 64);
    const got = [draw(10), draw(6), draw(16), draw(16), draw(16), draw(8)];
    assert.deepEqual(
      got.map((b) => b.length),
      [10, 6, 16, 16, 16, 8],
    );
    // 64 bytes cover the first four draws (48 bytes) plus one more 16; the last 8 need a refill.
    assert.deepEqual(calls, [64, 64]);
    assert.deepEqual([...got[0]!], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(
      [...got[4]!],
      [...Array(16).keys()].map((i) => 48 + i),
    );
    assert.deepEqual(
      [...got[5]!],
      [...Array(8).keys()].map((i) => 64 + i),
    );
  });

  it('draws larger than a quarter of the pool go straight to the source', () => {
    const { source, calls } = countingSource();
    const draw = pooledRandom(source, 64);
    assert.equal(draw(17).length, 17);
    assert.deepEqual(calls, [17]);
  });

  it('returns copies: changing a draw does not change a later one', () => {
    const draw = pooledRandom(countingSource().source, 64);
    const a = draw(4);
    a.fill(0xff);
    assert.deepEqual([...draw(4)], [4, 5, 6, 7]);
  });
});
