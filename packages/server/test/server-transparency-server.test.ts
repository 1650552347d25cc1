// Transparency on a running server (src/http/routes/transparency.ts, src/cli/transparency-commands.ts): the public head
// at /.well-known/sotto/transparency verifies under the key of GET /v1/server-key and moves with the moderation log, a
// stored report appends 'report-received', the admin route's auth and input checks, and the CLI generating a report,
// verifying it against fetched heads and the moderation log, and failing a tampered file with exit 3.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { verify } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  canonicalJson,
  decodeServerKeyResponse,
  decodeTransparencyHead,
  GENESIS_HEX,
  type TransparencyHead,
  transparencyHeadSigningInput,
  type TransparencyReport,
} from '@sotto/protocol';
import { verifyTransparencyReport } from '../src/lawful/transparency.js';
import { ed25519PublicKey } from '../src/moderation/signing-key.js';
import { type Device, groupId as newGroupId, http, registerUser } from './helpers/client.js';
import { franked, report, reportBody, textContent } from './helpers/franked.js';
import { type InProcessServer, startInProcess } from './helpers/in-process.js';
import { cleanup, SERVER_CMD, tempDir } from './helpers/server-process.js';

const failed = (r: ReturnType<typeof verifyTransparencyReport>) => r.checks.filter((c) => !c.ok).map((c) => c.check);

describe('transparency on a running server', () => {
  let srv: InProcessServer;
  let alice: Device;
  let bob: Device;
  const currentPeriod = () => {
    const d = new Date(srv.clock.now());
    return `${d.getUTCFullYear()}H${d.getUTCMonth() < 6 ? 1 : 2}`;
  };

  before(async () => {
    srv = await startInProcess();
    alice = await registerUser(srv.url, 'alice');
    bob = await registerUser(srv.url, 'bob');
  });
  after(async () => srv.stop());

  async function fileReport(text: string): Promise<string> {
    const g = newGroupId();
    const m = franked(srv.dataDir, {
      senderDevice: alice.deviceId,
      senderAccount: alice.account.name,
      recipientDevice: bob.deviceId,
      groupId: g,
      receivedAt: srv.clock.now(),
      content: textContent(text),
    });
    const r = await report(srv.url, bob.token!, reportBody(g, [m]));
    assert.equal(r.status, 201);
    return r.body.id as string;
  }

  async function fetchHead(): Promise<{ head: TransparencyHead; cacheControl: string | null }> {
    const res = await fetch(`${srv.url}/.well-known/sotto/transparency`);
    assert.equal(res.status, 200);
    return { head: decodeTransparencyHead(await res.json()), cacheControl: res.headers.get('cache-control') };
  }

  test('the public head verifies under the key of GET /v1/server-key and moves when the moderation log grows', async () => {
    const key = decodeServerKeyResponse((await http(srv.url, 'GET', '/v1/server-key')).body);
    const { head, cacheControl } = await fetchHead();
    assert.equal(cacheControl, 'no-cache');
    assert.equal(head.publicKey, key.publicKey);
    assert.equal(head.domain, key.domain);
    const pub = ed25519PublicKey(new Uint8Array(Buffer.from(key.publicKey, 'base64')));
    assert.ok(verify(null, transparencyHeadSigningInput(head), pub, Buffer.from(head.signature, 'base64')));
    assert.deepEqual(head.requestLog, { seq: 0, hash: GENESIS_HEX });
    assert.deepEqual(head.moderationLog, await srv.server.moderation.log.head());
    srv.clock.advance(1000);
    assert.deepEqual((await fetchHead()).head, head, 'nothing changed: the same signed head');
    await srv.server.moderation.tokens.create('auditor', ['reports:read'], null, 'test', srv.clock.now());
    const next = (await fetchHead()).head;
    assert.equal(next.moderationLog.seq, head.moderationLog.seq + 1);
    assert.equal(next.at, srv.clock.now());
    assert.ok(verify(null, transparencyHeadSigningInput(next), pub, Buffer.from(next.signature, 'base64')));
  });

  test("a stored report appends 'report-received' (system:intake, the reported account, verified; no content)", async () => {
    const id = await fileReport('a report for the transparency counts');
    const e = (await srv.server.moderation.log.entries()).find((x) => x.action === 'report-received' && x.reportId === id);
    assert.ok(e);
    assert.equal(e.admin, 'system:intake');
    assert.equal(e.account, alice.account.name);
    assert.equal(e.detail, '{"verified":true}');
    assert.equal((await fetchHead()).head.moderationLog.seq, (await srv.server.moderation.log.head()).seq);
  });

  test('GET /v1/admin/transparency-report: token and scope required, period checked, a report that verifies', async () => {
    const path = `/v1/admin/transparency-report?period=${currentPeriod()}`;
    assert.equal((await http(srv.url, 'GET', path)).status, 401);
    assert.equal((await http(srv.url, 'GET', path, undefined, bob.token!)).status, 401, 'a session token is not an admin token');
    const reader = await srv.server.moderation.tokens.create('moderator', ['reports:read', 'reports:act'], null, 'test', srv.clock.now());
    const denied = await http(srv.url, 'GET', path, undefined, reader.token);
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error.code, 'FORBIDDEN');
    const t = await srv.server.moderation.tokens.create('transparency', ['requests:read'], null, 'test', srv.clock.now());
    for (const bad of ['2026H3', '26H1', '2026h2', '']) {
      const r = await http(srv.url, 'GET', `/v1/admin/transparency-report?period=${bad}`, undefined, t.token);
      assert.equal(r.status, 400, bad);
      assert.equal(r.body.error.code, 'VALIDATION');
    }
    assert.equal((await http(srv.url, 'GET', '/v1/admin/transparency-report', undefined, t.token)).status, 400, 'no period');
    const future = await http(srv.url, 'GET', '/v1/admin/transparency-report?period=2999H1', undefined, t.token);
    assert.equal(future.status, 400);
    assert.match(future.body.error.message, /not started/);

    const published = (await fetchHead()).head;
    const ok = await http(srv.url, 'GET', path, undefined, t.token);
    assert.equal(ok.status, 200);
    const rep = ok.body.report as TransparencyReport;
    assert.equal(typeof ok.body.markdown, 'string');
    assert.ok((ok.body.markdown as string).includes(`# Transparency report ${currentPeriod()}`));
    assert.ok(rep.moderation.reportsReceived >= 1);
    assert.equal(rep.moderation.reportsVerified, rep.moderation.reportsReceived);
    const key = decodeServerKeyResponse((await http(srv.url, 'GET', '/v1/server-key')).body).publicKey;
    const v = verifyTransparencyReport(JSON.stringify(rep), {
      key,
      heads: [published],
      moderationLog: await srv.server.moderation.log.entries(),
    });
    assert.deepEqual(failed(v), []);
  });

  test('the routes are in the OpenAPI document with their tags', async () => {
    const doc = (await http(srv.url, 'GET', '/openapi.json')).body as { paths: Record<string, Record<string, { tags?: string[] }>> };
    assert.deepEqual(doc.paths['/.well-known/sotto/transparency']?.get?.tags, ['transparency']);
    assert.deepEqual(doc.paths['/v1/admin/transparency-report']?.get?.tags, ['admin']);
  });

  test('CLI: transparency-report writes JSON and Markdown that verify; a tampered file exits 3', async () => {
    const out = tempDir('sotto-transparency-');
    try {
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SOTTO_')));
      const run = (args: string[]) => {
        const r = spawnSync(process.execPath, [...SERVER_CMD, ...args], {
          cwd: out,
          env: { ...env, INIT_CWD: out, USER: 'olivia' },
          encoding: 'utf8',
        });
        return { status: r.status, stdout: r.stdout, stderr: r.stderr };
      };
      const period = currentPeriod();
      const gen = run(['admin', 'transparency-report', '--period', period, '--out', 'published', '--data-dir', srv.dataDir]);
      assert.equal(gen.status, 0, gen.stderr);
      const json = join(out, 'published', `transparency-${period}.json`);
      const md = join(out, 'published', `transparency-${period}.md`);
      assert.ok(existsSync(json) && existsSync(md));
      assert.match(gen.stdout, new RegExp(`wrote ${json}`));
      const modHead = await srv.server.moderation.log.head();
      assert.match(gen.stdout, new RegExp(`moderation log head: entry ${modHead.seq}, hash ${modHead.hash}`));
      assert.match(gen.stdout, new RegExp(`request log head: entry 0, hash ${GENESIS_HEX}`));
      assert.ok(readFileSync(md, 'utf8').includes(`# Transparency report ${period}`));
      assert.equal(
        run(['admin', 'transparency-report', '--period', period, '--out', 'published', '--data-dir', srv.dataDir]).status,
        2,
        'no overwrite without --force',
      );

      // Heads as fetched from the public URL: one file with a head, one with an array.
      const head = (await fetchHead()).head;
      writeFileSync(join(out, 'head.json'), JSON.stringify(head));
      writeFileSync(join(out, 'heads.json'), JSON.stringify([head, head]));
      const key = decodeServerKeyResponse((await http(srv.url, 'GET', '/v1/server-key')).body).publicKey;
      const ok = run([
        'admin',
        'transparency-report',
        'verify',
        json,
        '--heads',
        'head.json',
        'heads.json',
        '--key',
        key,
        '--with-moderation-log',
        '--data-dir',
        srv.dataDir,
      ]);
      assert.equal(ok.status, 0, ok.stdout + ok.stderr);
      assert.match(ok.stdout, /^OK +signature by the server key$/m);
      assert.match(ok.stdout, /^OK +moderation counts: recounted from the log up to the committed head$/m);
      assert.match(ok.stdout, /transparency report OK$/m);
      assert.doesNotMatch(ok.stdout, /FAILED/);
      const asJson = run(['admin', 'transparency-report', 'verify', json, '--json']);
      assert.equal(asJson.status, 0, asJson.stderr);
      assert.equal((JSON.parse(asJson.stdout) as { ok: boolean }).ok, true);

      const report = JSON.parse(readFileSync(json, 'utf8')) as TransparencyReport;
      report.moderation.evidenceExports += 1;
      writeFileSync(json, JSON.stringify(report, null, 2));
      const bad = run(['admin', 'transparency-report', 'verify', json, '--key', key]);
      assert.equal(bad.status, 3, bad.stdout + bad.stderr);
      assert.match(bad.stdout, /^FAILED +signature by the server key$/m);
      assert.match(bad.stdout, /transparency report FAILED$/m);

      assert.equal(run(['admin', 'transparency-report', '--period', '2026X1', '--data-dir', srv.dataDir]).status, 2);
      assert.equal(run(['admin', 'transparency-report', '--data-dir', srv.dataDir]).status, 2, '--period is required');
      writeFileSync(join(out, 'junk.json'), '{"format":"x"}');
      assert.equal(run(['admin', 'transparency-report', 'verify', json, '--heads', 'junk.json']).status, 2);
      assert.equal(canonicalJson(JSON.parse(readFileSync(join(out, 'head.json'), 'utf8'))), canonicalJson(head));
    } finally {
      cleanup(out);
    }
  });

  test("the register's request log reaches the head and the report: public fields only, extending the heads published before", async () => {
    const officer = await srv.server.moderation.tokens.create(
      'legal-officer',
      ['requests:read', 'requests:act'],
      null,
      'test',
      srv.clock.now(),
    );
    const before = (await fetchHead()).head;
    const intake = {
      instrument: 'mlat',
      authority: 'Office of International Affairs',
      country: 'US',
      reference: 'OIA-2026-77',
      accounts: [alice.account.name],
      categories: ['account'],
    };
    const r = await http(srv.url, 'POST', '/v1/admin/requests', intake, officer.token);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const after = (await fetchHead()).head;
    assert.ok(after.requestLog.seq > before.requestLog.seq, 'the intake appended to the request log');
    const rep = await http(srv.url, 'GET', `/v1/admin/transparency-report?period=${currentPeriod()}`, undefined, officer.token);
    assert.equal(rep.status, 200);
    const report = rep.body.report as TransparencyReport;
    assert.equal(report.requests.received, 1);
    assert.deepEqual(report.requests.rows, [{ country: 'US', instrument: 'mlat', outcome: 'pending', requests: 1 }]);
    assert.equal(report.requests.accountsNamed, 1);
    const published = JSON.stringify(rep.body);
    for (const secret of ['Office of International Affairs', 'OIA-2026-77', alice.account.name])
      assert.ok(!published.includes(secret), secret);
    const v = verifyTransparencyReport(JSON.stringify(report), {
      heads: [before, after],
      moderationLog: await srv.server.moderation.log.entries(),
    });
    assert.deepEqual(failed(v), []);
  });
});
