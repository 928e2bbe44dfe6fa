/**
 * Main-thread side of zero-copy file serving (sendfile-worker.ts): hands a response body — a
 * byte range of an open file — to the transfer thread, which writes it to the response's own
 * socket with sendfile(2), and settles when it is out or failed. Node's stream then never sees
 * the body bytes: no read into a Buffer, no copy back into the kernel.
 *
 * Whether it can be used is decided per request (`begin` returns null: the caller streams
 * instead): koffi or the worker may be unavailable, the socket may have no descriptor, and
 * once the worker has failed it is not used again. The thread starts with the first transfer
 * and stops after `idleStopMs` without one.
 */
import type { FileHandle } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import { LINUX, errno, errnoName, sendfileLibc, setCork, type SendfileLibc } from './sendfile-libc.js';
import type { SendfileCommand, SendfileDone, SendfileWorkerData } from './sendfile-worker.js';

export interface ZeroCopyResult {
  sent: number;
  /** null: every byte went out. Else an errno name (`EPIPE`, …), `stalled`, `truncated`, `aborted` or `worker`. */
  error: string | null;
}

/** A transfer under way: `done` settles once the transfer thread has let go of its descriptors. */
export interface ZeroCopyTransfer {
  done: Promise<ZeroCopyResult>;
  abort(): void;
}

const WAKE = Buffer.from([1]);

/** One transfer thread and the write end of its wake-up pipe. */
interface TransferThread {
  worker: Worker;
  wakeWrite: number;
}

export class ZeroCopySender {
  private thread: TransferThread | null = null;
  private libc: SendfileLibc | null = null;
  private broken = false;
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;
  /** Threads told to stop (idle, or by stop()) that have not exited yet. */
  private readonly exiting = new Set<Promise<void>>();
  /** Transfers handed to the thread: how to settle each, and the descriptors the thread holds for it. */
  private readonly pending = new Map<number, { settle: (r: ZeroCopyResult) => void; fds: [number, number] }>();

  /**
   * @param idleStopMs The thread is stopped once no transfer has run for this long (its V8
   *   isolate is ~9 MiB resident), and started again by the next large file.
   */
  constructor(private readonly idleStopMs = 30_000) {}

  /**
   * Corks `socket` (TCP_CORK, see `setCork`) so the response head, written next, waits in the
   * kernel for the first body bytes. The transfer thread uncorks when the transfer ends; a
   * caller that then does not call {@link begin} (or whose `begin` returns null) must call
   * {@link uncork}. False (nothing done) where zero-copy cannot be used.
   */
  cork(socket: Socket): boolean {
    const fd = socketFd(socket);
    if (fd === null || this.ensureThread() === null || this.libc === null) return false;
    return setCork(this.libc, fd, true);
  }

  /** Lifts {@link cork} when the body will not go by this sender after all. */
  uncork(socket: Socket): void {
    const fd = socketFd(socket);
    if (fd !== null && this.libc !== null) setCork(this.libc, fd, false);
  }

  /** Whether a transfer thread is running now (it starts on demand and stops when idle). */
  get threadRunning(): boolean {
    return this.thread !== null;
  }

  /**
   * Starts sending `length` bytes of `file` from `offset` on `socket`, whose pending writes
   * (the response head) must already be flushed. Null when zero-copy cannot be used here.
   */
  begin(socket: Socket, file: FileHandle, offset: number, length: number, idleMs: number): ZeroCopyTransfer | null {
    const fd = socketFd(socket);
    const thread = fd === null ? null : this.ensureThread();
    if (fd === null || thread === null || this.libc === null) return null;
    const sock = this.libc.dup(fd);
    if (sock < 0) return null;
    const fileDup = this.libc.dup(file.fd);
    if (fileDup < 0) {
      this.libc.close(sock);
      return null;
    }
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const id = this.nextId++;
    const done = new Promise<ZeroCopyResult>((settle) => this.pending.set(id, { settle, fds: [sock, fileDup] }));
    this.post(thread, { kind: 'start', id, sock, file: fileDup, offset, length, idleMs });
    // Only the thread that has it can abort it; the thread is not retired while it runs.
    return { done, abort: () => (this.pending.has(id) ? this.post(thread, { kind: 'abort', id }) : undefined) };
  }

  /** Ends every transfer and the thread; resolves once the thread has closed their descriptors. */
  async stop(): Promise<void> {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (this.thread !== null) this.retire(this.thread);
    await Promise.all([...this.exiting]);
    this.settleAll('aborted');
  }

  /** Tells `t` to end its transfers and exit; no new transfer goes to it. */
  private retire(t: TransferThread): void {
    if (this.thread === t) this.thread = null;
    const exited = new Promise<void>((resolve) => t.worker.once('exit', () => resolve()));
    this.exiting.add(exited);
    void exited.then(() => this.exiting.delete(exited));
    // Unref'd, its exit alone would not keep this thread's loop alive to hear it.
    t.worker.ref();
    this.post(t, { kind: 'stop' });
  }

  private post(t: TransferThread, m: SendfileCommand): void {
    if (this.libc === null || t.wakeWrite < 0) return;
    t.worker.postMessage(m);
    // Non-blocking pipe: when it is full the worker has plenty of wake-ups waiting already.
    this.libc.write(t.wakeWrite, WAKE, 1);
  }

  private armIdleStop(): void {
    if (this.pending.size > 0 || this.thread === null || this.idleTimer !== null) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.pending.size === 0 && this.thread !== null) this.retire(this.thread);
    }, this.idleStopMs);
    this.idleTimer.unref();
  }

  private ensureThread(): TransferThread | null {
    if (this.thread !== null) return this.thread;
    if (this.broken) return null;
    try {
      const c = sendfileLibc();
      const fds = Buffer.alloc(8);
      if (c.pipe2(fds, LINUX.O_NONBLOCK | LINUX.O_CLOEXEC) < 0) throw new Error(`pipe2: ${errnoName(errno())}`);
      const wakeRead = fds.readInt32LE(0);
      const data: SendfileWorkerData = { wakeFd: wakeRead };
      const w = new Worker(new URL('./sendfile-worker.js', import.meta.url), {
        workerData: data,
        // It keeps a few objects per transfer: a small young generation is plenty, and V8's
        // default (grown to 16 MiB semi-spaces under a storm's churn) is resident memory.
        resourceLimits: { maxYoungGenerationSizeMb: 2 },
      });
      const t: TransferThread = { worker: w, wakeWrite: fds.readInt32LE(4) };
      // It must not keep the process alive on its own: stop() ends it properly.
      w.unref();
      w.on('message', (m: SendfileDone) => {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        p?.settle({ sent: m.sent, error: m.error });
        this.armIdleStop();
      });
      // A failure ends the thread; 'exit' follows and settles what it left.
      w.on('error', () => (this.broken = true));
      w.on('exit', () => {
        c.close(t.wakeWrite);
        t.wakeWrite = -1;
        // Told to stop, it closed its own descriptors (the read end of the pipe included).
        if (this.thread !== t) return;
        this.thread = null;
        this.broken = true;
        // The thread died holding its descriptors: an unclosed socket dup would keep each
        // client's connection open (and the client waiting) after node closed its own. The
        // thread is gone, so closing them here cannot race it. Its 'done' messages all came
        // before 'exit', and it posts before it closes, so none of these was closed already.
        for (const p of this.pending.values()) for (const fd of p.fds) c.close(fd);
        c.close(wakeRead);
        this.settleAll('worker');
      });
      this.libc = c;
      this.thread = t;
      return t;
    } catch {
      this.broken = true;
      return null;
    }
  }

  private settleAll(error: string): void {
    for (const p of this.pending.values()) p.settle({ sent: 0, error });
    this.pending.clear();
  }
}

/** The kernel descriptor under a connected net.Socket (libuv's TCP handle exposes it on Unix), or null. */
function socketFd(socket: Socket): number | null {
  const handle = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle;
  const fd = handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : null;
}
