/**
 * The dashboard page, run in jsdom against a real API server on loopback: it must list the
 * machines with the doctor's verdict, show one machine's diagnosis when clicked, follow the live
 * event stream, and say why when the token is refused.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';
import type { StampedEvent } from '../api/event-ring.js';
import { ADMIN_TOKEN as ADMIN, READ_TOKEN as READ, startTestApi, type TestApi } from '../api/api-test-server.js';
import { MachineTimelines } from '../events/machine-timelines.js';

let listeners: Set<(e: StampedEvent) => void>;
let api: TestApi;
let base: string;
let mac: string;

before(async () => {
  const timelines = new MachineTimelines();
  // A real boot that stopped at a 404 (captured from a VM by src/e2e/boot-full.test.ts).
  const captured = JSON.parse(readFileSync(new URL('../../test/vectors/timelines/bios-kernel-404.json', import.meta.url), 'utf8')) as { mac: string; events: StampedEvent[] };
  mac = captured.mac;
  for (const e of captured.events) timelines.push(e);
  api = await startTestApi({ timelines });
  listeners = api.live;
  base = api.url;
  const made = await fetch(`${base}/api/v1/machines/${mac}`, { method: 'PATCH', headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ hostname: 'node-d' }) });
  assert.equal(made.status, 201);
});

after(async () => {
  await api.close();
});

async function openPage(token: string | null): Promise<JSDOM> {
  return JSDOM.fromURL(`${base}/`, {
    runScripts: 'dangerously',
    resources: 'usable',
    beforeParse(window) {
      // jsdom has no fetch; give the page Node's, resolving its relative URLs against the server.
      const w = window as unknown as Record<string, unknown>;
      w['fetch'] = (input: string, init?: RequestInit) => fetch(new URL(input, base), init);
      w['AbortController'] = AbortController;
      w['TextDecoder'] = TextDecoder;
      if (token !== null) window.sessionStorage.setItem('bootfleet-token', token);
    },
  });
}

async function until<T>(probe: () => T | null | undefined | false, what: string, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function stop(dom: JSDOM): void {
  const api = (dom.window as unknown as { bootfleetDashboard?: { stop(): void } }).bootfleetDashboard;
  api?.stop();
  dom.window.close();
}

test('lists the machines with the doctor\'s verdict, shows a diagnosis on click, and follows live events', async () => {
  const dom = await openPage(READ);
  const doc = dom.window.document;
  try {
    const row = await until(() => doc.querySelector<HTMLTableRowElement>(`#machines tbody tr[data-mac="${mac}"]`), 'the machine row');
    const cells = [...row.querySelectorAll('td')].map((td) => td.textContent);
    assert.equal(cells[0], mac);
    assert.equal(cells[2], 'node-d');
    assert.equal(cells[6], 'stopped at script');
    assert.match(doc.getElementById('status')!.textContent!, /connected: 1 machines/);

    row.dispatchEvent(new dom.window.MouseEvent('click', { bubbles: true }));
    await until(() => /404/.test(doc.getElementById('diagnosis')!.textContent ?? ''), 'the diagnosis');
    assert.match(doc.getElementById('diagnosis')!.textContent!, /stopped at script — HTTP \/vmlinuz-typo answered 404/);
    assert.match(doc.getElementById('hint')!.textContent!, /^Check: the file is not under http\.root/);
    assert.ok(doc.querySelectorAll('#steps li.bad').length >= 1);

    await until(() => listeners.size > 0, 'the page to open the live stream');
    for (const l of listeners) l({ time: new Date().toISOString(), kind: 'dhcp.discover', level: 'info', mac, msg: 'DISCOVER from the live test' });
    await until(() => /DISCOVER from the live test/.test(doc.getElementById('feed')!.textContent ?? ''), 'the live event in the feed');
    // Text from the network (a hostname, a path, a message) is shown as text, never as markup.
    const hostile = '<img src=x onerror="window.pwned=1">';
    for (const l of listeners) l({ time: new Date().toISOString(), kind: 'http.request', level: 'warn', mac, msg: `GET /${hostile} 404` });
    await until(() => (doc.getElementById('feed')!.textContent ?? '').includes(hostile), 'the hostile text, as text');
    assert.equal(doc.querySelectorAll('#feed img').length, 0);
  } finally {
    stop(dom);
  }
  await until(() => listeners.size === 0, 'the stream to close with the page');
});

test('without a token the page waits; with a wrong one it says the API refused it', async () => {
  const none = await openPage(null);
  try {
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(none.window.document.getElementById('status')!.textContent, 'not connected');
  } finally {
    stop(none);
  }
  const wrong = await openPage('not-a-known-token-123');
  try {
    await until(() => /^401 /.test(wrong.window.document.getElementById('status')!.textContent ?? ''), 'the refusal');
    assert.match(wrong.window.document.getElementById('status')!.textContent!, /401 the bearer token is not known/);
  } finally {
    stop(wrong);
  }
});

test('the script never builds markup from strings', () => {
  const script = readFileSync(new URL('../../src/dashboard/dashboard.js', import.meta.url), 'utf8');
  assert.doesNotMatch(script, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
});

test('the page, script and style are served without a token, under a strict Content-Security-Policy', async () => {
  for (const [path, type] of [['/', 'text/html'], ['/dashboard.js', 'text/javascript'], ['/dashboard.css', 'text/css']] as const) {
    const res = await fetch(base + path);
    assert.equal(res.status, 200, path);
    assert.match(res.headers.get('content-type') ?? '', new RegExp(type));
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'self'/);
    await res.text();
  }
});
