// The conversation list: message requests in their own section, then conversations by last activity with their
// unread count and last message; archived ones behind a toggle; a search over decrypted history (done in the worker,
// on this device only).

import type { ConversationInfo, StoredMessage } from '@sotto/client';
import { useEffect, useState } from 'react';
import { useT } from '../i18n/i18n.js';
import { systemLine } from './ConversationView.js';
import { conversationTitle, useSession } from './session.js';

export function ConversationList({ selected, onOpen }: { selected: string | undefined; onOpen: (id: string) => void }) {
  const t = useT();
  const { state, api } = useSession();
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<Array<{ conversationId: string; id: string; text: string }> | undefined>();
  const [showArchived, setShowArchived] = useState(false);

  useEffect(() => {
    if (!query.trim()) {
      setHits(undefined);
      return;
    }
    let alive = true;
    const timer = setTimeout(() => {
      api.search(query).then(
        (h) => alive && setHits(h),
        () => alive && setHits([]),
      );
    }, 150);
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [query, api]);

  const last = (c: ConversationInfo) => state.summaries[c.id]?.last?.receivedAt ?? c.createdAt;
  const live = state.conversations.filter((c) => c.state !== 'deleted').sort((a, b) => last(b) - last(a));
  const requests = live.filter((c) => c.state === 'request');
  const archived = live.filter((c) => c.state !== 'request' && state.prefs.archived.includes(c.id));
  const active = live.filter((c) => c.state !== 'request' && !state.prefs.archived.includes(c.id));
  const byId = new Map(state.conversations.map((c) => [c.id, c]));

  return (
    <div className="conv-list">
      <label className="search">
        <span className="visually-hidden">{t('list.search')}</span>
        <input type="search" placeholder={t('list.search')} value={query} onChange={(e) => setQuery(e.target.value)} />
      </label>
      {hits !== undefined ? (
        <section aria-label={t('list.results')}>
          <h2 className="section-title">{t('list.results')}</h2>
          {hits.length === 0 && <p className="hint">{t('list.noResults')}</p>}
          <ul className="plain">
            {hits.map((h) => {
              const c = byId.get(h.conversationId);
              return (
                <li key={`${h.conversationId}/${h.id}`}>
                  <button type="button" className="conv-item" onClick={() => onOpen(h.conversationId)} data-testid="search-hit">
                    <span className="conv-name">{c ? conversationTitle(c) : h.conversationId}</span>
                    <span className="conv-last">{h.text}</span>
                  </button>
                </li>
              );
            })}
          </ul>
        </section>
      ) : (
        <>
          {requests.length > 0 && (
            <section aria-label={t('list.requests')}>
              <h2 className="section-title">{t('list.requests')}</h2>
              <Items list={requests} selected={selected} onOpen={onOpen} />
            </section>
          )}
          <section aria-label={t('list.chats')}>
            <h2 className="section-title">{t('list.chats')}</h2>
            {active.length === 0 && <p className="hint">{t('list.empty')}</p>}
            <Items list={active} selected={selected} onOpen={onOpen} />
          </section>
          {archived.length > 0 && (
            <section aria-label={t('list.archived')}>
              <button type="button" className="link" aria-expanded={showArchived} onClick={() => setShowArchived(!showArchived)}>
                {t('list.archivedCount', { n: archived.length })}
              </button>
              {showArchived && <Items list={archived} selected={selected} onOpen={onOpen} />}
            </section>
          )}
        </>
      )}
    </div>
  );
}

function Items({ list, selected, onOpen }: { list: ConversationInfo[]; selected: string | undefined; onOpen: (id: string) => void }) {
  const t = useT();
  const { state } = useSession();
  return (
    <ul className="plain">
      {list.map((c) => {
        const s = state.summaries[c.id];
        const muted = state.prefs.muted.includes(c.id);
        const unread = s?.unread ?? 0;
        const lastText = s?.last ? preview(s.last, t, state.me.account) : '';
        return (
          <li key={c.id}>
            <button
              type="button"
              className={`conv-item${selected === c.id ? ' selected' : ''}`}
              aria-current={selected === c.id ? 'true' : undefined}
              onClick={() => onOpen(c.id)}
              data-testid="conversation"
              data-name={conversationTitle(c)}
            >
              <span className="conv-name">
                {conversationTitle(c)}
                {muted && <span className="tag">{t('list.muted')}</span>}
                {c.notices?.length ? <span className="tag warn">{t('list.notice')}</span> : null}
              </span>
              <span className="conv-last">{lastText}</span>
              {unread > 0 && !muted && (
                <span className="badge" aria-label={t('list.unread', { n: unread })} data-testid="unread">
                  {unread}
                </span>
              )}
            </button>
          </li>
        );
      })}
    </ul>
  );
}

function preview(m: StoredMessage, t: ReturnType<typeof useT>, me: string): string {
  if (m.deleted) return t('chat.deleted');
  if (m.kind === 'attachment') return `📎 ${m.attachment?.fileName ?? ''}`;
  if (m.kind === 'system') return systemLine(t, m, me);
  return m.text ?? '';
}
