/**
 * Groups and profiles: the fleet's boot roles. A group selects machines (by MAC, UUID,
 * labels, arch, firmware, subnet) and names the profile they boot.
 */
import type { GroupSelectorConfig, ProfileConfig, ProfileKind } from '../config/schema.js';

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

/**
 * What a machine boots: a profile of one of the kinds in `config/schema.ts` (`linux` when
 * `kind` is absent: kernel + initrds + command line), with its name. The config's shape.
 */
export type ProfileSpec = ProfileConfig;

/** A stored profile. */
export type FleetProfile = ProfileSpec & { name: string; source: ObjectSource; updatedAt: number };

/** A group as written (config or API body), before the store stamps it. */
export type GroupInput = Omit<Group, 'source' | 'updatedAt'>;
/** A profile as written (config or API body), before the store stamps it. */
export type ProfileInput = ProfileSpec & { name: string };

/** The kind of a profile (`linux` when not written). */
export function kindOf(p: ProfileSpec): ProfileKind {
  return p.kind ?? 'linux';
}

/** The profile without its name and stamps: what the config or an API body says. */
export function specOf(p: ProfileSpec & { name: string; source?: unknown; updatedAt?: unknown }): ProfileSpec {
  const { name: _name, ...rest } = p;
  const spec: Record<string, unknown> = { ...rest };
  delete spec['source'];
  delete spec['updatedAt'];
  // The fields were those of a ProfileSpec plus the three removed above.
  return spec as ProfileSpec;
}

/** One line saying what a profile boots, for tables and `bootfleet explain`. */
export function describeProfile(p: ProfileSpec): string {
  const install = p.install ? `; installs with ${p.install}` : '';
  switch (p.kind) {
    case undefined:
    case 'linux':
      return `kernel ${p.kernel}  initrd ${p.initrd.join(' ') || '-'}  cmdline "${p.cmdline}"${install}`;
    case 'pxelinux':
      return `PXELINUX menu: ${p.entries.map((e) => e.label).join(', ')} (default ${p.default ?? p.entries[0]?.label ?? '-'})${install}`;
    case 'chain':
      return `chain ${p.url}${install}`;
    case 'sanboot':
      return `sanboot ${p.rootPath}${p.keepSan ? ' (keep-san)' : ''}${install}`;
    case 'local':
      return `exit to the local disk${install}`;
    case 'debian-installer':
      return `Debian installer: kernel ${p.kernel}  initrd ${p.initrd.join(' ') || '-'}  with a per-machine preseed${install}`;
    case 'cloud-init':
      return `cloud-init NoCloud: kernel ${p.kernel}  initrd ${p.initrd.join(' ') || '-'}  with a per-machine seed${install}`;
  }
}
