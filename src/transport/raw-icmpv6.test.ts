import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSockaddrIn6, encodeSockaddrIn6, icmp6FilterPassing, ipv6Mreq } from './raw-icmpv6-libc.js';
import { RawIcmpv6Error, RawIcmpv6Socket } from './raw-icmpv6.js';

const LL = Uint8Array.from([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x50, 0x54, 0, 0xff, 0xfe, 0xbf, 0, 0x0a]);

test('sockaddr_in6 round trip, with the scope id where the kernel reads it', () => {
  const b = encodeSockaddrIn6(LL, 7);
  assert.equal(b.length, 28);
  assert.equal(b.readUInt16LE(0), 10);
  assert.equal(b.readUInt32LE(24), 7);
  assert.deepEqual(decodeSockaddrIn6(b), { address: LL, scopeId: 7 });
  assert.equal(decodeSockaddrIn6(b.subarray(0, 20)), null);
});

test('ICMP6_FILTER passes only the listed types (Linux: a set bit blocks)', () => {
  const f = icmp6FilterPassing([133, 134]);
  const passes = (t: number): boolean => (f.readUInt32LE((t >> 5) * 4) & (1 << (t & 31))) === 0;
  assert.ok(passes(133) && passes(134));
  for (const t of [0, 1, 128, 129, 135, 136, 137, 255]) assert.ok(!passes(t), String(t));
});

test('ipv6_mreq holds the group then the interface index', () => {
  const m = ipv6Mreq(LL, 3);
  assert.equal(m.length, 20);
  assert.deepEqual(Uint8Array.from(m.subarray(0, 16)), LL);
  assert.equal(m.readInt32LE(16), 3);
});

test('refuses bad and missing interface names before making a socket', () => {
  const noop = (): void => {};
  assert.throws(() => RawIcmpv6Socket.open({ device: '', types: [133] }, noop, noop), (e: unknown) => e instanceof RawIcmpv6Error && e.code === 'EINVAL');
  assert.throws(() => RawIcmpv6Socket.open({ device: 'x'.repeat(16), types: [133] }, noop, noop), { code: 'EINVAL' });
  assert.throws(() => RawIcmpv6Socket.open({ device: 'bfnosuchif0', types: [133] }, noop, noop), { code: 'ENODEV' });
});
