// RFC 9420 §7.8 tree hash inputs (TreeHashInput) and §7.9 parent hash (ParentHashInput), hashed with the suite hash.
import { Writer } from '../codec/tls-codec.js';
import type { CipherSuite } from '../crypto/provider.js';
import { encodeLeafNode } from '../wire/leaf-node.js';
import { encodeParentNode } from '../wire/parent-node.js';
import { type Bytes, type LeafNode, NodeType, type ParentNode } from '../wire/types.js';

/** RFC 9420 §7.9 ParentHashInput hash: Hash(encryption_key, parent_hash, original_sibling_tree_hash). */
export function parentHash(cs: CipherSuite, encryptionKey: Bytes, parentHashField: Bytes, siblingHash: Bytes): Bytes {
  const w = new Writer(encryptionKey.length + parentHashField.length + siblingHash.length + 8);
  w.bytes(encryptionKey).bytes(parentHashField).bytes(siblingHash);
  return cs.hash(w.finish());
}

/** RFC 9420 §7.8 TreeHashInput with LeafNodeHashInput. */
export function hashLeafInput(cs: CipherSuite, leafIndex: number, leaf: LeafNode | undefined): Bytes {
  const w = new Writer(leaf === undefined ? 8 : 512);
  w.u8(NodeType.leaf).u32(leafIndex).optional(leaf, encodeLeafNode);
  return cs.hash(w.finish());
}

/** RFC 9420 §7.8 TreeHashInput with ParentNodeHashInput. */
export function hashParentInput(cs: CipherSuite, p: ParentNode | undefined, leftHash: Bytes, rightHash: Bytes): Bytes {
  const w = new Writer(256);
  w.u8(NodeType.parent).optional(p, encodeParentNode).bytes(leftHash).bytes(rightHash);
  return cs.hash(w.finish());
}
