/**
 * A batch of UDP datagrams sent with one sendmmsg(2), each a 4-byte head followed by a
 * slice of a buffer the caller keeps alive, gathered by the kernel (two iovecs): no copy
 * of the payload in JavaScript, one libc call per batch. Made for TFTP DATA (head = opcode
 * and block number, payload = a view of the cached file), one window per batch.
 *
 * All structures live in one off-heap arena whose addresses are fixed at construction, so
 * adding a datagram writes a head, a pointer and a length, nothing else. Linux LP64 layout.
 */
import { addressOf, libc } from './libc.js';
import { SOCKADDR_IN_BYTES } from './udp4-libc.js';

/** sizeof(struct mmsghdr) and of struct iovec on LP64. */
const MMSGHDR_BYTES = 64;
const IOVEC_BYTES = 16;
const TWO32 = 2 ** 32;

function write64(buf: Buffer, at: number, value: number): void {
  buf.writeUInt32LE(value % TWO32, at);
  buf.writeUInt32LE(Math.floor(value / TWO32), at + 4);
}

export class Udp4Batch {
  /** Datagrams queued. */
  count = 0;
  private readonly arena: Buffer;
  /** Native address of the first struct mmsghdr. */
  private readonly msgsAddr: number;
  private readonly sendmmsgAt = libc().sendmmsgAt;
  private readonly nameAt = 0;
  private readonly headsAt: number;
  private readonly iovsAt: number;
  private readonly msgsAt: number;

  /** Up to `capacity` datagrams per batch; {@link add} sends a full batch itself. */
  constructor(readonly capacity: number) {
    this.headsAt = SOCKADDR_IN_BYTES;
    this.iovsAt = this.headsAt + 4 * capacity;
    this.msgsAt = this.iovsAt + 2 * IOVEC_BYTES * capacity;
    // Larger than V8 keeps on its heap, so the addresses below stay valid.
    this.arena = Buffer.from(new ArrayBuffer(Math.max(128, this.msgsAt + MMSGHDR_BYTES * capacity)));
    const base = addressOf(this.arena);
    this.msgsAddr = base + this.msgsAt;
    for (let i = 0; i < capacity; i++) {
      const iov = this.iovsAt + 2 * IOVEC_BYTES * i;
      write64(this.arena, iov, base + this.headsAt + 4 * i);
      write64(this.arena, iov + 8, 4);
      const m = this.msgsAt + MMSGHDR_BYTES * i;
      write64(this.arena, m, base + this.nameAt);
      this.arena.writeUInt32LE(SOCKADDR_IN_BYTES, m + 8);
      write64(this.arena, m + 16, base + iov);
      write64(this.arena, m + 24, 2);
    }
  }

  /**
   * Queues one datagram to `peer`: `head` (4 bytes, big-endian) then `length` bytes at native
   * address `payload`. A batch goes to one peer over one socket; when full it is sent.
   */
  add(fd: number, peer: Buffer, head: number, payload: number, length: number): void {
    if (this.count === this.capacity) this.flush(fd, peer);
    const i = this.count++;
    this.arena.writeUInt32BE(head >>> 0, this.headsAt + 4 * i);
    const iov = this.iovsAt + 2 * IOVEC_BYTES * i + IOVEC_BYTES;
    write64(this.arena, iov, payload);
    write64(this.arena, iov + 8, length);
  }

  /**
   * Sends what is queued. A datagram the kernel refuses is skipped: to the peer it is a lost
   * datagram, which the protocol's retransmission covers. Returns how many were queued.
   */
  flush(fd: number, peer: Buffer): number {
    const n = this.count;
    this.count = 0;
    if (n === 0) return 0;
    peer.copy(this.arena, this.nameAt, 0, SOCKADDR_IN_BYTES);
    let sent = 0;
    while (sent < n) {
      const r = this.sendmmsgAt(fd, this.msgsAddr + MMSGHDR_BYTES * sent, n - sent, 0);
      sent += r > 0 ? r : 1;
    }
    return n;
  }
}
