/**
 * Dotted-quad IPv4 text ⇄ 4 bytes, for the codec's address fields and options.
 * Strict on the way in (a server's own config must never produce a wrong address silently).
 */

import { parseIpv4 } from '../ipv4-text.js';
import { SlotMemo } from '../../collections/slot-memo.js';

/** Addresses formatted lately: a DHCP request names the same few (relay, server, the client's own) again and again. */
const formatted = new SlotMemo<string>(16);

/** Format 4 bytes at `offset` as "a.b.c.d". The caller guarantees the bytes exist. */
export function formatIpv4(bytes: Uint8Array, offset: number): string {
  const a = bytes[offset] ?? 0;
  const b = bytes[offset + 1] ?? 0;
  const c = bytes[offset + 2] ?? 0;
  const d = bytes[offset + 3] ?? 0;
  // Three of a request's four address fields are usually unset.
  if ((a | b | c | d) === 0) return '0.0.0.0';
  const key = ((a * 256 + b) * 256 + c) * 256 + d;
  let text = formatted.get(key);
  if (text === undefined) {
    text = `${a}.${b}.${c}.${d}`;
    formatted.set(key, text);
  }
  return text;
}

/** True when `text` is a dotted quad with every part 0..255 (no leading "+", no spaces). */
export function isIpv4(text: string): boolean {
  return parseIpv4(text) >= 0;
}

/**
 * Dotted-quad `text` as an unsigned 32-bit number.
 * @throws RangeError when `text` is not a dotted quad.
 */
export function ipv4Number(text: string): number {
  const n = parseIpv4(text);
  if (n < 0) throw new RangeError(`not an IPv4 address: ${JSON.stringify(text)}`);
  return n;
}

/**
 * Write dotted-quad `text` as 4 bytes at `offset`.
 * @throws RangeError when `text` is not a dotted quad.
 */
export function writeIpv4(text: string, target: Uint8Array, offset: number): void {
  const n = ipv4Number(text);
  target[offset] = n >>> 24;
  target[offset + 1] = (n >>> 16) & 0xff;
  target[offset + 2] = (n >>> 8) & 0xff;
  target[offset + 3] = n & 0xff;
}
