/**
 * One TFTP read as UEFI firmware does it (RFC 1350, options RFC 2347/2348/2349/7440), the
 * way EDK2 was seen to (../shared/lab-notes.md, pitfall 5): RRQ with `tsize 0`, a block size
 * and `windowsize`; ACK 0 for the OACK, then one ACK per window. When the OACK leaves the
 * window out, EDK2 answers ERROR 8 and asks again without tsize and windowsize, then runs
 * lock-step; so does this. On silence the last packet is sent again with a growing wait; a
 * transfer that stays silent for `tries` waits fails. Every block is compared with the
 * expected file at its offset as it arrives (memcmp, cheap enough for a thousand clients).
 */
import dgram from 'node:dgram';
import { decodeTftp, encodeAck, encodeError, encodeRequest } from '../wire/tftp/codec.js';
import { Opcode, TftpErrorCode, type TftpOption } from '../wire/tftp/packet.js';

export interface TftpFetchOptions {
  /** Source address: the machine's own leased address. */
  localAddress: string;
  server: string;
  /** The server's request port; default 69. */
  port?: number;
  file: string;
  blksize: number;
  /** RFC 7440 window asked for; 1 asks for none (lock-step from the start). */
  windowsize: number;
  expected: Buffer;
  timeoutMs: number;
  maxTimeoutMs: number;
  tries: number;
}

export type TftpFetchOutcome = { ok: true; retransmits: number; windowsize: number } | { ok: false; error: string; retransmits: number };

export function tftpFetch(o: TftpFetchOptions): Promise<TftpFetchOutcome> {
  const port = o.port ?? 69;
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    let retransmits = 0;
    let tid: number | null = null;
    let blksize = 512;
    let windowsize = 1;
    /** EDK2's second try, after an OACK without windowsize: blksize only. */
    let fallback = false;
    /** Transfer IDs of the aborted first try: a late packet from one is not the new transfer. */
    const abandoned = new Set<number>();
    /** Blocks received in order (the next expected block is `received + 1`, modulo 2^16 on the wire). */
    let received = 0;
    let sinceAck = 0;
    /** `received` when we last ACKed a gap: one such ACK per gap, not one per block behind it. */
    let gapAckedAt = -1;
    let offset = 0;
    const request = (): Buffer => {
      const blk: TftpOption = ['blksize', String(o.blksize)];
      const options: TftpOption[] = fallback ? [blk] : o.windowsize > 1 ? [['tsize', '0'], blk, ['windowsize', String(o.windowsize)]] : [['tsize', '0'], blk];
      return encodeRequest({ filename: o.file, mode: 'octet', options });
    };
    let last: Buffer = request();
    let wait = o.timeoutMs;
    let silent = 0;
    let timer: NodeJS.Timeout | null = null;
    let done = false;

    const finish = (r: TftpFetchOutcome): void => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      try {
        socket.close();
      } catch {
        /* never bound */
      }
      resolve(r);
    };
    const fail = (error: string): void => finish({ ok: false, error, retransmits });
    const send = (bytes: Buffer): void => {
      last = bytes;
      socket.send(bytes, tid ?? port, o.server);
    };
    const arm = (): void => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        if (++silent >= o.tries) return fail(`no reply after ${silent} tries (block ${received})`);
        retransmits++;
        wait = Math.min(wait * 2, o.maxTimeoutMs);
        socket.send(last, tid ?? port, o.server);
        arm();
      }, wait);
    };
    const progress = (): void => {
      silent = 0;
      wait = o.timeoutMs;
      arm();
    };
    const ack = (): void => {
      sinceAck = 0;
      send(encodeAck(received & 0xffff));
    };

    socket.on('error', (err) => fail(`socket: ${err.message}`));
    socket.on('message', (msg, rinfo) => {
      if (done || rinfo.address !== o.server) return;
      // RFC 1350 §4: the server's first reply fixes its transfer ID (port); others are strangers.
      if (abandoned.has(rinfo.port)) return;
      if (tid === null) tid = rinfo.port;
      else if (rinfo.port !== tid) {
        // A second transfer the server opened for a retransmitted RRQ: tell it, so it stops
        // (RFC 1350 §4: error to the stranger, the transfer undisturbed).
        socket.send(encodeError(TftpErrorCode.UnknownTransferId, 'unknown transfer ID'), rinfo.port, o.server);
        return;
      }
      const d = decodeTftp(msg);
      if (!d.ok) return;
      const p = d.packet;
      if (p.opcode === Opcode.Error) return fail(`TFTP error ${p.code}: ${p.message}`);
      if (p.opcode === Opcode.Oack) {
        if (received > 0) return;
        const option = (name: string): string | undefined => p.options.find(([n]) => n === name)?.[1];
        if (!fallback && o.windowsize > 1 && option('windowsize') === undefined) {
          // EDK2: no window offered → abort this transfer and ask again, plainly (a new transfer ID).
          socket.send(encodeError(TftpErrorCode.OptionsRefused, 'windowsize not acknowledged'), tid, o.server);
          fallback = true;
          abandoned.add(tid);
          tid = null;
          send(request());
          return progress();
        }
        const size = Number(option('blksize') ?? '512');
        if (!(size >= 8 && size <= o.blksize)) return fail(`OACK blksize ${size}, asked ${o.blksize}`);
        const tsize = option('tsize');
        if (tsize !== undefined && Number(tsize) !== o.expected.length) return fail(`OACK tsize ${tsize}, file has ${o.expected.length}`);
        const window = Number(option('windowsize') ?? '1');
        if (!(window >= 1 && window <= Math.max(1, o.windowsize))) return fail(`OACK windowsize ${window}, asked ${o.windowsize}`);
        blksize = size;
        windowsize = window;
        ack();
        return progress();
      }
      if (p.opcode !== Opcode.Data) return;
      if (p.block !== ((received + 1) & 0xffff)) {
        // A block we already have (our ACK was lost, the server resent) or a gap in a window:
        // either way ACK what we hold in order, so the server resumes from there (RFC 7440 §4).
        if ((received > 0 || windowsize > 1) && gapAckedAt !== received) {
          gapAckedAt = received;
          ack();
        }
        return;
      }
      const n = p.data.length;
      if (offset + n > o.expected.length || o.expected.compare(p.data, 0, n, offset, offset + n) !== 0) {
        return fail(`block ${received + 1} differs from the file (offset ${offset}, ${n} bytes)`);
      }
      received++;
      sinceAck++;
      gapAckedAt = -1;
      offset += n;
      const final = n < blksize;
      if (final || sinceAck >= windowsize) ack();
      if (final) {
        if (offset !== o.expected.length) return fail(`ended at ${offset} bytes, file has ${o.expected.length}`);
        return finish({ ok: true, retransmits, windowsize });
      }
      progress();
    });
    socket.bind(0, o.localAddress, () => {
      socket.send(last, port, o.server);
      arm();
    });
  });
}
