import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeTftp, encodeTftp } from './codec.js';
import { TFTP_DECODE_ERRORS } from './errors.js';
import { Opcode, TFTP_LIMITS, type TftpOption, type TftpPacket } from './packet.js';

const utf8Bytes = (s: string) => Buffer.byteLength(s, 'utf8');
/** Strings a well-formed packet can carry: no NUL, bounded in UTF-8 bytes. */
const text = (maxBytes: number, minLength = 0) =>
  fc.string({ unit: 'grapheme', minLength, maxLength: maxBytes }).filter((s) => !s.includes('\0') && utf8Bytes(s) <= maxBytes);
const lower = (maxBytes: number) => text(maxBytes, 1).map((s) => s.toLowerCase()).filter((s) => s !== '' && utf8Bytes(s) <= maxBytes);
const option: fc.Arbitrary<TftpOption> = fc.tuple(lower(TFTP_LIMITS.maxOptionNameBytes), text(TFTP_LIMITS.maxOptionValueBytes));
const options = fc.array(option, { maxLength: TFTP_LIMITS.maxOptions });
const u16 = fc.integer({ min: 0, max: 0xffff });

const packet: fc.Arbitrary<TftpPacket> = fc.oneof(
  fc.record({
    opcode: fc.constantFrom(Opcode.Rrq as const, Opcode.Wrq as const),
    filename: text(TFTP_LIMITS.maxFilenameBytes, 1).filter((s) => s !== ''),
    mode: lower(TFTP_LIMITS.maxModeBytes),
    // A trailing option with an empty value is indistinguishable from NUL padding only
    // when its name is empty too, which encoders refuse; so any option list round-trips.
    options,
  }),
  fc.record({ opcode: fc.constant(Opcode.Data as const), block: u16, data: fc.uint8Array({ maxLength: 1500 }) }),
  fc.record({ opcode: fc.constant(Opcode.Ack as const), block: u16 }),
  fc.record({ opcode: fc.constant(Opcode.Error as const), code: u16, message: text(TFTP_LIMITS.maxErrorMessageBytes) }),
  fc.record({ opcode: fc.constant(Opcode.Oack as const), options }),
);

function normalise(p: TftpPacket): unknown {
  // fc.record builds null-prototype objects; compare plain copies.
  if (p.opcode === Opcode.Data) return { ...p, data: Buffer.from(p.data) };
  if ('options' in p) return { ...p, options: p.options.map(([n, v]) => [n, v]) };
  return { ...p };
}

test('property: decode(encode(p)) == p', () => {
  fc.assert(
    fc.property(packet, (p) => {
      const r = decodeTftp(encodeTftp(p));
      assert.ok(r.ok, r.ok ? '' : r.error.message);
      assert.deepEqual(normalise(r.packet), normalise(p));
    }),
    { numRuns: 2000 },
  );
});

test('property: random bytes never throw and give a typed result', () => {
  const codes = new Set(Object.keys(TFTP_DECODE_ERRORS));
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 700 }), (b) => {
      const r = decodeTftp(b);
      if (!r.ok) assert.ok(codes.has(r.error.code), r.error.code);
    }),
    { numRuns: 5000 },
  );
});

test('property: plausible requests (valid opcode, random tail) never throw', () => {
  const tail = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 255 }), fc.constantFrom(...Buffer.from('octet'))), { maxLength: 600 });
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 7 }), tail, (op, rest) => {
      decodeTftp(Uint8Array.from([0, op, ...rest]));
    }),
    { numRuns: 5000 },
  );
});

test('property: the decoder never reads past the view it is given', () => {
  fc.assert(
    fc.property(packet, fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(), (p, junk, cut) => {
      const wire = encodeTftp(p);
      const n = cut % (wire.length + 1);
      const inBigger = Buffer.concat([wire.subarray(0, n), junk]).subarray(0, n);
      const alone = Uint8Array.from(wire.subarray(0, n));
      const a = decodeTftp(inBigger);
      const b = decodeTftp(alone);
      assert.deepEqual(a.ok ? normalise(a.packet) : a.error, b.ok ? normalise(b.packet) : b.error);
    }),
    { numRuns: 2000 },
  );
});
