import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BootEvent } from '../events/boot-event.js';
import type { Sighting } from '../fleet/machine.js';
import { FleetSightingBatcher } from './fleet-sighting-batcher.js';
import { PartialSightingsError } from './fleet-store.js';

function harness(record: (b: readonly Sighting[]) => Promise<{ discovered: string[] }> = async (b) => ({ discovered: b.map((s) => s.mac) })) {
  const batches: Sighting[][] = [];
  const events: BootEvent[] = [];
  const batcher = new FleetSightingBatcher({
    store: { recordSightings: async (b) => { batches.push([...b]); return record(b); } },
    events: { emit: (e) => events.push(e) },
    intervalMs: 10,
    maxPending: 3,
  });
  return { batcher, batches, events };
}

test('sightings of one MAC fold into one row of one batch, written after the interval', async () => {
  const { batcher, batches, events } = harness();
  batcher.note({ mac: 'a', at: 1, arch: 0 });
  batcher.note({ mac: 'a', at: 2, ip: '198.18.0.5' });
  batcher.note({ mac: 'b', at: 2 });
  assert.equal(batches.length, 0, 'note() writes nothing itself');
  await new Promise((r) => setTimeout(r, 40));
  assert.deepEqual(batches, [[{ mac: 'a', at: 2, arch: 0, ip: '198.18.0.5' }, { mac: 'b', at: 2 }]]);
  assert.deepEqual(events.filter((e) => e.kind === 'fleet.discovered').map((e) => e.mac), ['a', 'b']);
});

test('a write that failed part-way still reports the new machines of the part written, and the failure', async () => {
  const { batcher, events } = harness(async () => {
    throw new PartialSightingsError('lease store is closed', ['a']);
  });
  batcher.note({ mac: 'a', at: 1, ip: '198.18.0.7' });
  batcher.note({ mac: 'b', at: 1 });
  await batcher.flush();
  const found = events.filter((e) => e.kind === 'fleet.discovered');
  assert.deepEqual(found.map((e) => e.mac), ['a']);
  assert.equal(found[0]?.data?.['ip'], '198.18.0.7');
  assert.match(events.find((e) => e.kind === 'fleet.error')?.msg ?? '', /2 sighting\(s\) failed: lease store is closed/);
});

test('a failing store costs an event, not an exception; later batches still go', async () => {
  let fail = true;
  const { batcher, batches, events } = harness(async () => {
    if (fail) throw new Error('disk full');
    return { discovered: [] };
  });
  batcher.note({ mac: 'a', at: 1 });
  await batcher.flush();
  assert.match(events.find((e) => e.kind === 'fleet.error')?.msg ?? '', /disk full/);
  fail = false;
  batcher.note({ mac: 'b', at: 2 });
  await batcher.stop();
  assert.equal(batches.length, 2);
});

test('more new MACs than maxPending are dropped and counted; known ones still fold', async () => {
  const { batcher, batches, events } = harness();
  for (const mac of ['a', 'b', 'c', 'd', 'e']) batcher.note({ mac, at: 1 });
  batcher.note({ mac: 'a', at: 2 });
  await batcher.stop();
  assert.deepEqual(batches[0]?.map((s) => [s.mac, s.at]), [['a', 2], ['b', 1], ['c', 1]]);
  assert.equal(events.find((e) => e.kind === 'fleet.drop')?.data?.dropped, 2);
});

test('after stop() nothing more is taken', async () => {
  const { batcher, batches } = harness();
  await batcher.stop();
  batcher.note({ mac: 'a', at: 1 });
  await batcher.flush();
  assert.deepEqual(batches, []);
});

test('a sighting with nothing new within refreshMs of the last write is not written again', async () => {
  const batches: Sighting[][] = [];
  let fail = false;
  const batcher = new FleetSightingBatcher({
    store: {
      recordSightings: async (b) => {
        if (fail) throw new Error('disk full');
        batches.push([...b]);
        return { discovered: [] };
      },
    },
    events: { emit: () => {} },
    intervalMs: 10,
    refreshMs: 1000,
  });
  batcher.note({ mac: 'a', at: 0, ip: '198.18.0.5', arch: 7 });
  await batcher.flush();
  batcher.note({ mac: 'a', at: 100, ip: '198.18.0.5' });
  batcher.note({ mac: 'a', at: 200, arch: 7 });
  await batcher.flush();
  assert.equal(batches.length, 1, 'same facts, 100–200 ms later: no write');
  batcher.note({ mac: 'a', at: 300, ip: '198.18.0.6' });
  await batcher.flush();
  assert.deepEqual(batches[1], [{ mac: 'a', at: 300, ip: '198.18.0.6' }], 'a new address is written at once');
  batcher.note({ mac: 'a', at: 1300, ip: '198.18.0.6' });
  await batcher.flush();
  assert.deepEqual(batches[2], [{ mac: 'a', at: 1300, ip: '198.18.0.6' }], 'refreshMs after the last write: lastSeen moves');
  fail = true;
  batcher.note({ mac: 'b', at: 1400 });
  await batcher.flush();
  fail = false;
  batcher.note({ mac: 'b', at: 1500 });
  await batcher.stop();
  assert.deepEqual(batches[3], [{ mac: 'b', at: 1500 }], 'after a failed write the next sighting is not taken as known');
});

test('forget(mac) and forget(null): the next sighting is written even with nothing new (its record was deleted)', async () => {
  const batches: Sighting[][] = [];
  const batcher = new FleetSightingBatcher({
    store: { recordSightings: async (b) => (batches.push([...b]), { discovered: [] }) },
    events: { emit: () => {} },
    intervalMs: 10,
    refreshMs: 30_000,
  });
  batcher.note({ mac: 'a', at: 0, ip: '198.18.0.5' });
  batcher.note({ mac: 'b', at: 0, ip: '198.18.0.6' });
  await batcher.flush();
  batcher.forget('a');
  batcher.note({ mac: 'a', at: 100, ip: '198.18.0.5' });
  batcher.note({ mac: 'b', at: 100, ip: '198.18.0.6' });
  await batcher.flush();
  assert.deepEqual(batches[1]?.map((s) => s.mac), ['a'], 'a forgotten, b still known');
  batcher.forget(null);
  batcher.note({ mac: 'b', at: 200, ip: '198.18.0.6' });
  await batcher.stop();
  assert.deepEqual(batches[2]?.map((s) => s.mac), ['b']);
});

for (const machines of [60_000, 100_000]) {
  test(`${machines} machines seen again within refreshMs, in batches of 1 000, are not written again`, async () => {
    let written = 0;
    const batcher = new FleetSightingBatcher({
      store: { recordSightings: async (b) => { written += b.length; return { discovered: [] }; } },
      events: { emit: () => {} },
      intervalMs: 10,
      maxPending: 100_000,
      refreshMs: 30_000,
    });
    const mac = (i: number): string => `52:54:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < machines; i++) {
        batcher.note({ mac: mac(i), at: 1000 + round, ip: '198.18.0.5' });
        if (i % 1000 === 999) await batcher.flush();
      }
      await batcher.flush();
    }
    await batcher.stop();
    assert.equal(written, machines, 'each machine written once: the later rounds say nothing new');
  });
}
