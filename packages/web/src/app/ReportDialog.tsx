// The report dialog (docs/moderation.md): pick a category, optional words and earlier received messages, then review
// exactly what the operator will receive (the SDK's draft, built from the very bytes that are sent) before sending
// it, with or without blocking the sender. A modal <dialog>: focus moves into it and back to the opener on close.

import type { ReportDraft, StoredMessage } from '@sotto/client';
import { MAX_REPORT_PREVIOUS, MAX_REPORT_REASON_CHARS, REPORT_CATEGORIES, type ReportCategory } from '@sotto/protocol';
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { type Translate, useT } from '../i18n/i18n.js';
import { errorText } from '../ui/errors.js';
import { useSession } from './session.js';
import { useAction } from '../ui/use-action.js';

type Step =
  | { kind: 'compose' }
  | { kind: 'review'; draft: ReportDraft }
  | { kind: 'sent'; id: string; verified: boolean; blocked: boolean; account: string };

export function ReportDialog(p: { conversationId: string; target: StoredMessage; onClose: () => void }) {
  const t = useT();
  const { api, update, refreshConversations } = useSession();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const titleId = useId();
  const [step, setStep] = useState<Step>({ kind: 'compose' });
  const [category, setCategory] = useState<ReportCategory | ''>('');
  const [reason, setReason] = useState('');
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const { busy, error, setError, run } = useAction((e) => errorText(t, e));

  // Modal from the start; on close, focus goes back to what opened the dialog.
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
    const d = dialogRef.current;
    if (d && !d.open) d.showModal();
    return () => {
      if (d?.open) d.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  // Each step starts at its heading, so a screen reader says where the user now is.
  useEffect(() => headingRef.current?.focus(), [step.kind]);

  const review = () =>
    run(async () => {
      if (!category) return;
      const draft = await api.reportDraft(p.conversationId, p.target.id, { previous: [...chosen], category, reason: reason.trim() });
      setStep({ kind: 'review', draft });
    });

  const send = (draft: ReportDraft, block: boolean) =>
    run(async () => {
      const r = await api.report(draft, { block });
      setStep({ kind: 'sent', id: r.id, verified: r.verified, blocked: block, account: draft.reportedAccount });
      if (block) {
        update((s) => ({ contactsVersion: s.contactsVersion + 1 }));
        await refreshConversations();
      }
    });

  const titleText =
    step.kind === 'sent'
      ? t('report.sentTitle')
      : step.kind === 'review'
        ? t('report.reviewTitle')
        : t('report.title', { account: p.target.sender });

  return (
    <dialog
      ref={dialogRef}
      className="report-dialog"
      aria-labelledby={titleId}
      data-testid="report-dialog"
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) p.onClose();
      }}
    >
      <h2 id={titleId} ref={headingRef} tabIndex={-1}>
        {titleText}
      </h2>
      {step.kind === 'compose' && (
        <Compose
          t={t}
          conversationId={p.conversationId}
          target={p.target}
          category={category}
          onCategory={setCategory}
          reason={reason}
          onReason={setReason}
          chosen={chosen}
          onChosen={setChosen}
          onError={setError}
        >
          <div className="row">
            <button
              type="button"
              className="primary"
              disabled={busy || !category}
              onClick={() => void review()}
              data-testid="report-review"
            >
              {t('report.review')}
            </button>
            <button type="button" onClick={p.onClose}>
              {t('common.cancel')}
            </button>
          </div>
        </Compose>
      )}
      {step.kind === 'review' && (
        <Review t={t} draft={step.draft} targetId={p.target.id} category={category} reason={reason.trim()}>
          <div className="row">
            <button
              type="button"
              className="primary"
              disabled={busy}
              onClick={() => void send(step.draft, false)}
              data-testid="report-send"
            >
              {busy ? t('report.sending') : t('report.send')}
            </button>
            <button
              type="button"
              className="danger"
              disabled={busy}
              onClick={() => void send(step.draft, true)}
              data-testid="report-send-block"
            >
              {t('report.sendAndBlock')}
            </button>
            <button type="button" disabled={busy} onClick={() => setStep({ kind: 'compose' })}>
              {t('report.back')}
            </button>
            <button type="button" disabled={busy} onClick={p.onClose}>
              {t('common.cancel')}
            </button>
          </div>
        </Review>
      )}
      {step.kind === 'sent' && (
        <div className="stack">
          <p role="status" data-testid="report-sent" data-report-id={step.id} data-verified={String(step.verified)}>
            {step.verified
              ? t('report.sentVerified', { id: step.id, account: step.account })
              : t('report.sentUnverified', { id: step.id, account: step.account })}
          </p>
          {step.blocked && <p>{t('report.blocked', { account: step.account })}</p>}
          <div className="row">
            <button type="button" className="primary" onClick={p.onClose} data-testid="report-close">
              {t('report.close')}
            </button>
          </div>
        </div>
      )}
      {error && (
        <p role="alert" className="error" data-testid="report-error">
          {error}
        </p>
      )}
    </dialog>
  );
}

/** One earlier message that may go with the report, as this device shows it. */
interface Candidate {
  id: string;
  sender: string;
  at: number;
  text: string;
}

function Compose(p: {
  t: Translate;
  conversationId: string;
  target: StoredMessage;
  category: ReportCategory | '';
  onCategory: (c: ReportCategory | '') => void;
  reason: string;
  onReason: (r: string) => void;
  chosen: ReadonlySet<string>;
  onChosen: (s: ReadonlySet<string>) => void;
  onError: (e: string) => void;
  children: ReactNode;
}) {
  const { t } = p;
  const { api } = useSession();
  const [candidates, setCandidates] = useState<Candidate[] | undefined>();
  const { conversationId, target, onError } = p;

  useEffect(() => {
    let alive = true;
    void (async () => {
      try {
        const ids = await api.reportablePrevious(conversationId, target.id, MAX_REPORT_PREVIOUS);
        const found = await Promise.all(ids.map((id) => api.getMessage(conversationId, id)));
        const list = found
          .filter((m): m is StoredMessage => !!m)
          .map((m) => ({ id: m.id, sender: m.sender, at: m.sentAt, text: shownText(t, m) }));
        if (alive) setCandidates(list);
      } catch (e) {
        if (alive) {
          setCandidates([]);
          onError(errorText(t, e));
        }
      }
    })();
    return () => {
      alive = false;
    };
  }, [api, conversationId, target.id, onError, t]);

  const toggle = (id: string, on: boolean) => {
    const next = new Set(p.chosen);
    if (on) next.add(id);
    else next.delete(id);
    p.onChosen(next);
  };

  return (
    <div className="stack">
      <p className="hint">{t('report.intro')}</p>
      <figure className="card report-target">
        <figcaption className="hint">{t('report.reported')}</figcaption>
        <p className="report-text" dir="auto">
          {shownText(t, target)}
        </p>
        <span className="hint">
          {target.sender} · {when(target.sentAt)}
        </span>
      </figure>
      <label>
        {t('report.category')}
        <select
          value={p.category}
          onChange={(e) => p.onCategory(e.target.value as ReportCategory | '')}
          required
          data-testid="report-category"
        >
          <option value="">{t('report.categoryChoose')}</option>
          {REPORT_CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {t(`report.category.${c}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('report.reason')}
        <textarea
          rows={3}
          value={p.reason}
          maxLength={MAX_REPORT_REASON_CHARS}
          onChange={(e) => p.onReason(e.target.value)}
          data-testid="report-reason"
        />
        <span className="hint">{t('report.reasonCount', { n: [...p.reason].length, max: MAX_REPORT_REASON_CHARS })}</span>
      </label>
      <fieldset className="report-previous">
        <legend>{t('report.previous')}</legend>
        <p className="hint">{t('report.previousHint', { max: MAX_REPORT_PREVIOUS })}</p>
        {candidates === undefined && <p className="hint">{t('report.previousLoading')}</p>}
        {candidates?.length === 0 && <p className="hint">{t('report.previousNone')}</p>}
        {candidates && candidates.length > 0 && (
          <ul className="plain" data-testid="report-previous">
            {candidates.map((c) => (
              <li key={c.id}>
                <label data-testid="report-candidate" data-id={c.id}>
                  <input type="checkbox" checked={p.chosen.has(c.id)} onChange={(e) => toggle(c.id, e.target.checked)} />
                  <span dir="auto">
                    <span className="hint">
                      {c.sender} · {when(c.at)}:
                    </span>{' '}
                    {c.text}
                  </span>
                </label>
              </li>
            ))}
          </ul>
        )}
        {p.chosen.size > 0 && <p className="hint">{t('report.previousCount', { n: p.chosen.size })}</p>}
      </fieldset>
      {p.children}
    </div>
  );
}

function Review(p: {
  t: Translate;
  draft: ReportDraft;
  targetId: string;
  category: ReportCategory | '';
  reason: string;
  children: ReactNode;
}) {
  const { t, draft } = p;
  return (
    <div className="stack">
      <ol className="plain report-review" data-testid="report-review-list">
        {draft.messages.map((m) => (
          <li key={`${m.id}:${m.part}`} className="card" data-testid="report-review-message" data-id={m.id} data-part={m.part}>
            <span className="hint">
              {m.sender} · {when(m.receivedAt)}
              {m.part === 'edit' && ` · ${t('report.partEdit')}`}
              {m.id === p.targetId && ` · ${t('report.partReported')}`}
            </span>
            <p className="report-text" dir="auto" data-testid="report-shown">
              {m.shown}
            </p>
          </li>
        ))}
      </ol>
      <p>{t('report.reviewBody', { account: draft.reportedAccount })}</p>
      {p.category && <p className="hint">{t('report.reviewCategory', { category: t(`report.category.${p.category}`) })}</p>}
      <p className="hint report-text">{p.reason ? t('report.reviewReason', { reason: p.reason }) : t('report.reviewNoReason')}</p>
      <details>
        <summary>{t('report.exactData')}</summary>
        <pre className="report-json" data-testid="report-json" tabIndex={0}>
          {JSON.stringify(draft.request, null, 2)}
        </pre>
      </details>
      {p.children}
    </div>
  );
}

/** What this device shows of a message, in the user's language (the review shows the SDK's own `shown`). */
function shownText(t: Translate, m: StoredMessage): string {
  if (m.kind === 'attachment' && m.attachment) return `📎 ${m.attachment.fileName}`;
  if (m.deleted) return t('chat.deleted');
  return m.text ?? '';
}

function when(ms: number): string {
  return new Date(ms).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' });
}
