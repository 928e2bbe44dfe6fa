import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readPcap } from './pcap.js';

/** One Ethernet/IPv4/UDP frame carrying `payload`. */
function udpFrame(payload: Uint8Array, srcPort = 68, dstPort = 67): Buffer {
  const eth = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0x00, 0xbf, 0x00, 0x01, 0x08, 0x00]);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + 8 + payload.length, 2);
  ip[8] = 64;
  ip[9] = 17;
  Buffer.from([198, 18, 0, 100]).copy(ip, 12);
  Buffer.from([255, 255, 255, 255]).copy(ip, 16);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(srcPort, 0);
  udp.writeUInt16BE(dstPort, 2);
  udp.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([eth, ip, udp, payload]);
}

function pcapFile(frames: Buffer[], littleEndian = true): Buffer {
  const w32 = (b: Buffer, v: number, at: number): void => {
    if (littleEndian) b.writeUInt32LE(v, at);
    else b.writeUInt32BE(v, at);
  };
  const header = Buffer.alloc(24);
  w32(header, 0xa1b2c3d4, 0);
  w32(header, 65535, 16);
  w32(header, 1, 20);
  const records = frames.map((f, i) => {
    const h = Buffer.alloc(16);
    w32(h, 1_700_000_000 + i, 0);
    w32(h, 250, 4);
    w32(h, f.length, 8);
    w32(h, f.length, 12);
    return Buffer.concat([h, f]);
  });
  return Buffer.concat([header, ...records]);
}

test('pcap: reads UDP payloads, addresses and ports in either byte order', () => {
  for (const little of [true, false]) {
    const r = readPcap(pcapFile([udpFrame(Buffer.from('hello')), udpFrame(Buffer.from('x'), 1234, 69)], little));
    assert.ok(r.ok);
    assert.equal(r.udp.length, 2);
    const [a, b] = r.udp;
    assert.equal(Buffer.from(a?.payload ?? []).toString(), 'hello');
    assert.equal(a?.ethSrc, '52:54:00:bf:00:01');
    assert.equal(a?.srcIp, '198.18.0.100');
    assert.equal(a?.dstPort, 67);
    assert.equal(a?.timeUs, 1_700_000_000 * 1e6 + 250);
    assert.equal(b?.srcPort, 1234);
    assert.equal(r.truncatedTail, false);
  }
});

test('pcap: a cut-off last record is reported, not thrown', () => {
  const full = pcapFile([udpFrame(Buffer.from('abc')), udpFrame(Buffer.from('defg'))]);
  const r = readPcap(full.subarray(0, full.length - 3));
  assert.ok(r.ok);
  assert.equal(r.udp.length, 1);
  assert.equal(r.truncatedTail, true);
});

test('pcap: bad magic and short files are typed errors', () => {
  assert.deepEqual(readPcap(Buffer.alloc(10)).ok, false);
  const r = readPcap(Buffer.alloc(24));
  assert.ok(!r.ok && r.error === 'bad-magic');
});

test('pcap: random bytes never throw', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), (tail, valid) => {
      const bytes = valid ? Buffer.concat([pcapFile([]), tail]) : Buffer.from(tail);
      const r = readPcap(bytes);
      assert.equal(typeof r.ok, 'boolean');
    }),
  );
});
