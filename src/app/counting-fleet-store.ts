/**
 * A FleetStore that counts its own writes, so answers derived from the fleet (the rendered
 * `/boot.ipxe` of each machine) can be kept until the fleet changes. Every write made in this
 * process — API, config reload, sightings, install callbacks — goes through one instance, so
 * `generation` moves whenever anything that could change an answer may have changed.
 *
 * It moves twice per write: when the write starts and when it ends. A reader that read while
 * a write was under way (PostgreSQL writes are truly concurrent with reads) saw a generation
 * that is stale once the write ends, so what it derived is never taken as current.
 *
 * Writes made elsewhere (another bootfleet server on a shared PostgreSQL, someone with sqlite3)
 * are not counted: users of `generation` bound how long they trust it (boot-script-cache.ts).
 */
import type { DeclaredFleet } from '../fleet/declared-fleet.js';
import type { FleetProfile, Group, GroupInput, ProfileInput } from '../fleet/group.js';
import type { Machine, MachinePatch, Sighting } from '../fleet/machine.js';
import type { DeclaredSyncReport, FleetStore, FleetWrite, InstallCallback, MachineFilter } from '../store/fleet-store.js';

export class CountingFleetStore implements FleetStore {
  private count = 0;

  /**
   * `onMachinesGone` hears of machine records that a write may have removed: one MAC (a delete),
   * or null for any (a config sync), so what remembers them (the sighting batcher) forgets.
   */
  constructor(
    private readonly inner: FleetStore,
    private readonly onMachinesGone: (mac: string | null) => void = () => {},
  ) {}

  /** Changes whenever a write through this store starts or ends. */
  get generation(): number {
    return this.count;
  }

  private async write<T>(run: () => Promise<T>): Promise<T> {
    this.count++;
    try {
      return await run();
    } finally {
      this.count++;
    }
  }

  recordSightings(sightings: readonly Sighting[]): Promise<{ discovered: string[] }> {
    return this.write(() => this.inner.recordSightings(sightings));
  }
  getMachine(mac: string): Promise<Machine | null> {
    return this.inner.getMachine(mac);
  }
  listMachines(filter?: MachineFilter): Promise<Machine[]> {
    return this.inner.listMachines(filter);
  }
  patchMachine(mac: string, patch: MachinePatch, now: number): Promise<FleetWrite<Machine>> {
    return this.write(() => this.inner.patchMachine(mac, patch, now));
  }
  deleteMachine(mac: string): Promise<FleetWrite<null>> {
    return this.write(() => this.inner.deleteMachine(mac)).finally(() => this.onMachinesGone(mac));
  }
  beginInstall(mac: string, token: string, now: number): Promise<FleetWrite<Machine>> {
    return this.write(() => this.inner.beginInstall(mac, token, now));
  }
  completeInstall(mac: string, token: string, now: number): Promise<InstallCallback> {
    return this.write(() => this.inner.completeInstall(mac, token, now));
  }
  installToken(mac: string): Promise<string | null> {
    return this.inner.installToken(mac);
  }
  listGroups(): Promise<Group[]> {
    return this.inner.listGroups();
  }
  getGroup(name: string): Promise<Group | null> {
    return this.inner.getGroup(name);
  }
  putGroup(group: GroupInput, now: number): Promise<FleetWrite<Group>> {
    return this.write(() => this.inner.putGroup(group, now));
  }
  deleteGroup(name: string): Promise<FleetWrite<null>> {
    return this.write(() => this.inner.deleteGroup(name));
  }
  listProfiles(): Promise<FleetProfile[]> {
    return this.inner.listProfiles();
  }
  getProfile(name: string): Promise<FleetProfile | null> {
    return this.inner.getProfile(name);
  }
  putProfile(profile: ProfileInput, now: number): Promise<FleetWrite<FleetProfile>> {
    return this.write(() => this.inner.putProfile(profile, now));
  }
  deleteProfile(name: string): Promise<FleetWrite<null>> {
    return this.write(() => this.inner.deleteProfile(name));
  }
  applyDeclared(declared: DeclaredFleet, now: number): Promise<DeclaredSyncReport> {
    return this.write(() => this.inner.applyDeclared(declared, now)).finally(() => this.onMachinesGone(null));
  }
  close(): Promise<void> {
    return this.write(() => this.inner.close());
  }
}
