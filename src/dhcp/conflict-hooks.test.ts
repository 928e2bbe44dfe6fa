/**
 * The two conflict hooks in the full-mode state machine, with a scripted guard: every OFFER
 * reports its address (and never waits), and a SELECTING REQUEST for an address the guard
 * calls conflicted is NAKed, while renewals are never second-guessed.
 */
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType } from '../wire/dhcp/packet.js';
import { getMessageType } from '../wire/dhcp/options.js';
import type { BootEvent } from '../events/boot-event.js';
import type { LeaseStore } from '../store/lease-store.js';
import { SqliteLeaseStore } from '../store/sqlite-lease-store.js';
import type { ConflictGuard, OfferedAddress } from './conflict-guard.js';
import { FullModeResponder, type FullModeOutcome, type ReceivingInterface } from './full-mode.js';
import { request, testConfig } from './test-packets.js';

const SERVER = '198.18.0.2';
const IFACE: ReceivingInterface = { name: 'eth0', address: SERVER, netmask: '255.255.255.0' };
const T0 = 1_800_000_000_000;

class ScriptedGuard implements ConflictGuard {
  readonly offers: OfferedAddress[] = [];
  readonly asked: string[] = [];
  conflicted = new Set<string>();
  onOffer(offer: OfferedAddress): void {
    this.offers.push(offer);
  }
  isConflicted(address: string): boolean {
    this.asked.push(address);
    return this.conflicted.has(address);
  }
}

let store: LeaseStore;
let events: BootEvent[];
let guard: ScriptedGuard;

function responder(): FullModeResponder {
  return new FullModeResponder({
    config: testConfig(),
    store,
    events: { emit: (e) => events.push(e) },
    localAddresses: [SERVER],
    now: () => T0,
    conflictGuard: guard,
  });
}

function typeOf(o: FullModeOutcome): MessageType | null {
  assert.equal(o.kind, 'reply', JSON.stringify(o));
  return o.kind === 'reply' ? getMessageType(o.reply.packet) : null;
}

beforeEach(() => {
  store = SqliteLeaseStore.open(':memory:');
  events = [];
  guard = new ScriptedGuard();
});
afterEach(async () => {
  await store.close();
});

test('each OFFER tells the guard what it offered, to whom, where and why', async () => {
  const r = responder();
  const offer = await r.handle(request(MessageType.Discover, { mac: '52:54:00:00:00:01' }), MessageType.Discover, IFACE);
  assert.equal(typeOf(offer), MessageType.Offer);
  assert.deepEqual(guard.offers, [{ address: '198.18.0.100', mac: '52:54:00:00:00:01', iface: 'eth0', relayed: false, reason: 'lowest-free' }]);
  await r.handle(request(MessageType.Discover, { mac: '52:54:00:00:00:03', giaddr: '198.18.5.1' }), MessageType.Discover, IFACE);
  assert.equal(guard.offers[1]?.relayed, true);
  assert.equal(guard.offers[1]?.address, '198.18.5.10');
});

test('a SELECTING REQUEST for a conflicted address is NAKed; the next DISCOVER is served normally', async () => {
  const r = responder();
  await r.handle(request(MessageType.Discover), MessageType.Discover, IFACE);
  guard.conflicted.add('198.18.0.100');
  const nak = await r.handle(request(MessageType.Request, { serverId: SERVER, requested: '198.18.0.100' }), MessageType.Request, IFACE);
  assert.equal(typeOf(nak), MessageType.Nak);
  assert.match(events.find((e) => e.kind === 'dhcp.nak')?.msg ?? '', /198\.18\.0\.100 is in use by another host/);
  assert.equal(events.filter((e) => e.kind === 'dhcp.ack').length, 0);
});

test('without a conflict the REQUEST is ACKed; renewals never ask the guard', async () => {
  const r = responder();
  await r.handle(request(MessageType.Discover), MessageType.Discover, IFACE);
  const ack = await r.handle(request(MessageType.Request, { serverId: SERVER, requested: '198.18.0.100' }), MessageType.Request, IFACE);
  assert.equal(typeOf(ack), MessageType.Ack);
  assert.deepEqual(guard.asked, ['198.18.0.100']);
  guard.conflicted.add('198.18.0.100');
  const renew = await r.handle(request(MessageType.Request, { ciaddr: '198.18.0.100' }), MessageType.Request, IFACE);
  assert.equal(typeOf(renew), MessageType.Ack, 'a bound client keeps its lease');
  assert.deepEqual(guard.asked, ['198.18.0.100']);
});
