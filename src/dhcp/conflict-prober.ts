/**
 * ARP probes on one interface (RFC 5227 §2.1.1 style): "who has 198.18.10.100?" with sender
 * IP 0.0.0.0, sent twice, and the verdict `in-use` (with the MAC that answered) as soon as
 * any ARP packet arrives whose sender IP is the probed address, or `clear` when none came
 * within the timeout. Callers never wait on it: verdicts arrive through `onVerdict`.
 *
 * Bounded work: a token bucket caps probes per second (each is two ARP requests), background
 * probes may use only the upper half of the bucket so that offer rechecks always find a
 * token, and at most `maxPending` probes are in flight. While any is, the socket is drained
 * every `pollMs` (non-blocking, a bounded number of packets each time); `poll()` drains it at
 * once, for a caller about to decide on an address.
 */
import type { ArpLink } from '../transport/arp-socket.js';
import { arpProbe, decodeArp, encodeArp } from '../wire/arp.js';

export type ProbeVerdict = { kind: 'clear' } | { kind: 'in-use'; mac: string } | { kind: 'failed'; error: string };

/** `offer`: an address just offered (may use the whole budget); `background`: one about to be. */
export type ProbePriority = 'offer' | 'background';

export interface ArpProberOptions {
  link: ArpLink;
  /** The interface's own MAC: our probes go out with it, and our own packets come back on the socket. */
  ourMac: string;
  onVerdict: (address: string, verdict: ProbeVerdict) => void;
  /** Probes per second, sustained (default 10: 20 ARP requests a second at most). */
  ratePerSecond?: number;
  /** Probes that may start at once after a quiet spell (default 10). */
  burst?: number;
  /** The second request of a probe, in case the first was lost (default 250 ms). */
  resendMs?: number;
  /**
   * No answer by then: `clear` (default 1000 ms). A wired host answers in well under a
   * millisecond; the margin is for hosts in Wi-Fi power save behind a bridge. Nobody waits
   * for it: it only decides when a free address counts as checked.
   */
  timeoutMs?: number;
  /** How often the socket is drained while probes are in flight (default 10 ms). */
  pollMs?: number;
  maxPending?: number;
  now?: () => number;
}

interface Pending {
  resend: NodeJS.Timeout;
  timeout: NodeJS.Timeout;
}

export class ArpProber {
  private readonly pending = new Map<string, Pending>();
  private pollTimer: NodeJS.Timeout | null = null;
  private tokens: number;
  private refilledAt: number;
  private closed = false;
  private readonly rate: number;
  private readonly burst: number;
  private readonly now: () => number;

  constructor(private readonly opts: ArpProberOptions) {
    this.rate = opts.ratePerSecond ?? 10;
    this.burst = opts.burst ?? 10;
    this.now = opts.now ?? Date.now;
    this.tokens = this.burst;
    this.refilledAt = this.now();
  }

  get device(): string {
    return this.opts.link.device;
  }

  /** Probes in flight. */
  get inFlight(): number {
    return this.pending.size;
  }

  isPending(address: string): boolean {
    return this.pending.has(address);
  }

  /**
   * Starts a probe of `address` unless one is in flight (true: the verdict will come) or the
   * budget is spent (false: nothing was sent). Never blocks.
   */
  probe(address: string, priority: ProbePriority): boolean {
    if (this.closed) return false;
    if (this.pending.has(address)) return true;
    if (this.pending.size >= (this.opts.maxPending ?? 64)) return false;
    this.refill();
    const floor = priority === 'offer' ? 1 : 1 + this.burst / 2;
    if (this.tokens < floor) return false;
    this.tokens -= 1;
    if (this.pending.size === 0) {
      // Whatever queued while nobody listened is old news about who had which address. The
      // kernel's receive buffer bounds it (a few hundred packets); so do these drains.
      for (let i = 0; i < 4 && this.opts.link.drain().length > 0; i++);
    }
    const request = encodeArp(arpProbe(this.opts.ourMac, address));
    try {
      this.opts.link.send(request);
    } catch (err) {
      this.opts.onVerdict(address, { kind: 'failed', error: err instanceof Error ? err.message : String(err) });
      return true;
    }
    const resend = setTimeout(() => {
      try {
        this.opts.link.send(request);
      } catch {
        // The first request went out; the timeout still gives a verdict.
      }
    }, this.opts.resendMs ?? 250);
    const timeout = setTimeout(() => {
      // An answer may have landed since the last drain.
      this.poll();
      this.finish(address, { kind: 'clear' });
    }, this.opts.timeoutMs ?? 1000);
    resend.unref();
    timeout.unref();
    this.pending.set(address, { resend, timeout });
    if (this.pollTimer === null) {
      this.pollTimer = setInterval(() => this.poll(), this.opts.pollMs ?? 10);
      this.pollTimer.unref();
    }
    return true;
  }

  /** Reads what the socket holds now and hands out verdicts for it, synchronously. */
  poll(): void {
    if (this.pending.size === 0) return;
    for (const bytes of this.opts.link.drain()) {
      const d = decodeArp(bytes);
      if (!d.ok) continue;
      const p = d.packet;
      // Any ARP packet (reply, request or announcement) whose sender is the probed address
      // says a host uses it (RFC 5227 §2.1.1); ours carry 0.0.0.0 and our MAC.
      if (p.senderIp === '0.0.0.0' || p.senderMac === this.opts.ourMac) continue;
      if (this.pending.has(p.senderIp)) this.finish(p.senderIp, { kind: 'in-use', mac: p.senderMac });
    }
  }

  close(): void {
    this.closed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.resend);
      clearTimeout(p.timeout);
    }
    this.pending.clear();
    this.stopPolling();
    this.opts.link.close();
  }

  private finish(address: string, verdict: ProbeVerdict): void {
    const p = this.pending.get(address);
    if (!p) return;
    clearTimeout(p.resend);
    clearTimeout(p.timeout);
    this.pending.delete(address);
    if (this.pending.size === 0) this.stopPolling();
    this.opts.onVerdict(address, verdict);
  }

  private stopPolling(): void {
    if (this.pollTimer !== null) clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.rate);
    this.refilledAt = now;
  }
}
