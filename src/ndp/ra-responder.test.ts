import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BootEvent } from '../events/boot-event.js';
import type { Icmpv6Datagram } from '../transport/raw-icmpv6.js';
import { decodeNdp, encodeNdp, formatIpv6, NdpType, parseIpv6, sourceLinkLayerOption } from '../wire/ndp/index.js';
import { RaResponder, type NdpLink } from './ra-responder.js';
import type { RaTiming } from './ra-timing.js';

const MAC = '52:54:00:bf:00:0a';
const CLIENT_LL = parseIpv6('fe80::5054:ff:febf:a')!;
const FAST: Partial<RaTiming> = { holdoffMs: 40, startupQuietMs: 30, probeDelayMs: 0, probeIntervalMs: 10_000, pendingMaxMs: 400, probeRetryMs: 10 };

class FakeLink implements NdpLink {
  readonly sent: Array<{ bytes: Buffer; to: string }> = [];
  failSends = 0;
  send(message: Uint8Array, to: Uint8Array): void {
    if (this.failSends > 0) {
      this.failSends--;
      throw new Error('EADDRNOTAVAIL');
    }
    this.sent.push({ bytes: Buffer.from(message), to: formatIpv6(to) });
  }
  async close(): Promise<void> {}
  /** Sends other than our start-up router solicitations. */
  advertisements(): Array<{ bytes: Buffer; to: string }> {
    return this.sent.filter((s) => s.bytes[0] === NdpType.RouterAdvertisement);
  }
}

function rig(opts: { hostForwards?: boolean; timing?: Partial<RaTiming>; failSends?: number } = {}) {
  const link = new FakeLink();
  link.failSends = opts.failSends ?? 0;
  const events: BootEvent[] = [];
  let deliver: (d: Icmpv6Datagram) => void = () => {};
  const responder = new RaResponder({
    interfaces: ['bf0'],
    events: { emit: (e) => events.push(e) },
    timing: { ...FAST, ...opts.timing },
    openLink: (_device, onDatagram) => {
      deliver = onDatagram;
      return link;
    },
    linkFacts: () => ({ mac: '02:00:00:00:00:02', hasLinkLocal: true }),
    hostForwards: () => opts.hostForwards ?? false,
    random: () => 0,
  });
  responder.start();
  const rs = (from = CLIENT_LL, hopLimit = 255, mac: string | null = MAC): void =>
    deliver({ data: encodeNdp({ type: NdpType.RouterSolicitation, options: mac ? [sourceLinkLayerOption(mac)] : [] }), from, scopeId: 2, hopLimit, truncated: false });
  const foreignRa = (lifetime = 1800): void =>
    deliver({
      data: encodeNdp({ type: NdpType.RouterAdvertisement, curHopLimit: 64, flags: 0, routerLifetime: lifetime, reachableTime: 0, retransTimer: 0, options: [] }),
      from: parseIpv6('fe80::1')!,
      scopeId: 2,
      hopLimit: 255,
      truncated: false,
    });
  const ipxeDhcp = (mac = MAC): void => {
    responder.noteEvent({ kind: 'dhcp.discover', level: 'info', mac, msg: 'DISCOVER', data: { iface: 'bf0' } });
    responder.noteEvent({ kind: 'dhcp.offer', level: 'info', mac, msg: 'OFFER', data: { ip: '198.18.0.100', boot: 'ipxe-script' } });
  };
  const raw = (bytes: number[]): void => deliver({ data: Uint8Array.from(bytes), from: CLIENT_LL, scopeId: 2, hopLimit: 255, truncated: false });
  return { link, events, responder, rs, raw, foreignRa, ipxeDhcp, kinds: () => events.map((e) => e.kind) };
}

test('sends router solicitations at start, then answers an iPXE client after the hold-off, unicast, saying nothing', async () => {
  const r = rig();
  await sleep(50);
  assert.equal(r.link.sent[0]?.to, 'ff02::2');
  assert.equal(r.link.sent[0]?.bytes[0], NdpType.RouterSolicitation);
  r.ipxeDhcp();
  r.rs();
  r.rs();
  assert.equal(r.link.advertisements().length, 0, 'not before the hold-off');
  await sleep(100);
  const ras = r.link.advertisements();
  assert.equal(ras.length, 1, 'one advertisement for the burst of solicitations');
  assert.equal(ras[0]!.to, 'fe80::5054:ff:febf:a');
  const d = decodeNdp(ras[0]!.bytes);
  assert.ok(d.ok && d.message.type === NdpType.RouterAdvertisement);
  assert.deepEqual(
    { ...d.message, options: d.message.options.length },
    { type: NdpType.RouterAdvertisement, curHopLimit: 0, flags: 0, routerLifetime: 0, reachableTime: 0, retransTimer: 0, options: 0 },
  );
  const sent = r.events.find((e) => e.kind === 'ndp.ra');
  assert.equal(sent?.mac, MAC);
  await r.responder.stop();
});

test('a solicitation that comes before the DHCP exchange is answered once the client shows it is iPXE', async () => {
  const r = rig();
  await sleep(50);
  r.rs();
  await sleep(100);
  assert.equal(r.link.advertisements().length, 0);
  r.ipxeDhcp();
  await sleep(10);
  assert.equal(r.link.advertisements().length, 1);
  await r.responder.stop();
});

test('a client that is not iPXE gets nothing', async () => {
  const r = rig();
  await sleep(50);
  r.rs();
  await sleep(500);
  assert.equal(r.link.advertisements().length, 0);
  assert.ok(r.events.some((e) => e.kind === 'ndp.silent' && /no iPXE DHCP exchange/.test(e.msg)));
  await r.responder.stop();
});

test('after one answer the same exchange gets no second one (the OS booting next solicits too)', async () => {
  const r = rig();
  await sleep(50);
  r.ipxeDhcp();
  r.rs();
  await sleep(100);
  r.responder.noteEvent({ kind: 'dhcp.ack', level: 'info', mac: MAC, msg: 'ACK', data: { ip: '198.18.0.100', boot: 'ipxe-script' } });
  r.rs();
  await sleep(100);
  assert.equal(r.link.advertisements().length, 1);
  await r.responder.stop();
});

test('never answers once another router has advertised on the link', async () => {
  const r = rig();
  await sleep(50);
  r.foreignRa(0);
  r.ipxeDhcp();
  r.rs();
  await sleep(150);
  assert.equal(r.link.advertisements().length, 0);
  assert.ok(r.kinds().includes('ndp.router'));
  assert.ok(r.events.some((e) => e.kind === 'ndp.silent' && /fe80::1/.test(e.msg)));
  await r.responder.stop();
});

test('a router that answers during the hold-off cancels our answer', async () => {
  const r = rig();
  await sleep(50);
  r.ipxeDhcp();
  r.rs();
  await sleep(10);
  r.foreignRa();
  await sleep(100);
  assert.equal(r.link.advertisements().length, 0);
  await r.responder.stop();
});

test('does not answer before its own start-up listening is over, then does', async () => {
  const r = rig({ timing: { startupQuietMs: 200 } });
  await sleep(20);
  r.ipxeDhcp();
  r.rs();
  await sleep(100);
  assert.equal(r.link.advertisements().length, 0);
  await sleep(200);
  assert.equal(r.link.advertisements().length, 1);
  await r.responder.stop();
});

test('keeps trying its start-up solicitation while the link-local address is tentative', async () => {
  const r = rig({ failSends: 3 });
  await sleep(100);
  assert.equal(r.link.sent.filter((s) => s.bytes[0] === NdpType.RouterSolicitation).length, 1);
  await r.responder.stop();
});

test('stays silent when this host forwards IPv6 on the interface', async () => {
  const r = rig({ hostForwards: true });
  await sleep(50);
  r.ipxeDhcp();
  r.rs();
  await sleep(150);
  assert.equal(r.link.advertisements().length, 0);
  await r.responder.stop();
});

test('drops what RFC 4861 §6.1 says to drop, and never throws on bad bytes', async () => {
  const r = rig();
  await sleep(50);
  r.ipxeDhcp();
  r.rs(CLIENT_LL, 64);
  r.rs(parseIpv6('::')!, 255, null);
  r.rs(parseIpv6('fe80::1234')!, 255, null);
  r.raw([0x85]);
  r.raw([0x85, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00]);
  await sleep(150);
  assert.equal(r.link.advertisements().length, 0);
  const codes = r.events.filter((e) => e.kind === 'ndp.drop').map((e) => e.data?.code);
  assert.deepEqual(codes, ['NDP_HOP_LIMIT', 'NDP_BAD_SOURCE', 'NDP_NO_MAC', 'NDP_TRUNCATED', 'NDP_BAD_OPTION']);
  await r.responder.stop();
});
