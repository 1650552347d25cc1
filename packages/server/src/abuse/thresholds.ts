// The abuse thresholds of the running configuration (config section `abuse`): per window, stricter for a young
// account (younger than newAccounts.ageSeconds, the same line the young-account caps of limits/group-caps.ts draw).
import type { Config } from '../config/config.js';

/** The counted signals that have a threshold (the others are shown to operators, not acted on). */
export const THRESHOLD_SIGNALS = ['firstContacts', 'groupsCreated', 'unansweredMessages', 'declinedRequests', 'reports'] as const;
export type ThresholdSignal = (typeof THRESHOLD_SIGNALS)[number];

export function thresholdsFor(cfg: Config['abuse'], young: boolean): Record<ThresholdSignal, number> {
  return young
    ? {
        firstContacts: cfg.youngMaxFirstContacts,
        groupsCreated: cfg.youngMaxGroupsCreated,
        unansweredMessages: cfg.youngMaxUnansweredMessages,
        declinedRequests: cfg.youngMaxDeclinedRequests,
        reports: cfg.youngMaxReports,
      }
    : {
        firstContacts: cfg.maxFirstContacts,
        groupsCreated: cfg.maxGroupsCreated,
        unansweredMessages: cfg.maxUnansweredMessages,
        declinedRequests: cfg.maxDeclinedRequests,
        reports: cfg.maxReports,
      };
}
