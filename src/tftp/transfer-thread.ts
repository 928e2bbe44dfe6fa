/**
 * A TFTP transfer thread: owns the transfer sockets of the transfers it is given and runs
 * them in one epoll(7) loop through libc (koffi), without libuv.
 *
 * Why: in lock-step a transfer costs one datagram each way per block, and through Node's
 * dgram each ACK costs an event-loop turn, a Buffer and rinfo object, a send request and
 * its completion. Here an ACK costs epoll_wait + recvfrom + sendto and no allocation:
 * the same three syscalls tftpd-hpa makes (poll, recv, send). The protocol itself stays in
 * {@link TransferSession}; this file only moves bytes and keeps time.
 *
 * Timers: each session's timer is a deadline; deadlines are checked every {@link TICK_MS}
 * (retransmission timeouts are ≥ 1 s, RFC 2349), so there is no timer per block.
 */
import { performance } from 'node:perf_hooks';
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { EPOLL_DATA_OFFSET, EPOLL_EVENT_BYTES, errno, errnoName, libc } from '../transport/libc.js';
import { TransferSession, type SessionTimer } from './transfer-session.js';
import type { FromTransferThread, ToTransferThread, TransferStart, TransferThreadData } from './transfer-thread-protocol.js';

const AF_INET = 2;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const EPOLL_CLOEXEC = 0o2000000;
const EPOLL_CTL_ADD = 1;
const EPOLLIN = 0x1;
const MSG_DONTWAIT = 0x40;
const EINTR = 4;
const SOCKADDR_IN_BYTES = 16;
/** Deadline granularity. */
const TICK_MS = 20;
/** Events taken per epoll_wait. */
const MAX_EVENTS = 64;
/** The epoll key of the wake-up pipe; transfers use their id (≥ 1). */
const WAKE_KEY = 0;

class DeadlineTimer implements SessionTimer {
  deadline = Infinity;
  fire: () => void = () => {};
  arm(ms: number, onExpire: () => void): void {
    this.deadline = performance.now() + ms;
    this.fire = onExpire;
  }
  clear(): void {
    this.deadline = Infinity;
  }
}

interface Transfer {
  id: number;
  fd: number;
  session: TransferSession;
  timer: DeadlineTimer;
  /** The peer's sockaddr_in, and its first and second 32-bit words for a quick TID check. */
  peerAddr: Buffer;
  peerLo: number;
  peerHi: number;
  heardPosted: boolean;
}

function sockaddrIn(address: string, port: number): Buffer | null {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return null;
  const b = Buffer.alloc(SOCKADDR_IN_BYTES);
  b.writeUInt16LE(AF_INET, 0);
  b.writeUInt16BE(port, 2);
  for (let i = 0; i < 4; i++) b[4 + i] = parts[i]!;
  return b;
}

function run(port: MessagePort, init: TransferThreadData): void {
  const c = libc();
  const post = (m: FromTransferThread): void => port.postMessage(m);
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
  const events = Buffer.alloc(EPOLL_EVENT_BYTES * MAX_EVENTS);
  const wakeBuf = Buffer.alloc(256);
  // One receive and one send buffer for every transfer: the thread handles one datagram at a time.
  const rbuf = Buffer.alloc(2048);
  const from = Buffer.alloc(SOCKADDR_IN_BYTES);
  const fromLen = Buffer.alloc(4);
  const sbuf = Buffer.alloc(4 + 65535);
  let stopping = false;

  const sendBytes = (fd: number, bytes: Uint8Array, to: Buffer): void => {
    // A blocking socket: a full send buffer waits a moment for the device rather than losing a block.
    c.sendto(fd, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), bytes.byteLength, 0, to, SOCKADDR_IN_BYTES);
  };

  const end = (t: Transfer): void => {
    transfers.delete(t.id);
    c.close(t.fd);
  };

  const begin = (m: TransferStart): void => {
    const peerAddr = sockaddrIn(m.peerAddress, m.peerPort);
    const fail = (message: string): void =>
      post({ kind: 'end', id: m.id, outcome: { kind: 'failed', reason: 'socket', message }, retransmits: 0 });
    if (!peerAddr) return fail(`not an IPv4 peer: ${m.peerAddress}`);
    const fd = c.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return fail(`socket: ${errnoName(errno())}`);
    let bound = false;
    let lastErr = 0;
    const first = m.ports?.start ?? 0;
    const last = m.ports?.end ?? 0;
    for (let p = first; p <= last && !bound; p++) {
      const addr = sockaddrIn(m.bindAddress, p);
      if (!addr) break;
      if (c.bind(fd, addr, SOCKADDR_IN_BYTES) === 0) bound = true;
      else lastErr = errno();
    }
    if (!bound || watch(fd, m.id) < 0) {
      c.close(fd);
      return fail(`bind ${m.bindAddress}: ${errnoName(lastErr || errno())}`);
    }
    const data = Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
    const timer = new DeadlineTimer();
    const t: Transfer = {
      id: m.id,
      fd,
      timer,
      peerAddr,
      peerLo: peerAddr.readUInt32LE(0),
      peerHi: peerAddr.readUInt32LE(4),
      heardPosted: false,
      session: new TransferSession({
        peer: { address: m.peerAddress, port: m.peerPort },
        data,
        blksize: m.blksize,
        windowsize: m.windowsize,
        timeoutMs: m.timeoutMs,
        retries: m.retries,
        oack: m.oack,
        timer,
        send: (chunks) => {
          let n = 0;
          for (const chunk of chunks) {
            sbuf.set(chunk, n);
            n += chunk.byteLength;
          }
          c.sendto(fd, sbuf, n, 0, peerAddr, SOCKADDR_IN_BYTES);
        },
        sendData: (block, start, stop) => {
          sbuf[0] = 0;
          sbuf[1] = 3;
          sbuf[2] = block >>> 8;
          sbuf[3] = block & 0xff;
          data.copy(sbuf, 4, start, stop);
          c.sendto(fd, sbuf, 4 + stop - start, 0, peerAddr, SOCKADDR_IN_BYTES);
        },
        onDrop: (reason) => post({ kind: 'drop', id: m.id, reason }),
        onEnd: (outcome) => {
          end(t);
          post({ kind: 'end', id: m.id, outcome, retransmits: t.session.retransmits });
        },
      }),
    };
    transfers.set(m.id, t);
    t.session.start();
  };

  const onMessages = (): void => {
    for (;;) {
      const got = receiveMessageOnPort(port);
      if (!got) return;
      const m = got.message as ToTransferThread;
      if (m.kind === 'start') begin(m);
      else if (m.kind === 'cancel') {
        const t = transfers.get(m.id);
        // Silently: the main thread has already accounted for it.
        if (t) end(t);
      } else stopping = true;
    }
  };

  /** One datagram from a transfer socket (level-triggered epoll brings us back for the next). */
  const onReadable = (t: Transfer): void => {
    fromLen.writeUInt32LE(SOCKADDR_IN_BYTES, 0);
    const n = c.recvfrom(t.fd, rbuf, rbuf.length, MSG_DONTWAIT, from, fromLen);
    if (n < 0) return;
    if (from.readUInt32LE(0) !== t.peerLo || from.readUInt32LE(4) !== t.peerHi) {
      // RFC 1350 §4: a stranger gets ERROR 5; the transfer carries on undisturbed.
      sendBytes(t.fd, UNKNOWN_TID, from);
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
      const wait = transfers.size === 0 ? -1 : Math.max(0, Math.ceil(nextTick - performance.now()));
      const ready = c.epollWait(epfd, events, MAX_EVENTS, wait);
      if (ready < 0 && errno() !== EINTR) return post({ kind: 'fatal', message: `epoll_wait: ${errnoName(errno())}` });
      for (let i = 0; i < ready; i++) {
        const key = events.readUInt32LE(i * EPOLL_EVENT_BYTES + EPOLL_DATA_OFFSET);
        if (key === WAKE_KEY) {
          c.read(init.wakeFd, wakeBuf, wakeBuf.length);
          onMessages();
          continue;
        }
        const t = transfers.get(key);
        if (t) onReadable(t);
      }
      const now = performance.now();
      if (now >= nextTick) {
        nextTick = now + TICK_MS;
        for (const t of [...transfers.values()]) if (t.timer.deadline <= now) {
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

/** ERROR 5 "Unknown transfer ID", built once. */
const UNKNOWN_TID = Buffer.from([0, 5, 0, 5, ...Buffer.from('Unknown transfer ID'), 0]);

if (parentPort) {
  const init = workerData as TransferThreadData & { port: MessagePort };
  run(init.port, init);
}
