import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType, FLAG_BROADCAST } from '../wire/dhcp/packet.js';
import { decodeDhcp, encodeDhcp } from '../wire/dhcp/codec.js';
import { getIp, getIps, getMessageType, getString, getU32 } from '../wire/dhcp/options.js';
import type { BootEvent } from '../events/boot-event.js';
import type { BootfleetConfig } from '../config/schema.js';
import type { LeaseStore } from '../store/lease-store.js';
import { SqliteLeaseStore } from '../store/sqlite-lease-store.js';
import { FullModeResponder, type DhcpReply, type FullModeOutcome, type ReceivingInterface } from './full-mode.js';
import { request, testConfig, type RequestSpec } from './test-packets.js';

const SERVER = '198.18.0.2';
const IFACE: ReceivingInterface = { name: 'eth0', address: SERVER, netmask: '255.255.255.0' };
const T0 = 1_800_000_000_000;

let store: LeaseStore;
let events: BootEvent[];
let clock: number;

function responder(config: BootfleetConfig = testConfig(), s: LeaseStore = store): FullModeResponder {
  return new FullModeResponder({ config, store: s, events: { emit: (e) => events.push(e) }, localAddresses: [SERVER], now: () => clock });
}

function replyOf(o: FullModeOutcome): DhcpReply {
  assert.equal(o.kind, 'reply', `expected a reply, got ${JSON.stringify(o)}`);
  assert.ok(o.kind === 'reply');
  // Every reply must survive the wire.
  const bytes = encodeDhcp(o.reply.packet, o.reply.encode);
  const back = decodeDhcp(bytes);
  assert.ok(back.ok);
  return o.reply;
}

function kinds(): string[] {
  return events.map((e) => e.kind);
}

/** DISCOVER then REQUEST (selecting): the address bound. */
async function lease(r: FullModeResponder, spec: RequestSpec = {}): Promise<string> {
  const offer = replyOf(await r.handle(request(MessageType.Discover, spec), MessageType.Discover, IFACE));
  const ack = replyOf(
    await r.handle(request(MessageType.Request, { ...spec, serverId: SERVER, requested: offer.packet.yiaddr }), MessageType.Request, IFACE),
  );
  assert.equal(getMessageType(ack.packet), MessageType.Ack);
  return ack.packet.yiaddr;
}

beforeEach(() => {
  store = SqliteLeaseStore.open(':memory:');
  events = [];
  clock = T0;
});
afterEach(async () => {
  await store.close();
});

describe('DISCOVER', () => {
  test('OFFER the lowest free address with lease and network options, broadcast', async () => {
    const r = responder();
    const { packet, to } = replyOf(await r.handle(request(MessageType.Discover, { xid: 77 }), MessageType.Discover, IFACE));
    assert.equal(getMessageType(packet), MessageType.Offer);
    assert.equal(packet.yiaddr, '198.18.0.100');
    assert.equal(packet.xid, 77);
    assert.equal(packet.ciaddr, '0.0.0.0');
    assert.equal(getIp(packet.options, 54), SERVER);
    assert.equal(getU32(packet.options, 51), 3600);
    assert.equal(getU32(packet.options, 58), 1800);
    assert.equal(getU32(packet.options, 59), 3150);
    assert.equal(getIp(packet.options, 1), '255.255.255.0');
    assert.equal(getIp(packet.options, 3), '198.18.0.1');
    assert.deepEqual(getIps(packet.options, 6), ['198.18.0.1']);
    assert.equal(getString(packet.options, 15), 'lab.test');
    assert.equal(packet.options.has(12), false);
    assert.deepEqual(to, { address: '255.255.255.255', port: 68 });
    const row = await store.getByAddress('198.18.0.100');
    assert.equal(row?.state, 'offered');
    assert.equal(row?.expiresAt, T0 + 60_000);
    assert.deepEqual(kinds(), ['dhcp.discover', 'dhcp.offer']);
    assert.equal(events[1]?.mac, '52:54:00:00:00:01');
    assert.equal(events[1]?.data?.['ip'], '198.18.0.100');
  });

  test('a second DISCOVER from the same client gets the same address; another client gets the next', async () => {
    const r = responder();
    const a = replyOf(await r.handle(request(MessageType.Discover), MessageType.Discover, IFACE));
    const again = replyOf(await r.handle(request(MessageType.Discover), MessageType.Discover, IFACE));
    const b = replyOf(await r.handle(request(MessageType.Discover, { mac: '52:54:00:00:00:02' }), MessageType.Discover, IFACE));
    assert.equal(again.packet.yiaddr, a.packet.yiaddr);
    assert.equal(b.packet.yiaddr, '198.18.0.101');
  });

  test('concurrent DISCOVERs while claims wait for their commit: each client gets its own address at the first claim', async () => {
    let claims = 0;
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    // The view shows a claim only once it commits (a store that is slow to commit, or shared).
    const gated = Object.assign(Object.create(store) as LeaseStore, {
      view: () => store.view(),
      viewNow: () => store.viewNow?.(),
      holdNow: undefined,
      claim: async (req: Parameters<LeaseStore['claim']>[0]) => {
        claims++;
        await gate;
        return store.claim(req);
      },
    });
    const r = responder(testConfig({ pool: ['198.18.0.100', '198.18.0.120'] }), gated);
    const macs = ['52:54:00:00:01:01', '52:54:00:00:01:02', '52:54:00:00:01:03', '52:54:00:00:01:04', '52:54:00:00:01:05'];
    // The last one asks (option 50) for the address the first is being offered.
    const pending = macs.map((mac, i) => r.handle(request(MessageType.Discover, i === 4 ? { mac, requested: '198.18.0.100' } : { mac }), MessageType.Discover, IFACE));
    open();
    const offered = (await Promise.all(pending)).map((o) => replyOf(o).packet.yiaddr);
    assert.equal(offered[0], '198.18.0.100');
    assert.equal(new Set(offered).size, macs.length, `distinct addresses: ${offered.join(' ')}`);
    assert.equal(claims, macs.length, 'no claim lost a race and was retried');
    assert.ok(!kinds().includes('dhcp.exhausted'));
  });

  test('honours option 50 when free', async () => {
    const r = responder();
    const { packet } = replyOf(await r.handle(request(MessageType.Discover, { requested: '198.18.0.102' }), MessageType.Discover, IFACE));
    assert.equal(packet.yiaddr, '198.18.0.102');
  });

  test('pool exhaustion: no offer, and an event says so', async () => {
    const r = responder();
    for (const n of [1, 2, 3]) await lease(r, { mac: `52:54:00:00:00:0${n}` });
    events = [];
    const o = await r.handle(request(MessageType.Discover, { mac: '52:54:00:00:00:04' }), MessageType.Discover, IFACE);
    assert.deepEqual(o, { kind: 'silent' });
    assert.deepEqual(kinds(), ['dhcp.discover', 'dhcp.exhausted']);
    assert.equal(events[1]?.level, 'warn');
    assert.equal(events[1]?.mac, '52:54:00:00:00:04');
  });

  test('an expired offer hold frees the address for others', async () => {
    const r = responder(testConfig({ pool: ['198.18.0.100', '198.18.0.100'] }));
    replyOf(await r.handle(request(MessageType.Discover), MessageType.Discover, IFACE));
    assert.equal((await r.handle(request(MessageType.Discover, { mac: '52:54:00:00:00:02' }), MessageType.Discover, IFACE)).kind, 'silent');
    clock += 60_000;
    const b = replyOf(await r.handle(request(MessageType.Discover, { mac: '52:54:00:00:00:02' }), MessageType.Discover, IFACE));
    assert.equal(b.packet.yiaddr, '198.18.0.100');
  });

  test('the broadcast flag is kept in the reply', async () => {
    const r = responder();
    const { packet, to } = replyOf(await r.handle(request(MessageType.Discover, { flags: FLAG_BROADCAST }), MessageType.Discover, IFACE));
    assert.equal(packet.flags, FLAG_BROADCAST);
    assert.equal(to.address, '255.255.255.255');
  });

  test('no subnet for the segment: dropped', async () => {
    const r = responder();
    const o = await r.handle(request(MessageType.Discover), MessageType.Discover, { name: 'eth1', address: '198.19.9.1', netmask: '255.255.255.0' });
    assert.deepEqual(o, { kind: 'drop', code: 'DHCP_NO_SUBNET' });
  });

  test("encode limits: the client's option 57, capped at an Ethernet payload; gPXE never overloads", async () => {
    const r = responder();
    const small = replyOf(await r.handle(request(MessageType.Discover, { maxSize: 1000 }), MessageType.Discover, IFACE));
    assert.deepEqual(small.encode, { maxSize: 1000, allowOverload: true });
    const edk2 = replyOf(await r.handle(request(MessageType.Discover, { maxSize: 65280 }), MessageType.Discover, IFACE));
    assert.equal(edk2.encode.maxSize, 1472);
    const none = replyOf(await r.handle(request(MessageType.Discover), MessageType.Discover, IFACE));
    assert.equal(none.encode.maxSize, 576);
    const gpxe = replyOf(await r.handle(request(MessageType.Discover, { userClass: 'gPXE' }), MessageType.Discover, IFACE));
    assert.equal(gpxe.encode.allowOverload, false);
  });
});

describe('REQUEST', () => {
  test('SELECTING with our server id: ACK, lease bound and durable first', async () => {
    const r = responder();
    replyOf(await r.handle(request(MessageType.Discover), MessageType.Discover, IFACE));
    clock += 1000;
    events = [];
    const { packet, to } = replyOf(
      await r.handle(request(MessageType.Request, { serverId: SERVER, requested: '198.18.0.100' }), MessageType.Request, IFACE),
    );
    assert.equal(getMessageType(packet), MessageType.Ack);
    assert.equal(packet.yiaddr, '198.18.0.100');
    assert.equal(getU32(packet.options, 51), 3600);
    assert.deepEqual(to, { address: '255.255.255.255', port: 68 });
    const row = await store.getByClient('01525400000001');
    assert.equal(row?.state, 'bound');
    assert.equal(row?.expiresAt, clock + 3_600_000);
    assert.deepEqual(kinds(), ['dhcp.request', 'dhcp.ack']);
    assert.equal(events[0]?.data?.['state'], 'selecting');
  });

  test('SELECTING another server: silent, and our offer hold is dropped', async () => {
    const r = responder();
    replyOf(await r.handle(request(MessageType.Discover), MessageType.Discover, IFACE));
    const o = await r.handle(request(MessageType.Request, { serverId: '198.18.0.99', requested: '198.18.0.77' }), MessageType.Request, IFACE);
    assert.deepEqual(o, { kind: 'silent' });
    assert.equal((await store.getByAddress('198.18.0.100'))?.state, 'released');
  });

  test('SELECTING an address another client holds: NAK, broadcast', async () => {
    const r = responder();
    await lease(r, { mac: '52:54:00:00:00:02' });
    const { packet, to } = replyOf(
      await r.handle(request(MessageType.Request, { serverId: SERVER, requested: '198.18.0.100' }), MessageType.Request, IFACE),
    );
    assert.equal(getMessageType(packet), MessageType.Nak);
    assert.equal(packet.yiaddr, '0.0.0.0');
    assert.equal(packet.options.has(51), false);
    assert.equal(getIp(packet.options, 54), SERVER);
    assert.deepEqual(to, { address: '255.255.255.255', port: 68 });
    assert.ok(kinds().includes('dhcp.nak'));
  });

  test('INIT-REBOOT: ACK our own lease, NAK a foreign subnet or a taken address', async () => {
    const r = responder();
    const mine = await lease(r);
    const ack = replyOf(await r.handle(request(MessageType.Request, { requested: mine }), MessageType.Request, IFACE));
    assert.equal(getMessageType(ack.packet), MessageType.Ack);
    assert.equal(ack.packet.yiaddr, mine);
    const wrongNet = replyOf(await r.handle(request(MessageType.Request, { requested: '10.1.2.3' }), MessageType.Request, IFACE));
    assert.equal(getMessageType(wrongNet.packet), MessageType.Nak);
    const taken = replyOf(
      await r.handle(request(MessageType.Request, { mac: '52:54:00:00:00:02', requested: mine }), MessageType.Request, IFACE),
    );
    assert.equal(getMessageType(taken.packet), MessageType.Nak);
  });

  test('INIT-REBOOT, authoritative: a free pool address for an unknown client is ACKed (lost lease database)', async () => {
    const r = responder();
    const ack = replyOf(await r.handle(request(MessageType.Request, { requested: '198.18.0.101' }), MessageType.Request, IFACE));
    assert.equal(getMessageType(ack.packet), MessageType.Ack);
    assert.equal((await store.getByAddress('198.18.0.101'))?.state, 'bound');
  });

  test('INIT-REBOOT, not authoritative: silent for unknown clients, NAK for known ones asking wrongly', async () => {
    const r = responder(testConfig({ authoritative: false }));
    const unknown = await r.handle(request(MessageType.Request, { requested: '10.1.2.3' }), MessageType.Request, IFACE);
    assert.deepEqual(unknown, { kind: 'silent' });
    const unknownInPool = await r.handle(request(MessageType.Request, { requested: '198.18.0.101' }), MessageType.Request, IFACE);
    assert.deepEqual(unknownInPool, { kind: 'silent' });
    const mine = await lease(r);
    assert.equal(getMessageType(replyOf(await r.handle(request(MessageType.Request, { requested: mine }), MessageType.Request, IFACE)).packet), MessageType.Ack);
    const other = await r.handle(request(MessageType.Request, { requested: '198.18.0.102' }), MessageType.Request, IFACE);
    assert.equal(getMessageType(replyOf(other).packet), MessageType.Nak);
    const wrongNet = await r.handle(request(MessageType.Request, { requested: '10.1.2.3' }), MessageType.Request, IFACE);
    assert.equal(getMessageType(replyOf(wrongNet).packet), MessageType.Nak);
  });

  test('RENEWING: ACK unicast to ciaddr, lease extended, ciaddr echoed', async () => {
    const r = responder();
    const mine = await lease(r);
    clock += 1_800_000;
    const { packet, to } = replyOf(await r.handle(request(MessageType.Request, { ciaddr: mine }), MessageType.Request, IFACE));
    assert.equal(getMessageType(packet), MessageType.Ack);
    assert.equal(packet.ciaddr, mine);
    assert.equal(packet.yiaddr, mine);
    assert.deepEqual(to, { address: mine, port: 68 });
    assert.equal((await store.getByClient('01525400000001'))?.expiresAt, clock + 3_600_000);
  });

  test('REBINDING after the lease was lost to another client: NAK, broadcast', async () => {
    const r = responder();
    const mine = await lease(r);
    clock += 3_600_000;
    await lease(r, { mac: '52:54:00:00:00:02', requested: mine });
    assert.equal((await store.getByAddress(mine))?.mac, '52:54:00:00:00:02');
    const o = replyOf(await r.handle(request(MessageType.Request, { ciaddr: mine }), MessageType.Request, IFACE));
    assert.equal(getMessageType(o.packet), MessageType.Nak);
    assert.deepEqual(o.to, { address: '255.255.255.255', port: 68 });
  });

  test('a REQUEST with nothing to go on is dropped', async () => {
    const r = responder();
    assert.deepEqual(await r.handle(request(MessageType.Request), MessageType.Request, IFACE), { kind: 'drop', code: 'DHCP_BAD_REQUEST' });
    assert.equal(events.at(-1)?.kind, 'dhcp.drop');
  });

  test('no ACK when the lease write fails', async () => {
    const failing: LeaseStore = Object.assign(Object.create(store) as LeaseStore, {
      claim: () => Promise.reject(new Error('disk full')),
    });
    const r = responder(testConfig(), failing);
    await assert.rejects(r.handle(request(MessageType.Request, { requested: '198.18.0.100' }), MessageType.Request, IFACE), /disk full/);
    assert.equal(kinds().includes('dhcp.ack'), false);
  });
});

describe('DECLINE, RELEASE, INFORM', () => {
  test('DECLINE keeps the address from everyone; the client gets another', async () => {
    const r = responder();
    const mine = await lease(r);
    const o = await r.handle(request(MessageType.Decline, { serverId: SERVER, requested: mine }), MessageType.Decline, IFACE);
    assert.deepEqual(o, { kind: 'silent' });
    assert.equal((await store.getByAddress(mine))?.state, 'declined');
    const e = events.find((x) => x.kind === 'dhcp.decline');
    assert.equal(e?.level, 'warn');
    const next = replyOf(await r.handle(request(MessageType.Discover), MessageType.Discover, IFACE));
    assert.notEqual(next.packet.yiaddr, mine);
    const other = replyOf(await r.handle(request(MessageType.Discover, { mac: '52:54:00:00:00:02' }), MessageType.Discover, IFACE));
    assert.notEqual(other.packet.yiaddr, mine);
  });

  test('RELEASE frees the address; the same client gets it back first', async () => {
    const r = responder();
    const mine = await lease(r);
    assert.deepEqual(await r.handle(request(MessageType.Release, { serverId: SERVER, ciaddr: mine }), MessageType.Release, IFACE), { kind: 'silent' });
    assert.equal((await store.getByAddress(mine))?.state, 'released');
    assert.ok(kinds().includes('dhcp.release'));
    assert.equal(await lease(r), mine);
  });

  test('RELEASE meant for another server is ignored', async () => {
    const r = responder();
    const mine = await lease(r);
    await r.handle(request(MessageType.Release, { serverId: '198.18.0.99', ciaddr: mine }), MessageType.Release, IFACE);
    assert.equal((await store.getByAddress(mine))?.state, 'bound');
  });

  test('INFORM: ACK with configuration but no address or lease time, to ciaddr', async () => {
    const r = responder();
    const { packet, to } = replyOf(await r.handle(request(MessageType.Inform, { ciaddr: '198.18.0.33' }), MessageType.Inform, IFACE));
    assert.equal(getMessageType(packet), MessageType.Ack);
    assert.equal(packet.yiaddr, '0.0.0.0');
    assert.equal(packet.ciaddr, '198.18.0.33');
    assert.equal(packet.options.has(51), false);
    assert.equal(packet.options.has(58), false);
    assert.equal(getIp(packet.options, 3), '198.18.0.1');
    assert.deepEqual(to, { address: '198.18.0.33', port: 68 });
    assert.deepEqual(kinds(), ['dhcp.inform', 'dhcp.ack']);
    assert.deepEqual(await store.list(), []);
  });
});

describe('relay agents (giaddr)', () => {
  const relay = '198.18.5.1';
  const agent = Buffer.from([1, 3, 0x61, 0x62, 0x63, 2, 2, 0xbe, 0xef]);

  test("the relay's subnet is used, the reply goes to giaddr:67 with option 82 echoed", async () => {
    const r = responder();
    const { packet, to } = replyOf(await r.handle(request(MessageType.Discover, { giaddr: relay, relayAgent: agent }), MessageType.Discover, IFACE));
    assert.equal(packet.yiaddr, '198.18.5.10');
    assert.equal(packet.giaddr, relay);
    assert.equal(getU32(packet.options, 51), 600);
    assert.equal(getIp(packet.options, 1), '255.255.255.0');
    assert.equal(packet.options.has(3), false);
    assert.deepEqual(packet.options.get(82), agent);
    assert.deepEqual([...packet.options.keys()].at(-1), 82);
    assert.deepEqual(to, { address: relay, port: 67 });
  });

  test('a relayed NAK goes to the relay with the broadcast bit set', async () => {
    const r = responder();
    const { packet, to } = replyOf(
      await r.handle(request(MessageType.Request, { giaddr: relay, requested: '198.18.0.100', relayAgent: agent }), MessageType.Request, IFACE),
    );
    assert.equal(getMessageType(packet), MessageType.Nak);
    assert.equal(packet.flags & FLAG_BROADCAST, FLAG_BROADCAST);
    assert.deepEqual(packet.options.get(82), agent);
    assert.deepEqual(to, { address: relay, port: 67 });
  });

  test('a unicast renewal from behind a relay (no giaddr) finds the remote subnet', async () => {
    const r = responder();
    const addr = await lease(r, { giaddr: relay });
    assert.equal(addr, '198.18.5.10');
    const { packet, to } = replyOf(await r.handle(request(MessageType.Request, { ciaddr: addr }), MessageType.Request, IFACE));
    assert.equal(getMessageType(packet), MessageType.Ack);
    assert.deepEqual(to, { address: addr, port: 68 });
  });

  test('option 82 is not echoed to a client that was not relayed', async () => {
    const r = responder();
    const { packet } = replyOf(await r.handle(request(MessageType.Discover, { relayAgent: agent }), MessageType.Discover, IFACE));
    assert.equal(packet.options.has(82), false);
  });
});

describe('reservations', () => {
  const reserved = '52:54:00:00:00:aa';

  test('the reserved MAC gets its address and hostname', async () => {
    const r = responder();
    const { packet } = replyOf(await r.handle(request(MessageType.Discover, { mac: reserved, requested: '198.18.0.100' }), MessageType.Discover, IFACE));
    assert.equal(packet.yiaddr, '198.18.0.50');
    assert.equal(getString(packet.options, 12), 'web1');
    assert.equal(await lease(r, { mac: reserved }), '198.18.0.50');
    assert.equal((await store.getByAddress('198.18.0.50'))?.hostname, 'web1');
  });

  test('nobody else gets a reserved address; the reserved client is NAKed off a pool address', async () => {
    const r = responder();
    const nak = replyOf(await r.handle(request(MessageType.Request, { requested: '198.18.0.50' }), MessageType.Request, IFACE));
    assert.equal(getMessageType(nak.packet), MessageType.Nak);
    const nak2 = replyOf(await r.handle(request(MessageType.Request, { mac: reserved, requested: '198.18.0.100' }), MessageType.Request, IFACE));
    assert.equal(getMessageType(nak2.packet), MessageType.Nak);
  });
});

describe('boot plans in replies', () => {
  test('BIOS PXE: siaddr and file; 66/67 only when asked for', async () => {
    const r = responder();
    const spec = { vendorClass: 'PXEClient:Arch:00000:UNDI:002001', arch: 0 };
    const plain = replyOf(await r.handle(request(MessageType.Discover, spec), MessageType.Discover, IFACE)).packet;
    assert.equal(plain.siaddr, SERVER);
    assert.equal(plain.file, 'undionly.kpxe');
    assert.equal(plain.options.has(66), false);
    assert.equal(plain.options.has(67), false);
    const asked = replyOf(await r.handle(request(MessageType.Discover, { ...spec, paramRequest: [1, 3, 66, 67] }), MessageType.Discover, IFACE)).packet;
    assert.equal(getString(asked.options, 66), SERVER);
    assert.equal(getString(asked.options, 67), 'undionly.kpxe');
  });

  test('iPXE: the script URL as file, with a non-zero siaddr, in OFFER and ACK', async () => {
    const r = responder();
    const spec = { userClass: 'iPXE', vendorClass: 'PXEClient:Arch:00000:UNDI:002001', arch: 0 };
    const offer = replyOf(await r.handle(request(MessageType.Discover, spec), MessageType.Discover, IFACE)).packet;
    assert.equal(offer.file, `http://${SERVER}:8080/boot.ipxe?mac=52:54:00:00:00:01`);
    assert.equal(offer.siaddr, SERVER);
    const ack = replyOf(
      await r.handle(request(MessageType.Request, { ...spec, serverId: SERVER, requested: offer.yiaddr }), MessageType.Request, IFACE),
    ).packet;
    assert.equal(ack.file, offer.file);
  });

  test('UEFI HTTP boot: option 60 HTTPClient and the URL in option 67', async () => {
    const r = responder();
    const { packet } = replyOf(
      await r.handle(request(MessageType.Discover, { vendorClass: 'HTTPClient:Arch:00016:UNDI:003000', arch: 16, paramRequest: [1, 3, 67] }), MessageType.Discover, IFACE),
    );
    assert.equal(getString(packet.options, 60), 'HTTPClient');
    assert.equal(getString(packet.options, 67), `http://${SERVER}:8080/ipxe.efi`);
  });

  test('an OS client gets an address and no boot file', async () => {
    const r = responder();
    const { packet } = replyOf(await r.handle(request(MessageType.Discover), MessageType.Discover, IFACE));
    assert.equal(packet.file, '');
    assert.equal(packet.siaddr, '0.0.0.0');
  });

  test("an 'ignore' plan means no reply at all and no address held", async () => {
    const r = new FullModeResponder({
      config: testConfig(),
      store,
      events: { emit: (e) => events.push(e) },
      localAddresses: [SERVER],
      now: () => clock,
      plan: () => ({ kind: 'ignore', reason: 'test' }),
    });
    assert.deepEqual(await r.handle(request(MessageType.Discover), MessageType.Discover, IFACE), { kind: 'silent' });
    assert.deepEqual(await store.list(), []);
  });

  test('the serverAddress of the interface is what clients are told to fetch from', async () => {
    const r = responder();
    const iface = { ...IFACE, serverAddress: '198.18.0.9' };
    const { packet } = replyOf(await r.handle(request(MessageType.Discover, { vendorClass: 'PXEClient:Arch:00000:UNDI:002001', arch: 0 }), MessageType.Discover, iface));
    assert.equal(packet.siaddr, '198.18.0.9');
    assert.equal(getIp(packet.options, 54), SERVER);
  });
});

