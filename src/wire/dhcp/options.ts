/**
 * Typed getters and builders over the lossless option map (`code → bytes`).
 *
 * Getters return null (or an empty list) when an option is absent or has the wrong shape:
 * a peer's malformed option is a missing fact, never an exception. Builders throw RangeError
 * on values that cannot be encoded, because those are bugs in our own code or config.
 * Builders take their bytes from Node's shared pool (`Buffer.allocUnsafe`, every byte then
 * written): a reply sets about ten options, and `Buffer.alloc` would give each its own
 * off-heap allocation for the garbage collector to sweep, twenty per DORA.
 */
import { colonMac } from '../hardware-address-text.js';
import { MessageType, type DhcpPacket } from './packet.js';
import { HEX_BYTE } from '../hex-byte.js';
import { formatIpv4, ipv4Number, writeIpv4 } from './ipv4.js';
import { SlotMemo } from '../../collections/slot-memo.js';
import { decodeText, trimTrailingNuls } from './text.js';
import { CHADDR_LENGTH, MAX_OPTION_CHUNK, OPTION_END, OPTION_MESSAGE_TYPE, OPTION_PAD } from './layout.js';

/**
 * The option map of a DhcpPacket. Values are read, never written, once set: a decoded packet's
 * are views of the datagram, and the setters below share common values between replies.
 */
export type DhcpOptions = Map<number, Buffer>;

/** Option codes the typed helpers below read. */
export const OPTION_MAX_MESSAGE_SIZE = 57;
export const OPTION_PARAMETER_REQUEST_LIST = 55;
export const OPTION_CLIENT_ID = 61;
export const OPTION_USER_CLASS = 77;
export const OPTION_CLIENT_ARCH = 93;
export const OPTION_CLIENT_UUID = 97;

/** RFC 2131 §2: no DHCP message may be smaller than this. */
const MIN_MAX_MESSAGE_SIZE = 576;

function fixedWidth(opts: DhcpOptions, code: number, width: number): Buffer | null {
  const v = opts.get(code);
  return v !== undefined && v.length === width ? v : null;
}

/** Option 53 as a MessageType, or null when absent, not one byte, or not 1..8. */
export function getMessageType(p: DhcpPacket): MessageType | null {
  const v = fixedWidth(p.options, OPTION_MESSAGE_TYPE, 1);
  if (v === null) return null;
  const t = v[0] as number;
  return t >= MessageType.Discover && t <= MessageType.Inform ? (t as MessageType) : null;
}

/** A 1-byte option, or null when absent or another length. */
export function getU8(opts: DhcpOptions, code: number): number | null {
  const v = fixedWidth(opts, code, 1);
  return v === null ? null : (v[0] as number);
}

/** A 2-byte big-endian option, or null when absent or another length. */
export function getU16(opts: DhcpOptions, code: number): number | null {
  const v = fixedWidth(opts, code, 2);
  return v === null ? null : v.readUInt16BE(0);
}

/** A 4-byte big-endian option, or null when absent or another length. */
export function getU32(opts: DhcpOptions, code: number): number | null {
  const v = fixedWidth(opts, code, 4);
  return v === null ? null : v.readUInt32BE(0);
}

/** A single IPv4 address option, or null when absent or not 4 bytes. */
export function getIp(opts: DhcpOptions, code: number): string | null {
  const v = fixedWidth(opts, code, 4);
  return v === null ? null : formatIpv4(v, 0);
}

/** A list-of-addresses option (RFC 2132 lists have at least one), or null when absent or not a multiple of 4. */
export function getIps(opts: DhcpOptions, code: number): string[] | null {
  const v = opts.get(code);
  if (v === undefined || v.length === 0 || v.length % 4 !== 0) return null;
  const out: string[] = [];
  for (let i = 0; i < v.length; i += 4) out.push(formatIpv4(v, i));
  return out;
}

/**
 * A text option, or null when absent. UTF-8 when valid, else latin1 (never U+FFFD);
 * trailing NULs are dropped because some clients (Windows, some PXE ROMs) NUL-terminate.
 */
export function getString(opts: DhcpOptions, code: number): string | null {
  const v = opts.get(code);
  return v === undefined ? null : decodeText(v, 0, trimTrailingNuls(v, 0, v.length));
}

/**
 * Option 93's first architecture type (RFC 4578 §2.1 allows a list; every client seen sends
 * one), or null when absent or shorter than 2 bytes.
 */
export function getClientArch(opts: DhcpOptions): number | null {
  const v = opts.get(OPTION_CLIENT_ARCH);
  return v === undefined || v.length < 2 ? null : v.readUInt16BE(0);
}

/**
 * Option 97 (RFC 4578 §2.3: type 0 then a 16-byte UUID) as a lower-case RFC 4122 string,
 * bytes in wire order. Null when absent, malformed, all zeros (QEMU without `-uuid`;
 * SMBIOS "not present") or all 0xff (SMBIOS "not set").
 */
export function getUuid(opts: DhcpOptions): string | null {
  const v = fixedWidth(opts, OPTION_CLIENT_UUID, 17);
  if (v === null || v[0] !== 0) return null;
  let zeros = true;
  let ones = true;
  for (let i = 1; i < 17; i++) {
    if (v[i] !== 0) zeros = false;
    if (v[i] !== 0xff) ones = false;
  }
  if (zeros || ones) return null;
  const hex = v.toString('hex', 1, 17);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const NO_CODES: Uint8Array = new Uint8Array(0);

/**
 * Option 55's codes in the client's order: the option's own bytes, not a copy (every reply asks
 * it, and an array made from them was a visible cost per request); empty when absent. Read only.
 */
export function getParamRequestList(opts: DhcpOptions): Uint8Array {
  return opts.get(OPTION_PARAMETER_REQUEST_LIST) ?? NO_CODES;
}

/**
 * Option 57, or null when absent, malformed or below 576 (RFC 2131 §2 minimum: a smaller
 * value is a client bug and must not shrink our replies). EDK2 sends 65280 on REQUEST: it
 * is a buffer size, not an MTU; the caller still caps replies at the link MTU.
 */
export function getMaxMessageSize(opts: DhcpOptions): number | null {
  const v = getU16(opts, OPTION_MAX_MESSAGE_SIZE);
  return v === null || v < MIN_MAX_MESSAGE_SIZE ? null : v;
}

/**
 * Option 77 user classes. RFC 3004 §4 defines a list of length-prefixed entries, but iPXE and
 * gPXE send one plain string ("iPXE"). Telling them apart: the value is RFC 3004 only when
 * every entry has length ≥ 1 and the entries end exactly at the end of the value. For a plain
 * printable string the first byte is ≥ 0x20, so it would have to be followed by at least 32
 * bytes that happen to chain exactly; "iPXE" (first byte 0x69 = 105 > 3 remaining) is plain.
 * [] when absent or empty.
 */
export function getUserClasses(opts: DhcpOptions): string[] {
  const v = opts.get(OPTION_USER_CLASS);
  if (v === undefined || v.length === 0) return [];
  const entries: string[] = [];
  let i = 0;
  while (i < v.length) {
    const len = v[i] as number;
    if (len === 0 || i + 1 + len > v.length) break;
    entries.push(decodeText(v, i + 1, i + 1 + len));
    i += 1 + len;
  }
  if (i === v.length) return entries;
  return [decodeText(v, 0, trimTrailingNuls(v, 0, v.length))];
}

/** Option 61 bytes as sent (RFC 2132 §9.14: type then identifier), or null when absent or empty. */
export function getClientId(opts: DhcpOptions): Buffer | null {
  const v = opts.get(OPTION_CLIENT_ID);
  return v === undefined || v.length === 0 ? null : v;
}

function checkUint(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`${what}: ${value} is not an integer 0..${max}`);
}

/** Set a 1-byte option. @throws RangeError when `value` is not 0..255. */
export function setU8(opts: DhcpOptions, code: number, value: number): void {
  checkUint(value, 0xff, `option ${code}`);
  const b = Buffer.allocUnsafe(1);
  b[0] = value;
  opts.set(code, b);
}

/** Set a 2-byte big-endian option. @throws RangeError when `value` is not 0..65535. */
export function setU16(opts: DhcpOptions, code: number, value: number): void {
  checkUint(value, 0xffff, `option ${code}`);
  const b = Buffer.allocUnsafe(2);
  b.writeUInt16BE(value, 0);
  opts.set(code, b);
}

/** Set a 4-byte big-endian option. @throws RangeError when `value` is not 0..2³²-1. */
export function setU32(opts: DhcpOptions, code: number, value: number): void {
  checkUint(value, 0xffffffff, `option ${code}`);
  opts.set(code, fourBytes(value));
}

/** Set a single-address option. @throws RangeError on a string that is not a dotted quad. */
export function setIp(opts: DhcpOptions, code: number, value: string): void {
  opts.set(code, fourBytes(ipv4Number(value)));
}

/**
 * Four-byte values (lease times, the server's own addresses) made once and shared by every reply
 * that sends them: a reply sets a dozen such options, each a Buffer of its own before. Safe
 * because option values are never written once set (see {@link DhcpOptions}).
 */
const fourByteValues = new SlotMemo<Buffer>(12);

function fourBytes(value: number): Buffer {
  let b = fourByteValues.get(value);
  if (b === undefined) {
    b = Buffer.alloc(4);
    b.writeUInt32BE(value, 0);
    fourByteValues.set(value, b);
  }
  return b;
}

/** Set an address-list option. @throws RangeError on an empty list or a bad address. */
export function setIps(opts: DhcpOptions, code: number, value: readonly string[]): void {
  if (value.length === 0) throw new RangeError(`option ${code}: an address list needs at least one address`);
  const b = Buffer.allocUnsafe(4 * value.length);
  value.forEach((ip, i) => writeIpv4(ip, b, 4 * i));
  opts.set(code, b);
}

/** Set a text option, UTF-8, not NUL-terminated (RFC 2132 §2). */
export function setString(opts: DhcpOptions, code: number, value: string): void {
  opts.set(code, Buffer.from(value, 'utf8'));
}

/** Set an option to a copy of `value`. */
export function setBytes(opts: DhcpOptions, code: number, value: Uint8Array): void {
  opts.set(code, Buffer.from(value));
}

/** Set option 53. */
export function setMessageType(opts: DhcpOptions, type: MessageType): void {
  let b = messageTypeValues[type];
  if (b === undefined) {
    checkUint(type, 0xff, `option ${OPTION_MESSAGE_TYPE}`);
    b = messageTypeValues[type] = Buffer.from([type]);
  }
  opts.set(OPTION_MESSAGE_TYPE, b);
}

/** Option 53's value for each message type, shared as {@link fourBytes} are. */
const messageTypeValues: Buffer[] = [];

/**
 * Decode encapsulated sub-options (43 vendor, 175 iPXE, 82 relay agent): code, length,
 * value; 0 is Pad and 255 End, as in PXE's option 43 and iPXE's 175. Repeated codes are joined
 * (RFC 3396 applied one level down). Null when a sub-option runs past the end.
 */
export function decodeSubOptions(buf: Buffer): Map<number, Buffer> | null {
  const out = new Map<number, Buffer>();
  let i = 0;
  while (i < buf.length) {
    const code = buf[i] as number;
    if (code === OPTION_PAD) { i++; continue; }
    if (code === OPTION_END) break;
    if (i + 1 >= buf.length) return null;
    const len = buf[i + 1] as number;
    if (i + 2 + len > buf.length) return null;
    const value = buf.subarray(i + 2, i + 2 + len);
    const prev = out.get(code);
    out.set(code, prev === undefined ? value : Buffer.concat([prev, value]));
    i += 2 + len;
  }
  return out;
}

/** Layout choices for encodeSubOptions. */
export interface SubOptionEncodeOptions {
  /** Append End (255): PXE option 43 and iPXE option 175 carry one; option 82 does not. Default false. */
  end?: boolean;
}

/**
 * Encode sub-options in Map order; a value over 255 bytes is split into consecutive instances.
 * @throws RangeError on code 0 or 255, which cannot carry data.
 */
export function encodeSubOptions(map: ReadonlyMap<number, Uint8Array>, opts: SubOptionEncodeOptions = {}): Buffer {
  const parts: Uint8Array[] = [];
  for (const [code, value] of map) {
    if (!Number.isInteger(code) || code <= OPTION_PAD || code >= OPTION_END) throw new RangeError(`sub-option code ${code} must be 1..254`);
    let at = 0;
    do {
      const chunk = value.subarray(at, Math.min(value.length, at + MAX_OPTION_CHUNK));
      parts.push(Uint8Array.of(code, chunk.length), chunk);
      at += MAX_OPTION_CHUNK;
    } while (at < value.length);
  }
  if (opts.end === true) parts.push(Uint8Array.of(OPTION_END));
  return Buffer.concat(parts);
}

/** The client's hardware address: chaddr[0, hlen) as lower-case hex pairs joined by ':' ('' when hlen is 0). */
export function macOf(p: DhcpPacket): string {
  const n = Math.min(p.hlen, CHADDR_LENGTH, p.chaddr.length);
  if (n === 6) return colonMac(p.chaddr, 0);
  let out = '';
  for (let i = 0; i < n; i++) {
    if (i > 0) out += ':';
    out += HEX_BYTE[p.chaddr[i] as number] as string;
  }
  return out;
}
