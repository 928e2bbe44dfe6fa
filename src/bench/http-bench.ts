/**
 * HTTP: a large file with curl (what iPXE does with a kernel or initrd), and the per-machine
 * iPXE script with wrk, against nginx serving the very bytes bootfleet renders as a static
 * file. Nothing pinned: each server uses the CPUs as it would in production.
 */
import { rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mustRun, runIn } from './exec.js';
import { LANE } from './lane.js';
import { rotation, SUBJECT, type CaseResult } from './results.js';
import { sha256File, type BenchContext } from './context.js';
import type { Target } from './target.js';

const MiB = 2 ** 20;
export const HTTP_PORT = 8080;
/** The machine whose script is fetched (the client side's own MAC): any MAC gets the default profile. */
export const SCRIPT_PATH = `/boot.ipxe?mac=${LANE.clientMac}`;

function url(p: string): string {
  return `http://${LANE.serverAddr}:${HTTP_PORT}${p}`;
}

/** The big file: one checked download per server first (warms caches), then timed ones to /dev/null. */
export async function httpFileCase(ctx: BenchContext, targets: Target[]): Promise<CaseResult> {
  const file = ctx.files.http;
  const c: CaseResult = {
    group: 'http',
    name: `curl GET ${file.bytes / MiB} MiB`,
    unit: 'MiB/s',
    measurements: targets.map((t) => ({ server: t.name, samples: [] })),
    problems: [],
    targets: targets.filter((t) => t.name !== SUBJECT).map((t) => ({ peer: t.name, min: 0.9 })),
    note: `curl time_total to /dev/null after one checked download; median of ${ctx.plan.reps}`,
  };
  for (const t of targets) {
    const out = path.join(ctx.shmDir, `http-${t.name}.bin`);
    try {
      const r = await runIn(t.lane.client, 'curl', ['-sS', '--fail', '-o', out, url(`/${file.name}`)], { timeoutMs: 120_000 });
      const size = statSync(out, { throwIfNoEntry: false })?.size ?? -1;
      if (r.code !== 0 || size !== file.bytes || (await sha256File(out)) !== file.sha256) {
        c.problems.push(`${t.name}: checked download failed (exit ${r.code}, ${size} bytes) ${r.stderr.trim().slice(-200)}`);
      }
    } finally {
      rmSync(out, { force: true });
    }
  }
  for (let rep = 0; rep < ctx.plan.reps; rep++) {
    for (const t of rotation(targets, rep)) {
      ctx.checkDeadline();
      const r = await runIn(t.lane.client, 'curl', ['-sS', '--fail', '-o', '/dev/null', '-w', '%{time_total} %{size_download}', url(`/${file.name}`)], { timeoutMs: 120_000 });
      const [secs, size] = r.stdout.trim().split(' ').map(Number);
      if (r.code !== 0 || size !== file.bytes || !(secs! > 0)) {
        c.problems.push(`${t.name}: GET failed (exit ${r.code}, ${size} bytes)`);
        continue;
      }
      c.measurements.find((m) => m.server === t.name)!.samples.push(file.bytes / MiB / secs!);
    }
  }
  ctx.log(`http ${c.name}: ${c.measurements.map((m) => `${m.server} ${m.samples.map((x) => x.toFixed(0)).join('/')}`).join(', ')}`);
  return c;
}

interface WrkResult {
  rps: number;
  errors: number;
  non2xx: number;
  p99: string;
}

/** Reads wrk's summary: requests/s, socket errors, non-2xx responses, p99 latency (with --latency). */
export function parseWrk(text: string): WrkResult | null {
  const rps = /^Requests\/sec:\s*([0-9.]+)/m.exec(text);
  if (!rps) return null;
  const errs = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  const p99 = /^\s+99%\s+(\S+)/m.exec(text);
  return {
    rps: Number(rps[1]),
    errors: errs ? errs.slice(1).map(Number).reduce((a, b) => a + b, 0) : 0,
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    p99: p99?.[1] ?? '?',
  };
}

/**
 * The rendered script: bootfleet renders it per request; nginx serves the same bytes
 * (fetched from bootfleet first and written under its root) as a static file.
 */
export async function httpScriptCase(ctx: BenchContext, targets: Target[]): Promise<CaseResult> {
  const c: CaseResult = {
    group: 'http',
    name: 'wrk GET /boot.ipxe (per-machine script)',
    unit: 'req/s',
    measurements: targets.map((t) => ({ server: t.name, samples: [] })),
    problems: [],
    targets: targets.filter((t) => t.name !== SUBJECT).map((t) => ({ peer: t.name, min: 0.5 })),
    note: `wrk -t1 -c32, ${ctx.plan.wrkSeconds} s per run; median of ${ctx.plan.reps}; nginx serves bootfleet's rendered bytes as a static file`,
  };
  const subject = targets.find((t) => t.name === SUBJECT);
  if (subject) {
    const r = await mustRun(subject.lane.client, 'curl', ['-sS', '--fail', url(SCRIPT_PATH)], { timeoutMs: 20_000 });
    if (!r.stdout.startsWith('#!ipxe')) c.problems.push(`bootfleet: /boot.ipxe is not an iPXE script: ${r.stdout.slice(0, 80)}`);
    writeFileSync(path.join(ctx.filesDir, 'boot.ipxe'), r.stdout, { mode: 0o644 });
    for (const t of targets) {
      const got = await runIn(t.lane.client, 'curl', ['-sS', '--fail', url(SCRIPT_PATH)], { timeoutMs: 20_000 });
      if (got.stdout !== r.stdout) c.problems.push(`${t.name}: /boot.ipxe body differs from bootfleet's`);
    }
  }
  for (let rep = 0; rep < ctx.plan.reps; rep++) {
    for (const t of rotation(targets, rep)) {
      ctx.checkDeadline();
      const r = await runIn(t.lane.client, 'wrk', ['-t1', '-c32', `-d${ctx.plan.wrkSeconds}s`, '--latency', url(SCRIPT_PATH)], {
        timeoutMs: (ctx.plan.wrkSeconds + 30) * 1000,
      });
      const w = parseWrk(r.stdout);
      if (r.code !== 0 || !w) {
        c.problems.push(`${t.name}: wrk failed (exit ${r.code}) ${r.stderr.trim().slice(-200)}`);
        continue;
      }
      if (w.errors > 0 || w.non2xx > 0) c.problems.push(`${t.name}: ${w.errors} socket errors, ${w.non2xx} non-2xx responses`);
      const m = c.measurements.find((x) => x.server === t.name)!;
      m.samples.push(w.rps);
      m.details = { ...m.details, [`p99 run ${rep + 1}`]: w.p99 };
    }
  }
  ctx.log(`http ${c.name}: ${c.measurements.map((m) => `${m.server} ${m.samples.map((x) => x.toFixed(0)).join('/')}`).join(', ')}`);
  return c;
}
