/**
 * Keeps recording machines off the DHCP hot path: `note()` only folds the sighting into a
 * map (per MAC, the later fields winning) and returns; a timer writes the batch in one
 * transaction a moment later. A DHCP reply never waits for the fleet, and a failing fleet
 * write costs an `fleet.error` event, never a reply.
 */
import type { EventSink } from '../events/boot-event.js';
import { mergeSightings, type Sighting } from '../fleet/machine.js';
import type { FleetStore } from './fleet-store.js';

export interface FleetSightingBatcherOptions {
  store: Pick<FleetStore, 'recordSightings'>;
  events: EventSink;
  /** How long a sighting may wait before it is written. Default 250 ms. */
  intervalMs?: number;
  /** Distinct MACs held before new ones are dropped (a flood of random MACs must not eat memory). Default 10 000. */
  maxPending?: number;
}

export class FleetSightingBatcher {
  private pending = new Map<string, Sighting>();
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private dropped = 0;
  private stopped = false;
  private readonly intervalMs: number;
  private readonly maxPending: number;

  constructor(private readonly opts: FleetSightingBatcherOptions) {
    this.intervalMs = opts.intervalMs ?? 250;
    this.maxPending = opts.maxPending ?? 10_000;
  }

  /** Remembers a sighting for the next write. Never throws, never waits. */
  note(s: Sighting): void {
    if (this.stopped) return;
    const had = this.pending.get(s.mac);
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
    this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  /** Stops taking sightings and writes the last ones. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.flush();
  }

  private async write(batch: Sighting[]): Promise<void> {
    try {
      const { discovered } = await this.opts.store.recordSightings(batch);
      for (const mac of discovered) {
        const s = batch.find((x) => x.mac === mac);
        this.opts.events.emit({
          kind: 'fleet.discovered',
          level: 'info',
          mac,
          msg: 'new machine: registered as discovered',
          data: { ip: s?.ip ?? undefined, arch: s?.arch ?? undefined, firmware: s?.firmware ?? undefined },
        });
      }
    } catch (err) {
      this.opts.events.emit({ kind: 'fleet.error', level: 'error', msg: `recording ${batch.length} sighting(s) failed: ${err instanceof Error ? err.message : String(err)}` });
    }
  }
}
