/**
 * The libc calls and Linux x86-64/arm64 structure layouts a raw ICMPv6 socket needs,
 * through koffi (as `bind-device.ts` does; docs/adr/0001-interface-binding.md, 0005-ipv6-ra.md).
 * Loaded lazily, once per thread: the receive worker loads its own copy.
 */
import koffi from 'koffi';

/** <bits/socket.h>, <netinet/in.h>, <linux/in6.h>, <linux/icmpv6.h>, <asm-generic/errno.h>. */
export const LINUX = {
  AF_INET6: 10,
  SOCK_RAW: 3,
  SOCK_NONBLOCK: 0o4000,
  SOCK_CLOEXEC: 0o2000000,
  O_NONBLOCK: 0o4000,
  O_CLOEXEC: 0o2000000,
  IPPROTO_IPV6: 41,
  IPPROTO_ICMPV6: 58,
  SOL_SOCKET: 1,
  SO_BINDTODEVICE: 25,
  /** Level IPPROTO_ICMPV6. Linux semantics: a set bit BLOCKS that type. */
  ICMP6_FILTER: 1,
  IPV6_UNICAST_HOPS: 16,
  IPV6_MULTICAST_HOPS: 18,
  IPV6_MULTICAST_LOOP: 19,
  IPV6_ADD_MEMBERSHIP: 20,
  IPV6_RECVHOPLIMIT: 51,
  /** cmsg type carrying the received hop limit. */
  IPV6_HOPLIMIT: 52,
  MSG_DONTWAIT: 0x40,
  MSG_TRUNC: 0x20,
  POLLIN: 0x1,
  POLLERR: 0x8,
  POLLHUP: 0x10,
  POLLNVAL: 0x20,
  EINTR: 4,
  EAGAIN: 11,
} as const;

/** sizeof(struct sockaddr_in6). */
export const SOCKADDR_IN6_SIZE = 28;

export { libc, errno, errnoName, type Libc } from './libc.js';

/** struct sockaddr_in6 { family; port; flowinfo; addr[16]; scope_id } in host order where the kernel wants it. */
export function encodeSockaddrIn6(address: Uint8Array, scopeId: number): Buffer {
  const b = Buffer.alloc(SOCKADDR_IN6_SIZE);
  b.writeUInt16LE(LINUX.AF_INET6, 0);
  // Port stays 0: for raw sockets it would name the protocol, which the socket already has.
  Buffer.from(address).copy(b, 8);
  b.writeUInt32LE(scopeId >>> 0, 24);
  return b;
}

export function decodeSockaddrIn6(b: Uint8Array): { address: Uint8Array; scopeId: number } | null {
  if (b.length < SOCKADDR_IN6_SIZE) return null;
  const v = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (v.readUInt16LE(0) !== LINUX.AF_INET6) return null;
  return { address: Uint8Array.from(v.subarray(8, 24)), scopeId: v.readUInt32LE(24) };
}

/** struct icmp6_filter passing only `types` (Linux: a set bit blocks, so start from all ones). */
export function icmp6FilterPassing(types: readonly number[]): Buffer {
  const words = new Uint32Array(8).fill(0xffffffff);
  for (const t of types) words[t >> 5] = (words[t >> 5]! & ~(1 << (t & 31))) >>> 0;
  return Buffer.from(words.buffer);
}

/** struct ipv6_mreq { in6_addr multiaddr; int ifindex; }. */
export function ipv6Mreq(group: Uint8Array, ifindex: number): Buffer {
  const b = Buffer.alloc(20);
  Buffer.from(group).copy(b, 0);
  b.writeInt32LE(ifindex, 16);
  return b;
}

export function int32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(value, 0);
  return b;
}

/**
 * Native memory for one `recvmsg` (koffi.alloc, so the kernel may write through the
 * pointers inside msghdr). Layout on LP64 Linux:
 * msghdr (56 bytes) | iovec (16) | sockaddr_in6 | control (128) | data.
 */
export class RecvmsgBuffers {
  static readonly MSGHDR = 0;
  static readonly IOVEC = 64;
  static readonly NAME = 96;
  static readonly CONTROL = 128;
  static readonly CONTROL_SIZE = 128;
  static readonly DATA = 256;

  readonly base: bigint;
  private readonly bytes: Buffer;
  private readonly view: DataView;

  constructor(readonly dataSize: number) {
    const total = RecvmsgBuffers.DATA + dataSize;
    // koffi 3 hands out native pointers as BigInts; older versions as externals.
    const ptr: unknown = koffi.alloc('uint8_t', total);
    this.base = typeof ptr === 'bigint' ? ptr : koffi.address(ptr);
    const ab = koffi.view(this.base, total);
    this.bytes = Buffer.from(ab);
    this.view = new DataView(ab);
  }

  /** Gives the native memory back; the object is unusable afterwards. */
  free(): void {
    koffi.free(this.base);
  }

  /** Re-arms msghdr before each call: recvmsg overwrites the lengths. */
  prepare(): bigint {
    const v = this.view;
    const at = (off: number): bigint => this.base + BigInt(off);
    v.setBigUint64(0, at(RecvmsgBuffers.NAME), true);
    v.setUint32(8, SOCKADDR_IN6_SIZE, true);
    v.setBigUint64(16, at(RecvmsgBuffers.IOVEC), true);
    v.setBigUint64(24, 1n, true);
    v.setBigUint64(32, at(RecvmsgBuffers.CONTROL), true);
    v.setBigUint64(40, BigInt(RecvmsgBuffers.CONTROL_SIZE), true);
    v.setInt32(48, 0, true);
    v.setBigUint64(RecvmsgBuffers.IOVEC, at(RecvmsgBuffers.DATA), true);
    v.setBigUint64(RecvmsgBuffers.IOVEC + 8, BigInt(this.dataSize), true);
    return this.base;
  }

  /** What the last recvmsg returned `n` bytes into: payload copy, sender, hop limit from the cmsg. */
  result(n: number): { data: Uint8Array; name: Uint8Array; hopLimit: number | null; truncated: boolean } {
    const v = this.view;
    const flags = v.getInt32(48, true);
    const nameLen = v.getUint32(8, true);
    const controlLen = Number(v.getBigUint64(40, true));
    let hopLimit: number | null = null;
    // struct cmsghdr { size_t len; int level; int type; } then data, each aligned to 8.
    let at = 0;
    while (at + 16 <= controlLen && at + 16 <= RecvmsgBuffers.CONTROL_SIZE) {
      const base = RecvmsgBuffers.CONTROL + at;
      const len = Number(v.getBigUint64(base, true));
      if (len < 16) break;
      const level = v.getInt32(base + 8, true);
      const type = v.getInt32(base + 12, true);
      if (level === LINUX.IPPROTO_IPV6 && type === LINUX.IPV6_HOPLIMIT && len >= 20) hopLimit = v.getInt32(base + 16, true);
      at += (len + 7) & ~7;
    }
    const got = Math.min(n, this.dataSize);
    return {
      data: Uint8Array.from(this.bytes.subarray(RecvmsgBuffers.DATA, RecvmsgBuffers.DATA + got)),
      name: Uint8Array.from(this.bytes.subarray(RecvmsgBuffers.NAME, RecvmsgBuffers.NAME + Math.min(nameLen, SOCKADDR_IN6_SIZE))),
      hopLimit,
      truncated: (flags & LINUX.MSG_TRUNC) !== 0,
    };
  }
}
