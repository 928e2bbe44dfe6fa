/**
 * DHCP/BOOTP message encoder: DhcpPacket → bytes (RFC 2131 §2, RFC 3396, RFC 3046, RFC 2132 §9.3).
 */
import type { DhcpPacket } from './packet.js';
import { writeIpv4 } from './ipv4.js';
import {
  CHADDR_LENGTH, FILE_LENGTH, MAGIC_COOKIE, MAX_OPTION_CHUNK, OFFSET_CHADDR, OFFSET_CIADDR, OFFSET_COOKIE,
  OFFSET_FILE, OFFSET_FLAGS, OFFSET_GIADDR, OFFSET_HLEN, OFFSET_HOPS, OFFSET_HTYPE, OFFSET_OP, OFFSET_OPTIONS,
  OFFSET_SECS, OFFSET_SIADDR, OFFSET_SNAME, OFFSET_XID, OFFSET_YIADDR, OPTION_BOOTFILE_NAME, OPTION_END,
  OPTION_MESSAGE_TYPE, OPTION_OVERLOAD, OPTION_PAD, OPTION_RELAY_AGENT, OPTION_TFTP_SERVER_NAME, OVERLOAD_FILE,
  OVERLOAD_SNAME, SNAME_LENGTH,
} from './layout.js';

/** How to lay out an encoded message. */
export interface EncodeOptions {
  /** Default 300: the BOOTP minimum message size (RFC 1542 §3.2.1); shorter messages are zero-padded. */
  minSize?: number;
  /** Default 576 (RFC 2131 §2), or the client's option 57 passed by the caller. Only overload looks at it. */
  maxSize?: number;
  /**
   * Default false: never put options in sname/file unless asked, because gPXE and some old
   * PXE ROMs read the boot file from the `file` field only. When true and the options do not
   * fit `maxSize`, they spill into `file`, then `sname`, announced by option 52.
   */
  allowOverload?: boolean;
}

/** One option instance on the wire: code, then at most 255 bytes. */
interface Instance { code: number; value: Uint8Array }

const DEFAULT_MIN_SIZE = 300;
const DEFAULT_MAX_SIZE = 576;
/** Option 52 itself: code, length, value. */
const OVERLOAD_OPTION_SIZE = 3;

/** RFC 3396 §4: a value longer than 255 bytes travels as consecutive instances of the same code. */
function pushInstances(out: Instance[], code: number, value: Uint8Array): void {
  if (value.length <= MAX_OPTION_CHUNK) { out.push({ code, value }); return; }
  for (let at = 0; at < value.length; at += MAX_OPTION_CHUNK) {
    out.push({ code, value: value.subarray(at, Math.min(value.length, at + MAX_OPTION_CHUNK)) });
  }
}

function size(instances: readonly Instance[]): number {
  let total = 0;
  for (const inst of instances) total += 2 + inst.value.length;
  return total;
}

function writeInstances(buf: Buffer, offset: number, instances: readonly Instance[]): number {
  let at = offset;
  for (const inst of instances) {
    buf[at] = inst.code;
    buf[at + 1] = inst.value.length;
    buf.set(inst.value, at + 2);
    at += 2 + inst.value.length;
  }
  return at;
}

function checkCode(code: number): void {
  if (!Number.isInteger(code) || code <= OPTION_PAD || code >= OPTION_END) {
    throw new RangeError(`option code ${code} cannot carry data (must be 1..254)`);
  }
}

/** Split the option map into message-type first, the rest in Map order, relay agent info last. */
function orderedInstances(options: ReadonlyMap<number, Uint8Array>): { first: Instance[]; middle: Instance[]; last: Instance[] } {
  const first: Instance[] = [];
  const middle: Instance[] = [];
  const last: Instance[] = [];
  for (const [code, value] of options) {
    checkCode(code);
    // Option 52 is framing that the encoder owns; a stale one from a decoded packet is ignored.
    if (code === OPTION_OVERLOAD) continue;
    pushInstances(code === OPTION_MESSAGE_TYPE ? first : code === OPTION_RELAY_AGENT ? last : middle, code, value);
  }
  return { first, middle, last };
}

interface Layout { main: Instance[]; file: Instance[] | null; sname: Instance[] | null }

/**
 * Fill the options field up to `maxSize`, then `file`, then `sname`, keeping instance order so
 * RFC 3396 §7 concatenation (options, file, sname) rebuilds each value. A field that carried a
 * name is then used for options, so its name moves to option 67/66 unless the caller set one.
 * Returns null when even all three areas are too small: the caller sends the plain layout.
 */
function planOverload(packet: DhcpPacket, parts: ReturnType<typeof orderedInstances>, maxSize: number): Layout | null {
  const reserved = OFFSET_OPTIONS + size(parts.first) + OVERLOAD_OPTION_SIZE + size(parts.last) + 1;
  const mainCapacity = maxSize - reserved;
  if (mainCapacity < 0) return null;
  for (const useSname of [false, true]) {
    const middle = parts.middle.slice();
    if (packet.file !== '' && !packet.options.has(OPTION_BOOTFILE_NAME)) {
      pushInstances(middle, OPTION_BOOTFILE_NAME, Buffer.from(packet.file, 'utf8'));
    }
    if (useSname && packet.sname !== '' && !packet.options.has(OPTION_TFTP_SERVER_NAME)) {
      pushInstances(middle, OPTION_TFTP_SERVER_NAME, Buffer.from(packet.sname, 'utf8'));
    }
    // Each overloaded field keeps one byte for its End option.
    const areas: { cap: number; items: Instance[] }[] = [
      { cap: mainCapacity, items: [] },
      { cap: FILE_LENGTH - 1, items: [] },
      { cap: useSname ? SNAME_LENGTH - 1 : 0, items: [] },
    ];
    let area = 0;
    let used = 0;
    for (const inst of middle) {
      const need = 2 + inst.value.length;
      while (area < areas.length && used + need > (areas[area] as { cap: number }).cap) { area++; used = 0; }
      if (area >= areas.length) break;
      (areas[area] as { items: Instance[] }).items.push(inst);
      used += need;
    }
    if (area >= areas.length) continue;
    const [mainArea, fileArea, snameArea] = areas as [typeof areas[0], typeof areas[0], typeof areas[0]];
    return {
      main: [...parts.first, ...mainArea.items, ...parts.last],
      file: fileArea.items,
      sname: useSname ? snameArea.items : null,
    };
  }
  return null;
}

function writeFixedString(buf: Buffer, text: string, offset: number, length: number, field: string): void {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > length) throw new RangeError(`${field} is ${bytes} bytes, the field holds ${length}; send it in an option instead`);
  buf.write(text, offset, 'utf8');
}

/**
 * Encode a DHCP message: fixed header, magic cookie, option 53 first, other options in Map
 * order, option 82 last (RFC 3046 §2.1), values over 255 bytes split (RFC 3396), End, then
 * zero padding up to `minSize`. Options that exceed `maxSize` are still emitted unless
 * `allowOverload` lets them spill into `file`/`sname`.
 *
 * @throws RangeError on a packet no peer could read: a bad IPv4 string, option code 0 or 255,
 *   sname over 64 or file over 128 UTF-8 bytes.
 */
export function encodeDhcp(packet: DhcpPacket, opts: EncodeOptions = {}): Buffer {
  const minSize = opts.minSize ?? DEFAULT_MIN_SIZE;
  const maxSize = opts.maxSize ?? DEFAULT_MAX_SIZE;
  const optionsSize = plainOptionsSize(packet.options);
  if (opts.allowOverload === true && OFFSET_OPTIONS + optionsSize + 1 > maxSize) {
    const parts = orderedInstances(packet.options);
    const layout = planOverload(packet, parts, maxSize);
    if (layout !== null) return encodeOverloaded(packet, parts.first.length, layout, minSize);
  }
  // The common case, written straight from the option map: no list of instances per reply.
  const buf = header(packet, Math.max(minSize, OFFSET_OPTIONS + optionsSize + 1), null, null);
  let at = OFFSET_OPTIONS;
  const type = packet.options.get(OPTION_MESSAGE_TYPE);
  if (type !== undefined) at = writeOption(buf, at, OPTION_MESSAGE_TYPE, type);
  // forEach, not for-of: destructuring each entry allocates an array per option.
  packet.options.forEach((value, code) => {
    if (code !== OPTION_MESSAGE_TYPE && code !== OPTION_RELAY_AGENT && code !== OPTION_OVERLOAD) at = writeOption(buf, at, code, value);
  });
  const agent = packet.options.get(OPTION_RELAY_AGENT);
  if (agent !== undefined) at = writeOption(buf, at, OPTION_RELAY_AGENT, agent);
  buf[at] = OPTION_END;
  return buf;
}

/** Bytes the options take in the plain layout (no End); throws on a code that cannot carry data. */
function plainOptionsSize(options: ReadonlyMap<number, Uint8Array>): number {
  let total = 0;
  options.forEach((value, code) => {
    checkCode(code);
    // Option 52 is framing that the encoder owns; a stale one from a decoded packet is ignored.
    if (code !== OPTION_OVERLOAD) total += value.length === 0 ? 2 : 2 * Math.ceil(value.length / MAX_OPTION_CHUNK) + value.length;
  });
  return total;
}

/** One option at `at`, split into instances of at most 255 bytes (RFC 3396); returns the next offset. */
function writeOption(buf: Buffer, at: number, code: number, value: Uint8Array): number {
  if (value.length <= MAX_OPTION_CHUNK) {
    buf[at] = code;
    buf[at + 1] = value.length;
    buf.set(value, at + 2);
    return at + 2 + value.length;
  }
  for (let from = 0; from < value.length; from += MAX_OPTION_CHUNK) {
    const chunk = value.subarray(from, Math.min(value.length, from + MAX_OPTION_CHUNK));
    buf[at] = code;
    buf[at + 1] = chunk.length;
    buf.set(chunk, at + 2);
    at += 2 + chunk.length;
  }
  return at;
}

/** The options spread over options, `file` and `sname` as `layout` says, announced by option 52. */
function encodeOverloaded(packet: DhcpPacket, typeCount: number, layout: Layout, minSize: number): Buffer {
  let overload = 0;
  if (layout.file !== null) overload |= OVERLOAD_FILE;
  if (layout.sname !== null) overload |= OVERLOAD_SNAME;
  const mainSize = size(layout.main) + OVERLOAD_OPTION_SIZE + 1;
  const buf = header(packet, Math.max(minSize, OFFSET_OPTIONS + mainSize), layout.sname, layout.file);
  let at = writeInstances(buf, OFFSET_OPTIONS, layout.main.slice(0, typeCount));
  buf[at] = OPTION_OVERLOAD;
  buf[at + 1] = 1;
  buf[at + 2] = overload;
  at += OVERLOAD_OPTION_SIZE;
  at = writeInstances(buf, at, layout.main.slice(typeCount));
  buf[at] = OPTION_END;
  return buf;
}

/**
 * A zeroed message of `length` bytes with the fixed header, `sname` and `file` (as text, or
 * as option instances when overloaded) and the magic cookie written.
 */
function header(packet: DhcpPacket, length: number, snameItems: Instance[] | null, fileItems: Instance[] | null): Buffer {
  // From Node's shared pool, zeroed here: the reply is copied out by the sender, and its own
  // off-heap allocation per packet would be garbage-collector work (padding must be zeros).
  const buf = Buffer.allocUnsafe(length).fill(0);
  buf[OFFSET_OP] = packet.op & 0xff;
  buf[OFFSET_HTYPE] = packet.htype & 0xff;
  buf[OFFSET_HLEN] = packet.hlen & 0xff;
  buf[OFFSET_HOPS] = packet.hops & 0xff;
  buf.writeUInt32BE(packet.xid >>> 0, OFFSET_XID);
  buf.writeUInt16BE(packet.secs & 0xffff, OFFSET_SECS);
  buf.writeUInt16BE(packet.flags & 0xffff, OFFSET_FLAGS);
  writeIpv4(packet.ciaddr, buf, OFFSET_CIADDR);
  writeIpv4(packet.yiaddr, buf, OFFSET_YIADDR);
  writeIpv4(packet.siaddr, buf, OFFSET_SIADDR);
  writeIpv4(packet.giaddr, buf, OFFSET_GIADDR);
  buf.set(packet.chaddr.length <= CHADDR_LENGTH ? packet.chaddr : packet.chaddr.subarray(0, CHADDR_LENGTH), OFFSET_CHADDR);
  if (snameItems === null) writeFixedString(buf, packet.sname, OFFSET_SNAME, SNAME_LENGTH, 'sname');
  else buf[writeInstances(buf, OFFSET_SNAME, snameItems)] = OPTION_END;
  if (fileItems === null) writeFixedString(buf, packet.file, OFFSET_FILE, FILE_LENGTH, 'file');
  else buf[writeInstances(buf, OFFSET_FILE, fileItems)] = OPTION_END;
  buf.writeUInt32BE(MAGIC_COOKIE, OFFSET_COOKIE);
  return buf;
}
