// RFC 9420 §12.1 Proposal and its bodies, §8.4 PreSharedKeyID / PSKLabel, §12.4 ProposalOrRef.

import { dualDecoder, dualEncoder } from '../codec/dual.js';
import type { Reader, Writer } from '../codec/tls-codec.js';
import { DecodeError } from '../errors.js';
import { decodeExtensions, encodeExtensions } from './extension.js';
import { decodeKeyPackage, encodeKeyPackage } from './key-package.js';
import { decodeLeafNode, encodeLeafNode } from './leaf-node.js';
import {
  type Add,
  type ExternalInit,
  type GroupContextExtensions,
  type PreSharedKey,
  type PreSharedKeyID,
  type Proposal,
  type ProposalOrRef,
  ProposalOrRefType,
  ProposalType,
  type PskLabel,
  PskType,
  type ReInit,
  type Remove,
  type Update,
} from './types.js';

export const encodePreSharedKeyID = dualEncoder((w: Writer, v: PreSharedKeyID) => {
  w.u8(v.pskType);
  if (v.pskType === PskType.external) w.bytes(v.pskId);
  else w.u8(v.usage).bytes(v.pskGroupId).u64(v.pskEpoch);
  w.bytes(v.pskNonce);
});
export const decodePreSharedKeyID = dualDecoder((r: Reader): PreSharedKeyID => {
  const pskType = r.u8();
  if (pskType === PskType.external) return { pskType, pskId: r.bytes(), pskNonce: r.bytes() };
  if (pskType === PskType.resumption) {
    return { pskType, usage: r.u8(), pskGroupId: r.bytes(), pskEpoch: r.u64(), pskNonce: r.bytes() };
  }
  throw new DecodeError('unknown psk type');
});

/** RFC 9420 §8.4 PSKLabel { PreSharedKeyID id; uint16 index; uint16 count; }. */
export const encodePskLabel = dualEncoder((w: Writer, v: PskLabel) => {
  encodePreSharedKeyID(w, v.id);
  w.u16(v.index).u16(v.count);
});
export const decodePskLabel = dualDecoder((r: Reader): PskLabel => ({ id: decodePreSharedKeyID(r), index: r.u16(), count: r.u16() }));

export const encodeAdd = dualEncoder((w: Writer, v: Add) => encodeKeyPackage(w, v.keyPackage));
export const decodeAdd = dualDecoder((r: Reader): Add => ({ keyPackage: decodeKeyPackage(r) }));

export const encodeUpdate = dualEncoder((w: Writer, v: Update) => encodeLeafNode(w, v.leafNode));
export const decodeUpdate = dualDecoder((r: Reader): Update => ({ leafNode: decodeLeafNode(r) }));

export const encodeRemove = dualEncoder((w: Writer, v: Remove) => {
  w.u32(v.removed);
});
export const decodeRemove = dualDecoder((r: Reader): Remove => ({ removed: r.u32() }));

export const encodePreSharedKey = dualEncoder((w: Writer, v: PreSharedKey) => encodePreSharedKeyID(w, v.psk));
export const decodePreSharedKey = dualDecoder((r: Reader): PreSharedKey => ({ psk: decodePreSharedKeyID(r) }));

export const encodeReInit = dualEncoder((w: Writer, v: ReInit) => {
  w.bytes(v.groupId).u16(v.version).u16(v.cipherSuite);
  encodeExtensions(w, v.extensions);
});
export const decodeReInit = dualDecoder((r: Reader): ReInit => ({
  groupId: r.bytes(),
  version: r.u16(),
  cipherSuite: r.u16(),
  extensions: decodeExtensions(r),
}));

export const encodeExternalInit = dualEncoder((w: Writer, v: ExternalInit) => {
  w.bytes(v.kemOutput);
});
export const decodeExternalInit = dualDecoder((r: Reader): ExternalInit => ({ kemOutput: r.bytes() }));

export const encodeGroupContextExtensions = dualEncoder((w: Writer, v: GroupContextExtensions) => encodeExtensions(w, v.extensions));
export const decodeGroupContextExtensions = dualDecoder((r: Reader): GroupContextExtensions => ({ extensions: decodeExtensions(r) }));

export const encodeProposal = dualEncoder((w: Writer, v: Proposal) => {
  w.u16(v.proposalType);
  switch (v.proposalType) {
    case ProposalType.add:
      return encodeAdd(w, v.add);
    case ProposalType.update:
      return encodeUpdate(w, v.update);
    case ProposalType.remove:
      return encodeRemove(w, v.remove);
    case ProposalType.psk:
      return encodePreSharedKey(w, v.psk);
    case ProposalType.reinit:
      return encodeReInit(w, v.reinit);
    case ProposalType.external_init:
      return encodeExternalInit(w, v.externalInit);
    case ProposalType.group_context_extensions:
      return encodeGroupContextExtensions(w, v.groupContextExtensions);
  }
});
export const decodeProposal = dualDecoder((r: Reader): Proposal => {
  const proposalType = r.u16();
  switch (proposalType) {
    case ProposalType.add:
      return { proposalType, add: decodeAdd(r) };
    case ProposalType.update:
      return { proposalType, update: decodeUpdate(r) };
    case ProposalType.remove:
      return { proposalType, remove: decodeRemove(r) };
    case ProposalType.psk:
      return { proposalType, psk: decodePreSharedKey(r) };
    case ProposalType.reinit:
      return { proposalType, reinit: decodeReInit(r) };
    case ProposalType.external_init:
      return { proposalType, externalInit: decodeExternalInit(r) };
    case ProposalType.group_context_extensions:
      return { proposalType, groupContextExtensions: decodeGroupContextExtensions(r) };
    default:
      throw new DecodeError('unknown proposal type');
  }
});

export const encodeProposalOrRef = dualEncoder((w: Writer, v: ProposalOrRef) => {
  w.u8(v.type);
  if (v.type === ProposalOrRefType.proposal) encodeProposal(w, v.proposal);
  else w.bytes(v.reference);
});
export const decodeProposalOrRef = dualDecoder((r: Reader): ProposalOrRef => {
  const type = r.u8();
  if (type === ProposalOrRefType.proposal) return { type, proposal: decodeProposal(r) };
  if (type === ProposalOrRefType.reference) return { type, reference: r.bytes() };
  throw new DecodeError('unknown proposal-or-ref type');
});
