// Tests for the wire contract: the server-frame decoder on good and bad frames, the HTTP body decoders, and limits.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  decodeAccountLookupResponse,
  decodeDeclinedRequestResponse,
  decodeDeleteGroupResponse,
  decodeErrorBody,
  decodeFetchMessagesResponse,
  decodeGroupView,
  decodeServerFrame,
  decodeSubmitResponse,
  encodeClientFrame,
  ERROR_CODES,
  isErrorCode,
  MAX_ACK_IDS,
  MAX_FETCH_PAGE,
  type ServerFrame,
  WireError,
} from '../src/index.js';

const message = { type: 'message', id: 7, groupId: 'AAEC', kind: 'message', data: 'aGk=', createdAt: 1_700_000_000_000 };

function rejects(text: string, path: string, rid?: number): void {
  assert.throws(
    () => decodeServerFrame(text),
    (e: unknown) => e instanceof WireError && e.code === 'MALFORMED' && e.path === path && e.rid === rid,
  );
}

describe('decodeServerFrame: good frames', () => {
  it('decodes each server frame type', () => {
    const cases: Array<[unknown, ServerFrame]> = [
      [
        { type: 'ready', deviceId: 'd1' },
        { type: 'ready', deviceId: 'd1' },
      ],
      [message, { ...message, kind: 'message' } as ServerFrame],
      [{ ...message, kind: 'welcome' }, { ...message, kind: 'welcome' } as ServerFrame],
      [
        { type: 'sent', rid: 3, messageId: 9, epoch: '18446744073709551615' },
        { type: 'sent', rid: 3, messageId: 9, epoch: '18446744073709551615' },
      ],
      [
        { type: 'acked', rid: 4, acked: 2 },
        { type: 'acked', rid: 4, acked: 2 },
      ],
      [{ type: 'pong' }, { type: 'pong' }],
      [
        { type: 'pong', rid: 5 },
        { type: 'pong', rid: 5 },
      ],
    ];
    for (const [input, out] of cases) assert.deepEqual(decodeServerFrame(JSON.stringify(input)), out);
  });

  it('puts the extra fields of an error frame in details', () => {
    const f = decodeServerFrame(JSON.stringify({ type: 'error', rid: 2, code: 'STALE_EPOCH', message: 'epoch 4', currentEpoch: '4' }));
    assert.deepEqual(f, { type: 'error', rid: 2, code: 'STALE_EPOCH', message: 'epoch 4', details: { currentEpoch: '4' } });
    const g = decodeServerFrame(JSON.stringify({ type: 'error', code: 'UNAUTHORIZED', message: 'no' }));
    assert.deepEqual(g, { type: 'error', code: 'UNAUTHORIZED', message: 'no', details: {} });
  });

  it('lets unknown extra fields through', () => {
    assert.deepEqual(decodeServerFrame(JSON.stringify({ type: 'ready', deviceId: 'd', later: 1 })), { type: 'ready', deviceId: 'd' });
  });

  it('round-trips every message frame', () => {
    const b64 = fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('base64'));
    fc.assert(
      fc.property(
        fc.record({
          id: fc.nat(),
          groupId: b64,
          kind: fc.constantFrom('message' as const, 'welcome' as const),
          data: b64,
          createdAt: fc.nat(),
        }),
        (m) => {
          assert.deepEqual(decodeServerFrame(JSON.stringify({ type: 'message', ...m })), { type: 'message', ...m });
        },
      ),
    );
  });
});

describe('decodeServerFrame: bad frames are a WireError naming the field, never the value', () => {
  it('refuses text that is not a JSON object', () => {
    rejects('not json', 'frame');
    rejects('[]', 'frame');
    rejects('null', 'frame');
    rejects('"ready"', 'frame');
  });

  it('refuses an unknown or missing type', () => {
    rejects('{"type":"shout"}', 'frame.type');
    rejects('{"deviceId":"d"}', 'frame.type');
  });

  it('refuses missing and mistyped fields', () => {
    rejects('{"type":"ready"}', 'frame.deviceId');
    rejects(JSON.stringify({ ...message, id: '7' }), 'frame.id');
    rejects(JSON.stringify({ ...message, id: -1 }), 'frame.id');
    rejects(JSON.stringify({ ...message, id: 1.5 }), 'frame.id');
    rejects(JSON.stringify({ ...message, kind: 'other' }), 'frame.kind');
    rejects(JSON.stringify({ ...message, data: 'not base64!' }), 'frame.data');
    rejects(JSON.stringify({ ...message, groupId: 'abc' }), 'frame.groupId');
    rejects(JSON.stringify({ ...message, createdAt: null }), 'frame.createdAt');
  });

  it('carries the rid of a bad answer, so the request it answers can fail', () => {
    rejects('{"type":"sent","rid":3,"messageId":9,"epoch":4}', 'frame.epoch', 3);
    rejects('{"type":"sent","rid":3,"messageId":9,"epoch":"04"}', 'frame.epoch', 3);
    rejects('{"type":"sent","rid":3,"messageId":9,"epoch":"18446744073709551616"}', 'frame.epoch', 3);
    rejects('{"type":"sent","rid":3,"epoch":"4"}', 'frame.messageId', 3);
    rejects('{"type":"error","rid":8,"code":"NOT_A_CODE","message":"x"}', 'frame.code', 8);
    rejects('{"type":"error","rid":8,"code":"CONFLICT"}', 'frame.message', 8);
    rejects('{"type":"sent","rid":"3","messageId":9,"epoch":"4"}', 'frame.rid');
  });

  it('does not put the offending value in the message', () => {
    try {
      decodeServerFrame(JSON.stringify({ type: 'auth-echo-secret-token' }));
      assert.fail('accepted');
    } catch (e) {
      assert.ok(e instanceof WireError);
      assert.doesNotMatch(e.message, /secret/);
    }
  });

  it('never throws anything but WireError on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        try {
          decodeServerFrame(text);
        } catch (e) {
          assert.ok(e instanceof WireError, String(e));
        }
      }),
    );
  });
});

describe('client frames', () => {
  it('encodes as JSON text', () => {
    assert.equal(encodeClientFrame({ type: 'ack', ids: [1, 2] }), '{"type":"ack","ids":[1,2]}');
    assert.deepEqual(JSON.parse(encodeClientFrame({ type: 'send', rid: 1, message: 'aGk=' })), { type: 'send', rid: 1, message: 'aGk=' });
  });
});

describe('HTTP body decoders', () => {
  it('decode the fields a client reads', () => {
    assert.deepEqual(decodeSubmitResponse({ messageId: 3, epoch: '2' }), { messageId: 3, epoch: '2' });
    assert.deepEqual(decodeGroupView({ groupId: 'AA==', epoch: '0', members: ['d1'] }), { groupId: 'AA==', epoch: '0', members: ['d1'] });
    assert.deepEqual(decodeDeleteGroupResponse({ deleted: true }), { deleted: true });
    assert.deepEqual(decodeDeclinedRequestResponse({ counted: false }), { counted: false });
    const { type: _type, ...queued } = message;
    assert.deepEqual(decodeFetchMessagesResponse({ messages: [message] }), { messages: [queued] });
    const lookup = { name: 'bob@x', accountKey: 'AAAA', devices: [{ deviceId: 'd', certificate: 'AQID' }] };
    assert.deepEqual(decodeAccountLookupResponse(lookup), lookup);
  });

  it('refuse a malformed body with the path of the field', () => {
    const bad = (f: () => unknown, path: string) => assert.throws(f, (e: unknown) => e instanceof WireError && e.path === path);
    bad(() => decodeSubmitResponse({ messageId: 3 }), 'body.epoch');
    bad(() => decodeGroupView({ groupId: 'AA==', epoch: '0', members: ['d1', 2] }), 'body.members[1]');
    bad(() => decodeFetchMessagesResponse({ messages: [{ ...message, data: 5 }] }), 'body.messages[0].data');
    bad(() => decodeAccountLookupResponse({ name: 'b', accountKey: 'AAAA', devices: [{ deviceId: 'd' }] }), 'body.devices[0].certificate');
    bad(() => decodeSubmitResponse('text'), 'body');
    bad(() => decodeDeleteGroupResponse({ deleted: 'yes' }), 'body.deleted');
    bad(() => decodeDeclinedRequestResponse({}), 'body.counted');
  });

  it('read an error body only with a known code', () => {
    assert.deepEqual(decodeErrorBody({ error: { code: 'STALE_EPOCH', message: 'm', currentEpoch: '9' } }), {
      code: 'STALE_EPOCH',
      message: 'm',
      details: { currentEpoch: '9' },
    });
    assert.equal(decodeErrorBody({ error: { code: 'NOPE', message: 'm' } }), undefined);
    assert.equal(decodeErrorBody({ error: 'x' }), undefined);
    assert.equal(decodeErrorBody(null), undefined);
  });
});

describe('codes and limits', () => {
  it('knows every error code and nothing else', () => {
    for (const c of Object.keys(ERROR_CODES)) assert.ok(isErrorCode(c));
    assert.equal(isErrorCode('toString'), false);
    assert.equal(isErrorCode(4), false);
  });

  it('pins the contract limits', () => {
    assert.equal(MAX_ACK_IDS, 1000);
    assert.equal(MAX_FETCH_PAGE, 500);
  });
});

describe('portability', () => {
  it('depends on @noble/hashes alone (portable, for franking) and imports nothing from node:* (it runs in the browser)', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys((pkg.dependencies as Record<string, string> | undefined) ?? {}), ['@noble/hashes']);
    const src = new URL('../src/', import.meta.url);
    for (const f of readdirSync(src)) {
      const text = readFileSync(new URL(f, src), 'utf8');
      assert.doesNotMatch(text.replaceAll(/from '@noble\/hashes\/[a-z0-9]+\.js'/g, ''), /from '(node:|[a-z@])/, f);
    }
  });
});
