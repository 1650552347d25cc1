// RFC 9420 §7.2 LeafNode, Capabilities, Lifetime and LeafNodeTBS.

import { dualDecoder, dualEncoder } from '../codec/dual.js';
import { type Reader, Writer } from '../codec/tls-codec.js';
import { DecodeError, UsageError } from '../errors.js';
import { decodeCredential, encodeCredential } from './credential.js';
import { decodeExtensions, decodeU16List, encodeExtensions, encodeU16List } from './extension.js';
import { type Bytes, type Capabilities, type LeafNode, LeafNodeSource, type Lifetime } from './types.js';

export const encodeCapabilities = dualEncoder((w: Writer, v: Capabilities) => {
  encodeU16List(w, v.versions);
  encodeU16List(w, v.cipherSuites);
  encodeU16List(w, v.extensions);
  encodeU16List(w, v.proposals);
  encodeU16List(w, v.credentials);
});
export const decodeCapabilities = dualDecoder((r: Reader): Capabilities => ({
  versions: decodeU16List(r),
  cipherSuites: decodeU16List(r),
  extensions: decodeU16List(r),
  proposals: decodeU16List(r),
  credentials: decodeU16List(r),
}));

export const encodeLifetime = dualEncoder((w: Writer, v: Lifetime) => {
  w.u64(v.notBefore).u64(v.notAfter);
});
export const decodeLifetime = dualDecoder((r: Reader): Lifetime => ({ notBefore: r.u64(), notAfter: r.u64() }));

/** Fields shared by LeafNode and LeafNodeTBS (everything but the signature). */
function encodeLeafNodeContent(w: Writer, v: Omit<LeafNode, 'signature'>): void {
  w.bytes(v.encryptionKey).bytes(v.signatureKey);
  encodeCredential(w, v.credential);
  encodeCapabilities(w, v.capabilities);
  w.u8(v.leafNodeSource);
  if (v.leafNodeSource === LeafNodeSource.key_package) {
    if (!v.lifetime) throw new UsageError('key_package leaf node needs a lifetime');
    encodeLifetime(w, v.lifetime);
  } else if (v.leafNodeSource === LeafNodeSource.commit) {
    if (!v.parentHash) throw new UsageError('commit leaf node needs a parent hash');
    w.bytes(v.parentHash);
  } else if (v.leafNodeSource !== LeafNodeSource.update) {
    throw new UsageError('unknown leaf node source');
  }
  encodeExtensions(w, v.extensions);
}

export const encodeLeafNode = dualEncoder((w: Writer, v: LeafNode) => {
  encodeLeafNodeContent(w, v);
  w.bytes(v.signature);
});

export const decodeLeafNode = dualDecoder((r: Reader): LeafNode => {
  const encryptionKey = r.bytes();
  const signatureKey = r.bytes();
  const credential = decodeCredential(r);
  const capabilities = decodeCapabilities(r);
  const leafNodeSource = r.u8();
  const leaf: LeafNode = {
    encryptionKey,
    signatureKey,
    credential,
    capabilities,
    leafNodeSource,
    extensions: [],
    signature: new Uint8Array(0),
  };
  if (leafNodeSource === LeafNodeSource.key_package) leaf.lifetime = decodeLifetime(r);
  else if (leafNodeSource === LeafNodeSource.commit) leaf.parentHash = r.bytes();
  else if (leafNodeSource !== LeafNodeSource.update) throw new DecodeError('unknown leaf node source');
  leaf.extensions = decodeExtensions(r);
  leaf.signature = r.bytes();
  return leaf;
});

/**
 * RFC 9420 §7.2 LeafNodeTBS: the leaf content, followed by group_id<V> and leaf_index (u32)
 * when leaf_node_source is update or commit.
 */
export function encodeLeafNodeTbs(leaf: Omit<LeafNode, 'signature'>, groupId?: Bytes, leafIndex?: number): Uint8Array {
  const w = new Writer();
  encodeLeafNodeContent(w, leaf);
  if (leaf.leafNodeSource === LeafNodeSource.update || leaf.leafNodeSource === LeafNodeSource.commit) {
    if (groupId === undefined || leafIndex === undefined) throw new UsageError('LeafNodeTBS needs group id and leaf index');
    w.bytes(groupId).u32(leafIndex);
  }
  return w.finish();
}
