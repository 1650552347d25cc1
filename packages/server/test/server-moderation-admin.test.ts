// The moderation admin API (docs/moderation.md): admin tokens (none, wrong, revoked, expired, missing scope and a user's
// session token are refused), the queue and its actions (warn leaves a notice the account fetches once, suspend closes
// the account's access), signal flags (one open item per account), evidence export, and retention of resolved reports'
// content measured with the injected clock, down to the bytes of the data directory.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  type AdminScope,
  decodeAdminReportDetail,
  decodeAdminReportList,
  decodeAdminResolveResponse,
  decodeEvidencePackage,
  decodeNoticesResponse,
  decodeServerKeyResponse,
} from '@sotto/protocol';
import { verifyEvidence } from '../src/moderation/evidence-verify.js';
import { verifyModerationLog } from '../src/moderation/moderation-log.js';
import { type Device, groupId as newGroupId, http, registerUser } from './helpers/client.js';
import { franked, report, reportBody, textContent, uploadAttachment } from './helpers/franked.js';
import { type InProcessServer, startInProcess } from './helpers/in-process.js';

let srv: InProcessServer;
let alice: Device;
let bob: Device;
const ALL: AdminScope[] = ['reports:read', 'reports:act', 'evidence:export'];

before(async () => {
  srv = await startInProcess();
  alice = await registerUser(srv.url, 'alice');
  bob = await registerUser(srv.url, 'bob');
});
after(async () => srv.stop());

async function token(
  scopes: AdminScope[] = ALL,
  days: number | null = null,
  name = 'moderator-1',
  s = srv,
): Promise<{ token: string; id: string }> {
  const r = await s.server.moderation.tokens.create(name, scopes, days, 'test', s.clock.now());
  return { token: r.token, id: r.summary.id };
}

async function fileReport(text: string, s = srv, from = alice, to = bob): Promise<string> {
  const g = newGroupId();
  const m = franked(s.dataDir, {
    senderDevice: from.deviceId,
    senderAccount: from.account.name,
    recipientDevice: to.deviceId,
    groupId: g,
    receivedAt: s.clock.now(),
    content: textContent(text),
  });
  const r = await report(s.url, to.token!, reportBody(g, [m]));
  assert.equal(r.status, 201);
  return r.body.id;
}

test('admin tokens: sat_ + at least 128 bits; none, wrong, revoked, expired and session tokens are UNAUTHORIZED; a missing scope FORBIDDEN', async () => {
  const good = await token();
  assert.match(good.token, /^sat_[A-Za-z0-9_-]{44}$/);
  const list = (t?: string) => http(srv.url, 'GET', '/v1/admin/reports', undefined, t);
  assert.equal((await list(good.token)).status, 200);
  assert.equal((await list()).status, 401);
  assert.equal((await list(`sat_${'A'.repeat(44)}`)).status, 401);
  assert.equal((await list(`${good.token.slice(0, -1)}${good.token.endsWith('A') ? 'B' : 'A'}`)).status, 401, 'same id, wrong secret');
  assert.equal((await list(bob.token)).status, 401, "a user's session token is never an admin token");

  const revoked = await token();
  await srv.server.moderation.tokens.revoke(revoked.id, 'test', srv.clock.now());
  assert.equal((await list(revoked.token)).status, 401);

  const short = await token(ALL, 1);
  assert.equal((await list(short.token)).status, 200);
  srv.clock.advance(86400_000 + 1);
  assert.equal((await list(short.token)).status, 401, 'expired');
  const { login } = await import('./helpers/client.js');
  await login(srv.url, alice);
  await login(srv.url, bob);

  const readOnly = await token(['reports:read']);
  const id = await fileReport('scope test');
  assert.equal((await http(srv.url, 'GET', `/v1/admin/reports/${id}`, undefined, readOnly.token)).status, 200);
  const act = await http(srv.url, 'POST', `/v1/admin/reports/${id}/resolve`, { action: 'dismiss' }, readOnly.token);
  assert.equal(act.status, 403);
  assert.equal(act.body.error.code, 'FORBIDDEN');
  assert.equal((await http(srv.url, 'GET', `/v1/admin/reports/${id}/evidence`, undefined, readOnly.token)).status, 403);
  const log = await srv.server.moderation.log.entries();
  assert.ok(log.some((e) => e.action === 'token-create') && log.some((e) => e.action === 'token-revoke'));
  assert.ok(!log.some((e) => e.detail.includes(good.token)), 'the log never holds a token');
});

test('the queue lists and shows reports; warn leaves a notice the account fetches once; resolving twice is a CONFLICT', async () => {
  const t = await token();
  const id = await fileReport('rude words');
  const list = decodeAdminReportList((await http(srv.url, 'GET', '/v1/admin/reports?status=open', undefined, t.token)).body);
  assert.ok(list.reports.some((r) => r.id === id && r.kind === 'report' && r.verified && r.status === 'open'));
  const d = decodeAdminReportDetail((await http(srv.url, 'GET', `/v1/admin/reports/${id}`, undefined, t.token)).body);
  assert.equal(d.messages[0]?.text, 'rude words');
  assert.equal((await http(srv.url, 'GET', '/v1/admin/reports/nope', undefined, t.token)).status, 404);

  const r = await http(srv.url, 'POST', `/v1/admin/reports/${id}/resolve`, { action: 'warn', note: 'first offence' }, t.token);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(decodeAdminResolveResponse(r.body), { id, status: 'resolved', action: 'warn' });
  const n = decodeNoticesResponse((await http(srv.url, 'GET', '/v1/notices', undefined, alice.token)).body);
  assert.equal(n.notices.length, 1);
  assert.equal(n.notices[0]?.kind, 'warning');
  assert.equal(decodeNoticesResponse((await http(srv.url, 'GET', '/v1/notices', undefined, alice.token)).body).notices.length, 0, 'once');
  assert.equal(decodeNoticesResponse((await http(srv.url, 'GET', '/v1/notices', undefined, bob.token)).body).notices.length, 0);
  assert.equal((await http(srv.url, 'POST', `/v1/admin/reports/${id}/resolve`, { action: 'dismiss' }, t.token)).status, 409);
  const resolved = decodeAdminReportDetail((await http(srv.url, 'GET', `/v1/admin/reports/${id}`, undefined, t.token)).body);
  assert.deepEqual(resolved.resolution && { ...resolved.resolution, at: 0 }, {
    action: 'warn',
    note: 'first offence',
    admin: 'moderator-1',
    at: 0,
  });
  const entry = (await srv.server.moderation.log.entries()).find((e) => e.reportId === id && e.action === 'resolve:warn');
  assert.equal(entry?.admin, 'moderator-1', 'the HTTP API records the token name');
});

test('suspend goes through the account status: the account is refused at once', async () => {
  const s = await startInProcess();
  try {
    const mallory = await registerUser(s.url, 'mallory');
    const victim = await registerUser(s.url, 'victim');
    const t = await token(ALL, null, 'mod', s);
    const id = await fileReport('threat', s, mallory, victim);
    assert.equal((await http(s.url, 'POST', `/v1/admin/reports/${id}/resolve`, { action: 'suspend' }, t.token)).status, 200);
    const refused = await http(s.url, 'GET', '/v1/notices', undefined, mallory.token);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'ACCOUNT_SUSPENDED');
    assert.equal((await http(s.url, 'GET', '/v1/notices', undefined, victim.token)).status, 200);
  } finally {
    await s.stop();
  }
});

test('flagAccount keeps one open signals item per account, updated by each new flag, and logs every flag', async () => {
  const m = srv.server.moderation.service;
  await m.flagAccount('spammer@localhost', [{ signal: 'new-groups-per-hour', value: 40, threshold: 20 }], srv.clock.now());
  await m.flagAccount('spammer@localhost', [{ signal: 'key-package-claims', value: 900, threshold: 500 }], srv.clock.now() + 1);
  const items = (await m.list('open')).filter((r) => r.reportedAccount === 'spammer@localhost');
  assert.equal(items.length, 1);
  assert.equal(items[0]?.kind, 'signals');
  assert.equal(items[0]?.reporterAccount, null);
  const d = await m.detail(items[0]!.id);
  assert.deepEqual(d.signals, [{ signal: 'key-package-claims', value: 900, threshold: 500 }]);
  assert.equal(
    (await srv.server.moderation.log.entries()).filter((e) => e.action === 'flag' && e.account === 'spammer@localhost').length,
    2,
  );
  await m.resolve(items[0]!.id, 'dismiss', '', 'test', srv.clock.now());
  await m.flagAccount('spammer@localhost', [{ signal: 'x', value: 2, threshold: 1 }], srv.clock.now());
  assert.equal((await m.list('all')).filter((r) => r.reportedAccount === 'spammer@localhost').length, 2, 'a new item after resolution');
});

test('evidence over HTTP: a signed package that verifies offline; the server key is public; the log chain holds', async () => {
  const t = await token();
  const id = await fileReport('evidence please');
  const key = decodeServerKeyResponse((await http(srv.url, 'GET', '/v1/server-key')).body);
  assert.equal(Buffer.from(key.publicKey, 'base64').length, 32);
  assert.deepEqual(decodeServerKeyResponse((await http(srv.url, 'GET', '/v1/admin/server-key', undefined, t.token)).body), key);
  assert.equal((await http(srv.url, 'GET', '/v1/admin/server-key')).status, 401);
  const r = await http(srv.url, 'GET', `/v1/admin/reports/${id}/evidence`, undefined, t.token);
  assert.equal(r.status, 200);
  const pkg = decodeEvidencePackage(r.body);
  assert.equal(pkg.server.publicKey, key.publicKey);
  assert.equal(pkg.report.messages[0]?.text, 'evidence please');
  const v = verifyEvidence(JSON.stringify(r.body), key.publicKey);
  assert.ok(v.ok, JSON.stringify(v.checks.filter((c) => !c.ok)));
  assert.ok(statSync(join(srv.dataDir, 'server-signing.key')).mode % 0o1000 === 0o600);
  assert.ok(verifyModerationLog(await srv.server.moderation.log.entries()).ok);
  const head = await srv.server.moderation.service.logHead();
  assert.match(head.hash, /^[0-9a-f]{64}$/);
});

test('OpenAPI documents the moderation routes; admin routes name the admin token, not the session token', async () => {
  const doc = (await http(srv.url, 'GET', '/openapi.json')).body;
  assert.deepEqual(doc.paths['/v1/reports'].post.security, [{ bearer: [] }]);
  assert.deepEqual(doc.paths['/v1/notices'].get.security, [{ bearer: [] }]);
  assert.equal(doc.paths['/v1/server-key'].get.security, undefined);
  for (const [p, m] of [
    ['/v1/admin/reports', 'get'],
    ['/v1/admin/reports/{id}', 'get'],
    ['/v1/admin/reports/{id}/resolve', 'post'],
    ['/v1/admin/reports/{id}/evidence', 'get'],
    ['/v1/admin/server-key', 'get'],
  ] as const)
    assert.deepEqual(doc.paths[p][m].security, [{ adminToken: [] }], p);
  assert.ok(doc.components.securitySchemes.adminToken);
});

/** Every regular file under `dir`, recursively. */
function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

test('retention: resolved reports lose their content after moderation.resolvedRetentionDays; open ones keep it; no plaintext is left', async () => {
  const s = await startInProcess({ SOTTO_MODERATION_RESOLVED_RETENTION_DAYS: '2' });
  try {
    const a = await registerUser(s.url, 'anna');
    const b = await registerUser(s.url, 'bert');
    const g = newGroupId();
    const SECRET_TEXT = 'RESOLVED-MARKER-7f3a the reported words';
    const SECRET_FILE = 'ATTACHMENT-MARKER-91c2 the reported picture';
    const OPEN_TEXT = 'OPEN-MARKER-55d1 still under review';
    const up = await uploadAttachment(s.url, a.token!, new Uint8Array(Buffer.from(SECRET_FILE)));
    const msg = (content: Uint8Array) =>
      franked(s.dataDir, {
        senderDevice: a.deviceId,
        senderAccount: a.account.name,
        recipientDevice: b.deviceId,
        groupId: g,
        receivedAt: s.clock.now(),
        content,
      });
    const resolved = await report(
      s.url,
      b.token!,
      reportBody(g, [msg(textContent(SECRET_TEXT)), msg(up.content)], 'threat', 'REASON-MARKER-0b1e'),
    );
    const open = await report(s.url, b.token!, reportBody(g, [msg(textContent(OPEN_TEXT))]));
    assert.equal(resolved.status, 201);
    assert.ok(existsSync(join(s.dataDir, 'reports', resolved.body.id)), 'the decrypted attachment is kept with the report');
    for (const f of files(join(s.dataDir, 'reports'))) assert.equal(statSync(f).mode & 0o777, 0o600, f);
    await s.server.moderation.service.resolve(resolved.body.id, 'dismiss', '', 'test', s.clock.now());

    s.clock.advance(2 * 86400_000 - 1000);
    await s.server.sweep();
    assert.equal((await s.server.moderation.service.detail(resolved.body.id)).messages[0]?.text, SECRET_TEXT, 'not yet');

    s.clock.advance(2000);
    await s.server.sweep();
    const d = await s.server.moderation.service.detail(resolved.body.id);
    assert.ok(d.contentDeletedAt !== null);
    assert.equal(d.reason, '');
    assert.deepEqual(
      d.messages.map((m) => [m.text, m.verified, m.contentType]),
      [
        [null, true, null],
        [null, true, null],
      ],
      'the verdict stays',
    );
    assert.equal(d.messages[1]?.attachment?.held, false);
    assert.match(d.messages[1]?.attachment?.sha256 ?? '', /^[0-9a-f]{64}$/, 'the hash stays');
    assert.equal(d.status, 'resolved');
    assert.equal((await s.server.moderation.service.detail(open.body.id)).messages[0]?.text, OPEN_TEXT, 'an open report keeps its content');
    assert.ok(!existsSync(join(s.dataDir, 'reports', resolved.body.id)));
    await assert.rejects(s.server.moderation.service.evidence(resolved.body.id, 'test', s.clock.now()), /deleted by retention/);

    const all = files(s.dataDir).map((f) => readFileSync(f));
    for (const marker of ['RESOLVED-MARKER-7f3a', 'ATTACHMENT-MARKER-91c2', 'REASON-MARKER-0b1e'])
      assert.ok(!all.some((b) => b.includes(marker)), `${marker} is nowhere in the data directory`);
    assert.ok(
      all.some((b) => b.includes('OPEN-MARKER-55d1')),
      'the scan does find content that is still held',
    );
    assert.ok((await s.server.moderation.log.entries()).some((e) => e.action === 'content-deleted' && e.reportId === resolved.body.id));
  } finally {
    await s.stop();
  }
});
