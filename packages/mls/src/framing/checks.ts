// Catalogue of the message-framing validation checks (RFC 9420 §6, §9, §15.3): each MUST gets a stable ID that
// appears in the thrown ValidationError's `code` and in the name of the test that proves it is enforced.

export interface FramingCheck {
  readonly id: string;
  readonly rfc: string;
  readonly text: string;
}

/** Short names for the IDs, used by the code that throws. */
export const FRM = {
  groupId: 'V-FRM-01',
  epoch: 'V-FRM-02',
  membershipTag: 'V-FRM-03',
  signature: 'V-FRM-04',
  senderLeaf: 'V-FRM-05',
  applicationInPublic: 'V-FRM-06',
  decryption: 'V-FRM-07',
  padding: 'V-FRM-08',
  externalSender: 'V-FRM-09',
  generationTooFar: 'V-FRM-10',
  keyReused: 'V-FRM-11',
  externalContent: 'V-FRM-12',
  newMemberCommit: 'V-FRM-13',
  newMemberProposal: 'V-FRM-14',
} as const;

export const FRAMING_CHECKS: readonly FramingCheck[] = [
  {
    id: FRM.groupId,
    rfc: '§6, §12.4.2',
    text: 'The group_id of a received PublicMessage or PrivateMessage MUST be the group_id of the group processing it.',
  },
  {
    id: FRM.epoch,
    rfc: '§6, §12.4.2',
    text: 'The epoch of a received message MUST equal the epoch of the GroupContext whose keys are used to process it.',
  },
  {
    id: FRM.membershipTag,
    rfc: '§6.2',
    text: 'When decoding a PublicMessage from a member, the application MUST check membership_tag = MAC(membership_key, AuthenticatedContentTBM).',
  },
  {
    id: FRM.signature,
    rfc: '§6.1',
    text: 'Recipients MUST verify the signature (VerifyWithLabel "FramedContentTBS") with the key given by the sender type.',
  },
  {
    id: FRM.senderLeaf,
    rfc: '§6.1, §6.3.2',
    text: 'A member sender leaf_index (in Sender or SenderData) MUST identify a non-blank leaf of the ratchet tree.',
  },
  {
    id: FRM.applicationInPublic,
    rfc: '§6',
    text: 'Applications MUST use PrivateMessage to encrypt application messages: application data in a PublicMessage is rejected.',
  },
  {
    id: FRM.decryption,
    rfc: '§6.3.1, §6.3.2',
    text: 'A PrivateMessage whose sender data or content does not decrypt, or whose plaintext is malformed, MUST be rejected (one error for all).',
  },
  {
    id: FRM.padding,
    rfc: '§6.3.1',
    text: 'A receiver MUST verify that there are no non-zero bytes in the padding field; otherwise the PrivateMessage MUST be rejected.',
  },
  {
    id: FRM.externalSender,
    rfc: '§6.1, §12.1.8.1',
    text: 'An external sender_index MUST identify an entry of the external_senders group context extension.',
  },
  {
    id: FRM.generationTooFar,
    rfc: '§15.3, §9.1',
    text: 'A generation too far ahead of the sender ratchet (beyond the configured bound) MUST be rejected without deriving keys.',
  },
  {
    id: FRM.keyReused,
    rfc: '§9.1, §9.2',
    text: 'Each key/nonce pair MUST NOT be used more than once: a generation whose key was consumed or deleted is rejected.',
  },
  {
    id: FRM.externalContent,
    rfc: '§6.1, §12.1.8',
    text: 'For an external sender the content_type MUST be proposal and the proposal type MUST be one allowed for external senders.',
  },
  {
    id: FRM.newMemberCommit,
    rfc: '§6.1',
    text: 'For a new_member_commit sender the content_type MUST be commit (and the commit MUST carry a path with the signing LeafNode).',
  },
  {
    id: FRM.newMemberProposal,
    rfc: '§6.1',
    text: 'For a new_member_proposal sender the content_type MUST be proposal and the proposal_type MUST be add.',
  },
];
