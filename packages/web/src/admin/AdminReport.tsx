// One queue item (GET /v1/admin/reports/:id): a user's report with each message's text and verification, or the
// metadata signals that flagged an account; the decision (POST .../resolve: dismiss, warn, suspend) and the signed
// evidence package (GET .../evidence) saved as the .json file the server sent.

import {
  type AdminReportDetail,
  type AdminReportMessage,
  decodeAdminReportDetail,
  decodeAdminResolveResponse,
  MODERATION_ACTIONS,
  type ModerationAction,
} from '@sotto/protocol';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useT } from '../i18n/i18n.js';
import type { AdminHttp } from './admin-api.js';
import { type AdminT, useAdminT } from './admin-strings.js';
import { adminErrorText, adminTime, categoryLabel } from './AdminQueue.js';
import { useAction } from '../ui/use-action.js';

/** The longest note the server keeps with a decision. */
const MAX_NOTE = 2000;

export function AdminReport(p: { http: AdminHttp; id: string; onUnauthorized: () => void; onBack: () => void }) {
  const t = useAdminT();
  const { http, id, onUnauthorized } = p;
  const [report, setReport] = useState<AdminReportDetail | undefined>();
  const [note, setNote] = useState('');
  const { busy, error, setError, run } = useAction((e) => adminErrorText(t, e, onUnauthorized));
  const [done, setDone] = useState('');
  const headingRef = useRef<HTMLHeadingElement>(null);
  const path = `/v1/admin/reports/${encodeURIComponent(id)}`;

  const load = useCallback(async () => {
    try {
      setReport(await http.get(path, decodeAdminReportDetail));
    } catch (e) {
      setError(adminErrorText(t, e, onUnauthorized));
    }
  }, [http, path, t, onUnauthorized]);

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => headingRef.current?.focus(), []);

  const resolve = (action: ModerationAction) =>
    run(async () => {
      if (action === 'suspend' && report && !confirm(t('admin.suspendConfirm', { account: report.reportedAccount }))) return;
      const r = await http.post(`${path}/resolve`, { action, note: note.trim() }, decodeAdminResolveResponse);
      setDone(t('admin.resolved', { action: t(`admin.action.${r.action}`) }));
      await load();
    });

  const evidence = () =>
    run(async () => {
      const text = await http.text(`${path}/evidence`);
      const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `sotto-evidence-${id}.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    });

  return (
    <section className="stack admin-detail" aria-labelledby="admin-detail-title" data-testid="admin-detail">
      <div className="row">
        <button type="button" onClick={p.onBack} data-testid="admin-back">
          {t('admin.back')}
        </button>
      </div>
      <h2 id="admin-detail-title" ref={headingRef} tabIndex={-1}>
        {t('admin.detail', { id })}
      </h2>
      {report === undefined && !error && <p aria-busy="true">{t('admin.loading')}</p>}
      {report && <Summary t={t} r={report} />}
      {report && report.messages.length > 0 && (
        <section aria-labelledby="admin-messages-title">
          <h3 id="admin-messages-title">{t('admin.messages')}</h3>
          <ol className="plain stack">
            {report.messages.map((m, i) => (
              <Message key={i} t={t} m={m} reported={i === 0} />
            ))}
          </ol>
        </section>
      )}
      {report && report.signals.length > 0 && (
        <section aria-labelledby="admin-signals-title">
          <h3 id="admin-signals-title">{t('admin.signals', { account: report.reportedAccount })}</h3>
          <ul data-testid="admin-signals">
            {report.signals.map((s) => (
              <li key={s.signal}>{t('admin.signal', { signal: s.signal, value: s.value, threshold: s.threshold })}</li>
            ))}
          </ul>
        </section>
      )}
      {report?.resolution && (
        <p className="notice" data-testid="admin-resolution">
          {t('admin.resolution', {
            action: t(`admin.action.${report.resolution.action}`),
            admin: report.resolution.admin,
            at: adminTime(report.resolution.at),
          })}
          {report.resolution.note && ` ${t('admin.resolutionNote', { note: report.resolution.note })}`}
        </p>
      )}
      {done && (
        <p role="status" data-testid="admin-done">
          {done}
        </p>
      )}
      {report?.status === 'open' && (
        <section className="stack" aria-labelledby="admin-actions-title">
          <h3 id="admin-actions-title">{t('admin.actions')}</h3>
          <label>
            {t('admin.note')}
            <textarea rows={2} maxLength={MAX_NOTE} value={note} onChange={(e) => setNote(e.target.value)} data-testid="admin-note" />
          </label>
          <div className="row">
            {MODERATION_ACTIONS.map((a) => (
              <button
                key={a}
                type="button"
                className={a === 'suspend' ? 'danger' : ''}
                disabled={busy}
                onClick={() => void resolve(a)}
                data-testid={`admin-${a}`}
              >
                {t(`admin.do.${a}`)}
              </button>
            ))}
          </div>
        </section>
      )}
      {report?.kind === 'report' && report.contentDeletedAt === null && (
        <div className="row">
          <button type="button" disabled={busy} onClick={() => void evidence()} data-testid="admin-evidence">
            {t('admin.evidence')}
          </button>
        </div>
      )}
      {error && (
        <p role="alert" className="error" data-testid="admin-error">
          {error}
        </p>
      )}
    </section>
  );
}

function Summary({ t, r }: { t: AdminT; r: AdminReportDetail }) {
  const tt = useT();
  return (
    <dl className="admin-facts">
      <dt>{t('admin.col.kind')}</dt>
      <dd>{t(`admin.kind.${r.kind}`)}</dd>
      <dt>{t('admin.col.account')}</dt>
      <dd data-testid="admin-reported">{r.reportedAccount}</dd>
      {r.reporterAccount && (
        <>
          <dt>{t('admin.col.reporter')}</dt>
          <dd>{r.reporterAccount}</dd>
        </>
      )}
      {r.category && (
        <>
          <dt>{t('admin.col.category')}</dt>
          <dd>{categoryLabel(tt, r.category)}</dd>
        </>
      )}
      <dt>{t('admin.col.when')}</dt>
      <dd>{adminTime(r.createdAt)}</dd>
      <dt>{t('admin.col.verified')}</dt>
      <dd data-testid="admin-verified" data-verified={String(r.verified)}>
        {r.verified ? t('admin.yes') : t('admin.no')}
      </dd>
      <dt>{t('admin.col.status')}</dt>
      <dd data-testid="admin-status">{t(`admin.status.${r.status}`)}</dd>
      {r.kind === 'report' && (
        <>
          <dt>{t('admin.col.reason')}</dt>
          <dd className="report-text">{r.reason || t('admin.noReason')}</dd>
        </>
      )}
      {r.contentDeletedAt !== null && (
        <>
          <dt>{t('admin.col.contentDeleted')}</dt>
          <dd>{adminTime(r.contentDeletedAt)}</dd>
        </>
      )}
    </dl>
  );
}

function Message({ t, m, reported }: { t: AdminT; m: AdminReportMessage; reported: boolean }) {
  const a = m.attachment;
  return (
    <li className="card" data-testid="admin-message" data-verified={String(m.verified)}>
      <p className="hint">
        {m.senderAccount} ({m.senderDevice}) · {adminTime(m.receivedAt)} ·{' '}
        <strong>{m.verified ? t('admin.msgVerified') : t('admin.msgUnverified', { why: m.failure ?? '?' })}</strong>
        {reported && ` · ${t('admin.msgReported')}`}
      </p>
      {m.text !== null && (
        <p className="report-text" dir="auto" data-testid="admin-message-text">
          {m.text}
        </p>
      )}
      {a && (
        <p>
          {t('admin.attachment', { name: a.fileName, type: a.mimeType, size: a.size })}{' '}
          {a.held ? t('admin.attachmentHeld', { sha256: a.sha256 ?? '?' }) : t('admin.attachmentGone')}
        </p>
      )}
      {m.text === null && !a && <p className="hint">{t('admin.noContent', { type: m.contentType ?? '?' })}</p>}
    </li>
  );
}
