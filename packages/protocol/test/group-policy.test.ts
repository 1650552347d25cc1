// The admin rule of group-meta.ts (shared by clients and the server): leaving, i.e. the removal an account proposed of
// its own devices (RFC 9420 §12.1.3), committed by any member.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type GroupMeta, policyViolation, withoutAdmins } from '../src/index.js';

const meta: GroupMeta = { v: 2, kind: 'group', owner: 'owner@x', admins: ['owner@x', 'admin@x'], timerSeconds: 0 };
const base = { committer: 'member@x', addedAccounts: [], before: meta, after: meta };

describe('admin rule: leaving', () => {
  it('refuses a non-admin committing the removal of another account', () => {
    assert.equal(policyViolation({ ...base, removedAccounts: ['other@x'] }), 'only admins remove members');
  });
  it('refuses it when the removal was proposed by someone else than the removed account', () => {
    assert.equal(
      policyViolation({ ...base, removedAccounts: ['other@x'], selfRemovedAccounts: ['third@x'] }),
      'only admins remove members',
    );
  });
  it('lets any member commit the removal an account proposed of its own devices', () => {
    assert.equal(policyViolation({ ...base, removedAccounts: ['other@x'], selfRemovedAccounts: ['other@x'] }), undefined);
  });
  it('lets the committer drop a leaving admin from the admins, and nothing more', () => {
    const s = { ...base, removedAccounts: ['admin@x'], selfRemovedAccounts: ['admin@x'] };
    assert.equal(policyViolation({ ...s, after: withoutAdmins(meta, ['admin@x']) }), undefined);
    assert.equal(
      policyViolation({ ...s, after: { ...withoutAdmins(meta, ['admin@x']), timerSeconds: 5 } }),
      'only admins change roles or settings',
    );
    assert.equal(
      policyViolation({ ...s, after: { ...meta, admins: ['owner@x', 'admin@x', 'member@x'] } }),
      'only admins change roles or settings',
    );
  });
  it('keeps the owner an admin when the owner leaves', () => {
    assert.deepEqual(withoutAdmins(meta, ['owner@x']).admins, ['owner@x', 'admin@x']);
    const s = { ...base, removedAccounts: ['owner@x'], selfRemovedAccounts: ['owner@x'] };
    assert.equal(policyViolation(s), undefined);
    assert.equal(policyViolation({ ...s, after: { ...meta, admins: ['admin@x'] } }), 'only admins change roles or settings');
  });
});
