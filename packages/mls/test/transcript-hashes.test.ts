// IETF transcript-hashes.json (RFC 9420 §8.2, §6.1): confirmed/interim transcript hashes and the confirmation tag.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  confirmationTag,
  confirmedTranscriptHash,
  interimTranscriptHash,
  nextTranscriptHashes,
  verifyConfirmationTag,
} from '../src/schedule/transcript-hash.js';
import { decodeAuthenticatedContent } from '../src/wire/framing.js';
import { providers, selectCases } from './helpers/providers.js';
import { hex, loadVectors, toHex } from './helpers/vectors.js';

interface TranscriptVector {
  cipher_suite: number;
  confirmation_key: string;
  authenticated_content: string;
  interim_transcript_hash_before: string;
  confirmed_transcript_hash_after: string;
  interim_transcript_hash_after: string;
}

const vectors = loadVectors<TranscriptVector>('transcript-hashes');

for (const p of providers) {
  const { cases: selected, summary } = selectCases(p, 'transcript-hashes', vectors);

  describe(`transcript-hashes.json (RFC 9420 §8.2), ${p.name} provider`, () => {
    it(`${p.name}: updates both hashes and verifies the confirmation tag for every selected case`, (t) => {
      let cases = 0;
      for (const [, v] of selected) {
        const cs = p.provider.suite(v.cipher_suite);
        const ac = decodeAuthenticatedContent(hex(v.authenticated_content));
        assert.equal(ac.content.contentType, 3, 'contains a Commit');
        const tag = ac.auth.confirmationTag as Uint8Array;
        const key = hex(v.confirmation_key);
        const confirmedAfter = hex(v.confirmed_transcript_hash_after);
        assert.ok(verifyConfirmationTag(cs, key, confirmedAfter, tag));
        assert.equal(toHex(confirmationTag(cs, key, confirmedAfter)), toHex(tag));
        const before = hex(v.interim_transcript_hash_before);
        assert.equal(toHex(confirmedTranscriptHash(cs, before, ac)), v.confirmed_transcript_hash_after);
        assert.equal(toHex(interimTranscriptHash(cs, confirmedAfter, tag)), v.interim_transcript_hash_after);
        const both = nextTranscriptHashes(cs, before, ac);
        assert.equal(toHex(both.confirmed), v.confirmed_transcript_hash_after);
        assert.equal(toHex(both.interim), v.interim_transcript_hash_after);
        // A flipped bit in the tag fails, in constant time.
        const bad = tag.slice();
        bad[0] = (bad[0] as number) ^ 1;
        assert.ok(!verifyConfirmationTag(cs, key, confirmedAfter, bad));
        cases++;
      }
      assert.equal(cases, selected.length);
      t.diagnostic(summary);
    });
  });
}
