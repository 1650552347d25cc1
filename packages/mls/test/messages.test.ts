// RFC 9420 wire codecs against the IETF `messages.json` vectors: every field decodes and re-encodes byte-identically.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeAdd,
  decodeCommit,
  decodeExternalInit,
  decodeGroupContextExtensions,
  decodeGroupSecrets,
  decodeMlsMessage,
  decodePreSharedKey,
  decodeRatchetTree,
  decodeReInit,
  decodeRemove,
  decodeUpdate,
  encodeAdd,
  encodeCommit,
  encodeExternalInit,
  encodeGroupContextExtensions,
  encodeGroupSecrets,
  encodeMlsMessage,
  encodePreSharedKey,
  encodeRatchetTree,
  encodeReInit,
  encodeRemove,
  encodeUpdate,
  WireFormat,
} from '../src/wire/index.js';
import { hex, loadVectors, toHex } from './helpers/vectors.js';

type Case = Record<string, string>;
const cases = loadVectors<Case>('messages');

// biome-ignore lint/suspicious/noExplicitAny: a table of heterogeneous codecs
type Codec = { dec: (b: Uint8Array) => any; enc: (v: any) => Uint8Array; wire?: number };
const fields: Record<string, Codec> = {
  mls_welcome: { dec: decodeMlsMessage, enc: encodeMlsMessage, wire: WireFormat.mls_welcome },
  mls_group_info: { dec: decodeMlsMessage, enc: encodeMlsMessage, wire: WireFormat.mls_group_info },
  mls_key_package: { dec: decodeMlsMessage, enc: encodeMlsMessage, wire: WireFormat.mls_key_package },
  ratchet_tree: { dec: decodeRatchetTree, enc: encodeRatchetTree },
  group_secrets: { dec: decodeGroupSecrets, enc: encodeGroupSecrets },
  add_proposal: { dec: decodeAdd, enc: encodeAdd },
  update_proposal: { dec: decodeUpdate, enc: encodeUpdate },
  remove_proposal: { dec: decodeRemove, enc: encodeRemove },
  pre_shared_key_proposal: { dec: decodePreSharedKey, enc: encodePreSharedKey },
  re_init_proposal: { dec: decodeReInit, enc: encodeReInit },
  external_init_proposal: { dec: decodeExternalInit, enc: encodeExternalInit },
  group_context_extensions_proposal: { dec: decodeGroupContextExtensions, enc: encodeGroupContextExtensions },
  commit: { dec: decodeCommit, enc: encodeCommit },
  public_message_application: { dec: decodeMlsMessage, enc: encodeMlsMessage, wire: WireFormat.mls_public_message },
  public_message_proposal: { dec: decodeMlsMessage, enc: encodeMlsMessage, wire: WireFormat.mls_public_message },
  public_message_commit: { dec: decodeMlsMessage, enc: encodeMlsMessage, wire: WireFormat.mls_public_message },
  private_message: { dec: decodeMlsMessage, enc: encodeMlsMessage, wire: WireFormat.mls_private_message },
};

test('messages.json: every field round-trips byte-identically', (t) => {
  assert.ok(cases.length > 0);
  let checked = 0;
  cases.forEach((c, i) => {
    for (const [name, codec] of Object.entries(fields)) {
      const h = c[name];
      assert.equal(typeof h, 'string', `case ${i} lacks ${name}`);
      const v = codec.dec(hex(h as string));
      if (codec.wire !== undefined) assert.equal(v.wireFormat, codec.wire, `case ${i} ${name} wire format`);
      assert.equal(toHex(codec.enc(v)), h, `case ${i} ${name}`);
      checked++;
    }
  });
  t.diagnostic(`messages.json: ${cases.length} cases, ${checked} fields round-tripped`);
});

test('messages.json: public messages carry the expected content types', () => {
  const expected = { public_message_application: 1, public_message_proposal: 2, public_message_commit: 3 } as const;
  for (const c of cases) {
    for (const [name, ct] of Object.entries(expected)) {
      const m = decodeMlsMessage(hex(c[name] as string));
      assert.ok(m.wireFormat === WireFormat.mls_public_message);
      assert.equal(m.publicMessage.content.contentType, ct);
    }
  }
});
