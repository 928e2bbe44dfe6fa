import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FLAG_BROADCAST, MessageType } from '../wire/dhcp/packet.js';
import { replyDestination } from './reply-address.js';
import { request } from './test-packets.js';

const to = (spec: Parameters<typeof request>[1], type = MessageType.Ack) => replyDestination(request(MessageType.Request, spec), type, 67, 68);

test('RFC 2131 §4.1 reply destinations', () => {
  assert.deepEqual(to({ giaddr: '198.18.5.1', ciaddr: '198.18.5.9' }), { address: '198.18.5.1', port: 67 });
  assert.deepEqual(to({ giaddr: '198.18.5.1' }, MessageType.Nak), { address: '198.18.5.1', port: 67 });
  assert.deepEqual(to({ ciaddr: '198.18.0.9' }), { address: '198.18.0.9', port: 68 });
  assert.deepEqual(to({ ciaddr: '198.18.0.9' }, MessageType.Nak), { address: '255.255.255.255', port: 68 });
  assert.deepEqual(to({ flags: FLAG_BROADCAST }), { address: '255.255.255.255', port: 68 });
  assert.deepEqual(to({}), { address: '255.255.255.255', port: 68 }, 'no ARP entry for yiaddr: broadcast');
});

test('other ports: relays listen on the server port, clients one above', () => {
  assert.deepEqual(replyDestination(request(MessageType.Request, { giaddr: '198.18.5.1' }), MessageType.Ack, 1067, 1068), { address: '198.18.5.1', port: 1067 });
  assert.deepEqual(replyDestination(request(MessageType.Request, {}), MessageType.Ack, 1067, 1068), { address: '255.255.255.255', port: 1068 });
});
