/**
 * Datagrams to many peers, sent together with one sendmmsg(2) at the end of the event-loop
 * turn that produced them. Made for DHCP replies: under load a turn answers tens of clients,
 * and one system call for all of them (instead of one libuv send each) also means one wake-up
 * of whoever reads them rather than one per datagram. At idle a turn holds one reply, which
 * leaves at the end of that same turn: no added delay.
 *
 * Each datagram is copied into a fixed slot of one off-heap arena (its addresses never move),
 * with its own sockaddr_in and iovec: queueing writes bytes, nothing is allocated. A datagram
 * larger than a slot, or to an address that is not a dotted quad, is refused ({@link queue}
 * returns false) and the caller sends it another way. Linux LP64 layout.
 */
import { addressOf, errno, errnoName, libc } from './libc.js';
import { SOCKADDR_IN_BYTES, UDP4 } from './udp4-libc.js';

/** sizeof(struct mmsghdr) and of struct iovec on LP64. */
const MMSGHDR_BYTES = 64;
const IOVEC_BYTES = 16;
const TWO32 = 2 ** 32;
const ENOBUFS = 105;

/** Called once the kernel took the datagram (null) or refused it. */
export type SentCallback = (err: Error | null) => void;

function write64(buf: Buffer, at: number, value: number): void {
  buf.writeUInt32LE(value % TWO32, at);
  buf.writeUInt32LE(Math.floor(value / TWO32), at + 4);
}

/** A dotted quad as a 32-bit number, or -1. Hand-parsed: this runs per reply. */
export function ipv4Number(address: string): number {
  let value = 0;
  let part = -1;
  let dots = 0;
  for (let i = 0; i < address.length; i++) {
    const c = address.charCodeAt(i);
    if (c === 46) {
      if (part < 0 || ++dots > 3) return -1;
      value = value * 256 + part;
      part = -1;
    } else if (c >= 48 && c <= 57) {
      part = part < 0 ? c - 48 : part * 10 + (c - 48);
      if (part > 255) return -1;
    } else return -1;
  }
  if (part < 0 || dots !== 3) return -1;
  return value * 256 + part;
}

export class UdpOutbox {
  private readonly arena: Buffer;
  private readonly msgsAddr: number;
  private readonly namesAt = 0;
  private readonly dataAt: number;
  private readonly iovsAt: number;
  private readonly msgsAt: number;
  private readonly callbacks: (SentCallback | null)[];
  private count = 0;
  private scheduled: NodeJS.Immediate | null = null;
  private readonly sendmmsgAt = libc().sendmmsgAt;

  /**
   * `capacity` datagrams of up to `slotBytes` each per system call; a full outbox is sent at
   * once. `fd` is a bound, non-blocking UDP socket the caller keeps open while this is used.
   */
  constructor(
    private readonly fd: number,
    readonly capacity = 64,
    readonly slotBytes = 1500,
  ) {
    this.dataAt = SOCKADDR_IN_BYTES * capacity;
    this.iovsAt = this.dataAt + slotBytes * capacity;
    this.msgsAt = this.iovsAt + IOVEC_BYTES * capacity;
    this.arena = Buffer.from(new ArrayBuffer(this.msgsAt + MMSGHDR_BYTES * capacity));
    const base = addressOf(this.arena);
    this.msgsAddr = base + this.msgsAt;
    this.callbacks = new Array<SentCallback | null>(capacity).fill(null);
    for (let i = 0; i < capacity; i++) {
      const name = this.namesAt + SOCKADDR_IN_BYTES * i;
      this.arena.writeUInt16LE(UDP4.AF_INET, name);
      const iov = this.iovsAt + IOVEC_BYTES * i;
      write64(this.arena, iov, base + this.dataAt + slotBytes * i);
      const m = this.msgsAt + MMSGHDR_BYTES * i;
      write64(this.arena, m, base + name);
      this.arena.writeUInt32LE(SOCKADDR_IN_BYTES, m + 8);
      write64(this.arena, m + 16, base + iov);
      write64(this.arena, m + 24, 1);
    }
  }

  /**
   * Queues `data` (copied) for `address:port`; it leaves at the end of this event-loop turn.
   * False (nothing queued) when it does not fit a slot or `address` is not a dotted quad.
   */
  queue(data: Uint8Array, port: number, address: string, done: SentCallback | null): boolean {
    const ip = ipv4Number(address);
    if (ip < 0 || data.length > this.slotBytes || port < 0 || port > 0xffff) return false;
    if (this.count === this.capacity) this.flush();
    const i = this.count++;
    const name = this.namesAt + SOCKADDR_IN_BYTES * i;
    this.arena.writeUInt16BE(port, name + 2);
    this.arena.writeUInt32BE(ip, name + 4);
    this.arena.set(data, this.dataAt + this.slotBytes * i);
    write64(this.arena, this.iovsAt + IOVEC_BYTES * i + 8, data.length);
    this.callbacks[i] = done;
    this.scheduled ??= setImmediate(() => this.flush());
    return true;
  }

  /**
   * Sends everything queued now. A datagram the kernel refuses (ENOBUFS, a route gone) is
   * reported to its callback and skipped: to its peer it is a lost datagram, which DHCP's
   * retransmission covers.
   */
  flush(): void {
    if (this.scheduled !== null) {
      clearImmediate(this.scheduled);
      this.scheduled = null;
    }
    const n = this.count;
    this.count = 0;
    // Callbacks run after every datagram has left: one that queues again then writes slots
    // no longer needed.
    let failed: Map<number, Error> | null = null;
    let at = 0;
    while (at < n) {
      const r = this.sendmmsgAt(this.fd, this.msgsAddr + MMSGHDR_BYTES * at, n - at, 0);
      if (r > 0) {
        at += r;
        continue;
      }
      const e = errno();
      if (e === UDP4.EINTR) continue;
      const code = e === UDP4.EAGAIN ? 'EAGAIN (socket send buffer full)' : e === ENOBUFS ? 'ENOBUFS' : errnoName(e);
      (failed ??= new Map()).set(at, Object.assign(new Error(`sendmmsg: ${code}`), { code: errnoName(e) }));
      at++;
    }
    for (let i = 0; i < n; i++) {
      const done = this.callbacks[i];
      this.callbacks[i] = null;
      done?.(failed?.get(i) ?? null);
    }
  }

  /** Datagrams waiting for the end of the turn. */
  get pending(): number {
    return this.count;
  }
}
