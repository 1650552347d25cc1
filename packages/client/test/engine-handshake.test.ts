// Tests for the engine's handshake and timer decisions: Welcomes, commits, the expiry sweep and key rotation, as plain
// data in and out (no store, no server, no MLS).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConvRecord } from '../src/client/records.js';
import type { GroupMeta } from '../src/conversation/group-meta.js';
import {
  type CommitInput,
  committerOf,
  dueExpiries,
  dueKeyUpdates,
  reduceCommit,
  reduceWelcome,
  type RuleVerdict,
  type WelcomeInput,
} from '../src/engine/index.js';
import { BOB, CONV, leaf, ME, NOW, record } from './helpers/engine-fixtures.js';

const MALLET = 'mallet@localhost';
const OK: RuleVerdict = { ok: true };
const key = (n: number): Uint8Array => new Uint8Array(32).fill(n);

function welcome(over: Partial<WelcomeInput> = {}): WelcomeInput {
  return {
    conversationId: CONV,
    epoch: 3n,
    leaves: [leaf(0, BOB), leaf(1, ME)],
    committer: 0,
    metaOwner: BOB,
    identity: OK,
    owner: OK,
    me: { account: ME },
    adderContact: { accepted: true, blocked: false },
    ownLeafKey: key(7),
    keyPackages: [
      { ref: 'kp-a', encryptionKey: key(6), lastResort: false },
      { ref: 'kp-b', encryptionKey: key(7), lastResort: false },
    ],
    now: NOW,
    ...over,
  };
}

describe('reduceWelcome', () => {
  it('joins as active when an accepted contact added this device, deleting the KeyPackage it used', () => {
    const d = reduceWelcome(welcome());
    assert.equal(d.kind, 'join');
    if (d.kind !== 'join') return;
    assert.deepEqual(d.record, { id: CONV, state: 'active', createdAt: NOW, lastUpdateAt: NOW, addedBy: BOB });
    assert.deepEqual(d.deleteKeyPackages, ['kp-b']);
    assert.equal(d.wipePast, true);
    assert.deepEqual(d.events, ['conversation']);
  });

  it('is a message request when the adder is not an accepted contact, and says so with a request event', () => {
    for (const adderContact of [undefined, { accepted: false, blocked: false }]) {
      const input = welcome();
      if (adderContact) input.adderContact = adderContact;
      else delete input.adderContact;
      const d = reduceWelcome(input);
      assert.equal(d.kind, 'join');
      if (d.kind !== 'join') return;
      assert.equal(d.record.state, 'request');
      assert.deepEqual(d.events, ['conversation', 'request']);
    }
  });

  it('joins blocked when the user blocked the adder, even an accepted one', () => {
    const d = reduceWelcome(welcome({ adderContact: { accepted: true, blocked: true } }));
    assert.equal(d.kind === 'join' && d.record.state, 'blocked');
  });

  it('is active when another device of our own account added this one, whatever a contact record says', () => {
    const d = reduceWelcome(
      welcome({ leaves: [leaf(0, ME, 'phone'), leaf(1, ME, 'laptop')], metaOwner: ME, adderContact: { accepted: false, blocked: true } }),
    );
    assert.equal(d.kind === 'join' && d.record.state, 'active');
    assert.equal(d.kind === 'join' && d.record.addedBy, ME);
  });

  it('keeps a last-resort KeyPackage and deletes none when the leaf key matches no KeyPackage', () => {
    const last = reduceWelcome(welcome({ keyPackages: [{ ref: 'kp-last', encryptionKey: key(7), lastResort: true }] }));
    assert.deepEqual(last.kind === 'join' && last.deleteKeyPackages, []);
    const none = welcome();
    delete none.ownLeafKey;
    const d = reduceWelcome(none);
    assert.deepEqual(d.kind === 'join' && d.deleteKeyPackages, []);
  });

  it('refuses a tree that fails the identity rule, naming the account, before anything else', () => {
    const identity: RuleVerdict = { ok: false, code: 'IDENTITY_MISMATCH', account: BOB, reason: 'a leaf claims bob with another key' };
    const input = welcome({ identity, committer: 9 });
    delete input.owner;
    assert.deepEqual(reduceWelcome(input), {
      kind: 'refuse',
      notice: { code: 'IDENTITY_MISMATCH', account: BOB, reason: 'a leaf claims bob with another key' },
    });
  });

  it('is invalid when the GroupInfo signer is no leaf of the tree', () => {
    assert.equal(reduceWelcome(welcome({ committer: 5 })).kind, 'invalid');
  });

  it('refuses a group whose owner proof fails', () => {
    const owner: RuleVerdict = { ok: false, code: 'OWNER_MISMATCH', account: MALLET, reason: 'no proof' };
    const d = reduceWelcome(welcome({ owner }));
    assert.deepEqual(d, { kind: 'refuse', notice: { code: 'OWNER_MISMATCH', account: MALLET, reason: 'no proof' } });
  });

  it('refuses a first-epoch Welcome whose metadata names an owner other than its creator', () => {
    const d = reduceWelcome(welcome({ epoch: 1n, leaves: [leaf(0, MALLET), leaf(1, ME)], metaOwner: BOB }));
    assert.equal(d.kind, 'refuse');
    if (d.kind !== 'refuse') return;
    assert.equal(d.notice.code, 'OWNER_MISMATCH');
    assert.equal(d.notice.account, BOB);
    assert.match(d.notice.reason, /mallet@localhost created it/);
    // At a later epoch the creator may have left; the owner proof (checked by the shell) is what counts then.
    assert.equal(reduceWelcome(welcome({ epoch: 4n, leaves: [leaf(0, MALLET), leaf(1, ME)], metaOwner: BOB })).kind, 'join');
  });
});

const META: GroupMeta = { v: 2, kind: 'group', owner: BOB, admins: [BOB], timerSeconds: 0 };
const REC: ConvRecord = record();

function commit(over: Partial<CommitInput> = {}): CommitInput {
  const old = [leaf(0, BOB, 'bob-phone'), leaf(1, ME, 'alice-phone')];
  return {
    conversationId: CONV,
    record: REC,
    committer: old[0]!,
    oldLeaves: old,
    newLeaves: old,
    added: [],
    removed: [],
    removedSelf: false,
    before: META,
    after: META,
    identity: OK,
    me: ME,
    ...over,
  };
}

describe('committerOf', () => {
  const old = [leaf(0, BOB), leaf(1, ME)];
  it('is the member leaf that committed', () => {
    assert.deepEqual(committerOf({ type: 'member', leafIndex: 1 }, old, []), old[1]);
    assert.equal(committerOf({ type: 'member', leafIndex: 4 }, old, []), undefined);
  });
  it('for an external commit, is the added leaf of an account already in the group, else nobody', () => {
    const resync = leaf(2, BOB, 'bob-new');
    assert.deepEqual(committerOf({ type: 'new-member-commit' }, old, [resync]), resync);
    assert.equal(committerOf({ type: 'new-member-commit' }, old, [leaf(2, MALLET)]), undefined);
    assert.equal(committerOf({ type: 'other' }, old, [resync]), undefined);
  });
});

describe('reduceCommit', () => {
  it('refuses and freezes the conversation when the identity rule fails, with the notice on the record', () => {
    const identity: RuleVerdict = { ok: false, code: 'IDENTITY_MISMATCH', account: BOB, reason: 'an Update changed the account' };
    const d = reduceCommit(commit({ identity, removedSelf: true }));
    assert.deepEqual(d, {
      kind: 'refuse',
      record: { ...REC, security: { code: 'IDENTITY_MISMATCH', account: BOB } },
      notice: { code: 'IDENTITY_MISMATCH', account: BOB, reason: 'an Update changed the account' },
    });
  });

  it('marks the conversation removed when the commit removed this device', () => {
    const d = reduceCommit(commit({ removedSelf: true, removed: [leaf(1, ME, 'alice-phone')] }));
    assert.deepEqual(d, { kind: 'removed', record: { ...REC, state: 'removed' }, wipePast: true });
  });

  it('freezes with the reason when a non-admin adds an account', () => {
    const d = reduceCommit(commit({ committer: leaf(1, ME, 'alice-phone'), added: [leaf(2, MALLET)] }));
    assert.equal(d.kind, 'violation');
    if (d.kind !== 'violation') return;
    assert.equal(d.record.policyViolation, 'only admins add members');
    assert.deepEqual(d.warning, { code: 'POLICY_VIOLATION', message: `refused a commit by ${ME}: only admins add members` });
  });

  it('applies an admin add with a membership event and refreshes the new account', () => {
    const added = [leaf(2, MALLET, 'm-1')];
    const d = reduceCommit(commit({ added, newLeaves: [...commit().oldLeaves, ...added] }));
    assert.deepEqual(d, {
      kind: 'apply',
      membership: { by: BOB, added: [MALLET], removed: [] },
      refreshContacts: [MALLET],
      deviceChanges: [],
    });
  });

  it('applies a plain Update with no membership event, no refresh and no notice', () => {
    assert.deepEqual(reduceCommit(commit()), { kind: 'apply', refreshContacts: [], deviceChanges: [] });
  });

  it('reports a device a known account added as a device change, and an account that kept a device as no removal', () => {
    const tablet = leaf(2, BOB, 'bob-tablet');
    const added = reduceCommit(commit({ added: [tablet], newLeaves: [...commit().oldLeaves, tablet] }));
    assert.equal(added.kind, 'apply');
    if (added.kind !== 'apply') return;
    assert.deepEqual(added.deviceChanges, [{ account: BOB, added: ['bob-tablet'], removed: [] }]);
    assert.equal(added.membership, undefined, 'bob was a member already: a device change, not a membership change');
    assert.deepEqual(added.refreshContacts, [BOB]);

    const old = [...commit().oldLeaves, tablet];
    const gone = reduceCommit(commit({ oldLeaves: old, removed: [tablet], newLeaves: commit().oldLeaves }));
    assert.equal(gone.kind, 'apply');
    if (gone.kind !== 'apply') return;
    assert.equal(gone.membership, undefined);
    assert.deepEqual(gone.deviceChanges, [{ account: BOB, added: [], removed: ['bob-tablet'] }]);
  });

  it('neither refreshes nor notices devices of our own account', () => {
    const laptop = leaf(2, ME, 'alice-laptop');
    const d = reduceCommit(commit({ committer: leaf(1, ME, 'alice-phone'), added: [laptop], newLeaves: [...commit().oldLeaves, laptop] }));
    assert.deepEqual(d, { kind: 'apply', refreshContacts: [], deviceChanges: [] });
  });
});

describe('timers', () => {
  it('dueExpiries returns the entries whose time has come, split into conversation and message ids', () => {
    const expiry = new Map([
      ['c1/m1', NOW - 1],
      ['c1/m2', NOW + 1],
      ['c/2/m3', NOW],
    ]);
    assert.deepEqual(dueExpiries(expiry, NOW), [
      { key: 'c1/m1', conversationId: 'c1', messageId: 'm1' },
      { key: 'c/2/m3', conversationId: 'c', messageId: '2/m3' },
    ]);
    assert.deepEqual(dueExpiries(new Map(), NOW), []);
  });

  it('dueKeyUpdates picks active conversations not frozen and not updated within the interval', () => {
    const HOUR = 3_600_000;
    const recs: ConvRecord[] = [
      { id: 'due', state: 'active', createdAt: 1, lastUpdateAt: NOW - HOUR },
      { id: 'recent', state: 'active', createdAt: 1, lastUpdateAt: NOW - HOUR + 1 },
      { id: 'request', state: 'request', createdAt: 1, lastUpdateAt: 0 },
      { id: 'removed', state: 'removed', createdAt: 1, lastUpdateAt: 0 },
      { id: 'frozen', state: 'active', createdAt: 1, lastUpdateAt: 0, policyViolation: 'only admins add members' },
    ];
    assert.deepEqual(dueKeyUpdates(recs, NOW, HOUR), ['due']);
  });
});
