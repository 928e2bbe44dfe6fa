/**
 * The main thread's side of the TFTP transfer threads: starts them, hands each new transfer
 * to the least busy one, routes their reports back to the transfer's handlers, stops them.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { errno, errnoName, libc } from '../transport/libc.js';
import { openUdp4, SOCKADDR_IN_BYTES, sockaddrIn } from '../transport/udp4-libc.js';
import type { SessionOutcome } from './transfer-session.js';
import {
  SIGNAL_BLOCKED_PORT,
  SIGNAL_PENDING,
  type FromTransferThread,
  type ToTransferThread,
  type TransferSpec,
  type TransferStart,
  type TransferThreadData,
} from './transfer-thread-protocol.js';

const O_NONBLOCK = 0o4000;
const O_CLOEXEC = 0o2000000;

/** One transfer as the server describes it. */
export type ThreadTransferSpec = TransferSpec;

export interface ThreadTransferHandlers {
  onHeard(): void;
  onDrop(reason: string): void;
  onEnd(outcome: SessionOutcome, retransmits: number): void;
}

/** A running transfer: cancel() ends it silently (server shutdown). */
export interface ThreadTransfer {
  cancel(): void;
}

interface Thread {
  worker: Worker;
  port: MessagePort;
  wakeRead: number;
  wakeWrite: number;
  signal: Int32Array;
  active: number;
  /** False once the thread has exited (stop(), or a crash): it gets no more transfers. */
  alive: boolean;
  exited: Promise<void>;
}

const ONE_BYTE = Buffer.from([1]);
const EMPTY = Buffer.alloc(0);

export class TransferThreads {
  private readonly handlers = new Map<number, { thread: Thread; h: ThreadTransferHandlers }>();
  private nextId = 1;

  /** Where wake-up datagrams go: the transfer sockets' address (loopback for the wildcard). */
  private readonly wakeAddress: string;

  private constructor(
    private readonly threads: Thread[],
    private readonly wakerFd: number,
    bindAddress: string,
    private readonly onFatal: (message: string) => void,
  ) {
    this.wakeAddress = bindAddress;
    for (const t of threads) {
      t.port.on('message', (m: FromTransferThread) => this.onReport(t, m));
      void t.exited.then(() => this.onExit(t));
    }
  }

  /**
   * Starts `count` threads whose transfer sockets bind `bindAddress`; throws where libc
   * cannot be bound (koffi missing) or the wake-up socket cannot be opened.
   */
  static start(count: number, bindAddress: string, onFatal: (message: string) => void): TransferThreads {
    const c = libc();
    const wakeAddress = bindAddress === '0.0.0.0' ? '127.0.0.1' : bindAddress;
    const waker = openUdp4(wakeAddress, null);
    if (!waker.ok) throw new Error(`TFTP wake-up socket: ${waker.error}`);
    const threads: Thread[] = [];
    for (let i = 0; i < Math.max(1, count); i++) {
      const fds = Buffer.alloc(8);
      if (c.pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0) throw new Error(`pipe2: ${errnoName(errno())}`);
      const wakeRead = fds.readInt32LE(0);
      const wakeWrite = fds.readInt32LE(4);
      const { port1, port2 } = new MessageChannel();
      const signal = new SharedArrayBuffer(8);
      const data: TransferThreadData & { port: MessagePort } = { wakeFd: wakeRead, signal, waker: waker.local, port: port2 };
      const worker = new Worker(new URL('./transfer-thread.js', import.meta.url), { workerData: data, transferList: [port2] });
      worker.unref();
      port1.unref();
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      const thread: Thread = { worker, port: port1, wakeRead, wakeWrite, signal: new Int32Array(signal), active: 0, alive: true, exited };
      worker.on('error', (err) => onFatal(`TFTP transfer thread failed: ${err.message}`));
      threads.push(thread);
    }
    return new TransferThreads(threads, waker.fd, wakeAddress, onFatal);
  }

  begin(spec: ThreadTransferSpec, h: ThreadTransferHandlers): ThreadTransfer {
    const id = this.nextId++;
    if (this.nextId > 0x7fffffff) this.nextId = 1;
    let thread: Thread | null = null;
    for (const t of this.threads) if (t.alive && (thread === null || t.active < thread.active)) thread = t;
    if (thread === null) {
      // Every thread has died (reported through onFatal): refuse rather than hang the client.
      queueMicrotask(() => h.onEnd({ kind: 'failed', reason: 'socket', message: 'no TFTP transfer thread' }, 0));
      return { cancel: () => {} };
    }
    const chosen = thread;
    thread.active++;
    this.handlers.set(id, { thread: chosen, h });
    const shared = spec.data.buffer instanceof SharedArrayBuffer;
    // A file-cache buffer is shared; anything else is copied once, to exactly its size.
    const data = shared ? spec.data : new Uint8Array(spec.data);
    const m: TransferStart = { ...spec, kind: 'start', id, data, peer: { address: spec.peer.address, port: spec.peer.port } };
    this.send(chosen, m, shared ? [] : [data.buffer as ArrayBuffer]);
    return {
      cancel: () => {
        if (!this.forget(id)) return;
        this.send(chosen, { kind: 'cancel', id });
      },
    };
  }

  /** Ends every thread (their transfers silently) and closes the wake-up pipes. */
  async stop(): Promise<void> {
    for (const id of [...this.handlers.keys()]) this.forget(id);
    for (const t of this.threads) this.send(t, { kind: 'stop' });
    await Promise.all(this.threads.map((t) => t.exited));
    const c = libc();
    for (const t of this.threads) {
      t.port.close();
      c.close(t.wakeRead);
      c.close(t.wakeWrite);
    }
    c.close(this.wakerFd);
  }

  private send(t: Thread, m: ToTransferThread, transfer: ArrayBuffer[] = []): void {
    const c = libc();
    // Post, then count, then look where the thread sleeps (the order transfer-thread.ts relies on).
    t.port.postMessage(m, transfer);
    Atomics.add(t.signal, SIGNAL_PENDING, 1);
    // In epoll_wait, not in its event loop: the pipe wakes it. A full pipe (EAGAIN) already
    // holds a wake-up, so the result is not checked.
    c.write(t.wakeWrite, ONE_BYTE, 1);
    const blockedOn = Atomics.load(t.signal, SIGNAL_BLOCKED_PORT);
    const to = blockedOn === 0 ? null : sockaddrIn(this.wakeAddress, blockedOn);
    // Blocked in recvfrom on its one transfer's socket: an empty datagram there wakes it.
    if (to) c.sendto(this.wakerFd, EMPTY, 0, 0, to, SOCKADDR_IN_BYTES);
  }

  /** A thread that exits takes its transfers with it: end them, so the server's counts stay right. */
  private onExit(t: Thread): void {
    t.alive = false;
    for (const [id, e] of [...this.handlers]) {
      if (e.thread !== t) continue;
      this.forget(id);
      e.h.onEnd({ kind: 'failed', reason: 'socket', message: 'TFTP transfer thread ended' }, 0);
    }
  }

  private forget(id: number): boolean {
    const e = this.handlers.get(id);
    if (!e) return false;
    this.handlers.delete(id);
    e.thread.active--;
    return true;
  }

  private onReport(t: Thread, m: FromTransferThread): void {
    if (m.kind === 'fatal') return this.onFatal(`TFTP transfer thread failed: ${m.message}`);
    const e = this.handlers.get(m.id);
    if (!e || e.thread !== t) return;
    if (m.kind === 'heard') e.h.onHeard();
    else if (m.kind === 'drop') e.h.onDrop(m.reason);
    else {
      this.forget(m.id);
      e.h.onEnd(m.outcome, m.retransmits);
    }
  }
}
