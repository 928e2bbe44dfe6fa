/**
 * Messages between the TFTP server (main thread) and its transfer threads
 * (`transfer-thread.ts`). Plain data only: they cross `postMessage`.
 */
import type { Peer, SessionOutcome, SessionParams } from './transfer-session.js';

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

/**
 * One transfer as the server hands it over: what `TransferSession` runs (`data` is shared for a
 * file-cache buffer, not copied; transferred for generated and netascii files), plus where its
 * socket binds: this address, on any port or the first free one of `ports`.
 */
export type TransferSpec = Pick<SessionParams, 'peer' | 'data' | 'blksize' | 'windowsize' | 'timeoutMs' | 'retries' | 'oack'> & {
  bindAddress: string;
  ports: { start: number; end: number } | null;
};

/** One transfer, handed to a thread once the request was checked and the file found. */
export interface TransferStart extends TransferSpec {
  kind: 'start';
  id: number;
  peer: Peer;
}

export type ToTransferThread = TransferStart | { kind: 'cancel'; id: number } | { kind: 'stop' };

export type FromTransferThread =
  /** The client answered for the first time: a repeated RRQ from it is now a new request. */
  | { kind: 'heard'; id: number }
  | { kind: 'drop'; id: number; reason: string }
  | { kind: 'end'; id: number; outcome: SessionOutcome; retransmits: number }
  | { kind: 'fatal'; message: string };
