// RFC 9420 decoding rules the wire codecs enforce: known selectors, presence bytes, conditional fields, padding.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DecodeError } from '../src/errors.js';
import {
  decodeCommit,
  decodeCredential,
  decodeLeafNode,
  decodeMlsMessage,
  decodeProposal,
  decodeSender,
  encodeLeafNodeTbs,
  encodeMlsMessage,
  type LeafNode,
  privateMessageContentFromBytes,
} from '../src/wire/index.js';
import { hex, loadVectors, toHex } from './helpers/vectors.js';

const v0 = loadVectors<Record<string, string>>('messages')[0] as Record<string, string>;

test('unknown selectors are DecodeErrors', () => {
  assert.throws(() => decodeProposal(hex('0008')), DecodeError); // ProposalType 8
  assert.throws(() => decodeCredential(hex('000300')), DecodeError); // CredentialType 3
  assert.throws(() => decodeSender(hex('05')), DecodeError); // SenderType 5
  assert.throws(() => decodeMlsMessage(hex('00010006')), DecodeError); // WireFormat 6
  assert.throws(() => decodeMlsMessage(hex('00020001')), DecodeError); // version 2
});

test('optional presence byte must be 0 or 1', () => {
  assert.deepEqual(decodeCommit(hex('0000')), { proposals: [] });
  assert.throws(() => decodeCommit(hex('0002')), DecodeError);
});

test('membership_tag and confirmation_tag follow the sender and content type', () => {
  const pub = hex(v0.public_message_commit as string);
  const m = decodeMlsMessage(pub);
  assert.ok(m.wireFormat === 1);
  assert.equal(m.publicMessage.content.sender.senderType, 1);
  assert.ok(m.publicMessage.membershipTag && m.publicMessage.auth.confirmationTag);
  assert.throws(() => decodeMlsMessage(pub.subarray(0, pub.length - 1)), DecodeError);
  const app = decodeMlsMessage(hex(v0.public_message_application as string));
  assert.ok(app.wireFormat === 1 && app.publicMessage.auth.confirmationTag === undefined);
  assert.equal(toHex(encodeMlsMessage(app)), v0.public_message_application);
});

test('LeafNode: lifetime/parent_hash per source; LeafNodeTBS appends group id and leaf index for update/commit', () => {
  const base = {
    encryptionKey: hex('01'),
    signatureKey: hex('02'),
    credential: { credentialType: 1 as const, identity: hex('03') },
    capabilities: { versions: [1], cipherSuites: [1], extensions: [], proposals: [], credentials: [1] },
    extensions: [],
  };
  const kp: Omit<LeafNode, 'signature'> = { ...base, leafNodeSource: 1, lifetime: { notBefore: 0n, notAfter: 1n } };
  const upd: Omit<LeafNode, 'signature'> = { ...base, leafNodeSource: 2 };
  const kpTbs = encodeLeafNodeTbs(kp);
  assert.equal(decodeLeafNode(Uint8Array.from([...kpTbs, 0])).lifetime?.notAfter, 1n);
  const updTbs = encodeLeafNodeTbs(upd, hex('aabb'), 7);
  assert.equal(toHex(updTbs.subarray(updTbs.length - 7)), '02aabb00000007');
  assert.throws(() => decodeLeafNode(Uint8Array.from([...kpTbs.subarray(0, kpTbs.length - 17), 4, 0, 0])), DecodeError);
});

test('PrivateMessageContent padding must be zero', () => {
  // application: data<V> = 01 ff, signature<V> = 00, then padding
  assert.equal(privateMessageContentFromBytes(hex('01ff000000'), 1).paddingLength, 2);
  assert.throws(() => privateMessageContentFromBytes(hex('01ff000001'), 1), DecodeError);
});
