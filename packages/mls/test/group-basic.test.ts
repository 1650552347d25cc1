// Group lifecycle with 2-5 members (RFC 9420 §11, §12): create, add, join by Welcome, messages, update, remove.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createNativeProvider, nativeRandom } from '../src/crypto/native/index.js';
import { createCommit } from '../src/group/commit.js';
import { createGroup } from '../src/group/create.js';
import { joinFromWelcome } from '../src/group/join.js';
import { encryptMessage, exportSecret, proposeUpdate } from '../src/group/messages.js';
import { processMessage } from '../src/group/process.js';
import type { GroupDeps, GroupState } from '../src/group/state.js';
import { createKeyPackage } from '../src/key-package/create.js';
import { toHex } from '../src/util/bytes.js';
import type { MlsMessage } from '../src/wire/index.js';

const deps: GroupDeps = { crypto: createNativeProvider(), rng: nativeRandom, now: () => 1_800_000_000n };
const utf8 = (s: string) => new TextEncoder().encode(s);
const cred = (name: string) => ({ credentialType: 1 as const, identity: utf8(name) });

function newMember(name: string) {
  return createKeyPackage(deps, { cipherSuite: 1, credential: cred(name) });
}

test('create, add two members, exchange messages, update, remove', () => {
  let alice: GroupState = createGroup(deps, { cipherSuite: 1, credential: cred('alice') });
  const bobKp = newMember('bob');
  const carolKp = newMember('carol');
  const r1 = createCommit(deps, alice, {
    proposals: [
      { proposalType: 1, add: { keyPackage: bobKp.keyPackage } },
      { proposalType: 1, add: { keyPackage: carolKp.keyPackage } },
    ],
  });
  alice = r1.group;
  assert.ok(r1.welcome && r1.welcome.wireFormat === 3);
  const w = (r1.welcome as Extract<MlsMessage, { wireFormat: 3 }>).welcome;
  let bob = joinFromWelcome(deps, w, bobKp);
  let carol = joinFromWelcome(deps, w, carolKp);
  assert.equal(toHex(bob.keys.epochAuthenticator), toHex(alice.keys.epochAuthenticator));
  assert.equal(toHex(carol.keys.epochAuthenticator), toHex(alice.keys.epochAuthenticator));

  const m1 = encryptMessage(deps, bob, utf8('hi all'));
  bob = m1.group;
  const got = processMessage(deps, alice, m1.message);
  assert.equal(got.kind, 'application');
  alice = got.group;

  // carol updates via a commit with a path (empty commit)
  const r2 = createCommit(deps, carol);
  carol = r2.group;
  alice = processMessage(deps, alice, r2.commit).group;
  bob = processMessage(deps, bob, r2.commit).group;
  assert.equal(toHex(bob.keys.epochAuthenticator), toHex(carol.keys.epochAuthenticator));
  assert.equal(toHex(alice.keys.epochAuthenticator), toHex(carol.keys.epochAuthenticator));

  // bob proposes an update, alice commits it
  const u = proposeUpdate(deps, bob);
  bob = u.group;
  alice = processMessage(deps, alice, u.message).group;
  carol = processMessage(deps, carol, u.message).group;
  const r3 = createCommit(deps, alice);
  alice = r3.group;
  bob = processMessage(deps, bob, r3.commit).group;
  carol = processMessage(deps, carol, r3.commit).group;
  assert.equal(toHex(bob.keys.epochAuthenticator), toHex(alice.keys.epochAuthenticator));
  assert.equal(toHex(carol.keys.epochAuthenticator), toHex(alice.keys.epochAuthenticator));

  // alice removes bob
  const r4 = createCommit(deps, alice, { proposals: [{ proposalType: 3, remove: { removed: bob.ownLeaf } }] });
  alice = r4.group;
  const pb = processMessage(deps, bob, r4.commit);
  assert.ok(pb.kind === 'commit' && pb.removedSelf);
  carol = processMessage(deps, carol, r4.commit).group;
  assert.equal(toHex(carol.keys.epochAuthenticator), toHex(alice.keys.epochAuthenticator));
  assert.equal(toHex(exportSecret(deps, carol, 'x', utf8('c'), 16)), toHex(exportSecret(deps, alice, 'x', utf8('c'), 16)));
});
