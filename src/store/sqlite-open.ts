import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'libsql';

export type SqliteDb = InstanceType<typeof Database>;

/**
 * Opens (creating it and its directory if needed) the SQLite file both stores share, in WAL
 * mode with `synchronous=FULL` (WAL + NORMAL is not durable on power loss, and an ACK must not
 * outlive its lease: ADR 0002), then runs `migrate`. Closes the file if that fails.
 */
export function openSqlite(file: string, migrate: (db: SqliteDb) => void): SqliteDb {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { timeout: 5 });
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
