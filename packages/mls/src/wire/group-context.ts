// RFC 9420 §8.1 GroupContext.

import { dualDecoder, dualEncoder } from '../codec/dual.js';
import type { Reader, Writer } from '../codec/tls-codec.js';
import { decodeExtensions, encodeExtensions } from './extension.js';
import type { GroupContext } from './types.js';

export const encodeGroupContext = dualEncoder((w: Writer, v: GroupContext) => {
  w.u16(v.version).u16(v.cipherSuite).bytes(v.groupId).u64(v.epoch).bytes(v.treeHash).bytes(v.confirmedTranscriptHash);
  encodeExtensions(w, v.extensions);
});
export const decodeGroupContext = dualDecoder((r: Reader): GroupContext => ({
  version: r.u16(),
  cipherSuite: r.u16(),
  groupId: r.bytes(),
  epoch: r.u64(),
  treeHash: r.bytes(),
  confirmedTranscriptHash: r.bytes(),
  extensions: decodeExtensions(r),
}));
