import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootMac, bootOrder, bootPool, bootSummary, MAX_CONTENDERS, MAX_ROUNDS, type VmBootRun } from './vm-boot.js';

test('bootPool: every (round, contender) gets its own 5 addresses inside the lab subnet', () => {
  const seen = new Set<string>();
  for (let r = 0; r < MAX_ROUNDS; r++) {
    for (let i = 0; i < MAX_CONTENDERS; i++) {
      const p = bootPool(r, i);
      const a = Number(p.start.split('.')[3]);
      const b = Number(p.end.split('.')[3]);
      assert.equal(b - a, 4);
      assert.ok(a >= 100 && b <= 254, `${p.start}–${p.end}`);
      for (let x = a; x <= b; x++) {
        assert.ok(!seen.has(String(x)), `198.18.0.${x} handed to two boots`);
        seen.add(String(x));
      }
    }
  }
  assert.throws(() => bootPool(MAX_ROUNDS, 0));
  assert.throws(() => bootPool(0, MAX_CONTENDERS));
});

test('bootMac: distinct per round, contender and firmware; a valid unicast MAC', () => {
  const macs = new Set<string>();
  for (let r = 0; r < MAX_ROUNDS; r++) for (let i = 0; i < MAX_CONTENDERS; i++) for (const fw of ['bios', 'uefi'] as const) macs.add(bootMac(r, i, fw));
  assert.equal(macs.size, MAX_ROUNDS * MAX_CONTENDERS * 2);
  for (const m of macs) assert.match(m, /^52:54:00(:[0-9a-f]{2}){3}$/);
});

test('bootOrder: A B C, B C A, C A B: each contender leads one round', () => {
  assert.deepEqual([0, 1, 2].map((r) => bootOrder(['a', 'b', 'c'], r)[0]), ['a', 'b', 'c']);
  assert.deepEqual(bootOrder(['a', 'b'], 1), ['b', 'a']);
});

test('bootSummary: median per contender and each median over the subject\'s; failed boots left out', () => {
  const run = (contender: string, seconds: number): VmBootRun => ({ contender, round: 0, firmware: 'bios', mac: 'x', seconds, discoverToOffer: seconds / 10, discoverToAck: null });
  const s = bootSummary([run('bootfleet', 10), run('dnsmasq', 30), run('bootfleet', 12), run('dnsmasq', 25), run('bootfleet', 8), run('dnsmasq', Number.NaN)], 'bootfleet');
  assert.deepEqual(s.map((x) => [x.contender, x.boots, x.median]), [['bootfleet', 3, 10], ['dnsmasq', 2, 27.5]]);
  assert.equal(s[1]!.speedup, 2.75);
  assert.equal(s[0]!.speedup, 1);
  assert.equal(s[0]!.discoverToOffer, 1);
});
