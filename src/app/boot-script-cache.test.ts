/**
 * Rendered `/boot.ipxe` scripts are answered from the cache only while they are current: over
 * real HTTP, with the admin API writing through the same CountingFleetStore the app wires, each
 * change (machine, profile, group, install mark and callback, default profile) is seen by the
 * very next request; a write the counter cannot see is seen once the entry's age runs out.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApiServer } from '../api/api-server.js';
import { EventRing } from '../api/event-ring.js';
import type { BootEvent } from '../events/boot-event.js';
import { HttpBootServer } from '../http/server.js';
import { SqliteFleetStore } from '../store/fleet-sqlite-store.js';
import { BootContent } from './boot-content.js';
import { BootScriptCache } from './boot-script-cache.js';
import { CountingFleetStore } from './counting-fleet-store.js';

const TOKEN = 'admin-token-0123456789abcdef';
const M = '52:54:00:00:0c:01';
const OTHER = '52:54:00:00:0c:02';
const MAX_AGE_MS = 400;

describe('boot script cache over HTTP', () => {
  let dir: string;
  let raw: SqliteFleetStore;
  let fleet: CountingFleetStore;
  let api: ApiServer;
  let http: HttpBootServer;
  let apiUrl: string;
  let base: string;
  const live = { defaultProfile: 'a' };
  const events: BootEvent[] = [];
  /** Fleet reads the renderer made: a request answered from the cache makes none. */
  let machineReads = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bootfleet-script-cache-'));
    raw = SqliteFleetStore.openDataDir(dir);
    fleet = new CountingFleetStore(raw);
    const getMachine = fleet.getMachine.bind(fleet);
    fleet.getMachine = (mac) => {
      machineReads++;
      return getMachine(mac);
    };
    api = new ApiServer({
      address: '127.0.0.1',
      port: 0,
      tokens: [{ name: 'ops', token: TOKEN, role: 'admin' }],
      log: { emit() {} },
      fleet,
      leases: { list: async () => [] },
      events: new EventRing(10),
      get defaultProfile() {
        return live.defaultProfile;
      },
    });
    await api.start();
    apiUrl = `http://127.0.0.1:${api.port}/api/v1`;
    const content = new BootContent({
      fleet,
      get defaultProfile() {
        return live.defaultProfile;
      },
      httpPort: 8080,
      tftpPort: 69,
      events: { emit: (e) => events.push(e) },
      fleetGeneration: () => fleet.generation,
      scriptCache: { maxAgeMs: MAX_AGE_MS },
    });
    http = new HttpBootServer({
      address: '127.0.0.1',
      port: 0,
      root: dir,
      events: { emit: (e) => events.push(e) },
      renderBootScript: (req) => content.bootScript(req.mac, req.clientIp, '198.18.0.2'),
      machineFile: (req, clientIp) => content.machineFile(req, clientIp, '198.18.0.2'),
    });
    await http.start();
    base = `http://127.0.0.1:${http.port}`;
    await call('PUT', '/profiles/a', { kernel: 'vmlinuz', cmdline: 'bf.profile=a' });
    await call('PUT', '/profiles/b', { kernel: 'vmlinuz', cmdline: 'bf.profile=b' });
    await call('PUT', '/profiles/inst', { kind: 'debian-installer', kernel: 'd-i/linux', cmdline: 'bf.profile=inst', preseed: 'd-i late string wget {{ installDoneUrl | shell }}\n' });
  });

  after(async () => {
    await http?.stop();
    await api?.stop();
    await raw?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function call(method: string, path: string, body?: unknown): Promise<void> {
    const r = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${TOKEN}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${await r.text()}`);
  }
  const script = async (mac = M): Promise<string> => (await fetch(`${base}/boot.ipxe?mac=${mac}`)).text();

  test('a repeated request is answered from the cache, with its http.script event each time', async () => {
    assert.match(await script(), /bf\.profile=a/);
    const reads = machineReads;
    const since = events.length;
    for (let i = 0; i < 5; i++) assert.match(await script(), /bf\.profile=a/);
    assert.equal(machineReads, reads, 'no fleet read for a cached script');
    assert.equal(events.slice(since).filter((e) => e.kind === 'http.script' && e.mac === M).length, 5);
    assert.equal(events.slice(since).filter((e) => e.kind === 'http.request' && e.mac === M).length, 5);
  });

  test('a machine given another profile over the API: the next request gets it', async () => {
    assert.match(await script(), /bf\.profile=a/);
    await call('PATCH', `/machines/${M}`, { profile: 'b' });
    assert.match(await script(), /bf\.profile=b/);
  });

  test('a profile changed over the API: the next request gets the new command line', async () => {
    assert.match(await script(), /bf\.profile=b/);
    await call('PUT', '/profiles/b', { kernel: 'vmlinuz', cmdline: 'bf.profile=b2' });
    assert.match(await script(), /bf\.profile=b2/);
  });

  test('a group that takes the machine: the next request gets its profile', async () => {
    assert.match(await script(OTHER), /bf\.profile=a/);
    await call('PUT', '/groups/g', { profile: 'b', selector: { macs: [OTHER] } });
    assert.match(await script(OTHER), /bf\.profile=b2/);
  });

  test('install mark, then the installer callback: each seen by the next request', async () => {
    await call('PATCH', `/machines/${M}`, { profile: 'a' });
    await call('PUT', '/profiles/a', { kernel: 'vmlinuz', cmdline: 'bf.profile=a', install: 'inst' });
    assert.match(await script(), /bf\.profile=a/);
    await call('POST', `/machines/${M}/install`);
    const installing = await script();
    assert.match(installing, /bf\.profile=inst/);
    const preseed = await (await fetch(`${base}/preseed/${M}.cfg`)).text();
    const token = /token=([A-Za-z0-9_-]{43})/.exec(preseed)?.[1];
    assert.ok(token, preseed);
    assert.equal((await fetch(`${base}/install/${M}/done?token=${token}`)).status, 200);
    assert.match(await script(), /bf\.profile=a/, 'installed: the normal profile again');
  });

  test('a new default profile (as a config reload sets it): the next request gets it', async () => {
    const fresh = '52:54:00:00:0c:03';
    assert.match(await script(fresh), /bf\.profile=a/);
    live.defaultProfile = 'b';
    try {
      assert.match(await script(fresh), /bf\.profile=b2/);
    } finally {
      live.defaultProfile = 'a';
    }
  });

  test('a write the counter cannot see (another server, a hand edit) is seen once the entry is older than maxAgeMs', async () => {
    assert.match(await script(), /bf\.profile=a/);
    assert.ok((await raw.patchMachine(M, { profile: 'b' }, Date.now())).ok);
    assert.match(await script(), /bf\.profile=a/, 'within maxAgeMs: still the cached script');
    await new Promise((r) => setTimeout(r, MAX_AGE_MS + 100));
    assert.match(await script(), /bf\.profile=b2/);
  });
});

describe('BootScriptCache', () => {
  const script = (body: string) => ({ response: { status: 200, contentType: 'text/plain', body }, event: { kind: 'http.script', level: 'info' as const, msg: body }, carriesToken: false });

  test('an entry counts only for its generation, default profile and age', () => {
    let now = 0;
    const c = new BootScriptCache({ maxAgeMs: 100, now: () => now });
    const k = BootScriptCache.key(M, '198.18.0.10', '198.18.0.2');
    c.set(k, script('one'), 7, 'a');
    assert.equal(c.get(k, 7, 'a')?.response.body, 'one');
    assert.equal(c.get(k, 8, 'a'), undefined, 'the fleet changed');
    c.set(k, script('one'), 7, 'a');
    assert.equal(c.get(k, 7, 'b'), undefined, 'the default profile changed');
    c.set(k, script('one'), 7, 'a');
    now = 101;
    assert.equal(c.get(k, 7, 'a'), undefined, 'too old');
    assert.equal(c.size, 0, 'stale entries are dropped');
    assert.equal(c.get(BootScriptCache.key(M, '198.18.0.11', '198.18.0.2'), 7, 'a'), undefined, 'another client address is another key');
  });

  test('holds at most maxEntries, dropping the oldest', () => {
    const c = new BootScriptCache({ maxEntries: 3 });
    for (let i = 0; i < 10; i++) c.set(`k${i}`, script(String(i)), 1, 'a');
    assert.equal(c.size, 3);
    assert.equal(c.get('k6', 1, 'a'), undefined);
    assert.equal(c.get('k9', 1, 'a')?.response.body, '9');
  });
});

test('CountingFleetStore: the generation moves when a write starts and again when it ends, also when it fails', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootfleet-counting-'));
  const raw = SqliteFleetStore.openDataDir(dir);
  try {
    const fleet = new CountingFleetStore(raw);
    const g0 = fleet.generation;
    const during: number[] = [];
    const pending = fleet.patchMachine(M, { hostname: 'x' }, 1);
    during.push(fleet.generation);
    await pending;
    assert.deepEqual([during[0], fleet.generation], [g0 + 1, g0 + 2]);
    await fleet.getMachine(M);
    await fleet.listGroups();
    assert.equal(fleet.generation, g0 + 2, 'reads do not move it');
    const refused = await fleet.patchMachine(M, { profile: 'no-such-profile' }, 2);
    assert.equal(refused.ok, false);
    assert.equal(fleet.generation, g0 + 4);
  } finally {
    await raw.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
