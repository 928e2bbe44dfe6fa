/**
 * Each machine's recent boot events, by MAC: the live timeline behind
 * `GET /api/v1/machines/{mac}/timeline` and `bootfleet doctor`. The global event ring forgets a
 * quiet machine within seconds during a storm; this keeps every machine's own last steps.
 * Memory is bounded three times: events per machine, machines, and events in all (the least
 * recently heard from machine is forgotten first), so a flood of made-up MACs, or of requests
 * from a few, costs at most `maxEvents` events.
 */
import type { BootEvent } from './boot-event.js';
import { asTimed, type TimedEvent } from './event-time.js';

export type { TimedEvent } from './event-time.js';

/** Longest text kept from one field: a request line or a user agent can be ~16 KB, sent by anyone. */
const MAX_TEXT = 256;

/**
 * A copy of a long string's head that does not keep the long string alive (V8 may make a slice a
 * view of its parent; going through an array of chars breaks that link).
 */
function cap(text: string): string {
  return text.length <= MAX_TEXT ? text : Array.from(text.slice(0, MAX_TEXT - 1)).join('') + '…';
}

/** The event as kept: every string cut to MAX_TEXT, so memory is bounded in bytes, not only in events. */
function kept<E extends BootEvent>(e: E): E {
  let data = e.data;
  if (data !== undefined) {
    // A for-in over the few fields: this runs for every event, and Object.values would make an array each time.
    for (const k in data) {
      const v = data[k];
      if (typeof v === 'string' && v.length > MAX_TEXT) {
        data = Object.fromEntries(Object.entries(data).map(([key, x]) => [key, typeof x === 'string' ? cap(x) : x]));
        break;
      }
    }
  }
  if (e.msg.length <= MAX_TEXT && data === e.data) return e;
  return { ...e, msg: cap(e.msg), ...(data !== undefined ? { data } : {}) };
}

export interface MachineTimelinesOptions {
  /** Events kept per machine (oldest dropped first); default 200, enough for several boots. */
  perMachine?: number;
  /** Machines kept; default 20 000. */
  maxMachines?: number;
  /** Events kept in all; default 200 000 (≈ 350 bytes each as DHCP makes them: ≈ 70 MB when full). */
  maxEvents?: number;
}

interface Ring {
  /** Events as emitted (no copy made to stamp them), or as pushed with their time ({@link MachineTimelines.push}). */
  slots: BootEvent[];
  /** Each slot's time in milliseconds since the epoch. */
  times: number[];
  /** Index of the oldest event once the ring is full. */
  start: number;
  /** {@link MachineTimelines.inserted} when the ring last went to the end of the Map order. */
  seq: number;
  /** {@link MachineTimelines.pushes} at the ring's latest event: the exact order for {@link MachineTimelines.recentMacs}. */
  last: number;
}

export class MachineTimelines {
  private readonly rings = new Map<string, Ring>();
  private readonly perMachine: number;
  private readonly maxMachines: number;
  private readonly maxEvents: number;
  private events = 0;
  /** Insertions into `rings` so far: how far back in the Map order a ring is. */
  private inserted = 0;
  /** Events pushed so far. */
  private pushes = 0;
  /**
   * Where eviction reads the Map order. Everything before it has been evicted (deleted), and
   * a ring moved to the end is met again there, so its next entry is always the oldest.
   */
  private cursor: IterableIterator<[string, Ring]> | null = null;

  constructor(opts: MachineTimelinesOptions = {}) {
    this.perMachine = Math.max(1, opts.perMachine ?? 200);
    this.maxMachines = Math.max(1, opts.maxMachines ?? 20_000);
    this.maxEvents = Math.max(this.perMachine, opts.maxEvents ?? 200_000);
  }

  /**
   * Forgets the machine heard from least recently, within slack: Map order is insertion order,
   * and a machine heard from goes to the end only once it has fallen into the older half (see
   * {@link push}), so the one forgotten was heard from less recently than at least half of the others.
   */
  private forgetQuietest(): void {
    // One live iterator, kept between calls: a fresh one would walk every slot already
    // deleted at the front of the Map's table (V8 keeps them until it rehashes), which made
    // eviction cost grow with the churn of a fleet larger than maxMachines.
    let quietest = this.cursor?.next();
    if (quietest === undefined || quietest.done === true) {
      this.cursor = this.rings.entries();
      quietest = this.cursor.next();
    }
    if (quietest.done === true) return;
    this.events -= quietest.value[1].slots.length;
    this.rings.delete(quietest.value[0]);
  }

  /** Records an event with its time as text (a captured timeline, a test); {@link pushAt} is the event path's form. */
  push(event: TimedEvent): void {
    this.pushAt(event, Date.parse(event.time));
  }

  /**
   * Records an event under its MAC, at `ms` since the epoch; events without one (server
   * start-up, drops of undecodable packets) are not a machine's. The event is kept as it is
   * (see `EventListener`): its time text is made when the timeline is read.
   */
  pushAt(event: BootEvent, ms: number): void {
    const mac = event.mac;
    if (mac === undefined || event.kind.startsWith('api.')) return;
    const e = kept(event);
    let ring = this.rings.get(mac);
    if (ring === undefined) {
      if (this.rings.size >= this.maxMachines) this.forgetQuietest();
      ring = { slots: [], times: [], start: 0, seq: ++this.inserted, last: 0 };
      this.rings.set(mac, ring);
    } else if (this.inserted - ring.seq >= this.rings.size >> 1) {
      // Moving a ring to the end costs a Map delete and set; a booting machine sends several
      // events a second, and one still in the newer half gains nothing from the move.
      this.rings.delete(mac);
      ring.seq = ++this.inserted;
      this.rings.set(mac, ring);
    }
    ring.last = ++this.pushes;
    if (ring.slots.length < this.perMachine) {
      ring.slots.push(e);
      ring.times.push(ms);
      this.events++;
      while (this.events > this.maxEvents && this.rings.size > 1) this.forgetQuietest();
    } else {
      ring.slots[ring.start] = e;
      ring.times[ring.start] = ms;
      ring.start = (ring.start + 1) % this.perMachine;
    }
  }

  /** The machine's kept events, oldest first (empty when never heard from, or forgotten). */
  of(mac: string): TimedEvent[] {
    const ring = this.rings.get(mac);
    if (ring === undefined) return [];
    const out: TimedEvent[] = [];
    const n = ring.slots.length;
    for (let k = 0; k < n; k++) {
      const i = (ring.start + k) % n;
      const e = ring.slots[i] as BootEvent;
      out.push(asTimed(e, ring.times[i] as number));
    }
    return out;
  }

  /** MACs with a timeline, the most recently heard from first. */
  recentMacs(limit = Infinity): string[] {
    // The Map order is only roughly recent (see push); the API sorts by each ring's latest event.
    return [...this.rings.entries()]
      .sort((a, b) => b[1].last - a[1].last)
      .slice(0, limit)
      .map(([mac]) => mac);
  }

  /** How many machines have a timeline. */
  get size(): number {
    return this.rings.size;
  }
}
