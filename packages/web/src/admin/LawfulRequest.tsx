// One lawful request (GET /v1/admin/requests/:id): what was asked and by whom, the flags that need attention, its
// timeline (received, decided, second approval, answered, review, user notice), its preservation holds, and only the
// actions its state allows (LawfulActions.tsx). What the server hands over once (custodian shares, the signed answer)
// is shown here from the action's answer and never fetched again (LawfulOnce.tsx).

import { decodeLawfulRequestDetail, type LawfulPreserveResponse, type LawfulRequestDetail } from '@sotto/protocol';
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import type { AdminHttp } from './admin-api.js';
import { AdminLink, type Go } from './admin-route.js';
import { type AdminT, useAdminT } from './admin-strings.js';
import { adminErrorText, adminTime } from './AdminQueue.js';
import { LawfulActions } from './LawfulActions.js';
import { LawfulHolds } from './LawfulHolds.js';
import { LawfulFlags } from './LawfulList.js';
import { DisclosureOnce, SharesOnce } from './LawfulOnce.js';

export function LawfulRequest(p: { http: AdminHttp; id: string; go: Go; onUnauthorized: () => void }) {
  const t = useAdminT();
  const { http, id, onUnauthorized } = p;
  const [r, setR] = useState<LawfulRequestDetail | undefined>();
  const [error, setError] = useState('');
  const [shares, setShares] = useState<LawfulPreserveResponse | undefined>();
  const [pkg, setPkg] = useState<string | undefined>();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const describe = useCallback((e: unknown) => adminErrorText(t, e, onUnauthorized), [t, onUnauthorized]);

  const load = useCallback(async () => {
    try {
      setR(await http.get(`/v1/admin/requests/${encodeURIComponent(id)}`, decodeLawfulRequestDetail));
    } catch (e) {
      setError(describe(e));
    }
  }, [http, id, describe]);

  useEffect(() => {
    setR(undefined);
    setShares(undefined);
    setPkg(undefined);
    setError('');
    void load();
    headingRef.current?.focus();
  }, [load]);

  return (
    <section className="stack admin-detail" aria-labelledby="lawful-detail-title" data-testid="lawful-detail">
      <div className="row">
        <AdminLink to={{ page: 'requests' }} go={p.go} testId="lawful-back">
          {t('lawful.back')}
        </AdminLink>
      </div>
      <h2 id="lawful-detail-title" ref={headingRef} tabIndex={-1}>
        {t('lawful.detail', { id })}
      </h2>
      {r === undefined && !error && <p aria-busy="true">{t('admin.loading')}</p>}
      {error && (
        <p role="alert" className="error" data-testid="lawful-error">
          {error}
        </p>
      )}
      {r && r.flags.length > 0 && (
        <div className="notice warn lawful-attention" data-testid="lawful-attention">
          <strong>{t('lawful.attention')}</strong>
          <LawfulFlags t={t} flags={r.flags} />
        </div>
      )}
      {shares && <SharesOnce shares={shares} onDone={() => setShares(undefined)} />}
      {pkg !== undefined && <DisclosureOnce id={id} text={pkg} />}
      {r && <Facts t={t} r={r} go={p.go} />}
      {r && <Timeline t={t} r={r} />}
      {r && r.holds.length > 0 && <LawfulHolds http={http} holds={r.holds} describe={describe} onChange={load} />}
      {r && (
        <LawfulActions
          http={http}
          r={r}
          describe={describe}
          onDetail={setR}
          onShares={(s) => {
            setShares(s);
            void load();
          }}
          onPackage={(text) => {
            setPkg(text);
            void load();
          }}
        />
      )}
    </section>
  );
}

function Facts({ t, r, go }: { t: AdminT; r: LawfulRequestDetail; go: Go }) {
  return (
    <dl className="admin-facts" data-testid="lawful-facts">
      <dt>{t('lawful.col.status')}</dt>
      <dd data-testid="lawful-status" data-status={r.status}>
        {t(`lawful.status.${r.status}`)}
        {r.decision && ` (${t(`lawful.decision.${r.decision}`)})`}
      </dd>
      <dt>{t('lawful.col.instrument')}</dt>
      <dd>{t(`lawful.instrument.${r.instrument}`)}</dd>
      <dt>{t('lawful.authority')}</dt>
      <dd>
        {r.authority} ({r.country})
      </dd>
      <dt>{t('lawful.reference')}</dt>
      <dd>{r.reference}</dd>
      <dt>{t('lawful.accounts')}</dt>
      <dd data-testid="lawful-accounts-named">{r.accounts.join(', ')}</dd>
      <dt>{t('lawful.categories')}</dt>
      <dd>{r.categories.join(', ')}</dd>
      <dt>{t('lawful.col.due')}</dt>
      <dd>{r.dueAt === null ? '—' : adminTime(r.dueAt)}</dd>
      {r.follows && (
        <>
          <dt>{t('lawful.follows')}</dt>
          <dd>
            <AdminLink to={{ page: 'request', id: r.follows }} go={go}>
              {r.follows}
            </AdminLink>
          </dd>
        </>
      )}
      {r.note && (
        <>
          <dt>{t('lawful.note')}</dt>
          <dd className="report-text">{r.note}</dd>
        </>
      )}
    </dl>
  );
}

/** One step of the timeline: done (with what happened) or still to come (with what is expected). */
function Step(p: { step: string; label: string; done: boolean; children: ReactNode }) {
  const t = useAdminT();
  return (
    <li data-testid="lawful-step" data-step={p.step} data-done={String(p.done)} className={p.done ? 'done' : 'todo'}>
      <strong>{p.label}</strong>
      {!p.done && <span className="visually-hidden"> {t('lawful.pending')}</span>}
      <div>{p.children}</div>
    </li>
  );
}

function Timeline({ t, r }: { t: AdminT; r: LawfulRequestDetail }) {
  const emergency = r.instrument === 'emergency';
  const preservedAt = r.instrument === 'preservation' ? (r.holds[0]?.createdAt ?? r.decisionBy?.at) : undefined;
  const by = (s: { admin: string; at: number }) => t('lawful.by', { admin: s.admin, at: adminTime(s.at) });
  return (
    <section aria-labelledby="lawful-timeline-title">
      <h3 id="lawful-timeline-title">{t('lawful.timeline')}</h3>
      <ol className="lawful-timeline">
        <Step step="received" label={t('lawful.step.received')} done>
          {t('lawful.by', { admin: r.receivedBy, at: adminTime(r.receivedAt) })}
        </Step>
        <Step step="decided" label={t('lawful.step.decided')} done={r.decisionBy !== null || preservedAt !== undefined}>
          {preservedAt !== undefined ? (
            t('lawful.preservedAt', { at: adminTime(preservedAt) })
          ) : r.decisionBy ? (
            <>
              {r.decision
                ? t('lawful.decidedBy', {
                    decision: t(`lawful.decision.${r.decision}`),
                    admin: r.decisionBy.admin,
                    at: adminTime(r.decisionBy.at),
                  })
                : by(r.decisionBy)}
              {r.reason && <span className="report-text"> {t('lawful.reasonIs', { reason: r.reason })}</span>}
            </>
          ) : (
            t('lawful.notYet')
          )}
        </Step>
        {emergency && (
          <Step step="second-approval" label={t('lawful.step.secondApproval')} done={r.secondApproval !== null}>
            {r.secondApproval
              ? `${by(r.secondApproval)}${r.secondApproval.note ? ` ${t('lawful.noteIs', { note: r.secondApproval.note })}` : ''}`
              : r.secondApprovalDueAt !== null
                ? t('lawful.neededBy', { at: adminTime(r.secondApprovalDueAt) })
                : t('lawful.notYet')}
          </Step>
        )}
        <Step step="answered" label={t('lawful.step.answered')} done={r.answeredAt !== null}>
          {r.answeredAt !== null ? (
            <>
              {adminTime(r.answeredAt)}
              {r.answerSha256 && <code className="lawful-hash"> SHA-256 {r.answerSha256}</code>}
            </>
          ) : (
            t('lawful.notYet')
          )}
        </Step>
        {emergency && (
          <Step step="review" label={t('lawful.step.review')} done={r.review !== null}>
            {r.review
              ? `${by(r.review)} ${r.review.justified ? t('lawful.justified') : t('lawful.notJustified')}${r.review.note ? ` ${t('lawful.noteIs', { note: r.review.note })}` : ''}`
              : t('lawful.reviewPending')}
          </Step>
        )}
        <Step step="notice" label={t('lawful.step.notice')} done={r.noticeGivenAt !== null}>
          {r.noticeGivenAt !== null
            ? t('lawful.noticeGiven', { at: adminTime(r.noticeGivenAt) })
            : r.noticeDueAt !== null
              ? t('lawful.noticeDue', { at: adminTime(r.noticeDueAt) })
              : t('lawful.noticeUnscheduled')}
          {r.noticeDelayUntil !== null && ` ${t('lawful.noticeDelayed', { at: adminTime(r.noticeDelayUntil) })}`}
        </Step>
      </ol>
    </section>
  );
}
