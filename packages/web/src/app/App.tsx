// The app's top level: starts the worker, opens the profile, then shows first run, unlock or the messenger, and keeps
// the session state (conversations, unread counts, connection, notices) in step with the client's events.

import type { ConversationInfo, StoredMessage } from '@sotto/client';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { I18nProvider, initialLang, type Lang, useT } from '../i18n/i18n.js';
import type { Boot } from '../worker/protocol.js';
import { type Bridge, startWorker } from './bridge.js';
import { FirstRun } from './FirstRun.js';
import { Main } from './Main.js';
import { mergeOperatorNotices } from './operator-notice-view.js';
import { type Session, SessionContext, type SessionState } from './session.js';
import { Unlock } from './Unlock.js';

export const LangContextSetter = { set: (_l: Lang) => {} };

export function App() {
  const [lang, setLang] = useState<Lang>(() => initialLang(localStorage.getItem('sotto.lang')));
  LangContextSetter.set = (l) => {
    localStorage.setItem('sotto.lang', l);
    document.documentElement.lang = l;
    setLang(l);
  };
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  return (
    <I18nProvider lang={lang}>
      <Shell />
    </I18nProvider>
  );
}

function Shell() {
  const t = useT();
  const bridgeRef = useRef<Bridge | undefined>(undefined);
  const [boot, setBoot] = useState<Boot | { state: 'loading' } | { state: 'error'; message: string }>({ state: 'loading' });
  if (!bridgeRef.current) bridgeRef.current = startWorker();
  const bridge = bridgeRef.current;

  useEffect(() => {
    bridge.api.boot().then(setBoot, (e: Error) => setBoot({ state: 'error', message: e.message }));
  }, [bridge]);

  if (boot.state === 'loading')
    return (
      <main className="center" aria-busy="true">
        <p>{t('app.loading')}</p>
      </main>
    );
  if (boot.state === 'error')
    return (
      <main className="center">
        <p role="alert">{t('app.bootFailed', { message: boot.message })}</p>
      </main>
    );
  if (boot.state === 'new') return <FirstRun bridge={bridge} onReady={setBoot} />;
  if (boot.state === 'locked') return <Unlock bridge={bridge} onReady={setBoot} />;
  return <Signed bridge={bridge} boot={boot} />;
}

function summarize(messages: StoredMessage[], lastRead: number): { last?: StoredMessage; unread: number } {
  const visible = messages.filter((m) => m.kind !== 'system' || m.text);
  const last = visible[visible.length - 1];
  const unread = messages.filter((m) => !m.outgoing && m.kind !== 'system' && m.seq > lastRead).length;
  return last ? { last, unread } : { unread };
}

function Signed({ bridge, boot }: { bridge: Bridge; boot: Extract<Boot, { state: 'ready' }> }) {
  const [state, setState] = useState<SessionState>({
    me: boot.me,
    settings: boot.settings,
    prefs: { muted: [], archived: [], lastRead: {}, notices: [], operatorSeen: [] },
    conversations: [],
    summaries: {},
    connection: boot.connection,
    typing: {},
    contactsVersion: 0,
    operatorNotices: [],
  });
  const stateRef = useRef(state);
  stateRef.current = state;
  const update = useCallback<Session['update']>((patch) => {
    setState((s) => ({ ...s, ...(typeof patch === 'function' ? patch(s) : patch) }));
  }, []);
  const api = bridge.api;

  const summarizeNow = useCallback(
    async (id: string) => {
      const msgs = await api.listMessages(id, { limit: 100 });
      const lastRead = stateRef.current.prefs.lastRead[id] ?? 0;
      update((s) => ({ summaries: { ...s.summaries, [id]: summarize(msgs, lastRead) } }));
    },
    [api, update],
  );
  // A catch-up brings messages by the hundred: summaries are recomputed at most every 250 ms per conversation.
  const dirty = useRef(new Set<string>());
  const flushTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const refreshSummary = useCallback(
    (id: string) => {
      dirty.current.add(id);
      flushTimer.current ??= setTimeout(() => {
        flushTimer.current = undefined;
        const ids = [...dirty.current];
        dirty.current.clear();
        for (const x of ids) void summarizeNow(x).catch(() => undefined);
      }, 250);
    },
    [summarizeNow],
  );

  const refreshConversations = useCallback(async () => {
    const conversations = await api.listConversations();
    update({ conversations });
  }, [api, update]);

  const setPrefs = useCallback<Session['setPrefs']>(
    async (patch) => {
      update((s) => ({ prefs: { ...s.prefs, ...patch } }));
      stateRef.current = { ...stateRef.current, prefs: { ...stateRef.current.prefs, ...patch } };
      const saved = await api.setPrefs(patch);
      update({ prefs: saved });
    },
    [api, update],
  );
  const dismissNotice = useCallback<Session['dismissNotice']>(
    async (id) => {
      update({ prefs: await api.dismissNotice(id) });
    },
    [api, update],
  );

  const markOperatorSeen = useCallback<Session['markOperatorSeen']>(
    async (ids) => {
      const seen = stateRef.current.prefs.operatorSeen;
      const fresh = ids.filter((id) => !seen.includes(id));
      if (fresh.length > 0) await setPrefs({ operatorSeen: [...seen, ...fresh] });
    },
    [setPrefs],
  );

  useEffect(() => {
    let alive = true;
    void (async () => {
      const prefs = await api.prefs();
      const conversations = await api.listConversations();
      if (!alive) return;
      update({ prefs, conversations });
      stateRef.current = { ...stateRef.current, prefs };
      const operatorNotices = await api.operatorNotices();
      if (alive) update((s) => ({ operatorNotices: mergeOperatorNotices(s.operatorNotices, operatorNotices) }));
      // For the benchmark: the list is on screen at the next frame.
      requestAnimationFrame(() => performance.mark('sotto:list-shown'));
      for (const c of conversations) await summarizeNow(c.id);
    })();
    const upsert = (c: ConversationInfo) => update((s) => ({ conversations: [...s.conversations.filter((x) => x.id !== c.id), c] }));
    const offs = [
      bridge.on('conversation', upsert),
      bridge.on('request', upsert),
      bridge.on('message', (m) => {
        refreshSummary(m.conversationId);
        notify(m);
      }),
      bridge.on('message-updated', (m) => refreshSummary(m.conversationId)),
      bridge.on('message-removed', (m) => refreshSummary(m.conversationId)),
      bridge.on('connection', ({ state: c }) => update({ connection: c })),
      bridge.on('synced', () => update((s) => (s.connection === 'connecting' ? { connection: 'online' } : {}))),
      bridge.on('typing', (e) =>
        update((s) => {
          const now = new Set(s.typing[e.conversationId] ?? []);
          if (e.typing) now.add(e.account);
          else now.delete(e.account);
          return { typing: { ...s.typing, [e.conversationId]: [...now] } };
        }),
      ),
      bridge.on('notices', (notices) => update((s) => ({ prefs: { ...s.prefs, notices } }))),
      bridge.on('operator-notice', (n) => update((s) => ({ operatorNotices: mergeOperatorNotices(s.operatorNotices, [n]) }))),
    ];
    return () => {
      alive = false;
      for (const off of offs) off();
    };
  }, [api, bridge, refreshSummary, summarizeNow, update]);

  function notify(m: StoredMessage) {
    const s = stateRef.current;
    if (m.outgoing || m.kind === 'system' || s.prefs.muted.includes(m.conversationId)) return;
    if (document.visibilityState === 'visible' && document.hasFocus()) return;
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    if (localStorage.getItem('sotto.notifications') !== 'on') return;
    // The notification says who wrote, not what: the text stays inside the page.
    new Notification('Sotto', { body: m.sender, tag: m.conversationId });
  }

  const session = useMemo<Session>(
    () => ({ bridge, api, state, update, refreshConversations, setPrefs, dismissNotice, markOperatorSeen }),
    [bridge, api, state, update, refreshConversations, setPrefs, dismissNotice, markOperatorSeen],
  );
  return (
    <SessionContext.Provider value={session}>
      <Main />
    </SessionContext.Provider>
  );
}
