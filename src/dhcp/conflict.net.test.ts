/**
 * Address conflict detection over real sockets (an AF_PACKET ARP socket, real kernels
 * answering ARP, busybox udhcpc), inside namespaces this test creates (198.18.0.0/15 only):
 *
 *   [server ns: br0 198.18.20.1/24, bootfleet] ─┬─veth── [client ns: eth0, udhcpc + tcpdump]
 *                                               └─veth── [squatter ns: eth0 198.18.20.100/24, static]
 *
 * The pool starts at 198.18.20.100, which the squatter has configured by hand: its kernel
 * answers ARP for it. DISCOVER→OFFER is timed from a capture in the client's namespace.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { Netns, vethPair, bridge, destroyAll, canUseNetns } from '../lab/netns.js';
import { startCapture } from '../lab/tcpdump.js';
import { startDnsmasq } from '../lab/dnsmasq.js';
import { readPcap } from '../lab/pcap.js';
import { decodeDhcp } from '../wire/dhcp/codec.js';
import { getMessageType } from '../wire/dhcp/options.js';
import { MessageType } from '../wire/dhcp/packet.js';
import { Lines } from './child-lines.js';

const here = dirname(fileURLToPath(import.meta.url));
const standalone = join(here, 'serve-standalone.js');
const skip = canUseNetns() ? false : 'needs root and iproute2 (network namespaces)';

const SQUATTER_MAC = '52:54:00:20:00:99';
const SQUATTED = '198.18.20.100';

interface ConflictStats {
  probes: number;
  conflicts: number;
  skipped: number;
  naks: number;
}

describe('DHCP address conflict detection over real sockets', { skip }, () => {
  let work: string;
  let script: string;
  let server: Netns;
  let client: Netns;
  let squatter: Netns;
  let proc: ChildProcess | null = null;
  let lines: Lines;
  let run = 0;

  const config = (dataDir: string, conflictDetection: boolean): string =>
    JSON.stringify({
      dataDir,
      interfaces: [{ name: 'br0' }],
      // The start-up rogue probe is the app's job, not serve-standalone's.
      dhcp: {
        conflictDetection,
        subnets: [{ subnet: '198.18.20.0/24', pools: [{ start: '198.18.20.100', end: '198.18.20.120' }], router: '198.18.20.1', leaseTime: 3600 }],
      },
    });

  async function startServer(opts: { conflictDetection: boolean; preprobe?: number }): Promise<void> {
    // A test that failed half-way left its server running: two servers would share the wire.
    await stopServer();
    const args = [standalone, '--config', config(join(work, `data-${run++}`), opts.conflictDetection)];
    if (opts.preprobe !== undefined) args.push('--preprobe', String(opts.preprobe));
    const child = server.spawn('node', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    proc = child;
    lines = new Lines(child);
    await lines.wait((l) => l === 'ready', 15_000);
  }

  async function stopServer(): Promise<void> {
    if (proc) await server.stop(proc);
    proc = null;
  }

  async function conflictStats(): Promise<ConflictStats> {
    assert.ok(proc?.pid);
    const from = lines.all.length;
    process.kill(proc.pid, 'SIGUSR2');
    const line = await lines.wait((l) => l.startsWith('stats '), 5000, from);
    const stats = JSON.parse(line.slice('stats '.length)) as { conflicts?: ConflictStats };
    assert.ok(stats.conflicts, 'conflict detection is running');
    return stats.conflicts;
  }

  let macCounter = 0x10;
  function freshClientMac(): string {
    const mac = `52:54:00:20:00:${(macCounter++).toString(16).padStart(2, '0')}`;
    client.run('ip', ['link', 'set', 'eth0', 'down']);
    client.run('ip', ['addr', 'flush', 'dev', 'eth0']);
    client.run('ip', ['link', 'set', 'eth0', 'address', mac]);
    client.run('ip', ['link', 'set', 'eth0', 'up']);
    return mac;
  }

  /**
   * One udhcpc run to a lease, captured: the bound address, and milliseconds from the first
   * DISCOVER to the first OFFER answering it, as seen on the client's wire.
   */
  async function lease(name: string): Promise<{ ip: string; offerMs: number; out: string }> {
    const pcap = join(work, `${name}.pcap`);
    const cap = await startCapture(client, 'eth0', pcap, 'udp port 67 or udp port 68');
    let out = '';
    try {
      out = client.run('udhcpc', ['-i', 'eth0', '-f', '-q', '-n', '-t', '5', '-T', '1', '-s', script], { timeoutMs: 30_000 });
    } catch (err) {
      out = (err as { stdout?: string }).stdout ?? '';
    } finally {
      await cap.stop();
    }
    const m = /^EVENT bound ip=(\S+)/m.exec(out);
    assert.ok(m?.[1], `udhcpc got no lease; output:\n${out}\nserver:\n${lines.all.slice(-20).join('\n')}`);
    const parsed = readPcap(readFileSync(pcap));
    assert.ok(parsed.ok);
    let discoverAt: number | null = null;
    let xid: number | null = null;
    let offerMs: number | null = null;
    for (const r of parsed.udp) {
      const d = decodeDhcp(Buffer.from(r.payload));
      if (!d.ok) continue;
      const type = getMessageType(d.packet);
      if (type === MessageType.Discover && discoverAt === null) {
        discoverAt = r.timeUs;
        xid = d.packet.xid;
      } else if (type === MessageType.Offer && discoverAt !== null && d.packet.xid === xid && offerMs === null) {
        offerMs = (r.timeUs - discoverAt) / 1000;
      }
    }
    assert.ok(offerMs !== null, 'the capture holds a DISCOVER and its OFFER');
    return { ip: m[1], offerMs, out };
  }

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'bootfleet-conflict-'));
    script = join(work, 'udhcpc.sh');
    writeFileSync(
      script,
      `#!/bin/sh
echo "EVENT $1 ip=$ip"
exit 0
`,
    );
    chmodSync(script, 0o755);
    server = Netns.create('cfl-s');
    client = Netns.create('cfl-c');
    squatter = Netns.create('cfl-q');
    vethPair(server, 'p-client', null, client, 'eth0', null);
    vethPair(server, 'p-squat', null, squatter, 'eth0', null);
    bridge(server, 'br0', '198.18.20.1/24', ['p-client', 'p-squat']);
    squatter.run('ip', ['link', 'set', 'eth0', 'down']);
    squatter.run('ip', ['link', 'set', 'eth0', 'address', SQUATTER_MAC]);
    squatter.run('ip', ['addr', 'add', `${SQUATTED}/24`, 'dev', 'eth0']);
    squatter.run('ip', ['link', 'set', 'eth0', 'up']);
  });

  after(async () => {
    await stopServer();
    await destroyAll();
    rmSync(work, { recursive: true, force: true });
  });

  const timings: Record<string, number[]> = { guardOff: [], guardOn: [] };
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

  test('pre-probe: the squatted lowest address is found before any client asks; the client gets the next one, promptly', async () => {
    await startServer({ conflictDetection: true });
    const found = await lines.wait((l) => l.includes('"dhcp.conflict"'), 10_000);
    const event = JSON.parse(found.slice('event '.length)) as { mac: string; data: { ip: string; marked: boolean } };
    assert.equal(event.mac, SQUATTER_MAC);
    assert.equal(event.data.ip, SQUATTED);
    assert.equal(event.data.marked, true);
    freshClientMac();
    const got = await lease('preprobe');
    assert.notEqual(got.ip, SQUATTED);
    assert.equal(got.ip, '198.18.20.101');
    assert.ok(got.offerMs < 500, `DISCOVER→OFFER ${got.offerMs} ms`);
    timings.guardOn?.push(got.offerMs);
    assert.equal(lines.events('dhcp.offer').filter((e) => e.data?.['ip'] === SQUATTED).length, 0, 'the squatted address was never offered');
    const stats = await conflictStats();
    assert.equal(stats.conflicts, 1);
    assert.ok(stats.probes >= 4, `probes ${stats.probes}`);
    await stopServer();
  });

  test('recheck on offer (pre-probe off): the squatted address is offered at once, its REQUEST NAKed, and the client ends on another', async () => {
    await startServer({ conflictDetection: true, preprobe: 0 });
    freshClientMac();
    const got = await lease('recheck');
    assert.notEqual(got.ip, SQUATTED, `client bound the squatted address; server:\n${lines.all.join('\n')}`);
    assert.ok(got.offerMs < 500, `DISCOVER→OFFER ${got.offerMs} ms`);
    timings.guardOn?.push(got.offerMs);
    assert.ok(lines.events('dhcp.offer').some((e) => e.data?.['ip'] === SQUATTED), 'the first offer was the squatted address: nothing waited for the probe');
    const conflicts = lines.events('dhcp.conflict');
    assert.equal(conflicts.length, 1);
    assert.equal(conflicts[0]?.mac, SQUATTER_MAC);
    // Marked in the store before the REQUEST came (the store's verdict), or known only to the
    // guard yet (its own NAK): either way the REQUEST is refused.
    assert.ok(lines.events('dhcp.nak').some((e) => String(e.data?.['reason']).includes(SQUATTED)));
    assert.equal(lines.events('dhcp.ack').filter((e) => e.data?.['ip'] === SQUATTED).length, 0);
    await stopServer();
  });

  test('without a squatter nothing is marked, and offers take as long as with detection off', async () => {
    squatter.run('ip', ['addr', 'flush', 'dev', 'eth0']);
    await startServer({ conflictDetection: true });
    // Let the first pre-probe pass finish (1 s timeout per probe).
    await new Promise((r) => setTimeout(r, 1500));
    for (let i = 0; i < 3; i++) {
      freshClientMac();
      const got = await lease(`clean-on-${i}`);
      assert.equal(got.ip, `198.18.20.${100 + i}`, lines.all.join('\n'));
      timings.guardOn?.push(got.offerMs);
    }
    assert.deepEqual(lines.events('dhcp.conflict'), []);
    const stats = await conflictStats();
    assert.equal(stats.conflicts, 0);
    assert.ok(stats.probes >= 4, `probes ${stats.probes}`);
    await stopServer();

    await startServer({ conflictDetection: false });
    for (let i = 0; i < 3; i++) {
      freshClientMac();
      const got = await lease(`clean-off-${i}`);
      timings.guardOff?.push(got.offerMs);
    }
    await stopServer();
    assert.ok(median(timings.guardOn ?? []) < 500 && median(timings.guardOff ?? []) < 500);
  });

  test('for comparison, dnsmasq with its default ping: the first offer waits for the ping', async () => {
    const dnsmasq = await startDnsmasq({ ns: server, iface: 'br0', logDir: join(work, 'dnsmasq'), args: ['--dhcp-range=198.18.20.100,198.18.20.120,1h'] });
    let dnsmasqMs: number;
    try {
      freshClientMac();
      dnsmasqMs = (await lease('dnsmasq')).offerMs;
    } finally {
      await dnsmasq.stop();
    }
    const on = median(timings.guardOn ?? []);
    const off = median(timings.guardOff ?? []);
    // For the report: the same machine, the same run.
    console.log(
      `conflict.net: DISCOVER→OFFER median ${on.toFixed(1)} ms with bootfleet's detection (${timings.guardOn?.map((x) => x.toFixed(1)).join(', ')}), ` +
        `${off.toFixed(1)} ms without (${timings.guardOff?.map((x) => x.toFixed(1)).join(', ')}), dnsmasq with its ping ${dnsmasqMs.toFixed(0)} ms`,
    );
    assert.ok(dnsmasqMs > 10 * on, `dnsmasq ${dnsmasqMs} ms vs bootfleet ${on} ms`);
  });
});
