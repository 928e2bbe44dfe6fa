import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventLog } from './event-log.js';
import type { BootEvent } from './boot-event.js';
import { MachineTimelines } from './machine-timelines.js';
import { EventRing } from '../api/event-ring.js';

test('listeners get the event object as emitted and its milliseconds; the log line is stamped with them, time first', () => {
  const lines: string[] = [];
  const log = new EventLog({ level: 'info', format: 'json', write: (l) => lines.push(l) });
  const got: [BootEvent, number][] = [];
  log.subscribe((e, ms) => got.push([e, ms]));
  const event: BootEvent = { kind: 'dhcp.offer', level: 'info', mac: '52:54:00:00:00:01', msg: 'OFFER 198.18.0.10', data: { ip: '198.18.0.10' } };
  const before = Date.now();
  log.emit(event);
  const after = Date.now();
  assert.equal(got.length, 1);
  const [seen, ms] = got[0]!;
  assert.equal(seen, event, 'the same object: no copy per event');
  assert.ok(ms >= before && ms <= after);
  assert.equal('time' in event, false, 'the emitted event is not changed');
  const line = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(Object.keys(line)[0], 'time');
  assert.equal(line.time, new Date(ms).toISOString());
  assert.equal(line.msg, event.msg);
  assert.equal(log.count('dhcp.offer'), 1);
});

test('timelines and the API ring keep events pushed with their milliseconds and give them back with the time text', () => {
  const timelines = new MachineTimelines({ perMachine: 3 });
  const ring = new EventRing(3);
  const mac = '52:54:00:00:00:02';
  const t0 = Date.UTC(2026, 10, 25, 4, 0, 0, 5);
  for (let i = 0; i < 5; i++) {
    const e: BootEvent = { kind: 'dhcp.discover', level: 'info', mac, msg: `step ${i}` };
    timelines.pushAt(e, t0 + i);
    ring.pushAt(e, t0 + i);
    assert.equal('time' in e, false);
  }
  // A captured event keeps the time text it came with.
  timelines.push({ time: 'kept as sent', kind: 'dhcp.ack', level: 'info', mac, msg: 'step 5' });
  const kept = timelines.of(mac);
  assert.deepEqual(kept.map((e) => [e.time, e.msg]), [
    [new Date(t0 + 3).toISOString(), 'step 3'],
    [new Date(t0 + 4).toISOString(), 'step 4'],
    ['kept as sent', 'step 5'],
  ]);
  assert.equal(Object.keys(kept[0]!)[0], 'time');
  assert.deepEqual(ring.recent({ mac }).map((e) => [e.time, e.msg]), [2, 3, 4].map((i) => [new Date(t0 + i).toISOString(), `step ${i}`]));
});
