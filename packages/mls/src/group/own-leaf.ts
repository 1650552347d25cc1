// RFC 9420 §7.2, §7.3, §11.1, §12.4.3.2: a leaf this member is about to sign (KeyPackage, group creation, Update,
// UpdatePath, external commit) must be one the group accepts; checked before signing, naming what is missing.
import { UsageError } from '../errors.js';
import { isDefaultExtension } from '../key-package/validate.js';
import type { RatchetTree } from '../tree/ratchet-tree.js';
import { decodeRequiredCapabilities } from '../wire/extension.js';
import {
  type Capabilities,
  type Credential,
  CredentialType,
  type Extension,
  ExtensionType,
  type RequiredCapabilities,
} from '../wire/index.js';

/** §7.2: proposal types 1-7 are default: supported by every client, never listed. */
const isDefaultProposal = (t: number): boolean => t >= 1 && t <= 7;

/** The parts of a leaf that decide whether a group accepts it. */
export interface LeafTemplate {
  readonly credential: Credential;
  readonly capabilities: Capabilities;
  readonly extensions: readonly Extension[];
}

/** What the leaf goes into: the group's suite, version and GroupContext extensions, and its members if known. */
export interface LeafTarget {
  readonly cipherSuite: number;
  readonly version: number;
  readonly extensions: readonly Extension[];
  /** The tree the leaf joins or lives in: members' credential types must be mutually supported (§7.3). */
  readonly tree?: RatchetTree;
  /** Our own leaf index in `tree`, skipped in the member comparison. */
  readonly ownLeaf?: number;
}

const hex4 = (t: number): string => `0x${t.toString(16).padStart(4, '0')}`;
const CREDENTIAL_NAMES = new Map<number, string>(Object.entries(CredentialType).map(([k, v]) => [v, k]));
const EXTENSION_NAMES = new Map<number, string>(Object.entries(ExtensionType).map(([k, v]) => [v, k]));
const credentialName = (t: number): string => `credential type ${CREDENTIAL_NAMES.get(t) ?? hex4(t)}`;
const extensionName = (t: number): string => `extension type ${EXTENSION_NAMES.get(t) ?? hex4(t)}`;

/** V-OWN-02 (§7.2): the leaf lists its own credential type and every non-default extension it carries, once each. */
export function missingForSelf(leaf: LeafTemplate): string[] {
  const caps = leaf.capabilities;
  const missing: string[] = [];
  if (!caps.credentials.includes(leaf.credential.credentialType))
    missing.push(`${credentialName(leaf.credential.credentialType)} (its own)`);
  const seen = new Set<number>();
  for (const e of leaf.extensions) {
    if (seen.has(e.extensionType)) missing.push(`a single ${extensionName(e.extensionType)} (it is repeated)`);
    seen.add(e.extensionType);
    if (!isDefaultExtension(e.extensionType) && !caps.extensions.includes(e.extensionType)) {
      missing.push(`${extensionName(e.extensionType)} (carried by the leaf)`);
    }
  }
  return missing;
}

/** V-OWN-01 (§7.3, §11.1, §12.4.3.2): every required extension, proposal and credential type of the group is listed. */
export function missingForRequired(caps: Capabilities, required: RequiredCapabilities): string[] {
  return [
    ...required.extensionTypes
      .filter((t) => !isDefaultExtension(t) && !caps.extensions.includes(t))
      .map((t) => `${extensionName(t)} (required)`),
    ...required.proposalTypes
      .filter((t) => !isDefaultProposal(t) && !caps.proposals.includes(t))
      .map((t) => `proposal type ${hex4(t)} (required)`),
    ...required.credentialTypes.filter((t) => !caps.credentials.includes(t)).map((t) => `${credentialName(t)} (required)`),
  ];
}

/** V-OWN-01: what `leaf` lacks to be valid in `target` (§7.3 as a receiving member checks it, V-LEAF-03..08). */
export function missingForGroup(leaf: LeafTemplate, target: LeafTarget): string[] {
  const caps = leaf.capabilities;
  const missing: string[] = [];
  if (!caps.versions.includes(target.version)) missing.push(`protocol version ${target.version}`);
  if (!caps.cipherSuites.includes(target.cipherSuite)) missing.push(`cipher suite ${hex4(target.cipherSuite)}`);
  for (const e of target.extensions) {
    if (e.extensionType === ExtensionType.required_capabilities) {
      missing.push(...missingForRequired(caps, decodeRequiredCapabilities(e.extensionData)));
    }
    if (!isDefaultExtension(e.extensionType) && !caps.extensions.includes(e.extensionType)) {
      missing.push(`${extensionName(e.extensionType)} (in the group context)`);
    }
  }
  if (target.tree) {
    const mine = leaf.credential.credentialType;
    const theirs = new Set<number>();
    for (const [i, other] of target.tree.leaves()) {
      if (i === target.ownLeaf) continue;
      if (!other.capabilities.credentials.includes(mine)) missing.push(`${credentialName(mine)} support by member ${i}`);
      theirs.add(other.credential.credentialType);
    }
    for (const t of theirs) if (!caps.credentials.includes(t)) missing.push(`${credentialName(t)} (a member's)`);
  }
  return [...new Set(missing)];
}

/** Throws a UsageError with the catalogue ID and the missing items, before anything is signed. */
export function assertOwnLeaf(what: string, leaf: LeafTemplate, target?: LeafTarget): void {
  const self = missingForSelf(leaf);
  if (self.length > 0) throw new UsageError(`${what}: the leaf capabilities must list ${self.join(', ')}`, 'V-OWN-02');
  if (!target) return;
  const group = missingForGroup(leaf, target);
  if (group.length > 0) throw new UsageError(`${what}: the leaf capabilities must list ${group.join(', ')}`, 'V-OWN-01');
}
