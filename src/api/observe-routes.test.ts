/**
 * The live event stream (Server-Sent Events) and the fleet-wide doctor, over a real API server
 * on loopback.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StampedEvent } from './event-ring.js';
import { sseEvents } from './sse-reader.js';
import { READ_TOKEN as TOKEN, startTestApi, type TestApi } from './api-test-server.js';
import { MachineTimelines } from '../events/machine-timelines.js';

let listeners: Set<(e: StampedEvent) => void>;
const timelines = new MachineTimelines();
let api: TestApi;
let base: string;

const emit = (e: Omit<StampedEvent, 'time'>): void => {
  const stamped = { time: new Date().toISOString(), ...e };
  timelines.push(stamped);
  for (const l of listeners) l(stamped);
};
const auth = { Authorization: `Bearer ${TOKEN}` };

before(async () => {
  api = await startTestApi({ timelines });
  listeners = api.live;
  base = api.url;
});

after(async () => {
  await api.close();
});

/** Reads SSE events until `count` arrived. */
async function readEvents(res: Response, count: number): Promise<{ event: string; data: StampedEvent }[]> {
  const out: { event: string; data: StampedEvent }[] = [];
  for await (const e of sseEvents(res.body!)) {
    out.push({ event: e.event, data: JSON.parse(e.data) as StampedEvent });
    if (out.length === count) break;
  }
  return out;
}

test('the stream carries events as they happen, only the asked-for MAC with ?mac=, never the API\'s own', async () => {
  const ctrl = new AbortController();
  const res = await fetch(`${base}/api/v1/events/stream?mac=52-54-00-AA-00-01`, { headers: auth, signal: ctrl.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const reading = readEvents(res, 2);
  emit({ kind: 'dhcp.discover', level: 'info', mac: '52:54:00:aa:00:02', msg: 'other machine' });
  emit({ kind: 'api.request', level: 'info', mac: '52:54:00:aa:00:01', msg: 'the API itself' });
  emit({ kind: 'dhcp.discover', level: 'info', mac: '52:54:00:aa:00:01', msg: 'one' });
  emit({ kind: 'dhcp.offer', level: 'info', mac: '52:54:00:aa:00:01', msg: 'two\nlines' });
  const got = await reading;
  assert.deepEqual(got.map((g) => [g.event, g.data.msg]), [['boot', 'one'], ['boot', 'two\nlines']]);
  ctrl.abort();
});

test('a closed stream lets go of its listener; one token may hold 4 streams at once', async () => {
  await until(() => listeners.size === 0);
  const ctrls: AbortController[] = [];
  for (let i = 0; i < 4; i++) {
    const c = new AbortController();
    const r = await fetch(`${base}/api/v1/events/stream`, { headers: auth, signal: c.signal });
    assert.equal(r.status, 200);
    ctrls.push(c);
  }
  assert.equal(listeners.size, 1, 'one listener on the event source, however many streams');
  const refused = await fetch(`${base}/api/v1/events/stream`, { headers: auth });
  assert.equal(refused.status, 503);
  const body = (await refused.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'API_BUSY');
  assert.match(body.error.message, /has 4 live event streams open/);
  for (const c of ctrls) c.abort();
  await until(() => listeners.size === 0);
  const again = new AbortController();
  assert.equal((await fetch(`${base}/api/v1/events/stream`, { headers: auth, signal: again.signal })).status, 200);
  again.abort();
});

test('debug events only with ?level=debug', async () => {
  await until(() => listeners.size === 0);
  const quiet = await fetch(`${base}/api/v1/events/stream`, { headers: auth });
  const loud = await fetch(`${base}/api/v1/events/stream?level=debug`, { headers: auth });
  const fromQuiet = readEvents(quiet, 1);
  const fromLoud = readEvents(loud, 2);
  await until(() => listeners.size === 1);
  emit({ kind: 'dhcp.silent', level: 'debug', mac: '52:54:00:aa:00:03', msg: 'debug one' });
  emit({ kind: 'dhcp.discover', level: 'info', mac: '52:54:00:aa:00:03', msg: 'info one' });
  assert.deepEqual((await fromQuiet).map((e) => e.data.msg), ['info one']);
  assert.deepEqual((await fromLoud).map((e) => e.data.msg), ['debug one', 'info one']);
  assert.equal((await fetch(`${base}/api/v1/events/stream?level=loud`, { headers: auth })).status, 400);
});

test('GET /api/v1/doctor: one diagnosis per machine heard from, the most recent first', async () => {
  const res = await fetch(`${base}/api/v1/doctor?limit=2`, { headers: auth });
  assert.equal(res.status, 200);
  const list = (await res.json()) as { mac: string; stage: string }[];
  assert.deepEqual(list.map((d) => d.mac), ['52:54:00:aa:00:03', '52:54:00:aa:00:01']);
  assert.equal((await fetch(`${base}/api/v1/doctor?limit=0`, { headers: auth })).status, 400);
});

async function until(probe: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
