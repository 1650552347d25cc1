// The inventory-driven record collection of lawful answers (lawful/account-records.ts) on the SQLite store: each table's
// `lookup` condition from the data inventory, bound to the account name, selecting the columns of the categories asked.
// Credential columns (`secret`) are never selected.
import type Database from 'better-sqlite3';
import type { DisclosedValue, DisclosureAccount, DisclosureTable, InventoryCategory } from '@sotto/protocol';
import type { AccountRecords } from '../../lawful/account-records.js';
import { DATA_INVENTORY } from '../data-inventory.js';

const value = (v: unknown): DisclosedValue => {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return String(v);
};

export class SqliteAccountRecords implements AccountRecords {
  constructor(private readonly db: Database.Database) {}

  async collect(account: string, categories: readonly InventoryCategory[]): Promise<DisclosureAccount> {
    if (!this.db.prepare('SELECT 1 FROM accounts WHERE name = ?').get(account)) return { account, found: false, tables: [] };
    const asked = new Set(categories);
    const tables: DisclosureTable[] = [];
    for (const [table, spec] of Object.entries(DATA_INVENTORY)) {
      if (!spec.lookup || !('where' in spec.lookup)) continue;
      const columns = Object.entries(spec.columns).filter(([, c]) => !c.secret && asked.has(c.category ?? spec.category));
      if (columns.length === 0) continue;
      const where = spec.lookup.where;
      const params = Array.from({ length: where.split('?').length - 1 }, () => account);
      const sql = `SELECT ${columns.map(([name]) => `"${name}"`).join(', ')} FROM "${table}" WHERE ${where}`;
      const rows = (this.db.prepare(sql).all(...params) as Array<Record<string, unknown>>).map((r) =>
        Object.fromEntries(columns.map(([name]) => [name, value(r[name])])),
      );
      tables.push({ table, what: spec.what, columns: Object.fromEntries(columns.map(([name, c]) => [name, c.what])), rows });
    }
    return { account, found: true, tables };
  }
}
