import { test } from 'node:test';
import assert from 'node:assert/strict';
import { caseRatio, ratio, rotation, summarize, verdicts } from './results.js';

test('summarize: median of odd and even counts, range, NaN-free', () => {
  assert.deepEqual(summarize([3, 1, 2]), { median: 2, min: 1, max: 3, n: 3 });
  assert.deepEqual(summarize([4, 1, 3, 2]), { median: 2.5, min: 1, max: 4, n: 4 });
  assert.deepEqual(summarize([5, NaN, Infinity]), { median: 5, min: 5, max: 5, n: 1 });
  assert.equal(summarize([]).n, 0);
});

test('ratio: bootfleet median over peer median; NaN when the peer has nothing', () => {
  assert.equal(ratio([2, 4, 6], [1, 2, 3]), 2);
  assert.ok(Number.isNaN(ratio([1], [])));
  assert.ok(Number.isNaN(ratio([1], [0])));
});

test('rotation: every server leads one round', () => {
  assert.deepEqual(rotation(['a', 'b', 'c'], 0), ['a', 'b', 'c']);
  assert.deepEqual(rotation(['a', 'b', 'c'], 1), ['b', 'c', 'a']);
  assert.deepEqual(rotation(['a', 'b', 'c'], 5), ['c', 'a', 'b']);
  assert.deepEqual(rotation([], 3), []);
});

test('verdicts: each target against the measured ratio; a missing figure is missed', () => {
  const v = verdicts([
    {
      group: 'dhcp',
      name: 'x',
      unit: 'DORA/s',
      problems: [],
      measurements: [
        { server: 'bootfleet', samples: [500] },
        { server: 'kea', samples: [1000] },
        { server: 'dnsmasq', samples: [40] },
      ],
      targets: [
        { peer: 'kea', min: 1 },
        { peer: 'dnsmasq', min: 10 },
        { peer: 'absent', min: 1 },
      ],
    },
  ]);
  assert.deepEqual(
    v.map((x) => [x.peer, x.ratio, x.met]),
    [
      ['kea', 0.5, false],
      ['dnsmasq', 12.5, true],
    ],
  );
});

test('caseRatio: times (lowerIsBetter) flip, so above 1 still means bootfleet is ahead; verdicts use it', () => {
  const c = {
    group: 'boot' as const,
    name: 'BIOS boot',
    unit: 's',
    lowerIsBetter: true,
    measurements: [
      { server: 'bootfleet', samples: [10, 11, 12] },
      { server: 'dnsmasq+nginx', samples: [22, 24, 26] },
      { server: 'slowpoke', samples: [] },
    ],
    problems: [],
    targets: [{ peer: 'dnsmasq+nginx', min: 1 }],
  };
  assert.equal(caseRatio(c, 'dnsmasq+nginx'), 24 / 11);
  assert.ok(Number.isNaN(caseRatio(c, 'slowpoke')));
  assert.deepEqual(verdicts([c]).map((v) => v.met), [true]);
  assert.equal(caseRatio({ ...c, lowerIsBetter: false }, 'dnsmasq+nginx'), 11 / 24);
  assert.deepEqual(verdicts([{ ...c, measurements: [{ server: 'bootfleet', samples: [30] }, { server: 'dnsmasq+nginx', samples: [24] }] }]).map((v) => v.met), [false]);
});
