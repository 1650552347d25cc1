// Catalogue of the RFC 9420 MUSTs the tree module enforces (§7.1-§7.9, §12.4.2, §12.4.3.1, §12.4.3.3, §13.4).
// Each check throws `new ValidationError(id, ...)`; test/tree-must-reject.test.ts has one must-reject case per ID.

export interface TreeCheck {
  readonly id: string;
  readonly rfc: string;
  readonly text: string;
}

export const TREE_CHECKS: readonly TreeCheck[] = Object.freeze([
  // Whole-tree checks, when joining (§12.4.3.1) or importing a ratchet_tree (§12.4.3.3).
  { id: 'V-TREE-01', rfc: '§12.4.3.1', text: 'The tree hash of the ratchet tree MUST match the tree_hash of the GroupContext.' },
  { id: 'V-TREE-02', rfc: '§7.9.2', text: 'Each non-blank parent node MUST be parent-hash valid (exactly one child chains to it).' },
  {
    id: 'V-TREE-03',
    rfc: '§12.4.3.1',
    text: 'Each unmerged_leaves entry MUST be a non-blank leaf that is a descendant of the parent node.',
  },
  { id: 'V-TREE-04', rfc: '§12.4.3.1', text: 'Every non-blank node between an unmerged leaf and the parent listing it MUST also list it.' },
  { id: 'V-TREE-05', rfc: '§12.4.3.1', text: 'The encryption key of a parent node MUST NOT appear in any other node of the tree.' },
  { id: 'V-TREE-06', rfc: '§7.1', text: 'The unmerged_leaves of a parent node MUST be sorted in strictly increasing order.' },
  { id: 'V-TREE-07', rfc: '§12.4.3.3', text: 'The ratchet_tree node list MUST be non-empty and its last node MUST be non-blank.' },
  { id: 'V-TREE-08', rfc: '§12.4.3.3', text: 'Leaf nodes MUST be at even and parent nodes at odd positions of the node list.' },
  // Leaf node validation (§7.3), for leaves in a tree, a KeyPackage, an Update or an UpdatePath.
  {
    id: 'V-LEAF-01',
    rfc: '§7.3',
    text: 'The LeafNode signature MUST verify under signature_key (LeafNodeTBS, with group_id and leaf_index for update/commit).',
  },
  {
    id: 'V-LEAF-02',
    rfc: '§7.3',
    text: 'leaf_node_source MUST be key_package in a KeyPackage, update in an Update, commit in an UpdatePath.',
  },
  { id: 'V-LEAF-03', rfc: '§7.2', text: 'The credential type of the LeafNode MUST be listed in its capabilities.credentials.' },
  { id: 'V-LEAF-04', rfc: '§7.2', text: 'Every non-default extension type in the LeafNode MUST be listed in capabilities.extensions.' },
  { id: 'V-LEAF-05', rfc: '§13.4', text: 'The LeafNode extensions MUST NOT contain two extensions of the same type.' },
  {
    id: 'V-LEAF-06',
    rfc: '§7.3',
    text: 'The capabilities MUST list every extension, proposal and credential type of the required_capabilities extension.',
  },
  { id: 'V-LEAF-07', rfc: '§13.4', text: 'The capabilities MUST indicate support for each (non-default) extension in the GroupContext.' },
  {
    id: 'V-LEAF-08',
    rfc: '§7.3',
    text: 'The credential type MUST be supported by all members, and the leaf MUST support every credential type in use.',
  },
  { id: 'V-LEAF-09', rfc: '§7.3', text: 'For a key_package leaf, the current time MUST be within lifetime (when the caller checks time).' },
  { id: 'V-LEAF-10', rfc: '§7.2', text: 'The total lifetime MUST NOT exceed the maximum the application allows.' },
  { id: 'V-LEAF-11', rfc: '§7.3', text: 'signature_key MUST be unique among the members of the group.' },
  { id: 'V-LEAF-12', rfc: '§7.3', text: 'encryption_key MUST be unique among the nodes of the tree.' },
  { id: 'V-LEAF-13', rfc: '§12.1.2', text: 'A leaf replacing another (Update, UpdatePath) MUST carry a different encryption_key.' },
  // UpdatePath checks when processing a commit (§7.5, §7.6, §12.4.2).
  { id: 'V-PATH-01', rfc: '§7.6', text: 'An UpdatePath MUST carry one node per node of the sender filtered direct path.' },
  {
    id: 'V-PATH-02',
    rfc: '§7.6',
    text: 'Each UpdatePathNode MUST carry one ciphertext per node of the copath child resolution (new leaves excluded).',
  },
  { id: 'V-PATH-03', rfc: '§12.4.2', text: 'No public key of the UpdatePath may appear in any other node of the new tree.' },
  {
    id: 'V-PATH-04',
    rfc: '§7.9.2',
    text: 'The parent_hash of the UpdatePath leaf MUST equal the parent hash recomputed over the merged path.',
  },
  { id: 'V-PATH-05', rfc: '§7.5', text: 'Public keys derived from the decrypted path secret MUST equal those in the UpdatePath.' },
  { id: 'V-PATH-06', rfc: '§7.6', text: 'The path secret encrypted to the recipient MUST decrypt (DecryptWithLabel "UpdatePathNode").' },
]);

export const TREE_CHECK_IDS: ReadonlySet<string> = new Set(TREE_CHECKS.map((c) => c.id));
