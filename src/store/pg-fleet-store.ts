/**
 * The fleet (machines, groups, profiles) in PostgreSQL, beside the leases (`store:
 * postgres://…`), shared by every bootfleet server on the database. Same interface and
 * contract as `fleet-sqlite-store.ts`.
 *
 * Fleet writes are few (a batch of sightings every quarter second at most, API calls,
 * one config sync per start), and most check something before they write (`config-owned`,
 * `unknown-profile`, `in-use`). So every write transaction first takes one transaction-
 * scoped advisory lock: writers across all servers run one at a time, as SQLite's
 * `BEGIN IMMEDIATE` makes them, and each check sees every write committed before it
 * (READ COMMITTED takes a fresh snapshot per statement, after the lock was granted). Two
 * servers registering one new MAC, or syncing the config at the same start-up, cannot
 * interleave. Reads take no lock. The lease table is not behind this lock: allocation
 * never waits for the fleet.
 *
 * Profiles are stored as their spec in one `jsonb` column (whatever the profile kind
 * holds), validated with the config's own `profileSchema` when read back.
 */
import { profileSchema } from '../config/schema.js';
import { installTokensEqual } from '../fleet/boot-once.js';
import { planDeclaredSync, type DeclaredFleet } from '../fleet/declared-fleet.js';
import type { FleetProfile, Group, GroupInput, ObjectSource, ProfileInput } from '../fleet/group.js';
import {
  applyPatch,
  applySighting,
  discoveredMachine,
  newApiMachine,
  type Machine,
  type MachinePatch,
  type Sighting,
} from '../fleet/machine.js';
import type { DeclaredSyncReport, FleetStore, FleetWrite, FleetWriteError, InstallCallback, MachineFilter } from './fleet-store.js';
import { currentPgVersion, inTransaction, migratePg, openPgPool, type PgClient, type PgPool, type PgPoolOptions } from './pg-connection.js';
import { pgFleetMigrations } from './pg-migrations.js';
import { field, num, objectSources, oneOf, str, toGroup as groupFromRow, toMachine as machineFromRow } from './fleet-rows.js';
import { syncReport } from './fleet-sync-report.js';

const MACHINE_COLUMNS = 'mac, uuid, hostname, labels, arch, firmware, first_seen, last_seen, last_ip, state, profile, source, updated_at';
const GROUP_COLUMNS = 'name, priority, profile, selector, source, updated_at';
const PROFILE_COLUMNS = 'name, spec, source, updated_at';
/** Any constant, distinct from the migration lock: the one fleet-writer lock. */
const FLEET_WRITE_LOCK = 0x62667401;

type Queryable = PgClient | PgPool;

export class PgFleetStore implements FleetStore {
  private closed = false;

  private constructor(private readonly pool: PgPool) {}

  /** Connects to `url` and brings the fleet tables up to date (creating them on first use). */
  static async open(url: string, opts: PgPoolOptions = {}): Promise<PgFleetStore> {
    const pool = openPgPool(url, { max: 2, applicationName: 'bootfleet fleet', ...opts });
    try {
      await migratePg(pool, 'fleet_schema_version', pgFleetMigrations, 'fleet');
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new PgFleetStore(pool);
  }

  /** Version of the fleet tables in the database. */
  async schemaVersion(): Promise<number> {
    return currentPgVersion(this.pool, 'fleet_schema_version');
  }

  recordSightings(sightings: readonly Sighting[]): Promise<{ discovered: string[] }> {
    return this.write(async (c) => {
      const discovered: string[] = [];
      for (const s of sightings) {
        const had = await machineOf(c, s.mac);
        if (had) await writeMachine(c, applySighting(had, s));
        else {
          await writeMachine(c, discoveredMachine(s));
          discovered.push(s.mac);
        }
      }
      return { discovered };
    });
  }

  getMachine(mac: string): Promise<Machine | null> {
    return machineOf(this.pool, mac);
  }

  async listMachines(filter: MachineFilter = {}): Promise<Machine[]> {
    const r = filter.state
      ? await this.pool.query(`SELECT ${MACHINE_COLUMNS} FROM fleet_machines WHERE state = $1 ORDER BY mac`, [filter.state])
      : await this.pool.query(`SELECT ${MACHINE_COLUMNS} FROM fleet_machines ORDER BY mac`);
    return r.rows.map(toMachine);
  }

  patchMachine(mac: string, patch: MachinePatch, now: number): Promise<FleetWrite<Machine>> {
    return this.write(async (c): Promise<FleetWrite<Machine>> => {
      const had = await machineOf(c, mac);
      if (had?.source === 'config') {
        const owned = (['hostname', 'labels', 'profile'] as const).filter((k) => patch[k] !== undefined);
        if (owned.length > 0) return configOwned(`machine ${mac} is declared in the config: change ${owned.join(', ')} there (only state can be set here)`);
      }
      if (typeof patch.profile === 'string' && !(await profileOf(c, patch.profile))) {
        return { ok: false, reason: 'unknown-profile', message: `profile ${patch.profile} does not exist` };
      }
      const next = applyPatch(had ?? newApiMachine(mac, now), patch, now);
      await writeMachine(c, next);
      if (next.state !== 'installing') await dropInstallToken(c, mac);
      return { ok: true, value: next, created: had === null };
    });
  }

  deleteMachine(mac: string): Promise<FleetWrite<null>> {
    return this.write(async (c): Promise<FleetWrite<null>> => {
      const had = await machineOf(c, mac);
      if (!had) return notFound(`machine ${mac}`);
      if (had.source === 'config') return configOwned(`machine ${mac} is declared in the config: remove it there`);
      await c.query('DELETE FROM fleet_machines WHERE mac = $1', [mac]);
      await dropInstallToken(c, mac);
      return { ok: true, value: null, created: false };
    });
  }

  beginInstall(mac: string, token: string, now: number): Promise<FleetWrite<Machine>> {
    return this.write(async (c): Promise<FleetWrite<Machine>> => {
      const had = await machineOf(c, mac);
      if (!had) return notFound(`machine ${mac}`);
      const next: Machine = { ...had, state: 'installing', updatedAt: now };
      await writeMachine(c, next);
      await c.query(
        `INSERT INTO fleet_install_tokens (mac, token, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (mac) DO UPDATE SET token = excluded.token, created_at = excluded.created_at`,
        [mac, token, now],
      );
      return { ok: true, value: next, created: false };
    });
  }

  completeInstall(mac: string, token: string, now: number): Promise<InstallCallback> {
    return this.write(async (c): Promise<InstallCallback> => {
      const had = await machineOf(c, mac);
      if (!had) return { ok: false, reason: 'unknown-machine' };
      const expected = await installTokenOf(c, mac);
      if (had.state !== 'installing' || expected === null) return { ok: false, reason: 'not-installing' };
      if (!installTokensEqual(expected, token)) return { ok: false, reason: 'wrong-token' };
      const next: Machine = { ...had, state: 'installed', updatedAt: now };
      await writeMachine(c, next);
      await dropInstallToken(c, mac);
      return { ok: true, machine: next };
    });
  }

  async installToken(mac: string): Promise<string | null> {
    const r = await this.pool.query(
      `SELECT t.token FROM fleet_install_tokens t JOIN fleet_machines m ON m.mac = t.mac WHERE t.mac = $1 AND m.state = 'installing'`,
      [mac],
    );
    return r.rows[0] === undefined ? null : str(r.rows[0], 'token');
  }

  async listGroups(): Promise<Group[]> {
    return (await this.pool.query(`SELECT ${GROUP_COLUMNS} FROM fleet_groups ORDER BY name`)).rows.map(toGroup);
  }

  getGroup(name: string): Promise<Group | null> {
    return groupOf(this.pool, name);
  }

  putGroup(group: GroupInput, now: number): Promise<FleetWrite<Group>> {
    return this.write(async (c): Promise<FleetWrite<Group>> => {
      const had = await groupOf(c, group.name);
      if (had?.source === 'config') return configOwned(`group ${group.name} is declared in the config: change it there`);
      if (!(await profileOf(c, group.profile))) return { ok: false, reason: 'unknown-profile', message: `profile ${group.profile} does not exist` };
      const next: Group = { ...group, source: 'api', updatedAt: now };
      await writeGroup(c, next);
      return { ok: true, value: next, created: had === null };
    });
  }

  deleteGroup(name: string): Promise<FleetWrite<null>> {
    return this.write(async (c): Promise<FleetWrite<null>> => {
      const had = await groupOf(c, name);
      if (!had) return notFound(`group ${name}`);
      if (had.source === 'config') return configOwned(`group ${name} is declared in the config: remove it there`);
      await c.query('DELETE FROM fleet_groups WHERE name = $1', [name]);
      return { ok: true, value: null, created: false };
    });
  }

  async listProfiles(): Promise<FleetProfile[]> {
    return (await this.pool.query(`SELECT ${PROFILE_COLUMNS} FROM fleet_profiles ORDER BY name`)).rows.map(toProfile);
  }

  getProfile(name: string): Promise<FleetProfile | null> {
    return profileOf(this.pool, name);
  }

  putProfile(profile: ProfileInput, now: number): Promise<FleetWrite<FleetProfile>> {
    return this.write(async (c): Promise<FleetWrite<FleetProfile>> => {
      const had = await profileOf(c, profile.name);
      if (had?.source === 'config') return configOwned(`profile ${profile.name} is declared in the config: change it there`);
      const next = stamped(profile, 'api', now);
      await writeProfile(c, next);
      return { ok: true, value: next, created: had === null };
    });
  }

  deleteProfile(name: string): Promise<FleetWrite<null>> {
    return this.write(async (c): Promise<FleetWrite<null>> => {
      const had = await profileOf(c, name);
      if (!had) return notFound(`profile ${name}`);
      if (had.source === 'config') return configOwned(`profile ${name} is declared in the config: remove it there`);
      const groups = (await c.query('SELECT name FROM fleet_groups WHERE profile = $1 ORDER BY name', [name])).rows.map((r) => `group ${str(r, 'name')}`);
      const machines = (await c.query('SELECT mac FROM fleet_machines WHERE profile = $1 ORDER BY mac', [name])).rows.map((r) => `machine ${str(r, 'mac')}`);
      const usedBy = [...groups, ...machines];
      if (usedBy.length > 0) return { ok: false, reason: 'in-use', message: `profile ${name} is used by ${usedBy.join(', ')}`, usedBy };
      await c.query('DELETE FROM fleet_profiles WHERE name = $1', [name]);
      return { ok: true, value: null, created: false };
    });
  }

  applyDeclared(declared: DeclaredFleet, now: number): Promise<DeclaredSyncReport> {
    return this.write(async (c) => {
      const machines = (await c.query(`SELECT ${MACHINE_COLUMNS} FROM fleet_machines WHERE source = 'config'`)).rows.map(toMachine);
      const have = new Set(machines.map((m) => m.mac));
      for (const d of declared.machines) {
        const m = have.has(d.mac) ? null : await machineOf(c, d.mac);
        if (m) machines.push(m);
      }
      const current = {
        profiles: (await c.query(`SELECT ${PROFILE_COLUMNS} FROM fleet_profiles`)).rows.map(toProfile),
        groups: (await c.query(`SELECT ${GROUP_COLUMNS} FROM fleet_groups`)).rows.map(toGroup),
        machines,
      };
      const plan = planDeclaredSync(current, declared, now);
      for (const p of plan.putProfiles) await writeProfile(c, p);
      for (const n of plan.deleteProfiles) await c.query('DELETE FROM fleet_profiles WHERE name = $1', [n]);
      for (const g of plan.putGroups) await writeGroup(c, g);
      for (const n of plan.deleteGroups) await c.query('DELETE FROM fleet_groups WHERE name = $1', [n]);
      for (const m of plan.putMachines) await writeMachine(c, m);
      for (const mac of plan.deleteMachines) await c.query('DELETE FROM fleet_machines WHERE mac = $1', [mac]);
      return syncReport(plan);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /** `fn` in a transaction holding the fleet-writer lock (see the file comment). */
  private write<T>(fn: (c: PgClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, async (c) => {
      await c.query({ name: 'fleet-write-lock', text: 'SELECT pg_advisory_xact_lock($1)', values: [FLEET_WRITE_LOCK] });
      return fn(c);
    });
  }
}

async function machineOf(q: Queryable, mac: string): Promise<Machine | null> {
  const r = await q.query({ name: 'fleet-machine', text: `SELECT ${MACHINE_COLUMNS} FROM fleet_machines WHERE mac = $1`, values: [mac] });
  return r.rows[0] === undefined ? null : toMachine(r.rows[0]);
}

async function groupOf(q: Queryable, name: string): Promise<Group | null> {
  const r = await q.query({ name: 'fleet-group', text: `SELECT ${GROUP_COLUMNS} FROM fleet_groups WHERE name = $1`, values: [name] });
  return r.rows[0] === undefined ? null : toGroup(r.rows[0]);
}

async function profileOf(q: Queryable, name: string): Promise<FleetProfile | null> {
  const r = await q.query({ name: 'fleet-profile', text: `SELECT ${PROFILE_COLUMNS} FROM fleet_profiles WHERE name = $1`, values: [name] });
  return r.rows[0] === undefined ? null : toProfile(r.rows[0]);
}

async function installTokenOf(c: PgClient, mac: string): Promise<string | null> {
  const r = await c.query('SELECT token FROM fleet_install_tokens WHERE mac = $1', [mac]);
  return r.rows[0] === undefined ? null : str(r.rows[0], 'token');
}

async function dropInstallToken(c: PgClient, mac: string): Promise<void> {
  await c.query({ name: 'fleet-drop-token', text: 'DELETE FROM fleet_install_tokens WHERE mac = $1', values: [mac] });
}

async function writeMachine(c: PgClient, m: Machine): Promise<void> {
  await c.query({
    name: 'fleet-write-machine',
    text: `INSERT INTO fleet_machines (${MACHINE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
           ON CONFLICT (mac) DO UPDATE SET uuid = excluded.uuid, hostname = excluded.hostname, labels = excluded.labels,
             arch = excluded.arch, firmware = excluded.firmware, first_seen = excluded.first_seen, last_seen = excluded.last_seen,
             last_ip = excluded.last_ip, state = excluded.state, profile = excluded.profile, source = excluded.source,
             updated_at = excluded.updated_at`,
    values: [m.mac, m.uuid, m.hostname, JSON.stringify(m.labels), m.arch, m.firmware, m.firstSeen, m.lastSeen, m.lastIp, m.state, m.profile, m.source, m.updatedAt],
  });
}

async function writeGroup(c: PgClient, g: Group): Promise<void> {
  await c.query({
    name: 'fleet-write-group',
    text: `INSERT INTO fleet_groups (${GROUP_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (name) DO UPDATE SET priority = excluded.priority, profile = excluded.profile, selector = excluded.selector,
             source = excluded.source, updated_at = excluded.updated_at`,
    values: [g.name, g.priority, g.profile, JSON.stringify(g.selector), g.source, g.updatedAt],
  });
}

async function writeProfile(c: PgClient, p: FleetProfile): Promise<void> {
  await c.query({
    name: 'fleet-write-profile',
    text: `INSERT INTO fleet_profiles (${PROFILE_COLUMNS}) VALUES ($1, $2, $3, $4)
           ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, source = excluded.source, updated_at = excluded.updated_at`,
    values: [p.name, JSON.stringify(specOfProfile(p)), p.source, p.updatedAt],
  });
}

/** A profile as written, with its stamps. */
function stamped(p: ProfileInput, source: ObjectSource, now: number): FleetProfile {
  return { ...structuredClone(p), source, updatedAt: now };
}

/** The profile without its name and stamps: the `spec` column. */
function specOfProfile(p: ProfileInput | FleetProfile): Record<string, unknown> {
  const spec: Record<string, unknown> = { ...p };
  delete spec['name'];
  delete spec['source'];
  delete spec['updatedAt'];
  return spec;
}

function notFound(what: string): FleetWriteError {
  return { ok: false, reason: 'not-found', message: `${what} does not exist` };
}

function configOwned(message: string): FleetWriteError {
  return { ok: false, reason: 'config-owned', message };
}

// jsonb columns arrive parsed.
const toMachine = (row: unknown): Machine => machineFromRow(row, field);
const toGroup = (row: unknown): Group => groupFromRow(row, field);

function toProfile(row: unknown): FleetProfile {
  const spec = profileSchema.safeParse(field(row, 'spec'));
  const name = str(row, 'name');
  if (!spec.success) throw new Error(`fleet row: profile ${name} does not fit the profile schema: ${spec.error.message}`);
  return { ...spec.data, name, source: oneOf(objectSources, str(row, 'source'), 'source'), updatedAt: num(row, 'updated_at') };
}
