// The moderation side of a transparency report (docs/moderation.md "The moderation log"): the counts of a period and
// the log's head, computed from the moderation log's entries. The report generator and the operator-mode verifier both
// use these, so a recount gives the same numbers.
import { GENESIS_HEX, type LogHead, type ModerationCounts, type ReportPeriod } from '@sotto/protocol';
import type { LogEntry } from '../moderation/moderation-store.js';

/** The moderation-log action the report intake appends for each stored report (report-intake.ts). */
export const REPORT_RECEIVED = 'report-received';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The head of a moderation log: its last entry's seq and hash (hex), or seq 0 and the genesis for an empty log. */
export function moderationHeadOf(entries: readonly LogEntry[]): LogHead {
  const last = entries[entries.length - 1];
  return last ? { seq: last.seq, hash: hex(last.hash) } : { seq: 0, hash: GENESIS_HEX };
}

/** Whether a 'report-received' entry says the report verified (its detail is canonical JSON `{"verified":…}`). */
function verifiedIn(detail: string): boolean {
  try {
    const d = JSON.parse(detail) as unknown;
    return typeof d === 'object' && d !== null && (d as { verified?: unknown }).verified === true;
  } catch {
    return false;
  }
}

/**
 * The moderation counts of the entries whose `at` lies in the period ([from, to), UTC). A signals item counts once
 * however often its flag was updated in the period.
 */
export function countModeration(entries: readonly LogEntry[], period: ReportPeriod): ModerationCounts {
  const c: ModerationCounts = {
    reportsReceived: 0,
    reportsVerified: 0,
    signalItems: 0,
    resolved: { dismiss: 0, warn: 0, suspend: 0 },
    evidenceExports: 0,
  };
  const flagged = new Set<string>();
  for (const e of entries) {
    if (e.at < period.from || e.at >= period.to) continue;
    switch (e.action) {
      case REPORT_RECEIVED:
        c.reportsReceived++;
        if (verifiedIn(e.detail)) c.reportsVerified++;
        break;
      case 'flag':
        flagged.add(e.reportId ?? `account:${e.account ?? ''}`);
        break;
      case 'resolve:dismiss':
        c.resolved.dismiss++;
        break;
      case 'resolve:warn':
        c.resolved.warn++;
        break;
      case 'resolve:suspend':
        c.resolved.suspend++;
        break;
      case 'evidence-export':
        c.evidenceExports++;
        break;
    }
  }
  c.signalItems = flagged.size;
  return c;
}
