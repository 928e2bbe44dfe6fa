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
import { parseIpv4 } from '../wire/ipv4-text.js';

/** sizeof(struct mmsghdr) and of struct iovec on LP64. */
const MMSGHDR_BYTES = 64;
const IOVEC_BYTES = 16;
const TWO32 = 2 ** 32;

/** Called once the kernel took the datagram (null) or refused it. */
export type SentCallback = (err: Error | null) => void;

function write64(buf: Buffer, at: number, value: number): void {
  buf.writeUInt32LE(value % TWO32, at);
  buf.writeUInt32LE(Math.floor(value / TWO32), at + 4);
}

export interface UdpOutboxOptions {
  /** Datagrams per system call (default 64); a full outbox is sent at once. */
  capacity?: number;
  /** Largest datagram taken (default 1 500 bytes); larger ones are refused by {@link UdpOutbox.queue}. */
  slotBytes?: number;
  /** Sends what a full send buffer refused another way, in order (default none: those fail). */
  overflow?: (data: Buffer, port: number, address: string, done: SentCallback | null) => void;
  /** Gets what a callback threw (default: rethrown on a later turn, as any uncaught error). */
  onCallbackError?: (err: unknown) => void;
  /** sendmmsg(2) returning the count sent or -errno; for tests. Default: libc's. */
  sendmmsg?: (fd: number, msgs: number, count: number) => number;
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

  readonly capacity: number;
  readonly slotBytes: number;
  private readonly overflow: ((data: Buffer, port: number, address: string, done: SentCallback | null) => void) | null;
  private readonly onCallbackError: (err: unknown) => void;
  private readonly send: (fd: number, msgs: number, count: number) => number;

  /**
   * `fd` is a bound, non-blocking UDP socket the caller keeps open while this is used.
   */
  constructor(
    private readonly fd: number,
    opts: UdpOutboxOptions = {},
  ) {
    const capacity = (this.capacity = opts.capacity ?? 64);
    const slotBytes = (this.slotBytes = opts.slotBytes ?? 1500);
    this.overflow = opts.overflow ?? null;
    this.onCallbackError =
      opts.onCallbackError ??
      ((err) =>
        queueMicrotask(() => {
          throw err;
        }));
    const sendmmsgAt = libc().sendmmsgAt;
    this.send =
      opts.sendmmsg ??
      ((fd, msgs, count) => {
        const r = sendmmsgAt(fd, msgs, count, 0);
        return r >= 0 ? r : -errno();
      });
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
    const ip = parseIpv4(address);
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
   * Sends everything queued now. When the socket's send buffer is full (EAGAIN) the rest goes to
   * `overflow` in order (libuv's queue, which waits for the socket to drain) instead of being
   * lost. A datagram the kernel refuses outright (no route, EACCES) is reported to its callback
   * and skipped: to its peer it is a lost datagram, which DHCP's retransmission covers.
   */
  flush(): void {
    if (this.scheduled !== null) {
      clearImmediate(this.scheduled);
      this.scheduled = null;
    }
    const n = this.count;
    this.count = 0;
    // Every slot is free before any callback runs: one that queues again (even a whole batch,
    // flushing it from inside this one) starts a new batch. One array per flush, not per datagram.
    const settling = this.callbacks.slice(0, n);
    for (let i = 0; i < n; i++) this.callbacks[i] = null;
    let failed: Map<number, Error> | null = null;
    let at = 0;
    while (at < n) {
      const r = this.send(this.fd, this.msgsAddr + MMSGHDR_BYTES * at, n - at);
      if (r > 0) {
        at += r;
        continue;
      }
      const e = -r;
      if (e === UDP4.EINTR) continue;
      if (e === UDP4.EAGAIN && this.overflow !== null) {
        for (let i = at; i < n; i++) this.handOver(i, settling[i] ?? null);
        for (let i = at; i < n; i++) settling[i] = null;
        break;
      }
      (failed ??= new Map()).set(at, Object.assign(new Error(`sendmmsg: ${errnoName(e)}`), { code: errnoName(e) }));
      at++;
    }
    for (let i = 0; i < n; i++) {
      const done = settling[i];
      if (done === null || done === undefined) continue;
      try {
        done(failed?.get(i) ?? null);
      } catch (err) {
        // A callback's failure is its own; the other datagrams' callbacks still run.
        this.onCallbackError(err);
      }
    }
  }

  /** A copy of slot `i` to {@link overflow}, which reports to `done` itself. */
  private handOver(i: number, done: SentCallback | null): void {
    const name = this.namesAt + SOCKADDR_IN_BYTES * i;
    const a = this.arena;
    const length = Number(a.readBigUInt64LE(this.iovsAt + IOVEC_BYTES * i + 8));
    const start = this.dataAt + this.slotBytes * i;
    this.overflow?.(Buffer.from(a.subarray(start, start + length)), a.readUInt16BE(name + 2), `${a[name + 4]}.${a[name + 5]}.${a[name + 6]}.${a[name + 7]}`, done);
  }

  /** Datagrams waiting for the end of the turn. */
  get pending(): number {
    return this.count;
  }
}
