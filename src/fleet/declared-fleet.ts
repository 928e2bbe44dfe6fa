/**
 * The config file as a declaration of fleet objects, and how to bring a store in line with
 * it. The config wins for every object it names (and marks them `source: config`); objects
 * it declared before and no longer names are withdrawn. Objects made through the API that
 * the config does not name are left alone.
 */
import type { BootfleetConfig } from '../config/schema.js';
import { specOf, type FleetProfile, type Group, type GroupInput, type ProfileInput } from './group.js';
import type { Machine } from './machine.js';

export interface DeclaredMachine {
  mac: string;
  profile: string;
  hostname: string | null;
  labels: Readonly<Record<string, string>>;
}

export interface DeclaredFleet {
  profiles: ProfileInput[];
  groups: GroupInput[];
  machines: DeclaredMachine[];
}

export function declaredFromConfig(config: BootfleetConfig): DeclaredFleet {
  return {
    profiles: Object.entries(config.profiles).map(([name, p]) => ({ ...structuredClone(p), name })),
    groups: Object.entries(config.groups).map(([name, g]) => ({ name, priority: g.priority, profile: g.profile, selector: g.selector })),
    machines: config.machines.map((m) => ({ mac: m.mac, profile: m.profile, hostname: m.hostname ?? null, labels: m.labels ?? {} })),
  };
}

/** What the store holds that a sync can touch: every profile and group; machines from the config or named by it. */
export interface FleetContents {
  profiles: readonly FleetProfile[];
  groups: readonly Group[];
  machines: readonly Machine[];
}

export interface DeclaredSyncPlan {
  putProfiles: FleetProfile[];
  deleteProfiles: string[];
  putGroups: Group[];
  deleteGroups: string[];
  putMachines: Machine[];
  deleteMachines: string[];
  /** Things an operator should hear about: API objects replaced by the config, references left dangling. */
  warnings: string[];
}

export function planDeclaredSync(current: FleetContents, declared: DeclaredFleet, now: number): DeclaredSyncPlan {
  const plan: DeclaredSyncPlan = { putProfiles: [], deleteProfiles: [], putGroups: [], deleteGroups: [], putMachines: [], deleteMachines: [], warnings: [] };

  const profiles = new Map(current.profiles.map((p) => [p.name, p]));
  for (const d of declared.profiles) {
    const had = profiles.get(d.name);
    if (had?.source === 'api') plan.warnings.push(`profile ${d.name} was made through the API; the config's definition replaces it`);
    if (!had || had.source !== 'config' || !sameProfile(had, d)) plan.putProfiles.push({ ...structuredClone(d), source: 'config', updatedAt: now });
  }
  const declaredProfiles = new Set(declared.profiles.map((p) => p.name));
  plan.deleteProfiles = current.profiles.filter((p) => p.source === 'config' && !declaredProfiles.has(p.name)).map((p) => p.name);

  const groups = new Map(current.groups.map((g) => [g.name, g]));
  for (const d of declared.groups) {
    const had = groups.get(d.name);
    if (had?.source === 'api') plan.warnings.push(`group ${d.name} was made through the API; the config's definition replaces it`);
    if (!had || had.source !== 'config' || !sameGroup(had, d)) plan.putGroups.push({ ...d, source: 'config', updatedAt: now });
  }
  const declaredGroups = new Set(declared.groups.map((g) => g.name));
  plan.deleteGroups = current.groups.filter((g) => g.source === 'config' && !declaredGroups.has(g.name)).map((g) => g.name);

  const machines = new Map(current.machines.map((m) => [m.mac, m]));
  for (const d of declared.machines) {
    const had = machines.get(d.mac);
    const next: Machine = had
      ? {
          ...had,
          profile: d.profile,
          hostname: d.hostname,
          labels: { ...d.labels },
          // Declared with a profile: it has a role now.
          state: had.state === 'discovered' ? 'ready' : had.state,
          source: 'config',
          updatedAt: now,
        }
      : { mac: d.mac, uuid: null, hostname: d.hostname, labels: { ...d.labels }, arch: null, firmware: null, firstSeen: null, lastSeen: null, lastIp: null, state: 'ready', profile: d.profile, source: 'config', updatedAt: now };
    if (!had || !sameDeclaredMachine(had, next)) plan.putMachines.push(next);
  }
  const declaredMacs = new Set(declared.machines.map((m) => m.mac));
  for (const m of current.machines) {
    if (m.source !== 'config' || declaredMacs.has(m.mac)) continue;
    // No longer declared: what the config gave goes; what the network saw stays.
    if (m.firstSeen === null) plan.deleteMachines.push(m.mac);
    else plan.putMachines.push({ ...m, profile: null, source: 'dhcp', updatedAt: now });
  }

  // References the result leaves dangling (they render an error script at boot).
  const profileNames = new Set([...current.profiles.map((p) => p.name).filter((n) => !plan.deleteProfiles.includes(n)), ...declaredProfiles]);
  const finalGroups = [...current.groups.filter((g) => !declaredGroups.has(g.name) && !plan.deleteGroups.includes(g.name)), ...declared.groups];
  for (const g of finalGroups) {
    if (!profileNames.has(g.profile)) plan.warnings.push(`group ${g.name} names profile ${g.profile}, which does not exist`);
  }
  return plan;
}

function sameProfile(a: ProfileInput, b: ProfileInput): boolean {
  return canonical(specOf(a)) === canonical(specOf(b));
}

function sameGroup(a: GroupInput, b: GroupInput): boolean {
  return a.priority === b.priority && a.profile === b.profile && canonical(a.selector) === canonical(b.selector);
}

function sameDeclaredMachine(a: Machine, b: Machine): boolean {
  return a.source === b.source && a.profile === b.profile && a.hostname === b.hostname && a.state === b.state && canonical(a.labels) === canonical(b.labels);
}

/** JSON with object keys sorted, so equal values compare equal whatever their key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) : v,
  );
}

/** `current` with the config's declarations applied, in memory: what the store holds after `applyDeclared`. */
export function fleetWithDeclared(current: FleetContents, declared: DeclaredFleet, now: number): FleetContents {
  const plan = planDeclaredSync(current, declared, now);
  const merge = <T>(items: readonly T[], key: (t: T) => string, puts: readonly T[], deletes: readonly string[]): T[] => {
    const byKey = new Map(items.map((t) => [key(t), t]));
    for (const d of deletes) byKey.delete(d);
    for (const p of puts) byKey.set(key(p), p);
    return [...byKey.values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  };
  return {
    profiles: merge(current.profiles, (p) => p.name, plan.putProfiles, plan.deleteProfiles),
    groups: merge(current.groups, (g) => g.name, plan.putGroups, plan.deleteGroups),
    machines: merge(current.machines, (m) => m.mac, plan.putMachines, plan.deleteMachines),
  };
}
