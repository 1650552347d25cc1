// IETF key-schedule.json (RFC 9420 §8): every epoch's secrets, GroupContext, external_pub and MLS-Exporter output. The
// checks live in contracts/key-schedule.ts (packages/web also runs them in Chromium on the portable provider).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { createNativeProvider } from '../src/crypto/native/index.js';
import { EpochSecrets, initialEpochSecrets } from '../src/schedule/key-schedule.js';
import { checkExternalInit, checkExternalPub, checkKeyScheduleCase, type KeyScheduleVector } from './contracts/key-schedule.js';
import { providers, selectCases } from './helpers/providers.js';
import { loadVectors, toHex } from './helpers/vectors.js';

const vectors = loadVectors<KeyScheduleVector>('key-schedule');

for (const p of providers) {
  const { provider } = p;
  const { cases: selected, summary } = selectCases(p, 'key-schedule', vectors);

  describe(`key-schedule.json (RFC 9420 §8), ${p.name} provider`, () => {
    it(`${p.name}: derives every epoch of every selected case`, (t) => {
      let epochs = 0;
      for (const [, v] of selected) epochs += checkKeyScheduleCase(provider, v, assert);
      assert.ok(selected.length > 0 && epochs > 0);
      t.diagnostic(`${summary}, ${epochs} epochs`);
    });

    it(`${p.name}: external_pub = KEM.DeriveKeyPair(external_secret) for every epoch of every selected case`, (t) => {
      let epochs = 0;
      for (const [, v] of selected) epochs += checkExternalPub(provider, v, assert);
      assert.ok(epochs > 0);
      t.diagnostic(`${summary}, external_pub of ${epochs} epochs`);
    });

    it(`${p.name}: external init (RFC 9420 §8.3): joiner and members agree on init_secret`, (t) => {
      for (const id of provider.supportedSuites) checkExternalInit(provider, id, assert);
      t.diagnostic(`${p.name}: external init over suites ${provider.supportedSuites.join(',')}`);
    });
  });
}

describe('key-schedule state', () => {
  const provider = createNativeProvider();

  it('EpochSecrets never prints its secrets', () => {
    const cs = provider.suite(1);
    const s = initialEpochSecrets(cs, (n) => new Uint8Array(n).fill(0xab));
    assert.ok(s instanceof EpochSecrets);
    const hexes = [s.initSecret, s.membershipKey, s.encryptionSecret].map(toHex);
    for (const out of [String(s), `${s}`, JSON.stringify(s), JSON.stringify({ s }), inspect(s, { showHidden: true, depth: 5 })]) {
      assert.match(out, /redacted/);
      for (const h of hexes) assert.ok(!out.includes(h) && !out.includes(h.slice(0, 8)));
    }
  });
});
