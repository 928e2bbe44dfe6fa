/**
 * What dnsmasq 2.90 does with requests that name their subnet or reach an unexpected socket
 * (README "Running", relays), checked live: the same crafted requests go to dnsmasq and then to
 * bootfleet running the same configuration (`serve --dnsmasq-conf`) in the oracle's lab
 * namespaces, and the replies must agree in type, which range the address comes from, siaddr,
 * sname, file and options 1, 3, 28, 43, 54, 60, 67 and 118.
 *  - subnet selection: option 118 (RFC 3011) and option 82 sub-option 5 (RFC 3527) pick the
 *    range instead of giaddr, 82.5 before 118, each needing 4 bytes; 118 is echoed;
 *  - a relayed request on a proxy-only interface gets full DHCP from the relay's range, or a
 *    proxy reply when the relay's network has a proxy range;
 *  - a boot server request (43.71) broadcast to port 67 of a full interface is answered as on
 *    port 4011 (but for yiaddr: README D2);
 *  - dhcp-boot tftp server names come from hosts files when DNS runs, 0.0.0.0 when unknown or
 *    when `port=0`;
 *  - a relayed range whose class guess overlaps the served subnet is served through the relay.
 *
 * Needs root (network namespaces) and dnsmasq; skipped otherwise.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { request } from '../dhcp/test-packets.js';
import { destroyAll } from '../lab/netns.js';
import { decodeDhcp, encodeDhcp } from '../wire/dhcp/codec.js';
import { MessageType, type DhcpPacket } from '../wire/dhcp/packet.js';
import { BootfleetUnderTest } from './oracle/bootfleet-under-test.js';
import { DnsmasqOracle } from './oracle/dnsmasq-oracle.js';
import { oracleSkip } from './oracle/oracle-skip.js';
import { RELAY, SELECTION_CONF, SELECTION_RANGES, relayReplyView, selectionRequests } from './oracle/relay-requests.js';
import { pxePortRequests } from './oracle/replay-requests.js';

const skip = oracleSkip();

const MAC = '52:54:00:dd:01:02';
const SERVER = { address: '198.18.0.2', port: 67 };
const PXE_BIOS = 'PXEClient:Arch:00000:UNDI:002001';

/** One request and where it is sent from (a relay's address and port 67), or broadcast from 68. */
interface Exchange {
  name: string;
  /** The request, or one made from the replies so far (by exchange name): a REQUEST after an OFFER. */
  packet: DhcpPacket | ((seen: ReadonlyMap<string, DhcpPacket>) => DhcpPacket);
  mac?: string;
  relay?: string;
  /** Sent from and to these instead (EDK2's port-4011 requests). */
  unicast?: { from: { address: string; port: number }; to: { address: string; port: number } } | ((seen: ReadonlyMap<string, DhcpPacket>) => { from: { address: string; port: number }; to: { address: string; port: number } });
  /** The boot server ACK's yiaddr differs on purpose (README D2): not compared. */
  skipYiaddr?: boolean;
}

/** The address an earlier exchange (by name) was offered. */
function offeredIn(seen: ReadonlyMap<string, DhcpPacket>, name: string): string {
  const offer = seen.get(name);
  assert.ok(offer !== undefined, `no OFFER from "${name}" to follow`);
  return offer.yiaddr;
}

/** The address the relayed DISCOVER of the proxy-interface test was offered. */
function offered(seen: ReadonlyMap<string, DhcpPacket>): string {
  return offeredIn(seen, 'relayed from a full range\'s network');
}

function ip(s: string): Buffer {
  return Buffer.from(s.split('.').map(Number));
}

let xid = 0x7d000000;
function discover(spec: Parameters<typeof request>[1], extra: Record<number, Buffer> = {}): DhcpPacket {
  const p = request(MessageType.Discover, { mac: MAC, xid: ++xid, paramRequest: [1, 3, 28, 51], ...spec });
  for (const [code, bytes] of Object.entries(extra)) p.options.set(Number(code), bytes);
  return p;
}

/** The compared view (oracle/relay-requests.ts), with how many replies came. */
function view(replies: readonly Buffer[], ranges: Record<string, [string, string]>, skipYiaddr: boolean): object | null {
  const first = replies[0];
  return first === undefined ? null : { replies: replies.length, ...relayReplyView(first, ranges, skipYiaddr) };
}

describe('subnet selection, relays on proxy interfaces, boot server requests on port 67, hosts-file names: bootfleet answers as dnsmasq 2.90', { skip }, () => {
  let oracle: DnsmasqOracle;
  before(async () => {
    oracle = await DnsmasqOracle.create();
    // Relays on three remote networks: local to the client namespace (they send from there,
    // port 67), routed over the veth from the server.
    for (const net of ['198.18.5.0/24', '198.18.6.0/24', '198.18.7.0/24']) {
      oracle.clientNs.run('ip', ['route', 'add', 'local', net, 'dev', 'lo']);
      oracle.server.run('ip', ['route', 'add', net, 'dev', 'bf0']);
    }
  });
  after(async () => {
    await oracle?.destroy();
    await destroyAll();
  });

  /** Runs `exchanges` against dnsmasq, then bootfleet, with `lines` as the configuration. */
  async function compare(name: string, lines: readonly string[], exchanges: readonly Exchange[], ranges: Record<string, [string, string]>, expected: Record<string, object | null>): Promise<void> {
    const conf = path.join(oracle.dir, `${name}.conf`);
    writeFileSync(conf, [...lines, ''].join('\n'));
    const run = async (): Promise<Record<string, object | null>> => {
      const out: Record<string, object | null> = {};
      const seen = new Map<string, DhcpPacket>();
      for (const e of exchanges) {
        const mac = e.mac ?? MAC;
        const unicast = typeof e.unicast === 'function' ? e.unicast(seen) : e.unicast;
        const via = unicast ?? (e.relay === undefined ? undefined : { from: { address: e.relay, port: 67 }, to: SERVER });
        const packet = typeof e.packet === 'function' ? e.packet(seen) : e.packet;
        const replies = await oracle.exchange(encodeDhcp(packet), mac, 1500, via);
        const first = replies[0] === undefined ? null : decodeDhcp(replies[0]);
        if (first?.ok === true) seen.set(e.name, first.packet);
        out[e.name] = view(replies, ranges, e.skipYiaddr === true);
      }
      return out;
    };
    await oracle.start(conf);
    let real: Record<string, object | null>;
    try {
      real = await run();
    } finally {
      await oracle.stop();
    }
    // What dnsmasq did, in short, so a change of dnsmasq shows here first.
    for (const [k, v] of Object.entries(expected)) {
      const got = real[k] as Record<string, unknown> | null;
      assert.deepEqual(got === null ? null : Object.fromEntries(Object.keys(v ?? {}).map((f) => [f, got[f]])), v, `dnsmasq, ${k}:\n${oracle.log().split('\n').slice(-15).join('\n')}`);
    }
    const bootfleet = await BootfleetUnderTest.start(oracle.server, conf, oracle.dir);
    let got: Record<string, object | null>;
    try {
      got = await run();
    } finally {
      await bootfleet.stop();
    }
    for (const e of exchanges) assert.deepEqual(got[e.name], real[e.name], `${name}, ${e.name}: bootfleet differs from dnsmasq\n${bootfleet.log().split('\n').slice(-15).join('\n')}`);
  }

  test('option 118 and option 82.5 choose the dhcp-range instead of giaddr', async () => {
    const exchanges = selectionRequests().map((r): Exchange => ({ name: r.name, mac: r.mac, relay: RELAY, packet: r.packet }));
    await compare('subnet-selection', SELECTION_CONF, exchanges, { ...SELECTION_RANGES }, {
      'giaddr-only': { address: 'far', file: 'far.efi', router: 'c6120501', selection: null },
      'opt118-other-relayed-subnet': { address: 'far6', file: 'far6.efi', router: 'c6120501', broadcast: 'c61206ff', selection: 'c6120600' },
      'opt82-5-link-selection': { address: 'far6', file: 'far6.efi', selection: 'c6120607' },
      'opt82-5-wins-over-118': { address: 'far6', selection: 'c6120607' },
      'opt118-local-subnet': { address: 'near', file: 'near.efi', router: 'c6120002' },
      'opt118-no-range': null,
      'opt118-guessed-netmask': { address: 'far7', netmask: 'ffffff00', router: 'c6120501' },
      'opt82-5-short-ignored': { address: 'far', selection: null },
      'opt118-long-first-4-bytes': { address: 'far6', selection: 'c6120600' },
    });
  });

  test('a subnet selector without a relay: the range it names, no router (no giaddr to default to)', async () => {
    // Its own dnsmasq run: dnsmasq keeps the first relay's giaddr as a relayed range's router
    // for later requests (a state effect bootfleet does not copy: README).
    await compare('selector-unrelayed', [
      'dhcp-range=198.18.0.100,198.18.0.120,1h',
      'dhcp-range=set:far6,198.18.6.50,198.18.6.60,255.255.255.0,3h',
      'dhcp-boot=tag:far6,far6.efi',
    ], [
      { name: '118', packet: discover({ flags: 0x8000 }, { 118: ip('198.18.6.0') }) },
      { name: '82.5', mac: '52:54:00:dd:01:05', packet: discover({ mac: '52:54:00:dd:01:05', flags: 0x8000, relayAgent: Buffer.concat([Buffer.from([5, 4]), ip('198.18.6.7')]) }) },
    ], { far6: ['198.18.6.50', '198.18.6.60'] }, {
      '118': { address: 'far6', file: 'far6.efi', router: null, broadcast: 'c61206ff', selection: 'c6120600' },
      '82.5': { address: 'far6', router: null, selection: 'c6120607' },
    });
  });

  test('a relayed request on a proxy-only interface: full DHCP from the relay\'s range, or proxyDHCP for a remote proxy range', async () => {
    const pxe = (giaddr: string | undefined): DhcpPacket =>
      discover({ ...(giaddr !== undefined ? { giaddr } : { flags: 0x8000 }), vendorClass: PXE_BIOS, arch: 0, paramRequest: [1, 3, 28, 51, 66, 67] });
    await compare('proxy-relayed', [
      'dhcp-range=198.18.0.0,proxy',
      'pxe-service=x86PC,"Network boot",pxelinux',
      'dhcp-range=set:far,198.18.5.50,198.18.5.60,255.255.255.0',
      'dhcp-range=198.18.7.0,proxy,255.255.255.0',
      'dhcp-boot=tag:far,far.efi',
    ], [
      { name: 'relayed from a full range\'s network', relay: '198.18.5.1', packet: pxe('198.18.5.1') },
      {
        name: 'its relayed REQUEST',
        relay: '198.18.5.1',
        packet: (seen) => request(MessageType.Request, { mac: MAC, xid: ++xid, giaddr: '198.18.5.1', requested: offered(seen), serverId: SERVER.address, paramRequest: [1, 3, 28, 51] }),
      },
      {
        // RENEWING: unicast from its address to the proxy-only interface, no relay.
        name: 'its renewal straight to the server',
        unicast: (seen) => ({ from: { address: offered(seen), port: 68 }, to: SERVER }),
        packet: (seen) => request(MessageType.Request, { mac: MAC, xid: ++xid, ciaddr: offered(seen), paramRequest: [1, 3, 28, 51] }),
      },
      { name: 'relayed from a proxy range\'s network', relay: '198.18.7.1', packet: pxe('198.18.7.1') },
      { name: 'local', packet: pxe(undefined) },
    ], { far: ['198.18.5.50', '198.18.5.60'] }, {
      'relayed from a full range\'s network': { type: 'Offer', address: 'far', bootfile: '6661722e65666900', router: 'c6120501' },
      'its relayed REQUEST': { type: 'Ack', address: 'far' },
      'its renewal straight to the server': { type: 'Ack', address: 'far' },
      'relayed from a proxy range\'s network': { type: 'Offer', address: '0.0.0.0', server: 'c6120002' },
      local: { type: 'Offer', address: '0.0.0.0' },
    });
  });

  test('RFC 5107 server identifier override (82.11): the relay\'s address as option 54, and a REQUEST naming it is ours', async () => {
    const agent = Buffer.concat([Buffer.from([11, 4]), ip('198.18.5.9')]);
    await compare('server-id-override', ['dhcp-range=198.18.0.100,198.18.0.120', 'dhcp-range=198.18.5.50,198.18.5.60,255.255.255.0'], [
      { name: 'DISCOVER', relay: '198.18.5.1', packet: discover({ giaddr: '198.18.5.1', relayAgent: agent }) },
      {
        name: 'REQUEST to the override address',
        relay: '198.18.5.1',
        packet: (seen) => request(MessageType.Request, { mac: MAC, xid: ++xid, giaddr: '198.18.5.1', requested: offeredIn(seen, 'DISCOVER'), serverId: '198.18.5.9', relayAgent: agent, paramRequest: [1, 3, 28, 51] }),
      },
    ], { far: ['198.18.5.50', '198.18.5.60'] }, {
      DISCOVER: { type: 'Offer', address: 'far', server: 'c6120509', router: 'c6120501' },
      'REQUEST to the override address': { type: 'Ack', address: 'far', server: 'c6120509' },
    });
  });

  test('a full interface: a request relayed from a remote proxy range\'s network gets proxyDHCP', async () => {
    const pxe = discover({ giaddr: '198.18.7.1', vendorClass: PXE_BIOS, arch: 0, paramRequest: [1, 3, 28, 51, 66, 67] });
    await compare('full-relayed-proxy', [
      'dhcp-range=198.18.0.100,198.18.0.120',
      'dhcp-range=198.18.7.0,proxy,255.255.255.0',
      'pxe-service=x86PC,"Network boot",pxelinux',
    ], [{ name: 'relayed from the proxy range\'s network', relay: '198.18.7.1', packet: pxe }], {}, {
      'relayed from the proxy range\'s network': { type: 'Offer', address: '0.0.0.0', server: 'c6120002' },
    });
  });

  test('a boot server request (43.71) broadcast to port 67 of a full interface is answered', async () => {
    const item = pxePortRequests().find((r) => r.name.includes('boot-item'));
    assert.ok(item !== undefined);
    const d = decodeDhcp(item.packet);
    assert.ok(d.ok);
    await compare('bootserver-67', [
      'dhcp-range=198.18.0.100,198.18.0.200',
      'pxe-service=X86-64_EFI,"EFI",bootx64.efi',
      'pxe-service=x86PC,"BIOS",pxelinux',
    ], [{ name: 'boot item 0x8000 on port 67', packet: d.packet, mac: item.mac, skipYiaddr: true }], {}, {
      'boot item 0x8000 on port 67': { type: 'Ack', file: 'bootx64.efi', siaddr: '198.18.0.2', vendor: '470480000000ff' },
    });
  });

  test('dhcp-boot tftp server names: from hosts files when DNS runs, 0.0.0.0 when unknown or with port=0', async () => {
    const hosts = path.join(oracle.dir, 'boot-hosts');
    writeFileSync(hosts, '# boot servers\n198.18.0.9 tftphost\n198.18.0.10 other.lan otheralias\nfe80::1 tftphost6\n');
    const lines = (port: number): string[] => [
      `port=${port}`, `addn-hosts=${hosts}`, 'dhcp-range=198.18.0.100,198.18.0.120',
      'dhcp-mac=set:one,52:54:00:dd:02:01', 'dhcp-mac=set:two,52:54:00:dd:02:02', 'dhcp-mac=set:three,52:54:00:dd:02:03',
      'dhcp-boot=tag:one,f1,sn1,tftphost', 'dhcp-boot=tag:two,f2,sn2,unknownhost', 'dhcp-boot=tag:three,f3,sn3,OtherAlias',
    ];
    const exchanges = (['01', '02', '03'] as const).map((last): Exchange => {
      const mac = `52:54:00:dd:02:${last}`;
      return { name: `host ${last}`, mac, packet: discover({ mac, flags: 0x8000, paramRequest: [1, 3] }) };
    });
    const ranges: Record<string, [string, string]> = { range: ['198.18.0.100', '198.18.0.120'] };
    await compare('hosts-dns', lines(5353), exchanges, ranges, {
      'host 01': { siaddr: '198.18.0.9', sname: 'sn1', file: 'f1' },
      'host 02': { siaddr: '0.0.0.0', file: 'f2' },
      'host 03': { siaddr: '198.18.0.10', file: 'f3' },
    });
    await compare('hosts-port0', lines(0), exchanges, ranges, {
      'host 01': { siaddr: '0.0.0.0' },
      'host 03': { siaddr: '0.0.0.0' },
    });
  });

  test('pxe-service server names: from hosts files (menu boot servers, the single UEFI service), left out when unknown', async () => {
    const hosts = path.join(oracle.dir, 'pxe-hosts');
    writeFileSync(hosts, '198.18.0.9 bootsrv\n');
    const binl = pxePortRequests().find((r) => r.name.includes('4011 proxy'));
    assert.ok(binl !== undefined);
    const d = decodeDhcp(binl.packet);
    assert.ok(d.ok);
    await compare('pxe-hosts', [
      'port=5353', `addn-hosts=${hosts}`, 'dhcp-range=198.18.0.0,proxy',
      'pxe-service=x86PC,"local",pxelinux', 'pxe-service=x86PC,"remote",1,bootsrv', 'pxe-service=x86PC,"unknown",2,nohost',
      'pxe-service=X86-64_EFI,"EFI",bootx64.efi,bootsrv',
    ], [
      { name: 'BIOS menu', packet: discover({ flags: 0x8000, vendorClass: PXE_BIOS, arch: 0, paramRequest: [1, 3, 43, 60, 66, 67] }) },
      { name: 'UEFI on 4011', mac: binl.mac, packet: d.packet, unicast: { from: binl.from, to: { address: SERVER.address, port: 4011 } } },
    ], {}, {
      // 43.8: pxelinux here, type 1 at bootsrv (198.18.0.9), type 2 left out; 43.6 = 2 (discover by broadcast).
      'BIOS menu': { vendor: '0601020a04ff505845080e800001c6120002000101c6120009091b8000056c6f63616c00010672656d6f7465000207756e6b6e6f776eff' },
      'UEFI on 4011': { siaddr: '198.18.0.9', sname: 'bootsrv', file: 'bootx64.efi' },
    });
  });

  test('a relayed range whose class guess overlaps the served subnet is served through the relay', async () => {
    // bf0 as a /25: the relayed range 198.18.0.200-220 has no netmask, so dnsmasq guesses
    // class C (a /24), which holds the served 198.18.0.0/25. The relay is 198.18.0.129.
    oracle.server.run('ip', ['addr', 'del', '198.18.0.2/24', 'dev', 'bf0']);
    oracle.server.run('ip', ['addr', 'add', '198.18.0.2/25', 'dev', 'bf0']);
    oracle.server.run('ip', ['route', 'add', '198.18.0.128/25', 'dev', 'bf0']);
    try {
      await compare('overlap', [
        'dhcp-range=198.18.0.20,198.18.0.40',
        'dhcp-range=set:far,198.18.0.200,198.18.0.220,2h',
        'dhcp-boot=tag:far,far.efi', 'dhcp-boot=near.efi',
      ], [
        { name: 'relayed from 198.18.0.129', relay: '198.18.0.129', packet: discover({ giaddr: '198.18.0.129' }) },
        { name: 'local', packet: discover({ flags: 0x8000 }) },
      ], { near: ['198.18.0.20', '198.18.0.40'], far: ['198.18.0.200', '198.18.0.220'] }, {
        'relayed from 198.18.0.129': { address: 'far', file: 'far.efi', netmask: 'ffffff00', router: 'c6120081', broadcast: 'c61200ff' },
        local: { address: 'near', file: 'near.efi', netmask: 'ffffff80', broadcast: 'c612007f' },
      });
    } finally {
      oracle.server.run('ip', ['route', 'del', '198.18.0.128/25', 'dev', 'bf0']);
      oracle.server.run('ip', ['addr', 'del', '198.18.0.2/25', 'dev', 'bf0']);
      oracle.server.run('ip', ['addr', 'add', '198.18.0.2/24', 'dev', 'bf0']);
    }
  });
});
