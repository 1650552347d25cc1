// Start a 1:1 with an account, or create a group with a name and members.

import { type FormEvent, useState } from 'react';
import { useT } from '../i18n/i18n.js';
import { errorText } from '../ui/errors.js';
import { fullAccount } from './FirstRun.js';
import { fetchServerInfo } from './server-info.js';
import { useSession } from './session.js';

export function NewConversation({ group, onCreated }: { group: boolean; onCreated: (id: string) => void }) {
  const t = useT();
  const { api, refreshConversations } = useSession();
  const [name, setName] = useState('');
  const [members, setMembers] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const domain = (await fetchServerInfo())?.domain;
      const accounts = members
        .split(/[\s,;]+/)
        .filter(Boolean)
        .map((a) => fullAccount(a, domain));
      const c = group ? await api.createGroup({ name: name.trim(), members: accounts }) : await api.createDirect(accounts[0] ?? '');
      await refreshConversations();
      onCreated(c.id);
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <section className="stack">
      <h2 tabIndex={-1}>{group ? t('new.groupTitle') : t('new.directTitle')}</h2>
      <form className="stack" onSubmit={(e) => void submit(e)}>
        {group && (
          <label>
            {t('new.groupName')}
            <input name="group-name" required value={name} onChange={(e) => setName(e.target.value)} maxLength={100} />
          </label>
        )}
        <label>
          {group ? t('new.members') : t('new.account')}
          <input name="members" required value={members} onChange={(e) => setMembers(e.target.value)} autoComplete="off" />
        </label>
        <p className="hint">{group ? t('new.membersHint') : t('new.accountHint')}</p>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {group ? t('new.createGroup') : t('new.startChat')}
        </button>
      </form>
    </section>
  );
}
