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
  | { kind: 'failed'; reason: 'timeout' | 'client-error' | 'cancelled'; code?: number; message: string };

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
  private timer: NodeJS.Timeout | null = null;
  /** True once the client answered anything valid: a repeated RRQ is then a new request, not a retransmission. */
  heardFromPeer = false;
  blocksSent = 0;
  retransmits = 0;

  constructor(private readonly p: SessionParams) {
    this.totalBlocks = Math.floor(p.data.length / p.blksize) + 1;
    this.retriesLeft = p.retries;
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
    this.heardFromPeer = true;
    if (this.phase === 'oack') {
      if (packet.block !== 0) return this.p.onDrop?.(`ACK ${packet.block} before ACK 0`);
      this.phase = 'data';
      this.retriesLeft = this.p.retries;
      return this.sendWindow();
    }
    if (this.phase !== 'data') return;
    // Where the ACK falls relative to the last acknowledged block, modulo the wrap.
    const ahead = (packet.block - (this.acked & 0xffff)) & 0xffff;
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
    const { data, blksize, peer } = this.p;
    const last = Math.min(this.acked + this.p.windowsize, this.totalBlocks);
    for (let n = this.acked + 1; n <= last; n++) {
      const start = (n - 1) * blksize;
      // A view, not a copy: dgram gathers header and block in one sendmsg.
      this.p.send([encodeDataHeader(n & 0xffff), data.subarray(start, Math.min(start + blksize, data.length))], peer);
      this.blocksSent++;
    }
    this.sentUpTo = last;
    this.arm();
  }

  private arm(): void {
    if (this.timer) this.timer.refresh();
    else this.timer = setTimeout(() => this.onTimeout(), this.p.timeoutMs);
  }

  private onTimeout(): void {
    this.timer = null;
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
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.p.onEnd(outcome);
  }
}
