// What the server hands over once and keeps no copy of: the custodians' shares of a new preservation hold (each to be
// copied or saved for its custodian) and the signed disclosure package of an answer (saved as disclosure-<id>.json,
// with a short account of what it contains). Both live in this page's memory only; leaving or reloading drops them.

import { decodeDisclosurePackage, type DisclosurePackage, type LawfulPreserveResponse } from '@sotto/protocol';
import { useEffect, useMemo, useRef, useState } from 'react';
import { saveTextFile } from './admin-api.js';
import { type AdminT, useAdminT } from './admin-strings.js';
import { adminTime } from './AdminQueue.js';

const fileSafe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_');

export function SharesOnce({ shares, onDone }: { shares: LawfulPreserveResponse; onDone: () => void }) {
  const t = useAdminT();
  const [copied, setCopied] = useState('');
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), []);
  const { hold } = shares;
  const copy = (custodian: string, share: string) =>
    void navigator.clipboard.writeText(share).then(
      () => setCopied(t('lawful.shares.copied', { custodian })),
      () => setCopied(t('lawful.shares.copyFailed')),
    );
  return (
    <section className="stack card lawful-once" aria-labelledby="lawful-shares-title" data-testid="lawful-shares">
      <h3 id="lawful-shares-title" ref={headingRef} tabIndex={-1}>
        {t('lawful.shares.title', { id: hold.id })}
      </h3>
      <p className="notice warn" data-testid="lawful-shares-warning">
        <span>{t('lawful.shares.warning', { k: hold.threshold, n: hold.custodians.length })}</span>
      </p>
      <ul className="plain stack">
        {shares.shares.map((s) => (
          <li key={s.custodian} className="lawful-share" data-testid="lawful-share" data-custodian={s.custodian}>
            <label>
              {t('lawful.shares.for', { custodian: s.custodian })}
              <textarea readOnly rows={2} spellCheck={false} value={s.share} data-testid="lawful-share-text" />
            </label>
            <div className="row">
              <button type="button" onClick={() => copy(s.custodian, s.share)}>
                {t('lawful.shares.copy', { custodian: s.custodian })}
              </button>
              <button
                type="button"
                onClick={() => saveTextFile(`share-${fileSafe(hold.id)}-${fileSafe(s.custodian)}.txt`, `${s.share}\n`, 'text/plain')}
                data-testid="lawful-share-save"
              >
                {t('lawful.shares.save', { custodian: s.custodian })}
              </button>
            </div>
          </li>
        ))}
      </ul>
      <p role="status">{copied}</p>
      <div className="row">
        <button type="button" onClick={onDone} data-testid="lawful-shares-done">
          {t('lawful.shares.done')}
        </button>
      </div>
    </section>
  );
}

function accountLine(t: AdminT, a: DisclosurePackage['answer']['accounts'][number]): string {
  if (!a.found) return t('lawful.pkg.notFound', { account: a.account });
  const rows = a.tables.reduce((n, x) => n + x.rows.length, 0);
  return t('lawful.pkg.account', { account: a.account, tables: a.tables.length, rows });
}

export function DisclosureOnce({ id, text }: { id: string; text: string }) {
  const t = useAdminT();
  const pkg = useMemo(() => {
    try {
      return decodeDisclosurePackage(JSON.parse(text));
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }, [text]);
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), []);
  const name = `disclosure-${fileSafe(id)}.json`;
  return (
    <section className="stack card lawful-once" aria-labelledby="lawful-pkg-title" data-testid="lawful-package">
      <h3 id="lawful-pkg-title" ref={headingRef} tabIndex={-1}>
        {t('lawful.pkg.title')}
      </h3>
      <p className="notice warn">
        <span>{t('lawful.pkg.warning')}</span>
      </p>
      {typeof pkg === 'string' ? (
        <p role="alert" className="error">
          {t('lawful.pkg.unreadable', { why: pkg })}
        </p>
      ) : (
        <ul data-testid="lawful-package-summary">
          <li>{t('lawful.pkg.signed', { at: adminTime(pkg.generatedAt), domain: pkg.server.domain })}</li>
          <li>{t('lawful.pkg.decision', { decision: pkg.answer.decision })}</li>
          {pkg.answer.accounts.map((a) => (
            <li key={a.account}>{accountLine(t, a)}</li>
          ))}
          {pkg.answer.preserved && (
            <li>{t('lawful.pkg.preserved', { hold: pkg.answer.preserved.hold, n: pkg.answer.preserved.accounts.length })}</li>
          )}
          {pkg.answer.hold && <li>{t('lawful.pkg.hold', { hold: pkg.answer.hold.id, at: adminTime(pkg.answer.hold.expiresAt) })}</li>}
          {pkg.answer.notHeld.length > 0 && (
            <li>{t('lawful.pkg.notHeld', { categories: pkg.answer.notHeld.map((x) => x.category).join(', ') })}</li>
          )}
        </ul>
      )}
      <div className="row">
        <button
          type="button"
          className="primary"
          onClick={() => saveTextFile(name, text, 'application/json')}
          data-testid="lawful-package-save"
        >
          {t('lawful.pkg.save', { name })}
        </button>
      </div>
    </section>
  );
}
