// Tests for device-link QR payloads and typed codes: frozen vectors, the commit-reveal flow, rejection of swaps, redaction.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import fc from 'fast-check';
import {
  createLinkQr,
  decodeLinkQr,
  deriveLinkCode,
  encodeLinkQr,
  formatLinkCode,
  LINK_CODE_ALPHABET,
  linkCommitment,
  openLinkCommitment,
  parseLinkCode,
  verifyLinkCode,
  verifyScannedLinkKeys,
} from '../src/link/link-code.js';
import { LinkError } from '../src/link/link-error.js';
import { toHex } from '../src/util/bytes.js';

const keys = { signatureKey: new Uint8Array(32).fill(0xa1), encryptionKey: new Uint8Array(32).fill(0xb2) };
const nonceN = new Uint8Array(32).fill(0x01);
const nonceA = new Uint8Array(32).fill(0x02);
const fixedRandom = (n: number) => new Uint8Array(n).fill(0x5e);

const isLinkError = (code: string) => (e: unknown) => e instanceof LinkError && e.code === code;

describe('link QR payload', () => {
  it('round-trips and matches the frozen layout', () => {
    const qr = createLinkQr(keys, fixedRandom);
    const bytes = encodeLinkQr(qr);
    assert.equal(toHex(bytes), `01${'a1'.repeat(32)}${'b2'.repeat(32)}${'5e'.repeat(32)}`);
    const back = decodeLinkQr(bytes);
    assert.deepEqual(back.keys, keys);
    assert.deepEqual(back.secret.expose(), qr.secret.expose());
  });

  it('verifies relayed keys against the scanned ones', () => {
    const scanned = decodeLinkQr(encodeLinkQr(createLinkQr(keys)));
    assert.equal(verifyScannedLinkKeys(scanned, keys), true);
    assert.equal(verifyScannedLinkKeys(scanned, { ...keys, encryptionKey: new Uint8Array(32).fill(0xee) }), false);
  });

  it('rejects malformed payloads with LinkError', () => {
    const bytes = encodeLinkQr(createLinkQr(keys));
    assert.throws(() => decodeLinkQr(bytes.slice(0, 90)), isLinkError('MALFORMED_PAYLOAD'));
    assert.throws(() => decodeLinkQr(new Uint8Array()), isLinkError('MALFORMED_PAYLOAD'));
    const v9 = bytes.slice();
    v9[0] = 9;
    assert.throws(() => decodeLinkQr(v9), isLinkError('UNSUPPORTED_VERSION'));
  });

  it('never prints the link secret', () => {
    const qr = createLinkQr(keys, fixedRandom);
    const shown = `${String(qr)} ${JSON.stringify(qr)} ${inspect(qr)} ${inspect(qr.secret)} ${JSON.stringify({ s: qr.secret })}`;
    assert.ok(!shown.includes('5e') && !shown.includes('94'), shown);
    assert.match(shown, /redacted/);
  });
});

describe('typed link code', () => {
  it('matches the frozen vector', () => {
    assert.equal(deriveLinkCode(keys, nonceN, nonceA), 'CXMUTH4R');
    assert.equal(formatLinkCode('CXMUTH4R'), 'CXMU-TH4R');
  });

  it('runs the commit-reveal flow and accepts the code the user types', () => {
    const commitment = linkCommitment(keys, nonceN); // N -> A
    // A -> N: nonceA; N -> A: keys + nonceN
    openLinkCommitment(commitment, keys, nonceN);
    const shownOnN = formatLinkCode(deriveLinkCode(keys, nonceN, nonceA));
    const expectedOnA = deriveLinkCode(keys, nonceN, nonceA);
    assert.equal(verifyLinkCode(shownOnN.toLowerCase(), expectedOnA), true);
    assert.equal(verifyLinkCode(` ${shownOnN} `, expectedOnA), true);
  });

  it('catches a server that swaps keys', () => {
    const commitment = linkCommitment(keys, nonceN);
    const swapped = { ...keys, signatureKey: new Uint8Array(32).fill(0x66) };
    assert.throws(() => openLinkCommitment(commitment, swapped, nonceN), isLinkError('COMMITMENT_MISMATCH'));
    // a server committing to its own keys yields a different code than the one the real device shows
    assert.notEqual(deriveLinkCode(swapped, nonceN, nonceA), deriveLinkCode(keys, nonceN, nonceA));
  });

  it('rejects a wrong or malformed code', () => {
    const expected = deriveLinkCode(keys, nonceN, nonceA);
    assert.equal(verifyLinkCode('VF5N-8PPT', expected), false);
    assert.throws(() => parseLinkCode('VF5N-8PP'), isLinkError('MALFORMED_CODE'));
    assert.throws(() => parseLinkCode('VF5N-8PP0'), isLinkError('MALFORMED_CODE')); // 0 is not in the alphabet
    assert.throws(() => parseLinkCode('VF5N-8PPI'), isLinkError('MALFORMED_CODE'));
  });

  it('always produces 8 characters from the alphabet', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (a, b) => {
        const code = deriveLinkCode(keys, a, b);
        assert.equal(code.length, 8);
        assert.ok([...code].every((c) => LINK_CODE_ALPHABET.includes(c)));
        assert.equal(parseLinkCode(code), code);
      }),
      { numRuns: 200 },
    );
  });
});
