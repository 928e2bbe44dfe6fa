import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeDhcp, encodeDhcp, MAX_DECODE_SIZE, type DhcpDecodeResult } from './codec.js';
import { BootOp, MessageType, type DhcpPacket } from './packet.js';
import { basePacket, ipxeDiscover, rawPacket, tlv } from './fixtures.js';

function ok(r: DhcpDecodeResult): DhcpPacket {
  assert.ok(r.ok, r.ok ? '' : `${r.error.code} at ${r.error.offset}: ${r.error.message}`);
  return r.packet;
}

function errorOf(r: DhcpDecodeResult): { code: string; offset: number } {
  assert.equal(r.ok, false);
  return r.ok ? { code: '', offset: -1 } : { code: r.error.code, offset: r.error.offset };
}

/** Walk the options field of an encoded message: [code, length] per instance, in wire order. */
function wireOptions(b: Buffer, start = 240, end = b.length): [number, number][] {
  const out: [number, number][] = [];
  for (let i = start; i < end;) {
    const code = b[i] as number;
    if (code === 0) { i++; continue; }
    if (code === 255) { out.push([255, 0]); break; }
    const len = b[i + 1] as number;
    out.push([code, len]);
    i += 2 + len;
  }
  return out;
}

test('decodes an iPXE DISCOVER: header fields and options in arrival order', () => {
  const p = ok(decodeDhcp(ipxeDiscover()));
  assert.equal(p.op, BootOp.Request);
  assert.equal(p.htype, 1);
  assert.equal(p.hlen, 6);
  assert.equal(p.xid, 0x11223344);
  assert.equal(p.ciaddr, '0.0.0.0');
  assert.equal(p.chaddr.length, 16);
  assert.deepEqual([...p.options.keys()], [53, 57, 93, 94, 60, 77, 55, 175, 61, 97]);
  assert.equal(p.options.get(60)?.toString(), 'PXEClient:Arch:00000:UNDI:002001');
  assert.equal(p.sname, '');
  assert.equal(p.file, '');
});

test('option values are a private copy: mutating the input afterwards changes nothing', () => {
  const bytes = ipxeDiscover();
  const p = ok(decodeDhcp(bytes));
  bytes.fill(0xee);
  assert.equal(p.options.get(77)?.toString(), 'iPXE');
  assert.equal(p.chaddr[0], 0x52);
});

test("keep 'view': option values are views of the caller's bytes (no copy), for a caller that never reuses them", () => {
  const bytes = ipxeDiscover();
  const p = ok(decodeDhcp(bytes, 'view'));
  assert.equal(p.options.get(77)?.toString(), 'iPXE');
  assert.equal(p.options.get(77)?.buffer, bytes.buffer);
  bytes.fill(0xee);
  assert.notEqual(p.options.get(77)?.toString(), 'iPXE');
});

test('fixed sname/file fields are C strings: bytes after the first NUL are ignored', () => {
  const p = ok(decodeDhcp(rawPacket({ sname: Buffer.from('boot-server\0junk'), file: Buffer.from('undionly.kpxe\0\x01\x02') })));
  assert.equal(p.sname, 'boot-server');
  assert.equal(p.file, 'undionly.kpxe');
});

test('a file field that is not UTF-8 decodes as latin1, nothing replaced', () => {
  const p = ok(decodeDhcp(rawPacket({ file: Buffer.from([0x66, 0xe9, 0x00]) })));
  assert.equal(p.file, 'f\u00e9');
});

test('RFC 3396: repeated instances are joined in order', () => {
  const p = ok(decodeDhcp(rawPacket({ options: Buffer.concat([tlv([53, [1]], [12, 'abc'], [60, 'x'], [12, 'def']), Buffer.of(255)]) })));
  assert.equal(p.options.get(12)?.toString(), 'abcdef');
  assert.deepEqual([...p.options.keys()], [53, 12, 60]);
});

test('missing End option is tolerated (firmware that ends right after its last option)', () => {
  const p = ok(decodeDhcp(rawPacket({ options: tlv([53, [3]], [50, [198, 18, 0, 50]]) })));
  assert.deepEqual(p.options.get(50), Buffer.from([198, 18, 0, 50]));
});

test('no options at all after the cookie decodes to an empty map', () => {
  const p = ok(decodeDhcp(rawPacket({ options: Buffer.alloc(0) })));
  assert.equal(p.options.size, 0);
});

test('pad bytes between options and trailing padding after End are ignored', () => {
  const p = ok(decodeDhcp(rawPacket({ options: Buffer.concat([Buffer.of(0, 0), tlv([53, [1]]), Buffer.of(0), tlv([12, 'h']), Buffer.of(255, 12, 200, 7), Buffer.alloc(60)]) })));
  assert.deepEqual([...p.options.keys()], [53, 12]);
});

test('option 52 = 3: options read from options, then file, then sname; names from 66/67', () => {
  const file = Buffer.alloc(128);
  tlv([12, 'host'], [67, 'pxelinux.0'], [15, 'ex']).copy(file);
  file[tlv([12, 'host'], [67, 'pxelinux.0'], [15, 'ex']).length] = 255;
  const sname = Buffer.alloc(64);
  tlv([66, 'tftp.example'], [15, 'ample']).copy(sname); // no End: tolerated here too
  const p = ok(decodeDhcp(rawPacket({ file, sname, options: Buffer.concat([tlv([53, [2]], [52, [3]], [15, 'domain.']), Buffer.of(255)]) })));
  assert.equal(p.options.has(52), false, 'option 52 is framing, not content');
  assert.equal(p.options.get(15)?.toString(), 'domain.example', 'options field, then file, then sname');
  assert.equal(p.options.get(12)?.toString(), 'host');
  assert.equal(p.file, 'pxelinux.0');
  assert.equal(p.sname, 'tftp.example');
});

test('option 52 = 1 overloads only file; sname stays a name', () => {
  const file = Buffer.alloc(128);
  Buffer.concat([tlv([12, 'h']), Buffer.of(255)]).copy(file);
  const p = ok(decodeDhcp(rawPacket({ file, sname: Buffer.from('srv'), options: Buffer.concat([tlv([52, [1]]), Buffer.of(255)]) })));
  assert.equal(p.sname, 'srv');
  assert.equal(p.file, '');
  assert.equal(p.options.get(12)?.toString(), 'h');
});

test('option 52 inside an overloaded field is ignored', () => {
  const file = Buffer.alloc(128);
  Buffer.concat([tlv([52, [2]], [12, 'h']), Buffer.of(255)]).copy(file);
  const p = ok(decodeDhcp(rawPacket({ file, sname: Buffer.from('srv'), options: Buffer.concat([tlv([52, [1]]), Buffer.of(255)]) })));
  assert.equal(p.sname, 'srv');
});

test('bad option 52 and options overflowing an overloaded field are DHCP_BAD_OPTION', () => {
  assert.equal(errorOf(decodeDhcp(rawPacket({ options: Buffer.concat([tlv([52, [4]]), Buffer.of(255)]) }))).code, 'DHCP_BAD_OPTION');
  assert.equal(errorOf(decodeDhcp(rawPacket({ options: Buffer.concat([tlv([52, [1, 1]]), Buffer.of(255)]) }))).code, 'DHCP_BAD_OPTION');
  assert.equal(errorOf(decodeDhcp(rawPacket({ options: Buffer.concat([tlv([52, []]), Buffer.of(255)]) }))).code, 'DHCP_BAD_OPTION');
  const sname = Buffer.alloc(64);
  sname.set([12, 70], 60);
  const e = errorOf(decodeDhcp(rawPacket({ sname, options: Buffer.concat([tlv([52, [2]]), Buffer.of(255)]) })));
  assert.deepEqual(e, { code: 'DHCP_BAD_OPTION', offset: 44 + 60 });
});

test('hlen > 16 is DHCP_BAD_HLEN; 16 is accepted', () => {
  assert.deepEqual(errorOf(decodeDhcp(rawPacket({ hlen: 17 }))), { code: 'DHCP_BAD_HLEN', offset: 2 });
  assert.equal(ok(decodeDhcp(rawPacket({ hlen: 16 }))).hlen, 16);
});

test('wrong magic cookie is DHCP_BAD_MAGIC', () => {
  assert.deepEqual(errorOf(decodeDhcp(rawPacket({ cookie: 0 }))), { code: 'DHCP_BAD_MAGIC', offset: 236 });
});

test('more than 64 KiB is DHCP_TOO_LARGE; exactly 64 KiB is decoded', () => {
  const big = Buffer.concat([ipxeDiscover(), Buffer.alloc(MAX_DECODE_SIZE)]).subarray(0, MAX_DECODE_SIZE);
  assert.equal(decodeDhcp(big).ok, true);
  assert.equal(errorOf(decodeDhcp(Buffer.alloc(MAX_DECODE_SIZE + 1))).code, 'DHCP_TOO_LARGE');
});

test('truncated at every length: never throws; short of the header is DHCP_TRUNCATED', () => {
  const full = ipxeDiscover();
  for (let n = 0; n <= full.length; n++) {
    const r = decodeDhcp(full.subarray(0, n));
    if (n < 240) assert.deepEqual(errorOf(r), { code: 'DHCP_TRUNCATED', offset: n });
    else if (!r.ok) {
      assert.equal(r.error.code, 'DHCP_TRUNCATED');
      assert.ok(r.error.offset >= 240 && r.error.offset < n);
    }
  }
  assert.equal(decodeDhcp(full).ok, true);
});

test('an option whose length runs past the end is DHCP_TRUNCATED at the option', () => {
  assert.deepEqual(errorOf(decodeDhcp(rawPacket({ options: Buffer.of(53, 1, 1, 60, 10, 65) }))), { code: 'DHCP_TRUNCATED', offset: 243 });
  assert.deepEqual(errorOf(decodeDhcp(rawPacket({ options: Buffer.of(53, 1, 1, 60) }))), { code: 'DHCP_TRUNCATED', offset: 243 });
});

test('op outside 1..2 is kept as sent (the server decides)', () => {
  assert.equal(ok(decodeDhcp(rawPacket({ op: 7 }))).op, 7);
});

test('encode: header, cookie, 53 first, Map order, 82 last, End, padded to 300', () => {
  const opts = new Map<number, Buffer>([
    [82, Buffer.from([1, 2, 0, 1])],
    [54, Buffer.from([198, 18, 0, 2])],
    [53, Buffer.from([MessageType.Offer])],
    [51, Buffer.from([0, 0, 14, 16])],
  ]);
  const b = encodeDhcp({ ...basePacket(opts), file: 'undionly.kpxe', sname: 'boot' });
  assert.equal(b.length, 300);
  assert.equal(b[0], 2);
  assert.equal(b.readUInt32BE(4), 0xdeadbeef);
  assert.deepEqual([...b.subarray(16, 20)], [198, 18, 0, 50]);
  assert.equal(b.readUInt32BE(236), 0x63825363);
  assert.equal(b.toString('latin1', 108, 121), 'undionly.kpxe');
  assert.equal(b.toString('latin1', 44, 48), 'boot');
  assert.deepEqual(wireOptions(b).map(([c]) => c), [53, 54, 51, 82, 255]);
  assert.ok(b.subarray(240 + 3 + 6 + 6 + 6 + 1).every((x) => x === 0), 'zero padding after End');
});

test('encode: minSize 0 gives exactly header + options + End', () => {
  const b = encodeDhcp(basePacket(new Map([[53, Buffer.of(5)]])), { minSize: 0 });
  assert.equal(b.length, 240 + 3 + 1);
});

test('RFC 3396: a 600-byte option is sent as 255 + 255 + 90 and joined again on decode', () => {
  const big = Buffer.alloc(600, 0).map((_, i) => i % 251);
  const b = encodeDhcp(basePacket(new Map([[53, Buffer.of(5)], [43, Buffer.from(big)], [12, Buffer.from('h')]])));
  assert.deepEqual(wireOptions(b), [[53, 1], [43, 255], [43, 255], [43, 90], [12, 1], [255, 0]]);
  const p = ok(decodeDhcp(b));
  assert.deepEqual(p.options.get(43), Buffer.from(big));
  assert.deepEqual([...p.options.keys()], [53, 43, 12]);
});

test('zero-length options survive a round trip', () => {
  const p = ok(decodeDhcp(encodeDhcp(basePacket(new Map([[80, Buffer.alloc(0)]])))));
  assert.deepEqual(p.options.get(80), Buffer.alloc(0));
});

test('encode over maxSize without allowOverload still emits every option in the options field', () => {
  const b = encodeDhcp(basePacket(new Map([[53, Buffer.of(5)], [43, Buffer.alloc(400, 1)]])), { maxSize: 576 });
  assert.ok(b.length > 576);
  assert.equal(b.readUInt32BE(108), 0, 'file untouched');
  assert.deepEqual(ok(decodeDhcp(b)).options.get(43), Buffer.alloc(400, 1));
});

test('allowOverload spills into file, then sname, with option 52, and decodes back equal', () => {
  const opts = new Map<number, Buffer>([[53, Buffer.of(5)], [54, Buffer.of(198, 18, 0, 2)], [43, Buffer.alloc(200, 7)], [12, Buffer.alloc(120, 0x61)], [15, Buffer.alloc(50, 0x62)], [82, Buffer.of(1, 1, 9)]]);
  const packet = basePacket(opts);
  const b = encodeDhcp(packet, { allowOverload: true, maxSize: 576 });
  assert.ok(b.length <= 576);
  const main = wireOptions(b);
  assert.deepEqual(main[0], [53, 1]);
  assert.deepEqual(main[1], [52, 1]);
  assert.equal(b[245], 3, 'overload value 3: file and sname');
  assert.deepEqual(main.at(-2), [82, 3]);
  assert.deepEqual(wireOptions(b, 108, 236).map(([c]) => c), [12, 255]);
  assert.deepEqual(wireOptions(b, 44, 108).map(([c]) => c), [15, 255]);
  assert.deepEqual(ok(decodeDhcp(b)), ok(decodeDhcp(encodeDhcp(packet))));
});

test('allowOverload moves a non-empty file name into option 67 when the field is used for options', () => {
  const packet = { ...basePacket(new Map([[53, Buffer.of(5)], [43, Buffer.alloc(350, 7)]])), file: 'undionly.kpxe', sname: 'srv' };
  const b = encodeDhcp(packet, { allowOverload: true });
  const p = ok(decodeDhcp(b));
  assert.equal(p.file, 'undionly.kpxe');
  assert.equal(p.options.get(67)?.toString(), 'undionly.kpxe');
  assert.equal(p.sname, 'srv', 'sname not needed, kept as a name');
  assert.equal(p.options.has(66), false);
});

test('allowOverload falls back to the plain layout when even file and sname are too small', () => {
  const packet = basePacket(new Map([[53, Buffer.of(5)], [43, Buffer.alloc(900, 7)]]));
  const b = encodeDhcp(packet, { allowOverload: true });
  assert.equal(b.readUInt32BE(108), 0);
  assert.deepEqual(ok(decodeDhcp(b)), ok(decodeDhcp(encodeDhcp(packet))));
});

test('allowOverload does nothing when everything fits', () => {
  const packet = basePacket(new Map([[53, Buffer.of(5)]]));
  assert.deepEqual(encodeDhcp(packet, { allowOverload: true }), encodeDhcp(packet));
});

test('encode refuses what no peer could read', () => {
  assert.throws(() => encodeDhcp({ ...basePacket(), yiaddr: '198.18.0.256' }), RangeError);
  assert.throws(() => encodeDhcp({ ...basePacket(), file: 'x'.repeat(129) }), RangeError);
  assert.throws(() => encodeDhcp({ ...basePacket(), sname: 'x'.repeat(65) }), RangeError);
  assert.throws(() => encodeDhcp(basePacket(new Map([[255, Buffer.of(1)]]))), RangeError);
  assert.throws(() => encodeDhcp(basePacket(new Map([[0, Buffer.of(1)]]))), RangeError);
  assert.doesNotThrow(() => encodeDhcp({ ...basePacket(), file: 'x'.repeat(128), sname: 'y'.repeat(64) }));
});

test('a 128-byte file with no NUL round-trips', () => {
  const packet = { ...basePacket(), file: 'f'.repeat(128) };
  assert.equal(ok(decodeDhcp(encodeDhcp(packet))).file, packet.file);
});

test('a stale option 52 in the map is ignored by the encoder', () => {
  const b = encodeDhcp(basePacket(new Map([[53, Buffer.of(5)], [52, Buffer.of(3)]])));
  assert.deepEqual(wireOptions(b).map(([c]) => c), [53, 255]);
});
