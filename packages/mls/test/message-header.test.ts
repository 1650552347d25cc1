// parseMlsHeader (RFC 9420 §6.2, §6.3): the clear header of real PublicMessages and PrivateMessages, and only
// DecodeError for anything else, random, truncated or of another wire format.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createNativeProvider, nativeRandom } from '../src/crypto/native/index.js';
import * as mls from '../src/index.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const deps: mls.GroupDeps = { crypto: createNativeProvider(), rng: nativeRandom, now: () => 1_800_000_000n };
const cred = (name: string): mls.Credential => ({ credentialType: 1, identity: utf8(name) });

test('header of a commit (PublicMessage), a proposal and an application message (PrivateMessage)', () => {
  const alice = mls.createGroup(deps, { cipherSuite: 1, credential: cred('alice'), config: { handshakeAsPrivate: false } });
  const bob = mls.createKeyPackage(deps, { cipherSuite: 1, credential: cred('bob') });
  const add = mls.addMembers(deps, alice, [bob.bytes]);
  assert.deepEqual(mls.parseMlsHeader(add.commit), {
    wireFormat: mls.WireFormat.mls_public_message,
    groupId: mls.groupId(alice),
    epoch: 0n,
    contentType: mls.ContentType.commit,
    authenticatedData: new Uint8Array(0),
  });
  const proposal = mls.proposeUpdateKey(deps, add.group);
  assert.equal(mls.parseMlsHeader(proposal.message).contentType, mls.ContentType.proposal);
  assert.equal(mls.parseMlsHeader(proposal.message).epoch, 1n);
  const app = mls.encryptMessage(deps, add.group, utf8('hi'), utf8('in the clear'));
  assert.deepEqual(mls.parseMlsHeader(app.message), {
    wireFormat: mls.WireFormat.mls_private_message,
    groupId: mls.groupId(alice),
    epoch: 1n,
    contentType: mls.ContentType.application,
    authenticatedData: utf8('in the clear'),
  });
  // Other wire formats are not routed by this header.
  assert.ok(add.welcome);
  assert.throws(() => mls.parseMlsHeader(add.welcome as Uint8Array), mls.DecodeError);
  assert.throws(() => mls.parseMlsHeader(bob.bytes), mls.DecodeError);
  // Every truncation of the header fails cleanly.
  const headerEnd = 4 + 1 + mls.groupId(alice).length + 8 + 1 + 1 + 'in the clear'.length;
  for (let i = 0; i < headerEnd; i++) assert.throws(() => mls.parseMlsHeader(app.message.subarray(0, i)), mls.DecodeError);
});

test('header: an unknown version, wire format, sender type or content type is a DecodeError', () => {
  const gid = [2, 0xaa, 0xbb];
  const epoch = [0, 0, 0, 0, 0, 0, 0, 5];
  const priv = (ct: number) => Uint8Array.from([0, 1, 0, 2, ...gid, ...epoch, ct, 0, 0]);
  assert.equal(mls.parseMlsHeader(priv(3)).epoch, 5n);
  assert.throws(() => mls.parseMlsHeader(priv(0)), mls.DecodeError);
  assert.throws(() => mls.parseMlsHeader(priv(4)), mls.DecodeError);
  const wrongVersion = priv(1);
  wrongVersion[1] = 2;
  assert.throws(() => mls.parseMlsHeader(wrongVersion), mls.DecodeError);
  const pub = (sender: number[]) => Uint8Array.from([0, 1, 0, 1, ...gid, ...epoch, ...sender, 0, 2]);
  assert.equal(mls.parseMlsHeader(pub([1, 0, 0, 0, 7])).contentType, 2); // member
  assert.equal(mls.parseMlsHeader(pub([2, 0, 0, 0, 0])).contentType, 2); // external
  assert.equal(mls.parseMlsHeader(pub([3])).contentType, 2); // new_member_proposal
  assert.throws(() => mls.parseMlsHeader(pub([5])), mls.DecodeError);
});

test('header: random bytes give a header or a DecodeError, nothing else', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom(1, 2), (body, wire) => {
      for (const b of [body, Uint8Array.from([0, 1, 0, wire, ...body])]) {
        try {
          const h = mls.parseMlsHeader(b);
          assert.ok(h.contentType >= 1 && h.contentType <= 3);
        } catch (e) {
          assert.ok(e instanceof mls.DecodeError);
        }
      }
    }),
    { numRuns: 2000 },
  );
});
