/**
 * What every server under test looks like to the harness, whichever program it is, and how
 * the harness tells that one is ready: the port it serves is bound inside its namespace.
 */
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { Netns } from '../../lab/netns.js';
import { readTextSafe } from '../../lab/wait-output.js';
import { pinned } from '../exec.js';

/** A server process the harness started, in a lane's server namespace. */
export interface RunningServer {
  /** `bootfleet`, `dnsmasq`, `kea`, `tftpd-hpa`, `nginx`. */
  readonly name: string;
  readonly pid: number;
  /** Its stdout and stderr (or its own log). */
  readonly logFile: string;
  /** Ends it (SIGTERM, then SIGKILL) and waits. */
  stop(): Promise<void>;
}

/** A socket that must be bound before the server counts as ready. */
export interface ListenProbe {
  proto: 'udp' | 'tcp';
  port: number;
}

/** Starts `cmd` in `ns` with output to `logFile`, optionally pinned to `cpu`. */
export function startLogged(ns: Netns, cmd: string, args: string[], logFile: string, opts: { cpu?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): ChildProcess {
  const [c, a] = pinned(opts.cpu, cmd, args);
  const fd = openSync(logFile, 'a');
  const child = ns.spawn(c, a, { stdio: ['ignore', fd, fd], ...(opts.env ? { env: opts.env } : {}), ...(opts.cwd ? { cwd: opts.cwd } : {}) });
  closeSync(fd);
  return child;
}

/** Resolves once every probe's port is bound in `ns`; rejects if the process exits or time runs out. */
export async function waitListening(ns: Netns, child: ChildProcess, probes: ListenProbe[], logFile: string, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited before it was ready:\n${readTextSafe(logFile).slice(-3000)}`);
    }
    if (probes.every((p) => bound(ns, p))) return;
    if (Date.now() >= deadline) throw new Error(`${what} not listening after ${timeoutMs} ms:\n${readTextSafe(logFile).slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function bound(ns: Netns, p: ListenProbe): boolean {
  try {
    const out = ns.run('ss', ['-Hn', p.proto === 'udp' ? '-ul' : '-tl', `sport = :${p.port}`], { timeoutMs: 5000 });
    return out.trim().length > 0;
  } catch {
    return false;
  }
}

/** Wraps a started child as a {@link RunningServer}. */
export function asRunning(ns: Netns, name: string, child: ChildProcess, logFile: string): RunningServer {
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  return { name, pid: child.pid, logFile, stop: () => ns.stop(child, 'SIGTERM', 5000) };
}
