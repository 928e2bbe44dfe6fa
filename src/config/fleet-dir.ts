/**
 * `fleetDir`: a folder of YAML files, each declaring `profiles`, `groups` and `machines` in
 * the main config's shapes. Together with the main config they are the declared fleet. Each
 * object is declared in one place only, so no file silently overrides another.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { ConfigProblem } from './config-problem.js';
import { findingsFromIssues } from './issue-message.js';
import { configSchema, type GroupConfig, type MachineConfig, type ProfileConfig } from './schema.js';
import type { ConfigPath } from './yaml-locate.js';
import { locate } from './yaml-locate.js';
import { parseYamlSource, placeFinding, sortProblems, type YamlSource } from './yaml-source.js';

/** What one fleetDir file may hold: the main config's fleet keys, nothing else. */
export const fleetFileSchema = z
  .object({ profiles: configSchema.shape.profiles, groups: configSchema.shape.groups, machines: configSchema.shape.machines })
  .strict();

export type FleetFileConfig = z.output<typeof fleetFileSchema>;

/** A checked file (or the main config's fleet part) and where it came from. */
export interface FleetPart {
  source: YamlSource;
  fleet: FleetFileConfig;
}

export type FleetDirResult = { ok: true; parts: FleetPart[]; warnings: string[] } | { ok: false; errors: ConfigProblem[] } | { ok: false; unreadable: string };

/** `*.yaml` and `*.yml`, not recursive, in name order (byte order, not locale: the same everywhere). */
export function fleetDirFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name) && !name.startsWith('.'))
    .filter((name) => statSync(path.join(dir, name)).isFile())
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Reads and checks every file in `dir` against `fleetFileSchema`, reporting every problem of
 * every file. `shownDir` is how file names appear in problems (the folder as the config names it).
 */
export function readFleetDir(dir: string, shownDir: string): FleetDirResult {
  let names: string[];
  try {
    names = fleetDirFiles(dir);
  } catch (e) {
    return { ok: false, unreadable: e instanceof Error && 'code' in e ? String(e.code) : String(e) };
  }
  const parts: FleetPart[] = [];
  const errors: ConfigProblem[] = [];
  const warnings: string[] = [];
  for (const name of names) {
    const file = path.join(shownDir, name);
    let text: string;
    try {
      text = readFileSync(path.join(dir, name), 'utf8');
    } catch (e) {
      const reason = e instanceof Error && 'code' in e ? String(e.code) : String(e);
      errors.push({ file, line: 0, column: 0, key: '', code: 'CFG_READ', message: `cannot read the file (${reason})` });
      continue;
    }
    const yaml = parseYamlSource(text, file);
    if (!yaml.ok) {
      errors.push(...yaml.errors);
      continue;
    }
    warnings.push(...yaml.warnings);
    const parsed = fleetFileSchema.safeParse(yaml.raw ?? {}, { reportInput: true });
    if (!parsed.success) {
      errors.push(...sortProblems(findingsFromIssues(parsed.error.issues, fleetFileSchema).map((f) => placeFinding(yaml.source, f))));
      continue;
    }
    parts.push({ source: yaml.source, fleet: parsed.data });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, parts, warnings };
}

/** The parts' fleets as one, and where each object came from (to place later findings in its file). */
export interface MergedFleet {
  profiles: Record<string, ProfileConfig>;
  groups: Record<string, GroupConfig>;
  machines: MachineConfig[];
  /** Declared twice: each problem names both places. */
  errors: ConfigProblem[];
  /** The file and in-file path of a path into the merged config; null when not a fleet object. */
  origin(p: ConfigPath): { source: YamlSource; path: ConfigPath } | null;
}

/**
 * Merges parts in order (the main config first). A name or MAC declared in two places is an
 * error naming both; two declarations inside the main config are left to its own checks.
 */
export function mergeFleetParts(parts: readonly FleetPart[]): MergedFleet {
  const profiles: Record<string, ProfileConfig> = {};
  const groups: Record<string, GroupConfig> = {};
  const machines: MachineConfig[] = [];
  const errors: ConfigProblem[] = [];
  const profileFrom = new Map<string, number>();
  const groupFrom = new Map<string, number>();
  const machineFrom: { part: number; index: number }[] = [];
  const macFirst = new Map<string, { part: number; index: number }>();
  const where = (part: number, p: ConfigPath, atKey: boolean): string => {
    const source = parts[part]!.source;
    const { line, column } = locate(source.doc, source.lineCounter, p, atKey);
    return `${source.file}:${line}:${column}`;
  };
  const duplicate = (part: number, p: ConfigPath, atKey: boolean, firstPart: number, firstPath: ConfigPath, code: ConfigProblem['code'], what: string): void => {
    errors.push({
      ...placeFinding(parts[part]!.source, { path: p, atKey, code, message: `${what} is declared again, expected each in one place only (first at ${where(firstPart, firstPath, atKey)})` }),
    });
  };
  parts.forEach(({ fleet }, i) => {
    for (const [name, profile] of Object.entries(fleet.profiles)) {
      const first = profileFrom.get(name);
      if (first !== undefined) duplicate(i, ['profiles', name], true, first, ['profiles', name], 'CFG_DUPLICATE_NAME', `profile "${name}"`);
      else {
        profileFrom.set(name, i);
        profiles[name] = profile;
      }
    }
    for (const [name, group] of Object.entries(fleet.groups)) {
      const first = groupFrom.get(name);
      if (first !== undefined) duplicate(i, ['groups', name], true, first, ['groups', name], 'CFG_DUPLICATE_NAME', `group "${name}"`);
      else {
        groupFrom.set(name, i);
        groups[name] = group;
      }
    }
    fleet.machines.forEach((m, index) => {
      const first = macFirst.get(m.mac);
      if (first !== undefined && !(first.part === 0 && i === 0)) {
        duplicate(i, ['machines', index, 'mac'], false, first.part, ['machines', first.index, 'mac'], 'CFG_DUPLICATE_MAC', `machine ${m.mac}`);
        return;
      }
      if (first === undefined) macFirst.set(m.mac, { part: i, index });
      machineFrom.push({ part: i, index });
      machines.push(m);
    });
  });
  const origin = (p: ConfigPath): { source: YamlSource; path: ConfigPath } | null => {
    const [head, second, ...rest] = p;
    if (head === 'machines' && typeof second === 'number') {
      const from = machineFrom[second];
      return from ? { source: parts[from.part]!.source, path: ['machines', from.index, ...rest] } : null;
    }
    const from = head === 'profiles' && typeof second === 'string' ? profileFrom.get(second) : head === 'groups' && typeof second === 'string' ? groupFrom.get(second) : undefined;
    return from !== undefined ? { source: parts[from]!.source, path: p } : null;
  };
  return { profiles, groups, machines, errors, origin };
}
