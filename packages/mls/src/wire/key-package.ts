// RFC 9420 §10 KeyPackage and KeyPackageTBS.

import { dualDecoder, dualEncoder } from '../codec/dual.js';
import { type Reader, Writer } from '../codec/tls-codec.js';
import { decodeExtensions, encodeExtensions } from './extension.js';
import { decodeLeafNode, encodeLeafNode } from './leaf-node.js';
import type { KeyPackage } from './types.js';

function encodeKeyPackageContent(w: Writer, v: Omit<KeyPackage, 'signature'>): void {
  w.u16(v.version).u16(v.cipherSuite).bytes(v.initKey);
  encodeLeafNode(w, v.leafNode);
  encodeExtensions(w, v.extensions);
}

export const encodeKeyPackage = dualEncoder((w: Writer, v: KeyPackage) => {
  encodeKeyPackageContent(w, v);
  w.bytes(v.signature);
});
export const decodeKeyPackage = dualDecoder((r: Reader): KeyPackage => ({
  version: r.u16(),
  cipherSuite: r.u16(),
  initKey: r.bytes(),
  leafNode: decodeLeafNode(r),
  extensions: decodeExtensions(r),
  signature: r.bytes(),
}));

/** RFC 9420 §10 KeyPackageTBS: every field but the signature. */
export function encodeKeyPackageTbs(v: Omit<KeyPackage, 'signature'>): Uint8Array {
  const w = new Writer();
  encodeKeyPackageContent(w, v);
  return w.finish();
}
