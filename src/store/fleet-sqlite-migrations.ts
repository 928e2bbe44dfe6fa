/**
 * Schema of the fleet tables inside `bootfleet.db`, as append-only migrations recorded in
 * their own `fleet_schema_version` table (the leases keep `schema_version`), so either part
 * can grow without the other refusing the file. Never edit a shipped migration: add the next.
 */
import type { Migration } from './sqlite-migrations.js';

export const fleetMigrations: readonly Migration[] = [
  {
    version: 1,
    description: 'fleet: machines, groups, profiles',
    sql: `
      CREATE TABLE fleet_profiles (
        name       TEXT PRIMARY KEY,
        kernel     TEXT NOT NULL,
        initrd     TEXT NOT NULL,              -- JSON array of strings
        cmdline    TEXT NOT NULL,
        source     TEXT NOT NULL CHECK (source IN ('config', 'api')),
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE fleet_groups (
        name       TEXT PRIMARY KEY,
        priority   INTEGER NOT NULL,
        profile    TEXT NOT NULL,
        selector   TEXT NOT NULL,              -- JSON object (config groupSelectorSchema)
        source     TEXT NOT NULL CHECK (source IN ('config', 'api')),
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX fleet_groups_profile ON fleet_groups (profile);
      CREATE TABLE fleet_machines (
        mac        TEXT PRIMARY KEY,
        uuid       TEXT,
        hostname   TEXT,
        labels     TEXT NOT NULL DEFAULT '{}', -- JSON object of strings
        arch       INTEGER,
        firmware   TEXT,
        first_seen INTEGER,
        last_seen  INTEGER,
        last_ip    TEXT,
        state      TEXT NOT NULL CHECK (state IN ('discovered', 'ready', 'installing', 'installed')),
        profile    TEXT,
        source     TEXT NOT NULL CHECK (source IN ('config', 'api', 'dhcp')),
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX fleet_machines_uuid ON fleet_machines (uuid);
      CREATE INDEX fleet_machines_profile ON fleet_machines (profile);
    `,
  },
  {
    version: 2,
    description: 'fleet: profile kinds (the whole profile as JSON), install tokens (boot once)',
    sql: `
      -- NULL in rows written by version 1: kind linux, from kernel/initrd/cmdline.
      ALTER TABLE fleet_profiles ADD COLUMN spec TEXT;
      CREATE TABLE fleet_install_tokens (
        mac        TEXT PRIMARY KEY,
        token      TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
    `,
  },
];
