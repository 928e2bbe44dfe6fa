/**
 * `npm run bench` (through scripts/bench.sh): runs the benchmark suite and prints the table;
 * writes `<date>-<mode>.json` and `.md` under bench/results/ (or `--out`).
 *
 *   node dist/bench/main.js [--smoke] [--only tftp,http,dhcp,storm,boot] [--no-profile] [--out DIR]
 *
 * Exits 1 when any correctness check failed (a checksum, a transfer, a duplicate lease),
 * whatever the speed; 2 on bad arguments or a harness failure.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatTable } from './report.js';
import { writeReport } from './write-report.js';
import type { BenchGroup } from './results.js';
import { runBench } from './run-bench.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const GROUPS: readonly BenchGroup[] = ['tftp', 'http', 'dhcp', 'storm', 'boot'];

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      smoke: { type: 'boolean', default: false },
      only: { type: 'string' },
      'no-profile': { type: 'boolean', default: false },
      profile: { type: 'boolean' },
      out: { type: 'string' },
    },
  });
  const only = (values.only ?? GROUPS.join(',')).split(',').map((s) => s.trim());
  const bad = only.filter((g) => !GROUPS.includes(g as BenchGroup));
  if (bad.length > 0) {
    process.stderr.write(`--only: unknown group(s) ${bad.join(', ')}; expected some of ${GROUPS.join(', ')}\n`);
    return 2;
  }
  const mode = values.smoke ? 'smoke' : 'full';
  const profile = values.profile ?? (mode === 'full' && !values['no-profile']);
  const report = await runBench({ mode, groups: new Set(only as BenchGroup[]), profile });
  process.stdout.write(`\n${formatTable(report)}\n`);
  if (report.findings.length > 0) process.stdout.write(`\nprofile:\n  ${report.findings.join('\n  ')}\n`);
  const written = writeReport(report, values.out ?? path.join(REPO, 'bench', 'results'));
  process.stdout.write(`\nwritten: ${written.json}\n         ${written.md}\n`);
  return report.cases.some((c) => c.problems.length > 0) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  },
);
