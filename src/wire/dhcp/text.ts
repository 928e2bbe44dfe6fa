/**
 * Bytes → text for DHCP string fields (sname, file, string options).
 *
 * Firmware is not consistent: most send ASCII, some send UTF-8 host names, a few send
 * latin1 or junk. Valid UTF-8 is decoded as UTF-8; anything else as latin1, which maps
 * every byte to one character so nothing is lost or replaced with U+FFFD. Encoding is
 * always UTF-8, so a decoded string re-encodes to bytes that decode to the same string.
 */
import { isUtf8 } from 'node:buffer';

/** Decode `bytes[start, end)` as text (UTF-8 when valid, else latin1). */
export function decodeText(bytes: Buffer, start: number, end: number): string {
  const view = bytes.subarray(start, end);
  return isUtf8(view) ? view.toString('utf8') : view.toString('latin1');
}

/** Index of the first NUL in `bytes[start, end)`, or `end`: fixed BOOTP fields are C strings. */
export function cStringEnd(bytes: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) if (bytes[i] === 0) return i;
  return end;
}

/** Length of `bytes[start, end)` without trailing NULs (some clients NUL-terminate option strings). */
export function trimTrailingNuls(bytes: Uint8Array, start: number, end: number): number {
  let e = end;
  while (e > start && bytes[e - 1] === 0) e--;
  return e;
}
