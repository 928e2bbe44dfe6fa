/**
 * Lease rows as SQLite holds them, and the small readers both sides of the lease store use:
 * the main thread's copy ({@link SqliteLeaseStore}) and the writer (`sqlite-lease-batch.ts`,
 * in a worker thread or inline).
 */
import type { SqliteDb } from './sqlite-open.js';
import type { Lease, LeaseState } from './lease-store.js';

/** The part of a prepared statement the stores use. */
export type Statement = { run(...params: unknown[]): { changes: number }; get(...params: unknown[]): unknown; all(...params: unknown[]): unknown[] };

interface LeaseRow {
  address: string;
  client_id: string | null;
  mac: string | null;
  state: string;
  expires_at: number;
  hostname: string | null;
  updated_at: number;
}

const STATES: readonly LeaseState[] = ['offered', 'bound', 'released', 'expired', 'declined'];

/** The columns {@link toLease} reads, in SELECT order. */
export const COLUMNS = 'address, client_id, mac, state, expires_at, hostname, updated_at';

/** Prepares each SQL text once per connection: libsql parses afresh on every `prepare`. */
export class StatementCache {
  private readonly statements = new Map<string, Statement>();
  constructor(readonly db: SqliteDb) {}

  get(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare<unknown[]>(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** `lease_generation.n`: bumped by triggers on every write to `leases` (see the store's comment). */
  generation(): number {
    const row = this.get('SELECT n FROM lease_generation WHERE id = 1').get();
    const n = isRecord(row) ? row['n'] : undefined;
    return typeof n === 'number' ? n : -2;
  }

  /** One lease by its key, or null. */
  lease(address: string): Lease | null {
    const row = this.get(`SELECT ${COLUMNS} FROM leases WHERE address = ?`).get(address);
    return row === undefined ? null : toLease(row);
  }
}

export function toLease(row: unknown): Lease {
  if (!isRecord(row)) throw new Error('lease row is not an object');
  const r = row as unknown as LeaseRow;
  const state = STATES.find((s) => s === r.state);
  if (!state) throw new Error(`lease row for ${r.address} has unknown state ${r.state}`);
  return {
    address: r.address,
    clientId: r.client_id,
    mac: r.mac,
    state,
    expiresAt: Number(r.expires_at),
    hostname: r.hostname,
    updatedAt: Number(r.updated_at),
  };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
