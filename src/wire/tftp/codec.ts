/**
 * TFTP codec: bytes ⇄ {@link TftpPacket}. No I/O, no clock.
 *
 * `decodeTftp` never throws and never reads past the buffer; every amount the peer
 * controls is capped ({@link TFTP_LIMITS}). The encoders throw `RangeError` only on
 * programmer error (a NUL inside a string, a block number out of range).
 */
import type { TftpDecodeError, TftpDecodeErrorCode } from './errors.js';
import { Opcode, TFTP_LIMITS, type TftpOption, type TftpPacket, type TftpRequest } from './packet.js';

export type TftpDecodeResult = { ok: true; packet: TftpPacket } | { ok: false; error: TftpDecodeError };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');
const utf8 = new TextEncoder();

type Read<T> = { ok: true; value: T; next: number } | { ok: false; error: TftpDecodeError };

function fail(code: TftpDecodeErrorCode, message: string, offset: number): { ok: false; error: TftpDecodeError } {
  return { ok: false, error: { code, message, offset } };
}

/**
 * Reads a NUL-terminated UTF-8 string of at most `max` bytes starting at `offset`.
 * Looks at no more than `max + 1` bytes, so a hostile peer cannot make us scan far.
 */
function readCString(bytes: Uint8Array, offset: number, max: number, what: string, tooLong: TftpDecodeErrorCode): Read<string> {
  const limit = Math.min(bytes.length, offset + max + 1);
  let end = offset;
  while (end < limit && bytes[end] !== 0) end++;
  if (end === limit) {
    return limit === bytes.length
      ? fail('TFTP_TRUNCATED', `${what} has no NUL terminator`, offset)
      : fail(tooLong, `${what} is longer than ${max} bytes`, offset);
  }
  try {
    return { ok: true, value: strictUtf8.decode(bytes.subarray(offset, end)), next: end + 1 };
  } catch {
    return fail('TFTP_BAD_REQUEST', `${what} is not UTF-8`, offset);
  }
}

function allZero(bytes: Uint8Array, from: number): boolean {
  for (let i = from; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** RFC 2347 option list: `name\0value\0` pairs to the end of the datagram. */
function readOptions(bytes: Uint8Array, offset: number): Read<TftpOption[]> {
  const options: TftpOption[] = [];
  let at = offset;
  // Some PXE ROMs pad requests with NULs to a fixed length: padding is not an option.
  while (at < bytes.length && !allZero(bytes, at)) {
    if (options.length === TFTP_LIMITS.maxOptions) {
      return fail('TFTP_TOO_MANY_OPTIONS', `more than ${TFTP_LIMITS.maxOptions} options`, at);
    }
    const name = readCString(bytes, at, TFTP_LIMITS.maxOptionNameBytes, 'option name', 'TFTP_OPTION_TOO_LONG');
    // RFC 2347 does not say what a dangling option means; like tftp-hpa, ignore a
    // trailing option whose name or value the datagram cuts off.
    if (!name.ok && name.error.code === 'TFTP_TRUNCATED') break;
    if (!name.ok) return name;
    if (name.value === '') return fail('TFTP_BAD_REQUEST', 'empty option name', at);
    const value = readCString(bytes, name.next, TFTP_LIMITS.maxOptionValueBytes, `value of option ${name.value}`, 'TFTP_OPTION_TOO_LONG');
    if (!value.ok && value.error.code === 'TFTP_TRUNCATED') break;
    if (!value.ok) return value;
    options.push([name.value.toLowerCase(), value.value]);
    at = value.next;
  }
  return { ok: true, value: options, next: bytes.length };
}

function decodeRequest(bytes: Uint8Array, opcode: Opcode.Rrq | Opcode.Wrq): TftpDecodeResult {
  const filename = readCString(bytes, 2, TFTP_LIMITS.maxFilenameBytes, 'file name', 'TFTP_NAME_TOO_LONG');
  if (!filename.ok) return filename;
  if (filename.value === '') return fail('TFTP_BAD_REQUEST', 'empty file name', 2);
  const mode = readCString(bytes, filename.next, TFTP_LIMITS.maxModeBytes, 'mode', 'TFTP_BAD_REQUEST');
  if (!mode.ok) return mode;
  if (mode.value === '') return fail('TFTP_BAD_REQUEST', 'empty mode', filename.next);
  const options = readOptions(bytes, mode.next);
  if (!options.ok) return options;
  const packet: TftpRequest = { opcode, filename: filename.value, mode: mode.value.toLowerCase(), options: options.value };
  return { ok: true, packet };
}

function u16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

/** Decodes one TFTP datagram. Never throws. */
export function decodeTftp(bytes: Uint8Array): TftpDecodeResult {
  if (bytes.length < 2) return fail('TFTP_TRUNCATED', `datagram of ${bytes.length} bytes has no opcode`, 0);
  const opcode = u16(bytes, 0);
  switch (opcode) {
    case Opcode.Rrq:
    case Opcode.Wrq:
      return decodeRequest(bytes, opcode);
    case Opcode.Data:
      if (bytes.length < 4) return fail('TFTP_TRUNCATED', 'DATA without a block number', 2);
      return { ok: true, packet: { opcode, block: u16(bytes, 2), data: bytes.subarray(4) } };
    case Opcode.Ack:
      // Trailing bytes after the block number are ignored: some PXE stacks pad ACKs.
      if (bytes.length < 4) return fail('TFTP_TRUNCATED', 'ACK without a block number', 2);
      return { ok: true, packet: { opcode, block: u16(bytes, 2) } };
    case Opcode.Error: {
      if (bytes.length < 4) return fail('TFTP_TRUNCATED', 'ERROR without a code', 2);
      // Lenient: a missing terminating NUL still leaves a readable message.
      const limit = Math.min(bytes.length, 4 + TFTP_LIMITS.maxErrorMessageBytes);
      let end = 4;
      while (end < limit && bytes[end] !== 0) end++;
      return { ok: true, packet: { opcode, code: u16(bytes, 2), message: lenientUtf8.decode(bytes.subarray(4, end)) } };
    }
    case Opcode.Oack: {
      const options = readOptions(bytes, 2);
      if (!options.ok) return options;
      return { ok: true, packet: { opcode, options: options.value } };
    }
    default:
      return fail('TFTP_BAD_OPCODE', `unknown opcode ${opcode}`, 0);
  }
}

function cstring(value: string, what: string): Uint8Array {
  const bytes = utf8.encode(value);
  if (bytes.includes(0)) throw new RangeError(`${what} contains NUL`);
  return bytes;
}

function u16Checked(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new RangeError(`${what} ${value} is not 0..65535`);
  return value;
}

function joinStrings(opcode: Opcode, parts: Uint8Array[]): Buffer {
  let size = 2;
  for (const p of parts) size += p.length + 1;
  const out = Buffer.alloc(size);
  out.writeUInt16BE(opcode, 0);
  let at = 2;
  for (const p of parts) {
    out.set(p, at);
    at += p.length + 1; // the NUL is already there: Buffer.alloc zero-fills
  }
  return out;
}

function optionParts(options: readonly TftpOption[]): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (const [name, value] of options) {
    if (name === '') throw new RangeError('empty option name');
    parts.push(cstring(name, 'option name'), cstring(value, `value of option ${name}`));
  }
  return parts;
}

/** Encodes an RRQ or WRQ (RFC 1350 §5, options per RFC 2347 §2). */
export function encodeRequest(req: Omit<TftpRequest, 'opcode'> & { opcode?: Opcode.Rrq | Opcode.Wrq }): Buffer {
  if (req.filename === '') throw new RangeError('empty file name');
  return joinStrings(req.opcode ?? Opcode.Rrq, [cstring(req.filename, 'file name'), cstring(req.mode, 'mode'), ...optionParts(req.options)]);
}

/** The 4-byte DATA header, to send in front of a block view without copying the block. */
export function encodeDataHeader(block: number): Buffer {
  const out = Buffer.allocUnsafe(4);
  out.writeUInt16BE(Opcode.Data, 0);
  out.writeUInt16BE(u16Checked(block, 'block'), 2);
  return out;
}

export function encodeData(block: number, data: Uint8Array): Buffer {
  return Buffer.concat([encodeDataHeader(block), data]);
}

export function encodeAck(block: number): Buffer {
  const out = Buffer.allocUnsafe(4);
  out.writeUInt16BE(Opcode.Ack, 0);
  out.writeUInt16BE(u16Checked(block, 'block'), 2);
  return out;
}

export function encodeError(code: number, message: string): Buffer {
  const text = cstring(message, 'message');
  const packet = Buffer.alloc(4 + text.length + 1);
  packet.writeUInt16BE(Opcode.Error, 0);
  packet.writeUInt16BE(u16Checked(code, 'error code'), 2);
  packet.set(text, 4);
  return packet;
}

/** RFC 2347 §3 option acknowledgement. */
export function encodeOack(options: readonly TftpOption[]): Buffer {
  return joinStrings(Opcode.Oack, optionParts(options));
}

/** Encodes any packet. */
export function encodeTftp(packet: TftpPacket): Buffer {
  switch (packet.opcode) {
    case Opcode.Rrq:
    case Opcode.Wrq:
      return encodeRequest(packet);
    case Opcode.Data:
      return encodeData(packet.block, packet.data);
    case Opcode.Ack:
      return encodeAck(packet.block);
    case Opcode.Error:
      return encodeError(packet.code, packet.message);
    case Opcode.Oack:
      return encodeOack(packet.options);
  }
}
