/**
 * bootfleet in proxy mode beside dnsmasq as the LAN's DHCP server (addresses only), over real
 * sockets, inside namespaces this test creates (198.18.0.0/24 only), torn down afterwards.
 *
 *   [srv ns]  bf0 198.18.0.2  bootfleet serve-standalone, mode proxy ──┐
 *   [lan ns]  br0 (no address) ─────────────────────────────────────────┤
 *   [router]  eth0 198.18.0.1 dnsmasq --dhcp-range=198.18.0.100,198.18.0.150 ──┤
 *   [client]  eth0 (address only when a test gives it one): raw probes, udhcpc ─┘
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { canUseNetns, destroyAll, type Netns } from '../lab/netns.js';
import { addClientNs, bootLab, type Lab } from '../lab/topology.js';
import { startDnsmasq, type Dnsmasq } from '../lab/dnsmasq.js';
import { readTextSafe, waitForOutput } from '../lab/wait-output.js';
import type { DhcpProbeResult, DhcpProbeSpec } from '../lab/dhcp-probe.js';
import { decodeDhcp, encodeDhcp } from '../wire/dhcp/codec.js';
import { getIp, getMessageType, getString } from '../wire/dhcp/options.js';
import { FLAG_BROADCAST, MessageType, type DhcpPacket } from '../wire/dhcp/packet.js';
import { decodePxeVendorOptions } from '../wire/dhcp/pxe-options.js';
import { edk2ProxyRequest, ipxeProxyRequest, vector } from './proxy-vectors.js';

const here = dirname(fileURLToPath(import.meta.url));
const standalone = join(here, 'serve-standalone.js');
const probeScript = join(here, '..', 'lab', 'dhcp-probe.js');
const skip = canUseNetns() ? false : 'needs root and iproute2 (network namespaces)';

const SERVER = '198.18.0.2';
const ROUTER = '198.18.0.1';
const UEFI_MAC = '52:54:00:bf:00:02';
const UDHCPC_MAC = '52:54:00:bf:00:10';

interface Reply {
  from: string;
  port: number;
  packet: DhcpPacket;
}

function inRange(ip: string): boolean {
  const last = Number(ip.split('.')[3]);
  return ip.startsWith('198.18.0.') && last >= 100 && last <= 150;
}

describe('proxyDHCP beside dnsmasq over real sockets', { skip }, () => {
  let work: string;
  let lab: Lab;
  let router: Netns;
  let client: Netns;
  let dnsmasq: Dnsmasq;
  let bootfleet: ChildProcess;
  let log: string;

  function events(): Array<{ kind: string; mac?: string; data?: Record<string, unknown> }> {
    return readTextSafe(log)
      .split('\n')
      .filter((l) => l.startsWith('event '))
      .map((l) => JSON.parse(l.slice('event '.length)) as { kind: string; mac?: string; data?: Record<string, unknown> });
  }

  async function stats(): Promise<{ received: number; replied: number; dropped: number }> {
    const before = readTextSafe(log).split('\n').filter((l) => l.startsWith('stats ')).length;
    assert.ok(bootfleet.pid);
    process.kill(bootfleet.pid, 'SIGUSR2');
    const deadline = Date.now() + 5000;
    for (;;) {
      const lines = readTextSafe(log).split('\n').filter((l) => l.startsWith('stats '));
      if (lines.length > before) return JSON.parse(lines[lines.length - 1]!.slice('stats '.length)) as { received: number; replied: number; dropped: number };
      assert.ok(Date.now() < deadline, 'no stats line');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  function probe(spec: DhcpProbeSpec): Reply[] {
    const out = client.run('node', [probeScript, JSON.stringify(spec)], { timeoutMs: spec.listenMs + 15_000 });
    const result = JSON.parse(out) as DhcpProbeResult;
    return result.received.map((r) => {
      const d = decodeDhcp(Buffer.from(r.hex, 'hex'));
      assert.ok(d.ok, `undecodable reply from ${r.from}:${r.port}`);
      return { from: r.from, port: r.port, packet: d.packet };
    });
  }

  function setMac(mac: string): void {
    client.run('ip', ['link', 'set', 'eth0', 'down']);
    client.run('ip', ['addr', 'flush', 'dev', 'eth0']);
    client.run('ip', ['link', 'set', 'eth0', 'address', mac]);
    client.run('ip', ['link', 'set', 'eth0', 'up']);
  }

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'bootfleet-proxy-'));
    chmodSync(work, 0o755);
    lab = await bootLab({ taps: 0 });
    router = addClientNs(lab, 'router');
    router.run('ip', ['addr', 'add', `${ROUTER}/24`, 'dev', 'eth0']);
    router.run('ip', ['link', 'set', 'eth0', 'up']);
    client = addClientNs(lab, 'client', UEFI_MAC);
    client.run('ip', ['link', 'set', 'eth0', 'up']);
    // The LAN's router: addresses only, no boot options. --no-ping skips dnsmasq's ≈3 s probe
    // before each first offer (lab notes, pitfall 8); it changes nothing a proxy sees.
    dnsmasq = await startDnsmasq({
      ns: router,
      iface: 'eth0',
      logDir: join(work, 'dnsmasq'),
      args: ['--dhcp-range=198.18.0.100,198.18.0.150,1h', '--no-ping'],
    });
    log = join(work, 'bootfleet.log');
    const config = {
      dataDir: join(work, 'data'),
      interfaces: [{ name: lab.serverIf, mode: 'proxy' }],
      profiles: { default: { kernel: 'vmlinuz', initrd: ['initrd.img'] } },
    };
    const fd = openSync(log, 'w');
    bootfleet = lab.server.spawn('node', [standalone, '--config', JSON.stringify(config)], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    let gone = false;
    bootfleet.once('exit', () => (gone = true));
    await waitForOutput(log, /^ready$/m, 15_000, () => gone, 'bootfleet');
  });

  after(async () => {
    if (bootfleet) await lab.server.stop(bootfleet);
    if (dnsmasq) await dnsmasq.stop();
    if (lab) await lab.destroy();
    await destroyAll();
    rmSync(work, { recursive: true, force: true });
  });

  test('UEFI PXE DISCOVER (captured OVMF, broadcast from 68): an address from dnsmasq, boot options but no address from bootfleet', () => {
    setMac(UEFI_MAC);
    const discover = vector('ovmf-pxe-discover');
    assert.ok((discover.flags & FLAG_BROADCAST) !== 0);
    const replies = probe({ device: 'eth0', port: 68, to: { address: '255.255.255.255', port: 67 }, send: [encodeDhcp(discover).toString('hex')], listenMs: 4000, expect: 2 });
    const fromRouter = replies.filter((r) => r.from === ROUTER);
    const fromUs = replies.filter((r) => r.from === SERVER);
    assert.equal(fromRouter.length, 1, 'one OFFER from dnsmasq');
    assert.equal(fromUs.length, 1, 'one proxy OFFER from bootfleet');
    const lanOffer = fromRouter[0]!.packet;
    assert.equal(getMessageType(lanOffer), MessageType.Offer);
    assert.ok(inRange(lanOffer.yiaddr), lanOffer.yiaddr);
    const proxy = fromUs[0]!;
    assert.equal(proxy.port, 67);
    assert.equal(getMessageType(proxy.packet), MessageType.Offer);
    assert.equal(proxy.packet.xid, discover.xid);
    assert.equal(proxy.packet.yiaddr, '0.0.0.0');
    assert.equal(proxy.packet.siaddr, SERVER);
    assert.equal(proxy.packet.file, 'ipxe.efi');
    assert.equal(getString(proxy.packet.options, 60), 'PXEClient');
    assert.equal(getIp(proxy.packet.options, 54), SERVER);
    for (const code of [1, 3, 6, 51, 58, 59]) assert.equal(proxy.packet.options.has(code), false, `option ${code}`);
  });

  test('iPXE DISCOVER (captured BIOS ROM): bootfleet offers the script with 43.6 = 8', () => {
    const discover = vector('bios-ipxe-discover');
    setMac('52:54:00:bf:00:01');
    // Set the broadcast flag so that dnsmasq's offer reaches a client with no address.
    discover.flags |= FLAG_BROADCAST;
    const replies = probe({ device: 'eth0', port: 68, to: { address: '255.255.255.255', port: 67 }, send: [encodeDhcp(discover).toString('hex')], listenMs: 4000, expect: 2 });
    const proxy = replies.find((r) => r.from === SERVER)?.packet;
    assert.ok(proxy, 'a proxy offer');
    assert.equal(proxy.yiaddr, '0.0.0.0');
    assert.equal(proxy.file, `http://${SERVER}:8080/boot.ipxe?mac=52:54:00:bf:00:01`);
    assert.deepEqual(decodePxeVendorOptions(proxy.options.get(43) ?? Buffer.alloc(0)), { discoveryControl: 8 });
    assert.ok(replies.some((r) => r.from === ROUTER && inRange(r.packet.yiaddr)), 'dnsmasq offered an address');
  });

  test('EDK2 boot server REQUEST from 4011 to bootfleet:4011: the ACK comes back unicast to port 4011', () => {
    setMac(UEFI_MAC);
    const req = edk2ProxyRequest();
    client.run('ip', ['addr', 'add', `${req.ciaddr}/24`, 'dev', 'eth0']);
    try {
      const replies = probe({ device: 'eth0', port: 4011, to: { address: SERVER, port: 4011 }, send: [encodeDhcp(req).toString('hex')], listenMs: 3000, expect: 1 });
      assert.equal(replies.length, 1);
      const ack = replies[0]!;
      assert.deepEqual([ack.from, ack.port], [SERVER, 4011]);
      assert.equal(getMessageType(ack.packet), MessageType.Ack);
      assert.equal(ack.packet.yiaddr, '0.0.0.0');
      assert.equal(ack.packet.file, 'ipxe.efi');
      assert.equal(ack.packet.siaddr, SERVER);
    } finally {
      client.run('ip', ['addr', 'flush', 'dev', 'eth0']);
    }
  });

  test('iPXE ProxyDHCPREQUEST from port 68 to bootfleet:4011: the ACK comes back to port 68', () => {
    setMac('52:54:00:bf:00:01');
    const req = ipxeProxyRequest('bios-ipxe', SERVER);
    client.run('ip', ['addr', 'add', `${req.ciaddr}/24`, 'dev', 'eth0']);
    try {
      const replies = probe({ device: 'eth0', port: 68, to: { address: SERVER, port: 4011 }, send: [encodeDhcp(req).toString('hex')], listenMs: 3000, expect: 1 });
      assert.equal(replies.length, 1);
      assert.deepEqual([replies[0]!.from, replies[0]!.port], [SERVER, 4011]);
      assert.match(replies[0]!.packet.file, /boot\.ipxe\?mac=52:54:00:bf:00:01$/);
    } finally {
      client.run('ip', ['addr', 'flush', 'dev', 'eth0']);
    }
  });

  test('busybox udhcpc gets its lease from dnsmasq only; bootfleet sends it nothing', async () => {
    setMac(UDHCPC_MAC);
    const script = join(work, 'udhcpc.sh');
    writeFileSync(script, '#!/bin/sh\necho "EVENT $1 ip=$ip serverid=$serverid"\nexit 0\n', { mode: 0o755 });
    const before = await stats();
    const out = client.run('udhcpc', ['-i', 'eth0', '-f', '-q', '-n', '-t', '3', '-T', '2', '-s', script], { timeoutMs: 30_000 });
    const m = /^EVENT bound ip=(\S+) serverid=(\S+)/m.exec(out);
    assert.ok(m, `udhcpc got no lease:\n${out}`);
    assert.ok(inRange(m[1]!), m[1]);
    assert.equal(m[2], ROUTER);
    const leases = readTextSafe(dnsmasq.leaseFile);
    assert.match(leases, new RegExp(`${UDHCPC_MAC} ${m[1]!.replace(/\./g, '\\.')} `), `dnsmasq's lease file:\n${leases}`);
    const after = await stats();
    assert.ok(after.received > before.received, 'bootfleet saw udhcpc');
    assert.equal(after.replied, before.replied, 'bootfleet replied to udhcpc');
    assert.equal(events().filter((e) => e.mac === UDHCPC_MAC && e.kind !== 'dhcp.silent').length, 0);
  });

  test('nothing bootfleet sent carried an address', () => {
    const sent = events().filter((e) => e.kind === 'dhcp.proxy-offer' || e.kind === 'dhcp.proxy-ack');
    assert.equal(sent.length, 4, 'two offers, two ACKs');
    assert.equal(events().filter((e) => e.kind === 'dhcp.drop' && e.data?.['code'] === 'DHCP_PROXY_UNSAFE').length, 0);
  });
});
