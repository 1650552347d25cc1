// The lawful-request register (GET /v1/admin/requests, docs/for-law-enforcement.md): every request with its state and
// the flags that need attention (a missing second approval, a pending review, a passed due date), or only the flagged.

import { decodeLawfulRequestList, type LawfulFlag, type LawfulRequestSummary } from '@sotto/protocol';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AdminHttp } from './admin-api.js';
import { AdminLink, type Go } from './admin-route.js';
import { type AdminT, useAdminT } from './admin-strings.js';
import { adminErrorText, adminTime } from './AdminQueue.js';

export function LawfulFlags({ t, flags }: { t: AdminT; flags: readonly LawfulFlag[] }) {
  if (flags.length === 0) return null;
  return (
    <ul className="plain lawful-flags" aria-label={t('lawful.flags')}>
      {flags.map((f) => (
        <li key={f} className="tag warn" data-testid="lawful-flag" data-flag={f}>
          {t(`lawful.flag.${f}`)}
        </li>
      ))}
    </ul>
  );
}

export function LawfulList({ http, go, onUnauthorized }: { http: AdminHttp; go: Go; onUnauthorized: () => void }) {
  const t = useAdminT();
  const [flagged, setFlagged] = useState(false);
  const [all, setList] = useState<LawfulRequestSummary[] | undefined>();
  const list = flagged ? all?.filter((r) => r.flags.length > 0) : all;
  const [error, setError] = useState('');
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), []);

  const load = useCallback(async () => {
    setError('');
    try {
      // The whole register, filtered here: each row carries its flags, and the server's `?flagged=true` is refused by
      // its query validation (no type coercion: "true" is not a boolean).
      const r = await http.get('/v1/admin/requests', decodeLawfulRequestList);
      setList(r.requests);
    } catch (e) {
      setList([]);
      setError(adminErrorText(t, e, onUnauthorized));
    }
  }, [http, t, onUnauthorized]);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section className="stack" aria-labelledby="lawful-list-title">
      <h2 id="lawful-list-title" ref={headingRef} tabIndex={-1}>
        {t('lawful.title')}
      </h2>
      <p className="hint">{t('lawful.intro')}</p>
      <div className="row">
        <AdminLink to={{ page: 'intake' }} go={go} className="button primary" testId="lawful-new">
          {t('lawful.new')}
        </AdminLink>
        <label>
          <input type="checkbox" checked={flagged} onChange={(e) => setFlagged(e.target.checked)} data-testid="lawful-flagged" />
          {t('lawful.flaggedOnly')}
        </label>
        <button type="button" onClick={() => void load()}>
          {t('admin.refresh')}
        </button>
      </div>
      {error && (
        <p role="alert" className="error" data-testid="lawful-error">
          {error}
        </p>
      )}
      {list === undefined && <p aria-busy="true">{t('admin.loading')}</p>}
      {list?.length === 0 && !error && (
        <p className="hint" data-testid="lawful-empty">
          {flagged ? t('lawful.emptyFlagged') : t('lawful.empty')}
        </p>
      )}
      {list && list.length > 0 && (
        <table className="admin-table" data-testid="lawful-list">
          <caption className="visually-hidden">{t('lawful.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('lawful.col.id')}</th>
              <th scope="col">{t('lawful.col.flags')}</th>
              <th scope="col">{t('lawful.col.received')}</th>
              <th scope="col">{t('lawful.col.instrument')}</th>
              <th scope="col">{t('lawful.col.authority')}</th>
              <th scope="col">{t('lawful.col.accounts')}</th>
              <th scope="col">{t('lawful.col.due')}</th>
              <th scope="col">{t('lawful.col.status')}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((r) => (
              <tr key={r.id} data-testid="lawful-row" data-id={r.id} data-status={r.status} data-flags={r.flags.join(' ')}>
                <td>
                  <AdminLink to={{ page: 'request', id: r.id }} go={go} label={t('lawful.open', { id: r.id })} testId="lawful-open">
                    {r.id}
                  </AdminLink>
                </td>
                <td>{r.flags.length > 0 ? <LawfulFlags t={t} flags={r.flags} /> : '—'}</td>
                <td>{adminTime(r.receivedAt)}</td>
                <td>{t(`lawful.instrument.${r.instrument}`)}</td>
                <td>
                  {r.authority} ({r.country}) · {r.reference}
                </td>
                <td>{r.accounts.join(', ')}</td>
                <td>{r.dueAt === null ? '—' : adminTime(r.dueAt)}</td>
                <td>
                  {t(`lawful.status.${r.status}`)}
                  {r.decision && ` (${t(`lawful.decision.${r.decision}`)})`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
