/**
 * The last N boot events, kept in memory for `GET /api/v1/events`: a fixed-size ring fed by
 * the EventLog, so reading recent history costs nothing on the hot path and memory is bounded.
 */
import type { BootEvent } from '../events/boot-event.js';
import { asTimed } from '../events/event-time.js';

export type StampedEvent = BootEvent & { time: string };

export interface EventQuery {
  mac?: string;
  /** Most recent first are kept; returned oldest first. Default 100. */
  limit?: number;
}

export class EventRing {
  /** Events as emitted, or as pushed with their time text ({@link push}). */
  private readonly slots: (BootEvent | undefined)[];
  /** Each slot's time in milliseconds since the epoch. */
  private readonly times: Float64Array;
  private next = 0;
  private count = 0;

  constructor(readonly capacity = 2000) {
    this.slots = new Array<BootEvent | undefined>(capacity);
    this.times = new Float64Array(capacity);
  }

  /** Keeps a boot event that carries its time as text (a test, a captured log). */
  push(e: StampedEvent): void {
    this.pushAt(e, Date.parse(e.time));
  }

  /**
   * Keeps a boot event as emitted, at `ms` since the epoch (the EventLog's listener form: no
   * stamped copy; the time text is made when read). The API's own events (`api.*`) are left
   * out: reading the window must not fill it.
   */
  pushAt(e: BootEvent, ms: number): void {
    if (e.kind.startsWith('api.')) return;
    this.slots[this.next] = e;
    this.times[this.next] = ms;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** The most recent `limit` events (matching `mac` when given), oldest first. */
  recent(q: EventQuery = {}): StampedEvent[] {
    const limit = q.limit ?? 100;
    const out: StampedEvent[] = [];
    for (let i = 1; i <= this.count && out.length < limit; i++) {
      const at = (this.next - i + this.capacity) % this.capacity;
      const e = this.slots[at];
      if (e && (q.mac === undefined || e.mac === q.mac)) out.push(asTimed(e, this.times[at] as number));
    }
    return out.reverse();
  }
}
