/**
 * The last N boot events, kept in memory for `GET /api/v1/events`: a fixed-size ring fed by
 * the EventLog, so reading recent history costs nothing on the hot path and memory is bounded.
 */
import type { BootEvent } from '../events/boot-event.js';

export type StampedEvent = BootEvent & { time: string };

export interface EventQuery {
  mac?: string;
  /** Most recent first are kept; returned oldest first. Default 100. */
  limit?: number;
}

export class EventRing {
  private readonly slots: (StampedEvent | undefined)[];
  private next = 0;
  private count = 0;

  constructor(readonly capacity = 2000) {
    this.slots = new Array<StampedEvent | undefined>(capacity);
  }

  /** Keeps a boot event. The API's own events (`api.*`) are left out: reading the window must not fill it. */
  push(e: StampedEvent): void {
    if (e.kind.startsWith('api.')) return;
    this.slots[this.next] = e;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** The most recent `limit` events (matching `mac` when given), oldest first. */
  recent(q: EventQuery = {}): StampedEvent[] {
    const limit = q.limit ?? 100;
    const out: StampedEvent[] = [];
    for (let i = 1; i <= this.count && out.length < limit; i++) {
      const e = this.slots[(this.next - i + this.capacity) % this.capacity];
      if (e && (q.mac === undefined || e.mac === q.mac)) out.push(e);
    }
    return out.reverse();
  }
}
