// Base64 at the API edge: strict decoding with a size bound, so a bad field is a VALIDATION error.
import { SottoError } from '../errors.js';

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function fromB64(s: string, field: string, maxBytes: number): Uint8Array {
  if (typeof s !== 'string' || s.length % 4 !== 0 || !B64.test(s)) throw new SottoError('VALIDATION', `${field} must be base64`);
  if ((s.length / 4) * 3 > maxBytes + 2) throw new SottoError('PAYLOAD_TOO_LARGE', `${field} is larger than ${maxBytes} bytes`);
  const b = Buffer.from(s, 'base64');
  if (b.length > maxBytes) throw new SottoError('PAYLOAD_TOO_LARGE', `${field} is larger than ${maxBytes} bytes`);
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

export function toB64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}
