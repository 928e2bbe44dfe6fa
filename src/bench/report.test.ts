import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cell, formatMarkdown, formatTable, type BenchReport } from './report.js';

const report: BenchReport = {
  date: '2026-11-24T12:00:00.000Z',
  mode: 'smoke',
  seconds: 12,
  machine: { nproc: 2, cpuModel: 'AMD EPYC', memMiB: 24000, kernel: '6.1', loadAvg: '1 1 1', versions: { node: 'v20' } },
  conditions: ['pinned'],
  findings: ['DHCP — self time: x 50 %'],
  cases: [
    {
      group: 'tftp',
      name: 'curl blksize 1468, 64 MiB',
      unit: 'MiB/s',
      measurements: [
        { server: 'bootfleet', samples: [90, 80, 100] },
        { server: 'tftpd-hpa', samples: [100, 100, 100] },
      ],
      problems: [],
      targets: [{ peer: 'tftpd-hpa', min: 1 }],
      note: 'median of 3',
    },
    {
      group: 'dhcp',
      name: 'DORA',
      unit: 'DORA/s',
      measurements: [{ server: 'bootfleet', samples: [400] }],
      problems: ['bootfleet: 1 address(es) ACKed to a second client'],
    },
  ],
};

test('cell shows median and range', () => {
  assert.equal(cell([90, 80, 100]), '90.0 [80.0–100]');
  assert.equal(cell([7]), '7.00');
  assert.equal(cell([]), '–');
});

test('table and Markdown carry medians, ratios, targets and problems', () => {
  const t = formatTable(report);
  assert.match(t, /curl blksize 1468, 64 MiB \(MiB\/s\)\s+90\.0 \[80\.0–100\]\s+100 \[100–100\]\s+0\.90×\s+ok/);
  assert.match(t, /targets \(issue 6\): 0 of 1 met/);
  assert.match(t, /correctness: 1 problem/);
  const md = formatMarkdown(report);
  assert.match(md, /\| case \| bootfleet \| tftpd-hpa \| bootfleet\/tftpd-hpa \| correct \|/);
  assert.match(md, /\| tftp curl blksize 1468, 64 MiB \| tftpd-hpa \| ≥ 1× \| 0\.90× \| missed by 10 % \|/);
  assert.match(md, /## What bounds bootfleet\n\n- DHCP — self time/);
  assert.match(md, /- dhcp DORA: bootfleet: 1 address\(es\) ACKed to a second client/);
});

test('a time case (boot): seconds per server, the ratio as peer over bootfleet, its own legend', () => {
  const boot: BenchReport = {
    ...report,
    cases: [
      {
        group: 'boot',
        name: 'BIOS iPXE, power-on → marker',
        unit: 's',
        lowerIsBetter: true,
        measurements: [
          { server: 'bootfleet', samples: [10, 12, 11] },
          { server: 'dnsmasq+nginx', samples: [26, 27, 25] },
        ],
        problems: [],
        targets: [{ peer: 'dnsmasq+nginx', min: 1 }],
      },
    ],
  };
  const t = formatTable(boot);
  assert.match(t, /== BOOT  \(.*ratio = peer median \/ bootfleet median/);
  assert.match(t, /BIOS iPXE, power-on → marker \(s, lower is better\)\s+11\.0 \[10\.0–12\.0\]\s+26\.0 \[25\.0–27\.0\]\s+2\.36×\s+ok/);
  assert.match(t, /targets \(issue 6\): 1 of 1 met/);
  const md = formatMarkdown(boot);
  assert.match(md, /## BOOT\n\nmedian \[min–max\] of the samples; ratio = peer median \/ bootfleet median/);
  assert.match(md, /\| boot BIOS iPXE, power-on → marker \| dnsmasq\+nginx \| ≥ 1× \| 2\.36× \| met \|/);
});
