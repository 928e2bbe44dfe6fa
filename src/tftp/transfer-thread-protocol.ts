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
}

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
