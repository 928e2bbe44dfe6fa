/**
 * Zero-copy transfers of file ranges to sockets with sendfile(2), on a worker thread.
 *
 * Why a thread: the main thread cannot wait for a raw socket to become writable (libuv owns
 * its epoll), a blocking call through koffi's `.async` would pin a libuv pool thread that
 * file reads need, and a sendfile that has to read a cold file from disk blocks. This
 * thread blocks instead, in poll(2) on every transfer's socket plus a wake-up pipe, and
 * calls sendfile on the non-blocking sockets as they drain.
 *
 * Descriptors: the main thread hands over its own dup()s of the socket and the file, and
 * only this thread closes them, exactly once, when the transfer ends (done, failed, aborted).
 * So a descriptor number the main thread closed and the kernel reused can never be written
 * to from here.
 */
import { parentPort } from 'node:worker_threads';
import { LINUX, errno, errnoName, sendfileLibc, setCork } from './sendfile-libc.js';

export type SendfileCommand =
  | { kind: 'start'; id: number; sock: number; file: number; offset: number; length: number; idleMs: number }
  | { kind: 'abort'; id: number }
  | { kind: 'stop' };

/** `error` null: all `length` bytes went out. Else an errno name, `stalled`, `truncated` or `aborted`. */
export interface SendfileDone {
  kind: 'done';
  id: number;
  sent: number;
  error: string | null;
}

export interface SendfileWorkerData {
  /** Read end of the wake-up pipe: a byte there means a command is waiting. */
  wakeFd: number;
}

interface Transfer {
  id: number;
  sock: number;
  file: number;
  /** Next file offset, in the 8-byte buffer sendfile advances. */
  offset: Buffer;
  remaining: number;
  sent: number;
  idleMs: number;
  lastProgress: number;
  /** Try sendfile now (new, or poll said writable); false while waiting for POLLOUT. */
  ready: boolean;
}

/** Per call: large enough to fill any socket buffer, small enough to stay fair between transfers. */
const CHUNK = 8 << 20;
/** sendfile calls per transfer per turn before the others get theirs. */
const CALLS_PER_TURN = 4;

function run(port: NonNullable<typeof parentPort>, wakeFd: number): void {
  const c = sendfileLibc();
  const transfers = new Map<number, Transfer>();
  const drain = Buffer.alloc(64);
  let scheduled = false;

  const finish = (t: Transfer, error: string | null): void => {
    transfers.delete(t.id);
    // The main thread corked the socket before the head (zero-copy-sender.ts): the tail of the
    // body goes now, and the connection's next response is not held back.
    setCork(c, t.sock, false);
    // Posted before the descriptors are closed: should this thread die in between, the main
    // thread (which closes what a dead thread held) leaks two descriptors rather than closing
    // numbers the kernel may have reused.
    const done: SendfileDone = { kind: 'done', id: t.id, sent: t.sent, error };
    port.postMessage(done);
    c.close(t.sock);
    c.close(t.file);
  };

  const sendSome = (t: Transfer): void => {
    for (let calls = 0; calls < CALLS_PER_TURN; ) {
      const n = c.sendfile(t.sock, t.file, t.offset, Math.min(t.remaining, CHUNK));
      if (n > 0) {
        t.sent += n;
        t.remaining -= n;
        t.lastProgress = Date.now();
        calls++;
        if (t.remaining === 0) return finish(t, null);
        continue;
      }
      // 0 at a non-zero count: the file ended early (it shrank); the client was promised more.
      if (n === 0) return finish(t, 'truncated');
      const e = errno();
      if (e === LINUX.EINTR) continue;
      if (e === LINUX.EAGAIN) {
        t.ready = false;
        return;
      }
      return finish(t, errnoName(e));
    }
  };

  // Reused from round to round: a storm's thousand transfers poll many times a second, and a
  // fresh array and buffer each round grew this thread's young heap by tens of MiB.
  const waiting: Transfer[] = [];
  let fds = Buffer.alloc(8 * 64);

  const pump = (): void => {
    scheduled = false;
    waiting.length = 0;
    for (const t of transfers.values()) waiting.push(t);
    for (const t of waiting) if (t.ready) sendSome(t);
    if (transfers.size === 0) return; // nothing to wait for: sleep until a command arrives
    waiting.length = 0;
    for (const t of transfers.values()) waiting.push(t);
    if (fds.length < 8 * (waiting.length + 1)) fds = Buffer.alloc(16 * (waiting.length + 1));
    fds.writeInt32LE(wakeFd, 0);
    fds.writeInt32LE(LINUX.POLLIN, 4); // events, and revents zeroed
    const now = Date.now();
    let anyReady = false;
    let timeout = 1000;
    for (let i = 0; i < waiting.length; i++) {
      const t = waiting[i]!;
      fds.writeInt32LE(t.sock, 8 * (i + 1));
      // Ready ones poll too (revents comes back at once) so the wake pipe is still seen.
      fds.writeInt32LE(LINUX.POLLOUT, 8 * (i + 1) + 4);
      if (t.ready) anyReady = true;
      else timeout = Math.min(timeout, Math.max(0, t.lastProgress + t.idleMs - now));
    }
    const r = c.poll(fds, waiting.length + 1, anyReady ? 0 : timeout);
    if (r < 0 && errno() !== LINUX.EINTR) {
      const why = `poll: ${errnoName(errno())}`;
      for (const t of waiting) finish(t, why);
      return;
    }
    if (r > 0) {
      if (fds.readInt16LE(6) !== 0) while (c.read(wakeFd, drain, drain.length) > 0);
      for (let i = 0; i < waiting.length; i++) {
        // POLLERR/POLLHUP: the next sendfile reports the error (EPIPE, ECONNRESET).
        if (fds.readInt16LE(8 * (i + 1) + 6) !== 0) waiting[i]!.ready = true;
      }
    }
    const later = Date.now();
    for (const t of waiting) if (!t.ready && transfers.has(t.id) && later - t.lastProgress >= t.idleMs) finish(t, 'stalled');
    waiting.length = 0;
    schedule();
  };

  // Back to this thread's event loop between rounds, so commands posted meanwhile are read.
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(pump);
  };

  port.on('message', (m: SendfileCommand) => {
    if (m.kind === 'start') {
      const offset = Buffer.alloc(8);
      offset.writeBigInt64LE(BigInt(m.offset));
      const t: Transfer = { id: m.id, sock: m.sock, file: m.file, offset, remaining: m.length, sent: 0, idleMs: m.idleMs, lastProgress: Date.now(), ready: true };
      transfers.set(t.id, t);
      if (t.remaining === 0) finish(t, null);
    } else if (m.kind === 'abort') {
      const t = transfers.get(m.id);
      if (t) finish(t, 'aborted');
    } else {
      for (const t of [...transfers.values()]) finish(t, 'aborted');
      c.close(wakeFd);
      port.close();
      return;
    }
    schedule();
  });
}

if (parentPort) {
  const { workerData } = await import('node:worker_threads');
  run(parentPort, (workerData as SendfileWorkerData).wakeFd);
}
