// Bad input: thousands of malformed, truncated, oversized and out-of-order HTTP bodies and WebSocket
// frames. Each gets a 4xx or an error frame with a stable code; the server keeps serving; nothing stored changes.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import WebSocket from 'ws';
import { createGroup, createGroupInfo, updateKey } from '@sotto/mls';
import { b64, CT, type Device, groupId, http, privateMessage, publicMessage, registerUser, WsClient, welcome } from './helpers/client.js';
import { badSignature, credentialOf, GROUP_CONFIG, Member, makeGroup, mlsDeps, SUITE, type TestGroup } from './helpers/mls-member.js';
import { cleanup, type ServerProcess, startServerProcess } from './helpers/server-process.js';

let srv: ServerProcess;
let a: Device;
let b: Device;
let c: Device;
let gid: Uint8Array;
let group: TestGroup;
let ma: Member;
/** A real commit of epoch 1, after the group moved to epoch 2. */
let staleCommit: Uint8Array;

function digest(): string {
  const db = new Database(join(srv.dataDir, 'sotto.db'), { readonly: true, fileMustExist: true });
  try {
    const h = createHash('sha256');
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .pluck()
      .all() as string[];
    for (const t of tables) {
      if (t === 'tokens') continue; // logins of the fuzzing client itself are not "stored data" under test
      for (const row of db.prepare(`SELECT * FROM ${t}`).raw().all())
        h.update(
          `${t}:${JSON.stringify(row, (_k, v) => (Buffer.isBuffer(v) ? v.toString('hex') : typeof v === 'bigint' ? v.toString() : v))}\n`,
        );
    }
    return h.digest('hex');
  } finally {
    db.close();
  }
}

before(async () => {
  srv = await startServerProcess({
    env: {
      SOTTO_AUTH_RATE_PER_MINUTE: '1000000',
      SOTTO_MAX_MESSAGE_BYTES: '65536',
      SOTTO_MAX_WELCOME_BYTES: '131072', // bodies and frames up to ~0.4 MB: the 1 MB frame and 2 MB body below are over
      SOTTO_WS_FRAMES_PER_SECOND: '100000',
    },
  });
  const { cli } = await import('./helpers/server-process.js');
  const inv = JSON.parse(cli(['admin', 'invites', 'create', '--max-uses', '3', '--data-dir', srv.dataDir, '--json']).stdout) as {
    token: string;
  };
  a = await registerUser(srv.url, 'bad-a', inv.token);
  b = await registerUser(srv.url, 'bad-b', inv.token);
  c = await registerUser(srv.url, 'bad-c', inv.token);
  ({ gid, group } = await makeGroup(srv.url, a, [b]));
  ma = group.member(a);
  staleCommit = ma.updateCommit().commit;
  const moved = await group.commit(srv.url, ma, ma.updateCommit());
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  const seed = await http(srv.url, 'POST', '/v1/messages', { message: b64(ma.encrypt('seed')) }, a.token);
  assert.equal(seed.status, 200, JSON.stringify(seed.body));
});
after(async () => {
  await srv.stop();
  cleanup(srv.dataDir);
});

const truncations = (bytes: Uint8Array) => Array.from({ length: bytes.length }, (_, i) => bytes.subarray(0, i));

/** Real MLS messages that must be refused at the current epoch (built by a, a member, without changing its state). */
function badHandshakes(): { message: Uint8Array; welcome?: Uint8Array; groupInfo?: Uint8Array; by?: Device }[] {
  const addC = ma.addCommit([new Member(c)]);
  const update = ma.updateCommit();
  const elsewhere = createGroup(mlsDeps, {
    cipherSuite: SUITE,
    credential: credentialOf(a),
    signaturePrivateKey: a.sk,
    config: GROUP_CONFIG,
  });
  return [
    { message: badSignature(update.commit) }, // INVALID_COMMIT V-FRM-04
    { message: addC.commit }, // adds c without a Welcome: VALIDATION
    { message: update.commit, welcome: addC.welcome! }, // a Welcome with a commit that adds nobody: VALIDATION
    { message: update.commit, by: b }, // a's commit, sent by b: NOT_MEMBER
    { message: ma.groupInfo() }, // not a handshake: INVALID_COMMIT V-DS-02
    { message: new Member(c).keyPackage() },
    { message: addC.welcome! },
    { message: updateKey(mlsDeps, elsewhere).commit }, // UNKNOWN_GROUP
    { message: update.commit, groupInfo: ma.groupInfo() }, // the old epoch's GroupInfo: INVALID_COMMIT V-DS-03
    { message: update.commit, groupInfo: randomBytes(80) },
    { message: ma.encrypt('x'), groupInfo: createGroupInfo(mlsDeps, update.group, { externalPub: true }) }, // VALIDATION
  ];
}

/** The epoch-0 GroupInfo of a new group created by `d`. */
function bornBy(d: Device, id?: Uint8Array): Uint8Array {
  const g = createGroup(mlsDeps, {
    cipherSuite: SUITE,
    credential: credentialOf(d),
    signaturePrivateKey: d.sk,
    config: GROUP_CONFIG,
    ...(id ? { groupId: id } : {}),
  });
  return createGroupInfo(mlsDeps, g, { ratchetTree: true });
}

/** Bodies that must be refused without changing anything, for each route. */
interface BadRequest {
  path: string;
  method: string;
  body: string;
  auth: boolean;
  /** Another device's token than a's. */
  token?: string | undefined;
  contentType?: string;
}

function badBodies(): BadRequest[] {
  const out: BadRequest[] = [];
  const j = (v: unknown) => JSON.stringify(v);
  const mls = privateMessage(groupId(), 0n, CT.application);
  const stale = privateMessage(gid, 0n, CT.commit);
  const future = privateMessage(gid, 9n, CT.proposal);
  const messages: string[] = [
    ...truncations(mls).map((t) => j({ message: b64(t) })),
    ...truncations(publicMessage(gid, 1n, CT.commit))
      .slice(0, -3)
      .map((t) => j({ message: b64(t) })),
    j({ message: b64(stale) }),
    j({ message: b64(future) }),
    j({ message: b64(staleCommit) }),
    j({ message: b64(privateMessage(gid, 2n, CT.commit)) }),
    j({ message: b64(privateMessage(gid, 9n, CT.application)) }),
    j({ message: b64(privateMessage(gid, 1n, CT.application)), addDevices: [b.deviceId] }),
    j({ message: b64(privateMessage(gid, 1n, CT.commit)), addDevices: ['no-such-device'], welcome: b64(welcome()) }),
    j({ message: b64(privateMessage(gid, 1n, CT.commit)), addDevices: [b.deviceId] }),
    j({ message: b64(privateMessage(gid, 1n, CT.commit)), removeDevices: ['ghost'] }),
    j({ message: b64(privateMessage(gid, 1n, CT.commit)), welcome: b64(welcome()) }),
    j({ message: b64(privateMessage(gid, 1n, CT.commit)), addDevices: [b.deviceId, b.deviceId] }),
    j({ message: b64(privateMessage(gid, 1n, CT.commit)), welcome: b64(randomBytes(20)), addDevices: [b.deviceId] }),
    j({ message: b64(randomBytes(70_000)) }),
    j({ message: 'not base64!' }),
    j({ message: `QUJD${'='.repeat(3)}` }),
    j({ message: 12 }),
    j({ message: b64(mls), ttlSeconds: -1 }),
    j({ message: b64(mls), extra: 1 }),
    j({ ids: [] }),
    j({}),
    '',
    '{',
    'null',
    '[]',
    '"x"',
    j({ message: b64(mls) }).slice(0, 20),
  ];
  for (const m of messages) out.push({ path: '/v1/messages', method: 'POST', body: m, auth: true });
  // Every prefix of a real commit, and real handshakes that break one rule each.
  for (const t of truncations(ma.updateCommit().commit))
    out.push({ path: '/v1/messages', method: 'POST', body: j({ message: b64(t) }), auth: true });
  for (const h of badHandshakes()) {
    const body = j({
      message: b64(h.message),
      ...(h.welcome ? { welcome: b64(h.welcome) } : {}),
      ...(h.groupInfo ? { groupInfo: b64(h.groupInfo) } : {}),
    });
    out.push({ path: '/v1/messages', method: 'POST', body, auth: true, token: h.by?.token });
  }
  for (const m of [
    j({ ids: [] }),
    j({ ids: ['1'] }),
    j({ ids: [0] }),
    j({ ids: Array.from({ length: 1001 }, (_, i) => i + 1) }),
    j({ ids: [1.5] }),
    '{"ids":',
    j({ ids: [1e15] }),
  ]) {
    out.push({ path: '/v1/messages/ack', method: 'POST', body: m, auth: true });
  }
  for (const m of [
    j({}),
    j({ certificate: 'x' }),
    j({ certificate: b64(randomBytes(200)) }),
    j({ certificate: b64(a.certificate) }),
    j({ certificate: b64(a.certificate), invite: 'bogus.bogus' }),
  ]) {
    out.push({ path: '/v1/accounts', method: 'POST', body: m, auth: false });
  }
  for (const t of truncations(a.certificate))
    out.push({ path: '/v1/devices', method: 'POST', body: j({ certificate: b64(t) }), auth: false });
  for (const m of [j({ revocation: b64(randomBytes(150)) }), j({ revocation: '' }), j({})])
    out.push({ path: '/v1/devices/revoke', method: 'POST', body: m, auth: false });
  for (const m of [
    j({ keyPackages: 'x' }),
    j({ keyPackages: [1] }),
    j({ keyPackages: Array.from({ length: 101 }, () => b64(randomBytes(10))) }),
    j({ keyPackages: [b64(randomBytes(3))] }),
    j({ keyPackages: [b64(randomBytes(20_000))] }),
  ]) {
    out.push({ path: '/v1/key-packages', method: 'POST', body: m, auth: true });
  }
  for (const m of [
    j({ groupId: b64(gid), epoch: '0' }), // the old protocol: no longer accepted
    j({ groupInfo: '' }),
    j({ groupInfo: b64(randomBytes(300)) }),
    j({ groupInfo: b64(ma.groupInfo()) }), // epoch 1, two members
    j({ groupInfo: b64(bornBy(b)) }), // its only member is not the caller
    j({ groupInfo: b64(bornBy(a, gid)) }), // the id of an existing group
    j({ groupInfo: b64(new Member(a).keyPackage()) }),
    ...truncations(bornBy(a))
      .filter((_, i) => i % 4 === 0)
      .map((t) => j({ groupInfo: b64(t) })),
    j({ groupInfo: b64(bornBy(a)), epoch: '0' }),
  ]) {
    out.push({ path: '/v1/groups', method: 'POST', body: m, auth: true });
  }
  for (const m of [
    j({ deviceId: 'no such' }),
    j({ deviceId: a.deviceId, challenge: b64(randomBytes(32)), signature: b64(randomBytes(64)) }),
    j({ deviceId: a.deviceId, challenge: 'AAAA', signature: 'AAAA' }),
  ]) {
    out.push({ path: '/v1/auth/token', method: 'POST', body: m, auth: false });
  }
  out.push({ path: '/v1/messages', method: 'POST', body: j({ message: b64(mls) }), auth: true, contentType: 'text/plain' });
  out.push({ path: '/v1/accounts/NOT-A-NAME/key-packages/claim', method: 'POST', body: '', auth: true });
  out.push({ path: '/v1/messages?after=-1', method: 'GET', body: '', auth: true });
  out.push({ path: '/v1/messages?limit=abc', method: 'GET', body: '', auth: true });
  out.push({ path: '/v1/groups/!!!', method: 'GET', body: '', auth: true });
  out.push({ path: `/v1/blobs/${'a'.repeat(63)}`, method: 'GET', body: '', auth: true });
  out.push({ path: '/v1/nope', method: 'POST', body: '{}', auth: true });
  return out;
}

test('thousands of malformed HTTP bodies: all 4xx with a stable code, nothing stored changes', { timeout: 120_000 }, async () => {
  const before0 = digest();
  const cases = badBodies();
  // Random JSON values against every JSON route, with and without a token.
  const routes = [
    '/v1/messages',
    '/v1/messages/ack',
    '/v1/accounts',
    '/v1/devices',
    '/v1/devices/revoke',
    '/v1/auth/challenge',
    '/v1/auth/token',
    '/v1/key-packages',
    '/v1/groups',
  ];
  const randomJson = fc.sample(fc.jsonValue({ maxDepth: 3 }), 1500);
  for (const [i, v] of randomJson.entries()) {
    cases.push({ path: routes[i % routes.length]!, method: 'POST', body: JSON.stringify(v), auth: i % 2 === 0 });
  }
  for (let i = 0; i < 500; i++)
    cases.push({ path: routes[i % routes.length]!, method: 'POST', body: randomBytes(i % 300).toString('latin1'), auth: i % 2 === 0 });
  assert.ok(cases.length >= 2000, `${cases.length} cases`);
  const codes = new Set<string>();
  for (let i = 0; i < cases.length; i += 50) {
    await Promise.all(
      cases.slice(i, i + 50).map(async (c) => {
        const headers: Record<string, string> = { 'content-type': c.contentType ?? 'application/json' };
        if (c.auth) headers.authorization = `Bearer ${c.token ?? a.token}`;
        const r = await fetch(srv.url + c.path, { method: c.method, headers, body: c.method === 'GET' ? undefined : c.body });
        const text = await r.text();
        // /v1/auth/challenge accepts any device id of the right shape (it reveals nothing): a 200 is fine there.
        if (r.status === 200 && c.path === '/v1/auth/challenge') return;
        // Acks are idempotent: acknowledging ids the device does not hold is a no-op, not an error.
        if (r.status === 200 && c.path === '/v1/messages/ack' && JSON.parse(text).acked === 0) return;
        assert.ok(r.status >= 400 && r.status < 500, `${c.method} ${c.path} ${c.body.slice(0, 80)} -> ${r.status} ${text.slice(0, 200)}`);
        const body = JSON.parse(text) as { error: { code: string; message: string } };
        assert.match(body.error.code, /^[A-Z_]+$/);
        assert.ok(body.error.message.length > 0);
        codes.add(body.error.code);
      }),
    );
  }
  for (const code of [
    'VALIDATION',
    'MALFORMED_MLS',
    'INVALID_COMMIT',
    'NOT_MEMBER',
    'STALE_EPOCH',
    'UNKNOWN_GROUP',
    'UNAUTHORIZED',
    'BAD_CERTIFICATE',
    'NOT_FOUND',
    'UNSUPPORTED_MEDIA_TYPE',
  ]) {
    assert.ok(codes.has(code), `saw ${code} (saw ${[...codes].join(', ')})`);
  }
  assert.equal(digest(), before0, 'stored data unchanged');
  assert.equal((await http(srv.url, 'GET', '/health')).status, 200);
});

test('a body over the limit is refused with 413 from its declared length, before it is read; a chunked one is cut off', async () => {
  const before0 = digest();
  /** Resolves with the answer, or with status 0 when the server closed the connection while we were still sending. */
  const send = (chunked: boolean) =>
    new Promise<{ status: number; body: string }>((resolve) => {
      const headers: Record<string, string | number> = { 'content-type': 'application/json', authorization: `Bearer ${a.token}` };
      if (!chunked) headers['content-length'] = 2_000_000;
      const req = request(`${srv.url}/v1/messages`, { method: 'POST', headers });
      let answered = false;
      req.on('response', (res) => {
        answered = true;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body });
        });
      });
      req.on('error', () => answered || resolve({ status: 0, body: '' }));
      if (!chunked) return req.flushHeaders(); // 2 MB declared, nothing sent: the answer must not wait for the body
      // Endless chunks: the server must stop reading past its limit (its 413 may be lost to the connection reset).
      const chunk = Buffer.alloc(64 * 1024, 0x78);
      const pump = () => {
        while (!answered && !req.destroyed && req.write(chunk));
        if (!answered && !req.destroyed) req.once('drain', pump);
      };
      pump();
    });
  const declared = await send(false);
  assert.equal(declared.status, 413, declared.body);
  assert.equal((JSON.parse(declared.body) as { error: { code: string } }).error.code, 'PAYLOAD_TOO_LARGE');
  const chunked = await send(true);
  assert.ok(chunked.status === 413 || chunked.status === 0, `chunked: ${chunked.status} ${chunked.body}`);
  assert.equal(digest(), before0, 'stored data unchanged');
  assert.equal((await http(srv.url, 'GET', '/health')).status, 200);
});

test(
  'thousands of malformed WebSocket frames: error frames, other clients unaffected, nothing stored changes',
  {
    timeout: 120_000,
  },
  async () => {
    const before0 = digest();
    const healthy = await WsClient.connect(srv.wsUrl, b.token!);
    const fuzz = await WsClient.connect(srv.wsUrl, a.token!);
    const frames: (string | Buffer)[] = [];
    const valid = JSON.stringify({ type: 'send', rid: 1, message: b64(privateMessage(groupId(), 0n, CT.application)) });
    for (let i = 1; i < valid.length; i++) frames.push(valid.slice(0, i));
    for (const v of fc.sample(fc.jsonValue({ maxDepth: 3 }), 1500)) frames.push(JSON.stringify(v));
    for (const v of fc.sample(
      fc.record({
        type: fc.constantFrom('send', 'ack', 'auth', 'ping', 'x'),
        rid: fc.oneof(fc.integer(), fc.string()),
        ids: fc.array(fc.integer()),
        message: fc.string(),
      }),
      500,
    ))
      frames.push(JSON.stringify(v));
    for (let i = 0; i < 300; i++) frames.push(randomBytes(i + 1));
    const realRids: number[] = [];
    for (const [i, h] of badHandshakes().entries()) {
      if (h.by) continue; // this connection is a's
      realRids.push(777_001 + i);
      frames.push(
        JSON.stringify({
          type: 'send',
          rid: 777_001 + i,
          message: b64(h.message),
          ...(h.welcome ? { welcome: b64(h.welcome) } : {}),
          ...(h.groupInfo ? { groupInfo: b64(h.groupInfo) } : {}),
        }),
      );
    }
    frames.push(JSON.stringify({ type: 'send', rid: 2, message: b64(privateMessage(gid, 0n, CT.commit)) }));
    frames.push(JSON.stringify({ type: 'send', rid: 3, message: b64(privateMessage(gid, 7n, CT.application)) }));
    frames.push(JSON.stringify({ type: 'ack', rid: 4, ids: [1e14] }));
    frames.push(JSON.stringify({ type: 'auth', token: 'x' }));
    let sent = 0;
    for (const f of frames) {
      fuzz.ws.send(f);
      sent++;
      if (sent % 200 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    assert.ok(frames.length >= 2000);
    await fuzz.next((f) => f.type === 'acked' && f.rid === 4, 20_000);
    // Each real but bad handshake is answered with an error, never `sent`.
    for (const rid of realRids) assert.equal((await fuzz.next((f) => f.rid === rid, 20_000)).type, 'error', `rid ${rid}`);
    await new Promise((r) => setTimeout(r, 300));
    const errors = fuzz.frames.filter((f) => f.type === 'error');
    assert.ok(errors.length >= frames.length - 600, `error frames: ${errors.length} of ${frames.length}`);
    const odd = errors.find((e) => !/^[A-Z_]+$/.test(e.code) || !e.message);
    assert.equal(odd, undefined);
    const unexpected = fuzz.frames.find((f) => !['error', 'pong', 'ready', 'acked', 'message'].includes(f.type));
    assert.equal(unexpected, undefined);
    assert.equal(digest(), before0, 'stored data unchanged');
    // An oversized frame closes that connection (1009) and nothing else.
    const big = new WebSocket(srv.wsUrl, { headers: { authorization: `Bearer ${c.token}` } });
    await new Promise((r) => big.once('open', r));
    big.send('x'.repeat(1_000_000));
    const code = await new Promise<number>((r) => big.once('close', (c) => r(c)));
    assert.equal(code, 1009);
    // Unauthenticated upgrade and wrong path are refused.
    const bad = new WebSocket(srv.wsUrl, { headers: { authorization: 'Bearer nope' } });
    const err = await new Promise<string>((r) => bad.once('error', (e) => r(String(e))));
    assert.match(err, /401/);
    // The healthy client still works end to end.
    const ping = await healthy.request({ type: 'ping' });
    assert.equal(ping.type, 'pong');
    const ok = await healthy.send(group.member(b).encrypt('still served'));
    assert.equal(ok.type, 'sent');
    await fuzz.next((f) => f.type === 'message' && f.id === ok.messageId);
    await Promise.all([healthy.close(), fuzz.close()]);
  },
);
