// The lawful register's parts on their own: preservation sealing (k-1 shares, shares of another hold and changed
// shares never open a snapshot, whatever the count check above it says), the store contract on the SQLite store and its
// in-memory twin (compare-and-set, holds, notices, the chained log), and the register's rules over the in-memory store
// with an injected clock.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { verifyRequestLog } from '@sotto/protocol';
import type { AccountRecords } from '../src/lawful/account-records.js';
import type { HoldRecord, LawfulRecord, LawfulStore } from '../src/lawful/lawful-store.js';
import { MemoryLawfulStore } from '../src/lawful/memory-lawful-store.js';
import { openSnapshot, parseShare, sealSnapshot } from '../src/lawful/preservation.js';
import { LawfulRegister } from '../src/lawful/register.js';
import { verifyStoredLog } from '../src/lawful/request-log.js';
import { SigningKey } from '../src/moderation/signing-key.js';
import { NOT_HELD } from '../src/storage/data-inventory.js';
import { SqliteLawfulStore } from '../src/storage/sqlite/sqlite-lawful-store.js';
import { SqliteStorage } from '../src/storage/sqlite/sqlite-storage.js';
import { cleanup, tempDir } from './helpers/server-process.js';

const rnd = (n: number) => new Uint8Array(randomBytes(n));
const secret = new TextEncoder().encode('{"accounts":[{"account":"alice@example.org","found":true,"tables":[]}]}');

describe('preservation sealing (Shamir k-of-n over an AES-256-GCM key)', () => {
  for (const [k, n] of [
    [2, 3],
    [3, 5],
    [5, 5],
  ] as const)
    test(`${k} of ${n}: every set of ${k} shares opens it; no set of ${k - 1} does`, async () => {
      const s = await sealSnapshot(
        'hold1',
        secret,
        Array.from({ length: n }, (_, i) => `c${i}`),
        k,
        rnd,
      );
      const bytes = s.shares.map((x) => parseShare(x.share).bytes);
      const subsets = (size: number, from = 0): number[][] =>
        size === 0 ? [[]] : Array.from({ length: n - from }, (_, i) => subsets(size - 1, from + i + 1).map((r) => [from + i, ...r])).flat();
      for (const set of subsets(k))
        assert.deepEqual(
          await openSnapshot(
            'hold1',
            s.sealed,
            set.map((i) => bytes[i] as Uint8Array),
          ),
          secret,
        );
      for (const set of subsets(k - 1))
        await assert.rejects(
          openSnapshot(
            'hold1',
            s.sealed,
            set.map((i) => bytes[i] as Uint8Array),
          ),
          /do not open this hold/,
          `shares ${set}`,
        );
    });

  test("another hold's shares, a changed share, the right shares on another hold's ciphertext: refused", async () => {
    const a = await sealSnapshot('holdA', secret, ['x', 'y', 'z'], 2, rnd);
    const b = await sealSnapshot('holdB', secret, ['x', 'y', 'z'], 2, rnd);
    const sa = a.shares.map((x) => parseShare(x.share).bytes);
    const sb = b.shares.map((x) => parseShare(x.share).bytes);
    await assert.rejects(openSnapshot('holdA', a.sealed, [sb[0] as Uint8Array, sb[1] as Uint8Array]), /do not open/);
    await assert.rejects(openSnapshot('holdA', a.sealed, [sa[0] as Uint8Array, sb[1] as Uint8Array]), /do not open/);
    const changed = Uint8Array.from(sa[1] as Uint8Array);
    changed[0] = (changed[0] as number) ^ 1;
    await assert.rejects(openSnapshot('holdA', a.sealed, [sa[0] as Uint8Array, changed]), /do not open/);
    await assert.rejects(
      openSnapshot('holdB', a.sealed, [sa[0] as Uint8Array, sa[1] as Uint8Array]),
      /do not open/,
      'bound to its hold id',
    );
    assert.notDeepEqual(a.sealed, b.sealed, 'a fresh key and nonce per hold');
    assert.ok(!Buffer.from(a.sealed).includes(Buffer.from('alice@example.org')), 'sealed');
    assert.throws(() => parseShare('not a share'), /looks like sotto-share\/v1/);
  });
});

function storeContract(name: string, make: () => { store: LawfulStore; close: () => Promise<void> }) {
  describe(`lawful store contract: ${name}`, () => {
    const rec = (id: string, over: Partial<LawfulRecord> = {}): LawfulRecord => ({
      id,
      instrument: 'mlat',
      authority: 'A',
      country: 'BE',
      reference: 'R',
      receivedAt: 1000,
      dueAt: null,
      accounts: ['alice@example.org'],
      categories: ['account'],
      noticeDelayUntil: null,
      follows: null,
      note: '',
      receivedBy: 'cli:o',
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
      ...over,
    });
    const log = (request: string, at = 1000) => ({
      at,
      request,
      event: 'received' as const,
      public: { instrument: 'mlat' as const, country: 'BE', accounts: 1 },
      private: { admin: 'x' },
      salt: '00'.repeat(16),
    });

    test('insert, compare-and-set update, lists, due notices and unapproved emergencies; the log is chained across changes', async () => {
      const { store, close } = make();
      try {
        assert.equal(await store.apply({ insertRequest: rec('r1'), log: [log('r1')] }), 'ok');
        assert.equal(await store.apply({ insertRequest: rec('r2', { receivedAt: 2000 }), log: [log('r2', 2000)] }), 'ok');
        assert.deepEqual(
          (await store.listRequests()).map((r) => r.id),
          ['r2', 'r1'],
        );
        const r1 = (await store.getRequest('r1')) as LawfulRecord;
        assert.deepEqual(r1, rec('r1'));
        const next = { ...r1, status: 'answered' as const, noticeDueAt: 5000, version: 2 };
        assert.equal(await store.apply({ updateRequest: { next, expectVersion: 1 }, log: [log('r1', 3000)] }), 'ok');
        assert.equal(
          await store.apply({ updateRequest: { next: { ...next, version: 3 }, expectVersion: 1 }, log: [log('r1')] }),
          'conflict',
        );
        assert.equal((await store.logEntries()).length, 3, 'a refused change appends nothing');
        assert.deepEqual(
          (await store.noticesDue(4999)).map((r) => r.id),
          [],
        );
        assert.deepEqual(
          (await store.noticesDue(5000)).map((r) => r.id),
          ['r1'],
        );
        const e = rec('e1', { instrument: 'emergency', decision: 'disclose', secondApprovalDueAt: 100 });
        await store.apply({ insertRequest: e, log: [] });
        assert.deepEqual(
          (await store.unapprovedEmergencies(100)).map((r) => r.id),
          [],
        );
        assert.deepEqual(
          (await store.unapprovedEmergencies(101)).map((r) => r.id),
          ['e1'],
        );
        const entries = await store.logEntries();
        assert.deepEqual(
          entries.map((x) => x.seq),
          [1, 2, 3],
        );
        assert.equal(verifyStoredLog(entries).ok, true);
        assert.equal(verifyRequestLog(entries).ok, true);
        assert.equal(entries[0]?.month, '1970-01');
        assert.deepEqual(await store.logHead(), { seq: 3, hash: entries[2]?.hash }, 'the head, read alone');
      } finally {
        await close();
      }
    });

    test('holds: insert, expiry listing, deletion keeps the counts and drops the ciphertext', async () => {
      const { store, close } = make();
      try {
        assert.equal(await store.logHead(), undefined, 'an empty log has no head');
        await store.apply({ insertRequest: rec('p1', { instrument: 'preservation' }), log: [] });
        const h: HoldRecord = {
          id: 'h1',
          requestId: 'p1',
          accounts: ['alice@example.org'],
          custodians: ['a', 'b'],
          threshold: 2,
          createdAt: 0,
          expiresAt: 500,
          extended: false,
          sealed: new Uint8Array([1, 2, 3]),
          shareHashes: ['aa', 'bb'],
          rows: { accounts: 1 },
          deletedAt: null,
          deletedWhy: null,
        };
        await store.apply({ insertHold: h, log: [] });
        assert.deepEqual(await store.getHold('h1'), h);
        assert.deepEqual(
          (await store.expiredHolds(499)).map((x) => x.id),
          [],
        );
        assert.deepEqual(
          (await store.expiredHolds(500)).map((x) => x.id),
          ['h1'],
        );
        await store.apply({ updateHold: { ...h, sealed: null, shareHashes: null, deletedAt: 500, deletedWhy: 'expired' }, log: [] });
        const gone = (await store.getHold('h1')) as HoldRecord;
        assert.equal(gone.sealed, null);
        assert.deepEqual(gone.rows, { accounts: 1 });
        assert.deepEqual(await store.expiredHolds(10_000), []);
        assert.deepEqual(
          (await store.holdsOf('p1')).map((x) => x.id),
          ['h1'],
        );
      } finally {
        await close();
      }
    });
  });
}

storeContract('memory', () => ({ store: new MemoryLawfulStore(), close: async () => {} }));
storeContract('sqlite', () => {
  const dir = tempDir();
  const s = new SqliteStorage({ file: join(dir, 'sotto.db'), synchronous: 'normal' });
  return {
    store: new SqliteLawfulStore(s.db),
    close: async () => {
      await s.close();
      cleanup(dir);
    },
  };
});

test('the register over the in-memory store: a partial decision, a refusal, the notice text, and no log entry naming an account in public', async () => {
  const store = new MemoryLawfulStore();
  const records: AccountRecords = {
    async collect(account, categories) {
      const known = account === 'alice@example.org';
      return {
        account,
        found: known,
        tables:
          known && categories.includes('account')
            ? [{ table: 'accounts', what: 'x', columns: { name: 'n' }, rows: [{ name: account }] }]
            : [],
      };
    },
  };
  const dir = tempDir();
  let n = 0;
  const reg = new LawfulRegister({
    store,
    records,
    signingKey: () => SigningKey.loadOrCreate(dir),
    domain: 'example.org',
    gagDays: 10,
    emergencyApprovalHours: 1,
    notHeld: NOT_HELD,
    elsewhere: [],
    columnCategory: () => 'account',
    newId: () => `id${++n}`,
    randomBytes: rnd,
  });
  try {
    const base = { authority: 'Court', country: 'be', reference: 'X1', accounts: ['alice@example.org', 'ghost@example.org'] };
    const r = await reg.receive({ ...base, instrument: 'domestic-order', categories: ['account', 'device', 'group-names'] }, 'cli:o', 1000);
    assert.equal(r.country, 'BE', 'the country code is normalised');
    await reg.decide(r.id, 'partial', 'only subscriber data', 'cli:o', 2000, ['account']);
    const pkg = await reg.answer(r.id, [], 'cli:o', 3000);
    assert.deepEqual(
      pkg.answer.accounts.map((a) => [a.account, a.found, a.tables.length]),
      [
        ['alice@example.org', true, 1],
        ['ghost@example.org', false, 0],
      ],
    );
    assert.deepEqual(pkg.answer.notHeld, [{ category: 'group-names', statement: NOT_HELD['group-names'] }]);
    await assert.rejects(reg.review(r.id, 'x', true, 'cli:p', 4000), /only an emergency request/);
    const s = await reg.sweep(3000 + 10 * 86_400_000);
    assert.deepEqual(s, { expired: 0, flagged: 0, notices: 1 });
    assert.match(
      store.notices[0]?.text ?? '',
      /^On 1970-01-01, the operator of example\.org received a court order from Court \(BE\) that named your account\. Outcome: part of the data/,
    );
    assert.equal(store.notices[0]?.account, 'alice@example.org');
    for (const e of await store.logEntries()) assert.ok(!JSON.stringify(e.public).includes('@'));
    const answered = (await store.logEntries()).find((e) => e.event === 'answered');
    assert.deepEqual(answered?.public, { instrument: 'domestic-order', country: 'BE', accounts: 1, decision: 'partial' });
  } finally {
    cleanup(dir);
  }
});
