// The operator's notices to this account (SottoClient.operatorNotices, the worker's `operator-notice` event): a banner
// for the newest unread one, and the list of all of them on the "what is protected" screen. The operator's text is shown
// as plain text, never as HTML; read ones are remembered in the worker's encrypted prefs (LocalPrefs.operatorSeen).

import type { OperatorNotice } from '@sotto/client';
import { useLang, useT } from '../i18n/i18n.js';
import { operatorNoticeView, unreadOperatorNotices } from './operator-notice-view.js';
import { useSession } from './session.js';

/** A notice's heading, date, the operator's text and, for a lawful request, what it means. */
export function OperatorNoticeBody({ notice, titleId, title: Title }: { notice: OperatorNotice; titleId: string; title: 'p' | 'h4' }) {
  const v = operatorNoticeView(notice, useT(), useLang());
  return (
    <>
      <Title id={titleId} className="operator-heading">
        {v.heading}
      </Title>
      <p className="hint">
        <time dateTime={v.iso}>{v.received}</time>
      </p>
      <p lang="en" className="operator-text" data-testid="operator-notice-text">
        {v.text}
      </p>
      {v.explain && <p data-testid="operator-notice-explain">{v.explain}</p>}
    </>
  );
}

/** The newest unread notice, above every screen until the user marks it read or opens the list. */
export function OperatorNoticeBanner({ onSeeAll, onDone }: { onSeeAll: () => void; onDone: () => void }) {
  const t = useT();
  const { state, markOperatorSeen } = useSession();
  const unread = unreadOperatorNotices(state.operatorNotices, state.prefs.operatorSeen);
  const newest = unread[unread.length - 1];
  // The live region stays in the page so that a notice arriving later is announced.
  return (
    <div aria-live="polite">
      {newest && (
        <section
          className="card operator-notice"
          aria-labelledby="operator-banner-title"
          data-testid="operator-banner"
          data-kind={newest.kind}
        >
          <OperatorNoticeBody notice={newest} titleId="operator-banner-title" title="p" />
          {unread.length > 1 && <p>{t('operator.more', { n: unread.length - 1 })}</p>}
          <div className="row">
            <button
              type="button"
              onClick={() => {
                void markOperatorSeen([newest.id]);
                onDone();
              }}
            >
              {t('operator.markRead')}
            </button>
            <button
              type="button"
              onClick={() => {
                void markOperatorSeen(unread.map((n) => n.id));
                onSeeAll();
              }}
            >
              {t('operator.seeAll')}
            </button>
          </div>
        </section>
      )}
    </div>
  );
}

/** Every notice this device received from the operator, newest first. */
export function OperatorNoticeList() {
  const t = useT();
  const { state } = useSession();
  const newestFirst = [...state.operatorNotices].reverse();
  return (
    <section className="card stack" aria-labelledby="operator-notices-title" data-testid="operator-notices">
      <h3 id="operator-notices-title" tabIndex={-1}>
        {t('operator.listTitle')}
      </h3>
      <p className="hint">{t('operator.listIntro')}</p>
      {newestFirst.length === 0 ? (
        <p>{t('operator.none')}</p>
      ) : (
        <ul className="operator-list">
          {newestFirst.map((n) => (
            <li key={n.id} data-testid="operator-notice" data-kind={n.kind}>
              <OperatorNoticeBody notice={n} titleId={`operator-notice-${n.id}`} title="h4" />
              {!state.prefs.operatorSeen.includes(n.id) && <span className="tag">{t('operator.unread')}</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
