import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { DatagramPacer } from './datagram-pacer.js';

/** Waits until `done()` or `ms` pass. */
async function until(done: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await sleep(1);
}

/** Counts sends per macrotask: the burst's own turn, then one group per timer tick. */
function groupedSends(): { groups: number[]; send: () => void } {
  const groups: number[] = [];
  let open = false;
  const send = (): void => {
    if (!open) {
      open = true;
      groups.push(0);
      queueMicrotask(() => (open = false));
    }
    groups[groups.length - 1]! += 1;
  };
  return { groups, send };
}

test('a burst: perMs leave at once, the rest in order on later ticks, none lost', async () => {
  const sent: number[] = [];
  const pacer = new DatagramPacer<number>({ perMs: 32, maxSpreadMs: 20 }, (n) => sent.push(n));
  for (let i = 0; i < 100; i++) pacer.push(i);
  assert.equal(sent.length, 32, 'only the first millisecond’s worth leaves in the same turn');
  assert.equal(pacer.backlog, 68);
  await until(() => sent.length === 100);
  assert.deepEqual(sent, Array.from({ length: 100 }, (_, i) => i));
  assert.equal(pacer.backlog, 0);
});

test('each tick sends at most perMs while the backlog is small', async () => {
  const { groups, send } = groupedSends();
  const pacer = new DatagramPacer<number>({ perMs: 10, maxSpreadMs: 20 }, send);
  for (let i = 0; i < 60; i++) pacer.push(i);
  await until(() => pacer.backlog === 0);
  assert.equal(groups.reduce((a, b) => a + b, 0), 60);
  assert.deepEqual(groups, [10, 10, 10, 10, 10, 10]);
});

test('a large backlog is spread over about maxSpreadMs ticks, not one perMs per tick', async () => {
  const { groups, send } = groupedSends();
  const pacer = new DatagramPacer<number>({ perMs: 32, maxSpreadMs: 20 }, send);
  for (let i = 0; i < 10_000; i++) pacer.push(i);
  await until(() => pacer.backlog === 0);
  assert.equal(groups.reduce((a, b) => a + b, 0), 10_000);
  // 9 968 waiting at 32 per tick would take 312 ticks; at backlog / 20 per tick, ≈ 20 plus a tail of 32s.
  assert.ok(groups.length < 80, `${groups.length} groups`);
  assert.ok(Math.max(...groups.slice(1)) <= Math.ceil(9968 / 20), `largest tick ${Math.max(...groups.slice(1))}`);
});

test('pushes while a backlog waits queue behind it; flush sends all now, in order', () => {
  const sent: number[] = [];
  const pacer = new DatagramPacer<number>({ perMs: 2, maxSpreadMs: 20 }, (n) => sent.push(n));
  for (let i = 0; i < 5; i++) pacer.push(i);
  assert.deepEqual(sent, [0, 1]);
  pacer.push(5);
  pacer.flush();
  assert.deepEqual(sent, [0, 1, 2, 3, 4, 5]);
  assert.equal(pacer.backlog, 0);
});

test('an item pushed by a send while the backlog drains leaves after the ones already waiting', () => {
  const sent: number[] = [];
  let pacer: DatagramPacer<number> | null = null;
  pacer = new DatagramPacer<number>({ perMs: 1, maxSpreadMs: 20 }, (n) => {
    sent.push(n);
    if (n === 1) pacer?.push(99);
  });
  pacer.push(0);
  pacer.push(1);
  pacer.push(2);
  pacer.flush();
  pacer.flush();
  assert.deepEqual(sent, [0, 1, 2, 99]);
});
