// Barrel of the RFC 9420 wire codecs: every `encodeX(w, v) | encodeX(v)` / `decodeX(r) | decodeX(bytes)`.

export * from './commit.js';
export * from './credential.js';
export * from './extension.js';
export * from './framing.js';
export * from './group-context.js';
export * from './key-package.js';
export * from './leaf-node.js';
export * from './mls-message.js';
export * from './parent-node.js';
export * from './proposal.js';
export * from './ratchet-tree.js';
export * from './types.js';
export * from './update-path.js';
export * from './welcome.js';
