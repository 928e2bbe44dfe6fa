/**
 * A TFTP transfer thread: owns the transfer sockets of the transfers it is given and runs
 * them in its own loop through libc (koffi), without libuv.
 *
 * Why: in lock-step a transfer costs one datagram each way per block, and through Node's
 * dgram each ACK costs an event-loop turn, a Buffer and an rinfo object, a send request and
 * its completion. Here an ACK costs one recvfrom and one sendmmsg for the whole window (the
 * kernel gathers each block from the cached file: no copy here), and no allocation. The protocol itself
 * stays in {@link TransferSession}; this file only moves bytes and keeps time.
 *
 * Two ways to wait:
 * - Several transfers: epoll_wait over their sockets and the wake-up pipe, then one
 *   recvfrom per ready socket (level-triggered, so a second datagram brings us back).
 * - One transfer (the common case, and a lock-step benchmark's): a blocking recvfrom on its
 *   socket, bounded by SO_RCVTIMEO for the timers; no epoll_wait per block. The main thread
 *   then cannot wake us through the pipe, so we publish the socket's port in `signal` and it
 *   sends an empty datagram there (from `waker`) after posting a message. Order: we publish
 *   the port, then read the pending count; it posts, then raises the count, then reads the
 *   port. Whichever comes second sees the other's write (sequentially consistent atomics),
 *   so a message is never left waiting for the next datagram.
 *
 * Timers: each session's timer is a deadline, checked every {@link TICK_MS} (retransmission
 * timeouts are ≥ 1 s, RFC 2349), so there is no timer per block.
 */
import { performance } from 'node:perf_hooks';
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { addressOf, EPOLL_DATA_OFFSET, EPOLL_EVENT_BYTES, errno, errnoName, libc } from '../transport/libc.js';
import { Udp4Batch } from '../transport/udp4-batch.js';
import { openUdp4, SOCKADDR_IN_BYTES, sockaddrIn, sockaddrPort, UDP4 } from '../transport/udp4-libc.js';
import { TransferSession, type SessionTimer } from './transfer-session.js';
import {
  SIGNAL_BLOCKED_PORT,
  SIGNAL_PENDING,
  type FromTransferThread,
  type ToTransferThread,
  type TransferStart,
  type TransferThreadData,
} from './transfer-thread-protocol.js';

const EPOLL_CLOEXEC = 0o2000000;
const EPOLL_CTL_ADD = 1;
const EPOLLIN = 0x1;
/** Deadline granularity, and the longest a blocking receive waits. */
const TICK_MS = 20;
/** DATA datagrams per sendmmsg: a window (RFC 7440 allows up to 65535; we grant far fewer). */
const BATCH = 64;
/** Opcode DATA (3) in the top half of a DATA head. */
const DATA_HEAD = 0x00030000;
/** Events taken per epoll_wait. */
const MAX_EVENTS = 64;
/** The epoll key of the wake-up pipe; transfers use their id (≥ 1). */
const WAKE_KEY = 0;

/** The thread's idea of now, read once per datagram or wake-up rather than once per timer arm. */
const clock = { now: performance.now() };

class DeadlineTimer implements SessionTimer {
  deadline = Infinity;
  fire: () => void = () => {};
  arm(ms: number, onExpire: () => void): void {
    this.deadline = clock.now + ms;
    this.fire = onExpire;
  }
  clear(): void {
    this.deadline = Infinity;
  }
}

interface Transfer {
  id: number;
  fd: number;
  /** Our bound port, published while blocked on this socket alone. */
  port: number;
  session: TransferSession;
  timer: DeadlineTimer;
  /** The peer's sockaddr_in, and its first and second 32-bit words for a quick TID check. */
  peerLo: number;
  peerHi: number;
  heardPosted: boolean;
}

/** ERROR 5 "Unknown transfer ID", built once. */
const UNKNOWN_TID = Buffer.from([0, 5, 0, 5, ...Buffer.from('Unknown transfer ID'), 0]);

function run(port: MessagePort, init: TransferThreadData): void {
  const c = libc();
  const post = (m: FromTransferThread): void => port.postMessage(m);
  const signal = new Int32Array(init.signal);
  const waker = Buffer.from(init.waker);
  const wakerLo = waker.readUInt32LE(0);
  const wakerHi = waker.readUInt32LE(4);
  const epfd = c.epollCreate(EPOLL_CLOEXEC);
  if (epfd < 0) return post({ kind: 'fatal', message: `epoll_create1: ${errnoName(errno())}` });
  const ev = Buffer.alloc(EPOLL_EVENT_BYTES);
  const watch = (fd: number, key: number): number => {
    ev.writeUInt32LE(EPOLLIN, 0);
    ev.writeUInt32LE(key, EPOLL_DATA_OFFSET);
    ev.writeUInt32LE(0, EPOLL_DATA_OFFSET + 4);
    return c.epollCtl(epfd, EPOLL_CTL_ADD, fd, ev);
  };
  if (watch(init.wakeFd, WAKE_KEY) < 0) return post({ kind: 'fatal', message: `epoll_ctl: ${errnoName(errno())}` });

  const transfers = new Map<number, Transfer>();
  /** The only transfer, when there is exactly one. */
  let sole: Transfer | null = null;
  const events = Buffer.alloc(EPOLL_EVENT_BYTES * MAX_EVENTS);
  const wakeBuf = Buffer.alloc(256);
  // One receive and one send buffer for every transfer: the thread handles one datagram at a
  // time. The receive side lives in one off-heap arena, passed to recvfrom by address.
  const RBUF_BYTES = 2048;
  const arena = Buffer.from(new ArrayBuffer(RBUF_BYTES + SOCKADDR_IN_BYTES + 8));
  const arenaAt = addressOf(arena);
  const rbuf = arena.subarray(0, RBUF_BYTES);
  const from = arena.subarray(RBUF_BYTES, RBUF_BYTES + SOCKADDR_IN_BYTES);
  const fromLen = arena.subarray(RBUF_BYTES + SOCKADDR_IN_BYTES, RBUF_BYTES + SOCKADDR_IN_BYTES + 4);
  const rbufAt = arenaAt;
  const fromAt = arenaAt + RBUF_BYTES;
  const fromLenAt = fromAt + SOCKADDR_IN_BYTES;
  const recvfromAt = c.recvfromAt;
  const sbuf = Buffer.alloc(4 + 65535);
  const batch = new Udp4Batch(BATCH);
  let stopping = false;

  const changed = (): void => {
    sole = transfers.size === 1 ? (transfers.values().next().value ?? null) : null;
  };

  const begin = (m: TransferStart): void => {
    const peerAddr = sockaddrIn(m.peer.address, m.peer.port);
    const fail = (message: string): void => post({ kind: 'end', id: m.id, outcome: { kind: 'failed', reason: 'socket', message }, retransmits: 0 });
    if (!peerAddr) return fail(`not an IPv4 peer: ${m.peer.address}`);
    const opened = openUdp4(m.bindAddress, m.ports, TICK_MS);
    if (!opened.ok) return fail(opened.error);
    const fd = opened.fd;
    if (watch(fd, m.id) < 0) {
      c.close(fd);
      return fail(`epoll_ctl: ${errnoName(errno())}`);
    }
    const data = Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
    // DATA is gathered by the kernel straight from the file's bytes (shared, never moved).
    const dataAt = data.length === 0 ? 0 : addressOf(data);
    const timer = new DeadlineTimer();
    const t: Transfer = {
      id: m.id,
      fd,
      port: sockaddrPort(opened.local),
      timer,
      peerLo: peerAddr.readUInt32LE(0),
      peerHi: peerAddr.readUInt32LE(4),
      heardPosted: false,
      session: new TransferSession({
        peer: m.peer,
        data,
        blksize: m.blksize,
        windowsize: m.windowsize,
        timeoutMs: m.timeoutMs,
        retries: m.retries,
        oack: m.oack,
        timer,
        // Sockets are blocking: a full send buffer waits a moment for the device rather than losing a block.
        send: (chunks) => {
          batch.flush(fd, peerAddr);
          let n = 0;
          for (const chunk of chunks) {
            sbuf.set(chunk, n);
            n += chunk.byteLength;
          }
          c.sendto(fd, sbuf, n, 0, peerAddr, SOCKADDR_IN_BYTES);
        },
        sendData: (block, start, stop) => batch.add(fd, peerAddr, DATA_HEAD | block, dataAt + start, stop - start),
        flush: () => batch.flush(fd, peerAddr),
        onDrop: (reason) => post({ kind: 'drop', id: m.id, reason }),
        onEnd: (outcome) => {
          end(t);
          post({ kind: 'end', id: m.id, outcome, retransmits: t.session.retransmits });
        },
      }),
    };
    transfers.set(m.id, t);
    changed();
    t.session.start();
  };

  const end = (t: Transfer): void => {
    if (!transfers.delete(t.id)) return;
    c.close(t.fd);
    changed();
  };

  const onMessages = (): void => {
    clock.now = performance.now();
    Atomics.store(signal, SIGNAL_PENDING, 0);
    c.read(init.wakeFd, wakeBuf, wakeBuf.length);
    for (;;) {
      const got = receiveMessageOnPort(port);
      if (!got) return;
      const m = got.message as ToTransferThread;
      if (m.kind === 'start') begin(m);
      else if (m.kind === 'cancel') {
        // Silently: the main thread has already accounted for it.
        const t = transfers.get(m.id);
        if (t) end(t);
      } else stopping = true;
    }
  };

  /** Reads one datagram from `t`'s socket (`flags` 0: blocking, up to TICK_MS) and acts on it. */
  const receive = (t: Transfer, flags: number): void => {
    fromLen.writeUInt32LE(SOCKADDR_IN_BYTES, 0);
    const n = recvfromAt(t.fd, rbufAt, RBUF_BYTES, flags, fromAt, fromLenAt);
    clock.now = performance.now();
    if (n < 0) return;
    const lo = from.readUInt32LE(0);
    const hi = from.readUInt32LE(4);
    if (lo !== t.peerLo || hi !== t.peerHi) {
      // The main thread's wake-up: the caller looks at the message count next.
      if (lo === wakerLo && hi === wakerHi) return;
      // RFC 1350 §4: a stranger gets ERROR 5; the transfer carries on undisturbed.
      c.sendto(t.fd, UNKNOWN_TID, UNKNOWN_TID.length, 0, from, SOCKADDR_IN_BYTES);
      return;
    }
    if (n === 4 && rbuf[0] === 0 && rbuf[1] === 4) t.session.ack((rbuf[2]! << 8) | rbuf[3]!);
    else t.session.receiveFromPeer(rbuf.subarray(0, n));
    if (!t.heardPosted && t.session.heardFromPeer && transfers.has(t.id)) {
      t.heardPosted = true;
      post({ kind: 'heard', id: t.id });
    }
  };

  let nextTick = performance.now() + TICK_MS;
  try {
    while (!stopping) {
      const one = sole as Transfer | null;
      if (one) {
        Atomics.store(signal, SIGNAL_BLOCKED_PORT, one.port);
        if (Atomics.load(signal, SIGNAL_PENDING) === 0) receive(one, 0);
        Atomics.store(signal, SIGNAL_BLOCKED_PORT, 0);
        if (Atomics.load(signal, SIGNAL_PENDING) !== 0) onMessages();
      } else {
        const wait = transfers.size === 0 ? -1 : Math.max(0, Math.ceil(nextTick - performance.now()));
        const ready = c.epollWait(epfd, events, MAX_EVENTS, wait);
        clock.now = performance.now();
        if (ready < 0 && errno() !== UDP4.EINTR) return post({ kind: 'fatal', message: `epoll_wait: ${errnoName(errno())}` });
        for (let i = 0; i < ready; i++) {
          const key = events.readUInt32LE(i * EPOLL_EVENT_BYTES + EPOLL_DATA_OFFSET);
          if (key === WAKE_KEY) onMessages();
          else {
            const t = transfers.get(key);
            if (t) receive(t, UDP4.MSG_DONTWAIT);
          }
        }
      }
      const now = clock.now;
      if (now >= nextTick && transfers.size > 0) {
        nextTick = now + TICK_MS;
        for (const t of [...transfers.values()]) {
          if (t.timer.deadline > now) continue;
          t.timer.deadline = Infinity;
          t.timer.fire();
        }
      }
    }
  } finally {
    for (const t of transfers.values()) c.close(t.fd);
    transfers.clear();
    c.close(epfd);
  }
}

if (parentPort) {
  const init = workerData as TransferThreadData & { port: MessagePort };
  run(init.port, init);
}
