/**
 * Messages between the TFTP server (main thread) and its transfer threads
 * (`transfer-thread.ts`). Plain data only: they cross `postMessage`.
 */
import type { TftpOption } from '../wire/tftp/packet.js';
import type { SessionOutcome } from './transfer-session.js';

/** What a transfer thread is started with. */
export interface TransferThreadData {
  /** Read end of the wake-up pipe: a byte there means "messages waiting on `port`". */
  wakeFd: number;
  /**
   * Int32Array over it: [{@link SIGNAL_PENDING}] counts messages posted and not yet taken;
   * [{@link SIGNAL_BLOCKED_PORT}] is the port of the transfer socket the thread is blocked on
   * (0 while it waits in epoll). See `transfer-thread.ts`, "one transfer".
   */
  signal: SharedArrayBuffer;
  /** The sockaddr_in the main thread's wake-up datagrams come from. */
  waker: Uint8Array;
}

export const SIGNAL_PENDING = 0;
export const SIGNAL_BLOCKED_PORT = 1;

/** One transfer, handed to a thread once the request was checked and the file found. */
export interface TransferStart {
  kind: 'start';
  id: number;
  /** Transfer sockets bind this address, on any port or the first free one of `ports`. */
  bindAddress: string;
  ports: { start: number; end: number } | null;
  peerAddress: string;
  peerPort: number;
  /** Shared (file cache, not copied) or transferred (generated and netascii files). */
  data: Uint8Array;
  blksize: number;
  windowsize: number;
  timeoutMs: number;
  retries: number;
  oack: TftpOption[] | null;
}

export type ToTransferThread = TransferStart | { kind: 'cancel'; id: number } | { kind: 'stop' };

export type FromTransferThread =
  /** The client answered for the first time: a repeated RRQ from it is now a new request. */
  | { kind: 'heard'; id: number }
  | { kind: 'drop'; id: number; reason: string }
  | { kind: 'end'; id: number; outcome: SessionOutcome; retransmits: number }
  | { kind: 'fatal'; message: string };
