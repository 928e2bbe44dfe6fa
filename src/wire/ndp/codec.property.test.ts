import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeNdp, encodeNdp } from './codec.js';
import { NDP_DECODE_ERRORS } from './errors.js';
import { formatIpv6, parseIpv6 } from './ipv6-address.js';
import { NdpType, type NdpMessage, type NdpOption } from './packet.js';

const option: fc.Arbitrary<NdpOption> = fc
  .record({ type: fc.integer({ min: 0, max: 255 }), units: fc.integer({ min: 1, max: 6 }) })
  .chain(({ type, units }) => fc.uint8Array({ minLength: units * 8 - 2, maxLength: units * 8 - 2 }).map((body) => ({ type, body })));
const options = fc.array(option, { maxLength: 8 });
const u32 = fc.integer({ min: 0, max: 0xffffffff });

const message: fc.Arbitrary<NdpMessage> = fc.oneof(
  fc.record({ type: fc.constant(NdpType.RouterSolicitation), options }),
  fc.record({
    type: fc.constant(NdpType.RouterAdvertisement),
    curHopLimit: fc.integer({ min: 0, max: 255 }),
    flags: fc.integer({ min: 0, max: 255 }),
    routerLifetime: fc.integer({ min: 0, max: 0xffff }),
    reachableTime: u32,
    retransTimer: u32,
    options,
  }),
);

const plain = (m: NdpMessage): unknown => ({ ...m, options: m.options.map((o) => ({ type: o.type, body: Buffer.from(o.body) })) });

test('property: decode(encode(m)) == m', () => {
  fc.assert(
    fc.property(message, (m) => {
      const r = decodeNdp(encodeNdp(m));
      assert.ok(r.ok, r.ok ? '' : r.error.message);
      assert.deepEqual(plain(r.message), plain(m));
    }),
    { numRuns: 2000 },
  );
});

test('property: random bytes never throw, and a decoded message re-encodes to the same bytes', () => {
  const codes = new Set(Object.keys(NDP_DECODE_ERRORS));
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    // Mostly-valid headers reach the option parser more often than uniform bytes do.
    fc.tuple(fc.constantFrom(133, 134), fc.uint8Array({ maxLength: 120 })).map(([t, rest]) => Uint8Array.from([t, 0, 0, 0, ...rest])),
  );
  fc.assert(
    fc.property(bytes, (b) => {
      const r = decodeNdp(b);
      if (!r.ok) {
        assert.ok(codes.has(r.error.code), r.error.code);
        assert.ok(r.error.offset >= 0 && r.error.offset <= Math.max(b.length, 65535));
        return;
      }
      const again = Buffer.from(b);
      // Checksum and the RS reserved field are not kept.
      again.fill(0, 2, 4);
      if (b[0] === NdpType.RouterSolicitation) again.fill(0, 4, 8);
      assert.deepEqual(encodeNdp(r.message), again);
    }),
    { numRuns: 5000 },
  );
});

test('property: formatIpv6 and parseIpv6 are inverse', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) => {
      assert.deepEqual(parseIpv6(formatIpv6(b)), b);
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 45 }), (s) => {
      const b = parseIpv6(s);
      if (b) assert.equal(b.length, 16);
    }),
  );
});
