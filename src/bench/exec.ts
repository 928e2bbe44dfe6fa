/**
 * Running benchmark clients inside a lane's namespace: asynchronously (so many can run at
 * once), optionally pinned to CPUs with taskset, bounded by a timeout, and timed.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Netns } from '../lab/netns.js';

export interface RunOptions {
  /** taskset CPU list, e.g. `0`; unset = any CPU. */
  cpu?: string;
  /** The process (group) is killed after this long. */
  timeoutMs: number;
  /** Send stdout here instead of collecting it. */
  stdoutFile?: string;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall-clock time from spawn to exit. */
  ms: number;
  timedOut: boolean;
}

/** The command line with a taskset prefix when `cpu` is given. */
export function pinned(cpu: string | undefined, cmd: string, args: string[]): [string, string[]] {
  return cpu === undefined ? [cmd, args] : ['taskset', ['-c', cpu, cmd, ...args]];
}

/** Runs `cmd` in `ns` to completion (or timeout) and reports what it printed and how long it took. */
export function runIn(ns: Netns, cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
  const [c, a] = pinned(opts.cpu, cmd, args);
  const fd = opts.stdoutFile === undefined ? null : openSync(opts.stdoutFile, 'w');
  const started = performance.now();
  const child = ns.spawn(c, a, { stdio: ['ignore', fd ?? 'pipe', 'pipe'] });
  if (fd !== null) closeSync(fd);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => {
    if (stdout.length < 1 << 20) stdout += s;
  });
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    if (stderr.length < 1 << 20) stderr += s;
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void ns.stop(child, 'SIGKILL');
  }, opts.timeoutMs);
  return new Promise((resolve) => {
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started, timedOut });
    });
  });
}

/** Like {@link runIn}, but rejects unless the command exits 0. */
export async function mustRun(ns: Netns, cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
  const r = await runIn(ns, cmd, args, opts);
  if (r.code !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} in ${ns.name}: ${r.timedOut ? 'timed out' : `exit ${r.code}`}\n${r.stderr.slice(-2000)}`);
  }
  return r;
}

/** True when `cmd` is on this host's PATH. */
export function have(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
