// Browser suite: the IETF MLS vectors crypto-basics, key-schedule and message-protection (RFC 9420 §5, §6, §8, §9) on
// the portable provider (@noble/*), through the mls package's shared test contracts. The vector JSON is bundled in.
// Bundled and run in Chromium by test/browser-suites.test.ts.
import { createPortableProvider, portableRandom } from '@sotto/mls/portable';
// The mls package's own test contracts and vector files, shared with its Node tests; not a package API, so imported by path.
/* eslint-disable sotto/no-cross-package-import -- shared test contracts and IETF vectors (test code, not a package contract) */
import { CRYPTO_BASICS_CHECKS, type CryptoBasicsVector } from '../../../mls/test/contracts/crypto-basics.js';
import {
  checkExternalInit,
  checkExternalPub,
  checkKeyScheduleCase,
  type KeyScheduleVector,
} from '../../../mls/test/contracts/key-schedule.js';
import {
  checkFramingEpochRedacted,
  checkMessageProtectionCase,
  type ProtectionVector,
} from '../../../mls/test/contracts/message-protection.js';
import cryptoBasicsJson from '../../../mls/test/vectors/crypto-basics.json' with { type: 'json' };
import keyScheduleJson from '../../../mls/test/vectors/key-schedule.json' with { type: 'json' };
import messageProtectionJson from '../../../mls/test/vectors/message-protection.json' with { type: 'json' };
/* eslint-enable sotto/no-cross-package-import */
import { browserAssert as assert } from './browser-assert.js';
import { type NamedCase, runCases, type SuiteResult } from './harness.js';

const cryptoBasics = cryptoBasicsJson as unknown as CryptoBasicsVector[];
const keySchedule = keyScheduleJson as unknown as KeyScheduleVector[];
const messageProtection = messageProtectionJson as unknown as ProtectionVector[];

export async function run(): Promise<SuiteResult> {
  const provider = createPortableProvider();
  const supported = <V extends { cipher_suite: number }>(vs: V[]) => vs.filter((v) => provider.supportedSuites.includes(v.cipher_suite));
  const counts = {
    cryptoBasicsVectors: 0,
    cryptoBasicsChecks: 0,
    keyScheduleVectors: 0,
    keyScheduleEpochs: 0,
    externalPubEpochs: 0,
    externalInitSuites: 0,
    messageProtectionVectors: 0,
    messagesUnprotected: 0,
  };
  const cases: NamedCase[] = [];

  for (const v of supported(cryptoBasics)) {
    const cs = provider.suite(v.cipher_suite);
    counts.cryptoBasicsVectors++;
    for (const check of CRYPTO_BASICS_CHECKS) {
      cases.push({
        name: `crypto-basics suite ${v.cipher_suite} ${check.name}`,
        run: () => {
          check.run(cs, v, portableRandom, assert);
          counts.cryptoBasicsChecks++;
        },
      });
    }
  }
  for (const v of supported(keySchedule)) {
    counts.keyScheduleVectors++;
    cases.push({
      name: `key-schedule suite ${v.cipher_suite}: every epoch's secrets, GroupContext and exporter`,
      run: () => void (counts.keyScheduleEpochs += checkKeyScheduleCase(provider, v, assert)),
    });
    cases.push({
      name: `key-schedule suite ${v.cipher_suite}: external_pub of every epoch`,
      run: () => void (counts.externalPubEpochs += checkExternalPub(provider, v, assert)),
    });
  }
  for (const id of provider.supportedSuites) {
    cases.push({
      name: `key-schedule suite ${id}: external init, joiner and members agree on init_secret`,
      run: () => {
        checkExternalInit(provider, id, assert);
        counts.externalInitSuites++;
      },
    });
  }
  const protection = supported(messageProtection);
  for (const v of protection) {
    counts.messageProtectionVectors++;
    cases.push({
      name: `message-protection suite ${v.cipher_suite}: unprotect the given and re-protect our own proposal, commit, application`,
      run: () => void (counts.messagesUnprotected += checkMessageProtectionCase(provider, portableRandom, v, assert)),
    });
  }
  if (protection[0]) {
    const first = protection[0];
    cases.push({
      name: 'message-protection: a FramingEpoch prints itself redacted',
      run: () => checkFramingEpochRedacted(provider, first, assert),
    });
  }

  const results = await runCases(cases);
  return {
    suite: 'mls',
    cases: results,
    counts: { ...counts, vectorFiles: 3, suitesSupported: provider.supportedSuites.length },
    facts: { provider: provider.name, suites: provider.supportedSuites.join(',') },
  };
}
