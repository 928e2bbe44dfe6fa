import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { ARP_DECODE_ERRORS, ARP_PACKET_SIZE, ArpOp, arpProbe, decodeArp, encodeArp, type ArpPacket } from './arp.js';

/**
 * A probe and the answer Linux gives it (arp_process: a reply to the prober's MAC, target IP
 * 0.0.0.0), byte by byte per RFC 826; ARP part only, as a SOCK_DGRAM packet socket sees it.
 * `dhcp/conflict.net.test.ts` has a real kernel answer the real socket.
 */
const PROBE = Buffer.from('0001080006040001' + '525400aa0001' + '00000000' + '000000000000' + 'c6120a64', 'hex');
const REPLY = Buffer.from('0001080006040002' + '525400bb0002' + 'c6120a64' + '525400aa0001' + '00000000', 'hex');

test('a probe encodes as RFC 5227 §2.1.1 says: sender IP and target MAC zero', () => {
  assert.deepEqual(encodeArp(arpProbe('52:54:00:aa:00:01', '198.18.10.100')), PROBE);
});

test("a host's answer to a probe decodes: it names itself as the address's user", () => {
  const r = decodeArp(REPLY);
  assert.ok(r.ok);
  assert.deepEqual(r.packet, {
    op: ArpOp.Reply,
    senderMac: '52:54:00:bb:00:02',
    senderIp: '198.18.10.100',
    targetMac: '52:54:00:aa:00:01',
    targetIp: '0.0.0.0',
  });
});

test('Ethernet padding after the 28 bytes is ignored', () => {
  const padded = Buffer.concat([REPLY, Buffer.alloc(18, 0xee)]);
  const r = decodeArp(padded);
  assert.ok(r.ok);
  assert.equal(r.packet.senderIp, '198.18.10.100');
});

test('short and foreign packets are typed errors', () => {
  const short = decodeArp(REPLY.subarray(0, 27));
  assert.ok(!short.ok);
  assert.equal(short.error.code, 'ARP_TRUNCATED');
  for (const [at, value] of [
    [1, 6], // hardware type IEEE 802
    [3, 0xdd], // protocol 0x08dd
    [4, 8], // hlen
    [5, 16], // plen (IPv6)
  ] as const) {
    const bad = Buffer.from(REPLY);
    bad[at] = value;
    const r = decodeArp(bad);
    assert.ok(!r.ok, `byte ${at} = ${value}`);
    assert.equal(r.error.code, 'ARP_NOT_ETHERNET_IPV4');
  }
});

test('encoding refuses malformed addresses (a bug, never wire data)', () => {
  const good = arpProbe('52:54:00:aa:00:01', '198.18.10.100');
  assert.throws(() => encodeArp({ ...good, senderMac: '52:54:00:aa:00' }), RangeError);
  assert.throws(() => encodeArp({ ...good, targetIp: '198.18.10.256' }), RangeError);
  assert.throws(() => encodeArp({ ...good, op: 70000 }), RangeError);
});

test('every decode error code is documented in src/wire/README.md', () => {
  const readme = readFileSync(new URL('../../src/wire/README.md', import.meta.url), 'utf8');
  for (const code of Object.keys(ARP_DECODE_ERRORS)) assert.match(readme, new RegExp(`\`${code}\``), code);
});

const byte = fc.integer({ min: 0, max: 255 });
const mac = fc.array(byte, { minLength: 6, maxLength: 6 }).map((b) => b.map((x) => x.toString(16).padStart(2, '0')).join(':'));
const ip = fc.array(byte, { minLength: 4, maxLength: 4 }).map((b) => b.join('.'));
const packet: fc.Arbitrary<ArpPacket> = fc.record({ op: fc.integer({ min: 0, max: 0xffff }), senderMac: mac, senderIp: ip, targetMac: mac, targetIp: ip });

test('property: decode(encode(p)) == p', () => {
  fc.assert(
    fc.property(packet, (p) => {
      const r = decodeArp(encodeArp(p));
      assert.ok(r.ok);
      assert.deepEqual(r.packet, { ...p });
    }),
    { numRuns: 2000 },
  );
});

test('property: random bytes never throw, and what decodes re-encodes to its first 28 bytes', () => {
  const codes = new Set(Object.keys(ARP_DECODE_ERRORS));
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 64 }),
    // A valid header reaches the address fields more often than uniform bytes do.
    fc.uint8Array({ minLength: 22, maxLength: 40 }).map((rest) => Uint8Array.from([0, 1, 8, 0, 6, 4, ...rest])),
  );
  fc.assert(
    fc.property(bytes, (b) => {
      const r = decodeArp(b);
      if (!r.ok) {
        assert.ok(codes.has(r.error.code), r.error.code);
        assert.ok(r.error.offset >= 0 && r.error.offset <= b.length);
        return;
      }
      assert.ok(b.length >= ARP_PACKET_SIZE);
      assert.deepEqual(encodeArp(r.packet), Buffer.from(b.subarray(0, ARP_PACKET_SIZE)));
    }),
    { numRuns: 3000 },
  );
});
