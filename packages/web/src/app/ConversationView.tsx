// One conversation: its messages (text with links, replies, reactions, edits, deletes, attachments, system lines,
// delivery marks), the typing line, the composer (text, files by picker, paste or drop), the request bar, and the
// report action on received messages (ReportDialog.tsx).

import type { ConversationInfo, StoredMessage } from '@sotto/client';
import { type ClipboardEvent, type DragEvent, type KeyboardEvent, useCallback, useEffect, useRef, useState } from 'react';
import { useT } from '../i18n/i18n.js';
import { errorText } from '../ui/errors.js';
import { linkify } from '../ui/linkify.js';
import { ConversationDetails } from './ConversationDetails.js';
import { ReportDialog } from './ReportDialog.js';
import { conversationTitle, useSession } from './session.js';

const REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'];
const PAGE = 100;
const TIMERS = [0, 30, 300, 3600, 86400, 604800];

interface Upload {
  id: string;
  name: string;
  done: number;
  total: number;
}

export function ConversationView({ id, onClose }: { id: string; onClose: () => void }) {
  const t = useT();
  const { state, api, bridge, setPrefs, refreshConversations } = useSession();
  const conv = state.conversations.find((c) => c.id === id);
  const [messages, setMessages] = useState<StoredMessage[]>([]);
  const [error, setError] = useState('');
  const [replyTo, setReplyTo] = useState<StoredMessage | undefined>();
  const [editing, setEditing] = useState<StoredMessage | undefined>();
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [details, setDetails] = useState(false);
  const [reporting, setReporting] = useState<StoredMessage | undefined>();
  const listRef = useRef<HTMLOListElement>(null);

  const load = useCallback(async () => {
    setMessages(await api.listMessages(id, { limit: PAGE }));
  }, [api, id]);

  useEffect(() => {
    void load();
    const mine = (m: { conversationId: string }) => m.conversationId === id;
    const offs = [
      bridge.on('message', (m) => mine(m) && setMessages((list) => (list.some((x) => x.id === m.id) ? list : [...list, m]))),
      bridge.on('message-updated', (m) => mine(m) && setMessages((list) => list.map((x) => (x.id === m.id ? m : x)))),
      bridge.on('message-removed', (m) => mine(m) && setMessages((list) => list.filter((x) => x.id !== m.id))),
      bridge.on('progress', (p) =>
        setUploads((list) => list.map((u) => (u.id === p.uploadId ? { ...u, done: p.done, total: p.total } : u))),
      ),
    ];
    return () => offs.forEach((off) => off());
  }, [bridge, id, load]);

  // Read up to the newest message: read receipts go out (as the settings allow), the unread count drops.
  const newest = messages[messages.length - 1];
  useEffect(() => {
    if (!newest || !conv || conv.state !== 'active') return;
    const lastRead = state.prefs.lastRead[id] ?? 0;
    if (newest.seq <= lastRead) return;
    const unread = messages.filter((m) => !m.outgoing && m.kind !== 'system' && m.seq > lastRead).map((m) => m.id);
    void setPrefs({ lastRead: { ...state.prefs.lastRead, [id]: newest.seq } });
    if (unread.length > 0 && document.visibilityState === 'visible') void api.markRead(id, unread).catch(() => undefined);
  }, [newest, conv, id, messages, state.prefs.lastRead, setPrefs, api]);

  useEffect(() => {
    const el = listRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [messages.length]);

  if (!conv)
    return (
      <section className="chat">
        <h2 tabIndex={-1}>{t('chat.unknown')}</h2>
      </section>
    );

  const run = async (f: () => Promise<unknown>) => {
    setError('');
    try {
      await f();
    } catch (e) {
      setError(errorText(t, e));
    }
  };

  const sendFiles = async (files: File[]) => {
    for (const file of files) {
      const uploadId = crypto.randomUUID();
      setUploads((u) => [...u, { id: uploadId, name: file.name, done: 0, total: file.size * 2 }]);
      await run(() =>
        api.sendFile(id, file, { fileName: file.name || 'file', mimeType: file.type || 'application/octet-stream', uploadId }),
      );
      setUploads((u) => u.filter((x) => x.id !== uploadId));
    }
  };

  const muted = state.prefs.muted.includes(id);
  const archived = state.prefs.archived.includes(id);
  const typing = (state.typing[id] ?? []).filter((a) => a !== state.me.account);
  const byId = new Map(messages.map((m) => [m.id, m]));
  const readOnly = conv.state !== 'active' || !!conv.policyViolation;
  const latestReceived = messages.findLast((m) => !m.outgoing && m.kind !== 'system' && !m.deleted);

  return (
    <section className="chat" aria-label={conversationTitle(conv)}>
      <header className="chat-header">
        <h2 tabIndex={-1} data-testid="chat-title">
          {conversationTitle(conv)}
        </h2>
        <VerificationBadge conv={conv} />
        <div className="chat-actions">
          <label>
            <span className="visually-hidden">{t('chat.timer')}</span>
            <select
              aria-label={t('chat.timer')}
              value={conv.timerSeconds}
              disabled={readOnly}
              onChange={(e) => void run(() => api.setDisappearingTimer(id, Number(e.target.value)).then(refreshConversations))}
            >
              {(TIMERS.includes(conv.timerSeconds) ? TIMERS : [...TIMERS, conv.timerSeconds]).map((s) => (
                <option key={s} value={s}>
                  {timerLabel(t, s)}
                </option>
              ))}
            </select>
          </label>
          <button type="button" aria-pressed={muted} onClick={() => void setPrefs({ muted: toggle(state.prefs.muted, id) })}>
            {muted ? t('chat.unmute') : t('chat.mute')}
          </button>
          <button type="button" aria-pressed={archived} onClick={() => void setPrefs({ archived: toggle(state.prefs.archived, id) })}>
            {archived ? t('chat.unarchive') : t('chat.archive')}
          </button>
          <button type="button" aria-expanded={details} onClick={() => setDetails(!details)}>
            {t('chat.details')}
          </button>
        </div>
      </header>
      {(conv.state === 'left' || conv.state === 'removed') && (
        <p role="status" className="notice" data-testid="gone-notice">
          {conv.state === 'left' ? t('chat.left') : t('chat.removed')}
        </p>
      )}
      {conv.policyViolation && (
        <p role="alert" className="notice warn">
          {t('chat.frozen')}
        </p>
      )}
      {conv.notices?.map((n) => (
        <p key={`${n.code}:${n.account}`} role="alert" className="notice warn" data-testid="conv-notice">
          {n.code === 'KEY_CHANGED'
            ? t(n.pending ? 'notice.keyChangedPending' : 'notice.keyChanged', { account: n.account })
            : n.code === 'FRANKING_INVALID'
              ? t('notice.frankingInvalid', { account: n.account })
              : t('notice.security', { account: n.account, code: n.code })}
        </p>
      ))}
      {details && <ConversationDetails conv={conv} />}
      {conv.state === 'request' && (
        <div className="request-bar" role="region" aria-label={t('chat.requestTitle')}>
          <p>{t('chat.requestBody', { account: conv.addedBy ?? conv.owner })}</p>
          <button type="button" onClick={() => void run(() => api.acceptRequest(id).then(refreshConversations))}>
            {t('chat.accept')}
          </button>
          <button type="button" onClick={() => void run(() => api.block(conv.addedBy ?? conv.owner).then(refreshConversations))}>
            {t('chat.block')}
          </button>
          <button type="button" onClick={() => void run(() => api.deleteRequest(id).then(refreshConversations).then(onClose))}>
            {t('chat.deleteRequest')}
          </button>
          {latestReceived && (
            <button type="button" className="danger" onClick={() => setReporting(latestReceived)} data-testid="request-report">
              {t('report.requestAction')}
            </button>
          )}
        </div>
      )}
      <ol className="messages" ref={listRef} aria-label={t('chat.messages')} aria-live="polite">
        {messages.map((m) => (
          <Message
            key={m.id}
            m={m}
            group={conv.kind === 'group'}
            quoted={m.replyTo ? byId.get(m.replyTo) : undefined}
            onReply={() => {
              setEditing(undefined);
              setReplyTo(m);
            }}
            onEdit={() => {
              setReplyTo(undefined);
              setEditing(m);
            }}
            onReport={() => setReporting(m)}
            onError={setError}
            conversationId={id}
            readOnly={readOnly}
          />
        ))}
      </ol>
      <p className="typing" aria-live="polite" data-testid="typing">
        {typing.length > 0 ? t('chat.typing', { who: typing.map((a) => a.split('@')[0]).join(', ') }) : ''}
      </p>
      {uploads.map((u) => (
        <div key={u.id} className="upload">
          <label>
            {t('chat.uploading', { name: u.name })}
            <progress max={u.total || 1} value={u.done} />
          </label>
        </div>
      ))}
      {error && (
        <p role="alert" className="error" data-testid="chat-error">
          {error}
        </p>
      )}
      {!readOnly && (
        <Composer
          conversationId={id}
          replyTo={replyTo}
          editing={editing}
          onCancel={() => {
            setReplyTo(undefined);
            setEditing(undefined);
          }}
          onSent={() => {
            setReplyTo(undefined);
            setEditing(undefined);
          }}
          onFiles={(f) => void sendFiles(f)}
          onError={setError}
        />
      )}
      {reporting && <ReportDialog conversationId={id} target={reporting} onClose={() => setReporting(undefined)} />}
    </section>
  );
}

/** A system item in the user's language, from its structured change (the SDK's English text otherwise). */
export function systemLine(t: ReturnType<typeof useT>, m: StoredMessage, me: string): string {
  const c = m.system;
  const who = (a: string) => (a === me ? t('system.you') : a);
  if (!c) return m.text ?? '';
  switch (c.type) {
    case 'members-added':
      return t('system.added', { by: who(c.by), accounts: c.accounts.map(who).join(', ') });
    case 'members-removed':
      return c.accounts.length === 1 && c.accounts[0] === c.by
        ? t('system.left', { by: who(c.by) })
        : t('system.removed', { by: who(c.by), accounts: c.accounts.map(who).join(', ') });
    case 'role':
      return t(`system.role.${c.role}`, { by: who(c.by), account: who(c.account) });
    case 'timer':
      return c.seconds === 0
        ? t('system.timerOff', { by: who(c.by) })
        : t('system.timer', { by: who(c.by), duration: timerLabel(t, c.seconds) });
    case 'rename':
      return t('system.rename', { by: who(c.by), name: c.name });
    case 'device':
      if (c.removed.length === 0) return t('system.deviceAdded', { account: c.account, n: c.added.length });
      if (c.added.length === 0) return t('system.deviceRemoved', { account: c.account, n: c.removed.length });
      return t('system.device', { account: c.account, added: c.added.length, removed: c.removed.length });
  }
}

function toggle(list: string[], id: string): string[] {
  return list.includes(id) ? list.filter((x) => x !== id) : [...list, id];
}

export function timerLabel(t: ReturnType<typeof useT>, s: number): string {
  if (s === 0) return t('timer.off');
  if (s < 60) return t('timer.seconds', { n: s });
  if (s < 3600) return t('timer.minutes', { n: Math.round(s / 60) });
  if (s < 86400) return t('timer.hours', { n: Math.round(s / 3600) });
  if (s < 604800) return t('timer.days', { n: Math.round(s / 86400) });
  return t('timer.weeks', { n: Math.round(s / 604800) });
}

function VerificationBadge({ conv }: { conv: ConversationInfo }) {
  const t = useT();
  const { api, state } = useSession();
  const [verified, setVerified] = useState<boolean | undefined>();
  useEffect(() => {
    let alive = true;
    const others = new Set(conv.members.map((m) => m.account).filter((a) => a !== state.me.account));
    api.listContacts().then(
      (cs) => {
        if (!alive) return;
        const mine = cs.filter((c) => others.has(c.account));
        setVerified(others.size > 0 && mine.length === others.size && mine.every((c) => c.verified && !c.pendingKey));
      },
      () => undefined,
    );
    return () => {
      alive = false;
    };
  }, [api, conv, state.me.account, state.contactsVersion]);
  if (verified === undefined) return null;
  return (
    <span className={`tag ${verified ? 'ok' : ''}`} data-testid="verification">
      {verified ? t('chat.verified') : t('chat.notVerified')}
    </span>
  );
}

function Message(p: {
  m: StoredMessage;
  group: boolean;
  quoted: StoredMessage | undefined;
  conversationId: string;
  readOnly: boolean;
  onReply: () => void;
  onEdit: () => void;
  onReport: () => void;
  onError: (e: string) => void;
}) {
  const t = useT();
  const { api, state } = useSession();
  const { m } = p;
  const [showReact, setShowReact] = useState(false);
  if (m.kind === 'system')
    return (
      <li className="system" data-testid="system-line" data-type={m.system?.type ?? 'other'}>
        {systemLine(t, m, state.me.account)}
      </li>
    );
  const run = (f: () => Promise<unknown>) => void f().catch((e: unknown) => p.onError(errorText(t, e)));
  const mine = m.outgoing;
  const time = new Date(m.sentAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return (
    <li className={`msg ${mine ? 'out' : 'in'}`} data-testid="message" data-id={m.id}>
      {p.group && !mine && <span className="sender">{m.sender.split('@')[0]}</span>}
      {m.replyTo && (
        <blockquote className="quote" data-testid="quote">
          {p.quoted?.text ?? m.quote ?? t('chat.quoteMissing')}
        </blockquote>
      )}
      {m.deleted ? (
        <p className="deleted">{t('chat.deleted')}</p>
      ) : m.kind === 'attachment' && m.attachment ? (
        <Attachment m={m} conversationId={p.conversationId} onError={p.onError} />
      ) : (
        <p className="text" dir="auto">
          {linkify(m.text ?? '')}
        </p>
      )}
      <span className="meta">
        <time dateTime={new Date(m.sentAt).toISOString()}>{time}</time>
        {m.editedAt && <span className="edited">{t('chat.edited')}</span>}
        {m.expiresAt && <span title={t('chat.disappears')}>⏱</span>}
        {mine && m.status && (
          <span className={`status ${m.status}`} data-testid="status" data-status={m.status} aria-label={t(`status.${m.status}`)}>
            {t(`status.${m.status}`)}
          </span>
        )}
      </span>
      {Object.keys(m.reactions).length > 0 && (
        <span className="reactions" data-testid="reactions">
          {Object.entries(m.reactions).map(([emoji, who]) => (
            <button
              key={emoji}
              type="button"
              aria-pressed={who.includes(state.me.account)}
              aria-label={t('chat.reactionBy', { emoji, n: who.length, who: who.join(', ') })}
              onClick={() => run(() => api.react(p.conversationId, m.id, emoji, who.includes(state.me.account) ? 'remove' : 'add'))}
            >
              {emoji} {who.length}
            </button>
          ))}
        </span>
      )}
      {!m.deleted && (!p.readOnly || !mine) && (
        <span className="msg-actions">
          {!p.readOnly && (
            <>
              <button type="button" onClick={p.onReply}>
                {t('chat.reply')}
              </button>
              <button type="button" aria-expanded={showReact} onClick={() => setShowReact(!showReact)}>
                {t('chat.react')}
              </button>
            </>
          )}
          {!mine && (
            <button type="button" onClick={p.onReport} data-testid="report">
              {t('report.action')}
            </button>
          )}
          {!p.readOnly && mine && m.kind === 'text' && (
            <button type="button" onClick={p.onEdit}>
              {t('chat.edit')}
            </button>
          )}
          {!p.readOnly && mine && (
            <button
              type="button"
              onClick={() => confirm(t('chat.deleteConfirm')) && run(() => api.deleteForEveryone(p.conversationId, m.id))}
            >
              {t('chat.delete')}
            </button>
          )}
          {showReact && (
            <span className="react-picker" role="group" aria-label={t('chat.react')}>
              {REACTIONS.map((e) => (
                <button
                  key={e}
                  type="button"
                  aria-label={t('chat.reactWith', { emoji: e })}
                  onClick={() => {
                    setShowReact(false);
                    run(() => api.react(p.conversationId, m.id, e, 'add'));
                  }}
                >
                  {e}
                </button>
              ))}
            </span>
          )}
        </span>
      )}
    </li>
  );
}

function Attachment({ m, conversationId, onError }: { m: StoredMessage; conversationId: string; onError: (e: string) => void }) {
  const t = useT();
  const { api } = useSession();
  const a = m.attachment!;
  const [url, setUrl] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const image = a.mimeType.startsWith('image/') && a.mimeType !== 'image/svg+xml';
  useEffect(() => () => void (url && URL.revokeObjectURL(url)), [url]);
  const fetchIt = async (): Promise<string | undefined> => {
    if (url) return url;
    setBusy(true);
    try {
      const blob = await api.download(conversationId, m.id);
      const u = URL.createObjectURL(blob);
      setUrl(u);
      return u;
    } catch (e) {
      onError(errorText(t, e));
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  const save = async () => {
    const u = await fetchIt();
    if (!u) return;
    const link = document.createElement('a');
    link.href = u;
    link.download = a.fileName;
    link.click();
  };
  return (
    <div className="attachment" data-testid="attachment">
      {image && url && <img src={url} alt={a.fileName} className="thumb" data-testid="image" />}
      {!url && a.thumbnail?.startsWith('data:image/') && (
        <img
          src={a.thumbnail}
          alt={t('chat.thumbnailOf', { name: a.fileName })}
          className="thumb"
          data-testid="thumbnail"
          {...(a.width && a.height
            ? { width: Math.min(a.width, 320), height: Math.round((Math.min(a.width, 320) * a.height) / a.width) }
            : {})}
        />
      )}
      <span className="file">
        📎 {a.fileName} <span className="hint">({formatSize(a.size)})</span>
      </span>
      {image && !url && (
        <button type="button" disabled={busy} onClick={() => void fetchIt()}>
          {t('chat.show')}
        </button>
      )}
      <button type="button" disabled={busy} onClick={() => void save()} data-testid="download">
        {t('chat.download')}
      </button>
    </div>
  );
}

function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function Composer(p: {
  conversationId: string;
  replyTo: StoredMessage | undefined;
  editing: StoredMessage | undefined;
  onCancel: () => void;
  onSent: () => void;
  onFiles: (files: File[]) => void;
  onError: (e: string) => void;
}) {
  const t = useT();
  const { api } = useSession();
  const [text, setText] = useState('');
  const [dragging, setDragging] = useState(false);
  const fileRef = useRef<HTMLInputElement>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const typingRef = useRef<{ on: boolean; timer?: ReturnType<typeof setTimeout> }>({ on: false });

  useEffect(() => {
    if (p.editing) setText(p.editing.text ?? '');
    if (p.editing || p.replyTo) inputRef.current?.focus();
  }, [p.editing, p.replyTo]);

  const stopTyping = () => {
    const ty = typingRef.current;
    if (ty.timer) clearTimeout(ty.timer);
    if (ty.on) void api.setTyping(p.conversationId, false).catch(() => undefined);
    ty.on = false;
  };
  // Leaving the conversation ends "typing" there.
  const stopRef = useRef(stopTyping);
  stopRef.current = stopTyping;
  useEffect(() => () => stopRef.current(), []);

  const onInput = (v: string) => {
    setText(v);
    const ty = typingRef.current;
    if (!ty.on && v) {
      ty.on = true;
      void api.setTyping(p.conversationId, true).catch(() => undefined);
    }
    if (ty.timer) clearTimeout(ty.timer);
    ty.timer = setTimeout(stopTyping, 4000);
  };

  const send = async () => {
    const v = text.trim();
    if (!v) return;
    stopTyping();
    setText('');
    try {
      if (p.editing) await api.edit(p.conversationId, p.editing.id, v);
      else await api.sendText(p.conversationId, v, p.replyTo ? { replyTo: p.replyTo.id, quote: (p.replyTo.text ?? '').slice(0, 200) } : {});
      p.onSent();
    } catch (e) {
      setText(v);
      p.onError(errorText(t, e));
    }
  };

  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      void send();
    } else if (e.key === 'Escape') p.onCancel();
  };
  const onPaste = (e: ClipboardEvent) => {
    const files = [...e.clipboardData.files];
    if (files.length > 0) {
      e.preventDefault();
      p.onFiles(files);
    }
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const files = [...e.dataTransfer.files];
    if (files.length > 0) p.onFiles(files);
  };

  return (
    <form
      className={`composer${dragging ? ' dragging' : ''}`}
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      data-testid="composer"
    >
      {(p.replyTo || p.editing) && (
        <div className="composer-context">
          <span>{p.editing ? t('chat.editing') : t('chat.replyingTo', { text: (p.replyTo?.text ?? '').slice(0, 80) })}</span>
          <button type="button" onClick={p.onCancel}>
            {t('common.cancel')}
          </button>
        </div>
      )}
      <button type="button" onClick={() => fileRef.current?.click()} aria-label={t('chat.attach')}>
        📎
      </button>
      <input
        ref={fileRef}
        type="file"
        multiple
        hidden
        data-testid="file-input"
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = '';
          if (files.length) p.onFiles(files);
        }}
      />
      <label className="composer-input">
        <span className="visually-hidden">{t('chat.message')}</span>
        <textarea
          ref={inputRef}
          rows={1}
          placeholder={t('chat.placeholder')}
          value={text}
          onChange={(e) => onInput(e.target.value)}
          onKeyDown={onKey}
          onPaste={onPaste}
          data-testid="message-input"
        />
      </label>
      <button type="submit" disabled={!text.trim()}>
        {p.editing ? t('chat.save') : t('chat.send')}
      </button>
    </form>
  );
}
