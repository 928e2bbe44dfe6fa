/**
 * dnsmasq behaviours bootfleet's runtime needed beyond the corpus (README "What runs"): relayed
 * subnets, per-interface TFTP, dhcp-host addresses held by another lease, the client's requested
 * lease time. Through bootfleet's own responders with the dnsmasq policy, without a network.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FullModeResponder, type ReceivingInterface } from '../dhcp/full-mode.js';
import { request } from '../dhcp/test-packets.js';
import { nullSink } from '../events/boot-event.js';
import { SqliteLeaseStore } from '../store/sqlite-lease-store.js';
import { getIp } from '../wire/dhcp/options.js';
import { MessageType, type DhcpPacket } from '../wire/dhcp/packet.js';
import { dnsmasqLeaseSeconds, dnsmasqReplyPolicy } from './dnsmasq-policy.js';
import { parseDnsmasqConfText } from './load.js';
import { loadBaseConfig } from './run-command.js';
import { blocksOutside, translateDnsmasq, type DnsmasqRunPlan, type HostInterface } from './translate.js';

const IFACE: ReceivingInterface = { name: 'bf0', address: '198.18.0.2', netmask: '255.255.255.0' };

function planOf(text: string, ifaces: readonly HostInterface[] = [IFACE]): DnsmasqRunPlan {
  const conf = parseDnsmasqConfText(text, 'test.conf');
  assert.deepEqual(conf.problems, []);
  const base = loadBaseConfig(null);
  assert.ok(base.ok);
  const t = translateDnsmasq({ directives: conf.directives, hostInterfaces: ifaces, base: base.base, isDirectory: () => true });
  assert.ok(t.ok, t.ok ? '' : JSON.stringify(t.errors));
  return t.plan;
}

async function withResponder(plan: DnsmasqRunPlan, run: (full: FullModeResponder, store: SqliteLeaseStore) => Promise<void>): Promise<void> {
  const store = SqliteLeaseStore.open(':memory:');
  const full = new FullModeResponder({ config: plan.config, store, events: nullSink, localAddresses: [IFACE.address], policy: dnsmasqReplyPolicy({ model: plan.model }) });
  try {
    await run(full, store);
  } finally {
    await store.close();
  }
}

async function reply(full: FullModeResponder, p: DhcpPacket, type: MessageType): Promise<{ packet: DhcpPacket; to: { address: string; port: number } } | null> {
  const out = await full.handle(p, type, IFACE);
  return out.kind === 'reply' ? out.reply : null;
}

test('gap 1: a dhcp-range on a relayed subnet serves requests whose giaddr is in it, with its tags, replies to giaddr:67', async () => {
  const plan = planOf(
    [
      'dhcp-range=198.18.0.100,198.18.0.150,1h',
      'dhcp-range=set:far,198.18.1.50,198.18.1.60,255.255.255.0,2h',
      'dhcp-boot=tag:far,far.efi',
      'dhcp-boot=near.efi',
    ].join('\n'),
  );
  assert.ok(plan.config.dhcp.subnets.some((s) => s.subnet === '198.18.1.0/24'));
  await withResponder(plan, async (full) => {
    const offer = await reply(full, request(MessageType.Discover, { mac: '52:54:00:aa:00:01', giaddr: '198.18.1.1', paramRequest: [1, 3, 51] }), MessageType.Discover);
    assert.ok(offer !== null);
    assert.equal(offer.to.address, '198.18.1.1');
    assert.equal(offer.to.port, 67);
    const n = offer.packet.yiaddr.split('.').map(Number);
    assert.equal(n.slice(0, 3).join('.'), '198.18.1');
    assert.ok((n[3] ?? 0) >= 50 && (n[3] ?? 0) <= 60, offer.packet.yiaddr);
    assert.equal(offer.packet.file, 'far.efi');
    assert.equal(getIp(offer.packet.options, 3), '198.18.1.1', 'router defaults to the relay');
    assert.equal(getIp(offer.packet.options, 1), '255.255.255.0');
    assert.equal(getIp(offer.packet.options, 54), IFACE.address);
    assert.equal(offer.packet.options.get(51)?.readUInt32BE(0), 7200);
    const local = await reply(full, request(MessageType.Discover, { mac: '52:54:00:aa:00:02' }), MessageType.Discover);
    assert.ok(local !== null);
    assert.equal(local.packet.file, 'near.efi');
    assert.ok(local.packet.yiaddr.startsWith('198.18.0.'));
    // A relay on a subnet with no range gets nothing.
    const none = await full.handle(request(MessageType.Discover, { mac: '52:54:00:aa:00:03', giaddr: '198.18.7.1' }), MessageType.Discover, IFACE);
    assert.notEqual(none.kind, 'reply');
  });
});

test('gap 1: a relayed range without a netmask gets the classful guess, as dnsmasq', () => {
  const plan = planOf(['dhcp-range=198.18.0.100,198.18.0.150', 'dhcp-range=10.9.8.10,10.9.8.20'].join('\n'));
  assert.ok(plan.config.dhcp.subnets.some((s) => s.subnet === '10.0.0.0/8'));
});

const TWO: HostInterface[] = [IFACE, { name: 'bf1', address: '198.18.1.2', netmask: '255.255.255.0' }];
const TWO_RANGES = 'dhcp-range=198.18.0.100,198.18.0.150\ndhcp-range=198.18.1.100,198.18.1.150\n';

test('gap 2: tftp-root=<dir>,<interface> replaces the plain root on that interface only', () => {
  const plan = planOf(`${TWO_RANGES}enable-tftp\ntftp-root=/srv/all\ntftp-root=/srv/one,bf1\n`, TWO);
  assert.deepEqual(plan.tftp.rootByAddress, { '198.18.0.2': '/srv/all', '198.18.1.2': '/srv/one' });
  assert.equal(plan.config.tftp.enabled, true);
});

test('gap 2: enable-tftp=<interfaces> narrower than DHCP: TFTP only there', () => {
  const plan = planOf(`${TWO_RANGES}enable-tftp=bf1\ntftp-root=/srv/all\n`, TWO);
  assert.deepEqual(plan.tftp.rootByAddress, { '198.18.1.2': '/srv/all' });
  const star = planOf(`${TWO_RANGES}enable-tftp=bf0\nenable-tftp=bf1\ntftp-root=/srv/all\n`, TWO);
  assert.deepEqual(Object.keys(star.tftp.rootByAddress).sort(), ['198.18.0.2', '198.18.1.2']);
});

test('gap 2: an interface with no root of its own and no plain root gets no TFTP, with a warning', () => {
  const plan = planOf(`${TWO_RANGES}enable-tftp\ntftp-root=/srv/one,bf1\n`, TWO);
  assert.deepEqual(plan.tftp.rootByAddress, { '198.18.1.2': '/srv/one' });
  assert.ok(plan.warnings.some((w) => w.includes('enable-tftp on bf0 without a tftp-root')));
});

test('gap 3: a dhcp-host address leased to another client: a dynamic address, host tags and lease time kept; the static one once free', async () => {
  const plan = planOf(['dhcp-range=198.18.0.100,198.18.0.110,1h', 'dhcp-host=52:54:00:bb:00:01,198.18.0.50,set:pinned,20m', 'dhcp-boot=tag:pinned,pinned.efi'].join('\n'));
  await withResponder(plan, async (full, store) => {
    const now = Date.now();
    // Another client holds the host's address (e.g. carried over from dnsmasq's lease file).
    const squat = await store.claim({ clientId: '01:52:54:00:bb:00:99', mac: '52:54:00:bb:00:99', address: '198.18.0.50', state: 'bound', expiresAt: now + 3600_000, hostname: null, now });
    assert.ok(squat.ok);
    const mac = '52:54:00:bb:00:01';
    const offer = await reply(full, request(MessageType.Discover, { mac }), MessageType.Discover);
    assert.ok(offer !== null, 'dnsmasq offers a dynamic address instead of nothing');
    assert.equal(offer.packet.yiaddr, '198.18.0.100');
    assert.equal(offer.packet.file, 'pinned.efi', 'still the host\'s tags');
    assert.equal(offer.packet.options.get(51)?.readUInt32BE(0), 1200, 'still the host\'s lease time');
    const ack = await reply(full, request(MessageType.Request, { mac, requested: '198.18.0.100', serverId: IFACE.address }), MessageType.Request);
    assert.equal(ack?.packet.options.get(53)?.[0], MessageType.Ack);
    // The other client lets go: the next DISCOVER gets the host's address, and a renewal of the
    // dynamic one is NAKed ("static lease available").
    assert.ok(await store.release('01:52:54:00:bb:00:99', '198.18.0.50', Date.now()));
    const again = await reply(full, request(MessageType.Discover, { mac }), MessageType.Discover);
    assert.equal(again?.packet.yiaddr, '198.18.0.50');
    const renew = await reply(full, request(MessageType.Request, { mac, ciaddr: '198.18.0.100' }), MessageType.Request);
    assert.equal(renew?.packet.options.get(53)?.[0], MessageType.Nak);
  });
});

test('gap 4: dnsmasq calc_time: a shorter requested lease (option 51) wins, at least 120 s; never longer, but shortens infinite', async () => {
  assert.equal(dnsmasqLeaseSeconds(3600, null), 3600);
  assert.equal(dnsmasqLeaseSeconds(3600, 600), 600);
  assert.equal(dnsmasqLeaseSeconds(3600, 7200), 3600);
  assert.equal(dnsmasqLeaseSeconds(3600, 30), 120);
  assert.equal(dnsmasqLeaseSeconds(60, 30), 60, 'the floored request never lengthens a shorter configured time');
  assert.equal(dnsmasqLeaseSeconds(0xffffffff, 86400), 86400);
  assert.equal(dnsmasqLeaseSeconds(0xffffffff, 0xffffffff), 0xffffffff);
  assert.equal(dnsmasqLeaseSeconds(3600, 0xffffffff), 3600);

  const plan = planOf(['dhcp-range=198.18.0.100,198.18.0.110,1h', 'dhcp-host=52:54:00:cc:00:02,infinite'].join('\n'));
  await withResponder(plan, async (full, store) => {
    const mac = '52:54:00:cc:00:01';
    const withLease = (p: DhcpPacket, secs: number): DhcpPacket => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(secs);
      p.options.set(51, b);
      return p;
    };
    const offer = await reply(full, withLease(request(MessageType.Discover, { mac }), 600), MessageType.Discover);
    assert.equal(offer?.packet.options.get(51)?.readUInt32BE(0), 600);
    const ack = await reply(full, withLease(request(MessageType.Request, { mac, requested: offer?.packet.yiaddr ?? '', serverId: IFACE.address }), 900), MessageType.Request);
    assert.equal(ack?.packet.options.get(51)?.readUInt32BE(0), 900);
    const lease = await store.getByClient((await store.list()).find((l) => l.mac === mac)?.clientId ?? '');
    assert.ok(lease !== null && lease.expiresAt - Date.now() <= 900_000 && lease.expiresAt - Date.now() > 800_000, 'the stored lease follows the granted time');
    const longer = await reply(full, withLease(request(MessageType.Discover, { mac: '52:54:00:cc:00:03' }), 86400), MessageType.Discover);
    assert.equal(longer?.packet.options.get(51)?.readUInt32BE(0), 3600);
    const host = await reply(full, withLease(request(MessageType.Discover, { mac: '52:54:00:cc:00:02' }), 86400), MessageType.Discover);
    assert.equal(host?.packet.options.get(51)?.readUInt32BE(0), 86400, 'an infinite host lease yields to the request');
  });
});

test('a relayed range whose guessed network overlaps a served subnet is served from the part outside it, with the guessed netmask', async () => {
  const bf0 = { name: 'bf0', address: '10.1.1.2', netmask: '255.255.255.0' };
  const plan = planOf(['dhcp-range=10.1.1.100,10.1.1.150', 'dhcp-range=set:far,10.9.8.10,10.9.8.20', 'dhcp-boot=tag:far,far.efi'].join('\n'), [bf0]);
  // 10.0.0.0/8 (class A guess) less 10.1.1.0/24: the block holding the range is 10.8.0.0/13.
  assert.deepEqual(plan.config.dhcp.subnets.map((s) => s.subnet), ['10.1.1.0/24', '10.8.0.0/13']);
  assert.deepEqual(plan.config.dhcp.subnets[1]?.pools, [{ start: '10.9.8.10', end: '10.9.8.20' }]);
  const store = SqliteLeaseStore.open(':memory:');
  const full = new FullModeResponder({ config: plan.config, store, events: nullSink, localAddresses: [bf0.address], policy: dnsmasqReplyPolicy({ model: plan.model, hostNets: plan.hostNets }) });
  try {
    const out = await full.handle(request(MessageType.Discover, { mac: '52:54:00:aa:00:09', giaddr: '10.9.8.1', paramRequest: [1, 3, 28] }), MessageType.Discover, bf0);
    assert.ok(out.kind === 'reply');
    const p = out.reply.packet;
    assert.equal(p.yiaddr, '10.9.8.10');
    assert.equal(p.file, 'far.efi');
    assert.equal(getIp(p.options, 1), '255.0.0.0');
    assert.equal(getIp(p.options, 3), '10.9.8.1');
    assert.equal(getIp(p.options, 28), '10.255.255.255');
  } finally {
    await store.close();
  }
});

test('blocksOutside: the largest blocks of a network that miss the taken ranges', () => {
  const n = (a: string): number => a.split('.').reduce((x, o) => x * 256 + Number(o), 0);
  const show = (bs: { network: number; prefix: number }[]): string[] => bs.map((b) => `${[24, 16, 8, 0].map((s) => (b.network >>> s) & 255).join('.')}/${b.prefix}`);
  assert.deepEqual(show(blocksOutside({ network: n('198.18.0.0'), prefix: 24 }, [])), ['198.18.0.0/24']);
  assert.deepEqual(show(blocksOutside({ network: n('198.18.0.0'), prefix: 24 }, [{ lo: n('198.18.0.0'), hi: n('198.18.0.127') }])), ['198.18.0.128/25']);
  assert.deepEqual(show(blocksOutside({ network: n('198.18.0.0'), prefix: 24 }, [{ lo: n('198.18.0.0'), hi: n('198.18.1.255') }])), []);
  assert.deepEqual(show(blocksOutside({ network: n('198.18.0.0'), prefix: 24 }, [{ lo: n('198.18.0.64'), hi: n('198.18.0.127') }])), ['198.18.0.0/26', '198.18.0.128/25']);
});

test('hosts files for server names: /etc/hosts unless no-hosts, then addn-hosts; none with port=0', () => {
  assert.deepEqual(planOf('dhcp-range=198.18.0.100,198.18.0.120').hostsFiles, ['/etc/hosts']);
  assert.deepEqual(planOf(['no-hosts', 'addn-hosts=/srv/boot.hosts', 'dhcp-range=198.18.0.100,198.18.0.120'].join('\n')).hostsFiles, ['/srv/boot.hosts']);
  assert.deepEqual(planOf(['port=0', 'addn-hosts=/srv/boot.hosts', 'dhcp-range=198.18.0.100,198.18.0.120'].join('\n')).hostsFiles, []);
});

test('a proxy-only interface: a relayed dhcp-range still becomes a subnet; a remote proxy range needs none and is no warning', () => {
  const plan = planOf(['dhcp-range=198.18.0.0,proxy', 'dhcp-range=198.18.5.50,198.18.5.60,255.255.255.0', 'dhcp-range=198.18.7.0,proxy,255.255.255.0'].join('\n'));
  assert.deepEqual(plan.config.dhcp.subnets.map((s) => s.subnet), ['198.18.5.0/24']);
  assert.deepEqual(plan.warnings.filter((w) => w.includes('dhcp-range')), []);
});

test('option 118 through the dnsmasq policy: the named range, its tags and netmask, the relay as router, 118 echoed', async () => {
  const plan = planOf(['dhcp-range=198.18.0.100,198.18.0.120', 'dhcp-range=set:far,198.18.5.50,198.18.5.60,255.255.255.0', 'dhcp-range=set:far6,198.18.6.50,198.18.6.60', 'dhcp-boot=tag:far,far.efi', 'dhcp-boot=tag:far6,far6.efi'].join('\n'));
  await withResponder(plan, async (full) => {
    const p = request(MessageType.Discover, { mac: '52:54:00:aa:00:31', giaddr: '198.18.5.1', paramRequest: [1, 3, 28] });
    p.options.set(118, Buffer.from([198, 18, 6, 0]));
    const offer = await reply(full, p, MessageType.Discover);
    assert.equal(offer?.packet.yiaddr, '198.18.6.50');
    assert.equal(offer?.packet.file, 'far6.efi');
    assert.equal(getIp(offer?.packet.options ?? new Map(), 1), '255.255.255.0', 'class C guess');
    assert.equal(getIp(offer?.packet.options ?? new Map(), 3), '198.18.5.1');
    assert.equal(getIp(offer?.packet.options ?? new Map(), 118), '198.18.6.0');
    assert.deepEqual(offer?.to, { address: '198.18.5.1', port: 67 });
  });
});
