import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType } from '../wire/dhcp/packet.js';
import { baseReply } from './reply-builder.js';
import { request } from './test-packets.js';

test('RFC 6842: the client identifier is echoed when the client sent one, and only then', () => {
  const id = Buffer.from([0xff, 1, 2, 3, 4]);
  for (const type of [MessageType.Offer, MessageType.Ack, MessageType.Nak]) {
    assert.deepEqual(baseReply(request(MessageType.Discover, { clientId: id }), type, '198.18.0.1').options.get(61), id);
    assert.equal(baseReply(request(MessageType.Discover), type, '198.18.0.1').options.has(61), false);
  }
});
