// Attachment thumbnails (docs/content-format.md §4.6, field 9): the image type read from the magic bytes, and the data URL.

import { toB64 } from '../util/b64.js';

export type ThumbnailMimeType = 'image/jpeg' | 'image/png' | 'image/webp';

const startsWith = (b: Uint8Array, at: number, sig: readonly number[]) => sig.every((v, i) => b[at + i] === v);

const JPEG = [0xff, 0xd8, 0xff];
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const RIFF = [0x52, 0x49, 0x46, 0x46]; // 'RIFF'
const WEBP = [0x57, 0x45, 0x42, 0x50]; // 'WEBP' at offset 8

/** The image type of a thumbnail, by its magic bytes; undefined when it is none of JPEG, PNG or WebP. */
export function thumbnailMimeType(bytes: Uint8Array): ThumbnailMimeType | undefined {
  if (startsWith(bytes, 0, JPEG)) return 'image/jpeg';
  if (startsWith(bytes, 0, PNG)) return 'image/png';
  if (bytes.length >= 12 && startsWith(bytes, 0, RIFF) && startsWith(bytes, 8, WEBP)) return 'image/webp';
  return undefined;
}

/** A `data:` URL an app can show directly; undefined when the bytes are not a thumbnail image. */
export function thumbnailDataUrl(bytes: Uint8Array): string | undefined {
  const mime = thumbnailMimeType(bytes);
  return mime && `data:${mime};base64,${toB64(bytes)}`;
}
