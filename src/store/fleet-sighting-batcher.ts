/**
 * Keeps recording machines off the DHCP hot path: `note()` only folds the sighting into a
 * map (per MAC, the later fields winning) and returns; a timer writes the batch in one
 * transaction a moment later. A DHCP reply never waits for the fleet, and a failing fleet
 * write costs an `fleet.error` event, never a reply.
 */
import { RecentMap } from '../collections/recent-map.js';
import type { EventSink } from '../events/boot-event.js';
import { mergeSightings, type Sighting } from '../fleet/machine.js';
import { PartialSightingsError, type FleetStore } from './fleet-store.js';

export interface FleetSightingBatcherOptions {
  store: Pick<FleetStore, 'recordSightings'>;
  events: EventSink;
  /** How long a sighting may wait before it is written. Default 250 ms. */
  intervalMs?: number;
  /** Distinct MACs held before new ones are dropped (a flood of random MACs must not eat memory). Default 10 000. */
  maxPending?: number;
  /**
   * A sighting that says nothing new about a machine written less than this long ago is not
   * written again (default 30 s): `lastSeen` is then up to this stale, which is what an
   * inventory needs, while a DHCP load (every renewal, every retry, perfdhcp's DORAs at
   * thousands a second) costs no database write per packet. The live timeline keeps exact times.
   */
  refreshMs?: number;
}

/**
 * MACs whose last written sighting is surely remembered (those seen most lately; up to twice
 * as many are held). Above the number of machines that DHCP at once, or every sighting is
 * written again: 60 000 clients against a memory of 20 000 rewrote every machine, every time.
 */
const MAX_REMEMBERED = 100_000;

export class FleetSightingBatcher {
  private pending = new Map<string, Sighting>();
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private dropped = 0;
  private stopped = false;
  private readonly intervalMs: number;
  private readonly maxPending: number;
  private readonly refreshMs: number;
  /** What was last handed to the store per MAC (written or being written). */
  private readonly written = new RecentMap<string, Sighting>(MAX_REMEMBERED);

  constructor(private readonly opts: FleetSightingBatcherOptions) {
    this.intervalMs = opts.intervalMs ?? 250;
    this.maxPending = opts.maxPending ?? 10_000;
    this.refreshMs = opts.refreshMs ?? 30_000;
  }

  /** Remembers a sighting for the next write. Never throws, never waits. */
  note(s: Sighting): void {
    if (this.stopped) return;
    const had = this.pending.get(s.mac);
    if (had === undefined && this.alreadyKnown(s)) return;
    if (had) this.pending.set(s.mac, mergeSightings(had, s));
    else if (this.pending.size >= this.maxPending) this.dropped++;
    else this.pending.set(s.mac, s);
    if (this.timer === null) {
      this.timer = setTimeout(() => void this.flush(), this.intervalMs);
      this.timer.unref();
    }
  }

  /** Writes what is pending now; resolves when it (and any write before it) is done. Never rejects. */
  flush(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = [...this.pending.values()];
    this.pending = new Map();
    const dropped = this.dropped;
    this.dropped = 0;
    if (dropped > 0) {
      this.opts.events.emit({ kind: 'fleet.drop', level: 'warn', msg: `${dropped} sighting(s) of new MACs dropped: more than ${this.maxPending} waiting to be written`, data: { dropped } });
    }
    if (batch.length === 0) return this.writing;
    for (const s of batch) this.written.set(s.mac, s);
    this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  /**
   * Forgets what was written for `mac` (null: for every machine), so its next sighting is
   * written even if it says nothing new: its record was deleted (API, config sync) since.
   */
  forget(mac: string | null): void {
    if (mac === null) this.written.clear();
    else this.written.delete(mac);
  }

  /** Stops taking sightings and writes the last ones. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.flush();
  }

  /** The store already has every fact `s` carries, from a sighting written less than `refreshMs` ago. */
  private alreadyKnown(s: Sighting): boolean {
    const w = this.written.touch(s.mac);
    if (w === undefined || s.at - w.at >= this.refreshMs || s.at < w.at) return false;
    return same(s.ip, w.ip) && same(s.uuid, w.uuid) && same(s.arch, w.arch) && same(s.firmware, w.firmware) && same(s.hostname, w.hostname);
  }

  private announce(batch: readonly Sighting[], discovered: readonly string[]): void {
    // A batch of thousands of new machines (a rack powering on): look each up, never scan.
    const byMac = discovered.length > 0 ? new Map(batch.map((x) => [x.mac, x])) : null;
    for (const mac of discovered) {
      const s = byMac?.get(mac);
      this.opts.events.emit({
        kind: 'fleet.discovered',
        level: 'info',
        mac,
        msg: 'new machine: registered as discovered',
        data: { ip: s?.ip ?? undefined, arch: s?.arch ?? undefined, firmware: s?.firmware ?? undefined },
      });
    }
  }

  private async write(batch: Sighting[]): Promise<void> {
    try {
      const { discovered } = await this.opts.store.recordSightings(batch);
      this.announce(batch, discovered);
    } catch (err) {
      // Written in parts, and a later part failed: the new machines of the parts written are new only now.
      if (err instanceof PartialSightingsError) this.announce(batch, err.discovered);
      // Not written: the next sighting of these machines must not be skipped as known.
      for (const s of batch) if (this.written.get(s.mac) === s) this.written.delete(s.mac);
      this.opts.events.emit({ kind: 'fleet.error', level: 'error', msg: `recording ${batch.length} sighting(s) failed: ${err instanceof Error ? err.message : String(err)}` });
    }
  }
}

/** A fact the new sighting lacks (undefined/null) tells nothing new. */
function same<T>(seen: T | null | undefined, had: T | null | undefined): boolean {
  return seen === undefined || seen === null || seen === had;
}
