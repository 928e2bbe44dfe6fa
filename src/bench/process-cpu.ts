/**
 * CPU time a process has used, all its threads together (/proc/<pid>/stat, fields 14–15),
 * so a benchmark can say what each exchange cost, not only how many fit: a server that is
 * fast because it burns both cores shows here, and so does one that idles waiting for disk.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface CpuTime {
  userSeconds: number;
  systemSeconds: number;
}

let ticksPerSecond: number | null = null;

function clockTicks(): number {
  if (ticksPerSecond === null) {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    ticksPerSecond = Number.isFinite(n) && n > 0 ? n : 100;
  }
  return ticksPerSecond;
}

/** Parses a /proc/<pid>/stat line; null when it is not one. */
export function parseProcStat(line: string): { utimeTicks: number; stimeTicks: number } | null {
  // The command name (field 2) is in parentheses and may hold spaces or ')': split after the last ')'.
  const close = line.lastIndexOf(')');
  if (close < 0) return null;
  const fields = line.slice(close + 2).trim().split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime field 15.
  const utimeTicks = Number(fields[11]);
  const stimeTicks = Number(fields[12]);
  return Number.isFinite(utimeTicks) && Number.isFinite(stimeTicks) ? { utimeTicks, stimeTicks } : null;
}

/** The CPU `pid` (all threads) has used so far, or null when it is gone. */
export function processCpu(pid: number): CpuTime | null {
  let line: string;
  try {
    line = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const t = parseProcStat(line);
  if (t === null) return null;
  const hz = clockTicks();
  return { userSeconds: t.utimeTicks / hz, systemSeconds: t.stimeTicks / hz };
}

/** CPU used between two readings. */
export function cpuBetween(before: CpuTime, after: CpuTime): CpuTime {
  return { userSeconds: after.userSeconds - before.userSeconds, systemSeconds: after.systemSeconds - before.systemSeconds };
}
