import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MachineTimelines, type TimedEvent } from './machine-timelines.js';

const ev = (mac: string | undefined, n: number, kind = 'dhcp.discover'): TimedEvent => ({
  time: new Date(1_700_000_000_000 + n).toISOString(),
  kind,
  level: 'info',
  msg: `event ${n}`,
  ...(mac === undefined ? {} : { mac }),
});

test('keeps each machine\'s events in order, the last N when more came', () => {
  const t = new MachineTimelines({ perMachine: 3 });
  for (let n = 0; n < 5; n++) t.push(ev('aa', n));
  t.push(ev('bb', 100));
  assert.deepEqual(t.of('aa').map((e) => e.msg), ['event 2', 'event 3', 'event 4']);
  assert.deepEqual(t.of('bb').map((e) => e.msg), ['event 100']);
  assert.deepEqual(t.of('cc'), []);
});

test('events without a MAC and the API\'s own events are not a machine\'s', () => {
  const t = new MachineTimelines();
  t.push(ev(undefined, 1));
  t.push(ev('aa', 2, 'api.request'));
  assert.equal(t.size, 0);
});

test('a flood of new MACs forgets the machine heard from least recently, never more than maxMachines', () => {
  const t = new MachineTimelines({ maxMachines: 3, perMachine: 2 });
  t.push(ev('m1', 1));
  t.push(ev('m2', 2));
  t.push(ev('m3', 3));
  t.push(ev('m1', 4)); // m1 is now the most recent
  t.push(ev('m4', 5)); // forgets m2
  assert.equal(t.size, 3);
  assert.deepEqual(t.of('m2'), []);
  assert.equal(t.of('m1').length, 2);
  for (let n = 0; n < 10_000; n++) t.push(ev(`x${n}`, n));
  assert.equal(t.size, 3);
});

test('events in all stay under maxEvents: the quietest machines go first', () => {
  const t = new MachineTimelines({ perMachine: 10, maxEvents: 25 });
  for (let n = 0; n < 10; n++) t.push(ev('a', n));
  for (let n = 0; n < 10; n++) t.push(ev('b', n));
  for (let n = 0; n < 10; n++) t.push(ev('c', n));
  assert.deepEqual(t.of('a'), []);
  assert.equal(t.of('b').length, 10);
  assert.equal(t.of('c').length, 10);
  for (let n = 0; n < 1000; n++) t.push(ev(`m${n % 7}`, n));
  const total = ['b', 'c', ...Array.from({ length: 7 }, (_, i) => `m${i}`)].reduce((sum, m) => sum + t.of(m).length, 0);
  assert.ok(total <= 25, `kept ${total}`);
});

test('long strings (a 16 KB request line from anyone) are cut to 256 characters when kept', () => {
  const t = new MachineTimelines();
  const long = 'x'.repeat(16_000);
  t.push({ ...ev('aa', 1, 'http.request'), msg: `GET /${long} 404`, data: { path: `/${long}`, status: 404, agent: 'curl' } });
  const [e] = t.of('aa');
  assert.equal(e!.msg.length, 256);
  assert.equal(String(e!.data!.path).length, 256);
  assert.equal(e!.data!.status, 404);
  assert.equal(e!.data!.agent, 'curl');
  const short = ev('bb', 2);
  t.push(short);
  assert.equal(t.of('bb')[0], short, 'a short event is kept as it is, without a copy');
});

test('recentMacs lists the machine heard from last first, even one not moved in the Map order', () => {
  const t = new MachineTimelines();
  ['52:54:00:00:00:0a', '52:54:00:00:00:0b', '52:54:00:00:00:0c', '52:54:00:00:00:0d', '52:54:00:00:00:0c'].forEach((mac, n) => t.push(ev(mac, n)));
  assert.deepEqual(t.recentMacs(2), ['52:54:00:00:00:0c', '52:54:00:00:00:0d']);
  assert.deepEqual(t.recentMacs(), ['52:54:00:00:00:0c', '52:54:00:00:00:0d', '52:54:00:00:00:0b', '52:54:00:00:00:0a']);
});

test('under churn past maxMachines the quietest machines go first, and the newest stay (eviction keeps its place in the Map)', () => {
  const t = new MachineTimelines({ maxMachines: 100, perMachine: 4 });
  const mac = (i: number): string => `52:54:00:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
  let n = 0;
  let heard = 0;
  for (let round = 0; round < 30; round++) {
    for (let i = 0; i < 300; i++) {
      t.push(ev(mac(i), n++));
      // A machine heard from every 30 others stays, whatever the churn around it.
      if (i % 30 === 29) {
        t.push(ev(mac(1000), n++));
        heard++;
      }
    }
    assert.equal(t.size, 100);
    assert.equal(t.of(mac(1000)).length, Math.min(4, heard), `round ${round}`);
    assert.equal(t.of(mac(299)).length, 1, 'the newest machine is kept');
    assert.deepEqual(t.of(mac(0)), [], 'the oldest of this round is gone');
  }
});
