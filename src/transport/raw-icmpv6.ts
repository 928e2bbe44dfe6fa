/**
 * A raw ICMPv6 socket bound to one interface, for Router Discovery (RFC 4861): Node has
 * no raw sockets, so it is made through libc via koffi (docs/adr/0005-ipv6-ra.md).
 *
 * The socket is created, bound to its device (SO_BINDTODEVICE), filtered to the ICMPv6
 * types asked for (ICMP6_FILTER) and joined to its groups before anything is read; what
 * queued up before the filter took effect is drained and dropped. Receiving happens on
 * a worker thread (`raw-icmpv6-worker.ts`); sending is a non-blocking sendto(2) from the
 * caller's thread. The kernel computes the ICMPv6 checksum (RFC 3542 §3.1) and checks it
 * on the way in. Linux only; needs root or CAP_NET_RAW.
 */
import { Worker } from 'node:worker_threads';
import {
  LINUX,
  decodeSockaddrIn6,
  encodeSockaddrIn6,
  errno,
  errnoName,
  icmp6FilterPassing,
  int32,
  ipv6Mreq,
  libc,
  SOCKADDR_IN6_SIZE,
} from './raw-icmpv6-libc.js';
import type { RawIcmpv6WorkerData, RawIcmpv6WorkerMessage } from './raw-icmpv6-worker.js';

/** Thrown when the socket cannot be made or used; `code` is the errno name (EPERM, ENODEV, …). */
export class RawIcmpv6Error extends Error {
  constructor(
    readonly device: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RawIcmpv6Error';
  }
}

/** One received ICMPv6 message (without the IPv6 header). */
export interface Icmpv6Datagram {
  data: Uint8Array;
  /** Source address, 16 bytes. */
  from: Uint8Array;
  /** Interface index the source is scoped to (link-local sources). */
  scopeId: number;
  /** The IPv6 hop limit it arrived with, from IPV6_RECVHOPLIMIT; null if the kernel gave none. */
  hopLimit: number | null;
  /** The message was longer than the receive buffer and was cut. */
  truncated: boolean;
}

export interface RawIcmpv6Options {
  device: string;
  /** ICMPv6 types delivered; everything else is filtered in the kernel. */
  types: readonly number[];
  /** Multicast groups to join on the device (16-byte addresses), e.g. ff02::2. */
  groups?: readonly Uint8Array[];
  /** Hop limit of everything sent (255 for Neighbor Discovery, RFC 4861 §6.1). */
  hopLimit?: number;
  /** Receive buffer size; longer messages arrive `truncated`. */
  maxDatagram?: number;
}

const DEFAULT_MAX_DATAGRAM = 65536;
const STOP_GRACE_MS = 2000;

export class RawIcmpv6Socket {
  private closed = false;
  private readonly exited: Promise<void>;

  private constructor(
    readonly device: string,
    readonly ifindex: number,
    private readonly fd: number,
    private readonly wakeRead: number,
    private readonly wakeWrite: number,
    private readonly worker: Worker,
  ) {
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
  }

  /**
   * Opens the socket and starts receiving. `onDatagram` runs on the caller's thread;
   * `onError` is called once if receiving stops (the socket is then useless: close it).
   * Throws {@link RawIcmpv6Error}.
   */
  static open(opts: RawIcmpv6Options, onDatagram: (d: Icmpv6Datagram) => void, onError: (err: RawIcmpv6Error) => void): RawIcmpv6Socket {
    const c = libc();
    const device = opts.device;
    const fail = (what: string): RawIcmpv6Error => {
      const code = errnoName(errno());
      const hint = code === 'EPERM' || code === 'EACCES' ? ' (needs root or CAP_NET_RAW)' : code === 'ENODEV' ? ' (no such interface)' : '';
      return new RawIcmpv6Error(device, code, `raw ICMPv6 socket on ${device}: ${what} failed: ${code}${hint}`);
    };
    const name = Buffer.from(device, 'utf8');
    if (name.length === 0 || name.length > 15 || name.includes(0)) {
      throw new RawIcmpv6Error(device, 'EINVAL', `invalid interface name ${JSON.stringify(device)}`);
    }
    const ifindex = c.ifNameToIndex(device);
    if (ifindex === 0) throw new RawIcmpv6Error(device, 'ENODEV', `interface ${device} not found`);

    const fd = c.socket(LINUX.AF_INET6, LINUX.SOCK_RAW | LINUX.SOCK_NONBLOCK | LINUX.SOCK_CLOEXEC, LINUX.IPPROTO_ICMPV6);
    if (fd < 0) throw fail('socket()');
    const fds: number[] = [fd];
    try {
      const set = (level: number, opt: number, value: Buffer, what: string): void => {
        if (c.setsockopt(fd, level, opt, value, value.length) !== 0) throw fail(what);
      };
      // The socket is ours from its first instant, so unlike a dgram socket (ADR 0001)
      // nothing from another interface can be read before the device binding holds.
      set(LINUX.SOL_SOCKET, LINUX.SO_BINDTODEVICE, Buffer.concat([name, Buffer.from([0])]), 'SO_BINDTODEVICE');
      set(LINUX.IPPROTO_ICMPV6, LINUX.ICMP6_FILTER, icmp6FilterPassing(opts.types), 'ICMP6_FILTER');
      set(LINUX.IPPROTO_IPV6, LINUX.IPV6_RECVHOPLIMIT, int32(1), 'IPV6_RECVHOPLIMIT');
      const hops = int32(opts.hopLimit ?? 255);
      set(LINUX.IPPROTO_IPV6, LINUX.IPV6_UNICAST_HOPS, hops, 'IPV6_UNICAST_HOPS');
      set(LINUX.IPPROTO_IPV6, LINUX.IPV6_MULTICAST_HOPS, hops, 'IPV6_MULTICAST_HOPS');
      // Our own multicast (a router solicitation we send) must not come back as if a peer sent it.
      set(LINUX.IPPROTO_IPV6, LINUX.IPV6_MULTICAST_LOOP, int32(0), 'IPV6_MULTICAST_LOOP');
      for (const g of opts.groups ?? []) set(LINUX.IPPROTO_IPV6, LINUX.IPV6_ADD_MEMBERSHIP, ipv6Mreq(g, ifindex), 'IPV6_ADD_MEMBERSHIP');
      // Between socket() and the options above the kernel may have queued any ICMPv6 from any interface.
      const scratch = Buffer.alloc(2048);
      while (c.recv(fd, scratch, scratch.length, LINUX.MSG_DONTWAIT) >= 0) {
        /* dropped */
      }
      const pipe = Buffer.alloc(8);
      if (c.pipe2(pipe, LINUX.O_CLOEXEC | LINUX.O_NONBLOCK) !== 0) throw fail('pipe2()');
      const wakeRead = pipe.readInt32LE(0);
      const wakeWrite = pipe.readInt32LE(4);
      fds.push(wakeRead, wakeWrite);
      const data: RawIcmpv6WorkerData = { fd, wakeFd: wakeRead, maxDatagram: opts.maxDatagram ?? DEFAULT_MAX_DATAGRAM };
      const worker = new Worker(new URL('./raw-icmpv6-worker.js', import.meta.url), { workerData: data });
      // The worker must not keep the process alive on its own: close() ends it properly.
      worker.unref();
      const sock = new RawIcmpv6Socket(device, ifindex, fd, wakeRead, wakeWrite, worker);
      let failed = false;
      const failOnce = (err: RawIcmpv6Error): void => {
        if (failed || sock.closed) return;
        failed = true;
        onError(err);
      };
      worker.on('message', (m: RawIcmpv6WorkerMessage) => {
        if (m.kind === 'error') {
          failOnce(new RawIcmpv6Error(device, m.code, `raw ICMPv6 socket on ${device}: ${m.message}`));
          return;
        }
        const from = decodeSockaddrIn6(m.name);
        if (!from) return;
        onDatagram({ data: m.data, from: from.address, scopeId: from.scopeId, hopLimit: m.hopLimit, truncated: m.truncated });
      });
      worker.on('error', (err) => failOnce(new RawIcmpv6Error(device, 'EWORKER', `raw ICMPv6 receive thread on ${device}: ${err.message}`)));
      return sock;
    } catch (err) {
      for (const f of fds) c.close(f);
      throw err;
    }
  }

  /**
   * Sends one ICMPv6 message to `to` (16 bytes); `scopeId` defaults to this socket's
   * interface, which link-local and multicast destinations need. The kernel picks the
   * source address (the interface's link-local one for such destinations). Throws
   * {@link RawIcmpv6Error} (EAGAIN when the send buffer is full, EADDRNOTAVAIL while the
   * link-local address is still tentative, …).
   */
  send(message: Uint8Array, to: Uint8Array, scopeId: number = this.ifindex): void {
    if (this.closed) throw new RawIcmpv6Error(this.device, 'EBADF', `raw ICMPv6 socket on ${this.device} is closed`);
    const buf = Buffer.from(message);
    const addr = encodeSockaddrIn6(to, scopeId);
    const n = libc().sendto(this.fd, buf, buf.length, 0, addr, SOCKADDR_IN6_SIZE);
    if (n < 0) {
      const code = errnoName(errno());
      throw new RawIcmpv6Error(this.device, code, `send on ${this.device} failed: ${code}`);
    }
  }

  /** Ends the receive thread, then closes the socket. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return this.exited;
    this.closed = true;
    const c = libc();
    // Hold the process open until the thread is gone, so the descriptors close after it.
    this.worker.ref();
    c.write(this.wakeWrite, Buffer.from([1]), 1);
    const timer = setTimeout(() => void this.worker.terminate(), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
    for (const f of [this.fd, this.wakeRead, this.wakeWrite]) c.close(f);
  }
}
