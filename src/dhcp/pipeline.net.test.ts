/**
 * The server handles many clients at once (server.ts + keyed-queue.ts) over real sockets:
 * bursts of requests from many clients never give one address to two of them, a client's
 * own requests are handled in the order they came, and a request that waited past the
 * deadline is dropped and counted. Inside namespaces this test creates (198.18.0.0/15):
 *
 *   [relay ns: eth0 198.18.30.2/24, plays a relay on :67] ──veth── [server ns: s0 198.18.30.1/24]
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { Netns, vethPair, destroyAll, canUseNetns } from '../lab/netns.js';
import { SqliteLeaseStore } from '../store/sqlite-lease-store.js';
import type { Reply, Scenario } from './pipeline-lab-client.js';

const here = dirname(fileURLToPath(import.meta.url));
const skip = canUseNetns() ? false : 'needs root and iproute2 (network namespaces)';
const SERVER = '198.18.30.1';
const RELAY = '198.18.30.2';

function config(dataDir: string): string {
  return JSON.stringify({
    dataDir,
    interfaces: [{ name: 's0' }],
    dhcp: {
      authoritative: true,
      subnets: [{ subnet: '198.18.30.0/24', pools: [{ start: '198.18.30.10', end: '198.18.30.109' }], leaseTime: 3600 }],
    },
  });
}

describe('DhcpServer pipelining over real sockets', { skip }, () => {
  let work: string;
  let serverNs: Netns;
  let relayNs: Netns;
  let proc: ChildProcess | null = null;
  let output: string[] = [];

  async function startServer(dataDir: string, extra: string[] = []): Promise<void> {
    output = [];
    const child = serverNs.spawn('node', [join(here, 'pipeline-lab-server.js'), '--config', config(dataDir), ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
    proc = child;
    let buf = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server not ready: ${output.join('\n')}`)), 15_000);
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          output.push(buf.slice(0, nl));
          if (buf.slice(0, nl) === 'ready') {
            clearTimeout(timer);
            resolve();
          }
          buf = buf.slice(nl + 1);
        }
      });
    });
  }

  async function stats(): Promise<{ received: number; replied: number; dropped: number; stale: number }> {
    assert.ok(proc?.pid);
    const from = output.length;
    process.kill(proc.pid, 'SIGUSR2');
    for (let i = 0; i < 100; i++) {
      const line = output.slice(from).find((l) => l.startsWith('stats '));
      if (line) return JSON.parse(line.slice(6)) as { received: number; replied: number; dropped: number; stale: number };
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('no stats');
  }

  async function stopServer(): Promise<void> {
    if (proc) await serverNs.stop(proc);
    proc = null;
  }

  /** Runs a scenario; then lets the server's event lines (read while the test was blocked) arrive. */
  async function client<T>(scenario: Scenario): Promise<T> {
    const result = JSON.parse(relayNs.run('node', [join(here, 'pipeline-lab-client.js'), JSON.stringify(scenario)], { timeoutMs: 60_000 })) as T;
    await new Promise((r) => setTimeout(r, 300));
    return result;
  }

  function events(kind: string): { mac?: string; data?: Record<string, unknown> }[] {
    return output
      .filter((l) => l.startsWith('event '))
      .map((l) => JSON.parse(l.slice(6)) as { kind: string; mac?: string; data?: Record<string, unknown> })
      .filter((e) => e.kind === kind);
  }

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'bootfleet-pipeline-'));
    serverNs = Netns.create('pipe-s');
    relayNs = Netns.create('pipe-r');
    vethPair(serverNs, 's0', `${SERVER}/24`, relayNs, 'eth0', `${RELAY}/24`);
  });

  after(async () => {
    await stopServer();
    await destroyAll();
    rmSync(work, { recursive: true, force: true });
  });

  test('a burst of 150 clients on a pool of 100: 100 distinct offers and ACKs, never one address twice', async () => {
    const dataDir = join(work, 'burst');
    await startServer(dataDir);
    const r = await client<{ offers: Reply[]; acks: Reply[]; naks: Reply[] }>({ kind: 'dora', clients: 150, giaddr: RELAY, server: SERVER, waitMs: 3000 });
    await stopServer();
    assert.equal(r.offers.length, 100, 'every address offered once, the rest of the clients told nothing (exhausted)');
    assert.equal(new Set(r.offers.map((o) => o.yiaddr)).size, 100, 'no address offered to two clients');
    assert.equal(new Set(r.offers.map((o) => o.mac)).size, 100);
    assert.equal(r.acks.length, 100);
    assert.equal(r.naks.length, 0);
    assert.equal(new Set(r.acks.map((a) => a.yiaddr)).size, 100, 'no address ACKed to two clients');
    for (const a of r.acks) assert.equal(a.yiaddr, r.offers.find((o) => o.mac === a.mac)?.yiaddr, 'ACK for the offered address');
    // RFC 6842: the client identifier comes back in every reply.
    for (const a of [...r.offers, ...r.acks]) assert.equal(a.clientId, `ff${a.xid.toString(16).padStart(4, '0')}`);
    const store = SqliteLeaseStore.openDataDir(dataDir);
    const rows = (await store.list()).filter((l) => l.state === 'bound');
    await store.close();
    assert.equal(rows.length, 100);
    assert.deepEqual(new Set(rows.map((l) => l.address)), new Set(r.acks.map((a) => a.yiaddr)), 'what was ACKed is what is on disk');
  });

  test('40 clients REQUEST the same free address at once: one ACK, 39 NAKs', async () => {
    await startServer(join(work, 'contest'));
    const r = await client<{ acks: Reply[]; naks: Reply[] }>({ kind: 'contest', clients: 40, giaddr: RELAY, server: SERVER, address: '198.18.30.50', waitMs: 2000 });
    await stopServer();
    assert.equal(r.acks.length, 1);
    assert.equal(r.naks.length, 39);
  });

  test("a client's REQUEST and RELEASE sent back to back are handled in that order, for 60 clients at once", async () => {
    const dataDir = join(work, 'order');
    await startServer(dataDir);
    const r = await client<{ acks: Reply[]; naks: Reply[] }>({ kind: 'order', clients: 60, giaddr: RELAY, server: SERVER, base: '198.18.30.20', waitMs: 2000 });
    const releases = events('dhcp.release');
    await stopServer();
    assert.equal(r.acks.length, 60);
    assert.equal(releases.length, 60);
    // A RELEASE handled before its REQUEST's claim would find nothing to release.
    assert.ok(releases.every((e) => e.data?.['released'] === true), 'every RELEASE came after its ACK');
    const store = SqliteLeaseStore.openDataDir(dataDir);
    const rows = await store.list();
    await store.close();
    assert.equal(rows.length, 60);
    assert.ok(rows.every((l) => l.state === 'released'));
  });

  test('an ACK leaves only once its lease is reported on disk; an OFFER does not wait for a sync', async () => {
    // The writer reports every synced commit 700 ms late: no ACK may leave before that.
    await startServer(join(work, 'late-sync'), ['--sync-delay-ms', '700']);
    const r = await client<{ offers: Reply[]; acks: Reply[] }>({ kind: 'dora', clients: 20, giaddr: RELAY, server: SERVER, waitMs: 1500 });
    await stopServer();
    assert.equal(r.offers.length, 20);
    assert.equal(r.acks.length, 20);
    assert.ok(r.offers.every((o) => o.ms < 600), `offers answered at once: ${r.offers.map((o) => Math.round(o.ms)).join(' ')}`);
    assert.ok(r.acks.every((a) => a.ms >= 690), `every ACK waited for its sync: ${r.acks.map((a) => Math.round(a.ms)).join(' ')}`);
  });

  test('killed -9 right after an ACK: every lease ACKed is in the database', async () => {
    // REQUESTs 3 ms apart: ACKs leave over many commits, and the server dies between two.
    const dataDir = join(work, 'crash');
    await startServer(dataDir, ['--kill-after-acks', '40']);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => proc?.once('exit', (_code, signal) => resolve(signal)));
    const r = await client<{ offers: Reply[]; acks: Reply[] }>({ kind: 'dora', clients: 100, giaddr: RELAY, server: SERVER, waitMs: 1500, requestSpacingMs: 3 });
    assert.equal(await exited, 'SIGKILL');
    proc = null;
    assert.equal(r.offers.length, 100);
    assert.ok(r.acks.length >= 40 && r.acks.length < 100, `the server died mid-burst (${r.acks.length} ACKs)`);
    const store = SqliteLeaseStore.openDataDir(dataDir);
    const bound = new Map((await store.list()).filter((l) => l.state === 'bound').map((l) => [l.address, l.mac]));
    await store.close();
    for (const a of r.acks) assert.equal(bound.get(a.yiaddr), a.mac, `${a.yiaddr} was ACKed to ${a.mac}: it must be bound to it on disk`);
  });

  test('requests that waited past the deadline behind their own client are dropped and counted', async () => {
    // Each request takes ≥ 400 ms (a slow store); the third of five starts ≥ 800 ms after it came.
    await startServer(join(work, 'stale'), ['--deadline-ms', '600', '--store-delay-ms', '400']);
    const r = await client<{ offers: Reply[] }>({ kind: 'repeat', count: 5, giaddr: RELAY, server: SERVER, waitMs: 2500 });
    const s = await stats();
    const drops = events('dhcp.drop').filter((e) => e.data?.['code'] === 'DHCP_STALE');
    await stopServer();
    assert.equal(s.stale, 3, 'the third, fourth and fifth');
    assert.equal(drops.length, 3);
    assert.equal(r.offers.length, 2);
  });
});
