/**
 * What one boot storm showed, from the client's records: how many machines finished, the
 * p50/p99 time from first DISCOVER to last byte, duplicate leases, and where the failures
 * were. Then the group's result rows for the table and reports. Pure: no I/O.
 */
import { LeaseLedger } from './perfdhcp-output.js';
import { SUBJECT, type CaseResult, type Measurement } from './results.js';
import type { MachineRecord, StormClientResult, StormStep } from './storm-spec.js';

/**
 * Nearest-rank percentile (the smallest value with at least p % of the values at or below
 * it). Values may be Infinity (a machine that never finished): a percentile that lands on
 * one is Infinity, so p99 of a storm where 2 % failed has no finite figure. NaN for none.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const xs = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * xs.length));
  return xs[Math.min(rank, xs.length) - 1]!;
}

/** An address ACKed to a second MAC while the first still held it. */
export interface DuplicateLease {
  address: string;
  holder: string;
  other: string;
}

/** Every ACK in the order seen: an address may only ever belong to one MAC (nothing is released in a storm). */
export function duplicateLeases(acks: readonly (readonly [string, string])[]): DuplicateLease[] {
  const ledger = new LeaseLedger();
  for (const [mac, address] of acks) ledger.add(mac, address);
  return ledger.duplicates;
}

export interface StormFigures {
  machines: number;
  completed: number;
  /** completed / machines × 100. */
  completionPct: number;
  /** DISCOVER → last HTTP byte, over every machine (unfinished = Infinity), in seconds. */
  p50s: number;
  p99s: number;
  /** p50 of each step's own duration over every machine (unfinished = Infinity), seconds (for the details). */
  stepP50s: Record<StormStep, number>;
  wallS: number;
  clientCpuS: number;
  duplicates: DuplicateLease[];
  /** Machines ACKed an address that another finished machine also holds (a duplicate the ACK log may not show). */
  sharedAddresses: number;
  failedBy: Record<StormStep, number>;
  /** A few failures as `mac step: error`, for the report. */
  sampleErrors: string[];
  /** Failures whose bytes were wrong (never acceptable, from any server). */
  wrongBytes: string[];
  dhcpSends: number;
  tftpRetransmits: number;
  /** Finished TFTP transfers per window they ran with, e.g. `{ 4: 1000 }`. */
  tftpWindows: Record<string, number>;
  naks: number;
  nakMessages: Record<string, number>;
}

export function stormFigures(r: StormClientResult): StormFigures {
  const machines = r.machines.length;
  const done = r.machines.filter((m) => m.ok);
  const totals = r.machines.map((m) => (m.ok ? m.totalMs / 1000 : Infinity));
  const step = (from: (m: MachineRecord) => number, to: (m: MachineRecord) => number): number =>
    percentile(r.machines.map((m) => (to(m) >= 0 && from(m) >= 0 ? (to(m) - from(m)) / 1000 : Infinity)), 50);
  const failedBy: Record<StormStep, number> = { dhcp: 0, tftp: 0, http: 0 };
  const failed = r.machines.filter((m) => !m.ok);
  for (const m of failed) failedBy[m.failedStep ?? 'dhcp']++;
  const owners = new Map<string, number>();
  for (const m of r.machines) if (m.ip !== '') owners.set(m.ip, (owners.get(m.ip) ?? 0) + 1);
  return {
    machines,
    completed: done.length,
    completionPct: machines === 0 ? 0 : (done.length / machines) * 100,
    p50s: percentile(totals, 50),
    p99s: percentile(totals, 99),
    stepP50s: {
      dhcp: step(() => 0, (m) => m.ackMs),
      tftp: step((m) => m.ackMs, (m) => m.tftpMs),
      http: step((m) => m.tftpMs, (m) => (m.ok ? m.totalMs : -1)),
    },
    wallS: r.wallMs / 1000,
    clientCpuS: r.clientCpuS,
    duplicates: duplicateLeases(r.acks),
    sharedAddresses: [...owners.values()].filter((n) => n > 1).reduce((a, n) => a + n, 0),
    failedBy,
    sampleErrors: failed.slice(0, 3).map((m) => `${m.mac} ${m.failedStep ?? '?'}: ${m.error ?? '?'}`),
    wrongBytes: failed.filter((m) => /differs|ended at|body \d+ bytes|tsize/.test(m.error ?? '')).map((m) => `${m.mac} ${m.failedStep}: ${m.error}`),
    dhcpSends: r.machines.reduce((a, m) => a + m.dhcpSends, 0),
    tftpRetransmits: r.machines.reduce((a, m) => a + m.tftpRetransmits, 0),
    tftpWindows: r.machines.filter((m) => m.tftpWindowsize > 0).reduce<Record<string, number>>((a, m) => ((a[m.tftpWindowsize] = (a[m.tftpWindowsize] ?? 0) + 1), a), {}),
    naks: r.naks,
    nakMessages: r.nakMessages,
  };
}

/** One storm against one server (or pair of servers), with the server side's peak memory. */
export interface StormRun {
  server: string;
  figures: StormFigures;
  /** Peak resident set (VmHWM) over the storm, MiB; null when it could not be read. */
  peakRssMiB: number | null;
  /** Resident set just before the storm, MiB. */
  idleRssMiB: number | null;
  /** UDP datagrams dropped at full receive buffers during the storm, in the server's and the client's namespace. */
  udpDrops?: { server: number; client: number };
}

/** The storm's rows: completion (with its 100 % target), p50, p99, peak RSS; problems for anything wrong. */
export function stormRows(machines: number, servers: readonly string[], runs: readonly StormRun[], note: string): CaseResult[] {
  const per = (f: (r: StormRun) => number | null, details?: (rs: StormRun[]) => Record<string, number | string>): Measurement[] =>
    servers.map((server) => {
      const rs = runs.filter((r) => r.server === server);
      const m: Measurement = { server, samples: rs.map(f).filter((x): x is number => x !== null) };
      if (details && rs.length > 0) m.details = details(rs);
      return m;
    });
  const completion: CaseResult = {
    group: 'storm',
    name: `${machines} machines, complete`,
    unit: '%',
    measurements: per(
      (r) => r.figures.completionPct,
      (rs) => ({
        completed: rs.map((r) => `${r.figures.completed}/${r.figures.machines}`).join(', '),
        'failed dhcp/tftp/http': rs.map((r) => `${r.figures.failedBy.dhcp}/${r.figures.failedBy.tftp}/${r.figures.failedBy.http}`).join(', '),
        'storm wall s': rs.map((r) => r.figures.wallS.toFixed(1)).join(', '),
        'client CPU s': rs.map((r) => r.figures.clientCpuS.toFixed(1)).join(', '),
        'p50 s of DORA/TFTP/HTTP': rs.map((r) => `${fmt(r.figures.stepP50s.dhcp)}/${fmt(r.figures.stepP50s.tftp)}/${fmt(r.figures.stepP50s.http)}`).join(', '),
        'DHCP sends': rs.map((r) => r.figures.dhcpSends).join(', '),
        'TFTP retransmits': rs.map((r) => r.figures.tftpRetransmits).join(', '),
        'TFTP window (transfers)': rs.map((r) => Object.entries(r.figures.tftpWindows).map(([w, n]) => `${w} (${n})`).join(' ')).join(', '),
        NAKs: rs.map((r) => r.figures.naks).join(', '),
        ...(rs.some((r) => r.figures.naks > 0) ? { 'NAK messages': rs.map((r) => Object.entries(r.figures.nakMessages).map(([m, n]) => `${n}× "${m}"`).join(' ')).join('; ') } : {}),
        'idle RSS MiB': rs.map((r) => fmt(r.idleRssMiB)).join(', '),
        'UDP rcvbuf drops server/client': rs.map((r) => (r.udpDrops ? `${r.udpDrops.server}/${r.udpDrops.client}` : '–')).join(', '),
        ...(rs.some((r) => r.figures.sampleErrors.length > 0) ? { 'first failures': rs.flatMap((r) => r.figures.sampleErrors).slice(0, 3).join('; ') } : {}),
      }),
    ),
    problems: [],
    floor: { min: 100, text: 'Storm: 100 % complete' },
    note,
  };
  for (const r of runs) {
    const f = r.figures;
    if (r.server === SUBJECT && f.completed < f.machines) {
      completion.problems.push(`${r.server}: ${f.machines - f.completed} of ${f.machines} machines did not finish (dhcp ${f.failedBy.dhcp}, tftp ${f.failedBy.tftp}, http ${f.failedBy.http}); e.g. ${f.sampleErrors.join('; ')}`);
    }
    if (f.duplicates.length > 0) {
      const d = f.duplicates[0]!;
      completion.problems.push(`${r.server}: ${f.duplicates.length} address(es) ACKed to a second machine, e.g. ${d.address} (${d.holder}, then ${d.other})`);
    } else if (f.sharedAddresses > 0) {
      completion.problems.push(`${r.server}: ${f.sharedAddresses} machines hold an address another machine holds`);
    }
    if (f.wrongBytes.length > 0) completion.problems.push(`${r.server}: ${f.wrongBytes.length} transfer(s) with wrong bytes, e.g. ${f.wrongBytes[0]}`);
  }
  const time = (name: string, pick: (f: StormFigures) => number): CaseResult => ({
    group: 'storm',
    name: `${machines} machines, ${name} DISCOVER→last byte`,
    unit: 's',
    lowerIsBetter: true,
    measurements: per((r) => pick(r.figures)),
    problems: [],
  });
  const rss: CaseResult = {
    group: 'storm',
    name: `${machines} machines, peak RSS`,
    unit: 'MiB',
    lowerIsBetter: true,
    measurements: per((r) => r.peakRssMiB),
    problems: [],
    note: 'VmHWM of the server process(es) at the end of the storm, each started fresh for it; for dnsmasq+nginx the sum over dnsmasq, nginx\'s master and its workers',
  };
  return [completion, time('p50', (f) => f.p50s), time('p99', (f) => f.p99s), rss];
}

function fmt(x: number | null): string {
  return x === null || !Number.isFinite(x) ? '–' : x.toFixed(x >= 100 ? 0 : 2);
}
