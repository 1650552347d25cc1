// RFC 9420 §12.4 Commit.

import { dualDecoder, dualEncoder } from '../codec/dual.js';
import type { Reader, Writer } from '../codec/tls-codec.js';
import { decodeProposalOrRef, encodeProposalOrRef } from './proposal.js';
import type { Commit } from './types.js';
import { decodeUpdatePath, encodeUpdatePath } from './update-path.js';

export const encodeCommit = dualEncoder((w: Writer, v: Commit) => {
  w.vector(v.proposals, encodeProposalOrRef);
  w.optional(v.path, encodeUpdatePath);
});
export const decodeCommit = dualDecoder((r: Reader): Commit => {
  const proposals = r.vector(decodeProposalOrRef);
  const path = r.optional(decodeUpdatePath);
  return path === undefined ? { proposals } : { proposals, path };
});
