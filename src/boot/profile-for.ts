import type { BootfleetConfig } from '../config/schema.js';

/** Which profile a machine boots: its own entry in `machines`, else `boot.defaultProfile`. */
export function profileFor(mac: string, config: BootfleetConfig): { name: string; why: string } {
  const own = config.machines.find((m) => m.mac === mac);
  if (own) return { name: own.profile, why: `machines entry for ${mac}` };
  return { name: config.boot.defaultProfile, why: 'no machines entry: boot.defaultProfile' };
}
