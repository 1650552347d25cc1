// A conversation's details: members with roles (add, remove, promote, demote), rename, and the safety panel of each
// other member (safety number, verification, block).

import type { ConversationInfo } from '@sotto/client';
import { type FormEvent, useState } from 'react';
import { useT } from '../i18n/i18n.js';
import { errorText } from '../ui/errors.js';
import { fullAccount } from './FirstRun.js';
import { SafetyPanel } from './Safety.js';
import { fetchServerInfo } from './server-info.js';
import { useSession } from './session.js';

export function ConversationDetails({ conv }: { conv: ConversationInfo }) {
  const t = useT();
  const { api, state, refreshConversations } = useSession();
  const [add, setAdd] = useState('');
  const [name, setName] = useState(conv.name);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [safetyFor, setSafetyFor] = useState<string | undefined>(conv.kind === 'direct' ? conv.peer : undefined);
  const me = state.me.account;
  const myRole = conv.members.find((m) => m.account === me)?.role ?? 'member';
  const admin = myRole === 'owner' || myRole === 'admin';
  const group = conv.kind === 'group';

  const run = async (f: () => Promise<unknown>) => {
    setBusy(true);
    setError('');
    try {
      await f();
      await refreshConversations();
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  const addMembers = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const domain = (await fetchServerInfo())?.domain;
      await api.addMembers(
        conv.id,
        add
          .split(/[\s,;]+/)
          .filter(Boolean)
          .map((a) => fullAccount(a, domain)),
      );
      setAdd('');
    });
  };

  return (
    <section className="details card" aria-label={t('details.title')} data-testid="details">
      <h3>{t('details.title')}</h3>
      {group && (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => api.rename(conv.id, name.trim()));
          }}
        >
          <label>
            {t('details.name')}
            <input value={name} onChange={(e) => setName(e.target.value)} disabled={!admin} maxLength={100} data-testid="rename-input" />
          </label>
          {admin && (
            <button type="submit" disabled={busy || !name.trim() || name === conv.name}>
              {t('details.rename')}
            </button>
          )}
        </form>
      )}
      <h4>{t('details.members', { n: conv.members.length })}</h4>
      <ul className="plain members">
        {conv.members.map((m) => (
          <li key={m.account} className="member" data-testid="member" data-account={m.account} data-role={m.role}>
            <span>
              {m.account} {m.account === me && t('details.you')} <span className="tag">{t(`role.${m.role}`)}</span>
            </span>
            {m.account !== me && (
              <button type="button" onClick={() => setSafetyFor(safetyFor === m.account ? undefined : m.account)}>
                {t('details.safety')}
              </button>
            )}
            {group && admin && m.account !== me && m.role !== 'owner' && (
              <>
                {m.role === 'member' ? (
                  <button type="button" disabled={busy} onClick={() => void run(() => api.setRole(conv.id, m.account, 'admin'))}>
                    {t('details.promote')}
                  </button>
                ) : (
                  <button type="button" disabled={busy} onClick={() => void run(() => api.setRole(conv.id, m.account, 'member'))}>
                    {t('details.demote')}
                  </button>
                )}
                <button
                  type="button"
                  className="danger"
                  disabled={busy}
                  onClick={() =>
                    confirm(t('details.removeConfirm', { account: m.account })) && void run(() => api.removeMembers(conv.id, [m.account]))
                  }
                >
                  {t('details.remove')}
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
      {safetyFor && <SafetyPanel account={safetyFor} />}
      {group && admin && (
        <form className="row" onSubmit={addMembers}>
          <label>
            {t('details.add')}
            <input value={add} onChange={(e) => setAdd(e.target.value)} autoComplete="off" data-testid="add-input" />
          </label>
          <button type="submit" disabled={busy || !add.trim()}>
            {t('details.addButton')}
          </button>
        </form>
      )}
      {group && conv.state === 'active' && (
        <button
          type="button"
          className="danger"
          disabled={busy}
          data-testid="leave"
          onClick={() => confirm(t('details.leaveConfirm')) && void run(() => api.leave(conv.id))}
        >
          {t('details.leave')}
        </button>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}
