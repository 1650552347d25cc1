// Content codec: encodes and decodes Content to the versioned tagged-TLV format of docs/content-format.md.

import { utf8, utf8DecodeStrict } from '../util/bytes.js';
import { type RandomBytes, SecretBytes } from '../util/secret-bytes.js';
import { ContentError } from './content-error.js';
import {
  CONTENT_FORMAT_VERSION,
  CONTENT_TYPE_IDS,
  type Content,
  type ContentBody,
  type KnownContentType,
  LIMITS,
  MAX_CONTENT_BYTES,
  MESSAGE_ID_BYTES,
  type MessageId,
  type Role,
} from './content-types.js';
import { thumbnailMimeType } from './thumbnail.js';
import { decodeVarintValue, readFields, TlvReader, TlvWriter } from './tlv.js';

/** Envelope field tags (docs §3). */
const ENV = { messageId: 1, sentAt: 2, expiresIn: 3, contentType: 4, body: 5 } as const;

const TYPE_BY_ID = new Map<number, KnownContentType>(Object.entries(CONTENT_TYPE_IDS).map(([name, id]) => [id, name as KnownContentType]));

const ROLES: readonly Role[] = ['owner', 'admin', 'member']; // wire values 1, 2, 3
const REACTION_ACTIONS = ['add', 'remove'] as const; // wire values 1, 2
const TYPING_STATES = ['start', 'stop'] as const; // wire values 1, 2
const LINK_ACTIONS = ['linked', 'unlinked'] as const; // wire values 1, 2

/** A fresh random message id. */
export function newMessageId(randomBytes: RandomBytes): MessageId {
  const id = randomBytes(MESSAGE_ID_BYTES);
  if (id.length !== MESSAGE_ID_BYTES) throw new RangeError('randomBytes returned the wrong length');
  return id;
}

// ---------- encoding ----------

function enumValue<T extends string>(values: readonly T[], v: T, what: string): number {
  const i = values.indexOf(v);
  if (i < 0) throw new TypeError(`${what}: unknown value`);
  return i + 1;
}

function checkBytes(b: Uint8Array, min: number, max: number, what: string): Uint8Array {
  if (!(b instanceof Uint8Array)) throw new TypeError(`${what}: not a Uint8Array`);
  if (b.length < min || b.length > max) throw new RangeError(`${what}: length ${b.length} outside [${min}, ${max}]`);
  return b;
}

function text(s: string, min: number, max: number, what: string): Uint8Array {
  if (typeof s !== 'string') throw new TypeError(`${what}: not a string`);
  const bytes = utf8(s);
  if (utf8DecodeStrict(bytes) !== s) throw new TypeError(`${what}: lone surrogate`);
  return checkBytes(bytes, min, max, what);
}

function packIds(ids: MessageId[], what: string): Uint8Array {
  if (ids.length < 1 || ids.length > LIMITS.receiptIds) throw new RangeError(`${what}: count outside [1, ${LIMITS.receiptIds}]`);
  const out = new Uint8Array(ids.length * MESSAGE_ID_BYTES);
  ids.forEach((id, i) => {
    out.set(checkBytes(id, MESSAGE_ID_BYTES, MESSAGE_ID_BYTES, what), i * MESSAGE_ID_BYTES);
  });
  return out;
}

function thumbnail(b: Uint8Array): Uint8Array {
  checkBytes(b, 1, LIMITS.thumbnail, 'attachment.thumbnail');
  if (thumbnailMimeType(b) === undefined) throw new TypeError('attachment.thumbnail: not a JPEG, PNG or WebP image');
  return b;
}

const id16 = (id: MessageId, what: string) => checkBytes(id, MESSAGE_ID_BYTES, MESSAGE_ID_BYTES, what);

function encodeBody(body: ContentBody): Uint8Array {
  const w = new TlvWriter();
  switch (body.type) {
    case 'text':
      w.field(1, text(body.text, 0, LIMITS.text, 'text'));
      break;
    case 'reply':
      w.field(1, id16(body.target, 'reply.target')).field(2, text(body.text, 0, LIMITS.text, 'reply.text'));
      if (body.quote !== undefined) w.field(3, text(body.quote, 0, LIMITS.quote, 'reply.quote'));
      break;
    case 'reaction':
      w.field(1, id16(body.target, 'reaction.target'))
        .field(2, text(body.emoji, 1, LIMITS.emoji, 'reaction.emoji'))
        .varintField(3, enumValue(REACTION_ACTIONS, body.action, 'reaction.action'));
      break;
    case 'edit':
      w.field(1, id16(body.target, 'edit.target')).field(2, text(body.text, 0, LIMITS.text, 'edit.text'));
      break;
    case 'delete':
      w.field(1, id16(body.target, 'delete.target'));
      break;
    case 'attachment':
      w.field(1, checkBytes(body.blobId, 1, LIMITS.blobId, 'attachment.blobId'))
        .field(2, checkBytes(body.contentKey.expose(), 32, 32, 'attachment.contentKey'))
        .field(3, checkBytes(body.contentHash, 32, 32, 'attachment.contentHash'))
        .varintField(4, body.size)
        .field(5, text(body.mimeType, 1, LIMITS.mimeType, 'attachment.mimeType'))
        .field(6, text(body.fileName, 0, LIMITS.fileName, 'attachment.fileName'));
      if (body.dimensions) w.varintField(7, body.dimensions.width).varintField(8, body.dimensions.height);
      if (body.thumbnail !== undefined) w.field(9, thumbnail(body.thumbnail));
      break;
    case 'delivery-receipt':
    case 'read-receipt':
      w.field(1, packIds(body.messageIds, `${body.type}.messageIds`));
      break;
    case 'typing':
      w.varintField(1, enumValue(TYPING_STATES, body.state, 'typing.state'));
      break;
    case 'disappearing-timer':
      w.varintField(1, body.seconds);
      break;
    case 'group-rename':
      w.field(1, text(body.name, 0, LIMITS.groupName, 'group-rename.name'));
      break;
    case 'role-change':
      w.field(1, text(body.member, 1, LIMITS.member, 'role-change.member')).varintField(2, enumValue(ROLES, body.role, 'role-change.role'));
      break;
    case 'device-link':
      w.varintField(1, enumValue(LINK_ACTIONS, body.action, 'device-link.action')).field(
        2,
        checkBytes(body.deviceId, 1, LIMITS.deviceId, 'device-link.deviceId'),
      );
      if (body.deviceName !== undefined) w.field(3, text(body.deviceName, 0, LIMITS.deviceName, 'device-link.deviceName'));
      break;
    case 'unsupported':
      return checkBytes(body.raw, 0, MAX_CONTENT_BYTES, 'unsupported.raw');
    default:
      throw new TypeError('content body: unknown type');
  }
  return w.finish();
}

/** Encode a Content. Throws TypeError/RangeError for a caller-side invalid structure. */
export function encodeContent(content: Content): Uint8Array {
  const typeId = content.body.type === 'unsupported' ? content.body.typeId : CONTENT_TYPE_IDS[content.body.type];
  if (content.body.type === 'unsupported' && (TYPE_BY_ID.has(typeId) || !Number.isSafeInteger(typeId) || typeId < 1)) {
    throw new RangeError('unsupported.typeId: must be an unknown positive type id');
  }
  const w = new TlvWriter().byte(CONTENT_FORMAT_VERSION);
  w.field(ENV.messageId, id16(content.messageId, 'messageId')).varintField(ENV.sentAt, content.sentAt);
  if (content.expiresIn !== undefined) w.varintField(ENV.expiresIn, content.expiresIn);
  w.varintField(ENV.contentType, typeId).field(ENV.body, encodeBody(content.body));
  const out = w.finish();
  if (out.length > MAX_CONTENT_BYTES) throw new RangeError('content exceeds MAX_CONTENT_BYTES');
  return out;
}

// ---------- decoding ----------

/** Typed accessors over one TLV field map; every failure is a ContentError naming the field. */
class Fields {
  readonly #map: Map<number, Uint8Array>;
  readonly #where: string;

  constructor(bytes: Uint8Array, where: string) {
    this.#map = readFields(bytes);
    this.#where = where;
  }

  bytes(tag: number, name: string, min: number, max: number): Uint8Array {
    const v = this.optBytes(tag, name, min, max);
    if (v === undefined) throw new ContentError('MISSING_FIELD', `${this.#where}.${name}`);
    return v;
  }

  optBytes(tag: number, name: string, min: number, max: number): Uint8Array | undefined {
    const v = this.#map.get(tag);
    if (v === undefined) return undefined;
    if (v.length < min || v.length > max) throw new ContentError('BAD_LENGTH', `${this.#where}.${name}`);
    return v.slice();
  }

  text(tag: number, name: string, min: number, max: number): string {
    const v = this.optText(tag, name, min, max);
    if (v === undefined) throw new ContentError('MISSING_FIELD', `${this.#where}.${name}`);
    return v;
  }

  optText(tag: number, name: string, min: number, max: number): string | undefined {
    const v = this.optBytes(tag, name, min, max);
    if (v === undefined) return undefined;
    try {
      return utf8DecodeStrict(v);
    } catch {
      throw new ContentError('BAD_UTF8', `${this.#where}.${name}`);
    }
  }

  uint(tag: number, name: string): number {
    const v = this.optUint(tag, name);
    if (v === undefined) throw new ContentError('MISSING_FIELD', `${this.#where}.${name}`);
    return v;
  }

  optUint(tag: number, name: string): number | undefined {
    const v = this.#map.get(tag);
    return v === undefined ? undefined : decodeVarintValue(v, `${this.#where}.${name}`);
  }

  enumOf<T>(tag: number, name: string, values: readonly T[]): T {
    const v = values[this.uint(tag, name) - 1];
    if (v === undefined) throw new ContentError('BAD_VALUE', `${this.#where}.${name}`);
    return v;
  }

  id(tag: number, name: string): MessageId {
    return this.bytes(tag, name, MESSAGE_ID_BYTES, MESSAGE_ID_BYTES);
  }

  ids(tag: number, name: string): MessageId[] {
    const packed = this.bytes(tag, name, MESSAGE_ID_BYTES, MESSAGE_ID_BYTES * LIMITS.receiptIds);
    if (packed.length % MESSAGE_ID_BYTES !== 0) throw new ContentError('BAD_LENGTH', `${this.#where}.${name}`);
    const out: MessageId[] = [];
    for (let i = 0; i < packed.length; i += MESSAGE_ID_BYTES) out.push(packed.slice(i, i + MESSAGE_ID_BYTES));
    return out;
  }
}

function decodeBody(type: KnownContentType, bytes: Uint8Array): ContentBody {
  const f = new Fields(bytes, type);
  switch (type) {
    case 'text':
      return { type, text: f.text(1, 'text', 0, LIMITS.text) };
    case 'reply': {
      const body: ContentBody = { type, target: f.id(1, 'target'), text: f.text(2, 'text', 0, LIMITS.text) };
      const quote = f.optText(3, 'quote', 0, LIMITS.quote);
      if (quote !== undefined) body.quote = quote;
      return body;
    }
    case 'reaction':
      return {
        type,
        target: f.id(1, 'target'),
        emoji: f.text(2, 'emoji', 1, LIMITS.emoji),
        action: f.enumOf(3, 'action', REACTION_ACTIONS),
      };
    case 'edit':
      return { type, target: f.id(1, 'target'), text: f.text(2, 'text', 0, LIMITS.text) };
    case 'delete':
      return { type, target: f.id(1, 'target') };
    case 'attachment': {
      const body: ContentBody = {
        type,
        blobId: f.bytes(1, 'blobId', 1, LIMITS.blobId),
        contentKey: new SecretBytes(f.bytes(2, 'contentKey', 32, 32)),
        contentHash: f.bytes(3, 'contentHash', 32, 32),
        size: f.uint(4, 'size'),
        mimeType: f.text(5, 'mimeType', 1, LIMITS.mimeType),
        fileName: f.text(6, 'fileName', 0, LIMITS.fileName),
      };
      const width = f.optUint(7, 'width');
      const height = f.optUint(8, 'height');
      if ((width === undefined) !== (height === undefined)) throw new ContentError('MISSING_FIELD', 'attachment.dimensions');
      if (width !== undefined && height !== undefined) body.dimensions = { width, height };
      const thumb = f.optBytes(9, 'thumbnail', 1, LIMITS.thumbnail);
      if (thumb !== undefined && thumbnailMimeType(thumb) === undefined) throw new ContentError('BAD_VALUE', 'attachment.thumbnail');
      if (thumb !== undefined) body.thumbnail = thumb;
      return body;
    }
    case 'delivery-receipt':
    case 'read-receipt':
      return { type, messageIds: f.ids(1, 'messageIds') };
    case 'typing':
      return { type, state: f.enumOf(1, 'state', TYPING_STATES) };
    case 'disappearing-timer':
      return { type, seconds: f.uint(1, 'seconds') };
    case 'group-rename':
      return { type, name: f.text(1, 'name', 0, LIMITS.groupName) };
    case 'role-change':
      return { type, member: f.text(1, 'member', 1, LIMITS.member), role: f.enumOf(2, 'role', ROLES) };
    case 'device-link': {
      const body: ContentBody = { type, action: f.enumOf(1, 'action', LINK_ACTIONS), deviceId: f.bytes(2, 'deviceId', 1, LIMITS.deviceId) };
      const deviceName = f.optText(3, 'deviceName', 0, LIMITS.deviceName);
      if (deviceName !== undefined) body.deviceName = deviceName;
      return body;
    }
  }
}

/**
 * Decode and validate a Content. Unknown fields are skipped; an unknown content type decodes to an
 * `unsupported` body. Every failure, whatever the input, is a ContentError.
 */
export function decodeContent(bytes: Uint8Array): Content {
  if (!(bytes instanceof Uint8Array)) throw new ContentError('NOT_BYTES', 'input is not a Uint8Array');
  if (bytes.length > MAX_CONTENT_BYTES) throw new ContentError('TOO_LARGE', `input exceeds ${MAX_CONTENT_BYTES} bytes`);
  const reader = new TlvReader(bytes);
  const version = reader.byte();
  if (version !== CONTENT_FORMAT_VERSION) throw new ContentError('UNSUPPORTED_VERSION', `version ${version}`);
  const env = new Fields(bytes.subarray(1), 'content');
  const messageId = env.id(ENV.messageId, 'messageId');
  const sentAt = env.uint(ENV.sentAt, 'sentAt');
  const expiresIn = env.optUint(ENV.expiresIn, 'expiresIn');
  const typeId = env.uint(ENV.contentType, 'contentType');
  const rawBody = env.bytes(ENV.body, 'body', 0, MAX_CONTENT_BYTES);
  const known = TYPE_BY_ID.get(typeId);
  if (typeId === 0) throw new ContentError('BAD_VALUE', 'content.contentType');
  const body: ContentBody = known === undefined ? { type: 'unsupported', typeId, raw: rawBody } : decodeBody(known, rawBody);
  const content: Content = { messageId, sentAt, body };
  if (expiresIn !== undefined) content.expiresIn = expiresIn;
  return content;
}
