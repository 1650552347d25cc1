// RFC 9420 §2.1.2 variable-length integer headers against the IETF `deserialization.json` vectors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Reader, Writer } from '../src/codec/tls-codec.js';
import { DecodeError } from '../src/errors.js';
import { hex, loadVectors, toHex } from './helpers/vectors.js';

const cases = loadVectors<{ vlbytes_header: string; length: number }>('deserialization');

test('deserialization.json: vlbytes headers decode to their length and re-encode minimally', (t) => {
  assert.ok(cases.length > 0);
  for (const c of cases) {
    const r = new Reader(hex(c.vlbytes_header));
    assert.equal(r.varint(), c.length, c.vlbytes_header);
    r.done();
    assert.equal(toHex(new Writer().varint(c.length).finish()), c.vlbytes_header);
  }
  t.diagnostic(`deserialization.json: ${cases.length} cases`);
});

test('varint: the 0b11 prefix and non-minimal encodings are DecodeErrors', () => {
  for (const h of ['c0', 'ff00000000', '4000', '4001', '80003fff', '80000000']) {
    assert.throws(() => new Reader(hex(h)).varint(), DecodeError, h);
  }
});
