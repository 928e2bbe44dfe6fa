/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) into the functions that took the most
 * time themselves (self time), which is what says where a server spends its CPU. Pure.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface HotFunction {
  /** `name (file:line)`, file relative to the repo's dist/ or node_modules/ when it can be. */
  where: string;
  selfMs: number;
  /** Share of all samples. */
  share: number;
}

function isProfile(v: unknown): v is CpuProfile {
  return typeof v === 'object' && v !== null && Array.isArray((v as CpuProfile).nodes);
}

function shortUrl(url: string): string {
  if (url === '') return '';
  const cut = ['/dist/', '/node_modules/'].map((k) => url.lastIndexOf(k)).find((i) => i >= 0);
  return cut === undefined ? url.replace(/^file:\/\//, '') : url.slice(cut + 1);
}

/** The `top` functions by self time; an unreadable profile gives an empty list. */
export function hotFunctions(json: string, top = 15): HotFunction[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return [];
  }
  if (!isProfile(parsed)) return [];
  const totalHits = parsed.nodes.reduce((n, x) => n + (x.hitCount ?? 0), 0);
  if (totalHits === 0) return [];
  const msPerHit = (parsed.endTime - parsed.startTime) / 1000 / totalHits;
  const byWhere = new Map<string, number>();
  for (const n of parsed.nodes) {
    const f = n.callFrame;
    const file = shortUrl(f.url);
    const where = `${f.functionName || '(anonymous)'}${file ? ` (${file}:${f.lineNumber + 1})` : ''}`;
    byWhere.set(where, (byWhere.get(where) ?? 0) + (n.hitCount ?? 0));
  }
  return [...byWhere.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([where, hits]) => ({ where, selfMs: hits * msPerHit, share: hits / totalHits }));
}
