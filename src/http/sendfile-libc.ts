/**
 * The libc calls zero-copy file serving needs (sendfile(2), poll(2), a wake-up pipe, dup),
 * through koffi as `transport/bind-device.ts` does. Loaded lazily, once per thread: the
 * transfer worker loads its own copy. Linux only (sendfile's signature and errno values).
 */
import koffi from 'koffi';

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
} as const;

export interface SendfileLibc {
  /** `offset` is an 8-byte buffer holding the file offset (int64, host order); the kernel advances it. */
  sendfile(outFd: number, inFd: number, offset: Buffer, count: number): number;
  poll(fds: Buffer, count: number, timeoutMs: number): number;
  pipe2(fds: Buffer, flags: number): number;
  read(fd: number, buf: Buffer, len: number): number;
  write(fd: number, buf: Buffer, len: number): number;
  close(fd: number): number;
  /** A new descriptor for the same open file, close-on-exec. */
  dup(fd: number): number;
}

let loaded: SendfileLibc | null = null;

/** libc through koffi, bound on first use in this thread; throws where it cannot be (not Linux, no koffi). */
export function sendfileLibc(): SendfileLibc {
  if (loaded) return loaded;
  if (process.platform !== 'linux') throw new Error('zero-copy file serving is Linux only');
  const lib = koffi.load('libc.so.6');
  const sendfile = lib.func('intptr_t sendfile(int out_fd, int in_fd, void *offset, size_t count)');
  const poll = lib.func('int poll(void *fds, unsigned long nfds, int timeout)');
  const pipe2 = lib.func('int pipe2(void *fds, int flags)');
  const read = lib.func('intptr_t read(int fd, void *buf, size_t n)');
  const write = lib.func('intptr_t write(int fd, const void *buf, size_t n)');
  const close = lib.func('int close(int fd)');
  const fcntl = lib.func('int fcntl(int fd, int cmd, int arg)');
  loaded = {
    sendfile: (out, inFd, offset, count) => Number(sendfile(out, inFd, offset, count)),
    poll: (fds, count, timeoutMs) => Number(poll(fds, count, timeoutMs)),
    pipe2: (fds, flags) => Number(pipe2(fds, flags)),
    read: (fd, buf, len) => Number(read(fd, buf, len)),
    write: (fd, buf, len) => Number(write(fd, buf, len)),
    close: (fd) => Number(close(fd)),
    dup: (fd) => Number(fcntl(fd, LINUX.F_DUPFD_CLOEXEC, 3)),
  };
  return loaded;
}

export function errno(): number {
  return koffi.errno();
}

/** `EPIPE` for 32, and so on; `E<n>` for numbers koffi does not name. */
export function errnoName(n: number): string {
  for (const [name, value] of Object.entries(koffi.os.errno)) if (value === n) return name;
  return `E${n}`;
}
