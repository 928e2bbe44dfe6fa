/**
 * A machine of the fleet, known by its MAC. What the network saw of it (uuid, arch,
 * firmware, addresses, times) sits beside what people decided (hostname, labels, profile,
 * state). Pure data: no I/O.
 */
import type { FirmwareName } from '../config/schema.js';

/**
 * Where a machine is in its life: `discovered` (it DHCPed and nobody has given it a role),
 * `ready` (it has a role), `installing` (its installer runs), `installed`.
 */
export const machineStates = ['discovered', 'ready', 'installing', 'installed'] as const;
export type MachineState = (typeof machineStates)[number];

/** Who created the record: declared in the config file, made through the API, or seen on DHCP. */
export type MachineSource = 'config' | 'api' | 'dhcp';

export interface Machine {
  /** Lower-case, colon-separated; the key. */
  mac: string;
  /** SMBIOS UUID from DHCP option 97, lower-case, as last sent (null: never sent, or all zeros). */
  uuid: string | null;
  hostname: string | null;
  labels: Readonly<Record<string, string>>;
  /** DHCP option 93 as last seen. */
  arch: number | null;
  /** Firmware family as last seen (a machine that chainloads iPXE is `ipxe` by its last request). */
  firmware: FirmwareName | null;
  /** Milliseconds since the epoch; null for a machine declared or made through the API and never seen. */
  firstSeen: number | null;
  lastSeen: number | null;
  /** Its address when last seen (a lease, or where it fetched its boot script from). */
  lastIp: string | null;
  state: MachineState;
  /** Its own profile, which beats every group; null to let groups decide. */
  profile: string | null;
  source: MachineSource;
  /** Milliseconds since the epoch of the last change to the record. */
  updatedAt: number;
}

/**
 * A change people make to a machine (API PATCH, JSON merge patch style, RFC 7396):
 * an absent key is left alone, `null` clears, `labels` merges key by key (`null` removes).
 */
export interface MachinePatch {
  hostname?: string | null;
  labels?: Readonly<Record<string, string | null>>;
  profile?: string | null;
  state?: MachineState;
}

/**
 * One moment a machine was seen on the network (a DHCP request, a boot script fetch).
 * Only the fields given (and not null) change the record; `hostname` only fills an empty one,
 * since a name people gave beats what the client calls itself.
 */
export interface Sighting {
  mac: string;
  /** Milliseconds since the epoch. */
  at: number;
  ip?: string | null;
  uuid?: string | null;
  arch?: number | null;
  firmware?: FirmwareName | null;
  hostname?: string | null;
}

/** A record for a MAC never seen before, as DHCP registers it. */
export function discoveredMachine(s: Sighting): Machine {
  return {
    mac: s.mac,
    uuid: s.uuid ?? null,
    hostname: s.hostname ?? null,
    labels: {},
    arch: s.arch ?? null,
    firmware: s.firmware ?? null,
    firstSeen: s.at,
    lastSeen: s.at,
    lastIp: s.ip ?? null,
    state: 'discovered',
    profile: null,
    source: 'dhcp',
    updatedAt: s.at,
  };
}

/** `machine` after another sighting; times never run backwards. */
export function applySighting(machine: Machine, s: Sighting): Machine {
  const newer = machine.lastSeen === null || s.at >= machine.lastSeen;
  const take = <T>(seen: T | null | undefined, had: T | null): T | null => (newer && seen !== undefined && seen !== null ? seen : had);
  return {
    ...machine,
    uuid: take(s.uuid, machine.uuid),
    arch: take(s.arch, machine.arch),
    firmware: take(s.firmware, machine.firmware),
    lastIp: take(s.ip, machine.lastIp),
    hostname: machine.hostname ?? s.hostname ?? null,
    firstSeen: machine.firstSeen === null ? s.at : Math.min(machine.firstSeen, s.at),
    lastSeen: machine.lastSeen === null ? s.at : Math.max(machine.lastSeen, s.at),
    updatedAt: Math.max(machine.updatedAt, s.at),
  };
}

/** Folds two sightings of one MAC into one (the later wins field by field), for batching. */
export function mergeSightings(a: Sighting, b: Sighting): Sighting {
  const [older, newer] = a.at <= b.at ? [a, b] : [b, a];
  const pick = <K extends keyof Sighting>(k: K): Sighting[K] => (newer[k] !== undefined && newer[k] !== null ? newer[k] : older[k]);
  const out: Sighting = { mac: newer.mac, at: newer.at };
  for (const k of ['ip', 'uuid', 'arch', 'firmware', 'hostname'] as const) {
    const v = pick(k);
    if (v !== undefined) Object.assign(out, { [k]: v });
  }
  return out;
}

/**
 * `machine` with `patch` applied. Giving a `discovered` machine a profile makes it `ready`
 * unless the patch sets a state itself.
 */
export function applyPatch(machine: Machine, patch: MachinePatch, now: number): Machine {
  const labels: Record<string, string> = { ...machine.labels };
  for (const [k, v] of Object.entries(patch.labels ?? {})) {
    if (v === null) delete labels[k];
    else labels[k] = v;
  }
  const profile = patch.profile !== undefined ? patch.profile : machine.profile;
  let state = patch.state ?? machine.state;
  if (patch.state === undefined && machine.state === 'discovered' && typeof patch.profile === 'string') state = 'ready';
  return {
    ...machine,
    hostname: patch.hostname !== undefined ? patch.hostname : machine.hostname,
    labels,
    profile,
    state,
    updatedAt: now,
  };
}

/** A record for a MAC people name before it was ever seen (API PATCH of an unknown MAC). */
export function newApiMachine(mac: string, now: number): Machine {
  return {
    mac,
    uuid: null,
    hostname: null,
    labels: {},
    arch: null,
    firmware: null,
    firstSeen: null,
    lastSeen: null,
    lastIp: null,
    state: 'discovered',
    profile: null,
    source: 'api',
    updatedAt: now,
  };
}
