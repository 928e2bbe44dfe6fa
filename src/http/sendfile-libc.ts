/**
 * The libc calls zero-copy file serving needs (sendfile(2), poll(2), a wake-up pipe, dup), from
 * the one koffi binding in `transport/libc.ts`, bound once per thread: the transfer worker binds
 * its own. Linux only (sendfile's signature and errno values).
 */
import { libc, type Libc } from '../transport/libc.js';

/** <asm-generic/errno.h>, <poll.h>, <fcntl.h>. */
export const LINUX = {
  EINTR: 4,
  EAGAIN: 11,
  POLLOUT: 0x4,
  POLLIN: 0x1,
  POLLERR: 0x8,
  POLLHUP: 0x10,
  POLLNVAL: 0x20,
  O_NONBLOCK: 0o4000,
  O_CLOEXEC: 0o2000000,
  F_DUPFD_CLOEXEC: 1030,
  /** <netinet/in.h>, <netinet/tcp.h> */
  IPPROTO_TCP: 6,
  TCP_CORK: 3,
} as const;

/** What zero-copy serving uses of libc (`transport/libc.ts`). */
export type SendfileLibc = Pick<Libc, 'sendfile' | 'setsockopt' | 'poll' | 'pipe2' | 'read' | 'write' | 'close' | 'dup'>;

/** libc through koffi, bound on first use in this thread; throws where it cannot be (not Linux, no koffi). */
export function sendfileLibc(): SendfileLibc {
  if (process.platform !== 'linux') throw new Error('zero-copy file serving is Linux only');
  return libc();
}

const ON = Buffer.from(new Int32Array([1]).buffer);
const OFF = Buffer.from(new Int32Array([0]).buffer);

/**
 * TCP_CORK on or off (tcp(7)): while on, the kernel sends only full segments, so a response
 * head written before its body leaves in the same segment as the first body bytes, and the
 * body goes in full-sized segments whatever the sendfile call boundaries; turning it off sends
 * what is left. nginx does the same around sendfile (`tcp_nopush on`); without it, with
 * TCP_NODELAY set, a 256 MiB download over a veth ran at ~0.65x nginx's rate. True on success.
 */
export function setCork(c: SendfileLibc, fd: number, on: boolean): boolean {
  return c.setsockopt(fd, LINUX.IPPROTO_TCP, LINUX.TCP_CORK, on ? ON : OFF, 4) === 0;
}

export { errno, errnoName } from '../transport/libc.js';
