// RFC 9180 HPKE (base mode) against the RFC's Appendix A vectors, on both providers, plus round trips for every
// MLS suite, DeriveKeyPair determinism, tamper rejection and the secret export interface (§5.3).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { createNativeHpke, createNativeProvider, nativeRandom } from '../src/crypto/native/index.js';
import { createPortableHpke, createPortableProvider } from '../src/crypto/portable/index.js';
import type { Hpke, Rng } from '../src/crypto/provider.js';
import { type AeadName, type HashName, KEM_PARAMS, type KemName } from '../src/crypto/suites.js';
import { hex, toHex } from './helpers/vectors.js';

// RFC 9180 Appendix A, mode_base entries: setup, the sequence-number-0 encryption, the exported values.
const RFC9180_BASE: {
  kem_id: number;
  kdf_id: number;
  aead_id: number;
  info: string;
  ikmE: string;
  ikmR: string;
  skRm: string;
  pkRm: string;
  enc: string;
  pt: string;
  aad: string;
  ct: string;
  exports: [string, number, string][];
}[] = [
  {
    kem_id: 32,
    kdf_id: 1,
    aead_id: 1,
    info: '4f6465206f6e2061204772656369616e2055726e',
    ikmE: '7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234',
    ikmR: '6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037',
    skRm: '4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8',
    pkRm: '3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d',
    enc: '37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431',
    pt: '4265617574792069732074727574682c20747275746820626561757479',
    aad: '436f756e742d30',
    ct: 'f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a',
    exports: [
      ['', 32, '3853fe2b4035195a573ffc53856e77058e15d9ea064de3e59f4961d0095250ee'],
      ['00', 32, '2e8f0b54673c7029649d4eb9d5e33bf1872cf76d623ff164ac185da9e88c21a5'],
      ['54657374436f6e74657874', 32, 'e9e43065102c3836401bed8c3c3c75ae46be1639869391d62c61f1ec7af54931'],
    ],
  },
  {
    kem_id: 32,
    kdf_id: 1,
    aead_id: 3,
    info: '4f6465206f6e2061204772656369616e2055726e',
    ikmE: '909a9b35d3dc4713a5e72a4da274b55d3d3821a37e5d099e74a647db583a904b',
    ikmR: '1ac01f181fdf9f352797655161c58b75c656a6cc2716dcb66372da835542e1df',
    skRm: '8057991eef8f1f1af18f4a9491d16a1ce333f695d4db8e38da75975c4478e0fb',
    pkRm: '4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a',
    enc: '1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a',
    pt: '4265617574792069732074727574682c20747275746820626561757479',
    aad: '436f756e742d30',
    ct: '1c5250d8034ec2b784ba2cfd69dbdb8af406cfe3ff938e131f0def8c8b60b4db21993c62ce81883d2dd1b51a28',
    exports: [
      ['', 32, '4bbd6243b8bb54cec311fac9df81841b6fd61f56538a775e7c80a9f40160606e'],
      ['00', 32, '8c1df14732580e5501b00f82b10a1647b40713191b7c1240ac80e2b68808ba69'],
      ['54657374436f6e74657874', 32, '5acb09211139c43b3090489a9da433e8a30ee7188ba8b0a9a1ccf0c229283e53'],
    ],
  },
  {
    kem_id: 16,
    kdf_id: 1,
    aead_id: 1,
    info: '4f6465206f6e2061204772656369616e2055726e',
    ikmE: '4270e54ffd08d79d5928020af4686d8f6b7d35dbe470265f1f5aa22816ce860e',
    ikmR: '668b37171f1072f3cf12ea8a236a45df23fc13b82af3609ad1e354f6ef817550',
    skRm: 'f3ce7fdae57e1a310d87f1ebbde6f328be0a99cdbcadf4d6589cf29de4b8ffd2',
    pkRm: '04fe8c19ce0905191ebc298a9245792531f26f0cece2460639e8bc39cb7f706a826a779b4cf969b8a0e539c7f62fb3d30ad6aa8f80e30f1d128aafd68a2ce72ea0',
    enc: '04a92719c6195d5085104f469a8b9814d5838ff72b60501e2c4466e5e67b325ac98536d7b61a1af4b78e5b7f951c0900be863c403ce65c9bfcb9382657222d18c4',
    pt: '4265617574792069732074727574682c20747275746820626561757479',
    aad: '436f756e742d30',
    ct: '5ad590bb8baa577f8619db35a36311226a896e7342a6d836d8b7bcd2f20b6c7f9076ac232e3ab2523f39513434',
    exports: [
      ['', 32, '5e9bc3d236e1911d95e65b576a8a86d478fb827e8bdfe77b741b289890490d4d'],
      ['00', 32, '6cff87658931bda83dc857e6353efe4987a201b849658d9b047aab4cf216e796'],
      ['54657374436f6e74657874', 32, 'd8f1ea7942adbba7412c6d431c62d01371ea476b823eb697e1f6e6cae1dab85a'],
    ],
  },
  {
    kem_id: 16,
    kdf_id: 3,
    aead_id: 1,
    info: '4f6465206f6e2061204772656369616e2055726e',
    ikmE: '4ab11a9dd78c39668f7038f921ffc0993b368171d3ddde8031501ee1e08c4c9a',
    ikmR: 'ea9ff7cc5b2705b188841c7ace169290ff312a9cb31467784ca92d7a2e6e1be8',
    skRm: '3ac8530ad1b01885960fab38cf3cdc4f7aef121eaa239f222623614b4079fb38',
    pkRm: '04085aa5b665dc3826f9650ccbcc471be268c8ada866422f739e2d531d4a8818a9466bc6b449357096232919ec4fe9070ccbac4aac30f4a1a53efcf7af90610edd',
    enc: '0493ed86735bdfb978cc055c98b45695ad7ce61ce748f4dd63c525a3b8d53a15565c6897888070070c1579db1f86aaa56deb8297e64db7e8924e72866f9a472580',
    pt: '4265617574792069732074727574682c20747275746820626561757479',
    aad: '436f756e742d30',
    ct: 'd3cf4984931484a080f74c1bb2a6782700dc1fef9abe8442e44a6f09044c88907200b332003543754eb51917ba',
    exports: [
      ['', 32, 'a32186b8946f61aeead1c093fe614945f85833b165b28c46bf271abf16b57208'],
      ['00', 32, '84998b304a0ea2f11809398755f0abd5f9d2c141d1822def79dd15c194803c2a'],
      ['54657374436f6e74657874', 32, '93fb9411430b2cfa2cf0bed448c46922a5be9beff20e2e621df7e4655852edbc'],
    ],
  },
  {
    kem_id: 16,
    kdf_id: 1,
    aead_id: 3,
    info: '4f6465206f6e2061204772656369616e2055726e',
    ikmE: 'f1f1a3bc95416871539ecb51c3a8f0cf608afb40fbbe305c0a72819d35c33f1f',
    ikmR: '61092f3f56994dd424405899154a9918353e3e008171517ad576b900ddb275e7',
    skRm: 'a4d1c55836aa30f9b3fbb6ac98d338c877c2867dd3a77396d13f68d3ab150d3b',
    pkRm: '04a697bffde9405c992883c5c439d6cc358170b51af72812333b015621dc0f40bad9bb726f68a5c013806a790ec716ab8669f84f6b694596c2987cf35baba2a006',
    enc: '04c07836a0206e04e31d8ae99bfd549380b072a1b1b82e563c935c095827824fc1559eac6fb9e3c70cd3193968994e7fe9781aa103f5b50e934b5b2f387e381291',
    pt: '4265617574792069732074727574682c20747275746820626561757479',
    aad: '436f756e742d30',
    ct: '6469c41c5c81d3aa85432531ecf6460ec945bde1eb428cb2fedf7a29f5a685b4ccb0d057f03ea2952a27bb458b',
    exports: [
      ['', 32, '9b13c510416ac977b553bf1741018809c246a695f45eff6d3b0356dbefe1e660'],
      ['00', 32, '6c8b7be3a20a5684edecb4253619d9051ce8583baf850e0cb53c402bdcaf8ebb'],
      ['54657374436f6e74657874', 32, '477a50d804c7c51941f69b8e32fe8288386ee1a84905fe4938d58972f24ac938'],
    ],
  },
  {
    kem_id: 18,
    kdf_id: 3,
    aead_id: 2,
    info: '4f6465206f6e2061204772656369616e2055726e',
    ikmE: '7f06ab8215105fc46aceeb2e3dc5028b44364f960426eb0d8e4026c2f8b5d7e7a986688f1591abf5ab753c357a5d6f0440414b4ed4ede71317772ac98d9239f70904',
    ikmR: '2ad954bbe39b7122529f7dde780bff626cd97f850d0784a432784e69d86eccaade43b6c10a8ffdb94bf943c6da479db137914ec835a7e715e36e45e29b587bab3bf1',
    skRm: '01462680369ae375e4b3791070a7458ed527842f6a98a79ff5e0d4cbde83c27196a3916956655523a6a2556a7af62c5cadabe2ef9da3760bb21e005202f7b2462847',
    pkRm: '0401b45498c1714e2dce167d3caf162e45e0642afc7ed435df7902ccae0e84ba0f7d373f646b7738bbbdca11ed91bdeae3cdcba3301f2457be452f271fa6837580e661012af49583a62e48d44bed350c7118c0d8dc861c238c72a2bda17f64704f464b57338e7f40b60959480c0e58e6559b190d81663ed816e523b6b6a418f66d2451ec64',
    enc: '040138b385ca16bb0d5fa0c0665fbbd7e69e3ee29f63991d3e9b5fa740aab8900aaeed46ed73a49055758425a0ce36507c54b29cc5b85a5cee6bae0cf1c21f2731ece2013dc3fb7c8d21654bb161b463962ca19e8c654ff24c94dd2898de12051f1ed0692237fb02b2f8d1dc1c73e9b366b529eb436e98a996ee522aef863dd5739d2f29b0',
    pt: '4265617574792069732074727574682c20747275746820626561757479',
    aad: '436f756e742d30',
    ct: '170f8beddfe949b75ef9c387e201baf4132fa7374593dfafa90768788b7b2b200aafcc6d80ea4c795a7c5b841a',
    exports: [
      ['', 32, '05e2e5bd9f0c30832b80a279ff211cc65eceb0d97001524085d609ead60d0412'],
      ['00', 32, 'fca69744bb537f5b7a1596dbf34eaa8d84bf2e3ee7f1a155d41bd3624aa92b63'],
      ['54657374436f6e74657874', 32, 'f389beaac6fcf6c0d9376e20f97e364f0609a88f1bc76d7328e9104df8477013'],
    ],
  },
];

const KEMS: Record<number, KemName> = { 16: 'p256', 17: 'p384', 18: 'p521', 32: 'x25519', 33: 'x448' };
const KDFS: Record<number, HashName> = { 1: 'sha256', 2: 'sha384', 3: 'sha512' };
const AEADS: Record<number, AeadName> = { 1: 'aes-128-gcm', 2: 'aes-256-gcm', 3: 'chacha20-poly1305' };
const fixed =
  (b: Uint8Array): Rng =>
  () =>
    b.slice();

const factories: [string, (k: KemName, h: HashName, a: AeadName) => Hpke][] = [
  ['native', (k, h, a) => createNativeHpke(k, h, a)],
  ['portable', createPortableHpke],
];

for (const [name, make] of factories) {
  describe(`RFC 9180 Appendix A base-mode vectors (${name})`, () => {
    for (const v of RFC9180_BASE) {
      const kem = KEMS[v.kem_id] as KemName;
      const kdf = KDFS[v.kdf_id] as HashName;
      const aead = AEADS[v.aead_id] as AeadName;
      it(`${kem}/${kdf}/${aead}`, () => {
        const hpke = make(kem, kdf, aead);
        const r = hpke.deriveKeyPair(hex(v.ikmR));
        assert.equal(toHex(r.privateKey), v.skRm);
        assert.equal(toHex(r.publicKey), v.pkRm);
        const sealed = hpke.seal(hex(v.pkRm), hex(v.info), hex(v.aad), hex(v.pt), fixed(hex(v.ikmE)));
        assert.equal(toHex(sealed.kemOutput), v.enc);
        assert.equal(toHex(sealed.ciphertext), v.ct);
        assert.equal(toHex(hpke.open(hex(v.skRm), hex(v.enc), hex(v.info), hex(v.aad), hex(v.ct))), v.pt);
        for (const [ctx, len, value] of v.exports) {
          assert.equal(toHex(hpke.exportReceiver(hex(v.skRm), hex(v.enc), hex(v.info), hex(ctx), len)), value);
          const s = hpke.exportSender(hex(v.pkRm), hex(v.info), hex(ctx), len, fixed(hex(v.ikmE)));
          assert.equal(toHex(s.secret), value);
        }
      });
    }
  });
}

describe('HPKE across providers, every MLS suite', () => {
  const native = createNativeProvider();
  const portable = createPortableProvider();
  for (const id of native.supportedSuites) {
    it(`suite ${id}: native seals, portable opens and vice versa; exports agree; tampering fails`, () => {
      const a = native.suite(id).hpke;
      const b = portable.suite(id).hpke;
      const kp = a.generateKeyPair(nativeRandom);
      assert.equal(kp.publicKey.length, a.publicKeyLength);
      assert.equal(kp.privateKey.length, a.privateKeyLength);
      assert.deepEqual(b.deriveKeyPair(hex('00'.repeat(a.privateKeyLength))), a.deriveKeyPair(hex('00'.repeat(a.privateKeyLength))));
      const info = hex('0102');
      const aad = hex('aa');
      const pt = hex('68656c6c6f');
      const s1 = a.seal(kp.publicKey, info, aad, pt, nativeRandom);
      assert.equal(toHex(b.open(kp.privateKey, s1.kemOutput, info, aad, s1.ciphertext)), toHex(pt));
      const s2 = b.seal(kp.publicKey, info, aad, pt, nativeRandom);
      assert.equal(toHex(a.open(kp.privateKey, s2.kemOutput, info, aad, s2.ciphertext)), toHex(pt));
      const ct = s1.ciphertext.slice();
      ct[0] = (ct[0] as number) ^ 1;
      for (const h of [a, b]) {
        assert.throws(() => h.open(kp.privateKey, s1.kemOutput, info, aad, ct), { name: 'CryptoError' });
        assert.throws(() => h.open(kp.privateKey, s1.kemOutput, hex('0103'), aad, s1.ciphertext), { name: 'CryptoError' });
        assert.throws(() => h.open(kp.privateKey, s1.kemOutput.subarray(1), info, aad, s1.ciphertext), { name: 'CryptoError' });
      }
      const ex = a.exportSender(kp.publicKey, info, hex('cafe'), 42, nativeRandom);
      assert.equal(ex.secret.length, 42);
      assert.deepEqual(b.exportReceiver(kp.privateKey, ex.kemOutput, info, hex('cafe'), 42), ex.secret);
    });
  }
});

describe('HPKE DeriveKeyPair (RFC 9180 §7.1.3)', () => {
  it('the NIST group orders in suites.ts match @noble/curves', () => {
    assert.equal(KEM_PARAMS.p256.order, p256.Point.Fn.ORDER);
    assert.equal(KEM_PARAMS.p384.order, p384.Point.Fn.ORDER);
    assert.equal(KEM_PARAMS.p521.order, p521.Point.Fn.ORDER);
  });
  it('rejects an empty ikm, accepts one shorter than Nsk (P-521: Nh = 64 < Nsk = 66, RFC 9420 §8.3)', () => {
    const h = createNativeHpke('x25519', 'sha256', 'aes-128-gcm');
    assert.throws(() => h.deriveKeyPair(new Uint8Array(0)), { name: 'UsageError' });
    const p = createNativeHpke('p521', 'sha512', 'aes-256-gcm');
    const kp = p.deriveKeyPair(new Uint8Array(64).fill(7));
    assert.equal(kp.privateKey.length, 66);
    assert.deepEqual(p.deriveKeyPair(new Uint8Array(64).fill(7)).publicKey, kp.publicKey);
  });
  it('rejects an all-zero DH output (small-order X25519 public key)', () => {
    for (const h of [createNativeHpke('x25519', 'sha256', 'aes-128-gcm'), createPortableHpke('x25519', 'sha256', 'aes-128-gcm')]) {
      assert.throws(() => h.seal(new Uint8Array(32), hex(''), hex(''), hex('00'), nativeRandom), { name: 'CryptoError' });
    }
  });
  it('rejects a NIST public key that is not on the curve', () => {
    const bad = hex(`04${'11'.repeat(64)}`);
    for (const h of [createNativeHpke('p256', 'sha256', 'aes-128-gcm'), createPortableHpke('p256', 'sha256', 'aes-128-gcm')]) {
      assert.throws(() => h.seal(bad, hex(''), hex(''), hex('00'), nativeRandom), { name: 'CryptoError' });
    }
  });
});
