// IETF welcome.json (RFC 9420 §12.4.3.1): decrypt GroupSecrets with the KeyPackage's init key, derive welcome_secret,
// decrypt the GroupInfo, verify its signature and confirmation tag; then build a Welcome and join it back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeKeyPackageRef } from '../src/crypto/labels.js';
import { createNativeProvider, nativeRandom } from '../src/crypto/native/index.js';
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
import { hex, loadVectors } from './helpers/vectors.js';

interface WelcomeVector {
  cipher_suite: number;
  init_priv: string;
  key_package: string;
  signer_pub: string;
  welcome: string;
}

const provider = createNativeProvider();
const vectors = loadVectors<WelcomeVector>('welcome');

function parse(v: WelcomeVector) {
  const kpMsg = decodeMlsMessage(hex(v.key_package));
  const wMsg = decodeMlsMessage(hex(v.welcome));
  assert.equal(kpMsg.wireFormat, WireFormat.mls_key_package);
  assert.equal(wMsg.wireFormat, WireFormat.mls_welcome);
  if (kpMsg.wireFormat !== WireFormat.mls_key_package || wMsg.wireFormat !== WireFormat.mls_welcome) throw new Error('unreachable');
  return { keyPackage: kpMsg.keyPackage, welcome: wMsg.welcome };
}

describe('welcome.json (RFC 9420 §12.4.3.1)', () => {
  it('joins every case: group secrets, GroupInfo, signature, confirmation tag', (t) => {
    let cases = 0;
    for (const v of vectors) {
      const cs = provider.suite(v.cipher_suite);
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
    assert.equal(cases, vectors.length);
    t.diagnostic(`welcome.json: ${cases}/${vectors.length} cases`);
  });

  it('round-trips a Welcome we build ourselves', () => {
    for (const v of vectors) {
      const cs = provider.suite(v.cipher_suite);
      const { keyPackage, welcome } = parse(v);
      const initPriv = hex(v.init_priv);
      const secrets = decryptGroupSecrets(
        cs,
        initPriv,
        welcome.encryptedGroupInfo,
        (welcome.secrets[0] as (typeof welcome.secrets)[0]).encryptedGroupSecrets,
      );
      const gi0 = decryptGroupInfo(cs, deriveWelcomeSecret(cs, secrets.joinerSecret), welcome.encryptedGroupInfo);
      const signer = cs.generateSignatureKeyPair(nativeRandom);
      const joiner = nativeRandom(cs.hashLength);
      const epoch = epochSecretsFromJoiner(cs, joiner, undefined, gi0.groupContext);
      const tag = confirmationTag(cs, epoch.confirmationKey, gi0.groupContext.confirmedTranscriptHash);
      const gi = signGroupInfo(cs, signer.privateKey, { groupContext: gi0.groupContext, extensions: [], confirmationTag: tag, signer: 0 });
      const encryptedGroupInfo = encryptGroupInfo(cs, epoch.welcomeSecret as Uint8Array, gi);
      const egs = encryptGroupSecrets(cs, keyPackage.initKey, encryptedGroupInfo, { joinerSecret: joiner, psks: [] }, nativeRandom);
      const back = decryptGroupSecrets(cs, initPriv, encryptedGroupInfo, egs);
      assert.deepEqual(back.joinerSecret, joiner);
      const gi2 = decryptGroupInfo(cs, deriveWelcomeSecret(cs, back.joinerSecret), encryptedGroupInfo);
      assert.ok(verifyGroupInfoSignature(cs, signer.publicKey, gi2));
      assert.deepEqual(gi2, gi);
    }
  });
});
