// The conversation engine: pure transitions over plain data; the client's receive shell runs their effects.

export type { ConversationState, ContentSender, TargetMessage } from './conversation-state.js';
export type { EffectKind, EngineEffect } from './effects.js';
export { tombstone, withReaction } from './message-updates.js';
export { acceptsContent, needsOf, reduceContent } from './reduce-content.js';
export type { ContentEvent, Transition } from './transition.js';
export { type DueExpiry, dueExpiries, dueKeyUpdates } from './timers.js';
export { accountsOf, type ContactFacts, type LeafData, type Refusal, type RuleVerdict } from './handshake.js';
export { type CommitDecision, type CommitInput, type CommitSender, committerOf, reduceCommit } from './reduce-commit.js';
export { type OwnKeyPackage, reduceWelcome, type WelcomeDecision, type WelcomeInput, welcomeAdder } from './reduce-welcome.js';
