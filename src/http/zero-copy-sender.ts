/**
 * Main-thread side of zero-copy file serving (sendfile-worker.ts): hands a response body — a
 * byte range of an open file — to the transfer thread, which writes it to the response's own
 * socket with sendfile(2), and settles when it is out or failed. Node's stream then never sees
 * the body bytes: no read into a Buffer, no copy back into the kernel.
 *
 * Whether it can be used is decided per request (`begin` returns null: the caller streams
 * instead): koffi or the worker may be unavailable, the socket may have no descriptor, and
 * once the worker has failed it is not used again.
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

export class ZeroCopySender {
  private worker: Worker | null = null;
  private libc: SendfileLibc | null = null;
  private wakeWrite = -1;
  private broken = false;
  private nextId = 1;
  /** Transfers handed to the thread: how to settle each, and the descriptors the thread holds for it. */
  private readonly pending = new Map<number, { settle: (r: ZeroCopyResult) => void; fds: [number, number] }>();

  /**
   * Corks `socket` (TCP_CORK, see `setCork`) so the response head, written next, waits in the
   * kernel for the first body bytes. The transfer thread uncorks when the transfer ends; a
   * caller that then does not call {@link begin} (or whose `begin` returns null) must call
   * {@link uncork}. False (nothing done) where zero-copy cannot be used.
   */
  cork(socket: Socket): boolean {
    const fd = socketFd(socket);
    if (fd === null || !this.ensureWorker() || this.libc === null) return false;
    return setCork(this.libc, fd, true);
  }

  /** Lifts {@link cork} when the body will not go by this sender after all. */
  uncork(socket: Socket): void {
    const fd = socketFd(socket);
    if (fd !== null && this.libc !== null) setCork(this.libc, fd, false);
  }

  /**
   * Starts sending `length` bytes of `file` from `offset` on `socket`, whose pending writes
   * (the response head) must already be flushed. Null when zero-copy cannot be used here.
   */
  begin(socket: Socket, file: FileHandle, offset: number, length: number, idleMs: number): ZeroCopyTransfer | null {
    const fd = socketFd(socket);
    if (fd === null || !this.ensureWorker() || this.libc === null || this.worker === null) return null;
    const sock = this.libc.dup(fd);
    if (sock < 0) return null;
    const fileDup = this.libc.dup(file.fd);
    if (fileDup < 0) {
      this.libc.close(sock);
      return null;
    }
    const id = this.nextId++;
    const done = new Promise<ZeroCopyResult>((settle) => this.pending.set(id, { settle, fds: [sock, fileDup] }));
    this.post({ kind: 'start', id, sock, file: fileDup, offset, length, idleMs });
    return { done, abort: () => (this.pending.has(id) ? this.post({ kind: 'abort', id }) : undefined) };
  }

  /** Ends every transfer and the thread; resolves once the thread has closed their descriptors. */
  async stop(): Promise<void> {
    const w = this.worker;
    if (w === null) return;
    this.worker = null;
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    // Unref'd, its exit alone would not keep this thread's loop alive to hear it.
    w.ref();
    this.post({ kind: 'stop' }, w);
    await exited;
    if (this.wakeWrite >= 0) this.libc?.close(this.wakeWrite);
    this.wakeWrite = -1;
    this.settleAll('aborted');
  }

  private post(m: SendfileCommand, w: Worker | null = this.worker): void {
    if (w === null || this.libc === null) return;
    w.postMessage(m);
    // Non-blocking pipe: when it is full the worker has plenty of wake-ups waiting already.
    this.libc.write(this.wakeWrite, WAKE, 1);
  }

  private ensureWorker(): boolean {
    if (this.worker !== null) return true;
    if (this.broken) return false;
    try {
      const c = sendfileLibc();
      const fds = Buffer.alloc(8);
      if (c.pipe2(fds, LINUX.O_NONBLOCK | LINUX.O_CLOEXEC) < 0) throw new Error(`pipe2: ${errnoName(errno())}`);
      const wakeRead = fds.readInt32LE(0);
      this.wakeWrite = fds.readInt32LE(4);
      const data: SendfileWorkerData = { wakeFd: wakeRead };
      const w = new Worker(new URL('./sendfile-worker.js', import.meta.url), {
        workerData: data,
        // It keeps a few objects per transfer: a small young generation is plenty, and V8's
        // default (grown to 16 MiB semi-spaces under a storm's churn) is resident memory.
        resourceLimits: { maxYoungGenerationSizeMb: 2 },
      });
      // It must not keep the process alive on its own: stop() ends it properly.
      w.unref();
      w.on('message', (m: SendfileDone) => {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        p?.settle({ sent: m.sent, error: m.error });
      });
      // A failure ends the thread; 'exit' follows and settles what it left.
      w.on('error', () => (this.broken = true));
      w.on('exit', () => {
        if (this.worker !== w) return;
        this.worker = null;
        this.broken = true;
        // The thread died holding its descriptors: an unclosed socket dup would keep each
        // client's connection open (and the client waiting) after node closed its own. The
        // thread is gone, so closing them here cannot race it. Its 'done' messages all came
        // before 'exit', and it posts before it closes, so none of these was closed already.
        for (const p of this.pending.values()) for (const fd of p.fds) c.close(fd);
        c.close(wakeRead);
        c.close(this.wakeWrite);
        this.wakeWrite = -1;
        this.settleAll('worker');
      });
      this.libc = c;
      this.worker = w;
      return true;
    } catch {
      this.broken = true;
      return false;
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
