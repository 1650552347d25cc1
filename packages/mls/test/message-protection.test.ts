// IETF message-protection.json (RFC 9420 §6.2, §6.3): unprotect the given Public/PrivateMessages for a proposal, a
// commit and application data (sender: leaf 1 of a 2-member secret tree), then protect our own and unprotect them.
// The checks live in contracts/message-protection.ts (packages/web also runs them in Chromium on the portable provider).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkFramingEpochRedacted, checkMessageProtectionCase, type ProtectionVector } from './contracts/message-protection.js';
import { providers, selectCases } from './helpers/providers.js';
import { loadVectors } from './helpers/vectors.js';

const vectors = loadVectors<ProtectionVector>('message-protection');

for (const p of providers) {
  const { cases: selected, summary } = selectCases(p, 'message-protection', vectors);

  describe(`message-protection.json (RFC 9420 §6.2, §6.3), ${p.name} provider`, () => {
    it(`${p.name}: unprotects and re-protects proposal, commit and application in every selected case`, (t) => {
      let cases = 0;
      let messages = 0;
      for (const [, v] of selected) {
        messages += checkMessageProtectionCase(p.provider, p.rng, v, assert);
        cases++;
      }
      assert.equal(cases, selected.length);
      assert.ok(messages > 0);
      checkFramingEpochRedacted(p.provider, (selected[0] as [number, ProtectionVector])[1], assert);
      t.diagnostic(`${summary}, ${messages} given messages unprotected`);
    });
  });
}
