// IETF passive-client vectors (passive-client-welcome, -handling-commit, -random): join by Welcome with the given
// KeyPackage private keys (and external PSKs), then process every epoch's proposals and commit, checking
// epoch_authenticator per epoch. Format: mlswg/mls-implementations test-vectors.md.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createNativeProvider } from '../src/crypto/native/index.js';
import { joinFromWelcome } from '../src/group/join.js';
import { processMessage } from '../src/group/process.js';
import type { GroupDeps, GroupState } from '../src/group/state.js';
import { toHex as bytesHex } from '../src/util/bytes.js';
import { decodeMlsMessage, decodeRatchetTree, type MlsMessage } from '../src/wire/index.js';
import { hex, loadVectors } from './helpers/vectors.js';

interface PassiveVector {
  cipher_suite: number;
  key_package: string;
  signature_priv: string;
  encryption_priv: string;
  init_priv: string;
  welcome: string;
  ratchet_tree: string | null;
  external_psks: { psk_id: string; psk: string }[];
  initial_epoch_authenticator: string;
  epochs: { proposals: string[]; commit: string; epoch_authenticator: string }[];
}

const crypto = createNativeProvider();

function runVector(v: PassiveVector): void {
  const psks = new Map(v.external_psks.map((p) => [p.psk_id, hex(p.psk)]));
  const kpMsg = decodeMlsMessage(hex(v.key_package));
  if (kpMsg.wireFormat !== 5) throw new Error('key_package is not a KeyPackage');
  const lifetime = kpMsg.keyPackage.leafNode.lifetime;
  const deps: GroupDeps = {
    crypto,
    rng: () => {
      throw new Error('a passive client needs no randomness');
    },
    now: () => (lifetime ? lifetime.notBefore : 0n),
    externalPsk: (id) => psks.get(bytesHex(id)),
  };
  // Some P-521 vectors carry 65-byte HPKE private keys (leading zero dropped); RFC 9180 §7.1.2 serialises Nsk = 66.
  const nsk = crypto.suite(v.cipher_suite).hpke.privateKeyLength;
  const hpkeKey = (h: string): Uint8Array => {
    const k = hex(h);
    if (k.length >= nsk) return k;
    const out = new Uint8Array(nsk);
    out.set(k, nsk - k.length);
    return out;
  };
  const welcomeMsg = decodeMlsMessage(hex(v.welcome));
  if (welcomeMsg.wireFormat !== 3) throw new Error('welcome is not a Welcome');
  let g: GroupState = joinFromWelcome(
    deps,
    welcomeMsg.welcome,
    {
      keyPackage: kpMsg.keyPackage,
      privateKeys: {
        initPrivateKey: hpkeKey(v.init_priv),
        encryptionPrivateKey: hpkeKey(v.encryption_priv),
        signaturePrivateKey: hex(v.signature_priv),
      },
    },
    v.ratchet_tree ? { ratchetTree: decodeRatchetTree(hex(v.ratchet_tree)) } : {},
  );
  assert.equal(bytesHex(g.keys.epochAuthenticator), v.initial_epoch_authenticator, 'initial epoch authenticator');
  v.epochs.forEach((e, i) => {
    for (const p of e.proposals) {
      const r = processMessage(deps, g, decodeMlsMessage(hex(p)) as MlsMessage);
      assert.equal(r.kind, 'proposal');
      g = r.group;
    }
    const r = processMessage(deps, g, decodeMlsMessage(hex(e.commit)));
    assert.equal(r.kind, 'commit');
    g = r.group;
    assert.equal(bytesHex(g.keys.epochAuthenticator), e.epoch_authenticator, `epoch ${i + 1} authenticator`);
  });
}

for (const file of ['passive-client-welcome', 'passive-client-handling-commit', 'passive-client-random']) {
  test(`passive client: ${file}.json`, (t) => {
    const vectors = loadVectors<PassiveVector>(file);
    let passed = 0;
    let skipped = 0;
    const failures: string[] = [];
    vectors.forEach((v, i) => {
      if (!crypto.supportedSuites.includes(v.cipher_suite)) {
        skipped++;
        return;
      }
      try {
        runVector(v);
        passed++;
      } catch (e) {
        failures.push(`#${i} suite ${v.cipher_suite}: ${(e as Error).message}`);
      }
    });
    t.diagnostic(`${file}: ${passed}/${vectors.length} passed, ${skipped} skipped (suite unsupported), ${failures.length} failed`);
    assert.deepEqual(failures, []);
  });
}
