// Logging a lawful request as it arrived (POST /v1/admin/requests, LawfulIntake): the instrument, who asks and under
// which reference, the accounts named and the categories of data asked for (those the server does not hold are marked
// so: the answer will say so in so many words), a court-ordered delay of the user notice, the preservation request it
// follows. On success the request's own page opens.

import {
  COUNTRY_CODE,
  decodeLawfulRequestDetail,
  LAWFUL_INSTRUMENTS,
  type LawfulInstrument,
  type LawfulIntake as Intake,
  MAX_LAWFUL_TEXT,
  MAX_REQUEST_ACCOUNTS,
  NOT_HELD_CATEGORIES,
  REQUEST_CATEGORIES,
  type RequestCategory,
  MAX_LAWFUL_NAME,
} from '@sotto/protocol';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useAction } from '../ui/use-action.js';
import type { AdminHttp } from './admin-api.js';
import { AdminLink, type Go } from './admin-route.js';
import { type AdminT, useAdminT } from './admin-strings.js';
import { adminErrorText } from './AdminQueue.js';
import { dayToMs, msToDay, splitList } from './lawful-format.js';

const notHeld = (c: RequestCategory) => (NOT_HELD_CATEGORIES as readonly string[]).includes(c);

interface Fields {
  instrument: LawfulInstrument;
  authority: string;
  country: string;
  reference: string;
  received: string;
  due: string;
  accounts: string;
  categories: RequestCategory[];
  noticeDelay: string;
  follows: string;
  note: string;
}

/** The form's fields as the intake body; a string naming the first problem when the form is not complete. */
function intakeOf(f: Fields, today: string, t: AdminT): Intake | string {
  const accounts = splitList(f.accounts);
  const country = f.country.trim().toUpperCase();
  if (!COUNTRY_CODE.test(country)) return t('lawful.err.country');
  if (accounts.length === 0 || accounts.length > MAX_REQUEST_ACCOUNTS) return t('lawful.err.accounts', { max: MAX_REQUEST_ACCOUNTS });
  if (f.categories.length === 0) return t('lawful.err.categories');
  const receivedAt = f.received === today ? undefined : dayToMs(f.received);
  if (receivedAt === null) return t('lawful.err.received');
  return {
    instrument: f.instrument,
    authority: f.authority.trim(),
    country,
    reference: f.reference.trim(),
    ...(receivedAt !== undefined ? { receivedAt } : {}),
    dueAt: dayToMs(f.due),
    accounts,
    categories: f.categories,
    noticeDelayUntil: dayToMs(f.noticeDelay),
    follows: f.follows.trim() || null,
    note: f.note.trim(),
  };
}

export function LawfulIntake(p: { http: AdminHttp; go: Go; now: () => number; onUnauthorized: () => void }) {
  const t = useAdminT();
  const today = msToDay(p.now());
  const [f, setF] = useState<Fields>({
    instrument: 'domestic-order',
    authority: '',
    country: '',
    reference: '',
    received: today,
    due: '',
    accounts: '',
    categories: [],
    noticeDelay: '',
    follows: '',
    note: '',
  });
  const set = <K extends keyof Fields>(k: K, v: Fields[K]) => setF((x) => ({ ...x, [k]: v }));
  const { busy, error, setError, run } = useAction((e) => adminErrorText(t, e, p.onUnauthorized));
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = intakeOf(f, today, t);
    if (typeof body === 'string') {
      setError(body);
      return;
    }
    void run(async () => {
      const r = await p.http.post('/v1/admin/requests', body, decodeLawfulRequestDetail);
      p.go({ page: 'request', id: r.id });
    });
  };

  const toggle = (c: RequestCategory, on: boolean) =>
    set('categories', on ? REQUEST_CATEGORIES.filter((x) => x === c || f.categories.includes(x)) : f.categories.filter((x) => x !== c));

  return (
    <form className="stack lawful-form" onSubmit={submit} aria-labelledby="lawful-intake-title" data-testid="lawful-intake">
      <div className="row">
        <AdminLink to={{ page: 'requests' }} go={p.go}>
          {t('lawful.back')}
        </AdminLink>
      </div>
      <h2 id="lawful-intake-title" ref={headingRef} tabIndex={-1}>
        {t('lawful.new')}
      </h2>
      <p className="hint">{t('lawful.intakeIntro')}</p>
      <label>
        {t('lawful.col.instrument')}
        <select
          value={f.instrument}
          onChange={(e) => set('instrument', e.target.value as LawfulInstrument)}
          data-testid="lawful-instrument"
        >
          {LAWFUL_INSTRUMENTS.map((i) => (
            <option key={i} value={i}>
              {t(`lawful.instrument.${i}`)}
            </option>
          ))}
        </select>
      </label>
      <div className="lawful-grid">
        <label>
          {t('lawful.authority')}
          <input required maxLength={MAX_LAWFUL_NAME} value={f.authority} onChange={(e) => set('authority', e.target.value)} />
        </label>
        <label>
          {t('lawful.country')}
          <input
            required
            maxLength={2}
            pattern="[A-Za-z]{2}"
            autoComplete="off"
            value={f.country}
            onChange={(e) => set('country', e.target.value.toUpperCase())}
            aria-describedby="lawful-country-hint"
          />
          <span id="lawful-country-hint" className="hint">
            {t('lawful.countryHint')}
          </span>
        </label>
        <label>
          {t('lawful.reference')}
          <input required maxLength={MAX_LAWFUL_NAME} value={f.reference} onChange={(e) => set('reference', e.target.value)} />
        </label>
        <label>
          {t('lawful.receivedDate')}
          <input type="date" required value={f.received} max={today} onChange={(e) => set('received', e.target.value)} />
        </label>
        <label>
          {t('lawful.dueDate')}
          <input type="date" value={f.due} onChange={(e) => set('due', e.target.value)} />
        </label>
        <label>
          {t('lawful.noticeDelay')}
          <input
            type="date"
            value={f.noticeDelay}
            onChange={(e) => set('noticeDelay', e.target.value)}
            aria-describedby="lawful-delay-hint"
          />
          <span id="lawful-delay-hint" className="hint">
            {t('lawful.noticeDelayHint')}
          </span>
        </label>
      </div>
      <label>
        {t('lawful.accounts')}
        <textarea
          required
          rows={3}
          spellCheck={false}
          value={f.accounts}
          onChange={(e) => set('accounts', e.target.value)}
          aria-describedby="lawful-accounts-hint"
          data-testid="lawful-accounts"
        />
        <span id="lawful-accounts-hint" className="hint">
          {t('lawful.accountsHint', { max: MAX_REQUEST_ACCOUNTS })}
        </span>
      </label>
      <fieldset className="lawful-categories" data-testid="lawful-categories">
        <legend>{t('lawful.categories')}</legend>
        {REQUEST_CATEGORIES.map((c) => (
          <label key={c}>
            <input type="checkbox" value={c} checked={f.categories.includes(c)} onChange={(e) => toggle(c, e.target.checked)} />
            <span>{c}</span>
            {notHeld(c) && <span className="tag warn">{t('lawful.notHeld')}</span>}
          </label>
        ))}
      </fieldset>
      <label>
        {t('lawful.follows')}
        <input
          value={f.follows}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => set('follows', e.target.value)}
          aria-describedby="lawful-follows-hint"
        />
        <span id="lawful-follows-hint" className="hint">
          {t('lawful.followsHint')}
        </span>
      </label>
      <label>
        {t('lawful.note')}
        <textarea rows={2} maxLength={MAX_LAWFUL_TEXT} value={f.note} onChange={(e) => set('note', e.target.value)} />
      </label>
      {error && (
        <p role="alert" className="error" data-testid="lawful-error">
          {error}
        </p>
      )}
      <div className="row">
        <button type="submit" disabled={busy} data-testid="lawful-submit">
          {t('lawful.log')}
        </button>
      </div>
    </form>
  );
}
