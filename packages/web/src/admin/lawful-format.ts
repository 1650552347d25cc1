// Small pure helpers of the lawful-request pages (docs/for-law-enforcement.md): dates of the forms as UTC days, lists
// typed one per line or comma separated, the half-year a time falls in, and which register actions a request's state
// allows (the server refuses the others; the screen does not offer them).

import type { LawfulHoldSummary, LawfulRequestDetail } from '@sotto/protocol';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** `YYYY-MM-DD` of a date input as ms since the epoch at 00:00 UTC; null when empty or malformed. */
export function dayToMs(day: string): number | null {
  if (!DAY.test(day)) return null;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(ms) ? null : ms;
}

/** The UTC day of a time, for a date input's value. */
export function msToDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Entries typed one per line or separated by commas, trimmed, without empty ones. */
export function splitList(text: string): string[] {
  return text
    .split(/[\n,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** The half-year (2026H1, 2026H2) a time falls in, in UTC: the transparency report's usual period. */
export function halfYearOf(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}H${d.getUTCMonth() < 6 ? 1 : 2}`;
}

export type LawfulAction = 'decide' | 'preserve' | 'answer' | 'approve' | 'review';

/**
 * The register actions a request's state allows: decide (or, for a preservation request, place a hold) while
 * received; the signed answer once decided; for an emergency disclosure, the second approval until given and the
 * review once answered.
 */
export function lawfulActions(r: LawfulRequestDetail): LawfulAction[] {
  const out: LawfulAction[] = [];
  const emergencyDisclosure = r.instrument === 'emergency' && (r.decision === 'disclose' || r.decision === 'partial');
  if (r.status === 'received') out.push(r.instrument === 'preservation' ? 'preserve' : 'decide');
  if (r.status === 'decided') out.push('answer');
  if (emergencyDisclosure && r.secondApproval === null) out.push('approve');
  if (emergencyDisclosure && r.status === 'answered' && r.review === null) out.push('review');
  return out;
}

/** The hold still in force among a request's holds (the one an answer following it must open). */
export function heldHold(holds: readonly LawfulHoldSummary[]): LawfulHoldSummary | undefined {
  return holds.find((h) => h.deletedAt === null);
}
