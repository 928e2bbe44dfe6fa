import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType } from '../wire/dhcp/packet.js';
import { subnetsOf } from './pool.js';
import { responderFor, type RouteInput } from './request-route.js';
import { request, testConfig } from './test-packets.js';

const subnets = subnetsOf(testConfig().dhcp.subnets);
/** PXE option 43 carrying 43.71 (boot server type 0x8000, layer 0). */
const BOOT_ITEM = Buffer.from([71, 4, 0x80, 0x00, 0x00, 0x00, 255]);

function route(over: Partial<RouteInput>): ReturnType<typeof responderFor> {
  return responderFor({ socket: 'proxy', pxePort: false, packet: request(MessageType.Discover), type: MessageType.Discover, subnets, routing: 'dnsmasq', ...over });
}

test('bootfleet routing: always the socket\'s own responder', () => {
  const relayed = request(MessageType.Discover, { giaddr: '198.18.5.1' });
  assert.equal(route({ routing: 'socket', packet: relayed }), 'proxy');
  const item = request(MessageType.Request, { ciaddr: '198.18.0.142' });
  item.options.set(43, BOOT_ITEM);
  assert.equal(route({ routing: 'socket', socket: 'full', packet: item, type: MessageType.Request }), 'full');
});

test('dnsmasq routing: a request naming a configured subnet goes to full DHCP, one naming none to the proxy responder', () => {
  assert.equal(route({ packet: request(MessageType.Discover, { giaddr: '198.18.5.1' }) }), 'full');
  assert.equal(route({ socket: 'full', packet: request(MessageType.Discover, { giaddr: '198.18.7.1' }) }), 'proxy');
  const selected = request(MessageType.Discover);
  selected.options.set(118, Buffer.from([198, 18, 5, 0]));
  assert.equal(route({ packet: selected }), 'full');
  // Not relayed and no selector: the socket's own.
  assert.equal(route({}), 'proxy');
  assert.equal(route({ socket: 'full' }), 'full');
  // The PXE port is always the proxy responder's.
  assert.equal(route({ pxePort: true, packet: request(MessageType.Discover, { giaddr: '198.18.5.1' }) }), 'proxy');
});

test('dnsmasq routing: a boot server request (43.71) on the DHCP port of a full interface goes to the proxy responder', () => {
  const item = request(MessageType.Request, { ciaddr: '198.18.0.142' });
  item.options.set(43, BOOT_ITEM);
  assert.equal(route({ socket: 'full', packet: item, type: MessageType.Request }), 'proxy');
  assert.equal(route({ socket: 'full', packet: item, type: MessageType.Inform }), 'proxy');
  // A DISCOVER with 43.71 is not a boot server request; a REQUEST without it is the LAN's.
  assert.equal(route({ socket: 'full', packet: item, type: MessageType.Discover }), 'full');
  assert.equal(route({ socket: 'full', packet: request(MessageType.Request, { ciaddr: '198.18.0.142' }), type: MessageType.Request }), 'full');
});

test('dnsmasq routing: a renewal straight to a proxy-only interface goes to full DHCP when its address is in a configured subnet', () => {
  const renew = request(MessageType.Request, { ciaddr: '198.18.5.12' });
  assert.equal(route({ packet: renew, type: MessageType.Request }), 'full');
  assert.equal(route({ packet: request(MessageType.Request, { ciaddr: '198.18.9.12' }), type: MessageType.Request }), 'proxy');
  assert.equal(route({ routing: 'socket', packet: renew, type: MessageType.Request }), 'proxy');
});
