/**
 * A read-only AF_PACKET socket on one interface (libc through koffi), for the few places that
 * must see what a UDP socket cannot: the Ethernet source of a datagram, and datagrams unicast to
 * an IP address this host does not have. The DHCP start-up probe (`dhcp/rogue-probe.ts`) uses it
 * to name the MAC of another DHCP server, and to hear a server that unicasts its OFFER to the
 * offered address although the DISCOVER asked for a broadcast.
 *
 * It never sends. It is non-blocking and polled: a probe listens for a second or two, so a
 * timer that drains the socket is simpler than a worker thread blocked in recv(). Linux only;
 * needs root or CAP_NET_RAW (like SO_BINDTODEVICE).
 */
import { libc } from './libc.js';
import { openPacketSocket } from './packet-socket.js';

/** <linux/if_ether.h> */
const ETH_P_IP = 0x0800;
/** Ethernet MTU frames only on a lab or office LAN; a jumbo frame is cut, then dropped as truncated. */
const FRAME_BUFFER = 9216;
/** At most this many frames per drain, so a flood cannot keep the event loop busy. */
const MAX_FRAMES_PER_DRAIN = 1024;

/** One IPv4/UDP datagram as it crossed the wire. */
export interface TappedUdp {
  /** Lower-case, colon-separated. */
  ethSrc: string;
  ethDst: string;
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  payload: Buffer;
}

/** Thrown when the tap cannot be opened; `code` is the errno name. */
export class PacketTapError extends Error {
  constructor(
    readonly device: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PacketTapError';
  }
}

/** A non-blocking packet socket bound to one interface, receiving its IPv4 frames (both directions). */
export class PacketTap {
  private fd: number;
  private readonly buf = Buffer.alloc(FRAME_BUFFER);

  private constructor(
    readonly device: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  /** Opens the tap on `device`. Throws {@link PacketTapError} (ENODEV, EPERM, …). */
  static open(device: string): PacketTap {
    const { fd } = openPacketSocket(device, 'raw', ETH_P_IP, (code, call) => tapErrorCode(device, call, code));
    return new PacketTap(device, fd);
  }

  /**
   * The UDP datagrams received since the last call. Between socket() and bind() the kernel may
   * queue a frame from another interface; callers match on something only their own traffic
   * carries (the DHCP probe's random xid).
   */
  drain(): TappedUdp[] {
    const out: TappedUdp[] = [];
    if (this.fd < 0) return out;
    const c = libc();
    for (let i = 0; i < MAX_FRAMES_PER_DRAIN; i++) {
      const n = c.recv(this.fd, this.buf, this.buf.length, 0);
      // EAGAIN: nothing more queued. Any other error ends this drain; the next one retries.
      if (n < 0) break;
      const udp = parseUdpFrame(this.buf.subarray(0, n));
      if (udp) out.push(udp);
    }
    return out;
  }

  close(): void {
    if (this.fd < 0) return;
    libc().close(this.fd);
    this.fd = -1;
  }
}

/**
 * An Ethernet frame's IPv4/UDP datagram, or null for anything else (other protocols, fragments,
 * truncated or inconsistent headers). Never reads past `frame`.
 */
export function parseUdpFrame(frame: Buffer): TappedUdp | null {
  if (frame.length < 14 + 20 + 8) return null;
  if (frame.readUInt16BE(12) !== ETH_P_IP) return null;
  const ip = 14;
  const verIhl = frame[ip] ?? 0;
  const ihl = (verIhl & 0x0f) * 4;
  if (verIhl >> 4 !== 4 || ihl < 20) return null;
  const total = frame.readUInt16BE(ip + 2);
  const end = Math.min(frame.length, ip + total);
  if ((frame.readUInt16BE(ip + 6) & 0x3fff) !== 0) return null;
  if (frame[ip + 9] !== 17) return null;
  const udp = ip + ihl;
  if (end < udp + 8) return null;
  const udpLen = frame.readUInt16BE(udp + 4);
  if (udpLen < 8 || udp + udpLen > end) return null;
  return {
    ethDst: macText(frame, 0),
    ethSrc: macText(frame, 6),
    srcIp: ipText(frame, ip + 12),
    dstIp: ipText(frame, ip + 16),
    srcPort: frame.readUInt16BE(udp),
    dstPort: frame.readUInt16BE(udp + 2),
    payload: Buffer.from(frame.subarray(udp + 8, udp + udpLen)),
  };
}


function macText(b: Buffer, at: number): string {
  return Array.from(b.subarray(at, at + 6), (x) => x.toString(16).padStart(2, '0')).join(':');
}

function ipText(b: Buffer, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

function tapErrorCode(device: string, call: string, code: string): PacketTapError {
  if (code === 'ENODEV' && call === 'if_nametoindex') return new PacketTapError(device, code, `no interface ${device}`);
  const hint = code === 'EPERM' ? ' (needs root or CAP_NET_RAW)' : '';
  return new PacketTapError(device, code, `packet socket on ${device}: ${call} failed: ${code}${hint}`);
}
