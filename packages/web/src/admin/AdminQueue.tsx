// The moderation queue (GET /v1/admin/reports?status=open|resolved|all, docs/moderation.md): users' reports and items
// raised by metadata signals, newest first; opening one shows AdminReport.tsx. Bodies pass through the protocol
// package's decoders (packages/protocol/src/admin.ts).

import { type AdminReportSummary, decodeAdminReportList, REPORT_CATEGORIES, REPORT_STATUSES, type ReportStatus } from '@sotto/protocol';
import { useCallback, useEffect, useRef, useState } from 'react';
import { type Translate, useT } from '../i18n/i18n.js';
import { type AdminHttp, AdminApiError } from './admin-api.js';
import { type AdminT, useAdminT } from './admin-strings.js';
import { AdminReport } from './AdminReport.js';

type Filter = ReportStatus | 'all';
const FILTERS: readonly Filter[] = [...REPORT_STATUSES, 'all'];

/** A refusal in the operator's words; an expired or revoked token sends the operator back to the token screen. */
export function adminErrorText(t: AdminT, e: unknown, onUnauthorized: () => void): string {
  if (e instanceof AdminApiError) {
    if (e.code === 'UNAUTHORIZED') onUnauthorized();
    return t('admin.error', { message: e.message, code: e.code });
  }
  return t('admin.error', { message: e instanceof Error ? e.message : String(e), code: '?' });
}

export function adminTime(ms: number): string {
  return new Date(ms).toLocaleString([], { dateStyle: 'short', timeStyle: 'medium' });
}

/** A report's category in the operator's language (the reporter's catalogue words), or as stored when unknown. */
export function categoryLabel(t: Translate, category: string | null): string {
  if (category === null) return '—';
  const known = REPORT_CATEGORIES.find((c) => c === category);
  return known ? t(`report.category.${known}`) : category;
}

export function AdminQueue({ http, onUnauthorized }: { http: AdminHttp; onUnauthorized: () => void }) {
  const t = useAdminT();
  const tt = useT();
  const [filter, setFilter] = useState<Filter>('open');
  const [list, setList] = useState<AdminReportSummary[] | undefined>();
  const [error, setError] = useState('');
  const [open, setOpen] = useState<string | undefined>();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const lastOpened = useRef<string | undefined>(undefined);

  const load = useCallback(async () => {
    setError('');
    try {
      const r = await http.get(`/v1/admin/reports?status=${filter}`, decodeAdminReportList);
      setList(r.reports);
    } catch (e) {
      setList([]);
      setError(adminErrorText(t, e, onUnauthorized));
    }
  }, [http, filter, t, onUnauthorized]);

  useEffect(() => {
    if (!open) void load();
  }, [load, open]);

  // Back from a report: focus returns to its row's button (or the heading when the row is gone).
  useEffect(() => {
    if (open || list === undefined) return;
    const id = lastOpened.current;
    const row = id ? document.querySelector<HTMLElement>(`[data-testid="admin-report"][data-id="${CSS.escape(id)}"]`) : null;
    (row ?? headingRef.current)?.focus();
  }, [open, list]);

  if (open)
    return (
      <AdminReport
        http={http}
        id={open}
        onUnauthorized={onUnauthorized}
        onBack={() => {
          setList(undefined);
          setOpen(undefined);
        }}
      />
    );

  return (
    <section className="stack" aria-labelledby="admin-queue-title">
      <h2 id="admin-queue-title" ref={headingRef} tabIndex={-1}>
        {t('admin.queue')}
      </h2>
      <div className="row">
        <label>
          {t('admin.status')}
          <select value={filter} onChange={(e) => setFilter(e.target.value as Filter)} data-testid="admin-filter">
            {FILTERS.map((f) => (
              <option key={f} value={f}>
                {t(`admin.status.${f}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => void load()}>
          {t('admin.refresh')}
        </button>
      </div>
      {error && (
        <p role="alert" className="error" data-testid="admin-error">
          {error}
        </p>
      )}
      {list === undefined && <p aria-busy="true">{t('admin.loading')}</p>}
      {list?.length === 0 && !error && <p className="hint">{t('admin.empty')}</p>}
      {list && list.length > 0 && (
        <table className="admin-table" data-testid="admin-queue">
          <caption className="visually-hidden">{t('admin.queue')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('admin.col.id')}</th>
              <th scope="col">{t('admin.col.when')}</th>
              <th scope="col">{t('admin.col.kind')}</th>
              <th scope="col">{t('admin.col.account')}</th>
              <th scope="col">{t('admin.col.category')}</th>
              <th scope="col">{t('admin.col.verified')}</th>
              <th scope="col">{t('admin.col.status')}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((r) => (
              <tr key={r.id} data-testid="admin-row" data-id={r.id} data-status={r.status}>
                <td>
                  <button
                    type="button"
                    className="link"
                    aria-label={t('admin.open', { id: r.id })}
                    onClick={() => {
                      lastOpened.current = r.id;
                      setOpen(r.id);
                    }}
                    data-testid="admin-report"
                    data-id={r.id}
                  >
                    {r.id}
                  </button>
                </td>
                <td>{adminTime(r.createdAt)}</td>
                <td>{t(`admin.kind.${r.kind}`)}</td>
                <td>{r.reportedAccount}</td>
                <td>{categoryLabel(tt, r.category)}</td>
                <td>{r.verified ? t('admin.yes') : t('admin.no')}</td>
                <td>{t(`admin.status.${r.status}`)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
