import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { DatagramPacer } from './datagram-pacer.js';

/** Waits until `done()` or `ms` pass. */
async function until(done: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await sleep(1);
}

/** Records what is sent, grouped by macrotask: the pushing turn's own, then one group per timer tick. */
function recorder(): { sent: number[]; groups: number[]; send: (n: number) => void } {
  const sent: number[] = [];
  const groups: number[] = [];
  let open = false;
  const send = (n: number): void => {
    sent.push(n);
    if (!open) {
      open = true;
      groups.push(0);
      queueMicrotask(() => (open = false));
    }
    groups[groups.length - 1]! += 1;
  };
  return { sent, groups, send };
}

/** A clock that moves only when the test moves it. */
function clock(): { now: () => number; at: (ms: number) => void } {
  let t = 0;
  return { now: () => t, at: (ms) => (t = ms) };
}

test('a burst: perMs leave at once, the rest perMs per tick, in order, none lost', async () => {
  const r = recorder();
  const pacer = new DatagramPacer<number>({ perMs: 10, maxSpreadMs: 20, now: clock().now }, r.send);
  for (let i = 0; i < 60; i++) pacer.push(i);
  assert.deepEqual(r.groups, [10], 'only the first millisecond’s worth leaves in the pushing turn');
  assert.equal(pacer.backlog, 50);
  await until(() => pacer.backlog === 0);
  assert.deepEqual(r.groups, [10, 10, 10, 10, 10, 10]);
  assert.deepEqual(r.sent, Array.from({ length: 60 }, (_, i) => i));
});

test('a backlog bigger than perMs × maxSpreadMs leaves a maxSpreadMs-th a tick, so it drains faster than perMs a tick', async () => {
  const r = recorder();
  const pacer = new DatagramPacer<number>({ perMs: 32, maxSpreadMs: 20, now: clock().now }, r.send);
  for (let i = 0; i < 10_000; i++) pacer.push(i);
  await until(() => pacer.backlog === 0);
  assert.equal(r.groups[0], 32);
  assert.equal(r.groups[1], Math.ceil(9968 / 20));
  // 9 968 at 32 a tick would take 312 ticks; 20 × (1 + ln(9 968 / 640)) ≈ 75.
  assert.ok(r.groups.length <= 80, `${r.groups.length} ticks`);
  assert.ok(r.groups.slice(1, -1).every((n) => n >= 32), "no tick but the last sends fewer than perMs");
  assert.deepEqual(r.sent, Array.from({ length: 10_000 }, (_, i) => i));
});

test('pushes while a backlog waits queue behind it; flush sends all now, in order', () => {
  const r = recorder();
  const pacer = new DatagramPacer<number>({ perMs: 2, maxSpreadMs: 20, now: clock().now }, r.send);
  for (let i = 0; i < 5; i++) pacer.push(i);
  assert.deepEqual(r.sent, [0, 1]);
  pacer.push(5);
  pacer.flush();
  assert.deepEqual(r.sent, [0, 1, 2, 3, 4, 5]);
  assert.equal(pacer.backlog, 0);
});

test('an item pushed by a send while the backlog drains leaves after the ones already waiting', () => {
  const sent: number[] = [];
  let pacer: DatagramPacer<number> | null = null;
  pacer = new DatagramPacer<number>({ perMs: 1, maxSpreadMs: 20, now: clock().now }, (n) => {
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
