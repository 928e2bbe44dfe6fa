/**
 * The DHCP server process part: interface-bound sockets (one per full-mode interface; two per
 * proxy interface, ports 67 and 4011), a decode → screen → responder → encode → send loop,
 * counters, and lease expiry. Each reply leaves by the socket its request came in on, so by
 * the same interface. It never dies on a packet: whatever goes wrong with one is dropped,
 * counted and logged.
 */
import type { RemoteInfo } from 'node:dgram';
import type { BootfleetConfig } from '../config/schema.js';
import type { EventSink } from '../events/boot-event.js';
import type { LeaseStore } from '../store/lease-store.js';
import { UdpEndpoint } from '../transport/udp-endpoint.js';
import { decodeDhcp, encodeDhcp } from '../wire/dhcp/codec.js';
import { macOf } from '../wire/dhcp/options.js';
import type { DhcpPacket, MessageType } from '../wire/dhcp/packet.js';
import { clientKey } from './client-key.js';
import { KeyedQueue } from './keyed-queue.js';
import { FullModeResponder, type DhcpReply, type ReceivingInterface } from './full-mode.js';
import { ProxyModeResponder, PXE_PORT, type ProxyPortKind } from './proxy-mode.js';
import { subnetsOf, type Subnet } from './pool.js';
import { responderFor } from './request-route.js';
import { acceptServerIdOverride, stampServerIdOverride } from './server-id-override.js';
import type { ReplyPolicy } from './reply-policy.js';
import type { ConflictGuard } from './conflict-guard.js';
import { screenRequest, type DhcpDropCode } from './screen.js';

/** An interface as the server is given it: looked up by the caller (`transport/interfaces.ts`). */
export interface DhcpServerInterface {
  name: string;
  mode: 'full' | 'proxy' | 'off';
  address: string;
  netmask: string;
  /** Address clients fetch boot files from; default `address`. */
  serverAddress?: string;
  /** A proxyDHCP server answers on this segment; default: the config's `interfaces[].proxyPresent`. */
  proxyPresent?: boolean;
}

export interface DhcpServerOptions {
  config: BootfleetConfig;
  store: LeaseStore;
  events: EventSink;
  interfaces: DhcpServerInterface[];
  /** How long an OFFER holds its address (default 60 s). */
  offerHoldSeconds?: number;
  /** How often expired leases are swept (default 60 s). */
  expireIntervalMs?: number;
  /** The PXE boot server port proxy interfaces also listen on (default 4011, PXE 2.1 §2.2.6). */
  pxePort?: number;
  /** The boot policy both responders ask; default bootfleet's own over `config`. */
  policy?: ReplyPolicy;
  /**
   * Full-mode interfaces listen on the PXE port too, for boot server requests after a PXE
   * menu (dnsmasq opens it whenever pxe-service or pxe-prompt is configured). Default false.
   */
  pxePortOnFull?: boolean;
  /** Address conflict detection for full-mode offers (`conflict-detector.ts`); started and stopped by its owner. */
  conflictGuard?: ConflictGuard;
  /** Requests that waited longer than this before being handled are dropped (default 3000 ms). */
  deadlineMs?: number;
}

/** Which responder a socket's datagrams go to. */
type Route = { mode: 'full'; iface: ReceivingInterface } | { mode: 'proxy'; iface: ReceivingInterface; via: ProxyPortKind };

export interface DhcpServerStats {
  /** Datagrams read from any socket. */
  received: number;
  /** Replies handed to the kernel. */
  replied: number;
  /** Datagrams discarded: undecodable, not a client request, not for a segment we serve, or failed. */
  dropped: number;
  /** Of `dropped`, requests older than the deadline when their turn came (`DHCP_STALE`). */
  stale: number;
}

/**
 * Requests being handled at once (all clients). Requests from different clients run
 * concurrently, so their lease writes share one commit; beyond this many we shed load
 * rather than answer seconds late (clients retransmit). Since the commits left the event
 * loop (the store's writer thread) the loop reads every datagram at once instead of
 * leaving a burst in the socket buffer, so this queue is what absorbs a slow commit (tens
 * of ms when the machine is busy: 16 000 requests/s × 50 ms = 800); the deadline below
 * still drops what waited too long.
 */
const MAX_IN_FLIGHT = 2048;

/**
 * A request that waited this long (behind its own client's earlier requests, or for a slow
 * store) is dropped rather than answered: its client has retransmitted or moved on
 * (RFC 2131 §4.1: first retransmission after about 4 s), and an answer now only delays the
 * fresh ones.
 */
const DEFAULT_DEADLINE_MS = 3000;

/**
 * SO_RCVBUF for DHCP sockets: a burst of DISCOVERs waits here while the event loop is busy
 * (a commit, a sweep) instead of being dropped by the kernel; the deadline above drops what
 * waited too long. The kernel caps it at net.core.rmem_max (4 MiB on the bench host, in
 * namespaces too).
 */
const DHCP_RECV_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * Replies leave at most 32 per millisecond at once; the rest of a larger burst (every ACK one
 * commit released) follows on 1 ms ticks, max(32, a twentieth of what waits) each
 * (`datagram-pacer.ts`). Measured (bench/tools/dhcp-cpu.mjs, pool 1 000, 11 000 DORA/s, 3 runs
 * each): perfdhcp lost 0.07–0.34 % of exchanges, against
 * 0.81–1.52 % with every burst sent at once (its socket, not ours, overflowed); 64 per ms
 * did not help. 32 000 datagrams a second is twice the fastest DHCP rate measured here.
 */
const DHCP_PACE = { perMs: 32, maxSpreadMs: 20 };

/** The one queue key when the store does not take concurrent requests. */
const SERIAL = '';

export class DhcpServer {
  readonly stats: DhcpServerStats = { received: 0, replied: 0, dropped: 0, stale: 0 };
  private readonly responder: FullModeResponder;
  private readonly proxy: ProxyModeResponder;
  private readonly endpoints: UdpEndpoint[] = [];
  private readonly requests = new KeyedQueue();
  private sweeping: Promise<void> | null = null;
  private expireTimer: NodeJS.Timeout | null = null;
  private running = false;
  /** The full-mode subnets, for routing requests that name theirs (`request-route.ts`). */
  private readonly subnets: Subnet[];

  constructor(private readonly opts: DhcpServerOptions) {
    this.responder = new FullModeResponder({
      config: opts.config,
      store: opts.store,
      events: opts.events,
      localAddresses: opts.interfaces.filter((i) => i.mode === 'full').map((i) => i.address),
      ...(opts.offerHoldSeconds !== undefined ? { offerHoldSeconds: opts.offerHoldSeconds } : {}),
      ...(opts.policy !== undefined ? { policy: opts.policy } : {}),
      ...(opts.conflictGuard !== undefined ? { conflictGuard: opts.conflictGuard } : {}),
    });
    this.proxy = new ProxyModeResponder({ config: opts.config, events: opts.events, ...(opts.policy !== undefined ? { policy: opts.policy } : {}) });
    this.subnets = subnetsOf(opts.config.dhcp.subnets);
  }

  /**
   * Opens a socket on each full-mode interface and two (DHCP port and PXE port) on each proxy
   * interface. Rejects (and leaves none open) if any cannot be bound.
   */
  async start(): Promise<void> {
    if (this.running) return;
    const port = this.opts.config.dhcp.port;
    const pxePort = this.opts.pxePort ?? PXE_PORT;
    try {
      for (const iface of this.opts.interfaces) {
        if (iface.mode === 'off') continue;
        const receiving: ReceivingInterface = { name: iface.name, address: iface.address, netmask: iface.netmask };
        if (iface.serverAddress !== undefined) receiving.serverAddress = iface.serverAddress;
        const proxyPresent = iface.proxyPresent ?? this.opts.config.interfaces.find((c) => c.name === iface.name)?.proxyPresent;
        if (proxyPresent !== undefined) receiving.proxyPresent = proxyPresent;
        if (iface.mode === 'full') {
          await this.listen(iface.name, port, { mode: 'full', iface: receiving });
          // Requests there go to the proxy responder, which answers only what the policy allows.
          if (this.opts.pxePortOnFull === true) await this.listen(iface.name, pxePort, { mode: 'proxy', iface: receiving, via: 'pxe' });
          this.opts.events.emit({ kind: 'dhcp.listen', level: 'info', msg: `full-mode DHCP on ${iface.name} (${iface.address}) port ${port}`, data: { iface: iface.name, port, mode: 'full' } });
        } else {
          await this.listen(iface.name, port, { mode: 'proxy', iface: receiving, via: 'dhcp' });
          await this.listen(iface.name, pxePort, { mode: 'proxy', iface: receiving, via: 'pxe' });
          this.opts.events.emit({
            kind: 'dhcp.listen',
            level: 'info',
            msg: `proxyDHCP on ${iface.name} (${iface.address}) ports ${port} and ${pxePort}: boot options for PXE and iPXE clients, never addresses`,
            data: { iface: iface.name, port, pxePort, mode: 'proxy' },
          });
        }
      }
    } catch (err) {
      await this.closeEndpoints();
      throw err;
    }
    this.running = true;
    this.sweep();
    this.expireTimer = setInterval(() => this.sweep(), this.opts.expireIntervalMs ?? 60_000);
    this.expireTimer.unref();
  }

  /** Closes the sockets and waits for the requests being handled to finish. */
  async stop(): Promise<void> {
    if (this.expireTimer) clearInterval(this.expireTimer);
    this.expireTimer = null;
    this.running = false;
    await this.closeEndpoints();
    await this.requests.drain();
    await this.sweeping;
  }

  private async listen(device: string, port: number, route: Route): Promise<void> {
    let endpoint: UdpEndpoint | null = null;
    endpoint = await UdpEndpoint.open(
      { device, port, recvBufferBytes: DHCP_RECV_BUFFER_BYTES, pace: DHCP_PACE },
      (data, from) => endpoint && this.enqueue(data, from, route, endpoint),
      (err) => this.opts.events.emit({ kind: 'dhcp.error', level: 'error', msg: `socket on ${device} port ${port}: ${err.message}`, data: { iface: device, port } }),
    );
    this.endpoints.push(endpoint);
  }

  private async closeEndpoints(): Promise<void> {
    await Promise.all(this.endpoints.splice(0).map((e) => e.close()));
  }

  /**
   * Decodes and screens at once (cheap, and it names the client), then queues the request
   * behind that client's earlier ones; other clients' requests run alongside.
   */
  private enqueue(data: Buffer, from: RemoteInfo, route: Route, endpoint: UdpEndpoint): void {
    const iface = route.iface;
    const receivedAt = performance.now();
    this.stats.received++;
    if (this.requests.size >= MAX_IN_FLIGHT) {
      this.dropped('DHCP_BUSY', 'warn', `${MAX_IN_FLIGHT} requests in flight: shedding load`, from, iface);
      return;
    }
    // node:dgram hands each datagram over in a buffer of its own: the packet may keep views of it.
    const decoded = decodeDhcp(data, 'view');
    if (!decoded.ok) {
      const { code, message, offset } = decoded.error;
      this.dropped(code, 'info', `undecodable datagram: ${message}`, from, iface, undefined, { offset, bytes: data.length });
      return;
    }
    const packet = decoded.packet;
    const screened = screenRequest(packet);
    if (!screened.ok) {
      this.dropped(screened.code, screened.level, screened.message, from, iface, macOf(packet));
      return;
    }
    // One queue per client when the store batches concurrent claims; else one for all.
    this.requests.push(
      this.opts.store.parallelRequests === true ? clientKey(packet) : SERIAL,
      () => this.process(packet, screened.type, receivedAt, from, route, endpoint),
      (err: unknown) => this.dropped('DHCP_STORE_FAILED', 'error', `request failed: ${errorText(err)}`, from, iface),
    );
  }

  private async process(packet: DhcpPacket, type: MessageType, receivedAt: number, from: RemoteInfo, route: Route, endpoint: UdpEndpoint): Promise<void> {
    const iface = route.iface;
    const waited = performance.now() - receivedAt;
    if (waited > (this.opts.deadlineMs ?? DEFAULT_DEADLINE_MS)) {
      this.stats.stale++;
      this.dropped('DHCP_STALE', 'warn', `request waited ${Math.round(waited)} ms: dropped unanswered`, from, iface, macOf(packet));
      return;
    }
    const to = responderFor({
      socket: route.mode, pxePort: route.mode === 'proxy' && route.via === 'pxe', packet, type, subnets: this.subnets, routing: this.opts.policy?.routing ?? 'socket',
    });
    const outcome =
      to === 'full'
        ? await this.responder.handle(acceptServerIdOverride(packet, iface.address), type, iface)
        : this.proxy.handle(packet, type, { iface, via: route.mode === 'proxy' ? route.via : 'dhcp', from: { address: from.address, port: from.port } });
    // RFC 5107: the relay's server identifier override names the server in full-mode replies.
    if (to === 'full' && outcome.kind === 'reply') stampServerIdOverride(outcome.reply.packet, packet);
    if (outcome.kind === 'drop') {
      this.stats.dropped++;
      return;
    }
    if (outcome.kind === 'silent') return;
    this.send(outcome.reply, packet, from, iface, endpoint);
  }

  private send(reply: DhcpReply, packet: DhcpPacket, from: RemoteInfo, iface: ReceivingInterface, endpoint: UdpEndpoint): void {
    let bytes: Buffer;
    try {
      bytes = encodeDhcp(reply.packet, reply.encode);
    } catch (err) {
      this.dropped('DHCP_ENCODE_FAILED', 'error', `cannot encode reply: ${errorText(err)}`, from, iface, macOf(packet));
      return;
    }
    endpoint.post(bytes, reply.to.port, reply.to.address, (err) => {
      if (err === null) {
        this.stats.replied++;
        return;
      }
      this.opts.events.emit({
        kind: 'dhcp.error',
        level: 'warn',
        mac: macOf(packet),
        msg: `send to ${reply.to.address}:${reply.to.port} failed: ${errorText(err)}`,
        data: { iface: iface.name },
      });
    });
  }

  /**
   * Ends offers and leases whose time is past. Runs beside requests: the store orders its
   * own writes, and a request that reads a lease a moment before it expires is no different
   * from one that came a moment earlier. One sweep at a time.
   */
  private sweep(): void {
    if (this.sweeping) return;
    this.sweeping = (async () => {
      for (const lease of await this.opts.store.expire(Date.now())) {
        this.opts.events.emit({
          kind: 'dhcp.expire',
          level: lease.state === 'bound' ? 'info' : 'debug',
          ...(lease.mac !== null ? { mac: lease.mac } : {}),
          msg: `${lease.state} ${lease.address} expired`,
          data: { ip: lease.address, state: lease.state },
        });
      }
    })()
      .catch((err: unknown) => this.opts.events.emit({ kind: 'dhcp.error', level: 'error', msg: `lease expiry failed: ${errorText(err)}` }))
      .finally(() => {
        this.sweeping = null;
      });
  }

  private dropped(
    code: DhcpDropCode | string,
    level: 'debug' | 'info' | 'warn' | 'error',
    msg: string,
    from: RemoteInfo,
    iface: ReceivingInterface,
    mac?: string,
    extra: Record<string, number> = {},
  ): void {
    this.stats.dropped++;
    this.opts.events.emit({
      kind: 'dhcp.drop',
      level,
      ...(mac ? { mac } : {}),
      msg,
      data: { code, from: `${from.address}:${from.port}`, iface: iface.name, ...extra },
    });
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
