// IETF key-schedule.json checks (RFC 9420 §8) for any CryptoProvider: every epoch's secrets, GroupContext,
// external_pub and MLS-Exporter output. Portable: run by test/key-schedule.test.ts in Node and by packages/web in Chromium.
import type { CryptoProvider } from '../../src/crypto/provider.js';
import {
  deriveEpochSecrets,
  deriveExternalKeyPair,
  epochSecretsFromJoiner,
  externalInitSecretForReceiver,
  externalInitSecretForSender,
  initialEpochSecrets,
  mlsExporter,
} from '../../src/schedule/key-schedule.js';
import { fromHex as hex, toHex } from '../../src/util/bytes.js';
import { encodeGroupContext } from '../../src/wire/group-context.js';
import type { GroupContext } from '../../src/wire/types.js';
import type { ContractAssert } from './assert.js';

export interface KeyScheduleEpoch {
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

export interface KeyScheduleVector {
  cipher_suite: number;
  group_id: string;
  initial_init_secret: string;
  epochs: KeyScheduleEpoch[];
}

/** Derives every epoch of one case and compares every secret; returns the number of epochs checked. */
export function checkKeyScheduleCase(provider: CryptoProvider, v: KeyScheduleVector, assert: ContractAssert): number {
  const cs = provider.suite(v.cipher_suite);
  let initSecret = hex(v.initial_init_secret);
  let epochs = 0;
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
    const s = deriveEpochSecrets(cs, { initSecret, commitSecret: hex(e.commit_secret), pskSecret: hex(e.psk_secret), groupContext: gc });
    const at = `${provider.name} suite ${v.cipher_suite} epoch ${i}`;
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
  return epochs;
}

/** external_pub = KEM.DeriveKeyPair(external_secret) for every epoch of one case; returns the number of epochs. */
export function checkExternalPub(provider: CryptoProvider, v: KeyScheduleVector, assert: ContractAssert): number {
  const cs = provider.suite(v.cipher_suite);
  for (const [i, e] of v.epochs.entries()) {
    const pub = deriveExternalKeyPair(cs, hex(e.external_secret)).publicKey;
    assert.equal(toHex(pub), e.external_pub, `${provider.name} suite ${v.cipher_suite} epoch ${i}`);
  }
  return v.epochs.length;
}

/** External init (RFC 9420 §8.3) in one suite: joiner and members agree on init_secret. */
export function checkExternalInit(provider: CryptoProvider, suite: number, assert: ContractAssert): void {
  const cs = provider.suite(suite);
  const s = initialEpochSecrets(cs, (n) => new Uint8Array(n).fill(suite));
  const kp = deriveExternalKeyPair(cs, s.externalSecret);
  let ctr = 0;
  const rng = (n: number) => Uint8Array.from({ length: n }, () => ctr++ & 0xff);
  const sent = externalInitSecretForSender(cs, kp.publicKey, rng);
  assert.equal(sent.initSecret.length, cs.hashLength);
  assert.deepEqual(externalInitSecretForReceiver(cs, kp.privateKey, sent.kemOutput), sent.initSecret);
}
