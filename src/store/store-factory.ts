/**
 * Opens the lease and fleet stores the config's `store:` key names: SQLite in
 * `<dataDir>/bootfleet.db` (absent or `sqlite`), or PostgreSQL (`postgres://…`), shared by
 * every bootfleet server pointed at the same database.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { SqliteFleetStore } from './fleet-sqlite-store.js';
import type { FleetStore } from './fleet-store.js';
import type { LeaseStore } from './lease-store.js';
import { isPostgresUrl } from './pg-connection.js';
import { PgFleetStore } from './pg-fleet-store.js';
import { PgLeaseStore } from './pg-lease-store.js';
import { DB_FILE, SqliteLeaseStore } from './sqlite-lease-store.js';

export interface StoreConfig {
  dataDir: string;
  /** Absent or `sqlite`: embedded; a `postgres://` URL: PostgreSQL. */
  store?: string | undefined;
}

export interface OpenedStores {
  leases: LeaseStore;
  fleet: FleetStore;
  /** Where they live, for people (a PostgreSQL password is never shown). */
  where: string;
  kind: 'sqlite' | 'postgresql';
}

/** Opens both stores (schemas brought up to date); the first failure closes what was opened. */
export async function openStores(config: StoreConfig, opts: { onPgError?: (err: Error) => void } = {}): Promise<OpenedStores> {
  const url = config.store;
  if (url !== undefined && url !== 'sqlite') {
    if (!isPostgresUrl(url)) throw new Error(`store: ${redactUrl(url)} is neither "sqlite" nor a postgres:// URL`);
    const pgOpts = opts.onPgError ? { onError: opts.onPgError } : {};
    const leases = await PgLeaseStore.open(url, pgOpts);
    let fleet: FleetStore;
    try {
      fleet = await PgFleetStore.open(url, pgOpts);
    } catch (err) {
      await leases.close();
      throw err;
    }
    return { leases, fleet, where: `PostgreSQL ${redactUrl(url)}`, kind: 'postgresql' };
  }
  mkdirSync(config.dataDir, { recursive: true });
  const file = path.join(config.dataDir, DB_FILE);
  const leases = SqliteLeaseStore.open(file);
  let fleet: FleetStore;
  try {
    // Sightings go through the lease writer thread: off the event loop, one writer on the file.
    fleet = SqliteFleetStore.open(file, { sightingWriter: leases.sightingWriter() });
  } catch (err) {
    await leases.close();
    throw err;
  }
  return { leases, fleet, where: `${file} (SQLite)`, kind: 'sqlite' };
}

/** The URL with any password replaced by `***`, for logs and `bootfleet serve`'s summary. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*):[^@/]*@/i, '$1:***@').replace(/([?&]password=)[^&]*/gi, '$1***');
}
