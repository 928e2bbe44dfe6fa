/**
 * Reload without restart (`SIGHUP`, `bootfleet reload`): the config file and its fleetDir
 * are read and checked again; only a wholly valid config is applied, and only its live
 * parts (the declared fleet and `boot.defaultProfile`). Anything else that changed is
 * reported as needing a restart, since sockets, the store and the data directory are
 * opened once.
 */
import { configTemplateProblems } from '../boot/templates/config-templates.js';
import { formatProblem, type ConfigProblem } from '../config/config-problem.js';
import { loadConfigFile } from '../config/load.js';
import type { BootfleetConfig } from '../config/schema.js';
import { canonical, declaredFromConfig, type DeclaredFleet } from '../fleet/declared-fleet.js';
import type { EventSink } from '../events/boot-event.js';
import type { DeclaredSyncReport } from '../store/fleet-store.js';

/** Top-level keys a reload applies; `boot.defaultProfile` too (the rest of `boot` goes to DHCP replies). */
const LIVE_KEYS = new Set(['profiles', 'groups', 'machines', 'fleetDir']);
const LIVE_BOOT_KEYS = new Set(['defaultProfile']);

/**
 * The settings that differ between the running config and `next` and need a restart, as
 * dotted keys (`interfaces`, `dhcp.subnets`, `boot.uefi`), sorted.
 */
export function restartOnlyChanges(running: BootfleetConfig, next: BootfleetConfig): string[] {
  const out: string[] = [];
  const a = running as unknown as Record<string, unknown>;
  const b = next as unknown as Record<string, unknown>;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (LIVE_KEYS.has(key) || canonical(a[key]) === canonical(b[key])) continue;
    const x = a[key];
    const y = b[key];
    if (isPlainObject(x) && isPlainObject(y)) {
      for (const sub of new Set([...Object.keys(x), ...Object.keys(y)])) {
        if (key === 'boot' && LIVE_BOOT_KEYS.has(sub)) continue;
        if (canonical(x[sub]) !== canonical(y[sub])) out.push(`${key}.${sub}`);
      }
    } else out.push(key);
  }
  return out.sort();
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** What a reload changes in the declared fleet, one phrase each: `profile web added`, `machine 52:…:01 changed`. */
export function declaredChanges(before: DeclaredFleet, after: DeclaredFleet): string[] {
  const out: string[] = [];
  const diff = <T>(what: string, xs: readonly T[], ys: readonly T[], key: (t: T) => string): void => {
    const old = new Map(xs.map((x) => [key(x), canonical(x)]));
    const now = new Map(ys.map((y) => [key(y), canonical(y)]));
    for (const [k, v] of now) {
      const had = old.get(k);
      if (had === undefined) out.push(`${what} ${k} added`);
      else if (had !== v) out.push(`${what} ${k} changed`);
    }
    for (const k of old.keys()) if (!now.has(k)) out.push(`${what} ${k} removed`);
  };
  diff('profile', before.profiles, after.profiles, (p) => p.name);
  diff('group', before.groups, after.groups, (g) => g.name);
  diff('machine', before.machines, after.machines, (m) => m.mac);
  return out;
}

/** The part of the running server a reload touches (Bootfleet). */
export interface Reloadable {
  /** The config as started: what settings that need a restart are compared against. */
  readonly config: BootfleetConfig;
  readonly appliedConfig: BootfleetConfig;
  readonly events: EventSink;
  applyLiveConfig(next: BootfleetConfig): Promise<DeclaredSyncReport>;
}

export type ReloadOutcome =
  | { ok: true; changes: string[]; needsRestart: string[]; sync: DeclaredSyncReport }
  | { ok: false; problems: string[] };

/**
 * Reads `file` (and its fleetDir) again and applies it to `app` if all of it is valid, emitting
 * `config.reload` with what changed, or `config.reload-failed` with every problem (file:line:col:
 * key) while the previous config stays in force.
 */
export async function reloadConfig(app: Reloadable, file: string): Promise<ReloadOutcome> {
  const loaded = loadConfigFile(file);
  const problems = loaded.ok
    ? configTemplateProblems(loaded.config).map((t) => `${file}: profiles: ${t}`)
    : loaded.errors.map((e: ConfigProblem) => formatProblem(e));
  if (!loaded.ok || problems.length > 0) {
    app.events.emit({
      kind: 'config.reload-failed',
      level: 'error',
      msg: `config not reloaded, still running the previous one: ${problems.join('; ')}`,
      data: { file, problems: problems.join('\n'), count: problems.length },
    });
    return { ok: false, problems };
  }
  const next = loaded.config;
  const before = app.appliedConfig;
  const changes = declaredChanges(declaredFromConfig(before), declaredFromConfig(next));
  if (before.boot.defaultProfile !== next.boot.defaultProfile) changes.push(`boot.defaultProfile ${before.boot.defaultProfile} → ${next.boot.defaultProfile}`);
  const needsRestart = restartOnlyChanges(app.config, next);
  let sync: DeclaredSyncReport;
  try {
    sync = await app.applyLiveConfig(next);
  } catch (err) {
    const problem = `${file}: applying the fleet to the store failed: ${err instanceof Error ? err.message : String(err)}`;
    app.events.emit({ kind: 'config.reload-failed', level: 'error', msg: `config not reloaded: ${problem}`, data: { file, problems: problem, count: 1 } });
    return { ok: false, problems: [problem] };
  }
  for (const w of loaded.warnings) app.events.emit({ kind: 'config.warning', level: 'warn', msg: w });
  for (const w of sync.warnings) app.events.emit({ kind: 'fleet.sync', level: 'warn', msg: w });
  const parts = [changes.length > 0 ? changes.join(', ') : 'no fleet changes'];
  if (needsRestart.length > 0) parts.push(`needs restart (not applied): ${needsRestart.join(', ')}`);
  app.events.emit({
    kind: 'config.reload',
    level: 'info',
    msg: `config reloaded: ${parts.join('; ')}`,
    data: { file, changes: changes.join('\n'), needsRestart: needsRestart.join(','), profilesPut: sync.profiles.put, profilesDeleted: sync.profiles.deleted, groupsPut: sync.groups.put, groupsDeleted: sync.groups.deleted, machinesPut: sync.machines.put, machinesDeleted: sync.machines.deleted },
  });
  return { ok: true, changes, needsRestart, sync };
}
