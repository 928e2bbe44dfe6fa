/**
 * Prepared statements kept per SQL text for one connection. Preparing costs a parse and a
 * plan each time (4.5 % of bootfleet's CPU under the DHCP bench when every fleet sighting
 * write prepared its upsert afresh); the set of SQL texts a store uses is small and fixed,
 * so the cache never needs evicting.
 */
import type { SqliteDb } from './sqlite-open.js';

/** What the stores use of a libsql statement. */
export interface SqliteStatement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

export class StatementCache {
  private readonly statements = new Map<string, SqliteStatement>();

  constructor(private readonly db: SqliteDb) {}

  /** The statement for `sql`, prepared on first use. */
  get(sql: string): SqliteStatement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare<unknown[]>(sql);
      this.statements.set(sql, s);
    }
    return s;
  }
}
