import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMarkdown, formatTable, type BenchReport } from './report.js';
import { caseRatio, type CaseResult } from './results.js';

const storm: CaseResult[] = [
  {
    group: 'storm',
    name: '1000 machines, complete',
    unit: '%',
    measurements: [
      { server: 'bootfleet', samples: [100, 100, 99.9] },
      { server: 'dnsmasq+nginx', samples: [100] },
    ],
    problems: [],
    floor: { min: 100, text: 'Storm: 100 % complete' },
    note: 'one burst',
  },
  {
    group: 'storm',
    name: '1000 machines, p50 DISCOVER→last byte',
    unit: 's',
    lowerIsBetter: true,
    measurements: [
      { server: 'bootfleet', samples: [20] },
      { server: 'dnsmasq+nginx', samples: [10] },
    ],
    problems: [],
  },
];

function report(cases: CaseResult[]): BenchReport {
  return {
    date: '2026-11-24T12:00:00.000Z',
    mode: 'full',
    seconds: 1,
    machine: { nproc: 2, cpuModel: 'x', memMiB: 1, kernel: '6', loadAvg: '0', versions: {} },
    conditions: [],
    cases,
    findings: [],
  };
}

test('caseRatio turns lower-is-better cases round, so higher still reads better', () => {
  assert.equal(caseRatio(storm[1]!, 'dnsmasq+nginx'), 0.5);
  assert.equal(caseRatio(storm[0]!, 'dnsmasq+nginx'), 1);
});

test('the storm table: its own section, lower-is-better rows marked, the 100 % target line', () => {
  const t = formatTable(report(storm));
  assert.match(t, /== STORM .*peer \/ bootfleet where lower is better/);
  assert.match(t, /1000 machines, p50 DISCOVER→last byte \(s, lower is better\)\s+20\.0\s+10\.0\s+0\.50×\s+ok/);
  assert.match(t, /targets \(issue 6\): 1 of 1 met\n  Storm: 100 % complete: met \(100 %\)/);
  const md = formatMarkdown(report(storm));
  assert.match(md, /## STORM/);
  assert.match(md, /\| storm 1000 machines, complete \| – \| Storm: 100 % complete \| 100 % \| met \|/);
  assert.match(md, /- 1000 machines, complete: one burst/);
});

test('a storm short of 100 % misses its target; tables without lower-is-better rows keep the old legend', () => {
  const short = [{ ...storm[0]!, measurements: [{ server: 'bootfleet', samples: [97.5] }] }];
  const t = formatTable(report(short));
  assert.match(t, /Storm: 100 % complete: missed \(97\.5 %\)/);
  assert.doesNotMatch(t, /where lower is better/);
  assert.match(formatMarkdown(report(short)), /\| Storm: 100 % complete \| 97\.5 % \| missed \|/);
});
