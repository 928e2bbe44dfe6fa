import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeTftp, encodeAck, encodeData, encodeDataHeader, encodeError, encodeOack, encodeRequest } from './codec.js';
import { TFTP_DECODE_ERRORS } from './errors.js';
import { fromNetascii, toNetascii } from './netascii.js';
import { Opcode, type TftpPacket } from './packet.js';

function bytes(...parts: (string | number[])[]): Uint8Array {
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
}

function ok(b: Uint8Array): TftpPacket {
  const r = decodeTftp(b);
  assert.ok(r.ok, r.ok ? '' : `${r.error.code}: ${r.error.message}`);
  return r.packet;
}

function errCode(b: Uint8Array): string {
  const r = decodeTftp(b);
  assert.equal(r.ok, false);
  return r.ok ? '' : r.error.code;
}

test('RRQ as EDK2 sends it: tsize, blksize 1468, windowsize 4', () => {
  const p = ok(bytes([0, 1], 'ipxe.efi\0octet\0tsize\x000\0blksize\x001468\0windowsize\x004\0'));
  assert.deepEqual(p, {
    opcode: Opcode.Rrq,
    filename: 'ipxe.efi',
    mode: 'octet',
    options: [
      ['tsize', '0'],
      ['blksize', '1468'],
      ['windowsize', '4'],
    ],
  });
});

test('RRQ: mode and option names are lower-cased, values kept, order and duplicates kept', () => {
  const p = ok(bytes([0, 1], 'Boot\\BCD\0OCTET\0BlkSize\x001432\0TSIZE\x000\0blksize\x00512\0'));
  assert.equal(p.opcode, Opcode.Rrq);
  if (p.opcode !== Opcode.Rrq) return;
  assert.equal(p.filename, 'Boot\\BCD');
  assert.equal(p.mode, 'octet');
  assert.deepEqual(p.options, [
    ['blksize', '1432'],
    ['tsize', '0'],
    ['blksize', '512'],
  ]);
});

test('RRQ with NUL padding after the options, and a dangling option, are accepted', () => {
  const padded = ok(bytes([0, 1], 'pxelinux.0\0octet\0tsize\x000\0', [0, 0, 0, 0]));
  assert.deepEqual(padded.opcode === Opcode.Rrq && padded.options, [['tsize', '0']]);
  const dangling = ok(bytes([0, 1], 'f\0octet\0tsize\x000\0blksize\0'));
  assert.deepEqual(dangling.opcode === Opcode.Rrq && dangling.options, [['tsize', '0']]);
  const cut = ok(bytes([0, 1], 'f\0octet\0blksi'));
  assert.deepEqual(cut.opcode === Opcode.Rrq && cut.options, []);
});

test('WRQ decodes as a request with opcode 2', () => {
  const p = ok(bytes([0, 2], 'upload\0netascii\0'));
  assert.equal(p.opcode, Opcode.Wrq);
});

test('DATA is a view of the input; ACK; ERROR; OACK', () => {
  const raw = bytes([0, 3, 0xff, 0xfe], 'hello');
  const d = ok(raw);
  assert.equal(d.opcode, Opcode.Data);
  if (d.opcode === Opcode.Data) {
    assert.equal(d.block, 0xfffe);
    assert.equal(Buffer.from(d.data).toString(), 'hello');
    assert.equal(d.data.buffer, raw.buffer);
  }
  assert.deepEqual(ok(bytes([0, 4, 1, 0])), { opcode: Opcode.Ack, block: 256 });
  assert.deepEqual(ok(bytes([0, 4, 0, 7, 0, 0])), { opcode: Opcode.Ack, block: 7 }, 'padded ACK');
  assert.deepEqual(ok(bytes([0, 5, 0, 8], 'no windowsize\0')), { opcode: Opcode.Error, code: 8, message: 'no windowsize' });
  assert.deepEqual(ok(bytes([0, 5, 0, 1], 'no nul')), { opcode: Opcode.Error, code: 1, message: 'no nul' });
  assert.deepEqual(ok(bytes([0, 6], 'blksize\x001468\0tsize\x00123\0')), {
    opcode: Opcode.Oack,
    options: [
      ['blksize', '1468'],
      ['tsize', '123'],
    ],
  });
});

test('truncated, unknown and malformed datagrams give typed errors', () => {
  assert.equal(errCode(bytes([])), 'TFTP_TRUNCATED');
  assert.equal(errCode(bytes([0])), 'TFTP_TRUNCATED');
  assert.equal(errCode(bytes([0, 1], 'abc')), 'TFTP_TRUNCATED');
  assert.equal(errCode(bytes([0, 1], 'abc\0')), 'TFTP_TRUNCATED');
  assert.equal(errCode(bytes([0, 1], 'abc\0octet')), 'TFTP_TRUNCATED');
  assert.equal(errCode(bytes([0, 3, 0])), 'TFTP_TRUNCATED');
  assert.equal(errCode(bytes([0, 4, 0])), 'TFTP_TRUNCATED');
  assert.equal(errCode(bytes([0, 5, 0])), 'TFTP_TRUNCATED');
  assert.equal(errCode(bytes([0, 0, 1, 2])), 'TFTP_BAD_OPCODE');
  assert.equal(errCode(bytes([0, 9], 'x\0')), 'TFTP_BAD_OPCODE');
  assert.equal(errCode(bytes([1, 1], 'x\0octet\0')), 'TFTP_BAD_OPCODE');
  assert.equal(errCode(bytes([0, 1], '\0octet\0')), 'TFTP_BAD_REQUEST');
  assert.equal(errCode(bytes([0, 1], 'f\0\0')), 'TFTP_BAD_REQUEST');
  assert.equal(errCode(bytes([0, 1], [0xc3, 0x28, 0], 'octet\0')), 'TFTP_BAD_REQUEST');
  assert.equal(errCode(bytes([0, 1], 'f\0octet\0\0x\0', 'y\0')), 'TFTP_BAD_REQUEST');
});

test('caps: file name length, option count, option length', () => {
  assert.ok(decodeTftp(bytes([0, 1], 'a'.repeat(512) + '\0octet\0')).ok);
  assert.equal(errCode(bytes([0, 1], 'a'.repeat(513) + '\0octet\0')), 'TFTP_NAME_TOO_LONG');
  const many = (n: number) => Array.from({ length: n }, (_, i) => `o${i}\0v\0`).join('');
  assert.ok(decodeTftp(bytes([0, 1], 'f\0octet\0' + many(16))).ok);
  assert.equal(errCode(bytes([0, 1], 'f\0octet\0' + many(17))), 'TFTP_TOO_MANY_OPTIONS');
  assert.equal(errCode(bytes([0, 1], 'f\0octet\0' + 'n'.repeat(65) + '\0v\0')), 'TFTP_OPTION_TOO_LONG');
  assert.equal(errCode(bytes([0, 1], 'f\0octet\0n\0' + 'v'.repeat(256) + '\0')), 'TFTP_OPTION_TOO_LONG');
});

test('encoders produce the wire bytes', () => {
  assert.deepEqual(
    encodeRequest({ filename: 'undionly.kpxe', mode: 'octet', options: [['blksize', '1432'], ['tsize', '0']] }),
    Buffer.from('\x00\x01undionly.kpxe\0octet\0blksize\x001432\0tsize\x000\0', 'latin1'),
  );
  assert.deepEqual(encodeAck(65535), Buffer.from([0, 4, 255, 255]));
  assert.deepEqual(encodeData(1, Buffer.from('ab')), Buffer.from([0, 3, 0, 1, 0x61, 0x62]));
  assert.deepEqual(encodeDataHeader(0), Buffer.from([0, 3, 0, 0]));
  assert.deepEqual(encodeError(2, 'no'), Buffer.from([0, 5, 0, 2, 0x6e, 0x6f, 0]));
  assert.deepEqual(encodeOack([['tsize', '9']]), Buffer.from('\x00\x06tsize\x009\0', 'latin1'));
  assert.throws(() => encodeAck(65536), RangeError);
  assert.throws(() => encodeError(0, 'a\0b'), RangeError);
  assert.throws(() => encodeRequest({ filename: '', mode: 'octet', options: [] }), RangeError);
});

test('netascii: LF -> CR LF, CR -> CR NUL, and back', () => {
  const text = Buffer.from('a\nb\rc\r\n');
  const wire = toNetascii(text);
  assert.deepEqual(wire, Buffer.from('a\r\nb\r\0c\r\0\r\n', 'latin1'));
  assert.deepEqual(fromNetascii(wire), text);
  assert.deepEqual(toNetascii(Buffer.from('plain')), Buffer.from('plain'));
});

test('every decode error code is documented in README.md', () => {
  const readme = readFileSync(fileURLToPath(new URL('../../../src/wire/tftp/README.md', import.meta.url)), 'utf8');
  for (const code of Object.keys(TFTP_DECODE_ERRORS)) assert.match(readme, new RegExp('`' + code + '`'), code);
});
