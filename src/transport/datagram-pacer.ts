/**
 * Spreads a burst of outgoing datagrams over a few milliseconds instead of handing the kernel
 * hundreds at once. Made for DHCP: group commit makes every ACK waiting for one commit ready
 * at the same instant (100–600 of them at 10 000 DORA/s when an fsync is slow), and they all
 * go to one relay, or to one client stack in a load test, whose receive queue holds ≈ 150
 * datagrams of this size. Kea and dnsmasq answer one request at a time and never burst.
 *
 * Up to `perMs` datagrams leave per millisecond at once, as before; the rest wait in order
 * and leave on timer ticks (1 ms apart when the loop is idle, later when it is busy), each
 * sending max(`perMs`, backlog / `maxSpreadMs`). A burst of up to `perMs` × `maxSpreadMs` is
 * spread over at most `maxSpreadMs` ticks; a bigger one loses a `maxSpreadMs`-th of what waits
 * each tick, so it drains faster than `perMs` a tick and throughput is never capped (a backlog
 * B is gone after ≈ `maxSpreadMs` × (1 + ln(B / (`perMs` × `maxSpreadMs`))) ticks).
 */
export interface DatagramPacerOptions {
  /** Datagrams per millisecond that leave without waiting. */
  perMs: number;
  /** Ticks over which a burst of up to `perMs` × this is spread; a bigger one drains faster. */
  maxSpreadMs: number;
  /** Milliseconds, monotonic (default `performance.now`). */
  now?: () => number;
}

export class DatagramPacer<T> {
  private readonly perMs: number;
  private readonly maxSpreadMs: number;
  private readonly now: () => number;
  private windowAt = -Infinity;
  private inWindow = 0;
  private readonly waiting: T[] = [];
  /** Index of the first waiting item (removed in chunks, not one by one). */
  private head = 0;
  private timer: NodeJS.Timeout | null = null;
  /** True while waiting items are being sent: an item pushed meanwhile queues behind them. */
  private draining = false;

  /** `send` must not throw: a datagram it cannot send is its own to report. */
  constructor(
    opts: DatagramPacerOptions,
    private readonly send: (item: T) => void,
  ) {
    this.perMs = Math.max(1, Math.floor(opts.perMs));
    this.maxSpreadMs = Math.max(1, opts.maxSpreadMs);
    this.now = opts.now ?? (() => performance.now());
  }

  /** Sends `item` now, or in order after those waiting. */
  push(item: T): void {
    if (this.admitNow()) this.send(item);
    else this.defer(item);
  }

  /**
   * True (and counted as sent) when a datagram may leave now: nothing is waiting and this
   * millisecond has room. The caller then sends it itself, with nothing made to queue it.
   */
  admitNow(): boolean {
    if (this.draining || this.head !== this.waiting.length) return false;
    const now = this.now();
    if (now - this.windowAt >= 1) {
      this.windowAt = now;
      this.inWindow = 0;
    }
    if (this.inWindow >= this.perMs) return false;
    this.inWindow++;
    return true;
  }

  /** Queues `item` behind those waiting (after {@link admitNow} said no). */
  defer(item: T): void {
    this.waiting.push(item);
    this.timer ??= setTimeout(() => this.tick(), 1);
  }

  /** Datagrams waiting for a later tick. */
  get backlog(): number {
    return this.waiting.length - this.head;
  }

  /** Sends everything waiting now (closing: nothing is left behind). */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.sendWaiting(this.backlog);
  }

  private tick(): void {
    this.timer = null;
    this.windowAt = this.now();
    const take = Math.max(this.perMs, Math.ceil(this.backlog / this.maxSpreadMs));
    this.inWindow = Math.min(this.perMs, this.sendWaiting(take));
    // `??=`: a send that pushed again may have scheduled the next tick already.
    if (this.backlog > 0) this.timer ??= setTimeout(() => this.tick(), 1);
  }

  /** Sends up to `count` waiting items, oldest first; returns how many it sent. */
  private sendWaiting(count: number): number {
    const end = Math.min(this.waiting.length, this.head + count);
    const from = this.head;
    this.draining = true;
    try {
      for (let i = from; i < end; i++) {
        this.head = i + 1;
        this.send(this.waiting[i] as T);
      }
    } finally {
      this.draining = false;
    }
    if (this.head === this.waiting.length) {
      this.waiting.length = 0;
      this.head = 0;
    } else if (this.head >= 1024) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
    return end - from;
  }
}
