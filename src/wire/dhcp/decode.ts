/**
 * DHCP/BOOTP message decoder: bytes → DhcpPacket, never throwing and never reading past
 * the buffer (RFC 2131 §2, RFC 2132 §9.3 overload, RFC 3396 long options).
 */
import { BootOp, type DhcpPacket } from './packet.js';
import type { DhcpDecodeError, DhcpDecodeErrorCode } from './errors.js';
import { formatIpv4 } from './ipv4.js';
import { cStringEnd, decodeText, trimTrailingNuls } from './text.js';
import {
  CHADDR_LENGTH, FILE_LENGTH, MAGIC_COOKIE, MAX_DECODE_SIZE, OFFSET_CHADDR, OFFSET_CIADDR, OFFSET_COOKIE,
  OFFSET_FILE, OFFSET_FLAGS, OFFSET_GIADDR, OFFSET_HLEN, OFFSET_HOPS, OFFSET_HTYPE, OFFSET_OP, OFFSET_OPTIONS,
  OFFSET_SECS, OFFSET_SIADDR, OFFSET_SNAME, OFFSET_XID, OFFSET_YIADDR, OPTION_BOOTFILE_NAME, OPTION_END,
  OPTION_OVERLOAD, OPTION_PAD, OPTION_TFTP_SERVER_NAME, OVERLOAD_FILE, OVERLOAD_SNAME, SNAME_LENGTH,
} from './layout.js';

export type DhcpDecodeResult = { ok: true; packet: DhcpPacket } | { ok: false; error: DhcpDecodeError };

type Area = 'options' | 'file' | 'sname';

function fail(code: DhcpDecodeErrorCode, message: string, offset: number): DhcpDecodeResult {
  return { ok: false, error: { code, message, offset } };
}

/**
 * Read options from `buf[start, end)` into `into`, joining repeats in order (RFC 3396 §5).
 * Returns the joined value of option 52 when `area` is the options field (null when absent),
 * or an error. Pad and End are framing; a missing End is tolerated (some PXE ROMs end the
 * packet right after the last option) and anything after End is ignored (trailing padding).
 */
function readOptions(
  buf: Buffer, start: number, end: number, area: Area, into: Map<number, Buffer>,
): { overload: Buffer | null } | DhcpDecodeError {
  let overload: Buffer | null = null;
  let i = start;
  while (i < end) {
    const code = buf[i] as number;
    if (code === OPTION_PAD) { i++; continue; }
    if (code === OPTION_END) break;
    if (i + 1 >= end || i + 2 + (buf[i + 1] as number) > end) {
      // In the options field this is a message cut short; inside sname/file it is a bad option,
      // since the field's size is fixed and present.
      return area === 'options'
        ? { code: 'DHCP_TRUNCATED', message: `option ${code} runs past the end of the message`, offset: i }
        : { code: 'DHCP_BAD_OPTION', message: `option ${code} runs past the end of the overloaded ${area} field`, offset: i };
    }
    const len = buf[i + 1] as number;
    const value = buf.subarray(i + 2, i + 2 + len);
    if (code === OPTION_OVERLOAD) {
      // RFC 2131 §4.1: option 52 belongs in the options field only; elsewhere it means nothing.
      if (area === 'options') overload = overload === null ? value : Buffer.concat([overload, value]);
    } else {
      const prev = into.get(code);
      into.set(code, prev === undefined ? value : Buffer.concat([prev, value]));
    }
    i += 2 + len;
  }
  return { overload };
}

function fixedString(buf: Buffer, start: number, length: number): string {
  return decodeText(buf, start, cStringEnd(buf, start, start + length));
}

function optionString(options: Map<number, Buffer>, code: number): string {
  const v = options.get(code);
  return v === undefined ? '' : decodeText(v, 0, trimTrailingNuls(v, 0, v.length));
}

/**
 * Decode one DHCP message (a UDP payload). Never throws; never reads past `bytes`.
 *
 * Option values in the result are views into one private copy of `bytes`, so the caller
 * may reuse its receive buffer; with `keep: 'view'` they are views into `bytes` itself, for a
 * caller that never reuses it (a datagram from node:dgram is a fresh buffer each time, and
 * the copy was one more allocation per request on the hot path). With option 52, options are read from the options field,
 * then `file`, then `sname` (RFC 2132 §9.3, RFC 3396 §7), and `file`/`sname` are taken
 * from options 67/66 ('' when absent).
 */
export function decodeDhcp(bytes: Uint8Array, keep: 'copy' | 'view' = 'copy'): DhcpDecodeResult {
  const n = bytes.length;
  if (n > MAX_DECODE_SIZE) return fail('DHCP_TOO_LARGE', `message is ${n} bytes, limit ${MAX_DECODE_SIZE}`, MAX_DECODE_SIZE);
  if (n < OFFSET_OPTIONS) return fail('DHCP_TRUNCATED', `message is ${n} bytes, header and cookie need ${OFFSET_OPTIONS}`, n);
  const buf = keep === 'copy' ? Buffer.from(bytes) : Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.readUInt32BE(OFFSET_COOKIE) !== MAGIC_COOKIE) {
    return fail('DHCP_BAD_MAGIC', `magic cookie is 0x${buf.readUInt32BE(OFFSET_COOKIE).toString(16).padStart(8, '0')}`, OFFSET_COOKIE);
  }
  const hlen = buf[OFFSET_HLEN] as number;
  if (hlen > CHADDR_LENGTH) return fail('DHCP_BAD_HLEN', `hlen ${hlen} exceeds the ${CHADDR_LENGTH}-byte chaddr`, OFFSET_HLEN);

  const options = new Map<number, Buffer>();
  const main = readOptions(buf, OFFSET_OPTIONS, n, 'options', options);
  if ('code' in main) return { ok: false, error: main };
  let overload = 0;
  if (main.overload !== null) {
    const v = main.overload;
    if (v.length !== 1 || (v[0] as number) < 1 || (v[0] as number) > 3) {
      return fail('DHCP_BAD_OPTION', `option 52 must be one byte 1..3, got ${v.toString('hex') || 'nothing'}`, OFFSET_OPTIONS);
    }
    overload = v[0] as number;
  }
  if (overload & OVERLOAD_FILE) {
    const r = readOptions(buf, OFFSET_FILE, OFFSET_FILE + FILE_LENGTH, 'file', options);
    if ('code' in r) return { ok: false, error: r };
  }
  if (overload & OVERLOAD_SNAME) {
    const r = readOptions(buf, OFFSET_SNAME, OFFSET_SNAME + SNAME_LENGTH, 'sname', options);
    if ('code' in r) return { ok: false, error: r };
  }

  const packet: DhcpPacket = {
    // Kept as sent, even outside 1..2: the codec is lossless and the server decides what to drop.
    op: buf[OFFSET_OP] as BootOp,
    htype: buf[OFFSET_HTYPE] as number,
    hlen,
    hops: buf[OFFSET_HOPS] as number,
    xid: buf.readUInt32BE(OFFSET_XID),
    secs: buf.readUInt16BE(OFFSET_SECS),
    flags: buf.readUInt16BE(OFFSET_FLAGS),
    ciaddr: formatIpv4(buf, OFFSET_CIADDR),
    yiaddr: formatIpv4(buf, OFFSET_YIADDR),
    siaddr: formatIpv4(buf, OFFSET_SIADDR),
    giaddr: formatIpv4(buf, OFFSET_GIADDR),
    chaddr: buf.subarray(OFFSET_CHADDR, OFFSET_CHADDR + CHADDR_LENGTH),
    sname: overload & OVERLOAD_SNAME ? optionString(options, OPTION_TFTP_SERVER_NAME) : fixedString(buf, OFFSET_SNAME, SNAME_LENGTH),
    file: overload & OVERLOAD_FILE ? optionString(options, OPTION_BOOTFILE_NAME) : fixedString(buf, OFFSET_FILE, FILE_LENGTH),
    options,
  };
  return { ok: true, packet };
}
