// Store layout: where each kind of record lives in a RawBackend, and the associated data that binds a sealed value to its row.

import { concatBytes, lengthPrefixed, utf8 } from '../util/bytes.js';

export const EMPTY = new Uint8Array();

/** Space names are in clear; everything identifying (names, ids) is a MAC, everything else is sealed. */
export const SPACE = {
  /** Clear: format version, key-check value, passphrase-wrapped key. */
  meta: 'meta',
  /** part = MAC(namespace), key = MAC(namespace, key); value = {key} + bytes. */
  kv: 'kv',
  /** part = MAC(conversation), key = u64 seq; value = {messageId} + data. */
  log: 'log',
  /** part = MAC(conversation), key = MAC(messageId); value = u64 seq. */
  logId: 'log-id',
  /** key = MAC(counter name); value = u64 last value. */
  counter: 'counter',
  /** key = MAC(message id); value = empty marker. */
  processed: 'processed',
  /** key = u64 seq; value = outbox header + payload. */
  outbox: 'outbox',
  /** key = MAC(outbox id); value = u64 seq. */
  outboxId: 'outbox-id',
} as const;

export const META = {
  format: utf8('format'),
  keyCheck: utf8('key-check'),
  wrappedKey: utf8('wrapped-key'),
} as const;

/** Storage layout version, kept in meta/format. */
export const STORE_FORMAT_VERSION = 1;
export const KEY_CHECK_PLAINTEXT = utf8('sotto key check v1');

const ROW_AAD_LABEL = utf8('sotto/store/v1/row');
/** The constant start of each space's associated data, computed once. */
const SPACE_AAD: ReadonlyMap<string, Uint8Array> = new Map(
  Object.values(SPACE).map((space) => [space, concatBytes(ROW_AAD_LABEL, lengthPrefixed(utf8(space)))]),
);

/** AEAD associated data: a sealed value only opens at the row it was written to (no swapping rows). */
export function rowAad(space: string, part: Uint8Array, key: Uint8Array): Uint8Array {
  const prefix = SPACE_AAD.get(space) ?? concatBytes(ROW_AAD_LABEL, lengthPrefixed(utf8(space)));
  return concatBytes(prefix, lengthPrefixed(part), lengthPrefixed(key));
}
