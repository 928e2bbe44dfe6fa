import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MessageType } from '../wire/dhcp/packet.js';
import { acceptServerIdOverride, serverIdOverride, stampServerIdOverride } from './server-id-override.js';
import { request } from './test-packets.js';

const OVERRIDE = Buffer.from([1, 2, 0, 7, 11, 4, 198, 18, 5, 9]);

test('82.11 is read after other sub-options; short, unset and truncated ones count as none', () => {
  assert.equal(serverIdOverride(request(MessageType.Request, { relayAgent: OVERRIDE })), '198.18.5.9');
  assert.equal(serverIdOverride(request(MessageType.Request)), null);
  assert.equal(serverIdOverride(request(MessageType.Request, { relayAgent: Buffer.from([11, 3, 198, 18, 5]) })), null);
  assert.equal(serverIdOverride(request(MessageType.Request, { relayAgent: Buffer.from([11, 4, 0, 0, 0, 0]) })), null);
  assert.equal(serverIdOverride(request(MessageType.Request, { relayAgent: Buffer.from([1, 9, 0, 11, 4, 198, 18, 5, 9]) })), null);
  fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (a) => {
    const s = serverIdOverride(request(MessageType.Request, { relayAgent: Buffer.from(a) }));
    assert.ok(s === null || /^\d+\.\d+\.\d+\.\d+$/.test(s));
  }));
});

test('a REQUEST naming the override address is read as naming us; others and the caller\'s packet are left alone', () => {
  const req = request(MessageType.Request, { relayAgent: OVERRIDE, serverId: '198.18.5.9', requested: '198.18.5.50' });
  const seen = acceptServerIdOverride(req, '198.18.0.2');
  assert.deepEqual(seen.options.get(54), Buffer.from([198, 18, 0, 2]));
  assert.deepEqual(req.options.get(54), Buffer.from([198, 18, 5, 9]), 'caller\'s packet unchanged');
  const other = request(MessageType.Request, { relayAgent: OVERRIDE, serverId: '198.18.0.77' });
  assert.equal(acceptServerIdOverride(other, '198.18.0.2'), other);
  const plain = request(MessageType.Request, { serverId: '198.18.5.9' });
  assert.equal(acceptServerIdOverride(plain, '198.18.0.2'), plain);
});

test('replies carry the override address as option 54 when the request had one', () => {
  const reply = request(MessageType.Offer, { serverId: '198.18.0.2' });
  stampServerIdOverride(reply, request(MessageType.Discover));
  assert.deepEqual(reply.options.get(54), Buffer.from([198, 18, 0, 2]));
  stampServerIdOverride(reply, request(MessageType.Discover, { relayAgent: OVERRIDE }));
  assert.deepEqual(reply.options.get(54), Buffer.from([198, 18, 5, 9]));
});
