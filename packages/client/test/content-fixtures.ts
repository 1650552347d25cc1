// Fixed Content structures behind the frozen vectors in test/vectors/content-v1.json (never edit an existing entry).

import type { Content } from '../src/content/content-types.js';
import { fromHex } from '../src/util/bytes.js';
import { SecretBytes } from '../src/util/secret-bytes.js';

const id = (byte: number) => new Uint8Array(16).fill(byte);
const base = { messageId: fromHex('00112233445566778899aabbccddeeff'), sentAt: 1_764_000_000_000 };

export const CONTENT_FIXTURES: Record<string, Content> = {
  text: { ...base, body: { type: 'text', text: 'hello, Sotto ✓' } },
  'text-expiring': { ...base, expiresIn: 86_400, body: { type: 'text', text: '' } },
  reply: { ...base, body: { type: 'reply', target: id(1), text: 'yes', quote: 'are you coming?' } },
  'reply-no-quote': { ...base, body: { type: 'reply', target: id(1), text: 'yes' } },
  'reaction-add': { ...base, body: { type: 'reaction', target: id(2), emoji: '👍', action: 'add' } },
  'reaction-remove': { ...base, body: { type: 'reaction', target: id(2), emoji: '👍', action: 'remove' } },
  edit: { ...base, body: { type: 'edit', target: id(3), text: 'fixed typo' } },
  delete: { ...base, body: { type: 'delete', target: id(4) } },
  attachment: {
    ...base,
    body: {
      type: 'attachment',
      blobId: fromHex('b10b'),
      contentKey: new SecretBytes(new Uint8Array(32).fill(0x6b)),
      contentHash: new Uint8Array(32).fill(0x48),
      size: 123_456,
      mimeType: 'image/png',
      fileName: 'photo.png',
      dimensions: { width: 640, height: 480 },
    },
  },
  'attachment-no-dimensions': {
    ...base,
    body: {
      type: 'attachment',
      blobId: fromHex('b10b'),
      contentKey: new SecretBytes(new Uint8Array(32).fill(0x6b)),
      contentHash: new Uint8Array(32).fill(0x48),
      size: 0,
      mimeType: 'application/pdf',
      fileName: 'report.pdf',
    },
  },
  'attachment-thumbnail': {
    ...base,
    body: {
      type: 'attachment',
      blobId: fromHex('b10b'),
      contentKey: new SecretBytes(new Uint8Array(32).fill(0x6b)),
      contentHash: new Uint8Array(32).fill(0x48),
      size: 2_000_000,
      mimeType: 'image/jpeg',
      fileName: 'beach.jpg',
      dimensions: { width: 4032, height: 3024 },
      thumbnail: fromHex('ffd8ffe000104a46494600010100000100010000ffd9'),
    },
  },
  'delivery-receipt': { ...base, body: { type: 'delivery-receipt', messageIds: [id(5), id(6)] } },
  'read-receipt': { ...base, body: { type: 'read-receipt', messageIds: [id(7)] } },
  'typing-start': { ...base, body: { type: 'typing', state: 'start' } },
  'typing-stop': { ...base, body: { type: 'typing', state: 'stop' } },
  'disappearing-timer': { ...base, body: { type: 'disappearing-timer', seconds: 604_800 } },
  'disappearing-timer-off': { ...base, body: { type: 'disappearing-timer', seconds: 0 } },
  'group-rename': { ...base, body: { type: 'group-rename', name: 'Newsroom' } },
  'role-change': { ...base, body: { type: 'role-change', member: 'alice@example.org', role: 'admin' } },
  'device-link': { ...base, body: { type: 'device-link', action: 'linked', deviceId: fromHex('d0d0'), deviceName: 'laptop' } },
  'device-unlink': { ...base, body: { type: 'device-link', action: 'unlinked', deviceId: fromHex('d0d0') } },
  unsupported: { ...base, body: { type: 'unsupported', typeId: 200, raw: fromHex('0103616263') } },
};

/** Replace SecretBytes by their hex so structures compare with deepStrictEqual. */
export function comparable(value: unknown): unknown {
  if (value instanceof SecretBytes) return { secret: Buffer.from(value.expose()).toString('hex') };
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return value.map(comparable);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, comparable(v)]));
  }
  return value;
}
