// IETF key-schedule.json (RFC 9420 §8): every epoch's secrets, GroupContext, external_pub and MLS-Exporter output.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { createNativeProvider } from '../src/crypto/native/index.js';
import {
  deriveEpochSecrets,
  deriveExternalKeyPair,
  EpochSecrets,
  epochSecretsFromJoiner,
  externalInitSecretForReceiver,
  externalInitSecretForSender,
  initialEpochSecrets,
  mlsExporter,
} from '../src/schedule/key-schedule.js';
import { encodeGroupContext } from '../src/wire/group-context.js';
import type { GroupContext } from '../src/wire/types.js';
import { providers, selectCases } from './helpers/providers.js';
import { hex, loadVectors, toHex } from './helpers/vectors.js';

interface Epoch {
  commit_secret: string;
  confirmation_key: string;
  confirmed_transcript_hash: string;
  encryption_secret: string;
  epoch_authenticator: string;
  exporter: { context: string; label: string; length: number; secret: string };
  exporter_secret: string;
  external_pub: string;
  external_secret: string;
  group_context: string;
  init_secret: string;
  joiner_secret: string;
  membership_key: string;
  psk_secret: string;
  resumption_psk: string;
  sender_data_secret: string;
  tree_hash: string;
  welcome_secret: string;
}
interface KeyScheduleVector {
  cipher_suite: number;
  group_id: string;
  initial_init_secret: string;
  epochs: Epoch[];
}

const vectors = loadVectors<KeyScheduleVector>('key-schedule');

for (const p of providers) {
  const { provider } = p;
  const { cases: selected, summary } = selectCases(p, 'key-schedule', vectors);

  describe(`key-schedule.json (RFC 9420 §8), ${p.name} provider`, () => {
    it(`${p.name}: derives every epoch of every selected case`, (t) => {
      let cases = 0;
      let epochs = 0;
      for (const [, v] of selected) {
        const cs = provider.suite(v.cipher_suite);
        let initSecret = hex(v.initial_init_secret);
        for (const [i, e] of v.epochs.entries()) {
          const gc: GroupContext = {
            version: 1,
            cipherSuite: v.cipher_suite,
            groupId: hex(v.group_id),
            epoch: BigInt(i),
            treeHash: hex(e.tree_hash),
            confirmedTranscriptHash: hex(e.confirmed_transcript_hash),
            extensions: [],
          };
          assert.equal(toHex(encodeGroupContext(gc)), e.group_context);
          const s = deriveEpochSecrets(cs, {
            initSecret,
            commitSecret: hex(e.commit_secret),
            pskSecret: hex(e.psk_secret),
            groupContext: gc,
          });
          const at = `${p.name} suite ${v.cipher_suite} epoch ${i}`;
          assert.equal(toHex(s.joinerSecret as Uint8Array), e.joiner_secret, at);
          assert.equal(toHex(s.welcomeSecret as Uint8Array), e.welcome_secret, at);
          assert.equal(toHex(s.senderDataSecret), e.sender_data_secret, at);
          assert.equal(toHex(s.encryptionSecret), e.encryption_secret, at);
          assert.equal(toHex(s.exporterSecret), e.exporter_secret, at);
          assert.equal(toHex(s.externalSecret), e.external_secret, at);
          assert.equal(toHex(s.confirmationKey), e.confirmation_key, at);
          assert.equal(toHex(s.membershipKey), e.membership_key, at);
          assert.equal(toHex(s.resumptionPsk), e.resumption_psk, at);
          assert.equal(toHex(s.epochAuthenticator), e.epoch_authenticator, at);
          assert.equal(toHex(s.initSecret), e.init_secret, at);
          const x = e.exporter;
          assert.equal(toHex(mlsExporter(cs, s.exporterSecret, x.label, hex(x.context), x.length)), x.secret, at);
          // Join path (RFC 9420 §12.4.3.1): from joiner_secret + psk_secret + GroupContext, same epoch secrets.
          const joined = epochSecretsFromJoiner(cs, hex(e.joiner_secret), hex(e.psk_secret), encodeGroupContext(gc));
          assert.equal(toHex(joined.epochAuthenticator), e.epoch_authenticator, at);
          assert.equal(toHex(joined.initSecret), e.init_secret, at);
          initSecret = s.initSecret;
          epochs++;
        }
        cases++;
      }
      assert.equal(cases, selected.length);
      t.diagnostic(`${summary}, ${epochs} epochs`);
    });

    it(`${p.name}: external_pub = KEM.DeriveKeyPair(external_secret) for every epoch of every selected case`, (t) => {
      let epochs = 0;
      for (const [, v] of selected) {
        const cs = provider.suite(v.cipher_suite);
        for (const [i, e] of v.epochs.entries()) {
          const pub = deriveExternalKeyPair(cs, hex(e.external_secret)).publicKey;
          assert.equal(toHex(pub), e.external_pub, `${p.name} suite ${v.cipher_suite} epoch ${i}`);
          epochs++;
        }
      }
      t.diagnostic(`${summary}, external_pub of ${epochs} epochs`);
    });

    it(`${p.name}: external init (RFC 9420 §8.3): joiner and members agree on init_secret`, (t) => {
      for (const id of provider.supportedSuites) {
        const cs = provider.suite(id);
        const s = initialEpochSecrets(cs, (n) => new Uint8Array(n).fill(id));
        const kp = deriveExternalKeyPair(cs, s.externalSecret);
        let ctr = 0;
        const rng = (n: number) => Uint8Array.from({ length: n }, () => ctr++ & 0xff);
        const sent = externalInitSecretForSender(cs, kp.publicKey, rng);
        assert.equal(sent.initSecret.length, cs.hashLength);
        assert.deepEqual(externalInitSecretForReceiver(cs, kp.privateKey, sent.kemOutput), sent.initSecret);
      }
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
