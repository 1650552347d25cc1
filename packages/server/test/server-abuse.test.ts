// Abuse limits: an attacker with an ordinary account (or none) trips each limit, and the victim keeps working.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signAuthChallenge } from '@sotto/identity';
import { b64, http, registerUser, unb64 } from './helpers/client.js';
import { startInProcess } from './helpers/in-process.js';

const refusals = (limit: string) => `sotto_limit_refusals_total{limit="${limit}"}`;

test('abuse: login challenges of a device survive an attacker asking for more and answering them wrongly', async () => {
  const s = await startInProcess({ SOTTO_MAX_CHALLENGES_PER_DEVICE: '8', SOTTO_CHALLENGE_TTL_SECONDS: '60' });
  try {
    const victim = await registerUser(s.url, 'victim');
    const mine = await http(s.url, 'POST', '/v1/auth/challenge', { deviceId: victim.deviceId });
    assert.equal(mine.status, 200);
    // The attacker asks for challenges for the victim's device and answers each with a wrong signature.
    for (let i = 0; i < 3; i++) {
      const c = await http(s.url, 'POST', '/v1/auth/challenge', { deviceId: victim.deviceId });
      const bad = await http(s.url, 'POST', '/v1/auth/token', {
        deviceId: victim.deviceId,
        challenge: c.body.challenge,
        signature: b64(new Uint8Array(64)),
      });
      assert.equal(bad.status, 401);
    }
    const guess = await http(s.url, 'POST', '/v1/auth/token', {
      deviceId: victim.deviceId,
      challenge: b64(new Uint8Array(32)),
      signature: b64(new Uint8Array(64)),
    });
    assert.equal(guess.status, 401);
    const sig = signAuthChallenge(victim.sk, 'localhost', victim.deviceId, unb64(mine.body.challenge));
    const ok = await http(s.url, 'POST', '/v1/auth/token', {
      deviceId: victim.deviceId,
      challenge: mine.body.challenge,
      signature: b64(sig),
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const replay = await http(s.url, 'POST', '/v1/auth/token', {
      deviceId: victim.deviceId,
      challenge: mine.body.challenge,
      signature: b64(sig),
    });
    assert.equal(replay.status, 401, 'a challenge is single-use');

    // Bounded: the ninth new challenge evicts the oldest, and the eviction is counted.
    const first = await http(s.url, 'POST', '/v1/auth/challenge', { deviceId: victim.deviceId });
    for (let i = 0; i < 8; i++) await http(s.url, 'POST', '/v1/auth/challenge', { deviceId: victim.deviceId });
    const firstSig = signAuthChallenge(victim.sk, 'localhost', victim.deviceId, unb64(first.body.challenge));
    const evicted = await http(s.url, 'POST', '/v1/auth/token', {
      deviceId: victim.deviceId,
      challenge: first.body.challenge,
      signature: b64(firstSig),
    });
    assert.equal(evicted.status, 401);
    assert.ok((await s.metric(refusals('login_challenges'))) >= 1);

    // Short-lived: a challenge answered after its lifetime is refused (the clock moves, nobody sleeps).
    const late = await http(s.url, 'POST', '/v1/auth/challenge', { deviceId: victim.deviceId });
    s.clock.advance(61_000);
    const lateSig = signAuthChallenge(victim.sk, 'localhost', victim.deviceId, unb64(late.body.challenge));
    const expired = await http(s.url, 'POST', '/v1/auth/token', {
      deviceId: victim.deviceId,
      challenge: late.body.challenge,
      signature: b64(lateSig),
    });
    assert.equal(expired.status, 401);
  } finally {
    await s.stop();
  }
});
