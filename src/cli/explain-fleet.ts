/**
 * The fleet part of `bootfleet explain`: which profile the machine boots, which group
 * matched and why, and why the others did not. Reads the inventory of the server the config
 * belongs to (`<dataDir>/bootfleet.db`, read-only, never created; or the shared PostgreSQL named
 * by `store:`) with the config's declarations applied on top, as the server does at start; or the
 * config alone.
 */
import path from 'node:path';
import type { BootfleetConfig } from '../config/schema.js';
import { declaredFromConfig, fleetWithDeclared, type FleetContents } from '../fleet/declared-fleet.js';
import { describeProfile, type FleetProfile } from '../fleet/group.js';
import type { Machine } from '../fleet/machine.js';
import { resolveProfile, type LiveFacts, type ProfileResolution } from '../fleet/resolve-profile.js';
import { SqliteFleetStore } from '../store/fleet-sqlite-store.js';
import { DB_FILE } from '../store/sqlite-lease-store.js';
import { PgFleetStore } from '../store/pg-fleet-store.js';
import { isPostgresUrl } from '../store/pg-connection.js';
import { redactUrl } from '../store/store-factory.js';
import { printable } from './text-table.js';

export interface FleetExplanation {
  /** Where the fleet came from, for people. */
  source: string;
  machine: Machine | null;
  resolution: ProfileResolution;
  profile: FleetProfile | null;
}

/** `useInventory`: read the server's database when there is one (else the config alone). */
export async function explainFleet(config: BootfleetConfig, facts: LiveFacts, useInventory: boolean): Promise<FleetExplanation> {
  let current: FleetContents = { profiles: [], groups: [], machines: [] };
  let source = 'config only';
  if (useInventory && config.store !== undefined && isPostgresUrl(config.store)) {
    // A shared PostgreSQL fleet: read it as the servers do (the schema is theirs to have made).
    try {
      const s = await PgFleetStore.open(config.store);
      try {
        const [machine, groups, profiles] = await Promise.all([s.getMachine(facts.mac), s.listGroups(), s.listProfiles()]);
        current = { profiles, groups, machines: machine ? [machine] : [] };
        source = `inventory ${redactUrl(config.store)} + config`;
      } finally {
        await s.close();
      }
    } catch (err) {
      source = `config only (no inventory: ${redactUrl(config.store)}: ${(err as Error).message})`;
    }
  } else if (useInventory) {
    const file = path.join(config.dataDir, DB_FILE);
    const opened = SqliteFleetStore.openExistingReadOnly(file);
    if (opened.store) {
      const s = opened.store;
      try {
        const [machine, groups, profiles] = await Promise.all([s.getMachine(facts.mac), s.listGroups(), s.listProfiles()]);
        current = { profiles, groups, machines: machine ? [machine] : [] };
        source = `inventory ${file} + config`;
      } finally {
        await s.close();
      }
    } else {
      source = `config only (no inventory: ${opened.reason})`;
    }
  }
  const fleet = fleetWithDeclared(current, declaredFromConfig(config), Date.now());
  const machine = fleet.machines.find((m) => m.mac === facts.mac) ?? null;
  const resolution = resolveProfile(machine, facts, fleet.groups, { defaultProfile: config.boot.defaultProfile });
  const profile = fleet.profiles.find((p) => p.name === resolution.profile) ?? null;
  return { source, machine, resolution, profile };
}

/** Lines for the text output, aligned with explain's own. */
export function fleetLines(x: FleetExplanation): string[] {
  const lines: string[] = [];
  const m = x.machine;
  if (m) {
    const labels = Object.entries(m.labels).map(([k, v]) => `${k}=${v}`).join(',');
    const seen = m.lastSeen === null ? 'never seen' : `last seen ${new Date(m.lastSeen).toISOString()}${m.lastIp ? ` at ${m.lastIp}` : ''}`;
    lines.push(printable(`machine  ${m.state}  ${m.hostname ?? '-'}  labels ${labels || '-'}  ${seen}  (${m.source})`));
  } else {
    lines.push('machine  not in the inventory: its first DHCP request registers it as discovered');
  }
  const r = x.resolution;
  lines.push(printable(`profile  ${r.profile} by ${r.by === 'group' ? `group ${r.group ?? ''}` : r.by}: ${r.why}`));
  const p = x.profile;
  lines.push(p ? printable(`         ${describeProfile(p)}`) : `         NOT DEFINED in profiles (the machine would get an error script)`);
  if (m?.state === 'installing') {
    // Boot once: while installing, the boot script is the install profile's (fleet/boot-once.ts).
    lines.push(printable(p?.install ? `install  marked for install: boots profile ${p.install} until its installer calls back` : `install  marked for install, but ${r.profile} names no install profile: boots ${r.profile}`));
  }
  if (r.groups.length === 0) lines.push('groups   none');
  r.groups.forEach((g, i) => {
    const mark = g.matched ? (g.group === r.group ? 'chosen ' : 'matched') : 'no     ';
    const reasons = (g.matched ? g.reasons : g.failures).join('; ');
    lines.push(printable(`${i === 0 ? 'groups' : '      '}   ${mark} ${g.group} (priority ${g.priority}, ${g.specificity} field${g.specificity === 1 ? '' : 's'}) → ${g.profile}: ${reasons}`));
  });
  lines.push(`fleet    ${x.source}`);
  return lines;
}
