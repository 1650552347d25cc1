// A request's preservation holds (docs/for-law-enforcement.md): the accounts frozen, the custodians and how many of
// them open it, when it expires; a hold still in force may be extended once (POST /v1/admin/holds/:id/extend) or
// released (POST /v1/admin/holds/:id/release), which deletes what it kept.

import { decodeLawfulHold, type LawfulHoldSummary } from '@sotto/protocol';
import { useAction } from '../ui/use-action.js';
import type { AdminHttp } from './admin-api.js';
import { type AdminT, useAdminT } from './admin-strings.js';
import { adminTime } from './AdminQueue.js';

const decodeHold = (v: unknown) => decodeLawfulHold(v, 'body');

function holdState(t: AdminT, h: LawfulHoldSummary): string {
  if (h.deletedAt === null) return t('lawful.hold.held');
  return t('lawful.hold.deleted', { why: t(`lawful.hold.why.${h.deletedWhy ?? 'expired'}`), at: adminTime(h.deletedAt) });
}

export function LawfulHolds(p: {
  http: AdminHttp;
  holds: readonly LawfulHoldSummary[];
  describe: (e: unknown) => string;
  onChange: () => Promise<void>;
}) {
  const t = useAdminT();
  const { busy, error, run } = useAction(p.describe);
  const act = (h: LawfulHoldSummary, what: 'extend' | 'release') =>
    run(async () => {
      if (what === 'release' && !confirm(t('lawful.hold.releaseConfirm', { id: h.id }))) return;
      await p.http.post(`/v1/admin/holds/${encodeURIComponent(h.id)}/${what}`, {}, decodeHold);
      await p.onChange();
    });
  return (
    <section aria-labelledby="lawful-holds-title">
      <h3 id="lawful-holds-title">{t('lawful.holds')}</h3>
      <table className="admin-table" data-testid="lawful-holds">
        <caption className="visually-hidden">{t('lawful.holds')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('lawful.hold.id')}</th>
            <th scope="col">{t('lawful.accounts')}</th>
            <th scope="col">{t('lawful.hold.custodians')}</th>
            <th scope="col">{t('lawful.hold.created')}</th>
            <th scope="col">{t('lawful.hold.expires')}</th>
            <th scope="col">{t('lawful.col.status')}</th>
            <th scope="col">{t('lawful.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {p.holds.map((h) => (
            <tr key={h.id} data-testid="lawful-hold" data-id={h.id} data-held={String(h.deletedAt === null)}>
              <td>{h.id}</td>
              <td>{h.accounts.join(', ')}</td>
              <td>{t('lawful.hold.threshold', { k: h.threshold, n: h.custodians.length, names: h.custodians.join(', ') })}</td>
              <td>{adminTime(h.createdAt)}</td>
              <td>
                {adminTime(h.expiresAt)}
                {h.extended && ` ${t('lawful.hold.extended')}`}
              </td>
              <td>{holdState(t, h)}</td>
              <td>
                {h.deletedAt === null && (
                  <div className="row">
                    {!h.extended && (
                      <button type="button" disabled={busy} onClick={() => void act(h, 'extend')}>
                        {t('lawful.hold.extend')}
                      </button>
                    )}
                    <button type="button" className="danger" disabled={busy} onClick={() => void act(h, 'release')}>
                      {t('lawful.hold.release')}
                    </button>
                  </div>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}
