/**
 * The benchmark's smoke mode, as CI runs it: every benchmark at a tiny size against
 * bootfleet and whichever peers are installed, inside namespaces the harness makes and
 * removes. Checks that the harness works and that correctness holds (checksums, complete
 * transfers, no address leased twice), never the speed.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { canUseNetns, destroyAll } from '../lab/netns.js';
import { runBench } from './run-bench.js';
import { SUBJECT, samplesOf } from './results.js';
import { writeReport } from './write-report.js';

const skip = canUseNetns() ? false : 'needs root and iproute2 (network namespaces)';
after(() => destroyAll());

function namespaces(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.startsWith(`bft${process.pid}-`));
}

test('npm run bench -- --smoke: harness works, every check passes, nothing left behind', { skip, timeout: 170_000 }, async () => {
  const out = mkdtempSync(path.join(tmpdir(), 'bench-smoke-'));
  try {
    const lines: string[] = [];
    const report = await runBench({ mode: 'smoke', groups: new Set(['tftp', 'http', 'dhcp', 'storm']), profile: false, log: (l) => lines.push(l) });
    const problems = report.cases.flatMap((c) => c.problems.map((p) => `${c.group} ${c.name}: ${p}`));
    assert.deepEqual(problems, [], lines.join('\n'));
    assert.ok(report.cases.length > 0, 'no case ran');
    for (const c of report.cases) {
      // DHCP: bootfleet's figure may be 0 (lossy) without being wrong; it still had to ACK (checked as a problem).
      if (c.group !== 'dhcp') assert.ok(samplesOf(c, SUBJECT).length > 0, `${c.group} ${c.name}: no bootfleet sample\n${lines.join('\n')}`);
    }
    // Each DHCP server's cost per exchange was read from /proc at its clean rate.
    let cpuRead = 0;
    for (const c of report.cases.filter((x) => x.group === 'dhcp')) {
      for (const m of c.measurements.filter((x) => x.details?.['clean at'] !== undefined)) {
        cpuRead++;
        assert.match(String(m.details?.['server CPU µs per DORA (user + system, all threads)']), /^\d+ \(\d+ \+ \d+\)$/, `${m.server} ${c.name}`);
      }
    }
    assert.ok(cpuRead > 0, `no DHCP server had a clean rate\n${lines.join('\n')}`);
    // The boot storm ran: every simulated machine of bootfleet's storm finished (a shortfall is also a problem above).
    const storm = report.cases.find((c) => c.group === 'storm' && c.floor !== undefined);
    assert.ok(storm, `no storm case\n${lines.join('\n')}`);
    assert.deepEqual(samplesOf(storm, SUBJECT), [100], lines.join('\n'));
    const written = writeReport(report, out);
    assert.ok(JSON.parse(readFileSync(written.json, 'utf8')).cases.length === report.cases.length);
    assert.match(readFileSync(written.md, 'utf8'), /\| case \| bootfleet \|/);
    assert.deepEqual(namespaces(), [], 'namespaces left behind');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
