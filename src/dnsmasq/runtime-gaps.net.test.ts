/**
 * runtime-gaps.test.ts's relayed-subnet, lease-time and taken-host-address rules, checked against the live
 * dnsmasq 2.90 and then bootfleet running the same configuration (`serve --dnsmasq-conf`), in
 * lab namespaces (oracle/dnsmasq-oracle.ts). Compared: message type, the lease time granted
 * (option 51), and whether the address is the dhcp-host one or a dynamic one (which dynamic
 * one may differ: README "Deliberate differences", D1).
 *
 * Needs root (network namespaces) and dnsmasq; skipped otherwise.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { request } from '../dhcp/test-packets.js';
import { destroyAll } from '../lab/netns.js';
import { decodeDhcp, encodeDhcp } from '../wire/dhcp/codec.js';
import { getMessageType } from '../wire/dhcp/options.js';
import { MessageType } from '../wire/dhcp/packet.js';
import { BootfleetUnderTest } from './oracle/bootfleet-under-test.js';
import { DnsmasqOracle } from './oracle/dnsmasq-oracle.js';
import { oracleSkip } from './oracle/oracle-skip.js';

const skip = oracleSkip();

const HOST_MAC = '52:54:00:dd:00:01';
const SQUATTER_MAC = '52:54:00:dd:00:99';
const PLAIN_MAC = '52:54:00:dd:00:02';
const CONF = ['dhcp-range=198.18.0.100,198.18.0.120,1h', `dhcp-host=${HOST_MAC},198.18.0.70,20m`, ''].join('\n');

/** What is compared: message type, the lease granted, and the address or "dynamic". */
interface Seen {
  type: string;
  lease: number | null;
  address: string;
}

function discover(mac: string, xid: number, leaseSeconds: number | null): Buffer {
  const p = request(MessageType.Discover, { mac, xid, flags: 0x8000, paramRequest: [1, 3, 51] });
  if (leaseSeconds !== null) {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(leaseSeconds);
    p.options.set(51, b);
  }
  return encodeDhcp(p);
}

function seen(replies: readonly Buffer[]): Seen | null {
  const first = replies[0];
  if (first === undefined) return null;
  const d = decodeDhcp(first);
  assert.ok(d.ok);
  const type = getMessageType(d.packet);
  const y = d.packet.yiaddr;
  const n = Number(y.split('.')[3]);
  return {
    type: type === null ? '?' : (MessageType[type] ?? String(type)),
    lease: d.packet.options.get(51)?.readUInt32BE(0) ?? null,
    address: y.startsWith('198.18.0.') && n >= 100 && n <= 120 ? 'dynamic' : y,
  };
}

describe('relayed subnets, requested lease time, a taken dhcp-host address: bootfleet answers as dnsmasq 2.90', { skip }, () => {
  let oracle: DnsmasqOracle;
  before(async () => {
    oracle = await DnsmasqOracle.create();
  });
  after(async () => {
    await oracle?.destroy();
    await destroyAll();
  });

  test('a dhcp-range on a relayed subnet: a request relayed from giaddr in it is answered to giaddr:67 from that range, with its tags', async () => {
    // The relay: 198.18.5.1 is local to the client namespace (it sends from there, port 67);
    // the server reaches it over the veth.
    oracle.clientNs.run('ip', ['route', 'add', 'local', '198.18.5.0/24', 'dev', 'lo']);
    oracle.server.run('ip', ['route', 'add', '198.18.5.0/24', 'dev', 'bf0']);
    const conf = path.join(oracle.dir, 'relayed.conf');
    writeFileSync(conf, ['dhcp-range=198.18.0.100,198.18.0.120,1h', 'dhcp-range=set:far,198.18.5.50,198.18.5.60,255.255.255.0,2h', 'dhcp-boot=tag:far,far.efi', 'dhcp-boot=near.efi', ''].join('\n'));
    const relayed = (xid: number): Buffer => encodeDhcp(request(MessageType.Discover, { mac: PLAIN_MAC, xid, giaddr: '198.18.5.1', paramRequest: [1, 3, 28, 51] }));
    const via = { from: { address: '198.18.5.1', port: 67 }, to: { address: '198.18.0.2', port: 67 } };
    const view = (replies: readonly Buffer[]): object | null => {
      const first = replies[0];
      if (first === undefined) return null;
      const d = decodeDhcp(first);
      assert.ok(d.ok);
      const y = d.packet.yiaddr;
      const n = Number(y.split('.')[3]);
      const ip = (code: number): string | null => {
        const b = d.packet.options.get(code);
        return b === undefined ? null : [...b].join('.');
      };
      return {
        type: getMessageType(d.packet),
        address: y.startsWith('198.18.5.') && n >= 50 && n <= 60 ? 'far range' : y,
        file: d.packet.file,
        lease: d.packet.options.get(51)?.readUInt32BE(0) ?? null,
        netmask: ip(1), router: ip(3), broadcast: ip(28), server: ip(54),
      };
    };
    await oracle.start(conf);
    const real = view(await oracle.exchange(relayed(0x7b000001), PLAIN_MAC, 2000, via));
    await oracle.stop();
    assert.deepEqual(real, { type: MessageType.Offer, address: 'far range', file: 'far.efi', lease: 7200, netmask: '255.255.255.0', router: '198.18.5.1', broadcast: '198.18.5.255', server: '198.18.0.2' }, oracle.log().split('\n').slice(-20).join('\n'));
    const bootfleet = await BootfleetUnderTest.start(oracle.server, conf, oracle.dir);
    let got: object | null;
    try {
      got = view(await oracle.exchange(relayed(0x7b000002), PLAIN_MAC, 2000, via));
    } finally {
      await bootfleet.stop();
    }
    assert.deepEqual(got, real, bootfleet.log().split('\n').slice(-20).join('\n'));
  });

  test('a renewal without option 51 gets the full configured lease again (no cap to the time left)', async () => {
    const conf = path.join(oracle.dir, 'renewal.conf');
    writeFileSync(conf, CONF);
    const mac = '52:54:00:dd:00:03';
    const renewal = async (xid: number): Promise<(number | null)[]> => {
      const first = await oracle.exchange(discover(mac, xid + 1, null), mac, 2000);
      const d = first[0] === undefined ? null : decodeDhcp(first[0]);
      assert.ok(d?.ok === true);
      const address = d.packet.yiaddr;
      const select = request(MessageType.Request, { mac, xid: xid + 2, flags: 0x8000, requested: address, serverId: '198.18.0.2' });
      const ack = seen(await oracle.exchange(encodeDhcp(select), mac, 2000));
      await new Promise((r) => setTimeout(r, 2500));
      const reboot = request(MessageType.Request, { mac, xid: xid + 3, flags: 0x8000, requested: address });
      const again = seen(await oracle.exchange(encodeDhcp(reboot), mac, 2000));
      return [ack?.lease ?? null, again?.lease ?? null];
    };
    await oracle.start(conf);
    const real = await renewal(0x7c000001);
    await oracle.stop();
    assert.deepEqual(real, [3600, 3600], oracle.log().split('\n').slice(-20).join('\n'));
    const bootfleet = await BootfleetUnderTest.start(oracle.server, conf, oracle.dir);
    let got: (number | null)[];
    try {
      got = await renewal(0x7c000011);
    } finally {
      await bootfleet.stop();
    }
    assert.deepEqual(got, real, bootfleet.log().split('\n').slice(-20).join('\n'));
  });

  test('option 51 and a dhcp-host address leased to another client', async () => {
    const conf = path.join(oracle.dir, 'runtime-gaps.conf');
    writeFileSync(conf, CONF);
    const expires = Math.floor(Date.now() / 1000) + 3600;
    const leases = `${expires} ${SQUATTER_MAC} 198.18.0.70 * *\n`;
    const exchanges: [string, Buffer, string][] = [
      ['shorter request', discover(PLAIN_MAC, 0x7a000001, 600), PLAIN_MAC],
      ['longer request', discover(PLAIN_MAC, 0x7a000002, 86400), PLAIN_MAC],
      ['request under 120 s', discover(PLAIN_MAC, 0x7a000003, 30), PLAIN_MAC],
      ['host whose address is leased to another', discover(HOST_MAC, 0x7a000004, null), HOST_MAC],
    ];
    await oracle.start(conf, { leases });
    const real: (Seen | null)[] = [];
    for (const [, msg, mac] of exchanges) real.push(seen(await oracle.exchange(msg, mac, 2000)));
    await oracle.stop();
    assert.deepEqual(real, [
      { type: 'Offer', lease: 600, address: 'dynamic' },
      { type: 'Offer', lease: 3600, address: 'dynamic' },
      { type: 'Offer', lease: 120, address: 'dynamic' },
      { type: 'Offer', lease: 1200, address: 'dynamic' },
    ], `dnsmasq:\n${oracle.log().split('\n').slice(-20).join('\n')}`);

    // bootfleet reads the same lease file (dhcp-leasefile), so the squatter's lease is in its store.
    const work = path.join(oracle.dir, 'bootfleet-runtime-gaps.conf');
    mkdirSync(work, { recursive: true });
    writeFileSync(path.join(work, 'dnsmasq.leases'), leases);
    const bootfleet = await BootfleetUnderTest.start(oracle.server, conf, oracle.dir);
    const got: (Seen | null)[] = [];
    try {
      for (const [, msg, mac] of exchanges) got.push(seen(await oracle.exchange(msg, mac, 2000)));
    } finally {
      await bootfleet.stop();
    }
    assert.deepEqual(got, real, `bootfleet:\n${bootfleet.log().split('\n').slice(-20).join('\n')}`);
  });
});
