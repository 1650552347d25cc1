// The operator's moderation commands (docs/moderation.md) on a running server's data directory: admin tokens, the
// report queue, evidence export and its offline verification (`verify-evidence` passes, and fails after any single
// byte of the package changes), and `admin moderation-log --verify`, which catches a row edited with raw SQL.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { verifyEvidence } from '../src/moderation/evidence-verify.js';
import { type Device, groupId as newGroupId, http, registerUser } from './helpers/client.js';
import { franked, report, reportBody, textContent, uploadAttachment } from './helpers/franked.js';
import { type InProcessServer, startInProcess } from './helpers/in-process.js';
import { SERVER_CMD } from './helpers/server-process.js';

let srv: InProcessServer;
let alice: Device;
let bob: Device;

before(async () => {
  srv = await startInProcess();
  alice = await registerUser(srv.url, 'alice');
  bob = await registerUser(srv.url, 'bob');
});
after(async () => srv.stop());

/** Runs `sotto-server` on the server's data directory, with no SOTTO_* variable from the test's environment. */
function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SOTTO_')));
  const r = spawnSync(process.execPath, [...SERVER_CMD, ...args], {
    cwd: srv.dataDir,
    env: { ...env, INIT_CWD: srv.dataDir, USER: 'olivia' },
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const admin = (args: string[]) => run(['admin', ...args, '--data-dir', srv.dataDir]);

async function fileReport(text: string, attachment?: Uint8Array): Promise<string> {
  const g = newGroupId();
  const msg = (content: Uint8Array) =>
    franked(srv.dataDir, {
      senderDevice: alice.deviceId,
      senderAccount: alice.account.name,
      recipientDevice: bob.deviceId,
      groupId: g,
      receivedAt: srv.clock.now(),
      content,
    });
  const messages = [msg(textContent(text))];
  if (attachment) messages.push(msg((await uploadAttachment(srv.url, alice.token!, attachment)).content));
  const r = await report(srv.url, bob.token!, reportBody(g, messages));
  assert.equal(r.status, 201);
  return r.body.id;
}

test('admin tokens create prints a token once that the admin API accepts; list shows it without the token; revoke ends it', async () => {
  const c = admin([
    'tokens',
    'create',
    '--name',
    'hotline-desk',
    '--scopes',
    'reports:read,evidence:export',
    '--expires-in-days',
    '30',
    '--json',
  ]);
  assert.equal(c.status, 0, c.stderr);
  const made = JSON.parse(c.stdout) as { token: string; id: string; scopes: string[] };
  assert.match(made.token, /^sat_[A-Za-z0-9_-]{44}$/);
  assert.deepEqual(made.scopes, ['reports:read', 'evidence:export']);
  assert.equal((await http(srv.url, 'GET', '/v1/admin/reports', undefined, made.token)).status, 200);
  const l = admin(['tokens', 'list']);
  assert.equal(l.status, 0, l.stderr);
  assert.match(l.stdout, new RegExp(`${made.id}  hotline-desk  reports:read,evidence:export  active`));
  assert.ok(!l.stdout.includes(made.token));
  assert.equal(admin(['tokens', 'create', '--name', 'x', '--scopes', 'reports:everything']).status, 2, 'unknown scope');
  assert.equal(admin(['tokens', 'revoke', made.id]).status, 0);
  assert.equal((await http(srv.url, 'GET', '/v1/admin/reports', undefined, made.token)).status, 401);
  assert.equal(admin(['tokens', 'revoke', 'nope']).status, 2);
});

test('admin reports list, show and resolve; the acting admin is cli:<OS user>', async () => {
  const id = await fileReport('cli can read this');
  const l = admin(['reports', 'list', '--json']);
  assert.equal(l.status, 0, l.stderr);
  assert.ok((JSON.parse(l.stdout) as Array<{ id: string }>).some((r) => r.id === id));
  const s = admin(['reports', 'show', id]);
  assert.equal(s.status, 0, s.stderr);
  assert.match(s.stdout, /verified: cli can read this/);
  assert.match(s.stdout, new RegExp(`reported account: ${alice.account.name}`));
  const r = admin(['reports', 'resolve', id, '--action', 'dismiss', '--note', 'not abuse']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(admin(['reports', 'resolve', id, '--action', 'dismiss']).status, 2, 'already resolved');
  assert.equal(admin(['reports', 'resolve', id, '--action', 'ban']).status, 2);
  const d = await srv.server.moderation.service.detail(id);
  assert.equal(d.resolution?.admin, 'cli:olivia');
  assert.match(admin(['reports', 'list', '--status', 'resolved']).stdout, new RegExp(id));
});

/** Changes one character of `text` inside the value that follows `key` (a valid character for base64 and hex). */
function flipIn(text: string, key: string, offset = 5): string {
  const at = text.indexOf(key);
  assert.ok(at >= 0, key);
  const i = at + key.length + offset;
  const c = text[i] as string;
  return text.slice(0, i) + (c === 'A' ? 'B' : c === '0' ? '1' : /[0-9a-f]/.test(c) ? '0' : 'A') + text.slice(i + 1);
}

test('evidence: export, verify-evidence OK offline with the published key, FAILED after a byte changes anywhere', async () => {
  const id = await fileReport('this is the evidence', new Uint8Array(Buffer.from('attached picture bytes '.repeat(20))));
  const out = join(srv.dataDir, 'evidence.json');
  const e = admin(['reports', 'export', id, '--out', out]);
  assert.equal(e.status, 0, e.stderr);
  assert.equal(statSync(out).mode & 0o777, 0o600);
  const text = readFileSync(out, 'utf8');
  const key = (await http(srv.url, 'GET', '/v1/server-key')).body.publicKey as string;

  const ok = run(['verify-evidence', out, '--key', key]);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /OK {6}signature by the server key/);
  assert.match(ok.stdout, /OK {6}message 0 .*commitment opens to the content/);
  assert.match(ok.stdout, /only the server can check them/, 'says what it cannot check');
  assert.match(ok.stdout, /evidence OK$/m);
  const pkg = JSON.parse(text) as { files: unknown[]; report: { messages: unknown[] } };
  assert.equal(pkg.files.length, 1);
  assert.equal(pkg.report.messages.length, 2);

  const other = run(['verify-evidence', out, '--key', Buffer.alloc(32, 1).toString('base64')]);
  assert.notEqual(other.status, 0, 'another server key');

  const tampered = join(srv.dataDir, 'tampered.json');
  for (const [where, changed, failing] of [
    ['content', flipIn(text, '"content":"', 8), /FAILED {2}manifest: report/],
    ['signature', flipIn(text, '"signature":"', 10), /FAILED {2}signature/],
    ['manifest', flipIn(text, '"manifest":{"server":"', 3), /FAILED {2}signature/],
    ['attachment', flipIn(text, '"data":"', 12), /FAILED {2}file .*: bytes match/],
  ] as const) {
    assert.notEqual(changed, text);
    writeFileSync(tampered, changed);
    const r = run(['verify-evidence', tampered]);
    assert.notEqual(r.status, 0, `${where}: ${r.stdout}`);
    assert.match(r.stdout, failing, where);
    assert.match(r.stdout, /evidence FAILED$/m, where);
  }

  // Every single-byte change of the package fails verification (checked in-process, all positions).
  const buf = Buffer.from(text);
  for (let i = 0; i < buf.length; i++) {
    const copy = Buffer.from(buf);
    copy[i] = (copy[i] as number) ^ 0x01;
    assert.equal(verifyEvidence(copy.toString('utf8'), key).ok, false, `byte ${i} changed and the package still verified`);
  }
  assert.ok((await srv.server.moderation.log.entries()).some((x) => x.action === 'evidence-export' && x.admin === 'cli:olivia'));
});

test('admin moderation-log --verify: OK on the untouched chain, FAILED (non-zero) after a row is edited with raw SQL', async () => {
  await fileReport('for the log');
  const okRun = admin(['moderation-log', '--verify']);
  assert.equal(okRun.status, 0, okRun.stderr);
  assert.match(okRun.stdout, /chain OK: \d+ entries, head [0-9a-f]{64}/);
  assert.match(okRun.stdout, /resolve:dismiss/);
  const db = new Database(join(srv.dataDir, 'sotto.db'));
  try {
    db.prepare("UPDATE moderation_log SET admin = 'nobody' WHERE seq = (SELECT MIN(seq) FROM moderation_log)").run();
  } finally {
    db.close();
  }
  const bad = admin(['moderation-log', '--verify']);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stdout, /chain FAILED at entry 1: hash does not match the entry/);
});
