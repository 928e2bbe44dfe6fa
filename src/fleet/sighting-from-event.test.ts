import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sightingFromEvent } from './sighting-from-event.js';

const MAC = '52:54:00:00:00:01';

test('DHCP requests and replies are sightings; an ACK gives the address, an OFFER does not', () => {
  assert.deepEqual(sightingFromEvent({ kind: 'dhcp.discover', level: 'info', mac: MAC, msg: 'DISCOVER', data: { iface: 'eth0' } }, 5), { mac: MAC, at: 5 });
  assert.equal(sightingFromEvent({ kind: 'dhcp.offer', level: 'info', mac: MAC, msg: 'OFFER', data: { ip: '198.18.0.9' } }, 5), null);
  assert.deepEqual(sightingFromEvent({ kind: 'dhcp.request', level: 'info', mac: MAC, msg: 'REQUEST', data: { ip: '198.18.0.9' } }, 5), { mac: MAC, at: 5 });
  assert.deepEqual(sightingFromEvent({ kind: 'dhcp.ack', level: 'info', mac: MAC, msg: 'ACK', data: { ip: '198.18.0.9' } }, 5), { mac: MAC, at: 5, ip: '198.18.0.9' });
  assert.deepEqual(sightingFromEvent({ kind: 'dhcp.proxy-offer', level: 'info', mac: MAC, msg: 'x', data: { clientIp: null } }, 5), { mac: MAC, at: 5 });
});

test('facts in the event data are taken when well-formed, dropped when not', () => {
  const good = sightingFromEvent({ kind: 'dhcp.discover', level: 'info', mac: MAC, msg: '', data: { arch: 7, firmware: 'uefi-pxe', uuid: '4c4c4544-0042-3510-8056-b3c04f4d3232', hostname: 'box' } }, 1);
  assert.deepEqual(good, { mac: MAC, at: 1, arch: 7, firmware: 'uefi-pxe', uuid: '4c4c4544-0042-3510-8056-b3c04f4d3232', hostname: 'box' });
  const bad = sightingFromEvent({ kind: 'dhcp.discover', level: 'info', mac: MAC, msg: '', data: { arch: -1, firmware: 'amiga', uuid: 'nope', hostname: '' } }, 1);
  assert.deepEqual(bad, { mac: MAC, at: 1 });
});

test('events that are not about a machine being there are not sightings', () => {
  assert.equal(sightingFromEvent({ kind: 'dhcp.drop', level: 'info', mac: MAC, msg: '' }, 1), null);
  assert.equal(sightingFromEvent({ kind: 'dhcp.discover', level: 'info', msg: '' }, 1), null);
  assert.equal(sightingFromEvent({ kind: 'dhcp.discover', level: 'info', mac: 'garbage', msg: '' }, 1), null);
  assert.equal(sightingFromEvent({ kind: 'tftp.request', level: 'info', mac: MAC, msg: '' }, 1), null);
});
