// IETF secret-tree.json (RFC 9420 §9, §6.3.2) plus the secret tree's state rules: lazy derivation, deletion of
// consumed keys (§9.2), bounded out-of-order receipt (§15.3), immutability, serialisation and redaction.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { createNativeProvider } from '../src/crypto/native/index.js';
import { DecodeError, ValidationError } from '../src/errors.js';
import { senderDataKeyNonce } from '../src/framing/sender-data.js';
import { SecretTree } from '../src/schedule/secret-tree.js';
import { providers, selectCases } from './helpers/providers.js';
import { hex, loadVectors, toHex } from './helpers/vectors.js';

interface LeafGen {
  generation: number;
  application_key: string;
  application_nonce: string;
  handshake_key: string;
  handshake_nonce: string;
}
interface SecretTreeVector {
  cipher_suite: number;
  encryption_secret: string;
  sender_data: { sender_data_secret: string; ciphertext: string; key: string; nonce: string };
  leaves: LeafGen[][];
}

const vectors = loadVectors<SecretTreeVector>('secret-tree');

for (const p of providers) {
  const { cases: selected, summary } = selectCases(p, 'secret-tree', vectors);

  describe(`secret-tree.json (RFC 9420 §9), ${p.name} provider`, () => {
    it(`${p.name}: derives every listed key and nonce, and the sender-data key/nonce`, (t) => {
      let cases = 0;
      let checks = 0;
      for (const [, v] of selected) {
        const cs = p.provider.suite(v.cipher_suite);
        const sd = senderDataKeyNonce(cs, hex(v.sender_data.sender_data_secret), hex(v.sender_data.ciphertext));
        assert.equal(toHex(sd.key), v.sender_data.key);
        assert.equal(toHex(sd.nonce), v.sender_data.nonce);
        let tree = SecretTree.create(cs, hex(v.encryption_secret), v.leaves.length);
        for (const [leaf, gens] of v.leaves.entries()) {
          for (const g of gens) {
            const hs = tree.keyFor(leaf, 'handshake', g.generation);
            tree = hs.tree;
            const app = tree.keyFor(leaf, 'application', g.generation);
            tree = app.tree;
            assert.equal(toHex(hs.key.key), g.handshake_key, `${p.name} suite ${v.cipher_suite} leaf ${leaf} gen ${g.generation}`);
            assert.equal(toHex(hs.key.nonce), g.handshake_nonce);
            assert.equal(toHex(app.key.key), g.application_key);
            assert.equal(toHex(app.key.nonce), g.application_nonce);
            checks++;
          }
        }
        cases++;
      }
      assert.equal(cases, selected.length);
      t.diagnostic(`${summary}, ${checks} leaf generations`);
    });

    it(`${p.name}: derives the same keys from any leaf order and after a serialise/restore round trip`, (t) => {
      const big = selected.filter(([, x]) => x.leaves.length === 32);
      assert.ok(big.length > 0, 'a selected case with 32 leaves');
      for (const [, v] of big) {
        const cs = p.provider.suite(v.cipher_suite);
        let tree = SecretTree.create(cs, hex(v.encryption_secret), 32);
        const order = [...v.leaves.keys()].reverse();
        for (const leaf of order) {
          const g = v.leaves[leaf]?.[1] as LeafGen;
          tree = SecretTree.deserialize(cs, tree.serialize());
          const r = tree.keyFor(leaf, 'application', g.generation);
          tree = r.tree;
          assert.equal(toHex(r.key.key), g.application_key);
        }
      }
      t.diagnostic(`${p.name}: ${big.length} cases with 32 leaves, suites ${big.map(([, x]) => x.cipher_suite).join(',')}`);
    });
  });
}

const provider = createNativeProvider();

describe('secret tree state (RFC 9420 §9.2, §15.3)', () => {
  const cs = provider.suite(1);
  const secret = new Uint8Array(32).fill(7);

  it('is immutable: a lookup leaves the original tree usable (decrypt on a copy)', () => {
    const t0 = SecretTree.create(cs, secret, 4);
    const a = t0.keyFor(2, 'application', 0);
    const b = t0.keyFor(2, 'application', 0);
    assert.deepEqual(a.key, b.key);
    assert.throws(
      () => a.tree.keyFor(2, 'application', 0),
      (e) => e instanceof ValidationError && e.code === 'V-FRM-11',
    );
  });

  it('keeps skipped keys for out-of-order messages and deletes each after use', () => {
    let tree = SecretTree.create(cs, secret, 2);
    const ref = [0, 1, 2, 3].map((g) => SecretTree.create(cs, secret, 2).keyFor(1, 'handshake', g).key);
    const r3 = tree.keyFor(1, 'handshake', 3);
    tree = r3.tree;
    assert.deepEqual(r3.key, ref[3]);
    const r1 = tree.keyFor(1, 'handshake', 1);
    tree = r1.tree;
    assert.deepEqual(r1.key, ref[1]);
    assert.throws(
      () => tree.keyFor(1, 'handshake', 1),
      (e) => e instanceof ValidationError && e.code === 'V-FRM-11',
    );
    assert.throws(
      () => tree.keyFor(1, 'handshake', 3),
      (e) => e instanceof ValidationError && e.code === 'V-FRM-11',
    );
    assert.deepEqual(tree.keyFor(1, 'handshake', 0).key, ref[0]);
    assert.equal(tree.nextGeneration(1, 'handshake'), 4);
    assert.equal(tree.nextGeneration(1, 'application'), 0);
  });

  it('rejects a generation beyond the configured forward bound', () => {
    const tree = SecretTree.create(cs, secret, 2, { maxForwardDistance: 10 });
    assert.doesNotThrow(() => tree.keyFor(0, 'application', 10));
    assert.throws(
      () => tree.keyFor(0, 'application', 11),
      (e) => e instanceof ValidationError && e.code === 'V-FRM-10',
    );
    const def = SecretTree.create(cs, secret, 2);
    assert.throws(
      () => def.keyFor(0, 'application', 0xffffffff),
      (e) => e instanceof ValidationError && e.code === 'V-FRM-10',
    );
  });

  it('retains at most maxRetainedKeys skipped keys, dropping the oldest', () => {
    const tree = SecretTree.create(cs, secret, 2, { maxRetainedKeys: 3 }).keyFor(0, 'application', 10).tree;
    for (const g of [0, 1, 2, 3, 4, 5, 6]) assert.throws(() => tree.keyFor(0, 'application', g), ValidationError);
    for (const g of [7, 8, 9]) assert.doesNotThrow(() => tree.keyFor(0, 'application', g));
  });

  it('nextKey walks the sender ratchet', () => {
    let tree = SecretTree.create(cs, secret, 8);
    const gens: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = tree.nextKey(5, 'application');
      gens.push(r.key.generation);
      tree = r.tree;
    }
    assert.deepEqual(gens, [0, 1, 2]);
  });

  it('serialises skipped keys and ratchet positions', () => {
    const tree = SecretTree.create(cs, secret, 8).keyFor(3, 'handshake', 5).tree;
    const restored = SecretTree.deserialize(cs, tree.serialize());
    assert.deepEqual(restored.serialize(), tree.serialize());
    assert.deepEqual(restored.keyFor(3, 'handshake', 2).key, tree.keyFor(3, 'handshake', 2).key);
    assert.equal(restored.nextGeneration(3, 'handshake'), 6);
  });

  it('never prints its secrets', () => {
    const tree = SecretTree.create(cs, secret, 2).keyFor(0, 'application', 0).tree;
    for (const s of [String(tree), JSON.stringify(tree), inspect(tree, { showHidden: true, depth: 10 })]) {
      assert.ok(!s.includes('07070707'), s);
      assert.match(s, /redacted/);
    }
  });
});

describe('secret tree storage format (frozen)', () => {
  it('serialises to the frozen version-1 bytes', () => {
    const cs = provider.suite(1);
    const tree = SecretTree.create(cs, new Uint8Array(32).fill(0x11), 4).keyFor(1, 'handshake', 2).tree;
    const frozen =
      '01000100000004404a00000000202a87ec7014603ea9469cc32e2c3ae2609cd49fc1d59a614cb044fa89c0d8f2270000000520dff3a36ef25c6ac6' +
      'ac5bc902dfb22c1a37bcec1fce6a2df452e0ebed6556da5e4095000000010000000320643623bdddb7c927963baf8658797d80a267fd2aaa0974' +
      '0b4158f688b12f99c140440000000010ce9bf8e828da3d28e5d2bd4d7bd4c79a0cc8261b6456e889dc07ab2a43000000011046b7cbe8a99a127e' +
      'e13e956a1ef5b31e0c34358b5da8af8828210e69fa00000000200f38c19eb2606b035c2b5a89c25057f65945bb5c1daf42718e12cb4a8f7af90900';
    assert.equal(toHex(tree.serialize()), frozen);
    const restored = SecretTree.deserialize(cs, hex(frozen));
    assert.deepEqual(restored.keyFor(1, 'handshake', 0).key, tree.keyFor(1, 'handshake', 0).key);
    assert.deepEqual(restored.keyFor(2, 'application', 0).key, tree.keyFor(2, 'application', 0).key);
  });

  it('rejects malformed or foreign state with DecodeError', () => {
    const cs = provider.suite(1);
    const bytes = SecretTree.create(cs, new Uint8Array(32), 2).serialize();
    assert.throws(() => SecretTree.deserialize(provider.suite(2), bytes), DecodeError);
    assert.throws(() => SecretTree.deserialize(cs, bytes.subarray(0, bytes.length - 1)), DecodeError);
    assert.throws(() => SecretTree.deserialize(cs, Uint8Array.of(9, ...bytes.subarray(1))), DecodeError);
  });
});

describe('secret tree out-of-order delivery (seeded)', () => {
  it('every generation of a shuffled window is accepted exactly once', () => {
    const cs = provider.suite(1);
    let seed = 12345;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const root = new Uint8Array(32).fill(3);
    for (let round = 0; round < 20; round++) {
      const n = 1 + rand(60);
      const order = [...Array(n).keys()];
      for (let i = n - 1; i > 0; i--) {
        const j = rand(i + 1);
        [order[i], order[j]] = [order[j] as number, order[i] as number];
      }
      let sender = SecretTree.create(cs, root, 16);
      const sent = order.map(() => {
        const r = sender.nextKey(9, 'application');
        sender = r.tree;
        return r.key;
      });
      let receiver = SecretTree.create(cs, root, 16);
      for (const g of order) {
        const r = receiver.keyFor(9, 'application', g);
        assert.deepEqual(r.key, sent[g]);
        receiver = r.tree;
        assert.throws(() => receiver.keyFor(9, 'application', g), ValidationError);
      }
    }
  });
});
