// The moderation store contract (moderation/moderation-store.ts), run against the SQLite store and its in-memory twin
// with the same assertions; and the moderation log's hash chain (moderation-log.ts) over both.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { MemoryModerationStore } from '../src/moderation/memory-moderation-store.js';
import { ModerationLog, verifyModerationLog } from '../src/moderation/moderation-log.js';
import type { ModerationStore, ReportMessageRecord, ReportRecord } from '../src/moderation/moderation-store.js';
import { SqliteModerationStore } from '../src/storage/sqlite/sqlite-moderation-store.js';
import { SqliteStorage } from '../src/storage/sqlite/sqlite-storage.js';
import { cleanup, tempDir } from './helpers/server-process.js';

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

function reportRec(id: string, over: Partial<ReportRecord> = {}): ReportRecord {
  return {
    id,
    kind: 'report',
    reportedAccount: 'mallory@localhost',
    reporterAccount: 'bob@localhost',
    reporterDevice: 'bob-phone',
    groupId: bytes(16, 7),
    category: 'spam',
    reason: 'spam again',
    signals: null,
    verified: true,
    status: 'open',
    createdAt: 1000,
    updatedAt: 1000,
    resolvedAt: null,
    resolution: null,
    resolvedBy: null,
    resolutionNote: null,
    contentDeletedAt: null,
    ...over,
  };
}

function messageRec(idx: number, stampFill: number): ReportMessageRecord {
  return {
    idx,
    senderDevice: 'mallory-laptop',
    senderAccount: 'mallory@localhost',
    receivedAt: 900 + idx,
    frankingKey: bytes(16, 1),
    content: new Uint8Array(Buffer.from('buy now')),
    contentSha256: bytes(32, 2),
    commitment: bytes(32, 3),
    stamp: bytes(32, stampFill),
    stampSha256: bytes(32, stampFill + 100),
    verified: true,
    failure: null,
    contentType: 'text',
    text: 'buy now',
    attachment: idx === 1 ? { fileName: 'a.png', mimeType: 'image/png', size: 10, sha256: 'ab'.repeat(32), file: '1' } : null,
  };
}

const backends: Array<[string, () => { store: ModerationStore; done: () => Promise<void> }]> = [
  ['memory', () => ({ store: new MemoryModerationStore(), done: async () => {} })],
  [
    'sqlite',
    () => {
      const dir = tempDir();
      const s = new SqliteStorage({ file: join(dir, 'sotto.db'), synchronous: 'normal' });
      return {
        store: new SqliteModerationStore(s.db),
        done: async () => {
          await s.close();
          cleanup(dir);
        },
      };
    },
  ],
];

for (const [name, make] of backends) {
  describe(`moderation store contract: ${name}`, () => {
    test('a report round-trips with its messages; the same stamp hash from the same device is a replay, from another device not', async () => {
      const { store, done } = make();
      try {
        assert.equal(await store.insertReport(reportRec('r1'), [messageRec(0, 10), messageRec(1, 11)]), 'ok');
        assert.deepEqual(await store.getReport('r1'), reportRec('r1'));
        assert.deepEqual(await store.reportMessages('r1'), [messageRec(0, 10), messageRec(1, 11)]);
        assert.equal(await store.insertReport(reportRec('r2'), [messageRec(0, 11)]), 'replay');
        assert.equal(await store.getReport('r2'), undefined, 'nothing stored on a replay');
        assert.equal(await store.insertReport(reportRec('r3', { reporterDevice: 'carol-phone' }), [messageRec(0, 11)]), 'ok');
        assert.equal(await store.getReport('nope'), undefined);
      } finally {
        await done();
      }
    });

    test('list by status newest first, count by reporter since a time, resolve once', async () => {
      const { store, done } = make();
      try {
        await store.insertReport(reportRec('a', { createdAt: 1 }), [messageRec(0, 20)]);
        await store.insertReport(reportRec('b', { createdAt: 2 }), [messageRec(0, 21)]);
        await store.insertReport(reportRec('c', { createdAt: 3, reporterAccount: 'dave@localhost' }), [messageRec(0, 22)]);
        assert.deepEqual(
          (await store.listReports('all')).map((r) => r.id),
          ['c', 'b', 'a'],
        );
        assert.equal(await store.countReportsSince('bob@localhost', 2), 1);
        assert.equal(await store.countReportsSince('bob@localhost', 0), 2);
        assert.equal(await store.resolveReport('b', 'warn', 'mod', 'note', 50), true);
        assert.equal(await store.resolveReport('b', 'dismiss', 'mod', '', 60), false);
        assert.equal(await store.resolveReport('zz', 'dismiss', 'mod', '', 60), false);
        assert.deepEqual(
          (await store.listReports('open')).map((r) => r.id),
          ['c', 'a'],
        );
        const b = await store.getReport('b');
        assert.deepEqual(
          [b?.status, b?.resolution, b?.resolvedBy, b?.resolutionNote, b?.resolvedAt],
          ['resolved', 'warn', 'mod', 'note', 50],
        );
      } finally {
        await done();
      }
    });

    test('retention: resolved reports before a cutoff lose content, keys, stamps, text, reason and file names; hashes stay', async () => {
      const { store, done } = make();
      try {
        await store.insertReport(reportRec('old'), [messageRec(0, 30), messageRec(1, 31)]);
        await store.insertReport(reportRec('open'), [messageRec(0, 32)]);
        await store.resolveReport('old', 'dismiss', 'mod', '', 100);
        assert.deepEqual(await store.resolvedWithContentBefore(100), []);
        assert.deepEqual(
          (await store.resolvedWithContentBefore(101)).map((r) => r.id),
          ['old'],
        );
        await store.deleteReportContent('old', 200);
        assert.deepEqual(await store.resolvedWithContentBefore(1000), []);
        const r = await store.getReport('old');
        assert.equal(r?.contentDeletedAt, 200);
        assert.equal(r?.reason, '');
        const [m0, m1] = await store.reportMessages('old');
        for (const m of [m0, m1]) {
          assert.deepEqual([m?.content, m?.frankingKey, m?.stamp, m?.text], [null, null, null, null]);
          assert.equal(m?.verified, true);
        }
        assert.deepEqual(m0?.contentSha256, bytes(32, 2));
        assert.deepEqual(m1?.attachment, { fileName: null, mimeType: null, size: 10, sha256: 'ab'.repeat(32), file: null });
        assert.equal((await store.reportMessages('open'))[0]?.text, 'buy now');
      } finally {
        await done();
      }
    });

    test('one open signals item per account, updated in place', async () => {
      const { store, done } = make();
      try {
        const sig = reportRec('s1', {
          kind: 'signals',
          reporterAccount: null,
          reporterDevice: null,
          groupId: null,
          signals: [{ signal: 'a', value: 2, threshold: 1 }],
        });
        await store.insertReport(sig, []);
        assert.equal((await store.openSignalsItem('mallory@localhost'))?.id, 's1');
        await store.updateSignals('s1', [{ signal: 'b', value: 5, threshold: 3 }], 77);
        const s = await store.getReport('s1');
        assert.deepEqual([s?.signals, s?.updatedAt], [[{ signal: 'b', value: 5, threshold: 3 }], 77]);
        await assert.rejects(store.insertReport({ ...sig, id: 's2' }, []));
        await store.resolveReport('s1', 'dismiss', 'mod', '', 80);
        assert.equal(await store.openSignalsItem('mallory@localhost'), undefined);
        assert.equal(await store.insertReport({ ...sig, id: 's3' }, []), 'ok');
      } finally {
        await done();
      }
    });

    test('admin tokens and notices', async () => {
      const { store, done } = make();
      try {
        const t = {
          id: 'tok1',
          name: 'mod',
          tokenHash: bytes(32, 9),
          scopes: ['reports:read' as const],
          createdAt: 5,
          expiresAt: null,
          revokedAt: null,
        };
        await store.insertAdminToken(t);
        assert.deepEqual(await store.getAdminToken('tok1'), t);
        assert.deepEqual(await store.listAdminTokens(), [t]);
        assert.equal(await store.revokeAdminToken('tok1', 10), true);
        assert.equal(await store.revokeAdminToken('tok1', 20), true);
        assert.equal((await store.getAdminToken('tok1'))?.revokedAt, 10, 'the first revocation stays');
        assert.equal(await store.revokeAdminToken('nope', 10), false);

        await store.addNotice({ id: 'n1', account: 'a@x', kind: 'warning', text: 'one', createdAt: 1, readAt: null });
        await store.addNotice({ id: 'n2', account: 'a@x', kind: 'warning', text: 'two', createdAt: 2, readAt: null });
        await store.addNotice({ id: 'n3', account: 'b@x', kind: 'warning', text: 'other', createdAt: 1, readAt: null });
        assert.deepEqual(
          (await store.takeNotices('a@x', 9)).map((n) => n.text),
          ['one', 'two'],
        );
        assert.deepEqual(await store.takeNotices('a@x', 10), []);
        assert.equal((await store.takeNotices('b@x', 10)).length, 1);
      } finally {
        await done();
      }
    });

    test('the moderation log chains every entry; an edited, removed or reordered entry breaks the chain', async () => {
      const { store, done } = make();
      try {
        const log = new ModerationLog(store);
        assert.deepEqual(await log.head(), { seq: 0, hash: '0'.repeat(64) });
        await log.append(1, 'mod', 'resolve:warn', { reportId: 'r1', account: 'm@x' }, { note: 'hi' });
        await log.append(2, 'cli:root', 'evidence-export', { reportId: 'r1' }, {});
        await log.append(3, 'system:signals', 'flag', { account: 'm@x' }, { signals: [] });
        const entries = await log.entries();
        const ok = verifyModerationLog(entries);
        assert.ok(ok.ok);
        assert.equal(ok.ok && ok.head, (await log.head()).hash);
        assert.deepEqual(verifyModerationLog([{ ...entries[0]!, admin: 'someone-else' }, ...entries.slice(1)]), {
          ok: false,
          seq: 1,
          problem: 'hash does not match the entry',
        });
        assert.equal(verifyModerationLog([entries[0]!, entries[2]!]).ok, false, 'removed');
        assert.equal(verifyModerationLog([entries[1]!, entries[0]!, entries[2]!]).ok, false, 'reordered');
        const e1 = entries[1]!;
        assert.equal(verifyModerationLog([entries[0]!, { ...e1, detail: '{"x":1}' }, entries[2]!]).ok, false, 'detail edited');
      } finally {
        await done();
      }
    });
  });
}
