/**
 * Profiling bootfleet under a benchmark's load: the same `bootfleet serve` started with
 * `node --cpu-prof`, one load applied, the process stopped cleanly so V8 writes the
 * profile, and the hottest functions reported. Says what bounds it where it is behind.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { BenchContext } from './context.js';
import { hotFunctions, type HotFunction } from './cpu-profile.js';
import type { Lane } from './lane.js';
import { startBootfleet } from './servers/bootfleet.js';

export interface ProfileResult {
  label: string;
  hot: HotFunction[];
  profileFile: string | null;
}

/** Runs `load` against a profiled bootfleet in `lane`; returns its hottest functions by self time. */
export async function profileBootfleet(ctx: BenchContext, lane: Lane, label: string, poolSize: number, load: () => Promise<void>, cpu?: string): Promise<ProfileResult> {
  const dir = path.join(ctx.workDir, `profile-${label.replace(/[^a-z0-9]+/gi, '-')}`);
  const profDir = path.join(dir, 'cpuprofile');
  mkdirSync(profDir, { recursive: true });
  const server = await startBootfleet({
    ns: lane.server,
    dir,
    dataDir: path.join(dir, 'data'),
    filesDir: ctx.filesDir,
    poolSize,
    ...(cpu !== undefined ? { cpu } : {}),
    nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--cpu-prof-interval=200'],
  });
  try {
    await load();
  } finally {
    await server.stop();
  }
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return { label, hot: [], profileFile: null };
  const full = path.join(profDir, file);
  return { label, hot: hotFunctions(readFileSync(full, 'utf8'), 12), profileFile: full };
}

/** One line for the report: the top functions and their share of bootfleet's CPU samples. */
export function describeProfile(p: ProfileResult): string {
  if (p.hot.length === 0) return `${p.label}: no profile written`;
  const top = p.hot
    .filter((h) => h.share >= 0.02)
    .slice(0, 8)
    .map((h) => `${h.where} ${(h.share * 100).toFixed(0)} %`)
    .join('; ');
  return `${p.label} — self time: ${top}`;
}
