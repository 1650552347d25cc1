// RFC 9420 §7.1 ParentNode.

import { dualDecoder, dualEncoder } from '../codec/dual.js';
import type { Reader, Writer } from '../codec/tls-codec.js';
import type { ParentNode } from './types.js';

export const encodeParentNode = dualEncoder((w: Writer, v: ParentNode) => {
  w.bytes(v.encryptionKey).bytes(v.parentHash);
  w.vector(v.unmergedLeaves, (ww, i) => ww.u32(i));
});
export const decodeParentNode = dualDecoder((r: Reader): ParentNode => ({
  encryptionKey: r.bytes(),
  parentHash: r.bytes(),
  unmergedLeaves: r.vector((rr) => rr.u32()),
}));
