/**
 * An AF_PACKET socket for ARP on one interface (libc through koffi, like `packet-tap.ts`):
 * sends ARP packets broadcast and hands back the ARP packets the interface sees. Type
 * SOCK_DGRAM, so the kernel writes and strips the Ethernet header (source = the interface's
 * MAC) and only the 28-byte ARP packet crosses this boundary (`wire/arp.ts` reads it).
 *
 * Why a packet socket: Node has no ARP, and the kernel's own neighbour code cannot send an
 * RFC 5227 probe (sender IP 0.0.0.0) nor say which MAC answered. Used by the DHCP server's
 * conflict detection (`dhcp/conflict-prober.ts`).
 *
 * Non-blocking and polled, never a blocking call on the event loop: the caller drains it
 * (`drain()` reads at most MAX_FRAMES_PER_DRAIN packets) while it waits for answers. It sees
 * its own outgoing packets too (PACKET_OUTGOING); callers ignore those by their sender.
 * Linux only; needs root or CAP_NET_RAW.
 */
import { errno, errnoName, libc } from './libc.js';
import { openPacketSocket, sockaddrLl } from './packet-socket.js';

/** <linux/if_ether.h>: the socket's protocol, ARP only. */
const ETH_P_ARP = 0x0806;
/** ARP is 28 bytes; a little room so that a longer (non-Ethernet) packet is still read whole and rejected by the codec. */
const PACKET_BUFFER = 256;
/** A LAN's ARP broadcasts land here too: read at most this many per drain, so a storm cannot hold the event loop. */
const MAX_FRAMES_PER_DRAIN = 256;

/** Thrown when the socket cannot be opened or a send fails; `code` is the errno name. */
export class ArpSocketError extends Error {
  constructor(
    readonly device: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ArpSocketError';
  }
}

/** What the conflict prober needs of a link: send one ARP packet broadcast, read what arrived. */
export interface ArpLink {
  readonly device: string;
  /** Broadcasts one ARP packet (28 bytes). Throws {@link ArpSocketError} (EAGAIN when the queue is full, ENETDOWN, …). */
  send(arp: Uint8Array): void;
  /** ARP packets received since the last call (bounded); never blocks. */
  drain(): Uint8Array[];
  close(): void;
}

export class ArpSocket implements ArpLink {
  private fd: number;
  private readonly buf = Buffer.alloc(PACKET_BUFFER);
  private readonly broadcast: Buffer;

  private constructor(
    readonly device: string,
    fd: number,
    ifindex: number,
  ) {
    this.fd = fd;
    this.broadcast = sockaddrLl(ifindex, ETH_P_ARP, Buffer.alloc(6, 0xff));
  }

  /** Opens the socket on `device`. Throws {@link ArpSocketError} (ENODEV, EPERM, …). */
  static open(device: string): ArpSocket {
    const { fd, ifindex } = openPacketSocket(device, 'dgram', ETH_P_ARP, (code, call) => socketErrorCode(device, call, code));
    const sock = new ArpSocket(device, fd, ifindex);
    // Between socket() and bind() the kernel may have queued ARP from any interface.
    sock.drain();
    return sock;
  }

  send(arp: Uint8Array): void {
    if (this.fd < 0) throw new ArpSocketError(this.device, 'EBADF', `ARP socket on ${this.device} is closed`);
    const b = Buffer.from(arp.buffer, arp.byteOffset, arp.byteLength);
    const n = libc().sendto(this.fd, b, b.length, 0, this.broadcast, this.broadcast.length);
    if (n < 0) throw socketError(this.device, 'sendto');
  }

  drain(): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (this.fd < 0) return out;
    const c = libc();
    for (let i = 0; i < MAX_FRAMES_PER_DRAIN; i++) {
      const n = c.recv(this.fd, this.buf, this.buf.length, 0);
      // EAGAIN: nothing more queued. Any other error ends this drain; the next one retries.
      if (n < 0) break;
      out.push(Uint8Array.from(this.buf.subarray(0, Math.min(n, this.buf.length))));
    }
    return out;
  }

  close(): void {
    if (this.fd < 0) return;
    libc().close(this.fd);
    this.fd = -1;
  }
}

function socketError(device: string, call: string): ArpSocketError {
  return socketErrorCode(device, call, errnoName(errno()));
}

function socketErrorCode(device: string, call: string, code: string): ArpSocketError {
  if (code === 'ENODEV' && call === 'if_nametoindex') return new ArpSocketError(device, code, `no interface ${device}`);
  const hint = code === 'EPERM' ? ' (needs root or CAP_NET_RAW)' : '';
  return new ArpSocketError(device, code, `ARP socket on ${device}: ${call} failed: ${code}${hint}`);
}
