// One contact's safety panel (inside a conversation's details): the safety number as digits and QR code, comparing it
// by scanning or typing, the verified mark, a waiting key change, and block / unblock.

import type { ContactInfo, SafetyComparison, SafetyNumber } from '@sotto/client';
import { type FormEvent, useCallback, useEffect, useId, useState } from 'react';
import { useLang, useT } from '../i18n/i18n.js';
import { errorText } from '../ui/errors.js';
import { Qr } from '../ui/Qr.js';
import { QrScanner } from '../ui/QrScanner.js';
import { useSession } from './session.js';
import { useAction } from '../ui/use-action.js';

/** The QR text of a safety number, as the CLI shows it: `sotto-safety:1:` then the payload in base64url. */
const QR_PREFIX = 'sotto-safety:1:';

function toB64Url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromB64Url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** What a scan yields, as the SDK compares it: the QR payload bytes, or digits (a QR of the plain number). */
function scannedInput(text: string): Uint8Array | string | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith(QR_PREFIX)) return fromB64Url(trimmed.slice(QR_PREFIX.length));
  if (/^[\d\s-]+$/.test(trimmed)) return trimmed;
  return undefined;
}

type Confirm = 'block' | 'unblock' | undefined;

export function SafetyPanel({ account }: { account: string }) {
  const t = useT();
  const lang = useLang();
  const { api, bridge, refreshConversations, update } = useSession();
  const headingId = useId();
  const typedId = useId();
  const [sn, setSn] = useState<SafetyNumber | undefined>();
  const [contact, setContact] = useState<ContactInfo | undefined>();
  const [comparison, setComparison] = useState<SafetyComparison | undefined>();
  const [typed, setTyped] = useState('');
  const [confirm, setConfirm] = useState<Confirm>();
  const { busy, error, setError, run } = useAction((e) => errorText(t, e));

  const load = useCallback(async () => {
    const [number, contacts] = await Promise.all([api.safetyNumber(account), api.listContacts()]);
    setSn(number);
    setContact(contacts.find((c) => c.account === account));
    update((s) => ({ contactsVersion: s.contactsVersion + 1 }));
  }, [api, account, update]);

  useEffect(() => {
    load().catch((e: unknown) => setError(errorText(t, e)));
    // A key change of this contact: the number and its status change with it.
    return bridge.on('key-change', (w) => {
      if (w.account === account) load().catch(() => undefined);
    });
  }, [load, bridge, account, t]);

  const compare = (input: Uint8Array | string | undefined) =>
    run(async () => {
      if (input === undefined) {
        setComparison('malformed');
        return;
      }
      const r = await api.verifySafetyNumber(account, input);
      setComparison(r);
      if (r === 'match') await load();
    });

  const onTyped = (e: FormEvent) => {
    e.preventDefault();
    void compare(scannedInput(typed));
  };

  const pending = contact?.pendingKey !== undefined;
  const verified = contact?.verified === true && !pending;
  const blocked = contact?.blocked === true;

  return (
    <section className="safety card stack" aria-labelledby={headingId} data-testid="safety-panel" data-account={account}>
      <h3 id={headingId}>{t('safety.title', { account })}</h3>

      <p className={verified ? 'tag ok' : pending ? 'tag warn' : 'tag'} data-testid="safety-status" data-verified={String(verified)}>
        {pending ? t('safety.statusKeyChanged') : verified ? t('safety.statusVerified') : t('safety.statusNotVerified')}
      </p>
      {blocked && (
        <p className="tag warn" data-testid="safety-blocked">
          {t('safety.statusBlocked')}
        </p>
      )}

      {pending && (
        <div className="notice warn stack" role="status" data-testid="key-change">
          <p>
            {contact?.keyChangedAt
              ? t('safety.keyChangedAt', {
                  account,
                  date: new Date(contact.keyChangedAt).toLocaleString(lang, { dateStyle: 'medium', timeStyle: 'short' }),
                })
              : t('safety.keyChanged', { account })}
          </p>
          <p>{t('safety.keyChangedAdvice', { account })}</p>
          <button
            type="button"
            disabled={busy}
            data-testid="accept-key"
            onClick={() => void run(() => api.acceptKeyChange(account).then(load))}
          >
            {t('safety.acceptKey')}
          </button>
        </div>
      )}

      {sn ? (
        <>
          <p className="hint">{t('safety.explain', { account })}</p>
          <p
            className="safety-number"
            data-testid="safety-number"
            data-digits={sn.digits}
            aria-label={t('safety.numberLabel', { digits: sn.display })}
          >
            {[0, 4, 8].map((i) => (
              <span key={i} className="safety-row">
                {sn.groups.slice(i, i + 4).map((g, j) => (
                  <code key={j}>{g}</code>
                ))}
              </span>
            ))}
          </p>
          <div data-testid="safety-qr" data-qr={`${QR_PREFIX}${toB64Url(sn.qrPayload)}`}>
            <Qr text={`${QR_PREFIX}${toB64Url(sn.qrPayload)}`} label={t('safety.qrLabel', { account })} />
          </div>
        </>
      ) : (
        !error && (
          <p className="hint" aria-busy="true">
            {t('safety.loading')}
          </p>
        )
      )}

      <h4>{t('safety.compareTitle')}</h4>
      <QrScanner label={t('safety.scan')} onResult={(text) => void compare(scannedInput(text))} />
      <form className="stack" onSubmit={onTyped}>
        <label htmlFor={typedId}>{t('safety.typeLabel')}</label>
        <input
          id={typedId}
          inputMode="numeric"
          autoComplete="off"
          value={typed}
          data-testid="safety-typed"
          onChange={(e) => setTyped(e.target.value)}
        />
        <button type="submit" disabled={busy || typed.trim() === ''} data-testid="safety-compare">
          {t('safety.compare')}
        </button>
      </form>
      {comparison && <ComparisonResult result={comparison} account={account} />}

      <h4>{t('safety.markTitle')}</h4>
      {verified ? (
        <button
          type="button"
          disabled={busy}
          data-testid="unmark-verified"
          onClick={() => {
            setComparison(undefined);
            void run(() => api.markVerified(account, false).then(load));
          }}
        >
          {t('safety.unmark')}
        </button>
      ) : (
        <>
          <p className="hint">{pending ? t('safety.markHintPending') : t('safety.markHint')}</p>
          <button
            type="button"
            disabled={busy}
            data-testid="mark-verified"
            onClick={() => {
              setComparison(undefined);
              void run(() => api.markVerified(account, true).then(load));
            }}
          >
            {t('safety.mark')}
          </button>
        </>
      )}

      <h4>{t('safety.blockTitle')}</h4>
      {confirm ? (
        <div
          className="confirm stack"
          role="group"
          aria-label={confirm === 'block' ? t('safety.block', { account }) : t('safety.unblock', { account })}
        >
          <p>{confirm === 'block' ? t('safety.confirmBlock', { account }) : t('safety.confirmUnblock', { account })}</p>
          <button
            type="button"
            className={confirm === 'block' ? 'danger' : ''}
            disabled={busy}
            data-testid={confirm === 'block' ? 'confirm-block' : 'confirm-unblock'}
            onClick={() =>
              void run(async () => {
                if (confirm === 'block') await api.block(account);
                else await api.unblock(account);
                setConfirm(undefined);
                await load();
                await refreshConversations();
              })
            }
          >
            {confirm === 'block' ? t('safety.blockYes') : t('safety.unblockYes')}
          </button>
          <button type="button" onClick={() => setConfirm(undefined)}>
            {t('safety.cancel')}
          </button>
        </div>
      ) : blocked ? (
        <button type="button" disabled={busy} data-testid="unblock" onClick={() => setConfirm('unblock')}>
          {t('safety.unblock', { account })}
        </button>
      ) : (
        <button type="button" className="danger" disabled={busy} data-testid="block" onClick={() => setConfirm('block')}>
          {t('safety.block', { account })}
        </button>
      )}

      {error && (
        <p role="alert" className="error" data-testid="safety-error">
          {error}
        </p>
      )}
    </section>
  );
}

function ComparisonResult({ result, account }: { result: SafetyComparison; account: string }) {
  const t = useT();
  const ok = result === 'match';
  const text =
    result === 'match'
      ? t('safety.match', { account })
      : result === 'mismatch'
        ? t('safety.mismatch', { account })
        : result === 'version-mismatch'
          ? t('safety.versionMismatch')
          : t('safety.malformed');
  return (
    <p role={ok ? 'status' : 'alert'} className={`tag ${ok ? 'ok' : 'warn'}`} data-testid="safety-comparison" data-result={result}>
      {ok ? '✓ ' : '✗ '}
      {text}
    </p>
  );
}
