import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'libsql';

/** How long a connection waits for another's write lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

export type SqliteDb = InstanceType<typeof Database>;

/**
 * Opens (creating it and its directory if needed) the SQLite file both stores share, in WAL
 * mode with `synchronous=FULL` (WAL + NORMAL is not durable on power loss, and an ACK must not
 * outlive its lease: ADR 0002), then runs `migrate`. Closes the file if that fails.
 */
export function openSqlite(file: string, migrate: (db: SqliteDb) => void): SqliteDb {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  // libsql's timeout is in milliseconds (5 here was 5 ms): with the lease writer thread and
  // the fleet store writing the same file at once, a writer must wait out the other's
  // commit (a millisecond or two, its fsync included), not fail with SQLITE_BUSY.
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
