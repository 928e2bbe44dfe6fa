/**
 * Answers iPXE's IPv6 router solicitations with an advertisement that says nothing, so
 * iPXE stops waiting ≈ 13 s for IPv6 autoconfiguration (lab-notes pitfall 7), and stays
 * silent wherever a real IPv6 router could answer. Why each rule: docs/adr/0005-ipv6-ra.md.
 *
 * Per interface: one raw ICMPv6 socket (RS and RA only, joined to ff02::2); our own router
 * solicitations at start to hear the routers at once; a pending entry per soliciting client
 * that {@link decideRa} turns into an advertisement (unicast, hop limit 255), a timer, or
 * silence. Never throws after construction: a bad packet is dropped and counted
 * (`ndp.drop`), an interface that cannot be served is reported (`ndp.error`) and skipped.
 */
import type { BootEvent, EventSink } from '../events/boot-event.js';
import { RawIcmpv6Socket, type Icmpv6Datagram } from '../transport/raw-icmpv6.js';
import {
  decodeNdp,
  formatIpv6,
  isLinkLocalUnicast,
  macFromModifiedEui64,
  NdpType,
  parseIpv6,
  sourceLinkLayerAddress,
} from '../wire/ndp/index.js';
import { IpxeSightings } from './ipxe-sightings.js';
import { hostForwardsIpv6, linkFacts } from './link-facts.js';
import { decideRa } from './ra-decision.js';
import { emptyRouterAdvertisementBytes, routerSolicitationBytes } from './ra-messages.js';
import { DEFAULT_RA_TIMING, type RaTiming } from './ra-timing.js';

/** The socket as the responder uses it (a fake in unit tests). */
export interface NdpLink {
  send(message: Uint8Array, to: Uint8Array): void;
  close(): Promise<void>;
}

export type OpenNdpLink = (device: string, onDatagram: (d: Icmpv6Datagram) => void, onError: (err: Error) => void) => NdpLink;

export interface RaResponderOptions {
  /** Interfaces to answer on (served, `ipv6RaForIpxe: auto`). */
  interfaces: readonly string[];
  events: EventSink;
  timing?: Partial<RaTiming>;
  openLink?: OpenNdpLink;
  linkFacts?: (device: string) => { mac: string | null; hasLinkLocal: boolean };
  hostForwards?: (device: string) => boolean;
  now?: () => number;
  random?: () => number;
}

const ALL_ROUTERS = parseIpv6('ff02::2')!;
/** RFC 4861 §6.1.1, §6.1.2: a hop limit below 255 means it crossed a router. */
const ND_HOP_LIMIT = 255;
/** Soliciting clients tracked per interface; more are dropped (a flood must not grow memory). */
const MAX_PENDING = 1024;

interface Pending {
  mac: string;
  to: Uint8Array;
  firstSolicitAt: number;
  timer: NodeJS.Timeout | null;
}

interface LinkState {
  device: string;
  link: NdpLink;
  mac: string | null;
  answeringFrom: number | null;
  routerSeen: { at: number; from: string } | null;
  pending: Map<string, Pending>;
  probeTimer: NodeJS.Timeout | null;
  probesSent: number;
  probeAttempts: number;
}

const defaultOpenLink: OpenNdpLink = (device, onDatagram, onError) =>
  RawIcmpv6Socket.open({ device, types: [NdpType.RouterSolicitation, NdpType.RouterAdvertisement], groups: [ALL_ROUTERS], hopLimit: ND_HOP_LIMIT }, onDatagram, onError);

export class RaResponder {
  private readonly timing: RaTiming;
  private readonly sightings: IpxeSightings;
  private readonly links: LinkState[] = [];
  private readonly now: () => number;
  private readonly ra = emptyRouterAdvertisementBytes();
  private stopped = false;

  constructor(private readonly opts: RaResponderOptions) {
    this.timing = { ...DEFAULT_RA_TIMING, ...opts.timing };
    this.sightings = new IpxeSightings(this.timing.exchangeSpanMs);
    this.now = opts.now ?? Date.now;
  }

  /** Opens every interface it can; reports and skips the others. Never throws. */
  start(): void {
    const open = this.opts.openLink ?? defaultOpenLink;
    for (const device of this.opts.interfaces) {
      const facts = (this.opts.linkFacts ?? linkFacts)(device);
      let state: LinkState | null = null;
      try {
        const link = open(
          device,
          (d) => state && this.onDatagram(state, d),
          (err) => this.emit({ kind: 'ndp.error', level: 'warn', msg: `${err.message}; iPXE clients on ${device} wait for IPv6 as before`, data: { iface: device } }),
        );
        state = { device, link, mac: facts.mac, answeringFrom: null, routerSeen: null, pending: new Map(), probeTimer: null, probesSent: 0, probeAttempts: 0 };
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        this.emit({ kind: 'ndp.error', level: 'warn', msg: `not answering iPXE router solicitations on ${device}: ${why}`, data: { iface: device } });
        continue;
      }
      this.links.push(state);
      this.emit({
        kind: 'ndp.listen',
        level: 'info',
        msg: `answering iPXE router solicitations on ${device} (unicast, router lifetime 0, no prefix, M=O=0) while no IPv6 router is heard there${facts.hasLinkLocal ? '' : '; no IPv6 link-local address yet'}`,
        data: { iface: device },
      });
      const first = Math.floor((this.opts.random ?? Math.random)() * this.timing.probeDelayMs);
      state.probeTimer = setTimeout(() => this.probe(state!), first);
    }
  }

  /** Feeds one event from the app's stream: DHCP events tell which clients are iPXE. */
  noteEvent(e: BootEvent): void {
    if (this.stopped || !e.kind.startsWith('dhcp.')) return;
    const mac = this.sightings.note(e, this.now());
    if (mac === null) return;
    for (const state of this.links) {
      const p = state.pending.get(mac);
      if (p) this.evaluate(state, p);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const s of this.links) {
      if (s.probeTimer) clearTimeout(s.probeTimer);
      for (const p of s.pending.values()) if (p.timer) clearTimeout(p.timer);
      s.pending.clear();
    }
    await Promise.all(this.links.splice(0).map((s) => s.link.close()));
  }

  /** Our own solicitations (RFC 4861 §6.3.7 schedule): the routers' answers tell us they exist. */
  private probe(state: LinkState): void {
    state.probeTimer = null;
    if (this.stopped) return;
    state.probeAttempts++;
    try {
      state.link.send(routerSolicitationBytes(state.mac), ALL_ROUTERS);
    } catch (err) {
      // EADDRNOTAVAIL while the link-local address is tentative (DAD), or none at all.
      if (state.probeAttempts >= this.timing.probeMaxAttempts) {
        this.emit({ kind: 'ndp.error', level: 'warn', msg: `cannot send on ${state.device} (${errText(err)}): not answering iPXE router solicitations there`, data: { iface: state.device } });
        return;
      }
      state.probeTimer = setTimeout(() => this.probe(state), this.timing.probeRetryMs);
      return;
    }
    state.probesSent++;
    this.emit({ kind: 'ndp.probe', level: 'debug', msg: `router solicitation ${state.probesSent} of ${this.timing.probeCount} sent on ${state.device}`, data: { iface: state.device } });
    if (state.answeringFrom === null) state.answeringFrom = this.now() + this.timing.startupQuietMs;
    if (state.probesSent < this.timing.probeCount) state.probeTimer = setTimeout(() => this.probe(state), this.timing.probeIntervalMs);
  }

  private onDatagram(state: LinkState, d: Icmpv6Datagram): void {
    if (this.stopped) return;
    const from = formatIpv6(d.from);
    const drop = (code: string, msg: string, level: 'debug' | 'info' = 'info', mac?: string): void =>
      this.emit({ kind: 'ndp.drop', level, ...(mac ? { mac } : {}), msg, data: { code, iface: state.device, from } });
    if (d.truncated) return drop('NDP_TRUNCATED', 'message longer than the receive buffer');
    const decoded = decodeNdp(d.data);
    if (!decoded.ok) return drop(decoded.error.code, `undecodable: ${decoded.error.message}`);
    if (d.hopLimit !== ND_HOP_LIMIT) return drop('NDP_HOP_LIMIT', `hop limit ${d.hopLimit ?? 'unknown'}, not 255: not from this link (RFC 4861 §6.1)`);
    const message = decoded.message;
    if (message.type === NdpType.RouterAdvertisement) {
      if (!isLinkLocalUnicast(d.from)) return drop('NDP_BAD_SOURCE', 'router advertisement from a source that is not link-local (RFC 4861 §6.1.2)');
      return this.routerHeard(state, from, message.routerLifetime);
    }
    if (!isLinkLocalUnicast(d.from)) {
      // From :: (a host without an address yet) there is nowhere to unicast to; iPXE uses its link-local.
      return drop('NDP_BAD_SOURCE', 'router solicitation from a source that is not link-local: nowhere to unicast an answer', 'debug');
    }
    const mac = sourceLinkLayerAddress(message.options) ?? macFromModifiedEui64(d.from);
    if (mac === null) return drop('NDP_NO_MAC', 'router solicitation names no link-layer address: cannot tell which machine sent it', 'debug');
    this.emit({ kind: 'ndp.rs', level: 'debug', mac, msg: `router solicitation from ${from} on ${state.device}`, data: { iface: state.device, from } });
    let p = state.pending.get(mac);
    if (!p) {
      if (state.pending.size >= MAX_PENDING) return drop('NDP_BUSY', `${MAX_PENDING} solicitations pending: shedding load`, 'debug', mac);
      p = { mac, to: d.from, firstSolicitAt: this.now(), timer: null };
      state.pending.set(mac, p);
    } else {
      p.to = d.from;
    }
    this.evaluate(state, p);
  }

  private routerHeard(state: LinkState, from: string, lifetime: number): void {
    const first = state.routerSeen === null || state.routerSeen.from !== from;
    state.routerSeen = { at: this.now(), from };
    if (first) {
      this.emit({
        kind: 'ndp.router',
        level: 'info',
        msg: `IPv6 router ${from} heard on ${state.device} (router lifetime ${lifetime} s): leaving iPXE's router solicitations to it`,
        data: { iface: state.device, router: from, lifetime },
      });
    }
    for (const p of [...state.pending.values()]) this.evaluate(state, p);
  }

  private evaluate(state: LinkState, p: Pending): void {
    if (p.timer) clearTimeout(p.timer);
    p.timer = null;
    const now = this.now();
    const decision = decideRa(
      {
        now,
        firstSolicitAt: p.firstSolicitAt,
        answeringFrom: state.answeringFrom,
        routerSeen: state.routerSeen,
        hostForwards: (this.opts.hostForwards ?? hostForwardsIpv6)(state.device),
        sighting: this.sightings.get(p.mac, state.device),
      },
      this.timing,
    );
    if (decision.kind === 'wait') {
      p.timer = setTimeout(() => this.evaluate(state, p), Math.max(0, decision.until - now));
      return;
    }
    state.pending.delete(p.mac);
    const to = formatIpv6(p.to);
    if (decision.kind === 'silent') {
      this.emit({ kind: 'ndp.silent', level: 'debug', mac: p.mac, msg: `no router advertisement to ${to}: ${decision.why}`, data: { iface: state.device, to } });
      return;
    }
    try {
      state.link.send(this.ra, p.to);
    } catch (err) {
      this.emit({ kind: 'ndp.error', level: 'warn', mac: p.mac, msg: `router advertisement to ${to} on ${state.device} failed: ${errText(err)}`, data: { iface: state.device, to } });
      return;
    }
    this.sightings.markAnswered(p.mac);
    this.emit({
      kind: 'ndp.ra',
      level: 'info',
      mac: p.mac,
      msg: `router advertisement (lifetime 0, no prefix) to ${to} on ${state.device}: iPXE stops waiting for IPv6`,
      data: { iface: state.device, to, waitedMs: now - p.firstSolicitAt },
    });
  }

  private emit(e: BootEvent): void {
    this.opts.events.emit(e);
  }
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
