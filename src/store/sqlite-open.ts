import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'libsql';

/** How long a connection waits for another's write lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * WAL pages after which a committing connection checkpoints (copies the WAL into the
 * database file, with two fsyncs: milliseconds). The writer thread commits almost every
 * write (leases, and the fleet's sightings), so it uses SQLite's default of 1 000 and does
 * the checkpoints (4 000 or 10 000 measured no different under DHCP load); every other
 * connection (the main thread's: fleet store, lease store reads) waits for ten times
 * that, so a checkpoint lands on the event loop only when the writer is not writing at
 * all (proxy mode, an idle server), and the WAL still cannot grow without bound.
 */
export const WRITER_AUTOCHECKPOINT_PAGES = 1000;
export const OTHER_AUTOCHECKPOINT_PAGES = 10_000;

export type SqliteDb = InstanceType<typeof Database>;

export interface OpenSqliteOptions {
  /** `PRAGMA wal_autocheckpoint` for this connection. Default {@link OTHER_AUTOCHECKPOINT_PAGES}. */
  autocheckpointPages?: number;
}

/**
 * Opens (creating it and its directory if needed) the SQLite file both stores share, in WAL
 * mode with `synchronous=FULL` (WAL + NORMAL is not durable on power loss, and an ACK must not
 * outlive its lease: ADR 0002), then runs `migrate`. Closes the file if that fails.
 */
export function openSqlite(file: string, migrate: (db: SqliteDb) => void, opts: OpenSqliteOptions = {}): SqliteDb {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  // libsql's timeout is in milliseconds (5 here was 5 ms): with the lease writer thread and
  // the fleet store writing the same file at once, a writer must wait out the other's
  // commit (a millisecond or two, its fsync included), not fail with SQLITE_BUSY.
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma(`wal_autocheckpoint = ${Math.max(0, Math.floor(opts.autocheckpointPages ?? OTHER_AUTOCHECKPOINT_PAGES))}`);
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
