import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StampedEvent } from './event-ring.js';
import { LiveEventHub } from './live-events.js';

const ev = (msg: string): StampedEvent => ({ time: '2026-11-24T10:00:00.000Z', kind: 'dhcp.discover', level: 'info', mac: '52:54:00:00:00:01', msg });

test('events are written on a later loop turn, serialized once for all streams; a failed send closes its stream', async () => {
  let listener: ((e: StampedEvent) => void) | null = null;
  const hub = new LiveEventHub((l) => {
    listener = l;
    return () => (listener = null);
  }, 3, 2);
  const a: string[] = [];
  const b: string[] = [];
  hub.open('x', { debug: false }, (_, d) => (a.push(d), true));
  hub.open('y', { debug: false }, (_, d) => (b.push(d), false));
  assert.equal(hub.refusal('x'), null);
  hub.open('x', { debug: false }, () => true);
  assert.match(hub.refusal('z') ?? '', /3 live event streams/);
  listener!(ev('one'));
  assert.deepEqual(a, [], 'nothing written inside the emitting code');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(a, [JSON.stringify(ev('one'))]);
  assert.equal(b.length, 1);
  assert.equal(hub.size, 2, 'the stream whose send failed is gone');
  assert.match(hub.refusal('x') ?? '', /token x has 2/);
});
