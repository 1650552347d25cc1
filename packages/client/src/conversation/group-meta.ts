// Group metadata and the admin policy live in the contract package: every client and the server enforce the same rule.
export {
  type CommitSummary,
  type ConversationKind,
  decodeGroupMeta,
  encodeGroupMeta,
  GROUP_META_EXTENSION,
  type GroupMeta,
  isAdmin,
  type MemberRole,
  ownerProofOf,
  policyViolation,
  roleOf,
  withOwnerProof,
  withoutAdmins,
} from '@sotto/protocol';
