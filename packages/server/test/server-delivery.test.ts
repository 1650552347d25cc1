// Durable queues: redelivery after reconnect in order, pull, expiry of disappearing messages, blobs,
// /health, /openapi.json, /metrics on loopback and graceful shutdown, against a real server process.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { b64, http, registerUser, unb64, WsClient } from './helpers/client.js';
import { makeGroup } from './helpers/mls-member.js';
import { startInProcess } from './helpers/in-process.js';
import { cleanup, type ServerProcess, startServerProcess } from './helpers/server-process.js';

let srv: ServerProcess;
before(async () => {
  srv = await startServerProcess({ env: { SOTTO_REGISTRATION_OPEN: 'true', SOTTO_SWEEP_SECONDS: '1', SOTTO_BLOB_MAX_BYTES: '1000000' } });
});
after(async () => {
  await srv.stop();
  cleanup(srv.dataDir);
});

test('unacknowledged messages are redelivered after reconnect, in order per group; acked ones are not', async () => {
  const a = await registerUser(srv.url, 'r-a');
  const b = await registerUser(srv.url, 'r-b');
  const g1 = (await makeGroup(srv.url, a, [b])).group;
  const g2 = (await makeGroup(srv.url, a, [b])).group;
  const wa = await WsClient.connect(srv.wsUrl, a.token!);
  const sent: number[] = [];
  for (let i = 0; i < 50; i++) {
    const g = i % 2 ? g1 : g2;
    const r = await wa.send(g.member(a).encrypt(`m${i}`));
    assert.equal(r.type, 'sent', JSON.stringify(r));
    sent.push(r.messageId);
  }
  let wb = await WsClient.connect(srv.wsUrl, b.token!);
  await wb.waitMessages(52); // two Welcomes + 50
  const ids = wb.messages.map((m) => m.id);
  assert.deepEqual(
    ids,
    [...ids].sort((x, y) => x - y),
  );
  // b decrypts each group's messages in the order they were sent.
  const texts = wb.messages
    .filter((m) => m.kind === 'message')
    .map((m) => {
      const g = m.groupId === b64(g1.gid) ? g1 : g2;
      return g.member(b).read(unb64(m.data));
    });
  assert.deepEqual(
    texts,
    Array.from({ length: 50 }, (_, i) => `m${i}`),
  );
  // Acknowledge the first 20, drop the connection, reconnect: the rest come again, in the same order.
  await wb.ack(ids.slice(0, 20));
  await wb.close();
  wb = await WsClient.connect(srv.wsUrl, b.token!);
  await wb.waitMessages(32);
  assert.deepEqual(
    wb.messages.map((m) => m.id),
    ids.slice(20),
  );
  // Pull gives the same view; acking through HTTP empties it.
  const pulled = await http(srv.url, 'GET', '/v1/messages?limit=500', undefined, b.token);
  assert.deepEqual(
    pulled.body.messages.map((m: { id: number }) => m.id),
    ids.slice(20),
  );
  const page = await http(srv.url, 'GET', `/v1/messages?after=${ids[40]}&limit=5`, undefined, b.token);
  assert.deepEqual(
    page.body.messages.map((m: { id: number }) => m.id),
    ids.slice(41, 46),
  );
  assert.equal((await http(srv.url, 'POST', '/v1/messages/ack', { ids: ids.slice(20) }, b.token)).body.acked, 32);
  await wb.close();
  wb = await WsClient.connect(srv.wsUrl, b.token!);
  // Nothing acknowledged comes again: the first thing b sees is a new message.
  const fresh = await wa.send(g1.member(a).encrypt('fresh'));
  await wb.waitMessages(1);
  assert.deepEqual(
    wb.messages.map((m) => m.id),
    [fresh.messageId],
  );
  // A second connection for the same device replaces the first.
  const wb2 = await WsClient.connect(srv.wsUrl, b.token!);
  assert.equal((await wb.closed).code, 4000);
  await Promise.all([wa.close(), wb2.close()]);
});

test('browser-style login: an auth frame instead of a header; a bad token or an unauthenticated send closes with 4401', async () => {
  const a = await registerUser(srv.url, 'af-a');
  const { default: WebSocket } = await import('ws');
  const ws = new WebSocket(srv.wsUrl);
  await new Promise((r) => ws.once('open', r));
  const first = new Promise<string>((r) => ws.once('message', (d) => r(d.toString())));
  ws.send(JSON.stringify({ type: 'ping', rid: 1 }));
  assert.deepEqual(JSON.parse(await first), { type: 'pong', rid: 1 });
  const ready = new Promise<string>((r) => ws.once('message', (d) => r(d.toString())));
  ws.send(JSON.stringify({ type: 'auth', token: a.token }));
  assert.deepEqual(JSON.parse(await ready), { type: 'ready', deviceId: a.deviceId });
  ws.close();
  const bad = new WebSocket(srv.wsUrl);
  await new Promise((r) => bad.once('open', r));
  bad.send(JSON.stringify({ type: 'auth', token: 'forged.token' }));
  const code = await new Promise<number>((r) => bad.once('close', (c) => r(c)));
  assert.equal(code, 4401);
  const early = new WebSocket(srv.wsUrl);
  await new Promise((r) => early.once('open', r));
  early.send(JSON.stringify({ type: 'send', rid: 1, message: 'AAAA' }));
  assert.equal(await new Promise<number>((r) => early.once('close', (c) => r(c))), 4401);
});

/** Polls `f` until it returns a value (every 100 ms, for at most 10 s). */
async function until<T>(f: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + 10_000;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in 10 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('disappearing messages expire on the server even when never acknowledged', async () => {
  const a = await registerUser(srv.url, 'x-a');
  const b = await registerUser(srv.url, 'x-b');
  const ma = (await makeGroup(srv.url, a, [b])).group.member(a);
  const short = await http(srv.url, 'POST', '/v1/messages', { message: b64(ma.encrypt('short')), ttlSeconds: 1 }, a.token);
  const long = await http(srv.url, 'POST', '/v1/messages', { message: b64(ma.encrypt('long')), ttlSeconds: 3600 }, a.token);
  const queued = async () =>
    (await http(srv.url, 'GET', '/v1/messages', undefined, b.token)).body.messages.map((m: { id: number }) => m.id) as number[];
  assert.ok((await queued()).includes(short.body.messageId));
  const ids = await until(async () => {
    const q = await queued();
    return q.includes(short.body.messageId) ? undefined : q;
  });
  assert.ok(ids.includes(long.body.messageId));
});

test('maximum retention: an unacknowledged message is deleted once older than the limit; a blob once its ttl passed', async () => {
  const s = await startInProcess({ SOTTO_RETENTION_MAX_SECONDS: '2' });
  try {
    const a = await registerUser(s.url, 'ret-a');
    const b = await registerUser(s.url, 'ret-b');
    const ma = (await makeGroup(s.url, a, [b])).group.member(a);
    const m = await http(s.url, 'POST', '/v1/messages', { message: b64(ma.encrypt('kept?')), ttlSeconds: 3600 }, a.token);
    assert.equal(m.status, 200);
    const q1 = await http(s.url, 'GET', '/v1/messages', undefined, b.token);
    assert.ok(
      q1.body.messages.some((x: { id: number }) => x.id === m.body.messageId),
      'queued at first',
    );
    const short = randomBytes(100);
    const sh = createHash('sha256').update(short).digest('hex');
    const blob = (method: string, body?: Uint8Array, q = '') =>
      fetch(`${s.url}/v1/blobs/${sh}${q}`, {
        method,
        headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${a.token}` },
        ...(body ? { body } : {}),
      });
    assert.equal((await blob('PUT', short, '?ttlSeconds=1')).status, 201);
    // Not yet: one sweep before the limit keeps both.
    s.clock.advance(1500);
    await s.server.sweep();
    assert.deepEqual((await http(s.url, 'GET', '/v1/messages', undefined, b.token)).body.messages, q1.body.messages);
    s.clock.advance(1000);
    await s.server.sweep();
    const q2 = await http(s.url, 'GET', '/v1/messages', undefined, b.token);
    assert.deepEqual(q2.body.messages, [], 'a longer ttlSeconds does not extend the retention limit');
    assert.equal(await s.metric('sotto_queued_deliveries'), 0);
    assert.equal((await blob('GET')).status, 404, 'the blob is gone after its ttl');
  } finally {
    await s.stop();
  }
});

test('blobs: streamed upload addressed by SHA-256, wrong hash and oversize refused, download matches', async () => {
  const a = await registerUser(srv.url, 'b-a');
  const data = randomBytes(300_000);
  const hash = createHash('sha256').update(data).digest('hex');
  const put = (h: string, body: Uint8Array, token = a.token) =>
    fetch(`${srv.url}/v1/blobs/${h}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${token}` },
      body,
    });
  const wrong = await put(createHash('sha256').update('other').digest('hex'), data);
  assert.equal(wrong.status, 400);
  assert.equal(((await wrong.json()) as { error: { code: string } }).error.code, 'HASH_MISMATCH');
  const big = randomBytes(1_000_001);
  const tooBig = await put(createHash('sha256').update(big).digest('hex'), big);
  assert.equal(tooBig.status, 413);
  assert.equal((await put(hash, data, 'nope')).status, 401);
  const ok = await put(hash, data);
  assert.equal(ok.status, 201);
  const got = await fetch(`${srv.url}/v1/blobs/${hash}`, { headers: { authorization: `Bearer ${a.token}` } });
  assert.equal(got.status, 200);
  assert.ok(Buffer.from(await got.arrayBuffer()).equals(data));
  const missing = await fetch(`${srv.url}/v1/blobs/${'0'.repeat(64)}`, { headers: { authorization: `Bearer ${a.token}` } });
  assert.equal(missing.status, 404);
});

test('/health, /openapi.json from the route schemas, Prometheus /metrics on loopback only', async () => {
  assert.deepEqual((await http(srv.url, 'GET', '/health')).body, { status: 'ok', version: '0.1.0' });
  const doc = (await http(srv.url, 'GET', '/openapi.json')).body;
  assert.equal(doc.openapi, '3.1.0');
  for (const p of [
    '/v1/accounts',
    '/v1/auth/token',
    '/v1/messages',
    '/v1/messages/ack',
    '/v1/blobs/{hash}',
    '/v1/accounts/{name}/key-packages/claim',
    '/v1/groups',
  ]) {
    assert.ok(doc.paths[p], `openapi documents ${p}`);
  }
  assert.ok(doc.paths['/v1/messages'].post.requestBody.content['application/json'].schema.properties.message);
  assert.ok(doc.paths['/v1/groups/{groupId}'].delete, 'openapi documents DELETE /v1/groups/{groupId}');
  assert.equal((await http(srv.url, 'GET', '/metrics')).status, 404, 'metrics are not on the public listener');
  const m = await (await fetch(`http://127.0.0.1:${srv.metricsPort}/metrics`)).text();
  for (const name of [
    'sotto_ws_connections',
    'sotto_queued_deliveries',
    'sotto_messages_submitted_total',
    'sotto_deliveries_total',
    'sotto_errors_total',
    'sotto_submit_duration_seconds_bucket',
  ]) {
    assert.ok(m.includes(name), name);
  }
  // Logs never contain tokens or message content.
  const logs = srv.logs.join('\n');
  assert.ok(!/Bearer|"token"/.test(logs));
});

test('graceful shutdown: sends in flight are answered and stored; the server exits 0', async () => {
  const s = await startServerProcess({ env: { SOTTO_REGISTRATION_OPEN: 'true' } });
  const a = await registerUser(s.url, 'g-a');
  const b = await registerUser(s.url, 'g-b');
  const ma = (await makeGroup(s.url, a, [b])).group.member(a);
  const wa = await WsClient.connect(s.wsUrl, a.token!);
  const pending = Array.from({ length: 300 }, (_, i) => wa.send(ma.encrypt(`in flight ${i}`)));
  const code = s.stop('SIGTERM');
  const results = await Promise.race([Promise.all(pending), wa.closed.then(() => 'closed' as const)]);
  assert.equal(await code, 0);
  const acked =
    results === 'closed'
      ? wa.frames.filter((f) => f.type === 'sent').map((f) => f.messageId)
      : results.filter((f) => f.type === 'sent').map((f) => f.messageId);
  const s2 = await startServerProcess({ dataDir: s.dataDir });
  try {
    const q = await http(s2.url, 'GET', '/v1/messages?limit=500', undefined, b.token);
    const have = new Set(q.body.messages.map((m: { id: number }) => m.id));
    for (const id of acked) assert.ok(have.has(id), `acknowledged message ${id} survived the shutdown`);
  } finally {
    await s2.stop();
    cleanup(s.dataDir);
  }
});
