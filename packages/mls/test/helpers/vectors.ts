// Loads the IETF MLS test vectors copied into test/vectors (see test/vectors/PROVENANCE.md).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../vectors/', import.meta.url));

export function loadVectors<T = Record<string, unknown>>(name: string): T[] {
  return JSON.parse(readFileSync(`${dir}${name}.json`, 'utf8')) as T[];
}

export function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'hex'));
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}
