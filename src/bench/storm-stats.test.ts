import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verdicts } from './results.js';
import type { MachineRecord, StormClientResult } from './storm-spec.js';
import { stormMac } from './storm-spec.js';
import { duplicateLeases, percentile, stormFigures, stormRows, type StormRun } from './storm-stats.js';

test('percentile: nearest rank; an unfinished machine (Infinity) can be the answer; NaN for none', () => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
  assert.equal(percentile(xs, 50), 50);
  assert.equal(percentile(xs, 99), 99);
  assert.equal(percentile(xs, 100), 100);
  assert.equal(percentile([3, 1, 2], 50), 2);
  assert.equal(percentile([5], 99), 5);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0), 1);
  // 2 of 100 never finished: p99 lands on one of them, p50 does not.
  const withFailures = [...xs.slice(0, 98), Infinity, Infinity];
  assert.equal(percentile(withFailures, 99), Infinity);
  assert.equal(percentile(withFailures, 50), 50);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test('duplicateLeases: an address ACKed to a second MAC is a duplicate; the same MAC again is not', () => {
  assert.deepEqual(
    duplicateLeases([
      ['02:00:00:00:00:01', '198.19.0.10'],
      ['02:00:00:00:00:01', '198.19.0.10'], // a retransmitted REQUEST, ACKed again
      ['02:00:00:00:00:02', '198.19.0.11'],
    ]),
    [],
  );
  assert.deepEqual(duplicateLeases([['02:00:00:00:00:01', '198.19.0.10'], ['02:00:00:00:00:02', '198.19.0.10']]), [
    { address: '198.19.0.10', holder: '02:00:00:00:00:01', other: '02:00:00:00:00:02' },
  ]);
});

function machine(i: number, over: Partial<MachineRecord> = {}): MachineRecord {
  return {
    mac: stormMac(0x5b, i),
    ip: `198.19.0.${10 + i}`,
    ok: true,
    discoverAt: i,
    ackMs: 100,
    tftpMs: 1100,
    totalMs: 1000 * (i + 1),
    dhcpSends: 2,
    tftpRetransmits: 0,
    tftpWindowsize: 4,
    ...over,
  };
}

function result(machines: MachineRecord[], acks?: [string, string][]): StormClientResult {
  return { wallMs: 5000, machines, acks: acks ?? machines.filter((m) => m.ip).map((m) => [m.mac, m.ip]), naks: 0, nakMessages: {}, strayReplies: 0, clientCpuS: 1 };
}

test('stormFigures: completion, p50/p99 over every machine, failures by step, wrong bytes', () => {
  const ms = [machine(0), machine(1), machine(2), machine(3, { ok: false, failedStep: 'tftp', error: 'block 7 differs from the file (offset 8808, 1468 bytes)', totalMs: -1 })];
  const f = stormFigures(result(ms));
  assert.equal(f.completed, 3);
  assert.equal(f.completionPct, 75);
  assert.equal(f.p50s, 2);
  assert.equal(f.p99s, Infinity);
  assert.deepEqual(f.failedBy, { dhcp: 0, tftp: 1, http: 0 });
  assert.equal(f.wrongBytes.length, 1);
  assert.deepEqual(f.duplicates, []);
  assert.equal(f.stepP50s.dhcp, 0.1);
  assert.deepEqual(f.tftpWindows, { 4: 4 });
});

test('stormFigures: two finished machines on one address count even when the ACK log missed it', () => {
  const ms = [machine(0), machine(1, { ip: '198.19.0.10' })];
  const f = stormFigures(result(ms, [[ms[0]!.mac, '198.19.0.10']]));
  assert.equal(f.sharedAddresses, 2);
});

test('stormRows: four rows; bootfleet incomplete or any duplicate is a problem, a peer merely incomplete is not', () => {
  const full = stormFigures(result([machine(0), machine(1)]));
  const half = stormFigures(result([machine(0), machine(1, { ok: false, failedStep: 'dhcp', error: 'no OFFER after 4 DISCOVERs', ip: '', ackMs: -1, tftpMs: -1, totalMs: -1 })]));
  const dup = stormFigures(result([machine(0), machine(1)], [['a', '198.19.0.10'], ['b', '198.19.0.10']]));
  const runs: StormRun[] = [
    { server: 'bootfleet', figures: full, peakRssMiB: 200, idleRssMiB: 90 },
    { server: 'dnsmasq+nginx', figures: half, peakRssMiB: 20, idleRssMiB: 20 },
  ];
  const rows = stormRows(2, ['bootfleet', 'dnsmasq+nginx'], runs, 'n');
  assert.deepEqual(
    rows.map((r) => [r.name, r.unit, r.lowerIsBetter === true]),
    [
      ['2 machines, complete', '%', false],
      ['2 machines, p50 DISCOVER→last byte', 's', true],
      ['2 machines, p99 DISCOVER→last byte', 's', true],
      ['2 machines, peak RSS', 'MiB', true],
    ],
  );
  assert.deepEqual(rows[0]!.problems, []);
  assert.deepEqual(rows[0]!.measurements.map((m) => m.samples), [[100], [50]]);
  assert.deepEqual(rows[3]!.measurements.map((m) => m.samples), [[200], [20]]);
  const v = verdicts(rows);
  assert.deepEqual(v.map((x) => [x.absolute?.text, x.ratio, x.met]), [['Storm: 100 % complete', 100, true]]);

  const bad = stormRows(2, ['bootfleet', 'dnsmasq+nginx'], [{ ...runs[0]!, figures: half }, { ...runs[1]!, figures: dup }], 'n');
  assert.equal(bad[0]!.problems.length, 2);
  assert.match(bad[0]!.problems[0]!, /^bootfleet: 1 of 2 machines did not finish \(dhcp 1, tftp 0, http 0\)/);
  assert.match(bad[0]!.problems[1]!, /^dnsmasq\+nginx: 1 address\(es\) ACKed to a second machine, e\.g\. 198\.19\.0\.10 \(a, then b\)/);
  assert.equal(verdicts(bad)[0]!.met, false);
});
