/**
 * Router Discovery codec: ICMPv6 message bytes ⇄ {@link NdpMessage}. No I/O, no clock.
 *
 * The bytes are the ICMPv6 message alone (what a raw ICMPv6 socket hands over), without
 * the IPv6 header. `decodeNdp` never throws and never reads past the buffer. The
 * checksum is neither checked nor computed here: the kernel does both for raw ICMPv6
 * sockets (RFC 3542 §3.1); `checksum.ts` computes it where no kernel does.
 */
import type { NdpDecodeError, NdpDecodeErrorCode } from './errors.js';
import { NDP_HEADER_SIZE, NDP_MAX_DECODE_SIZE, NdpType, type NdpMessage, type NdpOption } from './packet.js';

export type NdpDecodeResult = { ok: true; message: NdpMessage } | { ok: false; error: NdpDecodeError };

function fail(code: NdpDecodeErrorCode, message: string, offset: number): { ok: false; error: NdpDecodeError } {
  return { ok: false, error: { code, message, offset } };
}

/** RFC 4861 §4.6: type, length in units of 8 bytes, body; length 0 is invalid. */
function readOptions(bytes: Uint8Array, from: number): { ok: true; options: NdpOption[] } | { ok: false; error: NdpDecodeError } {
  const options: NdpOption[] = [];
  let at = from;
  while (at < bytes.length) {
    if (at + 2 > bytes.length) return fail('NDP_TRUNCATED', 'option header cut off by the end of the message', at);
    const type = bytes[at]!;
    const units = bytes[at + 1]!;
    if (units === 0) return fail('NDP_BAD_OPTION', `option ${type} has length 0`, at);
    const end = at + units * 8;
    if (end > bytes.length) return fail('NDP_TRUNCATED', `option ${type} of ${units * 8} bytes runs past the end of the message`, at);
    options.push({ type, body: bytes.subarray(at + 2, end) });
    at = end;
  }
  return { ok: true, options };
}

/** Decodes a Router Solicitation or Router Advertisement. Option bodies are views into `bytes`. */
export function decodeNdp(bytes: Uint8Array): NdpDecodeResult {
  if (bytes.length > NDP_MAX_DECODE_SIZE) return fail('NDP_TOO_LARGE', `${bytes.length} bytes`, NDP_MAX_DECODE_SIZE);
  if (bytes.length < 4) return fail('NDP_TRUNCATED', `${bytes.length} bytes: shorter than an ICMPv6 header`, bytes.length);
  const type = bytes[0]!;
  const code = bytes[1]!;
  if (type !== NdpType.RouterSolicitation && type !== NdpType.RouterAdvertisement) {
    return fail('NDP_UNSUPPORTED_TYPE', `ICMPv6 type ${type}`, 0);
  }
  if (code !== 0) return fail('NDP_BAD_CODE', `ICMPv6 code ${code}`, 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (type === NdpType.RouterSolicitation) {
    if (bytes.length < NDP_HEADER_SIZE.rs) return fail('NDP_TRUNCATED', `router solicitation of ${bytes.length} bytes`, bytes.length);
    const opts = readOptions(bytes, NDP_HEADER_SIZE.rs);
    if (!opts.ok) return opts;
    return { ok: true, message: { type, options: opts.options } };
  }
  if (bytes.length < NDP_HEADER_SIZE.ra) return fail('NDP_TRUNCATED', `router advertisement of ${bytes.length} bytes`, bytes.length);
  const opts = readOptions(bytes, NDP_HEADER_SIZE.ra);
  if (!opts.ok) return opts;
  return {
    ok: true,
    message: {
      type,
      curHopLimit: bytes[4]!,
      flags: bytes[5]!,
      routerLifetime: view.getUint16(6),
      reachableTime: view.getUint32(8),
      retransTimer: view.getUint32(12),
      options: opts.options,
    },
  };
}

function checkRange(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`${name} ${value} is not an integer 0..${max}`);
}

/**
 * Encodes a message with a zero checksum (the kernel fills it in for raw ICMPv6 sockets).
 * Throws `RangeError` on programmer error only: a field out of range, or an option whose
 * body does not make a whole number of 8-byte units (`body.length % 8 !== 6`).
 */
export function encodeNdp(message: NdpMessage): Buffer {
  for (const o of message.options) {
    checkRange('option type', o.type, 0xff);
    const units = (o.body.length + 2) / 8;
    if (!Number.isInteger(units) || units < 1 || units > 0xff) {
      throw new RangeError(`option ${o.type}: a body of ${o.body.length} bytes is not 8n - 2 bytes (n = 1..255)`);
    }
  }
  const header = message.type === NdpType.RouterSolicitation ? NDP_HEADER_SIZE.rs : NDP_HEADER_SIZE.ra;
  const size = header + message.options.reduce((n, o) => n + o.body.length + 2, 0);
  const out = Buffer.alloc(size);
  out[0] = message.type;
  if (message.type === NdpType.RouterAdvertisement) {
    checkRange('cur hop limit', message.curHopLimit, 0xff);
    checkRange('flags', message.flags, 0xff);
    checkRange('router lifetime', message.routerLifetime, 0xffff);
    checkRange('reachable time', message.reachableTime, 0xffffffff);
    checkRange('retrans timer', message.retransTimer, 0xffffffff);
    out[4] = message.curHopLimit;
    out[5] = message.flags;
    out.writeUInt16BE(message.routerLifetime, 6);
    out.writeUInt32BE(message.reachableTime, 8);
    out.writeUInt32BE(message.retransTimer, 12);
  }
  let at = header;
  for (const o of message.options) {
    out[at] = o.type;
    out[at + 1] = (o.body.length + 2) / 8;
    out.set(o.body, at + 2);
    at += o.body.length + 2;
  }
  return out;
}
