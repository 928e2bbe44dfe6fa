/**
 * A small reader for classic libpcap files (what `tcpdump -w` writes), down to UDP over
 * IPv4 over Ethernet: enough to pull real DHCP and TFTP payloads out of lab captures.
 * Format: 24-byte global header, then per packet a 16-byte record header and the frame
 * (https://wiki.wireshark.org/Development/LibpcapFileFormat). Never throws on bad bytes.
 */

/** One captured UDP datagram. */
export interface UdpRecord {
  /** Capture time in microseconds since the epoch. */
  timeUs: number;
  /** Ethernet source / destination, lower-case colon form. */
  ethSrc: string;
  ethDst: string;
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  /** The UDP payload (a copy, so it outlives the file buffer). */
  payload: Uint8Array;
}

export type PcapResult =
  | { ok: true; udp: UdpRecord[]; frames: number; skipped: number; truncatedTail: boolean }
  | { ok: false; error: 'short-header' | 'bad-magic' | 'unsupported-linktype'; detail: string };

const LINKTYPE_ETHERNET = 1;
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_VLAN = 0x8100;
const IPPROTO_UDP = 17;

function mac(b: Uint8Array, at: number): string {
  return Array.from(b.subarray(at, at + 6), (x) => x.toString(16).padStart(2, '0')).join(':');
}

function ipv4(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/** Parses a pcap file's bytes. Frames that are not IPv4/UDP (or are fragments) are counted in `skipped`. */
export function readPcap(bytes: Uint8Array): PcapResult {
  if (bytes.length < 24) return { ok: false, error: 'short-header', detail: `${bytes.length} bytes` };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicBE = view.getUint32(0, false);
  let little: boolean;
  let nanos: boolean;
  switch (magicBE) {
    case 0xa1b2c3d4: little = false; nanos = false; break;
    case 0xd4c3b2a1: little = true; nanos = false; break;
    case 0xa1b23c4d: little = false; nanos = true; break;
    case 0x4d3cb2a1: little = true; nanos = true; break;
    default:
      return { ok: false, error: 'bad-magic', detail: `0x${magicBE.toString(16)}` };
  }
  const linktype = view.getUint32(20, little) & 0x0fffffff;
  if (linktype !== LINKTYPE_ETHERNET) {
    return { ok: false, error: 'unsupported-linktype', detail: String(linktype) };
  }

  const udp: UdpRecord[] = [];
  let frames = 0;
  let skipped = 0;
  let off = 24;
  let truncatedTail = false;
  while (off < bytes.length) {
    if (off + 16 > bytes.length) {
      truncatedTail = true;
      break;
    }
    const sec = view.getUint32(off, little);
    const frac = view.getUint32(off + 4, little);
    const inclLen = view.getUint32(off + 8, little);
    const start = off + 16;
    if (start + inclLen > bytes.length) {
      truncatedTail = true;
      break;
    }
    off = start + inclLen;
    frames++;
    const rec = parseFrame(bytes.subarray(start, start + inclLen), sec * 1e6 + (nanos ? Math.floor(frac / 1000) : frac));
    if (rec) udp.push(rec);
    else skipped++;
  }
  return { ok: true, udp, frames, skipped, truncatedTail };
}

function parseFrame(f: Uint8Array, timeUs: number): UdpRecord | null {
  if (f.length < 14) return null;
  const fv = new DataView(f.buffer, f.byteOffset, f.byteLength);
  let ethertype = fv.getUint16(12, false);
  let ip = 14;
  if (ethertype === ETHERTYPE_VLAN) {
    if (f.length < 18) return null;
    ethertype = fv.getUint16(16, false);
    ip = 18;
  }
  if (ethertype !== ETHERTYPE_IPV4 || f.length < ip + 20) return null;
  const verIhl = f[ip] ?? 0;
  const ihl = (verIhl & 0x0f) * 4;
  if (verIhl >> 4 !== 4 || ihl < 20 || f.length < ip + ihl) return null;
  const totalLen = fv.getUint16(ip + 2, false);
  const fragField = fv.getUint16(ip + 6, false);
  // More-fragments set or a non-zero offset: not a whole datagram; lab traffic never fragments.
  if ((fragField & 0x2000) !== 0 || (fragField & 0x1fff) !== 0) return null;
  if (f[ip + 9] !== IPPROTO_UDP) return null;
  const ipEnd = Math.min(f.length, ip + totalLen);
  const u = ip + ihl;
  if (ipEnd < u + 8) return null;
  const udpLen = fv.getUint16(u + 4, false);
  if (udpLen < 8 || u + udpLen > ipEnd) return null;
  return {
    timeUs,
    ethDst: mac(f, 0),
    ethSrc: mac(f, 6),
    srcIp: ipv4(f, ip + 12),
    dstIp: ipv4(f, ip + 16),
    srcPort: fv.getUint16(u, false),
    dstPort: fv.getUint16(u + 2, false),
    payload: f.slice(u + 8, u + udpLen),
  };
}
