// Types of the RFC 9420 wire structs (§5-§12). Field names follow the RFC's own names in camelCase.
// Encoders/decoders for each live beside this file (one file per concept); this file holds shapes only.

export type Bytes = Uint8Array;

/** RFC 9420 §6 ProtocolVersion. */
export const ProtocolVersion = { mls10: 1 } as const;

/** RFC 9420 §6 WireFormat. */
export const WireFormat = {
  mls_public_message: 1,
  mls_private_message: 2,
  mls_welcome: 3,
  mls_group_info: 4,
  mls_key_package: 5,
} as const;
export type WireFormatValue = (typeof WireFormat)[keyof typeof WireFormat];

/** RFC 9420 §6 ContentType. */
export const ContentType = { application: 1, proposal: 2, commit: 3 } as const;
export type ContentTypeValue = (typeof ContentType)[keyof typeof ContentType];

/** RFC 9420 §6 SenderType. */
export const SenderType = { member: 1, external: 2, new_member_proposal: 3, new_member_commit: 4 } as const;

/** RFC 9420 §5.3 CredentialType (0x0001 basic, 0x0002 x509). */
export const CredentialType = { basic: 1, x509: 2 } as const;

/** RFC 9420 §7.2 LeafNodeSource. */
export const LeafNodeSource = { key_package: 1, update: 2, commit: 3 } as const;

/** RFC 9420 §12.1 ProposalType. */
export const ProposalType = {
  add: 1,
  update: 2,
  remove: 3,
  psk: 4,
  reinit: 5,
  external_init: 6,
  group_context_extensions: 7,
} as const;

/** RFC 9420 §8.4 PSKType. */
export const PskType = { external: 1, resumption: 2 } as const;
/** RFC 9420 §8.4 ResumptionPSKUsage. */
export const ResumptionPskUsage = { application: 1, reinit: 2, branch: 3 } as const;

/** RFC 9420 §12.4 ProposalOrRefType. */
export const ProposalOrRefType = { proposal: 1, reference: 2 } as const;

/** RFC 9420 §7.3 NodeType. */
export const NodeType = { leaf: 1, parent: 2 } as const;

/** RFC 9420 §17.3 ExtensionType values this package understands. */
export const ExtensionType = {
  application_id: 1,
  ratchet_tree: 2,
  required_capabilities: 3,
  external_pub: 4,
  external_senders: 5,
  /** RFC 9420 §17.3 registry: last_resort (0x000a, from draft-ietf-mls-extensions). */
  last_resort: 0x000a,
} as const;

/** RFC 9420 §5.3 Credential. `identity` for basic; `certificates` for x509; `data` keeps other types opaque. */
export type Credential =
  { credentialType: 1; identity: Bytes } | { credentialType: 2; certificates: Bytes[] } | { credentialType: number; data: Bytes };

/** RFC 9420 §13.4 Extension. */
export interface Extension {
  extensionType: number;
  extensionData: Bytes;
}

/** RFC 9420 §7.2 Capabilities. */
export interface Capabilities {
  versions: number[];
  cipherSuites: number[];
  extensions: number[];
  proposals: number[];
  credentials: number[];
}

/** RFC 9420 §7.2 Lifetime (seconds since the epoch). */
export interface Lifetime {
  notBefore: bigint;
  notAfter: bigint;
}

/** RFC 9420 §7.2 LeafNode. Exactly one of lifetime/parentHash is set according to leafNodeSource. */
export interface LeafNode {
  encryptionKey: Bytes;
  signatureKey: Bytes;
  credential: Credential;
  capabilities: Capabilities;
  leafNodeSource: number;
  /** present iff leafNodeSource = key_package */
  lifetime?: Lifetime;
  /** present iff leafNodeSource = commit */
  parentHash?: Bytes;
  extensions: Extension[];
  signature: Bytes;
}

/** RFC 9420 §7.1 ParentNode. */
export interface ParentNode {
  encryptionKey: Bytes;
  parentHash: Bytes;
  /** leaf indices (not node indices) */
  unmergedLeaves: number[];
}

/** RFC 9420 §7.8 Node, as carried in the ratchet_tree extension (optional<Node>). */
export type Node = { nodeType: 1; leaf: LeafNode } | { nodeType: 2; parent: ParentNode };

/** RFC 9420 §10 KeyPackage. */
export interface KeyPackage {
  version: number;
  cipherSuite: number;
  initKey: Bytes;
  leafNode: LeafNode;
  extensions: Extension[];
  signature: Bytes;
}

/** RFC 9420 §8.1 GroupContext. */
export interface GroupContext {
  version: number;
  cipherSuite: number;
  groupId: Bytes;
  epoch: bigint;
  treeHash: Bytes;
  confirmedTranscriptHash: Bytes;
  extensions: Extension[];
}

/** RFC 9420 §8.4 PreSharedKeyID. */
export type PreSharedKeyID =
  { pskType: 1; pskId: Bytes; pskNonce: Bytes } | { pskType: 2; usage: number; pskGroupId: Bytes; pskEpoch: bigint; pskNonce: Bytes };

/** RFC 9420 §12.1.1 Add. */
export interface Add {
  keyPackage: KeyPackage;
}
/** RFC 9420 §12.1.2 Update. */
export interface Update {
  leafNode: LeafNode;
}
/** RFC 9420 §12.1.3 Remove. */
export interface Remove {
  removed: number;
}
/** RFC 9420 §12.1.4 PreSharedKey. */
export interface PreSharedKey {
  psk: PreSharedKeyID;
}
/** RFC 9420 §12.1.5 ReInit. */
export interface ReInit {
  groupId: Bytes;
  version: number;
  cipherSuite: number;
  extensions: Extension[];
}
/** RFC 9420 §12.1.6 ExternalInit. */
export interface ExternalInit {
  kemOutput: Bytes;
}
/** RFC 9420 §12.1.7 GroupContextExtensions. */
export interface GroupContextExtensions {
  extensions: Extension[];
}

/** RFC 9420 §12.1 proposals. */
export type Proposal =
  | { proposalType: 1; add: Add }
  | { proposalType: 2; update: Update }
  | { proposalType: 3; remove: Remove }
  | { proposalType: 4; psk: PreSharedKey }
  | { proposalType: 5; reinit: ReInit }
  | { proposalType: 6; externalInit: ExternalInit }
  | { proposalType: 7; groupContextExtensions: GroupContextExtensions };

/** RFC 9420 §12.4 ProposalOrRef. */
export type ProposalOrRef = { type: 1; proposal: Proposal } | { type: 2; reference: Bytes };

/** RFC 9420 §9 HPKECiphertext. */
export interface HpkeCiphertext {
  kemOutput: Bytes;
  ciphertext: Bytes;
}

/** RFC 9420 §7.6 UpdatePathNode. */
export interface UpdatePathNode {
  encryptionKey: Bytes;
  encryptedPathSecret: HpkeCiphertext[];
}

/** RFC 9420 §7.6 UpdatePath. */
export interface UpdatePath {
  leafNode: LeafNode;
  nodes: UpdatePathNode[];
}

/** RFC 9420 §12.4 Commit. */
export interface Commit {
  proposals: ProposalOrRef[];
  path?: UpdatePath;
}

/** RFC 9420 §6 Sender. */
export type Sender = { senderType: 1; leafIndex: number } | { senderType: 2; senderIndex: number } | { senderType: 3 } | { senderType: 4 };

/** RFC 9420 §6 the content_type-selected body of FramedContent (and of PrivateMessageContent). */
export type ContentBody =
  { contentType: 1; applicationData: Bytes } | { contentType: 2; proposal: Proposal } | { contentType: 3; commit: Commit };

/** RFC 9420 §6 FramedContent. */
export type FramedContent = {
  groupId: Bytes;
  epoch: bigint;
  sender: Sender;
  authenticatedData: Bytes;
} & ContentBody;

/** RFC 9420 §6.1 FramedContentAuthData. confirmationTag present iff contentType = commit. */
export interface FramedContentAuthData {
  signature: Bytes;
  confirmationTag?: Bytes;
}

/** RFC 9420 §6.1 AuthenticatedContent. */
export interface AuthenticatedContent {
  wireFormat: number;
  content: FramedContent;
  auth: FramedContentAuthData;
}

/** RFC 9420 §6.2 PublicMessage. membershipTag present iff sender is a member. */
export interface PublicMessage {
  content: FramedContent;
  auth: FramedContentAuthData;
  membershipTag?: Bytes;
}

/** RFC 9420 §6.3 PrivateMessage. */
export interface PrivateMessage {
  groupId: Bytes;
  epoch: bigint;
  contentType: number;
  authenticatedData: Bytes;
  encryptedSenderData: Bytes;
  ciphertext: Bytes;
}

/** RFC 9420 §6.3.1 PrivateMessageContent: body, auth, then `paddingLength` zero bytes. */
export type PrivateMessageContent = ContentBody & { auth: FramedContentAuthData; paddingLength: number };

/** RFC 9420 §6.3.1 PrivateContentAAD. */
export interface PrivateContentAad {
  groupId: Bytes;
  epoch: bigint;
  contentType: number;
  authenticatedData: Bytes;
}

/** RFC 9420 §6.3.2 SenderDataAAD. */
export interface SenderDataAad {
  groupId: Bytes;
  epoch: bigint;
  contentType: number;
}

/** RFC 9420 §6.3.2 SenderData. */
export interface SenderData {
  leafIndex: number;
  generation: number;
  reuseGuard: Bytes;
}

/** RFC 9420 §12.4.3 GroupInfo. */
export interface GroupInfo {
  groupContext: GroupContext;
  extensions: Extension[];
  confirmationTag: Bytes;
  signer: number;
  signature: Bytes;
}

/** RFC 9420 §12.4.3.1 PathSecret / GroupSecrets. */
export interface GroupSecrets {
  joinerSecret: Bytes;
  pathSecret?: Bytes;
  psks: PreSharedKeyID[];
}

/** RFC 9420 §12.4.3.1 EncryptedGroupSecrets. */
export interface EncryptedGroupSecrets {
  newMember: Bytes;
  encryptedGroupSecrets: HpkeCiphertext;
}

/** RFC 9420 §12.4.3.1 Welcome. */
export interface Welcome {
  cipherSuite: number;
  secrets: EncryptedGroupSecrets[];
  encryptedGroupInfo: Bytes;
}

/** RFC 9420 §6 MLSMessage. */
export type MlsMessage = { version: number } & (
  | { wireFormat: 1; publicMessage: PublicMessage }
  | { wireFormat: 2; privateMessage: PrivateMessage }
  | { wireFormat: 3; welcome: Welcome }
  | { wireFormat: 4; groupInfo: GroupInfo }
  | { wireFormat: 5; keyPackage: KeyPackage }
);

/** RFC 9420 §12.1.8.1 ExternalSender. */
export interface ExternalSender {
  signatureKey: Bytes;
  credential: Credential;
}

/** RFC 9420 §11.1 RequiredCapabilities extension body. */
export interface RequiredCapabilities {
  extensionTypes: number[];
  proposalTypes: number[];
  credentialTypes: number[];
}

/** RFC 9420 §8 GroupContext-bound tree (ratchet_tree extension): optional<Node> per node index. */
export type RatchetTreeNodes = (Node | undefined)[];

/** RFC 9420 §8.4 PSKLabel. */
export interface PskLabel {
  id: PreSharedKeyID;
  index: number;
  count: number;
}
