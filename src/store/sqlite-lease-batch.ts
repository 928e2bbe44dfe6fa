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
 *
 * A batch crosses to the thread as flat arrays of strings and numbers ({@link encodeBatch}):
 * structured clone walks an object property by property, writing each property's name, and
 * that serialising (main thread) and deserialising (writer) was a visible part of both
 * threads' time per DHCP exchange; a flat array of primitives clones as a run of values.
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

/** A put row in {@link LeaseBatch.rows}: this many values, in {@link encodeBatch}'s order. */
export const ROW_VALUES = 7;

/** A value of a put row: a column of the `leases` table. */
export type RowValue = string | number | null;

/**
 * Writes in order, flattened (see the file's comment). Write `i` has `shape[2i]` deletes
 * and `shape[2i + 1]` puts, taken in turn from {@link deletes} and {@link rows}.
 */
export interface LeaseBatch {
  shape: number[];
  /** Addresses whose rows go, write after write. */
  deletes: string[];
  /** Rows put, write after write, {@link ROW_VALUES} values each: address, client, mac, state, expiry, hostname, updated. */
  rows: RowValue[];
  /** `lease_generation` after this store's last commit: a different value inside the transaction means another connection wrote leases. */
  expectGeneration: number;
  /** Commit without fsync (`synchronous=NORMAL`): a batch of offer holds alone. */
  noSync: boolean;
}

export interface LeaseBatchResult {
  /** null when every write was written; else per write, in order: null when written, else why it failed (then the copy is stale). */
  errors: (string | null)[] | null;
  /** `lease_generation` after the commit, when `external` is false. */
  generation: number;
  /** Leases changed by someone else since `expectGeneration` (or unknown): the caller's copy must be reloaded. */
  external: boolean;
}

/** The writes as one {@link LeaseBatch}. */
export function encodeBatch(writes: readonly LeaseRowWrite[], expectGeneration: number, noSync: boolean): LeaseBatch {
  const shape: number[] = [];
  const deletes: string[] = [];
  const rows: RowValue[] = [];
  for (const w of writes) {
    shape.push(w.deletes.length, w.puts.length);
    for (const a of w.deletes) deletes.push(a);
    for (const l of w.puts) rows.push(l.address, l.clientId, l.mac, l.state, l.expiresAt, l.hostname, l.updatedAt);
  }
  return { shape, deletes, rows, expectGeneration, noSync };
}

const COLUMNS = '(address, address_num, client_id, mac, state, expires_at, hostname, updated_at)';
const ROW_PARAMS = '(?, ?, ?, ?, ?, ?, ?, ?)';
const UPDATE = `ON CONFLICT (address) DO UPDATE SET client_id = excluded.client_id, mac = excluded.mac, state = excluded.state,
      expires_at = excluded.expires_at, hostname = excluded.hostname, updated_at = excluded.updated_at`;
const DELETE = 'DELETE FROM leases WHERE address = ?';

/**
 * Rows per INSERT: one statement for many rows saves each row's trip through libsql's
 * binding and its own step (≈ 3.5 µs of ≈ 9 µs a row). Up to this many, each count has its
 * statement prepared once; more go in chunks.
 */
const MAX_ROWS_PER_INSERT = 16;

/** `INSERT … VALUES (…), …, (…) ON CONFLICT (address) DO UPDATE …` for `n` rows. */
function upsertSql(n: number): string {
  return `INSERT INTO leases ${COLUMNS} VALUES ${Array.from({ length: n }, () => ROW_PARAMS).join(', ')} ${UPDATE}`;
}

const upsertSqls = Array.from({ length: MAX_ROWS_PER_INSERT + 1 }, (_, n) => (n === 0 ? '' : upsertSql(n)));

/**
 * Runs the batch in one transaction and one commit: at `synchronous=NORMAL` when
 * `noSync` (offer holds: an OFFER promises nothing, RFC 2131 §4.3.1, and the next synced
 * commit makes the WAL frames before it durable), else FULL. If the transaction fails (a
 * constraint or I/O error) it was rolled back whole, and each write runs again in its
 * own, so one bad write does not take the others down.
 *
 * All deletes run before all puts. That is the writes' own order because the store never
 * batches a put of an address followed by a later write to that address: the later write
 * drops the earlier put before the batch leaves (`supersede` in the store), so each
 * address put here is put once, by the last write to touch it.
 */
export function runLeaseBatch(db: StatementCache, batch: LeaseBatch): LeaseBatchResult {
  try {
    return transaction(db, batch.noSync, () => {
      const before = db.generation();
      for (const a of batch.deletes) db.get(DELETE).run(a);
      putRows(db, batch.rows, 0, batch.rows.length / ROW_VALUES);
      return { errors: null, generation: db.generation(), external: before !== batch.expectGeneration };
    });
  } catch {
    const errors: (string | null)[] = [];
    let d = 0;
    let r = 0;
    for (let i = 0; i + 1 < batch.shape.length; i += 2) {
      const nDeletes = batch.shape[i]!;
      const nPuts = batch.shape[i + 1]!;
      const firstDelete = d;
      const firstRow = r;
      d += nDeletes;
      r += nPuts;
      try {
        transaction(db, false, () => {
          for (let k = firstDelete; k < firstDelete + nDeletes; k++) db.get(DELETE).run(batch.deletes[k]);
          putRows(db, batch.rows, firstRow, nPuts);
        });
        errors.push(null);
      } catch (e) {
        errors.push(errorText(e));
      }
    }
    // Rare: the caller's copy has the failed writes, so it is read again.
    return { errors, generation: db.generation(), external: true };
  }
}

/** Puts `count` rows of `rows` from row `first` on, in chunks of at most {@link MAX_ROWS_PER_INSERT}. */
function putRows(db: StatementCache, rows: readonly RowValue[], first: number, count: number): void {
  for (let done = 0; done < count; ) {
    const n = Math.min(MAX_ROWS_PER_INSERT, count - done);
    const params: RowValue[] = [];
    for (let i = first + done; i < first + done + n; i++) {
      const o = i * ROW_VALUES;
      const address = rows[o];
      params.push(address ?? null, typeof address === 'string' ? addressNumber(address) : null);
      for (let k = 1; k < ROW_VALUES; k++) params.push(rows[o + k] ?? null);
    }
    // One array argument: libsql binds it as is (a spread would be copied by `.flat()`).
    db.get(upsertSqls[n]!).run(params);
    done += n;
  }
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
