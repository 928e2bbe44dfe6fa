/**
 * The write side of the SQLite lease store: a batch of row writes run in one transaction
 * on one connection. It runs in the writer thread (`sqlite-lease-write-worker.ts`) for a
 * file, or inline for `:memory:`; both get the same plain data, so what crosses the thread
 * boundary is structured-cloneable and nothing else.
 *
 * What to write was decided by the store from its in-process copy, which is authoritative
 * for this process: the file has one writer process (a second bootfleet on one file is not
 * supported; PostgreSQL is the shared store). Writing rows, not re-checking claims in SQL,
 * costs one statement per row (≈ 13 µs) instead of three (≈ 30 µs), which is what bounds
 * the writer thread. Changes by another connection are still noticed (`external`).
 */
import type { Lease } from './lease-store.js';
import { addressNumber } from './lease-index.js';
import type { StatementCache } from './sqlite-lease-rows.js';

/**
 * One caller's write, as rows: the addresses whose rows go, then the rows put (inserted or
 * replaced by address). The store decided it from its copy; the writer only makes it durable.
 */
export interface LeaseRowWrite {
  deletes: string[];
  puts: Lease[];
}

export interface LeaseBatch {
  writes: LeaseRowWrite[];
  /** `lease_generation` after this store's last commit: a different value inside the transaction means another connection wrote leases. */
  expectGeneration: number;
  /** Commit without fsync (`synchronous=NORMAL`): a batch of offer holds alone. */
  noSync: boolean;
}

export interface LeaseBatchResult {
  /** Per write, in order: null when written, else why it failed (then the copy is stale). */
  errors: (string | null)[];
  /** `lease_generation` after the commit, when `external` is false. */
  generation: number;
  /** Leases changed by someone else since `expectGeneration` (or unknown): the caller's copy must be reloaded. */
  external: boolean;
}

const UPSERT = `INSERT INTO leases (address, address_num, client_id, mac, state, expires_at, hostname, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (address) DO UPDATE SET client_id = excluded.client_id, mac = excluded.mac, state = excluded.state,
      expires_at = excluded.expires_at, hostname = excluded.hostname, updated_at = excluded.updated_at`;
const DELETE = 'DELETE FROM leases WHERE address = ?';

/**
 * Runs the batch in one transaction and one commit: at `synchronous=NORMAL` when
 * `noSync` (offer holds: an OFFER promises nothing, RFC 2131 §4.3.1, and the next synced
 * commit makes the WAL frames before it durable), else FULL. If the transaction fails (a
 * constraint or I/O error) it was rolled back whole, and each write runs again in its
 * own, so one bad write does not take the others down.
 */
export function runLeaseBatch(db: StatementCache, batch: LeaseBatch): LeaseBatchResult {
  try {
    return transaction(db, batch.noSync, () => {
      const before = db.generation();
      for (const w of batch.writes) apply(db, w);
      return { errors: batch.writes.map(() => null), generation: db.generation(), external: before !== batch.expectGeneration };
    });
  } catch {
    const errors = batch.writes.map((w): string | null => {
      try {
        transaction(db, false, () => apply(db, w));
        return null;
      } catch (e) {
        return errorText(e);
      }
    });
    // Rare: the caller's copy has the failed writes, so it is read again.
    return { errors, generation: db.generation(), external: true };
  }
}

function apply(db: StatementCache, w: LeaseRowWrite): void {
  for (const address of w.deletes) db.get(DELETE).run(address);
  for (const l of w.puts) db.get(UPSERT).run(l.address, addressNumber(l.address), l.clientId, l.mac, l.state, l.expiresAt, l.hostname, l.updatedAt);
}

/**
 * `fn` inside BEGIN IMMEDIATE … COMMIT (the write lock first, so two processes cannot
 * interleave), through prepared statements rather than libsql's `transaction()`, which
 * parses BEGIN and COMMIT afresh each time. `noSync`: `synchronous=NORMAL` for this commit
 * (SQLite refuses to change it inside a transaction, so it is set around one).
 */
function transaction<T>(db: StatementCache, noSync: boolean, fn: () => T): T {
  if (noSync) db.get('PRAGMA synchronous = NORMAL').run();
  try {
    db.get('BEGIN IMMEDIATE').run();
    let result: T;
    try {
      result = fn();
    } catch (err) {
      db.get('ROLLBACK').run();
      throw err;
    }
    try {
      db.get('COMMIT').run();
    } catch (err) {
      // A failed COMMIT (SQLITE_BUSY, I/O) leaves the transaction open: end it.
      if (db.db.inTransaction) db.get('ROLLBACK').run();
      throw err;
    }
    return result;
  } finally {
    if (noSync) db.get('PRAGMA synchronous = FULL').run();
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
