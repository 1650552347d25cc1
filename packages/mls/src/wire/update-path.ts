// RFC 9420 §9 HPKECiphertext and §7.6 UpdatePathNode / UpdatePath.

import { dualDecoder, dualEncoder } from '../codec/dual.js';
import type { Reader, Writer } from '../codec/tls-codec.js';
import { decodeLeafNode, encodeLeafNode } from './leaf-node.js';
import type { HpkeCiphertext, UpdatePath, UpdatePathNode } from './types.js';

export const encodeHpkeCiphertext = dualEncoder((w: Writer, v: HpkeCiphertext) => {
  w.bytes(v.kemOutput).bytes(v.ciphertext);
});
export const decodeHpkeCiphertext = dualDecoder((r: Reader): HpkeCiphertext => ({ kemOutput: r.bytes(), ciphertext: r.bytes() }));

export const encodeUpdatePathNode = dualEncoder((w: Writer, v: UpdatePathNode) => {
  w.bytes(v.encryptionKey).vector(v.encryptedPathSecret, encodeHpkeCiphertext);
});
export const decodeUpdatePathNode = dualDecoder((r: Reader): UpdatePathNode => ({
  encryptionKey: r.bytes(),
  encryptedPathSecret: r.vector(decodeHpkeCiphertext),
}));

export const encodeUpdatePath = dualEncoder((w: Writer, v: UpdatePath) => {
  encodeLeafNode(w, v.leafNode);
  w.vector(v.nodes, encodeUpdatePathNode);
});
export const decodeUpdatePath = dualDecoder((r: Reader): UpdatePath => ({
  leafNode: decodeLeafNode(r),
  nodes: r.vector(decodeUpdatePathNode),
}));
