// Which conversation a CHAT argument names, on a stub client: a 1:1 left without its peer by an older client
// (a "phantom") must never be picked over the one the peer is in.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConversationInfo, SottoClient } from '@sotto/client';
import { directsWith, resolveTarget } from '../src/chat-target.js';

function direct(id: string, createdAt: number, members: string[]): ConversationInfo {
  return {
    id,
    kind: 'direct',
    state: 'active',
    name: 'bob@localhost',
    owner: 'alice@localhost',
    peer: 'bob@localhost',
    members: members.map((account) => ({ account, role: 'admin', deviceIds: ['d'] })),
    timerSeconds: 0,
    epoch: '1',
    createdAt,
  };
}

function stub(convs: ConversationInfo[]): SottoClient {
  const fake = { listConversations: () => convs, me: { account: 'alice@localhost' } };
  return fake as unknown as SottoClient;
}

test('read bob picks the 1:1 bob is in, not an older one bob was never added to', () => {
  const phantom = direct('phantom', 1000, ['alice@localhost']);
  const live = direct('live', 2000, ['alice@localhost', 'bob@localhost']);
  const client = stub([phantom, live]);
  assert.deepEqual(
    directsWith(client, 'bob@localhost').map((c) => c.id),
    ['live', 'phantom'],
  );
  const t = resolveTarget(client, 'bob');
  assert.equal(t.kind === 'conversation' ? t.conversation.id : undefined, 'live');
});

test('between two 1:1s the peer is in (both sides started one at once), the older comes first', () => {
  const a = direct('a', 1000, ['alice@localhost', 'bob@localhost']);
  const b = direct('b', 2000, ['alice@localhost', 'bob@localhost']);
  assert.deepEqual(
    directsWith(stub([b, a]), 'bob@localhost').map((c) => c.id),
    ['a', 'b'],
  );
});
