// The pure helpers of the /admin lawful-request pages, in Node: which actions a request's state offers, the paths of
// the admin pages, form dates as UTC days, lists typed by the operator, and the default transparency period.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LawfulRequestDetail } from '@sotto/protocol';
import { adminPath, parseAdminPath } from '../src/admin/admin-route.js';
import { dayToMs, halfYearOf, lawfulActions, msToDay, splitList } from '../src/admin/lawful-format.js';

const base: LawfulRequestDetail = {
  id: 'r1',
  instrument: 'domestic-order',
  authority: 'A',
  country: 'DE',
  reference: 'X',
  receivedAt: 0,
  dueAt: null,
  accounts: ['a@x'],
  status: 'received',
  decision: null,
  flags: [],
  categories: ['account'],
  noticeDelayUntil: null,
  follows: null,
  note: '',
  receivedBy: 'op',
  decisionBy: null,
  reason: '',
  secondApproval: null,
  secondApprovalDueAt: null,
  review: null,
  answeredAt: null,
  answerSha256: null,
  noticeDueAt: null,
  noticeGivenAt: null,
  holds: [],
};
const signoff = { admin: 'op', at: 1, note: '' };

describe('lawfulActions: only the actions the state allows', () => {
  it('received: decide, or preserve for a preservation request', () => {
    assert.deepEqual(lawfulActions(base), ['decide']);
    assert.deepEqual(lawfulActions({ ...base, instrument: 'preservation' }), ['preserve']);
  });
  it('decided: answer; an emergency disclosure also awaits its second approval', () => {
    const decided = { ...base, status: 'decided' as const, decision: 'disclose' as const, decisionBy: signoff };
    assert.deepEqual(lawfulActions(decided), ['answer']);
    assert.deepEqual(lawfulActions({ ...decided, instrument: 'emergency' }), ['answer', 'approve']);
    assert.deepEqual(lawfulActions({ ...decided, instrument: 'emergency', decision: 'reject' }), ['answer']);
  });
  it('answered: nothing, except an emergency disclosure’s approval and review until given', () => {
    const answered = { ...base, status: 'answered' as const, decision: 'partial' as const, decisionBy: signoff };
    assert.deepEqual(lawfulActions(answered), []);
    assert.deepEqual(lawfulActions({ ...answered, instrument: 'emergency' }), ['approve', 'review']);
    assert.deepEqual(
      lawfulActions({ ...answered, instrument: 'emergency', secondApproval: signoff, review: { ...signoff, justified: true } }),
      [],
    );
  });
});

describe('admin paths', () => {
  it('round-trip, and anything unknown is the moderation queue', () => {
    for (const r of [
      { page: 'reports' },
      { page: 'requests' },
      { page: 'intake' },
      { page: 'request', id: 'a b/c' },
      { page: 'transparency' },
    ] as const)
      assert.deepEqual(parseAdminPath(adminPath(r)), r);
    assert.deepEqual(parseAdminPath('/admin/requests/'), { page: 'requests' });
    assert.deepEqual(parseAdminPath('/admin/nothing'), { page: 'reports' });
    assert.deepEqual(parseAdminPath('/admin/requests/a/b'), { page: 'reports' });
  });
});

describe('form values', () => {
  it('dates are UTC days; empty or malformed is null', () => {
    assert.equal(dayToMs('2026-07-01'), Date.UTC(2026, 6, 1));
    assert.equal(msToDay(Date.UTC(2026, 6, 1, 23, 59)), '2026-07-01');
    assert.equal(dayToMs(''), null);
    assert.equal(dayToMs('1 July'), null);
  });
  it('lists split on commas and newlines, trimmed', () => {
    assert.deepEqual(splitList(' a@x, b@x\n\nc@x ,\n'), ['a@x', 'b@x', 'c@x']);
  });
  it('the default period is the half-year of now, in UTC', () => {
    assert.equal(halfYearOf(Date.UTC(2026, 5, 30, 23, 59)), '2026H1');
    assert.equal(halfYearOf(Date.UTC(2026, 6, 1)), '2026H2');
    assert.equal(halfYearOf(Date.UTC(2026, 11, 31, 23, 59)), '2026H2');
  });
});
