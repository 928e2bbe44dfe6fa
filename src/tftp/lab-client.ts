/**
 * A deliberately scriptable TFTP read client for lab tests, run inside a test namespace:
 * it can ACK everything twice, stop ACKing, probe with a wrong transfer ID, or fire raw
 * datagrams at the server, and it reports exactly what came back.
 *
 *   node dist/tftp/lab-client.js '<LabClientSpec as JSON>'   → one LabClientResult JSON line
 */
import { createHash } from 'node:crypto';
import dgram from 'node:dgram';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeTftp, encodeAck, encodeError, encodeRequest } from '../wire/tftp/codec.js';
import { Opcode, type TftpOption } from '../wire/tftp/packet.js';

export interface LabClientSpec {
  server: string;
  port: number;
  /** Datagrams (hex) sent to the well-known port before the request. */
  raw?: string[];
  request?: { opcode: 'rrq' | 'wrq'; filename: string; mode?: string; options?: [string, string][] };
  /** Send every ACK twice. */
  dupAcks?: boolean;
  /** Stop ACKing once this many DATA packets arrived, then just listen. */
  stopAckingAfter?: number;
  /** After the first DATA, ACK it from a second socket too and record the answer. */
  wrongTidProbe?: boolean;
  /** DATA blocks (logical numbers from 1) treated as lost the first time they arrive. */
  loseData?: number[];
  /** Datagrams (hex) sent to the server's transfer ID, from our own, after the first DATA. */
  junkToTid?: string[];
  /** Answer the OACK with ERROR 8, as EDK2 does after its tsize probe. */
  refuseOack?: boolean;
  /** Listening time after the last block (to catch duplicates) or after stopping. */
  idleMs?: number;
  /** Give up on the transfer after this long. */
  timeoutMs?: number;
}

export interface LabClientResult {
  completed: boolean;
  bytes: number;
  sha256: string;
  /** Every DATA datagram received, duplicates included. */
  dataPackets: number;
  /** DATA for a block already received. */
  duplicateData: number;
  /** DATA ignored because `loseData` named it. */
  lost: number;
  oack: TftpOption[] | null;
  error: { code: number; message: string } | null;
  strangerReply: { opcode: number; code?: number } | null;
  /** Datagrams of any kind that arrived after we stopped ACKing. */
  packetsAfterStop: number;
  /** Replies to the raw datagrams. */
  rawReplies: number;
  ms: number;
}

export async function runLabClient(spec: LabClientSpec): Promise<LabClientResult> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, r));
  const result: LabClientResult = {
    completed: false,
    bytes: 0,
    sha256: '',
    dataPackets: 0,
    duplicateData: 0,
    lost: 0,
    oack: null,
    error: null,
    strangerReply: null,
    packetsAfterStop: 0,
    rawReplies: 0,
    ms: 0,
  };
  const started = Date.now();
  const hash = createHash('sha256');
  const idleMs = spec.idleMs ?? 300;

  for (const hex of spec.raw ?? []) socket.send(Buffer.from(hex, 'hex'), spec.port, spec.server);

  if (!spec.request) {
    socket.on('message', () => result.rawReplies++);
    await new Promise((r) => setTimeout(r, idleMs));
    socket.close();
    return result;
  }

  const req = spec.request;
  const options = req.options ?? [];
  const windowsizeAsked = Number(options.find(([n]) => n === 'windowsize')?.[1] ?? '1');
  let blksize = 512;
  let windowsize = 1;
  let tid: number | null = null;
  let last = 0; // logical block count received in order
  let sinceAck = 0;
  let stopped = false;
  let stranger: dgram.Socket | null = null;
  const toLose = new Set(spec.loseData ?? []);
  let junkSent = false;

  const ack = (block: number) => {
    if (tid === null || stopped) return;
    const a = encodeAck(block & 0xffff);
    socket.send(a, tid, spec.server);
    if (spec.dupAcks) socket.send(a, tid, spec.server);
  };

  await new Promise<void>((resolve) => {
    let idleTimer: NodeJS.Timeout | null = null;
    const finish = () => {
      clearTimeout(overall);
      if (idleTimer) clearTimeout(idleTimer);
      resolve();
    };
    const overall = setTimeout(finish, spec.timeoutMs ?? 20_000);
    const linger = () => {
      if (idleTimer) clearTimeout(idleTimer);
      idleTimer = setTimeout(finish, idleMs);
    };
    socket.on('message', (msg, rinfo) => {
      tid ??= rinfo.port;
      const r = decodeTftp(msg);
      if (!r.ok) return;
      const p = r.packet;
      if (stopped) {
        result.packetsAfterStop++;
        if (p.opcode === Opcode.Error) {
          result.error = { code: p.code, message: p.message };
          finish();
        }
        return;
      }
      if (p.opcode === Opcode.Error) {
        result.error = { code: p.code, message: p.message };
        return finish();
      }
      if (p.opcode === Opcode.Oack) {
        result.oack = p.options;
        if (spec.refuseOack) {
          socket.send(encodeError(8, 'probe done'), rinfo.port, spec.server);
          setTimeout(finish, 50); // let the ERROR leave before the socket closes
          return;
        }
        blksize = Number(p.options.find(([n]) => n === 'blksize')?.[1] ?? '512');
        windowsize = Number(p.options.find(([n]) => n === 'windowsize')?.[1] ?? '1');
        if (last === 0) ack(0);
        return;
      }
      if (p.opcode !== Opcode.Data) return;
      result.dataPackets++;
      if (spec.stopAckingAfter !== undefined && result.dataPackets >= spec.stopAckingAfter && !stopped) {
        stopped = true;
        return;
      }
      if (result.completed) {
        result.duplicateData++;
        return;
      }
      if (p.block === ((last + 1) & 0xffff) && toLose.delete(last + 1)) {
        result.lost++;
        return;
      }
      if (p.block !== ((last + 1) & 0xffff)) {
        if (((last - p.block) & 0xffff) < 0x8000) result.duplicateData++;
        // RFC 7440: out of order inside a window → ACK the last block in order.
        else if (windowsize > 1) ack(last);
        return;
      }
      last++;
      sinceAck++;
      hash.update(p.data);
      result.bytes += p.data.length;
      if (spec.junkToTid && !junkSent && tid !== null) {
        junkSent = true;
        for (const hex of spec.junkToTid) socket.send(Buffer.from(hex, 'hex'), tid, spec.server);
      }
      if (spec.wrongTidProbe && last === 1 && tid !== null) {
        stranger = dgram.createSocket('udp4');
        stranger.on('message', (m) => {
          const s = decodeTftp(m);
          if (s.ok) result.strangerReply = { opcode: s.packet.opcode, code: s.packet.opcode === Opcode.Error ? s.packet.code : undefined };
        });
        stranger.bind(0, () => stranger?.send(encodeAck(1), tid ?? 0, spec.server));
      }
      const final = p.data.length < blksize;
      if (final || sinceAck >= Math.min(windowsize, windowsizeAsked)) {
        ack(last);
        sinceAck = 0;
      }
      if (final) {
        result.completed = true;
        linger();
      }
    });
    socket.send(
      encodeRequest({ opcode: req.opcode === 'wrq' ? Opcode.Wrq : Opcode.Rrq, filename: req.filename, mode: req.mode ?? 'octet', options }),
      spec.port,
      spec.server,
    );
  });
  if (stranger) (stranger as dgram.Socket).close();
  socket.close();
  result.sha256 = hash.digest('hex');
  result.ms = Date.now() - started;
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const spec = JSON.parse(process.argv[2] ?? '{}') as LabClientSpec;
  const result = await runLabClient(spec);
  process.stdout.write(JSON.stringify(result) + '\n');
}
