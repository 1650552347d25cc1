// The operator's moderation screen at /admin: asks for an admin token (kept in sessionStorage only), then shows the
// moderation queue (AdminQueue.tsx). Loaded as its own chunk by main.tsx; it takes no Web Lock and starts no worker.

import { type FormEvent, useEffect, useMemo, useRef, useState } from 'react';
import { useLang } from '../i18n/i18n.js';
import { adminHttp } from './admin-api.js';
import { type AdminT, useAdminT } from './admin-strings.js';
import { forgetAdminToken, looksLikeAdminToken, saveAdminToken, savedAdminToken } from './admin-token.js';
import { AdminQueue } from './AdminQueue.js';

export function AdminApp() {
  const t = useAdminT();
  const [token, setToken] = useState<string | undefined>(savedAdminToken);
  const [refused, setRefused] = useState(false);
  const http = useMemo(() => (token ? adminHttp(token) : undefined), [token]);

  const lang = useLang();
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = `Sotto: ${t('admin.title')}`;
  }, [lang, t]);

  const signOut = (why?: 'refused') => {
    forgetAdminToken();
    setToken(undefined);
    setRefused(why === 'refused');
  };

  return (
    <div className="admin">
      <a href="#admin-main" className="skip">
        {t('admin.skip')}
      </a>
      <header className="admin-header">
        <h1>{t('admin.title')}</h1>
        {http && (
          <button type="button" onClick={() => signOut()} data-testid="admin-sign-out">
            {t('admin.signOut')}
          </button>
        )}
      </header>
      <main id="admin-main" className="admin-main">
        {http ? (
          <AdminQueue http={http} onUnauthorized={() => signOut('refused')} />
        ) : (
          <TokenGate
            t={t}
            refused={refused}
            onToken={(tok) => {
              saveAdminToken(tok);
              setRefused(false);
              setToken(tok);
            }}
          />
        )}
      </main>
    </div>
  );
}

function TokenGate({ t, refused, onToken }: { t: AdminT; refused: boolean; onToken: (token: string) => void }) {
  const [value, setValue] = useState('');
  const [shapeError, setShapeError] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const tok = value.trim();
    if (!looksLikeAdminToken(tok)) {
      setShapeError(true);
      return;
    }
    onToken(tok);
  };
  return (
    <form className="stack admin-gate" onSubmit={submit} data-testid="admin-gate">
      <h2 ref={headingRef} tabIndex={-1}>
        {t('admin.tokenTitle')}
      </h2>
      <p className="hint">{t('admin.tokenIntro')}</p>
      <label>
        {t('admin.token')}
        <input
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={value}
          onChange={(e) => {
            setValue(e.target.value);
            setShapeError(false);
          }}
          aria-invalid={shapeError}
          data-testid="admin-token"
        />
      </label>
      {shapeError && (
        <p role="alert" className="error">
          {t('admin.tokenShape')}
        </p>
      )}
      {refused && (
        <p role="alert" className="error" data-testid="admin-refused">
          {t('admin.unauthorized')}
        </p>
      )}
      <div className="row">
        <button type="submit" disabled={!value.trim()}>
          {t('admin.signIn')}
        </button>
      </div>
    </form>
  );
}
