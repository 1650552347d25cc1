// This account's devices: names and dates, rename, unlink (from the primary device), and linking a new device by
// scanning or pasting its link QR and confirming its code.

import type { DeviceInfo } from '@sotto/client';
import { type FormEvent, useCallback, useEffect, useId, useState } from 'react';
import { useLang, useT } from '../i18n/i18n.js';
import { errorText } from '../ui/errors.js';
import { QrScanner } from '../ui/QrScanner.js';
import { useSession } from './session.js';

/** At most this many characters in a device name (the SDK and the server check it too). */
const NAME_MAX = 64;

export function Devices() {
  const t = useT();
  const { api, state } = useSession();
  const [devices, setDevices] = useState<DeviceInfo[] | undefined>();
  const [error, setError] = useState('');

  const load = useCallback(async () => {
    try {
      setDevices(await api.listDevices());
    } catch (e) {
      setError(errorText(t, e));
    }
  }, [api, t]);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section className="devices stack" aria-labelledby="devices-title">
      <h2 id="devices-title" tabIndex={-1}>
        {t('devices.title')}
      </h2>
      <p className="hint">{state.me.isPrimary ? t('devices.introPrimary') : t('devices.introLinked')}</p>
      {error && (
        <p role="alert" className="error" data-testid="devices-error">
          {error}
        </p>
      )}
      {devices === undefined ? (
        !error && (
          <p className="hint" aria-busy="true">
            {t('devices.loading')}
          </p>
        )
      ) : (
        <ul className="device-list stack" aria-label={t('devices.listLabel')} data-testid="device-list">
          {devices.map((d) => (
            <DeviceRow key={d.deviceId} device={d} onChanged={load} />
          ))}
        </ul>
      )}
      <LinkDevice onLinked={load} />
    </section>
  );
}

function DeviceRow({ device, onChanged }: { device: DeviceInfo; onChanged: () => Promise<void> }) {
  const t = useT();
  const lang = useLang();
  const { api, state } = useSession();
  const nameId = useId();
  const [mode, setMode] = useState<'view' | 'rename' | 'unlink'>('view');
  const [name, setName] = useState(device.name);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const run = async (f: () => Promise<unknown>) => {
    setError('');
    setBusy(true);
    try {
      await f();
      setMode('view');
      await onChanged();
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  const rename = (e: FormEvent) => {
    e.preventDefault();
    void run(() => api.renameDevice(device.deviceId, name));
  };

  const title = device.name || t('devices.unnamed');
  const added =
    device.addedAt !== undefined
      ? new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeStyle: 'short' }).format(new Date(device.addedAt))
      : undefined;

  return (
    <li className="card stack" data-testid="device" data-device-id={device.deviceId} data-current={String(device.current)}>
      <p>
        <strong data-testid="device-name">{title}</strong>{' '}
        {device.current && (
          <span className="tag ok" data-testid="this-device">
            {t('devices.thisDevice')}
          </span>
        )}
      </p>
      <p className="hint">
        {t('devices.id')} <code>{device.deviceId}</code>
        {added && (
          <>
            {' · '}
            {t('devices.added', { date: added })}
          </>
        )}
      </p>

      {mode === 'rename' && (
        <form className="stack" onSubmit={rename}>
          <label htmlFor={nameId}>{t('devices.newName')}</label>
          <input
            id={nameId}
            value={name}
            maxLength={NAME_MAX}
            autoComplete="off"
            data-testid="device-name-input"
            autoFocus
            onChange={(e) => setName(e.target.value)}
          />
          <span>
            <button type="submit" disabled={busy} data-testid="device-rename-save">
              {t('devices.save')}
            </button>{' '}
            <button
              type="button"
              disabled={busy}
              onClick={() => {
                setName(device.name);
                setMode('view');
              }}
            >
              {t('devices.cancel')}
            </button>
          </span>
        </form>
      )}

      {mode === 'unlink' && (
        <div className="confirm stack" role="group" aria-label={t('devices.unlinkLabel', { name: title })}>
          <p>{t('devices.unlinkConfirm', { name: title })}</p>
          <span>
            <button
              type="button"
              className="danger"
              disabled={busy}
              aria-busy={busy}
              data-testid="device-unlink-confirm"
              onClick={() => void run(() => api.unlinkDevice(device.deviceId))}
            >
              {busy ? t('devices.unlinking') : t('devices.unlinkYes')}
            </button>{' '}
            <button type="button" disabled={busy} onClick={() => setMode('view')}>
              {t('devices.cancel')}
            </button>
          </span>
        </div>
      )}

      {mode === 'view' && (
        <span>
          <button
            type="button"
            aria-label={t('devices.renameLabel', { name: title })}
            data-testid="device-rename"
            onClick={() => setMode('rename')}
          >
            {t('devices.rename')}
          </button>{' '}
          {!device.current && state.me.isPrimary && (
            <button
              type="button"
              className="danger"
              aria-label={t('devices.unlinkLabel', { name: title })}
              data-testid="device-unlink"
              onClick={() => setMode('unlink')}
            >
              {t('devices.unlink')}
            </button>
          )}
        </span>
      )}
      {mode === 'view' && !device.current && !state.me.isPrimary && <p className="hint">{t('devices.unlinkFromPrimary')}</p>}

      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </li>
  );
}

type LinkStep =
  | { kind: 'input' }
  | { kind: 'confirm'; text: string; deviceId: string; code: string }
  | { kind: 'approving'; deviceId: string; code: string }
  | { kind: 'done'; deviceId: string; conversations: number };

function LinkDevice({ onLinked }: { onLinked: () => Promise<void> }) {
  const t = useT();
  const { api, state, refreshConversations } = useSession();
  const pasteId = useId();
  const typedId = useId();
  const [step, setStep] = useState<LinkStep>({ kind: 'input' });
  const [pasted, setPasted] = useState('');
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  if (!state.me.isPrimary)
    return (
      <section className="card stack" aria-labelledby="link-title">
        <h3 id="link-title">{t('devices.linkTitle')}</h3>
        <p className="hint">{t('devices.linkFromPrimary')}</p>
      </section>
    );

  const inspect = async (text: string) => {
    setError('');
    setBusy(true);
    try {
      const r = await api.inspectLink(text.trim());
      setTyped('');
      setStep({ kind: 'confirm', text: text.trim(), deviceId: r.deviceId, code: r.code });
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  const approve = async (s: Extract<LinkStep, { kind: 'confirm' }>, code: string) => {
    setError('');
    setStep({ kind: 'approving', deviceId: s.deviceId, code: s.code });
    try {
      const r = await api.approveLink(s.text, { code });
      setStep({ kind: 'done', deviceId: r.deviceId, conversations: r.conversations });
      setPasted('');
      await onLinked();
      await refreshConversations();
    } catch (e) {
      setError(errorText(t, e));
      setStep(s);
    }
  };

  const restart = () => {
    setError('');
    setPasted('');
    setTyped('');
    setStep({ kind: 'input' });
  };

  return (
    <section className="card stack" aria-labelledby="link-title" data-testid="link-device">
      <h3 id="link-title">{t('devices.linkTitle')}</h3>

      {step.kind === 'input' && (
        <>
          <p className="hint">{t('devices.linkIntro')}</p>
          <QrScanner label={t('devices.linkScan')} onResult={(text) => void inspect(text)} />
          <form
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              void inspect(pasted);
            }}
          >
            <label htmlFor={pasteId}>{t('devices.linkPaste')}</label>
            <textarea
              id={pasteId}
              rows={3}
              value={pasted}
              spellCheck={false}
              autoComplete="off"
              data-testid="link-text"
              onChange={(e) => setPasted(e.target.value)}
            />
            <button type="submit" disabled={busy || pasted.trim() === ''} aria-busy={busy} data-testid="link-inspect">
              {t('devices.linkContinue')}
            </button>
          </form>
        </>
      )}

      {step.kind === 'confirm' && (
        <div className="stack">
          <p>{t('devices.linkCompare')}</p>
          <p
            className="link-code"
            data-testid="link-code"
            data-code={step.code}
            aria-label={t('devices.linkCodeLabel', { code: step.code.split('').join(' ') })}
          >
            <code>{step.code}</code>
          </p>
          <p className="hint">
            {t('devices.linkDevice')} <code>{step.deviceId}</code>
          </p>
          <button type="button" data-testid="link-approve" onClick={() => void approve(step, step.code)}>
            {t('devices.linkMatch')}
          </button>
          <form
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              void approve(step, typed);
            }}
          >
            <label htmlFor={typedId}>{t('devices.linkType')}</label>
            <input
              id={typedId}
              value={typed}
              autoComplete="off"
              autoCapitalize="characters"
              spellCheck={false}
              data-testid="link-typed-code"
              onChange={(e) => setTyped(e.target.value)}
            />
            <button type="submit" disabled={typed.trim() === ''} data-testid="link-approve-typed">
              {t('devices.linkApproveTyped')}
            </button>
          </form>
          <p className="hint">{t('devices.linkNoMatch')}</p>
          <button type="button" onClick={restart}>
            {t('devices.cancel')}
          </button>
        </div>
      )}

      {step.kind === 'approving' && (
        <div className="stack" aria-busy="true">
          <p role="status" data-testid="link-progress">
            {t('devices.linkApproving', { id: step.deviceId })}
          </p>
          <progress aria-label={t('devices.linkApprovingLabel')} />
        </div>
      )}

      {step.kind === 'done' && (
        <div className="stack">
          <p role="status" className="tag ok" data-testid="link-done">
            {t('devices.linkDone', { id: step.deviceId, n: step.conversations })}
          </p>
          <button type="button" onClick={restart}>
            {t('devices.linkAnother')}
          </button>
        </div>
      )}

      {error && (
        <p role="alert" className="error" data-testid="link-error">
          {error}
        </p>
      )}
    </section>
  );
}
