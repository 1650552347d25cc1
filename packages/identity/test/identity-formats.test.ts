// Frozen vectors and round trips for Sotto identity formats (device certificate, revocation, auth challenge).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  decodeDeviceCertificate,
  decodeDeviceRevocation,
  encodeDeviceCertificate,
  encodeDeviceRevocation,
  IdentityError,
  isAccountName,
  publicKeyOf,
  signAuthChallenge,
  signDeviceCertificate,
  signDeviceRevocation,
  signGroupOwner,
  verifyAuthChallenge,
  verifyDeviceCertificate,
  verifyDeviceRevocation,
  verifyGroupOwner,
} from '../src/index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const accountSk = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const deviceSk = Uint8Array.from({ length: 32 }, (_, i) => 0x80 + i);

// Frozen: changing the encoding or the labels breaks these, as it would break stored certificates.
const CERT_V1 =
  '0111616c696365406578616d706c652e6f726779b5562e8fe654f94078b112e8a98ba7901f853ae695bed7e0e3910bad049664086c6170746f702d31000120cd14b37f956e953194ff7fb73b3d81dcc561d61a7538094b7c3e1a643ee5f3aa0000019b76daa80001000001a2ce8bd40040405692f56e99ffb49b963ddacc91bd7f91d0054980716315688c32e00acafdc74932bf6f3c91cb80e4ff7ee1ae0ed2b4e8942a59f39864cc4f0a26fcbcee417802';
const REVOCATION_V1 =
  '0111616c696365406578616d706c652e6f726779b5562e8fe654f94078b112e8a98ba7901f853ae695bed7e0e3910bad049664086c6170746f702d310000019b7c01040040409d8fe9b95d03f4cd91e068ac248a9f4bb97fd6395d7ecab2d70dfc1ad4d2badca7f9e83bbab7bde9aed592673f441f49e34b31ba7980a60e456739440f81a00f';
const GROUP_OWNER_V1 =
  '6fad391f789bb321b137eb69f7bcfdadc02742fc6c288b03e0c610177448d927bc1f4c879094cb839c3bd4883fb01056129a46b8ad61c9ce58a277046f8ba604';
const AUTH_V1 =
  '7a0b74d3118d9637f12036c6a695c1600d2cd5b21ecd39d328df219f9224a3ac5f82d1cbeb200588cdb5e531ae90d46f562c8259f45f583a40452fb1cc7f120b';

function certFields() {
  return {
    version: 1 as const,
    accountName: 'alice@example.org',
    accountKey: publicKeyOf(accountSk),
    deviceId: 'laptop-1',
    cipherSuite: 1,
    signatureKey: publicKeyOf(deviceSk),
    issuedAt: 1767225600000n,
    expiresAt: 1798761600000n,
  };
}

test('device certificate: frozen vector', () => {
  const cert = signDeviceCertificate(certFields(), accountSk);
  assert.equal(hex(encodeDeviceCertificate(cert)), CERT_V1);
  const back = decodeDeviceCertificate(unhex(CERT_V1));
  assert.equal(back.accountName, 'alice@example.org');
  assert.equal(back.deviceId, 'laptop-1');
  assert.equal(back.expiresAt, 1798761600000n);
  verifyDeviceCertificate(back, 1767225600000);
});

test('device certificate: forged, tampered, expired and future certificates are refused', () => {
  const otherSk = new Uint8Array(32).fill(9);
  const forged = signDeviceCertificate({ ...certFields() }, otherSk);
  assert.throws(
    () => verifyDeviceCertificate(forged, 1767225600000),
    (e: unknown) => e instanceof IdentityError && e.code === 'BAD_SIGNATURE',
  );
  const bytes = unhex(CERT_V1);
  for (let i = 0; i < bytes.length; i += 7) {
    const t = bytes.slice();
    t[i] = (t[i] as number) ^ 1;
    assert.throws(() => verifyDeviceCertificate(decodeDeviceCertificate(t), 1767225600000), IdentityError);
  }
  const cert = decodeDeviceCertificate(bytes);
  assert.throws(
    () => verifyDeviceCertificate(cert, 1798761600000),
    (e: unknown) => e instanceof IdentityError && e.code === 'EXPIRED',
  );
  assert.throws(
    () => verifyDeviceCertificate(cert, 1767225600000 - 3600_000),
    (e: unknown) => e instanceof IdentityError && e.code === 'NOT_YET_VALID',
  );
});

test('device certificate: truncations and trailing bytes are DECODE errors', () => {
  const bytes = unhex(CERT_V1);
  for (let n = 0; n < bytes.length; n++) assert.throws(() => decodeDeviceCertificate(bytes.subarray(0, n)), IdentityError);
  const longer = new Uint8Array(bytes.length + 1);
  longer.set(bytes);
  assert.throws(
    () => decodeDeviceCertificate(longer),
    (e: unknown) => e instanceof IdentityError && e.code === 'DECODE',
  );
});

test('device certificate: random bytes never escape as anything but IdentityError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
      try {
        decodeDeviceCertificate(b);
      } catch (e) {
        assert.ok(e instanceof IdentityError);
      }
    }),
    { numRuns: 500 },
  );
});

test('device certificate: round trip over arbitrary fields', () => {
  fc.assert(
    fc.property(
      fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
      fc.uint8Array({ minLength: 1, maxLength: 256 }),
      fc.integer({ min: 1, max: 0xffff }),
      fc.bigInt({ min: 0n, max: 1n << 62n }),
      (deviceId, signatureKey, cipherSuite, issuedAt) => {
        const c = signDeviceCertificate(
          { ...certFields(), deviceId, signatureKey, cipherSuite, issuedAt, expiresAt: issuedAt + 1n },
          accountSk,
        );
        const back = decodeDeviceCertificate(encodeDeviceCertificate(c));
        assert.deepEqual(back, c);
      },
    ),
    { numRuns: 50 },
  );
});

test('device revocation: frozen vector, verify, forged refused', () => {
  const rev = signDeviceRevocation(
    { version: 1, accountName: 'alice@example.org', accountKey: publicKeyOf(accountSk), deviceId: 'laptop-1', revokedAt: 1767312000000n },
    accountSk,
  );
  assert.equal(hex(encodeDeviceRevocation(rev)), REVOCATION_V1);
  verifyDeviceRevocation(decodeDeviceRevocation(unhex(REVOCATION_V1)));
  const forged = { ...rev, deviceId: 'phone' };
  assert.throws(
    () => verifyDeviceRevocation(forged),
    (e: unknown) => e instanceof IdentityError && e.code === 'BAD_SIGNATURE',
  );
});

test('auth challenge: frozen vector and binding to server, device and challenge', () => {
  const ch = new Uint8Array(32).fill(7);
  const sig = signAuthChallenge(deviceSk, 'example.org', 'laptop-1', ch);
  assert.equal(hex(sig), AUTH_V1);
  const pk = publicKeyOf(deviceSk);
  assert.ok(verifyAuthChallenge(pk, 'example.org', 'laptop-1', ch, sig));
  assert.ok(!verifyAuthChallenge(pk, 'evil.org', 'laptop-1', ch, sig));
  assert.ok(!verifyAuthChallenge(pk, 'example.org', 'laptop-2', ch, sig));
  assert.ok(!verifyAuthChallenge(pk, 'example.org', 'laptop-1', new Uint8Array(32).fill(8), sig));
  assert.ok(!verifyAuthChallenge(pk, 'example.org', 'laptop-1', ch, new Uint8Array(5)));
});

test('account names', () => {
  for (const ok of ['alice@example.org', 'a@localhost', 'bob.smith-2@chat.example.co']) assert.ok(isAccountName(ok), ok);
  for (const bad of ['Alice@example.org', '@x', 'a@', 'a@@b', 'a b@x', 'a@-x.org', '', `${'a'.repeat(65)}@x`])
    assert.ok(!isAccountName(bad), bad);
});

test('group owner proof: frozen vector; refused for another group, another owner, a forged certificate or a foreign device', () => {
  const groupId = Uint8Array.from({ length: 32 }, (_, i) => i);
  const cert = unhex(CERT_V1);
  const proof = signGroupOwner(cert, deviceSk, groupId, 'alice@example.org');
  assert.equal(hex(proof.signature), GROUP_OWNER_V1);
  assert.equal(verifyGroupOwner(proof, groupId, 'alice@example.org').accountName, 'alice@example.org');
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof IdentityError);
      return e.code;
    }
    return 'accepted';
  };
  // Replayed onto another group, or read as naming another account.
  assert.equal(
    code(() => verifyGroupOwner(proof, new Uint8Array(32).fill(7), 'alice@example.org')),
    'BAD_SIGNATURE',
  );
  assert.equal(
    code(() => verifyGroupOwner(proof, groupId, 'bob@example.org')),
    'INVALID_FIELD',
  );
  // A device cannot name another account: signing refuses, and a certificate for bob does not prove alice.
  assert.equal(
    code(() => signGroupOwner(cert, deviceSk, groupId, 'bob@example.org')),
    'INVALID_FIELD',
  );
  // A certificate whose account signature is broken.
  const broken = signDeviceCertificate(certFields(), accountSk);
  broken.signature = new Uint8Array(broken.signature);
  broken.signature[0]! ^= 1;
  assert.equal(
    code(() =>
      verifyGroupOwner({ certificate: encodeDeviceCertificate(broken), signature: proof.signature }, groupId, 'alice@example.org'),
    ),
    'BAD_SIGNATURE',
  );
  // Signed by a key other than the certified device's.
  const foreign = signGroupOwner(cert, new Uint8Array(32).fill(3), groupId, 'alice@example.org');
  assert.equal(
    code(() => verifyGroupOwner(foreign, groupId, 'alice@example.org')),
    'BAD_SIGNATURE',
  );
});
