/**
 * One read transfer, from the first OACK or DATA to the last ACK: windows, block numbers,
 * retransmission. It owns no socket: the server hands it datagrams and a `send`, which
 * keeps this logic testable without a network.
 */
import { decodeTftp, encodeDataHeader, encodeError, encodeOack } from '../wire/tftp/codec.js';
import { Opcode, TftpErrorCode, type TftpOption } from '../wire/tftp/packet.js';

export interface Peer {
  address: string;
  port: number;
}

export type SessionOutcome =
  | { kind: 'completed' }
  /** The client refused our OACK with ERROR 8 (RFC 2347): EDK2 does this on purpose after a tsize probe. */
  | { kind: 'aborted'; code: number; message: string }
  | { kind: 'failed'; reason: 'timeout' | 'client-error' | 'cancelled' | 'socket'; code?: number; message: string };

export interface SessionParams {
  /** The client's transfer ID (RFC 1350 §4): its address and port. */
  peer: Peer;
  data: Uint8Array;
  blksize: number;
  windowsize: number;
  timeoutMs: number;
  /** Retransmissions of one window (or the OACK) before giving up. */
  retries: number;
  /** Sent before DATA 1 when not null; the client then ACKs block 0. */
  oack: TftpOption[] | null;
  send: (chunks: readonly Uint8Array[], to: Peer) => void;
  onEnd: (outcome: SessionOutcome) => void;
  /** A datagram from the peer that was not a usable ACK or ERROR. */
  onDrop?: (reason: string) => void;
  /**
   * Sends DATA `block` (the wire number) carrying `data[start, end)`. When given, it replaces
   * `send` for DATA, so a host with its own send buffer needs no header or view per block.
   */
  sendData?: (block: number, start: number, end: number) => void;
  /** Called after each window's DATA, so a host that queues them sends the window at once (sendmmsg). */
  flush?: () => void;
  /** The retransmission timer; default one `setTimeout`. A host without an event loop brings its own. */
  timer?: SessionTimer;
}

/** One restartable timer per session. */
export interface SessionTimer {
  /** (Re)starts the timer: `onExpire` runs once, `ms` from now, unless re-armed or cleared first. */
  arm(ms: number, onExpire: () => void): void;
  clear(): void;
}

/** The default {@link SessionTimer}: one Node timer, refreshed rather than re-created. */
class NodeTimer implements SessionTimer {
  private t: NodeJS.Timeout | null = null;
  private fire: (() => void) | null = null;
  arm(ms: number, onExpire: () => void): void {
    this.fire = onExpire;
    if (this.t) this.t.refresh();
    else
      this.t = setTimeout(() => {
        this.t = null;
        this.fire?.();
      }, ms);
  }
  clear(): void {
    if (this.t) clearTimeout(this.t);
    this.t = null;
  }
}

/**
 * Block numbering: blocks are counted from 1 without limit here ("logical"), and sent as
 * `logical & 0xffff`, so after 65535 comes 0 (the roll-over tftp-hpa, iPXE, EDK2 and curl
 * expect for files over 32 MiB at 512-byte blocks).
 */
export class TransferSession {
  readonly totalBlocks: number;
  /** Highest block the client has acknowledged (0 before DATA 1). */
  private acked = 0;
  /** Highest block sent in the current window. */
  private sentUpTo = 0;
  private phase: 'idle' | 'oack' | 'data' | 'ended' = 'idle';
  private retriesLeft: number;
  private readonly timer: SessionTimer;
  private readonly expire = (): void => this.onTimeout();
  /** True once the client answered anything valid: a repeated RRQ is then a new request, not a retransmission. */
  heardFromPeer = false;
  blocksSent = 0;
  retransmits = 0;

  constructor(private readonly p: SessionParams) {
    this.totalBlocks = Math.floor(p.data.length / p.blksize) + 1;
    this.retriesLeft = p.retries;
    this.timer = p.timer ?? new NodeTimer();
  }

  get ended(): boolean {
    return this.phase === 'ended';
  }

  start(): void {
    if (this.phase !== 'idle') return;
    if (this.p.oack) {
      this.phase = 'oack';
      this.sendOack();
    } else {
      this.phase = 'data';
      this.sendWindow();
    }
  }

  /** Hands the session one datagram that arrived on its socket. */
  receive(bytes: Uint8Array, from: Peer): void {
    if (this.phase === 'ended') return;
    if (from.address !== this.p.peer.address || from.port !== this.p.peer.port) {
      // RFC 1350 §4: answer a stranger with ERROR 5 and carry on undisturbed.
      this.p.send([encodeError(TftpErrorCode.UnknownTransferId, 'Unknown transfer ID')], from);
      return;
    }
    this.receiveFromPeer(bytes);
  }

  /** A datagram the host has already matched to the peer's transfer ID. */
  receiveFromPeer(bytes: Uint8Array): void {
    if (this.phase === 'ended') return;
    const decoded = decodeTftp(bytes);
    if (!decoded.ok) return this.p.onDrop?.(decoded.error.code);
    const packet = decoded.packet;
    if (packet.opcode === Opcode.Error) {
      this.heardFromPeer = true;
      if (this.phase === 'oack' && packet.code === TftpErrorCode.OptionsRefused) {
        return this.end({ kind: 'aborted', code: packet.code, message: packet.message });
      }
      return this.end({ kind: 'failed', reason: 'client-error', code: packet.code, message: packet.message });
    }
    if (packet.opcode !== Opcode.Ack) return this.p.onDrop?.(`unexpected opcode ${packet.opcode}`);
    this.ack(packet.block);
  }

  /** An ACK from the peer for wire block `block`: the hot path, no decoding or allocation. */
  ack(block: number): void {
    if (this.phase === 'ended') return;
    this.heardFromPeer = true;
    if (this.phase === 'oack') {
      if (block !== 0) return this.p.onDrop?.(`ACK ${block} before ACK 0`);
      this.phase = 'data';
      this.retriesLeft = this.p.retries;
      return this.sendWindow();
    }
    if (this.phase !== 'data') return;
    // Where the ACK falls relative to the last acknowledged block, modulo the wrap.
    const ahead = (block - (this.acked & 0xffff)) & 0xffff;
    // ahead 0: a duplicate ACK. Never resend for it (the Sorcerer's Apprentice bug, RFC 1123
    // §4.2.3.1): only the timer retransmits. Beyond what was sent: stale or bogus, ignore.
    if (ahead === 0 || ahead > this.sentUpTo - this.acked) return;
    this.acked += ahead;
    this.retriesLeft = this.p.retries;
    if (this.acked === this.totalBlocks) return this.end({ kind: 'completed' });
    // RFC 7440 §4: an ACK inside the window means the client has everything up to it;
    // the next window starts right after, whether or not the rest was already sent.
    this.sendWindow();
  }

  /** Stops without telling the client (server shutdown). */
  cancel(): void {
    this.end({ kind: 'failed', reason: 'cancelled', message: 'server stopping' });
  }

  private sendOack(): void {
    this.p.send([encodeOack(this.p.oack ?? [])], this.p.peer);
    this.arm();
  }

  private sendWindow(): void {
    const { data, blksize, peer, sendData } = this.p;
    const last = Math.min(this.acked + this.p.windowsize, this.totalBlocks);
    for (let n = this.acked + 1; n <= last; n++) {
      const start = (n - 1) * blksize;
      const end = Math.min(start + blksize, data.length);
      if (sendData) sendData(n & 0xffff, start, end);
      // A view, not a copy: dgram gathers header and block in one sendmsg.
      else this.p.send([encodeDataHeader(n & 0xffff), data.subarray(start, end)], peer);
      this.blocksSent++;
    }
    this.p.flush?.();
    this.sentUpTo = last;
    this.arm();
  }

  private arm(): void {
    this.timer.arm(this.p.timeoutMs, this.expire);
  }

  private onTimeout(): void {
    if (this.phase === 'ended') return;
    if (this.retriesLeft <= 0) {
      this.p.send([encodeError(TftpErrorCode.NotDefined, 'Timeout')], this.p.peer);
      return this.end({ kind: 'failed', reason: 'timeout', message: `no ACK after ${this.p.retries} retransmissions` });
    }
    this.retriesLeft--;
    this.retransmits++;
    if (this.phase === 'oack') this.sendOack();
    else this.sendWindow();
  }

  private end(outcome: SessionOutcome): void {
    if (this.phase === 'ended') return;
    this.phase = 'ended';
    this.timer.clear();
    this.p.onEnd(outcome);
  }
}
