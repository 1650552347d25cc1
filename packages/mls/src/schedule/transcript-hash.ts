// Transcript hashes and the confirmation tag (RFC 9420 §8.2, §6.1): the running hashes over Commits that bind each
// epoch to its history, and the MAC that confirms members agree on the new epoch.
import type { CipherSuite } from '../crypto/provider.js';
import { concat, constantTimeEqual } from '../util/bytes.js';
import { confirmedTranscriptHashInputBytes, interimTranscriptHashInputBytes } from '../wire/framing.js';
import type { AuthenticatedContent, Bytes } from '../wire/types.js';

/** RFC 9420 §8.2: Hash(interim_transcript_hash_[n-1] || ConfirmedTranscriptHashInput{wire_format, content, signature}). */
export function confirmedTranscriptHash(cs: CipherSuite, interimBefore: Bytes, commit: AuthenticatedContent): Bytes {
  if (commit.content.contentType !== 3) throw new TypeError('transcript hashes are computed over a Commit');
  const input = confirmedTranscriptHashInputBytes(commit.wireFormat, commit.content, commit.auth.signature);
  return cs.hash(concat(interimBefore, input));
}

/** RFC 9420 §8.2: Hash(confirmed_transcript_hash_[n] || InterimTranscriptHashInput{confirmation_tag}). */
export function interimTranscriptHash(cs: CipherSuite, confirmed: Bytes, confirmationTag: Bytes): Bytes {
  return cs.hash(concat(confirmed, interimTranscriptHashInputBytes(confirmationTag)));
}

/** RFC 9420 §6.1: confirmation_tag = MAC(confirmation_key, GroupContext.confirmed_transcript_hash). */
export function confirmationTag(cs: CipherSuite, confirmationKey: Bytes, confirmed: Bytes): Bytes {
  return cs.mac(confirmationKey, confirmed);
}

/** Constant-time check of a received confirmation tag (RFC 9420 §6.1, §12.4.2, §12.4.3.1). */
export function verifyConfirmationTag(cs: CipherSuite, confirmationKey: Bytes, confirmed: Bytes, tag: Bytes): boolean {
  return constantTimeEqual(confirmationTag(cs, confirmationKey, confirmed), tag);
}

/**
 * Both hashes after a Commit (RFC 9420 §8.2). `commit.auth.confirmationTag` must be set: a receiver verifies it
 * against the new confirmation key before trusting the returned interim hash.
 */
export function nextTranscriptHashes(
  cs: CipherSuite,
  interimBefore: Bytes,
  commit: AuthenticatedContent,
): { confirmed: Bytes; interim: Bytes } {
  const tag = commit.auth.confirmationTag;
  if (tag === undefined) throw new TypeError('a Commit carries a confirmation tag');
  const confirmed = confirmedTranscriptHash(cs, interimBefore, commit);
  return { confirmed, interim: interimTranscriptHash(cs, confirmed, tag) };
}
