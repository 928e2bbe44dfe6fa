/**
 * Text forms of 6-byte (Ethernet) hardware addresses, made once per address and then shared.
 * Every DHCP request names its client several times (the MAC for events and the fleet, the
 * client key for the lease store and the request queue); built afresh, each is a new string
 * whose hash is computed again and which every Map lookup compares byte by byte. Shared, a
 * lookup finds its own key object, and the events a timeline keeps share one string.
 *
 * The memory is fixed (`collections/slot-memo.ts`, 65 536 slots each, 1 MiB of slots plus the strings
 * held, ≈ 40 B each): at most ≈ 3.5 MiB for each of the two and for `formatIpv4`'s memo, whatever is sent.
 */
import { SlotMemo } from '../collections/slot-memo.js';
import { HEX_BYTE } from './hex-byte.js';

/** 2¹⁶ slots each: a request's few lookups of its own MAC are never far apart (`collections/slot-memo.ts`). */
const SLOTS_LOG2 = 16;
const colonMacs = new SlotMemo<string>(SLOTS_LOG2);
const ethernetKeys = new SlotMemo<string>(SLOTS_LOG2);

/** The six bytes at `at` as one number: 48 bits are exact in a double. */
function keyOf(b: Uint8Array, at: number): number {
  return ((b[at] as number) * 65536 + (b[at + 1] as number) * 256 + (b[at + 2] as number)) * 16777216 +
    ((b[at + 3] as number) * 65536 + (b[at + 4] as number) * 256 + (b[at + 5] as number));
}

/** "52:54:00:12:34:56" for the six bytes at `at`. */
export function colonMac(bytes: Uint8Array, at: number): string {
  const key = keyOf(bytes, at);
  let out = colonMacs.get(key);
  if (out !== undefined) return out;
  out = HEX_BYTE[bytes[at] as number] as string;
  for (let i = at + 1; i < at + 6; i++) out += ':' + (HEX_BYTE[bytes[i] as number] as string);
  colonMacs.set(key, out);
  return out;
}

/** "01525400123456": hardware type 1 (Ethernet) and the six bytes at `at`, in lower-case hex. */
export function ethernetKeyHex(bytes: Uint8Array, at: number): string {
  const key = keyOf(bytes, at);
  let out = ethernetKeys.get(key);
  if (out !== undefined) return out;
  out = '01';
  for (let i = at; i < at + 6; i++) out += HEX_BYTE[bytes[i] as number] as string;
  ethernetKeys.set(key, out);
  return out;
}
