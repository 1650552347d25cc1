// The conversation engine: pure transitions and decisions over plain data (incoming content and handshakes, local
// intents, timers, pending commits); the client's shells run their effects.

export type { ConversationState, ContentSender, TargetMessage } from './conversation-state.js';
export type { EffectKind, EngineEffect } from './effects.js';
export { tombstone, withReaction } from './message-updates.js';
export { acceptsContent, needsOf, reduceContent } from './reduce-content.js';
export type { ContentEvent, Transition } from './transition.js';
export { type DueExpiry, dueExpiries, dueKeyUpdates } from './timers.js';
export { accountsOf, type ContactFacts, type LeafData, type Refusal, type RuleVerdict } from './handshake.js';
export {
  type CommitDecision,
  type CommitInput,
  type CommitSender,
  committerOf,
  reduceCommit,
  type RemovedLeaf,
  selfRemovedAccounts,
} from './reduce-commit.js';
export { type OwnKeyPackage, reduceWelcome, type WelcomeDecision, type WelcomeInput, welcomeAdder } from './reduce-welcome.js';
export { commitRefusal, type IntentRefusal, outboxMaySend } from './intent.js';
export { leaveCommit, type PendingRemoval, reduceLeave, reduceRemoveProposal } from './reduce-leave.js';
export { envelope, reduceSend, type SendDecision, type SendEffect, type SendIntent, type SendState } from './reduce-send.js';
export {
  type AttachmentExtras,
  applyLocalChange,
  attachmentExtrasRefusal,
  type EditFacts,
  type LocalChange,
  type MessageIntentDecision,
  reduceAttachment,
  reduceDelete,
  reduceEdit,
  reduceReaction,
  reduceReadReceipt,
  reduceText,
  reduceTyping,
  type SignalFacts,
} from './reduce-message-intent.js';
export {
  addClaimsRefusal,
  adminsAfterRemoval,
  createClaimsRefusal,
  type CreatePlan,
  freshKeyPackages,
  leavesToRemove,
  type MembershipFacts,
  metaChangeRefusal,
  peerToRestore,
  reduceAdd,
  reduceCreateDirect,
  reduceCreateGroup,
  reduceRemove,
  reduceRename,
  timerRefusal,
  withoutAdmins,
  withRole,
} from './reduce-membership.js';
export {
  decidePendingCommit,
  needsServerGroupInfo,
  type PendingCommitFacts,
  type PendingCommitOutcome,
  pendingStillApplies,
} from './pending-commit.js';
