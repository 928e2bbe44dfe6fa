/**
 * SO_BINDTODEVICE for a bound node `dgram` socket, through libc `setsockopt` (`libc.ts`).
 *
 * Node's dgram offers neither SO_BINDTODEVICE nor IP_PKTINFO, so a UDP socket bound to
 * 0.0.0.0 cannot tell which interface a broadcast arrived on, nor pick the interface a
 * broadcast reply leaves by. Binding each socket to one device solves both: the kernel
 * only delivers that device's datagrams to it, and 255.255.255.255 goes out that device.
 * See docs/adr/0001-interface-binding.md.
 */
import type { Socket } from 'node:dgram';
import { errno as lastErrno, errnoName, libc } from './libc.js';

/** Linux <asm-generic/socket.h>. */
const SOL_SOCKET = 1;
const SO_BINDTODEVICE = 25;
/** IFNAMSIZ - 1: a kernel interface name is at most 15 bytes. */
const MAX_IFNAME = 15;

/** Thrown when a socket cannot be bound to a device; `code` is the errno name (ENODEV, EPERM, …). */
export class BindDeviceError extends Error {
  constructor(
    readonly device: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'BindDeviceError';
  }
}

/**
 * The kernel file descriptor of a bound dgram socket.
 *
 * Node keeps the UDP handle under an internal symbol described as `state symbol`
 * (`socket[kStateSymbol].handle`); the older `_handle` getter still works but prints a
 * deprecation warning (DEP0112), so it is only the fallback.
 */
export function socketFd(socket: Socket): number {
  const stateSym = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  const holder = socket as unknown as Record<symbol | string, unknown>;
  const state = stateSym ? holder[stateSym] : undefined;
  let handle: unknown = isRecord(state) ? state['handle'] : undefined;
  if (!isRecord(handle)) handle = holder['_handle'];
  const fd = isRecord(handle) ? handle['fd'] : undefined;
  if (typeof fd !== 'number' || fd < 0) {
    throw new BindDeviceError('', 'EBADF', 'socket has no file descriptor yet: bind it before binding it to a device');
  }
  return fd;
}

/**
 * Restricts a bound UDP socket to one interface (Linux SO_BINDTODEVICE; needs
 * CAP_NET_RAW). Throws {@link BindDeviceError} when the device does not exist or the
 * process lacks the capability.
 */
export function bindToDevice(socket: Socket, device: string): void {
  const name = Buffer.from(device, 'utf8');
  if (name.length === 0 || name.length > MAX_IFNAME || name.includes(0)) {
    throw new BindDeviceError(device, 'EINVAL', `invalid interface name ${JSON.stringify(device)}`);
  }
  const fd = socketFd(socket);
  const value = Buffer.concat([name, Buffer.from([0])]);
  const rc = libc().setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, value, value.length);
  if (rc !== 0) {
    const errno = lastErrno();
    const code = errnoName(errno);
    const hint =
      code === 'ENODEV' ? 'no such interface' : code === 'EPERM' ? 'needs root or CAP_NET_RAW' : `errno ${errno}`;
    throw new BindDeviceError(device, code, `cannot bind socket to interface ${device}: ${code} (${hint})`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
