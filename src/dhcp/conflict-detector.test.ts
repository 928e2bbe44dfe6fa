/**
 * Conflict detection without a wire: a fake ARP link that records what is sent and delivers
 * the answers a test queues, an in-memory SQLite lease store, and short probe timeouts.
 * The real socket and real kernels are in `conflict.net.test.ts`.
 */
import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { BootEvent } from '../events/boot-event.js';
import type { LeaseStore } from '../store/lease-store.js';
import { SqliteLeaseStore } from '../store/sqlite-lease-store.js';
import type { ArpLink } from '../transport/arp-socket.js';
import { ArpOp, decodeArp, encodeArp } from '../wire/arp.js';
import { ConflictDetector, type ConflictDetectorOptions } from './conflict-detector.js';
import { nextFreeAddresses } from './conflict-candidates.js';
import { subnetsOf } from './pool.js';
import { testConfig } from './test-packets.js';

const OUR_MAC = '52:54:00:00:00:02';
const CLIENT = '52:54:00:00:00:01';
const SQUATTER = '52:54:00:00:00:99';

class FakeLink implements ArpLink {
  readonly device = 'eth0';
  /** Target IPs of the probes sent, in order. */
  readonly probed: string[] = [];
  private inbox: Uint8Array[] = [];
  closed = false;
  /** Hosts that answer for an address, as a kernel would (immediately). */
  readonly hosts = new Map<string, string>();

  send(arp: Uint8Array): void {
    const d = decodeArp(arp);
    assert.ok(d.ok);
    assert.equal(d.packet.senderIp, '0.0.0.0', 'probes carry sender IP 0.0.0.0 (RFC 5227)');
    assert.equal(d.packet.senderMac, OUR_MAC);
    this.probed.push(d.packet.targetIp);
    // Our own packet comes back on a packet socket too.
    this.inbox.push(arp);
    const host = this.hosts.get(d.packet.targetIp);
    if (host !== undefined) {
      this.inbox.push(encodeArp({ op: ArpOp.Reply, senderMac: host, senderIp: d.packet.targetIp, targetMac: OUR_MAC, targetIp: '0.0.0.0' }));
    }
  }

  drain(): Uint8Array[] {
    return this.inbox.splice(0);
  }

  close(): void {
    this.closed = true;
  }
}

const T0 = 1_800_000_000_000;
let store: LeaseStore;
let events: BootEvent[];
let link: FakeLink;
let detector: ConflictDetector | null;

function start(over: Partial<ConflictDetectorOptions> = {}): ConflictDetector {
  detector = new ConflictDetector({
    config: testConfig({ pool: ['198.18.0.100', '198.18.0.120'] }),
    store,
    events: { emit: (e) => events.push(e) },
    interfaces: [{ name: 'eth0', address: '198.18.0.2', netmask: '255.255.255.0', mac: OUR_MAC }],
    localAddresses: ['198.18.0.2'],
    openLink: () => link,
    preprobeCount: 0,
    prober: { timeoutMs: 40, resendMs: 20, pollMs: 5 },
    ...over,
  });
  detector.start();
  return detector;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

beforeEach(() => {
  store = SqliteLeaseStore.open(':memory:');
  events = [];
  link = new FakeLink();
  detector = null;
});
afterEach(async () => {
  await detector?.stop();
  await store.close();
});

describe('recheck on offer', () => {
  test('an answered probe makes the REQUEST refusable at once, marks the store, and is reported with the MAC that answered', async () => {
    link.hosts.set('198.18.0.100', SQUATTER);
    const d = start();
    await store.claim({ clientId: 'c1', mac: CLIENT, address: '198.18.0.100', state: 'offered', expiresAt: Date.now() + 60_000, hostname: null, now: Date.now() });
    d.onOffer({ address: '198.18.0.100', mac: CLIENT, iface: 'eth0', relayed: false, reason: 'lowest-free' });
    assert.deepEqual(link.probed, ['198.18.0.100'], 'probed while the OFFER leaves, not before');
    // Synchronous: the answer is read from the socket by the question itself.
    assert.equal(d.isConflicted('198.18.0.100', CLIENT), true);
    assert.equal(d.isConflicted('198.18.0.100', SQUATTER), false, 'the host that uses it is no conflict with itself');
    await until('the store mark', async () => (await store.getByAddress('198.18.0.100'))?.state === 'declined');
    const row = await store.getByAddress('198.18.0.100');
    assert.equal(row?.mac, SQUATTER);
    assert.equal(row?.clientId, null);
    const e = events.find((x) => x.kind === 'dhcp.conflict');
    assert.equal(e?.mac, SQUATTER);
    assert.equal(e?.data?.['ip'], '198.18.0.100');
    assert.equal(e?.data?.['marked'], true);
    assert.equal(e?.data?.['offeredTo'], CLIENT);
    assert.equal(d.stats.conflicts, 1);
  });

  test('no answer: nothing marked, no event; a second offer soon after is not probed again', async () => {
    const d = start();
    d.onOffer({ address: '198.18.0.101', mac: CLIENT, iface: 'eth0', relayed: false, reason: 'lowest-free' });
    assert.equal(d.isConflicted('198.18.0.101', CLIENT), false);
    await sleep(120);
    assert.equal(await store.getByAddress('198.18.0.101'), null);
    assert.deepEqual(events.filter((e) => e.kind === 'dhcp.conflict'), []);
    // Our own probes came back on the link and were not taken for an answer.
    d.onOffer({ address: '198.18.0.101', mac: CLIENT, iface: 'eth0', relayed: false, reason: 'lowest-free' });
    assert.deepEqual(link.probed.filter((a) => a === '198.18.0.101').length, 2, 'one probe: a request and its one resend');
  });

  test("the client's own answer (it still has the address) is no conflict", async () => {
    link.hosts.set('198.18.0.103', CLIENT);
    const d = start();
    await store.claim({ clientId: 'c1', mac: CLIENT, address: '198.18.0.103', state: 'offered', expiresAt: Date.now() + 60_000, hostname: null, now: Date.now() });
    d.onOffer({ address: '198.18.0.103', mac: CLIENT, iface: 'eth0', relayed: false, reason: 'previous' });
    assert.equal(d.isConflicted('198.18.0.103', CLIENT), false);
    await sleep(60);
    assert.equal((await store.getByAddress('198.18.0.103'))?.state, 'offered');
    assert.deepEqual(events.filter((e) => e.kind === 'dhcp.conflict'), []);
  });

  test("an expired lease's own client still answering is no conflict: its renewal must still find the address its own", async () => {
    link.hosts.set('198.18.0.105', CLIENT);
    const d = start();
    const then = Date.now() - 10_000;
    await store.claim({ clientId: 'c1', mac: CLIENT, address: '198.18.0.105', state: 'bound', expiresAt: then + 1, hostname: null, now: then });
    await store.expire(Date.now());
    d.onOffer({ address: '198.18.0.105', mac: '52:54:00:00:00:07', iface: 'eth0', relayed: false, reason: 'lowest-free' });
    await sleep(60);
    assert.equal((await store.getByAddress('198.18.0.105'))?.state, 'expired');
    assert.deepEqual(events.filter((e) => e.kind === 'dhcp.conflict'), []);
  });

  test('a bound lease is never taken back; the conflict is still reported', async () => {
    link.hosts.set('198.18.0.104', SQUATTER);
    const d = start();
    await store.claim({ clientId: 'c1', mac: CLIENT, address: '198.18.0.104', state: 'bound', expiresAt: Date.now() + 3_600_000, hostname: null, now: Date.now() });
    d.onOffer({ address: '198.18.0.104', mac: CLIENT, iface: 'eth0', relayed: false, reason: 'previous' });
    await until('the event', () => events.some((e) => e.kind === 'dhcp.conflict'));
    assert.equal((await store.getByAddress('198.18.0.104'))?.state, 'bound');
    const e = events.find((x) => x.kind === 'dhcp.conflict');
    assert.equal(e?.data?.['marked'], false);
    assert.equal(e?.data?.['boundTo'], CLIENT);
  });

  test('relayed offers, reservations and addresses outside the interface subnet are not probed', () => {
    const d = start();
    d.onOffer({ address: '198.18.5.10', mac: CLIENT, iface: 'eth0', relayed: true, reason: 'lowest-free' });
    d.onOffer({ address: '198.18.0.50', mac: '52:54:00:00:00:aa', iface: 'eth0', relayed: false, reason: 'reservation' });
    d.onOffer({ address: '198.18.5.11', mac: CLIENT, iface: 'eth0', relayed: false, reason: 'lowest-free' });
    d.onOffer({ address: '198.18.0.100', mac: CLIENT, iface: 'eth9', relayed: false, reason: 'lowest-free' });
    assert.deepEqual(link.probed, []);
  });

  test('bounded work: a burst of offers starts at most `burst` probes; the rest are counted as skipped', () => {
    const d = start({ prober: { timeoutMs: 40, resendMs: 1000, pollMs: 5, burst: 10, ratePerSecond: 10 } });
    for (let i = 0; i < 15; i++) d.onOffer({ address: `198.18.0.${100 + i}`, mac: CLIENT, iface: 'eth0', relayed: false, reason: 'lowest-free' });
    assert.equal(link.probed.length, 10);
    assert.equal(d.stats.probes, 10);
    assert.equal(d.stats.skipped, 5);
  });
});

describe('pre-probe', () => {
  test('probes the next free pool addresses before anyone is offered them, and marks the one in use', async () => {
    link.hosts.set('198.18.0.102', SQUATTER);
    const now = Date.now();
    await store.claim({ clientId: 'c1', mac: CLIENT, address: '198.18.0.100', state: 'bound', expiresAt: now + 3_600_000, hostname: null, now });
    const d = start({ preprobeCount: 3 });
    await until('three probes', () => link.probed.length >= 3);
    assert.deepEqual([...new Set(link.probed)].sort(), ['198.18.0.101', '198.18.0.102', '198.18.0.103']);
    // The store shows a write before it is on disk; the detector counts once it is.
    await until('the mark', async () => d.stats.conflicts === 1);
    assert.equal((await store.getByAddress('198.18.0.102'))?.state, 'declined');
  });

  test('cannot open the socket: reported, and the server runs unguarded', () => {
    const d = start({
      openLink: () => {
        throw new Error('EPERM');
      },
    });
    assert.deepEqual(d.interfaces, []);
    assert.ok(events.some((e) => e.kind === 'dhcp.error' && e.msg.includes('conflict detection off on eth0')));
    d.onOffer({ address: '198.18.0.100', mac: CLIENT, iface: 'eth0', relayed: false, reason: 'lowest-free' });
    assert.equal(d.isConflicted('198.18.0.100', CLIENT), false);
  });

  test('a link that cannot send (interface down): no verdict, one warning however many probes fail', () => {
    link.send = () => {
      throw new Error('ENETDOWN');
    };
    const d = start();
    for (let i = 0; i < 5; i++) d.onOffer({ address: `198.18.0.${100 + i}`, mac: CLIENT, iface: 'eth0', relayed: false, reason: 'lowest-free' });
    assert.equal(events.filter((e) => e.kind === 'dhcp.error').length, 1);
    assert.equal(d.isConflicted('198.18.0.100', CLIENT), false);
    assert.deepEqual(events.filter((e) => e.kind === 'dhcp.conflict'), []);
  });

  test('stop closes the link', async () => {
    const d = start();
    await d.stop();
    detector = null;
    assert.equal(link.closed, true);
  });
});

test('nextFreeAddresses: lowest free first, skipping held rows, reservations and excluded addresses', () => {
  const config = testConfig({ pool: ['198.18.0.48', '198.18.0.55'] });
  const [subnet] = subnetsOf(config.dhcp.subnets);
  assert.ok(subnet);
  const now = T0;
  const held = { clientId: 'x', mac: CLIENT, state: 'bound' as const, expiresAt: now + 1000, hostname: null, updatedAt: now };
  const leases = [
    { ...held, address: '198.18.0.48' },
    { ...held, address: '198.18.0.51', state: 'expired' as const, expiresAt: now - 1 },
    { ...held, address: '198.18.0.52', clientId: null, state: 'declined' as const },
  ];
  const next = nextFreeAddresses({ subnet, reservations: config.dhcp.reservations, leases, now, exclude: ['198.18.0.49'] }, 4);
  // .50 is reserved (testConfig), .51's lease has expired, .52 is declined.
  assert.deepEqual(next, ['198.18.0.51', '198.18.0.53', '198.18.0.54', '198.18.0.55']);
  assert.deepEqual(nextFreeAddresses({ subnet, reservations: [], leases, now, exclude: [] }, 10).length, 6);
});
