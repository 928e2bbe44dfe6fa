/**
 * The PostgreSQL schema, as append-only migrations like SQLite's (`sqlite-migrations.ts`,
 * `fleet-sqlite-migrations.ts`): leases record theirs in `schema_version`, the fleet in
 * `fleet_schema_version`. Never edit a shipped migration: add the next one.
 *
 * The tables mirror the SQLite ones; where PostgreSQL has a better type it is used: `inet`
 * for addresses (validated, and ordered numerically, so no `address_num` column), `jsonb`
 * for labels, selectors and profile specs (one column for every profile kind), `bigint` for milliseconds since the epoch.
 */
import type { PgMigration } from './pg-connection.js';

export const pgLeaseMigrations: readonly PgMigration[] = [
  {
    version: 1,
    description: 'leases: one row per address, one row per client',
    sql: `
      CREATE TABLE leases (
        -- The allocation constraint: two servers can never both hold a row for one address.
        address    inet PRIMARY KEY CHECK (family(address) = 4 AND masklen(address) = 32),
        -- One row per client (a declined address has none; NULLs are distinct), so a client
        -- can never end up with two addresses from two servers.
        client_id  text UNIQUE,
        mac        text,
        state      text NOT NULL CHECK (state IN ('offered', 'bound', 'released', 'expired', 'declined')),
        expires_at bigint NOT NULL,
        hostname   text,
        updated_at bigint NOT NULL,
        CHECK (client_id IS NOT NULL OR state = 'declined')
      );
      CREATE INDEX leases_mac ON leases (mac);
      CREATE INDEX leases_held_expiry ON leases (expires_at) WHERE state IN ('offered', 'bound', 'declined');
    `,
  },
];

export const pgFleetMigrations: readonly PgMigration[] = [
  {
    version: 1,
    description: 'fleet: machines, groups, profiles',
    sql: `
      CREATE TABLE fleet_profiles (
        name       text PRIMARY KEY,
        -- the profile as the config writes it (any kind), checked with profileSchema on reading
        spec       jsonb NOT NULL CHECK (jsonb_typeof(spec) = 'object'),
        source     text NOT NULL CHECK (source IN ('config', 'api')),
        updated_at bigint NOT NULL
      );
      CREATE TABLE fleet_groups (
        name       text PRIMARY KEY,
        priority   integer NOT NULL,
        profile    text NOT NULL,
        selector   jsonb NOT NULL,              -- config groupSelectorSchema
        source     text NOT NULL CHECK (source IN ('config', 'api')),
        updated_at bigint NOT NULL
      );
      CREATE INDEX fleet_groups_profile ON fleet_groups (profile);
      CREATE TABLE fleet_machines (
        mac        text PRIMARY KEY,
        uuid       text,
        hostname   text,
        labels     jsonb NOT NULL DEFAULT '{}', -- object of strings
        arch       integer,
        firmware   text,
        first_seen bigint,
        last_seen  bigint,
        last_ip    text,
        state      text NOT NULL CHECK (state IN ('discovered', 'ready', 'installing', 'installed')),
        profile    text,
        source     text NOT NULL CHECK (source IN ('config', 'api', 'dhcp')),
        updated_at bigint NOT NULL
      );
      CREATE INDEX fleet_machines_uuid ON fleet_machines (uuid);
      CREATE INDEX fleet_machines_profile ON fleet_machines (profile);
    `,
  },
  {
    version: 2,
    description: 'fleet: install tokens (boot once)',
    sql: `
      -- The token an installing machine's installer calls back with; one per machine, spent on use.
      CREATE TABLE fleet_install_tokens (
        mac        text PRIMARY KEY,
        token      text NOT NULL,
        created_at bigint NOT NULL
      );
    `,
  },
];
