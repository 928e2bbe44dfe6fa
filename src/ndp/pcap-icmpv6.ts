/**
 * ICMPv6 messages out of a classic pcap file (Ethernet, IPv6 without extension headers),
 * for turning lab captures into test vectors (`src/wire/ndp/fixtures.ts`). Never throws.
 */
import { formatIpv6 } from '../wire/ndp/index.js';

export interface Icmpv6Record {
  timeUs: number;
  ethSrc: string;
  ethDst: string;
  src: string;
  dst: string;
  hopLimit: number;
  /** The ICMPv6 message (a copy). */
  message: Uint8Array;
}

export function readIcmpv6Pcap(bytes: Uint8Array): Icmpv6Record[] {
  const out: Icmpv6Record[] = [];
  if (bytes.length < 24) return out;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = v.getUint32(0, false);
  const little = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  const nanos = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  if (!little && magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) return out;
  if ((v.getUint32(20, little) & 0x0fffffff) !== 1) return out;
  const mac = (at: number): string => Array.from(bytes.subarray(at, at + 6), (x) => x.toString(16).padStart(2, '0')).join(':');
  for (let off = 24; off + 16 <= bytes.length; ) {
    const sec = v.getUint32(off, little);
    const frac = v.getUint32(off + 4, little);
    const len = v.getUint32(off + 8, little);
    const f = off + 16;
    off = f + len;
    if (off > bytes.length) break;
    if (len < 54 || v.getUint16(f + 12) !== 0x86dd || bytes[f + 20] !== 58) continue;
    const payloadLen = v.getUint16(f + 18);
    if (f + 54 + payloadLen > off) continue;
    out.push({
      timeUs: sec * 1e6 + (nanos ? Math.floor(frac / 1000) : frac),
      ethDst: mac(f),
      ethSrc: mac(f + 6),
      hopLimit: bytes[f + 21]!,
      src: formatIpv6(bytes.subarray(f + 22, f + 38)),
      dst: formatIpv6(bytes.subarray(f + 38, f + 54)),
      message: Uint8Array.from(bytes.subarray(f + 54, f + 54 + payloadLen)),
    });
  }
  return out;
}
