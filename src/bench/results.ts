/**
 * The benchmark's results as data: one {@link CaseResult} per thing measured, each holding
 * every server's samples, and the summaries (median, range, ratio to bootfleet) that the
 * table and the reports are made from. Pure: no I/O.
 */

/** The server every ratio is taken against. */
export const SUBJECT = 'bootfleet';

/** One server's samples for one case. */
export interface Measurement {
  server: string;
  /** In the case's unit; one per repetition. */
  samples: number[];
  /** Details worth keeping per server (latency, errors), by name. */
  details?: Record<string, number | string>;
}

export type BenchGroup = 'tftp' | 'http' | 'dhcp' | 'storm' | 'boot';

/** One thing measured against every server. */
export interface CaseResult {
  group: BenchGroup;
  /** e.g. `curl blksize 1468, 64 MiB`. */
  name: string;
  /** `MiB/s`, `req/s`, `DORA/s`: higher-is-better unless {@link CaseResult.lowerIsBetter}. */
  unit: string;
  /** Times and memory (`s`, `MiB`): the ratio is then the peer's median over bootfleet's, so it stays higher-is-better. */
  lowerIsBetter?: boolean;
  measurements: Measurement[];
  /** Correctness failures (bad checksum, failed transfer, duplicate lease): must stay empty. */
  problems: string[];
  /** How the figure was obtained, for the report. */
  note?: string;
  /** Issue 6's targets: bootfleet's median at least `min` × this peer's. */
  targets?: Target[];
  /** An absolute target: bootfleet's median at least `min` (in the case's unit), e.g. 100 % complete. */
  floor?: { min: number; text: string };
}

export interface Target {
  peer: string;
  min: number;
}

export interface TargetVerdict {
  case: string;
  peer: string;
  min: number;
  ratio: number;
  met: boolean;
  /** Set for a case's {@link CaseResult.floor}: then `ratio` holds bootfleet's median itself. */
  absolute?: { text: string; unit: string };
}

/** Every target of every case, with the measured ratio (a missing figure counts as missed). */
export function verdicts(cases: readonly CaseResult[]): TargetVerdict[] {
  return cases.flatMap((c) =>
    (c.targets ?? [])
      .filter((t) => c.measurements.some((m) => m.server === t.peer))
      .map((t) => {
        const r = caseRatio(c, t.peer);
        return { case: `${c.group} ${c.name}`, peer: t.peer, min: t.min, ratio: r, met: Number.isFinite(r) && r >= t.min };
      }),
  ).concat(
    cases.flatMap((c) => {
      if (!c.floor) return [];
      const v = summarize(samplesOf(c, SUBJECT)).median;
      return [{ case: `${c.group} ${c.name}`, peer: '–', min: c.floor.min, ratio: v, met: Number.isFinite(v) && v >= c.floor.min, absolute: { text: c.floor.text, unit: c.unit } }];
    }),
  );
}

/** bootfleet against a peer in one case, the way round that makes higher better. */
export function caseRatio(c: CaseResult, peer: string): number {
  return c.lowerIsBetter ? ratio(samplesOf(c, peer), samplesOf(c, SUBJECT)) : ratio(samplesOf(c, SUBJECT), samplesOf(c, peer));
}

export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** Median, min and max; NaN for no samples. */
export function summarize(samples: readonly number[]): Summary {
  const xs = [...samples].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const n = xs.length;
  if (n === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const mid = Math.floor(n / 2);
  const median = n % 2 === 1 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2;
  return { median, min: xs[0]!, max: xs[n - 1]!, n };
}

/** bootfleet's median over the peer's (higher is better for every unit): NaN when either is missing or zero. */
export function ratio(subject: readonly number[], peer: readonly number[]): number {
  const a = summarize(subject).median;
  const b = summarize(peer).median;
  return b > 0 && Number.isFinite(a) && Number.isFinite(b) ? a / b : NaN;
}

/** The peers measured in a case, in the order they were given. */
export function peersOf(c: CaseResult): string[] {
  return c.measurements.map((m) => m.server).filter((s) => s !== SUBJECT);
}

export function samplesOf(c: CaseResult, server: string): number[] {
  return c.measurements.find((m) => m.server === server)?.samples ?? [];
}

/** Orders a list so that each repetition starts with a different server (A B C, B C A, C A B …). */
export function rotation<T>(items: readonly T[], round: number): T[] {
  if (items.length === 0) return [];
  const k = round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
