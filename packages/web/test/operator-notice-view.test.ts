// The operator's notices as the web app shows them (src/app/operator-notice-view.ts), in Node: the kind-specific
// heading, the date, the operator's text untouched, the lawful-request sentence, unread ones, and the merge of the SDK's
// list with events. The Chromium path (a warning after a resolved report) is in web-report.test.ts.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OperatorNotice } from '@sotto/client';
import { mergeOperatorNotices, operatorNoticeView, unreadOperatorNotices } from '../src/app/operator-notice-view.js';
import { type Lang, translate } from '../src/i18n/i18n.js';

const at = Date.UTC(2026, 10, 3, 9, 30);
const view = (n: OperatorNotice, lang: Lang = 'en') => operatorNoticeView(n, (k, v) => translate(lang, k, v), lang);
const lawful: OperatorNotice = { id: 'n1', kind: 'lawful-request', text: 'On 2026-08-01, the operator received a court order.', at };
const warning: OperatorNotice = { id: 'n2', kind: 'warning', text: '<b>further reports</b> may lead to suspension', at: at + 1 };

describe('operator notices on the page', () => {
  it('a lawful request: its heading, date, the text and one sentence on what it means', () => {
    const v = view(lawful);
    assert.equal(v.heading, 'A legal request named your account');
    assert.equal(v.iso, new Date(at).toISOString());
    assert.match(v.received, /^Received on November 3, 2026/);
    assert.equal(v.text, lawful.text);
    assert.match(v.explain ?? '', /^An authority asked your server's operator for data about your account\./);
    assert.match(view(lawful, 'fr').explain ?? '', /^Une autorité a demandé/);
  });

  it('a warning: its own heading, no lawful-request sentence, the text exactly as sent (rendered as plain text)', () => {
    const v = view(warning);
    assert.equal(v.heading, "A warning from your server's operator");
    assert.equal(v.explain, undefined);
    assert.equal(v.text, warning.text);
    assert.equal(view(warning, 'fr').heading, 'Un avertissement de l’opérateur de votre serveur');
  });

  it('unread ones and the merge of the list with events, by id, oldest first', () => {
    assert.deepEqual(
      mergeOperatorNotices([warning], [lawful, warning]).map((n) => n.id),
      ['n1', 'n2'],
    );
    assert.deepEqual(
      unreadOperatorNotices([lawful, warning], ['n1']).map((n) => n.id),
      ['n2'],
    );
  });
});
