import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BootOp, MessageType } from '../wire/dhcp/packet.js';
import { screenRequest } from './screen.js';
import { request } from './test-packets.js';

test('client messages pass with their type', () => {
  for (const t of [MessageType.Discover, MessageType.Request, MessageType.Decline, MessageType.Release, MessageType.Inform]) {
    assert.deepEqual(screenRequest(request(t)), { ok: true, type: t });
  }
});

test('BOOTREPLY and server message types are not for a server', () => {
  const reply = { ...request(MessageType.Discover), op: BootOp.Reply };
  const r = screenRequest(reply);
  assert.ok(!r.ok && r.code === 'DHCP_NOT_REQUEST' && r.level === 'debug');
  for (const t of [MessageType.Offer, MessageType.Ack, MessageType.Nak]) {
    const s = screenRequest(request(t));
    assert.ok(!s.ok && s.code === 'DHCP_NOT_REQUEST');
  }
});

test('non-Ethernet hardware and odd address lengths are dropped', () => {
  const ib = screenRequest({ ...request(MessageType.Discover), htype: 32, hlen: 0 });
  assert.ok(!ib.ok && ib.code === 'DHCP_BAD_HTYPE');
  const long = screenRequest({ ...request(MessageType.Discover), hlen: 17 });
  assert.ok(!long.ok && long.code === 'DHCP_BAD_HLEN');
});

test('plain BOOTP (no option 53) is not served', () => {
  const p = request(MessageType.Discover);
  p.options.delete(53);
  const r = screenRequest(p);
  assert.ok(!r.ok && r.code === 'DHCP_NO_MESSAGE_TYPE');
});
