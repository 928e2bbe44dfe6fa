import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseUdpFrame } from './packet-tap.js';

/** Ethernet + IPv4 (no options) + UDP around `payload`. */
function frame(payload: Buffer, over: { ethertype?: number; proto?: number; frag?: number; ihl?: number } = {}): Buffer {
  const eth = Buffer.from('ffffffffffff' + '525400bf0001' + (over.ethertype ?? 0x0800).toString(16).padStart(4, '0'), 'hex');
  const ip = Buffer.alloc(20);
  ip[0] = 0x40 | (over.ihl ?? 5);
  ip.writeUInt16BE(20 + 8 + payload.length, 2);
  ip.writeUInt16BE(over.frag ?? 0, 6);
  ip[8] = 64;
  ip[9] = over.proto ?? 17;
  Buffer.from([198, 18, 0, 1]).copy(ip, 12);
  Buffer.from([255, 255, 255, 255]).copy(ip, 16);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(67, 0);
  udp.writeUInt16BE(68, 2);
  udp.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([eth, ip, udp, payload]);
}

test('parseUdpFrame: addresses, ports and payload of an IPv4/UDP frame; trailing Ethernet padding ignored', () => {
  const f = Buffer.concat([frame(Buffer.from('hello')), Buffer.alloc(20)]);
  assert.deepEqual(parseUdpFrame(f), {
    ethDst: 'ff:ff:ff:ff:ff:ff',
    ethSrc: '52:54:00:bf:00:01',
    srcIp: '198.18.0.1',
    dstIp: '255.255.255.255',
    srcPort: 67,
    dstPort: 68,
    payload: Buffer.from('hello'),
  });
});

test('parseUdpFrame: not IPv4/UDP, fragments and cut frames are null', () => {
  const p = Buffer.from('x'.repeat(40));
  assert.equal(parseUdpFrame(frame(p, { ethertype: 0x86dd })), null, 'IPv6');
  assert.equal(parseUdpFrame(frame(p, { proto: 6 })), null, 'TCP');
  assert.equal(parseUdpFrame(frame(p, { frag: 0x2000 })), null, 'more fragments');
  assert.equal(parseUdpFrame(frame(p, { frag: 5 })), null, 'fragment offset');
  assert.equal(parseUdpFrame(frame(p, { ihl: 4 })), null, 'bad IHL');
  assert.equal(parseUdpFrame(frame(p).subarray(0, 50)), null, 'cut');
});

test('parseUdpFrame never throws on random bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const r = parseUdpFrame(Buffer.from(bytes));
      if (r) assert.ok(r.payload.length <= bytes.length);
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 60 }), fc.nat(80), (noise, at) => {
      const f = frame(Buffer.from('payload-bytes'));
      Buffer.from(noise).copy(f, Math.min(at, f.length - 1));
      parseUdpFrame(f);
    }),
    { numRuns: 2000 },
  );
});
