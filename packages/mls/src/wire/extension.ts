// RFC 9420 §13.4 Extension, and the bodies of the §17.3 extensions this package understands
// (external_senders §12.1.8.1, required_capabilities §11.1, external_pub §12.4.3.2).

import { dualDecoder, dualEncoder } from '../codec/dual.js';
import type { Reader, Writer } from '../codec/tls-codec.js';
import { decodeCredential, encodeCredential } from './credential.js';
import type { Bytes, Extension, ExternalSender, RequiredCapabilities } from './types.js';

export const encodeExtension = dualEncoder((w: Writer, v: Extension) => {
  w.u16(v.extensionType).bytes(v.extensionData);
});
export const decodeExtension = dualDecoder((r: Reader): Extension => ({ extensionType: r.u16(), extensionData: r.bytes() }));

/** Extension extensions<V>. */
export const encodeExtensions = dualEncoder((w: Writer, v: Extension[]) => {
  w.vector(v, encodeExtension);
});
export const decodeExtensions = dualDecoder((r: Reader): Extension[] => r.vector(decodeExtension));

/** uint16 items<V> (capability lists, required-capability lists). */
export function encodeU16List(w: Writer, v: readonly number[]): void {
  // uint16 items<V>: the byte length is known up front, so no per-call closure or length patching.
  w.varint(2 * v.length);
  for (const x of v) w.u16(x);
}
export function decodeU16List(r: Reader): number[] {
  return r.vector((rr) => rr.u16());
}

export const encodeExternalSender = dualEncoder((w: Writer, v: ExternalSender) => {
  w.bytes(v.signatureKey);
  encodeCredential(w, v.credential);
});
export const decodeExternalSender = dualDecoder((r: Reader): ExternalSender => ({
  signatureKey: r.bytes(),
  credential: decodeCredential(r),
}));

/** external_senders extension body: ExternalSender external_senders<V>. */
export const encodeExternalSenders = dualEncoder((w: Writer, v: ExternalSender[]) => {
  w.vector(v, encodeExternalSender);
});
export const decodeExternalSenders = dualDecoder((r: Reader): ExternalSender[] => r.vector(decodeExternalSender));

export const encodeRequiredCapabilities = dualEncoder((w: Writer, v: RequiredCapabilities) => {
  encodeU16List(w, v.extensionTypes);
  encodeU16List(w, v.proposalTypes);
  encodeU16List(w, v.credentialTypes);
});
export const decodeRequiredCapabilities = dualDecoder((r: Reader): RequiredCapabilities => ({
  extensionTypes: decodeU16List(r),
  proposalTypes: decodeU16List(r),
  credentialTypes: decodeU16List(r),
}));

/** external_pub extension body: HPKEPublicKey external_pub (opaque<V>). */
export const encodeExternalPub = dualEncoder((w: Writer, v: Bytes) => {
  w.bytes(v);
});
export const decodeExternalPub = dualDecoder((r: Reader): Bytes => r.bytes());
