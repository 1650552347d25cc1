// The transparency report for the public, as Markdown: a reading of the signed JSON report (@sotto/protocol lawful.ts)
// with every number it carries, and how to check it. The JSON is what is signed and verified; this text is not.
import type { CountRow, LawfulInstrument, TransparencyReport } from '@sotto/protocol';

const INSTRUMENTS: Readonly<Record<LawfulInstrument, string>> = {
  mlat: 'Mutual legal assistance (MLAT)',
  'domestic-order': 'Domestic court order or warrant',
  'direct-request': 'Direct request from a foreign authority',
  emergency: 'Emergency (threat to life)',
  preservation: 'Preservation (nothing disclosed)',
};

const OUTCOMES: Readonly<Record<CountRow['outcome'], string>> = {
  disclose: 'disclosed',
  partial: 'partly disclosed',
  reject: 'rejected',
  pending: 'pending',
  preserved: 'preserved (nothing disclosed)',
};

const day = (t: number) => new Date(t).toISOString().slice(0, 10);
/** A table cell: no pipe or line break from the data can change the table. */
const cell = (s: string) => s.replace(/[|\\]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');

function requestTable(rows: readonly CountRow[]): string[] {
  if (rows.length === 0) return ['No request was received in this period.'];
  return [
    '| Country | Instrument | Outcome | Requests |',
    '| --- | --- | --- | ---: |',
    ...rows.map(
      (r) =>
        `| ${cell(r.country)} | ${cell(INSTRUMENTS[r.instrument] ?? r.instrument)} | ${OUTCOMES[r.outcome] ?? cell(r.outcome)} | ${r.requests} |`,
    ),
  ];
}

export function renderMarkdown(r: TransparencyReport): string {
  const q = r.requests;
  const m = r.moderation;
  const e = q.emergency;
  const h = q.holds;
  const file = `transparency-${r.period.id}.json`;
  const last = r.period.to - 1;
  const domain = cell(r.server.domain);
  return [
    `# Transparency report ${r.period.id}: ${domain}`,
    '',
    `Period: ${day(r.period.from)} to ${day(last)} (UTC). Generated ${new Date(r.generatedAt).toISOString()}.`,
    ...(r.generatedAt < r.period.to ? ['', 'This report was generated before the period ended: it counts what happened until then.'] : []),
    '',
    '## Requests from authorities',
    '',
    `Requests received: **${q.received}**, naming **${q.accountsNamed}** account(s) in all (an account named twice counts twice).`,
    `Accounts whose data was disclosed in answers given in the period: **${q.accountsDisclosed}**.`,
    '',
    'By country of the requesting authority, legal instrument and outcome (the outcome as of the report, for the requests received in the period):',
    '',
    ...requestTable(q.rows),
    '',
    '### Preservation holds',
    '',
    `- Placed: ${h.placed}`,
    `- Extended: ${h.extended}`,
    `- Expired (deleted unopened): ${h.expired}`,
    `- Released (deleted unopened): ${h.released}`,
    `- Opened for an answer: ${h.openedForAnswer}`,
    '',
    '### Emergency disclosures',
    '',
    `- Emergency disclosures: ${e.disclosures}`,
    `- Second approval by another admin in time: ${e.secondApprovalInTime}`,
    `- Second approval late: ${e.secondApprovalLate}`,
    `- Flagged for lacking a second approval in time: ${e.flaggedWithoutSecondApproval}`,
    `- Reviewed after the fact: ${e.reviewed}, of which judged not justified: ${e.reviewedNotJustified}`,
    '',
    '### Notices to users',
    '',
    `Accounts told that a request named them: **${q.noticesGiven}**.`,
    '',
    '## Moderation',
    '',
    `- Abuse reports received: ${m.reportsReceived}, of which verified (every reported message proven to come from the reported sender): ${m.reportsVerified}`,
    `- Acted on: dismissed ${m.resolved.dismiss}, warned ${m.resolved.warn}, suspended ${m.resolved.suspend}`,
    `- Evidence packages exported: ${m.evidenceExports}`,
    `- Accounts flagged by metadata signals (queue items): ${m.signalItems}`,
    '',
    '## How to check this report',
    '',
    `This text is a reading of \`${file}\`, which is signed with the server's Ed25519 key \`${r.server.publicKey}\` ` +
      `(served at \`https://${domain}/v1/server-key\`). The JSON commits to:`,
    '',
    `- the request log's head: entry ${r.requestLog.head.seq}, hash \`${r.requestLog.head.hash}\`;`,
    `- the moderation log's head: entry ${r.moderationLog.head.seq}, hash \`${r.moderationLog.head.hash}\`.`,
    '',
    `The server publishes both heads, signed, at \`https://${domain}/.well-known/sotto/transparency\`. Keep the heads you ` +
      'fetch: every later report must extend them, so a log rewritten after you fetched one shows.',
    '',
    '```sh',
    `sotto-server admin transparency-report verify ${file} --heads HEADS --key ${r.server.publicKey}`,
    '```',
    '',
    "recomputes the request log's hash chain from its first entry to the committed head, recounts every number of the " +
      'requests section from the entries, checks the signature, and checks that each head in HEADS (JSON as fetched from ' +
      'the address above, one head or an array of them) is an entry of this log. The moderation counts come from the ' +
      'moderation log, whose entries name accounts and stay with the operator; an auditor given that log recounts them too.',
    '',
    'The entries publish only the month, the request id, the event, the instrument, the country and counts. Names, ' +
      'references and accounts stay with the operator, committed to each entry by a salted digest (`privateDigest`).',
    '',
  ].join('\n');
}
