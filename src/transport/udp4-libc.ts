/**
 * IPv4 UDP sockets opened through libc ({@link libc}), for threads that run their own
 * loop instead of libuv's (the TFTP transfer threads). Linux constants and struct layout.
 */
import { errno, errnoName, libc } from './libc.js';

/** sizeof(struct sockaddr_in). */
export const SOCKADDR_IN_BYTES = 16;
export const UDP4 = {
  AF_INET: 2,
  SOCK_DGRAM: 2,
  SOCK_CLOEXEC: 0o2000000,
  SOL_SOCKET: 1,
  SO_RCVTIMEO: 20,
  MSG_DONTWAIT: 0x40,
  EAGAIN: 11,
  EINTR: 4,
} as const;

/** struct sockaddr_in for a dotted-quad address; null when `address` is not one. */
export function sockaddrIn(address: string, port: number): Buffer | null {
  const parts = address.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255)) return null;
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) return null;
  const b = Buffer.alloc(SOCKADDR_IN_BYTES);
  b.writeUInt16LE(UDP4.AF_INET, 0);
  b.writeUInt16BE(port, 2);
  parts.forEach((p, i) => (b[4 + i] = Number(p)));
  return b;
}

/** The port in a struct sockaddr_in. */
export function sockaddrPort(addr: Buffer): number {
  return addr.readUInt16BE(2);
}

export type Udp4Open = { ok: true; fd: number; local: Buffer } | { ok: false; error: string };

/**
 * A blocking, close-on-exec UDP socket bound to `address`, on the first port of
 * `ports.start..ports.end` that is free (port 0: any). `local` is its bound sockaddr.
 * `receiveTimeoutMs` > 0 bounds each blocking receive (SO_RCVTIMEO).
 */
export function openUdp4(address: string, ports: { start: number; end: number } | null, receiveTimeoutMs = 0): Udp4Open {
  const c = libc();
  const fd = c.socket(UDP4.AF_INET, UDP4.SOCK_DGRAM | UDP4.SOCK_CLOEXEC, 0);
  if (fd < 0) return { ok: false, error: `socket: ${errnoName(errno())}` };
  const fail = (what: string, e: number): Udp4Open => {
    c.close(fd);
    return { ok: false, error: `${what}: ${errnoName(e)}` };
  };
  if (receiveTimeoutMs > 0) {
    const tv = Buffer.alloc(16);
    tv.writeBigInt64LE(BigInt(Math.floor(receiveTimeoutMs / 1000)), 0);
    tv.writeBigInt64LE(BigInt((receiveTimeoutMs % 1000) * 1000), 8);
    if (c.setsockopt(fd, UDP4.SOL_SOCKET, UDP4.SO_RCVTIMEO, tv, tv.length) < 0) return fail('SO_RCVTIMEO', errno());
  }
  let lastErr = 0;
  let bound = false;
  for (let port = ports?.start ?? 0; port <= (ports?.end ?? 0) && !bound; port++) {
    const addr = sockaddrIn(address, port);
    if (!addr) return fail(`bind ${address}`, 22 /* EINVAL */);
    if (c.bind(fd, addr, SOCKADDR_IN_BYTES) === 0) bound = true;
    else lastErr = errno();
  }
  if (!bound) return fail(`bind ${address}`, lastErr);
  const local = Buffer.alloc(SOCKADDR_IN_BYTES);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(SOCKADDR_IN_BYTES, 0);
  if (c.getsockname(fd, local, len) < 0) return fail('getsockname', errno());
  return { ok: true, fd, local };
}
