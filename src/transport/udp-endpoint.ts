/**
 * One UDP socket bound to one interface: 0.0.0.0:<port> with SO_REUSEADDR,
 * SO_BINDTODEVICE and SO_BROADCAST. Several endpoints on the same port (one per
 * interface) coexist; each sees only its own interface's datagrams, and a broadcast sent
 * from it leaves by that interface.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { bindToDevice, socketFd } from './bind-device.js';
import { UdpOutbox } from './udp-outbox.js';
import { DatagramPacer, type DatagramPacerOptions } from './datagram-pacer.js';

export interface UdpEndpointOptions {
  /** Kernel interface name. */
  device: string;
  port: number;
  /** Default 0.0.0.0: broadcasts (DHCP DISCOVER) are only delivered to wildcard-bound sockets. */
  address?: string;
  /**
   * SO_RCVBUF to ask for, in bytes. The kernel caps it at net.core.rmem_max (and reports
   * twice what it grants, for its bookkeeping); a refusal leaves the default, quietly. Default:
   * the kernel's (net.core.rmem_default, ~208 KiB).
   */
  recvBufferBytes?: number;
  /** Spread bursts of {@link UdpEndpoint.post}ed datagrams over time (`datagram-pacer.ts`); default: none. */
  pace?: Omit<DatagramPacerOptions, 'now'>;
}

interface Posted {
  data: Buffer;
  port: number;
  address: string;
  done: (err: Error | null) => void;
}

export type DatagramHandler = (data: Buffer, from: RemoteInfo) => void;

export class UdpEndpoint {
  private socket: Socket | null = null;
  /** {@link post}'s datagrams, sent together at the end of each event-loop turn. */
  private outbox: UdpOutbox | null = null;
  private pacer: DatagramPacer<Posted> | null = null;

  private constructor(readonly device: string, readonly port: number) {}

  /** Opens the socket; resolves once it is bound to the device and ready to receive. */
  static async open(opts: UdpEndpointOptions, onDatagram: DatagramHandler, onError: (err: Error) => void): Promise<UdpEndpoint> {
    const socket = createSocket({ type: 'udp4', reuseAddr: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ port: opts.port, address: opts.address ?? '0.0.0.0' }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    try {
      // The fd only exists after bind(); a datagram from another interface that slips in
      // during this instant is possible only at startup (see the ADR).
      bindToDevice(socket, opts.device);
      socket.setBroadcast(true);
      if (opts.recvBufferBytes !== undefined) askRecvBuffer(socket, opts.recvBufferBytes);
    } catch (err) {
      socket.close();
      throw err;
    }
    const ep = new UdpEndpoint(opts.device, socket.address().port);
    ep.socket = socket;
    ep.outbox = new UdpOutbox(socketFd(socket), {
      // A full send buffer: libuv's queue waits for it to drain, in order.
      overflow: (data, port, address, done) => socket.send(data, port, address, (err) => done?.(err ?? null)),
      onCallbackError: (err) => onError(err instanceof Error ? err : new Error(String(err))),
    });
    if (opts.pace !== undefined) ep.pacer = new DatagramPacer(opts.pace, (p) => ep.postLater(p));
    socket.on('message', onDatagram);
    socket.on('error', onError);
    return ep;
  }

  /** SO_RCVBUF as the kernel reports it (twice what it grants). */
  recvBufferSize(): number {
    if (!this.socket) throw new Error(`endpoint on ${this.device} is closed`);
    return this.socket.getRecvBufferSize();
  }

  /**
   * Sends one datagram at the end of this event-loop turn, with the turn's others in one
   * system call (`udp-outbox.ts`); `done` runs once the kernel has taken it (or refused it).
   * The hot-path form of {@link send}: no Promise, no allocation per datagram (one small
   * record for a datagram that a paced endpoint holds back for a later millisecond).
   */
  post(data: Buffer, port: number, address: string, done: (err: Error | null) => void): void {
    if (this.pacer === null || this.socket === null || this.pacer.admitNow()) this.postNow(data, port, address, done);
    else this.pacer.defer({ data, port, address, done });
  }

  /** A datagram the pacer held back: whatever fails is reported to its own callback, from a timer. */
  private postLater(p: Posted): void {
    try {
      this.postNow(p.data, p.port, p.address, p.done);
    } catch (err) {
      p.done(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private postNow(data: Buffer, port: number, address: string, done: (err: Error | null) => void): void {
    const socket = this.socket;
    if (!socket) {
      done(new Error(`endpoint on ${this.device} is closed`));
      return;
    }
    if (this.outbox?.queue(data, port, address, done) === true) return;
    socket.send(data, port, address, (err) => done(err ?? null));
  }

  /** Sends one datagram; resolves when the kernel has taken it. */
  send(data: Buffer, port: number, address: string): Promise<void> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new Error(`endpoint on ${this.device} is closed`));
    return new Promise((resolve, reject) => socket.send(data, port, address, (err) => (err ? reject(err) : resolve())));
  }

  async close(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    // Replies posted so far still leave: the socket is open until the lines below.
    this.pacer?.flush();
    this.pacer = null;
    this.socket = null;
    this.outbox?.flush();
    this.outbox = null;
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}

/**
 * A bigger buffer lets a burst wait for the event loop instead of being dropped by the
 * kernel (RcvbufErrors). Failing to get it is not worth refusing to serve.
 */
function askRecvBuffer(socket: Socket, bytes: number): void {
  try {
    socket.setRecvBufferSize(bytes);
  } catch {
    // Keep the kernel's default.
  }
}
