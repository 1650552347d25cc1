// Tests for the engine's leave decisions (RFC 9420 §12.1.3): leaving, keeping or dropping a received Remove proposal,
// committing the pending self-removals, and a commit that carries them. Plain data, no store, server or MLS.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GroupMeta } from '../src/conversation/group-meta.js';
import {
  type CommitInput,
  leaveCommit,
  reduceCommit,
  reduceLeave,
  reduceRemoveProposal,
  selfRemovedAccounts,
} from '../src/engine/index.js';
import { BOB, CONV, leaf, ME, record } from './helpers/engine-fixtures.js';

const CAROL = 'carol@localhost';
const META: GroupMeta = { v: 2, kind: 'group', owner: ME, admins: [ME, CAROL], timerSeconds: 0 };
// alice (owner, two devices), bob (member), carol (admin)
const LEAVES = [leaf(0, ME, 'alice-laptop'), leaf(1, BOB), leaf(2, CAROL), leaf(3, ME, 'alice-phone')];

describe('reduceLeave', () => {
  it("proposes every leaf of this account's devices", () => {
    assert.deepEqual(reduceLeave({ me: ME, meta: META, record: record(), leaves: LEAVES }), { kind: 'leave', leaves: [0, 3] });
  });
  it('refuses a 1:1 and a conversation this device was removed from; leaving twice is a no-op', () => {
    const direct = reduceLeave({ me: ME, meta: { ...META, kind: 'direct' }, record: record(), leaves: LEAVES });
    assert.equal(direct.kind === 'refuse' && direct.refusal.code, 'INVALID_ARGUMENT');
    const removed = reduceLeave({ me: ME, meta: META, record: record({ state: 'removed' }), leaves: LEAVES });
    assert.equal(removed.kind === 'refuse' && removed.refusal.code, 'FORBIDDEN');
    assert.deepEqual(reduceLeave({ me: ME, meta: META, record: record({ state: 'left' }), leaves: LEAVES }), { kind: 'noop' });
  });
});

describe('reduceRemoveProposal', () => {
  const f = { me: BOB, ownLeaf: 1, record: record(), leaves: LEAVES };
  it("keeps a proposal removing the proposer's own account's device, and commits it", () => {
    assert.deepEqual(reduceRemoveProposal({ ...f, proposal: { removed: 3, proposer: 0 } }), { kind: 'keep', commit: true, left: false });
  });
  it('keeps but does not commit it when it removes this account (this device is left when it is its leaf), or when this device may not commit', () => {
    const sibling = { ...f, me: ME, ownLeaf: 3 };
    assert.deepEqual(reduceRemoveProposal({ ...sibling, proposal: { removed: 3, proposer: 0 } }), {
      kind: 'keep',
      commit: false,
      left: true,
    });
    assert.deepEqual(reduceRemoveProposal({ ...sibling, proposal: { removed: 0, proposer: 0 } }), {
      kind: 'keep',
      commit: false,
      left: false,
    });
    const frozen = { ...f, record: record({ policyViolation: 'x' }) };
    assert.deepEqual(reduceRemoveProposal({ ...frozen, proposal: { removed: 2, proposer: 2 } }), {
      kind: 'keep',
      commit: false,
      left: false,
    });
  });
  it('drops a proposal removing another account, even from an admin, and one from a non-member', () => {
    for (const proposal of [{ removed: 1, proposer: 2 }, { removed: 2, proposer: 1 }, { removed: 1 }]) {
      const d = reduceRemoveProposal({ ...f, proposal });
      assert.equal(d.kind, 'drop', JSON.stringify(proposal));
      assert.equal(d.kind === 'drop' && d.warning.code, 'POLICY_VIOLATION');
    }
  });
});

describe('leaveCommit', () => {
  it('commits nothing without pending self-removals, or when one removes this account', () => {
    assert.equal(leaveCommit({ me: BOB, meta: META, leaves: LEAVES, pending: [] }), undefined);
    assert.equal(leaveCommit({ me: BOB, meta: META, leaves: LEAVES, pending: [{ removed: 1, proposer: 2 }] }), undefined);
    assert.equal(leaveCommit({ me: ME, meta: META, leaves: LEAVES, pending: [{ removed: 3, proposer: 0 }] }), undefined);
  });
  it('drops a departing admin from the admins in the same commit', () => {
    assert.deepEqual(leaveCommit({ me: BOB, meta: META, leaves: LEAVES, pending: [{ removed: 2, proposer: 2 }] }), {
      meta: { ...META, admins: [ME] },
      departing: [CAROL],
    });
  });
  it('keeps the owner named and an admin; an account that keeps a device is not departing', () => {
    const both = [
      { removed: 3, proposer: 0 },
      { removed: 0, proposer: 0 },
    ];
    assert.deepEqual(leaveCommit({ me: BOB, meta: META, leaves: LEAVES, pending: both }), { departing: [ME] });
    assert.deepEqual(leaveCommit({ me: BOB, meta: META, leaves: LEAVES, pending: [{ removed: 3, proposer: 0 }] }), { departing: [] });
  });
});

describe('reduceCommit of self-removals', () => {
  const base = (over: Partial<CommitInput>): CommitInput => ({
    conversationId: CONV,
    record: record(),
    committer: LEAVES[1]!,
    oldLeaves: LEAVES,
    newLeaves: LEAVES.filter((l) => l.account !== CAROL),
    added: [],
    removed: [{ ...LEAVES[2]!, proposer: 2 }],
    removedSelf: false,
    before: META,
    after: { ...META, admins: [ME] },
    identity: { ok: true },
    me: ME,
    ...over,
  });
  it('counts an account as self-removed only when it proposed the removal of every leaf of its removed', () => {
    assert.deepEqual(selfRemovedAccounts(LEAVES, [{ ...LEAVES[2]!, proposer: 2 }]), [CAROL]);
    assert.deepEqual(selfRemovedAccounts(LEAVES, [{ ...LEAVES[2]!, proposer: 1 }]), []);
    assert.deepEqual(
      selfRemovedAccounts(LEAVES, [
        { ...LEAVES[0]!, proposer: 3 },
        { ...LEAVES[3]!, proposer: 1 },
      ]),
      [],
    );
  });
  it("applies a non-admin's commit of a member leaving, with the admin list cleaned, as `left`", () => {
    assert.deepEqual(reduceCommit(base({})), {
      kind: 'apply',
      membership: { by: BOB, added: [], removed: [], left: [CAROL] },
      refreshContacts: [CAROL],
      deviceChanges: [],
    });
  });
  it("refuses a non-admin's commit removing an account that did not propose it", () => {
    const d = reduceCommit(base({ removed: [{ ...LEAVES[2]!, proposer: 1 }] }));
    assert.equal(d.kind === 'violation' && d.record.policyViolation, 'only admins remove members');
  });
  it('marks this device left, not removed, when its own account proposed it', () => {
    const d = reduceCommit(base({ me: CAROL, removedSelf: true }));
    assert.equal(d.kind === 'removed' && d.record.state, 'left');
    const e = reduceCommit(base({ me: CAROL, removedSelf: true, removed: [{ ...LEAVES[2]!, proposer: 0 }], committer: LEAVES[0]! }));
    assert.equal(e.kind === 'removed' && e.record.state, 'removed');
  });
});
