import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIpv6, isLinkLocalUnicast, isUnspecified, macFromModifiedEui64, parseIpv6 } from './ipv6-address.js';
import { icmpv6Checksum, withIcmpv6Checksum } from './checksum.js';

const must = (s: string): Uint8Array => {
  const b = parseIpv6(s);
  assert.ok(b, s);
  return b;
};

test('parses and prints addresses the RFC 5952 way', () => {
  const cases: Array<[string, string]> = [
    ['::', '::'],
    ['::1', '::1'],
    ['ff02::2', 'ff02::2'],
    ['FE80:0000:0000:0000:5054:00FF:FEBF:000A', 'fe80::5054:ff:febf:a'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
  ];
  for (const [input, printed] of cases) assert.equal(formatIpv6(must(input)), printed, input);
});

test('refuses what is not an IPv6 address', () => {
  for (const bad of ['', ':', ':::', '1::2::3', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '12345::', 'fe80::1%eth0', '::ffff:1.2.3.4', 'g::1', '1:2:3:4::5:6:7:8']) {
    assert.equal(parseIpv6(bad), null, bad);
  }
});

test('link-local, unspecified, and the MAC inside a modified EUI-64', () => {
  assert.ok(isLinkLocalUnicast(must('fe80::1')));
  assert.ok(isLinkLocalUnicast(must('febf::1')));
  assert.ok(!isLinkLocalUnicast(must('fec0::1')));
  assert.ok(!isLinkLocalUnicast(must('ff02::2')));
  assert.ok(isUnspecified(must('::')));
  assert.equal(macFromModifiedEui64(must('fe80::5054:ff:febf:a')), '52:54:00:bf:00:0a');
  assert.equal(macFromModifiedEui64(must('fe80::1')), null);
});

test('ICMPv6 checksums of router solicitations captured in the lab (rdisc6 and the kernel)', () => {
  const src = must('fe80::a0f7:3dff:fe34:f74b');
  const dst = must('ff02::2');
  assert.equal(icmpv6Checksum(src, dst, Buffer.from('8500d03e000000000101a2f73d34f74b', 'hex')), 0xd03e);
  assert.equal(icmpv6Checksum(src, dst, Buffer.from('8500a8bf00000000', 'hex')), 0xa8bf);
  assert.equal(withIcmpv6Checksum(src, dst, Buffer.from('8500000000000000', 'hex')).toString('hex'), '8500a8bf00000000');
});
