/**
 * Groups and profiles: the fleet's boot roles. A group selects machines (by MAC, UUID,
 * labels, arch, firmware, subnet) and names the profile they boot.
 */
import type { GroupSelectorConfig } from '../config/schema.js';

/** Who wrote the object: the config file (it wins, and owns it) or the API. */
export type ObjectSource = 'config' | 'api';

/** Every field given must match; see `selector-match.ts`. */
export type GroupSelector = GroupSelectorConfig;

export interface Group {
  name: string;
  /** Higher wins. */
  priority: number;
  profile: string;
  selector: GroupSelector;
  source: ObjectSource;
  updatedAt: number;
}

/** What a machine boots: kernel + initrds + command line (the shape of config `profiles`). */
export interface FleetProfile {
  name: string;
  /** Kernel URL or a path under http.root. */
  kernel: string;
  initrd: string[];
  cmdline: string;
  source: ObjectSource;
  updatedAt: number;
}

/** A group as written (config or API body), before the store stamps it. */
export type GroupInput = Omit<Group, 'source' | 'updatedAt'>;
/** A profile as written (config or API body), before the store stamps it. */
export type ProfileInput = Omit<FleetProfile, 'source' | 'updatedAt'>;
