/**
 * Text forms of 6-byte (Ethernet) hardware addresses, made once per address and then shared.
 * Every DHCP request names its client several times (the MAC for events and the fleet, the
 * client key for the lease store and the request queue); built afresh, each is a new string
 * whose hash is computed again and which every Map lookup compares byte by byte. Shared, a
 * lookup finds its own key object, and the events a timeline keeps share one string.
 *
 * Pure memoisation (the text depends only on the bytes): a bounded memory of the addresses
 * seen lately (two generations of {@link KEEP}, as `store/recent-map.ts`), so a flood of
 * random MACs costs at most a few MB.
 */
import { HEX_BYTE } from './hex-byte.js';

const KEEP = 65_536;

class TextMemo {
  private young = new Map<number, string>();
  private old = new Map<number, string>();

  constructor(private readonly make: (bytes: Uint8Array, at: number) => string) {}

  /** The text of the six bytes at `at` (the caller guarantees they exist). */
  get(bytes: Uint8Array, at: number): string {
    // 48 bits: exact in a double.
    const key =
      ((bytes[at] as number) * 65536 + (bytes[at + 1] as number) * 256 + (bytes[at + 2] as number)) * 16777216 +
      ((bytes[at + 3] as number) * 65536 + (bytes[at + 4] as number) * 256 + (bytes[at + 5] as number));
    let text = this.young.get(key);
    if (text !== undefined) return text;
    text = this.old.get(key) ?? this.make(bytes, at);
    this.young.set(key, text);
    if (this.young.size >= KEEP) {
      this.old = this.young;
      this.young = new Map();
    }
    return text;
  }
}

const colonMacs = new TextMemo((b, at) => {
  let out = HEX_BYTE[b[at] as number] as string;
  for (let i = at + 1; i < at + 6; i++) out += ':' + (HEX_BYTE[b[i] as number] as string);
  return out;
});

const ethernetKeys = new TextMemo((b, at) => {
  let out = '01';
  for (let i = at; i < at + 6; i++) out += HEX_BYTE[b[i] as number] as string;
  return out;
});

/** "52:54:00:12:34:56" for the six bytes at `at`. */
export function colonMac(bytes: Uint8Array, at: number): string {
  return colonMacs.get(bytes, at);
}

/** "01525400123456": hardware type 1 (Ethernet) and the six bytes at `at`, in lower-case hex. */
export function ethernetKeyHex(bytes: Uint8Array, at: number): string {
  return ethernetKeys.get(bytes, at);
}
