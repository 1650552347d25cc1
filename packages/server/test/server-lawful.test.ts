// The lawful-request register (docs/for-law-enforcement.md) through the real admin API of a running server: every
// instrument from intake to its signed answer, generated from the data inventory; the emergency path's second approval
// (flagged when it is late) and review; preservation holds opened only by k custodian shares and deleted on expiry or
// answer; the user notice after the gag period or a court-ordered delay; the hash-chained request log catching an edit.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  type AdminScope,
  decodeDisclosurePackage,
  decodeLawfulPreserveResponse,
  decodeLawfulRequestDetail,
  decodeLawfulRequestList,
  decodeNoticesResponse,
  type DisclosurePackage,
  type LawfulIntake,
} from '@sotto/protocol';
import { verifyStoredLog } from '../src/lawful/request-log.js';
import { verifyEvidence } from '../src/moderation/evidence-verify.js';
import { type Device, http, login, registerUser } from './helpers/client.js';
import { type InProcessServer, startInProcess } from './helpers/in-process.js';

const DAY = 86_400_000;
let srv: InProcessServer;
let alice: Device;
let bob: Device;
let officer: string;
let second: string;
let reader: string;

before(async () => {
  srv = await startInProcess({ SOTTO_LAWFUL_GAG_DAYS: '30', SOTTO_LAWFUL_EMERGENCY_APPROVAL_HOURS: '24' });
  alice = await registerUser(srv.url, 'alice');
  bob = await registerUser(srv.url, 'bob');
  const tok = async (name: string, scopes: AdminScope[]) =>
    (await srv.server.moderation.tokens.create(name, scopes, null, 'test', srv.clock.now())).token;
  officer = await tok('legal-officer', ['requests:read', 'requests:act']);
  second = await tok('second-officer', ['requests:read', 'requests:act']);
  reader = await tok('auditor', ['requests:read']);
});
after(async () => srv.stop());

const api = (method: string, path: string, body?: unknown, token = officer) => http(srv.url, method, `/v1/admin${path}`, body, token);

function intake(over: Partial<LawfulIntake> = {}): LawfulIntake {
  return {
    instrument: 'domestic-order',
    authority: 'Investigating judge, Brussels',
    country: 'BE',
    reference: `BE-${Math.random().toString(36).slice(2, 8)}`,
    accounts: [alice.account.name],
    categories: ['account', 'device', 'session', 'message-content', 'contact-lists'],
    ...over,
  };
}

async function receive(over: Partial<LawfulIntake> = {}): Promise<string> {
  const r = await api('POST', '/requests', intake(over));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return decodeLawfulRequestDetail(r.body).id;
}

async function decide(id: string, decision: string, reason = 'valid order, proportionate', token = officer, categories?: string[]) {
  const r = await api('POST', `/requests/${id}/decide`, { decision, reason, ...(categories ? { categories } : {}) }, token);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return decodeLawfulRequestDetail(r.body);
}

async function answer(id: string, shares?: string[]): Promise<DisclosurePackage> {
  const r = await api('POST', `/requests/${id}/answer`, shares ? { shares } : {});
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const text = JSON.stringify(r.body);
  assert.equal(verifyEvidence(text).ok, true, 'the answer verifies offline');
  return decodeDisclosurePackage(r.body);
}

function ok200(r: { status: number; body: unknown }): unknown {
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

const tables = (p: DisclosurePackage, account: string) =>
  new Map((p.answer.accounts.find((a) => a.account === account)?.tables ?? []).map((t) => [t.table, t]));

test('a domestic order, intake to signed answer: the data the inventory yields, what is not held, no credential; a changed byte fails the verifier', async () => {
  const id = await receive();
  const d = decodeLawfulRequestDetail((await api('GET', `/requests/${id}`, undefined, reader)).body);
  assert.equal(d.status, 'received');
  assert.equal(d.receivedBy, 'legal-officer');
  await decide(id, 'disclose');
  const pkg = await answer(id);
  assert.equal(pkg.format, 'sotto-disclosure/v1');
  assert.equal(pkg.request.id, id);
  assert.deepEqual(pkg.request.accounts, [alice.account.name]);
  const t = tables(pkg, alice.account.name);
  assert.equal(t.get('accounts')?.rows.length, 1);
  assert.equal(t.get('accounts')?.rows[0]?.name, alice.account.name);
  assert.equal(typeof t.get('accounts')?.rows[0]?.created_at, 'number', 'account creation time');
  assert.equal(t.get('devices')?.rows[0]?.device_id, alice.deviceId, 'device add time and id');
  assert.ok('created_at' in (t.get('devices')?.rows[0] ?? {}) && 'revoked_at' in (t.get('devices')?.rows[0] ?? {}));
  const session = t.get('tokens');
  assert.ok(session && session.rows.length >= 1, 'the session (last login) is disclosed');
  assert.ok(!('secret_hash' in (session.rows[0] ?? {})) && !('id' in (session.rows[0] ?? {})), 'no credential, not even its hash');
  assert.ok(!t.has('messages') && !t.has('group_members'), 'nothing outside the categories asked for');
  assert.deepEqual(
    pkg.answer.notHeld.map((n) => n.category),
    ['message-content', 'contact-lists'],
  );
  assert.match(pkg.answer.notHeld[0]?.statement ?? '', /^Message content: application messages are MLS PrivateMessages/);
  assert.ok(
    pkg.answer.elsewhere.some((e) => /HTTP access log/.test(e)),
    'what lies outside the database is named',
  );
  assert.ok(!JSON.stringify(pkg).includes(bob.account.name), 'nothing of an account the request did not name');

  const after = decodeLawfulRequestDetail((await api('GET', `/requests/${id}`)).body);
  assert.equal(after.status, 'answered');
  assert.match(after.answerSha256 ?? '', /^[0-9a-f]{64}$/);
  assert.equal(after.noticeDueAt, (after.answeredAt ?? 0) + 30 * DAY);
  assert.equal((await api('POST', `/requests/${id}/answer`, {})).status, 409, 'answered once');

  const tampered = JSON.stringify(pkg).replace(alice.account.name, 'mallory@example.org');
  const v = verifyEvidence(tampered);
  assert.equal(v.ok, false);
  assert.ok(v.checks.some((c) => c.check === 'manifest: request' && !c.ok));
});

test('an MLAT decided in part discloses only the categories decided; a direct request refused gets a signed refusal with no data', async () => {
  const mlat = await receive({ instrument: 'mlat', country: 'US', authority: 'US DoJ OIA' });
  const d = await decide(mlat, 'partial', 'subscriber data only: device data is not proportionate', officer, ['account']);
  assert.equal(d.decision, 'partial');
  const p = await answer(mlat);
  assert.deepEqual([...tables(p, alice.account.name).keys()], ['accounts']);
  assert.equal((await api('POST', `/requests/${mlat}/decide`, { decision: 'reject', reason: 'x' })).status, 409, 'decided once');

  const direct = await receive({ instrument: 'direct-request', country: 'FR', authority: 'Police nationale' });
  await decide(direct, 'reject', 'a foreign authority must go through an MLAT');
  const r = await answer(direct);
  assert.equal(r.answer.decision, 'reject');
  assert.deepEqual(r.answer.accounts, []);
  assert.equal(r.answer.reason, 'a foreign authority must go through an MLAT');

  const partialBad = await receive();
  const bad = await api('POST', `/requests/${partialBad}/decide`, { decision: 'partial', reason: 'r', categories: ['groups-x'] });
  assert.equal(bad.status, 400);
  const notAsked = await api('POST', `/requests/${partialBad}/decide`, { decision: 'partial', reason: 'r', categories: ['key-package'] });
  assert.equal(notAsked.status, 400, 'a partial decision discloses among the categories asked for');
});

test('an emergency disclosure without a timely second approval is flagged, in the register and the request log; the second approver must be another admin', async () => {
  const id = await receive({ instrument: 'emergency', authority: 'Federal police, kidnapping unit', categories: ['account', 'device'] });
  const d = await decide(id, 'disclose', 'credible imminent threat to life');
  assert.equal(d.secondApprovalDueAt, srv.clock.now() + 24 * 3600_000);
  await answer(id);
  assert.equal((await api('POST', `/requests/${id}/approve`, { note: 'me again' })).status, 409, 'not by the admin who decided');
  let list = decodeLawfulRequestList(ok200(await api('GET', '/requests?flagged=true')));
  assert.deepEqual(list.requests.find((r) => r.id === id)?.flags, ['review-pending']);

  srv.clock.advance(24 * 3600_000 + 1);
  await srv.server.sweep();
  list = decodeLawfulRequestList(ok200(await api('GET', '/requests?flagged=true')));
  assert.deepEqual(list.requests.find((r) => r.id === id)?.flags, ['second-approval-overdue', 'review-pending']);
  const log = await srv.server.lawful.store.logEntries();
  const flagged = log.filter((e) => e.request === id && e.event === 'flagged');
  assert.equal(flagged.length, 1);
  assert.deepEqual(flagged[0]?.public, { instrument: 'emergency', country: 'BE', flag: 'second-approval-overdue' });
  await srv.server.sweep();
  assert.equal(
    (await srv.server.lawful.store.logEntries()).filter((e) => e.request === id && e.event === 'flagged').length,
    1,
    'flagged once',
  );

  const late = decodeLawfulRequestDetail((await api('POST', `/requests/${id}/approve`, { note: 'agreed, late' }, second)).body);
  assert.equal(late.secondApproval?.admin, 'second-officer');
  assert.equal(
    (await srv.server.lawful.store.logEntries()).find((e) => e.request === id && e.event === 'second-approval')?.public.inTime,
    false,
  );
  const reviewed = await api('POST', `/requests/${id}/review`, { note: 'justified: the victim was found', justified: true }, second);
  assert.equal(reviewed.status, 200);
  assert.deepEqual(decodeLawfulRequestDetail(reviewed.body).flags, []);

  const timely = await receive({ instrument: 'emergency', categories: ['account'] });
  await decide(timely, 'disclose', 'imminent threat');
  const ok = await api('POST', `/requests/${timely}/approve`, { note: 'agreed' }, second);
  assert.equal(ok.status, 200);
  srv.clock.advance(25 * 3600_000);
  await srv.server.sweep();
  assert.deepEqual(decodeLawfulRequestDetail((await api('GET', `/requests/${timely}`)).body).flags, []);
  assert.equal(
    (await srv.server.lawful.store.logEntries()).find((e) => e.request === timely && e.event === 'second-approval')?.public.inTime,
    true,
  );
});

test('preservation: a hold opens only with k custodian shares, for the request that follows it, and is then deleted; its confirmation discloses nothing', async () => {
  const pres = await receive({
    instrument: 'preservation',
    country: 'DE',
    authority: 'BKA',
    categories: ['account', 'device', 'message-content'],
  });
  assert.equal(
    (await api('POST', `/requests/${pres}/decide`, { decision: 'disclose', reason: 'x' })).status,
    400,
    'a hold, not a decision',
  );
  const placed = await api('POST', `/requests/${pres}/preserve`, { custodians: ['ana', 'ben', 'cleo'], threshold: 2 });
  assert.equal(placed.status, 200, JSON.stringify(placed.body));
  const { hold, shares } = decodeLawfulPreserveResponse(placed.body);
  assert.equal(shares.length, 3);
  assert.deepEqual(
    shares.map((s) => s.custodian),
    ['ana', 'ben', 'cleo'],
  );
  assert.equal(hold.expiresAt, srv.clock.now() + 90 * DAY);
  const detail = JSON.stringify((await api('GET', `/requests/${pres}`)).body);
  for (const s of shares) assert.ok(!detail.includes(s.share.split(':').at(-1) as string), 'no share is kept or shown again');

  const confirmation = await answer(pres);
  assert.equal(confirmation.answer.decision, 'preserved');
  assert.deepEqual(confirmation.answer.accounts, []);
  assert.equal(confirmation.answer.hold?.id, hold.id);
  assert.equal(confirmation.answer.hold?.rows.accounts, 1);

  const mlat = await receive({
    instrument: 'mlat',
    country: 'DE',
    authority: 'BKA via the Federal Office of Justice',
    follows: pres,
    categories: ['account'],
  });
  await decide(mlat, 'disclose');
  const none = await api('POST', `/requests/${mlat}/answer`, {});
  assert.equal(none.status, 400);
  assert.match(none.body.error.message, /give 2 of its custodians' shares/);
  assert.equal((await api('POST', `/requests/${mlat}/answer`, { shares: [shares[0]?.share] })).status, 400, 'k-1 shares');
  assert.equal(
    (await api('POST', `/requests/${mlat}/answer`, { shares: [shares[0]?.share, shares[0]?.share] })).status,
    400,
    'one share twice',
  );
  const forged = `${shares[1]?.share.slice(0, -8)}AAAAAAA=`;
  assert.equal((await api('POST', `/requests/${mlat}/answer`, { shares: [shares[0]?.share, forged] })).status, 400, 'a changed share');
  const p = await answer(mlat, [shares[2]?.share as string, shares[0]?.share as string]);
  assert.equal(p.answer.preserved?.hold, hold.id);
  const preserved = p.answer.preserved?.accounts[0];
  assert.equal(preserved?.account, alice.account.name);
  assert.deepEqual(
    preserved?.tables.map((t) => t.table),
    ['accounts'],
    'the snapshot is cut to what the answering request may have',
  );
  const h = await srv.server.lawful.store.getHold(hold.id);
  assert.equal(h?.deletedWhy, 'answered');
  assert.equal(h?.sealed, null);
  assert.equal((await api('POST', `/holds/${hold.id}/extend`)).status, 409, 'a deleted hold is not extended');
});

test('a preservation hold can be extended once, and is deleted at expiry: its ciphertext is gone from the database file', async () => {
  const pres = await receive({ instrument: 'preservation', categories: ['account', 'device', 'key-package'] });
  const { hold } = decodeLawfulPreserveResponse(
    (await api('POST', `/requests/${pres}/preserve`, { custodians: ['a', 'b'], threshold: 2 })).body,
  );
  const sealed = (await srv.server.lawful.store.getHold(hold.id))?.sealed as Uint8Array;
  const probe = Buffer.from(sealed.subarray(12, 44));
  const db = () => Buffer.concat([readFileSync(join(srv.dataDir, 'sotto.db')), readFileSync(join(srv.dataDir, 'sotto.db-wal'))]);
  assert.ok(db().includes(probe), 'the sealed snapshot is in the database');

  const ext = await api('POST', `/holds/${hold.id}/extend`);
  assert.equal(ext.status, 200);
  assert.equal(ext.body.expiresAt, hold.expiresAt + 90 * DAY);
  assert.equal((await api('POST', `/holds/${hold.id}/extend`)).status, 409, 'extended once only');
  srv.clock.advance(179 * DAY);
  await srv.server.sweep();
  assert.equal((await srv.server.lawful.store.getHold(hold.id))?.deletedAt, null, 'still held before its expiry');
  srv.clock.advance(DAY + 1);
  await srv.server.sweep();
  const gone = await srv.server.lawful.store.getHold(hold.id);
  assert.equal(gone?.deletedWhy, 'expired');
  assert.equal(gone?.sealed, null);
  assert.ok(!db().includes(probe), 'no byte of the ciphertext is left in the database file or its WAL');
  assert.equal(
    (await srv.server.lawful.store.logEntries()).filter((e) => e.request === pres && e.event === 'hold-deleted')[0]?.public.why,
    'expired',
  );
});

test('the named account is told when the gag period ends, or only after a court-ordered delay', async () => {
  const carol = await registerUser(srv.url, 'carol');
  const dave = await registerUser(srv.url, 'dave');
  const plain = await receive({ accounts: [carol.account.name, 'nobody@example.org'], categories: ['account'] });
  await decide(plain, 'disclose');
  await answer(plain);
  const delayed = await receive({ accounts: [dave.account.name], categories: ['account'], noticeDelayUntil: srv.clock.now() + 60 * DAY });
  await decide(delayed, 'disclose');
  await answer(delayed);
  const notices = async (d: Device) => {
    await login(srv.url, d);
    return decodeNoticesResponse((await http(srv.url, 'GET', '/v1/notices', undefined, d.token)).body).notices;
  };

  srv.clock.advance(30 * DAY - 1000);
  await srv.server.sweep();
  assert.deepEqual(await notices(carol), [], 'not before the gag period ends');
  srv.clock.advance(2000);
  await srv.server.sweep();
  const [n] = await notices(carol);
  assert.equal(n?.kind, 'lawful-request');
  assert.match(n?.text ?? '', /a court order from Investigating judge, Brussels \(BE\) that named your account/);
  assert.deepEqual(await notices(dave), [], 'the court-ordered delay runs longer');
  assert.equal(decodeLawfulRequestDetail((await api('GET', `/requests/${plain}`)).body).noticeGivenAt, srv.clock.now());

  srv.clock.advance(31 * DAY);
  await srv.server.sweep();
  assert.equal((await notices(dave)).length, 1);
  const given = (await srv.server.lawful.store.logEntries()).filter((e) => e.event === 'notice-given' && e.request === plain);
  assert.equal(given[0]?.public.accounts, 1, 'an account that does not exist is not told (nor counted)');
});

test('the request log is hash-chained: editing a past entry, public or private, is detected', async () => {
  const entries = await srv.server.lawful.store.logEntries();
  assert.ok(entries.length > 10);
  assert.equal(verifyStoredLog(entries).ok, true);
  for (const e of entries) {
    assert.ok(!JSON.stringify(e.public).includes('@'), 'no account in the public part');
    const allowed = ['instrument', 'country', 'accounts', 'decision', 'inTime', 'flag', 'justified', 'why'];
    for (const k of Object.keys(e.public)) assert.ok(allowed.includes(k), `public field ${k}`);
    assert.match(e.month, /^\d{4}-\d{2}$/, 'the month only, never the exact time');
  }
  const db = srv.server.storage as unknown as { db: import('better-sqlite3').Database };
  const victim = entries.find((e) => e.event === 'decided') as (typeof entries)[number];
  const original = db.db.prepare('SELECT public, detail AS private FROM request_log WHERE seq = ?').get(victim.seq) as {
    public: string;
    private: string;
  };
  db.db
    .prepare('UPDATE request_log SET public = ? WHERE seq = ?')
    .run(original.public.replace(/"decision":"\w+"/, '"decision":"reject"'), victim.seq);
  const pub = verifyStoredLog(await srv.server.lawful.store.logEntries());
  assert.deepEqual(pub, { ok: false, seq: victim.seq, problem: 'hash does not match the entry' });
  db.db
    .prepare('UPDATE request_log SET public = ?, detail = ? WHERE seq = ?')
    .run(original.public, original.private.replace(/"admin":"[^"]+"/, '"admin":"someone-else"'), victim.seq);
  const priv = verifyStoredLog(await srv.server.lawful.store.logEntries());
  assert.deepEqual(priv, { ok: false, seq: victim.seq, problem: 'the private part does not match its digest' });
  db.db.prepare('UPDATE request_log SET detail = ? WHERE seq = ?').run(original.private, victim.seq);
  assert.equal(verifyStoredLog(await srv.server.lawful.store.logEntries()).ok, true);
});

test('the register refuses: no token, a reports-only token, a session token; junk intake; unknown requests and holds', async () => {
  const reportsOnly = (await srv.server.moderation.tokens.create('mod', ['reports:read', 'reports:act'], null, 'test', srv.clock.now()))
    .token;
  assert.equal((await http(srv.url, 'GET', '/v1/admin/requests')).status, 401);
  assert.equal((await api('GET', '/requests', undefined, reportsOnly)).status, 403);
  assert.equal((await api('GET', '/requests', undefined, alice.token)).status, 401);
  assert.equal((await api('POST', '/requests', intake(), reader)).status, 403, 'read scope cannot act');
  const bad = async (over: Record<string, unknown>) => (await api('POST', '/requests', { ...intake(), ...over })).status;
  assert.equal(await bad({ country: 'Belgium' }), 400);
  assert.equal(await bad({ country: 'b1' }), 400);
  assert.equal(await bad({ instrument: 'subpoena' }), 400);
  assert.equal(await bad({ categories: ['everything'] }), 400);
  assert.equal(await bad({ categories: [] }), 400);
  assert.equal(await bad({ accounts: [] }), 400);
  assert.equal(await bad({ accounts: ['not an account'] }), 400);
  assert.equal(await bad({ accounts: Array.from({ length: 51 }, (_, i) => `u${i}@example.org`) }), 400);
  assert.equal(await bad({ authority: ' ' }), 400);
  assert.equal(await bad({ authority: 'x'.repeat(201) }), 400);
  assert.equal(await bad({ receivedAt: srv.clock.now() + DAY }), 400, 'not received in the future');
  assert.equal(await bad({ dueAt: 1 }), 400, 'due before received');
  assert.equal(await bad({ follows: 'nosuchrequest' }), 400);
  assert.equal(await bad({ extra: true }), 400);
  assert.equal((await api('GET', '/requests/nosuchrequest')).status, 404);
  assert.equal((await api('POST', '/holds/nosuchhold/release')).status, 404);
  assert.equal((await api('POST', '/requests/nosuchrequest/preserve', { custodians: ['a', 'b'], threshold: 2 })).status, 404);
  const pres = await receive({ instrument: 'preservation' });
  for (const body of [
    { custodians: ['a'], threshold: 2 },
    { custodians: ['a', 'a'], threshold: 2 },
    { custodians: ['a', 'b'], threshold: 3 },
    { custodians: ['a', 'b'], threshold: 1 },
  ])
    assert.equal((await api('POST', `/requests/${pres}/preserve`, body)).status, 400, JSON.stringify(body));
});
