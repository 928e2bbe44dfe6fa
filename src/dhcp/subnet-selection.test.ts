import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ReceivingInterface } from './full-mode.js';
import { FullModeResponder } from './full-mode.js';
import { SqliteLeaseStore } from '../store/sqlite-lease-store.js';
import { nullSink } from '../events/boot-event.js';
import { MessageType } from '../wire/dhcp/packet.js';
import { request, testConfig } from './test-packets.js';
import { echoSubnetSelection, selectionAddress, subnetSelector } from './subnet-selection.js';

const IFACE: ReceivingInterface = { name: 'eth0', address: '198.18.0.2', netmask: '255.255.255.0' };

function ip(s: string): Buffer {
  return Buffer.from(s.split('.').map(Number));
}

/** Option 82 with a circuit id, then `link` as sub-option 5. */
function agent(link: Buffer): Buffer {
  return Buffer.concat([Buffer.from([1, 3, 0x61, 0x62, 0x63, 5, link.length]), link]);
}

test('82.5 wins over 118, which wins over giaddr; short, unset and missing selectors count as none', () => {
  const relayed = (): ReturnType<typeof request> => request(MessageType.Discover, { giaddr: '198.18.5.1' });
  assert.equal(selectionAddress(relayed()), '198.18.5.1');
  assert.equal(selectionAddress(request(MessageType.Discover)), null);
  const with118 = relayed();
  with118.options.set(118, ip('198.18.6.0'));
  assert.equal(selectionAddress(with118), '198.18.6.0');
  const both = request(MessageType.Discover, { giaddr: '198.18.5.1', relayAgent: agent(ip('198.18.7.7')) });
  both.options.set(118, ip('198.18.6.0'));
  assert.equal(subnetSelector(both), '198.18.7.7');
  const short = request(MessageType.Discover, { giaddr: '198.18.5.1', relayAgent: agent(ip('198.18.7.7').subarray(0, 3)) });
  assert.equal(selectionAddress(short), '198.18.5.1');
  const zero = relayed();
  zero.options.set(118, ip('0.0.0.0'));
  assert.equal(selectionAddress(zero), '198.18.5.1');
  const long = request(MessageType.Discover);
  long.options.set(118, Buffer.from([198, 18, 6, 0, 9]));
  assert.equal(selectionAddress(long), '198.18.6.0');
  // A sub-option whose length runs past option 82 ends the search.
  const truncated = request(MessageType.Discover, { relayAgent: Buffer.from([1, 9, 0x61, 5, 4, 198, 18, 6, 7]) });
  assert.equal(subnetSelector(truncated), null);
});

test('subnetSelector never throws and never reads past option 82 or 118', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 8 }), (a, b) => {
      const p = request(MessageType.Discover);
      p.options.set(82, Buffer.from(a));
      p.options.set(118, Buffer.from(b));
      const s = subnetSelector(p);
      assert.ok(s === null || /^\d+\.\d+\.\d+\.\d+$/.test(s));
    }),
  );
});

test('RFC 3011 §3: option 118 goes back as sent; nothing when it was not sent', () => {
  const req = request(MessageType.Discover);
  const reply = request(MessageType.Offer);
  echoSubnetSelection(reply, req);
  assert.equal(reply.options.has(118), false);
  req.options.set(118, Buffer.from([198, 18, 5, 0, 1]));
  echoSubnetSelection(reply, req);
  assert.deepEqual(reply.options.get(118), Buffer.from([198, 18, 5, 0, 1]));
});

test('native full mode: 118 and 82.5 choose the relayed subnet a request is served from, and 118 is echoed', async () => {
  const store = SqliteLeaseStore.open(':memory:');
  const full = new FullModeResponder({ config: testConfig(), store, events: nullSink, localAddresses: [IFACE.address] });
  try {
    const offer = async (p: ReturnType<typeof request>): Promise<ReturnType<typeof request> | null> => {
      const out = await full.handle(p, MessageType.Discover, IFACE);
      return out.kind === 'reply' ? out.reply.packet : null;
    };
    // Arrived on the local segment with no relay, yet asks for the relayed subnet.
    const by118 = request(MessageType.Discover, { mac: '52:54:00:00:10:01', paramRequest: [1, 3] });
    by118.options.set(118, ip('198.18.5.0'));
    const a = await offer(by118);
    assert.equal(a?.yiaddr, '198.18.5.10');
    assert.deepEqual(a?.options.get(118), ip('198.18.5.0'));
    // A relay on the local subnet whose link selection names the remote one.
    const by825 = request(MessageType.Discover, { mac: '52:54:00:00:10:02', giaddr: '198.18.0.9', relayAgent: agent(ip('198.18.5.1')) });
    const b = await offer(by825);
    assert.equal(b?.yiaddr, '198.18.5.11');
    assert.equal(b?.options.has(118), false, 'no 118 echoed when the client sent none');
    // A selector naming no configured subnet: no reply.
    const nowhere = request(MessageType.Discover, { mac: '52:54:00:00:10:03', giaddr: '198.18.0.9' });
    nowhere.options.set(118, ip('198.18.9.0'));
    assert.equal(await offer(nowhere), null);
  } finally {
    await store.close();
  }
});
