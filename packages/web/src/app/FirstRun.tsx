// First run in this browser: create an account from an invite (link `#invite=TOKEN` or pasted token), or link this
// browser to an existing account as a new device (QR + code approved on a device that has the account). The
// "what is protected" page is one click away before anything is created.

import { type FormEvent, useEffect, useState } from 'react';
import { useT } from '../i18n/i18n.js';
import { errorText } from '../ui/errors.js';
import { Qr } from '../ui/Qr.js';
import type { Boot } from '../worker/protocol.js';
import type { Bridge } from './bridge.js';
import { Protected } from './Protected.js';
import { fetchServerInfo } from './server-info.js';

type Mode = 'register' | 'link' | 'protected';

export function inviteFromHash(hash: string): string | undefined {
  const m = /(?:^#|&)invite=([^&]+)/.exec(hash);
  return m ? decodeURIComponent(m[1]!) : undefined;
}

/** `alice` becomes `alice@domain`; a full `name@host` stays as typed (lower-cased). */
export function fullAccount(typed: string, domain: string | undefined): string {
  const v = typed.trim().toLowerCase();
  return v.includes('@') || !domain ? v : `${v}@${domain}`;
}

export function FirstRun({ bridge, onReady }: { bridge: Bridge; onReady: (b: Boot) => void }) {
  const t = useT();
  const [mode, setMode] = useState<Mode>('register');
  const [domain, setDomain] = useState<string | undefined>();
  useEffect(() => {
    fetchServerInfo().then(
      (i) => setDomain(i?.domain),
      () => undefined,
    );
  }, []);
  return (
    <main className="first-run">
      <h1>{t('firstRun.title')}</h1>
      <p className="lead">{t('firstRun.lead')}</p>
      <div role="tablist" aria-label={t('firstRun.title')} className="tabs">
        {(['register', 'link', 'protected'] as const).map((m) => (
          <button key={m} role="tab" type="button" aria-selected={mode === m} onClick={() => setMode(m)}>
            {t(`firstRun.tab.${m}`)}
          </button>
        ))}
      </div>
      <section role="tabpanel" aria-label={t(`firstRun.tab.${mode}`)}>
        {mode === 'register' && <Register bridge={bridge} onReady={onReady} domain={domain} />}
        {mode === 'link' && <Link bridge={bridge} onReady={onReady} domain={domain} />}
        {mode === 'protected' && <Protected />}
      </section>
    </main>
  );
}

function Register({ bridge, onReady, domain }: { bridge: Bridge; onReady: (b: Boot) => void; domain: string | undefined }) {
  const t = useT();
  const [account, setAccount] = useState('');
  const [invite, setInvite] = useState(() => inviteFromHash(location.hash) ?? '');
  const [deviceName, setDeviceName] = useState(() => t('firstRun.defaultDeviceName'));
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const boot = await bridge.api.register({
        account: fullAccount(account, domain),
        ...(invite.trim() ? { invite: invite.trim() } : {}),
        ...(deviceName.trim() ? { deviceName: deviceName.trim() } : {}),
        ...(passphrase ? { passphrase } : {}),
      });
      history.replaceState(null, '', location.pathname);
      onReady(boot);
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="stack" onSubmit={(e) => void submit(e)}>
      <label>
        {t('firstRun.account')}
        <span className="with-suffix">
          <input
            name="account"
            autoFocus
            required
            autoComplete="username"
            value={account}
            onChange={(e) => setAccount(e.target.value)}
            aria-describedby="account-hint"
          />
          {domain && !account.includes('@') && <span className="suffix">@{domain}</span>}
        </span>
      </label>
      <p id="account-hint" className="hint">
        {t('firstRun.accountHint')}
      </p>
      <label>
        {t('firstRun.invite')}
        <input name="invite" value={invite} onChange={(e) => setInvite(e.target.value)} autoComplete="off" />
      </label>
      <label>
        {t('firstRun.deviceName')}
        <input name="device-name" value={deviceName} onChange={(e) => setDeviceName(e.target.value)} maxLength={64} />
      </label>
      <label>
        {t('firstRun.passphrase')}
        <input
          name="passphrase"
          type="password"
          autoComplete="new-password"
          value={passphrase}
          onChange={(e) => setPassphrase(e.target.value)}
          aria-describedby="passphrase-hint"
        />
      </label>
      <p id="passphrase-hint" className="hint">
        {t('firstRun.passphraseHint')}
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy || !account.trim()}>
        {busy ? t('firstRun.creating') : t('firstRun.create')}
      </button>
    </form>
  );
}

function Link({ bridge, onReady, domain }: { bridge: Bridge; onReady: (b: Boot) => void; domain: string | undefined }) {
  const t = useT();
  const [account, setAccount] = useState('');
  const [shown, setShown] = useState<{ qr: string; code: string } | undefined>();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const offs = [
      bridge.on('linked', () => {
        void bridge.api.boot().then(onReady);
      }),
      bridge.on('link-failed', (e) => {
        setShown(undefined);
        setError(errorText(t, e));
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [bridge, onReady, t]);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const l = await bridge.api.beginLink({ account: fullAccount(account, domain), deviceName: t('firstRun.defaultDeviceName') });
      setShown(l);
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  }
  if (shown)
    return (
      <div className="stack link-show">
        <p>{t('firstRun.linkShow')}</p>
        <Qr text={shown.qr} label={t('firstRun.linkQrLabel')} />
        <p>
          {t('firstRun.linkCode')}{' '}
          <strong className="code" data-testid="link-code">
            {shown.code}
          </strong>
        </p>
        <details>
          <summary>{t('firstRun.linkText')}</summary>
          <textarea readOnly value={shown.qr} aria-label={t('firstRun.linkText')} data-testid="link-text" rows={4} />
        </details>
        <p className="hint" aria-live="polite">
          {t('firstRun.linkWaiting')}
        </p>
      </div>
    );
  return (
    <form className="stack" onSubmit={(e) => void submit(e)}>
      <label>
        {t('firstRun.account')}
        <input name="link-account" required value={account} onChange={(e) => setAccount(e.target.value)} autoComplete="username" />
      </label>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy || !account.trim()}>
        {t('firstRun.linkStart')}
      </button>
    </form>
  );
}
