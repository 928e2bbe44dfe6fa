import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IpxeSightings } from './ipxe-sightings.js';

const MAC = '52:54:00:bf:00:0a';

test('a full-mode iPXE offer counts, on the interface its DISCOVER named', () => {
  const s = new IpxeSightings(60_000);
  s.note({ kind: 'dhcp.discover', level: 'info', mac: MAC, msg: '', data: { iface: 'bf0' } }, 1000);
  assert.equal(s.note({ kind: 'dhcp.offer', level: 'info', mac: MAC, msg: '', data: { ip: '198.18.0.100', boot: 'ipxe-script' } }, 1100), MAC);
  assert.deepEqual(s.get(MAC, 'bf0'), { iface: 'bf0', at: 1100, answered: false });
  assert.equal(s.get(MAC, 'bf1'), null);
});

test('PXE firmware (chainload plan) and OS clients do not count', () => {
  const s = new IpxeSightings(60_000);
  assert.equal(s.note({ kind: 'dhcp.offer', level: 'info', mac: MAC, msg: '', data: { boot: 'chainload-tftp' } }, 1), null);
  assert.equal(s.note({ kind: 'dhcp.ack', level: 'info', mac: MAC, msg: '', data: { boot: 'no-boot' } }, 2), null);
  assert.equal(s.get(MAC, 'bf0'), null);
});

test('an ACK continues the exchange its OFFER began: answered stays answered; a new OFFER starts over', () => {
  const s = new IpxeSightings(60_000);
  s.note({ kind: 'dhcp.proxy-offer', level: 'info', mac: MAC, msg: '', data: { iface: 'bf0', boot: 'ipxe-script' } }, 1000);
  s.markAnswered(MAC);
  s.note({ kind: 'dhcp.proxy-ack', level: 'info', mac: MAC, msg: '', data: { iface: 'bf0', boot: 'ipxe-script' } }, 2000);
  assert.deepEqual(s.get(MAC, 'bf0'), { iface: 'bf0', at: 2000, answered: true });
  s.note({ kind: 'dhcp.proxy-offer', level: 'info', mac: MAC, msg: '', data: { iface: 'bf0', boot: 'ipxe-script' } }, 30_000);
  assert.equal(s.get(MAC, 'bf0')?.answered, false);
});

test('an event naming the firmware counts whatever the boot policy calls its plan', () => {
  const s = new IpxeSightings(60_000);
  assert.equal(s.note({ kind: 'dhcp.ack', level: 'info', mac: MAC, msg: '', data: { iface: 'bf0', boot: 'dnsmasq', firmware: 'ipxe' } }, 5), MAC);
  assert.equal(s.note({ kind: 'dhcp.ack', level: 'info', mac: '52:54:00:bf:00:0b', msg: '', data: { iface: 'bf0', boot: 'dnsmasq', firmware: 'bios-pxe' } }, 5), null);
});

test('memory is bounded: the latest 4 096 clients keep their interface, a flood of others pushes an old one out', () => {
  const s = new IpxeSightings(60_000);
  const other = (i: number): string => `52:54:01:${((i >> 16) & 0xff).toString(16).padStart(2, '0')}:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
  const discover = (mac: string): void => void s.note({ kind: 'dhcp.discover', level: 'info', mac, msg: '', data: { iface: 'bf0' } }, 1000);
  const offer = (mac: string): void => void s.note({ kind: 'dhcp.offer', level: 'info', mac, msg: '', data: { boot: 'ipxe-script' } }, 1100);
  discover(MAC);
  for (let i = 0; i < 4000; i++) discover(other(i));
  offer(MAC);
  // Still known to be on bf0, so not a sighting for bf1.
  assert.equal(s.get(MAC, 'bf1'), null);
  assert.equal(s.get(MAC, 'bf0')?.iface, 'bf0');
  const late = '52:54:00:bf:00:0c';
  discover(late);
  for (let i = 0; i < 20_000; i++) discover(other(100_000 + i));
  offer(late);
  // Its DISCOVER's interface was forgotten: the sighting names no interface (any matches).
  assert.equal(s.get(late, 'bf1')?.iface, null);
});
