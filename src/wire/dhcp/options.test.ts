import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MessageType } from './packet.js';
import {
  decodeSubOptions, encodeSubOptions, getClientArch, getClientId, getIp, getIps, getMaxMessageSize, getMessageType,
  getParamRequestList, getString, getU16, getU32, getU8, getUserClasses, getUuid, macOf, setBytes, setIp, setIps,
  setMessageType, setString, setU16, setU32, setU8,
} from './options.js';
import { basePacket } from './fixtures.js';

const opts = (...entries: [number, number[] | string][]) =>
  new Map(entries.map(([c, v]) => [c, typeof v === 'string' ? Buffer.from(v, 'latin1') : Buffer.from(v)]));

test('getMessageType: 1..8 only, exactly one byte', () => {
  assert.equal(getMessageType(basePacket(opts([53, [1]]))), MessageType.Discover);
  assert.equal(getMessageType(basePacket(opts([53, [8]]))), MessageType.Inform);
  assert.equal(getMessageType(basePacket(opts([53, [0]]))), null);
  assert.equal(getMessageType(basePacket(opts([53, [9]]))), null);
  assert.equal(getMessageType(basePacket(opts([53, [1, 1]]))), null);
  assert.equal(getMessageType(basePacket()), null);
});

test('getU8/getU16/getU32: big-endian, exact width, null otherwise', () => {
  const o = opts([1, [7]], [2, [1, 2]], [3, [0xff, 0, 0, 1]], [4, [1, 2, 3]]);
  assert.equal(getU8(o, 1), 7);
  assert.equal(getU16(o, 2), 0x0102);
  assert.equal(getU32(o, 3), 0xff000001);
  assert.equal(getU8(o, 2), null);
  assert.equal(getU16(o, 4), null);
  assert.equal(getU32(o, 4), null);
  assert.equal(getU32(o, 99), null);
});

test('getIp/getIps', () => {
  const o = opts([1, [255, 255, 255, 0]], [6, [198, 18, 0, 1, 198, 18, 0, 2]], [3, [1, 2, 3]], [4, []]);
  assert.equal(getIp(o, 1), '255.255.255.0');
  assert.equal(getIp(o, 6), null);
  assert.deepEqual(getIps(o, 6), ['198.18.0.1', '198.18.0.2']);
  assert.deepEqual(getIps(o, 1), ['255.255.255.0']);
  assert.equal(getIps(o, 3), null);
  assert.equal(getIps(o, 4), null);
  assert.equal(getIps(o, 99), null);
});

test('getString: UTF-8 when valid, latin1 otherwise, trailing NULs dropped', () => {
  const o = opts([12, 'host\0\0'], [15, [0x63, 0x61, 0x66, 0xc3, 0xa9]], [56, [0x63, 0x61, 0x66, 0xe9]], [17, []]);
  assert.equal(getString(o, 12), 'host');
  assert.equal(getString(o, 15), 'café');
  assert.equal(getString(o, 56), 'caf\u00e9');
  assert.equal(getString(o, 17), '');
  assert.equal(getString(o, 99), null);
});

test('getClientArch: first u16 of option 93', () => {
  assert.equal(getClientArch(opts([93, [0, 7]])), 7);
  assert.equal(getClientArch(opts([93, [0, 0, 0, 7]])), 0);
  assert.equal(getClientArch(opts([93, [7]])), null);
  assert.equal(getClientArch(opts()), null);
});

test('getUuid: type 0 + 16 bytes, lower-case RFC 4122; null when zeros, all-ff or malformed', () => {
  const uuid = [0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef];
  assert.equal(getUuid(opts([97, [0, ...uuid]])), '12345678-9abc-def0-0123-456789abcdef');
  assert.equal(getUuid(opts([97, [0, ...new Array<number>(16).fill(0)]])), null);
  assert.equal(getUuid(opts([97, [0, ...new Array<number>(16).fill(0xff)]])), null);
  assert.equal(getUuid(opts([97, [1, ...uuid]])), null);
  assert.equal(getUuid(opts([97, uuid])), null);
  assert.equal(getUuid(opts()), null);
});

test('getParamRequestList', () => {
  assert.deepEqual([...getParamRequestList(opts([55, [1, 3, 6, 175]]))], [1, 3, 6, 175]);
  assert.deepEqual([...getParamRequestList(opts())], []);
});

test('getMaxMessageSize: below 576 is ignored; 65280 (EDK2 REQUEST) is kept', () => {
  assert.equal(getMaxMessageSize(opts([57, [0xff, 0x00]])), 65280);
  assert.equal(getMaxMessageSize(opts([57, [0x05, 0xc0]])), 1472);
  assert.equal(getMaxMessageSize(opts([57, [0x02, 0x40]])), 576);
  assert.equal(getMaxMessageSize(opts([57, [0x02, 0x3f]])), null);
  assert.equal(getMaxMessageSize(opts([57, [0x05]])), null);
  assert.equal(getMaxMessageSize(opts()), null);
});

test('getUserClasses: iPXE plain string and RFC 3004 entries', () => {
  assert.deepEqual(getUserClasses(opts([77, 'iPXE'])), ['iPXE']);
  assert.deepEqual(getUserClasses(opts([77, 'gPXE\0'])), ['gPXE']);
  assert.deepEqual(getUserClasses(opts([77, '\x04iPXE'])), ['iPXE']);
  assert.deepEqual(getUserClasses(opts([77, '\x03abc\x02de'])), ['abc', 'de']);
  assert.deepEqual(getUserClasses(opts([77, '\x03abc\x05de'])), ['\x03abc\x05de'], 'entries that do not tile: one plain string');
  assert.deepEqual(getUserClasses(opts([77, '\x00abc'])), ['\x00abc'], 'zero-length entry is not RFC 3004');
  assert.deepEqual(getUserClasses(opts([77, ''])), []);
  assert.deepEqual(getUserClasses(opts()), []);
});

test('getClientId', () => {
  assert.deepEqual(getClientId(opts([61, [1, 0x52, 0x54, 0, 1, 2, 3]])), Buffer.from([1, 0x52, 0x54, 0, 1, 2, 3]));
  assert.equal(getClientId(opts([61, []])), null);
  assert.equal(getClientId(opts()), null);
});

test('setters write what the getters read, and reject what cannot be encoded', () => {
  const o = new Map<number, Buffer>();
  setU8(o, 23, 64);
  setU16(o, 57, 1500);
  setU32(o, 51, 86400);
  setIp(o, 54, '198.18.0.2');
  setIps(o, 6, ['198.18.0.1', '8.8.8.8']);
  setString(o, 67, 'http://198.18.0.2/boot.ipxe?mac=52:54:00:12:34:56');
  setBytes(o, 43, Uint8Array.of(6, 1, 8, 255));
  setMessageType(o, MessageType.Ack);
  assert.equal(getU8(o, 23), 64);
  assert.equal(getU16(o, 57), 1500);
  assert.equal(getU32(o, 51), 86400);
  assert.equal(getIp(o, 54), '198.18.0.2');
  assert.deepEqual(getIps(o, 6), ['198.18.0.1', '8.8.8.8']);
  assert.equal(getString(o, 67), 'http://198.18.0.2/boot.ipxe?mac=52:54:00:12:34:56');
  assert.deepEqual(o.get(43), Buffer.of(6, 1, 8, 255));
  assert.equal(getMessageType({ ...basePacket(), options: o }), MessageType.Ack);
  assert.throws(() => setU8(o, 1, 256), RangeError);
  assert.throws(() => setU8(o, 1, -1), RangeError);
  assert.throws(() => setU16(o, 1, 65536), RangeError);
  assert.throws(() => setU32(o, 1, 2 ** 32), RangeError);
  assert.throws(() => setU32(o, 1, 1.5), RangeError);
  assert.throws(() => setIp(o, 1, '1.2.3'), RangeError);
  assert.throws(() => setIp(o, 1, '01.2.3.4444'), RangeError);
  assert.throws(() => setIps(o, 1, []), RangeError);
});

test('setBytes copies its input', () => {
  const o = new Map<number, Buffer>();
  const src = Uint8Array.of(1, 2, 3);
  setBytes(o, 43, src);
  src[0] = 9;
  assert.deepEqual(o.get(43), Buffer.of(1, 2, 3));
});

test('decodeSubOptions: pads, End, joins repeats; null when a sub-option overruns', () => {
  const m = decodeSubOptions(Buffer.of(0, 1, 1, 3, 176, 1, 1, 1, 1, 4, 255, 9, 9));
  assert.deepEqual(m, new Map([[1, Buffer.of(3, 4)], [176, Buffer.of(1)]]));
  assert.deepEqual(decodeSubOptions(Buffer.alloc(0)), new Map());
  assert.equal(decodeSubOptions(Buffer.of(1, 5, 1)), null);
  assert.equal(decodeSubOptions(Buffer.of(1)), null);
});

test('encodeSubOptions: Map order, optional End, long values split, bad codes refused', () => {
  assert.deepEqual(encodeSubOptions(new Map([[176, Uint8Array.of(1)], [8, Uint8Array.of(1)]])), Buffer.of(176, 1, 1, 8, 1, 1));
  assert.deepEqual(encodeSubOptions(new Map([[1, Uint8Array.of()]]), { end: true }), Buffer.of(1, 0, 255));
  const long = encodeSubOptions(new Map([[9, new Uint8Array(300)]]));
  assert.equal(long.length, 2 + 255 + 2 + 45);
  assert.deepEqual(decodeSubOptions(long)?.get(9), Buffer.alloc(300));
  assert.throws(() => encodeSubOptions(new Map([[0, Uint8Array.of(1)]])), RangeError);
  assert.throws(() => encodeSubOptions(new Map([[255, Uint8Array.of(1)]])), RangeError);
});

test('macOf: chaddr[0, hlen) lower-case, hlen capped at 16', () => {
  const p = basePacket();
  assert.equal(macOf(p), '52:54:00:ab:cd:ef');
  assert.equal(macOf({ ...p, hlen: 0 }), '');
  assert.equal(macOf({ ...p, hlen: 200 }).split(':').length, 16);
  assert.equal(macOf({ ...p, hlen: 8, chaddr: Buffer.from([0xAA, 0xBB]) }), 'aa:bb');
});

test('4-byte values are shared between option maps and always read back as set, whatever else was set since', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 0xffffffff })), { minLength: 1, maxLength: 200 }), (values) => {
      const maps = values.map(([asIp, v]) => {
        const o = new Map<number, Buffer>();
        if (asIp) setIp(o, 54, `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`);
        else setU32(o, 51, v);
        return o;
      });
      // Every map still holds its own value after all the others were made (shared values are never written).
      values.forEach(([asIp, v], i) => {
        const o = maps[i]!;
        if (asIp) assert.equal(getIp(o, 54), `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`);
        else assert.equal(getU32(o, 51), v);
      });
    }),
  );
  const a = new Map<number, Buffer>();
  const b = new Map<number, Buffer>();
  setU32(a, 51, 86400);
  setU32(b, 58, 86400);
  assert.equal(a.get(51), b.get(58), 'one Buffer for one value');
  setMessageType(a, MessageType.Ack);
  setMessageType(b, MessageType.Ack);
  assert.equal(a.get(53), b.get(53));
  assert.deepEqual([...(a.get(53) ?? [])], [MessageType.Ack]);
});
