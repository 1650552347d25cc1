// RFC 9420 §7.8 Node and the ratchet_tree extension body (§12.4.3.3): optional<Node> ratchet_tree<V>.

import { dualDecoder, dualEncoder } from '../codec/dual.js';
import type { Reader, Writer } from '../codec/tls-codec.js';
import { DecodeError } from '../errors.js';
import { decodeLeafNode, encodeLeafNode } from './leaf-node.js';
import { decodeParentNode, encodeParentNode } from './parent-node.js';
import { type Node, NodeType, type RatchetTreeNodes } from './types.js';

export const encodeNode = dualEncoder((w: Writer, v: Node) => {
  w.u8(v.nodeType);
  if (v.nodeType === NodeType.leaf) encodeLeafNode(w, v.leaf);
  else encodeParentNode(w, v.parent);
});
export const decodeNode = dualDecoder((r: Reader): Node => {
  const nodeType = r.u8();
  if (nodeType === NodeType.leaf) return { nodeType, leaf: decodeLeafNode(r) };
  if (nodeType === NodeType.parent) return { nodeType, parent: decodeParentNode(r) };
  throw new DecodeError('unknown node type');
});

/** optional<Node>: presence byte 0/1, then the node. */
export const encodeOptionalNode = dualEncoder((w: Writer, v: Node | undefined) => {
  w.optional(v, encodeNode);
});
export const decodeOptionalNode = dualDecoder((r: Reader): Node | undefined => r.optional(decodeNode));

/**
 * optional<Node> ratchet_tree<V>, indexed by node index. Structural checks (e.g. the tree must not end
 * in a blank node, leaves at even indices) are the tree module's validation, not decoding.
 */
export const encodeRatchetTree = dualEncoder((w: Writer, v: RatchetTreeNodes) => {
  w.vector(v, encodeOptionalNode);
});
export const decodeRatchetTree = dualDecoder((r: Reader): RatchetTreeNodes => r.vector(decodeOptionalNode));
