// GroupFacts (group-facts.ts) over the server's SQLite tables: devices, group_members (the verified delivery lists)
// and groups. Read-only: the Delivery Service alone writes these tables.
import type Database from 'better-sqlite3';
import type { GroupFacts } from './group-facts.js';

const NO_GROUP = new Uint8Array(0);

export class SqliteGroupFacts implements GroupFacts {
  readonly #s;

  constructor(db: Database.Database) {
    const p = (sql: string) => db.prepare(sql);
    this.#s = {
      account: p('SELECT account FROM devices WHERE device_id = ?').pluck(),
      isMember: p(
        'SELECT 1 FROM group_members gm JOIN devices d ON d.device_id = gm.device_id WHERE gm.group_id = ? AND d.account = ? LIMIT 1',
      ).pluck(),
      share: p(
        `SELECT 1 FROM devices da
           JOIN group_members ga ON ga.device_id = da.device_id
           JOIN group_members gb ON gb.group_id = ga.group_id
           JOIN devices db ON db.device_id = gb.device_id
         WHERE da.account = ? AND db.account = ? AND ga.group_id <> ? LIMIT 1`,
      ).pluck(),
      group: p(
        `SELECT g.created_at AS createdAt,
           (SELECT COUNT(DISTINCT d.account) FROM group_members gm JOIN devices d ON d.device_id = gm.device_id WHERE gm.group_id = g.group_id) AS accounts
         FROM groups g WHERE g.group_id = ?`,
      ),
    };
  }

  async accountOfDevice(deviceId: string): Promise<string | undefined> {
    return this.#s.account.get(deviceId) as string | undefined;
  }

  async isMember(groupId: Uint8Array, account: string): Promise<boolean> {
    return this.#s.isMember.get(groupId, account) !== undefined;
  }

  async shareGroup(a: string, b: string, except: Uint8Array = NO_GROUP): Promise<boolean> {
    return this.#s.share.get(a, b, except) !== undefined;
  }

  async group(groupId: Uint8Array): Promise<{ accounts: number; createdAt: number } | undefined> {
    const r = this.#s.group.get(groupId) as { createdAt: number; accounts: number } | undefined;
    return r && { accounts: Number(r.accounts), createdAt: r.createdAt };
  }
}
