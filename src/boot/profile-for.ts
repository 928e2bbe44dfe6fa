import type { BootfleetConfig } from '../config/schema.js';
import { declaredFromConfig, fleetWithDeclared, type FleetContents } from '../fleet/declared-fleet.js';
import { resolveProfile, type LiveFacts } from '../fleet/resolve-profile.js';

const configFleets = new WeakMap<BootfleetConfig, FleetContents>();

/** The fleet the config alone declares (its `machines`, `groups`, `profiles`), built once per config. */
function configFleet(config: BootfleetConfig): FleetContents {
  let fleet = configFleets.get(config);
  if (!fleet) {
    fleet = fleetWithDeclared({ profiles: [], groups: [], machines: [] }, declaredFromConfig(config), 0);
    configFleets.set(config, fleet);
  }
  return fleet;
}

/**
 * Which profile a machine boots by the config alone: its `machines` entry, else the best
 * matching `groups` entry, else `boot.defaultProfile` (the rule is `fleet/resolve-profile.ts`).
 * The running server resolves over its store instead, which also holds machines and groups
 * made through the API and what DHCP saw of each machine.
 */
export function profileFor(who: string | LiveFacts, config: BootfleetConfig): { name: string; why: string; group: string | null } {
  const facts: LiveFacts = typeof who === 'string' ? { mac: who } : who;
  const fleet = configFleet(config);
  const machine = fleet.machines.find((m) => m.mac === facts.mac) ?? null;
  const r = resolveProfile(machine, facts, fleet.groups, { defaultProfile: config.boot.defaultProfile });
  return { name: r.profile, why: r.why, group: r.group };
}
