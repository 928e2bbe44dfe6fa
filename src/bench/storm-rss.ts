/**
 * A server's memory as the kernel counts it: VmHWM (peak resident set since the process
 * started) and VmRSS from /proc/<pid>/status, summed over the process and its descendants
 * (nginx's workers are children of its master).
 */
import { readdirSync, readFileSync } from 'node:fs';

/**
 * What `/proc/<pid>/status` says about memory: the peak and current resident set, and the
 * current one split into anonymous memory (heaps, stacks: what a server makes) and file pages
 * (its binary and libraries: node's alone is ~50 MiB, shared and read-only, yet resident).
 */
export type MemoryField = 'VmHWM' | 'VmRSS' | 'RssAnon' | 'RssFile';

/** A `/proc/<pid>/status` field in KiB (`VmHWM:   123456 kB`), or null. */
export function statusKiB(status: string, field: MemoryField): number | null {
  const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  return m ? Number(m[1]) : null;
}

/** The parent pid from `/proc/<pid>/stat` (the field after the parenthesised name), or null. */
export function parentPid(stat: string): number | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  const ppid = Number(stat.slice(close + 2).split(' ')[1]);
  return Number.isInteger(ppid) ? ppid : null;
}

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** `pid` and every live descendant. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const ppid = parentPid(read(`/proc/${name}/stat`) ?? '');
    if (ppid === null) continue;
    const list = children.get(ppid) ?? [];
    list.push(Number(name));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const todo = [pid];
  while (todo.length > 0) {
    const p = todo.pop()!;
    out.push(p);
    todo.push(...(children.get(p) ?? []));
  }
  return out;
}

/** Sum of `field` over the process trees of `pids`, MiB; null when none could be read. */
export function treeMemoryMiB(pids: readonly number[], field: MemoryField): number | null {
  let kib = 0;
  let seen = false;
  for (const pid of pids.flatMap(processTree)) {
    const v = statusKiB(read(`/proc/${pid}/status`) ?? '', field);
    if (v === null) continue;
    kib += v;
    seen = true;
  }
  return seen ? kib / 1024 : null;
}
