/**
 * A burst client for `pipeline.net.test.ts`, run inside the test's client namespace. It plays
 * a relay (giaddr = its own address, port 67, like perfdhcp `-l`), sends every request of a
 * scenario at once, and prints one JSON line: what came back.
 *
 *   node dist/dhcp/pipeline-lab-client.js <scenario json>
 *
 * Scenarios:
 * - `dora`: `clients` DISCOVERs, then a SELECTING REQUEST for every OFFER; prints the offers,
 *   ACKs and NAKs by MAC; `requestSpacingMs` spreads the REQUESTs out (one at a time).
 * - `contest`: `clients` INIT-REBOOT REQUESTs for the same `address`; prints ACKs and NAKs.
 * - `order`: per client, a REQUEST for its own address then at once a RELEASE of it.
 * - `repeat`: `count` DISCOVERs from one client back to back.
 */
import { createSocket, type Socket } from 'node:dgram';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeDhcp, encodeDhcp } from '../wire/dhcp/codec.js';
import { getMessageType } from '../wire/dhcp/options.js';
import { MessageType, type DhcpPacket } from '../wire/dhcp/packet.js';
import { request, type RequestSpec } from './test-packets.js';

export type Scenario =
  | { kind: 'dora'; clients: number; giaddr: string; server: string; waitMs: number; requestSpacingMs?: number }
  | { kind: 'contest'; clients: number; giaddr: string; server: string; address: string; waitMs: number }
  | { kind: 'order'; clients: number; giaddr: string; server: string; base: string; waitMs: number }
  | { kind: 'repeat'; count: number; giaddr: string; server: string; waitMs: number };

export interface Reply {
  mac: string;
  xid: number;
  type: string;
  yiaddr: string;
  clientId: string | null;
  /** Milliseconds between the relay's last send before this reply and the reply. */
  ms: number;
}

export function labMac(i: number): string {
  return `52:54:00:7a:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
}

function macOfReply(p: DhcpPacket): string {
  return [...p.chaddr.subarray(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

function plus(address: string, n: number): string {
  const parts = address.split('.').map(Number);
  parts[3] = (parts[3] ?? 0) + n;
  return parts.join('.');
}

class Relay {
  readonly replies: Reply[] = [];
  private lastSent = performance.now();
  private constructor(private readonly socket: Socket, private readonly giaddr: string, private readonly server: string) {}

  static async open(giaddr: string, server: string): Promise<Relay> {
    const socket = createSocket({ type: 'udp4', reuseAddr: true });
    await new Promise<void>((resolve) => socket.bind(67, giaddr, resolve));
    const relay = new Relay(socket, giaddr, server);
    socket.on('message', (data) => {
      const d = decodeDhcp(data);
      if (!d.ok) return;
      const type = getMessageType(d.packet);
      relay.replies.push({
        mac: macOfReply(d.packet),
        xid: d.packet.xid,
        type: type === null ? 'none' : (MessageType[type] ?? String(type)),
        yiaddr: d.packet.yiaddr,
        clientId: d.packet.options.get(61)?.toString('hex') ?? null,
        ms: performance.now() - relay.lastSent,
      });
    });
    return relay;
  }

  send(type: MessageType, spec: RequestSpec): void {
    this.socket.send(encodeDhcp(request(type, { giaddr: this.giaddr, ...spec })), 67, this.server);
    this.lastSent = performance.now();
  }

  close(): void {
    this.socket.close();
  }
}

async function run(s: Scenario): Promise<unknown> {
  const relay = await Relay.open(s.giaddr, s.server);
  try {
    switch (s.kind) {
      case 'dora': {
        for (let i = 0; i < s.clients; i++) relay.send(MessageType.Discover, { mac: labMac(i), xid: i, clientId: Buffer.from([0xff, i >> 8, i & 255]) });
        await sleep(s.waitMs);
        const offers = relay.replies.filter((r) => r.type === 'Offer');
        relay.replies.length = 0;
        for (const o of offers) {
          relay.send(MessageType.Request, { mac: o.mac, xid: o.xid, requested: o.yiaddr, serverId: s.server, clientId: Buffer.from([0xff, o.xid >> 8, o.xid & 255]) });
          if (s.requestSpacingMs !== undefined) await sleep(s.requestSpacingMs);
        }
        await sleep(s.waitMs);
        return { offers, acks: relay.replies.filter((r) => r.type === 'Ack'), naks: relay.replies.filter((r) => r.type === 'Nak') };
      }
      case 'contest': {
        for (let i = 0; i < s.clients; i++) relay.send(MessageType.Request, { mac: labMac(1000 + i), xid: i, requested: s.address });
        await sleep(s.waitMs);
        return { acks: relay.replies.filter((r) => r.type === 'Ack'), naks: relay.replies.filter((r) => r.type === 'Nak') };
      }
      case 'order': {
        for (let i = 0; i < s.clients; i++) {
          const mac = labMac(2000 + i);
          relay.send(MessageType.Request, { mac, xid: i, requested: plus(s.base, i) });
          relay.send(MessageType.Release, { mac, xid: i, ciaddr: plus(s.base, i), serverId: s.server });
        }
        await sleep(s.waitMs);
        return { acks: relay.replies.filter((r) => r.type === 'Ack'), naks: relay.replies.filter((r) => r.type === 'Nak') };
      }
      case 'repeat': {
        for (let i = 0; i < s.count; i++) relay.send(MessageType.Discover, { mac: labMac(3000), xid: i });
        await sleep(s.waitMs);
        return { offers: relay.replies.filter((r) => r.type === 'Offer') };
      }
    }
  } finally {
    relay.close();
  }
}

if (process.argv[1]?.endsWith('pipeline-lab-client.js')) {
  const scenario = JSON.parse(process.argv[2] ?? '{}') as Scenario;
  run(scenario).then(
    (result) => process.stdout.write(JSON.stringify(result) + '\n'),
    (err: unknown) => {
      process.stderr.write(`pipeline-lab-client: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}


