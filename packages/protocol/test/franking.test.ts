// Franking (docs/franking.md): frozen vectors for the commitment and the stamp, checked against node:crypto's HMAC as
// an independent implementation, and the shapes every side must refuse.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  COMMITMENT_BYTES,
  commitmentOpens,
  decodeFrankedPlaintext,
  decodeFrankingAad,
  encodeFrankingAad,
  FRANKING_KEY_BYTES,
  frank,
  frankingCommitment,
  FrankingError,
  frankingStamp,
  stampInput,
  stampMatches,
} from '../src/index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const utf8 = (s: string) => new TextEncoder().encode(s);

// Frozen: a change to the labels, the layout or the MAC breaks every stored report and evidence package.
const V = {
  key: unhex('000102030405060708090a0b0c0d0e0f'),
  content: utf8('\x01franking test vector'),
  commitment: 'a1a3277cb394da5e8da4d8a2de04f3c038afcc7222820c858100ce9a870501d9',
  serverKey: Uint8Array.from({ length: 32 }, (_, i) => 0xa0 + i),
  fields: {
    groupId: Uint8Array.from([1, 2, 3, 4]),
    senderDevice: 'dev-sender',
    senderAccount: 'sam@example.org',
    recipientDevice: 'dev-recipient',
    receivedAt: 1764547200000,
  },
  stampInput:
    '736f74746f2f6672616e6b696e672f76312f7374616d700020a1a3277cb394da5e8da4d8a2de04f3c038afcc7222820c858100ce9a870501d9' +
    '000401020304000a6465762d73656e646572000f73616d406578616d706c652e6f7267000d6465762d726563697069656e740000019ad7358400',
  stamp: 'af83cb11864f34b7cd86ebe47c939d3541cceba374c8531c7920b95508243521',
};

describe('franking vectors', () => {
  it('commitment = HMAC-SHA256(key, "sotto/franking/v1/commitment" || content)', () => {
    assert.equal(hex(frankingCommitment(V.key, V.content)), V.commitment);
    const independent = createHmac('sha256', V.key).update('sotto/franking/v1/commitment').update(V.content).digest();
    assert.equal(hex(independent), V.commitment);
  });

  it('stamp = HMAC-SHA256(server key, stampInput), the input length-prefixed field by field', () => {
    const f = { ...V.fields, commitment: unhex(V.commitment) };
    assert.equal(hex(stampInput(f)), V.stampInput);
    assert.equal(hex(frankingStamp(V.serverKey, f)), V.stamp);
    assert.equal(hex(createHmac('sha256', V.serverKey).update(unhex(V.stampInput)).digest()), V.stamp);
    assert.ok(stampMatches(V.serverKey, f, unhex(V.stamp)));
  });

  it('a franked message: application data = key || content, authenticated data = 0x01 || commitment', () => {
    const f = frank(V.key, V.content);
    assert.equal(hex(f.applicationData), hex(V.key) + hex(V.content));
    assert.equal(hex(f.authenticatedData), `01${V.commitment}`);
    const opened = decodeFrankedPlaintext(f.applicationData);
    assert.deepEqual([hex(opened.key), hex(opened.content)], [hex(V.key), hex(V.content)]);
    assert.equal(hex(decodeFrankingAad(f.authenticatedData)), V.commitment);
  });
});

describe('franking refusals', () => {
  it('a commitment opens only to its content under its key', () => {
    const c = unhex(V.commitment);
    assert.ok(commitmentOpens(V.key, V.content, c));
    assert.ok(!commitmentOpens(V.key, utf8('\x01franking test vectoR'), c), 'another content');
    const k2 = V.key.slice();
    k2[0]! ^= 1;
    assert.ok(!commitmentOpens(k2, V.content, c), 'another key');
    // HMAC pads a short key with zeros: k and k||00 would give the same MAC; only 16-byte keys are accepted.
    assert.ok(!commitmentOpens(Uint8Array.from([...V.key, 0]), V.content, c), 'a padded key');
    assert.throws(() => frankingCommitment(V.key.subarray(0, 15), V.content), FrankingError);
    assert.ok(!commitmentOpens(V.key, V.content, c.subarray(0, 31)), 'a truncated commitment');
  });

  it('stamps differ in every field they cover', () => {
    const f = { ...V.fields, commitment: unhex(V.commitment) };
    const base = hex(frankingStamp(V.serverKey, f));
    const variants = [
      { ...f, commitment: new Uint8Array(COMMITMENT_BYTES) },
      { ...f, groupId: Uint8Array.from([1, 2, 3, 5]) },
      { ...f, senderDevice: 'dev-senders' },
      { ...f, senderAccount: 'sam@example.net' },
      { ...f, recipientDevice: 'dev-other' },
      { ...f, receivedAt: f.receivedAt + 1 },
      // Length prefixes: moving a byte from one field to the next changes the input.
      { ...f, senderDevice: 'dev-sendersam@example.org', senderAccount: '' },
    ];
    for (const v of variants) assert.notEqual(hex(frankingStamp(V.serverKey, v)), base);
    assert.ok(!stampMatches(new Uint8Array(32), f, unhex(V.stamp)), 'another server key');
  });

  it('authenticated data that is not exactly version 1 || 32 bytes is refused', () => {
    const aad = encodeFrankingAad(unhex(V.commitment));
    for (const bad of [new Uint8Array(0), aad.subarray(0, 32), Uint8Array.from([...aad, 0]), Uint8Array.from([2, ...aad.subarray(1)])])
      assert.throws(() => decodeFrankingAad(bad), FrankingError);
    assert.throws(() => decodeFrankedPlaintext(new Uint8Array(FRANKING_KEY_BYTES)), FrankingError, 'a key and no content');
  });

  it('property: frank then open round-trips, and any flipped content bit fails to open', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: FRANKING_KEY_BYTES, maxLength: FRANKING_KEY_BYTES }),
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.nat(),
        (key, content, at) => {
          const f = frank(key, content);
          const o = decodeFrankedPlaintext(f.applicationData);
          const c = decodeFrankingAad(f.authenticatedData);
          assert.ok(commitmentOpens(o.key, o.content, c));
          const flipped = content.slice();
          const i = at % flipped.length;
          flipped[i]! ^= 1 << (at % 8);
          assert.ok(!commitmentOpens(key, flipped, c));
        },
      ),
      { numRuns: 200 },
    );
  });
});
