/**
 * Where the fleet lives: machines, groups, profiles. One interface, implemented by SQLite
 * (`fleet-sqlite-store.ts`, embedded, in the same `bootfleet.db` as the leases) and later
 * PostgreSQL; both must pass `fleet-store.contract.ts`. Every method is async so a networked
 * database fits behind it.
 *
 * Rules the store keeps, atomically, so that every implementation keeps them the same way:
 * - Objects declared in the config (`source: config`) are changed only by `applyDeclared`;
 *   API writes to them fail with `config-owned` (for a config machine, only `state` may change).
 * - A group or a machine may only name a profile that exists; a profile in use cannot be deleted.
 */
import type { DeclaredFleet } from '../fleet/declared-fleet.js';
import type { FleetProfile, Group, GroupInput, ProfileInput } from '../fleet/group.js';
import type { Machine, MachinePatch, MachineState, Sighting } from '../fleet/machine.js';

/** Why a write was refused. */
export type FleetWriteError =
  | { ok: false; reason: 'not-found'; message: string }
  /** The object is declared in the config file: change it there. */
  | { ok: false; reason: 'config-owned'; message: string }
  /** The write names a profile that does not exist. */
  | { ok: false; reason: 'unknown-profile'; message: string }
  /** A profile still named by groups or machines. */
  | { ok: false; reason: 'in-use'; message: string; usedBy: string[] };

export type FleetWrite<T> = { ok: true; value: T; created: boolean } | FleetWriteError;

export interface DeclaredSyncReport {
  profiles: { put: number; deleted: number };
  groups: { put: number; deleted: number };
  machines: { put: number; deleted: number };
  warnings: string[];
}

/** What an installer's callback did (`completeInstall`). */
export type InstallCallback =
  | { ok: true; machine: Machine }
  /** No such machine, it is not installing, or the token is not its current one: nothing changed. */
  | { ok: false; reason: 'unknown-machine' | 'not-installing' | 'wrong-token' };

export interface MachineFilter {
  state?: MachineState;
}

export interface FleetStore {
  /**
   * Records machines seen on the network: an unknown MAC is registered as `discovered`; a known
   * one has its seen fields updated. Returns the MACs that were new. One transaction, or (SQLite's
   * writer thread) several in a row: a failure after some committed rejects with a
   * {@link PartialSightingsError} naming the new machines among those.
   */
  recordSightings(sightings: readonly Sighting[]): Promise<{ discovered: string[] }>;
  getMachine(mac: string): Promise<Machine | null>;
  /** Ordered by MAC. */
  listMachines(filter?: MachineFilter): Promise<Machine[]>;
  /**
   * Changes a machine (see `MachinePatch`); an unknown MAC is created first (`source: api`),
   * so a machine can be given a role before it is ever seen.
   */
  patchMachine(mac: string, patch: MachinePatch, now: number): Promise<FleetWrite<Machine>>;
  deleteMachine(mac: string): Promise<FleetWrite<null>>;

  /**
   * Boot once (`fleet/boot-once.ts`): marks a machine for (re)install, state `installing`, with the
   * token its installer must call back with (replacing an earlier one). `not-found` for an unknown
   * MAC. Allowed for config machines too (state is the operator's).
   */
  beginInstall(mac: string, token: string, now: number): Promise<FleetWrite<Machine>>;
  /**
   * The installer's callback: when the machine is installing and `token` is its current token (compared
   * in constant time), it becomes `installed` and the token is spent, in one transaction; otherwise nothing
   * changes.
   */
  completeInstall(mac: string, token: string, now: number): Promise<InstallCallback>;
  /** The current install token of an installing machine, else null. Any state change but to `installing` drops it. */
  installToken(mac: string): Promise<string | null>;

  /** Ordered by name. */
  listGroups(): Promise<Group[]>;
  getGroup(name: string): Promise<Group | null>;
  /** Creates or replaces (`created` says which). */
  putGroup(group: GroupInput, now: number): Promise<FleetWrite<Group>>;
  deleteGroup(name: string): Promise<FleetWrite<null>>;

  /** Ordered by name. */
  listProfiles(): Promise<FleetProfile[]>;
  getProfile(name: string): Promise<FleetProfile | null>;
  putProfile(profile: ProfileInput, now: number): Promise<FleetWrite<FleetProfile>>;
  deleteProfile(name: string): Promise<FleetWrite<null>>;

  /** Brings the store in line with the config's declarations (`fleet/declared-fleet.ts`), in one transaction. */
  applyDeclared(declared: DeclaredFleet, now: number): Promise<DeclaredSyncReport>;
  close(): Promise<void>;
}

/**
 * A write of sightings that failed part-way: the chunks before the failure are committed, and
 * `discovered` names the new machines among them (their next sighting finds a row, so this is
 * the only time they can be reported as new).
 */
export class PartialSightingsError extends Error {
  constructor(
    message: string,
    readonly discovered: readonly string[],
  ) {
    super(message);
    this.name = 'PartialSightingsError';
  }
}
