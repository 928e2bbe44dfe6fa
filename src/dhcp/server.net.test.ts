/**
 * The DHCP server over real sockets with a real client (busybox udhcpc), inside network
 * namespaces this test creates (198.18.0.0/15 only), torn down afterwards.
 *
 *   [client-a eth0] ──veth── [s0 198.18.10.1/24 | server | s1 198.18.11.1/24] ──veth── [client-b eth0]
 *
 * The server is configured for s0 only; s1 has an address and even a subnet in the config,
 * so only the interface binding keeps the server from answering there.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { Netns, vethPair, destroyAll, canUseNetns } from '../lab/netns.js';
import { Lines } from './child-lines.js';

const here = dirname(fileURLToPath(import.meta.url));
const standalone = join(here, 'serve-standalone.js');
const skip = canUseNetns() ? false : 'needs root and iproute2 (network namespaces)';

const MAC_A = '52:54:00:10:00:0a';
const MAC_B = '52:54:00:10:00:0b';
const MAC_RESERVED = '52:54:00:10:00:ee';
const MAC_LATE = '52:54:00:10:00:0c';

interface Stats {
  received: number;
  replied: number;
  dropped: number;
}

describe('DhcpServer over real sockets with udhcpc', { skip }, () => {
  let work: string;
  let script: string;
  let server: Netns;
  let clientA: Netns;
  let clientB: Netns;
  let proc: ChildProcess | null = null;
  let lines: Lines;
  const config = (dataDir: string): string =>
    JSON.stringify({
      dataDir,
      interfaces: [{ name: 's0' }],
      dhcp: {
        subnets: [
          { subnet: '198.18.10.0/24', pools: [{ start: '198.18.10.100', end: '198.18.10.110' }], router: '198.18.10.1', leaseTime: 3600 },
          { subnet: '198.18.11.0/24', pools: [{ start: '198.18.11.100', end: '198.18.11.110' }] },
        ],
        reservations: [{ mac: MAC_RESERVED, address: '198.18.10.50', hostname: 'reserved1' }],
      },
    });

  async function startServer(): Promise<void> {
    const child = server.spawn('node', [standalone, '--config', config(join(work, 'data'))], { stdio: ['ignore', 'pipe', 'inherit'] });
    proc = child;
    lines = new Lines(child);
    await lines.wait((l) => l === 'ready', 15_000);
  }

  async function stopServer(): Promise<void> {
    if (proc) await server.stop(proc);
    proc = null;
  }

  async function stats(): Promise<Stats> {
    assert.ok(proc?.pid);
    const from = lines.all.length;
    process.kill(proc.pid, 'SIGUSR2');
    const line = await lines.wait((l) => l.startsWith('stats '), 5000, from);
    return JSON.parse(line.slice('stats '.length)) as Stats;
  }

  function setMac(ns: Netns, mac: string): void {
    ns.run('ip', ['link', 'set', 'eth0', 'down']);
    ns.run('ip', ['addr', 'flush', 'dev', 'eth0']);
    ns.run('ip', ['link', 'set', 'eth0', 'address', mac]);
    ns.run('ip', ['link', 'set', 'eth0', 'up']);
  }

  /** One udhcpc run to a lease (or failure); returns the script's lines. */
  function udhcpcOnce(ns: Netns): { ok: boolean; out: string } {
    try {
      const out = ns.run('udhcpc', ['-i', 'eth0', '-f', '-q', '-n', '-t', '3', '-T', '1', '-s', script], { timeoutMs: 20_000 });
      return { ok: true, out };
    } catch (err) {
      const e = err as { stdout?: string };
      return { ok: false, out: e.stdout ?? '' };
    }
  }

  function boundIp(out: string): string {
    const m = /^EVENT (?:bound|renew) ip=(\S+)/m.exec(out);
    assert.ok(m?.[1], `udhcpc got no lease; output:\n${out}`);
    return m[1];
  }

  function inPool(ip: string): boolean {
    const last = Number(ip.split('.')[3]);
    return ip.startsWith('198.18.10.') && last >= 100 && last <= 110;
  }

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'bootfleet-dhcp-'));
    script = join(work, 'udhcpc.sh');
    // Print what udhcpc learned and configure the address, so a renewal can be unicast from it.
    writeFileSync(
      script,
      `#!/bin/sh
echo "EVENT $1 ip=$ip mask=$mask router=$router lease=$lease serverid=$serverid hostname=$hostname"
case "$1" in
  bound|renew) ip addr flush dev "$interface"; ip addr add "$ip/$mask" dev "$interface" ;;
  deconfig) ip addr flush dev "$interface" ;;
esac
exit 0
`,
    );
    chmodSync(script, 0o755);
    server = Netns.create('dhcp-s');
    clientA = Netns.create('dhcp-a');
    clientB = Netns.create('dhcp-b');
    vethPair(server, 's0', '198.18.10.1/24', clientA, 'eth0', null);
    vethPair(server, 's1', '198.18.11.1/24', clientB, 'eth0', null);
    setMac(clientA, MAC_A);
    await startServer();
  });

  after(async () => {
    await stopServer();
    await destroyAll();
    rmSync(work, { recursive: true, force: true });
  });

  let addrA = '';
  let addrB = '';

  test('a client gets a lease from the pool', () => {
    const r = udhcpcOnce(clientA);
    addrA = boundIp(r.out);
    assert.ok(inPool(addrA), addrA);
    assert.match(r.out, /router=198\.18\.10\.1 lease=3600 serverid=198\.18\.10\.1/);
  });

  test('renewing (SIGUSR1) keeps the address', async () => {
    const child = clientA.spawn('udhcpc', ['-i', 'eth0', '-f', '-n', '-t', '3', '-T', '1', '-s', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    const out = new Lines(child);
    try {
      const bound = await out.wait((l) => l.startsWith('EVENT bound'), 15_000);
      assert.equal(boundIp(bound), addrA);
      const from = out.all.length;
      assert.ok(child.pid);
      const acksBefore = lines.all.filter((l) => l.includes('"dhcp.ack"')).length;
      process.kill(child.pid, 'SIGUSR1');
      const renew = await out.wait((l) => l.startsWith('EVENT renew'), 15_000, from);
      assert.equal(boundIp(renew), addrA);
      const ack = await lines.wait((l) => l.includes('"dhcp.ack"') && l.includes('"renewing"'), 5000);
      assert.ok(ack);
      assert.ok(lines.all.filter((l) => l.includes('"dhcp.ack"')).length > acksBefore);
    } finally {
      await clientA.stop(child);
    }
  });

  test('a second MAC gets a different address', () => {
    setMac(clientA, MAC_B);
    addrB = boundIp(udhcpcOnce(clientA).out);
    assert.ok(inPool(addrB), addrB);
    assert.notEqual(addrB, addrA);
  });

  test('a reservation gets its address and hostname', () => {
    setMac(clientA, MAC_RESERVED);
    const r = udhcpcOnce(clientA);
    assert.equal(boundIp(r.out), '198.18.10.50');
    assert.match(r.out, /hostname=reserved1/);
  });

  test('the server answers only on its configured interface', async () => {
    const before = await stats();
    setMac(clientB, MAC_LATE);
    const r = udhcpcOnce(clientB);
    assert.equal(r.ok, false, `udhcpc on the unconfigured interface got: ${r.out}`);
    assert.doesNotMatch(r.out, /EVENT bound/);
    const after = await stats();
    assert.equal(after.received, before.received, 'no datagram from s1 reached the server');
  });

  test('malformed datagrams are dropped and counted; a good client is served afterwards', async () => {
    setMac(clientA, MAC_A);
    assert.equal(boundIp(udhcpcOnce(clientA).out), addrA);
    const before = await stats();
    // Random bytes, a truncated header, a DHCP header with a bad cookie, a BOOTREPLY.
    const sender = `
      const dgram = require('node:dgram');
      const s = dgram.createSocket('udp4');
      const good = Buffer.alloc(300); good[0] = 1; good[1] = 1; good[2] = 6; good.writeUInt32BE(0x63825363, 236); good[240] = 53; good[241] = 1; good[242] = 1; good[243] = 255;
      const reply = Buffer.from(good); reply[0] = 2;
      const badCookie = Buffer.from(good); badCookie.writeUInt32BE(0xdeadbeef, 236);
      const payloads = [require('node:crypto').randomBytes(57), good.subarray(0, 100), badCookie, reply, Buffer.alloc(0)];
      let n = 0;
      for (const p of payloads) s.send(p, 67, '198.18.10.1', () => { if (++n === payloads.length) s.close(); });
    `;
    clientA.run('node', ['-e', sender]);
    const deadline = Date.now() + 5000;
    let after = await stats();
    while (after.dropped - before.dropped < 5 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      after = await stats();
    }
    assert.equal(after.received - before.received, 5);
    assert.equal(after.dropped - before.dropped, 5);
    assert.ok(lines.all.some((l) => l.includes('"dhcp.drop"') && l.includes('DHCP_TRUNCATED')));
    assert.ok(lines.all.some((l) => l.includes('"dhcp.drop"') && l.includes('DHCP_NOT_REQUEST')));
    setMac(clientA, MAC_B);
    assert.equal(boundIp(udhcpcOnce(clientA).out), addrB);
  });

  test('leases survive a server restart', async () => {
    await stopServer();
    await startServer();
    // Had the store been lost, the lowest free address would go to whoever asks first.
    setMac(clientA, MAC_B);
    assert.equal(boundIp(udhcpcOnce(clientA).out), addrB);
    setMac(clientA, MAC_A);
    assert.equal(boundIp(udhcpcOnce(clientA).out), addrA);
  });
});
