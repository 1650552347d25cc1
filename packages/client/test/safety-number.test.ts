// Tests for safety numbers (fixed vectors, symmetry, QR comparison) and the key-change tracker.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { diffContactKeys, KeyChangeTracker } from '../src/safety/key-change-tracker.js';
import {
  compareScannedSafetyNumber,
  compareTypedSafetyNumber,
  computeSafetyNumber,
  fingerprint,
  SAFETY_NUMBER_ITERATIONS,
} from '../src/safety/safety-number.js';
import { openMemoryStore } from '../src/store/encrypted-store.js';
import { toHex } from '../src/util/bytes.js';

const alice = { accountKey: new Uint8Array(32).fill(0x11), name: 'alice@example.org' };
const bob = { accountKey: new Uint8Array(32).map((_, i) => i), name: 'bob@example.org' };

// Frozen: a change to the derivation must fail here (and needs a new SAFETY_NUMBER_VERSION).
const VECTOR = {
  display: '35913 86902 14711 29373 14719 81545 78804 77472 02848 74100 56390 70157',
  alice: '91c0858d89fc92458016c1de8f32b749ad2eaadd6cee9cb29fb7ba61b86938b4',
  bob: 'f1d1ab3d3484d520c440881dd5cbc07f2bf8d414278ae2fd8623e8af7c8d6689',
};

/** The derivation written out again on node:crypto, as an independent check of the spec in safety-number.ts. */
function referenceFingerprint(key: Uint8Array, name: string): string {
  const lp = (b: Uint8Array) => Buffer.concat([Buffer.from([0, 0, b.length >> 8, b.length & 0xff]), b]);
  let h = createHash('sha512')
    .update(Buffer.concat([lp(Buffer.from('Sotto safety number')), Buffer.from([0, 1]), lp(key), lp(Buffer.from(name.normalize('NFC')))]))
    .digest();
  for (let i = 0; i < SAFETY_NUMBER_ITERATIONS; i++) h = createHash('sha512').update(h).update(key).digest();
  return h.subarray(0, 32).toString('hex');
}

describe('safety number', () => {
  it('matches the frozen vector', () => {
    const n = computeSafetyNumber(alice, bob);
    assert.equal(n.display, VECTOR.display);
    assert.equal(toHex(n.localFingerprint), VECTOR.alice);
    assert.equal(toHex(n.remoteFingerprint), VECTOR.bob);
    assert.equal(n.digits.length, 60);
    assert.equal(n.groups.length, 12);
    assert.equal(toHex(n.qrPayload), `01${VECTOR.alice}${VECTOR.bob}`);
  });

  it('agrees with an independent implementation on node:crypto', () => {
    assert.equal(referenceFingerprint(alice.accountKey, alice.name), VECTOR.alice);
    assert.equal(referenceFingerprint(bob.accountKey, bob.name), VECTOR.bob);
  });

  it('is the same on both sides', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (k1, k2) => {
        const a = { accountKey: k1, name: 'a@x' };
        const b = { accountKey: k2, name: 'b@x' };
        assert.equal(computeSafetyNumber(a, b).digits, computeSafetyNumber(b, a).digits);
      }),
      { numRuns: 10 },
    );
  });

  it('changes when a key or a name changes', () => {
    const base = computeSafetyNumber(alice, bob).digits;
    const otherKey = { ...bob, accountKey: bob.accountKey.map((b, i) => (i === 0 ? b ^ 1 : b)) };
    assert.notEqual(computeSafetyNumber(alice, otherKey).digits, base);
    assert.notEqual(computeSafetyNumber(alice, { ...bob, name: 'bob@example.net' }).digits, base);
  });

  it('normalises names to NFC', () => {
    assert.equal(
      toHex(fingerprint({ accountKey: alice.accountKey, name: 'jos\u00e9@x' })),
      toHex(fingerprint({ accountKey: alice.accountKey, name: 'jose\u0301@x' })),
    );
  });

  it('compares a scanned QR payload', () => {
    const mine = computeSafetyNumber(alice, bob);
    const theirs = computeSafetyNumber(bob, alice);
    assert.equal(compareScannedSafetyNumber(theirs.qrPayload, mine), 'match');
    assert.equal(compareScannedSafetyNumber(mine.qrPayload, mine), 'mismatch'); // our own code, reflected back
    const mitm = computeSafetyNumber({ ...bob, accountKey: new Uint8Array(32).fill(0xee) }, alice);
    assert.equal(compareScannedSafetyNumber(mitm.qrPayload, mine), 'mismatch');
    const v2 = theirs.qrPayload.slice();
    v2[0] = 2;
    assert.equal(compareScannedSafetyNumber(v2, mine), 'version-mismatch');
    assert.equal(compareScannedSafetyNumber(theirs.qrPayload.slice(0, 40), mine), 'malformed');
    assert.equal(compareScannedSafetyNumber(new Uint8Array(), mine), 'malformed');
  });

  it('compares a typed number', () => {
    const mine = computeSafetyNumber(alice, bob);
    assert.equal(compareTypedSafetyNumber(VECTOR.display, mine), 'match');
    assert.equal(compareTypedSafetyNumber(VECTOR.display.replace('35913', '35914'), mine), 'mismatch');
    assert.equal(compareTypedSafetyNumber('123', mine), 'malformed');
  });

  it('rejects a key of the wrong length', () => {
    assert.throws(() => fingerprint({ accountKey: new Uint8Array(31), name: 'a@x' }), RangeError);
  });
});

describe('key-change tracker', () => {
  const k = (b: number) => new Uint8Array(32).fill(b);
  const stored = {
    accountKey: k(1),
    devices: [
      { deviceId: 'phone', signatureKey: k(2) },
      { deviceId: 'laptop', signatureKey: k(3) },
    ],
  };

  it('reports nothing on first contact or when nothing changed', () => {
    assert.deepEqual(diffContactKeys('bob', undefined, stored), []);
    assert.deepEqual(diffContactKeys('bob', stored, { accountKey: k(1), devices: [...stored.devices].reverse() }), []);
  });

  it('reports an account key change, added and removed devices', () => {
    const events = diffContactKeys('bob', stored, {
      accountKey: k(9),
      devices: [
        { deviceId: 'phone', signatureKey: k(2) },
        { deviceId: 'tablet', signatureKey: k(4) },
      ],
    });
    assert.deepEqual(
      events.map((e) => [e.type, 'deviceId' in e ? e.deviceId : '']),
      [
        ['account-key-changed', ''],
        ['device-removed', 'laptop'],
        ['device-added', 'tablet'],
      ],
    );
  });

  it('reports a device key swapped under the same id as removed + added', () => {
    const events = diffContactKeys('bob', stored, {
      accountKey: k(1),
      devices: [{ deviceId: 'phone', signatureKey: k(7) }, stored.devices[1]!],
    });
    assert.deepEqual(
      events.map((e) => e.type),
      ['device-removed', 'device-added'],
    );
  });

  it('persists observations in the store', async () => {
    const store = await openMemoryStore();
    const tracker = new KeyChangeTracker(store);
    assert.deepEqual(await tracker.observe('bob', stored), { firstSeen: true, events: [] });
    const r = await tracker.observe('bob', { accountKey: k(1), devices: [stored.devices[0]!] });
    assert.equal(r.firstSeen, false);
    assert.deepEqual(
      r.events.map((e) => e.type),
      ['device-removed'],
    );
    assert.equal((await tracker.known('bob'))?.devices.length, 1);
    await store.close();
  });
});
