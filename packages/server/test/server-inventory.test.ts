// The data inventory: it lists exactly the tables and columns of a fresh database (all migrations applied), its
// retentions follow the configuration, and GET /v1/inventory serves it without authentication in the shape the
// protocol's decoder accepts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeInventoryResponse, INVENTORY_CATEGORIES, type InventoryItem, WireError } from '@sotto/protocol';
import { loadConfig } from '../src/config/config.js';
import { DATA_INVENTORY, dataInventory, inventoryItems } from '../src/storage/data-inventory.js';
import { inventoryMarkdown } from '../src/storage/inventory-markdown.js';
import { SqliteStorage } from '../src/storage/sqlite/sqlite-storage.js';
import { startInProcess } from './helpers/in-process.js';
import { cleanup, tempDir } from './helpers/server-process.js';

/** Table -> columns of a database created by the server's own migrations. */
async function liveSchema(): Promise<Map<string, string[]>> {
  const dir = tempDir();
  const s = new SqliteStorage({ file: join(dir, 'sotto.db'), synchronous: 'normal' });
  try {
    const tables = s.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
    return new Map(tables.map((t) => [t, s.db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(t) as string[]]));
  } finally {
    await s.close();
    cleanup(dir);
  }
}

test('the inventory names every table and column of the live schema, and none that does not exist', async () => {
  const live = await liveSchema();
  assert.ok(live.size >= 13, 'the schema was read');
  for (const [table, columns] of live) {
    const spec = DATA_INVENTORY[table];
    assert.ok(spec, `table ${table} is missing from the inventory (src/storage/data-inventory.ts)`);
    for (const c of columns) assert.ok(Object.hasOwn(spec.columns, c), `column ${table}.${c} is missing from the inventory`);
    for (const c of Object.keys(spec.columns)) assert.ok(columns.includes(c), `the inventory names ${table}.${c}, which does not exist`);
  }
  for (const table of Object.keys(DATA_INVENTORY)) assert.ok(live.has(table), `the inventory names table ${table}, which does not exist`);
});

test('every table about an account says how a lawful answer finds its rows (or why it never does), and each lookup runs on the live schema', async () => {
  const dir = tempDir();
  const s = new SqliteStorage({ file: join(dir, 'sotto.db'), synchronous: 'normal' });
  try {
    for (const [table, spec] of Object.entries(DATA_INVENTORY)) {
      const aboutAccount = spec.aboutAccount || Object.values(spec.columns).some((c) => c.aboutAccount);
      if (aboutAccount) assert.ok(spec.lookup, `${table} holds data about accounts: give it a lookup (or say why it is withheld)`);
      if (!spec.lookup) continue;
      if ('withheld' in spec.lookup) {
        assert.ok(spec.lookup.withheld.length > 20, `${table}: why it is withheld`);
        continue;
      }
      const n = spec.lookup.where.split('?').length - 1;
      assert.ok(n >= 1, `${table}: the lookup is bound to the account`);
      const rows = s.db.prepare(`SELECT * FROM "${table}" WHERE ${spec.lookup.where}`).all(...Array<string>(n).fill('alice@example.org'));
      assert.deepEqual(rows, [], `${table}: the lookup runs`);
    }
  } finally {
    await s.close();
    cleanup(dir);
  }
});

test('docs/data-inventory.md is the inventory generated under the default configuration (regenerate: sotto-server admin inventory --markdown)', () => {
  const committed = readFileSync(join(import.meta.dirname, '../../../docs/data-inventory.md'), 'utf8');
  const generated = inventoryMarkdown(dataInventory(loadConfig({ env: {} }), '0.1.0'));
  assert.equal(committed, generated, 'run: sotto-server admin inventory --markdown > docs/data-inventory.md');
  for (const table of Object.keys(DATA_INVENTORY)) assert.ok(committed.includes(`### \`${table}\``), table);
});

test('every item says what it is, in a known category; one item per table and per column', async () => {
  const items = inventoryItems(loadConfig({ env: {} }));
  const live = await liveSchema();
  const columns = [...live.values()].reduce((n, c) => n + c.length, 0);
  assert.equal(items.length, live.size + columns);
  const keys = new Set(items.map((i) => `${i.table}.${i.column ?? ''}`));
  assert.equal(keys.size, items.length, 'no item twice');
  for (const i of items) {
    assert.ok(i.what.length > 5 && /[.)]$/.test(i.what), `${i.table}.${i.column}: a sentence`);
    assert.ok((INVENTORY_CATEGORIES as readonly string[]).includes(i.category));
  }
});

test('the schema keeps no IP address, e-mail, phone number or contact list (notHeld says so)', async () => {
  for (const [table, columns] of await liveSchema())
    for (const c of [table, ...columns]) assert.doesNotMatch(c, /(^|_)ip($|_)|addr|mail|phone|contact|plain|private|secret_key/i, c);
  const body = dataInventory(loadConfig({ env: {} }), '0.1.0');
  for (const topic of [/^Message content/, /^Attachment content/, /^Private keys/, /^Group names/, /^Contact lists/, /^IP addresses/])
    assert.ok(
      body.notHeld.some((s) => topic.test(s)),
      String(topic),
    );
  assert.ok(!body.notHeld.some((s) => /^Group member/i.test(s)), 'the server does know group members: never claimed otherwise');
  assert.ok(body.protocol.facts.some((f) => /which devices are in which group/.test(f)));
});

test('retentions come from the configuration', () => {
  const find = (items: InventoryItem[], table: string, column?: string) => {
    const i = items.find((x) => x.table === table && x.column === column);
    assert.ok(i, `${table}.${column}`);
    return i.retention;
  };
  const d = inventoryItems(loadConfig({ env: {} }));
  assert.deepEqual(find(d, 'messages'), { kind: 'until-delivered-or-seconds', seconds: 30 * 86400 });
  assert.deepEqual(find(d, 'deliveries', 'device_id'), { kind: 'until-delivered-or-seconds', seconds: 30 * 86400 });
  assert.deepEqual(find(d, 'blobs'), { kind: 'seconds', seconds: 30 * 86400 });
  assert.deepEqual(find(d, 'tokens'), { kind: 'seconds', seconds: 3600 });
  assert.deepEqual(find(d, 'admin_events'), { kind: 'seconds', seconds: 3600 });
  assert.deepEqual(find(d, 'accounts', 'account_key'), { kind: 'until-account-deleted' });
  assert.deepEqual(find(d, 'devices', 'name'), { kind: 'until-removed' });
  assert.deepEqual(find(d, 'key_packages'), { kind: 'until-claimed-or-device-removed' });
  assert.deepEqual(find(d, 'groups'), { kind: 'indefinite' });
  const c = inventoryItems(
    loadConfig({ env: { SOTTO_RETENTION_MAX_DAYS: '3', SOTTO_BLOB_TTL_DAYS: '2', SOTTO_TOKEN_TTL_SECONDS: '600' } }),
  );
  assert.deepEqual(find(c, 'messages', 'payload'), { kind: 'until-delivered-or-seconds', seconds: 3 * 86400 });
  assert.deepEqual(find(c, 'blobs', 'hash'), { kind: 'seconds', seconds: 2 * 86400 });
  assert.deepEqual(find(c, 'tokens', 'secret_hash'), { kind: 'seconds', seconds: 600 });
  const s = inventoryItems(loadConfig({ env: { SOTTO_RETENTION_MAX_DAYS: '3', SOTTO_RETENTION_MAX_SECONDS: '900' } }));
  assert.deepEqual(find(s, 'messages'), { kind: 'until-delivered-or-seconds', seconds: 900 }, 'maxSeconds wins over maxDays');
});

test('GET /v1/inventory: public, decodable, computed from the running configuration', async () => {
  const srv = await startInProcess({ SOTTO_RETENTION_MAX_SECONDS: '7200', SOTTO_BLOB_TTL_DAYS: '5', SOTTO_DOMAIN: 'example.org' });
  try {
    const r = await fetch(`${srv.url}/v1/inventory`);
    assert.equal(r.status, 200);
    const raw = (await r.json()) as unknown;
    const body = decodeInventoryResponse(raw);
    assert.deepEqual(raw, body, 'the decoder keeps every field the server sends');
    assert.deepEqual(body.server, { version: '0.1.0', domain: 'example.org' }, 'the account domain, for clients that complete a bare name');
    const messages = body.items.find((i) => i.table === 'messages' && i.column === undefined);
    assert.deepEqual(messages?.retention, { kind: 'until-delivered-or-seconds', seconds: 7200 });
    assert.equal(messages?.category, 'message-ciphertext');
    assert.deepEqual(body.items.find((i) => i.table === 'blobs' && i.column === 'size')?.retention, {
      kind: 'seconds',
      seconds: 5 * 86400,
    });
    assert.equal(body.protocol.mls, 'RFC 9420');
    assert.deepEqual(
      body.protocol.ciphersuites.map((c) => c.id),
      [1, 3],
    );
    assert.equal(body.protocol.ciphersuites[0]?.name, 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519');
    assert.ok(body.notHeld.length >= 5 && body.elsewhere.length >= 2);
    const openapi = (await (await fetch(`${srv.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    assert.ok(openapi.paths['/v1/inventory'], 'documented in the OpenAPI document');
  } finally {
    await srv.stop();
  }
});

test('decodeInventoryResponse refuses a malformed body with the path of the bad field', () => {
  const good = dataInventory(loadConfig({ env: {} }), '0.1.0');
  const clone = () => JSON.parse(JSON.stringify(good)) as Record<string, unknown> & { items: Array<Record<string, unknown>> };
  const badKind = clone();
  (badKind.items[0] as { retention: unknown }).retention = { kind: 'forever' };
  assert.throws(
    () => decodeInventoryResponse(badKind),
    (e: unknown) => e instanceof WireError && /items\[0\]\.retention\.kind/.test(e.message),
  );
  const noSeconds = clone();
  const msg = noSeconds.items.findIndex((i) => i.table === 'messages');
  (noSeconds.items[msg] as { retention: unknown }).retention = { kind: 'seconds' };
  assert.throws(() => decodeInventoryResponse(noSeconds), /seconds/);
  const badCategory = clone();
  (badCategory.items[1] as { category: unknown }).category = 'everything';
  assert.throws(() => decodeInventoryResponse(badCategory), /category/);
  assert.throws(() => decodeInventoryResponse({ ...clone(), notHeld: 'nothing' }), /notHeld/);
});
