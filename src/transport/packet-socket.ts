/**
 * What the two AF_PACKET sockets (`arp-socket.ts`, `packet-tap.ts`) share: opening a
 * non-blocking packet socket bound to one interface and one EtherType, and the
 * `struct sockaddr_ll` that names it. Linux x86-64 / arm64 layouts; needs root or CAP_NET_RAW.
 */
import { errno, errnoName, libc } from './libc.js';

/** <linux/if_packet.h>, <sys/socket.h>. */
const AF_PACKET = 17;
const SOCK_DGRAM = 2;
const SOCK_RAW = 3;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const SOCKADDR_LL_SIZE = 20;

export interface OpenPacketSocket {
  fd: number;
  ifindex: number;
}

/**
 * A packet socket on `device` for one EtherType: `dgram` has the kernel write and strip the
 * Ethernet header, `raw` hands over whole frames. On failure `fail(code, message)` makes the
 * caller's error (its own class, naming its own purpose); nothing is left open.
 */
export function openPacketSocket(device: string, kind: 'dgram' | 'raw', etherType: number, fail: (code: string, call: string) => Error): OpenPacketSocket {
  const c = libc();
  const ifindex = c.ifNameToIndex(device);
  if (ifindex === 0) throw fail('ENODEV', 'if_nametoindex');
  const fd = c.socket(AF_PACKET, (kind === 'dgram' ? SOCK_DGRAM : SOCK_RAW) | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(etherType));
  if (fd < 0) throw fail(errnoName(errno()), 'socket');
  const addr = sockaddrLl(ifindex, etherType, null);
  if (c.bind(fd, addr, addr.length) !== 0) {
    const err = fail(errnoName(errno()), 'bind');
    c.close(fd);
    throw err;
  }
  return { fd, ifindex };
}

/** struct sockaddr_ll { family; protocol (network order); ifindex; hatype; pkttype; halen; addr[8] }. */
export function sockaddrLl(ifindex: number, etherType: number, mac: Buffer | null): Buffer {
  const b = Buffer.alloc(SOCKADDR_LL_SIZE);
  b.writeUInt16LE(AF_PACKET, 0);
  b.writeUInt16LE(htons(etherType), 2);
  b.writeInt32LE(ifindex, 4);
  if (mac) {
    b[11] = mac.length;
    mac.copy(b, 12);
  }
  return b;
}

function htons(v: number): number {
  return ((v & 0xff) << 8) | ((v >> 8) & 0xff);
}
