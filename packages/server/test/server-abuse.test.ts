// Abuse limits: an attacker with an ordinary account (or none) trips each limit, and the victim keeps working.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { test } from 'node:test';
import WebSocket from 'ws';
import { encodeDeviceRevocation, publicKeyOf, signAuthChallenge, signDeviceRevocation } from '@sotto/identity';
import { createInvite } from '../src/auth/auth-service.js';
import { loadConfig } from '../src/config/config.js';
import { addDevice, b64, CT, http, login, newAccount, newDevice, privateMessage, registerUser, unb64, WsClient } from './helpers/client.js';
import { startInProcess } from './helpers/in-process.js';
import { commitBody, makeGroup, Member } from './helpers/mls-member.js';

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

test('abuse: registration, device and revoke routes are no name oracle; a taken name uses up the invite; failures are limited per IP', async () => {
  const s = await startInProcess({ SOTTO_REGISTRATION_OPEN: 'false', SOTTO_REGISTRATION_FAILURES_PER_HOUR_PER_IP: '7' });
  try {
    const { token } = await createInvite(s.server.storage, s.clock.now(), 3, 3600);
    const victim = await registerUser(s.url, 'victim', token);
    // POST /devices: an unknown name and a known name under the attacker's key get the very same answer.
    const unknown = await http(s.url, 'POST', '/v1/devices', { certificate: b64(newDevice(newAccount('nobody')).certificate) });
    const known = await http(s.url, 'POST', '/v1/devices', { certificate: b64(newDevice(newAccount('victim')).certificate) });
    assert.equal(unknown.status, known.status);
    assert.deepEqual(unknown.body, known.body);
    // POST /devices/revoke: likewise for an unknown account and the victim's real device.
    const revoke = (name: string, deviceId: string) => {
      const attacker = newAccount(name.split('@')[0]!);
      const fields = {
        version: 1 as const,
        accountName: name,
        accountKey: publicKeyOf(attacker.sk),
        deviceId,
        revokedAt: BigInt(Date.now()),
      };
      return http(s.url, 'POST', '/v1/devices/revoke', {
        revocation: b64(encodeDeviceRevocation(signDeviceRevocation(fields, attacker.sk))),
      });
    };
    const r1 = await revoke('nobody@localhost', 'd-nothing');
    const r2 = await revoke(victim.account.name, victim.deviceId);
    assert.equal(r1.status, r2.status);
    assert.deepEqual(r1.body, r2.body);
    // Registration: a taken name with a valid invite is answered CONFLICT (the user must choose another name),
    // but it uses up one use of the invite, so a 3-use invite probes at most 2 more names.
    const taken = await http(s.url, 'POST', '/v1/accounts', {
      certificate: b64(newDevice(newAccount('victim')).certificate),
      invite: token,
    });
    assert.equal(taken.body.error.code, 'CONFLICT');
    const taken2 = await http(s.url, 'POST', '/v1/accounts', {
      certificate: b64(newDevice(newAccount('victim')).certificate),
      invite: token,
    });
    assert.equal(taken2.body.error.code, 'CONFLICT');
    const spent = await http(s.url, 'POST', '/v1/accounts', {
      certificate: b64(newDevice(newAccount('victim')).certificate),
      invite: token,
    });
    assert.equal(spent.body.error.code, 'INVITE_INVALID', 'a used-up invite answers the same for any name');
    // Per IP: past 7 counted refusals an hour, these routes answer RATE_LIMITED whatever the input.
    const later = await http(s.url, 'POST', '/v1/devices', { certificate: b64(newDevice(newAccount('victim')).certificate) });
    assert.equal(later.status, 429);
    assert.equal(later.body.error.code, 'RATE_LIMITED');
    assert.ok((await s.metric(refusals('registration_failures'))) >= 3);
    s.clock.advance(3600_000);
    const again = await http(s.url, 'POST', '/v1/devices', { certificate: b64(newDevice(newAccount('victim')).certificate) });
    assert.equal(again.body.error.code, 'BAD_CERTIFICATE', 'the budget refills with time');
  } finally {
    await s.stop();
  }
});

test('abuse: one account cannot drain the one-time KeyPackages of another; past the budgets claims get the last resort', async () => {
  const s = await startInProcess({
    SOTTO_KEY_PACKAGE_CLAIMS_PER_ACCOUNT_AND_TARGET_PER_HOUR: '3',
    SOTTO_KEY_PACKAGE_CLAIMS_PER_TARGET_PER_HOUR: '5',
    SOTTO_KEY_PACKAGE_CLAIMS_PER_ACCOUNT_PER_HOUR: '100',
  });
  try {
    const victim = await registerUser(s.url, 'victim');
    const kps = Array.from({ length: 29 }, (_, i) => b64(new Uint8Array(16).fill(i + 1)));
    const up = await http(
      s.url,
      'POST',
      '/v1/key-packages',
      { keyPackages: kps, lastResort: b64(new Uint8Array(16).fill(99)) },
      victim.token,
    );
    assert.equal(up.status, 200);
    const attacker = await registerUser(s.url, 'mallory');
    const attacker2 = await addDevice(s.url, attacker.account);
    const claim = async (by: { token?: string }) => {
      const r = await http(s.url, 'POST', `/v1/accounts/${victim.account.name}/key-packages/claim`, undefined, by.token);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.keyPackages[0].lastResort as boolean;
    };
    // A burst from one device, then from a second device of the same account: 3 one-time KeyPackages in all.
    const burst = [];
    for (let i = 0; i < 10; i++) burst.push(await claim(attacker));
    for (let i = 0; i < 10; i++) burst.push(await claim(attacker2));
    assert.equal(burst.filter((lr) => !lr).length, 3);
    assert.deepEqual(burst.slice(3), new Array(17).fill(true), 'past the budget: last resort, not an error');
    // Another account has its own budget, but all claimants together take at most 5 an hour from the victim.
    const other = await registerUser(s.url, 'trudy');
    const more = [];
    for (let i = 0; i < 5; i++) more.push(await claim(other));
    assert.equal(more.filter((lr) => !lr).length, 2);
    const left = await http(s.url, 'GET', '/v1/key-packages/count', undefined, victim.token);
    assert.equal(left.body.count, 29 - 5);
    assert.ok((await s.metric(refusals('key_package_claims'))) >= 20);
    s.clock.advance(3600_000);
    await login(s.url, attacker);
    assert.equal(await claim(attacker), false, 'budgets refill with time');
  } finally {
    await s.stop();
  }
});

test('abuse: directory lookups are limited per account, across all its devices', async () => {
  const s = await startInProcess({ SOTTO_DIRECTORY_LOOKUPS_PER_MINUTE: '10' });
  try {
    const victim = await registerUser(s.url, 'victim');
    const attacker = await registerUser(s.url, 'mallory');
    const attacker2 = await addDevice(s.url, attacker.account);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++)
      statuses.push((await http(s.url, 'GET', `/v1/accounts/guess${i}@localhost`, undefined, attacker.token)).status);
    for (let i = 0; i < 4; i++)
      statuses.push((await http(s.url, 'GET', `/v1/accounts/guess${i}@localhost`, undefined, attacker2.token)).status);
    assert.deepEqual(statuses, [...new Array(10).fill(404), 429, 429]);
    const blocked = await http(s.url, 'GET', `/v1/accounts/${victim.account.name}`, undefined, attacker.token);
    assert.equal(blocked.body.error.code, 'RATE_LIMITED');
    assert.equal(
      (await http(s.url, 'GET', `/v1/accounts/${attacker.account.name}`, undefined, victim.token)).status,
      200,
      'others unaffected',
    );
    assert.ok((await s.metric(refusals('directory_lookups'))) >= 3);
    s.clock.advance(6_000);
    assert.equal((await http(s.url, 'GET', `/v1/accounts/${victim.account.name}`, undefined, attacker.token)).status, 200);
  } finally {
    await s.stop();
  }
});

test('abuse: X-Forwarded-For is believed only from server.trustedProxies; a rotating one from a client bypasses no per-IP limit', async () => {
  const challenge = (url: string, xff: string) =>
    fetch(`${url}/v1/auth/challenge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': xff },
      body: JSON.stringify({ deviceId: 'd-anything' }),
    }).then((r) => r.status);
  // No trusted proxy: the peer address counts, whatever the header says.
  const direct = await startInProcess({ SOTTO_AUTH_RATE_PER_MINUTE: '5' });
  try {
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push(await challenge(direct.url, `198.51.100.${i}`));
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429, 429]);
    assert.ok((await direct.metric(refusals('ip_rate'))) >= 3);
  } finally {
    await direct.stop();
  }
  // Behind a trusted proxy (here: loopback), the hop the proxy appended is the client; anything a client put
  // to the left of it is ignored.
  const proxied = await startInProcess({ SOTTO_AUTH_RATE_PER_MINUTE: '5', SOTTO_TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1' });
  try {
    const a = [];
    for (let i = 0; i < 6; i++) a.push(await challenge(proxied.url, `203.0.113.${i}, 198.51.100.7`));
    assert.deepEqual(a, [200, 200, 200, 200, 200, 429], 'a rotating left part does not help');
    assert.equal(await challenge(proxied.url, '198.51.100.8'), 200, 'another client behind the proxy has its own budget');
    assert.equal(await challenge(proxied.url, '198.51.100.7, 10.1.2.3'), 429, 'further trusted proxies are skipped');
  } finally {
    await proxied.stop();
  }
  assert.throws(() => loadConfig({ env: { SOTTO_TRUST_PROXY: 'true' } }), /replaced by server.trustedProxies/);
  assert.throws(() => loadConfig({ env: { SOTTO_TRUSTED_PROXIES: '10.0.0.0/33' } }), /not an IP address or CIDR range/);
  assert.deepEqual(loadConfig({ env: { SOTTO_TRUSTED_PROXIES: '::1, 192.0.2.0/24' } }).server.trustedProxies, ['::1', '192.0.2.0/24']);
});

/** Opens a WebSocket; resolves with the open socket or the HTTP status that refused it. */
function openWs(url: string, headers: Record<string, string> = {}): Promise<{ ws?: WebSocket; status?: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.once('error', (e) => reject(e));
  });
}

test('abuse: WebSocket sockets are capped per IP, unauthenticated ones apart, and must authenticate in time', async () => {
  const s = await startInProcess({
    SOTTO_MAX_UNAUTHENTICATED_PER_IP: '3',
    SOTTO_MAX_CONNECTIONS_PER_IP: '5',
    SOTTO_MAX_UNAUTHENTICATED_CONNECTIONS: '5',
    SOTTO_WS_AUTH_TIMEOUT_SECONDS: '1',
    SOTTO_TRUSTED_PROXIES: '127.0.0.1',
  });
  const open: WebSocket[] = [];
  try {
    const user = await registerUser(s.url, 'user');
    const from = (ip: string, token?: string) => ({ 'x-forwarded-for': ip, ...(token ? { authorization: `Bearer ${token}` } : {}) });
    for (let i = 0; i < 3; i++) open.push((await openWs(s.wsUrl, from('192.0.2.1'))).ws!);
    assert.equal((await openWs(s.wsUrl, from('192.0.2.1'))).status, 429, 'a fourth unauthenticated socket from one IP');
    // Authenticated sockets from the same IP still get in, up to the per-IP total.
    // (One socket per device: a device's new socket replaces its old one, so each uses its own device.)
    const devices = [user, await addDevice(s.url, user.account), await addDevice(s.url, user.account)];
    for (let i = 0; i < 2; i++) open.push((await openWs(s.wsUrl, from('192.0.2.1', devices[i]!.token))).ws!);
    assert.equal((await openWs(s.wsUrl, from('192.0.2.1', devices[2]!.token))).status, 429, 'a sixth socket from one IP');
    // All unauthenticated sockets together: 5, whatever the addresses.
    for (let i = 0; i < 2; i++) open.push((await openWs(s.wsUrl, from(`192.0.2.${10 + i}`))).ws!);
    assert.equal((await openWs(s.wsUrl, from('192.0.2.20'))).status, 429);
    assert.ok((await s.metric(refusals('ws_unauthenticated_per_ip'))) >= 1);
    assert.ok((await s.metric(refusals('ws_connections_per_ip'))) >= 1);
    assert.ok((await s.metric(refusals('ws_unauthenticated'))) >= 1);
    // The deadline: unauthenticated sockets are closed with 4401; authenticated ones stay.
    const unauth = [open[0]!, open[1]!, open[2]!, open[5]!, open[6]!];
    const codes = await Promise.all(unauth.map((ws) => new Promise<number>((r) => ws.once('close', (code) => r(code)))));
    assert.deepEqual(codes, [4401, 4401, 4401, 4401, 4401]);
    assert.equal(open[3]!.readyState, WebSocket.OPEN);
    assert.equal(open[4]!.readyState, WebSocket.OPEN);
    assert.ok((await s.metric(refusals('ws_auth_timeout'))) >= 5);
    // Their slots are free again.
    const again = await openWs(s.wsUrl, from('192.0.2.1'));
    assert.ok(again.ws);
    open.push(again.ws);
  } finally {
    for (const ws of open) ws.terminate();
    await s.stop();
  }
});

/**
 * A slow client on a raw socket: writes `head`, then one of `chunks` every `everyMs` until the server closes the
 * connection or all are sent; resolves with what the server answered once it closed (the deadline: `timeoutMs`).
 */
function slowClient(port: number, head: string, chunks: (string | Buffer)[], everyMs: number, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let answer = '';
    let i = 0;
    const tick = setInterval(() => {
      if (i < chunks.length && !sock.destroyed) sock.write(chunks[i++]!);
    }, everyMs);
    const deadline = setTimeout(() => {
      sock.destroy();
      reject(new Error(`the server did not close the connection in ${timeoutMs} ms; answer so far: ${answer}`));
    }, timeoutMs);
    sock.on('data', (d) => (answer += d.toString()));
    sock.on('error', () => {});
    sock.on('close', () => {
      clearInterval(tick);
      clearTimeout(deadline);
      resolve(answer);
    });
    sock.write(head);
  });
}

test('abuse: slow headers and slow bodies time out on every route; a blob upload needs a minimum rate, not a deadline', async () => {
  const s = await startInProcess({
    SOTTO_HEADERS_TIMEOUT_SECONDS: '1',
    SOTTO_REQUEST_TIMEOUT_SECONDS: '1',
    SOTTO_BLOB_MIN_BYTES_PER_SECOND: '1000',
    SOTTO_BLOB_RATE_WINDOW_SECONDS: '1',
  });
  try {
    const user = await registerUser(s.url, 'user');
    // Headers trickling in, one byte at a time.
    const headers = await slowClient(
      s.port,
      'POST /v1/auth/challenge HTTP/1.1\r\nHost: x\r\n',
      [...'X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'],
      200,
    );
    assert.match(headers, /^HTTP\/1.1 408/);
    // A JSON body trickling in on an ordinary route.
    const body = JSON.stringify({ deviceId: 'd-slow-body-000000000000' });
    const head = `POST /v1/auth/challenge HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const slowBody = await slowClient(s.port, head, [...body], 200);
    assert.match(slowBody, /^HTTP\/1.1 408/);
    assert.match(slowBody, /REQUEST_TIMEOUT/);
    // A blob upload below the minimum rate is cut off ...
    const blob = new Uint8Array(randomBytes(60_000));
    const hash = createHash('sha256').update(blob).digest('hex');
    const put = (len: number) =>
      `PUT /v1/blobs/${hash} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${user.token}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${len}\r\nConnection: close\r\n\r\n`;
    const trickle = Array.from({ length: 600 }, (_, i) => Buffer.from(blob.subarray(i * 100, i * 100 + 100)));
    const cut = await slowClient(s.port, put(blob.length), trickle, 200);
    assert.doesNotMatch(cut, /201 Created/);
    // ... while one at a sufficient rate may take longer than server.requestTimeoutSeconds.
    const steady = Array.from({ length: 30 }, (_, i) => Buffer.from(blob.subarray(i * 2000, i * 2000 + 2000)));
    const ok = await slowClient(s.port, put(blob.length), steady, 100);
    assert.match(ok, /^HTTP\/1.1 201/);
    assert.ok((await s.metric(refusals('headers_timeout'))) >= 1);
    assert.ok((await s.metric(refusals('request_timeout'))) >= 1);
    assert.ok((await s.metric(refusals('blob_min_rate'))) >= 1);
  } finally {
    await s.stop();
  }
});

test('abuse: per-account quotas of queued bytes and blob bytes answer QUOTA_EXCEEDED, and free up as queues drain and blobs expire', async () => {
  const s = await startInProcess({ SOTTO_QUOTA_QUEUED_BYTES_PER_ACCOUNT: '20000', SOTTO_QUOTA_BLOB_BYTES_PER_ACCOUNT: '100000' });
  try {
    const attacker = await registerUser(s.url, 'mallory');
    const victim = await registerUser(s.url, 'victim');
    const { gid, epoch } = await makeGroup(s.url, attacker, [victim]);
    // The victim stays offline: the attacker's messages pile up in the victim's queue, until the quota.
    const send = () =>
      http(
        s.url,
        'POST',
        '/v1/messages',
        { message: b64(privateMessage(gid, epoch, CT.application, new Uint8Array(4000))) },
        attacker.token,
      );
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push(await send());
    assert.deepEqual(
      statuses.map((r) => r.status),
      [200, 200, 200, 200, 413, 413],
    );
    assert.equal(statuses[4]!.body.error.code, 'QUOTA_EXCEEDED');
    // The same over the WebSocket: an error frame with the stable code.
    const ws = await WsClient.connect(s.wsUrl, attacker.token!);
    const frame = await ws.send(privateMessage(gid, epoch, CT.application, new Uint8Array(4000)));
    assert.equal(frame.type, 'error');
    assert.equal(frame.code, 'QUOTA_EXCEEDED');
    await ws.close();
    // The victim acknowledges: the space is free again.
    const queued = await http(s.url, 'GET', '/v1/messages', undefined, victim.token);
    await http(s.url, 'POST', '/v1/messages/ack', { ids: queued.body.messages.map((m: { id: number }) => m.id) }, victim.token);
    assert.equal((await send()).status, 200);
    assert.ok((await s.metric(refusals('queued_bytes'))) >= 3);

    // Blobs: 60 kB fits, a second 60 kB does not (refused from its declared length, before the body is read).
    const upload = (bytes: Uint8Array) =>
      fetch(`${s.url}/v1/blobs/${createHash('sha256').update(bytes).digest('hex')}?ttlSeconds=60`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${attacker.token}`, 'content-type': 'application/octet-stream' },
        body: bytes,
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { error?: { code: string } } }));
    assert.equal((await upload(randomBytes(60_000))).status, 201);
    const over = await upload(randomBytes(60_000));
    assert.equal(over.status, 413);
    assert.equal(over.body.error?.code, 'QUOTA_EXCEEDED');
    assert.ok((await s.metric(refusals('blob_bytes'))) >= 1);
    s.clock.advance(61_000);
    await login(s.url, attacker);
    assert.equal((await upload(randomBytes(60_000))).status, 201, 'expired blobs no longer count');
  } finally {
    await s.stop();
  }
});

test('abuse: a young account creates a bounded number of groups and adds a bounded number of devices per hour', async () => {
  const s = await startInProcess({
    SOTTO_NEW_ACCOUNT_AGE_SECONDS: '86400',
    SOTTO_NEW_ACCOUNT_GROUPS_PER_HOUR: '3',
    SOTTO_NEW_ACCOUNT_DEVICES_ADDED_PER_HOUR: '4',
  });
  try {
    const spammer = await registerUser(s.url, 'spammer');
    const targets: Awaited<ReturnType<typeof registerUser>>[] = [];
    for (let i = 0; i < 6; i++) targets.push(await registerUser(s.url, `target${i}`));
    // Each group is a real MLS group registered from its creator's epoch-0 GroupInfo.
    const create = async () => {
      const m = Member.local(spammer);
      return { m, r: await http(s.url, 'POST', '/v1/groups', { groupInfo: b64(m.groupInfo()) }, spammer.token) };
    };
    const created = [];
    for (let i = 0; i < 4; i++) created.push(await create());
    assert.deepEqual(
      created.map((c) => c.r.status),
      [201, 201, 201, 429],
    );
    assert.equal(created[3]!.r.body.error.code, 'LIMIT_EXCEEDED');
    // Devices added by verified commits: 3 fit, 2 more in the same hour do not.
    const owner = created[0]!.m;
    const add = async (devices: typeof targets) => {
      const joiners = devices.map((d) => new Member(d));
      const out = owner.addCommit(joiners);
      const r = await http(s.url, 'POST', '/v1/messages', commitBody(out), spammer.token);
      if (r.status === 200) owner.group = out.group;
      return r;
    };
    assert.equal((await add(targets.slice(0, 3))).status, 200);
    const refused = await add(targets.slice(3, 5));
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error.code, 'LIMIT_EXCEEDED');
    assert.ok((await s.metric(refusals('new_account_groups'))) >= 1);
    assert.ok((await s.metric(refusals('new_account_devices_added'))) >= 1);
    // Once the account is older than newAccounts.ageSeconds, the caps no longer apply.
    s.clock.advance(86_400_000);
    await login(s.url, spammer);
    for (let i = 0; i < 5; i++) assert.equal((await create()).r.status, 201);
    assert.equal((await add(targets.slice(3, 6))).status, 200);
  } finally {
    await s.stop();
  }
});
