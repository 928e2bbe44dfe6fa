/**
 * Receive loop of one raw ICMPv6 socket, on its own worker thread.
 *
 * libuv cannot watch a raw socket for Node (dgram only adopts UDP descriptors), and a
 * blocking call through koffi's `.async` would pin a libuv thread-pool thread that file
 * reads need. So this thread blocks in poll(2) on the socket and on a wake-up pipe, reads
 * with recvmsg(2) (for the hop limit, RFC 4861 §6.1), and posts each datagram to the main
 * thread. A byte on the pipe ends it. It never sends: the main thread does, non-blocking.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LINUX, RecvmsgBuffers, errno, errnoName, libc } from './raw-icmpv6-libc.js';

/** What the main thread starts the worker with. */
export interface RawIcmpv6WorkerData {
  fd: number;
  wakeFd: number;
  maxDatagram: number;
}

/** What the worker posts. */
export type RawIcmpv6WorkerMessage =
  | { kind: 'datagram'; data: Uint8Array; name: Uint8Array; hopLimit: number | null; truncated: boolean }
  | { kind: 'error'; code: string; message: string };

/** Datagrams read per wake-up before the pipe is looked at again. */
const BATCH = 64;

function run(port: NonNullable<typeof parentPort>, init: RawIcmpv6WorkerData): void {
  const c = libc();
  const buffers = new RecvmsgBuffers(init.maxDatagram);
  const pollfds = Buffer.alloc(16);
  pollfds.writeInt32LE(init.fd, 0);
  pollfds.writeInt16LE(LINUX.POLLIN, 4);
  pollfds.writeInt32LE(init.wakeFd, 8);
  pollfds.writeInt16LE(LINUX.POLLIN, 12);
  const post = (m: RawIcmpv6WorkerMessage): void => port.postMessage(m);
  try {
    for (;;) {
      pollfds.writeInt16LE(0, 6);
      pollfds.writeInt16LE(0, 14);
      const ready = c.poll(pollfds, 2, -1);
      if (ready < 0) {
        const e = errno();
        if (e === LINUX.EINTR) continue;
        post({ kind: 'error', code: errnoName(e), message: `poll failed: ${errnoName(e)}` });
        return;
      }
      if (pollfds.readInt16LE(14) !== 0) return;
      const revents = pollfds.readInt16LE(6);
      if ((revents & (LINUX.POLLERR | LINUX.POLLNVAL)) !== 0 && (revents & LINUX.POLLIN) === 0) {
        post({ kind: 'error', code: 'EIO', message: `socket poll reported ${revents}` });
        return;
      }
      for (let i = 0; i < BATCH; i++) {
        const n = c.recvmsg(init.fd, buffers.prepare(), LINUX.MSG_DONTWAIT);
        if (n < 0) {
          const e = errno();
          if (e === LINUX.EAGAIN || e === LINUX.EINTR) break;
          post({ kind: 'error', code: errnoName(e), message: `recvmsg failed: ${errnoName(e)}` });
          return;
        }
        post({ kind: 'datagram', ...buffers.result(n) });
      }
    }
  } finally {
    buffers.free();
  }
}

if (parentPort) run(parentPort, workerData as RawIcmpv6WorkerData);
