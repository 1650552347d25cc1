// Where the operator is in /admin, kept in the URL's path so that a reload or the Back button lands on the same page:
// /admin (the moderation queue), /admin/requests, /admin/requests/new, /admin/requests/<id>, /admin/transparency.

import { type MouseEvent, type ReactNode, useCallback, useEffect, useState } from 'react';

export type AdminRoute =
  { page: 'reports' } | { page: 'requests' } | { page: 'intake' } | { page: 'request'; id: string } | { page: 'transparency' };

export type Go = (route: AdminRoute) => void;

/** The route a path names; anything unknown under /admin is the moderation queue. */
export function parseAdminPath(path: string): AdminRoute {
  const parts = path.replace(/\/+$/, '').split('/').slice(2);
  if (parts[0] === 'transparency' && parts.length === 1) return { page: 'transparency' };
  if (parts[0] === 'requests') {
    if (parts.length === 1) return { page: 'requests' };
    if (parts.length === 2 && parts[1] === 'new') return { page: 'intake' };
    if (parts.length === 2 && parts[1]) return { page: 'request', id: decodeURIComponent(parts[1]) };
  }
  return { page: 'reports' };
}

export function adminPath(r: AdminRoute): string {
  switch (r.page) {
    case 'reports':
      return '/admin';
    case 'requests':
      return '/admin/requests';
    case 'intake':
      return '/admin/requests/new';
    case 'request':
      return `/admin/requests/${encodeURIComponent(r.id)}`;
    case 'transparency':
      return '/admin/transparency';
  }
}

/** The current route and a `go` that pushes a new one into the history (Back returns to the one before). */
export function useAdminRoute(): [AdminRoute, Go] {
  const [route, setRoute] = useState<AdminRoute>(() => parseAdminPath(location.pathname));
  useEffect(() => {
    const onPop = () => setRoute(parseAdminPath(location.pathname));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  const go = useCallback<Go>((r) => {
    const path = adminPath(r);
    if (path !== location.pathname) history.pushState(null, '', path);
    setRoute(r);
  }, []);
  return [route, go];
}

/** A real link (it opens in a new tab too) that a plain click follows without reloading the page. */
export function AdminLink(p: {
  to: AdminRoute;
  go: Go;
  children: ReactNode;
  current?: boolean;
  label?: string;
  testId?: string;
  className?: string;
}) {
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    p.go(p.to);
  };
  return (
    <a
      href={adminPath(p.to)}
      onClick={click}
      aria-current={p.current ? 'page' : undefined}
      aria-label={p.label}
      data-testid={p.testId}
      className={p.className}
    >
      {p.children}
    </a>
  );
}
