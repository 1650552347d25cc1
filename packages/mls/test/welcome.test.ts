// IETF welcome.json (RFC 9420 §12.4.3.1): decrypt GroupSecrets with the KeyPackage's init key, derive welcome_secret,
// decrypt the GroupInfo, verify its signature and confirmation tag; then build a Welcome and join it back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeKeyPackageRef } from '../src/crypto/labels.js';
import { CryptoError } from '../src/errors.js';
import { deriveWelcomeSecret, epochSecretsFromJoiner } from '../src/schedule/key-schedule.js';
import { confirmationTag, verifyConfirmationTag } from '../src/schedule/transcript-hash.js';
import {
  decryptGroupInfo,
  decryptGroupSecrets,
  encryptGroupInfo,
  encryptGroupSecrets,
  findGroupSecretsFor,
  signGroupInfo,
  verifyGroupInfoSignature,
} from '../src/schedule/welcome.js';
import { encodeKeyPackage } from '../src/wire/key-package.js';
import { decodeMlsMessage } from '../src/wire/mls-message.js';
import { WireFormat } from '../src/wire/types.js';
import { providers, selectCases } from './helpers/providers.js';
import { hex, loadVectors } from './helpers/vectors.js';

interface WelcomeVector {
  cipher_suite: number;
  init_priv: string;
  key_package: string;
  signer_pub: string;
  welcome: string;
}

const vectors = loadVectors<WelcomeVector>('welcome');

function parse(v: WelcomeVector) {
  const kpMsg = decodeMlsMessage(hex(v.key_package));
  const wMsg = decodeMlsMessage(hex(v.welcome));
  assert.equal(kpMsg.wireFormat, WireFormat.mls_key_package);
  assert.equal(wMsg.wireFormat, WireFormat.mls_welcome);
  if (kpMsg.wireFormat !== WireFormat.mls_key_package || wMsg.wireFormat !== WireFormat.mls_welcome) throw new Error('unreachable');
  return { keyPackage: kpMsg.keyPackage, welcome: wMsg.welcome };
}

for (const p of providers) {
  const { cases: selected, summary } = selectCases(p, 'welcome', vectors);

  describe(`welcome.json (RFC 9420 §12.4.3.1), ${p.name} provider`, () => {
    it(`${p.name}: joins every selected case: group secrets, GroupInfo, signature, confirmation tag`, (t) => {
      let cases = 0;
      for (const [, v] of selected) {
        const cs = p.provider.suite(v.cipher_suite);
        const { keyPackage, welcome } = parse(v);
        assert.equal(welcome.cipherSuite, v.cipher_suite);
        const ref = makeKeyPackageRef(cs, encodeKeyPackage(keyPackage));
        const entry = findGroupSecretsFor(welcome, ref);
        assert.ok(entry, 'an entry for our KeyPackage');
        const secrets = decryptGroupSecrets(cs, hex(v.init_priv), welcome.encryptedGroupInfo, entry.encryptedGroupSecrets);
        assert.equal(secrets.psks.length, 0);
        const welcomeSecret = deriveWelcomeSecret(cs, secrets.joinerSecret);
        const gi = decryptGroupInfo(cs, welcomeSecret, welcome.encryptedGroupInfo);
        assert.ok(verifyGroupInfoSignature(cs, hex(v.signer_pub), gi), 'GroupInfo signature');
        const epoch = epochSecretsFromJoiner(cs, secrets.joinerSecret, undefined, gi.groupContext);
        assert.deepEqual(epoch.welcomeSecret, welcomeSecret);
        assert.ok(verifyConfirmationTag(cs, epoch.confirmationKey, gi.groupContext.confirmedTranscriptHash, gi.confirmationTag));
        // Wrong init key: the same opaque error as any other undecryptable Welcome.
        const wrong = hex(v.init_priv);
        wrong[wrong.length - 1] = (wrong[wrong.length - 1] as number) ^ 1;
        assert.throws(() => decryptGroupSecrets(cs, wrong, welcome.encryptedGroupInfo, entry.encryptedGroupSecrets), CryptoError);
        const badGi = welcome.encryptedGroupInfo.slice();
        badGi[0] = (badGi[0] as number) ^ 1;
        assert.throws(() => decryptGroupInfo(cs, welcomeSecret, badGi), CryptoError);
        cases++;
      }
      assert.equal(cases, selected.length);
      t.diagnostic(summary);
    });

    it(`${p.name}: round-trips a Welcome we build ourselves`, (t) => {
      for (const [, v] of selected) {
        const cs = p.provider.suite(v.cipher_suite);
        const { keyPackage, welcome } = parse(v);
        const initPriv = hex(v.init_priv);
        const secrets = decryptGroupSecrets(
          cs,
          initPriv,
          welcome.encryptedGroupInfo,
          (welcome.secrets[0] as (typeof welcome.secrets)[0]).encryptedGroupSecrets,
        );
        const gi0 = decryptGroupInfo(cs, deriveWelcomeSecret(cs, secrets.joinerSecret), welcome.encryptedGroupInfo);
        const signer = cs.generateSignatureKeyPair(p.rng);
        const joiner = p.rng(cs.hashLength);
        const epoch = epochSecretsFromJoiner(cs, joiner, undefined, gi0.groupContext);
        const tag = confirmationTag(cs, epoch.confirmationKey, gi0.groupContext.confirmedTranscriptHash);
        const gi = signGroupInfo(cs, signer.privateKey, {
          groupContext: gi0.groupContext,
          extensions: [],
          confirmationTag: tag,
          signer: 0,
        });
        const encryptedGroupInfo = encryptGroupInfo(cs, epoch.welcomeSecret as Uint8Array, gi);
        const egs = encryptGroupSecrets(cs, keyPackage.initKey, encryptedGroupInfo, { joinerSecret: joiner, psks: [] }, p.rng);
        const back = decryptGroupSecrets(cs, initPriv, encryptedGroupInfo, egs);
        assert.deepEqual(back.joinerSecret, joiner);
        const gi2 = decryptGroupInfo(cs, deriveWelcomeSecret(cs, back.joinerSecret), encryptedGroupInfo);
        assert.ok(verifyGroupInfoSignature(cs, signer.publicKey, gi2));
        assert.deepEqual(gi2, gi);
      }
      t.diagnostic(summary);
    });
  });
}
