/**
 * Schema of the embedded lease database, as an append-only list of migrations. Never edit
 * a shipped migration: add the next one. `schema_version` records the ones applied.
 *
 * After these, opening the file rebuilds migration 1's `leases` as a `WITHOUT ROWID` table
 * with no UNIQUE on `client_id` (`clusterOnAddress` in `sqlite-lease-store.ts`, not numbered
 * so that an older bootfleet still opens the file). A migration that changes `leases` must
 * change that rebuild's column list too.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'leases: one row per address',
    sql: `
      CREATE TABLE leases (
        address     TEXT PRIMARY KEY,
        -- the address as an unsigned 32-bit number, so rows sort numerically
        address_num INTEGER NOT NULL,
        -- NULL for a declined address; UNIQUE gives one row per client (NULLs are distinct)
        client_id   TEXT UNIQUE,
        mac         TEXT,
        state       TEXT NOT NULL CHECK (state IN ('offered', 'bound', 'released', 'expired', 'declined')),
        expires_at  INTEGER NOT NULL,
        hostname    TEXT,
        updated_at  INTEGER NOT NULL
      );
      CREATE INDEX leases_mac ON leases (mac);
      CREATE INDEX leases_held_expiry ON leases (expires_at) WHERE state IN ('offered', 'bound', 'declined');
    `,
  },
];
