// The operator's screen at /admin: asks for an admin token (kept in sessionStorage only), then shows one of three
// sections: the moderation queue (AdminQueue.tsx), the lawful-request register (LawfulList.tsx and the pages it opens)
// and the transparency report (Transparency.tsx), each at its own path (admin-route.tsx). Loaded as its own chunk by
// main.tsx; it takes no Web Lock and starts no worker. The clock the pages read is passed down from here.

import { type FormEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useLang } from '../i18n/i18n.js';
import { type AdminHttp, adminHttp } from './admin-api.js';
import { type AdminT, useAdminT } from './admin-strings.js';
import { AdminLink, type AdminRoute, type Go, useAdminRoute } from './admin-route.js';
import { forgetAdminToken, looksLikeAdminToken, saveAdminToken, savedAdminToken } from './admin-token.js';
import { AdminQueue } from './AdminQueue.js';
import { LawfulIntake } from './LawfulIntake.js';
import { LawfulList } from './LawfulList.js';
import { LawfulRequest } from './LawfulRequest.js';
import { Transparency } from './Transparency.js';

const now = () => Date.now();

export function AdminApp() {
  const t = useAdminT();
  const [token, setToken] = useState<string | undefined>(savedAdminToken);
  const [refused, setRefused] = useState(false);
  const http = useMemo(() => (token ? adminHttp(token) : undefined), [token]);
  const [route, go] = useAdminRoute();

  const lang = useLang();
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = `Sotto: ${t('admin.title')}`;
  }, [lang, t]);

  const signOut = useCallback((why?: 'refused') => {
    forgetAdminToken();
    setToken(undefined);
    setRefused(why === 'refused');
  }, []);
  const onUnauthorized = useCallback(() => signOut('refused'), [signOut]);

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
      {http && <AdminNav t={t} route={route} go={go} />}
      <main id="admin-main" className="admin-main">
        {http ? (
          <AdminPage http={http} route={route} go={go} onUnauthorized={onUnauthorized} />
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

type Section = 'reports' | 'requests' | 'transparency';

const sectionOf = (r: AdminRoute): Section => (r.page === 'reports' ? 'reports' : r.page === 'transparency' ? 'transparency' : 'requests');

function AdminNav({ t, route, go }: { t: AdminT; route: AdminRoute; go: Go }) {
  const here = sectionOf(route);
  const item = (s: Section, to: AdminRoute) => (
    <li>
      <AdminLink to={to} go={go} current={here === s} className="admin-nav-link" testId={`admin-nav-${s}`}>
        {t(`admin.nav.${s}`)}
      </AdminLink>
    </li>
  );
  return (
    <nav className="admin-nav" aria-label={t('admin.nav')}>
      <ul className="plain">
        {item('reports', { page: 'reports' })}
        {item('requests', { page: 'requests' })}
        {item('transparency', { page: 'transparency' })}
      </ul>
    </nav>
  );
}

function AdminPage(p: { http: AdminHttp; route: AdminRoute; go: Go; onUnauthorized: () => void }) {
  const { http, route, go, onUnauthorized } = p;
  switch (route.page) {
    case 'reports':
      return <AdminQueue http={http} onUnauthorized={onUnauthorized} />;
    case 'requests':
      return <LawfulList http={http} go={go} onUnauthorized={onUnauthorized} />;
    case 'intake':
      return <LawfulIntake http={http} go={go} now={now} onUnauthorized={onUnauthorized} />;
    case 'request':
      return <LawfulRequest key={route.id} http={http} id={route.id} go={go} onUnauthorized={onUnauthorized} />;
    case 'transparency':
      return <Transparency http={http} now={now} onUnauthorized={onUnauthorized} />;
  }
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
