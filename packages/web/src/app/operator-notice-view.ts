// Pure helpers of the operator's notices on the page (SottoClient.operatorNotices, the `operator-notice` event): what a
// notice shows (kind-specific heading, date, the operator's text, and for a lawful request what it means), which are
// unread, and the merge of the SDK's list with events.

import type { OperatorNotice } from '@sotto/client';
import type { Lang, Translate } from '../i18n/i18n.js';

export interface OperatorNoticeView {
  heading: string;
  /** "Received on …" in the page's language, and the same instant for <time dateTime>. */
  received: string;
  iso: string;
  /** The operator's text as the server sent it: rendered as plain text. */
  text: string;
  /** For a lawful request only: one sentence on what it means. */
  explain?: string;
}

export function operatorNoticeView(n: OperatorNotice, t: Translate, lang: Lang): OperatorNoticeView {
  const date = new Date(n.at);
  const lawful = n.kind === 'lawful-request';
  return {
    heading: t(lawful ? 'operator.heading.lawful-request' : 'operator.heading.warning'),
    received: t('operator.received', { date: new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeStyle: 'short' }).format(date) }),
    iso: date.toISOString(),
    text: n.text,
    ...(lawful ? { explain: t('operator.lawfulExplain') } : {}),
  };
}

/** Notices by id (the SDK's list and the event can both bring one), oldest first like the SDK's list. */
export function mergeOperatorNotices(known: readonly OperatorNotice[], more: readonly OperatorNotice[]): OperatorNotice[] {
  const byId = new Map(known.map((n) => [n.id, n]));
  for (const n of more) byId.set(n.id, n);
  return [...byId.values()].sort((a, b) => a.at - b.at);
}

/** The notices not marked read (LocalPrefs.operatorSeen), oldest first. */
export function unreadOperatorNotices(all: readonly OperatorNotice[], seen: readonly string[]): OperatorNotice[] {
  return all.filter((n) => !seen.includes(n.id));
}
