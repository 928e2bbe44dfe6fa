/**
 * Address conflict detection for full-mode DHCP that never delays an OFFER (issue 6 item 8;
 * config `dhcp.conflictDetection`). dnsmasq pings each address before its first offer and
 * waits for the echo (≈ 3 s); ISC dhcpd's ping-check waits 1 s. Here the checking happens
 * around the exchange instead of inside it:
 *
 * - Pre-probe: every few seconds, and soon after each offer, the next few addresses the pool
 *   would offer a new client (`conflict-candidates.ts`) are ARP-probed (`conflict-prober.ts`),
 *   and again once their result is older than `refreshMs`. So the address a client is offered
 *   has usually been checked moments before.
 * - Recheck on offer: the offered address is probed in parallel with the OFFER (unless it was
 *   checked in the last `recheckMs`). A Linux host answers ARP in well under a millisecond, so
 *   the answer is normally in the socket before the client's REQUEST arrives, and
 *   `isConflicted` reads the socket before answering: the REQUEST is NAKed and the client
 *   DISCOVERs again.
 * - An address some other host answered for is marked in the lease store (`markConflict`:
 *   `declined` until the backoff ends, as a DHCPDECLINE would), logged, counted and emitted as
 *   `dhcp.conflict` with the answering MAC. A bound lease is never taken back.
 *
 * Only subnets directly attached to a full-mode interface are probed (ARP does not cross a
 * relay; see src/dhcp/README.md), and neither reserved addresses (as dnsmasq, which pings only
 * addresses it picks dynamically) nor addresses held by someone.
 */
import type { BootfleetConfig } from '../config/schema.js';
import type { EventSink } from '../events/boot-event.js';
import { isHeld, type LeaseStore } from '../store/lease-store.js';
import { ArpSocket, type ArpLink } from '../transport/arp-socket.js';
import { nextFreeAddresses } from './conflict-candidates.js';
import type { ConflictGuard, OfferedAddress } from './conflict-guard.js';
import { ArpProber, type ArpProberOptions, type ProbePriority, type ProbeVerdict } from './conflict-prober.js';
import { contains } from './ipv4-math.js';
import { subnetContaining, subnetsOf, type Subnet } from './pool.js';

/** A full-mode interface as the detector needs it. */
export interface GuardedInterface {
  name: string;
  address: string;
  netmask: string;
  /** Its MAC: the source of our probes. */
  mac: string;
}

export interface ConflictDetectorOptions {
  config: BootfleetConfig;
  store: LeaseStore;
  events: EventSink;
  interfaces: readonly GuardedInterface[];
  /** Addresses never handed out (every full-mode interface's); routers are added from the config. */
  localAddresses: readonly string[];
  /** How long an address someone answered for is kept from clients. Default 600 s, like a DECLINE. */
  backoffSeconds?: number;
  /** Addresses pre-probed per subnet (default 4; 0: only recheck on offer). */
  preprobeCount?: number;
  /** How often the pre-probe looks at the pool (default 5 s; also soon after each offer). */
  preprobeIntervalMs?: number;
  /** A clear pre-probe result older than this is probed again (default 30 s, dnsmasq's PING_CACHE_TIME). */
  refreshMs?: number;
  /** An offered address checked clear within this long is not probed again (default 5 s). */
  recheckMs?: number;
  /** Opens the ARP link of an interface; default an AF_PACKET socket. Injectable for tests. */
  openLink?: (device: string) => ArpLink;
  /** Prober settings (rate, timeouts); injectable for tests. */
  prober?: Pick<ArpProberOptions, 'ratePerSecond' | 'burst' | 'resendMs' | 'timeoutMs' | 'pollMs' | 'maxPending'>;
  now?: () => number;
}

export interface ConflictStats {
  /** Probes started (each is two ARP requests). */
  probes: number;
  /** Probes some other host answered. */
  conflicts: number;
  /** Probes not started because the rate limit or the in-flight cap said no. */
  skipped: number;
  /** REQUESTs the guard said to NAK. */
  naks: number;
}

type Result = { kind: 'clear'; at: number } | { kind: 'conflict'; mac: string; at: number };

interface Guarded {
  iface: GuardedInterface;
  subnet: Subnet;
  prober: ArpProber;
}

/** Minimum spacing of pre-probe passes, however many offers ask for one. */
const MIN_PASS_SPACING_MS = 1000;
/** At most one report of failing probes per this long. */
const FAILURE_REPORT_SPACING_MS = 60_000;

export class ConflictDetector implements ConflictGuard {
  readonly stats: ConflictStats = { probes: 0, conflicts: 0, skipped: 0, naks: 0 };
  private readonly guarded = new Map<string, Guarded>();
  private readonly results = new Map<string, Result>();
  private readonly now: () => number;
  private readonly backoffMs: number;
  private passTimer: NodeJS.Timeout | null = null;
  private soonTimer: NodeJS.Timeout | null = null;
  private passRunning = false;
  private lastPassAt = 0;
  private lastFailureReport = -Infinity;
  private readonly marking = new Set<Promise<void>>();
  private running = false;

  constructor(private readonly opts: ConflictDetectorOptions) {
    this.now = opts.now ?? Date.now;
    this.backoffMs = (opts.backoffSeconds ?? 600) * 1000;
  }

  /**
   * Opens an ARP socket on each interface that has a subnet of its own; one that cannot be
   * opened (no CAP_NET_RAW, no MAC) is reported and left unguarded: DHCP works without it.
   */
  start(): void {
    if (this.running) return;
    this.running = true;
    const subnets = subnetsOf(this.opts.config.dhcp.subnets);
    const open = this.opts.openLink ?? ((device: string) => ArpSocket.open(device));
    for (const iface of this.opts.interfaces) {
      // The subnet the interface's own address is in is the one on its wire; others are relayed.
      const subnet = subnetContaining(subnets, iface.address);
      if (subnet === null) continue;
      let link: ArpLink;
      try {
        link = open(iface.name);
      } catch (err) {
        this.opts.events.emit({
          kind: 'dhcp.error',
          level: 'warn',
          msg: `address conflict detection off on ${iface.name}: ${err instanceof Error ? err.message : String(err)}`,
          data: { iface: iface.name },
        });
        continue;
      }
      const prober = new ArpProber({ ...this.opts.prober, link, ourMac: iface.mac, now: this.now, onVerdict: (a, v) => this.verdict(iface.name, a, v) });
      this.guarded.set(iface.name, { iface, subnet, prober });
      this.opts.events.emit({
        kind: 'dhcp.conflict-detection',
        level: 'info',
        msg: `address conflict detection on ${iface.name} (${subnet.config.subnet}): ARP probes before and while offering, never delaying an offer`,
        data: { iface: iface.name, subnet: subnet.config.subnet },
      });
    }
    if ((this.opts.preprobeCount ?? 4) > 0 && this.guarded.size > 0) {
      this.passTimer = setInterval(() => this.pass(), this.opts.preprobeIntervalMs ?? 5000);
      this.passTimer.unref();
      this.pass();
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.passTimer) clearInterval(this.passTimer);
    if (this.soonTimer) clearTimeout(this.soonTimer);
    this.passTimer = this.soonTimer = null;
    for (const g of this.guarded.values()) g.prober.close();
    this.guarded.clear();
    // The store closes after this: let the marks under way reach it first.
    await Promise.all([...this.marking]);
  }

  /** Interfaces being guarded. */
  get interfaces(): string[] {
    return [...this.guarded.keys()];
  }

  onOffer(offer: OfferedAddress): void {
    if (offer.relayed || offer.reason === 'reservation') return;
    const g = this.guarded.get(offer.iface);
    if (!g || !contains(g.subnet.net, offer.address)) return;
    const r = this.results.get(offer.address);
    const fresh = r?.kind === 'clear' && this.now() - r.at < (this.opts.recheckMs ?? 5000);
    if (!fresh) this.probe(g, offer.address, 'offer');
    this.passSoon();
  }

  isConflicted(address: string, mac: string): boolean {
    for (const g of this.guarded.values()) {
      // The answer to a recheck sent with the OFFER is usually already in the socket.
      if (g.prober.isPending(address)) g.prober.poll();
    }
    const r = this.results.get(address);
    const yes = r?.kind === 'conflict' && r.mac !== mac && this.now() - r.at < this.backoffMs;
    if (yes) this.stats.naks++;
    return yes;
  }

  private probe(g: Guarded, address: string, priority: ProbePriority): void {
    if (g.prober.isPending(address)) return;
    if (g.prober.probe(address, priority)) this.stats.probes++;
    else this.stats.skipped++;
  }

  private verdict(iface: string, address: string, v: ProbeVerdict): void {
    const at = this.now();
    if (v.kind === 'clear') {
      this.results.set(address, { kind: 'clear', at });
      return;
    }
    if (v.kind === 'failed') {
      this.results.delete(address);
      // An interface that is down fails every probe: say so once a minute, not ten times a second.
      if (at - this.lastFailureReport >= FAILURE_REPORT_SPACING_MS) {
        this.lastFailureReport = at;
        this.opts.events.emit({ kind: 'dhcp.error', level: 'warn', msg: `ARP probe of ${address} on ${iface} failed: ${v.error}`, data: { iface, ip: address } });
      }
      return;
    }
    this.results.set(address, { kind: 'conflict', mac: v.mac, at });
    const marking: Promise<void> = this.mark(iface, address, v.mac, at)
      .catch((err: unknown) =>
        this.opts.events.emit({ kind: 'dhcp.error', level: 'error', msg: `marking ${address} in use failed: ${err instanceof Error ? err.message : String(err)}`, data: { iface, ip: address } }),
      )
      .finally(() => this.marking.delete(marking));
    this.marking.add(marking);
  }

  /** Records an answered probe in the store, unless the answer came from the address's own client. */
  private async mark(iface: string, address: string, mac: string, at: number): Promise<void> {
    const row = await this.opts.store.getByAddress(address);
    if (row !== null && row.mac === mac && row.state !== 'declined') {
      // The client the address is offered or leased to answered for it: no conflict. So is its
      // last client (an expired or released row): marking it would NAK that client's renewal,
      // where now an authoritative server gives the address back to it.
      this.results.set(address, { kind: 'clear', at });
      return;
    }
    const marked = await this.opts.store.markConflict(address, mac, at + this.backoffMs, at);
    this.stats.conflicts++;
    const seconds = this.backoffMs / 1000;
    const boundTo = !marked && row?.state === 'bound' ? row.mac : null;
    this.opts.events.emit({
      kind: 'dhcp.conflict',
      level: 'warn',
      mac,
      msg: marked
        ? `${address} is in use by ${mac} (it answered ARP): kept from clients for ${seconds}s`
        : `${address} is in use by ${mac} (it answered ARP), but is already leased to ${boundTo ?? 'a client'}: two hosts may share it`,
      data: {
        ip: address,
        iface,
        marked,
        seconds: marked ? seconds : 0,
        offeredTo: row?.state === 'offered' && isHeld(row, at) ? row.mac : null,
        boundTo,
      },
    });
  }

  /** Schedules a pre-probe pass shortly (the pool's next free addresses just moved). */
  private passSoon(): void {
    if (this.soonTimer !== null || (this.opts.preprobeCount ?? 4) <= 0 || !this.running) return;
    const wait = Math.max(50, this.lastPassAt + MIN_PASS_SPACING_MS - this.now());
    this.soonTimer = setTimeout(() => {
      this.soonTimer = null;
      this.pass();
    }, wait);
    this.soonTimer.unref();
  }

  /** Probes each guarded subnet's next free addresses whose last result is missing or stale. */
  private pass(): void {
    if (this.passRunning || !this.running) return;
    this.passRunning = true;
    this.lastPassAt = this.now();
    void this.runPass()
      .catch((err: unknown) =>
        this.opts.events.emit({ kind: 'dhcp.error', level: 'warn', msg: `conflict pre-probe failed: ${err instanceof Error ? err.message : String(err)}` }),
      )
      .finally(() => {
        this.passRunning = false;
      });
  }

  private async runPass(): Promise<void> {
    // The store's view (SQLite: its in-memory index), not a copy of the table: cheap at 60 000 leases.
    const leases = await this.opts.store.view();
    const now = this.now();
    this.forgetOld(now);
    const refreshMs = this.opts.refreshMs ?? 30_000;
    for (const g of this.guarded.values()) {
      const exclude = [...this.opts.localAddresses];
      if (g.subnet.config.router !== undefined) exclude.push(g.subnet.config.router);
      const next = nextFreeAddresses({ subnet: g.subnet, reservations: this.opts.config.dhcp.reservations, leases, now, exclude }, this.opts.preprobeCount ?? 4);
      for (const address of next) {
        const r = this.results.get(address);
        // A conflict the store no longer holds (its backoff ended) is probed again.
        if (r?.kind === 'clear' && now - r.at < refreshMs) continue;
        this.probe(g, address, 'background');
      }
    }
  }

  private forgetOld(now: number): void {
    for (const [address, r] of this.results) if (now - r.at > this.backoffMs) this.results.delete(address);
  }
}
