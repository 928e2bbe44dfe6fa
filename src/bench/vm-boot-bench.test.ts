import { test } from 'node:test';
import assert from 'node:assert/strict';
import { caseRatio, verdicts } from './results.js';
import { bootCaseResult, bootCaseSpecs } from './vm-boot-bench.js';
import type { VmBootRun } from './vm-boot.js';

test('boot cases: full mode is BIOS with both dnsmasq variants and a ≥ 1× target each, then UEFI ratio-only; smoke is one bootfleet boot', () => {
  const full = bootCaseSpecs('full');
  assert.deepEqual(full.map((s) => [s.firmware, s.rounds, s.contenders.map((c) => c.name), s.targetPeers]), [
    ['bios', 3, ['bootfleet', 'dnsmasq+nginx', 'dnsmasq+nginx no-ping'], ['dnsmasq+nginx', 'dnsmasq+nginx no-ping']],
    ['uefi', 3, ['bootfleet', 'dnsmasq+nginx'], []],
  ]);
  const smoke = bootCaseSpecs('smoke');
  assert.deepEqual(smoke.map((s) => [s.firmware, s.rounds, s.contenders.map((c) => c.name)]), [['bios', 1, ['bootfleet']]]);
});

test('bootCaseResult: seconds per contender, failed boots become problems, ratio is dnsmasq over bootfleet', () => {
  const spec = bootCaseSpecs('full')[0]!;
  const run = (contender: string, round: number, seconds: number, error?: string): VmBootRun => ({ contender, round, firmware: 'bios', mac: 'm', seconds, discoverToOffer: contender === 'bootfleet' ? 0.01 : 3, discoverToAck: null, ...(error ? { error } : {}) });
  const c = bootCaseResult(spec, [
    run('bootfleet', 0, 10),
    run('dnsmasq+nginx', 0, 26),
    run('dnsmasq+nginx no-ping', 0, 23),
    run('bootfleet', 1, 12),
    run('dnsmasq+nginx', 1, Number.NaN, 'no boot: No bootable device.'),
    run('dnsmasq+nginx no-ping', 1, 22),
  ]);
  assert.equal(c.group, 'boot');
  assert.equal(c.unit, 's');
  assert.equal(c.lowerIsBetter, true);
  assert.deepEqual(c.measurements.map((m) => [m.server, m.samples]), [['bootfleet', [10, 12]], ['dnsmasq+nginx', [26]], ['dnsmasq+nginx no-ping', [23, 22]]]);
  assert.deepEqual(c.problems, ['dnsmasq+nginx round 1: no boot: No bootable device.']);
  assert.deepEqual(c.measurements.map((m) => m.details?.['DISCOVER→OFFER s']), ['0.01 / 0.01', '3.00 / 3.00', '3.00 / 3.00']);
  assert.deepEqual(c.measurements.map((m) => m.details?.['DISCOVER→ACK s']), ['', '', '']);
  assert.equal(bootCaseResult(spec, []).measurements[0]!.details, undefined);
  assert.equal(caseRatio(c, 'dnsmasq+nginx no-ping'), 22.5 / 11);
  assert.deepEqual(verdicts([c]).map((v) => [v.peer, v.met]), [['dnsmasq+nginx', true], ['dnsmasq+nginx no-ping', true]]);
  assert.equal(bootCaseResult(bootCaseSpecs('full')[1]!, []).targets, undefined);
});
