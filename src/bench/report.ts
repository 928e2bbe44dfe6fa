/**
 * The benchmark's outputs: the table printed at the end of a run, and the Markdown report
 * written beside the JSON under bench/results/. Pure: strings in, strings out.
 */
import type { MachineInfo } from './machine-info.js';
import { caseRatio, peersOf, samplesOf, summarize, SUBJECT, verdicts, type CaseResult, type TargetVerdict } from './results.js';

/** Everything one run produced, as written to JSON. */
export interface BenchReport {
  /** ISO time the run started. */
  date: string;
  mode: 'full' | 'smoke';
  /** Seconds the run took. */
  seconds: number;
  machine: MachineInfo;
  /** How the run was set up (pinning, durations, logging), for whoever reads the figures. */
  conditions: string[];
  cases: CaseResult[];
  /** Bounds found by profiling, when a profile was taken. */
  findings: string[];
}

function num(x: number): string {
  if (!Number.isFinite(x)) return '–';
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

/** `median [min–max]` of one server's samples, or `–`. */
export function cell(samples: readonly number[]): string {
  const s = summarize(samples);
  if (s.n === 0) return '–';
  return s.n === 1 ? num(s.median) : `${num(s.median)} [${num(s.min)}–${num(s.max)}]`;
}

/** How far a ratio is from its target: a percentage when close, a factor when far. */
function missedBy(ratio: number, min: number): string {
  if (!(Number.isFinite(ratio) && ratio > 0)) return 'missed (no figure)';
  const factor = min / ratio;
  return factor < 1.5 ? `missed by ${((1 - ratio / min) * 100).toFixed(0)} %` : `missed: ${factor.toFixed(1)}× short`;
}

/** Where lower is better (times, memory) the ratio is turned round, so it still reads "higher is better". */
const LOWER_NOTE = '; peer / bootfleet where lower is better';

function ratioText(r: number): string {
  return Number.isFinite(r) ? `${r.toFixed(2)}×` : '–';
}

/** Rows of one case: label, bootfleet, each peer, each ratio. */
function caseColumns(c: CaseResult, peers: readonly string[]): string[] {
  const subject = samplesOf(c, SUBJECT);
  return [
    `${c.name} (${c.unit}${c.lowerIsBetter ? ', lower is better' : ''})`,
    cell(subject),
    ...peers.map((p) => cell(samplesOf(c, p))),
    ...peers.map((p) => ratioText(caseRatio(c, p))),
    c.problems.length === 0 ? 'ok' : `${c.problems.length} problem(s)`,
  ];
}

interface Table {
  title: string;
  /** What the figures and the ratio columns mean. */
  legend: string;
  header: string[];
  rows: string[][];
}

/** One table per group, with the peers that group was measured against. */
function tables(cases: readonly CaseResult[]): Table[] {
  const out: Table[] = [];
  for (const group of ['tftp', 'http', 'dhcp', 'storm', 'boot'] as const) {
    const these = cases.filter((c) => c.group === group);
    if (these.length === 0) continue;
    const peers = [...new Set(these.flatMap(peersOf))];
    out.push({
      title: group.toUpperCase(),
      legend: these.every((c) => c.lowerIsBetter)
        ? 'median [min–max] of the samples; ratio = peer median / bootfleet median (times: higher is better, above 1 bootfleet is faster)'
        : `median [min–max] of the samples; ratio = bootfleet median / peer median (higher is better${these.some((c) => c.lowerIsBetter === true) ? LOWER_NOTE : ''})`,
      header: ['case', SUBJECT, ...peers, ...peers.map((p) => `${SUBJECT}/${p}`), 'correct'],
      rows: these.map((c) => caseColumns(c, peers)),
    });
  }
  return out;
}

/** The plain-text table printed at the end of a run. */
export function formatTable(report: BenchReport): string {
  const lines: string[] = [];
  for (const t of tables(report.cases)) {
    const all = [t.header, ...t.rows];
    const widths = t.header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
    lines.push(`== ${t.title}  (${t.legend})`);
    for (const [k, r] of all.entries()) {
      lines.push(r.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  '));
      if (k === 0) lines.push(widths.map((w) => '-'.repeat(w)).join('  '));
    }
    lines.push('');
  }
  const v = verdicts(report.cases);
  if (v.length > 0) lines.push(`targets (issue 6): ${v.filter((x) => x.met).length} of ${v.length} met`);
  for (const x of v.filter((y) => y.absolute)) lines.push(`  ${x.absolute!.text}: ${x.met ? 'met' : 'missed'} (${num(x.ratio)} ${x.absolute!.unit})`);
  const problems = report.cases.flatMap((c) => c.problems.map((p) => `${c.group} ${c.name}: ${p}`));
  lines.push(problems.length === 0 ? 'correctness: every check passed' : `correctness: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  return lines.join('\n');
}

/** case, against, target, measured, verdict. */
function verdictCells(x: TargetVerdict): string[] {
  if (x.absolute) return [x.case, x.peer, x.absolute.text, `${num(x.ratio)} ${x.absolute.unit}`, x.met ? 'met' : 'missed'];
  return [x.case, x.peer, `≥ ${x.min}×`, ratioText(x.ratio), x.met ? 'met' : missedBy(x.ratio, x.min)];
}

function mdRow(cells: readonly string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
}

/** The Markdown report: machine, conditions, one table per group, notes, problems, findings. */
export function formatMarkdown(report: BenchReport): string {
  const m = report.machine;
  const out: string[] = [
    `# bootfleet benchmark, ${report.date} (${report.mode})`,
    '',
    `Machine: ${m.cpuModel}, ${m.nproc} CPUs, ${m.memMiB} MiB RAM, kernel ${m.kernel}, load average at start ${m.loadAvg}.`,
    '',
    '| program | version |',
    '|---|---|',
    ...Object.entries(m.versions).map(([k, v]) => mdRow([k, v])),
    '',
    '## Conditions',
    '',
    ...report.conditions.map((c) => `- ${c}`),
    '',
  ];
  for (const t of tables(report.cases)) {
    out.push(`## ${t.title}`, '', `${t.legend}.`, '');
    out.push(mdRow(t.header), mdRow(t.header.map(() => '---')), ...t.rows.map(mdRow), '');
    const notes = report.cases.filter((c) => c.group === t.title.toLowerCase() && c.note);
    for (const c of notes) out.push(`- ${c.name}: ${c.note}`);
    if (notes.length > 0) out.push('');
  }
  const v = verdicts(report.cases);
  if (v.length > 0) {
    const met = v.filter((x) => x.met).length;
    out.push('## Targets (issue 6)', '', `${met} of ${v.length} met.`, '', mdRow(['case', 'against', 'target', 'measured', '']), mdRow(['---', '---', '---', '---', '---']));
    for (const x of v) out.push(mdRow(verdictCells(x)));
    out.push('');
  }
  const problems = report.cases.flatMap((c) => c.problems.map((p) => `${c.group} ${c.name}: ${p}`));
  out.push('## Correctness', '', problems.length === 0 ? 'Every check passed (checksums, transfers, unique leases).' : problems.map((p) => `- ${p}`).join('\n'), '');
  const details = report.cases.flatMap((c) =>
    c.measurements.filter((x) => x.details && Object.keys(x.details).length > 0).map((x) => mdRow([`${c.group} ${c.name}`, x.server, Object.entries(x.details!).map(([k, v]) => `${k}=${v}`).join(', ')])),
  );
  if (details.length > 0) out.push('## Details', '', mdRow(['case', 'server', 'details']), mdRow(['---', '---', '---']), ...details, '');
  if (report.findings.length > 0) out.push('## What bounds bootfleet', '', ...report.findings.map((f) => `- ${f}`), '');
  out.push(`Run took ${report.seconds.toFixed(0)} s.`, '');
  return out.join('\n');
}
