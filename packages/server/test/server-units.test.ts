// Unit tests of the pieces below the HTTP layer: MLS header parsing (RFC 9420 §6), config loading,
// retention in the SQLite store with an injected clock, deleting a group from it, the group-commit batcher.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { generateConfigYaml, loadConfig } from '../src/config/config.js';
import { CONFIG_KEYS } from '../src/config/schema.js';
import { Batcher } from '../src/delivery/batcher.js';
import { frankingCommitmentOf, routingHeader } from '../src/delivery/mls-routing.js';
import { SottoError } from '../src/errors.js';
import { QuotaService } from '../src/limits/quota-service.js';
import { MIGRATIONS } from '../src/storage/sqlite/migrations.js';
import { SqliteStorage } from '../src/storage/sqlite/sqlite-storage.js';
import type { QueuedMessage, Storage, SubmitOp, SubmitResult } from '../src/storage/storage.js';
import type { Session } from '../src/auth/auth-service.js';
import { DeliveryService } from '../src/delivery/delivery-service.js';
import type { GroupVerifier } from '../src/delivery/group-verifier.js';
import type { Fanout } from '../src/fanout/fanout.js';
import { createServerMetrics, Metrics } from '../src/metrics/metrics.js';
import { Stamper } from '../src/franking/stamp-key.js';
import { FrameCache } from '../src/ws/ws-gateway.js';
import { CT, privateMessage, publicMessage } from './helpers/client.js';
import { cleanup, tempDir } from './helpers/server-process.js';

const require = createRequire(import.meta.url);

test('MLS header: PrivateMessage and PublicMessage fields; anything else is MALFORMED_MLS', () => {
  const gid = new Uint8Array([1, 2, 3]);
  const aad = Uint8Array.from([1, ...new Uint8Array(32).fill(5)]);
  assert.deepEqual(routingHeader(privateMessage(gid, 7n, CT.commit, undefined, aad)), {
    wireFormat: 2,
    groupId: gid,
    epoch: 7n,
    contentType: 3,
    authenticatedData: aad,
  });
  assert.deepEqual(routingHeader(publicMessage(gid, 9n, CT.proposal)), {
    wireFormat: 1,
    groupId: gid,
    epoch: 9n,
    contentType: 2,
    authenticatedData: new Uint8Array(0),
  });
  assert.deepEqual(frankingCommitmentOf(aad), new Uint8Array(32).fill(5), 'the commitment of a franking AAD');
  for (const bad of [new Uint8Array(0), aad.subarray(0, 32), Uint8Array.from([2, ...aad.subarray(1)]), Uint8Array.from([...aad, 0])])
    assert.throws(
      () => frankingCommitmentOf(bad),
      (e: unknown) => e instanceof SottoError && e.code === 'FRANKING_REQUIRED',
    );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
      try {
        routingHeader(b);
      } catch (e) {
        assert.ok(e instanceof SottoError && e.code === 'MALFORMED_MLS');
      }
    }),
    { numRuns: 2000 },
  );
  const good = privateMessage(gid, 1n, CT.application);
  for (let i = 0; i < 17; i++) assert.throws(() => routingHeader(good.subarray(0, i)), /well-formed|wire format|version|group id/);
  // The server's own limits on top of RFC 9420: a group id of 1-255 bytes, an epoch that fits a JavaScript number.
  assert.throws(() => routingHeader(privateMessage(new Uint8Array(0), 1n, CT.application)), /group id must be 1-255 bytes/);
  assert.throws(() => routingHeader(privateMessage(gid, 2n ** 60n, CT.application)), /epoch out of range/);
});

test('config: defaults, file, env and flag precedence; every key has an env var and appears in generate-config', () => {
  const dir = tempDir();
  try {
    const d = loadConfig({ env: {}, cwd: dir });
    assert.equal(d.server.port, 8750);
    assert.equal(d.server.host, '127.0.0.1');
    assert.equal(d.dataDir, join(dir, '.sotto'));
    assert.equal(d.registration.open, false);
    assert.equal(d.retention.maxDays, 30);
    assert.equal(d.metrics.port, 8751);
    const file = join(dir, 'c.yaml');
    writeFileSync(file, generateConfigYaml().replace('port: 8750', 'port: 9000'));
    assert.equal(loadConfig({ file, env: {} }).server.port, 9000);
    assert.equal(loadConfig({ file, env: { SOTTO_PORT: '9100' } }).server.port, 9100);
    assert.equal(loadConfig({ file, env: { SOTTO_PORT: '9100' }, overrides: { 'server.port': 9200 } }).server.port, 9200);
    assert.throws(() => loadConfig({ env: { SOTTO_PORT: '70000' } }), /server.port/);
    writeFileSync(file, 'server:\n  nope: 1\n');
    assert.throws(() => loadConfig({ file, env: {} }), /unknown config key server.nope/);
    assert.throws(() => loadConfig({ env: { SOTTO_METRICS_HOST: '0.0.0.0' } }), /loopback/);
    const text = generateConfigYaml();
    const envs = new Set<string>();
    for (const k of CONFIG_KEYS) {
      assert.ok(text.includes(`# env: ${k.env}`), k.env);
      assert.ok(!envs.has(k.env));
      envs.add(k.env);
    }
  } finally {
    cleanup(dir);
  }
});

test('retention, compare-and-set and the past-epoch window in the SQLite batch: expired messages are swept, one commit per (epoch, version), old application messages refused', async () => {
  const dir = tempDir();
  const s = new SqliteStorage({ file: join(dir, 'db.sqlite'), synchronous: 'normal' });
  try {
    const gid = new Uint8Array([9]);
    const now = 1_800_000_000_000;
    const dev = { certificate: new Uint8Array(1), signatureKey: new Uint8Array(32), cipherSuite: 1, createdAt: now, revokedAt: null };
    await s.createAccount(
      { name: 'a@localhost', accountKey: new Uint8Array(32), status: 'active', createdAt: now },
      { ...dev, deviceId: 'A', account: 'a@localhost' },
      undefined,
      now,
    );
    await s.addDevice({ ...dev, deviceId: 'B', account: 'a@localhost' }, 10);
    await s.createGroup(gid, 0n, 'A', new Uint8Array([0]), now);
    const b = new Batcher(s);
    const day = 86400_000;
    const op = (epoch: bigint, contentType: number, payload: number, expiresAt: number, handshake?: SubmitOp['handshake']): SubmitOp => ({
      type: 'submit',
      senderDevice: 'A',
      groupId: gid,
      epoch,
      contentType,
      payload: new Uint8Array([payload]),
      expiresAt,
      now,
      epochWindow: 4,
      ...(handshake ? { handshake } : {}),
    });
    const hs = (version: number, nextEpoch: bigint): SubmitOp['handshake'] => ({
      version,
      nextEpoch,
      nextState: new Uint8Array([Number(nextEpoch)]),
      addMembers: ['B'],
      removeMembers: [],
    });
    const commit = await b.submit(
      op(0n, 3, 1, now + 30 * day, { ...hs(0, 1n)!, welcome: { payload: new Uint8Array([7]), recipients: ['B'] } }),
    );
    assert.ok(commit.ok);
    const m = await b.submit(op(1n, 1, 2, now + 30 * day));
    assert.ok(m.ok);
    assert.equal((await s.fetchQueue('B', 0, 10, now + 29 * day)).length, 2, 'the welcome and the message');
    assert.equal((await s.fetchQueue('B', 0, 10, now + 30 * day)).length, 0, 'expired messages are never handed out');
    assert.equal((await s.sweep(now + 29 * day)).messages, 0);
    assert.equal((await s.sweep(now + 31 * day)).messages, 2);
    assert.equal((await s.stats()).queuedDeliveries, 0);
    // A stale commit inside a batch fails alone; the rest of the batch is written.
    const [x, y] = await Promise.all([b.submit(op(0n, 3, 3, now + day, hs(0, 1n))), b.submit(op(1n, 3, 4, now + day, hs(1, 2n)))]);
    assert.ok(!x!.ok && x!.error.code === 'STALE_EPOCH');
    assert.ok(y!.ok);
    assert.equal((await s.getGroup(gid))!.epoch, 2n);
    assert.deepEqual((await s.getGroupState(gid))!.state, new Uint8Array([2]), 'the state moves with the epoch');
    // The same epoch with a state version that moved on (a proposal was cached meanwhile) is refused too.
    const z = await b.submit(op(2n, 2, 5, now + day, hs(1, 2n)));
    assert.ok(!z.ok && z.error.code === 'STALE_EPOCH');
    // Application messages: within the past-epoch window, yes; older or ahead, STALE_EPOCH.
    for (let e = 2n; e < 7n; e++) assert.ok((await b.submit(op(e, 3, 6, now + day, hs(Number(e), e + 1n)))).ok);
    assert.equal((await s.getGroup(gid))!.epoch, 7n);
    assert.ok((await b.submit(op(3n, 1, 8, now + day))).ok, 'four epochs back is still readable');
    const old = await b.submit(op(2n, 1, 9, now + day));
    assert.ok(!old.ok && old.error.code === 'STALE_EPOCH' && old.error.details?.currentEpoch === '7');
    const ahead = await b.submit(op(8n, 1, 9, now + day));
    assert.ok(!ahead.ok && ahead.error.code === 'STALE_EPOCH');
    await b.drain();
  } finally {
    await s.close();
    cleanup(dir);
  }
});

test('SQLite deleteGroup: compare-and-set on the state version; removes the state, log, delivery list, queued messages and their deliveries of that group only', async () => {
  const dir = tempDir();
  const s = new SqliteStorage({ file: join(dir, 'db.sqlite'), synchronous: 'normal' });
  try {
    const now = 1_800_000_000_000;
    const dev = { certificate: new Uint8Array(1), signatureKey: new Uint8Array(32), cipherSuite: 1, createdAt: now, revokedAt: null };
    await s.createAccount(
      { name: 'a@localhost', accountKey: new Uint8Array(32), status: 'active', createdAt: now },
      { ...dev, deviceId: 'A', account: 'a@localhost' },
      undefined,
      now,
    );
    await s.addDevice({ ...dev, deviceId: 'B', account: 'a@localhost' }, 10);
    const b = new Batcher(s);
    const [doomed, kept] = [new Uint8Array([1]), new Uint8Array([2])];
    const op = (gid: Uint8Array, epoch: bigint, contentType: number, handshake?: SubmitOp['handshake']): SubmitOp => ({
      type: 'submit',
      senderDevice: 'A',
      groupId: gid,
      epoch,
      contentType,
      payload: new Uint8Array([contentType]),
      expiresAt: now + 86400_000,
      now,
      epochWindow: 4,
      ...(handshake ? { handshake } : {}),
    });
    // Each group: a commit adding B (its Welcome queued), a logged proposal, an application message.
    for (const gid of [doomed, kept]) {
      await s.createGroup(gid, 0n, 'A', new Uint8Array([0]), now);
      const add = { version: 0, nextEpoch: 1n, nextState: new Uint8Array([1]), addMembers: ['B'], removeMembers: [] };
      assert.ok((await b.submit(op(gid, 0n, 3, { ...add, welcome: { payload: new Uint8Array([7]), recipients: ['B'] } }))).ok);
      assert.ok((await b.submit(op(gid, 1n, 2, { version: 1, nextEpoch: 1n, addMembers: [], removeMembers: [] }))).ok);
      assert.ok((await b.submit(op(gid, 1n, 1))).ok);
    }
    const queued = (gid: Uint8Array) => s.fetchQueue('B', 0, 100, now).then((q) => q.filter((m) => m.groupId[0] === gid[0]).length);
    assert.equal(await queued(doomed), 3, 'Welcome, proposal, message (the commit went to the list before it: A alone)');
    assert.equal((await s.getGroupState(doomed))!.log.length, 1);
    assert.equal(await s.deleteGroup(doomed, 1), false, 'a state version that moved on: nothing is deleted');
    assert.deepEqual((await s.getGroup(doomed))?.members, ['A', 'B']);
    assert.equal(await s.deleteGroup(doomed, 2), true);
    assert.equal(await s.getGroup(doomed), undefined);
    assert.equal(await s.getGroupState(doomed), undefined);
    assert.equal(await queued(doomed), 0);
    assert.equal(await s.deleteGroup(doomed, 2), false, 'unknown');
    const stats = await s.stats();
    assert.deepEqual([stats.groups, stats.queuedMessages, stats.queuedDeliveries], [1, 3, 3], 'the other group keeps all it had');
    assert.equal(await queued(kept), 3);
    assert.equal((await s.getGroupState(kept))!.log.length, 1);
    // Nothing of the deleted group survives under its id: made again, it has the new state, no log, its creator alone.
    await s.createGroup(doomed, 0n, 'A', new Uint8Array([9]), now);
    const again = await s.getGroupState(doomed);
    assert.deepEqual([again!.version, again!.state, again!.log], [0, new Uint8Array([9]), []]);
    assert.deepEqual((await s.getGroup(doomed))!.members, ['A']);
    await b.drain();
  } finally {
    await s.close();
    cleanup(dir);
  }
});

test('SQLite: a write while another process (an admin command) holds the write lock waits for it instead of failing with SQLITE_BUSY', async () => {
  const dir = tempDir();
  const file = join(dir, 'db.sqlite');
  const s = new SqliteStorage({ file, synchronous: 'normal' });
  try {
    const now = 1_800_000_000_000;
    const dev = { certificate: new Uint8Array(1), signatureKey: new Uint8Array(32), cipherSuite: 1, createdAt: now, revokedAt: null };
    await s.createInvite({
      id: 'inv',
      secretHash: new Uint8Array(32),
      createdAt: now,
      expiresAt: now + 1000,
      maxUses: 5,
      uses: 0,
      note: '',
    });
    // Another process takes the write lock (as `admin invites create` does), says so, and releases it a little later.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const D = require(${JSON.stringify(require.resolve('better-sqlite3'))});
         const db = new D(${JSON.stringify(file)}); db.pragma('busy_timeout = 5000');
         db.exec('BEGIN IMMEDIATE'); db.prepare("INSERT INTO invites (id, secret_hash, created_at, expires_at, max_uses, uses) VALUES ('other', x'00', 0, 0, 1, 0)").run();
         process.stdout.write('locked\\n');
         setTimeout(() => { db.exec('COMMIT'); db.close(); }, 300);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<number | null>((r) => holder.on('exit', r));
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
      holder.on('exit', () => reject(new Error('lock holder exited early')));
    });
    // A registration reads (name free? device free?) and then writes: with a deferred transaction SQLite refuses
    // the upgrade to a writer at once (SQLITE_BUSY, seen as a 500 on POST /v1/accounts); it must wait instead.
    await s.createAccount(
      { name: 'a@localhost', accountKey: new Uint8Array(32), status: 'active', createdAt: now },
      { ...dev, deviceId: 'A', account: 'a@localhost' },
      'inv',
      now,
    );
    assert.equal(await exited, 0);
    assert.ok(await s.getAccount('a@localhost'));
    assert.equal((await s.listInvites()).length, 2, 'the other process wrote too');
  } finally {
    await s.close();
    cleanup(dir);
  }
});

test('queued-bytes quota: far below it a send is not summed again; from half the quota on, every send is measured exactly and refused past it', async () => {
  let queued = 0;
  let measured = 0;
  const storage = {
    queuedBytesOf: async () => {
      measured++;
      return queued;
    },
  } as unknown as Storage;
  const quota = new QuotaService(storage, { queuedBytesPerAccount: 10_000, blobBytesPerAccount: 0 });
  const send = async (bytes: number) => {
    await quota.checkSubmit('a@x', bytes);
    queued += bytes;
  };
  for (let i = 0; i < 40; i++) await send(100); // 4,000 bytes, under half the quota
  assert.equal(measured, 1, 'measured once, then bounded by the bytes accepted since');
  for (let i = 0; i < 20; i++) await send(100); // the bound passes 5,000 at the 11th: measured from there on
  assert.equal(measured, 11, 'every send past half the quota is measured');
  queued = 4_000; // recipients acknowledged: the real figure fell, and the next measurement sees it
  measured = 0;
  await send(4_000);
  assert.equal(measured, 1);
  await assert.rejects(send(2_001), (e: SottoError) => e.code === 'QUOTA_EXCEEDED', 'exactly at the limit');
  await send(2_000);
  // Another account has its own bound.
  measured = 0;
  queued = 0;
  await quota.checkSubmit('b@x', 10);
  assert.equal(measured, 1);
});

test('frame cache: one encoding per message id shared by its recipients, bounded in entries and bytes', () => {
  const stamper = new Stamper(new Uint8Array(32).fill(7));
  const cache = new FrameCache(stamper);
  const msg = (id: number, size = 10): QueuedMessage => ({
    id,
    groupId: new Uint8Array([1]),
    kind: 'message',
    payload: new Uint8Array(size),
    createdAt: 5,
  });
  const a = cache.frame(msg(1), 'dev-a');
  assert.equal(cache.frame(msg(1), 'dev-a'), a, 'the same bytes for a second object with the same id (a catch-up read)');
  assert.deepEqual(JSON.parse(a.toString()), {
    type: 'message',
    id: 1,
    groupId: 'AQ==',
    kind: 'message',
    data: 'AAAAAAAAAAAAAA==',
    createdAt: 5,
  });
  for (let id = 2; id <= FrameCache.ENTRIES + 1; id++) cache.frame(msg(id), 'dev-a');
  assert.notEqual(cache.frame(msg(1), 'dev-a'), a, 'the oldest entry went');
  const big = cache.frame(msg(10_000, 9 * 1024 * 1024), 'dev-a');
  cache.frame(msg(10_001, 9 * 1024 * 1024), 'dev-a');
  assert.notEqual(cache.frame(msg(10_000, 9 * 1024 * 1024), 'dev-a'), big, 'two 12 MB frames do not both fit in 16 MB');
});

test('frame cache: a franked message carries its sender and a stamp for each recipient, the rest of the frame shared', () => {
  const stamper = new Stamper(new Uint8Array(32).fill(9));
  const cache = new FrameCache(stamper);
  const m: QueuedMessage = {
    id: 7,
    groupId: new Uint8Array([1, 2]),
    kind: 'message',
    payload: new Uint8Array(4),
    createdAt: 1234,
    franking: { senderDevice: 'dev-s', senderAccount: 'sam@x', commitment: new Uint8Array(32).fill(3) },
  };
  const a = JSON.parse(cache.frame(m, 'dev-a').toString());
  const b = JSON.parse(cache.frame(m, 'dev-b').toString());
  const fields = (recipientDevice: string) => ({
    commitment: m.franking!.commitment,
    groupId: m.groupId,
    senderDevice: 'dev-s',
    senderAccount: 'sam@x',
    recipientDevice,
    receivedAt: 1234,
  });
  assert.deepEqual(a.franking, {
    device: 'dev-s',
    account: 'sam@x',
    stamp: Buffer.from(stamper.stamp(fields('dev-a'))).toString('base64'),
  });
  assert.deepEqual(b.franking.stamp, Buffer.from(stamper.stamp(fields('dev-b'))).toString('base64'));
  assert.notEqual(a.franking.stamp, b.franking.stamp, 'a stamp names its recipient');
  assert.deepEqual({ ...a, franking: undefined }, { ...b, franking: undefined });
  assert.deepEqual(a.franking, stamper.wireFor(m, 'dev-a'), 'the same fields as GET /v1/messages');
  assert.equal(String(stamper), 'Stamper([redacted])');
  assert.equal(JSON.stringify({ stamper }), '{"stamper":"Stamper([redacted])"}');
});

test('migration 5: a schema-4 group keeps its state, now a snapshot of its current version with an empty log; a legacy group stays without one', async () => {
  const dir = tempDir();
  const file = join(dir, 'sotto.db');
  try {
    const Database = require('better-sqlite3') as typeof import('better-sqlite3');
    const old = new Database(file);
    for (const [i, sql] of MIGRATIONS.slice(0, 4).entries()) {
      old.exec(sql);
      old.pragma(`user_version = ${i + 1}`);
    }
    old
      .prepare('INSERT INTO groups (group_id, epoch, created_at, updated_at, state, state_version) VALUES (?, 3, 0, 0, ?, 7)')
      .run(Buffer.from([1]), Buffer.from([9, 9]));
    old.prepare('INSERT INTO groups (group_id, epoch, created_at, updated_at) VALUES (?, 1, 0, 0)').run(Buffer.from([2]));
    old.close();
    const s = new SqliteStorage({ file });
    try {
      assert.deepEqual(await s.getGroupState(new Uint8Array([1])), {
        epoch: 3n,
        version: 7,
        state: new Uint8Array([9, 9]),
        snapshotVersion: 7,
        log: [],
      });
      assert.equal((await s.getGroupState(new Uint8Array([2])))!.state, null, 'made before verified delivery: no state');
      assert.equal((await s.getGroupInfo(new Uint8Array([1])))!.verified, true);
      assert.equal((await s.getGroupInfo(new Uint8Array([2])))!.verified, false);
    } finally {
      await s.close();
    }
  } finally {
    cleanup(dir);
  }
});

test('push order: when a commit and the application message after it settle in the same batch, the commit is pushed first (a device given the message first dropped it as from a future epoch)', async () => {
  const gid = new Uint8Array(32).fill(3);
  // The batch: every op waits until the test settles them all at once, in queue order, as one transaction does.
  const waiting: { op: SubmitOp; resolve: (r: SubmitResult) => void }[] = [];
  const batcher = { submit: (op: SubmitOp) => new Promise<SubmitResult>((resolve) => waiting.push({ op, resolve })) } as unknown as Batcher;
  const pushed: number[] = [];
  const fanout = { publish: (_: readonly string[], m: QueuedMessage) => pushed.push(m.id) } as unknown as Fanout;
  const verifier = {
    exclusive: (_: Uint8Array, fn: () => Promise<unknown>) => fn(),
    verify: async () => ({ kind: 'commit', version: 0, nextEpoch: 1n, addMembers: [], removeMembers: [], added: [], groupInfo: null }),
    storable: () => ({ log: { logCount: 1, logBytes: 1, snapshotBytes: 1 } }),
    accepted: () => {},
  } as unknown as GroupVerifier;
  const metrics = createServerMetrics(new Metrics());
  const ds = new DeliveryService({} as Storage, batcher, fanout, { now: () => 0 }, metrics, 86_400_000, verifier);
  const session = { deviceId: 'A', account: 'a@x' } as Session;
  const commit = ds.submit(session, { message: publicMessage(gid, 0n, CT.commit) });
  while (waiting.length === 0) await new Promise((r) => setImmediate(r)); // the commit was verified and queued
  const message = ds.submit(session, { message: privateMessage(gid, 1n, CT.application) });
  while (waiting.length < 2) await new Promise((r) => setImmediate(r));
  const result = (id: number): SubmitResult => ({
    ok: true,
    messageId: id,
    epoch: 1n,
    deliveries: [{ recipients: ['B'], message: { id, groupId: gid, kind: 'message', payload: new Uint8Array(1), createdAt: 0 } }],
  });
  for (const [i, w] of waiting.entries()) w.resolve(result(i + 1)); // one transaction: results settle together, in order
  await Promise.all([commit, message]);
  assert.deepEqual(pushed, [1, 2]);
});
