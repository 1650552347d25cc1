// The transparency report of a real register (docs/for-law-enforcement.md "Transparency"): after a scripted half-year
// of requests through the admin API, the report's counts are the register's, it verifies offline against the head
// published before it, and an operator who rewrites a past entry (even re-chaining every hash after it) is caught by
// anyone holding that earlier head.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  type AdminScope,
  canonicalJson,
  decodeLawfulPreserveResponse,
  decodeLawfulRequestDetail,
  decodeTransparencyHead,
  decodeTransparencyReport,
  type LawfulIntake,
  monthOf,
  requestLogHash,
  type TransparencyHead,
} from '@sotto/protocol';
import type { StoredLogEntry } from '../src/lawful/lawful-store.js';
import { verifyTransparencyReport } from '../src/lawful/transparency.js';
import { http, registerUser } from './helpers/client.js';
import { type InProcessServer, startInProcess } from './helpers/in-process.js';

let srv: InProcessServer;
let token: string;
let second: string;
let period: string;

before(async () => {
  srv = await startInProcess({ SOTTO_LAWFUL_GAG_DAYS: '1' });
  // Mid-month, so that a day's gag period stays in the same half-year.
  const d = new Date(srv.clock.now());
  srv.clock.t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 10);
  period = `${d.getUTCFullYear()}H${d.getUTCMonth() < 6 ? 1 : 2}`;
  const tok = async (name: string, scopes: AdminScope[]) =>
    (await srv.server.moderation.tokens.create(name, scopes, null, 'test', srv.clock.now())).token;
  token = await tok('legal', ['requests:read', 'requests:act']);
  second = await tok('legal-2', ['requests:read', 'requests:act']);
});
after(async () => srv.stop());

const api = async (method: string, path: string, body?: unknown, t = token) => {
  const r = await http(srv.url, method, `/v1/admin${path}`, body, t);
  assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};
const receive = async (i: Partial<LawfulIntake> & Pick<LawfulIntake, 'instrument' | 'country' | 'accounts'>) =>
  decodeLawfulRequestDetail(await api('POST', '/requests', { authority: 'A', reference: 'R', categories: ['account'], ...i })).id;
const decide = (id: string, decision: string) => api('POST', `/requests/${id}/decide`, { decision, reason: 'r' });
const answer = (id: string) => api('POST', `/requests/${id}/answer`, {});
const head = async (): Promise<TransparencyHead> =>
  decodeTransparencyHead((await http(srv.url, 'GET', '/.well-known/sotto/transparency')).body);

test("the report's numbers are the register's, and it verifies against the head published before it", async () => {
  const [a, b, c] = [await registerUser(srv.url, 'ann'), await registerUser(srv.url, 'ben'), await registerUser(srv.url, 'cat')];
  const be1 = await receive({ instrument: 'domestic-order', country: 'BE', accounts: [a.account.name, b.account.name] });
  await decide(be1, 'disclose');
  await answer(be1);
  const be2 = await receive({ instrument: 'domestic-order', country: 'BE', accounts: [c.account.name] });
  await decide(be2, 'reject');
  await answer(be2);
  const us = await receive({ instrument: 'mlat', country: 'US', accounts: [a.account.name] });
  await api('POST', `/requests/${us}/decide`, { decision: 'partial', reason: 'subscriber only', categories: ['account'] });
  await answer(us);
  const fr = await receive({ instrument: 'direct-request', country: 'FR', accounts: ['nobody@example.org'] });
  await decide(fr, 'reject');
  await receive({ instrument: 'direct-request', country: 'FR', accounts: [b.account.name] }); // pending
  const em = await receive({ instrument: 'emergency', country: 'BE', accounts: [c.account.name] });
  await decide(em, 'disclose');
  await answer(em);
  const pres = await receive({ instrument: 'preservation', country: 'DE', accounts: [a.account.name] });
  const { hold } = decodeLawfulPreserveResponse(await api('POST', `/requests/${pres}/preserve`, { custodians: ['x', 'y'], threshold: 2 }));
  await api('POST', `/holds/${hold.id}/extend`);
  srv.clock.advance(86_400_000 + 1); // past the emergency's 24 h and the 1-day gag period
  await srv.server.sweep();
  await api('POST', `/requests/${em}/approve`, { note: 'late' }, second);
  await api('POST', `/requests/${em}/review`, { note: 'justified', justified: true }, second);

  const published = await head();
  const r = await api('GET', `/transparency-report?period=${period}`, undefined);
  const report = decodeTransparencyReport(r.report);
  const q = report.requests;
  assert.equal(q.received, 7);
  assert.deepEqual(
    q.rows.map((x) => [x.country, x.instrument, x.outcome, x.requests]),
    [
      ['BE', 'domestic-order', 'disclose', 1],
      ['BE', 'domestic-order', 'reject', 1],
      ['BE', 'emergency', 'disclose', 1],
      ['DE', 'preservation', 'preserved', 1],
      ['FR', 'direct-request', 'pending', 1],
      ['FR', 'direct-request', 'reject', 1],
      ['US', 'mlat', 'partial', 1],
    ],
  );
  assert.equal(q.accountsNamed, 8);
  assert.equal(q.accountsDisclosed, 4, 'ann and ben (BE order), ann (US, in part), cat (emergency); a refusal discloses none');
  assert.deepEqual(q.holds, { placed: 1, extended: 1, expired: 0, released: 0, openedForAnswer: 0 });
  assert.deepEqual(q.emergency, {
    disclosures: 1,
    secondApprovalInTime: 0,
    secondApprovalLate: 1,
    flaggedWithoutSecondApproval: 1,
    reviewed: 1,
    reviewedNotJustified: 0,
  });
  assert.equal(
    q.noticesGiven,
    5,
    'each existing account named by an answered request: ann and ben, cat, ann, cat (the preservation request is not answered)',
  );
  assert.equal(report.requestLog.head.seq, published.requestLog.seq);
  for (const e of report.requestLog.entries) assert.ok(!JSON.stringify(e).includes('@'), 'no account name is published');
  assert.match(r.markdown, new RegExp(`${period}`));

  const v = verifyTransparencyReport(JSON.stringify(r.report), { heads: [published] });
  assert.equal(v.ok, true, JSON.stringify(v.checks.filter((x) => !x.ok)));
});

test('a past entry rewritten after a head was published: the operator re-chains every hash, and the earlier head still catches it', async () => {
  const published = await head();
  const db = (srv.server.storage as unknown as { db: import('better-sqlite3').Database }).db;
  const entries = await srv.server.lawful.store.logEntries();
  const target = entries.find((e) => e.event === 'decided' && e.public.decision === 'reject') as StoredLogEntry;
  // The operator turns a refusal into a disclosure and recomputes the chain from there, so that the log verifies.
  let prev = target.prevHash;
  for (const e of entries.slice(target.seq - 1)) {
    const pub = e.seq === target.seq ? { ...e.public, decision: 'disclose' as const } : e.public;
    const hash = requestLogHash(prev, { ...e, public: pub });
    db.prepare('UPDATE request_log SET public = ?, prev_hash = ?, hash = ? WHERE seq = ?').run(JSON.stringify(pub), prev, hash, e.seq);
    prev = hash;
  }
  srv.clock.advance(1000);
  const rewritten = await api('GET', `/transparency-report?period=${period}`);
  const self = verifyTransparencyReport(JSON.stringify(rewritten.report));
  assert.equal(self.ok, true, 'on its own, a consistently rewritten log verifies: only a published head shows the rewrite');
  const v = verifyTransparencyReport(JSON.stringify(rewritten.report), { heads: [published] });
  assert.equal(v.ok, false);
  const failed = v.checks.filter((x) => !x.ok);
  assert.equal(failed.length, 1);
  assert.match(failed[0]?.check ?? '', /published head of .*: request log entry \d+ of the report has the published hash/);
  assert.equal(monthOf(srv.clock.now()).length, 7);

  // An edit to the published report itself (a count) fails its signature and its recount.
  const edited = { ...rewritten.report, requests: { ...rewritten.report.requests, received: 6 } };
  const e = verifyTransparencyReport(canonicalJson(edited));
  assert.deepEqual(
    e.checks.filter((x) => !x.ok).map((x) => x.check),
    ['signature by the server key', 'request counts: recounted from the entries'],
  );
});
