/**
 * DORA for many simulated machines through one relay socket, as perfdhcp does: the client
 * plays a relay agent at giaddr (RFC 2131 §4.1: the server answers a relayed request to
 * giaddr, port 67), so a thousand MACs need no interface of their own. Each machine sends
 * what UEFI PXE firmware sends (client arch 7, `PXEClient` vendor class, UUID), takes the
 * first OFFER, REQUESTs it and waits for the ACK, retransmitting on the firmware's schedule.
 */
import dgram from 'node:dgram';
import { decodeDhcp, encodeDhcp } from '../wire/dhcp/codec.js';
import { getIp, getMessageType, getString, macOf, setBytes, setIp, setMessageType, setString, setU16 } from '../wire/dhcp/options.js';
import { BootOp, MessageType, type DhcpPacket } from '../wire/dhcp/packet.js';

export interface DoraOptions {
  relayAddr: string;
  serverAddr: string;
  /** Wait after each send before the next (see `StormClientSpec.dhcpTimeoutsMs`). */
  timeoutsMs: readonly number[];
  /** Each wait is moved by a uniform random amount in ±this (RFC 2131 §4.1: ±1 s). */
  jitterMs: number;
  rounds: number;
}

export type DoraOutcome = { ok: true; ip: string; sends: number } | { ok: false; error: string; sends: number };

interface Exchange {
  mac: string;
  chaddr: Buffer;
  uuid: Buffer;
  started: number;
  /** Resolves the waiting send: the reply it was waiting for. */
  onReply: ((p: DhcpPacket) => void) | null;
}

/** A relay socket shared by every machine of a storm. */
export class RelayDora {
  readonly acks: [string, string][] = [];
  naks = 0;
  /** Option 56 of the NAKs, counted per distinct message (the server's reason). */
  readonly nakMessages = new Map<string, number>();
  strayReplies = 0;
  private readonly exchanges = new Map<number, Exchange>();
  private nextXid: number;

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly opts: DoraOptions,
  ) {
    this.nextXid = (Math.floor(Math.random() * 0xffff) << 16) >>> 0;
    socket.on('message', (msg) => this.onMessage(msg));
    // A failed send (ENOBUFS under the burst) is a lost packet: the retransmission covers it.
    socket.on('error', () => undefined);
  }

  static async open(opts: DoraOptions): Promise<RelayDora> {
    const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 8 << 20, sendBufferSize: 8 << 20 });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(67, opts.relayAddr, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new RelayDora(socket, opts);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  /** One machine's DORA; never rejects. */
  async dora(mac: string, uuid: Buffer): Promise<DoraOutcome> {
    const chaddr = Buffer.alloc(16);
    Buffer.from(mac.split(':').map((h) => parseInt(h, 16))).copy(chaddr);
    const ex: Exchange = { mac, chaddr, uuid, started: Date.now(), onReply: null };
    let sends = 0;
    try {
      for (let round = 0; round < this.opts.rounds; round++) {
        const xid = this.nextXid++ >>> 0;
        this.exchanges.set(xid, ex);
        try {
          const discover = this.packet(ex, xid, MessageType.Discover);
          const offer = await this.exchange(ex, discover, (p) => getMessageType(p) === MessageType.Offer, () => sends++);
          if (!offer) return { ok: false, error: `no OFFER after ${this.opts.timeoutsMs.length} DISCOVERs`, sends };
          const server = getIp(offer.options, 54) ?? this.opts.serverAddr;
          const request = this.packet(ex, xid, MessageType.Request);
          setIp(request.options, 50, offer.yiaddr);
          setIp(request.options, 54, server);
          const reply = await this.exchange(ex, request, (p) => {
            const t = getMessageType(p);
            return (t === MessageType.Ack || t === MessageType.Nak) && (getIp(p.options, 54) ?? server) === server;
          }, () => sends++);
          if (reply && getMessageType(reply) === MessageType.Ack) {
            if (reply.yiaddr !== offer.yiaddr) return { ok: false, error: `ACK for ${reply.yiaddr}, requested ${offer.yiaddr}`, sends };
            return { ok: true, ip: reply.yiaddr, sends };
          }
          // A NAK or silence: start over with a new DISCOVER (RFC 2131 §4.4.1, §3.1 step 5).
        } finally {
          this.exchanges.delete(xid);
        }
      }
      return { ok: false, error: `no ACK after ${this.opts.rounds} DISCOVER rounds`, sends };
    } finally {
      ex.onReply = null;
    }
  }

  /** Sends `p` on the retransmission schedule until a reply matches; null when every wait ran out. */
  private async exchange(ex: Exchange, p: DhcpPacket, match: (p: DhcpPacket) => boolean, counted: () => void): Promise<DhcpPacket | null> {
    for (const base of this.opts.timeoutsMs) {
      // Without the RFC's randomisation a burst of machines would retransmit in lock-step waves.
      const waitMs = Math.max(100, base + (Math.random() * 2 - 1) * this.opts.jitterMs);
      // RFC 2131 §2: secs is the time since the client began; firmware fills it in.
      p.secs = Math.min(0xffff, Math.floor((Date.now() - ex.started) / 1000));
      counted();
      const reply = await new Promise<DhcpPacket | null>((resolve) => {
        const timer = setTimeout(() => {
          ex.onReply = null;
          resolve(null);
        }, waitMs);
        ex.onReply = (r) => {
          if (!match(r)) return;
          clearTimeout(timer);
          ex.onReply = null;
          resolve(r);
        };
        this.socket.send(encodeDhcp(p), 67, this.opts.serverAddr);
      });
      if (reply) return reply;
    }
    return null;
  }

  private packet(ex: Exchange, xid: number, type: MessageType): DhcpPacket {
    const p: DhcpPacket = {
      op: BootOp.Request,
      htype: 1,
      hlen: 6,
      // One relay hop (RFC 1542 §4.1.1: the relay increments hops).
      hops: 1,
      xid,
      secs: 0,
      flags: 0,
      ciaddr: '0.0.0.0',
      yiaddr: '0.0.0.0',
      siaddr: '0.0.0.0',
      giaddr: this.opts.relayAddr,
      chaddr: ex.chaddr,
      sname: '',
      file: '',
      options: new Map(),
    };
    setMessageType(p.options, type);
    setU16(p.options, 57, 1472);
    setBytes(p.options, 55, Uint8Array.of(1, 2, 3, 4, 5, 6, 12, 13, 15, 17, 18, 22, 23, 28, 40, 41, 42, 43, 50, 51, 54, 58, 59, 60, 66, 67, 97, 128, 129, 130, 131, 132, 133, 134, 135));
    // What EDK2's PXE client (OVMF) sends: arch 7, UNDI 3.16, its UUID (RFC 4578 §2.1–2.3).
    setU16(p.options, 93, 7);
    setBytes(p.options, 94, Uint8Array.of(1, 3, 16));
    setBytes(p.options, 97, Buffer.concat([Uint8Array.of(0), ex.uuid]));
    setString(p.options, 60, 'PXEClient:Arch:00007:UNDI:003016');
    return p;
  }

  private onMessage(msg: Buffer): void {
    const d = decodeDhcp(msg);
    if (!d.ok || d.packet.op !== BootOp.Reply) {
      this.strayReplies++;
      return;
    }
    const p = d.packet;
    const type = getMessageType(p);
    if (type === MessageType.Ack) this.acks.push([macOf(p), p.yiaddr]);
    if (type === MessageType.Nak) {
      this.naks++;
      const why = getString(p.options, 56) ?? '(no message)';
      if (this.nakMessages.size < 8 || this.nakMessages.has(why)) this.nakMessages.set(why, (this.nakMessages.get(why) ?? 0) + 1);
    }
    const ex = this.exchanges.get(p.xid);
    if (!ex || macOf(p) !== ex.mac || !ex.onReply) {
      this.strayReplies++;
      return;
    }
    ex.onReply(p);
  }
}
