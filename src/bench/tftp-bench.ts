/**
 * TFTP: one large file with curl at each block size and atftp with and without RFC 7440
 * windowing, client and server pinned to one CPU (a lock-step transfer alternates between
 * the two; on separate CPUs the figure flips with wake-up latency from run to run); then
 * many clients at once, unpinned, for aggregate throughput and zero failures.
 * Every download is checked against the file's SHA-256.
 */
import { rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runIn } from './exec.js';
import { clientHostAddresses, LANE } from './lane.js';
import { rotation, SUBJECT, type CaseResult } from './results.js';
import { sha256File, type BenchContext, type TestFile } from './context.js';
import type { Target } from './target.js';

const MiB = 2 ** 20;
/** The CPU single transfers share. */
export const TFTP_CPU = '0';

/**
 * `BENCH_TFTP_CASES=<regex>` runs only the cases whose name matches (e.g. `blksize 1468`),
 * for quick side-by-side runs while working on the server; unset runs all.
 */
function selected(name: string): boolean {
  const pattern = process.env['BENCH_TFTP_CASES'];
  return pattern === undefined || pattern === '' || new RegExp(pattern).test(name);
}

interface Client {
  label: string;
  /** Command and args that download `file` into `out`, from source address `from` when given. */
  command(file: string, out: string, from?: string): [string, string[]];
  /** Seconds the transfer took, from the run's output (curl) or null to use wall-clock. */
  seconds?(stdout: string): number | null;
}

function curlClient(blksize: number): Client {
  return {
    label: `curl blksize ${blksize}`,
    command: (file, out, from) => [
      'curl',
      [
        '-sS',
        '--max-time',
        '120',
        ...(from === undefined ? [] : ['--interface', from]),
        '--tftp-blksize',
        String(blksize),
        '-o',
        out,
        '-w',
        '%{time_total}',
        `tftp://${LANE.serverAddr}/${file}`,
      ],
    ],
    seconds: (stdout) => {
      const s = Number(stdout.trim());
      return Number.isFinite(s) && s > 0 ? s : null;
    },
  };
}

function atftpClient(blksize: number, windowsize: number | null): Client {
  const opts = ['--option', `blksize ${blksize}`, ...(windowsize === null ? [] : ['--option', `windowsize ${windowsize}`])];
  return {
    label: `atftp blksize ${blksize}${windowsize === null ? '' : ` windowsize ${windowsize}`}`,
    command: (file, out) => ['atftp', [...opts, '-g', '-r', file, '-l', out, LANE.serverAddr]],
  };
}

interface Download {
  out: string;
  code: number | null;
  timedOut: boolean;
  stderr: string;
  /** Transfer time as the client reports it, else wall-clock. */
  seconds: number;
}

/** Downloads once into tmpfs (timed); {@link verify} checks the bytes afterwards, untimed. */
async function download(ctx: BenchContext, t: Target, client: Client, file: TestFile, cpu: string | undefined, tag: string, from?: string): Promise<Download> {
  const out = path.join(ctx.shmDir, `dl-${t.name}-${tag}.bin`);
  const [cmd, args] = client.command(file.name, out, from);
  const r = await runIn(t.lane.client, cmd, args, { timeoutMs: 150_000, ...(cpu !== undefined ? { cpu } : {}) });
  return { out, code: r.code, timedOut: r.timedOut, stderr: r.stderr, seconds: client.seconds?.(r.stdout) ?? r.ms / 1000 };
}

/** Null when the download is complete and its bytes are the file's; else what is wrong. Removes the download. */
async function verify(t: Target, client: Client, file: TestFile, d: Download): Promise<string | null> {
  try {
    if (d.code !== 0) return `${t.name}: ${client.label} ${d.timedOut ? 'timed out' : `exit ${d.code}`}: ${d.stderr.trim().slice(-300)}`;
    const size = statSync(d.out, { throwIfNoEntry: false })?.size ?? -1;
    if (size !== file.bytes) return `${t.name}: ${client.label} got ${size} bytes, expected ${file.bytes}`;
    if ((await sha256File(d.out)) !== file.sha256) return `${t.name}: ${client.label} checksum differs`;
    return null;
  } finally {
    rmSync(d.out, { force: true });
  }
}

/** Single-transfer cases, each repeated `plan.reps` times, servers alternating. */
export async function tftpSingleCases(ctx: BenchContext, targets: Target[]): Promise<CaseResult[]> {
  const clients = [...ctx.plan.tftpBlksizes.map(curlClient), ...ctx.plan.atftpCases.map((c) => atftpClient(c.blksize, c.windowsize))];
  const file = ctx.files.tftp;
  const results: CaseResult[] = [];
  for (const client of clients) {
    if (!selected(client.label)) continue;
    const c: CaseResult = {
      group: 'tftp',
      name: `${client.label}, ${file.bytes / MiB} MiB`,
      unit: 'MiB/s',
      measurements: targets.map((t) => ({ server: t.name, samples: [] })),
      problems: [],
      // Issue 6: at least the best peer at every block size; windowed, at least atftpd's
      // windowed figure (of the peers only atftpd grants windowsize; the others answer lock-step).
      targets: targets.filter((t) => t.name !== SUBJECT).map((t) => ({ peer: t.name, min: 1 })),
      note: `client and server pinned to CPU ${TFTP_CPU}; median of ${ctx.plan.reps}${client.seconds ? ' (curl time_total)' : ' (wall-clock of the client process)'}`,
    };
    for (let rep = 0; rep < ctx.plan.reps; rep++) {
      for (const t of rotation(targets, rep)) {
        ctx.checkDeadline();
        const d = await download(ctx, t, client, file, TFTP_CPU, `${rep}`);
        const problem = await verify(t, client, file, d);
        if (problem !== null) c.problems.push(problem);
        else c.measurements.find((m) => m.server === t.name)!.samples.push(file.bytes / MiB / d.seconds);
      }
    }
    ctx.log(`tftp ${c.name}: ${c.measurements.map((m) => `${m.server} ${m.samples.map((x) => x.toFixed(0)).join('/')}`).join(', ')}${c.problems.length ? ` PROBLEMS ${c.problems.length}` : ''}`);
    results.push(c);
  }
  return results;
}

/** N clients at once, each fetching the concurrent test file; aggregate MiB/s over the whole batch. */
export async function tftpConcurrentCases(ctx: BenchContext, targets: Target[]): Promise<CaseResult[]> {
  const file = ctx.files.tftpConcurrent;
  const client = curlClient(1468);
  const results: CaseResult[] = [];
  const sources = clientHostAddresses();
  for (const n of ctx.plan.tftpConcurrency) {
    if (!selected(`${n} concurrent`)) continue;
    const c: CaseResult = {
      group: 'tftp',
      name: `${n} concurrent curl blksize 1468, ${file.bytes / MiB} MiB each`,
      unit: 'MiB/s',
      measurements: targets.map((t) => ({ server: t.name, samples: [], details: { failures: 0 } })),
      problems: [],
      note: `aggregate over the batch (all bytes / time until the last client finished); each client from its own address, as machines are; nothing pinned; median of ${ctx.plan.concurrentReps}`,
    };
    for (let rep = 0; rep < ctx.plan.concurrentReps; rep++) {
      for (const t of rotation(targets, rep)) {
        ctx.checkDeadline();
        const started = performance.now();
        const downloads = await Promise.all(Array.from({ length: n }, (_, i) => download(ctx, t, client, file, undefined, `c${i}`, sources[i % sources.length])));
        const seconds = (performance.now() - started) / 1000;
        const m = c.measurements.find((x) => x.server === t.name)!;
        const failed: string[] = [];
        for (const d of downloads) {
          const problem = await verify(t, client, file, d);
          if (problem !== null) failed.push(problem);
        }
        m.details!['failures'] = Number(m.details!['failures']) + failed.length;
        c.problems.push(...failed.slice(0, 3));
        if (failed.length > 3) c.problems.push(`${t.name}: ${failed.length - 3} more failed transfers`);
        if (failed.length === 0) m.samples.push((n * file.bytes) / MiB / seconds);
      }
    }
    ctx.log(`tftp ${c.name}: ${c.measurements.map((m) => `${m.server} ${m.samples.map((x) => x.toFixed(0)).join('/')}`).join(', ')}${c.problems.length ? ` PROBLEMS ${c.problems.length}` : ''}`);
    results.push(c);
  }
  return results;
}
