// Transparency (src/lawful/transparency*.ts) over synthetic logs: the report's counts from a request log built with
// requestLogHash and a moderation log, its Markdown, the offline verifier and the tampering it catches (an edited entry,
// an edited count, a log rewritten and re-signed after a head was published, a wrong key), and the signed head and its
// cache. A running server and the CLI: server-transparency-server.test.ts.
import assert from 'node:assert/strict';
import { generateKeyPairSync, verify } from 'node:crypto';
import { before, describe, test } from 'node:test';
import {
  decodeTransparencyHead,
  GENESIS_HEX,
  type LawfulInstrument,
  privateDigest,
  type RequestCounts,
  type RequestLogEntry,
  type RequestLogEvent,
  requestLogHash,
  type RequestLogPublic,
  type TransparencyHead,
  transparencyHeadSigningInput,
  type TransparencyReport,
  transparencyReportSigningInput,
} from '@sotto/protocol';
import { countModeration } from '../src/lawful/moderation-counts.js';
import { renderMarkdown, Transparency, verifyTransparencyReport } from '../src/lawful/transparency.js';
import { SottoError } from '../src/errors.js';
import { MemoryModerationStore } from '../src/moderation/memory-moderation-store.js';
import { ModerationLog } from '../src/moderation/moderation-log.js';
import type { LogEntry } from '../src/moderation/moderation-store.js';
import { ed25519PublicKey, SigningKey } from '../src/moderation/signing-key.js';

const newKey = () => new SigningKey(generateKeyPairSync('ed25519').privateKey);
const at = (iso: string) => Date.parse(iso);
/** During 2026H2, after every synthetic entry. */
const NOW = at('2026-12-20T12:00:00Z');

/** Builds a chained public request log the way the register does: each entry hashed onto the one before. */
class RequestLog {
  readonly entries: RequestLogEntry[] = [];
  add(
    month: string,
    request: string,
    event: RequestLogEvent,
    instrument: LawfulInstrument,
    country: string,
    more: Partial<RequestLogPublic> = {},
  ): this {
    const prevHash = this.entries[this.entries.length - 1]?.hash ?? GENESIS_HEX;
    const fields = {
      seq: this.entries.length + 1,
      month,
      request,
      event,
      public: { instrument, country, ...more },
      privateDigest: privateDigest('5a'.repeat(16), { authority: `authority of ${request}`, reference: `ref-${request}`, event }),
    };
    this.entries.push({ ...fields, prevHash, hash: requestLogHash(prevHash, fields) });
    return this;
  }
}

/** Recomputes every hash from `from` (1-based) on: an operator rewriting history consistently. */
function rechain(entries: RequestLogEntry[], from: number): RequestLogEntry[] {
  const out = entries.slice(0, from - 1);
  for (const e of entries.slice(from - 1)) {
    const prevHash = out[out.length - 1]?.hash ?? GENESIS_HEX;
    out.push({ ...e, prevHash, hash: requestLogHash(prevHash, e) });
  }
  return out;
}

function syntheticRequestLog(): RequestLog {
  return (
    new RequestLog()
      // r0: received in the period before; its answer, given in this one, counts as disclosed.
      .add('2026-06', 'r0', 'received', 'domestic-order', 'DE', { accounts: 1 })
      .add('2026-07', 'r0', 'decided', 'domestic-order', 'DE', { decision: 'disclose' })
      .add('2026-07', 'r0', 'answered', 'domestic-order', 'DE', { accounts: 1, decision: 'disclose' })
      // r1: MLAT disclosed, the accounts told later; r2: MLAT rejected.
      .add('2026-07', 'r1', 'received', 'mlat', 'DE', { accounts: 2 })
      .add('2026-07', 'r2', 'received', 'mlat', 'DE', { accounts: 1 })
      .add('2026-08', 'r1', 'decided', 'mlat', 'DE', { decision: 'disclose' })
      .add('2026-08', 'r1', 'answered', 'mlat', 'DE', { accounts: 2, decision: 'disclose' })
      .add('2026-08', 'r2', 'decided', 'mlat', 'DE', { decision: 'reject' })
      .add('2026-08', 'r2', 'answered', 'mlat', 'DE', { accounts: 0, decision: 'reject' })
      // r3: an emergency disclosure flagged for its missing second approval, approved late, reviewed: not justified.
      .add('2026-09', 'r3', 'received', 'emergency', 'FR', { accounts: 1 })
      .add('2026-09', 'r3', 'decided', 'emergency', 'FR', { decision: 'disclose' })
      .add('2026-09', 'r3', 'answered', 'emergency', 'FR', { accounts: 1, decision: 'disclose' })
      .add('2026-09', 'r3', 'flagged', 'emergency', 'FR', { flag: 'second-approval-overdue' })
      .add('2026-09', 'r3', 'second-approval', 'emergency', 'FR', { inTime: false })
      .add('2026-10', 'r3', 'reviewed', 'emergency', 'FR', { justified: false })
      // r4: an emergency partial disclosure approved in time, reviewed: justified.
      .add('2026-10', 'r4', 'received', 'emergency', 'FR', { accounts: 1 })
      .add('2026-10', 'r4', 'decided', 'emergency', 'FR', { decision: 'partial' })
      .add('2026-10', 'r4', 'second-approval', 'emergency', 'FR', { inTime: true })
      .add('2026-10', 'r4', 'answered', 'emergency', 'FR', { accounts: 1, decision: 'partial' })
      .add('2026-10', 'r4', 'reviewed', 'emergency', 'FR', { justified: true })
      // r5: a hold placed, extended, expired; r6: a hold opened for an answer; r8: a hold released.
      .add('2026-07', 'r5', 'received', 'preservation', 'US', { accounts: 3 })
      .add('2026-07', 'r5', 'preserved', 'preservation', 'US')
      .add('2026-08', 'r6', 'received', 'preservation', 'US', { accounts: 1 })
      .add('2026-08', 'r6', 'preserved', 'preservation', 'US')
      .add('2026-09', 'r5', 'hold-extended', 'preservation', 'US')
      .add('2026-10', 'r6', 'hold-deleted', 'preservation', 'US', { why: 'answered' })
      // r7: a direct request, still pending.
      .add('2026-10', 'r7', 'received', 'direct-request', 'US', { accounts: 1 })
      .add('2026-11', 'r8', 'received', 'preservation', 'DE', { accounts: 2 })
      .add('2026-11', 'r8', 'preserved', 'preservation', 'DE')
      .add('2026-11', 'r1', 'notice-given', 'mlat', 'DE', { accounts: 2 })
      .add('2026-12', 'r5', 'hold-deleted', 'preservation', 'US', { why: 'expired' })
      .add('2026-12', 'r8', 'hold-deleted', 'preservation', 'DE', { why: 'released' })
  );
}

const EXPECTED_REQUESTS: RequestCounts = {
  received: 8,
  rows: [
    { country: 'DE', instrument: 'mlat', outcome: 'disclose', requests: 1 },
    { country: 'DE', instrument: 'mlat', outcome: 'reject', requests: 1 },
    { country: 'DE', instrument: 'preservation', outcome: 'preserved', requests: 1 },
    { country: 'FR', instrument: 'emergency', outcome: 'disclose', requests: 1 },
    { country: 'FR', instrument: 'emergency', outcome: 'partial', requests: 1 },
    { country: 'US', instrument: 'direct-request', outcome: 'pending', requests: 1 },
    { country: 'US', instrument: 'preservation', outcome: 'preserved', requests: 2 },
  ],
  accountsNamed: 12,
  accountsDisclosed: 5,
  holds: { placed: 3, extended: 1, expired: 1, released: 1, openedForAnswer: 1 },
  emergency: {
    disclosures: 2,
    secondApprovalInTime: 1,
    secondApprovalLate: 1,
    flaggedWithoutSecondApproval: 1,
    reviewed: 2,
    reviewedNotJustified: 1,
  },
  noticesGiven: 2,
};

async function syntheticModerationLog(): Promise<ModerationLog> {
  const log = new ModerationLog(new MemoryModerationStore());
  await log.append(at('2026-06-30T23:59:59Z'), 'system:intake', 'report-received', { reportId: 'old', account: 'm@x' }, { verified: true });
  await log.append(at('2026-07-02T10:00:00Z'), 'system:intake', 'report-received', { reportId: 'a', account: 'm@x' }, { verified: true });
  await log.append(at('2026-07-03T10:00:00Z'), 'system:intake', 'report-received', { reportId: 'b', account: 'm@x' }, { verified: false });
  await log.append(at('2026-08-01T10:00:00Z'), 'system:intake', 'report-received', { reportId: 'c', account: 'n@x' }, { verified: true });
  await log.append(at('2026-08-02T10:00:00Z'), 'system:signals', 'flag', { reportId: 's1', account: 'spam@x' }, { signals: [] });
  await log.append(at('2026-08-03T10:00:00Z'), 'system:signals', 'flag', { reportId: 's1', account: 'spam@x' }, { signals: [] });
  await log.append(at('2026-08-04T10:00:00Z'), 'system:signals', 'flag', { reportId: 's2', account: 'bulk@x' }, { signals: [] });
  await log.append(at('2026-08-05T10:00:00Z'), 'mod', 'resolve:dismiss', { reportId: 'b', account: 'm@x' }, { note: '' });
  await log.append(at('2026-08-06T10:00:00Z'), 'mod', 'resolve:warn', { reportId: 'a', account: 'm@x' }, { note: '' });
  await log.append(at('2026-08-07T10:00:00Z'), 'mod', 'resolve:suspend', { reportId: 's1', account: 'spam@x' }, { note: '' });
  await log.append(at('2026-08-08T10:00:00Z'), 'mod', 'evidence-export', { reportId: 'a', account: 'm@x' }, { manifest: 'ab' });
  await log.append(at('2026-08-09T10:00:00Z'), 'cli:olivia', 'token-create', {}, { tokenId: 't', name: 'x', scopes: [] });
  return log;
}

const EXPECTED_MODERATION = {
  reportsReceived: 3,
  reportsVerified: 2,
  signalItems: 2,
  resolved: { dismiss: 1, warn: 1, suspend: 1 },
  evidenceExports: 1,
};

function transparencyOver(entries: () => RequestLogEntry[], log: ModerationLog, key: SigningKey): Transparency {
  return new Transparency({ requestLog: async () => entries(), moderationLog: () => log.entries(), key: () => key, domain: 'example.org' });
}

const failed = (r: ReturnType<typeof verifyTransparencyReport>) => r.checks.filter((c) => !c.ok).map((c) => c.check);
const resign = (r: Omit<TransparencyReport, 'signature'>, key: SigningKey): TransparencyReport => ({
  ...r,
  signature: Buffer.from(key.sign(transparencyReportSigningInput(r))).toString('base64'),
});

describe('transparency from synthetic logs', () => {
  let key: SigningKey;
  let log: ModerationLog;
  let rl: RequestLog;
  let t: Transparency;
  let modEntries: LogEntry[];

  before(async () => {
    key = newKey();
    log = await syntheticModerationLog();
    rl = syntheticRequestLog();
    t = transparencyOver(() => rl.entries, log, key);
    modEntries = await log.entries();
  });

  test('the report counts requests by country, instrument and outcome, holds, emergencies, notices and moderation', async () => {
    const r = await t.report('2026H2', NOW);
    assert.deepEqual(r.requests, EXPECTED_REQUESTS);
    assert.deepEqual(r.moderation, EXPECTED_MODERATION);
    assert.deepEqual(countModeration(modEntries, r.period), EXPECTED_MODERATION);
    assert.deepEqual(r.requestLog.head, { seq: rl.entries.length, hash: rl.entries.at(-1)!.hash });
    assert.deepEqual(r.moderationLog.head, { seq: 12, hash: Buffer.from(modEntries.at(-1)!.hash).toString('hex') });
    assert.equal(r.requestLog.entries.length, rl.entries.length, 'the whole log, from its first entry');
    assert.deepEqual(r.server, { domain: 'example.org', publicKey: key.publicKeyBase64 });
    assert.ok(verify(null, transparencyReportSigningInput(r), ed25519PublicKey(key.publicKey), Buffer.from(r.signature, 'base64')));
    // The first quarter of 2026H2 counts only what happened in July to September.
    const q3 = await t.report('2026Q3', NOW);
    assert.equal(q3.requests.received, 5);
    assert.equal(q3.moderation.reportsReceived, 3);
  });

  test('the Markdown carries every number, the heads, and how to check it; no name, reference or account', async () => {
    const r = await t.report('2026H2', NOW);
    const md = renderMarkdown(r);
    for (const line of [
      '| DE | Mutual legal assistance (MLAT) | disclosed | 1 |',
      '| DE | Mutual legal assistance (MLAT) | rejected | 1 |',
      '| US | Preservation (nothing disclosed) | preserved (nothing disclosed) | 2 |',
      '| US | Direct request from a foreign authority | pending | 1 |',
      '| FR | Emergency (threat to life) | partly disclosed | 1 |',
      'Requests received: **8**, naming **12** account(s)',
      'disclosed in answers given in the period: **5**',
      '- Placed: 3',
      '- Extended: 1',
      '- Expired (deleted unopened): 1',
      '- Released (deleted unopened): 1',
      '- Opened for an answer: 1',
      '- Emergency disclosures: 2',
      '- Second approval by another admin in time: 1',
      '- Second approval late: 1',
      '- Flagged for lacking a second approval in time: 1',
      '- Reviewed after the fact: 2, of which judged not justified: 1',
      'Accounts told that a request named them: **2**',
      '- Abuse reports received: 3, of which verified',
      '): 2',
      '- Acted on: dismissed 1, warned 1, suspended 1',
      '- Evidence packages exported: 1',
      '(queue items): 2',
      `entry ${r.requestLog.head.seq}, hash \`${r.requestLog.head.hash}\``,
      `entry 12, hash \`${r.moderationLog.head.hash}\``,
      'sotto-server admin transparency-report verify transparency-2026H2.json --heads HEADS',
      'only the month, the request id, the event, the instrument, the country and counts',
      'salted digest',
      'https://example.org/.well-known/sotto/transparency',
    ])
      assert.ok(md.includes(line), line);
    assert.doesNotMatch(md, /authority of|ref-r|m@x|spam@x/);
  });

  test('verify: OK with the key, published heads and (operator mode) the moderation log', async () => {
    const early = await transparencyOver(() => rl.entries.slice(0, 10), log, key).head(at('2026-09-30T00:00:00Z'));
    const r = await t.report('2026H2', NOW);
    const v = verifyTransparencyReport(JSON.stringify(r), { key: key.publicKeyBase64, heads: [early], moderationLog: modEntries });
    assert.deepEqual(failed(v), []);
    assert.ok(v.ok);
    for (const name of [
      'signature by the server key',
      'request log: the hash chain recomputes from genesis to the committed head (entry 32)',
      'request counts: recounted from the entries',
      `published head of ${new Date(early.at).toISOString()}: request log entry 10 of the report has the published hash`,
      `published head of ${new Date(early.at).toISOString()}: moderation log entry 12 has the published hash`,
      'moderation counts: recounted from the log up to the committed head',
    ])
      assert.ok(
        v.checks.some((c) => c.check === name && c.ok),
        name,
      );
    // Without the moderation log the verifier says what it did not check; without --key, which key it used.
    const plain = verifyTransparencyReport(JSON.stringify(r));
    assert.ok(plain.ok);
    assert.ok(plain.notes.some((n) => n.includes('moderation log stays with the operator')));
    assert.ok(plain.notes.some((n) => n.includes('embedded in the report')));
  });

  test('an edited public field of an entry breaks the chain (and the signature)', async () => {
    const r = await t.report('2026H2', NOW);
    const edited = structuredClone(r);
    edited.requestLog.entries[3]!.public.country = 'NL';
    const v = verifyTransparencyReport(JSON.stringify(edited), { key: key.publicKeyBase64 });
    assert.equal(v.ok, false);
    assert.ok(failed(v).includes('request log: the hash chain recomputes from genesis to the committed head (entry 32)'));
    assert.match(v.checks.find((c) => c.check.startsWith('request log:'))!.detail ?? '', /entry 4: hash does not match/);
    assert.ok(failed(v).includes('signature by the server key'));
  });

  test('an edited count fails the recount, even re-signed with the server key', async () => {
    const r = await t.report('2026H2', NOW);
    const { signature: _s, ...body } = structuredClone(r);
    body.requests.emergency.secondApprovalLate = 0;
    const unsigned = verifyTransparencyReport(JSON.stringify({ ...body, signature: r.signature }), { key: key.publicKeyBase64 });
    assert.deepEqual(failed(unsigned), ['signature by the server key', 'request counts: recounted from the entries']);
    const resigned = verifyTransparencyReport(JSON.stringify(resign(body, key)), { key: key.publicKeyBase64 });
    assert.deepEqual(failed(resigned), ['request counts: recounted from the entries']);
    // The same for a moderation count, in operator mode.
    const { signature: _t, ...mod } = structuredClone(r);
    mod.moderation.resolved.suspend = 0;
    const m = verifyTransparencyReport(JSON.stringify(resign(mod, key)), { moderationLog: modEntries });
    assert.deepEqual(failed(m), ['moderation counts: recounted from the log up to the committed head']);
  });

  test('a log rewritten and re-signed after a head was published fails that head, though chain and counts hold', async () => {
    const published = await t.head(at('2026-12-01T00:00:00Z'));
    // The operator changes r1's country in entry 4, recomputes every hash after it and signs a fresh report.
    const rewritten = rechain(
      rl.entries.map((e) => (e.seq === 4 ? { ...e, public: { ...e.public, country: 'AT' } } : e)),
      4,
    );
    const forged = await transparencyOver(() => rewritten, log, key).report('2026H2', NOW);
    const v = verifyTransparencyReport(JSON.stringify(forged), { key: key.publicKeyBase64, heads: [published] });
    assert.deepEqual(failed(v), [
      `published head of ${new Date(published.at).toISOString()}: request log entry ${published.requestLog.seq} of the report has the published hash`,
    ]);
    assert.match(v.checks.find((c) => !c.ok)!.detail ?? '', /rewritten/);
    // The honest log passes the same head.
    assert.ok(verifyTransparencyReport(JSON.stringify(await t.report('2026H2', NOW)), { heads: [published] }).ok);
  });

  test('a wrong key fails; a head later than the report is not covered (not a failure); a forged head fails its signature', async () => {
    const r = await t.report('2026H2', NOW);
    const other = newKey();
    const v = verifyTransparencyReport(JSON.stringify(r), { key: other.publicKeyBase64 });
    assert.deepEqual(failed(v), ['the embedded server key is the given --key', 'signature by the server key']);
    assert.equal(verifyTransparencyReport(JSON.stringify(r), { key: 'not base64!' }).ok, false);

    const longer = new RequestLog();
    longer.entries.push(...rl.entries);
    longer.add('2026-12', 'r9', 'received', 'mlat', 'IT', { accounts: 1 });
    const later = await transparencyOver(() => longer.entries, log, key).head(NOW + 1);
    const lv = verifyTransparencyReport(JSON.stringify(r), { heads: [later] });
    assert.ok(lv.ok);
    assert.ok(lv.notes.some((n) => n.includes(`request log entry ${longer.entries.length} is later than the report's head`)));

    const forgedHead: TransparencyHead = { ...later, requestLog: { seq: 3, hash: 'ab'.repeat(32) } };
    const fv = verifyTransparencyReport(JSON.stringify(r), { heads: [forgedHead] });
    assert.ok(failed(fv).includes(`published head of ${new Date(later.at).toISOString()}: signature by its key`));
    assert.ok(
      failed(fv).includes(
        `published head of ${new Date(later.at).toISOString()}: request log entry 3 of the report has the published hash`,
      ),
    );
    const foreign = await transparencyOver(() => rl.entries, log, other).head(NOW);
    assert.ok(
      failed(verifyTransparencyReport(JSON.stringify(r), { heads: [foreign] })).includes(
        `published head of ${new Date(foreign.at).toISOString()}: same server and key as the report`,
      ),
    );
  });

  test('a tampered moderation log fails its chain in operator mode; garbage is not a report', async () => {
    const r = await t.report('2026H2', NOW);
    const tampered = modEntries.map((e) => (e.seq === 2 ? { ...e, account: 'someone-else@x' } : e));
    const v = verifyTransparencyReport(JSON.stringify(r), { moderationLog: tampered });
    assert.ok(failed(v).includes('moderation log: the hash chain recomputes from genesis'));
    assert.deepEqual(failed(verifyTransparencyReport('{"format":"nope"}')), ['the file is a sotto-transparency-report/v1 report']);
    assert.equal(verifyTransparencyReport('not json').ok, false);
  });

  test('the head: signed, served again while neither log grows, re-signed when either does', async () => {
    const entries = syntheticRequestLog().entries.slice(0, 5);
    const mlog = await syntheticModerationLog();
    const tt = transparencyOver(() => entries, mlog, key);
    const h1 = await tt.head(1000);
    assert.deepEqual(decodeTransparencyHead(JSON.parse(JSON.stringify(h1))), h1);
    assert.deepEqual(h1.requestLog, { seq: 5, hash: entries[4]!.hash });
    assert.equal(h1.moderationLog.seq, 12);
    assert.ok(verify(null, transparencyHeadSigningInput(h1), ed25519PublicKey(key.publicKey), Buffer.from(h1.signature, 'base64')));
    assert.equal(await tt.head(2000), h1, 'unchanged logs: the same signed head');
    await mlog.append(3000, 'mod', 'resolve:warn', { reportId: 'z', account: 'm@x' }, {});
    const h2 = await tt.head(3000);
    assert.equal(h2.at, 3000);
    assert.equal(h2.moderationLog.seq, 13);
    entries.push(syntheticRequestLog().entries[5]!);
    const h3 = await tt.head(4000);
    assert.deepEqual([h3.at, h3.requestLog.seq], [4000, 6]);
    // An empty register: seq 0 and the genesis.
    const empty = await transparencyOver(() => [], new ModerationLog(new MemoryModerationStore()), key).head(1);
    assert.deepEqual(
      [empty.requestLog, empty.moderationLog],
      [
        { seq: 0, hash: GENESIS_HEX },
        { seq: 0, hash: GENESIS_HEX },
      ],
    );
  });

  test('a broken chain is never signed; a period not started or malformed is VALIDATION; extra fields never reach a report', async () => {
    const broken = rl.entries.map((e) => (e.seq === 2 ? { ...e, month: '2026-01' } : e));
    const bt = transparencyOver(() => broken, log, key);
    await assert.rejects(
      bt.head(NOW),
      (e: unknown) => e instanceof SottoError && e.code === 'INTERNAL' && /broken at entry 2/.test(e.message),
    );
    await assert.rejects(bt.report('2026H2', NOW), (e: unknown) => e instanceof SottoError && e.code === 'INTERNAL');
    await assert.rejects(
      t.report('2027H1', NOW),
      (e: unknown) => e instanceof SottoError && e.code === 'VALIDATION' && /not started/.test(e.message),
    );
    await assert.rejects(t.report('2026H3', NOW), (e: unknown) => e instanceof SottoError && e.code === 'VALIDATION');
    // A source that carries more than the public entry (an authority's name) publishes only the entry.
    const leaky = rl.entries.map((e) => ({ ...e, authority: 'Landeskriminalamt', public: { ...e.public, reference: 'AZ 123' } }));
    const r = await transparencyOver(() => leaky, log, key).report('2026H2', NOW);
    assert.doesNotMatch(JSON.stringify(r), /Landeskriminalamt|AZ 123/);
    assert.ok(verifyTransparencyReport(JSON.stringify(r)).ok);
  });
});
