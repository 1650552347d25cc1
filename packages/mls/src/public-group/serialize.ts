// Persisted form of a PublicGroup (versioned TLS-style encoding, like group/serialize.ts). Public data only (RFC 9420
// §8.1 GroupContext, §12.4.3.3 ratchet tree, §8.2 interim transcript hash, §12.4 proposals by reference).
import { Reader, Writer } from '../codec/tls-codec.js';
import { DecodeError } from '../errors.js';
import { RatchetTree } from '../tree/ratchet-tree.js';
import {
  decodeGroupContext,
  decodeProposal,
  decodeRatchetTree,
  decodeReInit,
  decodeSender,
  encodeGroupContext,
  encodeProposal,
  encodeRatchetTree,
  encodeReInit,
  encodeSender,
} from '../wire/index.js';
import { makePublicGroup, type PublicGroup, type PublicGroupDeps } from './state.js';

/** Marks the bytes as a PublicGroup, so a member's GroupState (whose first byte is its version) is never mistaken. */
const MAGIC = 0x5047; // "PG"
const FORMAT_VERSION = 1;
/** Format 2 = format 1 plus the ReInit that closed the group (RFC 9420 §11.2); written only for a closed group. */
const FORMAT_WITH_REINIT = 2;

export function serializePublicGroup(group: PublicGroup): Uint8Array {
  const w = new Writer(1024);
  w.u16(MAGIC).u8(group.reinit ? FORMAT_WITH_REINIT : FORMAT_VERSION);
  encodeGroupContext(w, group.context);
  encodeRatchetTree(w, group.tree.toNodes());
  w.bytes(group.interimTranscriptHash);
  w.vector([...group.pending], (ww, p) => {
    ww.bytes(p.ref);
    encodeProposal(ww, p.proposal);
    encodeSender(ww, p.sender);
  });
  if (group.reinit) {
    encodeReInit(w, group.reinit.proposal);
    w.u64(group.reinit.epoch);
  }
  return w.finish();
}

/** Inverse of serializePublicGroup. Throws DecodeError on malformed or foreign input (or an unknown format version). */
export function deserializePublicGroup(deps: Pick<PublicGroupDeps, 'crypto'>, bytes: Uint8Array): PublicGroup {
  const r = new Reader(bytes);
  try {
    if (r.u16() !== MAGIC) throw new DecodeError('not a public group state');
    const version = r.u8();
    if (version !== FORMAT_VERSION && version !== FORMAT_WITH_REINIT) throw new DecodeError('unknown public group state format');
    const context = decodeGroupContext(r);
    const tree = RatchetTree.fromNodes(deps.crypto.suite(context.cipherSuite), decodeRatchetTree(r));
    const interimTranscriptHash = r.bytes();
    const pending = r.vector((rr) => ({ ref: rr.bytes(), proposal: decodeProposal(rr), sender: decodeSender(rr) }));
    const reinit = version === FORMAT_WITH_REINIT ? { proposal: decodeReInit(r), epoch: r.u64() } : undefined;
    r.done();
    return makePublicGroup({ context, tree, interimTranscriptHash, pending, ...(reinit ? { reinit } : {}) });
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    throw new DecodeError('malformed public group state');
  }
}
