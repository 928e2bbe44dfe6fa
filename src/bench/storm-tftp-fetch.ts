/**
 * One TFTP read as boot firmware does it (RFC 1350, options RFC 2347/2348/2349): RRQ with
 * `tsize 0` and a block size, ACK 0 for the OACK, then one ACK per block, lock-step. On
 * silence the last packet is sent again with a growing wait, like iPXE's retry timer; a
 * transfer that stays silent for `tries` waits fails. Every block is compared with the
 * expected file at its offset as it arrives (memcmp, cheap enough for a thousand clients).
 */
import dgram from 'node:dgram';
import { decodeTftp, encodeAck, encodeRequest } from '../wire/tftp/codec.js';
import { Opcode } from '../wire/tftp/packet.js';

export interface TftpFetchOptions {
  /** Source address: the machine's own leased address. */
  localAddress: string;
  server: string;
  file: string;
  blksize: number;
  expected: Buffer;
  timeoutMs: number;
  maxTimeoutMs: number;
  tries: number;
}

export type TftpFetchOutcome = { ok: true; retransmits: number } | { ok: false; error: string; retransmits: number };

export function tftpFetch(o: TftpFetchOptions): Promise<TftpFetchOutcome> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    let retransmits = 0;
    let tid: number | null = null;
    let blksize = 512;
    /** Blocks received in order (the next expected block is `received + 1`, modulo 2^16 on the wire). */
    let received = 0;
    let offset = 0;
    let last: Buffer = encodeRequest({ filename: o.file, mode: 'octet', options: [['tsize', '0'], ['blksize', String(o.blksize)]] });
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
      socket.send(bytes, tid ?? 69, o.server);
    };
    const arm = (): void => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        if (++silent >= o.tries) return fail(`no reply after ${silent} tries (block ${received})`);
        retransmits++;
        wait = Math.min(wait * 2, o.maxTimeoutMs);
        socket.send(last, tid ?? 69, o.server);
        arm();
      }, wait);
    };
    const progress = (): void => {
      silent = 0;
      wait = o.timeoutMs;
      arm();
    };

    socket.on('error', (err) => fail(`socket: ${err.message}`));
    socket.on('message', (msg, rinfo) => {
      if (done || rinfo.address !== o.server) return;
      // RFC 1350 §4: the server's first reply fixes its transfer ID (port); others are strangers.
      if (tid === null) tid = rinfo.port;
      else if (rinfo.port !== tid) return;
      const d = decodeTftp(msg);
      if (!d.ok) return;
      const p = d.packet;
      if (p.opcode === Opcode.Error) return fail(`TFTP error ${p.code}: ${p.message}`);
      if (p.opcode === Opcode.Oack) {
        if (received > 0) return;
        const size = Number(p.options.find(([n]) => n === 'blksize')?.[1] ?? '512');
        if (!(size >= 8 && size <= o.blksize)) return fail(`OACK blksize ${size}, asked ${o.blksize}`);
        const tsize = p.options.find(([n]) => n === 'tsize')?.[1];
        if (tsize !== undefined && Number(tsize) !== o.expected.length) return fail(`OACK tsize ${tsize}, file has ${o.expected.length}`);
        blksize = size;
        send(encodeAck(0));
        return progress();
      }
      if (p.opcode !== Opcode.Data) return;
      if (p.block === (received & 0xffff) && received > 0) {
        // Our ACK was lost: the server sent the block again. ACK it again.
        send(encodeAck(p.block));
        return;
      }
      if (p.block !== ((received + 1) & 0xffff)) return;
      const n = p.data.length;
      if (offset + n > o.expected.length || o.expected.compare(p.data, 0, n, offset, offset + n) !== 0) {
        return fail(`block ${received + 1} differs from the file (offset ${offset}, ${n} bytes)`);
      }
      received++;
      offset += n;
      send(encodeAck(p.block));
      if (n < blksize) {
        if (offset !== o.expected.length) return fail(`ended at ${offset} bytes, file has ${o.expected.length}`);
        return finish({ ok: true, retransmits });
      }
      progress();
    });
    socket.bind(0, o.localAddress, () => {
      socket.send(last, 69, o.server);
      arm();
    });
  });
}
