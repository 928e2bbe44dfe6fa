import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeNdp, encodeNdp } from './codec.js';
import { NDP_DECODE_ERRORS } from './errors.js';
import { icmpv6Checksum } from './checksum.js';
import { CAPTURED_NDP } from './fixtures.js';
import { macFromModifiedEui64, parseIpv6 } from './ipv6-address.js';
import { NdpOptionType, prefixInformation, sourceLinkLayerAddress, sourceLinkLayerOption } from './options.js';
import { NdpType, RaFlag, type RouterAdvertisement } from './packet.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

test('decodes a router solicitation with a source link-layer address (as rdisc6 sends it)', () => {
  const r = decodeNdp(hex('8500 d03e 00000000 0101 a2f73d34f74b'));
  assert.ok(r.ok);
  assert.equal(r.message.type, NdpType.RouterSolicitation);
  assert.equal(sourceLinkLayerAddress(r.message.options), 'a2:f7:3d:34:f7:4b');
});

test('decodes a router solicitation without options (the kernel sends these before it has an address)', () => {
  const r = decodeNdp(hex('8500 a8bf 00000000'));
  assert.ok(r.ok);
  assert.deepEqual(r.message.options, []);
  assert.equal(sourceLinkLayerAddress(r.message.options), null);
});

test('encodes the router advertisement bootfleet sends to iPXE: lifetime 0, no flags, no options', () => {
  const ra: RouterAdvertisement = { type: NdpType.RouterAdvertisement, curHopLimit: 0, flags: 0, routerLifetime: 0, reachableTime: 0, retransTimer: 0, options: [] };
  assert.equal(encodeNdp(ra).toString('hex'), '86000000' + '00000000' + '00000000' + '00000000');
});

test('decodes every router advertisement field and a prefix information option', () => {
  const bytes = hex(
    '8600 0000 40 c0 0708 00000bb8 000003e8' +
      '0304 40c0 00278d00 00093a80 00000000 20010db8000000010000000000000000' +
      '0101 525400000001',
  );
  const r = decodeNdp(bytes);
  assert.ok(r.ok);
  assert.equal(r.message.type, NdpType.RouterAdvertisement);
  if (r.message.type !== NdpType.RouterAdvertisement) return;
  assert.equal(r.message.curHopLimit, 64);
  assert.equal(r.message.flags & RaFlag.Managed, RaFlag.Managed);
  assert.equal(r.message.flags & RaFlag.Other, RaFlag.Other);
  assert.equal(r.message.routerLifetime, 1800);
  assert.equal(r.message.reachableTime, 3000);
  assert.equal(r.message.retransTimer, 1000);
  assert.deepEqual(prefixInformation(r.message.options), [
    { prefixLength: 64, onLink: true, autonomous: true, validLifetime: 2592000, preferredLifetime: 604800, prefix: '2001:db8:0:1::' },
  ]);
  assert.equal(sourceLinkLayerAddress(r.message.options), '52:54:00:00:00:01');
  assert.deepEqual(encodeNdp(r.message), bytes.fill(0, 2, 4));
});

test('keeps unknown options and their order', () => {
  const bytes = hex('8500 0000 00000000 ee01 010203040506 0101 525400000001');
  const r = decodeNdp(bytes);
  assert.ok(r.ok);
  assert.deepEqual(r.message.options.map((o) => o.type), [0xee, NdpOptionType.SourceLinkLayerAddress]);
  assert.deepEqual(encodeNdp(r.message), bytes);
});

test('refuses what RFC 4861 says to discard, with a typed error', () => {
  const cases: Array<[string, keyof typeof NDP_DECODE_ERRORS]> = [
    ['85', 'NDP_TRUNCATED'],
    ['8500 0000 0000', 'NDP_TRUNCATED'],
    ['8600 0000 40000708 00000000 0000', 'NDP_TRUNCATED'],
    ['8700 0000 00000000', 'NDP_UNSUPPORTED_TYPE'],
    ['8501 0000 00000000', 'NDP_BAD_CODE'],
    ['8500 0000 00000000 0100 000000000000', 'NDP_BAD_OPTION'],
    ['8500 0000 00000000 0102 525400000001', 'NDP_TRUNCATED'],
    ['8500 0000 00000000 01', 'NDP_TRUNCATED'],
  ];
  for (const [bytes, code] of cases) {
    const r = decodeNdp(hex(bytes));
    assert.ok(!r.ok, bytes);
    assert.equal(r.error.code, code, bytes);
  }
  const huge = decodeNdp(new Uint8Array(65536));
  assert.ok(!huge.ok);
  assert.equal(huge.error.code, 'NDP_TOO_LARGE');
});

test('the encoder refuses options that are not whole 8-byte units', () => {
  assert.throws(() => encodeNdp({ type: NdpType.RouterSolicitation, options: [{ type: 1, body: new Uint8Array(5) }] }), RangeError);
  assert.throws(() => sourceLinkLayerOption('52:54:00'), RangeError);
  assert.deepEqual([...sourceLinkLayerOption('52-54-00-BF-00-0A').body], [0x52, 0x54, 0x00, 0xbf, 0x00, 0x0a]);
});

test('every decode error code is documented in README.md, and nothing else is', () => {
  const readme = readFileSync(new URL('../../../src/wire/ndp/README.md', import.meta.url), 'utf8');
  const documented = new Set([...readme.matchAll(/^\| `(NDP_[A-Z_]+)` \|/gm)].map((m) => m[1]));
  assert.deepEqual([...documented].sort(), Object.keys(NDP_DECODE_ERRORS).sort());
});

test('captured vectors: iPXE 2019 solicitation and our advertisement decode, and their checksums verify', () => {
  for (const v of CAPTURED_NDP) {
    const bytes = hex(v.hex);
    const r = decodeNdp(bytes);
    assert.ok(r.ok, v.what);
    assert.equal(icmpv6Checksum(parseIpv6(v.src)!, parseIpv6(v.dst)!, bytes), bytes.readUInt16BE(2), v.what);
    assert.deepEqual(encodeNdp(r.message), Buffer.from(bytes).fill(0, 2, 4), v.what);
  }
  const [rs, ra] = CAPTURED_NDP;
  const solicitation = decodeNdp(hex(rs!.hex));
  assert.ok(solicitation.ok);
  // iPXE names its MAC in the option, and its link-local address is the modified EUI-64 of it.
  assert.equal(sourceLinkLayerAddress(solicitation.message.options), rs!.ethSrc);
  assert.equal(macFromModifiedEui64(parseIpv6(rs!.src)!), rs!.ethSrc);
  const advertisement = decodeNdp(hex(ra!.hex));
  assert.ok(advertisement.ok && advertisement.message.type === NdpType.RouterAdvertisement);
  assert.equal(advertisement.message.routerLifetime, 0);
  assert.equal(advertisement.message.flags, 0);
  assert.deepEqual(advertisement.message.options, []);
});
