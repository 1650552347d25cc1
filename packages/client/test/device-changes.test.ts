// deviceChanges: a known account's device that comes or goes in a commit is a device change; an account joining or
// leaving, and this user's own devices, are not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deviceChanges, type LeafIdentity } from '../src/safety/device-changes.js';

const leaf = (account: string, deviceId: string): LeafIdentity => ({ account, deviceId });
const ME = 'alice@localhost';
const BOB = 'bob@localhost';
const CAROL = 'carol@localhost';

test('a new device of an account already in the group is reported as added', () => {
  const before = [leaf(ME, 'a1'), leaf(BOB, 'b1')];
  const after = [...before, leaf(BOB, 'b2')];
  assert.deepEqual(deviceChanges(before, after, ME), [{ account: BOB, added: ['b2'], removed: [] }]);
});

test('a device of an account that stays in the group is reported as removed', () => {
  const before = [leaf(ME, 'a1'), leaf(BOB, 'b1'), leaf(BOB, 'b2')];
  const after = [leaf(ME, 'a1'), leaf(BOB, 'b2')];
  assert.deepEqual(deviceChanges(before, after, ME), [{ account: BOB, added: [], removed: ['b1'] }]);
});

test('a device swapped for another in one commit is both', () => {
  const before = [leaf(ME, 'a1'), leaf(BOB, 'b1')];
  const after = [leaf(ME, 'a1'), leaf(BOB, 'b9')];
  assert.deepEqual(deviceChanges(before, after, ME), [{ account: BOB, added: ['b9'], removed: ['b1'] }]);
});

test('an account joining or leaving as a whole is a membership change, not a device change', () => {
  const before = [leaf(ME, 'a1'), leaf(BOB, 'b1'), leaf(BOB, 'b2')];
  const after = [leaf(ME, 'a1'), leaf(CAROL, 'c1'), leaf(CAROL, 'c2')];
  assert.deepEqual(deviceChanges(before, after, ME), []);
});

test("this user's own devices never make a notice", () => {
  const before = [leaf(ME, 'a1'), leaf(BOB, 'b1')];
  const after = [leaf(ME, 'a2'), leaf(ME, 'a3'), leaf(BOB, 'b1')];
  assert.deepEqual(deviceChanges(before, after, ME), []);
});

test('several accounts at once: sorted by account, ids sorted; an unchanged tree reports nothing', () => {
  const before = [leaf(ME, 'a1'), leaf(CAROL, 'c1'), leaf(BOB, 'b1')];
  const after = [leaf(ME, 'a1'), leaf(CAROL, 'c3'), leaf(CAROL, 'c1'), leaf(CAROL, 'c2'), leaf(BOB, 'b1'), leaf(BOB, 'b0')];
  assert.deepEqual(deviceChanges(before, after, ME), [
    { account: BOB, added: ['b0'], removed: [] },
    { account: CAROL, added: ['c2', 'c3'], removed: [] },
  ]);
  assert.deepEqual(deviceChanges(after, after, ME), []);
});
