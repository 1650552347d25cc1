// The signed-in layout: the conversation list on the left, the open screen on the right, and the banners that stay
// on top (connection, notices from the client's own checks, the operator's unread notice).

import { useEffect, useRef, useState } from 'react';
import { useT } from '../i18n/i18n.js';
import { ConversationList } from './ConversationList.js';
import { ConversationView } from './ConversationView.js';
import { Devices } from './Devices.js';
import { NewConversation } from './NewConversation.js';
import { Notices } from './Notices.js';
import { OperatorNoticeBanner, OperatorNoticeList } from './OperatorNotices.js';
import { Protected } from './Protected.js';
import { useSession } from './session.js';
import { Settings } from './Settings.js';

export type View =
  | { kind: 'none' }
  | { kind: 'chat'; id: string }
  | { kind: 'new-direct' }
  | { kind: 'new-group' }
  | { kind: 'devices' }
  | { kind: 'settings' }
  | { kind: 'protected'; focus?: 'operator-notices' };

export function Main() {
  const t = useT();
  const { state } = useSession();
  const [view, setView] = useState<View>({ kind: 'none' });
  const mainRef = useRef<HTMLElement>(null);
  // Focus moves to the newly opened screen's heading, so keyboard and screen-reader users land where the change is.
  const focusScreen = () => mainRef.current?.querySelector<HTMLElement>('h2, [data-autofocus]')?.focus();
  useEffect(() => {
    if (view.kind === 'protected' && view.focus) document.getElementById(`${view.focus}-title`)?.focus();
    else focusScreen();
  }, [view]);
  return (
    <div className="layout">
      <a href="#main" className="skip">
        {t('app.skipToContent')}
      </a>
      {state.connection !== 'online' && (
        <div className={`banner ${state.connection}`} role="status" data-testid="connection-banner">
          {state.connection === 'offline' ? t('app.offline') : t('app.connecting')}
        </div>
      )}
      <nav className="sidebar" aria-label={t('app.conversations')}>
        <header className="me">
          <span className="me-name" title={state.me.account}>
            {state.me.account}
          </span>
          <span className="menu">
            <button type="button" onClick={() => setView({ kind: 'devices' })}>
              {t('app.devices')}
            </button>
            <button type="button" onClick={() => setView({ kind: 'settings' })}>
              {t('app.settings')}
            </button>
            <button type="button" onClick={() => setView({ kind: 'protected' })}>
              {t('app.protected')}
            </button>
          </span>
        </header>
        <div className="new-buttons">
          <button type="button" onClick={() => setView({ kind: 'new-direct' })}>
            {t('app.newChat')}
          </button>
          <button type="button" onClick={() => setView({ kind: 'new-group' })}>
            {t('app.newGroup')}
          </button>
        </div>
        <ConversationList selected={view.kind === 'chat' ? view.id : undefined} onOpen={(id) => setView({ kind: 'chat', id })} />
      </nav>
      <main id="main" ref={mainRef} className="content">
        <OperatorNoticeBanner onSeeAll={() => setView({ kind: 'protected', focus: 'operator-notices' })} onDone={focusScreen} />
        <Notices onOpen={(id) => setView({ kind: 'chat', id })} />
        {view.kind === 'none' && (
          <div className="empty">
            <h2 tabIndex={-1}>{t('app.welcome', { account: state.me.account })}</h2>
            <p>{t('app.pickConversation')}</p>
          </div>
        )}
        {view.kind === 'chat' && <ConversationView key={view.id} id={view.id} onClose={() => setView({ kind: 'none' })} />}
        {(view.kind === 'new-direct' || view.kind === 'new-group') && (
          <NewConversation group={view.kind === 'new-group'} onCreated={(id) => setView({ kind: 'chat', id })} />
        )}
        {view.kind === 'devices' && <Devices />}
        {view.kind === 'settings' && <Settings />}
        {view.kind === 'protected' && (
          <Protected>
            <OperatorNoticeList />
          </Protected>
        )}
      </main>
    </div>
  );
}
