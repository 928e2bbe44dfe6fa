import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatIpv4 } from './ipv4.js';
import { decodeDhcp, encodeDhcp, DHCP_DECODE_ERRORS, MAX_DECODE_SIZE, type DhcpDecodeResult } from './codec.js';
import type { BootOp, DhcpPacket } from './packet.js';
import { ipxeDiscover } from './fixtures.js';

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const ip = fc.tuple(u8, u8, u8, u8).map((q) => q.join('.'));
/** Text a fixed field can carry: no NUL (the field is a C string), bounded in UTF-8 bytes. */
const fieldText = (maxBytes: number) =>
  fc.string({ unit: 'grapheme', maxLength: maxBytes }).filter((s) => !s.includes('\0') && Buffer.byteLength(s, 'utf8') <= maxBytes);
/** Mostly small values, sometimes long enough to need RFC 3396 splitting. */
const optionValue = fc.oneof(
  { weight: 8, arbitrary: fc.uint8Array({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.uint8Array({ minLength: 200, maxLength: 600 }) },
);
const optionCode = fc.integer({ min: 1, max: 254 }).filter((c) => c !== 52);

function optionMap(codes: fc.Arbitrary<number>): fc.Arbitrary<Map<number, Buffer>> {
  return fc
    .uniqueArray(fc.tuple(codes, optionValue), { selector: ([c]) => c, maxLength: 12 })
    .map((entries) => new Map(entries.map(([c, v]) => [c, Buffer.from(v)])));
}

function packetWith(options: fc.Arbitrary<Map<number, Buffer>>, names: boolean): fc.Arbitrary<DhcpPacket> {
  return fc
    .tuple(
      fc.tuple(u8, u8, fc.integer({ min: 0, max: 16 }), u8, u32, u16, u16),
      fc.tuple(ip, ip, ip, ip),
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      names ? fieldText(64) : fc.constant(''),
      names ? fieldText(128) : fc.constant(''),
      options,
    )
    .map(([[op, htype, hlen, hops, xid, secs, flags], [ciaddr, yiaddr, siaddr, giaddr], chaddr, sname, file, opts]) => ({
      op: op as BootOp, htype, hlen, hops, xid, secs, flags, ciaddr, yiaddr, siaddr, giaddr,
      chaddr: Buffer.from(chaddr), sname, file, options: opts,
    }));
}

function decoded(b: Uint8Array): DhcpPacket {
  const r = decodeDhcp(b);
  assert.ok(r.ok, r.ok ? '' : `${r.error.code} at ${r.error.offset}: ${r.error.message}`);
  return r.packet;
}

/** The result is exactly one arm of the union, with sane contents. */
function assertWellFormed(r: DhcpDecodeResult, length: number): void {
  if (r.ok) {
    const p = r.packet;
    assert.ok(!('error' in r));
    for (const n of [p.op, p.htype, p.hops]) assert.ok(Number.isInteger(n) && n >= 0 && n <= 0xff);
    assert.ok(p.hlen >= 0 && p.hlen <= 16);
    assert.ok(p.xid >= 0 && p.xid <= 0xffffffff && p.secs <= 0xffff && p.flags <= 0xffff);
    for (const a of [p.ciaddr, p.yiaddr, p.siaddr, p.giaddr]) assert.match(a, /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/);
    assert.equal(p.chaddr.length, 16);
    assert.equal(typeof p.sname, 'string');
    assert.equal(typeof p.file, 'string');
    for (const [code, v] of p.options) {
      assert.ok(code >= 1 && code <= 254 && code !== 52, `stored framing option ${code}`);
      assert.ok(Buffer.isBuffer(v));
    }
  } else {
    assert.ok(!('packet' in r));
    assert.ok(Object.hasOwn(DHCP_DECODE_ERRORS, r.error.code), r.error.code);
    assert.ok(r.error.message.length > 0);
    assert.ok(Number.isInteger(r.error.offset) && r.error.offset >= 0 && r.error.offset <= Math.max(length, MAX_DECODE_SIZE));
  }
}

test('property: decode(encode(p)) equals p, options in wire order 53 first and 82 last', () => {
  fc.assert(
    fc.property(packetWith(optionMap(optionCode), true), (p) => {
      const q = decoded(encodeDhcp(p));
      assert.deepStrictEqual(q, { ...p, chaddr: q.chaddr, options: q.options });
      assert.ok(q.chaddr.equals(p.chaddr));
      assert.deepStrictEqual(q.options, p.options);
      const middle = [...p.options.keys()].filter((c) => c !== 53 && c !== 82);
      const expected = [...(p.options.has(53) ? [53] : []), ...middle, ...(p.options.has(82) ? [82] : [])];
      assert.deepStrictEqual([...q.options.keys()], expected);
    }),
    { numRuns: 300 },
  );
});

test('property: with allowOverload, decode(encode(p)) still equals p and fits maxSize when it can', () => {
  const noNameOptions = optionCode.filter((c) => c !== 66 && c !== 67);
  fc.assert(
    fc.property(packetWith(optionMap(noNameOptions), false), fc.integer({ min: 576, max: 900 }), (p, maxSize) => {
      const b = encodeDhcp(p, { allowOverload: true, maxSize });
      assert.deepStrictEqual(decoded(b).options, p.options);
      const overloaded = b.subarray(44, 236).some((x) => x !== 0);
      if (overloaded) assert.ok(b.length <= maxSize, `overloaded message of ${b.length} bytes exceeds ${maxSize}`);
      else assert.deepStrictEqual(b, encodeDhcp(p));
    }),
    { numRuns: 200 },
  );
});

test('property: random bytes never throw and give a well-formed result', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 700 }), (bytes) => assertWellFormed(decodeDhcp(bytes), bytes.length)),
    { numRuns: 500 },
  );
});

test('property: random bytes after a valid header and cookie never throw', () => {
  const header = ipxeDiscover().subarray(0, 240);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 0, max: 3 }), (tail, overload) => {
      const b = Buffer.concat([header, overload ? Buffer.of(52, 1, overload) : Buffer.alloc(0), tail]);
      // Random sname/file too, so overloaded fields hold junk.
      b.fill(tail[0] ?? 0, 44, 44 + Math.min(tail.length, 192));
      assertWellFormed(decodeDhcp(b), b.length);
    }),
    { numRuns: 500 },
  );
});

test('property: mutations and truncations of a valid message never throw', () => {
  const base = ipxeDiscover();
  const mutation = fc.array(fc.tuple(fc.nat({ max: base.length - 1 }), u8), { minLength: 1, maxLength: 8 });
  fc.assert(
    fc.property(mutation, fc.nat({ max: base.length + 20 }), (changes, cut) => {
      const b = Buffer.concat([base, Buffer.alloc(20)]);
      for (const [at, value] of changes) b[at] = value;
      const m = b.subarray(0, cut);
      assertWellFormed(decodeDhcp(m), m.length);
    }),
    { numRuns: 1000 },
  );
});

test("property: keep 'view' decodes exactly as the default copy, from a Buffer or any Uint8Array view, and never throws", () => {
  const base = ipxeDiscover();
  const mutation = fc.array(fc.tuple(fc.nat({ max: base.length - 1 }), u8), { maxLength: 8 });
  fc.assert(
    fc.property(mutation, fc.nat({ max: base.length + 20 }), fc.nat({ max: 7 }), (changes, cut, pad) => {
      const b = Buffer.concat([base, Buffer.alloc(20)]);
      for (const [at, value] of changes) b[at] = value;
      const m = b.subarray(0, cut);
      // A plain Uint8Array at an offset into a larger ArrayBuffer, as well as a Buffer.
      const backing = new Uint8Array(pad + m.length);
      backing.set(m, pad);
      const plain = new Uint8Array(backing.buffer, pad, m.length);
      const copied = decodeDhcp(m);
      for (const viewed of [decodeDhcp(m, 'view'), decodeDhcp(plain, 'view')]) {
        assertWellFormed(viewed, m.length);
        assert.deepEqual(viewed, copied);
      }
    }),
    { numRuns: 500 },
  );
});

test('property: formatIpv4 is the four bytes as a dotted quad, remembered or not', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 4, maxLength: 8 }), fc.nat({ max: 4 }), (bytes, start) => {
      const at = Math.min(start, bytes.length - 4);
      const plain = Array.from(bytes.subarray(at, at + 4)).join('.');
      assert.equal(formatIpv4(bytes, at), plain);
      assert.equal(formatIpv4(bytes, at), plain);
    }),
    { numRuns: 3000 },
  );
});
