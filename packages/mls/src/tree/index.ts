// Barrel of the ratchet tree module (RFC 9420 §4, §7): tree math, the public tree value, validation, TreeKEM.

export * from './checks.js';
export * from './parent-hash.js';
export * from './private-tree.js';
export * from './ratchet-tree.js';
export * from './tree-math.js';
export * from './treekem.js';
export * from './validate.js';
