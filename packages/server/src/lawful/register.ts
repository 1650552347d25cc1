// The lawful-request register (docs/for-law-enforcement.md): intake, decision, the emergency path's second approval and
// review, preservation holds, the signed answer, and the user notice once the gag period ends. Every event is appended
// to the hash-chained request log in the same step as the change it records. The acting admin is an admin token's name
// or cli:<OS user>; an emergency disclosure's second approver must be another admin than the one who decided it.
import { isAccountName } from '@sotto/identity';
import {
  canonicalJson,
  COUNTRY_CODE,
  type CustodianShare,
  type DisclosureAccount,
  type DisclosureAnswer,
  type DisclosurePackage,
  type DisclosureTable,
  INVENTORY_CATEGORIES,
  type InventoryCategory,
  LAWFUL_DECISIONS,
  LAWFUL_INSTRUMENTS,
  type LawfulDecision,
  type LawfulFlag,
  type LawfulHoldSummary,
  type LawfulIntake,
  type LawfulRequestDetail,
  type LawfulRequestSummary,
  MAX_CUSTODIANS,
  MAX_LAWFUL_NAME,
  MAX_LAWFUL_TEXT,
  MAX_REQUEST_ACCOUNTS,
  MIN_CUSTODIANS,
  NOT_HELD_CATEGORIES,
  type NotHeldCategory,
  REQUEST_CATEGORIES,
  type RequestCategory,
  type RequestLogPublic,
  sha256Hex,
} from '@sotto/protocol';
import { SottoError } from '../errors.js';
import type { NoticeRecord } from '../moderation/moderation-store.js';
import type { SigningKey } from '../moderation/signing-key.js';
import type { AccountRecords } from './account-records.js';
import { buildDisclosure } from './disclosure.js';
import type { HoldRecord, LawfulChange, LawfulRecord, LawfulStore, LogInput } from './lawful-store.js';
import { HOLD_DAYS, openSnapshot, parseShare, sealSnapshot, shareHash } from './preservation.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

const INSTRUMENT_NAMES: Record<LawfulRecord['instrument'], string> = {
  mlat: 'a mutual legal assistance request',
  'domestic-order': 'a court order',
  'direct-request': 'a direct request',
  emergency: 'an emergency disclosure request',
  preservation: 'a preservation request',
};
const OUTCOMES: Record<LawfulDecision | 'preserved', string> = {
  disclose: 'the data asked for that this server holds was disclosed',
  partial: 'part of the data asked for was disclosed',
  reject: 'the request was refused and nothing was disclosed',
  preserved: 'the records were preserved, and nothing was disclosed',
};

export interface RegisterDeps {
  store: LawfulStore;
  records: AccountRecords;
  signingKey: () => SigningKey;
  domain: string;
  gagDays: number;
  emergencyApprovalHours: number;
  /** What the server does not hold, per category (storage/data-inventory.ts NOT_HELD). */
  notHeld: Readonly<Record<NotHeldCategory, string>>;
  /** What the server holds outside its database (data-inventory.ts ELSEWHERE). */
  elsewhere: readonly string[];
  /** The inventory category of a table's column (undefined: not in the inventory). */
  columnCategory: (table: string, column: string) => InventoryCategory | undefined;
  /** base64url characters from a CSPRNG (ids). */
  newId: () => string;
  randomBytes: (n: number) => Uint8Array;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function text(v: string, what: string, max: number, required: boolean): string {
  const t = v.trim();
  if (required && t === '') throw new SottoError('VALIDATION', `${what} is required`);
  if (t.length > max) throw new SottoError('VALIDATION', `${what} is at most ${max} characters`);
  return t;
}

const isHeld = (c: RequestCategory): c is InventoryCategory => (INVENTORY_CATEGORIES as readonly string[]).includes(c);
const isNotHeld = (c: RequestCategory): c is NotHeldCategory => (NOT_HELD_CATEGORIES as readonly string[]).includes(c);

export class LawfulRegister {
  constructor(private readonly d: RegisterDeps) {}

  // -- reading -------------------------------------------------------------------------------------------------------

  async list(now: number, o: { flagged?: boolean } = {}): Promise<LawfulRequestSummary[]> {
    const all = (await this.d.store.listRequests()).map((r) => this.summary(r, now));
    return o.flagged ? all.filter((r) => r.flags.length > 0) : all;
  }

  async detail(id: string, now: number): Promise<LawfulRequestDetail> {
    const r = await this.get(id);
    return this.detailOf(r, await this.d.store.holdsOf(id), now);
  }

  // -- intake --------------------------------------------------------------------------------------------------------

  async receive(input: LawfulIntake, admin: string, now: number): Promise<LawfulRequestDetail> {
    if (!(LAWFUL_INSTRUMENTS as readonly string[]).includes(input.instrument))
      throw new SottoError('VALIDATION', `instrument is one of ${LAWFUL_INSTRUMENTS.join(', ')}`);
    const country = input.country.trim().toUpperCase();
    if (!COUNTRY_CODE.test(country)) throw new SottoError('VALIDATION', 'country is an ISO 3166-1 alpha-2 code (two letters)');
    const accounts = [...new Set(input.accounts.map((a) => a.trim()).filter((a) => a !== ''))];
    if (accounts.length === 0) throw new SottoError('VALIDATION', 'a request names at least one account');
    if (accounts.length > MAX_REQUEST_ACCOUNTS)
      throw new SottoError('VALIDATION', `a request names at most ${MAX_REQUEST_ACCOUNTS} accounts`);
    const bad = accounts.find((a) => !isAccountName(a));
    if (bad !== undefined)
      throw new SottoError('VALIDATION', `${JSON.stringify(String(bad).slice(0, 100))} is not an account name (name@domain)`);
    const categories = [...new Set(input.categories)];
    if (categories.length === 0) throw new SottoError('VALIDATION', 'a request asks for at least one category of data');
    for (const c of categories)
      if (!(REQUEST_CATEGORIES as readonly string[]).includes(c))
        throw new SottoError(
          'VALIDATION',
          `unknown category ${JSON.stringify(String(c).slice(0, 50))} (known: ${REQUEST_CATEGORIES.join(', ')})`,
        );
    const receivedAt = input.receivedAt ?? now;
    if (!Number.isSafeInteger(receivedAt) || receivedAt < 0 || receivedAt > now)
      throw new SottoError('VALIDATION', 'receivedAt is a time not in the future');
    const dueAt = input.dueAt ?? null;
    if (dueAt !== null && (!Number.isSafeInteger(dueAt) || dueAt < receivedAt))
      throw new SottoError('VALIDATION', 'dueAt is a time after receivedAt');
    const noticeDelayUntil = input.noticeDelayUntil ?? null;
    if (noticeDelayUntil !== null && (!Number.isSafeInteger(noticeDelayUntil) || noticeDelayUntil <= now))
      throw new SottoError('VALIDATION', 'a court-ordered notice delay ends at a time in the future');
    const follows = input.follows ?? null;
    if (follows !== null) {
      const p = await this.d.store.getRequest(follows);
      if (!p || p.instrument !== 'preservation')
        throw new SottoError('VALIDATION', `${follows} is not a preservation request of this register`);
      if (input.instrument === 'preservation') throw new SottoError('VALIDATION', 'a preservation request cannot follow another one');
    }
    const r: LawfulRecord = {
      id: this.d.newId(),
      instrument: input.instrument,
      authority: text(input.authority, 'authority', MAX_LAWFUL_NAME, true),
      country,
      reference: text(input.reference, 'reference', MAX_LAWFUL_NAME, true),
      receivedAt,
      dueAt,
      accounts,
      categories,
      noticeDelayUntil,
      follows,
      note: text(input.note ?? '', 'note', MAX_LAWFUL_TEXT, false),
      receivedBy: admin,
      status: 'received',
      decision: null,
      disclosed: null,
      reason: '',
      decidedBy: null,
      secondApproval: null,
      secondApprovalDueAt: null,
      flaggedAt: null,
      review: null,
      answeredAt: null,
      answerSha256: null,
      noticeDueAt: null,
      noticeGivenAt: null,
      version: 1,
    };
    const priv = {
      admin,
      authority: r.authority,
      reference: r.reference,
      accounts,
      categories,
      receivedAt,
      dueAt,
      noticeDelayUntil,
      follows,
    };
    await this.d.store.apply({ insertRequest: r, log: [this.entry(r, now, 'received', { accounts: accounts.length }, priv)] });
    return this.detail(r.id, now);
  }

  // -- decision ------------------------------------------------------------------------------------------------------

  async decide(
    id: string,
    decision: LawfulDecision,
    reason: string,
    admin: string,
    now: number,
    disclosed?: RequestCategory[],
  ): Promise<LawfulRequestDetail> {
    const r = await this.get(id);
    if (r.instrument === 'preservation')
      throw new SottoError('VALIDATION', 'a preservation request is answered by a hold (requests preserve), not a decision');
    if (r.status !== 'received') throw new SottoError('CONFLICT', `request ${id} is already ${r.status}`);
    if (!(LAWFUL_DECISIONS as readonly string[]).includes(decision))
      throw new SottoError('VALIDATION', `decision is one of ${LAWFUL_DECISIONS.join(', ')}`);
    const why = text(reason, 'the reason of a decision', MAX_LAWFUL_TEXT, true);
    let part: RequestCategory[] | null = null;
    if (decision === 'partial') {
      part = [...new Set(disclosed ?? [])];
      if (part.length === 0 || part.some((c) => !r.categories.includes(c)))
        throw new SottoError('VALIDATION', 'a partial decision names the categories it discloses, among those asked for');
    }
    const emergency = r.instrument === 'emergency' && decision !== 'reject';
    const next: LawfulRecord = {
      ...r,
      status: 'decided',
      decision,
      disclosed: part,
      reason: why,
      decidedBy: { admin, at: now, note: why },
      secondApprovalDueAt: emergency ? now + this.d.emergencyApprovalHours * HOUR_MS : null,
    };
    await this.update(r, next, [this.entry(r, now, 'decided', { decision }, { admin, reason: why, disclosed: part })]);
    return this.detail(id, now);
  }

  /** The second approval of an emergency disclosure, by another admin than the one who decided it. */
  async approve(id: string, note: string, admin: string, now: number): Promise<LawfulRequestDetail> {
    const r = await this.get(id);
    if (r.instrument === 'emergency' && r.status === 'received') throw new SottoError('CONFLICT', `request ${id} needs a decision first`);
    if (r.instrument !== 'emergency' || r.secondApprovalDueAt === null)
      throw new SottoError('VALIDATION', 'only an emergency disclosure takes a second approval');
    if (r.secondApproval) throw new SottoError('CONFLICT', `request ${id} already has its second approval`);
    if (r.decidedBy?.admin === admin)
      throw new SottoError('CONFLICT', 'the second approver must be another admin than the one who decided');
    const inTime = now <= r.secondApprovalDueAt;
    const n = text(note, 'the note of an approval', MAX_LAWFUL_TEXT, false);
    const next: LawfulRecord = { ...r, secondApproval: { admin, at: now, note: n } };
    await this.update(r, next, [this.entry(r, now, 'second-approval', { inTime }, { admin, note: n })]);
    return this.detail(id, now);
  }

  /** The review of an emergency disclosure after its answer: was it justified? */
  async review(id: string, note: string, justified: boolean, admin: string, now: number): Promise<LawfulRequestDetail> {
    const r = await this.get(id);
    if (r.instrument !== 'emergency') throw new SottoError('VALIDATION', 'only an emergency request is reviewed after the fact');
    if (r.status !== 'answered') throw new SottoError('CONFLICT', `request ${id} is reviewed once it is answered`);
    if (r.review) throw new SottoError('CONFLICT', `request ${id} is already reviewed`);
    const n = text(note, 'the note of a review', MAX_LAWFUL_TEXT, true);
    const next: LawfulRecord = { ...r, review: { admin, at: now, note: n, justified } };
    await this.update(r, next, [this.entry(r, now, 'reviewed', { justified }, { admin, note: n })]);
    return this.detail(id, now);
  }

  // -- preservation --------------------------------------------------------------------------------------------------

  /** Places a hold: a sealed snapshot of the named accounts' records; returns each custodian's share, once. */
  async preserve(
    id: string,
    custodians: string[],
    threshold: number,
    admin: string,
    now: number,
  ): Promise<{ hold: LawfulHoldSummary; shares: CustodianShare[] }> {
    const r = await this.get(id);
    if (r.instrument !== 'preservation') throw new SottoError('VALIDATION', 'only a preservation request places a hold');
    if (r.status !== 'received') throw new SottoError('CONFLICT', `request ${id} is already ${r.status}`);
    const names = custodians.map((c) => text(c, 'a custodian name', 100, true));
    if (new Set(names).size !== names.length) throw new SottoError('VALIDATION', 'custodian names are distinct');
    if (names.length < MIN_CUSTODIANS || names.length > MAX_CUSTODIANS)
      throw new SottoError('VALIDATION', `a hold has ${MIN_CUSTODIANS} to ${MAX_CUSTODIANS} custodians`);
    if (!Number.isInteger(threshold) || threshold < 2 || threshold > names.length)
      throw new SottoError('VALIDATION', `the threshold is 2 to ${names.length} (the number of custodians)`);
    const accounts = await this.collect(r.accounts, this.heldCategories(r.categories));
    const rows: Record<string, number> = {};
    for (const a of accounts) for (const t of a.tables) rows[t.table] = (rows[t.table] ?? 0) + t.rows.length;
    const holdId = this.d.newId();
    const snapshot = new TextEncoder().encode(canonicalJson({ hold: holdId, request: r.id, at: now, accounts }));
    const sealed = await sealSnapshot(holdId, snapshot, names, threshold, this.d.randomBytes);
    const hold: HoldRecord = {
      id: holdId,
      requestId: r.id,
      accounts: r.accounts,
      custodians: names,
      threshold,
      createdAt: now,
      expiresAt: now + HOLD_DAYS * DAY_MS,
      extended: false,
      sealed: sealed.sealed,
      shareHashes: sealed.shareHashes,
      rows,
      deletedAt: null,
      deletedWhy: null,
    };
    const next: LawfulRecord = { ...r, status: 'decided', decidedBy: { admin, at: now, note: 'preserved' } };
    await this.update(r, next, [this.entry(r, now, 'preserved', {}, { admin, hold: holdId, custodians: names, threshold, rows })], {
      insertHold: hold,
    });
    return { hold: holdSummary(hold), shares: sealed.shares };
  }

  async extendHold(holdId: string, admin: string, now: number): Promise<LawfulHoldSummary> {
    const h = await this.heldHold(holdId);
    if (h.extended) throw new SottoError('CONFLICT', `hold ${holdId} was already extended once`);
    const r = await this.get(h.requestId);
    const next: HoldRecord = { ...h, extended: true, expiresAt: h.expiresAt + HOLD_DAYS * DAY_MS };
    await this.update(r, { ...r }, [this.entry(r, now, 'hold-extended', {}, { admin, hold: holdId, expiresAt: next.expiresAt })], {
      updateHold: next,
    });
    return holdSummary(next);
  }

  async releaseHold(holdId: string, admin: string, now: number): Promise<LawfulHoldSummary> {
    const h = await this.heldHold(holdId);
    return holdSummary(await this.deleteHold(h, 'released', admin, now));
  }

  // -- the answer ----------------------------------------------------------------------------------------------------

  /**
   * The signed answer: for a decided request, the data the inventory yields for the named accounts in the categories
   * decided (none when refused), what the server does not hold, and, when the request follows a preservation request
   * whose hold is still held, the preserved snapshot opened with custodian shares (the hold is then deleted). For a
   * preservation request: the confirmation of the hold, with no data. Only the answer's hash is kept.
   */
  async answer(id: string, shareTexts: readonly string[], admin: string, now: number): Promise<DisclosurePackage> {
    const r = await this.get(id);
    if (r.status === 'answered') throw new SottoError('CONFLICT', `request ${id} was already answered`);
    if (r.status !== 'decided') throw new SottoError('CONFLICT', `request ${id} needs a decision before its answer`);
    const notHeld = r.categories.filter(isNotHeld).map((c) => ({ category: c, statement: this.d.notHeld[c] }));
    let answer: DisclosureAnswer;
    let disclosedAccounts = 0;
    let openedHold: HoldRecord | undefined;
    if (r.instrument === 'preservation') {
      const h = (await this.d.store.holdsOf(r.id)).find((x) => x.deletedAt === null);
      answer = {
        decision: 'preserved',
        reason: `Preserved for ${HOLD_DAYS} days, extendable once; nothing is disclosed without a further request.`,
        accounts: [],
        preserved: null,
        hold: h ? { id: h.id, expiresAt: h.expiresAt, custodians: h.custodians, threshold: h.threshold, rows: h.rows } : null,
        notHeld,
        elsewhere: [...this.d.elsewhere],
      };
    } else {
      const decision = r.decision as LawfulDecision;
      const categories = decision === 'reject' ? [] : this.heldCategories(decision === 'partial' ? (r.disclosed ?? []) : r.categories);
      const accounts = decision === 'reject' ? [] : await this.collect(r.accounts, categories);
      let preserved: DisclosureAnswer['preserved'] = null;
      if (r.follows !== null && decision !== 'reject') {
        openedHold = (await this.d.store.holdsOf(r.follows)).find((x) => x.deletedAt === null);
        if (openedHold) preserved = await this.openHold(openedHold, shareTexts, r.accounts, categories);
      }
      disclosedAccounts = accounts.filter((a) => a.found).length;
      answer = { decision, reason: r.reason, accounts, preserved, hold: null, notHeld, elsewhere: [...this.d.elsewhere] };
    }
    const pkg = buildDisclosure(r, answer, this.d.signingKey(), this.d.domain, now);
    const next: LawfulRecord = {
      ...r,
      status: 'answered',
      answeredAt: now,
      answerSha256: sha256Hex(canonicalJson(pkg)),
      noticeDueAt: Math.max(now + this.d.gagDays * DAY_MS, r.noticeDelayUntil ?? 0),
    };
    const decision = answer.decision === 'preserved' ? undefined : answer.decision;
    const log: LogInput[] = [
      this.entry(
        r,
        now,
        'answered',
        { accounts: disclosedAccounts, ...(decision ? { decision } : {}) },
        { admin, answerSha256: next.answerSha256 },
      ),
    ];
    let holdChange: LawfulChange['updateHold'];
    if (openedHold) {
      holdChange = { ...openedHold, sealed: null, shareHashes: null, deletedAt: now, deletedWhy: 'answered' };
      const p = (await this.d.store.getRequest(openedHold.requestId)) as LawfulRecord;
      log.push(this.entry(p, now, 'hold-deleted', { why: 'answered' }, { admin, hold: openedHold.id, answeredBy: r.id }));
    }
    await this.update(r, next, log, holdChange ? { updateHold: holdChange } : {});
    return pkg;
  }

  // -- the sweep -----------------------------------------------------------------------------------------------------

  /** Deletes expired holds, flags emergency disclosures without a timely second approval, and gives due notices. */
  async sweep(now: number): Promise<{ expired: number; flagged: number; notices: number }> {
    let expired = 0;
    let flagged = 0;
    let notices = 0;
    for (const h of await this.d.store.expiredHolds(now)) {
      await this.deleteHold(h, 'expired', 'system:retention', now);
      expired++;
    }
    for (const r of await this.d.store.unapprovedEmergencies(now)) {
      const flag: LawfulFlag = 'second-approval-overdue';
      const next: LawfulRecord = { ...r, flaggedAt: now };
      await this.update(r, next, [this.entry(r, now, 'flagged', { flag }, { admin: 'system:register', due: r.secondApprovalDueAt })]);
      flagged++;
    }
    for (const r of await this.d.store.noticesDue(now)) {
      const found = (await Promise.all(r.accounts.map(async (a) => ((await this.d.records.collect(a, [])).found ? a : undefined)))).filter(
        (a): a is string => a !== undefined,
      );
      const records: NoticeRecord[] = found.map((account) => ({
        id: this.d.newId(),
        account,
        kind: 'lawful-request',
        text: this.noticeText(r),
        createdAt: now,
        readAt: null,
      }));
      const next: LawfulRecord = { ...r, noticeGivenAt: now };
      await this.update(
        r,
        next,
        [this.entry(r, now, 'notice-given', { accounts: found.length }, { admin: 'system:register', accounts: found })],
        {
          notices: records,
        },
      );
      notices += found.length;
    }
    return { expired, flagged, notices };
  }

  // -- helpers -------------------------------------------------------------------------------------------------------

  private noticeText(r: LawfulRecord): string {
    const date = new Date(r.receivedAt).toISOString().slice(0, 10);
    const outcome = OUTCOMES[r.instrument === 'preservation' ? 'preserved' : (r.decision ?? 'reject')];
    return (
      `On ${date}, the operator of ${this.d.domain} received ${INSTRUMENT_NAMES[r.instrument]} from ${r.authority} (${r.country}) ` +
      `that named your account. Outcome: ${outcome}. Message content was not part of it: this server cannot read it.`
    );
  }

  private heldCategories(cs: readonly RequestCategory[]): InventoryCategory[] {
    return cs.filter(isHeld);
  }

  private async collect(accounts: readonly string[], categories: InventoryCategory[]): Promise<DisclosureAccount[]> {
    const out: DisclosureAccount[] = [];
    for (const a of accounts) out.push(await this.d.records.collect(a, categories));
    return out;
  }

  private async openHold(
    h: HoldRecord,
    shareTexts: readonly string[],
    accounts: readonly string[],
    categories: InventoryCategory[],
  ): Promise<NonNullable<DisclosureAnswer['preserved']>> {
    if (shareTexts.length < h.threshold)
      throw new SottoError(
        'VALIDATION',
        `this request follows preservation request ${h.requestId}, whose hold ${h.id} is held: give ${h.threshold} of its custodians' shares`,
      );
    const parsed = shareTexts.map(parseShare);
    if (parsed.some((p) => p.holdId !== h.id)) throw new SottoError('VALIDATION', `a share given is not a share of hold ${h.id}`);
    if (parsed.some((p, i) => h.shareHashes?.[p.index - 1] !== shareHash(shareTexts[i]?.trim() ?? '')))
      throw new SottoError('VALIDATION', `a share given is not one of hold ${h.id}'s custodians' shares`);
    if (new Set(parsed.map((p) => p.index)).size !== parsed.length) throw new SottoError('VALIDATION', 'the same share was given twice');
    if (!h.sealed) throw new SottoError('CONFLICT', `hold ${h.id} was deleted`);
    const snapshot = JSON.parse(
      new TextDecoder().decode(
        await openSnapshot(
          h.id,
          h.sealed,
          parsed.map((p) => p.bytes),
        ),
      ),
    ) as { at: number; accounts: DisclosureAccount[] };
    // The answer carries only what this request may have: its accounts, and the columns of the categories it is
    // answered with.
    const keep = new Set(categories);
    const restrict = (t: DisclosureTable): DisclosureTable | undefined => {
      const cols = Object.keys(t.columns).filter((c) => {
        const cat = this.d.columnCategory(t.table, c);
        return cat !== undefined && keep.has(cat);
      });
      if (cols.length === 0) return undefined;
      return {
        ...t,
        columns: Object.fromEntries(cols.map((c) => [c, t.columns[c] as string])),
        rows: t.rows.map((row) => Object.fromEntries(cols.map((c) => [c, row[c] ?? null]))),
      };
    };
    return {
      hold: h.id,
      at: snapshot.at,
      accounts: snapshot.accounts
        .filter((a) => accounts.includes(a.account))
        .map((a) => ({ ...a, tables: a.tables.map(restrict).filter((t): t is DisclosureTable => t !== undefined) })),
    };
  }

  private async deleteHold(h: HoldRecord, why: NonNullable<HoldRecord['deletedWhy']>, admin: string, now: number): Promise<HoldRecord> {
    const r = await this.get(h.requestId);
    const next: HoldRecord = { ...h, sealed: null, shareHashes: null, deletedAt: now, deletedWhy: why };
    await this.update(r, { ...r }, [this.entry(r, now, 'hold-deleted', { why }, { admin, hold: h.id })], { updateHold: next });
    return next;
  }

  private async heldHold(holdId: string): Promise<HoldRecord> {
    const h = await this.d.store.getHold(holdId);
    if (!h) throw new SottoError('NOT_FOUND', `no hold ${holdId}`);
    if (h.deletedAt !== null) throw new SottoError('CONFLICT', `hold ${holdId} was deleted (${h.deletedWhy})`);
    return h;
  }

  private async get(id: string): Promise<LawfulRecord> {
    const r = await this.d.store.getRequest(id);
    if (!r) throw new SottoError('NOT_FOUND', `no request ${id}`);
    return r;
  }

  /** Writes `next` over `r` (compare-and-set on its version) with its log entries; CONFLICT if it changed meanwhile. */
  private async update(r: LawfulRecord, next: LawfulRecord, log: LogInput[], extra: Omit<LawfulChange, 'log' | 'updateRequest'> = {}) {
    const change: LawfulChange = { ...extra, updateRequest: { next: { ...next, version: r.version + 1 }, expectVersion: r.version }, log };
    if ((await this.d.store.apply(change)) === 'conflict')
      throw new SottoError('CONFLICT', `request ${r.id} changed meanwhile: read it again and retry`);
  }

  private entry(
    r: LawfulRecord,
    at: number,
    event: LogInput['event'],
    pub: Partial<RequestLogPublic>,
    priv: Record<string, unknown>,
  ): LogInput {
    return {
      at,
      request: r.id,
      event,
      public: { instrument: r.instrument, country: r.country, ...pub },
      private: priv,
      salt: hex(this.d.randomBytes(16)),
    };
  }

  private flags(r: LawfulRecord, now: number): LawfulFlag[] {
    const flags: LawfulFlag[] = [];
    if (r.secondApprovalDueAt !== null && r.secondApproval === null && now > r.secondApprovalDueAt) flags.push('second-approval-overdue');
    if (r.instrument === 'emergency' && r.status === 'answered' && r.review === null) flags.push('review-pending');
    if (r.dueAt !== null && r.status !== 'answered' && now > r.dueAt) flags.push('overdue');
    return flags;
  }

  private summary(r: LawfulRecord, now: number): LawfulRequestSummary {
    return {
      id: r.id,
      instrument: r.instrument,
      authority: r.authority,
      country: r.country,
      reference: r.reference,
      receivedAt: r.receivedAt,
      dueAt: r.dueAt,
      accounts: r.accounts,
      status: r.status,
      decision: r.decision,
      flags: this.flags(r, now),
    };
  }

  private detailOf(r: LawfulRecord, holds: HoldRecord[], now: number): LawfulRequestDetail {
    return {
      ...this.summary(r, now),
      categories: r.categories,
      noticeDelayUntil: r.noticeDelayUntil,
      follows: r.follows,
      note: r.note,
      receivedBy: r.receivedBy,
      decisionBy: r.decidedBy,
      reason: r.reason,
      secondApproval: r.secondApproval,
      secondApprovalDueAt: r.secondApprovalDueAt,
      review: r.review,
      answeredAt: r.answeredAt,
      answerSha256: r.answerSha256,
      noticeDueAt: r.noticeDueAt,
      noticeGivenAt: r.noticeGivenAt,
      holds: holds.map(holdSummary),
    };
  }
}

function holdSummary(h: HoldRecord): LawfulHoldSummary {
  return {
    id: h.id,
    requestId: h.requestId,
    accounts: h.accounts,
    custodians: h.custodians,
    threshold: h.threshold,
    createdAt: h.createdAt,
    expiresAt: h.expiresAt,
    extended: h.extended,
    deletedAt: h.deletedAt,
    deletedWhy: h.deletedWhy,
  };
}
