/**
 * Issue 3, "How it is shown": one `bootfleet serve` process, one server namespace with an
 * interface on each of four segments, in namespaces this test creates (198.18.0.0/15 only),
 * torn down afterwards. Each segment is a bridge in the lan namespace; captures run on the
 * server's port of each bridge, so they hold every frame bootfleet put on that segment.
 *
 *   seg-proxy  sp0 198.18.1.2  mode proxy   router 198.18.1.1 (dnsmasq, addresses only), client cp
 *   seg-full   sf0 198.18.2.1  mode full    pool 198.18.2.100-150,                         client cf
 *   seg-off    so0 198.18.3.1  mode off     (a subnet is configured for it all the same),  client co
 *   seg-unl    su0 198.18.4.1  not listed   (likewise),                                     client cu
 *
 * Shown: on seg-off and seg-unl bootfleet sends nothing at all (not even its start-up probe),
 * whatever a client sends; on seg-proxy a PXE client gets dnsmasq's address offer and
 * bootfleet's proxy offer (yiaddr 0.0.0.0), and udhcpc's lease comes from dnsmasq only; on
 * seg-full udhcpc leases from bootfleet's pool; every reply leaves by the interface its request
 * came in on.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BootfleetProcess } from '../harness/bootfleet-process.js';
import { startDnsmasq, type Dnsmasq } from '../lab/dnsmasq.js';
import type { DhcpProbeResult, DhcpProbeSpec } from '../lab/dhcp-probe.js';
import { Netns, bridge, canUseNetns, destroyAll, vethPair } from '../lab/netns.js';
import { readPcap, type UdpRecord } from '../lab/pcap.js';
import { startCapture, type Capture } from '../lab/tcpdump.js';
import { decodeDhcp, encodeDhcp } from '../wire/dhcp/codec.js';
import { getIp, getMessageType, getString } from '../wire/dhcp/options.js';
import { BootOp, FLAG_BROADCAST, MessageType, type DhcpPacket } from '../wire/dhcp/packet.js';
import { vector } from './proxy-vectors.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PROBE = path.join(here, '..', 'lab', 'dhcp-probe.js');
const skip = canUseNetns() ? false : 'needs root and iproute2 (network namespaces)';

type SegName = 'proxy' | 'full' | 'off' | 'unl';

interface Segment {
  name: SegName;
  /** bootfleet's interface in the server namespace, and its address. */
  serverIf: string;
  serverIp: string;
  /** The client namespace's MAC on eth0. */
  clientMac: string;
  bridge: string;
  /** The server's port on the bridge (lan namespace): where the capture runs. */
  tapPort: string;
}

const SEGMENTS: Segment[] = [
  { name: 'proxy', serverIf: 'sp0', serverIp: '198.18.1.2', clientMac: '52:54:00:3a:01:01', bridge: 'segp', tapPort: 'xp' },
  { name: 'full', serverIf: 'sf0', serverIp: '198.18.2.1', clientMac: '52:54:00:3a:02:01', bridge: 'segf', tapPort: 'xf' },
  { name: 'off', serverIf: 'so0', serverIp: '198.18.3.1', clientMac: '52:54:00:3a:03:01', bridge: 'sego', tapPort: 'xo' },
  { name: 'unl', serverIf: 'su0', serverIp: '198.18.4.1', clientMac: '52:54:00:3a:04:01', bridge: 'segu', tapPort: 'xu' },
];
const ROUTER = '198.18.1.1';

function seg(name: SegName): Segment {
  const s = SEGMENTS.find((x) => x.name === name);
  assert.ok(s);
  return s;
}

interface Done {
  code: number | null;
  out: string;
  err: string;
}

/** Runs a command in `ns` without blocking the event loop (so segments run side by side). */
function runIn(ns: Netns, cmd: string, args: string[], timeoutMs: number): Promise<Done> {
  const child = ns.spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => void ns.stop(child), timeoutMs);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    }),
  );
}

interface Reply {
  from: string;
  packet: DhcpPacket;
}

async function rawProbe(ns: Netns, spec: DhcpProbeSpec): Promise<Reply[]> {
  const done = await runIn(ns, process.execPath, [PROBE, JSON.stringify(spec)], spec.listenMs + 10_000);
  assert.equal(done.code, 0, done.err);
  const result = JSON.parse(done.out) as DhcpProbeResult;
  return result.received.map((r) => {
    const d = decodeDhcp(Buffer.from(r.hex, 'hex'));
    assert.ok(d.ok, `undecodable reply from ${r.from}`);
    return { from: r.from, packet: d.packet };
  });
}

/** busybox udhcpc, once: `{ ip, serverid }` of the lease, or null when none came. */
async function udhcpc(ns: Netns, script: string, tries: number): Promise<{ ip: string; serverid: string } | null> {
  const done = await runIn(ns, 'udhcpc', ['-i', 'eth0', '-f', '-q', '-n', '-t', String(tries), '-T', '1', '-s', script], 20_000);
  const m = /^EVENT bound ip=(\S+) serverid=(\S+)/m.exec(done.out);
  return m ? { ip: m[1]!, serverid: m[2]! } : null;
}

function dhcpOf(r: UdpRecord): DhcpPacket | null {
  if (![67, 68, 4011].includes(r.srcPort) && ![67, 68, 4011].includes(r.dstPort)) return null;
  const d = decodeDhcp(Buffer.from(r.payload));
  return d.ok ? d.packet : null;
}

describe('one bootfleet, three segments (proxy, full, off) and an unlisted fourth', { skip, timeout: 90_000 }, () => {
  let work: string;
  let lan: Netns;
  let server: Netns;
  let router: Netns;
  const clients = new Map<SegName, Netns>();
  const serverMacs = new Map<SegName, string>();
  let dnsmasq: Dnsmasq;
  let bootfleet: BootfleetProcess | null = null;
  const captures = new Map<SegName, Capture>();
  /** Each segment's capture, read once the clients are done. */
  const wire = new Map<SegName, UdpRecord[]>();
  const frames = new Map<SegName, number>();
  let script: string;
  const timings: string[] = [];
  const t0 = Date.now();
  const mark = (what: string): void => void timings.push(`${what} ${Date.now() - t0} ms`);

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'bootfleet-3seg-'));
    chmodSync(work, 0o755);
    mkdirSync(path.join(work, 'tftp'));
    mkdirSync(path.join(work, 'http'));
    script = path.join(work, 'udhcpc.sh');
    writeFileSync(script, '#!/bin/sh\necho "EVENT $1 ip=$ip serverid=$serverid"\nexit 0\n', { mode: 0o755 });

    lan = Netns.create('lan');
    server = Netns.create('srv');
    // No IPv6 on bootfleet's side: the kernel's own router solicitations and MLD reports would
    // carry the interfaces' MACs and blur "bootfleet sent nothing on this segment".
    for (const key of ['default', 'all']) server.run('sysctl', ['-q', '-w', `net.ipv6.conf.${key}.disable_ipv6=1`]);
    router = Netns.create('router');
    for (const s of SEGMENTS) {
      bridge(lan, s.bridge, null);
      vethPair(server, s.serverIf, `${s.serverIp}/24`, lan, s.tapPort, null);
      lan.run('ip', ['link', 'set', s.tapPort, 'master', s.bridge]);
      const client = Netns.create(`c${s.name}`);
      clients.set(s.name, client);
      const port = `c${s.name[0]}`;
      vethPair(client, 'eth0', null, lan, port, null);
      client.run('ip', ['link', 'set', 'eth0', 'address', s.clientMac]);
      lan.run('ip', ['link', 'set', port, 'master', s.bridge]);
      serverMacs.set(s.name, server.run('cat', [`/sys/class/net/${s.serverIf}/address`]).trim());
    }
    vethPair(router, 'eth0', `${ROUTER}/24`, lan, 'rp', null);
    lan.run('ip', ['link', 'set', 'rp', 'master', seg('proxy').bridge]);
    mark('topology');
    // The LAN's router on seg-proxy: addresses only. --no-ping keeps the test short (lab notes
    // pitfall 8); the start-up probe's own test runs dnsmasq with its ping.
    dnsmasq = await startDnsmasq({ ns: router, iface: 'eth0', logDir: path.join(work, 'dnsmasq'), args: ['--dhcp-range=198.18.1.100,198.18.1.150,1h', '--no-ping'] });
    // Everything UDP, plus anything at all from bootfleet's interface (ARP included).
    await Promise.all(
      SEGMENTS.map(async (s) => captures.set(s.name, await startCapture(lan, s.tapPort, path.join(work, `${s.name}.pcap`), `udp or ether src ${serverMacs.get(s.name)}`))),
    );
    mark('dnsmasq + captures');
    bootfleet = await BootfleetProcess.start(
      server,
      {
        interfaces: [
          { name: 'sp0', mode: 'proxy' },
          { name: 'sf0', mode: 'full' },
          { name: 'so0', mode: 'off' },
        ],
        dhcp: {
          probeSeconds: 1,
          // Subnets for seg-off and seg-unl too: only the interface modes keep bootfleet silent there.
          subnets: [
            { subnet: '198.18.2.0/24', pools: [{ start: '198.18.2.100', end: '198.18.2.150' }] },
            { subnet: '198.18.3.0/24', pools: [{ start: '198.18.3.100', end: '198.18.3.150' }] },
            { subnet: '198.18.4.0/24', pools: [{ start: '198.18.4.100', end: '198.18.4.150' }] },
          ],
        },
        tftp: { root: path.join(work, 'tftp') },
        http: { root: path.join(work, 'http') },
        api: { enabled: false },
        profiles: { default: { kernel: 'vmlinuz', initrd: ['initrd.img'] } },
      },
      { dir: work },
    );
    mark('bootfleet ready');

    const ovmf = vector('ovmf-pxe-discover');
    assert.ok((ovmf.flags & FLAG_BROADCAST) !== 0);
    const ipxe = vector('bios-ipxe-discover');
    ipxe.flags |= FLAG_BROADCAST;
    const udhcpcDiscover = vector('udhcpc-discover');
    const unserved = (name: SegName): Promise<Reply[]> =>
      rawProbe(clients.get(name)!, {
        device: 'eth0',
        port: 68,
        to: { address: '255.255.255.255', port: 67 },
        send: [ovmf, ipxe, udhcpcDiscover].map((p) => encodeDhcp(p).toString('hex')),
        listenMs: 2000,
      });
    // All segments at once: each client works only on its own segment. On seg-proxy udhcpc runs
    // after the PXE client, which holds port 68 on the same eth0 until it is done.
    const proxyClients = async (): Promise<[Reply[], Awaited<ReturnType<typeof udhcpc>>]> => {
      const pxe = await rawProbe(clients.get('proxy')!, { device: 'eth0', port: 68, to: { address: '255.255.255.255', port: 67 }, send: [encodeDhcp(ovmf).toString('hex')], listenMs: 3000, expect: 2 });
      return [pxe, await udhcpc(clients.get('proxy')!, script, 3)];
    };
    const [[proxyPxe, proxyLease], offReplies, unlReplies, offLease, fullLease] = await Promise.all([
      proxyClients(),
      unserved('off'),
      unserved('unl'),
      udhcpc(clients.get('off')!, script, 2),
      udhcpc(clients.get('full')!, script, 3),
    ]);
    mark('clients');
    results = { proxyPxe, offReplies, unlReplies, offLease, fullLease, proxyLease };

    await Promise.all([...captures.values()].map((c) => c.stop()));
    for (const s of SEGMENTS) {
      const parsed = readPcap(readFileSync(path.join(work, `${s.name}.pcap`)));
      assert.ok(parsed.ok, `${s.name}.pcap`);
      wire.set(s.name, parsed.udp);
      frames.set(s.name, parsed.frames);
    }
    mark('captures read');
  });

  let results: {
    proxyPxe: Reply[];
    offReplies: Reply[];
    unlReplies: Reply[];
    offLease: { ip: string; serverid: string } | null;
    fullLease: { ip: string; serverid: string } | null;
    proxyLease: { ip: string; serverid: string } | null;
  };

  after(async () => {
    if (timings.length > 0) process.stderr.write(`three segments: ${timings.join(', ')}\n`);
    await Promise.all([...captures.values()].map((c) => c.stop().catch(() => undefined)));
    await bootfleet?.stop();
    await dnsmasq?.stop();
    await destroyAll();
    rmSync(work, { recursive: true, force: true });
  });

  /** Frames on `name`'s segment sent by any of bootfleet's interfaces. */
  const fromBootfleet = (name: SegName): UdpRecord[] => {
    const macs = new Set(serverMacs.values());
    const ips = new Set(SEGMENTS.map((s) => s.serverIp));
    return (wire.get(name) ?? []).filter((r) => macs.has(r.ethSrc) || ips.has(r.srcIp));
  };

  test('bootfleet printed what it serves and what its probe found, before ready', () => {
    const out = bootfleet!.output;
    const ready = out.indexOf('bootfleet: ready');
    const before = (re: RegExp): void => {
      const at = out.findIndex((l) => re.test(l));
      assert.ok(at >= 0 && at < ready, `${re} before ready:\n${out.filter((l) => l.startsWith('bootfleet:')).join('\n')}`);
    };
    before(/^bootfleet: interface sp0 198\.18\.1\.2\/255\.255\.255\.0: proxy DHCP/);
    before(/^bootfleet: interface sf0 198\.18\.2\.1\/255\.255\.255\.0: full DHCP/);
    before(/^bootfleet: interface so0 198\.18\.3\.1\/255\.255\.255\.0: not served/);
    before(/^bootfleet: dhcp probe on sp0 \(proxy\): DHCP server 198\.18\.1\.1 /);
    before(/^bootfleet: dhcp probe on sf0 \(full\): no other DHCP server answered in 1 s/);
    assert.equal(out.some((l) => /\b(so0|su0)\b/.test(l) && /probe/.test(l)), false, 'no probe on so0 or su0');
  });

  for (const name of ['off', 'unl'] as const) {
    test(`seg-${name}: clients get nothing; the capture holds no frame from bootfleet`, () => {
      assert.deepEqual(results[name === 'off' ? 'offReplies' : 'unlReplies'].map((r) => r.from), [], 'no reply to a PXE, iPXE or OS DISCOVER');
      if (name === 'off') assert.equal(results.offLease, null, 'udhcpc got no lease');
      const udp = wire.get(name) ?? [];
      const discovers = udp.filter((r) => r.ethSrc === seg(name).clientMac && r.dstPort === 67);
      assert.ok(discovers.length >= 3, `the capture saw the client's DISCOVERs (${discovers.length})`);
      assert.deepEqual(fromBootfleet(name), [], 'no UDP from bootfleet');
      // The filter kept UDP and anything from bootfleet's MAC: no frame beyond the UDP ones.
      assert.equal(frames.get(name), udp.length, 'no non-UDP frame (ARP…) from bootfleet');
    });
  }

  test('seg-proxy: a PXE DISCOVER gets dnsmasq\'s address offer and bootfleet\'s proxy offer with no address', () => {
    const lanOffer = results.proxyPxe.filter((r) => r.from === ROUTER);
    const proxy = results.proxyPxe.filter((r) => r.from === seg('proxy').serverIp);
    assert.equal(lanOffer.length, 1, 'one offer from dnsmasq');
    assert.equal(proxy.length, 1, 'one proxy offer from bootfleet');
    assert.match(lanOffer[0]!.packet.yiaddr, /^198\.18\.1\.1[0-5]\d$/);
    const p = proxy[0]!.packet;
    assert.equal(getMessageType(p), MessageType.Offer);
    assert.equal(p.yiaddr, '0.0.0.0');
    assert.equal(getIp(p.options, 54), seg('proxy').serverIp);
    assert.equal(getString(p.options, 60), 'PXEClient');
    assert.equal(p.file, 'ipxe.efi');
  });

  test('seg-proxy: udhcpc\'s lease comes from dnsmasq; bootfleet never sent an address there', () => {
    assert.ok(results.proxyLease, 'udhcpc got a lease');
    assert.equal(results.proxyLease.serverid, ROUTER);
    assert.match(results.proxyLease.ip, /^198\.18\.1\.1[0-5]\d$/);
    assert.match(readFileSync(dnsmasq.leaseFile, 'utf8'), new RegExp(` ${seg('proxy').clientMac} ${results.proxyLease.ip.replace(/\./g, '\\.')} `));
    const replies = fromBootfleet('proxy').map(dhcpOf).filter((p): p is DhcpPacket => p?.op === BootOp.Reply);
    assert.ok(replies.length >= 1, 'the proxy offer is on the wire');
    for (const p of replies) {
      assert.equal(p.yiaddr, '0.0.0.0', 'no address from bootfleet');
      assert.notEqual(getMessageType(p), MessageType.Ack, 'no ACK on port 67 to an OS client');
    }
    const udhcpcXids = new Set(
      (wire.get('proxy') ?? [])
        .filter((r) => r.ethSrc === seg('proxy').clientMac && r.dstPort === 67)
        .map(dhcpOf)
        .filter((p): p is DhcpPacket => p !== null && !(getString(p.options, 60) ?? '').startsWith('PXEClient'))
        .map((p) => p.xid),
    );
    assert.ok(udhcpcXids.size >= 1);
    assert.equal(replies.filter((p) => udhcpcXids.has(p.xid)).length, 0, 'nothing to udhcpc');
  });

  test('seg-full: udhcpc leases from bootfleet\'s pool', () => {
    assert.ok(results.fullLease, 'udhcpc got a lease');
    assert.equal(results.fullLease.serverid, seg('full').serverIp);
    assert.match(results.fullLease.ip, /^198\.18\.2\.1[0-5]\d$/);
    const acks = bootfleet!.events.filter((e) => e.kind === 'dhcp.ack' && e.mac === seg('full').clientMac);
    assert.equal(acks.length, 1);
    assert.equal(acks[0]?.data?.['ip'], results.fullLease.ip);
  });

  test('every reply left by the interface its request came in on', () => {
    for (const s of SEGMENTS) {
      const udp = wire.get(s.name) ?? [];
      const requestXids = new Set(udp.filter((r) => r.ethSrc !== serverMacs.get(s.name)).map(dhcpOf).filter((p) => p?.op === BootOp.Request).map((p) => p!.xid));
      for (const r of fromBootfleet(s.name)) {
        assert.equal(r.ethSrc, serverMacs.get(s.name), `seg-${s.name}: a frame from another of bootfleet's interfaces (${r.ethSrc})`);
        assert.equal(r.srcIp, s.serverIp, `seg-${s.name}: from ${r.srcIp}`);
        const p = dhcpOf(r);
        if (p?.op === BootOp.Reply) assert.ok(requestXids.has(p.xid), `seg-${s.name}: reply ${p.xid.toString(16)} to a request seen on this segment`);
      }
    }
    // Replies were seen where they belong: the proxy offer on seg-proxy, the lease on seg-full.
    const replyKinds = (name: SegName): (MessageType | null)[] => fromBootfleet(name).map(dhcpOf).filter((p) => p?.op === BootOp.Reply).map((p) => getMessageType(p!));
    assert.ok(replyKinds('proxy').includes(MessageType.Offer));
    assert.deepEqual(new Set(replyKinds('full')), new Set([MessageType.Offer, MessageType.Ack]));
    const events = bootfleet!.events.filter((e) => typeof e.data?.['iface'] === 'string');
    assert.equal(events.filter((e) => e.data?.['iface'] === 'so0' || e.data?.['iface'] === 'su0').length, 0, 'no event names so0 or su0');
  });
});
