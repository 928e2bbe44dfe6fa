/**
 * Schema of the embedded lease database, as an append-only list of migrations. Never edit
 * a shipped migration: add the next one. `schema_version` records the ones applied.
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
