// Tests for the content format (docs/content-format.md): frozen vectors, round trips, forward compatibility, hostile input.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { decodeContent, encodeContent } from '../src/content/content-codec.js';
import { ContentError } from '../src/content/content-error.js';
import { type Content, type ContentBody, LIMITS, MAX_CONTENT_BYTES } from '../src/content/content-types.js';
import { TlvWriter } from '../src/content/tlv.js';
import { fromHex, toHex } from '../src/util/bytes.js';
import { SecretBytes } from '../src/util/secret-bytes.js';
import { CONTENT_FIXTURES, comparable } from './content-fixtures.js';

const vectors = JSON.parse(readFileSync(new URL('./vectors/content-v1.json', import.meta.url), 'utf8')) as {
  vectors: Record<string, string>;
};

function assertContentError(fn: () => unknown, code?: string): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ContentError, `expected ContentError, got ${String(e)}`);
    if (code) assert.equal(e.code, code);
    return;
  }
  assert.fail('expected a ContentError');
}

describe('content format: frozen vectors', () => {
  it('has a vector for every fixture and no orphan vectors', () => {
    assert.deepEqual(Object.keys(vectors.vectors).sort(), Object.keys(CONTENT_FIXTURES).sort());
  });
  for (const [name, content] of Object.entries(CONTENT_FIXTURES)) {
    it(`encodes and decodes the frozen vector "${name}"`, () => {
      const hex = vectors.vectors[name]!;
      assert.equal(toHex(encodeContent(content)), hex);
      assert.deepStrictEqual(comparable(decodeContent(fromHex(hex))), comparable(content));
    });
  }
});

const JPEG_MAGIC = [0xff, 0xd8, 0xff];
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const WEBP_MAGIC = [...new TextEncoder().encode('RIFF'), 0, 0, 0, 0, ...new TextEncoder().encode('WEBP')];

const id16 = fc.uint8Array({ minLength: 16, maxLength: 16 });
const str = (maxLength: number) => fc.string({ unit: 'grapheme', maxLength });
const uint = fc.nat({ max: Number.MAX_SAFE_INTEGER });
const ids = fc.array(id16, { minLength: 1, maxLength: 20 });

const bodyArb: fc.Arbitrary<ContentBody> = fc.oneof(
  fc.record({ type: fc.constant('text' as const), text: str(200) }),
  fc.record(
    { type: fc.constant('reply' as const), target: id16, text: str(50), quote: str(50) },
    { requiredKeys: ['type', 'target', 'text'] },
  ),
  fc.record({
    type: fc.constant('reaction' as const),
    target: id16,
    emoji: str(4).filter((s) => s.length > 0),
    action: fc.constantFrom('add' as const, 'remove' as const),
  }),
  fc.record({ type: fc.constant('edit' as const), target: id16, text: str(50) }),
  fc.record({ type: fc.constant('delete' as const), target: id16 }),
  fc.record(
    {
      type: fc.constant('attachment' as const),
      blobId: fc.uint8Array({ minLength: 1, maxLength: 64 }),
      contentKey: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((k) => new SecretBytes(k)),
      contentHash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      size: uint,
      mimeType: str(30).filter((s) => s.length > 0),
      fileName: str(30),
      dimensions: fc.record({ width: uint, height: uint }),
      thumbnail: fc
        .tuple(fc.constantFrom(JPEG_MAGIC, PNG_MAGIC, WEBP_MAGIC), fc.uint8Array({ maxLength: 40 }))
        .map(([magic, rest]) => new Uint8Array([...magic, ...rest])),
    },
    { requiredKeys: ['type', 'blobId', 'contentKey', 'contentHash', 'size', 'mimeType', 'fileName'] },
  ),
  fc.record({ type: fc.constant('delivery-receipt' as const), messageIds: ids }),
  fc.record({ type: fc.constant('read-receipt' as const), messageIds: ids }),
  fc.record({ type: fc.constant('typing' as const), state: fc.constantFrom('start' as const, 'stop' as const) }),
  fc.record({ type: fc.constant('disappearing-timer' as const), seconds: uint }),
  fc.record({ type: fc.constant('group-rename' as const), name: str(40) }),
  fc.record({
    type: fc.constant('role-change' as const),
    member: str(40).filter((s) => s.length > 0),
    role: fc.constantFrom('owner' as const, 'admin' as const, 'member' as const),
  }),
  fc.record(
    {
      type: fc.constant('device-link' as const),
      action: fc.constantFrom('linked' as const, 'unlinked' as const),
      deviceId: fc.uint8Array({ minLength: 1, maxLength: 32 }),
      deviceName: str(20),
    },
    { requiredKeys: ['type', 'action', 'deviceId'] },
  ),
  fc.record({
    type: fc.constant('unsupported' as const),
    typeId: fc.integer({ min: 14, max: 100_000 }),
    raw: fc.uint8Array({ maxLength: 40 }),
  }),
);

const contentArb: fc.Arbitrary<Content> = fc.record(
  { messageId: id16, sentAt: uint, expiresIn: uint, body: bodyArb },
  { requiredKeys: ['messageId', 'sentAt', 'body'] },
);

describe('content format: properties', () => {
  it('decode(encode(x)) equals x and re-encodes to the same bytes', () => {
    fc.assert(
      fc.property(contentArb, (c) => {
        const bytes = encodeContent(c);
        const back = decodeContent(bytes);
        assert.deepStrictEqual(comparable(back), comparable(c));
        assert.deepEqual(encodeContent(back), bytes);
      }),
      { numRuns: 500 },
    );
  });

  it('random bytes either decode or throw only ContentError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          decodeContent(bytes);
        } catch (e) {
          assert.ok(e instanceof ContentError, String(e));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('mutated valid encodings either decode or throw only ContentError', () => {
    const mutation = fc.record({ c: contentArb, pos: fc.nat(), byte: fc.nat({ max: 255 }), cut: fc.boolean() });
    fc.assert(
      fc.property(mutation, ({ c, pos, byte, cut }) => {
        const bytes = encodeContent(c);
        const p = pos % bytes.length;
        const mutated = cut ? bytes.slice(0, p) : bytes.slice();
        if (!cut) mutated[p] = byte;
        try {
          decodeContent(mutated);
        } catch (e) {
          assert.ok(e instanceof ContentError, String(e));
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('content format: compatibility and strictness', () => {
  const textHex = vectors.vectors.text!;

  it('skips unknown envelope fields from a newer version', () => {
    // append tag 9 (unknown), length 3, value 'abc'
    const extended = fromHex(`${textHex}0903616263`);
    assert.deepStrictEqual(comparable(decodeContent(extended)), comparable(CONTENT_FIXTURES.text));
  });

  it('skips unknown fields inside a known body', () => {
    const c: Content = { messageId: new Uint8Array(16), sentAt: 1, body: { type: 'delete', target: new Uint8Array(16).fill(9) } };
    const bytes = encodeContent(c);
    // body is the last field: 05 <len=18> 01 10 <16 bytes>; add field 7 inside it and fix the length
    const body = bytes.slice(bytes.length - 18);
    const newBody = new Uint8Array([...body, 0x07, 0x01, 0x2a]);
    const prefix = bytes.slice(0, bytes.length - 19);
    const patched = new Uint8Array([...prefix, newBody.length, ...newBody]);
    assert.deepStrictEqual(comparable(decodeContent(patched)), comparable(c));
  });

  it('decodes an unknown content type as unsupported', () => {
    const back = decodeContent(fromHex(vectors.vectors.unsupported!));
    assert.equal(back.body.type, 'unsupported');
  });

  it('rejects an unknown version byte', () =>
    assertContentError(() => decodeContent(fromHex(`02${textHex.slice(2)}`)), 'UNSUPPORTED_VERSION'));
  it('rejects empty input', () => assertContentError(() => decodeContent(new Uint8Array()), 'TRUNCATED'));
  it('rejects non-bytes', () => assertContentError(() => decodeContent('01' as unknown as Uint8Array), 'NOT_BYTES'));
  it('rejects a missing required field', () => assertContentError(() => decodeContent(fromHex('01020101')), 'MISSING_FIELD'));
  it('rejects duplicate tags', () => assertContentError(() => decodeContent(fromHex('01020101020101')), 'BAD_TAG_ORDER'));
  it('rejects descending tags', () => assertContentError(() => decodeContent(fromHex('0102010101020000')), 'BAD_TAG_ORDER'));
  it('rejects a non-minimal varint', () => assertContentError(() => decodeContent(fromHex('018100')), 'BAD_VARINT'));
  it('rejects a varint above 2^53 - 1', () => assertContentError(() => decodeContent(fromHex('01ffffffffffffff7f')), 'BAD_VARINT'));
  it('rejects a length running past the end', () => assertContentError(() => decodeContent(fromHex('010110aabb')), 'TRUNCATED'));
  it('rejects a wrong-length message id', () => assertContentError(() => decodeContent(fromHex('010102aabb')), 'BAD_LENGTH'));
  it('rejects oversized input', () => assertContentError(() => decodeContent(new Uint8Array(MAX_CONTENT_BYTES + 1)), 'TOO_LARGE'));
  it('rejects malformed UTF-8 in text', () => {
    const c: Content = { messageId: new Uint8Array(16), sentAt: 0, body: { type: 'text', text: 'ab' } };
    const bytes = encodeContent(c);
    bytes[bytes.length - 1] = 0xff;
    assertContentError(() => decodeContent(bytes), 'BAD_UTF8');
  });
  it('rejects an unknown enum value', () => {
    const bytes = fromHex(vectors.vectors['typing-start']!);
    bytes[bytes.length - 1] = 3;
    assertContentError(() => decodeContent(bytes), 'BAD_VALUE');
  });
  it('rejects half of the attachment dimensions', () => {
    const body = new TlvWriter()
      .field(1, fromHex('b10b'))
      .field(2, new Uint8Array(32))
      .field(3, new Uint8Array(32))
      .varintField(4, 1)
      .field(5, new TextEncoder().encode('a/b'))
      .field(6, new Uint8Array())
      .varintField(7, 10)
      .finish();
    const bytes = new TlvWriter().byte(1).field(1, new Uint8Array(16)).varintField(2, 0).varintField(4, 6).field(5, body).finish();
    assertContentError(() => decodeContent(bytes), 'MISSING_FIELD');
  });
  describe('attachment thumbnail (field 9)', () => {
    /** An attachment content whose body ends with field 9 holding `thumb`, written by hand (the encoder would refuse). */
    function withThumbnail(thumb: Uint8Array): Uint8Array {
      const body = new TlvWriter()
        .field(1, fromHex('b10b'))
        .field(2, new Uint8Array(32))
        .field(3, new Uint8Array(32))
        .varintField(4, 1)
        .field(5, new TextEncoder().encode('image/jpeg'))
        .field(6, new Uint8Array())
        .field(9, thumb)
        .finish();
      return new TlvWriter().byte(1).field(1, new Uint8Array(16)).varintField(2, 0).varintField(4, 6).field(5, body).finish();
    }
    const jpeg = (n: number) => new Uint8Array([...JPEG_MAGIC, ...new Uint8Array(n - JPEG_MAGIC.length)]);

    it('decodes an old attachment (no field 9) without a thumbnail', () => {
      const back = decodeContent(fromHex(vectors.vectors.attachment!));
      assert.ok(back.body.type === 'attachment' && back.body.thumbnail === undefined);
    });
    it('decodes a JPEG, PNG or WebP thumbnail up to LIMITS.thumbnail bytes', () => {
      for (const magic of [JPEG_MAGIC, PNG_MAGIC, WEBP_MAGIC]) {
        const back = decodeContent(withThumbnail(new Uint8Array([...magic, 1, 2, 3])));
        assert.ok(back.body.type === 'attachment' && back.body.thumbnail?.length === magic.length + 3);
      }
      const max = decodeContent(withThumbnail(jpeg(LIMITS.thumbnail)));
      assert.ok(max.body.type === 'attachment' && max.body.thumbnail?.length === LIMITS.thumbnail);
    });
    it('refuses an oversized thumbnail', () =>
      assertContentError(() => decodeContent(withThumbnail(jpeg(LIMITS.thumbnail + 1))), 'BAD_LENGTH'));
    it('refuses an empty thumbnail', () => assertContentError(() => decodeContent(withThumbnail(new Uint8Array())), 'BAD_LENGTH'));
    it('refuses a thumbnail that is not a JPEG, PNG or WebP image', () => {
      for (const bad of ['<svg xmlns="http://www.w3.org/2000/svg"/>', 'GIF89a......', 'RIFF....WAVE', '\xff\xd8']) {
        assertContentError(() => decodeContent(withThumbnail(new Uint8Array([...bad].map((c) => c.charCodeAt(0) & 0xff)))), 'BAD_VALUE');
      }
    });
    it('refuses to encode an oversized or non-image thumbnail', () => {
      const c = (thumbnail: Uint8Array): Content => {
        const body = { ...CONTENT_FIXTURES['attachment-thumbnail']!.body, thumbnail } as ContentBody;
        return { messageId: new Uint8Array(16), sentAt: 0, body };
      };
      assert.throws(() => encodeContent(c(jpeg(LIMITS.thumbnail + 1))), RangeError);
      assert.throws(() => encodeContent(c(new TextEncoder().encode('<svg/>'))), TypeError);
    });
  });
  it('refuses to encode an invalid structure with TypeError/RangeError', () => {
    assert.throws(() => encodeContent({ messageId: new Uint8Array(15), sentAt: 0, body: { type: 'text', text: '' } }), RangeError);
    assert.throws(() => encodeContent({ messageId: new Uint8Array(16), sentAt: -1, body: { type: 'text', text: '' } }), RangeError);
    assert.throws(() => encodeContent({ messageId: new Uint8Array(16), sentAt: 0, body: { type: 'text', text: '\ud800' } }), TypeError);
    assert.throws(
      () => encodeContent({ messageId: new Uint8Array(16), sentAt: 0, body: { type: 'unsupported', typeId: 1, raw: new Uint8Array() } }),
      RangeError,
    );
  });
  it('never prints an attachment content key', () => {
    const c = decodeContent(fromHex(vectors.vectors.attachment!));
    const shown = `${inspect(c, { depth: 10 })} ${JSON.stringify(c)} ${String(c.body.type === 'attachment' && c.body.contentKey)}`;
    assert.ok(!shown.includes('6b6b') && !shown.includes('107, 107'), shown);
    assert.match(shown, /redacted/);
  });
});
