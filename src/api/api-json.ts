/**
 * Store objects as the API shows them: times as ISO 8601 text (people read them in the CLI
 * and in curl output), and each machine with the profile it boots now and why.
 */
import { specOf, type FleetProfile, type Group } from '../fleet/group.js';
import type { Machine } from '../fleet/machine.js';
import { resolveProfile } from '../fleet/resolve-profile.js';
import type { Lease } from '../store/lease-store.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export function machineJson(m: Machine, groups: readonly Group[], defaultProfile: string): Record<string, unknown> {
  const r = resolveProfile(m, { mac: m.mac }, groups, { defaultProfile });
  return {
    mac: m.mac,
    uuid: m.uuid,
    hostname: m.hostname,
    labels: m.labels,
    arch: m.arch,
    firmware: m.firmware,
    firstSeen: isoOrNull(m.firstSeen),
    lastSeen: isoOrNull(m.lastSeen),
    lastIp: m.lastIp,
    state: m.state,
    profile: m.profile,
    source: m.source,
    updatedAt: iso(m.updatedAt),
    boot: { profile: r.profile, by: r.by, group: r.group, why: r.why },
  };
}

export function groupJson(g: Group): Record<string, unknown> {
  return { name: g.name, priority: g.priority, profile: g.profile, selector: g.selector, source: g.source, updatedAt: iso(g.updatedAt) };
}

export function profileJson(p: FleetProfile): Record<string, unknown> {
  return { name: p.name, ...specOf(p), source: p.source, updatedAt: iso(p.updatedAt) };
}

export function leaseJson(l: Lease): Record<string, unknown> {
  return { address: l.address, clientId: l.clientId, mac: l.mac, state: l.state, expiresAt: iso(l.expiresAt), hostname: l.hostname, updatedAt: iso(l.updatedAt) };
}
