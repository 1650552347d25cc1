// The native XChaCha20-Poly1305 (node/native-store-crypto.ts) against the portable one: the same bytes both ways, and the
// same refusals, so that a store sealed by either opens with the other.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { nativeMac, nativeXAead } from '../src/node/native-store-crypto.js';
import { openSqliteStore } from '../src/node/sqlite-store.js';
import { SqliteBackend } from '../src/node/sqlite-backend.js';
import { EncryptedStore, openMemoryStore } from '../src/store/encrypted-store.js';
import { MemoryBackend } from '../src/store/memory-backend.js';
import { portableMac, portableXAead, StorageKey } from '../src/store/storage-key.js';
import { fromHex, toHex, utf8 } from '../src/util/bytes.js';
import { tempDir } from './helpers/server.js';

const bytes = (n: number) => new Uint8Array(randomBytes(n));

describe('native store crypto', () => {
  test('HMAC-SHA256: RFC 4231 test case 2, and the same bytes as the portable one', () => {
    // RFC 4231, section 4.3 (test case 2).
    const mac = nativeMac(utf8('Jefe'))(utf8('what do ya want for nothing?'));
    assert.equal(toHex(mac), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    for (const n of [0, 1, 64, 1000]) {
      const key = bytes(32);
      const data = bytes(n);
      assert.deepEqual(nativeMac(key)(data), portableMac(key)(data));
    }
  });

  test('draft-irtf-cfrg-xchacha-03 A.3.1: the AEAD test vector, sealed and opened', () => {
    // Test vector from draft-irtf-cfrg-xchacha-03, appendix A.3.1.
    const key = fromHex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
    const nonce = fromHex('404142434445464748494a4b4c4d4e4f5051525354555657');
    const aad = fromHex('50515253c0c1c2c3c4c5c6c7');
    const plaintext = utf8(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
    );
    const expected =
      'bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52e' +
      'c0875924c1c7987947deafd8780acf49';
    const sealed = nativeXAead(key).seal(nonce, aad, plaintext);
    assert.equal(toHex(sealed), expected);
    assert.deepEqual(nativeXAead(key).open(nonce, aad, sealed), plaintext);
  });

  test('the same bytes as the portable cipher, both ways, at every length around a block', () => {
    for (const n of [0, 1, 15, 16, 63, 64, 65, 127, 128, 1000, 70_000]) {
      const key = bytes(32);
      const nonce = bytes(24);
      const aad = bytes(n % 40);
      const plaintext = bytes(n);
      const native = nativeXAead(key).seal(nonce, aad, plaintext);
      assert.deepEqual(native, xchacha20poly1305(key, nonce, aad).encrypt(plaintext), `length ${n}`);
      assert.deepEqual(portableXAead(key).open(nonce, aad, native), plaintext);
      assert.deepEqual(nativeXAead(key).open(nonce, aad, portableXAead(key).seal(nonce, aad, plaintext)), plaintext);
    }
  });

  test('a changed ciphertext, tag, nonce, associated data or key is refused', () => {
    const key = bytes(32);
    const nonce = bytes(24);
    const aad = utf8('row');
    const sealed = nativeXAead(key).seal(nonce, aad, utf8('secret text'));
    const flip = (b: Uint8Array, i: number) => {
      const c = b.slice();
      c[i] = (c[i] as number) ^ 1;
      return c;
    };
    assert.throws(() => nativeXAead(key).open(nonce, aad, flip(sealed, 0)));
    assert.throws(() => nativeXAead(key).open(nonce, aad, flip(sealed, sealed.length - 1)));
    assert.throws(() => nativeXAead(key).open(flip(nonce, 3), aad, sealed)); // in the HChaCha20 part
    assert.throws(() => nativeXAead(key).open(flip(nonce, 20), aad, sealed)); // in the ChaCha20 part
    assert.throws(() => nativeXAead(key).open(nonce, utf8('rox'), sealed));
    assert.throws(() => nativeXAead(bytes(32)).open(nonce, aad, sealed));
    assert.throws(() => nativeXAead(key).open(nonce, aad, sealed.subarray(0, 15)));
    assert.throws(() => nativeXAead(key).seal(nonce.subarray(0, 12), aad, utf8('x')), /24 bytes/);
    assert.throws(() => nativeXAead(key.subarray(0, 16)), /32 bytes/);
  });

  test('a store written with one cipher opens with the other (the format does not depend on the platform)', async () => {
    const raw = StorageKey.generate().expose();
    const backend = new MemoryBackend();
    const portable = await openMemoryStore(new StorageKey(raw), backend);
    await portable.put('notes', 'a', utf8('written by the portable cipher'));
    const native = await openMemoryStore(new StorageKey(raw, { aead: nativeXAead, mac: nativeMac }), backend);
    assert.deepEqual(await native.get('notes', 'a'), utf8('written by the portable cipher'));
    await native.put('notes', 'b', utf8('written by the native cipher'));
    const again = await openMemoryStore(new StorageKey(raw), backend);
    assert.deepEqual(await again.get('notes', 'b'), utf8('written by the native cipher'));
  });

  test('a SQLite store written on Node opens with the portable cipher (as a browser would read it)', async () => {
    const path = `${tempDir()}/store.db`;
    const raw = StorageKey.generate().expose();
    const store = await openSqliteStore({ path, key: { storageKey: new StorageKey(raw) } });
    await store.put('notes', 'a', utf8('hello'));
    await store.close();
    const backend = new SqliteBackend(path);
    const portable = await EncryptedStore.open(backend, new StorageKey(raw, { aead: portableXAead }));
    assert.deepEqual(await portable.get('notes', 'a'), utf8('hello'));
    await portable.close();
  });

  test('the native cipher keeps no copy of the key: after StorageKey.wipe nothing sealed before opens', () => {
    const key = new StorageKey(bytes(32), { aead: nativeXAead, mac: nativeMac });
    const aad = utf8('row');
    const sealed = key.seal(aad, utf8('secret'));
    assert.deepEqual(key.open(aad, sealed), utf8('secret'));
    key.wipe();
    assert.throws(
      () => key.open(aad, sealed),
      (e: { code?: string }) => e.code === 'CORRUPT',
    );
  });
});
