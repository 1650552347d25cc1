// Group-level validation checks of RFC 9420 (§10.1 KeyPackages, §12.2 proposal lists, §12.4.2 commits,
// §12.4.3.1 Welcome, §12.4.3.2 external commits, §12.1.8 external proposals), each with a stable ID.

/** One MUST of RFC 9420 that this package enforces, with the ID carried by the ValidationError it raises. */
export interface GroupCheck {
  readonly id: string;
  readonly section: string;
  readonly rule: string;
}

function c(id: string, section: string, rule: string): GroupCheck {
  return Object.freeze({ id, section, rule });
}

/** RFC 9420 §10.1: validating an incoming KeyPackage. */
export const KEY_PACKAGE_CHECKS = Object.freeze([
  c('V-KP-01', '§10.1', 'KeyPackage version matches the group (or is mls10 outside a group)'),
  c('V-KP-02', '§10.1', 'KeyPackage cipher_suite matches the group'),
  c('V-KP-03', '§10.1', 'KeyPackage signature verifies under leaf_node.signature_key (label "KeyPackageTBS")'),
  c('V-KP-04', '§10.1', 'leaf_node.leaf_node_source is key_package'),
  c('V-KP-05', '§10.1', 'init_key differs from leaf_node.encryption_key'),
  c('V-KP-06', '§7.2', 'the leaf node lifetime contains the current time'),
  c('V-KP-07', '§10.1', 'the leaf node is valid (signature, capabilities cover its credential and extensions)'),
]);

/** RFC 9420 §12.2 (and §12.1.x): validating the proposal list of a commit. */
export const PROPOSAL_CHECKS = Object.freeze([
  c('V-PROP-01', '§12.2', 'no two Update/Remove proposals apply to the same leaf'),
  c('V-PROP-02', '§12.2', 'the committer does not Update or Remove its own leaf (by reference or value)'),
  c('V-PROP-03', '§12.2', 'no Add whose signature key or KeyPackage duplicates a member or another Add'),
  c('V-PROP-04', '§12.2', 'at most one GroupContextExtensions proposal'),
  c('V-PROP-05', '§12.1.7', 'every member supports every extension in a GroupContextExtensions proposal'),
  c('V-PROP-06', '§12.1.3', 'a Remove names a non-blank leaf of the tree'),
  c('V-PROP-07', '§12.2', 'no two PreSharedKey proposals name the same PSK'),
  c('V-PROP-08', '§12.2', 'a ReInit proposal is the only proposal in its commit'),
  c('V-PROP-09', '§12.2', 'ExternalInit appears only in an external commit'),
  c('V-PROP-10', '§12.1.1', 'an Add carries a valid KeyPackage that supports the group required capabilities'),
  c('V-PROP-11', '§12.4.2', 'every proposal reference names a proposal received in this epoch'),
  c('V-PROP-12', '§12.1.2', 'an Update proposal carries a valid leaf node with source update, sent by a member'),
  c('V-PROP-13', '§12.1.4', 'a PreSharedKey proposal names a PSK of type external or resumption/application with a nonce of length Nh'),
  c('V-PROP-14', '§12.4.2', 'Update proposals arrive only by reference, never by value in a commit'),
  c('V-PROP-15', '§8.4', 'every PSK named by a received commit is available to the receiver'),
  c('V-PROP-16', '§12.1.5', 'a ReInit proposal does not lower the protocol version'),
  c('V-PROP-17', '§12.4', 'a proposal is cached once per epoch (no replay), and at most 256 are pending (bounded state)'),
]);

/** RFC 9420 §12.4.2: validating a commit (sender-type and signature rules are framing's V-FRM-*). */
export const COMMIT_CHECKS = Object.freeze([
  c('V-COMMIT-01', '§12.4', 'a path is present when the proposal list needs one (empty, Update, Remove, GCE, ExternalInit)'),
  c('V-COMMIT-02', '§8.1', 'the confirmation tag matches the new epoch confirmation key'),
  c('V-COMMIT-03', '§12.4.2', 'a member does not process its own commit as an incoming message'),
  c('V-COMMIT-04', '§5.3.1', 'the application accepts the credential of the UpdatePath leaf (validateCredential hook)'),
  c('V-COMMIT-05', '§11.2', 'no commit is processed in a group after its ReInit commit (it continues as a new group)'),
]);

/** RFC 9420 §12.4.3.1: joining from a Welcome (tree checks V-TREE-*, path secret V-PATH-05). */
export const WELCOME_CHECKS = Object.freeze([
  c('V-WELC-01', '§12.4.3.1', 'the Welcome has an EncryptedGroupSecrets entry for one of our KeyPackages'),
  c('V-WELC-02', '§12.4.3.1', 'the Welcome cipher suite matches the KeyPackage'),
  c('V-WELC-03', '§12.4.3.1', 'the GroupInfo signature verifies under the signer leaf key'),
  c('V-WELC-04', '§12.4.3.1', 'the GroupInfo confirmation tag matches the computed one'),
  c('V-WELC-05', '§12.4.3.1', 'the ratchet tree contains our leaf (tree validity: V-TREE-*)'),
  c('V-WELC-06', '§12.4.3.1', 'every PSK named in GroupSecrets is available'),
  c('V-WELC-07', '§12.4.3.1', 'a ratchet tree is available (extension or out of band)'),
  c('V-WELC-08', '§5.3.1', 'the application accepts the credential of every member of the joined tree (validateCredential hook)'),
  c('V-WELC-09', '§12.4.3.1', 'a Welcome names at most one resumption PSK of usage reinit or branch'),
  c(
    'V-WELC-10',
    '§11.2, §12.4.3.1',
    'a reinit Welcome is at epoch 1 and matches the ReInit committed last in the referenced group (group id, version, suite, extensions)',
  ),
  c('V-WELC-11', '§11.2, §12.4.3.1', 'every member of the reinitialised group is a member of the new group (same credential)'),
]);

/** RFC 9420 §12.4.3.2: external commits (sender rules, path presence and external proposals: framing's V-FRM-09/12/13/14). */
export const EXTERNAL_CHECKS = Object.freeze([
  c('V-EXT-01', '§12.4.3.2', 'an external commit carries exactly one ExternalInit proposal'),
  c('V-EXT-02', '§12.4.3.2', 'an external commit carries only ExternalInit, Remove and PreSharedKey proposals'),
  c('V-EXT-03', '§12.4.3.2', 'at most one Remove in an external commit'),
  c('V-EXT-04', '§12.4.3.2', 'the GroupInfo used for an external join has a valid signature and an external_pub'),
  c('V-EXT-05', '§12.2', "the Remove in an external commit removes the joiner's own old leaf (same credential as the UpdatePath leaf)"),
]);

/**
 * Rules of a Delivery Service's PublicGroup (src/public-group/) that no member-side check covers. Everything else it
 * enforces reuses the IDs above (framing V-FRM-*, proposals V-PROP-*, paths V-PATH-*, GroupInfo V-WELC-03/07/08).
 */
export const DS_CHECKS = Object.freeze([
  c(
    'V-DS-01',
    '§11, §8.2',
    'a group registered from its first commit starts at epoch 0: empty confirmed transcript hash, the signer as sole member, then a commit',
  ),
  c('V-DS-02', '§6, §6.3', 'a Delivery Service verifies only PublicMessage handshake messages (a PrivateMessage needs epoch secrets)'),
  c(
    'V-DS-03',
    '§12.4.3.1, §8.2',
    "a GroupInfo kept for external joins describes the DS's current epoch: same GroupContext, the confirmation tag of the commit that made it, external_pub",
  ),
  c('V-DS-04', '§12.4.3.1', "a commit's Welcome is of the group's suite and names exactly the KeyPackages the commit added, each once"),
]);

/**
 * RFC 9420 §7.2, §7.3, §11.1, §12.4.3.2: a leaf this member creates (KeyPackage, group creation, Update proposal,
 * UpdatePath, external commit) is checked before it is signed; a failure is a UsageError carrying the ID.
 */
export const OWN_LEAF_CHECKS = Object.freeze([
  c(
    'V-OWN-01',
    '§7.3, §11.1, §12.4.3.2',
    "a leaf we create supports the group's version, suite, required capabilities, context extensions and members' credential types",
  ),
  c('V-OWN-02', '§7.2', 'a leaf we create lists its own credential type and every non-default extension it carries, once'),
]);

export const GROUP_CHECKS: readonly GroupCheck[] = Object.freeze([
  ...KEY_PACKAGE_CHECKS,
  ...PROPOSAL_CHECKS,
  ...COMMIT_CHECKS,
  ...WELCOME_CHECKS,
  ...EXTERNAL_CHECKS,
  ...DS_CHECKS,
  ...OWN_LEAF_CHECKS,
]);
