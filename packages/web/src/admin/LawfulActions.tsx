// The register actions a request's state allows (lawfulActions in lawful-format.ts), one form each: decide (disclose,
// partial, reject, with the reason), place a preservation hold (custodians and threshold), the signed answer (with
// custodian shares when it opens the hold of the preservation request it follows), and for an emergency disclosure
// the second approval and the review after the fact.

import {
  decodeLawfulPreserveResponse,
  decodeLawfulRequestDetail,
  LAWFUL_DECISIONS,
  type LawfulDecideRequest,
  type LawfulDecision,
  type LawfulHoldSummary,
  type LawfulPreserveResponse,
  type LawfulRequestDetail,
  MAX_CUSTODIANS,
  MAX_LAWFUL_TEXT,
  MIN_CUSTODIANS,
  type RequestCategory,
} from '@sotto/protocol';
import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { useAction } from '../ui/use-action.js';
import type { AdminHttp } from './admin-api.js';
import { useAdminT } from './admin-strings.js';
import { heldHold, type LawfulAction, lawfulActions, splitList } from './lawful-format.js';

interface Props {
  http: AdminHttp;
  r: LawfulRequestDetail;
  describe: (e: unknown) => string;
  onDetail: (r: LawfulRequestDetail) => void;
  onShares: (s: LawfulPreserveResponse) => void;
  onPackage: (text: string) => void;
}

export function LawfulActions(p: Props) {
  const t = useAdminT();
  const actions = lawfulActions(p.r);
  if (actions.length === 0) return null;
  return (
    <section className="stack" aria-labelledby="lawful-actions-title" data-testid="lawful-actions">
      <h3 id="lawful-actions-title">{t('lawful.actions')}</h3>
      {actions.map((a) => (
        <ActionForm key={a} action={a} {...p} />
      ))}
    </section>
  );
}

/** One action's form: its fields, its submit button, its own busy state and refusal. */
function Form(p: {
  title: string;
  submit: string;
  testId: string;
  busy: boolean;
  error: string;
  onSubmit: () => void;
  children?: ReactNode;
}) {
  const id = `${p.testId}-title`;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    p.onSubmit();
  };
  return (
    <form className="stack card lawful-form" onSubmit={submit} aria-labelledby={id} data-testid={p.testId}>
      <h4 id={id}>{p.title}</h4>
      {p.children}
      {p.error && (
        <p role="alert" className="error" data-testid="lawful-action-error">
          {p.error}
        </p>
      )}
      <div className="row">
        <button type="submit" disabled={p.busy}>
          {p.submit}
        </button>
      </div>
    </form>
  );
}

function ActionForm(p: Props & { action: LawfulAction }) {
  switch (p.action) {
    case 'decide':
      return <Decide {...p} />;
    case 'preserve':
      return <Preserve {...p} />;
    case 'answer':
      return <Answer {...p} />;
    case 'approve':
      return <Approve {...p} />;
    case 'review':
      return <Review {...p} />;
  }
}

const path = (r: LawfulRequestDetail, action: string) => `/v1/admin/requests/${encodeURIComponent(r.id)}/${action}`;

function Decide(p: Props) {
  const t = useAdminT();
  const [decision, setDecision] = useState<LawfulDecision>('disclose');
  const [reason, setReason] = useState('');
  const [disclosed, setDisclosed] = useState<RequestCategory[]>([]);
  const { busy, error, setError, run } = useAction(p.describe);
  const submit = () => {
    if (!reason.trim()) return setError(t('lawful.err.reason'));
    if (decision === 'partial' && disclosed.length === 0) return setError(t('lawful.err.disclosed'));
    // A partial decision names the categories it discloses among those asked for.
    const body: LawfulDecideRequest = { decision, reason: reason.trim(), ...(decision === 'partial' ? { categories: disclosed } : {}) };
    void run(async () => p.onDetail(await p.http.post(path(p.r, 'decide'), body, decodeLawfulRequestDetail)));
  };
  return (
    <Form title={t('lawful.decide')} submit={t('lawful.decideDo')} testId="lawful-decide" busy={busy} error={error} onSubmit={submit}>
      <fieldset>
        <legend>{t('lawful.decision')}</legend>
        {LAWFUL_DECISIONS.map((d) => (
          <label key={d}>
            <input type="radio" name="decision" value={d} checked={decision === d} onChange={() => setDecision(d)} />
            {t(`lawful.decision.${d}`)}
          </label>
        ))}
      </fieldset>
      {decision === 'partial' && (
        <fieldset data-testid="lawful-disclosed">
          <legend>{t('lawful.disclosed')}</legend>
          {p.r.categories.map((c) => (
            <label key={c}>
              <input
                type="checkbox"
                checked={disclosed.includes(c)}
                onChange={(e) => setDisclosed((xs) => (e.target.checked ? [...xs, c] : xs.filter((x) => x !== c)))}
              />
              {c}
            </label>
          ))}
        </fieldset>
      )}
      <label>
        {t('lawful.reason')}
        <textarea required rows={2} maxLength={MAX_LAWFUL_TEXT} value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
    </Form>
  );
}

function Preserve(p: Props) {
  const t = useAdminT();
  const [custodians, setCustodians] = useState('');
  const [threshold, setThreshold] = useState(MIN_CUSTODIANS);
  const { busy, error, setError, run } = useAction(p.describe);
  const names = splitList(custodians);
  const submit = () => {
    if (names.length < MIN_CUSTODIANS || names.length > MAX_CUSTODIANS || new Set(names).size !== names.length)
      return setError(t('lawful.err.custodians', { min: MIN_CUSTODIANS, max: MAX_CUSTODIANS }));
    if (threshold < 2 || threshold > names.length) return setError(t('lawful.err.threshold', { n: names.length }));
    void run(async () =>
      p.onShares(await p.http.post(path(p.r, 'preserve'), { custodians: names, threshold }, decodeLawfulPreserveResponse)),
    );
  };
  return (
    <Form title={t('lawful.preserve')} submit={t('lawful.preserveDo')} testId="lawful-preserve" busy={busy} error={error} onSubmit={submit}>
      <p className="hint">{t('lawful.preserveIntro')}</p>
      <label>
        {t('lawful.custodians')}
        <textarea
          required
          rows={3}
          value={custodians}
          onChange={(e) => setCustodians(e.target.value)}
          aria-describedby="lawful-custodians-hint"
        />
        <span id="lawful-custodians-hint" className="hint">
          {t('lawful.custodiansHint', { min: MIN_CUSTODIANS, max: MAX_CUSTODIANS })}
        </span>
      </label>
      <label>
        {t('lawful.threshold')}
        <input
          type="number"
          required
          min={2}
          max={Math.max(2, names.length)}
          value={threshold}
          onChange={(e) => setThreshold(Number(e.target.value))}
        />
      </label>
    </Form>
  );
}

function Answer(p: Props) {
  const t = useAdminT();
  const { busy, error, setError, run } = useAction(p.describe);
  const [hold, setHold] = useState<LawfulHoldSummary | undefined>();
  const [shares, setShares] = useState<string[]>([]);
  const follows = p.r.follows;

  // Following a preservation request whose hold is still held: the answer opens it, with k custodian shares.
  useEffect(() => {
    if (!follows) return;
    let live = true;
    p.http
      .get(`/v1/admin/requests/${encodeURIComponent(follows)}`, decodeLawfulRequestDetail)
      .then((f) => {
        const h = heldHold(f.holds);
        if (!live) return;
        setHold(h);
        setShares(h ? Array.from({ length: h.threshold }, () => '') : []);
      })
      .catch((e: unknown) => live && setError(p.describe(e)));
    return () => {
      live = false;
    };
  }, [follows, p.http, p.describe, setError]);

  const submit = () => {
    const given = shares.map((s) => s.trim());
    if (hold && given.some((s) => s === '')) return setError(t('lawful.err.shares', { k: hold.threshold }));
    void run(async () => p.onPackage(await p.http.postText(path(p.r, 'answer'), hold ? { shares: given } : {})));
  };
  return (
    <Form title={t('lawful.answer')} submit={t('lawful.answerDo')} testId="lawful-answer" busy={busy} error={error} onSubmit={submit}>
      <p className="hint">{t('lawful.answerIntro')}</p>
      {hold && (
        <fieldset className="stack">
          <legend>{t('lawful.sharesNeeded', { k: hold.threshold, n: hold.custodians.length, id: hold.id })}</legend>
          {shares.map((s, i) => (
            <label key={i}>
              {t('lawful.shareN', { i: i + 1, k: hold.threshold })}
              <textarea
                required
                rows={2}
                spellCheck={false}
                autoComplete="off"
                value={s}
                onChange={(e) => setShares((xs) => xs.map((x, j) => (j === i ? e.target.value : x)))}
                data-testid="lawful-share-input"
              />
            </label>
          ))}
        </fieldset>
      )}
    </Form>
  );
}

function Approve(p: Props) {
  const t = useAdminT();
  const [note, setNote] = useState('');
  const { busy, error, run } = useAction(p.describe);
  const submit = () =>
    void run(async () => p.onDetail(await p.http.post(path(p.r, 'approve'), { note: note.trim() }, decodeLawfulRequestDetail)));
  return (
    <Form title={t('lawful.approve')} submit={t('lawful.approveDo')} testId="lawful-approve" busy={busy} error={error} onSubmit={submit}>
      <p className="hint">{t('lawful.approveIntro', { admin: p.r.decisionBy?.admin ?? '?' })}</p>
      <label>
        {t('lawful.note')}
        <textarea rows={2} maxLength={MAX_LAWFUL_TEXT} value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
    </Form>
  );
}

function Review(p: Props) {
  const t = useAdminT();
  const [note, setNote] = useState('');
  const [justified, setJustified] = useState<boolean | undefined>();
  const { busy, error, setError, run } = useAction(p.describe);
  const submit = () => {
    if (justified === undefined || !note.trim()) return setError(t('lawful.err.review'));
    void run(async () => p.onDetail(await p.http.post(path(p.r, 'review'), { note: note.trim(), justified }, decodeLawfulRequestDetail)));
  };
  return (
    <Form title={t('lawful.review')} submit={t('lawful.reviewDo')} testId="lawful-review" busy={busy} error={error} onSubmit={submit}>
      <fieldset>
        <legend>{t('lawful.verdict')}</legend>
        <label>
          <input type="radio" name="justified" checked={justified === true} onChange={() => setJustified(true)} />
          {t('lawful.justified')}
        </label>
        <label>
          <input type="radio" name="justified" checked={justified === false} onChange={() => setJustified(false)} />
          {t('lawful.notJustified')}
        </label>
      </fieldset>
      <label>
        {t('lawful.reviewNote')}
        <textarea required rows={2} maxLength={MAX_LAWFUL_TEXT} value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
    </Form>
  );
}
