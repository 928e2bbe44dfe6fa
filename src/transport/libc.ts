/**
 * The libc calls bootfleet makes itself, through koffi (ADR 0001: Node has no packet sockets,
 * raw ICMPv6, SO_BINDTODEVICE or sendfile). One binding for all of them: the ARP and packet
 * sockets, the raw ICMPv6 socket and its worker, the HTTP sendfile worker, and the TFTP
 * transfer threads (epoll, recvfrom, sendto). Bound lazily,
 * once per thread (a worker thread has its own module instance, so it binds its own copy).
 * Linux x86-64 / arm64 signatures.
 */
import koffi from 'koffi';

export interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: Buffer, len: number): number;
  setsockopt(fd: number, level: number, name: number, value: Buffer, len: number): number;
  sendto(fd: number, buf: Buffer, len: number, flags: number, addr: Buffer, addrLen: number): number;
  recv(fd: number, buf: Buffer, len: number, flags: number): number;
  /** `msg` is a native address (koffi pointers are BigInts). */
  recvmsg(fd: number, msg: bigint, flags: number): number;
  poll(fds: Buffer, count: number, timeoutMs: number): number;
  pipe2(fds: Buffer, flags: number): number;
  read(fd: number, buf: Buffer, len: number): number;
  write(fd: number, buf: Buffer, len: number): number;
  close(fd: number): number;
  /** A new descriptor (≥ 3) for the same open file, close-on-exec (fcntl F_DUPFD_CLOEXEC). */
  dup(fd: number): number;
  /** `offset` is an 8-byte buffer holding the file offset (int64, host order); the kernel advances it. */
  sendfile(outFd: number, inFd: number, offset: Buffer, count: number): number;
  ifNameToIndex(name: string): number;
  /** `addr` receives the sender's sockaddr; `addrLen` is a 4-byte buffer holding its size (in and out). */
  recvfrom(fd: number, buf: Buffer, len: number, flags: number, addr: Buffer, addrLen: Buffer): number;
  /** `addr` receives the socket's own sockaddr; `addrLen` as for {@link Libc.recvfrom}. */
  getsockname(fd: number, addr: Buffer, addrLen: Buffer): number;
  /** `msgs` holds `count` struct mmsghdr; returns how many were sent, or -1. */
  sendmmsg(fd: number, msgs: Buffer, count: number, flags: number): number;
  /**
   * The hot-path forms: buffers passed as native addresses ({@link addressOf}) rather than
   * Buffers, which saves koffi a typed-array lookup per argument (≈ 50 ns a call).
   */
  recvfromAt(fd: number, buf: number, len: number, flags: number, addr: number, addrLen: number): number;
  sendmmsgAt(fd: number, msgs: number, count: number, flags: number): number;
  epollCreate(flags: number): number;
  /** `event` is one struct epoll_event ({@link EPOLL_EVENT_BYTES} bytes). */
  epollCtl(epfd: number, op: number, fd: number, event: Buffer | null): number;
  epollWait(epfd: number, events: Buffer, maxEvents: number, timeoutMs: number): number;
}

/**
 * struct epoll_event is packed on x86-64 (4-byte events, then the 8-byte data at offset 4)
 * and naturally aligned elsewhere (data at offset 8).
 */
export const EPOLL_EVENT_BYTES = process.arch === 'x64' ? 12 : 16;
export const EPOLL_DATA_OFFSET = process.arch === 'x64' ? 4 : 8;

/** <fcntl.h> */
const F_DUPFD_CLOEXEC = 1030;

let loaded: Libc | null = null;

/** libc through koffi, bound on first use in this thread; throws where koffi cannot load it. */
export function libc(): Libc {
  if (loaded) return loaded;
  const lib = koffi.load('libc.so.6');
  const socket = lib.func('int socket(int domain, int type, int protocol)');
  const bind = lib.func('int bind(int fd, const void *addr, uint32_t len)');
  const setsockopt = lib.func('int setsockopt(int fd, int level, int optname, const void *optval, uint32_t optlen)');
  const sendto = lib.func('intptr_t sendto(int fd, const void *buf, size_t len, int flags, const void *addr, uint32_t addrlen)');
  const recv = lib.func('intptr_t recv(int fd, void *buf, size_t len, int flags)');
  const recvmsg = lib.func('intptr_t recvmsg(int fd, void *msg, int flags)');
  const poll = lib.func('int poll(void *fds, unsigned long nfds, int timeout)');
  const pipe2 = lib.func('int pipe2(void *fds, int flags)');
  const read = lib.func('intptr_t read(int fd, void *buf, size_t n)');
  const write = lib.func('intptr_t write(int fd, const void *buf, size_t n)');
  const close = lib.func('int close(int fd)');
  const fcntl = lib.func('int fcntl(int fd, int cmd, int arg)');
  const sendfile = lib.func('intptr_t sendfile(int out_fd, int in_fd, void *offset, size_t count)');
  const ifNameToIndex = lib.func('uint32_t if_nametoindex(const char *name)');
  const recvfrom = lib.func('intptr_t recvfrom(int fd, void *buf, size_t len, int flags, void *addr, void *addrlen)');
  const getsockname = lib.func('int getsockname(int fd, void *addr, void *addrlen)');
  const sendmmsg = lib.func('int sendmmsg(int fd, void *msgvec, unsigned int vlen, int flags)');
  // int return: the result is at most a datagram's size or -1, and a plain int reaches JS as a number.
  const recvfromAt = lib.func('int recvfrom(int fd, intptr_t buf, size_t len, int flags, intptr_t addr, intptr_t addrlen)') as Libc['recvfromAt'];
  const sendmmsgAt = lib.func('int sendmmsg(int fd, intptr_t msgvec, unsigned int vlen, int flags)') as Libc['sendmmsgAt'];
  const epollCreate = lib.func('int epoll_create1(int flags)');
  const epollCtl = lib.func('int epoll_ctl(int epfd, int op, int fd, void *event)');
  const epollWait = lib.func('int epoll_wait(int epfd, void *events, int maxevents, int timeout)');
  loaded = {
    socket: (d, t, p) => Number(socket(d, t, p)),
    bind: (fd, addr, len) => Number(bind(fd, addr, len)),
    setsockopt: (fd, level, name, value, len) => Number(setsockopt(fd, level, name, value, len)),
    sendto: (fd, buf, len, flags, addr, addrLen) => Number(sendto(fd, buf, len, flags, addr, addrLen)),
    recv: (fd, buf, len, flags) => Number(recv(fd, buf, len, flags)),
    recvmsg: (fd, msg, flags) => Number(recvmsg(fd, msg, flags)),
    poll: (fds, count, timeoutMs) => Number(poll(fds, count, timeoutMs)),
    pipe2: (fds, flags) => Number(pipe2(fds, flags)),
    read: (fd, buf, len) => Number(read(fd, buf, len)),
    write: (fd, buf, len) => Number(write(fd, buf, len)),
    close: (fd) => Number(close(fd)),
    dup: (fd) => Number(fcntl(fd, F_DUPFD_CLOEXEC, 3)),
    sendfile: (out, inFd, offset, count) => Number(sendfile(out, inFd, offset, count)),
    ifNameToIndex: (name) => Number(ifNameToIndex(name)),
    recvfrom: (fd, buf, len, flags, addr, addrLen) => Number(recvfrom(fd, buf, len, flags, addr, addrLen)),
    getsockname: (fd, addr, addrLen) => Number(getsockname(fd, addr, addrLen)),
    sendmmsg: (fd, msgs, count, flags) => Number(sendmmsg(fd, msgs, count, flags)),
    recvfromAt,
    sendmmsgAt,
    epollCreate: (flags) => Number(epollCreate(flags)),
    epollCtl: (epfd, op, fd, event) => Number(epollCtl(epfd, op, fd, event)),
    epollWait: (epfd, events, max, timeoutMs) => Number(epollWait(epfd, events, max, timeoutMs)),
  };
  return loaded;
}

/**
 * The native address of a buffer's bytes, as a Number (user-space addresses fit in 53 bits).
 * Only for buffers that cannot move: off the V8 heap, i.e. larger than 64 bytes or shared.
 */
export function addressOf(buf: Uint8Array): number {
  return Number(koffi.address(buf));
}

/** The errno of this thread's last libc call. */
export function errno(): number {
  return koffi.errno();
}

/** `EPERM` for 1, and so on; `E<n>` for numbers koffi does not name. */
export function errnoName(n: number): string {
  for (const [name, value] of Object.entries(koffi.os.errno)) if (value === n) return name;
  return `E${n}`;
}
