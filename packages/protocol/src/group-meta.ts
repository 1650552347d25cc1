// Group metadata (kind, owner, admins, disappearing timer) carried in a private GroupContext extension, so every
// member agrees on it through MLS (RFC 9420 §12.1.7 GroupContextExtensions), and the admin policy every client enforces.
// The server verifies handshakes, so it reads this extension: it holds roles and settings only. The group's name
// travels in encrypted content (a `group-rename` message), never here. Clients and the server run the same policy.

const utf8 = (s: string) => new TextEncoder().encode(s);
const utf8DecodeStrict = (b: Uint8Array) => new TextDecoder('utf-8', { fatal: true }).decode(b);

/** Private-use extension type (RFC 9420 §17.3: 0xF000-0xFFFF) holding GroupMeta as JSON. */
export const GROUP_META_EXTENSION = 0xf501;

export type ConversationKind = 'direct' | 'group';
export type MemberRole = 'owner' | 'admin' | 'member';

export interface GroupMeta {
  v: 2;
  kind: ConversationKind;
  /** Account that created the conversation. Always an admin. */
  owner: string;
  /** Accounts allowed to add, remove, rename and change settings (owner included). In a 1:1 both accounts. */
  admins: string[];
  /** Disappearing-message timer in seconds; 0 = off. */
  timerSeconds: number;
  /**
   * Proof that `owner` created the group (a GroupOwner signature by the creating device, @sotto/identity), so that a
   * member joining at any epoch can check the owner without trusting the server or whoever added it. Hex. Absent only
   * in groups created before proofs existed; a client refuses to join a group without one.
   */
  ownerProof?: { certificate: string; signature: string };
}

const HEX = /^(?:[0-9a-f]{2})+$/;

function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

function fromHex(s: string): Uint8Array {
  if (!HEX.test(s)) throw new TypeError('malformed hex');
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function encodeGroupMeta(m: GroupMeta): Uint8Array {
  return utf8(
    JSON.stringify({
      v: 2,
      kind: m.kind,
      owner: m.owner,
      admins: [...new Set(m.admins)].sort(),
      timerSeconds: m.timerSeconds,
      ...(m.ownerProof ? { ownerProof: { certificate: m.ownerProof.certificate, signature: m.ownerProof.signature } } : {}),
    }),
  );
}

export function decodeGroupMeta(bytes: Uint8Array): GroupMeta {
  const j = JSON.parse(utf8DecodeStrict(bytes)) as Partial<GroupMeta>;
  if (j.v !== 2 || (j.kind !== 'direct' && j.kind !== 'group')) throw new TypeError('unknown group metadata');
  if ('name' in j) throw new TypeError('group metadata must not carry a name (the server can read it)');
  if (typeof j.owner !== 'string' || !Array.isArray(j.admins)) throw new TypeError('malformed group metadata');
  if (typeof j.timerSeconds !== 'number' || !Number.isInteger(j.timerSeconds) || j.timerSeconds < 0) throw new TypeError('malformed timer');
  const p = j.ownerProof as unknown;
  let ownerProof: GroupMeta['ownerProof'];
  if (p !== undefined) {
    const o = p as { certificate?: unknown; signature?: unknown };
    if (typeof p !== 'object' || p === null || typeof o.certificate !== 'string' || typeof o.signature !== 'string')
      throw new TypeError('malformed owner proof');
    if (!HEX.test(o.certificate) || !HEX.test(o.signature) || o.certificate.length > 2048 || o.signature.length !== 128)
      throw new TypeError('malformed owner proof');
    ownerProof = { certificate: o.certificate, signature: o.signature };
  }
  return {
    v: 2,
    kind: j.kind,
    owner: j.owner,
    admins: j.admins.filter((a): a is string => typeof a === 'string'),
    timerSeconds: j.timerSeconds,
    ...(ownerProof ? { ownerProof } : {}),
  };
}

/** The owner proof's bytes, or undefined when the metadata carries none. */
export function ownerProofOf(meta: GroupMeta): { certificate: Uint8Array; signature: Uint8Array } | undefined {
  const p = meta.ownerProof;
  return p && { certificate: fromHex(p.certificate), signature: fromHex(p.signature) };
}

/** `meta` with an owner proof (made by @sotto/identity's signGroupOwner). */
export function withOwnerProof(meta: GroupMeta, proof: { certificate: Uint8Array; signature: Uint8Array }): GroupMeta {
  return { ...meta, ownerProof: { certificate: toHex(proof.certificate), signature: toHex(proof.signature) } };
}

export function roleOf(meta: GroupMeta, account: string): MemberRole {
  if (meta.owner === account) return 'owner';
  return meta.admins.includes(account) ? 'admin' : 'member';
}

export function isAdmin(meta: GroupMeta, account: string): boolean {
  return roleOf(meta, account) !== 'member';
}

/** What a commit changes, in accounts. */
export interface CommitSummary {
  committer: string;
  addedAccounts: string[];
  removedAccounts: string[];
  /**
   * Accounts that removed themselves: every leaf of theirs this commit removes was proposed for removal by a device of
   * that same account (leaving, RFC 9420 §12.1.3: a member cannot commit its own removal, so it proposes it).
   */
  selfRemovedAccounts?: string[];
  before: GroupMeta;
  after: GroupMeta;
}

/** `meta` without these accounts as admins; the owner stays one. */
export function withoutAdmins(meta: GroupMeta, accounts: readonly string[]): GroupMeta {
  return { ...meta, admins: meta.admins.filter((a) => !accounts.includes(a) || a === meta.owner) };
}

const sameMeta = (a: GroupMeta, b: GroupMeta) => JSON.stringify(encodeGroupMeta(a)) === JSON.stringify(encodeGroupMeta(b));

/**
 * The admin rule: only admins add or remove other accounts, rename or change settings. Anyone may add or remove
 * devices of their own account (linking and unlinking), and any member may commit the removal an account proposed of
 * its own devices (leaving), dropping it from the admins in the same commit. A 1:1 never gains a third account.
 * Returns a reason or undefined.
 */
export function policyViolation(s: CommitSummary): string | undefined {
  const admin = isAdmin(s.before, s.committer);
  const selfRemoved = s.selfRemovedAccounts ?? [];
  const foreignAdds = s.addedAccounts.filter((a) => a !== s.committer);
  const foreignRemoves = s.removedAccounts.filter((a) => a !== s.committer && !selfRemoved.includes(a));
  if (s.before.kind === 'direct' && foreignAdds.some((a) => !s.before.admins.includes(a))) return 'a 1:1 conversation cannot gain a member';
  if (!admin && foreignAdds.length > 0) return 'only admins add members';
  if (!admin && foreignRemoves.length > 0) return 'only admins remove members';
  const leaversDropped = selfRemoved.length > 0 && sameMeta(s.after, withoutAdmins(s.before, selfRemoved));
  if (!sameMeta(s.before, s.after) && !admin && !leaversDropped) return 'only admins change roles or settings';
  if (s.after.kind !== s.before.kind) return 'the conversation kind cannot change';
  if (s.after.owner !== s.before.owner) return 'the owner cannot change';
  if (JSON.stringify(s.after.ownerProof ?? null) !== JSON.stringify(s.before.ownerProof ?? null)) return "the owner's proof cannot change";
  if (!s.after.admins.includes(s.after.owner)) return 'the owner must stay an admin';
  return undefined;
}
