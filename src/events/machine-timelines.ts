/**
 * Each machine's recent boot events, by MAC: the live timeline behind
 * `GET /api/v1/machines/{mac}/timeline` and `bootfleet doctor`. The global event ring forgets a
 * quiet machine within seconds during a storm; this keeps every machine's own last steps.
 * Memory is bounded twice: events per machine, and machines (the least recently heard from is
 * forgotten first), so a flood of made-up MACs costs at most `maxMachines × perMachine` events.
 */
import type { BootEvent } from './boot-event.js';

export type TimedEvent = BootEvent & { time: string };

export interface MachineTimelinesOptions {
  /** Events kept per machine (oldest dropped first); default 200, enough for several boots. */
  perMachine?: number;
  /** Machines kept; default 20 000. */
  maxMachines?: number;
}

interface Ring {
  slots: TimedEvent[];
  /** Index of the oldest event once the ring is full. */
  start: number;
}

export class MachineTimelines {
  private readonly rings = new Map<string, Ring>();
  private readonly perMachine: number;
  private readonly maxMachines: number;

  constructor(opts: MachineTimelinesOptions = {}) {
    this.perMachine = Math.max(1, opts.perMachine ?? 200);
    this.maxMachines = Math.max(1, opts.maxMachines ?? 20_000);
  }

  /** Records an event under its MAC; events without one (server start-up, drops of undecodable packets) are not a machine's. */
  push(e: TimedEvent): void {
    const mac = e.mac;
    if (mac === undefined || e.kind.startsWith('api.')) return;
    let ring = this.rings.get(mac);
    if (ring === undefined) {
      if (this.rings.size >= this.maxMachines) {
        // Map iteration order is insertion order, and a machine heard from is re-inserted below: the first key is the quietest.
        const quietest = this.rings.keys().next();
        if (!quietest.done) this.rings.delete(quietest.value);
      }
      ring = { slots: [], start: 0 };
    } else {
      this.rings.delete(mac);
    }
    this.rings.set(mac, ring);
    if (ring.slots.length < this.perMachine) {
      ring.slots.push(e);
    } else {
      ring.slots[ring.start] = e;
      ring.start = (ring.start + 1) % this.perMachine;
    }
  }

  /** The machine's kept events, oldest first (empty when never heard from, or forgotten). */
  of(mac: string): TimedEvent[] {
    const ring = this.rings.get(mac);
    if (ring === undefined) return [];
    return [...ring.slots.slice(ring.start), ...ring.slots.slice(0, ring.start)];
  }

  /** MACs with a timeline, the most recently heard from first. */
  recentMacs(limit = Infinity): string[] {
    const all = [...this.rings.keys()];
    return all.slice(Math.max(0, all.length - limit)).reverse();
  }

  /** How many machines have a timeline. */
  get size(): number {
    return this.rings.size;
  }
}
