/**
 * The embedded fleet store: tables `fleet_*` in `<dataDir>/bootfleet.db`, beside the
 * leases, on a connection of its own (WAL, `synchronous=FULL`, like `sqlite-lease-store.ts`).
 * libsql's calls are synchronous, so each method's transaction runs to its end before any
 * other code in this process touches the file: the lease store never waits on it.
 * Writes that check something first (`config-owned`, `unknown-profile`, `in-use`) run
 * inside `BEGIN IMMEDIATE`, so a second process on the same file cannot slip in between.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'libsql';
import { openSqlite, type SqliteDb } from './sqlite-open.js';
import { StatementCache, type SqliteStatement } from './sqlite-statements.js';
import { flattenSightings, writeSightings, type SightingWriter } from './sqlite-sightings.js';
import { profileSchema } from '../config/schema.js';
import { installTokensEqual } from '../fleet/boot-once.js';
import { planDeclaredSync, type DeclaredFleet } from '../fleet/declared-fleet.js';
import { specOf, type FleetProfile, type Group, type GroupInput, type ProfileInput } from '../fleet/group.js';
import {
  applyPatch,
  newApiMachine,
  type Machine,
  type MachinePatch,
  type Sighting,
} from '../fleet/machine.js';
import type { DeclaredSyncReport, FleetStore, FleetWrite, FleetWriteError, InstallCallback, MachineFilter } from './fleet-store.js';
import { fleetMigrations } from './fleet-sqlite-migrations.js';
import { field, num, objectSources, oneOf, str, strOrNull, toGroup as groupFromRow, toMachine as machineFromRow } from './fleet-rows.js';
import { syncReport } from './fleet-sync-report.js';
import { DB_FILE } from './sqlite-lease-store.js';

type Db = SqliteDb;

const MACHINE_COLUMNS = 'mac, uuid, hostname, labels, arch, firmware, first_seen, last_seen, last_ip, state, profile, source, updated_at';
const GROUP_COLUMNS = 'name, priority, profile, selector, source, updated_at';

const PROFILE_COLUMNS = 'name, kernel, initrd, cmdline, spec, source, updated_at';

export interface SqliteFleetStoreOptions {
  sightingWriter?: SightingWriter | null;
}

export class SqliteFleetStore implements FleetStore {
  private closed = false;
  private readonly statements: StatementCache;

  private constructor(
    private readonly db: Db,
    private readonly sightingWriter: SightingWriter | null = null,
  ) {
    this.statements = new StatementCache(db);
  }

  /** Opens (creating if needed) `<dataDir>/bootfleet.db` and brings the fleet tables up to date. */
  static openDataDir(dataDir: string): SqliteFleetStore {
    return SqliteFleetStore.open(join(dataDir, DB_FILE));
  }

  /** Opens a database file by path (or `:memory:`), creating it and its directory if needed. */
  static open(file: string, opts: SqliteFleetStoreOptions = {}): SqliteFleetStore {
    return new SqliteFleetStore(openSqlite(file, migrate), opts.sightingWriter ?? null);
  }

  /**
   * Opens an existing database to read only (`bootfleet explain` beside a running server):
   * never creates, never migrates. Null, with the reason, when there is nothing usable.
   */
  static openExistingReadOnly(file: string): { store: SqliteFleetStore } | { store: null; reason: string } {
    if (!existsSync(file)) return { store: null, reason: `${file} does not exist` };
    // libsql takes milliseconds: wait up to 5 s for the running server's writer, not 5 ms.
    const db = new Database(file, { timeout: 5_000 });
    try {
      const newest = fleetMigrations.reduce((m, x) => Math.max(m, x.version), 0);
      const have = tableExists(db, 'fleet_schema_version') ? currentVersion(db) : 0;
      if (have !== newest) {
        db.close();
        return { store: null, reason: `${file} has fleet schema version ${have}, this bootfleet reads ${newest}` };
      }
      db.pragma('query_only = 1');
    } catch (err) {
      db.close();
      return { store: null, reason: `${file}: ${err instanceof Error ? err.message : String(err)}` };
    }
    return { store: new SqliteFleetStore(db) };
  }

  /** Version of the fleet tables in the file. */
  schemaVersion(): number {
    return currentVersion(this.db);
  }

  /** See `sqlite-sightings.ts` (why no fsync of its own) and {@link SightingWriter}. */
  async recordSightings(sightings: readonly Sighting[]): Promise<{ discovered: string[] }> {
    if (this.closed) throw new Error('fleet store is closed');
    if (sightings.length === 0) return { discovered: [] };
    const flat = flattenSightings(sightings);
    const discovered = this.sightingWriter ? await this.sightingWriter(flat) : writeSightings(this.db, this.statements, flat);
    return { discovered };
  }

  async getMachine(mac: string): Promise<Machine | null> {
    return this.machineSync(mac);
  }

  async listMachines(filter: MachineFilter = {}): Promise<Machine[]> {
    const rows = filter.state
      ? this.stmt(`SELECT ${MACHINE_COLUMNS} FROM fleet_machines WHERE state = ? ORDER BY mac`).all(filter.state)
      : this.stmt(`SELECT ${MACHINE_COLUMNS} FROM fleet_machines ORDER BY mac`).all();
    return rows.map(toMachine);
  }

  async patchMachine(mac: string, patch: MachinePatch, now: number): Promise<FleetWrite<Machine>> {
    return this.immediate((): FleetWrite<Machine> => {
      const had = this.machineSync(mac);
      if (had?.source === 'config') {
        const owned = (['hostname', 'labels', 'profile'] as const).filter((k) => patch[k] !== undefined);
        if (owned.length > 0) return configOwned(`machine ${mac} is declared in the config: change ${owned.join(', ')} there (only state can be set here)`);
      }
      if (typeof patch.profile === 'string' && !this.profileSync(patch.profile)) {
        return { ok: false, reason: 'unknown-profile', message: `profile ${patch.profile} does not exist` };
      }
      const next = applyPatch(had ?? newApiMachine(mac, now), patch, now);
      this.writeMachine(next);
      if (next.state !== 'installing') this.dropInstallToken(mac);
      return { ok: true, value: next, created: had === null };
    });
  }

  async deleteMachine(mac: string): Promise<FleetWrite<null>> {
    return this.immediate((): FleetWrite<null> => {
      const had = this.machineSync(mac);
      if (!had) return notFound(`machine ${mac}`);
      if (had.source === 'config') return configOwned(`machine ${mac} is declared in the config: remove it there`);
      this.stmt('DELETE FROM fleet_machines WHERE mac = ?').run(mac);
      this.dropInstallToken(mac);
      return { ok: true, value: null, created: false };
    });
  }

  async beginInstall(mac: string, token: string, now: number): Promise<FleetWrite<Machine>> {
    return this.immediate((): FleetWrite<Machine> => {
      const had = this.machineSync(mac);
      if (!had) return notFound(`machine ${mac}`);
      const next: Machine = { ...had, state: 'installing', updatedAt: now };
      this.writeMachine(next);
      this
        .stmt('INSERT INTO fleet_install_tokens (mac, token, created_at) VALUES (?, ?, ?) ON CONFLICT (mac) DO UPDATE SET token = excluded.token, created_at = excluded.created_at')
        .run(mac, token, now);
      return { ok: true, value: next, created: false };
    });
  }

  async completeInstall(mac: string, token: string, now: number): Promise<InstallCallback> {
    return this.immediate((): InstallCallback => {
      const had = this.machineSync(mac);
      if (!had) return { ok: false, reason: 'unknown-machine' };
      const expected = this.tokenSync(mac);
      if (had.state !== 'installing' || expected === null) return { ok: false, reason: 'not-installing' };
      if (!installTokensEqual(expected, token)) return { ok: false, reason: 'wrong-token' };
      const next: Machine = { ...had, state: 'installed', updatedAt: now };
      this.writeMachine(next);
      this.dropInstallToken(mac);
      return { ok: true, machine: next };
    });
  }

  async installToken(mac: string): Promise<string | null> {
    const m = this.machineSync(mac);
    return m?.state === 'installing' ? this.tokenSync(mac) : null;
  }

  async listGroups(): Promise<Group[]> {
    return this.stmt(`SELECT ${GROUP_COLUMNS} FROM fleet_groups ORDER BY name`).all().map(toGroup);
  }

  async getGroup(name: string): Promise<Group | null> {
    return this.groupSync(name);
  }

  async putGroup(group: GroupInput, now: number): Promise<FleetWrite<Group>> {
    return this.immediate((): FleetWrite<Group> => {
      const had = this.groupSync(group.name);
      if (had?.source === 'config') return configOwned(`group ${group.name} is declared in the config: change it there`);
      if (!this.profileSync(group.profile)) return { ok: false, reason: 'unknown-profile', message: `profile ${group.profile} does not exist` };
      const next: Group = { ...group, source: 'api', updatedAt: now };
      this.writeGroup(next);
      return { ok: true, value: next, created: had === null };
    });
  }

  async deleteGroup(name: string): Promise<FleetWrite<null>> {
    return this.immediate((): FleetWrite<null> => {
      const had = this.groupSync(name);
      if (!had) return notFound(`group ${name}`);
      if (had.source === 'config') return configOwned(`group ${name} is declared in the config: remove it there`);
      this.stmt('DELETE FROM fleet_groups WHERE name = ?').run(name);
      return { ok: true, value: null, created: false };
    });
  }

  async listProfiles(): Promise<FleetProfile[]> {
    return this.stmt(`SELECT ${PROFILE_COLUMNS} FROM fleet_profiles ORDER BY name`).all().map(toProfile);
  }

  async getProfile(name: string): Promise<FleetProfile | null> {
    return this.profileSync(name);
  }

  async putProfile(profile: ProfileInput, now: number): Promise<FleetWrite<FleetProfile>> {
    return this.immediate((): FleetWrite<FleetProfile> => {
      const had = this.profileSync(profile.name);
      if (had?.source === 'config') return configOwned(`profile ${profile.name} is declared in the config: change it there`);
      const next: FleetProfile = { ...structuredClone(profile), source: 'api', updatedAt: now };
      this.writeProfile(next);
      return { ok: true, value: next, created: had === null };
    });
  }

  async deleteProfile(name: string): Promise<FleetWrite<null>> {
    return this.immediate((): FleetWrite<null> => {
      const had = this.profileSync(name);
      if (!had) return notFound(`profile ${name}`);
      if (had.source === 'config') return configOwned(`profile ${name} is declared in the config: remove it there`);
      const groups = this.stmt('SELECT name FROM fleet_groups WHERE profile = ? ORDER BY name').all(name).map((r) => `group ${field(r, 'name')}`);
      const machines = this.stmt('SELECT mac FROM fleet_machines WHERE profile = ? ORDER BY mac').all(name).map((r) => `machine ${field(r, 'mac')}`);
      const usedBy = [...groups, ...machines];
      if (usedBy.length > 0) return { ok: false, reason: 'in-use', message: `profile ${name} is used by ${usedBy.join(', ')}`, usedBy };
      this.stmt('DELETE FROM fleet_profiles WHERE name = ?').run(name);
      return { ok: true, value: null, created: false };
    });
  }

  async applyDeclared(declared: DeclaredFleet, now: number): Promise<DeclaredSyncReport> {
    return this.immediate(() => {
      const machines = this.stmt(`SELECT ${MACHINE_COLUMNS} FROM fleet_machines WHERE source = 'config'`).all().map(toMachine);
      const have = new Set(machines.map((m) => m.mac));
      for (const d of declared.machines) {
        const m = have.has(d.mac) ? null : this.machineSync(d.mac);
        if (m) machines.push(m);
      }
      const current = {
        profiles: this.stmt(`SELECT ${PROFILE_COLUMNS} FROM fleet_profiles`).all().map(toProfile),
        groups: this.stmt(`SELECT ${GROUP_COLUMNS} FROM fleet_groups`).all().map(toGroup),
        machines,
      };
      const plan = planDeclaredSync(current, declared, now);
      for (const p of plan.putProfiles) this.writeProfile(p);
      for (const n of plan.deleteProfiles) this.stmt('DELETE FROM fleet_profiles WHERE name = ?').run(n);
      for (const g of plan.putGroups) this.writeGroup(g);
      for (const n of plan.deleteGroups) this.stmt('DELETE FROM fleet_groups WHERE name = ?').run(n);
      for (const m of plan.putMachines) this.writeMachine(m);
      for (const mac of plan.deleteMachines) this.stmt('DELETE FROM fleet_machines WHERE mac = ?').run(mac);
      return syncReport(plan);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private machineSync(mac: string): Machine | null {
    const row = this.stmt(`SELECT ${MACHINE_COLUMNS} FROM fleet_machines WHERE mac = ?`).get(mac);
    return row === undefined ? null : toMachine(row);
  }

  private tokenSync(mac: string): string | null {
    const row = this.stmt('SELECT token FROM fleet_install_tokens WHERE mac = ?').get(mac);
    return row === undefined ? null : str(row, 'token');
  }

  private dropInstallToken(mac: string): void {
    this.stmt('DELETE FROM fleet_install_tokens WHERE mac = ?').run(mac);
  }

  private groupSync(name: string): Group | null {
    const row = this.stmt(`SELECT ${GROUP_COLUMNS} FROM fleet_groups WHERE name = ?`).get(name);
    return row === undefined ? null : toGroup(row);
  }

  private profileSync(name: string): FleetProfile | null {
    const row = this.stmt(`SELECT ${PROFILE_COLUMNS} FROM fleet_profiles WHERE name = ?`).get(name);
    return row === undefined ? null : toProfile(row);
  }

  private writeMachine(m: Machine): void {
    this
      .stmt(
        `INSERT INTO fleet_machines (${MACHINE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (mac) DO UPDATE SET uuid = excluded.uuid, hostname = excluded.hostname, labels = excluded.labels,
           arch = excluded.arch, firmware = excluded.firmware, first_seen = excluded.first_seen, last_seen = excluded.last_seen,
           last_ip = excluded.last_ip, state = excluded.state, profile = excluded.profile, source = excluded.source,
           updated_at = excluded.updated_at`,
      )
      .run(m.mac, m.uuid, m.hostname, JSON.stringify(m.labels), m.arch, m.firmware, m.firstSeen, m.lastSeen, m.lastIp, m.state, m.profile, m.source, m.updatedAt);
  }

  private writeGroup(g: Group): void {
    this
      .stmt(
        `INSERT INTO fleet_groups (${GROUP_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET priority = excluded.priority, profile = excluded.profile, selector = excluded.selector,
           source = excluded.source, updated_at = excluded.updated_at`,
      )
      .run(g.name, g.priority, g.profile, JSON.stringify(g.selector), g.source, g.updatedAt);
  }

  private writeProfile(p: FleetProfile): void {
    this
      .stmt(
        `INSERT INTO fleet_profiles (${PROFILE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET kernel = excluded.kernel, initrd = excluded.initrd, cmdline = excluded.cmdline,
           spec = excluded.spec, source = excluded.source, updated_at = excluded.updated_at`,
      )
      // kernel/initrd/cmdline stay filled for kinds that have them, so a version-1 reader of the
      // columns still sees something sensible; `spec` is the whole truth.
      .run(p.name, 'kernel' in p ? p.kernel : '', JSON.stringify('initrd' in p ? p.initrd : []), 'cmdline' in p ? p.cmdline : '', JSON.stringify(specOf(p)), p.source, p.updatedAt);
  }

  /** Prepared once per SQL text: sightings arrive by the thousand under a DHCP burst. */
  private stmt(sql: string): SqliteStatement {
    return this.statements.get(sql);
  }

  private immediate<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(this.db.transaction(fn).immediate());
    } catch (err) {
      return Promise.reject(err);
    }
  }
}

function notFound(what: string): FleetWriteError {
  return { ok: false, reason: 'not-found', message: `${what} does not exist` };
}

function configOwned(message: string): FleetWriteError {
  return { ok: false, reason: 'config-owned', message };
}

function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS fleet_schema_version (version INTEGER NOT NULL, applied_at INTEGER NOT NULL)');
  const have = currentVersion(db);
  const newest = fleetMigrations.reduce((m, x) => Math.max(m, x.version), 0);
  if (have > newest) {
    throw new Error(`fleet schema version ${have} in the database is newer than this bootfleet understands (${newest})`);
  }
  for (const m of fleetMigrations) {
    if (m.version <= have) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO fleet_schema_version (version, applied_at) VALUES (?, ?)').run(m.version, Date.now());
    }).immediate();
  }
}

function tableExists(db: Db, name: string): boolean {
  return db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name) !== undefined;
}

function currentVersion(db: Db): number {
  const n = field(db.prepare('SELECT MAX(version) AS v FROM fleet_schema_version').get(), 'v');
  return typeof n === 'number' ? n : 0;
}

/** SQLite keeps JSON columns as text. */
function json(row: unknown, key: string): unknown {
  return JSON.parse(str(row, key)) as unknown;
}

const toMachine = (row: unknown): Machine => machineFromRow(row, json);
const toGroup = (row: unknown): Group => groupFromRow(row, json);

function toProfile(row: unknown): FleetProfile {
  const meta = { name: str(row, 'name'), source: oneOf(objectSources, str(row, 'source'), 'source'), updatedAt: num(row, 'updated_at') };
  if (strOrNull(row, 'spec') !== null) return { ...profileSchema.parse(json(row, 'spec')), ...meta };
  // Written by fleet schema version 1: a linux profile in its own columns.
  const initrd = json(row, 'initrd');
  if (!Array.isArray(initrd) || !initrd.every((x): x is string => typeof x === 'string')) throw new Error('fleet row: initrd is not a list of text');
  return { kernel: str(row, 'kernel'), initrd, cmdline: str(row, 'cmdline'), ...meta };
}
