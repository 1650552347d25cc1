// createNativeRandom (src/crypto/native): block-drawn CSPRNG output keeps the Rng contract: exact lengths, fresh bytes
// per request across block refills, large requests served directly, bad lengths rejected as by nativeRandom.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createNativeRandom, nativeRandom } from '../src/crypto/native/index.js';
import { toHex } from '../src/util/bytes.js';

test('createNativeRandom returns exactly n fresh bytes per request, across block refills', () => {
  const rng = createNativeRandom(64);
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const n = [4, 12, 16, 1, 0][i % 5] as number;
    const b = rng(n);
    assert.ok(b instanceof Uint8Array, 'a Uint8Array');
    assert.equal(b.length, n, 'the requested length');
    if (n >= 12) {
      const h = toHex(b);
      assert.ok(!seen.has(h), 'no output repeats');
      seen.add(h);
    }
  }
});

test('createNativeRandom outputs are independent copies and large requests bypass the block', () => {
  const rng = createNativeRandom(256);
  const a = rng(32);
  const keep = a.slice();
  const b = rng(32);
  assert.notDeepEqual(a, b, 'consecutive outputs differ');
  b.fill(0);
  assert.deepEqual(a, keep, 'an output does not alias the next one');
  assert.equal(rng(1000).length, 1000, 'a request above a quarter block is served');
});

test('createNativeRandom handles bad lengths as nativeRandom does', () => {
  const rng = createNativeRandom();
  assert.throws(() => nativeRandom(-1), RangeError);
  assert.throws(() => rng(-1), RangeError);
  assert.equal(rng(1.5).length, nativeRandom(1.5).length, 'a fractional length is handled as by nativeRandom');
  assert.throws(() => createNativeRandom(8), RangeError);
});
