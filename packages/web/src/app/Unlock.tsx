// A profile protected by a passphrase: ask for it before anything opens.
import { type FormEvent, useState } from 'react';
import { useT } from '../i18n/i18n.js';
import { errorText } from '../ui/errors.js';
import type { Boot } from '../worker/protocol.js';
import type { Bridge } from './bridge.js';

export function Unlock({ bridge, onReady }: { bridge: Bridge; onReady: (b: Boot) => void }) {
  const t = useT();
  const [pass, setPass] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      onReady(await bridge.api.unlock(pass));
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <main className="center">
      <h1>{t('unlock.title')}</h1>
      <form onSubmit={(e) => void submit(e)} className="stack">
        <label>
          {t('unlock.passphrase')}
          <input type="password" autoFocus autoComplete="current-password" value={pass} onChange={(e) => setPass(e.target.value)} />
        </label>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || !pass}>
          {t('unlock.submit')}
        </button>
      </form>
    </main>
  );
}
