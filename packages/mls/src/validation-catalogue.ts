// The validation catalogue: every MUST of RFC 9420 this package enforces, one stable ID each, from every layer.
// A ValidationError's `code` is one of these IDs (a UsageError's, for the V-OWN-* checks on leaves we create); test/catalogue.test.ts pins that each has a must-reject test.
import { FRAMING_CHECKS } from './framing/checks.js';
import { GROUP_CHECKS } from './group/checks.js';
import { TREE_CHECKS } from './tree/checks.js';

export { FRAMING_CHECKS } from './framing/checks.js';
export {
  COMMIT_CHECKS,
  DS_CHECKS,
  EXTERNAL_CHECKS,
  GROUP_CHECKS,
  KEY_PACKAGE_CHECKS,
  OWN_LEAF_CHECKS,
  PROPOSAL_CHECKS,
  WELCOME_CHECKS,
} from './group/checks.js';
export { TREE_CHECKS } from './tree/checks.js';

/** One catalogue entry: the ID, the RFC section(s) and the rule in words. */
export interface CatalogueEntry {
  readonly id: string;
  readonly section: string;
  readonly rule: string;
  readonly layer: 'wire' | 'tree' | 'framing' | 'group';
}

export const CATALOGUE: readonly CatalogueEntry[] = Object.freeze([
  ...TREE_CHECKS.map((c) => ({ id: c.id, section: c.rfc, rule: c.text, layer: 'tree' as const })),
  ...FRAMING_CHECKS.map((c) => ({ id: c.id, section: c.rfc, rule: c.text, layer: 'framing' as const })),
  ...GROUP_CHECKS.map((c) => ({ ...c, layer: 'group' as const })),
]);
