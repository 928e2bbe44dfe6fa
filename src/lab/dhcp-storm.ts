/**
 * A DHCP load generator for lab tests, run inside a client namespace the test made: many
 * simulated clients (one MAC each) on one UDP socket on port 68, each going through
 * DISCOVER → OFFER(s) → REQUEST → ACK like a real client (RFC 2131 §4.4.1), with
 * retransmission, all at once up to a window. Every request has the broadcast flag, so
 * replies come back broadcast to the one socket; they are matched to clients by xid and
 * chaddr. Bounded: a fixed number of clients, tries per step, and an overall deadline.
 *
 *   node dist/lab/dhcp-storm.js '<DhcpStormSpec as JSON>'   → progress lines, then `result <DhcpStormResult JSON>`
 */
import { fileURLToPath } from 'node:url';
import { UdpEndpoint } from '../transport/udp-endpoint.js';
import { decodeDhcp, encodeDhcp } from '../wire/dhcp/codec.js';
import { getIp, macOf, setBytes, setIp, setMessageType, getMessageType } from '../wire/dhcp/options.js';
import { BootOp, FLAG_BROADCAST, MessageType, type DhcpPacket } from '../wire/dhcp/packet.js';

export interface DhcpStormSpec {
  /** Interface in the namespace (no address needed: requests leave from 0.0.0.0). */
  device: string;
  /** Simulated clients; their MACs are `02:<prefix>:<4 bytes of the index>` (locally administered). */
  clients: number;
  /** Second byte of every MAC, so two storms can never share one. */
  macPrefix: number;
  /** Clients in flight at once. */
  window: number;
  /** How long to wait for more OFFERs after the first one (RFC 2131 §4.4.1: the client collects offers). */
  collectMs: number;
  /** Wait for a reply before sending again. */
  retryMs: number;
  /** Sends of one DISCOVER or REQUEST before the client gives up (DISCOVER) or starts over (REQUEST). */
  tries: number;
  /** DISCOVER rounds (a NAK or an unanswered REQUEST starts a new one) before the client gives up. */
  rounds: number;
  /** The whole storm ends by then, finished or not. */
  deadlineMs: number;
}

export interface StormAck {
  mac: string;
  ip: string;
  /** Server identifier (option 54) of the server that ACKed. */
  server: string;
}

export interface DhcpStormResult {
  durationMs: number;
  acks: StormAck[];
  /** Clients that never got an ACK. */
  failed: string[];
  sent: { discover: number; request: number };
  /** Replies received, by message type and server identifier. */
  received: Record<string, Record<string, number>>;
  /** Clients whose OFFERs came from more than one server. */
  offeredByBoth: number;
  /** Of those, how many were offered different addresses by different servers. */
  differentOffers: number;
  naks: number;
  restarts: number;
  /** Replies that matched no client (late, or for a finished exchange). */
  stray: number;
}

interface Offer {
  server: string;
  ip: string;
}

interface Client {
  index: number;
  mac: string;
  chaddr: Buffer;
  xid: number;
  phase: 'discover' | 'collect' | 'request' | 'done';
  offers: Offer[];
  chosen: Offer | null;
  tries: number;
  rounds: number;
  timer: NodeJS.Timeout | null;
}

export function stormMac(prefix: number, index: number): string {
  const b = [0x02, prefix & 0xff, (index >>> 24) & 0xff, (index >>> 16) & 0xff, (index >>> 8) & 0xff, index & 0xff];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/** Runs the storm; resolves when every client is done or the deadline passed. */
export async function runDhcpStorm(spec: DhcpStormSpec, progress: (line: string) => void = () => {}): Promise<DhcpStormResult> {
  const started = Date.now();
  const result: DhcpStormResult = {
    durationMs: 0,
    acks: [],
    failed: [],
    sent: { discover: 0, request: 0 },
    received: {},
    offeredByBoth: 0,
    differentOffers: 0,
    naks: 0,
    restarts: 0,
    stray: 0,
  };
  const byXid = new Map<number, Client>();
  const waiting: Client[] = [];
  for (let i = 0; i < spec.clients; i++) {
    const mac = stormMac(spec.macPrefix, i);
    const chaddr = Buffer.alloc(16);
    Buffer.from(mac.split(':').map((h) => parseInt(h, 16))).copy(chaddr);
    waiting.push({ index: i, mac, chaddr, xid: 0, phase: 'discover', offers: [], chosen: null, tries: 0, rounds: 0, timer: null });
  }
  let active = 0;
  let nextXid = ((started & 0xffff) << 16) >>> 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let sendQueue: Promise<void> = Promise.resolve();

  const endpoint = await UdpEndpoint.open({ device: spec.device, port: 68 }, (data) => onReply(data), () => {});

  function packet(c: Client, type: MessageType): DhcpPacket {
    const p: DhcpPacket = {
      op: BootOp.Request,
      htype: 1,
      hlen: 6,
      hops: 0,
      xid: c.xid,
      secs: 0,
      flags: FLAG_BROADCAST,
      ciaddr: '0.0.0.0',
      yiaddr: '0.0.0.0',
      siaddr: '0.0.0.0',
      giaddr: '0.0.0.0',
      chaddr: c.chaddr,
      sname: '',
      file: '',
      options: new Map(),
    };
    setMessageType(p.options, type);
    // Client identifier: hardware type 1 + MAC (RFC 2132 §9.14), as most clients send.
    setBytes(p.options, 61, Buffer.concat([Buffer.from([1]), c.chaddr.subarray(0, 6)]));
    return p;
  }

  function send(p: DhcpPacket): void {
    const bytes = encodeDhcp(p);
    // One send at a time keeps the socket's order and never floods the kernel's queue.
    sendQueue = sendQueue.then(() => endpoint.send(bytes, 67, '255.255.255.255').catch(() => undefined));
  }

  function arm(c: Client, ms: number, then: () => void): void {
    if (c.timer) clearTimeout(c.timer);
    c.timer = setTimeout(() => {
      c.timer = null;
      then();
    }, ms);
  }

  function discover(c: Client): void {
    byXid.delete(c.xid);
    c.xid = nextXid++ >>> 0;
    byXid.set(c.xid, c);
    c.phase = 'discover';
    c.offers = [];
    c.chosen = null;
    c.tries = 0;
    c.rounds++;
    sendDiscover(c);
  }

  function sendDiscover(c: Client): void {
    if (c.tries >= spec.tries) return giveUp(c);
    c.tries++;
    result.sent.discover++;
    send(packet(c, MessageType.Discover));
    arm(c, spec.retryMs, () => c.phase === 'discover' && sendDiscover(c));
  }

  function choose(c: Client): void {
    // Take the offers in turn by client, so that both servers are chosen (a real client takes
    // the first or the "best"; either way one fast server would get every client here).
    const servers = [...new Set(c.offers.map((o) => o.server))].sort();
    if (servers.length > 1) {
      result.offeredByBoth++;
      if (new Set(c.offers.map((o) => o.ip)).size > 1) result.differentOffers++;
    }
    const server = servers[c.index % servers.length]!;
    c.chosen = c.offers.find((o) => o.server === server)!;
    c.phase = 'request';
    c.tries = 0;
    sendRequest(c);
  }

  function sendRequest(c: Client): void {
    if (c.tries >= spec.tries) {
      result.restarts++;
      return c.rounds >= spec.rounds ? giveUp(c) : discover(c);
    }
    c.tries++;
    result.sent.request++;
    const p = packet(c, MessageType.Request);
    setIp(p.options, 50, c.chosen!.ip);
    setIp(p.options, 54, c.chosen!.server);
    send(p);
    arm(c, spec.retryMs, () => c.phase === 'request' && sendRequest(c));
  }

  function done(c: Client): void {
    if (c.timer) clearTimeout(c.timer);
    c.timer = null;
    c.phase = 'done';
    byXid.delete(c.xid);
    active--;
    const n = result.acks.length + result.failed.length;
    if (n % 250 === 0) progress(`${n}/${spec.clients} done (${result.acks.length} acked) after ${Date.now() - started} ms`);
    if (n === spec.clients) finish();
    else startMore();
  }

  function giveUp(c: Client): void {
    result.failed.push(c.mac);
    done(c);
  }

  function onReply(data: Buffer): void {
    const decoded = decodeDhcp(data);
    if (!decoded.ok || decoded.packet.op !== BootOp.Reply) return;
    const p = decoded.packet;
    const type = getMessageType(p);
    const server = getIp(p.options, 54) ?? 'none';
    const name = type === null ? 'unknown' : (MessageType[type] ?? String(type));
    const perType = (result.received[name] ??= {});
    perType[server] = (perType[server] ?? 0) + 1;
    const c = byXid.get(p.xid);
    if (!c || macOf(p) !== c.mac) {
      result.stray++;
      return;
    }
    if (type === MessageType.Offer && (c.phase === 'discover' || c.phase === 'collect')) {
      c.offers.push({ server, ip: p.yiaddr });
      if (c.phase === 'discover') {
        c.phase = 'collect';
        arm(c, spec.collectMs, () => choose(c));
      }
    } else if (type === MessageType.Ack && c.phase === 'request' && server === c.chosen?.server) {
      result.acks.push({ mac: c.mac, ip: p.yiaddr, server });
      done(c);
    } else if (type === MessageType.Nak && c.phase === 'request' && server === c.chosen?.server) {
      result.naks++;
      result.restarts++;
      if (c.rounds >= spec.rounds) giveUp(c);
      else discover(c);
    } else {
      result.stray++;
    }
  }

  function startMore(): void {
    while (!over && active < spec.window && waiting.length > 0) {
      const c = waiting.shift()!;
      active++;
      discover(c);
    }
  }

  let over = false;
  const deadline = setTimeout(() => {
    over = true;
    for (const c of waiting.splice(0)) result.failed.push(c.mac);
    for (const c of [...byXid.values()]) if (c.phase !== 'done') giveUp(c);
    finish();
  }, spec.deadlineMs);
  startMore();
  await finished;
  clearTimeout(deadline);
  for (const c of byXid.values()) if (c.timer) clearTimeout(c.timer);
  await sendQueue;
  await endpoint.close();
  result.durationMs = Date.now() - started;
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const spec = JSON.parse(process.argv[2] ?? '{}') as DhcpStormSpec;
  runDhcpStorm(spec, (line) => process.stdout.write(`progress ${line}\n`)).then(
    (r) => process.stdout.write(`result ${JSON.stringify(r)}\n`),
    (err: unknown) => {
      process.stderr.write(`dhcp-storm: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
