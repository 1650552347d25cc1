// Settings: privacy (receipts, typing), appearance (theme, language), desktop notifications, this device, and erasing
// this browser's profile.

import type { ClientSettings } from '@sotto/client';
import { useEffect, useId, useState } from 'react';
import { type Lang, useLang, useT } from '../i18n/i18n.js';
import { errorText } from '../ui/errors.js';
import { applyTheme, savedTheme, type Theme } from '../ui/theme.js';
import { LangContextSetter } from './App.js';
import { useSession } from './session.js';

type PrivacyKey = 'sendDeliveryReceipts' | 'sendReadReceipts' | 'sendTyping';
const PRIVACY: ReadonlyArray<{
  key: PrivacyKey;
  label: 'settings.deliveryReceipts' | 'settings.readReceipts' | 'settings.typing';
  hint: 'settings.deliveryReceiptsHint' | 'settings.readReceiptsHint' | 'settings.typingHint';
}> = [
  { key: 'sendDeliveryReceipts', label: 'settings.deliveryReceipts', hint: 'settings.deliveryReceiptsHint' },
  { key: 'sendReadReceipts', label: 'settings.readReceipts', hint: 'settings.readReceiptsHint' },
  { key: 'sendTyping', label: 'settings.typing', hint: 'settings.typingHint' },
];
const THEMES: ReadonlyArray<{ value: Theme; label: 'settings.themeLight' | 'settings.themeDark' | 'settings.themeSystem' }> = [
  { value: 'light', label: 'settings.themeLight' },
  { value: 'dark', label: 'settings.themeDark' },
  { value: 'system', label: 'settings.themeSystem' },
];
/** Each language named in itself, so anyone can find theirs. */
const LANGUAGES: ReadonlyArray<{ value: Lang; name: string }> = [
  { value: 'en', name: 'English' },
  { value: 'fr', name: 'Français' },
];

export function Settings() {
  const t = useT();
  return (
    <section className="settings stack" aria-labelledby="settings-title">
      <h2 id="settings-title" tabIndex={-1}>
        {t('settings.title')}
      </h2>
      <Privacy />
      <Appearance />
      <Notifications />
      <ThisDevice />
    </section>
  );
}

function Privacy() {
  const t = useT();
  const { state, api, update } = useSession();
  const [saving, setSaving] = useState<PrivacyKey | undefined>();
  const [error, setError] = useState('');
  const save = async (key: PrivacyKey, value: boolean) => {
    setError('');
    setSaving(key);
    // Shown at once (a controlled checkbox would otherwise flip back until the worker answers).
    update((s) => ({ settings: { ...s.settings, [key]: value } }));
    try {
      const patch: Partial<ClientSettings> = { [key]: value };
      const result = await api.updateSettings(patch);
      update({ settings: result });
    } catch (e) {
      update((s) => ({ settings: { ...s.settings, [key]: !value } }));
      setError(errorText(t, e));
    } finally {
      setSaving(undefined);
    }
  };
  return (
    <fieldset className="card stack">
      <legend>
        <h3>{t('settings.privacy')}</h3>
      </legend>
      {PRIVACY.map(({ key, label, hint }) => (
        <div key={key} className="field">
          <label>
            <input
              type="checkbox"
              checked={state.settings[key]}
              disabled={saving === key}
              aria-describedby={`settings-${key}-hint`}
              data-testid={`setting-${key}`}
              onChange={(e) => void save(key, e.target.checked)}
            />{' '}
            {t(label)}
          </label>
          <p id={`settings-${key}-hint`} className="hint">
            {t(hint)}
          </p>
        </div>
      ))}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </fieldset>
  );
}

function Appearance() {
  const t = useT();
  const lang = useLang();
  const langId = useId();
  const [theme, setTheme] = useState<Theme>(savedTheme);
  // While "system" is chosen, follow the system's changes.
  useEffect(() => {
    if (theme !== 'system') return;
    const mq = matchMedia('(prefers-color-scheme: dark)');
    const follow = () => applyTheme('system');
    mq.addEventListener('change', follow);
    return () => mq.removeEventListener('change', follow);
  }, [theme]);
  return (
    <section className="card stack" aria-labelledby="settings-appearance">
      <h3 id="settings-appearance">{t('settings.appearance')}</h3>
      <fieldset>
        <legend>{t('settings.theme')}</legend>
        {THEMES.map(({ value, label }) => (
          <label key={value}>
            <input
              type="radio"
              name="theme"
              value={value}
              checked={theme === value}
              data-testid={`theme-${value}`}
              onChange={() => {
                applyTheme(value);
                setTheme(value);
              }}
            />{' '}
            {t(label)}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={langId}>{t('settings.language')}</label>{' '}
        <select
          id={langId}
          value={lang}
          data-testid="language"
          onChange={(e) => LangContextSetter.set(e.target.value === 'fr' ? 'fr' : 'en')}
        >
          {LANGUAGES.map(({ value, name }) => (
            <option key={value} value={value} lang={value}>
              {name}
            </option>
          ))}
        </select>
      </div>
    </section>
  );
}

type Permission = NotificationPermission | 'unsupported';

function currentPermission(): Permission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

function Notifications() {
  const t = useT();
  const [permission, setPermission] = useState<Permission>(currentPermission);
  const [wanted, setWanted] = useState(() => localStorage.getItem('sotto.notifications') === 'on');
  const [asking, setAsking] = useState(false);

  // The user may change the permission in the browser's site settings while the page is open.
  useEffect(() => {
    let status: PermissionStatus | undefined;
    const follow = () => setPermission(currentPermission());
    navigator.permissions
      ?.query({ name: 'notifications' })
      .then((s) => {
        status = s;
        s.addEventListener('change', follow);
      })
      .catch(() => undefined);
    return () => status?.removeEventListener('change', follow);
  }, []);

  const store = (on: boolean) => {
    localStorage.setItem('sotto.notifications', on ? 'on' : 'off');
    setWanted(on);
  };

  const toggle = async (on: boolean) => {
    if (!on) return store(false);
    if (typeof Notification === 'undefined') return;
    let p = Notification.permission;
    if (p === 'default') {
      setAsking(true);
      try {
        p = await Notification.requestPermission();
      } finally {
        setAsking(false);
      }
    }
    setPermission(p);
    store(p === 'granted');
  };

  const enabled = wanted && permission === 'granted';
  const stateText =
    permission === 'unsupported'
      ? t('settings.notifUnsupported')
      : permission === 'denied'
        ? t('settings.notifDenied')
        : permission === 'granted'
          ? enabled
            ? t('settings.notifOn')
            : t('settings.notifGrantedOff')
          : t('settings.notifDefault');

  return (
    <section className="card stack" aria-labelledby="settings-notifications">
      <h3 id="settings-notifications">{t('settings.notifications')}</h3>
      <label>
        <input
          type="checkbox"
          checked={enabled}
          disabled={permission === 'unsupported' || permission === 'denied' || asking}
          aria-describedby="settings-notif-state"
          data-testid="notifications"
          onChange={(e) => void toggle(e.target.checked)}
        />{' '}
        {t('settings.notifToggle')}
      </label>
      <p
        id="settings-notif-state"
        className={permission === 'denied' ? 'hint warn' : 'hint'}
        data-testid="notifications-state"
        data-permission={permission}
      >
        {stateText}
      </p>
      <p className="hint">{t('settings.notifPrivacy')}</p>
    </section>
  );
}

function ThisDevice() {
  const t = useT();
  const { state, api } = useSession();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const wipe = async () => {
    setError('');
    setBusy(true);
    try {
      await api.wipe();
      location.reload();
    } catch (e) {
      setError(errorText(t, e));
      setBusy(false);
    }
  };
  return (
    <section className="card stack" aria-labelledby="settings-device">
      <h3 id="settings-device">{t('settings.thisDevice')}</h3>
      <dl>
        <dt>{t('settings.account')}</dt>
        <dd data-testid="settings-account">{state.me.account}</dd>
        <dt>{t('settings.deviceId')}</dt>
        <dd>
          <code data-testid="settings-device-id">{state.me.deviceId}</code>
        </dd>
        <dt>{t('settings.deviceRole')}</dt>
        <dd>{state.me.isPrimary ? t('settings.primary') : t('settings.linked')}</dd>
        {state.me.serverUrl && (
          <>
            <dt>{t('settings.server')}</dt>
            <dd>{state.me.serverUrl}</dd>
          </>
        )}
      </dl>
      <h4>{t('settings.wipeTitle')}</h4>
      <p className="hint">{state.me.isPrimary ? t('settings.wipeHintPrimary') : t('settings.wipeHint')}</p>
      {confirming ? (
        <div className="confirm stack" role="group" aria-label={t('settings.wipeTitle')}>
          <p role="alert" className="danger">
            {t('settings.wipeConfirm')}
          </p>
          <button type="button" className="danger" disabled={busy} aria-busy={busy} data-testid="wipe-confirm" onClick={() => void wipe()}>
            {busy ? t('settings.wiping') : t('settings.wipeYes')}
          </button>
          <button type="button" disabled={busy} onClick={() => setConfirming(false)}>
            {t('settings.cancel')}
          </button>
        </div>
      ) : (
        <button type="button" className="danger" data-testid="wipe" onClick={() => setConfirming(true)}>
          {t('settings.wipe')}
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
