// The transparency report of a period (GET /v1/admin/transparency-report?period=2026H2): its counts of lawful requests
// and of moderation as tables, the signed report as JSON and its Markdown rendering as downloads, and the signed head the
// server publishes at /.well-known/sotto/transparency (the sequence number and hash of both logs) for comparison.

import {
  decodeTransparencyHead,
  decodeTransparencyReport,
  parsePeriod,
  type TransparencyHead,
  type TransparencyReport,
} from '@sotto/protocol';
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { useAction } from '../ui/use-action.js';
import { type AdminHttp, publicGet, saveTextFile } from './admin-api.js';
import { type AdminT, useAdminT } from './admin-strings.js';
import { adminErrorText, adminTime } from './AdminQueue.js';
import { halfYearOf } from './lawful-format.js';

interface Loaded {
  report: TransparencyReport;
  /** The report as the server sent it, for the JSON download. */
  raw: unknown;
  markdown: string;
}

function decodeAnswer(text: string): Loaded {
  const v: unknown = JSON.parse(text);
  if (typeof v !== 'object' || v === null) throw new TypeError('body: expected an object');
  const o = v as { report?: unknown; markdown?: unknown };
  if (typeof o.markdown !== 'string') throw new TypeError('body.markdown: expected a string');
  return { report: decodeTransparencyReport(o.report), raw: o.report, markdown: o.markdown };
}

export function Transparency(p: { http: AdminHttp; now: () => number; onUnauthorized: () => void }) {
  const t = useAdminT();
  const [period, setPeriod] = useState(() => halfYearOf(p.now()));
  const [loaded, setLoaded] = useState<Loaded | undefined>();
  const [head, setHead] = useState<TransparencyHead | string | undefined>();
  const { onUnauthorized } = p;
  const describe = useCallback((e: unknown) => adminErrorText(t, e, onUnauthorized), [t, onUnauthorized]);
  const { busy, error, setError, run } = useAction(describe);
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), []);

  const load = useCallback(
    (id: string) =>
      run(async () => {
        setLoaded(undefined);
        const text = await p.http.text(`/v1/admin/transparency-report?period=${encodeURIComponent(id)}`);
        setLoaded(decodeAnswer(text));
        setHead(
          await publicGet('/.well-known/sotto/transparency', decodeTransparencyHead).catch((e: unknown) => adminErrorText(t, e, () => {})),
        );
      }),
    [p.http, run, t],
  );
  useEffect(() => {
    void load(halfYearOf(p.now()));
  }, [load, p.now]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    try {
      parsePeriod(period.trim());
    } catch {
      setError(t('transp.err.period'));
      return;
    }
    void load(period.trim());
  };

  const r = loaded?.report;
  return (
    <section className="stack" aria-labelledby="transp-title" data-testid="transparency">
      <h2 id="transp-title" ref={headingRef} tabIndex={-1}>
        {t('transp.title')}
      </h2>
      <p className="hint">{t('transp.intro')}</p>
      <form className="row" onSubmit={submit}>
        <label>
          {t('transp.period')}
          <input
            value={period}
            onChange={(e) => setPeriod(e.target.value)}
            aria-describedby="transp-period-hint"
            data-testid="transp-period"
          />
        </label>
        <button type="submit" disabled={busy}>
          {t('transp.show')}
        </button>
      </form>
      <p id="transp-period-hint" className="hint">
        {t('transp.periodHint')}
      </p>
      {error && (
        <p role="alert" className="error" data-testid="transp-error">
          {error}
        </p>
      )}
      {busy && !loaded && <p aria-busy="true">{t('admin.loading')}</p>}
      {r && loaded && (
        <>
          <p data-testid="transp-generated">
            {t('transp.generated', { period: r.period.id, at: adminTime(r.generatedAt), domain: r.server.domain })}
          </p>
          <div className="row">
            <button
              type="button"
              onClick={() =>
                saveTextFile(`transparency-${r.period.id}.json`, `${JSON.stringify(loaded.raw, null, 2)}\n`, 'application/json')
              }
              data-testid="transp-json"
            >
              {t('transp.json')}
            </button>
            <button
              type="button"
              onClick={() => saveTextFile(`transparency-${r.period.id}.md`, loaded.markdown, 'text/markdown')}
              data-testid="transp-md"
            >
              {t('transp.md')}
            </button>
          </div>
          <RequestTables t={t} r={r} />
          <ModerationTable t={t} r={r} />
          <Heads t={t} r={r} head={head} />
        </>
      )}
    </section>
  );
}

/** A two-column table of named counts; each value cell carries data-count for the tests. */
function Counts({ t, title, id, rows }: { t: AdminT; title: string; id: string; rows: Array<[string, string, number]> }) {
  return (
    <table className="admin-table transp-counts" data-testid={id}>
      <caption>{title}</caption>
      <thead>
        <tr>
          <th scope="col">{t('transp.what')}</th>
          <th scope="col">{t('transp.count')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([key, label, n]) => (
          <tr key={key}>
            <th scope="row">{label}</th>
            <td data-count={key}>{n}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RequestTables({ t, r }: { t: AdminT; r: TransparencyReport }) {
  const q = r.requests;
  return (
    <section className="stack" aria-labelledby="transp-requests-title">
      <h3 id="transp-requests-title">{t('transp.requests')}</h3>
      <Counts
        t={t}
        id="transp-totals"
        title={t('transp.totals')}
        rows={[
          ['received', t('transp.received'), q.received],
          ['accountsNamed', t('transp.accountsNamed'), q.accountsNamed],
          ['accountsDisclosed', t('transp.accountsDisclosed'), q.accountsDisclosed],
          ['noticesGiven', t('transp.noticesGiven'), q.noticesGiven],
        ]}
      />
      <table className="admin-table" data-testid="transp-rows">
        <caption>{t('transp.byCountry')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('lawful.country')}</th>
            <th scope="col">{t('lawful.col.instrument')}</th>
            <th scope="col">{t('transp.outcome')}</th>
            <th scope="col">{t('transp.count')}</th>
          </tr>
        </thead>
        <tbody>
          {q.rows.length === 0 && (
            <tr>
              <td colSpan={4}>{t('transp.none')}</td>
            </tr>
          )}
          {q.rows.map((x) => (
            <tr
              key={`${x.country}|${x.instrument}|${x.outcome}`}
              data-testid="transp-row"
              data-country={x.country}
              data-instrument={x.instrument}
              data-outcome={x.outcome}
            >
              <td>{x.country}</td>
              <td>{t(`lawful.instrument.${x.instrument}`)}</td>
              <td>{t(`transp.outcome.${x.outcome}`)}</td>
              <td data-count="requests">{x.requests}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Counts
        t={t}
        id="transp-holds"
        title={t('lawful.holds')}
        rows={[
          ['placed', t('transp.holds.placed'), q.holds.placed],
          ['extended', t('transp.holds.extended'), q.holds.extended],
          ['expired', t('transp.holds.expired'), q.holds.expired],
          ['released', t('transp.holds.released'), q.holds.released],
          ['openedForAnswer', t('transp.holds.openedForAnswer'), q.holds.openedForAnswer],
        ]}
      />
      <Counts
        t={t}
        id="transp-emergency"
        title={t('transp.emergency')}
        rows={[
          ['disclosures', t('transp.em.disclosures'), q.emergency.disclosures],
          ['secondApprovalInTime', t('transp.em.inTime'), q.emergency.secondApprovalInTime],
          ['secondApprovalLate', t('transp.em.late'), q.emergency.secondApprovalLate],
          ['flaggedWithoutSecondApproval', t('transp.em.flagged'), q.emergency.flaggedWithoutSecondApproval],
          ['reviewed', t('transp.em.reviewed'), q.emergency.reviewed],
          ['reviewedNotJustified', t('transp.em.notJustified'), q.emergency.reviewedNotJustified],
        ]}
      />
    </section>
  );
}

function ModerationTable({ t, r }: { t: AdminT; r: TransparencyReport }) {
  const m = r.moderation;
  return (
    <section className="stack" aria-labelledby="transp-moderation-title">
      <h3 id="transp-moderation-title">{t('transp.moderation')}</h3>
      <Counts
        t={t}
        id="transp-moderation"
        title={t('transp.totals')}
        rows={[
          ['reportsReceived', t('transp.mod.received'), m.reportsReceived],
          ['reportsVerified', t('transp.mod.verified'), m.reportsVerified],
          ['signalItems', t('transp.mod.signals'), m.signalItems],
          ['dismiss', t('transp.mod.dismiss'), m.resolved.dismiss],
          ['warn', t('transp.mod.warn'), m.resolved.warn],
          ['suspend', t('transp.mod.suspend'), m.resolved.suspend],
          ['evidenceExports', t('transp.mod.evidence'), m.evidenceExports],
        ]}
      />
    </section>
  );
}

function Heads({ t, r, head }: { t: AdminT; r: TransparencyReport; head: TransparencyHead | string | undefined }) {
  const published = typeof head === 'object' ? head : undefined;
  const line = (key: string, label: string, seq: number | undefined, hash: string | undefined) => (
    <tr key={key} data-testid={`transp-head-${key}`}>
      <th scope="row">{label}</th>
      <td data-seq={seq}>{seq ?? '—'}</td>
      <td>
        <code className="lawful-hash">{hash ?? '—'}</code>
      </td>
    </tr>
  );
  return (
    <section className="stack" aria-labelledby="transp-heads-title">
      <h3 id="transp-heads-title">{t('transp.heads')}</h3>
      <p className="hint">
        {published ? t('transp.headSigned', { at: adminTime(published.at) }) : typeof head === 'string' ? head : t('admin.loading')}
      </p>
      <table className="admin-table" data-testid="transp-heads">
        <caption className="visually-hidden">{t('transp.heads')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('transp.log')}</th>
            <th scope="col">{t('transp.seq')}</th>
            <th scope="col">{t('transp.hash')}</th>
          </tr>
        </thead>
        <tbody>
          {line('report-requests', t('transp.head.reportRequests'), r.requestLog.head.seq, r.requestLog.head.hash)}
          {line('report-moderation', t('transp.head.reportModeration'), r.moderationLog.head.seq, r.moderationLog.head.hash)}
          {line('published-requests', t('transp.head.publishedRequests'), published?.requestLog.seq, published?.requestLog.hash)}
          {line('published-moderation', t('transp.head.publishedModeration'), published?.moderationLog.seq, published?.moderationLog.hash)}
        </tbody>
      </table>
    </section>
  );
}
